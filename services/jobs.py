"""The marketplace's periodic jobs, per store (registered with the scheduler by ``services.init_app``).
Each job runs one idempotent pass in its own transaction and returns the job log's summary."""
from functools import partial

from store_app.database import transaction
from store_app.jobs.registry import PeriodicJob
from store_app.stores.operations import list_stores

# A hold lasts 5 minutes: a lapsed one frees its slot within a minute (slots already ignore it).
HOLDS_INTERVAL_S = 60
# Offers answer within minutes: a lapsed one is re-offered or escalated within a minute.
OFFERS_EVERY_S = 45
PROGRESS_EVERY_S = 60
REPUTATION_EVERY_S = 600  # scores and standing are recomputed every 10 minutes


def expire_holds(store_id, now):
    """held -> expired for every lapsed hold of the store (slots already treat them as free)."""
    from .booking import expire_lapsed_holds

    with transaction():
        lapsed = expire_lapsed_holds(now, store_id=store_id)
    return f"{lapsed} holds expired"


def offers_pass(store_id, now):
    """Re-offer, escalate and expire the store's unaccepted jobs (``services:offers:<store>``)."""
    from .reoffers import run_offer_pass

    with transaction():
        return run_offer_pass(store_id, now)


def progress_pass(store_id, now):
    """Late vendors become no-shows; finished jobs complete after 48 h (``services:progress:<store>``)."""
    from .progress import run_progress_pass

    with transaction():
        return run_progress_pass(store_id, now)


def recompute_reputation(store_id, now):
    """Rescore every vetted vendor of the store and apply the standing rules (``standing.recompute_store``)."""
    from .standing import recompute_store

    with transaction():
        return recompute_store(store_id, now)


def periodic_jobs():
    """Every marketplace job of every store; needs an app context."""
    jobs = []
    for store in list_stores():
        jobs.append(PeriodicJob(f"services:holds:{store.id}", partial(expire_holds, store.id), HOLDS_INTERVAL_S))
        jobs.append(PeriodicJob(f"services:offers:{store.id}", partial(offers_pass, store.id), OFFERS_EVERY_S))
        jobs.append(PeriodicJob(f"services:progress:{store.id}", partial(progress_pass, store.id), PROGRESS_EVERY_S))
        jobs.append(PeriodicJob(f"services:reputation:{store.id}", partial(recompute_reputation, store.id),
                                REPUTATION_EVERY_S))
    return jobs
