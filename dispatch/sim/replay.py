"""Replaying the store's own past orders with a chosen number of couriers per hour, scored per hour.

The past orders of one weekday window (placement minute, drop-off in metres around the store, item
count) are replayed on the simulator's clock (``engine.simulate``, a planner cycle every simulated
minute) through the production planner (``planner.plan``), with a chosen number of couriers in each
hour of the window. Picking takes as long as the store's delivery quote says; travel and handover use
the store's speed, detour factor and handover minutes, as the production dispatcher does.
Orders placed just before the window are not replayed, so the first hour starts with idle couriers.
``dispatch.sim.staffing`` searches the counts that keep the promise.

Pure and deterministic: no clock, no randomness; the same orders and counts give the same answer.
"""
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..model import Params, Plan, Point, Task
from ..planner import plan
from .engine import SimResult, simulate
from .mdrp import CourierShift, Instance, InstanceParams, Order

STORE_ID = "store"
STORE_POINT = Point(0.0, 0.0)
EPSILON_MIN = 1e-6  # a drop-off exactly on the promise keeps it


@dataclass(frozen=True, slots=True)
class PastOrder:
    """One past order: the local day it belongs to (an ISO date), when it was placed (minutes since
    local midnight), where it went (metres around the store) and how many items were picked."""

    day: str
    placed_at_min: float
    dropoff: Point
    item_count: int


@dataclass(frozen=True, slots=True)
class StoreProfile:
    """The store's delivery settings as plain values (minutes, metres per minute)."""

    promise_min: float = 30.0
    speed_m_per_min: float = 250.0
    detour_factor: float = 1.35
    pick_base_min: float = 3.0
    pick_per_item_s: float = 15.0
    handover_min: float = 3.0
    pickup_service_min: float = 1.0   # as the production dispatcher (store_app.deliveries.params.planner_params)
    tail_min: float = 30.0            # the last hour's couriers stay on to take its last orders

    def params(self) -> Params:
        """The planner's parameters, as production builds them for the store (one cycle a minute)."""
        return Params(speed_m_per_min=float(self.speed_m_per_min), detour_factor=float(self.detour_factor),
                      round_travel_up=False, pickup_service_min=float(self.pickup_service_min),
                      dropoff_service_min=float(self.handover_min), target_min=float(self.promise_min),
                      max_min=2.0 * self.promise_min, cycle_min=1.0)

    def picking_min(self, item_count: int) -> float:
        """Minutes to pick and pack ``item_count`` items, as the delivery quote reckons them."""
        return self.pick_base_min + math.ceil(max(0, item_count) * self.pick_per_item_s / 60)


@dataclass(frozen=True, slots=True)
class HourResult:
    """One hour of a replay (or the whole window: ``hour`` None, ``couriers`` the peak): the couriers on,
    the orders placed in it, how many reached the door within the promise, click-to-door mean and p90
    over the delivered ones (minutes, None when none was delivered) and the couriers' busy share of
    their shift minutes (0..1, None without couriers)."""

    hour: int | None
    couriers: int
    orders: int
    within_promise: int
    mean_min: float | None
    p90_min: float | None
    utilisation: float | None

    @property
    def share_within(self) -> float | None:
        """Orders delivered within the promise, as a share of the orders (None without orders)."""
        return self.within_promise / self.orders if self.orders else None

    def meets(self, target_share: float) -> bool:
        """True when the hour keeps ``target_share`` of its orders within the promise (or had none)."""
        return self.orders == 0 or self.within_promise >= target_share * self.orders - 1e-9


@dataclass(frozen=True)
class Replay:
    """A replayed day: per hour of the window, and the whole window. ``stopped_at_min`` (minutes since
    midnight) is set when the planner was stopped there, too many orders waiting: every order not yet
    given to a courier by then counts as undelivered, so later figures are worse than the truth."""

    couriers: tuple[int, ...]
    hours: tuple[HourResult, ...]
    overall: HourResult
    stopped_at_min: float | None = None


def in_order(orders: Iterable[PastOrder]) -> tuple[PastOrder, ...]:
    """The orders by placement; ties by the rest of their values, so any input order gives one answer."""
    return tuple(sorted(orders, key=lambda o: (o.placed_at_min, o.day, o.dropoff.x_m, o.dropoff.y_m, o.item_count)))


def busiest_day(orders: Sequence[PastOrder]) -> tuple[str | None, tuple[PastOrder, ...]]:
    """The day with the most orders (the latest on a tie) and its orders in placement order;
    ``(None, ())`` without orders."""
    if not orders:
        return None, ()
    counts = Counter(order.day for order in orders)
    day = max(counts, key=lambda d: (counts[d], d))
    return day, in_order(o for o in orders if o.day == day)


def orders_per_day(orders: Sequence[PastOrder]) -> dict[str, int]:
    """How many orders each day had, by day."""
    return dict(sorted(Counter(order.day for order in orders).items()))


def courier_shifts(couriers_per_hour: Sequence[int], from_hour: int, tail_min: float) -> tuple[CourierShift, ...]:
    """Shifts that put ``couriers_per_hour[i]`` couriers on in hour ``from_hour + i``: courier k works
    every run of hours with at least k couriers; a run that reaches the window's end lasts ``tail_min``
    longer. All start at the store."""
    shifts, hours = [], len(couriers_per_hour)
    for k in range(1, max(couriers_per_hour, default=0) + 1):
        start = None
        for i in range(hours + 1):
            on = i < hours and couriers_per_hour[i] >= k
            if on and start is None:
                start = i
            elif not on and start is not None:
                off = (from_hour + i) * 60 + (tail_min if i == hours else 0)
                shifts.append(CourierShift(f"c{k:02d}-{from_hour + start:02d}", STORE_POINT,
                                           float((from_hour + start) * 60), float(off)))
                start = None
    return tuple(shifts)


def day_instance(orders: Sequence[PastOrder], profile: StoreProfile, from_hour: int,
                 couriers_per_hour: Sequence[int]) -> Instance:
    """The day as a simulator instance: one pickup point (the store), ready when picked."""
    day = in_order(orders)
    mdrp_orders = tuple(Order(f"o{i:05d}", o.dropoff, float(o.placed_at_min), STORE_ID,
                              float(o.placed_at_min + profile.picking_min(o.item_count)))
                        for i, o in enumerate(day))
    params = InstanceParams(profile.speed_m_per_min / profile.detour_factor, profile.pickup_service_min,
                            profile.handover_min, profile.promise_min, 2 * profile.promise_min, 0, 0)
    return Instance("staffing", {STORE_ID: STORE_POINT}, mdrp_orders,
                    courier_shifts(couriers_per_hour, from_hour, profile.tail_min), params)


class Watched:
    """The planner as the engine's policy, until ``stop(open_tasks, now)`` says the day is decided;
    from then on nothing more is assigned, which costs the engine next to nothing."""

    def __init__(self, stop):
        self.stop = stop
        self.stopped_at_min = None

    def __call__(self, tasks: Sequence[Task], couriers, now: float, params: Params) -> Plan:
        if self.stopped_at_min is None and self.stop(tasks, now):
            self.stopped_at_min = now
        if self.stopped_at_min is not None:
            return Plan()
        return plan(tasks, couriers, now, params)


def replay_day(orders: Sequence[PastOrder], profile: StoreProfile, from_hour: int,
               couriers_per_hour: Sequence[int], max_waiting: int | None = None, stop=None) -> Replay:
    """Replay one day's orders (placed in hours ``from_hour`` .. ``from_hour + len(couriers_per_hour)``)
    through the planner with ``couriers_per_hour[i]`` couriers in hour ``from_hour + i``.

    With ``max_waiting``, the planner stops once more orders than that wait for a courier at once: far
    too few couriers make every cycle slower, and the answer is plain long before the day ends. A
    ``stop(open_tasks, now)`` rule (as in ``Watched``) can end it earlier still.
    """
    def stop_here(tasks: Sequence[Task], now: float) -> bool:
        return (max_waiting is not None and len(tasks) > max_waiting) or (stop is not None and stop(tasks, now))

    couriers = tuple(int(n) for n in couriers_per_hour)
    if any(n < 0 for n in couriers):
        raise ValueError("courier counts are never negative")
    instance = day_instance(orders, profile, from_hour, couriers)
    result, policy = None, Watched(stop_here)
    if instance.orders and instance.couriers:
        result = simulate(instance, policy, profile.params(), interval_s=60.0)
    return _score(instance, result, profile, from_hour, couriers, policy.stopped_at_min)


def _score(instance: Instance, result: SimResult | None, profile: StoreProfile, from_hour: int,
           couriers: tuple[int, ...], stopped_at_min: float | None) -> Replay:
    """Per hour and overall figures of a simulated day."""
    delivered = {d.order_id: d.dropoff_at_min - d.placed_at_min for d in result.deliveries} if result else {}
    busy = _busy_minutes(instance, result, profile, from_hour, len(couriers))
    hours, everything = [], []
    for i, count in enumerate(couriers):
        start = (from_hour + i) * 60
        placed = [o for o in instance.orders if start <= o.placed_at_min < start + 60]
        everything += placed
        hours.append(_figures(from_hour + i, count, placed, delivered, profile,
                              busy[i] / (60.0 * count) if count else None))
    total_minutes = 60.0 * sum(couriers)
    overall = _figures(None, max(couriers, default=0), everything, delivered, profile,
                       sum(busy) / total_minutes if total_minutes else None)
    return Replay(couriers, tuple(hours), overall, stopped_at_min)


def _figures(hour, couriers, placed, delivered, profile, utilisation) -> HourResult:
    """The figures of the orders ``placed`` given their click-to-door minutes ``delivered``."""
    minutes = np.array([delivered[o.id] for o in placed if o.id in delivered], dtype=float)
    within = int((minutes <= profile.promise_min + EPSILON_MIN).sum())
    mean = round(float(minutes.mean()), 1) if minutes.size else None
    p90 = round(float(np.percentile(minutes, 90)), 1) if minutes.size else None
    share = None if utilisation is None else round(min(1.0, utilisation), 3)
    return HourResult(hour, couriers, len(placed), within, mean, p90, share)


def _busy_minutes(instance: Instance, result: SimResult | None, profile: StoreProfile, from_hour: int,
                  hours: int) -> list[float]:
    """Per hour of the window: the minutes couriers spent riding to the store, waiting for the goods,
    and delivering, within their own shifts."""
    busy = [0.0] * hours
    if result is None:
        return busy
    shifts = {c.id: c for c in instance.couriers}
    dropped = {d.order_id: d.dropoff_at_min for d in result.deliveries}
    move = 0
    for bundle in result.bundles:
        # The engine records one move to the store and one per drop-off for each bundle, in order.
        start = result.moves[move].depart_at_min
        move += 1 + len(bundle.order_ids)
        end = max(dropped[order_id] for order_id in bundle.order_ids) + profile.handover_min / 2
        shift = shifts[bundle.courier_id]
        start, end = max(start, shift.on_at_min), min(end, shift.off_at_min)
        for i in range(hours):
            hour_start = (from_hour + i) * 60
            busy[i] += max(0.0, min(end, hour_start + 60) - max(start, hour_start))
    return busy
