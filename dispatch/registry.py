"""Every periodic job of the app, registered in one place.

A job is a function ``fn(now)`` that runs inside an app context, does one idempotent unit of
work in its own ``transaction()`` and returns a short summary string. Lines of business add
their jobs here (parcel reminders, booking escalations, breakfast cutoffs...).
"""
from dataclasses import dataclass
from functools import partial
from typing import Callable


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    fn: Callable
    interval_s: float


def periodic_jobs(app):
    """The jobs to schedule for this app, with their intervals (needs an app context).

    One dispatch job per store, at the store's own interval (read when the scheduler starts).
    """
    from store_app.stores.operations import list_stores

    from .jobs import run_cycle

    stores = list_stores()
    jobs = [PeriodicJob(f"dispatch:{store.id}", partial(run_cycle, store.id), store.dispatch_interval_s)
            for store in stores]
    jobs += [PeriodicJob(f"parcels:ladder:{store.id}", partial(parcel_ladder, store.id), PARCEL_LADDER_S)
             for store in stores]
    jobs.append(PeriodicJob("outbox", send_outbox, OUTBOX_S))
    return jobs


# Reminders are due by the hour: every few minutes is on time. The outbox sends within seconds.
PARCEL_LADDER_S = 300
OUTBOX_S = 15


def parcel_ladder(store_id, now):
    """The parcel station's overdue ladder for one store (reminders, then the return list)."""
    from store_app.database import transaction
    from store_app.parcels.ladder import run_ladder
    from store_app.stores.operations import get_store

    with transaction():
        done = run_ladder(get_store(store_id), now)
    return f"store {store_id}: reminded {done['remind_1']} + {done['remind_2']}, listed for return {done['return']}"


def send_outbox(now):
    """Send the messages due in the outbox (SMS, email, log)."""
    from store_app.notifications.outbox import deliver

    return deliver(now)
