"""The scheduler (``store_app/jobs/scheduler.py``) on a real database, in one process.

It schedules every registered job on an interval with ``max_instances=1`` and ``coalesce``; every
5 minutes it matches its list to the registry again, so a store added while it runs gets its jobs
(and any provider's new job appears, a vanished one goes) without a restart; ``run_job`` logs every
run the leader makes (ok, failed, overrun) with its lease epoch, and nothing a standby skips. The
lease and fencing are tested in ``tests/integration/test_scheduler_lease.py``; real scheduler
processes competing for the lease in ``tests/concurrency/test_scheduler_leader.py`` and the drills.
"""
import time
from datetime import timedelta

import pytest

from store_app.extensions import db
from store_app.jobs.registry import PeriodicJob, register
from store_app.jobs.run_log import list_runs
from store_app.jobs.lease import Lease
from store_app.jobs.scheduler import REFRESH_S, build_scheduler, lease_for, refresh_jobs, run_job, runner_name
from tests.conftest import build_shop


def tick(now):
    return f"ticked at {now:%H:%M}"


@pytest.fixture
def lease(app):
    held = lease_for(app)
    yield held
    held.close()


def test_every_registered_job_is_scheduled_alone_coalesced_on_its_interval(app, app_ctx, lease):
    shop = build_shop(couriers=0)
    db.session.remove()

    scheduler = build_scheduler(app, lease=lease)

    jobs = {job.id: job for job in scheduler.get_jobs()}
    breakfast = {f"breakfast:{job}:{shop.store_id}": timedelta(seconds=60)
                 for job in ("waitlist", "freeze", "low_balance", "morning", "pickup_end")}
    breakfast[f"breakfast:open:{shop.store_id}"] = timedelta(seconds=300)
    services = {f"services:holds:{shop.store_id}": timedelta(seconds=60),  # lapsed holds expire
                f"services:offers:{shop.store_id}": timedelta(seconds=45),  # the marketplace's job offers
                f"services:progress:{shop.store_id}": timedelta(seconds=60),  # late vendors, auto-completion
                f"services:reputation:{shop.store_id}": timedelta(seconds=600)}  # scores and standing
    growth = {f"growth:coupon_expiry:{shop.store_id}": timedelta(seconds=300), "growth:pushes": timedelta(seconds=60),
              f"growth:segments:{shop.store_id}": timedelta(seconds=3600),
              f"growth:tiers:{shop.store_id}": timedelta(seconds=3600),
              f"growth:referrals:{shop.store_id}": timedelta(seconds=600)}
    reports = {f"reports:rollup:{shop.store_id}": timedelta(seconds=600),
               f"reports:rollup-month:{shop.store_id}": timedelta(seconds=21600)}
    assert set(jobs) == {f"dispatch:{shop.store_id}", f"parcels:ladder:{shop.store_id}", "outbox", "registry:refresh",
                         *breakfast, *services, *growth, *reports}
    intervals = {name: job.trigger.interval for name, job in jobs.items()}
    assert intervals == {f"dispatch:{shop.store_id}": timedelta(seconds=30),
                         f"parcels:ladder:{shop.store_id}": timedelta(seconds=300),
                         "outbox": timedelta(seconds=15), "registry:refresh": timedelta(seconds=REFRESH_S), **breakfast,
                         **services, **growth, **reports}
    assert REFRESH_S == 300
    assert all(job.max_instances == 1 and job.coalesce for job in jobs.values())
    assert scheduler.lease is lease
    assert not scheduler.heartbeat.is_alive()  # the command starts it with the scheduler


def test_a_fixed_job_list_is_never_refreshed(app, lease):
    scheduler = build_scheduler(app, lease=lease, jobs=[PeriodicJob("test:tick", tick, 60)])
    assert [job.id for job in scheduler.get_jobs()] == ["test:tick"]


def test_a_store_added_while_the_scheduler_runs_gets_its_jobs(app, app_ctx, lease):
    shop = build_shop(couriers=2)
    db.session.remove()
    scheduler = build_scheduler(app, lease=lease)
    names = {job.id for job in scheduler.get_jobs()}
    assert {f"dispatch:{shop.store_id}", f"parcels:ladder:{shop.store_id}", "outbox", "registry:refresh"} <= names
    other = build_shop(name="New Store", couriers=0, lat=31.3, lon=121.5)
    added, removed = refresh_jobs(scheduler, app, lease)
    breakfast = [f"breakfast:{job}:{other.store_id}"
                 for job in ("open", "waitlist", "freeze", "low_balance", "morning", "pickup_end")]
    services = [f"services:{job}:{other.store_id}" for job in ("holds", "offers", "progress", "reputation")]
    growth = [f"growth:{job}:{other.store_id}" for job in ("coupon_expiry", "segments", "tiers", "referrals")]
    reports = [f"reports:{job}:{other.store_id}" for job in ("rollup", "rollup-month")]
    assert added == sorted([f"dispatch:{other.store_id}", f"parcels:ladder:{other.store_id}",
                            *growth, *reports, *breakfast, *services])
    assert removed == []
    assert refresh_jobs(scheduler, app, lease) == ([], [])


def test_a_providers_new_job_is_scheduled_on_refresh_and_a_vanished_one_dropped(app, app_ctx, lease):
    declared = []
    register(app, lambda: list(declared))
    db.session.remove()
    scheduler = build_scheduler(app, lease=lease)
    assert "test:tick" not in {job.id for job in scheduler.get_jobs()}

    declared.append(PeriodicJob("test:tick", tick, 7))
    assert refresh_jobs(scheduler, app, lease) == (["test:tick"], [])
    job = scheduler.get_job("test:tick")
    assert (job.trigger.interval, job.max_instances, job.coalesce) == (timedelta(seconds=7), 1, True)

    declared.clear()
    assert refresh_jobs(scheduler, app, lease) == ([], ["test:tick"])
    assert scheduler.get_job("test:tick") is None


def test_run_job_logs_every_run_the_leader_makes(app, lease):
    def broken(now):
        raise RuntimeError("the gateway is down")

    def slow(now):
        time.sleep(0.05)
        return "done, late"

    assert run_job(app, PeriodicJob("test:tick", tick, 60), lease) == "ok"
    assert run_job(app, PeriodicJob("test:broken", broken, 60), lease) == "failed"
    assert run_job(app, PeriodicJob("test:slow", slow, 0.01), lease) == "overrun"

    with app.app_context():
        runs = [(run.job, run.status, run.detail, run.runner) for run in reversed(list_runs())]
        assert {run.epoch for run in list_runs()} == {lease.current_epoch()} == {1}
    assert [run[:2] for run in runs] == [("test:tick", "ok"), ("test:broken", "failed"), ("test:slow", "overrun")]
    assert runs[0][2].startswith("ticked at ")
    assert runs[1][2] == "RuntimeError: the gateway is down"
    assert runs[2][2] == "done, late"
    assert {run[3] for run in runs} == {runner_name()}


def test_a_standby_runs_nothing_and_logs_nothing(app, lease):
    standby = Lease(lease.engine, ttl_s=lease.ttl_s)
    ran = []
    assert lease.beat() == 1
    assert run_job(app, PeriodicJob("test:tick", ran.append, 60), standby) is None
    assert ran == []
    with app.app_context():
        assert list_runs() == []
