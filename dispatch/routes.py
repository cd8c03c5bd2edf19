"""Route timing under the MDRP rules, shared by the planner, the baselines and the simulator.

At a pickup the courier waits for the goods: pickup moment = max(ready, arrival + pickup_service/2),
departure = pickup moment + pickup_service/2. At a drop-off: drop-off moment = arrival +
dropoff_service/2, departure = drop-off moment + dropoff_service/2. Times are minutes.
"""
from collections.abc import Sequence

from .geo import travel_min
from .model import Courier, Params, PlannedStop, Point, Stop, StopKind, Task

NOT_READY_BEFORE = float("-inf")


def timed_stops(start: Point, start_at_min: float, stops: Sequence[Stop],
                params: Params) -> tuple[PlannedStop, ...]:
    """Arrival, service moment and departure (minutes) of each stop, leaving ``start`` at ``start_at_min``."""
    half_pickup, half_dropoff = params.pickup_service_min / 2, params.dropoff_service_min / 2
    planned, here, clock = [], start, start_at_min
    for stop in stops:
        arrive = clock + travel_min(here, stop.point, params)
        if stop.kind is StopKind.PICKUP:
            service = max(stop.ready_at_min, arrive + half_pickup)
            depart = service + half_pickup
        else:
            service = arrive + half_dropoff
            depart = service + half_dropoff
        planned.append(PlannedStop(stop.kind, stop.point, stop.task_ids, arrive, service, depart))
        here, clock = stop.point, depart
    return tuple(planned)


def route_end(courier: Courier, now: float, params: Params) -> tuple[float, Point]:
    """When (minutes, never before ``now``) and where the courier is free of its committed route."""
    start_at = max(now, courier.available_at_min)
    if not courier.route:
        return start_at, courier.position
    planned = timed_stops(courier.position, start_at, courier.route, params)
    return planned[-1].depart_at_min, courier.route[-1].point


def bundle_stops(tasks: Sequence[Task]) -> tuple[Stop, ...]:
    """The stops of a bundle whose tasks are given in drop-off order: the pickup point, any extra
    pickups (single-task bundles only), then one drop-off per task."""
    ready = max(task.ready_at_min for task in tasks)
    ids = tuple(task.id for task in tasks)
    stops = [Stop(StopKind.PICKUP, tasks[0].pickup, ids, ready)]
    stops += [Stop(StopKind.PICKUP, point, ids, ready) for point in tasks[0].extra_pickups]
    stops += [Stop(StopKind.DROPOFF, task.dropoff, (task.id,)) for task in tasks]
    return tuple(stops)


def bundle_offsets(tasks: Sequence[Task], params: Params) -> tuple[tuple[float, ...], float]:
    """Minutes from the (first) pickup moment to each task's drop-off moment, in the given drop-off
    order, and to the courier's departure from the last drop-off."""
    if not tasks[0].extra_pickups:  # the common case, without building stops (the planner's inner loop)
        clock, here, drops = params.pickup_service_min / 2, tasks[0].pickup, []
        for task in tasks:
            clock += travel_min(here, task.dropoff, params) + params.dropoff_service_min / 2
            drops.append(clock)
            clock += params.dropoff_service_min / 2
            here = task.dropoff
        return tuple(drops), clock
    stops = bundle_stops(tasks)[1:]
    later = [Stop(s.kind, s.point, s.task_ids, NOT_READY_BEFORE) for s in stops]
    planned = timed_stops(tasks[0].pickup, params.pickup_service_min / 2, later, params)
    drops = tuple(p.service_at_min for p in planned if p.kind is StopKind.DROPOFF)
    return drops, planned[-1].depart_at_min
