"""The board's charts laid out for SVG, pure: bars (a distribution, cohorts) or a line (a value per
day), with a value axis of round ticks and a label axis that skips labels when there are many.
``templates/reports/_chart.html`` draws a ``Chart``; the table under each chart carries the numbers.
"""
import math
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 96, 16, 16, 40
# More categories than this: only every k-th is labelled. On a phone the 720-unit chart is drawn at
# about half size with 24-unit text, so a "12-01" label needs some 75 units: 7 labels fit, 10 overlap.
MAX_LABELS = 7
MAX_POINTS = 62  # a line with more values than this has no markers


@dataclass(frozen=True)
class Bar:
    """One category's rectangle (SVG units) and its value as text (for its tooltip)."""

    x: float
    y: float
    width: float
    height: float
    label: str
    text: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    text: str


@dataclass(frozen=True)
class Tick:
    """An axis tick: where along the axis (SVG units) and its text."""

    at: float
    label: str


@dataclass(frozen=True)
class Chart:
    """Everything the template draws: bars or a line (``path`` through ``points``), and the axes."""

    kind: str                 # "bar" or "line"
    width: int
    height: int
    left: float
    top: float
    bottom_y: float           # the value axis's zero, in SVG units
    right_x: float
    bars: tuple
    points: tuple
    path: str
    value_ticks: tuple
    label_ticks: tuple
    empty: bool               # nothing but zeros or unknowns: the template says so instead

    @property
    def view_box(self):
        return f"0 0 {self.width} {self.height}"


def nice_step(top, count=4):
    """A round step (1, 2, 2.5 or 5 times a power of ten) so that ``count`` steps reach ``top``."""
    if top <= 0:
        return 1
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _frame(values, value_text, count, ceiling=None):
    known = [v for v in values if v is not None]
    top = ceiling if ceiling is not None else max(known, default=0)
    step = nice_step(top)
    axis_top = step * max(1, math.ceil(top / step)) if top > 0 else step * 4
    plot_h = HEIGHT - TOP - BOTTOM
    scale = lambda v: HEIGHT - BOTTOM - plot_h * v / axis_top  # noqa: E731
    ticks = tuple(Tick(round(scale(step * i), 2), value_text(step * i))
                  for i in range(int(round(axis_top / step)) + 1))
    slot = (WIDTH - LEFT - RIGHT) / max(1, count)
    return scale, ticks, slot, not any(known)


def _label_ticks(labels, slot):
    every = max(1, math.ceil(len(labels) / MAX_LABELS))
    return tuple(Tick(round(LEFT + slot * (i + 0.5), 2), label) for i, label in enumerate(labels) if i % every == 0)


def bar_chart(labels, values, value_text=str, ceiling=None):
    """Bars, one per label; a None value draws no bar (unknown, not zero). ``ceiling`` fixes the
    axis's top (1.0 for shares) instead of the largest value."""
    scale, ticks, slot, empty = _frame(values, value_text, len(labels), ceiling)
    bars = []
    for i, (label, value) in enumerate(zip(labels, values)):
        if value is None:
            continue
        y = scale(value)
        bars.append(Bar(round(LEFT + slot * i + slot * 0.1, 2), round(y, 2), round(slot * 0.8, 2),
                        round(HEIGHT - BOTTOM - y, 2), label, value_text(value)))
    return Chart("bar", WIDTH, HEIGHT, LEFT, TOP, HEIGHT - BOTTOM, WIDTH - RIGHT, tuple(bars), (), "",
                 ticks, _label_ticks(labels, slot), empty)


def line_chart(labels, values, value_text=str):
    """A line through one point per label (a None value breaks the line). Up to ``MAX_POINTS`` values
    each get a marker with its value; more are drawn as the line alone (a year is 365 days)."""
    scale, ticks, slot, empty = _frame(values, value_text, len(labels))
    marked = sum(value is not None for value in values) <= MAX_POINTS
    points, parts, pen_down = [], [], False
    for i, (label, value) in enumerate(zip(labels, values)):
        if value is None:
            pen_down = False
            continue
        x, y = round(LEFT + slot * (i + 0.5), 2), round(scale(value), 2)
        parts.append(f"{'L' if pen_down else 'M'}{x} {y}")
        if marked:
            points.append(Point(x, y, label, value_text(value)))
        pen_down = True
    return Chart("line", WIDTH, HEIGHT, LEFT, TOP, HEIGHT - BOTTOM, WIDTH - RIGHT, (), tuple(points),
                 " ".join(parts), ticks, _label_ticks(labels, slot), empty)
