"""``flask reports rebuild --from 2026-01-01 --to 2026-12-31 [--store ID]``: rebuild the board's daily
rollup for any range of the store's local days, from the raw tables, in one transaction per month
(a year is twelve commits, and a failure keeps the months already done). Running it again gives the
same rows."""
from datetime import timedelta

import click
from flask.cli import AppGroup

from ..database import transaction, utcnow
from ..stores.operations import get_store, list_stores
from . import kpi_rules, rollup

reports_cli = AppGroup("reports", help="The owner's board.")


def months_of(period):
    """The period cut at month ends: ``[Period]`` in order, together the whole period."""
    parts, first = [], period.first
    while first <= period.last:
        next_month = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
        last = min(period.last, next_month - timedelta(days=1))
        parts.append(kpi_rules.Period(first, last))
        first = last + timedelta(days=1)
    return parts


def rebuild(store, period, now):
    """Rebuild ``period`` for one store, a month per transaction; returns the rows written."""
    written = 0
    for part in months_of(period):
        with transaction():
            written += rollup.refresh(store, part, now)
    return written


@reports_cli.command("rebuild")
@click.option("--from", "first", required=True, help="The first day, YYYY-MM-DD (store time).")
@click.option("--to", "last", required=True, help="The last day, YYYY-MM-DD (store time), included.")
@click.option("--store", "store_id", type=int, default=None, help="One store's id (default: every store).")
def rebuild_command(first, last, store_id):
    """Rebuild the daily rollup from the raw tables for every day from --from to --to."""
    try:
        period = kpi_rules.parse_period(first, last)
    except kpi_rules.PeriodInvalid as exc:
        raise click.BadParameter({"date": "use YYYY-MM-DD dates", "order": "--to is before --from",
                                  "length": f"at most {kpi_rules.MAX_PERIOD_DAYS} days"}[exc.reason]) from exc
    stores = [get_store(store_id)] if store_id is not None else list_stores()
    if not stores or stores[0] is None:
        raise click.ClickException(f"There is no store #{store_id}." if store_id is not None else "There is no store.")
    now = utcnow()
    for store in stores:
        written = rebuild(store, period, now)
        click.echo(f"store {store.id}: {period.first}..{period.last}, {written} rows")


def init_app(app):
    """Register ``flask reports ...``."""
    app.cli.add_command(reports_cli)
