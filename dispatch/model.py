"""The dispatcher's vocabulary: frozen dataclasses in, a plan out.

Time is a plain float: minutes since an epoch the caller chooses (the simulator uses the MDRP day's
minute 0; production passes minutes since the store's day start). Names ending in ``_at_min`` are such
moments; other ``_min`` names are durations. Positions are planar metres (``Point``); production projects
``(lat, lon)`` to metres around the store with ``dispatch.geo.project``.
"""
from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Point:
    """A position in planar metres (east ``x_m``, north ``y_m``) around a local origin."""

    x_m: float
    y_m: float


class StopKind(StrEnum):
    PICKUP = "pickup"    # collect the stop's tasks at a pickup point (restaurant, store, partner shop)
    DROPOFF = "dropoff"  # hand the stop's tasks over at the customer's door


@dataclass(frozen=True, slots=True)
class Task:
    """One delivery: collect at ``pickup`` (then any ``extra_pickups``, in order) and bring to ``dropoff``.

    ``pickup_group`` names the pickup point (a restaurant or store id): only tasks of one group are
    bundled, and a task with extra pickups is never bundled. ``courier_id`` is set once the task is
    assigned; the planner never moves an assigned task (and a picked-up one is always assigned).
    """

    id: str
    pickup: Point
    dropoff: Point
    placed_at_min: float
    ready_at_min: float
    promised_at_min: float
    pickup_group: str
    size: int = 1
    extra_pickups: tuple[Point, ...] = ()
    courier_id: str | None = None
    picked_up: bool = False


@dataclass(frozen=True, slots=True)
class Stop:
    """A committed stop on a courier's route; ``ready_at_min`` matters for pickups only."""

    kind: StopKind
    point: Point
    task_ids: tuple[str, ...]
    ready_at_min: float = float("-inf")


@dataclass(frozen=True, slots=True)
class Courier:
    """A courier on (or soon on) shift.

    The courier is at ``position`` and can leave it from ``available_at_min`` (not before the shift
    starts), then works through the committed ``route``; new work starts where the route ends. No pickup
    may be planned after ``shift_end_at_min``; drop-offs may finish later. ``capacity`` bounds the summed
    task sizes of one bundle. ``workload`` is the work done so far today (any unit, the same for every
    courier): the fairness tie-break prefers the courier with less.

    ``position`` None means the courier's phone never reported one; ``seen_at_min`` is when it last did
    (None: positions are not tracked and always current, as in the simulator). The planner places a
    courier whose position is unknown or older than ``Params.stale_position_min`` at ``Params.home`` (the
    store), and prefers a courier known to be there (``Params.weight_unsure_position``).
    """

    id: str
    position: Point | None
    available_at_min: float
    shift_end_at_min: float
    capacity: int = 4
    route: tuple[Stop, ...] = ()
    workload: float = 0.0
    seen_at_min: float | None = None


@dataclass(frozen=True, slots=True)
class Params:
    """Travel rules, promise settings, cycle timing, bundling limits and cost weights.

    Defaults suit the store (e-bike, 30-minute promise); ``dispatch.sim.mdrp`` builds MDRP ones.
    """

    speed_m_per_min: float = 250.0
    detour_factor: float = 1.0          # road distance / straight-line distance
    round_travel_up: bool = True        # MDRP: travel minutes = ceil(metres / speed)
    pickup_service_min: float = 2.0     # half before the pickup moment, half after (MDRP rule)
    dropoff_service_min: float = 3.0    # half before the drop-off moment, half after
    target_min: float = 30.0            # click-to-door target (each task carries its own promise)
    max_min: float = 60.0               # click-to-door that counts as a failure
    cycle_min: float = 1.0              # time between two planner cycles
    courier_horizon_min: float = 20.0   # couriers free within this long take part in the matching
    commit_margin_min: float = 0.0      # commit this much earlier than strictly needed
    postpone_min: float = 5.0           # how long a bundle left unmatched is expected to wait
    max_bundle_size: int = 4            # tasks in one bundle (also bounded by courier capacity)
    bundle_ready_gap_min: float = 10.0  # bundle only tasks whose ready times are this close
    bundle_extra_min: float = 10.0      # a bundled task may arrive at most this much later than alone
    due_horizon_min: float = 20.0       # only tasks ready within this long can show couriers are short
    short_delay_min: float = 8.0        # couriers are short when a task due soon would wait this long
    courier_value_min: float = 20.0     # when couriers are short, freeing one is worth this many minutes
    weight_broken_promise: float = 15.0  # per task delivered after its promise
    weight_over_max: float = 15.0       # per task whose click-to-door exceeds max_min
    weight_late: float = 0.5            # per minute beyond the promise
    weight_click_to_door: float = 1.0   # per minute of click-to-door
    weight_travel: float = 0.05         # per minute of the courier's empty ride to the pickup
    weight_busy: float = 0.3            # per minute until the courier is free: a busy one may not come
    weight_fairness: float = 0.001      # per unit of workload: a tie-break only
    home: Point = Point(0.0, 0.0)       # where a courier of unknown whereabouts is assumed: the store
    stale_position_min: float = 2.0     # a position older than this is unknown whereabouts
    weight_unsure_position: float = 1.0  # an idle courier of unknown whereabouts may be anywhere


@dataclass(frozen=True, slots=True)
class PlannedStop:
    """A stop with its estimated times: arrival, the pickup/drop-off moment, departure (minutes)."""

    kind: StopKind
    point: Point
    task_ids: tuple[str, ...]
    arrive_at_min: float
    service_at_min: float
    depart_at_min: float


@dataclass(frozen=True, slots=True)
class Assignment:
    """A bundle given to a courier: leave at ``depart_at_min``, pick up at ``pickup_at_min``, then drop
    the tasks in ``task_ids`` order at ``dropoff_at_min`` (one time per task)."""

    courier_id: str
    task_ids: tuple[str, ...]
    pickup_group: str
    depart_at_min: float
    pickup_at_min: float
    dropoff_at_min: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class CourierRoute:
    """A courier's stop sequence: the committed route, then this cycle's new assignments."""

    courier_id: str
    stops: tuple[PlannedStop, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """One cycle's answer.

    ``assignments`` are to be persisted now; ``deferred`` are this cycle's tentative matches, left open
    because committing them later loses nothing (a better courier or bundle may appear). ``late_task_ids``
    are tasks predicted to break their promise, to flag to staff; ``unplanned_task_ids`` found no courier.
    """

    assignments: tuple[Assignment, ...] = ()
    deferred: tuple[Assignment, ...] = ()
    routes: tuple[CourierRoute, ...] = ()
    late_task_ids: tuple[str, ...] = ()
    unplanned_task_ids: tuple[str, ...] = field(default=())

    def dropoff_times(self) -> dict[str, float]:
        """Each planned task's predicted hand-over (minutes): from the couriers' routes (committed
        stops and this cycle's assignments), else from its deferred match. Unplanned tasks are absent."""
        times = {}
        for assignment in self.deferred:
            times.update(zip(assignment.task_ids, assignment.dropoff_at_min))
        for route in self.routes:
            for stop in route.stops:
                if stop.kind == StopKind.DROPOFF:
                    times.update((task_id, stop.service_at_min) for task_id in stop.task_ids)
        return times
