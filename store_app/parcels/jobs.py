"""The parcel station's periodic jobs: the overdue ladder (reminders, then the return list), per store.

Registered with the scheduler by ``create_app`` (``store_app.jobs.registry``).
"""
from functools import partial

from ..database import transaction
from ..jobs.registry import PeriodicJob
from ..stores.operations import get_store, list_stores
from .ladder import run_ladder

# Reminders are due by the hour: every few minutes is on time.
LADDER_INTERVAL_S = 300


def periodic_jobs():
    """One ladder job per store (``parcels:ladder:<store id>``), every ``LADDER_INTERVAL_S`` seconds;
    needs an app context."""
    return [PeriodicJob(f"parcels:ladder:{store.id}", partial(overdue_ladder, store.id), LADDER_INTERVAL_S)
            for store in list_stores()]


def overdue_ladder(store_id, now):
    """One pass of the store's overdue ladder in its own transaction; returns the job log's summary."""
    with transaction():
        done = run_ladder(get_store(store_id), now)
    return f"store {store_id}: reminded {done['remind_1']} + {done['remind_2']}, listed for return {done['return']}"
