"""Pure arithmetic for the owner's home: the day so far, and the same weekday last week."""
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Window:
    """A stretch of time in aware UTC, ``start <= t < end``."""

    start: datetime
    end: datetime


def today_and_last_week(now, tz_name):
    """``(today, last_week)``: today from the store's local midnight up to ``now``, and the same weekday
    seven days earlier from its local midnight up to the same wall-clock time (so a morning is compared
    with a morning). Both in aware UTC; wall-clock arithmetic, so a DST change does not shift them."""
    local = now.astimezone(ZoneInfo(tz_name))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    week_ago, midnight_week_ago = local - timedelta(days=7), midnight - timedelta(days=7)
    # zoneinfo computes the offset from the wall-clock time, so each moment gets the offset of its own day.
    return (Window(midnight.astimezone(UTC), now),
            Window(midnight_week_ago.astimezone(UTC), week_ago.astimezone(UTC)))


def on_time_share(on_time, delivered):
    """The share of delivered orders handed over by their promise, 0.0-1.0; None with no deliveries."""
    if not delivered:
        return None
    return on_time / delivered


def change(today, last_week):
    """``(difference, direction)`` of ``today`` against ``last_week``: direction is "up", "down", "same",
    or None when either side is unknown (None)."""
    if today is None or last_week is None:
        return None, None
    difference = today - last_week
    if abs(difference) < 1e-9:
        return 0, "same"
    return difference, "up" if difference > 0 else "down"


def percent_change(today, last_week):
    """``today`` against ``last_week`` as a whole percentage (+25, -40), None when last week had none."""
    if today is None or not last_week:
        return None
    return round((today - last_week) * 100 / last_week)
