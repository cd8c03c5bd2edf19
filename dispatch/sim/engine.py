"""The simulated clock: replay a day, calling a dispatch policy every cycle, and record what happens.

Every ``interval_s`` seconds of simulated time the policy gets the orders placed so far and not yet
assigned, and the couriers on shift within its horizon (each where and when it will be free). The
assignments it commits are final, as in the MDRP (a courier is never diverted): the engine plays each
one out under the MDRP timing rules and records the bundle, the deliveries and the courier's moves.
Cycle wall times and the process's peak memory are measured; everything else is deterministic.
"""
import math
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ..model import Assignment, Courier, Params, Plan, Point, StopKind, Task
from ..routes import bundle_stops, timed_stops
from .mdrp import CourierShift, Instance, tasks_of

Policy = Callable[[Sequence[Task], Sequence[Courier], float, Params], Plan]
ON_LOCATION = "0"  # the MDRP name of a courier's starting point in the moves file


class SimulationError(RuntimeError):
    """The policy asked for something the rules forbid (unknown or taken task, pickup after shift end)."""


@dataclass(frozen=True, slots=True)
class BundleRecord:
    """A committed bundle: when assigned, when picked up, by whom, orders in drop-off order."""

    assigned_at_min: float
    pickup_at_min: float
    courier_id: str
    order_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """A delivered order's times (minutes) and courier."""

    order_id: str
    placed_at_min: float
    ready_at_min: float
    pickup_at_min: float
    dropoff_at_min: float
    courier_id: str


@dataclass(frozen=True, slots=True)
class MoveRecord:
    """A courier's ride: leaves ``origin`` at ``depart_at_min`` for ``destination`` (MDRP node names)."""

    courier_id: str
    depart_at_min: float
    origin: str
    destination: str


@dataclass(frozen=True)
class SimResult:
    """What a simulated day produced, plus its cost: each policy call's wall milliseconds and open
    tasks, the day's wall seconds and the process's peak resident memory so far (MB)."""

    bundles: tuple[BundleRecord, ...]
    deliveries: tuple[DeliveryRecord, ...]
    moves: tuple[MoveRecord, ...]
    cycle_ms: tuple[float, ...]
    cycle_open_tasks: tuple[int, ...]
    wall_s: float
    peak_rss_mb: float


@dataclass
class _CourierState:
    """Where a courier will be free and when: the engine's own mutable bookkeeping."""

    shift: CourierShift
    node: str
    point: Point
    free_at_min: float
    delivered: int = 0


def simulate(instance: Instance, policy: Policy, params: Params, interval_s: float = 60.0) -> SimResult:
    """Replay ``instance`` with ``policy`` called every ``interval_s`` simulated seconds."""
    started = time.perf_counter()
    step = interval_s / 60.0
    params = replace(params, cycle_min=step)
    tasks = tasks_of(instance)
    couriers = {c.id: _CourierState(c, ON_LOCATION, c.position, float(c.on_at_min))
                for c in instance.couriers}
    pending: dict[str, Task] = {}
    bundles, deliveries, moves, cycle_ms, cycle_open = [], [], [], [], []
    last_off = max(c.off_at_min for c in instance.couriers)
    first_cycle = math.floor(min(t.placed_at_min for t in tasks) / step)
    next_task, cycle, now = 0, first_cycle, first_cycle * step
    while now <= last_off and (next_task < len(tasks) or pending):
        while next_task < len(tasks) and tasks[next_task].placed_at_min <= now:
            pending[tasks[next_task].id] = tasks[next_task]
            next_task += 1
        if pending:
            snapshot = _courier_snapshot(couriers.values(), now, params)
            tick = time.perf_counter()
            plan = policy(list(pending.values()), snapshot, now, params)
            cycle_ms.append((time.perf_counter() - tick) * 1000.0)
            cycle_open.append(len(pending))
            for assignment in plan.assignments:
                _play(assignment, couriers, pending, now, params, bundles, deliveries, moves)
        cycle += 1
        now = cycle * step  # not a running sum: no drift over a day of odd intervals
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return SimResult(tuple(bundles), tuple(sorted(deliveries, key=lambda d: d.order_id)), tuple(moves),
                     tuple(cycle_ms), tuple(cycle_open), time.perf_counter() - started, peak_mb)


def _courier_snapshot(states, now: float, params: Params) -> list[Courier]:
    """Couriers who could still pick up and are on shift within the planner's horizon."""
    horizon = now + params.courier_horizon_min
    snapshot = []
    for state in states:
        available = max(state.free_at_min, state.shift.on_at_min)
        if available <= horizon and available < state.shift.off_at_min and state.shift.off_at_min > now:
            snapshot.append(Courier(state.shift.id, state.point, available, float(state.shift.off_at_min),
                                    capacity=params.max_bundle_size, workload=float(state.delivered)))
    return snapshot


def _play(assignment: Assignment, couriers, pending, now, params, bundles, deliveries, moves) -> None:
    """Carry out one committed assignment under the MDRP rules and record it."""
    state = couriers.get(assignment.courier_id)
    taken = [task_id for task_id in assignment.task_ids if task_id not in pending]
    if state is None or taken or not assignment.task_ids:
        raise SimulationError(f"bad assignment {assignment}: unknown courier or tasks not open {taken}")
    tasks = [pending.pop(task_id) for task_id in assignment.task_ids]
    if len({t.pickup_group for t in tasks}) != 1:
        raise SimulationError(f"bundle {assignment.task_ids} mixes pickup points")
    depart = max(now, state.free_at_min, state.shift.on_at_min)
    stops = timed_stops(state.point, depart, bundle_stops(tasks), params)
    pickup = stops[0]
    if pickup.service_at_min > state.shift.off_at_min:
        raise SimulationError(f"{state.shift.id} would pick up {assignment.task_ids} at "
                              f"{pickup.service_at_min} after its shift ends at {state.shift.off_at_min}")
    bundles.append(BundleRecord(now, pickup.service_at_min, state.shift.id, assignment.task_ids))
    origin, leave = state.node, depart
    for stop in stops:
        destination = tasks[0].pickup_group if stop.kind is StopKind.PICKUP else stop.task_ids[0]
        moves.append(MoveRecord(state.shift.id, leave, origin, destination))
        origin, leave = destination, stop.depart_at_min
    drops = [stop for stop in stops if stop.kind is StopKind.DROPOFF]
    for task, stop in zip(tasks, drops):
        deliveries.append(DeliveryRecord(task.id, task.placed_at_min, task.ready_at_min,
                                         pickup.service_at_min, stop.service_at_min, state.shift.id))
    state.node, state.point, state.free_at_min = origin, tasks[-1].dropoff, leave
    state.delivered += len(tasks)
