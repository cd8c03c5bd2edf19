"""Bundles: open tasks of one pickup point that one courier collects together and drops in sequence.

Bundling saves courier time but makes every task but the first arrive later than it would alone. So
tasks start alone, and are merged only where a first matching shows couriers are short, only when
their ready times are close, and only when every task in the bundle keeps its promise (or would have
broken it anyway) and arrives at most ``bundle_extra_min`` later than it would have.
"""
import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .geo import rowwise_distance_m, travel_min_array, xy
from .model import Params, Point, Task
from .routes import bundle_offsets

MIN_GAIN = 1e-9  # a merge must gain more than this: float noise is no reason to bundle


@dataclass(frozen=True, slots=True)
class Bundle:
    """Tasks in drop-off order with their timing relative to the pickup moment (minutes)."""

    group: str
    tasks: tuple[Task, ...]
    pickup: Point
    ready_at_min: float
    size: int
    drop_offsets_min: tuple[float, ...]
    end_offset_min: float

    @property
    def task_ids(self) -> tuple[str, ...]:
        """The task ids in drop-off order."""
        return tuple(task.id for task in self.tasks)


def make_bundle(tasks: Sequence[Task], params: Params) -> Bundle:
    """A bundle of ``tasks`` (one pickup group) dropped in the given order."""
    drops, end = bundle_offsets(tasks, params)
    return Bundle(tasks[0].pickup_group, tuple(tasks), tasks[0].pickup, max(t.ready_at_min for t in tasks),
                  sum(t.size for t in tasks), drops, end)


def singles(tasks: Sequence[Task], params: Params) -> list[Bundle]:
    """One bundle per task, ordered by (ready, group, id)."""
    bundles = [make_bundle([task], params) for task in tasks]
    return sorted(bundles, key=lambda b: (b.ready_at_min, b.group, b.tasks[0].id))


def task_cost(task: Task, dropoff_at_min: float, params: Params) -> float:
    """The objective's price of delivering ``task`` at ``dropoff_at_min`` (minutes): a broken promise, a
    click-to-door beyond ``max_min``, minutes beyond the promise, weighted, plus click-to-door minutes.
    The planner's vectorised cost matrix prices tasks the same way."""
    late = max(0.0, dropoff_at_min - task.promised_at_min)
    click_to_door = dropoff_at_min - task.placed_at_min
    broken = params.weight_broken_promise if late > 0 else 0.0
    failed = params.weight_over_max if click_to_door > params.max_min else 0.0
    return broken + failed + params.weight_late * late + params.weight_click_to_door * click_to_door


def bundle_cost(bundle: Bundle, pickup_at_min: float, params: Params) -> float:
    """``task_cost`` summed over the bundle for a pickup at ``pickup_at_min``."""
    return sum(task_cost(t, pickup_at_min + o, params) for t, o in zip(bundle.tasks, bundle.drop_offsets_min))


def merge_where_short(bundles: Sequence[Bundle], pickup_at: Sequence[float | None], now: float,
                      max_size_units: int, courier_value: float, params: Params) -> list[Bundle]:
    """Merge single tasks into bundles of the same pickup group where that lowers the cost.

    ``bundles`` are single tasks; ``pickup_at`` is each one's predicted pickup from a first matching
    (None: no courier; such a task is taken to wait ``courier_horizon_min``). A merge's gain is the
    cost of the two apart minus the cost of the merged bundle (picked up by the sooner of the two
    couriers), plus ``courier_value`` for the courier it frees: zero when couriers are plentiful, so
    tasks then travel alone. No task may end up more than ``bundle_extra_min`` later than alone, nor
    break a promise it would have kept alone. Merges are made best first, per group, until none gains;
    ties go to the earlier host, then the earlier guest (input order, merged bundles after the singles
    in the order they were made).

    Incremental: each pair is priced once, vectorised (``_pair_gains``), into a heap. A merge prices
    only the pairs of the bundle it made; pairs of the two bundles it used up are dropped as they
    surface. Every other pair's gain is unchanged, so this makes the same merges as re-pricing every
    pair at every step would.
    """
    pickups = [p if p is not None else max(b.ready_at_min, now + params.courier_horizon_min)
               for b, p in zip(bundles, pickup_at)]
    chosen = _may_merge(bundles, pickups, courier_value, params)
    merged = [b for k, b in enumerate(bundles) if k not in chosen]
    if chosen:  # ranks follow the input order, so ties are broken as over all the bundles
        merging = _Merging([bundles[k] for k in sorted(chosen)], [pickups[k] for k in sorted(chosen)],
                           max_size_units, courier_value, params)
        merging.price_first_pairs()
        while (best := merging.pop_best()) is not None:
            merging.merge(*best)
        merged += merging.bundles()
    return sorted(merged, key=lambda b: (b.ready_at_min, b.group, b.tasks[0].id))


def _may_merge(bundles: Sequence[Bundle], pickups: Sequence[float], courier_value: float,
               params: Params) -> set[int]:
    """Positions of the bundles that may take part in a merge: tasks without extra pickups, in groups with
    two such or more and (without a courier to free) at least one of them waiting for its courier."""
    if params.max_bundle_size <= 1:
        return set()
    groups: dict[str, list[int]] = {}
    for k, bundle in enumerate(bundles):
        if not bundle.tasks[0].extra_pickups:
            groups.setdefault(bundle.group, []).append(k)
    chosen = set()
    for members in groups.values():
        waiting = any(pickups[k] > bundles[k].ready_at_min for k in members)
        if len(members) > 1 and (courier_value > 0 or waiting):
            chosen.update(members)
    return chosen


@dataclass(frozen=True, slots=True)
class _Singles:
    """Per single task that may merge, by its rank (position among them, in input order): what pricing
    a merge needs, as arrays. Minutes: ``ready``, ``pickup`` (predicted alone), ``promised``, ``placed``,
    ``alone`` (drop-off alone), ``first_leg`` (ride from its pickup to its drop-off); ``cost`` alone
    (``bundle_cost``); ``group`` as a code."""

    group: np.ndarray
    ready: np.ndarray
    pickup: np.ndarray
    size: np.ndarray
    promised: np.ndarray
    placed: np.ndarray
    alone: np.ndarray
    cost: np.ndarray
    first_leg: np.ndarray
    dropoff_xy: np.ndarray

    @classmethod
    def of(cls, bundles: Sequence[Bundle], pickups: Sequence[float], params: Params) -> "_Singles":
        """The arrays of single-task ``bundles`` picked up at ``pickups``."""
        tasks = [b.tasks[0] for b in bundles]
        codes = {group: code for code, group in enumerate(sorted({b.group for b in bundles}))}
        dropoff_xy = xy(t.dropoff for t in tasks)
        first_leg = travel_min_array(rowwise_distance_m(xy(t.pickup for t in tasks), dropoff_xy), params)
        floats = lambda values: np.array(list(values), dtype=float)  # noqa: E731
        return cls(np.array([codes[b.group] for b in bundles]), floats(b.ready_at_min for b in bundles),
                   floats(pickups), np.array([b.size for b in bundles]), floats(t.promised_at_min for t in tasks),
                   floats(t.placed_at_min for t in tasks),
                   floats(p + b.drop_offsets_min[0] for b, p in zip(bundles, pickups)),
                   floats(bundle_cost(b, p, params) for b, p in zip(bundles, pickups)), first_leg, dropoff_xy)


class _Merging:
    """The merge loop's state: the bundles alive by rank (singles first, in input order, then merged
    bundles in the order made), the singles not merged yet per group, and a heap of priced pairs
    ``(-gain, host rank, guest rank, insertion position)``: the best gain first, ties to the earlier host,
    then the earlier guest. A pair goes stale when either side is used up."""

    def __init__(self, bundles, pickups, max_size_units, courier_value, params):
        self.singles = _Singles.of(bundles, pickups, params)
        self.alive = {rank: (b, p, (rank,)) for rank, (b, p) in enumerate(zip(bundles, pickups))}
        self.singles_left: dict[int, set[int]] = {}
        for rank, code in enumerate(self.singles.group.tolist()):
            self.singles_left.setdefault(code, set()).add(rank)
        self.max_size_units, self.courier_value, self.params = max_size_units, courier_value, params
        self.heap: list[tuple[float, int, int, int]] = []
        self.next_rank = len(bundles)

    def price_first_pairs(self) -> None:
        """Price every (host, guest) pair of two singles of one group, in one vectorised pass."""
        s, params = self.singles, self.params
        ok = s.group[:, None] == s.group[None, :]
        np.fill_diagonal(ok, False)
        ok &= self._guests_fit(s.ready[:, None], s.size[:, None], s.pickup[:, None], np.arange(len(s.ready)))
        hosts, guests = np.nonzero(ok)
        gains, positions = _pair_gains(hosts[:, None], guests, s.pickup[hosts], s.ready[hosts], s.cost[hosts],
                                       s, self.courier_value, params)
        self._push(hosts, guests, gains, positions)
        heapq.heapify(self.heap)

    def price_host(self, rank: int) -> None:
        """Price the pairs of the merged bundle ``rank`` as host with every single of its group."""
        bundle, pickup, order = self.alive[rank]
        if len(order) >= self.params.max_bundle_size:
            return
        s = self.singles
        guests = np.array(sorted(self.singles_left[int(s.group[order[0]])]), dtype=int)
        if len(guests) == 0:
            return
        guests = guests[self._guests_fit(bundle.ready_at_min, bundle.size, pickup, guests)]
        cost = bundle_cost(bundle, pickup, self.params)
        gains, positions = _pair_gains(np.tile(np.array(order), (len(guests), 1)), guests,
                                       np.full(len(guests), pickup), np.full(len(guests), bundle.ready_at_min),
                                       np.full(len(guests), cost), s, self.courier_value, self.params)
        for item in self._push(np.full(len(guests), rank), guests, gains, positions):
            heapq.heappush(self.heap, item)

    def _guests_fit(self, host_ready, host_size, host_pickup, guests) -> np.ndarray:
        """Which ``guests`` may join a host (arrays broadcast): within the size limit and the ready gap,
        and (without a courier to free) one of the two waits for its courier."""
        s, params = self.singles, self.params
        ok = (host_size + s.size[guests] <= self.max_size_units) \
            & (np.abs(s.ready[guests] - host_ready) <= params.bundle_ready_gap_min)
        if self.courier_value <= 0:
            ok &= (host_pickup > host_ready) | (s.pickup[guests] > s.ready[guests])
        return ok

    def _push(self, hosts, guests, gains, positions) -> list[tuple[float, int, int, int]]:
        """Add the pairs that gain to the heap's list (not yet in heap order); returns them."""
        keep = gains > MIN_GAIN
        items = list(zip((-gains[keep]).tolist(), hosts[keep].tolist(), guests[keep].tolist(),
                         positions[keep].tolist()))
        self.heap.extend(items)
        return items

    def pop_best(self) -> tuple[int, int, int] | None:
        """``(host rank, guest rank, position)`` of the best pair whose two sides are both still alive."""
        while self.heap:
            _gain, host, guest, position = heapq.heappop(self.heap)
            if host in self.alive and guest in self.alive:
                return host, guest, position
        return None

    def merge(self, host: int, guest: int, position: int) -> None:
        """Insert single ``guest`` into ``host`` at ``position`` of its drop-off order; price the new bundle."""
        host_bundle, host_pickup, order = self.alive.pop(host)
        guest_bundle, guest_pickup, _ = self.alive.pop(guest)
        left = self.singles_left[int(self.singles.group[guest])]
        left.discard(host)
        left.discard(guest)
        tasks = host_bundle.tasks[:position] + guest_bundle.tasks + host_bundle.tasks[position:]
        merged = make_bundle(tasks, self.params)
        rank, self.next_rank = self.next_rank, self.next_rank + 1
        self.alive[rank] = (merged, max(min(host_pickup, guest_pickup), merged.ready_at_min),
                            order[:position] + (guest,) + order[position:])
        self.price_host(rank)

    def bundles(self) -> list[Bundle]:
        """The bundles alive: what is left of the singles and the merged ones."""
        return [bundle for bundle, _pickup, _order in self.alive.values()]


def _pair_gains(hosts: np.ndarray, guests: np.ndarray, host_pickup: np.ndarray, host_ready: np.ndarray,
                host_cost: np.ndarray, singles: _Singles, courier_value: float,
                params: Params) -> tuple[np.ndarray, np.ndarray]:
    """Per pair (host ranks in drop-off order ``(P, k)``, guest ranks ``(P,)``, host pickup, ready and cost
    ``(P,)``): the best gain of inserting the guest into the host's order, and where (the first of equal
    gains); -inf where no insertion is acceptable. Priced as ``bundle_offsets`` and ``bundle_cost`` do,
    operation for operation in the same order, so the gains, and their ties, are the same floats."""
    orders = _insertions(hosts, guests)
    pickup = np.maximum(np.minimum(host_pickup, singles.pickup[guests]),
                        np.maximum(host_ready, singles.ready[guests]))
    dropoff_at = pickup[:, None, None] + _drop_offsets(orders, singles, params)
    promised, alone = singles.promised[orders], singles.alone[orders]
    acceptable = ~((dropoff_at - alone > params.bundle_extra_min)
                   | ((dropoff_at > promised) & (promised >= alone))).any(axis=2)
    cost = _summed_task_costs(dropoff_at, promised, singles.placed[orders], params)
    gain = np.where(acceptable, (host_cost + singles.cost[guests])[:, None] - cost + courier_value, -np.inf)
    position = gain.argmax(axis=1)
    return gain[np.arange(len(guests)), position], position


def _insertions(hosts: np.ndarray, guests: np.ndarray) -> np.ndarray:
    """``(P, k + 1, k + 1)``: for each pair, the drop-off order with the guest at each position 0..k."""
    count, size = hosts.shape
    orders = np.empty((count, size + 1, size + 1), dtype=int)
    for position in range(size + 1):
        orders[:, position, :position] = hosts[:, :position]
        orders[:, position, position] = guests
        orders[:, position, position + 1:] = hosts[:, position:]
    return orders


def _drop_offsets(orders: np.ndarray, singles: _Singles, params: Params) -> np.ndarray:
    """Minutes from the pickup moment to each drop-off of ``orders`` (ranks), as ``bundle_offsets``."""
    legs = np.empty(orders.shape)
    legs[..., 0] = singles.first_leg[orders[..., 0]]
    here, there = orders[..., :-1].ravel(), orders[..., 1:].ravel()
    metres = rowwise_distance_m(singles.dropoff_xy[here], singles.dropoff_xy[there])
    legs[..., 1:] = travel_min_array(metres, params).reshape(orders[..., 1:].shape)
    half_dropoff = params.dropoff_service_min / 2
    clock, drops = np.full(orders.shape[:2], params.pickup_service_min / 2), np.empty(orders.shape)
    for slot in range(orders.shape[2]):
        clock = clock + (legs[..., slot] + half_dropoff)
        drops[..., slot] = clock
        clock = clock + half_dropoff
    return drops


def _summed_task_costs(dropoff_at: np.ndarray, promised: np.ndarray, placed: np.ndarray,
                       params: Params) -> np.ndarray:
    """``task_cost`` over the last axis (tasks in drop-off order), summed in that order as ``bundle_cost``."""
    beyond = dropoff_at - promised
    late = np.where(beyond > 0.0, beyond, 0.0)
    click_to_door = dropoff_at - placed
    broken = np.where(late > 0, params.weight_broken_promise, 0.0)
    failed = np.where(click_to_door > params.max_min, params.weight_over_max, 0.0)
    per_task = broken + failed + params.weight_late * late + params.weight_click_to_door * click_to_door
    total = per_task[..., 0]
    for slot in range(1, per_task.shape[-1]):
        total = total + per_task[..., slot]
    return total
