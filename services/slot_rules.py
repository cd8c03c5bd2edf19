"""Bookable slots: which start times of one offering a resident may pick, and which crew would do each.

Pure: plain frozen dataclasses in, a list out; no Flask, no SQLAlchemy, no clock. Availability is a
weekly pattern (RFC 5545 RRULEs with a window of the local day and a number of crews) plus per-day
exceptions, evaluated in the store's time zone with ``zoneinfo`` (wall-clock windows, so a DST change
moves the UTC instants, never the local hours). A slot's block (its time with both buffers) must not
overlap any busy block of its crew, which is exactly what the database's ``no_double_booking``
constraint refuses, so a slot shown here can be held unless someone else takes it first.
"""
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from dateutil.rrule import rrulestr

_ANCHOR = datetime(2000, 1, 3)  # a Monday: weekly rules without a DTSTART count from here


@dataclass(frozen=True)
class WeeklyWindow:
    """A weekly rule: on the days ``rrule`` yields, from ``start_min`` to ``end_min`` (minutes after
    local midnight) the vendor's first ``crews`` crews (by id) work."""

    rrule: str
    start_min: int
    end_min: int
    crews: int


@dataclass(frozen=True)
class DayException:
    """One local date that differs from the pattern: closed (``start_min`` None) or other hours
    (then every crew works them)."""

    day: date
    start_min: int | None = None
    end_min: int | None = None


@dataclass(frozen=True)
class BusyBlock:
    """Time a crew cannot be given (a booking's block with its buffers). A hold is busy only until
    ``until_at`` (its expiry): a lapsed hold frees the time even before the job marks it expired."""

    crew_id: int
    start_at: datetime
    end_at: datetime
    until_at: datetime | None = None


@dataclass(frozen=True)
class SlotQuery:
    """Everything the rule needs about one offering of one vendor, and the range asked for."""

    crew_ids: tuple
    windows: tuple
    duration_min: int
    tz: object  # a zoneinfo.ZoneInfo
    first_day: date
    days: int
    now: datetime
    exceptions: tuple = ()
    busy: tuple = ()
    buffer_before_min: int = 0
    buffer_after_min: int = 0
    notice_min: int = 0
    step_min: int = 30


@dataclass(frozen=True, order=True)
class Slot:
    """A bookable start (aware UTC), its end, and the crew that would do it."""

    starts_at: datetime
    ends_at: datetime = field(compare=False)
    crew_id: int = field(compare=False)


@lru_cache(maxsize=512)
def _rule_days(rrule, first_day, days):
    """The local dates in ``[first_day, first_day + days)`` a weekly rule falls on (cached: a handful
    of distinct rules serve every vendor)."""
    try:
        rule = rrulestr(rrule, dtstart=_ANCHOR, ignoretz=True)
        start = datetime.combine(first_day, time())
        return frozenset(when.date() for when in rule.between(start, start + timedelta(days=days - 1), inc=True))
    except (ValueError, TypeError, OverflowError):
        return frozenset()  # an unreadable rule offers nothing rather than breaking the page


def _day_windows(query, day, exceptions):
    """``[(start_min, end_min, crew_ids)]`` of one local date."""
    if day in exceptions:
        exception = exceptions[day]
        if exception.start_min is None or exception.end_min is None:
            return []
        return [(exception.start_min, exception.end_min, query.crew_ids)]
    return [(window.start_min, window.end_min, query.crew_ids[:max(0, window.crews)])
            for window in query.windows if day in _rule_days(window.rrule, query.first_day, query.days)]


def _at(day, minute, tz):
    """The UTC instant of ``minute`` minutes after local midnight of ``day`` (wall clock, DST-safe)."""
    local = datetime.combine(day, time(), tz) + timedelta(minutes=minute)
    return local.astimezone(timezone.utc)


def _busy_index(query):
    """Per crew, its busy blocks sorted by start, and the running maximum of their ends."""
    index = {}
    for block in query.busy:
        if block.until_at is not None and block.until_at <= query.now:
            continue
        index.setdefault(block.crew_id, []).append((block.start_at, block.end_at))
    prepared = {}
    for crew_id, blocks in index.items():
        blocks.sort()
        ends, longest = [], None
        for _start, end in blocks:
            longest = end if longest is None or end > longest else longest
            ends.append(longest)
        prepared[crew_id] = ([start for start, _end in blocks], ends)
    return prepared


def _is_free(prepared, crew_id, start, end):
    """Whether no busy block of the crew overlaps ``[start, end)``."""
    if crew_id not in prepared:
        return True
    starts, max_ends = prepared[crew_id]
    # Blocks starting before ``end`` are the candidates; the latest end among them decides.
    position = bisect_left(starts, end)
    return position == 0 or max_ends[position - 1] <= start


def _candidates(query, exceptions):
    """``{start_utc: set of crew ids}`` whose window holds the whole job."""
    duration = timedelta(minutes=query.duration_min)
    earliest = query.now + timedelta(minutes=query.notice_min)
    found = {}
    for offset in range(query.days):
        day = query.first_day + timedelta(days=offset)
        for start_min, end_min, crews in _day_windows(query, day, exceptions):
            if not crews:
                continue
            window_start, window_end = _at(day, start_min, query.tz), _at(day, end_min, query.tz)
            for minute in range(start_min, end_min, max(1, query.step_min)):
                start = _at(day, minute, query.tz)
                if start < window_start or start + duration > window_end or start < earliest:
                    continue
                found.setdefault(start, set()).update(crews)
    return found


def bookable_slots(query):
    """The bookable starts of ``query`` over its local date range, soonest first: each with the free
    crew of lowest id. A slot lies inside availability, is at least ``notice_min`` after ``now`` and its
    block (buffers included) overlaps no live busy block of its crew."""
    exceptions = {exception.day: exception for exception in query.exceptions}
    prepared = _busy_index(query)
    duration = timedelta(minutes=query.duration_min)
    before, after = timedelta(minutes=query.buffer_before_min), timedelta(minutes=query.buffer_after_min)
    slots = []
    for start, crews in sorted(_candidates(query, exceptions).items()):
        end = start + duration
        for crew_id in sorted(crews):
            if _is_free(prepared, crew_id, start - before, end + after):
                slots.append(Slot(start, end, crew_id))
                break
    return slots


def free_crews(query, starts_at):
    """Every crew (by id) that could do a job starting at ``starts_at``: the crews to try, in order,
    when holding that start."""
    exceptions = {exception.day: exception for exception in query.exceptions}
    crews = _candidates(query, exceptions).get(starts_at, set())
    prepared = _busy_index(query)
    end = starts_at + timedelta(minutes=query.duration_min)
    before, after = timedelta(minutes=query.buffer_before_min), timedelta(minutes=query.buffer_after_min)
    return [crew_id for crew_id in sorted(crews) if _is_free(prepared, crew_id, starts_at - before, end + after)]


def group_by_day(slots, tz):
    """``[(local date, [slots])]`` in order, for a page that lists slots per day."""
    days = {}
    for slot in slots:
        days.setdefault(slot.starts_at.astimezone(tz).date(), []).append(slot)
    return sorted(days.items())
