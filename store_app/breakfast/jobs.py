"""Breakfast's periodic jobs, per store (registered with the scheduler by ``create_app``). Each job
runs one idempotent pass in its own transaction and returns the job log's summary.

``periodic_jobs()`` is one plain list: each part of breakfast adds its own lines to it.
"""
from functools import partial

from ..database import transaction
from ..jobs.registry import PeriodicJob
from ..stores.operations import get_store, list_stores
from . import desk, freeze, reminders

EVERY_MINUTE_S = 60


def periodic_jobs():
    """The breakfast jobs of every store; needs an app context."""
    jobs = []
    for store in list_stores():
        jobs += [
            PeriodicJob(f"breakfast:freeze:{store.id}", partial(freeze_job, store.id), EVERY_MINUTE_S),
            PeriodicJob(f"breakfast:low_balance:{store.id}", partial(low_balance_job, store.id), EVERY_MINUTE_S),
            PeriodicJob(f"breakfast:morning:{store.id}", partial(morning_job, store.id), EVERY_MINUTE_S),
            PeriodicJob(f"breakfast:pickup_end:{store.id}", partial(pickup_end_job, store.id), EVERY_MINUTE_S),
        ]
    return jobs


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
