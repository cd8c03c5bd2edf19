"""Pure rules for recording a resident's activity: which calendar day of the store a moment falls on."""
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def activity_day(now, tz_name):
    """``(day, until)``: the store's local calendar day of aware ``now`` and the aware UTC moment that
    day ends (the next local midnight), so a cache knows until when the day's row is already written.
    23:30 and 00:30 store time are two days; a DST change moves ``until``, never the day."""
    zone = ZoneInfo(tz_name)
    local = now.astimezone(zone)
    next_midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
    return local.date(), next_midnight.astimezone(UTC)
