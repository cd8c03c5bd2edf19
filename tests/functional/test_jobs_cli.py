"""``flask jobs list`` prints what the scheduler would run; ``flask jobs scheduler`` runs it and logs
every run with its lease epoch, and gives the lease back when stopped (the process-level leader
election: ``tests/concurrency/test_scheduler_leader.py``)."""
import threading
import time

import pytest

from store_app.jobs import scheduler as scheduler_module
from store_app.jobs.registry import PeriodicJob, register
from store_app.jobs.run_log import list_runs

SCHEDULER_TIMEOUT_S = 30


def test_jobs_list_prints_every_registered_job_with_its_interval(app, runner, create_store):
    store_id = create_store()
    register(app, lambda: [PeriodicJob("test:tick", print, 2.5)])

    result = runner.invoke(args=["jobs", "list"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split() for line in lines] == [
        *([f"breakfast:{job}:{store_id}", "every", "60", "s"] for job in ("freeze", "low_balance", "morning")),
        [f"breakfast:open:{store_id}", "every", "300", "s"],
        *([f"breakfast:{job}:{store_id}", "every", "60", "s"] for job in ("pickup_end", "waitlist")),
        [f"dispatch:{store_id}", "every", "30", "s"],
        [f"growth:coupon_expiry:{store_id}", "every", "300", "s"],
        ["growth:pushes", "every", "60", "s"],
        [f"growth:referrals:{store_id}", "every", "600", "s"],
        [f"growth:segments:{store_id}", "every", "3600", "s"],
        [f"growth:tiers:{store_id}", "every", "3600", "s"],
        ["outbox", "every", "15", "s"],
        [f"parcels:ladder:{store_id}", "every", "300", "s"],
        [f"reports:rollup-month:{store_id}", "every", "21600", "s"],
        [f"reports:rollup:{store_id}", "every", "600", "s"],
        [f"services:holds:{store_id}", "every", "60", "s"],
        [f"services:offers:{store_id}", "every", "45", "s"],
        [f"services:progress:{store_id}", "every", "60", "s"],
        [f"services:reputation:{store_id}", "every", "600", "s"],
        ["test:tick", "every", "2.5", "s"],
    ], result.output
    assert len({line.index(" every ") for line in lines}) == 1, "one column of intervals"


def test_jobs_list_without_stores_lists_the_jobs_that_need_none(runner):
    result = runner.invoke(args=["jobs", "list"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["growth:pushes", "every", "60", "s",
                                     "outbox", "every", "15", "s"]


@pytest.mark.parametrize("command", ["list", "scheduler"])
def test_a_job_name_declared_twice_is_refused_in_plain_words(app, runner, command):
    register(app, lambda: [PeriodicJob("outbox", print, 60)])

    result = runner.invoke(args=["jobs", command])

    assert result.exit_code == 1, (result.output, result.exception)
    assert "Error: periodic job 'outbox' is declared by store_app.notifications.jobs.periodic_jobs" in result.output
    assert "Traceback" not in result.output


def test_jobs_scheduler_runs_a_registered_job_and_logs_it(app, runner, monkeypatch):
    ticks = []

    def tick(now):
        ticks.append(now)
        return f"tick {len(ticks)}"

    register(app, lambda: [PeriodicJob("test:tick", tick, 1)])
    built = []  # the scheduler the command builds, to stop it as Ctrl-C would
    build = scheduler_module.build_scheduler
    monkeypatch.setattr(scheduler_module, "build_scheduler", lambda app_: built.append(build(app_)) or built[-1])

    def logged():
        with app.app_context():
            return bool(list_runs("test:tick"))

    def stop_once_a_run_is_logged():
        deadline = time.monotonic() + SCHEDULER_TIMEOUT_S
        while time.monotonic() < deadline and not (built and built[0].running and logged()):
            time.sleep(0.1)
        if built and built[0].running:
            built[0].shutdown(wait=False)

    watcher = threading.Thread(target=stop_once_a_run_is_logged, daemon=True)
    watcher.start()
    result = runner.invoke(args=["jobs", "scheduler"])
    watcher.join(timeout=SCHEDULER_TIMEOUT_S + 10)

    assert result.exit_code == 0, (result.output, result.exception)
    assert f"scheduler {scheduler_module.runner_name()}: 4 jobs;" in result.output, result.output  # + pushes, outbox, refresh
    with app.app_context():
        runs = list_runs("test:tick")
        assert runs, "the scheduler ran nothing within the timeout"
        first = runs[-1]
        assert (first.status, first.detail, first.runner) == ("ok", "tick 1", scheduler_module.runner_name())
        assert first.started_at == ticks[0]
        assert first.epoch == 1
    # The command gave the lease back on its way out: another copy takes it at once, with the next epoch.
    successor = scheduler_module.lease_for(app)
    try:
        assert successor.beat() == 2
    finally:
        successor.close()


def test_jobs_leader_says_who_leads_under_which_epoch_and_when_nobody_does(app, runner):
    assert runner.invoke(args=["jobs", "leader"]).output == "no scheduler has led yet\n"
    lease = scheduler_module.lease_for(app)
    try:
        assert lease.beat() == 1
        result = runner.invoke(args=["jobs", "leader"])
        assert result.exit_code == 0 and result.output.startswith(f"leader {lease.holder}, epoch 1, since "), \
            result.output
        lease.release()
        result = runner.invoke(args=["jobs", "leader"])
        assert result.output.startswith(f"no scheduler leads: the lease of {lease.holder} (epoch 1) lapsed at "), \
            result.output
    finally:
        lease.close()
