"""The staffing page's rules, pure: which past days are replayed, and the owner's courier counts."""
import math
import re
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

MAX_COURIERS_PER_HOUR = 20
_SEPARATORS = re.compile(r"[\s,，、;；]+")


class CountsFormatError(ValueError):
    """Courier counts that are not whole numbers from 0 to ``MAX_COURIERS_PER_HOUR``, one for every hour
    or one per hour; ``wrong_length`` tells the two apart."""

    def __init__(self, text, wrong_length=False):
        super().__init__(text)
        self.wrong_length = wrong_length


def parse_courier_counts(text, hours):
    """``"3"`` -> ``(3,) * hours``; ``"2, 3 3"`` (commas, spaces or Chinese commas) -> one count per hour;
    empty -> None. Raises ``CountsFormatError``."""
    parts = [p for p in _SEPARATORS.split((text or "").strip()) if p]
    if not parts:
        return None
    if not all(p.isascii() and p.isdigit() and int(p) <= MAX_COURIERS_PER_HOUR for p in parts):
        raise CountsFormatError(text)
    counts = tuple(int(p) for p in parts)
    if len(counts) == 1:
        return counts * hours
    if len(counts) != hours:
        raise CountsFormatError(text, wrong_length=True)
    return counts


def history_range(now, tz_name, weeks):
    """``(start, end)`` as aware UTC: the ``weeks`` * 7 whole local days before today (today is not
    over, so it is left out)."""
    zone = ZoneInfo(tz_name)
    today = now.astimezone(zone).date()
    return _midnight(today - timedelta(days=7 * weeks), zone), _midnight(today, zone)


def _midnight(day, zone):
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)


def local_slot(at, tz_name):
    """``(local date, weekday 0 = Monday, minutes since local midnight)`` of an aware datetime."""
    local = at.astimezone(ZoneInfo(tz_name))
    return local.date(), local.weekday(), local.hour * 60 + local.minute + local.second / 60


def hour_label(hour):
    """``9`` -> ``"09:00"``; ``24`` -> ``"24:00"``."""
    return f"{hour:02d}:00"


def percent(share):
    """``0.98`` -> ``"98%"``, ``0.975`` -> ``"97.5%"``: one decimal at most, none when whole; rounded
    down, so that 100% means every order."""
    value = math.floor(share * 1000 + 1e-9) / 10
    return f"{value:.0f}%" if value == int(value) else f"{value:.1f}%"


def clock_label(minutes):
    """Minutes since midnight -> ``"HH:MM"``."""
    whole = int(minutes)
    return f"{whole // 60:02d}:{whole % 60:02d}"
