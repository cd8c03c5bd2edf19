"""One production dispatch cycle: snapshot from the database -> the pure planner -> guarded writes.

Everything happens in one transaction. Each assignment is written with guarded UPDATEs (the order
must still be ``ready`` with no courier, the task still ``open``), inside a savepoint: if staff or
an overlapping cycle got there first, that assignment is skipped and the rest still commit. So two
cycles can never give one task to two couriers, and a picked-up task is never touched.

Times: minutes relative to ``now`` (``now`` is minute 0). Positions: metres around the store.

``periodic_jobs`` declares one cycle per store for the scheduler (``store_app.jobs``); store_app may
not import this module, so it reaches the registry through the ``community_store.periodic_jobs``
entry point (setup.cfg).
"""
from datetime import timedelta
from functools import partial

from store_app.database import transaction
from store_app.deliveries import operations as delivery_ops
from store_app.jobs.registry import PeriodicJob

from . import planner
from .geo import point_from_lat_lon
from .model import Courier, Params, Stop, StopKind, Task

ACTIVE_TASK_STATUSES = ("open", "assigned", "picked_up")


def _minutes(at, now):
    return (at - now).total_seconds() / 60.0


def params_for(store):
    """The planner's parameters from the store's settings."""
    return Params(speed_m_per_min=store.courier_speed_m_per_min, detour_factor=store.detour_factor,
                  round_travel_up=False, pickup_service_min=1.0, dropoff_service_min=store.courier_handover_min,
                  target_min=store.promise_minutes, max_min=2 * store.promise_minutes,
                  cycle_min=store.dispatch_interval_s / 60.0)


def load_snapshot(store, now):
    """``(tasks, couriers)`` as the planner's frozen dataclasses, from the store's open work."""
    from store_app.orders.models import OrderStatus

    origin = (store.lat, store.lon)
    rows = delivery_ops.list_active_tasks(store.id, ACTIVE_TASK_STATUSES)
    tasks, routes = [], {}
    for task in rows:
        order = task.order
        waiting = task.status == "open"
        # Only orders packed and waiting are offered to the planner; the rest are routes already.
        if waiting and (order is None or order.status != OrderStatus.READY.value):
            continue
        pickup = point_from_lat_lon(task.pickup_lat, task.pickup_lon, *origin)
        dropoff = point_from_lat_lon(task.dropoff_lat, task.dropoff_lon, *origin)
        courier_id = str(task.courier_id) if task.courier_id else None
        tasks.append(Task(id=str(task.id), pickup=pickup, dropoff=dropoff,
                          placed_at_min=_minutes(order.placed_at if order else task.created_at, now),
                          ready_at_min=min(0.0, _minutes(task.ready_at, now)) if waiting else _minutes(task.ready_at, now),
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
        lat, lon = (shift.lat, shift.lon) if shift.lat is not None else origin
        couriers.append(Courier(id=key, position=point_from_lat_lon(lat, lon, *origin), available_at_min=0.0,
                                shift_end_at_min=_minutes(shift.planned_end_at, now), capacity=shift.capacity,
                                route=tuple(routes.get(key, ())), workload=float(done.get(shift.courier_id, 0))))
    return tasks, couriers


def persist(plan, now):
    """Write the plan's assignments; returns ``[(task_id, courier_id), ...]`` actually written (the
    ones staff or an overlapping cycle did not take first)."""
    pairs = sorted((int(t), int(a.courier_id)) for a in plan.assignments for t in a.task_ids)
    return delivery_ops.assign_many_by_planner(pairs, now)


def run_cycle(store_id, now):
    """One cycle for one store; returns a short summary for the job log.

    Two transactions: the assignments (guarded, all or each skipped), then the predictions and late
    notices. The second takes order rows before task rows, like every other writer, in task-id order;
    predictions are advice, so a cycle whose second step fails has still assigned correctly.
    """
    from store_app.stores.operations import get_store

    with transaction():
        store = get_store(store_id)
        timezone = store.timezone
        tasks, couriers = load_snapshot(store, now)
        plan = planner.plan(tasks, couriers, 0.0, params_for(store))
        written = persist(plan, now)
    with transaction():
        late = delivery_ops.record_predictions(store_id, timezone, predictions(plan, now), now)
    return (f"store {store_id}: {len(tasks)} tasks, {len(couriers)} couriers, assigned {len(written)}"
            + (f" ({', '.join(f'task {t}->courier {c}' for t, c in written)})" if written else "")
            + (f"; running late, residents told: orders {', '.join(map(str, late))}" if late else ""))


def predictions(plan, now):
    """``{task_id: predicted hand-over}`` (aware datetimes) from the plan's minutes after ``now``."""
    return {int(task_id): now + timedelta(minutes=minutes) for task_id, minutes in plan.dropoff_times().items()}


def periodic_jobs():
    """The dispatcher's periodic jobs: one cycle per store (``dispatch:<store id>``) every
    ``dispatch_interval_s`` seconds of that store; needs an app context."""
    from store_app.stores.operations import list_stores

    return [PeriodicJob(f"dispatch:{store.id}", partial(run_cycle, store.id), store.dispatch_interval_s)
            for store in list_stores()]
