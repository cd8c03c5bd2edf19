"""The owner's breakfast settings: checked as a whole, stored for the days created afterwards (a day
keeps the times it was made with; staff change one day's times on the days page)."""
from flask_babel import lazy_gettext as _l

from ..extensions import db
from . import errors
from .settings import get_settings

FIELDS = ("open_days_ahead", "order_cutoff_days_before", "order_cutoff_min", "cancel_cutoff_days_before",
          "cancel_cutoff_min", "pickup_start_min", "pickup_end_min", "grace_breakfasts", "claim_window_min",
          "low_balance_warning_h", "calendar")
RANGES = {
    "open_days_ahead": (1, 30), "order_cutoff_days_before": (0, 7), "cancel_cutoff_days_before": (0, 7),
    "order_cutoff_min": (0, 1439), "cancel_cutoff_min": (0, 1439), "pickup_start_min": (0, 1439),
    "pickup_end_min": (1, 1440), "grace_breakfasts": (0, 10), "claim_window_min": (5, 720),
    "low_balance_warning_h": (1, 48),
}


def _relative(days_before, minute):
    """Minutes from the pickup date's midnight (negative: before it)."""
    return minute - days_before * 24 * 60


def check_settings(values):
    """``SettingsInvalid`` on the first rule broken: every number in its range, the calendar known,
    the pickup window in order, the order cutoff before the window opens and after ordering opens,
    the cancel cutoff not after the order cutoff."""
    for name, (low, high) in RANGES.items():
        value = values[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise errors.SettingsInvalid(name, _l("Enter a whole number from %(min)s to %(max)s.", min=low, max=high))
    if values["calendar"] not in ("cn", "weekdays"):
        raise errors.SettingsInvalid("calendar", _l("Choose a school calendar from the list."))
    if values["pickup_start_min"] >= values["pickup_end_min"]:
        raise errors.SettingsInvalid("pickup_end", _l("The pickup window must end after it starts."))
    order_cutoff = _relative(values["order_cutoff_days_before"], values["order_cutoff_min"])
    if order_cutoff > values["pickup_start_min"]:
        raise errors.SettingsInvalid("order_cutoff_time",
                                     _l("The order cutoff must be before the pickup window starts."))
    if order_cutoff <= -values["open_days_ahead"] * 24 * 60:
        raise errors.SettingsInvalid("open_days_ahead",
                                     _l("Ordering must open before the order cutoff: open more days ahead."))
    if _relative(values["cancel_cutoff_days_before"], values["cancel_cutoff_min"]) > order_cutoff:
        raise errors.SettingsInvalid("cancel_cutoff_time", _l("The cancel cutoff must not be after the order cutoff."))


def update_settings(store_id, **values):
    """Store the owner's settings (every name of ``FIELDS``) after ``check_settings``."""
    missing = [name for name in FIELDS if name not in values]
    if missing:
        raise TypeError(f"missing settings: {missing}")
    check_settings(values)
    settings = get_settings(store_id)
    for name in FIELDS:
        setattr(settings, name, values[name])
    db.session.flush()
    return settings
