"""Growth's periodic jobs, per store (registered with the scheduler by ``create_app``). Each runs one
idempotent pass in its own transaction and returns the job log's summary.

- ``growth:coupon_expiry:<store id>``: residents' copies whose window has ended become expired (one
  UPDATE; copies reserved on a checkout in flight are left to it).
"""
from functools import partial

from ..database import transaction
from ..jobs.registry import PeriodicJob
from ..stores.operations import list_stores
from . import coupon_use

# A copy past its end is never usable (checkout checks ``expires_at`` itself): the job only tidies
# "my coupons", so every few minutes is plenty.
COUPON_EXPIRY_INTERVAL_S = 300


def periodic_jobs():
    """Growth's jobs of every store; needs an app context."""
    return [PeriodicJob(f"growth:coupon_expiry:{store.id}", partial(coupon_expiry_job, store.id),
                        COUPON_EXPIRY_INTERVAL_S) for store in list_stores()]


def coupon_expiry_job(store_id, now):
    """Expire the store's copies whose window ended by ``now``. Run twice, the second pass expires nothing."""
    with transaction():
        expired = coupon_use.expire_grants(now, store_id=store_id)
    return f"store {store_id}: {expired} coupon copies expired"
