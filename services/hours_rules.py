"""Pure rules on a vendor's weekly hours: the days of a pattern as an RFC 5545 RRULE (checked with
``dateutil.rrule``) and times of day as minutes after local midnight. No Flask, no database."""
from dateutil.rrule import rrulestr

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_NOTICE_MIN = 14 * 24 * 60  # a vendor's minimum notice: at most two weeks


def weekly_rrule(days):
    """``["WE", "MO"]`` -> ``"FREQ=WEEKLY;BYDAY=MO,WE"`` (days in week order, each once), checked by
    ``dateutil.rrule.rrulestr``; ``ValueError`` for no day or an unknown one."""
    chosen = set(days or ())
    if not chosen or not chosen <= set(WEEKDAYS):
        raise ValueError("days")
    text = "FREQ=WEEKLY;BYDAY=" + ",".join(day for day in WEEKDAYS if day in chosen)
    rrulestr(text, dtstart=None)
    return text


def rrule_days(text):
    """The weekday codes of a weekly RRULE (``"FREQ=WEEKLY;BYDAY=MO,WE"`` -> ``["MO", "WE"]``); the
    days in week order, an empty list when the rule names none."""
    for part in (text or "").split(";"):
        key, _, value = part.partition("=")
        if key.upper() == "BYDAY":
            named = {day.strip().upper() for day in value.split(",")}
            return [day for day in WEEKDAYS if day in named]
    return []


def clock_minutes(hours, minutes):
    """``(8, 30)`` -> ``510``: a time of day as minutes after midnight; ``24:00`` is allowed as the end
    of a day (1440). ``ValueError`` outside the day."""
    total = hours * 60 + minutes
    if not (0 <= hours <= 24 and 0 <= minutes < 60 and total <= 1440):
        raise ValueError("clock")
    return total


def clock_text(total_min):
    """``510`` -> ``"08:30"``."""
    return f"{total_min // 60:02d}:{total_min % 60:02d}"
