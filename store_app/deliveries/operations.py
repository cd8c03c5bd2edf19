"""Quotes, delivery tasks and shifts. They add and flush; the caller's ``transaction()`` commits."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from ..accounts.models import Role, User
from ..extensions import db
from ..geo import operations as geo_ops
from ..geo.rules import haversine_m
from ..orders import errors as order_errors
from ..orders import lifecycle
from ..orders.models import Order, OrderEvent, OrderStatus
from ..stores import rules as store_rules
from . import errors, rules
from .models import CourierShift, DeliveryTask, TaskStatus

MAX_SHIFT_HOURS = 12

# Tasks a courier is carrying (or on the way to collect).
CARRYING = (TaskStatus.ASSIGNED.value, TaskStatus.PICKED_UP.value)
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


def assign_courier(staff, order_id, courier_id, now):
    """Give a ready order to a courier (or an assigned one to another courier, until it is picked up).

    The order (ready/assigned -> assigned, ``courier_id``) and its task (open/assigned -> assigned)
    move in guarded UPDATEs, order first: a picked-up order answers ``AlreadyPickedUp``.
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
    if status is OrderStatus.ASSIGNED:
        _reassign(order, courier, staff, now)
    else:  # READY, or a StatusConflict from the guarded move
        lifecycle.move(order, OrderStatus.ASSIGNED, actor_id=staff.id, now=now,
                       note=f"courier {courier.name}", changes={"courier_id": courier.id})
    try:
        move_task(order.id, TaskStatus.ASSIGNED.value, changes={
            "courier_id": courier.id, "assigned_at": now, "assigned_by": "staff"})
    except errors.TaskConflict:
        raise errors.AlreadyPickedUp(order_id) from None
    return order


def _reassign(order, courier, staff, now):
    """An assigned order goes to another courier: the same status, so not a move, but guarded alike."""
    moved = db.session.execute(db.update(Order).where(Order.id == order.id,
                                                      Order.status == OrderStatus.ASSIGNED.value)
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


# ---- the dispatcher's reads and writes (dispatch/jobs.py) -------------------------------------

class AssignmentLost(Exception):
    """Staff or an overlapping cycle assigned (or moved on) the task first."""


def list_active_tasks(store_id, statuses):
    """The store's delivery tasks in ``statuses``, with their orders, by id."""
    return db.session.scalars(db.select(DeliveryTask).where(
        DeliveryTask.store_id == store_id, DeliveryTask.status.in_(statuses))
        .order_by(DeliveryTask.id)).all()


def list_open_shifts(store_id, now):
    """Shifts under way now (not ended, planned end still ahead), by courier id."""
    return db.session.scalars(db.select(CourierShift).where(
        CourierShift.store_id == store_id, CourierShift.ended_at.is_(None), CourierShift.planned_end_at > now)
        .order_by(CourierShift.courier_id)).all()


def assign_by_planner(task_id, courier_id, now):
    """Give an open task of a ready order to a courier: order ready -> assigned (no courier yet)
    and task open -> assigned, both guarded; ``AssignmentLost`` if either was taken meanwhile."""
    task = db.session.get(DeliveryTask, task_id)
    courier = db.session.get(User, courier_id)
    if task is None or task.order is None or courier is None:
        raise AssignmentLost(task_id)
    try:
        lifecycle.move(task.order, OrderStatus.ASSIGNED, actor_id=None, now=now, note=f"courier {courier.name}",
                       changes={"courier_id": courier.id}, guard=(Order.courier_id.is_(None),))
        move_task(task.order_id, TaskStatus.ASSIGNED.value, guard=(DeliveryTask.courier_id.is_(None),),
                  changes={"courier_id": courier.id, "assigned_at": now, "assigned_by": "planner"})
    except (order_errors.StatusConflict, errors.TaskConflict):
        raise AssignmentLost(task_id) from None
