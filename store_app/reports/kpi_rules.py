"""The owner's board, pure: periods of calendar days in the store's time zone (weeks start on Monday),
the previous period to compare with, whether a period is complete, N-day retention, percentiles
from histogram buckets, and the board's figures from summed rollup metrics. Plain values in and
out; ``today`` (the store's local date) is always passed in."""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_PERIOD_DAYS = 1100  # three years: the longest range the board compares with the one before it
FIRST_YEAR, LAST_YEAR = 2000, 2100  # dates outside are typos (and would overflow the previous period)
PRESETS = ("today", "7d", "month", "30d")
RETENTION_DAYS = (7, 30)

# Click-to-door minutes (placed -> delivered): bucket i holds [edge[i-1], edge[i]); the last is open.
C2D_EDGES_MIN = (10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 75, 90, 120)
# Parcel dwell hours (checked in -> handed over), same layout.
DWELL_EDGES_H = (2, 4, 8, 12, 24, 36, 48, 72, 96, 120, 168, 240, 336)

ORDER_LINES = ("delivery", "pickup", "parcel_door")
SALES_LINES = (*ORDER_LINES, "breakfast", "services")
DOOR_LINES = ("delivery", "parcel_door")  # brought by a courier: on time, click to door


@dataclass(frozen=True)
class Period:
    """Calendar days ``first``..``last`` (inclusive) in the store's time zone."""

    first: date
    last: date

    @property
    def days(self):
        return (self.last - self.first).days + 1

    def dates(self):
        """Every day of the period, in order."""
        return [self.first + timedelta(days=i) for i in range(self.days)]


class PeriodInvalid(ValueError):
    """A period the board cannot show: ``reason`` is "date", "order" or "length"."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def local_day(at, tz_name):
    """The store's calendar day of an aware datetime."""
    return at.astimezone(ZoneInfo(tz_name)).date()


def day_start_utc(day, tz_name):
    """The aware UTC moment the store's local ``day`` begins (its local midnight)."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz_name)).astimezone(UTC)


def utc_window(period, tz_name):
    """``(start, end)`` aware UTC, ``start <= t < end``, covering the period's local days."""
    return day_start_utc(period.first, tz_name), day_start_utc(period.last + timedelta(days=1), tz_name)


def week_start(day):
    """The Monday of ``day``'s week (weeks start on Monday)."""
    return day - timedelta(days=day.weekday())


def preset_period(name, today):
    """A named period ending today: "today", "7d" (the last 7 days), "month" (this calendar month so
    far), "30d" (the last 30 days). Unknown names raise ``PeriodInvalid("date")``."""
    if name == "today":
        return Period(today, today)
    if name == "7d":
        return Period(today - timedelta(days=6), today)
    if name == "month":
        return Period(today.replace(day=1), today)
    if name == "30d":
        return Period(today - timedelta(days=29), today)
    raise PeriodInvalid("date")


def parse_period(first_text, last_text):
    """A custom period from two ISO dates ("2026-01-01"); ``PeriodInvalid`` for a bad date or one
    outside ``FIRST_YEAR``..``LAST_YEAR`` ("date"),
    an end before the start ("order") or more than ``MAX_PERIOD_DAYS`` days ("length")."""
    try:
        first, last = date.fromisoformat(str(first_text).strip()), date.fromisoformat(str(last_text).strip())
    except ValueError as exc:
        raise PeriodInvalid("date") from exc
    if not (FIRST_YEAR <= first.year <= LAST_YEAR and FIRST_YEAR <= last.year <= LAST_YEAR):
        raise PeriodInvalid("date")
    if last < first:
        raise PeriodInvalid("order")
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise PeriodInvalid("length")
    return Period(first, last)


def previous_period(period):
    """The period of equal length that ends the day before ``period`` begins."""
    return Period(period.first - timedelta(days=period.days), period.first - timedelta(days=1))


def is_complete(period, today):
    """A period is complete when its last day is over: one that includes today (or the future) is not."""
    return period.last < today


def elapsed_days(period, today):
    """Days of the period that have begun by ``today`` (at least 0, at most its length)."""
    return max(0, min(period.days, (today - period.first).days + 1))


def bucket_index(value, edges):
    """The histogram bucket of ``value``: ``i`` with ``edges[i-1] <= value < edges[i]``; ``len(edges)``
    for a value at or past the last edge."""
    for i, edge in enumerate(edges):
        if value < edge:
            return i
    return len(edges)


def percentile_from_buckets(counts, edges, q):
    """The ``q``-th (0-1) percentile estimated from bucket counts (``len(edges) + 1`` of them), by
    linear interpolation inside the bucket that holds it. Returns ``(value, open_ended)``: when it
    falls in the last, open bucket the value is that bucket's lower edge and ``open_ended`` is True
    ("over 120 min"). ``(None, False)`` with no values."""
    total = sum(counts)
    if not total:
        return None, False
    rank = q * total
    seen = 0
    for i, count in enumerate(counts):
        if count and seen + count >= rank:
            lower = edges[i - 1] if i else 0
            if i == len(edges):
                return float(lower), True
            return lower + (edges[i] - lower) * (rank - seen) / count, False
        seen += count
    return float(edges[-1]), True


def first_days(first_ats, tz_name):
    """``{user_id: local day}`` of each user's first moment (``{user_id: aware datetime}``)."""
    return {user: local_day(at, tz_name) for user, at in first_ats.items()}


def retention_cohorts(cohort_day_of, active_days_of, n):
    """N-day retention by cohort: ``{cohort_day: (size, retained)}``. A cohort is the users whose
    first purchase fell on one day ``D``; a user is retained at N days when they were active on the
    calendar day ``D + N`` exactly (not "within N days"). ``active_days_of`` is ``{user_id: set of
    days}``."""
    cohorts = {}
    for user, day in cohort_day_of.items():
        size, retained = cohorts.get(day, (0, 0))
        cohorts[day] = (size + 1, retained + (day + timedelta(days=n) in active_days_of.get(user, ())))
    return cohorts


def retention_rate(cohorts, n, today):
    """The N-day retention of the cohorts whose day N is over (``D + N < today``), pooled: retained
    over size; None when no such cohort has anyone. Younger cohorts are left out, not counted as lost."""
    size = retained = 0
    for day, (count, kept) in cohorts.items():
        if day + timedelta(days=n) < today:
            size, retained = size + count, retained + kept
    return retained / size if size else None


def last_counted_cohort(n, today):
    """The last cohort day whose N-th day is over by ``today``."""
    return today - timedelta(days=n + 1)


def ratio(part, whole):
    """``part / whole``, None when ``whole`` is 0 or unknown."""
    if part is None or not whole:
        return None
    return part / whole


def comparison(value, previous, kind):
    """How ``value`` compares with ``previous``: ``(change, direction)``. Shares and rates change by
    percentage points (``kind`` "share"), everything else by percent; None when either is unknown or
    the previous value is 0 (a percent of nothing)."""
    if value is None or previous is None:
        return None, None
    if kind == "share":
        difference = round((value - previous) * 100, 1)
    elif not previous:
        return None, None
    else:
        difference = round((value - previous) * 100 / abs(previous))
    if difference == 0:
        return 0, "same"
    return difference, "up" if difference > 0 else "down"
