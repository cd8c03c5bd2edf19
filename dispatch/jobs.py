"""One production dispatch cycle: snapshot from the database -> the pure planner -> guarded writes.

Everything happens in one transaction. Each assignment is written with guarded UPDATEs (the order
must still be ``ready`` with no courier, the task still ``open``), inside a savepoint: if staff or
an overlapping cycle got there first, that assignment is skipped and the rest still commit. So two
cycles can never give one task to two couriers, and a picked-up task is never touched.

Times: minutes relative to ``now`` (``now`` is minute 0). Positions: metres around the store.
"""
from store_app.database import transaction
from store_app.deliveries import operations as delivery_ops

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
    for shift in delivery_ops.list_open_shifts(store.id, now):
        key = str(shift.courier_id)
        lat, lon = (shift.lat, shift.lon) if shift.lat is not None else origin
        couriers.append(Courier(id=key, position=point_from_lat_lon(lat, lon, *origin), available_at_min=0.0,
                                shift_end_at_min=_minutes(shift.planned_end_at, now), capacity=shift.capacity,
                                route=tuple(routes.get(key, ()))))
    return tasks, couriers


def persist(plan, now):
    """Write the plan's assignments; returns ``[(task_id, courier_id), ...]`` actually written."""
    from store_app.extensions import db

    written = []
    # Task-id order, as every writer takes rows: two cycles with different plans never deadlock.
    pairs = sorted((int(t), int(a.courier_id)) for a in plan.assignments for t in a.task_ids)
    for task_id, courier_id in pairs:
        try:
            with db.session.begin_nested():
                delivery_ops.assign_by_planner(task_id, courier_id, now)
        except delivery_ops.AssignmentLost:
            continue
        written.append((task_id, courier_id))
    return written


def run_cycle(store_id, now):
    """One cycle for one store, in one transaction; returns a short summary for the job log."""
    from store_app.stores.operations import get_store

    with transaction():
        store = get_store(store_id)
        tasks, couriers = load_snapshot(store, now)
        plan = planner.plan(tasks, couriers, 0.0, params_for(store))
        written = persist(plan, now)
    return (f"store {store_id}: {len(tasks)} tasks, {len(couriers)} couriers, assigned {len(written)}"
            + (f" ({', '.join(f'task {t}->courier {c}' for t, c in written)})" if written else ""))


