"""Breakfast's periodic jobs, per store. ``periodic_jobs()`` is a plain list of ``PeriodicJob``.

Registered with the scheduler by ``create_app`` (``store_app.jobs.registry``).
"""
from functools import partial

from ..database import transaction
from ..jobs.registry import PeriodicJob
from ..stores.operations import list_stores
from . import waitlist_ops

# Claim windows are counted in minutes: expire them every minute.
WAITLIST_INTERVAL_S = 60


def periodic_jobs():
    """The store's waitlist expiry (``breakfast:waitlist:<store id>``); needs an app context."""
    return [PeriodicJob(f"breakfast:waitlist:{store.id}", partial(expire_waitlist_offers, store.id),
                        WAITLIST_INTERVAL_S)
            for store in list_stores()]


def expire_waitlist_offers(store_id, now):
    """Expire the store's unclaimed waitlist offers and pass their portions on, in one transaction."""
    with transaction():
        expired = waitlist_ops.expire_offers(store_id, now)
    return f"store {store_id}: {expired} waitlist offers expired"
