"""The one scheduler: APScheduler runs every registered periodic job in ``flask jobs scheduler``.

It runs what the registry (``registry.py``) lists and knows no domain: each store's dispatch cycle,
the parcel station's ladder and the outbox are declared by the packages they belong to. Every run
is written to the job-run log (``run_log.py``); every ``REFRESH_S`` the job list is matched to the
registry again, so a store added while the scheduler runs gets its jobs without a restart.

Several copies may run (for availability); a leader lock makes exactly one of them do the work:
a PostgreSQL advisory lock held on a dedicated connection, or an exclusive file lock for
SQLite. When the leader dies its connection (or file descriptor) goes with it, the lock is
free, and a standby takes it on its next tick, within one interval. Web workers never start
this: only the CLI command does.
"""
import fcntl
import logging
import os
import socket
import threading
import time
from pathlib import Path

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from ..database import transaction, utcnow
from .registry import periodic_jobs
from .run_log import record_run

log = logging.getLogger(__name__)
ADVISORY_KEY = 0x5C0DE_D15  # any constant shared by every copy of this app


def runner_name():
    """``host:pid``: who ran a job, for the job log."""
    return f"{socket.gethostname()}:{os.getpid()}"


class PostgresLeaderLock:
    """``pg_try_advisory_lock`` on a connection of its own, kept open while we lead."""

    def __init__(self, url, key=ADVISORY_KEY):
        # NullPool: the lock lives exactly as long as this one connection.
        self._engine = create_engine(url, poolclass=NullPool) if isinstance(url, str) else url
        self._key = key
        self._conn = None
        # Every job of the scheduler shares this object and APScheduler runs jobs in a thread pool.
        self._mutex = threading.Lock()

    def acquire(self):
        """True if this process leads (now or already); checks a held lock's connection is alive."""
        with self._mutex:
            return self._acquire()

    def _acquire(self):
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1"))
                return True
            except SQLAlchemyError:
                log.warning("leader lock connection lost; standing down")
                self._drop()
        try:
            # Autocommit: a session-level advisory lock needs no transaction around it.
            conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._key}).scalar()
        except SQLAlchemyError as exc:
            log.warning("cannot reach the database for the leader lock: %s", exc)
            return False
        if got:
            self._conn = conn
            return True
        conn.close()
        return False

    def _drop(self):
        try:
            self._conn.close()
        except SQLAlchemyError:
            pass
        self._conn = None

    def release(self):
        with self._mutex:
            self._release()

    def _release(self):
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})
            except SQLAlchemyError:
                pass
            self._drop()


class FileLeaderLock:
    """An exclusive ``flock`` on a file beside the SQLite database (one machine, like SQLite)."""

    def __init__(self, path):
        self._path = Path(path)
        self._fd = None
        self._mutex = threading.Lock()  # shared by the scheduler's job threads, like the PostgreSQL lock

    def acquire(self):
        """True if this process leads (now or already)."""
        with self._mutex:
            return self._acquire()

    def _acquire(self):
        if self._fd is not None:
            return True
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, runner_name().encode())
        self._fd = fd
        return True

    def release(self):
        with self._mutex:
            self._release()

    def _release(self):
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def leader_lock_for(app):
    """The right lock for the app's database."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        return PostgresLeaderLock(url)
    # The file keeps the name it had when the scheduler lived in dispatch/: an old copy and a new one
    # must compete for the same lock, never both lead.
    return FileLeaderLock(Path(app.instance_path) / "dispatch-leader.lock")


def run_job(app, job, lock, clock=None):
    """One tick of ``job``: only the leader runs it; the run is timed and logged."""
    if not lock.acquire():
        log.debug("%s: standing by (another scheduler leads)", job.name)
        return None
    started_at, started = utcnow(), time.perf_counter()
    status, detail = "ok", ""
    with app.app_context():
        try:
            detail = job.fn(now=started_at) or ""
        except Exception as exc:  # a failed tick is logged and retried on the next one
            log.exception("%s failed", job.name)
            status, detail = "failed", f"{type(exc).__name__}: {exc}"
        duration_ms = (time.perf_counter() - started) * 1000
        if status == "ok" and duration_ms > job.interval_s * 1000:
            status = "overrun"
            log.warning("%s overran its interval: %.0f ms > %.0f s", job.name, duration_ms, job.interval_s)
        with transaction():
            record_run(job.name, runner_name(), started_at, duration_ms, status, str(detail))
    return status


REFRESH_S = 300


def _schedule(scheduler, app, job, lock):
    scheduler.add_job(run_job, "interval", seconds=job.interval_s, args=(app, job, lock), id=job.name,
                      name=job.name, max_instances=1, coalesce=True, misfire_grace_time=job.interval_s)


def refresh_jobs(scheduler, app, lock):
    """Match the scheduled jobs to the registry again (stores come and go); returns (added, removed)."""
    with app.app_context():
        wanted = {job.name: job for job in periodic_jobs(app)}
    running = {job.id for job in scheduler.get_jobs() if job.id != "registry:refresh"}
    added = sorted(set(wanted) - running)
    removed = sorted(running - set(wanted))
    for name in added:
        _schedule(scheduler, app, wanted[name], lock)
    for name in removed:
        scheduler.remove_job(name)
    if added or removed:
        log.info("jobs refreshed: added %s, removed %s", added or "none", removed or "none")
    return added, removed


def build_scheduler(app, lock=None, jobs=None):
    """A ``BlockingScheduler`` with every registered job (or only ``jobs``, then never refreshed);
    ``max_instances=1``, ``coalesce=True``."""
    lock = lock or leader_lock_for(app)
    scheduler = BlockingScheduler(timezone="UTC")
    fixed = jobs is not None
    with app.app_context():
        jobs = jobs if fixed else periodic_jobs(app)
    for job in jobs:
        _schedule(scheduler, app, job, lock)
    if not fixed:
        # A store added (or removed) while the scheduler runs gets (or loses) its jobs without a restart.
        scheduler.add_job(refresh_jobs, "interval", seconds=REFRESH_S, args=(scheduler, app, lock),
                          id="registry:refresh", name="registry:refresh", max_instances=1, coalesce=True)

    def on_event(event):
        if event.code == EVENT_JOB_ERROR:
            log.error("job %s raised: %s", event.job_id, event.exception)
        else:
            log.warning("job %s skipped a tick (still running or missed)", event.job_id)

    scheduler.add_listener(on_event, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_ERROR)
    scheduler.leader_lock = lock
    return scheduler
