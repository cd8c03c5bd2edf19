"""The MDRP solution files and the day's summary.

Files (whitespace-separated, header first, minutes since the start of the day):
``solution_info_assignments.txt`` (``assignment_time pickup_time courier order [order ...]``),
``solution_info_orders.txt`` (``order placement_time ready_time pickup_time dropoff_time courier``),
``solution_info_couriers.txt`` (``courier departure_time origin destination``, grouped per courier).
"""
import json
from pathlib import Path

import numpy as np

from ..geo import distance_matrix_m, rowwise_distance_m, travel_min_array, xy
from ..model import Params
from .engine import SimResult
from .mdrp import Instance, courier_hours

ASSIGNMENTS_FILE = "solution_info_assignments.txt"
ORDERS_FILE = "solution_info_orders.txt"
COURIERS_FILE = "solution_info_couriers.txt"
SUMMARY_FILE = "summary.json"


def minutes_text(value: float) -> str:
    """A time for the files: an integer when whole, else up to nine decimals without trailing zeros."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.9f}".rstrip("0").rstrip(".")


def write_solution(result: SimResult, directory: str | Path) -> None:
    """Write the three solution files into ``directory`` (created if needed)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    lines = ["assignment_time pickup_time courier order"]
    lines += [" ".join([minutes_text(b.assigned_at_min), minutes_text(b.pickup_at_min), b.courier_id,
                        *b.order_ids]) for b in result.bundles]
    (directory / ASSIGNMENTS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["order placement_time ready_time pickup_time dropoff_time courier"]
    lines += [" ".join([d.order_id, minutes_text(d.placed_at_min), minutes_text(d.ready_at_min),
                        minutes_text(d.pickup_at_min), minutes_text(d.dropoff_at_min), d.courier_id])
              for d in sorted(result.deliveries, key=lambda d: _id_key(d.order_id))]
    (directory / ORDERS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    # Grouped per courier, in the order the moves happen (the engine records each courier's in order).
    by_courier: dict[str, list] = {}
    for move in result.moves:
        by_courier.setdefault(move.courier_id, []).append(move)
    lines = ["courier departure_time origin destination"]
    lines += [" ".join([m.courier_id, minutes_text(m.depart_at_min), m.origin, m.destination])
              for courier_id in sorted(by_courier, key=_id_key) for m in by_courier[courier_id]]
    (directory / COURIERS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _id_key(identifier: str):
    """``c2`` before ``c10``: the number in an MDRP id, then the id itself."""
    digits = "".join(ch for ch in identifier if ch.isdigit())
    return (int(digits) if digits else -1, identifier)


def lower_bounds_min(instance: Instance, params: Params) -> dict[str, float]:
    """Per order, click-to-door as if a courier were already waiting at the restaurant (minutes):
    (ready - placement) + pickup_service/2 + travel(restaurant, customer) + dropoff_service/2."""
    orders = instance.orders
    restaurants = xy(instance.restaurants[o.restaurant] for o in orders)
    travel = travel_min_array(rowwise_distance_m(restaurants, xy(o.dropoff for o in orders)), params)
    return {o.id: float(o.ready_at_min - o.placed_at_min + params.pickup_service_min / 2 + t
                        + params.dropoff_service_min / 2) for o, t in zip(orders, travel)}


def summarize(instance: Instance, result: SimResult, params: Params, policy: str) -> dict:
    """The day's scores (minutes, shares in 0..1). Click-to-door statistics are over delivered orders;
    the shares over the target and the maximum are over all orders, an undelivered order counting as over
    both; the lower bound is the mean over all orders. Cycle times are over the cycles that called the
    policy (those with open orders); ``p95_busiest_cycle_ms`` over the 60 with the most open orders."""
    click_to_door = np.array([d.dropoff_at_min - d.placed_at_min for d in result.deliveries], dtype=float)
    bounds = lower_bounds_min(instance, params)
    n_orders, n_delivered = len(instance.orders), len(result.deliveries)
    missing = n_orders - n_delivered
    cycles = np.array(result.cycle_ms, dtype=float) if result.cycle_ms else np.zeros(1)
    mean_ctd = float(click_to_door.mean()) if n_delivered else float("nan")
    lower = float(np.mean(list(bounds.values())))
    return {
        "instance": instance.name,
        "policy": policy,
        "orders": n_orders,
        "delivered": n_delivered,
        "mean_click_to_door_min": round(mean_ctd, 3),
        "p90_click_to_door_min": round(float(np.percentile(click_to_door, 90)), 3) if n_delivered else None,
        "share_over_target": round((int((click_to_door > params.target_min).sum()) + missing) / n_orders, 4),
        "share_over_max": round((int((click_to_door > params.max_min).sum()) + missing) / n_orders, 4),
        "lower_bound_mean_min": round(lower, 3),
        "mean_over_lower_bound": round(mean_ctd / lower, 4) if n_delivered else None,
        "orders_per_courier_hour": round(n_delivered / courier_hours(instance), 3),
        "bundles": len(result.bundles),
        "cycles": len(result.cycle_ms),
        "p95_cycle_ms": round(float(np.percentile(cycles, 95)), 3),
        "p95_busiest_cycle_ms": round(busiest_cycle_p95_ms(result), 3),
        "max_cycle_ms": round(float(cycles.max()), 3),
        "wall_s": round(result.wall_s, 3),
        "peak_rss_mb": round(result.peak_rss_mb, 1),
    }


def busiest_cycle_p95_ms(result: SimResult, cycles: int = 60) -> float:
    """p95 wall milliseconds of the ``cycles`` policy calls that had the most open tasks (the busiest
    hour's worth at one cycle a minute)."""
    if not result.cycle_ms:
        return 0.0
    order = np.argsort(-np.array(result.cycle_open_tasks), kind="stable")[:cycles]
    return float(np.percentile(np.array(result.cycle_ms)[order], 95))


def deliverable_orders(instance: Instance, params: Params) -> set[str]:
    """Orders some courier could deliver at all: leaving its on-location when both it is on shift and
    the order is placed, it would pick up before its shift ends. An upper bound for any policy."""
    orders = instance.orders
    restaurants = xy(instance.restaurants[o.restaurant] for o in orders)
    starts = xy(c.position for c in instance.couriers)
    travel = travel_min_array(distance_matrix_m(restaurants, starts), params)
    placed = np.array([o.placed_at_min for o in orders], dtype=float)[:, None]
    ready = np.array([o.ready_at_min for o in orders], dtype=float)[:, None]
    on = np.array([c.on_at_min for c in instance.couriers], dtype=float)[None, :]
    off = np.array([c.off_at_min for c in instance.couriers], dtype=float)[None, :]
    pickup = np.maximum(ready, np.maximum(on, placed) + travel + params.pickup_service_min / 2)
    possible = (pickup <= off).any(axis=1)
    return {o.id for o, ok in zip(orders, possible) if ok}


def write_summary(summary: dict, directory: str | Path) -> None:
    """Write ``summary.json`` into ``directory``."""
    path = Path(directory) / SUMMARY_FILE
    path.write_text(json.dumps(summary, indent=2, sort_keys=False) + "\n", encoding="utf-8")
