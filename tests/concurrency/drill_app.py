"""The app the drills' scheduler processes serve (``flask --app 'tests.concurrency.drill_app:create_drill_app()'``):
the real application, config from the environment, plus the drills' own periodic jobs named in
``DRILL_JOBS`` (comma-separated). Nothing here is part of the store.

- ``drill:mark`` (every ``DRILL_MARK_INTERVAL_S``): in one transaction, bumps the single row of
  ``drill_counter`` (a row lock every leader must take) and adds a row to ``drill_marks`` with a
  fresh token, the runner and the run's lease epoch; with ``DRILL_HOLD_S`` it then prints
  ``holding <token>`` and keeps the transaction open that long before committing, so a drill can
  pause the leader inside a transaction that holds a lock.
- ``drill:stuck`` (every second, time limit ``DRILL_STUCK_LIMIT_S``): while the file named by
  ``DRILL_STUCK_FILE`` exists, it prints ``stuck <token> at <unix time>`` and waits; then it adds its
  token to ``drill_marks``, which its fence must refuse once it was abandoned.

The tables are created by the drill (tests/concurrency/test_drills.py), not by the app's schema.
"""
import os
import secrets
import time

from sqlalchemy import text

from store_app import create_app
from store_app.database import transaction
from store_app.extensions import db
from store_app.jobs.lease import run_epoch
from store_app.jobs.registry import PeriodicJob, register
from store_app.jobs.scheduler import runner_name

DRILL_TABLES = (
    "CREATE TABLE drill_counter (id integer PRIMARY KEY, n integer NOT NULL)",
    "INSERT INTO drill_counter (id, n) VALUES (1, 0)",
    "CREATE TABLE drill_marks (id serial PRIMARY KEY, token text NOT NULL, job text NOT NULL, "
    "runner text NOT NULL, epoch bigint, at timestamptz NOT NULL DEFAULT clock_timestamp())",
)


def _add_mark(token, job):
    db.session.execute(text("INSERT INTO drill_marks (token, job, runner, epoch) VALUES (:t, :j, :r, :e)"),
                       {"t": token, "j": job, "r": runner_name(), "e": run_epoch()})


def mark(now):
    """The marking job: a locked row, a mark, and (``DRILL_HOLD_S``) a pause before the commit."""
    token = secrets.token_hex(4)
    hold_s = float(os.environ.get("DRILL_HOLD_S") or 0)
    with transaction():
        db.session.execute(text("UPDATE drill_counter SET n = n + 1 WHERE id = 1"))
        _add_mark(token, "mark")
        if hold_s:
            db.session.flush()
            print(f"holding {token}", flush=True)
            time.sleep(hold_s)
    return f"mark {token}"


def stuck(now):
    """Stuck while ``DRILL_STUCK_FILE`` exists; then tries to write its mark."""
    token = secrets.token_hex(4)
    path = os.environ.get("DRILL_STUCK_FILE")
    if path and os.path.exists(path):
        print(f"stuck {token} at {time.time():.3f}", flush=True)
        while os.path.exists(path):
            time.sleep(0.05)
    with transaction():
        _add_mark(token, "stuck")
    return f"stuck {token} done"


def create_drill_app():
    """``create_app()`` with the drills' jobs of ``DRILL_JOBS``."""
    app = create_app()
    wanted = set(filter(None, os.environ.get("DRILL_JOBS", "").split(",")))
    # The marking job may wait for a row lock and then holds its transaction: a limit well above that.
    jobs = [PeriodicJob("drill:mark", mark, float(os.environ.get("DRILL_MARK_INTERVAL_S") or 1), time_limit_s=10),
            PeriodicJob("drill:stuck", stuck, 1, time_limit_s=float(os.environ.get("DRILL_STUCK_LIMIT_S") or 2))]
    register(app, lambda: [job for job in jobs if job.name.split(":")[1] in wanted])
    return app
