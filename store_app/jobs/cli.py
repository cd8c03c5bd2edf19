"""``flask jobs scheduler`` (the one scheduler process), ``flask jobs list`` (what it would run) and
``flask jobs leader`` (who leads now)."""
import logging
import signal

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from .lease import read_lease
from .registry import DuplicateJobName, periodic_jobs

jobs_cli = AppGroup("jobs", help="The periodic jobs and the scheduler that runs them.")


@jobs_cli.command("scheduler")
def scheduler_command():
    """Run every registered job on its interval (one leader).

    APScheduler in this process; of several copies, only the one holding the leader lease works
    (renewed by a heartbeat, taken over by a standby when it lapses).
    """
    # Imported here, not at the top: create_app imports this module, and web workers never load APScheduler.
    from . import scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per tick
    app = current_app._get_current_object()
    try:
        sched = scheduler.build_scheduler(app)
    except DuplicateJobName as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"scheduler {scheduler.runner_name()}: {len(sched.get_jobs())} jobs; lease "
               f"{sched.lease.holder}, ttl {sched.lease.ttl_s:g} s; it works while it holds the lease")
    # SIGTERM (systemd, supervisor, the launcher) ends the process like Ctrl-C: through the finally
    # below, so the lease is given back instead of left to lapse.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    sched.heartbeat.start()
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        sched.heartbeat.stop()
        sched.lease.close()  # given back: a standby need not wait for it to lapse


def _exit_on_sigterm(_signum, _frame):
    raise SystemExit(0)


@jobs_cli.command("list")
def list_command():
    """Print the registered jobs and their intervals.

    The list as the scheduler would build it now (per-store jobs for today's stores).
    """
    try:
        jobs = periodic_jobs(current_app)
    except DuplicateJobName as exc:
        raise click.ClickException(str(exc)) from exc
    if not jobs:
        click.echo("no periodic jobs are registered")
    width = max((len(job.name) for job in jobs), default=0)
    for job in jobs:
        click.echo(f"{job.name:<{width}}  every {job.interval_s:g} s")


@jobs_cli.command("leader")
def leader_command():
    """Print which scheduler leads now: the lease's holder, epoch and expiry (the database's clock)."""
    state = read_lease(db.session)
    if state is None:
        click.echo("no scheduler has led yet")
    elif state.live:
        click.echo(f"leader {state.holder}, epoch {state.epoch}, since {state.acquired_at}, "
                   f"lease renewed until {state.expires_at}")
    else:
        click.echo(f"no scheduler leads: the lease of {state.holder} (epoch {state.epoch}) lapsed at "
                   f"{state.expires_at}; a standby takes it on its next heartbeat")


def init_app(app):
    """Register ``flask jobs ...`` on the app."""
    app.cli.add_command(jobs_cli)
