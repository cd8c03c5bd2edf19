"""One scheduler: several ``flask jobs scheduler`` processes, one leader.

Unit level: two leader-lock objects in one process (a PostgreSQL advisory lock on a connection of
its own, an ``flock`` for SQLite): the second cannot lead until the first releases or loses its
connection; one lock object shared by the scheduler's job threads leads in every thread at once.

Process level: three real scheduler processes on a scratch database with a store dispatched every
second. Every run in the job log comes from the one leader, each tick runs once, the standbys never
run while the leader lives; after the leader is SIGKILLed another process leads within one interval
plus a margin. PostgreSQL (advisory lock) needs TEST_DATABASE_URL (skipped locally, a failure in CI);
the SQLite variant (file lock) always runs.
"""
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from store_app import create_app
from store_app.database import transaction
from store_app.extensions import db
from store_app.jobs.scheduler import FileLeaderLock, PostgresLeaderLock
from store_app.stores.models import Store
from tests.conftest import PG_URL, skip_or_fail, sqlalchemy_url

ROOT = Path(__file__).resolve().parents[2]
INTERVAL_S = 1
WINDOW_S = 4.0          # how long three live schedulers are watched
FAILOVER_MARGIN_S = 3.0  # a standby leads within one interval plus this
STARTUP_TIMEOUT_S = 45.0


def pg_url_or_skip():
    if not PG_URL:
        skip_or_fail("the PostgreSQL leader lock needs TEST_DATABASE_URL")
    return sqlalchemy_url(PG_URL)


def random_key():
    """An advisory-lock key no other test or scheduler uses."""
    return secrets.randbelow(2**62) + 1


# ---- unit level: two lock objects in one process --------------------------------------------

def test_file_lock_second_object_waits_for_the_first(tmp_path):
    path = tmp_path / "locks" / "dispatch-leader.lock"
    first, second = FileLeaderLock(path), FileLeaderLock(path)
    try:
        assert first.acquire() is True
        assert first.acquire() is True  # already leading
        assert second.acquire() is False
        assert path.read_text() == f"{socket.gethostname()}:{os.getpid()}"
        first.release()
        assert second.acquire() is True
        assert first.acquire() is False
    finally:
        first.release()
        second.release()


@pytest.mark.postgres
def test_postgres_lock_second_object_waits_until_the_first_releases_or_its_connection_dies():
    url = pg_url_or_skip()
    key = random_key()
    admin = create_engine(url, poolclass=NullPool)
    first, second = PostgresLeaderLock(url, key=key), PostgresLeaderLock(url, key=key)

    def holders():
        with admin.connect() as conn:
            return conn.execute(text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND ((classid::bigint << 32) | objid::bigint) = :k"), {"k": key}).scalars().all()

    try:
        assert first.acquire() is True
        assert first.acquire() is True
        assert second.acquire() is False
        assert len(holders()) == 1
        first.release()
        assert holders() == []
        assert second.acquire() is True
        assert first.acquire() is False
        # The leader's connection dies (its process crashed, a network cut): the lock goes with it.
        (backend,) = holders()
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": backend}).scalar()
        deadline = time.monotonic() + 5
        while holders() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert first.acquire() is True
        assert second.acquire() is False  # notices its dead connection and stands down
        assert len(holders()) == 1
    finally:
        first.release()
        second.release()
        admin.dispose()


@pytest.mark.parametrize("kind", ["file", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_one_lock_shared_by_job_threads_leads_in_all_of_them(kind, tmp_path):
    """``build_scheduler`` gives one lock object to every job, and APScheduler runs jobs in a thread
    pool: the jobs of several stores ticking at once must all see that this process leads."""
    if kind == "file":
        lock = FileLeaderLock(tmp_path / "dispatch-leader.lock")
    else:
        lock = PostgresLeaderLock(pg_url_or_skip(), key=random_key())
    threads = 8
    barrier = threading.Barrier(threads, timeout=10)
    results = []

    def tick():
        barrier.wait()
        results.append(lock.acquire())

    workers = [threading.Thread(target=tick) for _ in range(threads)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=20)
        assert results == [True] * threads
    finally:
        lock.release()


# ---- process level: three schedulers, one leader ---------------------------------------------

class PgDatabase:
    """A scratch PostgreSQL database of our own, dropped afterwards."""

    def __init__(self):
        base = make_url(pg_url_or_skip())
        self.name = f"test_sched_{os.getpid()}_{secrets.token_hex(3)}"
        self.admin = create_engine(base.set(database="postgres"), poolclass=NullPool,
                                   isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.url = base.set(database=self.name).render_as_string(hide_password=False)
        self.env_url = self.url.replace("postgresql+psycopg://", "postgresql://", 1)
        self.engine = create_engine(self.url, poolclass=NullPool)

    def runs(self):
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT job, runner, started_at, status FROM job_runs "
                                     "ORDER BY started_at, id"))
            return [tuple(row) for row in rows]

    def drop(self):
        self.engine.dispose()
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


class SqliteDatabase:
    """A SQLite file in the test's directory; read with plain sqlite3 (no write lock taken)."""

    def __init__(self, directory):
        self.path = directory / "scheduler.sqlite3"
        self.url = self.env_url = f"sqlite:///{self.path}"

    def runs(self):
        conn = sqlite3.connect(self.path, timeout=5)
        try:
            rows = conn.execute("SELECT job, runner, started_at, status FROM job_runs "
                                "ORDER BY started_at, id")
            return [(job, runner, datetime.fromisoformat(at).replace(tzinfo=timezone.utc), status)
                    for job, runner, at, status in rows]
        finally:
            conn.close()

    def drop(self):
        pass


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def scratch(request, tmp_path):
    """A scratch database with the schema and one store dispatched every ``INTERVAL_S`` seconds."""
    database = SqliteDatabase(tmp_path) if request.param == "sqlite" else PgDatabase()
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": database.url})
        with app.app_context():
            db.create_all()
            with transaction():
                store = Store(name="Leader Test", address="1 Test Rd", lat=31.2, lon=121.4,
                              timezone="Asia/Shanghai", phone="021-0000 0000", dispatch_interval_s=INTERVAL_S)
                db.session.add(store)
                db.session.flush()
                database.job = f"dispatch:{store.id}"
            db.session.remove()
            db.engine.dispose()
        yield database
    finally:
        database.drop()


def start_schedulers(database, instance, logs, count=3):
    flask = Path(sys.executable).with_name("flask")
    command = [str(flask)] if flask.exists() else [sys.executable, "-m", "flask"]
    env = {**os.environ, "DATABASE_URL": database.env_url, "STORE_ENV": "development",
           "STORE_INSTANCE_PATH": str(instance), "SECRET_KEY": "x", "PYTHONUNBUFFERED": "1"}
    env.pop("TEST_DATABASE_URL", None)
    procs = []
    for number in range(count):
        out = open(logs / f"scheduler-{number}.log", "wb")  # noqa: SIM115 -- closed in stop_all
        proc = subprocess.Popen(command + ["--app", "wsgi", "jobs", "scheduler"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
        proc.log = out
        procs.append(proc)
    return procs


def stop_all(procs):
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        proc.log.close()


def log_text(logs):
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}"
                     for p in sorted(logs.glob("*.log")))


def wait_for(predicate, timeout, message):
    """Poll ``predicate`` (bounded); its last truthy value, or fail with ``message()``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(message())


def utcnow():
    return datetime.now(timezone.utc)


def pid_of(runner):
    return int(runner.rsplit(":", 1)[1])


def assert_each_tick_once(runs):
    """No two runs of one job closer than half an interval: no tick ran twice."""
    by_job = {}
    for job, _runner, started_at, _status in runs:
        by_job.setdefault(job, []).append(started_at)
    for job, times in by_job.items():
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
        assert all(gap >= 0.5 * INTERVAL_S for gap in gaps), (job, gaps)


def test_three_schedulers_one_leader_and_a_standby_takes_over(scratch, tmp_path):
    instance, logs = tmp_path / "instance", tmp_path / "logs"
    instance.mkdir()
    logs.mkdir()
    procs = start_schedulers(scratch, instance, logs)
    try:
        # Every process is up and competing once it has printed its banner.
        wait_for(lambda: all(b"scheduler " in (logs / f"scheduler-{n}.log").read_bytes() for n in range(3))
                 or any(p.poll() is not None for p in procs),
                 STARTUP_TIMEOUT_S, lambda: "schedulers did not start:\n" + log_text(logs))
        assert all(p.poll() is None for p in procs), log_text(logs)
        window_start = utcnow()
        time.sleep(WINDOW_S)
        window_end = utcnow()

        runs = scratch.runs()
        in_window = [r for r in runs if window_start <= r[2] <= window_end]
        assert len(in_window) >= WINDOW_S / INTERVAL_S - 1, (in_window, log_text(logs))
        assert {r[0] for r in runs} == {scratch.job}
        assert all(r[3] != "failed" for r in runs), runs
        leaders = {r[1] for r in runs}
        assert len(leaders) == 1, f"more than one runner while all three lived: {leaders}"
        (leader,) = leaders
        by_pid = {p.pid: p for p in procs}
        assert pid_of(leader) in by_pid, (leader, list(by_pid))
        assert_each_tick_once(runs)

        by_pid[pid_of(leader)].send_signal(signal.SIGKILL)
        by_pid[pid_of(leader)].wait(timeout=10)
        killed_at = utcnow()

        def new_leader_runs():
            return [r for r in scratch.runs() if r[2] > killed_at and r[1] != leader]

        wait_for(new_leader_runs, INTERVAL_S + FAILOVER_MARGIN_S,
                 lambda: "no standby took over after the leader died:\n" + log_text(logs))
        time.sleep(2 * INTERVAL_S)  # a few ticks under the new leader

        runs = scratch.runs()
        before = [r for r in runs if r[2] <= killed_at]
        after = [r for r in runs if r[2] > killed_at]
        assert {r[1] for r in before} == {leader}, "a standby ran while the leader was alive"
        successors = {r[1] for r in after}
        assert len(successors) == 1 and leader not in successors, successors
        assert pid_of(successors.pop()) in by_pid
        assert_each_tick_once(after)
        assert all(p.poll() is None for p in procs if p.pid != pid_of(leader)), log_text(logs)
    finally:
        stop_all(procs)
