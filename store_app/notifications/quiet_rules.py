"""Which pushes a resident may turn off, and the quiet hours: pure rules on plain values.

Marketing pushes (``OPTIONAL_KINDS``) can be turned off one kind at a time on the resident's
settings page; service and order notices (a parcel waiting, an order late) are always on and never
held back. During quiet hours (22:00 to 08:00 on the store's wall clock) a marketing push is not
sent and not dropped: it is deferred to the end of the quiet hours, 08:00.
"""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

# Push kinds a resident may turn off, in the order the settings page lists them.
BREAKFAST_REMINDER = "breakfast_reminder"   # a school-morning breakfast reminder
OFFERS = "offers"                           # offers and coupons (a rainy-evening delivery offer...)
WIN_BACK = "win_back"                       # "we miss you" to residents who have not ordered lately
OPTIONAL_KINDS = (BREAKFAST_REMINDER, OFFERS, WIN_BACK)

QUIET_START = time(22, 0)   # store time: from this minute on, marketing pushes wait...
QUIET_END = time(8, 0)      # ...until this minute (the next morning when the evening has started)


def is_optional(kind):
    """True for a push kind the resident may turn off; every other notice is always on."""
    return kind in OPTIONAL_KINDS


def is_quiet(now, tz_name):
    """True when ``now`` (aware) falls in the quiet hours on the store's wall clock: 22:00 inclusive
    to 08:00 exclusive, across midnight."""
    clock = now.astimezone(ZoneInfo(tz_name)).time()
    return clock >= QUIET_START or clock < QUIET_END


def quiet_ends_at(now, tz_name):
    """The end of the quiet hours ``now`` falls in (the coming 08:00 store time, as aware UTC), or
    None when ``now`` is not quiet: when a deferred push goes out."""
    if not is_quiet(now, tz_name):
        return None
    zone = ZoneInfo(tz_name)
    local = now.astimezone(zone)
    day = local.date() + timedelta(days=1) if local.time() >= QUIET_START else local.date()
    return datetime.combine(day, QUIET_END, tzinfo=zone).astimezone(timezone.utc)


def send_at(now, tz_name):
    """When a marketing push due at ``now`` may go out: ``now`` itself, or the end of the quiet hours."""
    return quiet_ends_at(now, tz_name) or now
