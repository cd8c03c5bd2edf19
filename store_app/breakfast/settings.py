"""A store's breakfast settings and its school calendar (the national one and the store's overrides)."""
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from . import rules
from .models import BreakfastSettings, CalendarOverride


def get_settings(store_id):
    """The store's breakfast settings (the defaults, stored, the first time). Two first requests at once
    store them once: the loser's insert is undone by its savepoint and it reads the winner's row."""
    settings = db.session.get(BreakfastSettings, store_id)
    if settings is not None:
        return settings
    try:
        with db.session.begin_nested():
            settings = BreakfastSettings(store_id=store_id, open_days_ahead=3, order_cutoff_days_before=1,
                                         order_cutoff_min=21 * 60, cancel_cutoff_days_before=1,
                                         cancel_cutoff_min=21 * 60, pickup_start_min=390, pickup_end_min=510,
                                         grace_breakfasts=2, claim_window_min=60, low_balance_warning_h=3,
                                         calendar="cn")
            db.session.add(settings)
            db.session.flush()
    except IntegrityError:
        settings = db.session.get(BreakfastSettings, store_id, populate_existing=True)
        if settings is None:
            raise
    return settings


def store_overrides(store_id):
    """The store's calendar overrides as ``rules.Override`` values, oldest first (a later one wins)."""
    rows = db.session.scalars(db.select(CalendarOverride).where(CalendarOverride.store_id == store_id)
                              .order_by(CalendarOverride.id))
    return [rules.Override(row.kind, row.starts_on, row.ends_on, row.rrule) for row in rows]


def school_day(store, day):
    """``(is_school_day, known)`` for the store on ``day``."""
    return rules.is_school_day(day, store_overrides(store.id), get_settings(store.id).calendar)


def is_make_up_day(day, calendar="cn"):
    """A weekend date that is a school day (调休)."""
    return day.weekday() >= 5 and rules.national_school_day(day, calendar)[0]
