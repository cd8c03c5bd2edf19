"""One scheduler: several ``flask jobs scheduler`` processes, one leader (the lease in the database).

One process: one lease object shared by the scheduler's job threads leads in every thread at once
(the lease itself, its takeover and its fencing: ``tests/integration/test_scheduler_lease.py``).

Process level: three real scheduler processes on a scratch database with a store dispatched every
second and a lease of ``LEASE_TTL_S``. The assertions are about the order of events in the job log
and about counts, never about how soon something happened (a loaded CI machine is slow, not wrong):
every run comes from one runner while all three live; after that leader is SIGKILLed, the runs that
follow come from exactly one other runner, under a later epoch; no two runs of a job overlap. Waits
poll the log with generous timeouts that only bound a failure. PostgreSQL needs TEST_DATABASE_URL
(skipped locally, a failure in CI); the SQLite variant always runs. The lease is held long enough
(three ticks) that a loaded machine does not make the leader miss its renewals.
"""
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from store_app import create_app
from store_app.database import transaction
from store_app.extensions import db
from store_app.jobs.scheduler import lease_for
from store_app.stores.models import Store
from tests.conftest import PG_URL, skip_or_fail, sqlalchemy_url

ROOT = Path(__file__).resolve().parents[2]
INTERVAL_S = 1
LEASE_TTL_S = 3
RUNS_WITH_ALL_THREE = 4  # runs of the store's dispatch job watched while all three schedulers live
RUNS_AFTER_THE_KILL = 3  # and under the successor
# Upper bounds on waiting for those, so a broken scheduler fails instead of hanging; reaching them
# quickly is never what is tested.
STARTUP_TIMEOUT_S = 120.0
RUNS_TIMEOUT_S = 120.0


def pg_url_or_skip():
    if not PG_URL:
        skip_or_fail("the PostgreSQL leader lease needs TEST_DATABASE_URL")
    return sqlalchemy_url(PG_URL)


# ---- one process: the lease shared by the scheduler's job threads ------------------------------

@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_one_lease_shared_by_job_threads_leads_in_all_of_them(kind, tmp_path):
    """``build_scheduler`` gives one lease object to every job, and APScheduler runs jobs in a thread
    pool: the jobs of several stores ticking at once must all see that this process leads, under
    one epoch."""
    database = SqliteDatabase(tmp_path) if kind == "sqlite" else PgDatabase()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database.url})
    with app.app_context():
        db.create_all()
        db.session.remove()
    lease = lease_for(app)
    threads = 8
    barrier = threading.Barrier(threads, timeout=10)
    results = []

    def tick():
        barrier.wait()
        results.append(lease.current_epoch() or lease.beat())

    workers = [threading.Thread(target=tick) for _ in range(threads)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=20)
        assert results == [1] * threads
    finally:
        lease.close()
        with app.app_context():
            db.engine.dispose()
        database.drop()


# ---- process level: three schedulers, one leader ---------------------------------------------

class Run(NamedTuple):
    """One row of the job log."""
    id: int
    job: str
    runner: str  # host:pid
    started_at: datetime
    duration_ms: int
    status: str
    epoch: int


RUN_COLUMNS = "id, job, runner, started_at, duration_ms, status, epoch"


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
            rows = conn.execute(text(f"SELECT {RUN_COLUMNS} FROM job_runs ORDER BY id"))
            return [Run(*row) for row in rows]

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
        conn = sqlite3.connect(self.path, timeout=30)
        try:
            rows = conn.execute(f"SELECT {RUN_COLUMNS} FROM job_runs ORDER BY id")
            return [Run(id_, job, runner, datetime.fromisoformat(at).replace(tzinfo=timezone.utc), ms, status, epoch)
                    for id_, job, runner, at, ms, status, epoch in rows]
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


# The real ``flask jobs scheduler``, with APScheduler's line per tick switched back on
# ('Running job "dispatch:1 (trigger: ...)" (scheduled at ...)'): the job log does not record which
# tick a run belongs to, so each process's ticks are read from its output.
SCHEDULER_MAIN = ("import logging; logging.getLogger('apscheduler.executors.default').setLevel(logging.INFO); "
                  "from flask.cli import main; main()")
BANNER_RE = re.compile(rb"^scheduler \S+:\d+: \d+ jobs", re.M)
TICK_RE = re.compile(r'Running job "(?P<job>[^ "]+) \(trigger: [^"]*\)" \(scheduled at (?P<at>[^)]+)\)')


def start_schedulers(database, instance, logs, count=3):
    env = {**os.environ, "DATABASE_URL": database.env_url, "STORE_ENV": "development",
           "STORE_INSTANCE_PATH": str(instance), "SECRET_KEY": "x", "PYTHONUNBUFFERED": "1",
           "SCHEDULER_LEASE_TTL_S": str(LEASE_TTL_S)}
    env.pop("TEST_DATABASE_URL", None)
    procs = []
    for number in range(count):
        out = open(logs / f"scheduler-{number}.log", "wb")  # noqa: SIM115 -- closed in stop_all
        proc = subprocess.Popen([sys.executable, "-c", SCHEDULER_MAIN, "--app", "wsgi", "jobs", "scheduler"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        proc.log = out
        procs.append(proc)
    return procs


def ticks_of(proc, job):
    """The scheduled times of the ticks of ``job`` that ``proc`` has started, in order (from its output)."""
    text = Path(proc.log.name).read_text(errors="replace")
    return [datetime.fromisoformat(m["at"]) for m in TICK_RE.finditer(text) if m["job"] == job]


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


def pid_of(runner):
    return int(runner.rsplit(":", 1)[1])


def runners_in_order(runs):
    """The runners of ``runs`` (in job-log order) as blocks: ``[(runner, how many runs in a row)]``."""
    blocks = []
    for run in runs:
        if blocks and blocks[-1][0] == run.runner:
            blocks[-1][1] += 1
        else:
            blocks.append([run.runner, 1])
    return [tuple(block) for block in blocks]


def assert_runs_never_overlap(runs):
    """Each run of a job began after the one before it (in the log) had finished: no two were worked
    at once, by two schedulers or by two threads of one. An order of two events as the runners
    timestamped them (``duration_ms`` is rounded down: never an end later than the real one)."""
    by_job = {}
    for run in runs:
        by_job.setdefault(run.job, []).append(run)
    for job, job_runs in by_job.items():
        for before, after in zip(job_runs, job_runs[1:]):
            finished = before.started_at + timedelta(milliseconds=before.duration_ms)
            assert after.started_at > finished, (job, before, after)


def assert_each_tick_ran_once(runs, ticks):
    """Every run of one runner belongs to a tick its scheduler started (the last one scheduled at or
    before the run began), and no tick has two runs. A run belongs to no later tick: APScheduler
    starts a tick only within its grace time (one interval) and only once the one before is done."""
    assert len(ticks) == len(set(ticks)), f"a tick started twice: {ticks}"
    per_tick = {}
    for run in runs:
        started = [tick for tick in ticks if tick <= run.started_at]
        assert started, f"{run} began before any tick of its scheduler: {ticks[:3]}"
        per_tick.setdefault(started[-1], []).append(run)
    twice = {tick: tick_runs for tick, tick_runs in per_tick.items() if len(tick_runs) > 1}
    assert not twice, f"ticks that ran more than once: {twice}"


def test_three_schedulers_one_leader_and_a_standby_takes_over(scratch, tmp_path):
    instance, logs = tmp_path / "instance", tmp_path / "logs"
    instance.mkdir()
    logs.mkdir()
    procs = start_schedulers(scratch, instance, logs)
    by_pid = {p.pid: p for p in procs}

    def dispatch_runs(runs, after_id=0, runner=None):
        return [r for r in runs if r.job == scratch.job and r.id > after_id and runner in (None, r.runner)]

    try:
        # Every process is up and competing for the lock once it has printed its banner.
        wait_for(lambda: all(BANNER_RE.search((logs / f"scheduler-{n}.log").read_bytes()) for n in range(3))
                 or any(p.poll() is not None for p in procs),
                 STARTUP_TIMEOUT_S, lambda: "schedulers did not start:\n" + log_text(logs))
        assert all(p.poll() is None for p in procs), log_text(logs)
        all_up = max((r.id for r in scratch.runs()), default=0)  # event: the last run before all three competed

        # Watch a few ticks with all three alive; then, with the leader still alive, read the log.
        wait_for(lambda: len(dispatch_runs(scratch.runs(), all_up)) >= RUNS_WITH_ALL_THREE, RUNS_TIMEOUT_S,
                 lambda: f"fewer than {RUNS_WITH_ALL_THREE} runs with three schedulers:\n" + log_text(logs))
        assert all(p.poll() is None for p in procs), log_text(logs)
        before_kill = scratch.runs()
        leaders = {r.runner for r in before_kill}
        assert len(leaders) == 1, f"more than one runner while all three lived: {runners_in_order(before_kill)}"
        (leader,) = leaders
        assert pid_of(leader) in by_pid, (leader, list(by_pid))

        by_pid[pid_of(leader)].send_signal(signal.SIGKILL)
        by_pid[pid_of(leader)].wait(timeout=30)

        wait_for(lambda: len([r for r in dispatch_runs(scratch.runs()) if r.runner != leader]) >= RUNS_AFTER_THE_KILL,
                 RUNS_TIMEOUT_S, lambda: "no standby took over after the leader died:\n" + log_text(logs))
        runs = scratch.runs()

        assert runs[:len(before_kill)] == before_kill, "runs logged before the kill changed or vanished"
        blocks = runners_in_order(runs)
        # The leader's runs (those logged before the kill, and at most the one it was writing when
        # killed), then the successor's: never back and forth, never a third runner.
        assert [runner for runner, _ in blocks][:1] == [leader] and len(blocks) == 2, blocks
        successor = blocks[1][0]
        assert pid_of(successor) in by_pid and successor != leader, (successor, leader)
        assert len(dispatch_runs(runs, all_up, leader)) >= RUNS_WITH_ALL_THREE
        assert len(dispatch_runs(runs, runner=successor)) >= RUNS_AFTER_THE_KILL
        assert all(r.status != "failed" for r in runs), runs
        # One epoch per leader, the successor's later: the job log says who led under which lease.
        assert {r.epoch for r in runs if r.runner == leader} == {min(r.epoch for r in runs)}
        assert len({r.epoch for r in runs if r.runner == successor}) == 1
        assert min(r.epoch for r in runs if r.runner == successor) > max(r.epoch for r in runs if r.runner == leader)
        assert_runs_never_overlap(runs)
        for runner in (leader, successor):
            assert_each_tick_ran_once(dispatch_runs(runs, runner=runner), ticks_of(by_pid[pid_of(runner)], scratch.job))
        assert all(p.poll() is None for p in procs if p.pid != pid_of(leader)), log_text(logs)
    finally:
        stop_all(procs)
