"""Quotes, delivery tasks, shifts and positions: the couriers' side of the house, which knows
nothing of what a task carries (an order, later a partner's pickup or a parcel). They add and
flush; the caller's ``transaction()`` commits. Moving a task together with its order is
``store_app.fulfilment``'s work."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..extensions import db
from ..geo import operations as geo_ops
from ..geo.rules import haversine_m
from ..roles import Role
from ..stores import rules as store_rules
from ..web.i18n import localized
from . import errors, rules
from .models import CourierShift, DeliveryTask, TaskCall, TaskStatus
from .params import quote_params

MAX_SHIFT_HOURS = 12

# Tasks a courier is carrying (or on the way to collect).
CARRYING = (TaskStatus.ASSIGNED.value, TaskStatus.PICKED_UP.value)
# Tasks not finished: waiting for a courier, or with one.
ACTIVE = (TaskStatus.OPEN.value, TaskStatus.ASSIGNED.value, TaskStatus.PICKED_UP.value)


def _open_deliveries(store_id):
    """The couriers' queue: deliveries wanted now (not for a later slot) and not finished."""
    return db.select(db.func.count(DeliveryTask.id)).where(
        DeliveryTask.store_id == store_id, DeliveryTask.status.in_(ACTIVE), DeliveryTask.scheduled_for.is_(None))


def _couriers_on_shift(store_id, now):
    return db.select(db.func.count(CourierShift.id)).where(
        CourierShift.store_id == store_id, CourierShift.ended_at.is_(None), CourierShift.planned_end_at > now)


def count_open_deliveries(store_id):
    """Deliveries of the store wanted now and not yet finished (the couriers' queue)."""
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


# ---- delivery tasks ------------------------------------------------------------------------------

def request_task(store, *, kind, order_id, dropoff, item_count, promised_at, now, scheduled_for=None):
    """Ask for a courier: a delivery task from the store to ``dropoff`` (lat, lon) for ``item_count``
    items, to hand over by ``promised_at``. ``scheduled_for`` is the later slot it was booked for
    (it stays out of the couriers' queue); it is ready for collection once picked, counted from the
    slot or from ``now``. Returns the task's id."""
    start = scheduled_for or now
    ready_at = start + timedelta(minutes=rules.picking_minutes(item_count, quote_params(store)))
    return db.session.execute(db.insert(DeliveryTask).values(
        store_id=store.id, kind=kind, order_id=order_id, status=TaskStatus.OPEN.value,
        pickup_lat=store.lat, pickup_lon=store.lon, dropoff_lat=dropoff[0], dropoff_lon=dropoff[1],
        size=rules.task_size(item_count), ready_at=ready_at, promised_at=promised_at,
        scheduled_for=scheduled_for, created_at=now).returning(DeliveryTask.id)).scalar_one()


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
    choices = [CourierChoice(c.id, localized(c), c.id in on_shift, loads.get(c.id, 0)) for c in couriers]
    return sorted(choices, key=lambda c: (not c.on_shift, c.open_tasks, c.name, c.id))


# ---- the dispatcher's reads ---------------------------------------------------------------------

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


def list_active_tasks(store_id, statuses=ACTIVE):
    """The store's delivery tasks in ``statuses``, by id."""
    return db.session.scalars(db.select(DeliveryTask).where(
        DeliveryTask.store_id == store_id, DeliveryTask.status.in_(statuses)).order_by(DeliveryTask.id)).all()


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


def log_call(task, courier_id, now):
    """Record that the courier called the person at ``task``'s door (the number stays off their page)."""
    call = TaskCall(task_id=task.id, courier_id=courier_id, called_at=now)
    db.session.add(call)
    db.session.flush()
    return call
