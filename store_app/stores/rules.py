"""Pure rules about opening hours. Plain values in, plain values out; ``now`` is an argument."""
import math
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = range(7)
_HOURS_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class HoursFormatError(ValueError):
    """A text that is not ``HH:MM-HH:MM``."""


# A Chinese keyboard types full-width punctuation: accept it as the ASCII it stands for.
_FULL_WIDTH = str.maketrans({"：": ":", "－": "-", "—": "-", "–": "-", "～": "-", "~": "-", "，": ","})


def normalise_hours_text(text):
    """Full-width colons, dashes and commas -> ASCII."""
    return (text or "").translate(_FULL_WIDTH)


def parse_interval(text):
    """``"07:00-23:00"`` -> ``(420, 1380)``; ``"00:00-24:00"`` is all day; ``"22:00-02:00"`` runs past midnight."""
    match = _HOURS_RE.match(normalise_hours_text(text))
    if not match:
        raise HoursFormatError(text)
    oh, om, ch, cm = (int(g) for g in match.groups())
    if oh > 23 or om > 59 or ch > 24 or cm > 59 or (ch == 24 and cm):
        raise HoursFormatError(text)
    opens, closes = oh * 60 + om, ch * 60 + cm
    if closes == 0:
        closes = 1440
    if opens == closes:
        raise HoursFormatError(text)
    return opens, closes


def format_minutes(minutes):
    """``420`` -> ``"07:00"``; ``1440`` -> ``"24:00"``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_interval(opens_min, closes_min):
    """``(420, 1380)`` -> ``"07:00-23:00"``."""
    return f"{format_minutes(opens_min)}-{format_minutes(closes_min)}"


def is_valid_timezone(name):
    """True when ``name`` is an IANA zone that zoneinfo knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return True


def is_on_earth(lat, lon):
    """True for a finite latitude in [-90, 90] and longitude in [-180, 180] (the store's own place)."""
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return False
    return math.isfinite(lat) and math.isfinite(lon) and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0


def local_time(now, tz_name):
    """``now`` (aware) seen on the store's wall clock."""
    return now.astimezone(ZoneInfo(tz_name))


def is_open(intervals, now, tz_name):
    """Whether a store with these ``(weekday, opens_min, closes_min)`` intervals is open at ``now``.

    Evaluated in the store's time zone; an interval that closes at or before it opens runs on
    into the next day.
    """
    local = local_time(now, tz_name)
    minute = local.hour * 60 + local.minute
    today = local.weekday()
    yesterday = (today - 1) % 7
    for weekday, opens, closes in intervals:
        overnight = closes <= opens
        if weekday == today and opens <= minute < (1440 if overnight else closes):
            return True
        if overnight and weekday == yesterday and minute < closes:
            return True
    return False


def next_opening(intervals, now, tz_name):
    """The next aware datetime (store zone) at which the store opens, or None if it never does."""
    if not intervals:
        return None
    local = local_time(now, tz_name)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    candidates = []
    for day_offset in range(8):
        day = midnight + timedelta(days=day_offset)
        for weekday, opens, _closes in intervals:
            if weekday == day.weekday():
                start = datetime.combine(day.date(), datetime.min.time(), day.tzinfo) + timedelta(minutes=opens)
                if start > local:
                    candidates.append(start)
        if candidates:
            return min(candidates)
    return None


def overlapping_days(intervals):
    """The weekdays on which two intervals overlap (or start at the same minute)."""
    days = set()
    by_day = {}
    for weekday, opens, closes in intervals:
        by_day.setdefault(weekday, []).append((opens, closes if closes > opens else 1440))
        if closes <= opens:  # the part after midnight belongs to the next day
            by_day.setdefault((weekday + 1) % 7, []).append((0, closes))
    for weekday, spans in by_day.items():
        spans.sort()
        if any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:])):
            days.add(weekday)
    return days


def hours_by_weekday(intervals):
    """``{weekday: ["07:00-23:00", ...]}`` for display, every weekday present (empty = closed)."""
    table = {day: [] for day in WEEKDAYS}
    for weekday, opens, closes in sorted(intervals):
        table[weekday].append(format_interval(opens, closes))
    return table
