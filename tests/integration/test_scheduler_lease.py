"""The scheduler's leader lease and its fencing (``store_app/jobs/lease.py``), in one process, on SQLite
and on PostgreSQL.

The lease: the first taker gets epoch 1, a second process stands by while it is held and renewed,
takes it with the next epoch once it lapses on the database's clock or is given back; the old holder's
renewal then fails and it stands down. Fencing: a job whose lease was taken over while it worked
commits nothing (its run is "fenced", not logged); a run abandoned past its time limit commits
nothing and its process gives the lease back; the outbox stops before a send once the lease is
lost. Waits poll with generous bounds that only bound a failure; nothing asserts how fast.
"""
import shutil
import threading
import time

import pytest
from sqlalchemy import text

from store_app import create_app
from store_app.database import commit_guard, transaction, utcnow
from store_app.extensions import db
from store_app.jobs.lease import Fence, Lease, LeaseLost, ensure_still_leading, running_under
from store_app.jobs.models import JobRun, SchedulerLease
from store_app.jobs.registry import PeriodicJob
from store_app.jobs.run_log import list_runs
from store_app.jobs.scheduler import Heartbeat, Watch, build_scheduler, lease_for, run_job
from store_app.notifications import outbox
from store_app.notifications.models import OutboxMessage
from store_app.stores.models import Store
from tests.conftest import PG_URL, build_shop, sqlalchemy_url

WAIT_S = 30  # bounds a failure; never what is tested


def wait_for(predicate, message):
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(message)


@pytest.fixture
def leases(app):
    """Factory: ``leases(ttl_s)`` -> a new ``Lease`` on the test's database (a process of its own)."""
    made = []

    def factory(ttl_s=30):
        base = lease_for(app)
        lease = Lease(base.engine, ttl_s=ttl_s, owns_engine=base.owns_engine)
        made.append(lease)
        return lease

    yield factory
    for lease in made:
        lease.close()


def lease_row(app):
    with app.app_context():
        row = db.session.get(SchedulerLease, "scheduler")
        return None if row is None else (row.holder, row.epoch)


def test_one_holder_at_a_time_and_each_takeover_adds_one_to_the_epoch(app, leases):
    first, second = leases(), leases()
    assert first.beat() == 1
    assert first.beat() == 1  # renewed
    assert second.beat() is None  # held and unexpired: stands by
    assert lease_row(app) == (first.holder, 1)

    first.release()
    assert first.current_epoch() is None
    assert second.beat() == 2
    assert first.beat() is None
    assert lease_row(app) == (second.holder, 2)


def test_a_lease_not_renewed_lapses_on_the_database_clock_and_the_old_holder_stands_down(app, leases):
    first, second = leases(ttl_s=0.5), leases(ttl_s=0.5)
    assert first.beat() == 1
    # The holder stops renewing (paused); the standby takes over once the database says it lapsed.
    assert wait_for(lambda: second.beat(), "the lapsed lease was never taken over") == 2
    assert first.current_epoch() is None  # its own last renewal has lapsed too
    assert first.beat() is None  # renewal refused: another holder, another epoch
    assert second.beat() == 2


def test_a_job_whose_lease_was_taken_over_while_it_worked_writes_nothing(app, app_ctx, leases):
    mine, other = leases(ttl_s=30), leases(ttl_s=30)
    store_id = build_shop(couriers=0).store_id
    db.session.remove()

    def renames_the_store(now):
        mine.release()  # while the job works, its lease lapses (given back here) ...
        assert other.beat() == 2  # ... and a standby takes it over
        with transaction():
            db.session.get(Store, store_id).name = "Written by a stale leader"
        return "renamed"

    assert run_job(app, PeriodicJob("test:rename", renames_the_store, 60), mine) == "fenced"
    db.session.remove()
    assert db.session.get(Store, store_id).name == "Test Store"
    assert list_runs() == []  # a fenced run is not logged as the leader's either
    assert mine.current_epoch() is None


def test_the_fence_checks_holder_epoch_and_expiry_in_the_writing_transaction(app, app_ctx, leases):
    lease = leases()
    epoch = lease.beat()
    good, stale, revoked = Fence(epoch, "test"), Fence(epoch + 1, "test"), Fence(epoch, "test", revoked=True)
    with commit_guard(lambda session: lease.check_fence(good, session)):
        with transaction():
            db.session.add(JobRun(job="test:good", runner="r", started_at=utcnow(), duration_ms=1,
                                  status="ok", epoch=epoch))
    for fence in (stale, revoked):
        with pytest.raises(LeaseLost), commit_guard(lambda session, f=fence: lease.check_fence(f, session)):
            with transaction():
                db.session.add(JobRun(job="test:bad", runner="r", started_at=utcnow(), duration_ms=1,
                                      status="ok", epoch=fence.epoch))
    db.session.remove()
    assert [run.job for run in db.session.scalars(db.select(JobRun))] == ["test:good"]


def test_a_job_past_its_time_limit_is_abandoned_and_the_lease_given_back(app, leases):
    lease, standby = leases(ttl_s=30), leases(ttl_s=30)
    watch = Watch()
    heartbeat = Heartbeat(lease, watch)
    assert heartbeat.beat() == 1
    release = threading.Event()
    results = []

    def stuck(now):
        release.wait(WAIT_S)  # stuck until the test lets it go
        with transaction():
            db.session.execute(text("UPDATE stores SET name = 'stuck' WHERE id = 0"))
        return "late"

    job = PeriodicJob("test:stuck", stuck, 60, time_limit_s=0.2)
    worker = threading.Thread(target=lambda: results.append(run_job(app, job, lease, watch)))
    worker.start()
    try:
        # Past its limit, the heartbeat gives the lease back instead of renewing it; a standby takes it.
        wait_for(lambda: heartbeat.beat() is None and lease_row(app)[1] == 1 and lease.current_epoch() is None,
                 "the heartbeat kept the lease of a stuck job")
        assert standby.beat() == 2
        assert heartbeat.beat() is None  # and it does not take the lease again while the job is stuck
    finally:
        release.set()
        worker.join(WAIT_S)
    assert results == ["fenced"]
    with app.app_context():
        assert list_runs() == []


def test_the_outbox_sends_nothing_once_its_lease_is_lost(app, app_ctx, leases):
    lease = leases(ttl_s=30)
    epoch = lease.beat()
    store_id = build_shop(couriers=0).store_id
    with transaction():
        outbox.queue(store_id, "sms", "+8613800000000", "hello", "test:one", utcnow())
    sent = []

    class Recorder:
        def send(self, message):
            sent.append(message.dedupe_key)

    fence = Fence(epoch, "outbox")
    with running_under(lease, fence):
        ensure_still_leading()  # leading: no refusal
        lease.release()
        with pytest.raises(LeaseLost):
            outbox.deliver(utcnow(), adapters={"log": Recorder(), "sms": Recorder()})
    assert sent == []
    db.session.remove()
    assert db.session.scalar(db.select(OutboxMessage.status)) == "sending"  # the claim lapses; resent later
    ensure_still_leading()  # outside a scheduler's run: never refuses


@pytest.mark.postgres
def test_the_schedulers_postgresql_connections_carry_its_timeouts(pg_engine, tmp_path, monkeypatch):
    """A paused leader's open transaction is ended by the server, and no job waits long for a lock."""
    monkeypatch.setenv("STORE_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(PG_URL), "SCHEDULER_LOCK_TIMEOUT_S": 1.5,
                      "SCHEDULER_STATEMENT_TIMEOUT_S": 20, "SCHEDULER_IDLE_IN_TRANSACTION_TIMEOUT_S": 7,
                      "SCHEDULER_LEASE_TTL_S": 3})
    scheduler = build_scheduler(app, jobs=[])
    try:
        with app.app_context():
            shown = [db.session.execute(text(f"SHOW {name}")).scalar()
                     for name in ("lock_timeout", "statement_timeout", "idle_in_transaction_session_timeout")]
            db.session.remove()
            db.engine.dispose()
        assert shown == ["1500ms", "20s", "7s"]
        with scheduler.lease.engine.connect() as conn:  # the heartbeat's own: a third of the TTL at most
            assert conn.execute(text("SHOW lock_timeout")).scalar() == "1s"
    finally:
        scheduler.lease.close()


def test_the_lease_lives_in_the_apps_database_when_its_sqlite_path_is_relative(tmp_path, monkeypatch,
                                                                                 sqlite_template):
    """``make run``'s ``sqlite:///store.sqlite3`` is opened in ``instance/``: the heartbeat's engine
    must open that file too, not a file of the same name in the working directory (where the lease
    table does not exist, so no copy could ever lead and no periodic job would run)."""
    instance, elsewhere = tmp_path / "instance", tmp_path / "cwd"
    instance.mkdir()
    elsewhere.mkdir()
    shutil.copyfile(sqlite_template(), instance / "store.sqlite3")
    monkeypatch.setenv("STORE_INSTANCE_PATH", str(instance))
    monkeypatch.chdir(elsewhere)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///store.sqlite3"})
    lease = lease_for(app)
    try:
        assert lease.beat() == 1
        assert lease_row(app) == (lease.holder, 1)
    finally:
        lease.close()
        with app.app_context():
            db.engine.dispose()
    assert not (elsewhere / "store.sqlite3").exists()
