"""The one writer that moves an order and its delivery task together.

Rows are taken in one fixed order, the order first, then its task, each with one guarded UPDATE:
the order only from the status it was read in (plus the caller's ``guard``), the task only from the
status ``transitions.MOVES`` gives for that move (plus ``task_guard``). Two clicks, a click and the
dispatcher, or two overlapping dispatch cycles queue on the order's row lock, and the one that lost
gets ``StatusConflict`` (or ``TaskConflict``) and rolls back: never half a move, never a deadlock.

Other lines of business that ride on an order (parcels brought along) hear when it ends through
``on_finish``, inside the same transaction.
"""
from ..deliveries.models import DeliveryTask
from ..extensions import db
from ..growth import purchases
from ..orders.errors import StatusConflict
from ..orders.models import Order, OrderEvent, OrderStatus
from ..orders.rules import purchase_ref
from . import errors, transitions

# ``fn(order, status, actor_id, now)``, called inside the move's transaction.
FINISH_LISTENERS = []


def on_finish(fn):
    """Register ``fn`` to be told when an order is delivered, failed or cancelled."""
    FINISH_LISTENERS.append(fn)
    return fn


def move(order, target, *, actor_id, now, note="", guard=(), changes=None, task_guard=(), task_changes=None):
    """Move ``order`` to ``target`` and its delivery task with it, if allowed and nobody moved either
    meanwhile; timestamped, with an event on the order's timeline. Returns the order, refreshed.

    ``changes``/``task_changes`` set more columns in the same statements (the courier, say);
    ``guard``/``task_guard`` add conditions (the courier staff saw). ``StatusConflict`` when the
    order lost, ``TaskConflict`` when its task is not where the move expects it.
    """
    current, target = OrderStatus(order.status), OrderStatus(target)
    if not transitions.can_move(current, target, pickup=order.is_pickup):
        raise StatusConflict(target)
    values = {**(changes or {}), "status": target.value}
    if target in transitions.TIMESTAMP_OF:
        values[transitions.TIMESTAMP_OF[target]] = now
    if target in transitions.FINISHED:
        values["pickup_code_hash"] = None  # a finished pickup order's code opens nothing any more
    moved = db.session.execute(db.update(Order).values(**values).where(
        Order.id == order.id, Order.status == current.value, *guard)
        .execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise StatusConflict(target)
    task = transitions.task_move(current, target)
    if task is not None:
        move_task(order.id, task, now, guard=task_guard, changes=task_changes)
    db.session.add(OrderEvent(order_id=order.id, status=target.value, actor_id=actor_id, note=note, at=now))
    db.session.flush()
    db.session.refresh(order)
    if target in transitions.FINISHED:
        _tell_growth(order, target, now)
        for listener in FINISH_LISTENERS:
            listener(order, target, actor_id, now)
    return order


def _tell_growth(order, target, now):
    """The purchase growth recorded at checkout is fulfilled (delivered, collected) or, cancelled or
    failed before that, cancelled: its coupon copies go back to the resident."""
    if target in (OrderStatus.DELIVERED, OrderStatus.COLLECTED):
        purchases.complete_purchase(purchase_ref(order.id), now)
    else:
        purchases.cancel_purchase(purchase_ref(order.id), now)


def move_task(order_id, task, now, *, guard=(), changes=None):
    """Move the delivery task of ``order_id`` as ``task`` (a ``TaskMove``) says, with one guarded
    UPDATE. An order without a task (nothing for a courier to carry) has nothing to move; a task
    that is not in ``task.source`` (or fails ``guard``) is ``TaskConflict``."""
    values = {**(changes or {}), "status": task.target}
    if task.stamp:
        values[task.stamp] = now
    moved = db.session.execute(db.update(DeliveryTask).where(
        DeliveryTask.order_id == order_id, DeliveryTask.status == task.source, *guard).values(**values)
        .execution_options(synchronize_session=False)).rowcount
    if not moved and has_task(order_id):
        raise errors.TaskConflict(order_id)


def has_task(order_id):
    """Whether a delivery task exists for the order."""
    return db.session.scalar(db.select(DeliveryTask.id).where(DeliveryTask.order_id == order_id)) is not None


def get_order_task(order_id):
    """The order's delivery task, or None."""
    return db.session.scalar(db.select(DeliveryTask).where(DeliveryTask.order_id == order_id))
