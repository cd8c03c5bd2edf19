"""One production dispatch cycle: snapshot from the database -> the pure planner -> guarded writes.

The snapshot reads only the deliveries' own rows (tasks, shifts, the store's planner parameters);
the plan is written by ``store_app.fulfilment.dispatching``, the only writer that moves an order with
its task: orders still ``ready`` with no courier are locked in id order and moved with their tasks in
a few set-based statements; what staff or an overlapping cycle took first is simply skipped. So two
cycles can never give one task to two couriers, and a picked-up task is never touched. Predictions
and late notices follow in a second transaction.

Times: minutes relative to ``now`` (``now`` is minute 0). Positions: metres around the store.

``periodic_jobs`` declares one cycle per store for the scheduler (``store_app.jobs``); store_app may
not import this module, so it reaches the registry through the ``community_store.periodic_jobs``
entry point (setup.cfg).
"""
from datetime import timedelta
from functools import partial

from store_app.database import transaction
from store_app.deliveries import operations as delivery_ops
from store_app.deliveries.params import planner_params
from store_app.fulfilment import dispatching
from store_app.jobs.registry import PeriodicJob
from store_app.stores.operations import get_store, list_stores

from . import planner
from .geo import point_from_lat_lon
from .model import Courier, Stop, StopKind, Task


def _minutes(at, now):
    return (at - now).total_seconds() / 60.0


def load_snapshot(store, now):
    """``(tasks, couriers)`` as the planner's frozen dataclasses, from the store's open work."""
    origin = (store.lat, store.lon)
    rows = delivery_ops.list_active_tasks(store.id)
    tasks, routes = [], {}
    for task in rows:
        waiting = task.status == "open"
        # Only tasks packed and waiting are offered to the planner; the rest are routes already.
        if waiting and task.packed_at is None:
            continue
        pickup = point_from_lat_lon(task.pickup_lat, task.pickup_lon, *origin)
        dropoff = point_from_lat_lon(task.dropoff_lat, task.dropoff_lon, *origin)
        courier_id = str(task.courier_id) if task.courier_id else None
        tasks.append(Task(id=str(task.id), pickup=pickup, dropoff=dropoff,
                          placed_at_min=_minutes(task.created_at, now),
                          ready_at_min=(min(0.0, _minutes(task.ready_at, now)) if waiting
                                        else _minutes(task.ready_at, now)),
                          promised_at_min=_minutes(task.promised_at, now), pickup_group=f"store:{store.id}",
                          size=task.size, courier_id=courier_id, picked_up=task.status == "picked_up"))
        if courier_id:
            stops = routes.setdefault(courier_id, [])
            if task.status == "assigned":
                stops.insert(0, Stop(StopKind.PICKUP, pickup, (str(task.id),)))
            stops.append(Stop(StopKind.DROPOFF, dropoff, (str(task.id),)))
    couriers = []
    done = delivery_ops.deliveries_this_shift(store.id, now)
    for shift in delivery_ops.list_open_shifts(store.id, now):
        key = str(shift.courier_id)
        # No position yet, or an old one: the planner places the courier at the store (and prefers
        # a courier known to be there), rather than trusting where they were minutes ago.
        known = shift.lat is not None and shift.lon is not None and shift.position_at is not None
        couriers.append(Courier(id=key, position=point_from_lat_lon(shift.lat, shift.lon, *origin) if known else None,
                                available_at_min=0.0,
                                shift_end_at_min=_minutes(shift.planned_end_at, now), capacity=shift.capacity,
                                route=tuple(routes.get(key, ())), workload=float(done.get(shift.courier_id, 0)),
                                seen_at_min=_minutes(shift.position_at, now) if known else None))
    return tasks, couriers


def persist(plan, now):
    """Write the plan's assignments; returns ``[(task_id, courier_id), ...]`` actually written (the
    ones staff or an overlapping cycle did not take first)."""
    pairs = sorted((int(t), int(a.courier_id)) for a in plan.assignments for t in a.task_ids)
    return dispatching.assign_by_planner(pairs, now)


def run_cycle(store_id, now):
    """One cycle for one store; returns a short summary for the job log.

    Two transactions: the assignments (guarded, all or each skipped), then the predictions and late
    notices. The second takes order rows before task rows, like every other writer, in task-id order;
    predictions are advice, so a cycle whose second step fails has still assigned correctly.
    """
    with transaction():
        store = get_store(store_id)
        timezone = store.timezone
        tasks, couriers = load_snapshot(store, now)
        plan = planner.plan(tasks, couriers, 0.0, planner_params(store))
        written = persist(plan, now)
    with transaction():
        late = dispatching.record_predictions(store_id, timezone, predictions(plan, now), now)
    return (f"store {store_id}: {len(tasks)} tasks, {len(couriers)} couriers, assigned {len(written)}"
            + (f" ({', '.join(f'task {t}->courier {c}' for t, c in written)})" if written else "")
            + (f"; running late, residents told: orders {', '.join(map(str, late))}" if late else ""))


def predictions(plan, now):
    """``{task_id: predicted hand-over}`` (aware datetimes) from the plan's minutes after ``now``."""
    return {int(task_id): now + timedelta(minutes=minutes) for task_id, minutes in plan.dropoff_times().items()}


def periodic_jobs():
    """The dispatcher's periodic jobs: one cycle per store (``dispatch:<store id>``) every
    ``dispatch_interval_s`` seconds of that store; needs an app context."""
    return [PeriodicJob(f"dispatch:{store.id}", partial(run_cycle, store.id), store.dispatch_interval_s)
            for store in list_stores()]
