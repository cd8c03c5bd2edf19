"""Breakfast's periodic jobs, per store (registered with the scheduler by ``create_app``). Each job
runs one idempotent pass in its own transaction and returns the job log's summary.

- ``breakfast:open:<store id>``: every few minutes, the breakfast days of the school dates from
  today to ``open_days_ahead`` ahead are made (``operations.ensure_day``), so subscription days take
  their portions as each day opens, before any parent can order on it by hand.
- ``breakfast:waitlist:<store id>``: unclaimed waitlist offers past their window expire and their
  portions pass to the next parent waiting.
- ``breakfast:freeze:<store id>``: a day whose order cutoff has come is frozen: charged, prep sheet
  version 1, the kitchen told.
- ``breakfast:low_balance:<store id>``: parents whose wallet will not cover the coming charge are warned.
- ``breakfast:morning:<store id>``: the school-morning reminder when the pickup window opens.
- ``breakfast:pickup_end:<store id>``: at the end of the window, what is left is a no-show.
"""
from datetime import timedelta
from functools import partial

from ..database import transaction
from ..jobs.registry import PeriodicJob
from ..stores.operations import get_store, list_stores
from . import desk, errors, freeze, reminders, rules, waitlist_ops
from .menu import has_active_items
from .operations import ensure_day
from .settings import get_settings, store_overrides

# A day opens at midnight (store time) N days ahead: a few minutes late is still on time.
OPEN_INTERVAL_S = 300
# Claim windows, cutoffs and pickup windows are counted in minutes.
EVERY_MINUTE_S = 60


def periodic_jobs():
    """Every breakfast job of every store; needs an app context."""
    jobs = []
    for store in list_stores():
        jobs += [
            PeriodicJob(f"breakfast:open:{store.id}", partial(open_days, store.id), OPEN_INTERVAL_S),
            PeriodicJob(f"breakfast:waitlist:{store.id}", partial(expire_waitlist_offers, store.id), EVERY_MINUTE_S),
            PeriodicJob(f"breakfast:freeze:{store.id}", partial(freeze_job, store.id), EVERY_MINUTE_S),
            PeriodicJob(f"breakfast:low_balance:{store.id}", partial(low_balance_job, store.id), EVERY_MINUTE_S),
            PeriodicJob(f"breakfast:morning:{store.id}", partial(morning_job, store.id), EVERY_MINUTE_S),
            PeriodicJob(f"breakfast:pickup_end:{store.id}", partial(pickup_end_job, store.id), EVERY_MINUTE_S),
        ]
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


def expire_waitlist_offers(store_id, now):
    """Expire the store's unclaimed waitlist offers and pass their portions on, in one transaction."""
    with transaction():
        expired = waitlist_ops.expire_offers(store_id, now)
    return f"store {store_id}: {expired} waitlist offers expired"


def freeze_job(store_id, now):
    """Freeze the store's days whose order cutoff has come: charge, prep sheet v1, the kitchen told."""
    with transaction():
        frozen = freeze.freeze_due(get_store(store_id), now)
    return f"store {store_id}: froze {frozen} day(s)"


def low_balance_job(store_id, now):
    """Warn parents whose wallet will not cover the coming cutoff's charge (once per parent and day)."""
    with transaction():
        told = reminders.warn_low_balances(get_store(store_id), now)
    return f"store {store_id}: warned {told} parent(s)"


def morning_job(store_id, now):
    """The school-morning reminder to opted-in parents when the pickup window opens (once a day)."""
    with transaction():
        told = reminders.send_morning_reminders(get_store(store_id), now)
    return f"store {store_id}: reminded {told} parent(s)"


def pickup_end_job(store_id, now):
    """At the end of the pickup window: what is left is a no-show, the day done."""
    with transaction():
        days, no_shows = desk.close_due(get_store(store_id), now)
    return f"store {store_id}: closed {days} day(s), {no_shows} no-show(s)"
