"""The staff dispatch board (/console/dispatch) as data, and staff handing a task to a courier by hand.

The board: couriers on shift (last position and its age, load against capacity, next stop, shift
end), the open work by state with promised and predicted hand-over times, the tasks at risk of
breaking the promise (worst first) and the map. Lateness comes from the dispatcher's latest
prediction (``DeliveryTask.predicted_at``, written every cycle); a task it has not predicted yet
gets a pessimistic estimate (``rules.fallback_minutes``). A task handed over by hand is guarded like
every assignment, and the dispatcher's next cycle keeps it: assigned tasks are committed routes.
"""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ..deliveries import rules
from ..deliveries.models import CourierShift, DeliveryTask, TaskStatus
from ..deliveries.params import planner_params, quote_params
from ..extensions import db
from ..geo import maps, operations as geo_ops
from ..geo.rules import haversine_m
from ..orders.models import Order
from ..orders.rules import minutes_since
from ..web.i18n import localized

ACTIVE = (TaskStatus.OPEN.value, TaskStatus.ASSIGNED.value, TaskStatus.PICKED_UP.value)
# The board's columns, left to right: an open task is "waiting" until its order is packed.
SECTIONS = (
    ("waiting", _l("Being packed")),
    ("ready", _l("Ready for a courier")),
    ("assigned", _l("Courier on the way to the store")),
    ("picked_up", _l("On the way to the door")),
)
# Columns whose tasks staff may hand to another courier.
MOVABLE = frozenset({"ready", "assigned"})


@dataclass(frozen=True)
class TaskRow:
    """One delivery task on the board."""

    task: DeliveryTask
    order: Order | None
    section: str
    address: str
    courier_name: str
    predicted_at: datetime | None  # the dispatcher's latest prediction; None before it predicted this task
    lateness_min: int              # expected hand-over minus the promise: positive = late
    at_risk: bool
    # Late enough that the resident is told "may be late" (``rules.LATE_NOTICE_MIN``): the same rule
    # as the notice itself, so the board never says "told" when nobody was, nor the reverse.
    resident_told: bool = False

    @property
    def movable(self):
        return self.section in MOVABLE and self.order is not None

    @property
    def late(self):
        return self.lateness_min > 0


@dataclass(frozen=True)
class NextStop:
    """Where a courier goes next: collect a task at its pickup point, or hand one over at the door."""

    kind: str  # "pickup" or "dropoff"
    order_id: int | None
    address: str
    lat: float
    lon: float


@dataclass(frozen=True)
class CourierRow:
    """A courier on shift, numbered as on the map."""

    id: int
    number: int
    name: str
    lat: float | None
    lon: float | None
    position_age_min: int | None  # None: no position sent yet
    # No position, or one older than the planner trusts: the dispatcher plans from the store.
    position_stale: bool
    load: int                     # summed sizes of the tasks assigned to or carried by them
    task_count: int
    capacity: int
    shift_end_at: datetime
    next_stop: NextStop | None

    @property
    def has_room(self):
        return rules.has_room(self.load, 1, self.capacity)


@dataclass(frozen=True)
class Section:
    key: str
    label: object
    rows: list


@dataclass(frozen=True)
class DispatchBoard:
    couriers: list
    sections: list
    at_risk: list  # worst first
    map: maps.BoardView


def _section(task):
    if task.status == TaskStatus.OPEN.value:
        return "ready" if task.packed_at is not None else "waiting"
    return task.status


def task_row(task, order, now, params):
    """The board's view of one task (and the order it delivers) at ``now`` (``params``: the store's
    ``rules.QuoteParams``)."""
    section = _section(task)
    # Unrounded: the promise was quoted from the same packing estimate, to the second.
    to_ready = (task.ready_at - now).total_seconds() / 60 if section == "waiting" else 0
    fallback = rules.fallback_minutes(task.status == TaskStatus.PICKED_UP.value, to_ready,
                                      haversine_m((task.pickup_lat, task.pickup_lon),
                                                  (task.dropoff_lat, task.dropoff_lon)), params)
    lateness = rules.predicted_lateness_min(task.promised_at, task.predicted_at, now, fallback)
    return TaskRow(task=task, order=order, section=section,
                   address=order.address_label if order is not None else "",
                   courier_name=localized(task.courier) if task.courier is not None else "",
                   predicted_at=task.predicted_at, lateness_min=lateness,
                   at_risk=rules.is_at_risk(lateness, task.predicted_at is not None),
                   resident_told=rules.is_late_notice_due(lateness, task.predicted_at is not None))


def _next_stop(rows, store):
    """Pickups first (as the dispatcher's snapshot lays out a committed route), soonest promise first;
    then the drop-off of the soonest promise."""
    for status, kind in ((TaskStatus.ASSIGNED.value, "pickup"), (TaskStatus.PICKED_UP.value, "dropoff")):
        mine = [r for r in rows if r.task.status == status]
        if mine:
            row = min(mine, key=lambda r: (r.task.promised_at, r.task.id))
            task = row.task
            if kind == "pickup":
                return NextStop(kind, task.order_id, localized(store), task.pickup_lat, task.pickup_lon)
            return NextStop(kind, task.order_id, row.address, task.dropoff_lat, task.dropoff_lon)
    return None


def _courier_row(number, shift, rows, store, now, stale_after_min):
    mine = [r for r in rows if r.task.courier_id == shift.courier_id and r.section in ("assigned", "picked_up")]
    return CourierRow(
        id=shift.courier_id, number=number, name=localized(shift.courier), lat=shift.lat, lon=shift.lon,
        position_age_min=minutes_since(shift.position_at, now) if shift.position_at and shift.lat is not None
        else None,
        position_stale=(shift.position_at is None or shift.lat is None
                        or (now - shift.position_at).total_seconds() > stale_after_min * 60),
        load=sum(r.task.size for r in mine), task_count=len(mine), capacity=shift.capacity,
        shift_end_at=shift.planned_end_at, next_stop=_next_stop(mine, store))


def _map(store, couriers, rows):
    return maps.board_view(
        (store.lat, store.lon, localized(store)),
        [(c.id, str(c.number), c.name, c.lat, c.lon, (c.next_stop.lat, c.next_stop.lon) if c.next_stop else None)
         for c in couriers if c.lat is not None and c.lon is not None],
        [(r.task.id, f"#{r.task.order_id} {r.address}".strip(), r.task.dropoff_lat, r.task.dropoff_lon, r.at_risk)
         for r in rows], context=geo_ops.load_map_context(store))


def load_board(store, now):
    """The store's dispatch board at ``now``: couriers by name, tasks by promise (ties by id)."""
    shifts = db.session.scalars(db.select(CourierShift).where(
        CourierShift.store_id == store.id, CourierShift.ended_at.is_(None), CourierShift.planned_end_at > now)
        .options(selectinload(CourierShift.courier))).all()
    tasks = db.session.execute(
        db.select(DeliveryTask, Order).outerjoin(Order, DeliveryTask.order_id == Order.id)
        .where(DeliveryTask.store_id == store.id, DeliveryTask.status.in_(ACTIVE))
        .options(selectinload(DeliveryTask.courier))
        .order_by(DeliveryTask.promised_at, DeliveryTask.id)).all()
    params = quote_params(store)
    rows = [task_row(task, order, now, params) for task, order in tasks]
    shifts = sorted(shifts, key=lambda s: (localized(s.courier), s.courier_id))
    stale_after_min = planner_params(store).stale_position_min
    couriers = [_courier_row(n, s, rows, store, now, stale_after_min) for n, s in enumerate(shifts, start=1)]
    sections = [Section(key, label, [r for r in rows if r.section == key]) for key, label in SECTIONS]
    at_risk = sorted((r for r in rows if r.at_risk), key=lambda r: (-r.lateness_min, r.task.promised_at, r.task.id))
    return DispatchBoard(couriers, sections, at_risk, _map(store, couriers, rows))
