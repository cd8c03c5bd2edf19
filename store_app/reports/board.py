"""The owner's board, read from the daily rollup only (never the raw orders): a period and the one
before it, summed per line and metric, plus the few metrics read day by day. Read-only."""
from dataclasses import dataclass

from ..extensions import db
from . import board_rules, kpi_rules
from .rollup_models import DailyRollup


@dataclass(frozen=True)
class Board:
    """What the board shows for one period against the previous one."""

    store_id: int
    tz: str
    today: object              # the store's local date now
    period: kpi_rules.Period
    previous: kpi_rules.Period
    figures: dict              # tile key -> value (None: nothing to show)
    previous_figures: dict
    daily: list                # board_rules.daily_rows of the period
    distributions: dict        # "c2d" / "dwell" -> bucket counts of the period
    retention: list            # board_rules.retention_weeks of the period

    @property
    def complete(self):
        return kpi_rules.is_complete(self.period, self.today)


def load_sums(store_id, period, previous):
    """``(sums of period, sums of previous)``: ``{(line, metric): total}`` in one grouped query."""
    current = DailyRollup.day >= period.first
    rows = db.session.execute(db.select(current.label("current"), DailyRollup.line, DailyRollup.metric,
                                        db.func.sum(DailyRollup.value))
                              .where(DailyRollup.store_id == store_id, DailyRollup.day >= previous.first,
                                     DailyRollup.day <= period.last)
                              .group_by(current, DailyRollup.line, DailyRollup.metric))
    sums = {True: {}, False: {}}
    for is_current, line, metric, total in rows:
        sums[bool(is_current)][(line, metric)] = int(total)
    return sums[True], sums[False]


def load_daily(store_id, first, last, metrics=board_rules.DAILY_METRICS, daily=None):
    """``{day: {(line, metric): value}}`` of ``metrics`` from ``first`` to ``last`` (added to ``daily``)."""
    daily = {} if daily is None else daily
    for day, line, metric, value in db.session.execute(
            db.select(DailyRollup.day, DailyRollup.line, DailyRollup.metric, DailyRollup.value)
            .where(DailyRollup.store_id == store_id, DailyRollup.day >= first, DailyRollup.day <= last,
                   DailyRollup.metric.in_(metrics))):
        daily.setdefault(day, {})[(line, metric)] = value
    return daily


def load_board(store, period, now):
    """The board of ``store`` for ``period`` (local days) against the period of equal length before it."""
    today = kpi_rules.local_day(now, store.timezone)
    previous = kpi_rules.previous_period(period)
    sums, previous_sums = load_sums(store.id, period, previous)
    daily = load_daily(store.id, period.first, period.last)
    # Of the previous period only what its figures read day by day (retention, WAU and MAU).
    load_daily(store.id, previous.first, previous.last, board_rules.PREVIOUS_DAILY_METRICS, daily)
    return Board(
        store_id=store.id, tz=store.timezone, today=today, period=period, previous=previous,
        figures=board_rules.figures(sums, daily, period, today),
        previous_figures=board_rules.figures(previous_sums, daily, previous, today),
        daily=board_rules.daily_rows(daily, period), distributions=board_rules.distributions(sums),
        retention=board_rules.retention_weeks(daily, period, today))
