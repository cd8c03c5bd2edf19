"""``flask dispatch run-once`` and ``flask dispatch scheduler``: the dispatcher in production."""
import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from . import jobs, scheduler


@click.command("run-once")
@click.option("--store", "store_id", type=int, default=None, help="Only this store (default: every store).")
@with_appcontext
def run_once(store_id):
    """Run one dispatch cycle now and print what it assigned."""
    from store_app.database import utcnow
    from store_app.stores.operations import get_store, list_stores

    now = utcnow()
    if store_id is not None and get_store(store_id) is None:
        raise click.BadParameter(f"no store with id {store_id}", param_hint="'--store'")
    store_ids = [store_id] if store_id is not None else [s.id for s in list_stores()]
    for sid in store_ids:
        click.echo(jobs.run_cycle(sid, now))


@click.command("scheduler")
@with_appcontext
def run_scheduler():
    """Run APScheduler with every periodic job; only the copy holding the leader lock works."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per tick
    app = current_app._get_current_object()
    sched = scheduler.build_scheduler(app)
    click.echo(f"scheduler {scheduler.runner_name()}: {len(sched.get_jobs())} jobs; "
               "waiting for the leader lock if another copy runs")
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        sched.leader_lock.release()


COMMANDS = (run_once, run_scheduler)
