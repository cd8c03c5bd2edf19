"""The marketplace's periodic jobs, per store (registered with the scheduler by ``services.init_app``).
Each job runs one idempotent pass in its own transaction and returns the job log's summary."""
from functools import partial

from store_app.database import transaction
from store_app.jobs.registry import PeriodicJob
from store_app.stores.operations import list_stores

HOLDS_INTERVAL_S = 60


def expire_holds(store_id, now):
    """held -> expired for every lapsed hold of the store (slots already treat them as free)."""
    from .booking import expire_lapsed_holds

    with transaction():
        lapsed = expire_lapsed_holds(now, store_id=store_id)
    return f"{lapsed} holds expired"


def periodic_jobs():
    """Every marketplace job of every store; needs an app context."""
    jobs = []
    for store in list_stores():
        jobs.append(PeriodicJob(f"services:holds:{store.id}", partial(expire_holds, store.id), HOLDS_INTERVAL_S))
    return jobs
