"""Quotes, delivery tasks and shifts. They add and flush; the caller's ``transaction()`` commits."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..accounts.models import Role, User
from ..extensions import db
from ..geo import operations as geo_ops
from ..geo.rules import haversine_m
from ..notifications.operations import notify_many
from ..orders import errors as order_errors
from ..orders import lifecycle
from ..orders.models import Order, OrderEvent, OrderStatus
from ..stores import rules as store_rules
from . import errors, rules
from .models import CourierShift, DeliveryTask, TaskStatus

MAX_SHIFT_HOURS = 12

# Tasks a courier is carrying (or on the way to collect).
CARRYING = (TaskStatus.ASSIGNED.value, TaskStatus.PICKED_UP.value)
# ``assign_courier`` without a check of the courier staff saw on the order.
ANY_COURIER = object()
ACTIVE_ORDER_STATUSES = (OrderStatus.PLACED, OrderStatus.ACCEPTED, OrderStatus.PICKING, OrderStatus.READY,
                         OrderStatus.ASSIGNED, OrderStatus.PICKED_UP)


def quote_params(store):
    """The store's quote settings as plain values."""
    return rules.QuoteParams(
        promise_min=store.promise_minutes, pick_base_min=store.pick_base_min,
        pick_per_item_s=store.pick_per_item_s, speed_m_per_min=store.courier_speed_m_per_min,
        detour_factor=store.detour_factor, handover_min=store.courier_handover_min)


def _open_deliveries(store_id):
    return db.select(db.func.count(Order.id)).where(
        Order.store_id == store_id, Order.status.in_([s.value for s in ACTIVE_ORDER_STATUSES]),
        Order.scheduled_for.is_(None))


def _couriers_on_shift(store_id, now):
    return db.select(db.func.count(CourierShift.id)).where(
        CourierShift.store_id == store_id, CourierShift.ended_at.is_(None), CourierShift.planned_end_at > now)


def count_open_deliveries(store_id):
    """Orders of the store that are placed but not yet delivered (the couriers' queue)."""
    return db.session.scalar(_open_deliveries(store_id))


def count_couriers_on_shift(store_id, now):
    """Couriers with an open shift that has not passed its planned end."""
    return db.session.scalar(_couriers_on_shift(store_id, now))


def quote(store, point, item_count, now):
    """Can ``store`` deliver ``item_count`` items to ``point`` (lat, lon) now, and in how long?

    One query reads the couriers' queue, the couriers on shift and the zones' version together.
    """
    open_deliveries, couriers, *zone_version = db.session.execute(db.select(
        _open_deliveries(store.id).scalar_subquery(), _couriers_on_shift(store.id, now).scalar_subquery(),
        *geo_ops.zone_version_columns(store.id))).one()
    zone = geo_ops.find_zone(store.id, point, tuple(zone_version))
    if zone is None:
        return rules.decide(None, False, 0, item_count, 0, 0, 0, quote_params(store))
    local = store_rules.local_time(now, store.timezone)
    return rules.decide(
        zone,
        store_open=store_rules.is_open(store.intervals(), now, store.timezone),
        minute_of_day=local.hour * 60 + local.minute,
        item_count=item_count,
        distance_m=haversine_m((store.lat, store.lon), point),
        open_deliveries=open_deliveries,
        couriers_on_shift=couriers,
        params=quote_params(store))


# ---- courier shifts ---------------------------------------------------------------------------

def get_open_shift(courier_id):
    """The courier's shift that has not been ended (it may be past its planned end), or None."""
    return db.session.scalar(db.select(CourierShift).where(CourierShift.courier_id == courier_id,
                                                           CourierShift.ended_at.is_(None)))


def get_current_shift(courier_id, now):
    """The courier's open shift if it is still running at ``now`` (before its planned end), or None."""
    shift = get_open_shift(courier_id)
    return shift if shift is not None and shift.planned_end_at > now else None


def start_shift(courier, now, hours):
    """Put ``courier`` on shift from ``now`` for ``hours`` (1..12) hours; returns the shift.

    An open shift already past its planned end is closed at that end first. A courier still on
    shift gets ``ShiftAlreadyOpen``, also when two starts race (the partial unique index decides).
    """
    if not (isinstance(hours, int) and 1 <= hours <= MAX_SHIFT_HOURS):
        raise errors.ShiftLengthInvalid(hours)
    stale = get_open_shift(courier.id)
    if stale is not None:
        if stale.planned_end_at > now:
            raise errors.ShiftAlreadyOpen(courier.id)
        stale.ended_at = stale.planned_end_at
    shift = CourierShift(store_id=courier.store_id, courier_id=courier.id, started_at=now,
                         planned_end_at=now + timedelta(hours=hours))
    try:
        with db.session.begin_nested():
            db.session.add(shift)
    except IntegrityError as exc:  # another tap started a shift between our read and this write
        raise errors.ShiftAlreadyOpen(courier.id) from exc
    return shift


def end_shift(courier, now):
    """End the courier's open shift at ``now`` (or at its planned end, if that was earlier)."""
    shift = get_open_shift(courier.id)
    if shift is None:
        raise errors.NoOpenShift(courier.id)
    shift.ended_at = min(now, shift.planned_end_at)
    db.session.flush()
    return shift


# ---- delivery tasks: staff hand an order to a courier ------------------------------------------

def move_task(order_id, target, *, changes=None, guard=()):
    """Move the delivery task of ``order_id`` to ``target`` with one guarded UPDATE: only from a
    status ``rules.TASK_TRANSITIONS`` allows (and ``guard``); ``TaskConflict`` when nothing moved."""
    moved = db.session.execute(
        db.update(DeliveryTask).where(DeliveryTask.order_id == order_id,
                                      DeliveryTask.status.in_(rules.task_sources(target)), *guard)
        .values(status=target, **(changes or {}))).rowcount
    if not moved:
        raise errors.TaskConflict(order_id)


def get_store_courier(store_id, courier_id):
    """An enabled courier of this store, or None."""
    return db.session.scalar(db.select(User).where(
        User.id == courier_id, User.store_id == store_id, User.role == Role.COURIER.value,
        User.is_enabled.is_(True)))


@dataclass(frozen=True)
class CourierChoice:
    """A courier as the board offers them: on shift or not, and how many deliveries they carry."""

    id: int
    name: str
    on_shift: bool
    open_tasks: int


def list_assignable_couriers(store_id, now):
    """The store's enabled couriers: those on shift first, then the others; by load, then name, then id."""
    on_shift = set(db.session.scalars(db.select(CourierShift.courier_id).where(
        CourierShift.store_id == store_id, CourierShift.ended_at.is_(None),
        CourierShift.planned_end_at > now)))
    loads = dict(db.session.execute(
        db.select(DeliveryTask.courier_id, db.func.count(DeliveryTask.id))
        .where(DeliveryTask.store_id == store_id, DeliveryTask.status.in_(CARRYING))
        .group_by(DeliveryTask.courier_id)).all())
    couriers = db.session.scalars(db.select(User).where(
        User.store_id == store_id, User.role == Role.COURIER.value, User.is_enabled.is_(True)))
    choices = [CourierChoice(c.id, c.name, c.id in on_shift, loads.get(c.id, 0)) for c in couriers]
    return sorted(choices, key=lambda c: (not c.on_shift, c.open_tasks, c.name, c.id))


def assign_courier(staff, order_id, courier_id, now, seen_courier_id=ANY_COURIER):
    """Give a ready order to a courier (or an assigned one to another courier, until it is picked up).

    The order (ready/assigned -> assigned, ``courier_id``) and its task (open/assigned -> assigned)
    move in guarded UPDATEs, order first: a picked-up order answers ``AlreadyPickedUp``. With
    ``seen_courier_id`` (the courier staff saw on it, None for none) both are also guarded on it:
    a courier changed since (by the dispatcher or other staff) answers ``StatusConflict``.
    """
    order = lifecycle.get_store_order(staff.store_id, order_id)
    if order is None:
        raise order_errors.OrderNotFound(order_id)
    courier = get_store_courier(staff.store_id, courier_id)
    if courier is None:
        raise errors.CourierNotFound(courier_id)
    status = OrderStatus(order.status)
    if status in (OrderStatus.PICKED_UP, OrderStatus.DELIVERED, OrderStatus.FAILED):
        raise errors.AlreadyPickedUp(order_id)
    order_guard = _courier_guard(Order.courier_id, seen_courier_id)
    if status is OrderStatus.ASSIGNED:
        _reassign(order, courier, staff, now, order_guard)
    else:  # READY, or a StatusConflict from the guarded move
        lifecycle.move(order, OrderStatus.ASSIGNED, actor_id=staff.id, now=now, note=f"courier {courier.name}",
                       changes={"courier_id": courier.id}, guard=order_guard)
    try:
        move_task(order.id, TaskStatus.ASSIGNED.value,
                  guard=_courier_guard(DeliveryTask.courier_id, seen_courier_id),
                  changes={"courier_id": courier.id, "assigned_at": now, "assigned_by": "staff"})
    except errors.TaskConflict:
        raise errors.AlreadyPickedUp(order_id) from None
    return order


def _courier_guard(column, seen_courier_id):
    """The UPDATE condition "still with the courier staff saw" (none: no condition)."""
    if seen_courier_id is ANY_COURIER:
        return ()
    return (column.is_(None),) if seen_courier_id is None else (column == seen_courier_id,)


def _reassign(order, courier, staff, now, guard=()):
    """An assigned order goes to another courier: the same status, so not a move, but guarded alike."""
    moved = db.session.execute(db.update(Order).where(Order.id == order.id,
                                                      Order.status == OrderStatus.ASSIGNED.value, *guard)
                               .values(courier_id=courier.id, assigned_at=now)).rowcount
    if not moved:
        db.session.refresh(order)
        if order.status == OrderStatus.PICKED_UP.value:
            raise errors.AlreadyPickedUp(order.id)
        raise order_errors.StatusConflict(OrderStatus.ASSIGNED)
    db.session.add(OrderEvent(order_id=order.id, status=OrderStatus.ASSIGNED.value, actor_id=staff.id, at=now,
                              note=f"courier {courier.name}"))
    db.session.flush()
    db.session.refresh(order)


# ---- the dispatcher's reads and writes (dispatch/cycle.py) ------------------------------------

def get_courier_position(courier_id):
    """``(lat, lon, position_at)`` from the courier's open shift, or None if unknown / off shift."""
    row = db.session.execute(db.select(CourierShift.lat, CourierShift.lon, CourierShift.position_at).where(
        CourierShift.courier_id == courier_id, CourierShift.ended_at.is_(None))).first()
    if row is None or row.lat is None:
        return None
    return row.lat, row.lon, row.position_at


def record_position(courier, lat, lon, now):
    """The phone's position, posted every few seconds while on shift; False if the courier is off shift."""
    return db.session.execute(db.update(CourierShift).where(
        CourierShift.courier_id == courier.id, CourierShift.ended_at.is_(None),
        CourierShift.planned_end_at > now).values(lat=lat, lon=lon, position_at=now)
        .execution_options(synchronize_session=False)).rowcount == 1


def list_active_tasks(store_id, statuses):
    """The store's delivery tasks in ``statuses``, with their orders (one query), by id."""
    return db.session.scalars(db.select(DeliveryTask).where(
        DeliveryTask.store_id == store_id, DeliveryTask.status.in_(statuses))
        .options(joinedload(DeliveryTask.order)).order_by(DeliveryTask.id)).all()


def deliveries_this_shift(store_id, now):
    """``{courier_id: deliveries finished since their open shift started}`` (the planner's fairness)."""
    rows = db.session.execute(
        db.select(DeliveryTask.courier_id, db.func.count(DeliveryTask.id))
        .join(CourierShift, db.and_(CourierShift.courier_id == DeliveryTask.courier_id,
                                    CourierShift.ended_at.is_(None)))
        .where(DeliveryTask.store_id == store_id, DeliveryTask.status == TaskStatus.DELIVERED.value,
               DeliveryTask.finished_at >= CourierShift.started_at, CourierShift.planned_end_at > now)
        .group_by(DeliveryTask.courier_id)).all()
    return dict(rows)


def list_open_shifts(store_id, now):
    """Shifts under way now (not ended, planned end still ahead), by courier id."""
    return db.session.scalars(db.select(CourierShift).where(
        CourierShift.store_id == store_id, CourierShift.ended_at.is_(None), CourierShift.planned_end_at > now)
        .order_by(CourierShift.courier_id)).all()


def assign_many_by_planner(pairs, now):
    """Give each task of ``[(task_id, courier_id), ...]`` to its courier, in a fixed number of
    statements whatever the number of pairs; returns the pairs actually written.

    The guard is the order's: only orders still ``ready`` with no courier move (``ready ->
    assigned``, as ``lifecycle.move`` would, with its event). They are locked first, in id order
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
    task_moved = db.session.execute(db.update(DeliveryTask).where(
        DeliveryTask.order_id.in_(won), DeliveryTask.status == TaskStatus.OPEN.value,
        DeliveryTask.courier_id.is_(None)).values(
        status=TaskStatus.ASSIGNED.value, assigned_at=now, assigned_by="planner",
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

# A prediction this much past the promise counts as late (the planner's minutes are estimates).
LATE_MARGIN = timedelta(minutes=1)


# A prediction that moved less than this is not written again (most cycles change nothing).
PREDICTION_STEP = timedelta(seconds=30)


def record_predictions(store_id, timezone, predicted, now):
    """Keep each task's predicted hand-over (``{task_id: aware datetime}``, from one cycle).

    An order now predicted past its promise shows the new time on the resident's page
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
               Order.status.in_([s.value for s in ACTIVE_ORDER_STATUSES]))
        .order_by(DeliveryTask.id)).all()
    late, on_time, tell, task_moves = [], [], [], []
    for task_id, was_predicted, order_id, user_id, promised_at, late_eta_at, notified_at in rows:
        at = predicted[task_id]
        if was_predicted is None or abs(at - was_predicted) >= PREDICTION_STEP:
            task_moves.append({"task_id": task_id, "at": at})
        if at <= promised_at + LATE_MARGIN:
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

