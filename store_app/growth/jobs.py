"""Growth's periodic jobs (registered with the scheduler by ``create_app``). Each runs one idempotent
pass in its own transaction (per store where it says so) and returns the job log's summary.

- ``growth:coupon_expiry:<store id>``: residents' copies whose window has ended become expired (one
  UPDATE; copies reserved on a checkout in flight are left to it).
- ``growth:segments:<store id>``: every hour, the store's segments are computed again from the
  purchases (``segments.recompute_segments``): each segment's members replaced, nobody twice.
- ``growth:pushes``: every minute, the scenario pushes due now go out (once per resident and
  occasion; quiet hours defer them to 08:00), and the deferred ones whose quiet hours ended; one
  transaction per store.
- ``growth:tiers:<store id>``: the monthly tier review (``points.review_tiers``): hourly, but each
  account is reviewed once per calendar month of the store's time zone, so the 1st's first run does
  the work and the others find nothing to do.
- ``growth:referrals:<store id>``: referrals whose friend's qualifying purchase is past its refund
  window are rewarded (``referrals.reward_due``); a referral is rewarded once.
"""
from functools import partial

from ..database import transaction
from ..jobs.registry import PeriodicJob
from ..stores.operations import get_store, list_stores
from . import coupon_use, points, pushes, referrals, segments

# A copy past its end is never usable (checkout checks ``expires_at`` itself): the job only tidies
# "my coupons", so every few minutes is plenty.
COUPON_EXPIRY_INTERVAL_S = 300
SEGMENTS_INTERVAL_S = 3600
PUSHES_INTERVAL_S = 60
TIERS_INTERVAL_S = 3600
REFERRALS_INTERVAL_S = 600


def periodic_jobs():
    """Growth's jobs (needs an app context): the pushes cover every store at once; coupon expiry,
    segments, tiers and referrals run per store."""
    jobs = [PeriodicJob("growth:pushes", send_pushes, PUSHES_INTERVAL_S)]
    for store in list_stores():
        jobs += [
            PeriodicJob(f"growth:coupon_expiry:{store.id}", partial(coupon_expiry_job, store.id),
                        COUPON_EXPIRY_INTERVAL_S),
            PeriodicJob(f"growth:segments:{store.id}", partial(segments_job, store.id), SEGMENTS_INTERVAL_S),
            PeriodicJob(f"growth:tiers:{store.id}", partial(tiers_job, store.id), TIERS_INTERVAL_S),
            PeriodicJob(f"growth:referrals:{store.id}", partial(referrals_job, store.id), REFERRALS_INTERVAL_S),
        ]
    return jobs


def coupon_expiry_job(store_id, now):
    """Expire the store's copies whose window ended by ``now``. Run twice, the second pass expires nothing."""
    with transaction():
        expired = coupon_use.expire_grants(now, store_id=store_id)
    return f"store {store_id}: {expired} coupon copies expired"


def segments_job(store_id, now):
    """Recompute the store's segments in one transaction."""
    with transaction():
        if get_store(store_id) is None:
            return f"store {store_id}: gone"
        sizes = segments.recompute_segments(store_id, now)
    return f"store {store_id}: " + ", ".join(f"{key} {size}" for key, size in sizes.items())


def send_pushes(now):
    """Send every store's due pushes, one transaction per store; returns the job log's summary."""
    parts = []
    for store_id in [store.id for store in list_stores()]:
        with transaction():
            occasions, deferred = pushes.run_due(store_id, now)
        if occasions or deferred:
            parts.append(f"store {store_id}: {occasions} push(es) out, {deferred} deferred sent")
    return "; ".join(parts) or "no pushes due"


def tiers_job(store_id, now):
    """Review the tiers of the store's points accounts not yet reviewed this month (store time)."""
    with transaction():
        store = get_store(store_id)
        if store is None:
            return f"store {store_id}: gone"
        reviewed, demoted = points.review_tiers(store.id, store.timezone, now)
    return f"store {store_id}: {reviewed} tier(s) reviewed, {demoted} moved down"


def referrals_job(store_id, now):
    """Reward the store's referrals whose friend's first purchase is past its refund window."""
    with transaction():
        rewarded = referrals.reward_due(store_id, now)
    return f"store {store_id}: {rewarded} referral(s) rewarded"
