"""What growth's console forms type, as the operations take it: the store's local date and time as
aware UTC (and back), yuan as cents with our own message."""
from datetime import timezone
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from ..database import MoneyError, parse_cents
from . import errors

MONEY = _l("Enter an amount in yuan, e.g. 12.50.")
MAX_CENTS = 100_000_000   # ¥1,000,000: far above any coupon or campaign budget, far inside a column
TOO_MUCH = _l("Enter an amount up to ¥1,000,000.")


YEARS = _l("Choose a date between the years 2000 and 2100.")


def to_utc(local, tz_name, field=None):
    """A naive local date and time of the store -> aware UTC; a date far outside this century is
    refused (``FormInvalid`` on ``field``) before it can overflow."""
    if not 2000 <= local.year <= 2100:
        raise errors.FormInvalid(field, YEARS)
    return local.replace(tzinfo=ZoneInfo(tz_name)).astimezone(timezone.utc)


def to_local(moment, tz_name):
    """Aware UTC -> the store's naive local date and time, for a form."""
    return moment.astimezone(ZoneInfo(tz_name)).replace(tzinfo=None)


def yuan_cents(form, name, *, optional=True):
    """The cents typed (as yuan) in field ``name``: None when empty and ``optional``; refused with
    our message (``FormInvalid`` on that field) otherwise."""
    text = (getattr(form, name).data or "").strip()
    if not text:
        if optional:
            return None
        raise errors.FormInvalid(name, MONEY)
    try:
        cents = parse_cents(text)
    except MoneyError:
        raise errors.FormInvalid(name, MONEY) from None
    if cents > MAX_CENTS:
        raise errors.FormInvalid(name, TOO_MUCH)
    return cents
