"""The parcel station's figures, pure: daily counts (checked in, collected, at the door, returned),
dwell time from check-in to collection (average and 90th percentile), parcels overdue now, and shelf
usage. Plain rows in, frozen dataclasses out; days are the store's local days (``tz`` is its
``zoneinfo`` name) and ``now`` is always passed in. The rows come from ``report_queries.load_report_rows``.
"""
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .rules import storage_days

DEFAULT_DAYS = 14
MAX_DAYS = 366
HOUR_S = 3600


@dataclass(frozen=True)
class ParcelRow:
    """What a report needs of one parcel (aware UTC datetimes, or None for a step not taken)."""

    checked_in_at: datetime
    collected_at: datetime | None = None
    collected_as: str | None = None  # "recipient", "proxy" or "door"
    returned_at: datetime | None = None


@dataclass(frozen=True)
class Dwell:
    """Hours from check-in to collection over a set of collections; None when there were none."""

    count: int
    average_h: float | None
    p90_h: float | None


@dataclass(frozen=True)
class DayCounts:
    day: date
    checked_in: int
    collected: int   # at the counter and at the door
    at_door: int     # of which brought to the door
    returned: int    # handed back to the carrier
    dwell: Dwell     # of the parcels collected that day


@dataclass(frozen=True)
class ShelfUse:
    """One shelf (``shelf`` = its painted number, None for the whole station), in size units."""

    shelf: int | None
    used: int
    capacity: int

    @property
    def percent(self):
        return round(100 * self.used / self.capacity) if self.capacity else 0


@dataclass(frozen=True)
class Report:
    start: date
    end: date            # inclusive
    days: tuple          # DayCounts, one per local day from start to end
    totals: DayCounts    # ``day`` is None: the whole period
    overdue_now: int     # waiting on the shelf longer than the free days
    shelves: tuple       # ShelfUse per shelf, by number
    station: ShelfUse    # every shelf together


class PeriodInvalid(ValueError):
    """The chosen period cannot be reported: ``reason`` is "date", "order" or "length"."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def local_day(at, tz):
    """The store's calendar day of an aware datetime."""
    return at.astimezone(ZoneInfo(tz)).date()


def day_start(day, tz):
    """Midnight at the store on ``day``, as an aware UTC datetime (right across DST changes)."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)


def period_bounds(start, end, tz):
    """``[start_at, end_at)`` in UTC covering the local days ``start`` to ``end`` inclusive."""
    return day_start(start, tz), day_start(end + timedelta(days=1), tz)


def default_period(now, tz, days=DEFAULT_DAYS):
    """The last ``days`` local days, today included."""
    today = local_day(now, tz)
    return today - timedelta(days=days - 1), today


def parse_period(start_text, end_text, now, tz, max_days=MAX_DAYS):
    """``("2026-11-01", "2026-11-14")`` -> two dates; both empty -> the default period; one empty ->
    that end of the default period. ``PeriodInvalid`` for a bad date, start after end, too long."""
    default_start, default_end = default_period(now, tz)
    try:
        start = date.fromisoformat(start_text.strip()) if (start_text or "").strip() else default_start
        end = date.fromisoformat(end_text.strip()) if (end_text or "").strip() else default_end
    except ValueError:
        raise PeriodInvalid("date") from None
    if start > end:
        raise PeriodInvalid("order")
    if (end - start).days + 1 > max_days:
        raise PeriodInvalid("length")
    return start, end


def percentile(values, share):
    """The nearest-rank percentile (``share`` 0.9 for p90) of a non-empty list: a value that occurred."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def dwell(rows):
    """Dwell hours of the collected ``rows``: count, average, p90 (None, None when nothing was collected)."""
    hours = [max(0.0, (r.collected_at - r.checked_in_at).total_seconds()) / HOUR_S
             for r in rows if r.collected_at is not None]
    if not hours:
        return Dwell(0, None, None)
    return Dwell(len(hours), sum(hours) / len(hours), percentile(hours, 0.9))


def _counts(day, checked_in, collected, returned):
    return DayCounts(day, len(checked_in), len(collected), sum(1 for r in collected if r.collected_as == "door"),
                     len(returned), dwell(collected))


def daily_counts(rows, start, end, tz):
    """One ``DayCounts`` per local day from ``start`` to ``end`` (days with nothing give zeros),
    and the totals for the period (``day`` None). A parcel counts on the day of each step it took."""
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    wanted = set(days)
    checked_in = {d: [] for d in days}
    collected = {d: [] for d in days}
    returned = {d: [] for d in days}
    for row in rows:
        for at, bucket in ((row.checked_in_at, checked_in), (row.collected_at, collected),
                           (row.returned_at, returned)):
            if at is not None and (day := local_day(at, tz)) in wanted:
                bucket[day].append(row)
    per_day = tuple(_counts(d, checked_in[d], collected[d], returned[d]) for d in days)
    totals = _counts(None, *([r for d in days for r in bucket[d]] for bucket in (checked_in, collected, returned)))
    return per_day, totals


def overdue_count(checked_in_ats, now, free_days):
    """Parcels waiting since ``checked_in_ats`` that now owe a storage fee (past the free days)."""
    return sum(1 for at in checked_in_ats if storage_days(at, now) > free_days)


def shelf_usage(spaces):
    """Tier spaces (``rules.TierSpace``) added up per shelf, by shelf number, and for the station."""
    shelves = {}
    for space in spaces:
        used, capacity = shelves.get(space.shelf, (0, 0))
        shelves[space.shelf] = (used + space.used, capacity + space.capacity)
    per_shelf = tuple(ShelfUse(number, used, capacity) for number, (used, capacity) in sorted(shelves.items()))
    return per_shelf, ShelfUse(None, sum(s.used for s in per_shelf), sum(s.capacity for s in per_shelf))


def build_report(rows, start, end, tz, now, *, free_days, waiting_since=(), spaces=()):
    """The whole report for the local days ``start``..``end``, overdue and shelves as of ``now``."""
    days, totals = daily_counts(rows, start, end, tz)
    shelves, station = shelf_usage(spaces)
    return Report(start, end, days, totals, overdue_count(waiting_since, now, free_days), shelves, station)


CSV_HEADER = ("date", "checked_in", "collected", "collected_at_door", "returned", "collections_timed",
              "avg_dwell_h", "p90_dwell_h")


def _hours(value):
    return "" if value is None else f"{value:.1f}"


def _csv_row(label, counts):
    return [label, counts.checked_in, counts.collected, counts.at_door, counts.returned, counts.dwell.count,
            _hours(counts.dwell.average_h), _hours(counts.dwell.p90_h)]


def csv_rows(report):
    """The report as CSV rows: a line per day and a total line, then the figures of the moment
    (overdue parcels, shelf usage in size units) after a blank line."""
    rows = [list(CSV_HEADER)]
    rows += [_csv_row(day.day.isoformat(), day) for day in report.days]
    rows.append(_csv_row("total", report.totals))
    rows += [[], ["overdue_now", report.overdue_now], [], ["shelf", "used_units", "capacity_units", "percent"]]
    rows += [[use.shelf, use.used, use.capacity, use.percent] for use in report.shelves]
    rows.append(["all", report.station.used, report.station.capacity, report.station.percent])
    return rows
