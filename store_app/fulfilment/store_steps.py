"""The counter's steps on an order: accept, pick, pack; strike an item off; unlock a delivery code;
hand the order (or its task, from the dispatch board) to a courier. Two staff clicking at once: the
guarded moves let one through and the other gets a clean conflict."""
from ..deliveries import operations as deliveries
from ..deliveries.models import CourierShift, DeliveryTask, TaskStatus
from ..deliveries.rules import has_room
from ..extensions import db
from ..growth import coupons
from ..growth.errors import CouponNotRestorable
from ..notifications.operations import notify
from ..orders import queries
from ..orders.errors import OrderNotFound, StatusConflict
from ..orders.models import Order, OrderEvent, OrderItem, OrderStatus
from ..orders.rules import purchase_ref
from . import errors, notices, settlement, transitions
from .moves import move

# ``assign_courier`` without a check of the courier staff saw on the order.
ANY_COURIER = object()


def _store_order(staff, order_id):
    order = queries.get_store_order(staff.store_id, order_id)
    if order is None:
        raise OrderNotFound(order_id)
    return order


def advance_by_store(staff, order_id, target, now):
    """Staff take an order one step on: accept it, start picking, or mark it ready for a courier.

    Two staff clicking at once: the guarded UPDATE lets one through, the other gets ``StatusConflict``.
    """
    if OrderStatus(target) not in transitions.STORE_STEPS:
        raise StatusConflict(target)
    order = move(_store_order(staff, order_id), target, actor_id=staff.id, now=now)
    if order.is_pickup and OrderStatus(target) == OrderStatus.READY:
        notify(order.user_id, order.store_id, "order_ready_for_pickup", f"order_ready_for_pickup:{order.id}",
               params={"order_id": order.id}, link=f"/orders/{order.id}", now=now)
    return order


def mark_item_unavailable(staff, order_id, item_id, now):
    """A line can't be supplied: refund it, tell the resident (the order page, live, and the inbox);
    cancel if nothing is left."""
    order = _store_order(staff, order_id)
    if OrderStatus(order.status) not in transitions.ITEM_EDITABLE:
        raise StatusConflict(order.status)
    item = db.session.scalar(db.select(OrderItem).where(OrderItem.id == item_id, OrderItem.order_id == order.id))
    if item is None:
        raise OrderNotFound(item_id)
    flipped = db.session.execute(db.update(OrderItem).where(OrderItem.id == item.id, OrderItem.unavailable.is_(False))
                                 .values(unavailable=True)).rowcount
    if not flipped:
        return order
    db.session.refresh(item)
    settlement.refund(order, item.line_cents, "unavailable", staff.id, now, while_in=transitions.ITEM_EDITABLE,
                      params={"name_zh": item.name_zh, "name_en": item.name_en})
    db.session.add(OrderEvent(order_id=order.id, status=order.status, actor_id=staff.id, at=now,
                              note=f"unavailable:{item.id}"))
    db.session.flush()
    notices.tell_item_unavailable(order, item, item.line_cents, now)
    if all(i.unavailable for i in order.items):
        refund_left = order.total_cents - order.refunded_cents
        settlement.cancel(order, staff.id, now, "nothing left to deliver")
        notices.tell_cancelled_by_store(order, "nothing left to deliver", refund_left, now)
    return order


def restore_coupon(staff, order_id, now):
    """Staff give the resident back the coupon copies used on a delivered or collected order (the
    store's choice, e.g. after a complaint; never automatic on a refund). ``CouponNotRestorable``
    for an order not fulfilled or without a coupon."""
    order = _store_order(staff, order_id)
    if order.status not in (OrderStatus.DELIVERED.value, OrderStatus.COLLECTED.value):
        raise CouponNotRestorable()
    return coupons.restore_for(purchase_ref(order.id), now, actor_id=staff.id)


def unlock_delivery_code(staff, order_id, now):
    """Staff let the courier try the delivery code again (the misses go back to 0)."""
    order = _store_order(staff, order_id)
    reset = db.session.execute(db.update(Order).where(Order.id == order.id, Order.delivery_code_misses > 0)
                               .values(delivery_code_misses=0)).rowcount
    if reset:
        db.session.add(OrderEvent(order_id=order.id, status=order.status, actor_id=staff.id, at=now,
                                  note="delivery code unlocked"))
        db.session.flush()
        db.session.refresh(order)
    return order


def assign_courier(staff, order_id, courier_id, now, seen_courier_id=ANY_COURIER):
    """Give a ready order to a courier (or an assigned one to another courier, until it is picked up).

    The order (ready/assigned -> assigned) and its task move together, order first: a picked-up
    order answers ``AlreadyPickedUp``. With ``seen_courier_id`` (the courier staff saw on it, None for
    none) both are also guarded on it: a courier changed since (by the dispatcher or other staff)
    answers ``StatusConflict``.
    """
    order = _store_order(staff, order_id)
    courier = deliveries.get_store_courier(staff.store_id, courier_id)
    if courier is None:
        raise errors.CourierNotFound(courier_id)
    if OrderStatus(order.status) in (OrderStatus.PICKED_UP, OrderStatus.DELIVERED, OrderStatus.FAILED):
        raise errors.AlreadyPickedUp(order_id)
    try:
        move(order, OrderStatus.ASSIGNED, actor_id=staff.id, now=now, note=f"courier {courier.name}",
             changes={"courier_id": courier.id}, guard=_courier_guard(Order.courier_id, seen_courier_id),
             task_changes={"courier_id": courier.id, "assigned_by": "staff"},
             task_guard=_courier_guard(DeliveryTask.courier_id, seen_courier_id))
    except StatusConflict:
        db.session.refresh(order)
        if order.status == OrderStatus.PICKED_UP.value:
            raise errors.AlreadyPickedUp(order.id) from None
        raise
    except errors.TaskConflict:
        raise errors.AlreadyPickedUp(order_id) from None
    return order


def _courier_guard(column, seen_courier_id):
    """The UPDATE condition "still with the courier staff saw" (none: no condition)."""
    if seen_courier_id is ANY_COURIER:
        return ()
    return (column.is_(None),) if seen_courier_id is None else (column == seen_courier_id,)


# ---- the dispatch board: a task to a courier by hand ---------------------------------------------

def get_store_task(store_id, task_id):
    """A delivery task of this store (with an order to deliver), or None."""
    return db.session.scalar(db.select(DeliveryTask).where(DeliveryTask.id == task_id,
                                                           DeliveryTask.store_id == store_id,
                                                           DeliveryTask.order_id.is_not(None)))


def assign_task_by_hand(staff, task_id, courier_id, seen_courier_id, now):
    """Staff give a task (of a packed order, not yet picked up) to a courier on shift with room.

    ``seen_courier_id`` is the task's courier on staff's screen (None: none); if the dispatcher or
    someone else changed it since, ``AssignmentChanged`` (409) and nothing moves. The courier's shift
    is claimed first (``_claim_room``), then order and task move as ``assign_courier`` moves them,
    guarded on the courier seen and marked ``assigned_by="staff"``. Returns the task.
    """
    task = get_store_task(staff.store_id, task_id)
    if task is None:
        raise errors.TaskNotFound(task_id)
    courier = deliveries.get_store_courier(staff.store_id, courier_id)
    if courier is None:
        raise errors.CourierNotFound(courier_id)
    _check_movable(task, courier.id, seen_courier_id)
    _claim_room(staff.store_id, courier.id, task.size, now)
    try:
        assign_courier(staff, task.order_id, courier.id, now, seen_courier_id=seen_courier_id)
    except StatusConflict:
        raise errors.AssignmentChanged(task_id) from None
    # The dispatcher's prediction was for the old route; its next cycle predicts the new one.
    db.session.execute(db.update(DeliveryTask).where(DeliveryTask.id == task.id).values(predicted_at=None))
    db.session.flush()
    db.session.refresh(task)
    return task


def _check_movable(task, courier_id, seen_courier_id):
    if task.status == TaskStatus.PICKED_UP.value:
        raise errors.AlreadyPickedUp(task.order_id)
    if task.status not in transitions.REASSIGNABLE:
        raise errors.TaskConflict(task.id)
    if task.courier_id != seen_courier_id:
        raise errors.AssignmentChanged(task.id)
    if task.courier_id == courier_id:
        raise errors.SameCourier(task.id)
    if task.status == TaskStatus.OPEN.value and task.packed_at is None:
        raise errors.TaskNotReady(task.id)


def _claim_room(store_id, courier_id, size, now):
    """Check the courier is on shift here with room for ``size`` more; ``CourierOffShift`` or ``CourierFull``.

    The no-op UPDATE takes the shift's row lock: two hand-overs to one courier queue here, and the
    second counts the first's task, so they never both squeeze into the last place (SQLite's
    writers queue anyway).
    """
    on_shift = (CourierShift.store_id == store_id, CourierShift.courier_id == courier_id,
                CourierShift.ended_at.is_(None), CourierShift.planned_end_at > now)
    claimed = db.session.execute(db.update(CourierShift).where(*on_shift).values(capacity=CourierShift.capacity)
                                 .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise errors.CourierOffShift(courier_id)
    capacity = db.session.scalar(db.select(CourierShift.capacity).where(*on_shift))
    load = db.session.scalar(db.select(db.func.coalesce(db.func.sum(DeliveryTask.size), 0)).where(
        DeliveryTask.courier_id == courier_id, DeliveryTask.status.in_(deliveries.CARRYING)))
    if not has_room(load, size, capacity):
        raise errors.CourierFull(courier_id)
