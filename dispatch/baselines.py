"""Greedy reference policy, for comparison with the planner.

First come, first served: tasks in placement order (ties by id) each go at once, alone, to the nearest
idle courier (free now, committed route done, able to pick up before the shift ends). No bundling, no
look-ahead, no waiting for a better courier.
"""
from collections.abc import Sequence

import numpy as np

from .geo import distance_matrix_m, travel_min_array, xy
from .model import Assignment, Courier, Params, Plan, Task
from .planner import make_pool
from .routes import bundle_offsets


def greedy(tasks: Sequence[Task], couriers: Sequence[Courier], now: float, params: Params) -> Plan:
    """One greedy cycle at ``now`` (minutes): every open task to the nearest idle courier, alone."""
    open_tasks = sorted((t for t in tasks if t.courier_id is None), key=lambda t: (t.placed_at_min, t.id))
    pool = make_pool(sorted(couriers, key=lambda c: c.id), now, params)
    idle = pool.free_at_min <= now
    if not open_tasks or not idle.any():
        return Plan(unplanned_task_ids=tuple(sorted(t.id for t in open_tasks)))
    metres = distance_matrix_m(xy(t.pickup for t in open_tasks), pool.free_xy)
    travel = travel_min_array(metres, params)
    ready = np.array([t.ready_at_min for t in open_tasks])
    pickup = np.maximum(ready[:, None], now + travel + params.pickup_service_min / 2)
    allowed = idle[None, :] & (pickup <= pool.shift_end_at_min[None, :])
    allowed &= np.array([t.size for t in open_tasks])[:, None] <= pool.capacity[None, :]
    assignments, unplanned = [], []
    for i, task in enumerate(open_tasks):
        if not allowed[i].any():
            unplanned.append(task.id)
            continue
        # argmin takes the first of equal distances: the lowest courier id, as the pool is sorted.
        row = int(np.argmin(np.where(allowed[i], metres[i], np.inf)))
        allowed[:, row] = False
        drops, _end = bundle_offsets([task], params)
        assignments.append(Assignment(pool.couriers[row].id, (task.id,), task.pickup_group, now,
                                      float(pickup[i, row]), (float(pickup[i, row]) + drops[0],)))
    return Plan(assignments=tuple(assignments), unplanned_task_ids=tuple(sorted(unplanned)))
