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

    jobs = [PeriodicJob(f"dispatch:{store.id}", partial(run_cycle, store.id), store.dispatch_interval_s)
            for store in list_stores()]
    return jobs
