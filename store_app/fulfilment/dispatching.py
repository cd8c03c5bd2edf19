"""The dispatcher's writes: its assignments (many tasks at once, each with its order) and its
predictions, with the late notices they lead to. Called by one dispatch cycle (``dispatch.cycle``);
rows are taken like every other writer's, orders before tasks, in id order."""
from datetime import timedelta

from ..accounts.models import User
from ..deliveries import rules as delivery_rules
from ..deliveries.models import DeliveryTask
from ..extensions import db
from ..notifications.operations import notify_many
from ..orders.models import Order, OrderEvent, OrderStatus
from ..roles import Role
from . import errors, transitions


def assign_by_planner(pairs, now):
    """Give each task of ``[(task_id, courier_id), ...]`` to its courier, in a fixed number of
    statements whatever the number of pairs; returns the pairs actually written.

    The guard is the order's: only orders still ``ready`` with no courier move (``ready ->
    assigned``, as ``moves.move`` would, with its event). They are locked first, in id order
    (``FOR UPDATE`` on PostgreSQL; SQLite's writer lock covers it), so two overlapping cycles queue
    instead of deadlocking, and staff who got there first simply win. Their tasks then move
    ``open -> assigned``: every writer takes an order before its task, so holding the order keeps
    the task as the order says; if one ever disagrees the whole cycle rolls back (``TaskConflict``).
    """
    if not pairs:
        return []
    courier_of_task = dict(pairs)
    task_rows = db.session.execute(db.select(DeliveryTask.id, DeliveryTask.order_id).where(
        DeliveryTask.id.in_(sorted(courier_of_task)), DeliveryTask.order_id.is_not(None))).all()
    names = dict(db.session.execute(db.select(User.id, User.name).where(
        User.id.in_(sorted(set(courier_of_task.values()))), User.role == Role.COURIER.value)).all())
    courier_of_order = {order_id: courier_of_task[task_id] for task_id, order_id in task_rows
                        if courier_of_task[task_id] in names}
    if not courier_of_order:
        return []
    free = (Order.id.in_(sorted(courier_of_order)), Order.status == OrderStatus.READY.value, Order.courier_id.is_(None))
    won = db.session.scalars(db.select(Order.id).where(*free).order_by(Order.id).with_for_update()).all()
    if not won:
        return []
    which = db.case({order_id: courier_of_order[order_id] for order_id in won}, value=Order.id)
    moved = db.session.execute(db.update(Order).where(Order.id.in_(won), *free[1:]).values(
        status=OrderStatus.ASSIGNED.value, courier_id=which, assigned_at=now)
        .execution_options(synchronize_session=False)).rowcount
    task = transitions.task_move(OrderStatus.READY, OrderStatus.ASSIGNED)
    task_moved = db.session.execute(db.update(DeliveryTask).where(
        DeliveryTask.order_id.in_(won), DeliveryTask.status == task.source,
        DeliveryTask.courier_id.is_(None)).values(
        status=task.target, assigned_at=now, assigned_by="planner",
        courier_id=db.case({order_id: courier_of_order[order_id] for order_id in won}, value=DeliveryTask.order_id))
        .execution_options(synchronize_session=False)).rowcount
    if moved != len(won) or task_moved != len(won):
        raise errors.TaskConflict(won)
    db.session.execute(db.insert(OrderEvent), [
        {"order_id": order_id, "status": OrderStatus.ASSIGNED.value, "actor_id": None, "at": now,
         "note": f"courier {names[courier_of_order[order_id]]}"} for order_id in won])
    task_of_order = {order_id: task_id for task_id, order_id in task_rows}
    return sorted((task_of_order[order_id], courier_of_order[order_id]) for order_id in won)


# ---- the dispatcher's predictions ------------------------------------------------------------

# A prediction that moved less than this is not written again (most cycles change nothing).
PREDICTION_STEP = timedelta(seconds=30)


def record_predictions(store_id, timezone, predicted, now):
    """Keep each task's predicted hand-over (``{task_id: aware datetime}``, from one cycle).

    An order now predicted at least ``deliveries.rules.LATE_NOTICE_MIN`` minutes past its promise
    shows the new time on the resident's page
    (``Order.late_eta_at``, moved with the predictions, cleared when it is on time again), and the
    resident is told once: the notification's key is unique, so however many cycles (or two at
    once) see the order late, one message is stored. A handful of statements whatever the number
    of tasks: order rows first, then task rows, each batch in task-id order (the order every writer
    takes rows in). Returns the orders whose residents were told now.
    """
    if not predicted:
        return []
    rows = db.session.execute(
        db.select(DeliveryTask.id, DeliveryTask.predicted_at, Order.id, Order.user_id, Order.promised_at,
                  Order.late_eta_at, Order.late_notified_at)
        .join(Order, DeliveryTask.order_id == Order.id)
        .where(DeliveryTask.id.in_(list(predicted)), DeliveryTask.store_id == store_id,
               Order.status.in_([s.value for s in transitions.ACTIVE]))
        .order_by(DeliveryTask.id)).all()
    late, on_time, tell, task_moves = [], [], [], []
    for task_id, was_predicted, order_id, user_id, promised_at, late_eta_at, notified_at in rows:
        at = predicted[task_id]
        if was_predicted is None or abs(at - was_predicted) >= PREDICTION_STEP:
            task_moves.append({"task_id": task_id, "at": at})
        lateness = delivery_rules.predicted_lateness_min(promised_at, at, now, 0)
        # Shown late (and told) from a slip of LATE_NOTICE_MIN on; once shown, the page follows the
        # estimate until it is back on time, so a slip of 5, then 4, then 5 minutes tells nobody twice.
        if not delivery_rules.is_late_notice_due(lateness) and (late_eta_at is None or lateness <= 0):
            if late_eta_at is not None:
                on_time.append(order_id)
            continue
        if late_eta_at is None or abs(at - late_eta_at) >= PREDICTION_STEP or notified_at is None:
            late.append({"order_id": order_id, "at": at})
        if notified_at is None:
            tell.append(dict(user_id=user_id, store_id=store_id, kind="order_late", dedupe_key=f"order_late:{order_id}",
                             link=f"/orders/{order_id}", params={
                                 "order_id": order_id, "eta_at": at.isoformat(),
                                 "promised_at": promised_at.isoformat(), "tz": timezone}))
    orders, tasks = Order.__table__, DeliveryTask.__table__
    if late:
        db.session.execute(orders.update().where(orders.c.id == db.bindparam("order_id")).values(
            late_eta_at=db.bindparam("at"), late_notified_at=db.func.coalesce(orders.c.late_notified_at, now)), late)
    if on_time:
        db.session.execute(orders.update().where(orders.c.id.in_(on_time)).values(late_eta_at=None))
    told = notify_many(tell, now) if tell else set()
    if task_moves:
        db.session.execute(tasks.update().where(tasks.c.id == db.bindparam("task_id"))
                           .values(predicted_at=db.bindparam("at")), task_moves)
    return [message["params"]["order_id"] for message in tell if message["dedupe_key"] in told]
