"""The periodic-job registry: every job the scheduler runs, declared by the package it belongs to.

A job is a function ``fn(now)`` that runs inside an app context, does one idempotent unit of work
in its own ``transaction()`` and returns a short summary string for the job log. A *provider* is a
function of no arguments that returns an iterable of ``PeriodicJob``; the scheduler calls every
provider, inside an app context, each time it (re)builds its job list, so per-store jobs follow
the stores as they come and go. Nothing calls a provider at app creation.

Providers come from two places:

- a domain of ``store_app`` declares its jobs in its own ``jobs.py`` and ``create_app`` registers
  that module's provider: ``register(app, parcel_jobs.periodic_jobs)``;
- a package that ``store_app`` may not import (the dispatcher: ``store_app`` imports only the pure
  parts of ``dispatch``) names its provider under the ``community_store.periodic_jobs`` entry point
  group in ``setup.cfg`` (``dispatch = dispatch.cycle:periodic_jobs``), the way ``flask dispatch``
  reaches the ``flask`` command through ``flask.commands``. ``periodic_jobs(app)`` loads them with
  ``importlib.metadata``; a changed entry point needs ``pip install -e .`` (``make setup``) again.

Job names are unique across every provider; a name declared twice is refused, never one job
silently dropped.
"""
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Callable

ENTRY_POINT_GROUP = "community_store.periodic_jobs"
EXTENSION_KEY = "periodic_job_providers"  # app.extensions[...]: the providers registered on this app


@dataclass(frozen=True)
class PeriodicJob:
    name: str  # unique; the job log and the scheduler know the job by it, e.g. "parcels:ladder:3"
    fn: Callable  # fn(now) -> summary string
    interval_s: float
    # Past this many seconds a run is abandoned (its writes refused, the lease given back); 0: the interval.
    time_limit_s: float = 0


class DuplicateJobName(ValueError):
    """Two providers (or one provider twice) declared a job of the same name."""


def register(app, provider):
    """Add ``provider`` (no arguments -> iterable of ``PeriodicJob``) to the app's periodic jobs."""
    app.extensions.setdefault(EXTENSION_KEY, []).append(provider)


def list_providers(app):
    """``[(source, provider)]``: the app's registered providers in order, then the entry points' by name."""
    found = [(f"{provider.__module__}.{provider.__qualname__}", provider)
             for provider in app.extensions.get(EXTENSION_KEY, ())]
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda point: point.name):
        # A provider that cannot load is an error, not a job quietly missing from the scheduler.
        found.append((f"entry point {point.name} ({point.value})", point.load()))
    return found


def periodic_jobs(app):
    """Every registered job, sorted by name (needs an app context: providers read the stores).

    Raises ``DuplicateJobName`` when a name is declared twice.
    """
    jobs, sources = {}, {}
    for source, provider in list_providers(app):
        for job in provider():
            if job.name in jobs:
                raise DuplicateJobName(f"periodic job {job.name!r} is declared by {sources[job.name]} "
                                       f"and again by {source}")
            jobs[job.name], sources[job.name] = job, source
    return [jobs[name] for name in sorted(jobs)]
