"""The marketplace's periodic jobs, per store (registered with the scheduler by ``services.init_app``).
Each job runs one idempotent pass in its own transaction and returns the job log's summary."""
from functools import partial

from store_app.database import transaction
from store_app.jobs.registry import PeriodicJob
from store_app.stores.operations import list_stores

REPUTATION_EVERY_S = 600  # scores and standing are recomputed every 10 minutes


def recompute_reputation(store_id, now):
    """Rescore every vetted vendor of the store and apply the standing rules (``standing.recompute_store``)."""
    from .standing import recompute_store

    with transaction():
        return recompute_store(store_id, now)


def periodic_jobs():
    """Every marketplace job of every store; needs an app context."""
    jobs = []
    for store in list_stores():
        jobs.append(PeriodicJob(f"services:reputation:{store.id}", partial(recompute_reputation, store.id),
                                REPUTATION_EVERY_S))
    return jobs
