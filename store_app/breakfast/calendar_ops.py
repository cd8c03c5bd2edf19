"""The store's school calendar as staff see and change it: why each date is (or is not) a school
day, a month at a time and the next two weeks with their breakfast days; the store's overrides
(a date, a range, or a weekly rule within a range) added and deleted.

A new closure closes the open breakfast days it covers (``day_admin.close_days_on``: refunds, parents
told); it is refused over a day already frozen or done (the kitchen has its sheet). An opening
creates no day by itself: the opening job (``jobs.py``) or staff make it. Deleting an override
changes no existing day: a closed day stays closed, an open one keeps its orders."""
import calendar as month_calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar
from flask_babel import lazy_gettext as _l

from ..extensions import db
from . import errors, rules
from .day_admin import close_days_on
from .models import BreakfastDay, BreakfastItem, BreakfastOrder, CalendarOverride, DayItem, DayStatus
from .ordering import rules_live_statuses
from .settings import get_settings

MAX_RANGE_DAYS = 366
MIN_YEAR, MAX_YEAR = 2000, 2100  # a calendar change outside these years is a typing mistake
MAX_NOTE = 200
UNKNOWN_AHEAD_DAYS = 30
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
HOLIDAY_NAMES = {
    "New Year's Day": _l("New Year's Day"),
    "Spring Festival": _l("Spring Festival"),
    "Tomb-sweeping Day": _l("Qingming Festival"),
    "Labour Day": _l("Labour Day"),
    "Dragon Boat Festival": _l("Dragon Boat Festival"),
    "National Day": _l("National Day"),
    "Mid-autumn Festival": _l("Mid-Autumn Festival"),
    "Anti-Fascist 70th Day": _l("Victory Day"),
}


@dataclass
class DateInfo:
    """One date of the store's calendar, with the reason it is or is not a school day."""

    date: date
    school: bool
    known: bool            # the national calendar knows the year (False: Monday to Friday assumed)
    reason: str            # school, make_up, weekend, holiday, store_closed, store_open
    holiday: object = ""   # the holiday's name, translated, for "holiday" (and a make-up day's holiday)
    note: str = ""         # the store override's note that decided the date
    day: object = None     # the BreakfastDay of the date, if one exists
    in_month: bool = True


def _national(day, calendar):
    """``(school, known, reason, holiday name)`` from the national calendar alone."""
    school, known = rules.national_school_day(day, calendar)
    holiday = ""
    if calendar == "cn" and known:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        holiday = HOLIDAY_NAMES.get(name, name) if name else ""
        if on_holiday and name:
            return school, known, "holiday", holiday
        if school and day.weekday() >= 5:
            return school, known, "make_up", holiday
    if school:
        return school, known, "school", ""
    return school, known, "weekend", ""


def describe_date(day, overrides, calendar):
    """A ``DateInfo``: the national calendar, then the store's overrides (``CalendarOverride`` rows,
    oldest first; the last one covering the date decides, as in ``rules.is_school_day``)."""
    school, known, reason, holiday = _national(day, calendar)
    note = ""
    for row in overrides:
        if rules.Override(row.kind, row.starts_on, row.ends_on, row.rrule).covers(day):
            school = row.kind == "open"
            reason, note = ("store_open" if school else "store_closed"), row.note
    return DateInfo(day, school, known, reason, holiday, note)


def list_overrides(store_id):
    """The store's overrides, oldest first (the order they apply in)."""
    return db.session.scalars(db.select(CalendarOverride).where(CalendarOverride.store_id == store_id)
                              .order_by(CalendarOverride.id)).all()


def _days_between(store_id, start, end):
    rows = db.session.scalars(db.select(BreakfastDay).where(
        BreakfastDay.store_id == store_id, BreakfastDay.date >= start, BreakfastDay.date <= end))
    return {row.date: row for row in rows}


def describe_range(store_id, start, end):
    """``DateInfo`` of every date from ``start`` to ``end``, each with its breakfast day if any."""
    overrides, calendar = list_overrides(store_id), get_settings(store_id).calendar
    days = _days_between(store_id, start, end)
    infos, day = [], start
    while day <= end:
        info = describe_date(day, overrides, calendar)
        info.day = days.get(day)
        infos.append(info)
        day += timedelta(days=1)
    return infos


def month_weeks(store_id, year, month):
    """The month as weeks of seven ``DateInfo`` (Monday first), days of the months around it marked."""
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    infos = describe_range(store_id, weeks[0][0], weeks[-1][-1])
    for info in infos:
        info.in_month = info.date.month == month
    return [infos[i:i + 7] for i in range(0, len(infos), 7)]


def unknown_dates(store_id, today, days=UNKNOWN_AHEAD_DAYS):
    """The dates from ``today`` on (``days`` of them) whose national calendar is not known yet; none
    when the store uses Monday to Friday anyway."""
    calendar = get_settings(store_id).calendar
    if calendar != "cn":
        return []
    dates = [today + timedelta(days=n) for n in range(days)]
    return [d for d in dates if not rules.national_school_day(d, calendar)[1]]


# ---- overrides -------------------------------------------------------------------------------------

def weekly_rule(weekdays):
    """The RRULE of a weekly repeat on ``weekdays`` (0 = Monday): built from choices, never typed."""
    chosen = sorted({int(d) for d in weekdays})
    if not chosen or not all(0 <= d <= 6 for d in chosen):
        raise errors.OverrideInvalid("weekdays", _l("Choose at least one weekday for the repeating rule."))
    return "FREQ=WEEKLY;BYDAY=" + ",".join(WEEKDAY_CODES[d] for d in chosen)


def _check_range(starts_on, ends_on):
    if starts_on is None or not MIN_YEAR <= starts_on.year <= MAX_YEAR:
        raise errors.OverrideInvalid("starts_on", _l("Enter the first date as year-month-day, e.g. 2026-01-20."))
    if ends_on is None or not MIN_YEAR <= ends_on.year <= MAX_YEAR:
        raise errors.OverrideInvalid("ends_on", _l("Enter the last date as year-month-day, e.g. 2026-02-20."))
    if ends_on < starts_on:
        raise errors.OverrideInvalid("ends_on", _l("The last date must not be before the first date."))
    if (ends_on - starts_on).days >= MAX_RANGE_DAYS:
        raise errors.OverrideInvalid("ends_on", _l("Choose a range of at most %(n)d days.", n=MAX_RANGE_DAYS))


def covered_dates(override):
    """The dates an override (a ``rules.Override``) applies to."""
    dates, day = [], override.starts_on
    while day <= override.ends_on:
        if override.covers(day):
            dates.append(day)
        day += timedelta(days=1)
    return dates


def add_override(store, *, mode, kind, starts_on, ends_on=None, weekdays=(), note="", actor_id=None, now):
    """Add a closure or an opening: ``mode`` "date" (one date), "range" or "weekly" (the chosen
    weekdays within the range). A closure closes the open days it covers (refunds, parents told
    with the note) and is refused over frozen or done days. Returns ``(override, days closed)``."""
    if kind not in ("closed", "open"):
        raise errors.OverrideInvalid("kind", _l("Choose whether the store closes or opens on these dates."))
    if mode not in ("date", "range", "weekly"):
        raise errors.OverrideInvalid("mode", _l("Choose one date, a range or a repeating rule."))
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise errors.OverrideInvalid("note", _l("Keep the note under %(n)d characters.", n=MAX_NOTE))
    if mode == "date":
        ends_on = starts_on
    _check_range(starts_on, ends_on)
    rrule = weekly_rule(weekdays) if mode == "weekly" else ""
    value = rules.Override(kind, starts_on, ends_on, rrule)
    dates = covered_dates(value)
    if not dates:
        raise errors.OverrideInvalid("weekdays", _l("None of the chosen weekdays falls within these dates."))
    if kind == "closed":
        fixed = db.session.scalars(db.select(BreakfastDay.date).where(
            BreakfastDay.store_id == store.id, BreakfastDay.date.in_(dates),
            BreakfastDay.status.in_((DayStatus.FROZEN.value, DayStatus.DONE.value)))
            .order_by(BreakfastDay.date)).all()
        if fixed:
            raise errors.OverrideHitsFrozenDays(fixed)
    row = CalendarOverride(store_id=store.id, kind=kind, starts_on=starts_on, ends_on=ends_on, rrule=rrule,
                           note=note, created_by=actor_id, created_at=now)
    db.session.add(row)
    db.session.flush()
    closed = []
    if kind == "closed":
        closed = close_days_on(store, dates, note or str(_l("The store is closed on this day.")), actor_id, now)
    return row, closed


def delete_override(store_id, override_id):
    """Delete one of the store's overrides (existing days are not changed); ``OverrideNotFound`` else."""
    row = (db.session.get(CalendarOverride, override_id)
           if isinstance(override_id, int) and 0 < override_id < 2**31 else None)
    if row is None or row.store_id != store_id:
        raise errors.OverrideNotFound()
    db.session.delete(row)
    db.session.flush()


def rule_weekdays(rrule):
    """The weekdays (0 = Monday) of a weekly RRULE this module built; [] for none."""
    if "BYDAY=" not in rrule:
        return []
    codes = rrule.split("BYDAY=", 1)[1].split(";")[0].split(",")
    return [WEEKDAY_CODES.index(code) for code in codes if code in WEEKDAY_CODES]


@dataclass
class DayRow:
    """A date of the days list: the calendar's word, and the breakfast day with its portions."""

    info: DateInfo
    items: list = field(default_factory=list)   # [(BreakfastItem, taken, left)]
    orders: int = 0


def list_day_rows(store_id, today, count=14):
    """The next ``count`` dates from ``today``: each with its calendar reason, and for an existing
    breakfast day its portions taken and left per item and its number of live orders."""
    infos = describe_range(store_id, today, today + timedelta(days=count - 1))
    day_ids = [info.day.id for info in infos if info.day is not None]
    portions, orders = {}, {}
    if day_ids:
        for day_item, item in db.session.execute(
                db.select(DayItem, BreakfastItem).join(BreakfastItem, BreakfastItem.id == DayItem.item_id)
                .where(DayItem.day_id.in_(day_ids)).order_by(BreakfastItem.position, BreakfastItem.id)):
            left = max(0, day_item.capacity - day_item.taken - day_item.held)
            portions.setdefault(day_item.day_id, []).append((item, day_item.taken, left))
        orders = dict(db.session.execute(
            db.select(BreakfastOrder.day_id, db.func.count()).where(
                BreakfastOrder.day_id.in_(day_ids), BreakfastOrder.status.in_(rules_live_statuses()))
            .group_by(BreakfastOrder.day_id)).all())
    return [DayRow(info, portions.get(info.day.id, []) if info.day else [],
                   orders.get(info.day.id, 0) if info.day else 0) for info in infos]
