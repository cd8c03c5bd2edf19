"""A synthetic day for one store, in the MDRP shape, so the simulator can replay it.

One pickup point (the store, at the origin ``r1``), picking takes a few minutes, drop-offs lie within
about 1.5 km, couriers ride e-bikes at about 250 m/min along roads ~1.35x the straight line, and the
promise is 30 minutes. Demand follows a curve over the opening hours (a lunch and an evening peak by
default). Pure and deterministic: the same spec and seed give the same day, so the staffing planner
can replay the store's own demand curve (``hourly_weights_from_history``) with other courier counts.
"""
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..model import Point
from .mdrp import CourierShift, Instance, InstanceParams, Order

STORE_ID = "r1"
# Share of the day's orders per opening hour, 07:00-23:00: breakfast, lunch and evening peaks.
DEFAULT_HOURLY_WEIGHTS = (2, 4, 4, 5, 8, 10, 6, 5, 5, 6, 9, 11, 9, 7, 5, 3)


@dataclass(frozen=True, slots=True)
class StoreDaySpec:
    """What the day looks like: demand, area, couriers, speeds (metres, minutes since midnight)."""

    orders: int = 100
    open_at_min: float = 7 * 60
    hourly_weights: tuple[float, ...] = DEFAULT_HOURLY_WEIGHTS  # one per opening hour
    couriers: int = 4                    # the demo store's couriers
    radius_m: float = 1500.0
    speed_m_per_min: float = 250.0       # e-bike
    detour_factor: float = 1.35          # roads vs the straight line (as the store's delivery quote)
    picking_min: tuple[int, int] = (3, 5)
    pickup_service_min: float = 2.0      # at the counter: one minute either side of the pickup moment
    dropoff_service_min: float = 3.0     # at the door, as the store's delivery quote (handover_min)
    promise_min: float = 30.0
    max_min: float = 60.0
    shift_tail_min: float = 30.0         # couriers stay on after closing to take the last orders

    @property
    def close_at_min(self) -> float:
        """Closing time: one hour per demand weight after opening."""
        return self.open_at_min + 60 * len(self.hourly_weights)


def hourly_weights_from_history(placed_at_min: Iterable[float], open_at_min: float,
                                close_at_min: float) -> tuple[float, ...]:
    """The demand curve of past orders: how many were placed in each opening hour (minutes since
    midnight, any number of days pooled), as weights for ``StoreDaySpec.hourly_weights``."""
    hours = math.ceil((close_at_min - open_at_min) / 60)
    counts = [0.0] * hours
    for minute in placed_at_min:
        index = int((minute % 1440 - open_at_min) // 60)
        if 0 <= index < hours:
            counts[index] += 1
    return tuple(counts)


def generate_store_day(spec: StoreDaySpec = StoreDaySpec(), seed: int = 7,
                       name: str = "store-day") -> Instance:
    """A deterministic store day: ``spec.orders`` orders spread over the opening hours by the demand
    curve, drop-offs uniform over a disc around the store, all couriers on from opening until
    ``shift_tail_min`` after closing, starting at the store."""
    rng = np.random.default_rng(seed)
    placed = _placements(spec, rng)
    picking = rng.integers(spec.picking_min[0], spec.picking_min[1] + 1, size=len(placed))
    radius = spec.radius_m * np.sqrt(rng.random(len(placed)))
    angle = 2 * math.pi * rng.random(len(placed))
    xs, ys = np.round(radius * np.cos(angle)), np.round(radius * np.sin(angle))
    orders = tuple(Order(f"o{i + 1}", Point(float(x), float(y)), float(p), STORE_ID, float(p + k))
                   for i, (x, y, p, k) in enumerate(zip(xs, ys, placed, picking)))
    store = Point(0.0, 0.0)
    off = spec.close_at_min + spec.shift_tail_min
    couriers = tuple(CourierShift(f"c{i + 1}", store, spec.open_at_min, off) for i in range(spec.couriers))
    params = InstanceParams(round(spec.speed_m_per_min / spec.detour_factor), spec.pickup_service_min,
                            spec.dropoff_service_min, spec.promise_min, spec.max_min, 0, 0)
    return Instance(name, {STORE_ID: store}, orders, couriers, params)


def _placements(spec: StoreDaySpec, rng: np.random.Generator) -> Sequence[float]:
    """Whole minutes at which the day's orders are placed, sorted."""
    weights = np.asarray(spec.hourly_weights, dtype=float)
    counts = rng.multinomial(spec.orders, weights / weights.sum())
    minutes = [spec.open_at_min + 60 * hour + m
               for hour, count in enumerate(counts) for m in rng.integers(0, 60, size=count)]
    return sorted(float(m) for m in minutes)
