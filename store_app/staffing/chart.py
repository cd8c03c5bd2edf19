"""The staffing chart laid out for SVG, pure: orders per hour as bars (left axis), couriers per hour as
a line with markers (right axis). The template draws it; the table beside it carries the same numbers.
"""
import math
from dataclasses import dataclass

from .rules import hour_label

WIDTH, HEIGHT = 720, 300          # SVG units; the chart scales to its box
LEFT, RIGHT, TOP, BOTTOM = 56, 56, 24, 44   # margins for the axes' labels
MAX_HOUR_LABELS = 12              # more hours than this: every other hour is labelled


@dataclass(frozen=True)
class Bar:
    """One hour's orders: a rectangle and what it means."""

    x: float
    y: float
    width: float
    height: float
    hour: str
    orders: int


@dataclass(frozen=True)
class Marker:
    """One hour's courier count at the centre of its slot."""

    x: float
    y: float
    hour: str
    couriers: int


@dataclass(frozen=True)
class Tick:
    """An axis tick: where (SVG units along the axis) and its text."""

    at: float
    label: str


@dataclass(frozen=True)
class StaffingChart:
    """Everything ``templates/staffing/_chart.html`` draws."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: tuple[Bar, ...]
    recommended: tuple[Marker, ...]
    yours: tuple[Marker, ...]
    order_ticks: tuple[Tick, ...]
    courier_ticks: tuple[Tick, ...]
    hour_ticks: tuple[Tick, ...]

    @property
    def view_box(self):
        return f"0 0 {self.width} {self.height}"

    @staticmethod
    def line(markers):
        """``"x,y x,y ..."`` for ``<polyline points>``."""
        return " ".join(f"{m.x},{m.y}" for m in markers)


def nice_top(value, ticks=4):
    """The smallest 1, 2 or 5 times a power of ten, times ``ticks``, at or above ``value`` (at least
    ``ticks``): an axis top whose ``ticks`` steps are round whole numbers."""
    step_needed = max(1.0, value / ticks)
    power = 10 ** math.floor(math.log10(step_needed))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= step_needed)
    return int(step * ticks)


def build_chart(hours, orders, recommended, yours=None):
    """Lay out the chart for ``hours`` (hour of day of each slot) with ``orders`` per hour, the
    ``recommended`` couriers and optionally the owner's own counts ``yours`` (all one per hour)."""
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(hours))
    bottom = HEIGHT - BOTTOM
    span = bottom - TOP
    orders_top = nice_top(max(orders, default=0))
    couriers_top = nice_top(max([*recommended, *(yours or ())], default=0))

    def centre(i):
        return round(LEFT + slot * (i + 0.5), 1)

    def y_for(value, top):
        return round(bottom - span * value / top, 1)

    bars = tuple(Bar(round(centre(i) - slot * 0.3, 1), y_for(n, orders_top), round(slot * 0.6, 1),
                     round(span * n / orders_top, 1), hour_label(h), n)
                 for i, (h, n) in enumerate(zip(hours, orders)))

    def markers(counts):
        return tuple(Marker(centre(i), y_for(n, couriers_top), hour_label(h), n)
                     for i, (h, n) in enumerate(zip(hours, counts)))

    every = 1 if len(hours) <= MAX_HOUR_LABELS else 2
    return StaffingChart(
        WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, TOP, bottom, bars, markers(recommended), markers(yours or ()),
        tuple(Tick(y_for(v, orders_top), str(v)) for v in range(0, orders_top + 1, orders_top // 4)),
        tuple(Tick(y_for(v, couriers_top), str(v)) for v in range(0, couriers_top + 1, couriers_top // 4)),
        tuple(Tick(centre(i), hour_label(h)) for i, h in enumerate(hours) if i % every == 0))
