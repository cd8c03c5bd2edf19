"""Breakfast's periodic jobs, per store. ``periodic_jobs()`` returns a plain list: each part of the
breakfast line adds its own jobs to it.

- ``breakfast:open:<store id>``: every few minutes, the breakfast days of the school dates from
  today to ``open_days_ahead`` ahead are made (``operations.ensure_day``), so subscription days take
  their portions as each day opens, before any parent can order on it by hand.

Registered with the scheduler by ``create_app`` (``store_app.jobs.registry``).
"""
from datetime import timedelta
from functools import partial

from ..database import transaction
from ..jobs.registry import PeriodicJob
from ..stores.operations import get_store, list_stores
from . import errors, rules
from .menu import has_active_items
from .operations import ensure_day
from .settings import get_settings, store_overrides

# A day opens at midnight (store time) N days ahead: a few minutes late is still on time.
OPEN_INTERVAL_S = 300


def periodic_jobs():
    """Every breakfast job of every store; needs an app context."""
    jobs = []
    for store in list_stores():
        jobs.append(PeriodicJob(f"breakfast:open:{store.id}", partial(open_days, store.id), OPEN_INTERVAL_S))
    return jobs


def open_days(store_id, now):
    """Make the store's breakfast days from today to ``open_days_ahead`` ahead, in one transaction:
    school dates only, and only while ordering can still happen (a date whose order cutoff has passed
    is left alone); a store without an active breakfast item opens none. Run twice, it makes each day once. Returns the job log's summary."""
    made = 0
    with transaction():
        store = get_store(store_id)
        if store is None:
            return f"store {store_id}: gone"
        if not has_active_items(store_id):
            return f"store {store_id}: no breakfast menu"
        settings = get_settings(store_id)
        overrides = store_overrides(store_id)
        today = rules.local_today(now, store.timezone)
        for offset in range(settings.open_days_ahead + 1):
            day = today + timedelta(days=offset)
            if not rules.is_school_day(day, overrides, settings.calendar)[0]:
                continue
            if rules.times_from_settings(day, store.timezone, settings).order_cutoff_at <= now:
                continue
            try:
                created = ensure_day(store, day, now)
            except errors.NotSchoolDay:
                continue
            made += created.created_at == now
    return f"store {store_id}: {made} breakfast days opened"
