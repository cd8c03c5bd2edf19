"""The board's periodic jobs, per store: the daily rollup of the last two days every 10 minutes
(``reports:rollup:<store id>``), and of the last 35 days every 6 hours (``reports:rollup-month:<store
id>``), so refunds, late conversions and parcels collected weeks after check-in reach the board.

Registered with the scheduler by ``create_app`` (``store_app.jobs.registry``).
"""
from datetime import timedelta
from functools import partial

from ..database import transaction
from ..jobs.registry import PeriodicJob
from ..stores.operations import get_store, list_stores
from . import kpi_rules, rollup

ROLLUP_INTERVAL_S = 600
MONTH_INTERVAL_S = 6 * 3600
MONTH_DAYS = 35


def periodic_jobs():
    """Two rollup jobs per store; needs an app context."""
    jobs = []
    for store in list_stores():
        jobs.append(PeriodicJob(f"reports:rollup:{store.id}", partial(rollup_recent, store.id), ROLLUP_INTERVAL_S))
        jobs.append(PeriodicJob(f"reports:rollup-month:{store.id}", partial(rollup_month, store.id),
                                MONTH_INTERVAL_S))
    return jobs


def rollup_recent(store_id, now):
    """Today and yesterday (and the retention days that just became known), in one transaction."""
    with transaction():
        written = rollup.refresh_recent(get_store(store_id), now)
    return f"store {store_id}: {written} rollup rows"


def rollup_month(store_id, now):
    """The last ``MONTH_DAYS`` days of the store, in one transaction."""
    with transaction():
        store = get_store(store_id)
        today = kpi_rules.local_day(now, store.timezone)
        written = rollup.refresh(store, kpi_rules.Period(today - timedelta(days=MONTH_DAYS - 1), today), now)
    return f"store {store_id}: {written} rollup rows over {MONTH_DAYS} days"
