"""Growth's periodic jobs (registered with the scheduler by ``create_app``). Each runs idempotent
passes, one transaction per store, and returns the job log's summary.

- ``growth:pushes``: every minute, the scenario pushes due now go out (once per resident and
  occasion; quiet hours defer them to 08:00), and the deferred ones whose quiet hours ended.
"""
from ..database import transaction
from ..jobs.registry import PeriodicJob
from ..stores.operations import list_stores
from . import pushes

PUSHES_INTERVAL_S = 60


def periodic_jobs():
    """Growth's jobs; needs an app context."""
    return [PeriodicJob("growth:pushes", send_pushes, PUSHES_INTERVAL_S)]


def send_pushes(now):
    """Send every store's due pushes, one transaction per store; returns the job log's summary."""
    parts = []
    for store_id in [store.id for store in list_stores()]:
        with transaction():
            occasions, deferred = pushes.run_due(store_id, now)
        if occasions or deferred:
            parts.append(f"store {store_id}: {occasions} push(es) out, {deferred} deferred sent")
    return "; ".join(parts) or "no pushes due"
