"""Growth's periodic jobs (registered with the scheduler by ``create_app``). Each runs one idempotent
pass in its own transaction and returns the job log's summary.

- ``growth:coupon_expiry``: residents' copies whose window has ended become expired (one UPDATE;
  copies reserved on a checkout in flight are left to it).
"""
from ..database import transaction
from ..jobs.registry import PeriodicJob
from . import coupon_use

# A copy past its end is never usable (checkout checks ``expires_at`` itself): the job only tidies
# "my coupons", so every few minutes is plenty.
COUPON_EXPIRY_INTERVAL_S = 300


def periodic_jobs():
    """Growth's jobs; the coupon expiry covers every store at once."""
    return [PeriodicJob("growth:coupon_expiry", coupon_expiry_job, COUPON_EXPIRY_INTERVAL_S)]


def coupon_expiry_job(now):
    """Expire the copies whose window ended by ``now``. Run twice, the second pass expires nothing."""
    with transaction():
        expired = coupon_use.expire_grants(now)
    return f"{expired} coupon copies expired"
