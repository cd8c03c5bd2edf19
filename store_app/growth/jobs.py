"""Growth's periodic jobs, per store (registered with the scheduler by ``create_app``). Each job runs
one idempotent pass in its own transaction and returns the job log's summary.

- ``growth:segments:<store id>``: every hour, the store's segments are computed again from the
  purchases (``segments.recompute_segments``): each segment's members replaced, nobody twice.
"""
from functools import partial

from ..database import transaction
from ..jobs.registry import PeriodicJob
from ..stores.operations import get_store, list_stores
from . import segments

SEGMENTS_INTERVAL_S = 3600


def periodic_jobs():
    """Every growth job of every store; needs an app context."""
    return [PeriodicJob(f"growth:segments:{store.id}", partial(segments_job, store.id), SEGMENTS_INTERVAL_S)
            for store in list_stores()]


def segments_job(store_id, now):
    """Recompute the store's segments in one transaction."""
    with transaction():
        if get_store(store_id) is None:
            return f"store {store_id}: gone"
        sizes = segments.recompute_segments(store_id, now)
    return f"store {store_id}: " + ", ".join(f"{key} {size}" for key, size in sizes.items())
