"""The rolling-horizon planner: one cycle turns a snapshot of tasks and couriers into a plan.

1. Couriers who are free (at the end of their committed route) within ``courier_horizon_min`` take part,
   each from where and when that route ends.
2. A cost matrix couriers x bundles, vectorised: broken promises and minutes beyond them first, then
   click-to-door, then a small price for waiting on a busy courier and for the empty ride, and for an
   idle courier whose whereabouts are unknown (no position, or one older than ``stale_position_min``:
   placed at the store, but ranked after a courier known to be there), then a tiny fairness term. A
   pickup after the courier's shift end, or a bundle over its capacity, is prohibitive.
3. A minimum-cost assignment (``scipy.optimize.linear_sum_assignment``) that matches as many bundles as
   it can and, when couriers are short, leaves out those that lose least by waiting.
4. Open tasks are first matched alone; where that shows couriers are short, tasks of one pickup point
   are merged into bundles (``dispatch.bundling``) and matched again.
5. Only matches that cannot wait are committed: the courier is free by the next cycle and would have to
   leave before then to be at the pickup when the goods are ready. The rest are deferred, so a better
   courier or a bigger bundle can still turn up.

Assigned tasks (``courier_id`` set) are never moved. Deterministic: inputs are sorted by id first.
"""
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import linear_sum_assignment

from .bundling import Bundle, merge_where_short, singles
from .geo import distance_matrix_m, travel_min_array, xy
from .model import Assignment, Courier, CourierRoute, Params, Plan, Task
from .routes import bundle_stops, route_end, timed_stops

PROHIBITIVE = 1e12       # cost of an impossible pair
MATCH_BONUS = 1e6        # per task: matching more tasks always beats a cheaper partial matching


@dataclass(frozen=True, slots=True)
class Pool:
    """Couriers taking part in the matching, as arrays in id order (minutes, metres)."""

    couriers: tuple[Courier, ...]
    free_at_min: np.ndarray
    free_xy: np.ndarray
    shift_end_at_min: np.ndarray
    capacity: np.ndarray
    workload: np.ndarray
    unsure: np.ndarray


@dataclass(frozen=True, slots=True)
class Costs:
    """Couriers x bundles: total cost, predicted pickup moment and the empty ride to the pickup."""

    cost: np.ndarray
    pickup_at_min: np.ndarray
    travel_min: np.ndarray


def plan(tasks: Sequence[Task], couriers: Sequence[Courier], now: float, params: Params) -> Plan:
    """One dispatch cycle at ``now`` (minutes): commit the assignments that cannot wait, defer the rest.

    Invariants: no task is in two assignments; an assigned task is never moved; a bundle never exceeds
    its courier's capacity; no pickup is planned after a courier's shift end.
    """
    tasks = sorted(tasks, key=lambda t: t.id)
    couriers = [locate(c, now, params) for c in sorted(couriers, key=lambda c: c.id)]
    _check_snapshot(tasks)
    pool = make_pool(couriers, now, params)
    bundles, costs, matches = bundle_and_match([t for t in tasks if t.courier_id is None], pool, now, params)
    committed, deferred = [], []
    for row, col in matches:
        assignment = _assignment(pool, bundles[col], row, col, costs, now)
        urgent = _must_commit(pool, bundles[col], row, col, costs, now, params)
        (committed if urgent else deferred).append(assignment)
    matched = {col for _, col in matches}
    unplanned = tuple(sorted(t.id for j, b in enumerate(bundles) if j not in matched for t in b.tasks))
    return Plan(assignments=tuple(committed), deferred=tuple(deferred),
                routes=_routes(couriers, committed, {t.id: t for t in tasks}, now, params),
                late_task_ids=_late(bundles, matched, committed + deferred, now, params),
                unplanned_task_ids=unplanned)


def bundle_and_match(open_tasks: Sequence[Task], pool: "Pool", now: float, params: Params):
    """Match single tasks first; where that leaves tasks due soon without a courier, merge tasks of one
    pickup group into bundles (``merge_where_short``) and match again. Returns (bundles, costs, pairs)."""
    bundles = singles(open_tasks, params)
    costs = cost_matrix(bundles, pool, now, params)
    matches = match(costs.cost)
    if len(bundles) < 2:
        return bundles, costs, matches
    predicted: list[float | None] = [None] * len(bundles)
    for row, col in matches:
        predicted[col] = float(costs.pickup_at_min[row, col])
    short = any(b.ready_at_min <= now + params.due_horizon_min
                and (p is None or p > max(b.ready_at_min, now) + params.short_delay_min)
                for b, p in zip(bundles, predicted))
    value = params.courier_value_min * params.weight_click_to_door if short else 0.0
    size_cap = int(pool.capacity.max()) if len(pool.couriers) else params.max_bundle_size
    merged = merge_where_short(bundles, predicted, now, size_cap, value, params)
    if len(merged) == len(bundles):
        return bundles, costs, matches
    costs = cost_matrix(merged, pool, now, params)
    return merged, costs, match(costs.cost)


def _check_snapshot(tasks: Sequence[Task]) -> None:
    """Reject a snapshot that contradicts itself: duplicate ids, picked up but unassigned."""
    ids = [t.id for t in tasks]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate task ids in the snapshot")
    stray = [t.id for t in tasks if t.picked_up and t.courier_id is None]
    if stray:
        raise ValueError(f"picked-up tasks without a courier: {', '.join(stray)}")


def position_is_known(courier: Courier, now: float, params: Params) -> bool:
    """True when the courier reported a position at most ``stale_position_min`` minutes before ``now``
    (or positions are not tracked at all: ``seen_at_min`` None with a position)."""
    if courier.position is None:
        return False
    return courier.seen_at_min is None or now - courier.seen_at_min <= params.stale_position_min


def locate(courier: Courier, now: float, params: Params) -> Courier:
    """The courier where the planner assumes it is: a courier of unknown or stale position is placed at
    ``params.home`` (the store) and marked unsure (``seen_at_min`` -inf); a known one is unchanged."""
    if position_is_known(courier, now, params):
        return courier
    return replace(courier, position=params.home, seen_at_min=float("-inf"))


def make_pool(couriers: Sequence[Courier], now: float, params: Params) -> Pool:
    """The couriers free within the horizon and before their shift end, with where and when; an idle
    courier of unknown or stale position is at ``params.home`` and marked ``unsure``."""
    couriers = [locate(c, now, params) for c in couriers]
    chosen, free_at, points = [], [], []
    for courier in couriers:
        at, point = route_end(courier, now, params)
        if at <= now + params.courier_horizon_min and at < courier.shift_end_at_min:
            chosen.append(courier)
            free_at.append(at)
            points.append(point)
    return Pool(tuple(chosen), np.array(free_at, dtype=float), xy(points),
                np.array([c.shift_end_at_min for c in chosen], dtype=float),
                np.array([c.capacity for c in chosen], dtype=int),
                np.array([c.workload for c in chosen], dtype=float),
                np.array([not c.route and not position_is_known(c, now, params) for c in chosen], dtype=float))


def cost_matrix(bundles: Sequence[Bundle], pool: Pool, now: float, params: Params) -> Costs:
    """Couriers x bundles costs for the matching, vectorised; impossible pairs cost ``PROHIBITIVE``.

    A pair's cost is its promise, click-to-door, busy-courier, empty-ride and fairness terms, measured
    against the bundle's best courier, minus what leaving the bundle unmatched would cost
    (``_postpone_cost``) and a bonus per task, so that the matching serves as many tasks as it can and,
    when couriers are short, leaves out the bundles that lose least by waiting.
    """
    n_c, n_b = len(pool.couriers), len(bundles)
    if n_c == 0 or n_b == 0:
        empty = np.zeros((n_c, n_b))
        return Costs(empty, empty, empty)
    arrays = BundleArrays.of(bundles, params)
    travel = travel_min_array(distance_matrix_m(pool.free_xy, xy(b.pickup for b in bundles)), params)
    depart = np.maximum(pool.free_at_min, now)[:, None]
    pickup = np.maximum(arrays.ready[None, :], depart + travel + params.pickup_service_min / 2)
    impossible = (pickup > pool.shift_end_at_min[:, None]) | (arrays.sizes[None, :] > pool.capacity[:, None])
    cost = service_cost(pickup, arrays, params) + params.weight_travel * travel \
        + params.weight_busy * (depart - now) + params.weight_fairness * pool.workload[:, None] \
        + params.weight_unsure_position * pool.unsure[:, None]
    cost = np.where(impossible, np.inf, cost)
    best = cost.min(axis=0)
    relative = cost - np.where(np.isfinite(best), best, 0.0)[None, :]
    relative -= _postpone_cost(pickup, impossible, depart, travel, arrays, pool, params)[None, :]
    relative -= MATCH_BONUS * arrays.counts[None, :]
    return Costs(np.where(impossible, PROHIBITIVE, relative), pickup, travel)


@dataclass(frozen=True, slots=True)
class BundleArrays:
    """Per bundle: ready (minutes), size, task count; per bundle x task slot (padded to the largest
    bundle): drop-off offset from the pickup, promise, placement, and the moment click-to-door passes
    ``max_min``. Padding slots never count: promise and give-up +inf, offset and placement 0."""

    ready: np.ndarray
    sizes: np.ndarray
    counts: np.ndarray
    offsets: np.ndarray
    promised: np.ndarray
    placed: np.ndarray
    give_up: np.ndarray

    @classmethod
    def of(cls, bundles: Sequence[Bundle], params: Params) -> "BundleArrays":
        """The arrays of ``bundles``, in order."""
        shape = (len(bundles), max(len(b.tasks) for b in bundles))
        offsets, placed = np.zeros(shape), np.zeros(shape)
        promised, give_up = np.full(shape, np.inf), np.full(shape, np.inf)
        for j, bundle in enumerate(bundles):
            n = len(bundle.tasks)
            offsets[j, :n] = bundle.drop_offsets_min
            promised[j, :n] = [t.promised_at_min for t in bundle.tasks]
            placed[j, :n] = [t.placed_at_min for t in bundle.tasks]
            give_up[j, :n] = placed[j, :n] + params.max_min
        return cls(np.array([b.ready_at_min for b in bundles], dtype=float),
                   np.array([b.size for b in bundles], dtype=int),
                   np.array([len(b.tasks) for b in bundles], dtype=float), offsets, promised, placed, give_up)


def service_cost(pickup: np.ndarray, arrays: BundleArrays, params: Params) -> np.ndarray:
    """Per (courier, bundle) with pickup at ``pickup``: broken promises, click-to-door beyond ``max_min``
    and minutes beyond the promise, weighted, plus click-to-door minutes, summed over the tasks."""
    late, broken, failed = np.zeros(pickup.shape), np.zeros(pickup.shape), np.zeros(pickup.shape)
    for k in range(arrays.offsets.shape[1]):
        beyond = pickup + (arrays.offsets[:, k] - arrays.promised[:, k])[None, :]
        late += np.maximum(0.0, beyond)
        broken += beyond > 0
        failed += pickup + (arrays.offsets[:, k] - arrays.give_up[:, k])[None, :] > 0
    fixed = arrays.offsets.sum(axis=1) - arrays.placed.sum(axis=1)
    click_to_door = arrays.counts[None, :] * pickup + fixed[None, :]
    return (params.weight_broken_promise * broken + params.weight_over_max * failed
            + params.weight_late * late + params.weight_click_to_door * click_to_door)


def _postpone_cost(pickup, impossible, depart, travel, arrays: BundleArrays, pool: Pool,
                   params: Params) -> np.ndarray:
    """Per bundle: the extra cost if its best pickup slipped by waiting ``postpone_min`` for a courier
    (all the couriers leaving that much later); a bundle nobody could take then is priced as very late."""
    later = np.maximum(arrays.ready[None, :],
                       depart + params.postpone_min + travel + params.pickup_service_min / 2)
    later_ok = ~impossible & (later <= pool.shift_end_at_min[:, None])
    best_now = np.where(impossible, np.inf, pickup).min(axis=0)
    best_later = np.where(later_ok, later, np.inf).min(axis=0)
    best_later = np.where(np.isfinite(best_later), best_later, best_now + params.max_min)
    best_now = np.where(np.isfinite(best_now), best_now, 0.0)
    best_later = np.where(np.isfinite(best_later), best_later, 0.0)
    later_cost = service_cost(best_later[None, :], arrays, params)
    slip = later_cost - service_cost(best_now[None, :], arrays, params)
    return slip[0]


def match(cost: np.ndarray) -> list[tuple[int, int]]:
    """Minimum-cost (courier row, bundle column) pairs, impossible pairs dropped, by column."""
    if cost.size == 0:
        return []
    rows, cols = linear_sum_assignment(cost)
    pairs = [(int(r), int(c)) for r, c in zip(rows, cols) if cost[r, c] < PROHIBITIVE]
    return sorted(pairs, key=lambda pair: pair[1])


def _must_commit(pool: Pool, bundle: Bundle, row: int, col: int, costs: Costs, now: float,
                 params: Params) -> bool:
    """Commit when waiting a cycle could delay the pickup: the courier is free by the next cycle and
    must leave before it to be at the pickup when the goods are ready (or its shift would end first)."""
    if pool.free_at_min[row] > now + params.cycle_min:
        return False
    next_cycle = now + params.cycle_min + params.commit_margin_min
    travel = costs.travel_min[row, col]
    latest_departure = bundle.ready_at_min - params.pickup_service_min / 2 - travel
    shift_squeeze = next_cycle + travel + params.pickup_service_min / 2 > pool.shift_end_at_min[row]
    return bool(next_cycle > latest_departure or shift_squeeze)


def _assignment(pool: Pool, bundle: Bundle, row: int, col: int, costs: Costs, now: float) -> Assignment:
    """The assignment of ``bundle`` to the pool's courier ``row`` with its predicted times."""
    pickup_at = float(costs.pickup_at_min[row, col])
    return Assignment(pool.couriers[row].id, bundle.task_ids, bundle.group,
                      float(max(pool.free_at_min[row], now)), pickup_at,
                      tuple(pickup_at + offset for offset in bundle.drop_offsets_min))


def _routes(couriers: Sequence[Courier], committed: Sequence[Assignment], tasks_by_id: dict[str, Task],
            now: float, params: Params) -> tuple[CourierRoute, ...]:
    """Every courier's committed route followed by this cycle's new assignment, with estimated times."""
    new_work = {a.courier_id: a for a in committed}
    routes = []
    for courier in couriers:
        stops = list(courier.route)
        if courier.id in new_work:
            stops += bundle_stops([tasks_by_id[i] for i in new_work[courier.id].task_ids])
        start_at = max(now, courier.available_at_min)
        routes.append(CourierRoute(courier.id, timed_stops(courier.position, start_at, stops, params)))
    return tuple(routes)


def _late(bundles: Sequence[Bundle], matched: set[int], assignments: Sequence[Assignment], now: float,
          params: Params) -> tuple[str, ...]:
    """Tasks predicted to break their promise: matched ones by their predicted drop-off, unmatched ones
    even if a courier were waiting at the pickup from the next cycle on."""
    promised = {t.id: t.promised_at_min for b in bundles for t in b.tasks}
    late = {task_id for a in assignments for task_id, drop in zip(a.task_ids, a.dropoff_at_min)
            if drop > promised[task_id]}
    for j, bundle in enumerate(bundles):
        if j in matched:
            continue
        pickup_at = max(bundle.ready_at_min, now + params.cycle_min)
        late.update(t.id for t, offset in zip(bundle.tasks, bundle.drop_offsets_min)
                    if pickup_at + offset > t.promised_at_min)
    return tuple(sorted(late))
