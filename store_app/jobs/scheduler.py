"""The one scheduler: APScheduler runs every registered periodic job in ``flask jobs scheduler``.

It runs what the registry (``registry.py``) lists and knows no domain: each store's dispatch cycle,
the parcel station's ladder and the outbox are declared by the packages they belong to. Every run
is written to the job-run log (``run_log.py``) with the lease epoch it ran under; every
``REFRESH_S`` the job list is matched to the registry again, so a store added while the scheduler
runs gets its jobs without a restart.

Several copies may run (for availability); a lease in the database (``lease.py``) makes exactly one
of them do the work. A heartbeat thread renews it every ``ttl / 3`` on a connection of its own; a
copy that stops (paused, stuck, cut off) stops renewing, the lease lapses after ``ttl`` on the
database's clock, and a standby's heartbeat takes it over with the next epoch. Every transaction
of a job checks that epoch before it commits (fencing), so a leader that wakes up after losing its
lease writes nothing. A job that runs past its time limit (its interval unless it says otherwise)
is abandoned: none of its transactions can commit any more, and the heartbeat gives the lease back
until it returns. On PostgreSQL the scheduler's connections carry ``lock_timeout``,
``statement_timeout`` and ``idle_in_transaction_session_timeout``, so a paused copy's open
transaction is ended by the server and its row locks freed. Web workers never start this: only
the CLI command does.
"""
import logging
import math
import os
import socket
import threading
import time
from functools import partial

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import create_engine, event

from ..database import commit_guard, transaction, utcnow
from ..extensions import db
from .lease import Fence, Lease, LeaseLost, running_under
from .registry import periodic_jobs
from .run_log import record_run

log = logging.getLogger(__name__)


def runner_name():
    """``host:pid``: who ran a job, for the job log."""
    return f"{socket.gethostname()}:{os.getpid()}"


# ---- connections ----------------------------------------------------------------------------------

def _ms(seconds):
    return max(1, int(float(seconds) * 1000))


def postgres_options(lock_timeout_s, statement_timeout_s, idle_in_transaction_s):
    """libpq ``options`` that bound how long a scheduler's connection can wait, work or sit idle
    inside a transaction (then the server ends it and frees its locks)."""
    return (f"-c lock_timeout={_ms(lock_timeout_s)} -c statement_timeout={_ms(statement_timeout_s)} "
            f"-c idle_in_transaction_session_timeout={_ms(idle_in_transaction_s)}")


def bound_job_connections(app):
    """On PostgreSQL, every new connection of the app's engine (the jobs' sessions) gets the
    scheduler's timeouts; connections already open are dropped so none is left without them."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    options = postgres_options(app.config["SCHEDULER_LOCK_TIMEOUT_S"], app.config["SCHEDULER_STATEMENT_TIMEOUT_S"],
                               app.config["SCHEDULER_IDLE_IN_TRANSACTION_TIMEOUT_S"])

    @event.listens_for(engine, "do_connect")
    def _with_timeouts(_dialect, _record, _cargs, cparams):
        cparams["options"] = f"{cparams.get('options', '')} {options}".strip()

    engine.dispose()


def lease_for(app):
    """The lease on the app's database, on an engine of its own (the heartbeat's connection). Its
    statements are short: on PostgreSQL they may wait and run a third of the TTL at most."""
    ttl_s = float(app.config["SCHEDULER_LEASE_TTL_S"])
    with app.app_context():
        # The URL the app's engine really opened: Flask-SQLAlchemy puts a relative SQLite path in
        # ``instance/``, so the configured string would name another (empty) file here.
        url = db.engine.url.render_as_string(hide_password=False)
    if url.startswith("postgresql"):
        beat_s = max(0.2, ttl_s / 3)
        engine = create_engine(url, pool_size=1, max_overflow=1, pool_pre_ping=True, connect_args={
            "connect_timeout": max(1, int(beat_s)),
            "options": postgres_options(beat_s, beat_s, app.config["SCHEDULER_IDLE_IN_TRANSACTION_TIMEOUT_S"])})
    elif url in ("sqlite://", "sqlite:///:memory:"):
        with app.app_context():
            # One shared in-memory database: there is no other connection to it.
            return Lease(db.engine, ttl_s=ttl_s)
    else:
        engine = create_engine(url)
    return Lease(engine, ttl_s=ttl_s, owns_engine=True)


# ---- the heartbeat ----------------------------------------------------------------------------------

class Watch:
    """The job runs in progress in this process, to abandon those past their time limit."""

    def __init__(self):
        self._fences = {}
        self._mutex = threading.Lock()

    def add(self, fence):
        with self._mutex:
            self._fences[id(fence)] = fence

    def remove(self, fence):
        with self._mutex:
            self._fences.pop(id(fence), None)

    def overdue(self):
        """Runs past their time limit (each revoked: it can commit nothing from now on)."""
        now = time.monotonic()
        with self._mutex:
            late = [fence for fence in self._fences.values() if now - fence.started > fence.time_limit_s]
        for fence in late:
            if not fence.revoked:
                fence.revoked = True
                log.error("%s is past its time limit of %g s: abandoned, the lease is given back",
                          fence.job, fence.time_limit_s)
        return late


class Heartbeat(threading.Thread):
    """Renews the lease every ``ttl / 3`` (or takes it when it is free), on its own connection; while a
    job of this process is past its time limit, gives the lease back and does not take it again."""

    def __init__(self, lease, watch):
        super().__init__(name="scheduler-heartbeat", daemon=True)
        self.lease, self.watch = lease, watch
        self.interval_s = lease.ttl_s / 3
        self._stop = threading.Event()

    def beat(self):
        """One beat: our epoch, or None while we stand by."""
        if self.watch.overdue():
            self.lease.release()
            return None
        return self.lease.beat()

    def run(self):
        while not self._stop.is_set():
            try:
                self.beat()
            except Exception:  # a beat that fails in an unforeseen way must not end the heartbeat
                log.exception("lease heartbeat failed; standing by until the next beat")
                self.lease.stand_down()
            self._stop.wait(self.interval_s)

    def stop(self):
        self._stop.set()


# ---- one tick of a job ----------------------------------------------------------------------------------

def run_job(app, job, lease, watch=None):
    """One tick of ``job``: only the lease holder runs it, fenced by the lease's epoch; the run is
    timed and logged with that epoch. Returns the run's status, ``"fenced"`` when the lease was lost
    on the way (nothing written), or None on a standby."""
    watch = watch or Watch()
    epoch = lease.current_epoch()
    if epoch is None:
        epoch = None if watch.overdue() else lease.beat()
    if epoch is None:
        log.debug("%s: standing by (another scheduler leads)", job.name)
        return None
    fence = Fence(epoch, job.name, time_limit_s=job.time_limit_s or job.interval_s)
    watch.add(fence)
    try:
        with app.app_context(), commit_guard(partial(lease.check_fence, fence)), running_under(lease, fence):
            return _work(job, fence)
    except LeaseLost as exc:
        log.warning("%s: fenced, nothing written: %s", job.name, exc)
        lease.forget(epoch)
        return "fenced"
    finally:
        watch.remove(fence)


def _work(job, fence):
    started_at, started = utcnow(), time.perf_counter()
    status, detail = "ok", ""
    try:
        detail = job.fn(now=started_at) or ""
    except LeaseLost:
        raise
    except Exception as exc:  # a failed tick is logged and retried on the next one
        log.exception("%s failed", job.name)
        status, detail = "failed", f"{type(exc).__name__}: {exc}"
    duration_ms = (time.perf_counter() - started) * 1000
    if status == "ok" and duration_ms > job.interval_s * 1000:
        status = "overrun"
        log.warning("%s overran its interval: %.0f ms > %.0f s", job.name, duration_ms, job.interval_s)
    with transaction():
        record_run(job.name, runner_name(), started_at, duration_ms, status, str(detail), epoch=fence.epoch)
    return status


# ---- the scheduler --------------------------------------------------------------------------------------

REFRESH_S = 300


def _schedule(scheduler, app, job, lease, watch):
    scheduler.add_job(run_job, "interval", seconds=job.interval_s, args=(app, job, lease, watch), id=job.name,
                      name=job.name, max_instances=1, coalesce=True,
                      misfire_grace_time=max(1, math.ceil(job.interval_s)))  # APScheduler takes whole seconds


def refresh_jobs(scheduler, app, lease, watch=None):
    """Match the scheduled jobs to the registry again (stores come and go); returns (added, removed)."""
    watch = watch or getattr(scheduler, "watch", None) or Watch()
    with app.app_context():
        wanted = {job.name: job for job in periodic_jobs(app)}
    running = {job.id for job in scheduler.get_jobs() if job.id != "registry:refresh"}
    added = sorted(set(wanted) - running)
    removed = sorted(running - set(wanted))
    for name in added:
        _schedule(scheduler, app, wanted[name], lease, watch)
    for name in removed:
        scheduler.remove_job(name)
    if added or removed:
        log.info("jobs refreshed: added %s, removed %s", added or "none", removed or "none")
    return added, removed


def build_scheduler(app, lease=None, jobs=None):
    """A ``BlockingScheduler`` with every registered job (or only ``jobs``, then never refreshed);
    ``max_instances=1``, ``coalesce=True``. ``scheduler.lease`` is the lease, ``scheduler.heartbeat``
    the (not yet started) thread that keeps it."""
    lease = lease or lease_for(app)
    watch = Watch()
    scheduler = BlockingScheduler(timezone="UTC")
    fixed = jobs is not None
    with app.app_context():
        bound_job_connections(app)
        jobs = jobs if fixed else periodic_jobs(app)
    for job in jobs:
        _schedule(scheduler, app, job, lease, watch)
    if not fixed:
        # A store added (or removed) while the scheduler runs gets (or loses) its jobs without a restart.
        scheduler.add_job(refresh_jobs, "interval", seconds=REFRESH_S, args=(scheduler, app, lease, watch),
                          id="registry:refresh", name="registry:refresh", max_instances=1, coalesce=True)

    def on_event(event_):
        if event_.code == EVENT_JOB_ERROR:
            log.error("job %s raised: %s", event_.job_id, event_.exception)
        else:
            log.warning("job %s skipped a tick (still running or missed)", event_.job_id)

    scheduler.add_listener(on_event, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_ERROR)
    scheduler.lease, scheduler.watch = lease, watch
    scheduler.heartbeat = Heartbeat(lease, watch)
    return scheduler
