"""Bundles: open tasks of one pickup point that one courier collects together and drops in sequence.

Bundling saves courier time but makes every task but the first arrive later than it would alone. So
tasks start alone, and are merged only where a first matching shows couriers are short, only when
their ready times are close, and only when every task in the bundle keeps its promise (or would have
broken it anyway) and arrives at most ``bundle_extra_min`` later than it would have.
"""
from collections.abc import Sequence
from dataclasses import dataclass

from .model import Params, Point, Task
from .routes import bundle_offsets


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
    break a promise it would have kept alone. Merges are made best first, per group, until none gains.
    """
    pickups = [p if p is not None else max(b.ready_at_min, now + params.courier_horizon_min)
               for b, p in zip(bundles, pickup_at)]
    alone = {b.tasks[0].id: p + b.drop_offsets_min[0] for b, p in zip(bundles, pickups)}
    groups: dict[str, list] = {}
    for item in zip(bundles, pickups):
        groups.setdefault(item[0].group, []).append(item)
    merged: list[Bundle] = []
    for group in sorted(groups):
        members, cache = groups[group], {}
        while len(members) > 1:
            best = _best_merge(members, alone, max_size_units, courier_value, params, cache)
            if best is None:
                break
            host, guest, item = best
            members = [m for k, m in enumerate(members) if k not in (host, guest)] + [item]
        merged.extend(m[0] for m in members)
    return sorted(merged, key=lambda b: (b.ready_at_min, b.group, b.tasks[0].id))


def _best_merge(members, alone, max_size_units, courier_value, params, cache):
    """``(host index, guest index, merged item)`` of the acceptable merge that gains most, or None.

    ``cache`` keeps each (host, guest) pair's best merge across calls: a merge changes only the pairs
    of the bundles it joined.
    """
    best, best_gain = None, 1e-9
    for h, (host, host_pickup) in enumerate(members):
        if len(host.tasks) >= params.max_bundle_size or host.tasks[0].extra_pickups:
            continue
        for g, (guest, guest_pickup) in enumerate(members):
            if g == h or len(guest.tasks) != 1 or guest.tasks[0].extra_pickups \
                    or host.size + guest.size > max_size_units \
                    or abs(guest.ready_at_min - host.ready_at_min) > params.bundle_ready_gap_min:
                continue
            key = (host.task_ids, guest.tasks[0].id)
            if key not in cache:
                cache[key] = _pair_merge(host, host_pickup, guest, guest_pickup, alone, courier_value, params)
            if cache[key] is not None and cache[key][0] > best_gain:
                best_gain, best = cache[key][0], (h, g, cache[key][1])
    return best


def _pair_merge(host, host_pickup, guest, guest_pickup, alone, courier_value, params):
    """``(gain, (merged bundle, pickup))`` of the best acceptable way to add ``guest`` to ``host``, or None.

    Without a courier to free, a merge can only pay off when one of the two waits for its courier.
    """
    if courier_value <= 0 and host_pickup <= host.ready_at_min and guest_pickup <= guest.ready_at_min:
        return None
    before = bundle_cost(host, host_pickup, params) + bundle_cost(guest, guest_pickup, params)
    best = None
    for merged in _insertions(host, guest.tasks[0], params):
        pickup = max(min(host_pickup, guest_pickup), merged.ready_at_min)
        if _acceptable(merged, pickup, alone, params):
            gain = before - bundle_cost(merged, pickup, params) + courier_value
            if best is None or gain > best[0]:
                best = (gain, (merged, pickup))
    return best


def _insertions(host: Bundle, task: Task, params: Params):
    """Every bundle made by inserting ``task`` somewhere in ``host``'s drop-off sequence."""
    for position in range(len(host.tasks) + 1):
        yield make_bundle(host.tasks[:position] + (task,) + host.tasks[position:], params)


def _acceptable(merged: Bundle, pickup: float, alone: dict[str, float], params: Params) -> bool:
    """No task arrives more than ``bundle_extra_min`` later than it would alone, and no promise that
    would have been kept alone is broken."""
    for task, offset in zip(merged.tasks, merged.drop_offsets_min):
        drop, solo = pickup + offset, alone[task.id]
        if drop - solo > params.bundle_extra_min or drop > task.promised_at_min >= solo:
            return False
    return True
