"""The ``flask dispatch`` command group: ``run-once`` (one production cycle now) and the simulator's.

Flask finds this group through the ``flask.commands`` entry point (setup.cfg): store_app imports only
the pure parts of dispatch. The periodic cycles run in ``flask jobs scheduler`` (``store_app.jobs``).

``run-once`` runs one cycle per store (or one store) now and prints each summary. ``simulate``
replays an MDRP day (Grubhub mdrplib format) and ``simulate-store`` a synthetic day of the store, both
through the same planner as production, on a simulated clock. Each writes the three MDRP
solution files and ``summary.json``, checks the files against the evaluator's feasibility rules and
fails on any violation. The data is read where it lives (``--data-root``, ``$MDRPLIB_DIR`` or
``<repo>/../shared/benchmarks/mdrplib``), never copied.
"""
import json
from pathlib import Path

import click
from flask.cli import AppGroup

from . import cycle
from .sim.feasibility import InfeasibleSolution
from .sim.mdrp import default_data_root, load_instance, resolve_instance_dir, write_instance
from .sim.runner import POLICIES, run_day
from .sim.store_day import StoreDaySpec, generate_store_day

REPO_ROOT = Path(__file__).resolve().parent.parent

dispatch_cli = AppGroup("dispatch", help="The courier dispatcher.")

policy_option = click.option("--policy", type=click.Choice(sorted(POLICIES)), default="planner",
                             show_default=True,
                             help="planner: the production planner; greedy: the reference policy.")
interval_option = click.option("--interval", "interval_s", type=click.FloatRange(min=1.0), default=60.0,
                               show_default=True, help="Simulated seconds between two planner cycles.")
out_option = click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
                          help="Directory for the solution files and summary.json (created).")


@dispatch_cli.command("run-once")
@click.option("--store", "store_id", type=int, default=None, help="Only this store (default: every store).")
def run_once_command(store_id):
    """Run one dispatch cycle now and print what it assigned."""
    from store_app.database import utcnow
    from store_app.stores.operations import get_store, list_stores

    now = utcnow()
    if store_id is not None and get_store(store_id) is None:
        raise click.BadParameter(f"no store with id {store_id}", param_hint="'--store'")
    store_ids = [store_id] if store_id is not None else [s.id for s in list_stores()]
    for sid in store_ids:
        click.echo(cycle.run_cycle(sid, now))


@dispatch_cli.command("simulate", with_appcontext=False)
@click.option("--instance", "instance", required=True,
              help="An MDRP instance directory, or an instance name under the data root "
                   "(e.g. 0o50t100s1p100).")
@policy_option
@interval_option
@out_option
@click.option("--data-root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the mdrplib instances live "
                   "(default: $MDRPLIB_DIR, else ../shared/benchmarks/mdrplib beside the repository).")
def simulate_command(instance, policy, interval_s, out_dir, data_root):
    """Replay an MDRP day with a simulated clock; write the solution files and summary.json."""
    try:
        directory = resolve_instance_dir(instance, data_root or default_data_root(REPO_ROOT))
        day = load_instance(directory)
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from error
    _run(day, policy, interval_s, out_dir)


@dispatch_cli.command("simulate-store", with_appcontext=False)
@policy_option
@interval_option
@out_option
@click.option("--orders", type=click.IntRange(min=1), default=StoreDaySpec().orders, show_default=True,
              help="Orders in the day.")
@click.option("--couriers", type=click.IntRange(min=1), default=StoreDaySpec().couriers, show_default=True,
              help="Couriers on shift.")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the synthetic day.")
def simulate_store_command(policy, interval_s, out_dir, orders, couriers, seed):
    """Replay a synthetic store day (one pickup point, 30-minute promise); the day itself is written to
    OUT/instance in the MDRP format, so the solution can be checked again."""
    day = generate_store_day(StoreDaySpec(orders=orders, couriers=couriers), seed=seed,
                             name=f"store-day-{orders}o{couriers}c-s{seed}")
    write_instance(day, Path(out_dir) / "instance")
    _run(day, policy, interval_s, out_dir)


def _run(day, policy, interval_s, out_dir):
    try:
        summary, _result = run_day(day, policy, out_dir, interval_s)
    except InfeasibleSolution as error:
        raise click.ClickException(f"the simulated solution is infeasible: {error}") from error
    click.echo(json.dumps(summary, indent=2))


def init_app(app):
    """Register ``flask dispatch ...`` on the app."""
    app.cli.add_command(dispatch_cli)
