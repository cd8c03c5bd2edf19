"""Breakfast's pure rules: allergens, the school calendar, a day's times in the store's time zone,
cutoffs, the grace on a short wallet and the items of a subscription's day. Plain values in, plain
values out; ``now`` is always an argument."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar
from dateutil.rrule import rrulestr

# The 14 major allergens (the EU's list, which China's GB 7718-2025 follows for its 8 of them).
ALLERGENS = ("gluten", "crustaceans", "eggs", "fish", "peanuts", "soy", "milk", "tree_nuts", "celery",
             "mustard", "sesame", "sulphites", "lupin", "molluscs")
MAX_CODE_MISSES = 5
WEEKDAY_BITS = tuple(1 << day for day in range(7))  # Monday = bit 0


def parse_allergens(values):
    """The known allergen codes among ``values`` (a list or a comma-separated string), in list order;
    ``ValueError`` names an unknown one."""
    if isinstance(values, str):
        values = values.split(",")
    chosen = {value.strip() for value in values if value and value.strip()}
    unknown = chosen - set(ALLERGENS)
    if unknown:
        raise ValueError(sorted(unknown)[0])
    return [code for code in ALLERGENS if code in chosen]


def allergen_conflict(child_allergies, item_allergens, item_allergens_known):
    """Why an item may not be ordered for a child, or None: ``"contains"`` with the allergens it shares
    with the child, or ``"unknown"`` when the child has allergies and the item's are not known."""
    child = frozenset(child_allergies)
    if not child:
        return None
    if not item_allergens_known:
        return ("unknown", ())
    shared = tuple(code for code in ALLERGENS if code in child and code in frozenset(item_allergens))
    return ("contains", shared) if shared else None


# --- the school calendar -------------------------------------------------------------------------

@dataclass(frozen=True)
class Override:
    kind: str          # "closed" or "open"
    starts_on: date
    ends_on: date
    rrule: str = ""    # within the range, only the dates of this rule (empty: every date)

    def covers(self, day):
        if not (self.starts_on <= day <= self.ends_on):
            return False
        if not self.rrule:
            return True
        moment = datetime.combine(day, time())
        rule = rrulestr(self.rrule, dtstart=datetime.combine(self.starts_on, time()))
        return bool(rule.between(moment, moment, inc=True))


def national_school_day(day, calendar="cn"):
    """``(is_school_day, known)``: China's official working days (调休 included) where the package has
    the year's data; past it, or with calendar ``"weekdays"``, Monday to Friday and ``known`` False
    for ``"cn"`` (the owner is told)."""
    if calendar == "cn":
        try:
            return chinese_calendar.is_workday(day), True
        except NotImplementedError:
            return day.weekday() < 5, False
    return day.weekday() < 5, True


def is_school_day(day, overrides=(), calendar="cn"):
    """``(is_school_day, known)``: the national calendar, then the store's overrides (a later one wins;
    a closure wins over an opening made at the same time)."""
    school, known = national_school_day(day, calendar)
    for override in overrides:
        if override.covers(day):
            school = override.kind == "open"
    return school, known


def school_days(start, end, overrides=(), calendar="cn"):
    """The school days from ``start`` to ``end`` inclusive, and the dates whose national data is missing."""
    days, unknown = [], []
    day = start
    while day <= end:
        school, known = is_school_day(day, overrides, calendar)
        if school:
            days.append(day)
        if not known:
            unknown.append(day)
        day += timedelta(days=1)
    return days, unknown


def calendar_data_ends():
    """The last year whose official calendar the package knows."""
    return max(chinese_calendar.holidays).year


# --- a day's times --------------------------------------------------------------------------------

@dataclass(frozen=True)
class DayTimes:
    opens_at: datetime
    order_cutoff_at: datetime
    cancel_cutoff_at: datetime
    pickup_start_at: datetime
    pickup_end_at: datetime


def _at(day, minute, tz):
    local = datetime.combine(day, time()) + timedelta(minutes=minute)
    return local.replace(tzinfo=tz).astimezone(timezone.utc)


def day_times(day, tz_name, *, open_days_ahead=3, order_cutoff_days_before=1, order_cutoff_min=21 * 60,
              cancel_cutoff_days_before=1, cancel_cutoff_min=21 * 60, pickup_start_min=390, pickup_end_min=510):
    """A pickup date's instants (aware UTC) from the store's settings, in the store's time zone:
    ordering opens at midnight ``open_days_ahead`` days before."""
    tz = ZoneInfo(tz_name)
    return DayTimes(
        opens_at=_at(day - timedelta(days=open_days_ahead), 0, tz),
        order_cutoff_at=_at(day - timedelta(days=order_cutoff_days_before), order_cutoff_min, tz),
        cancel_cutoff_at=_at(day - timedelta(days=cancel_cutoff_days_before), cancel_cutoff_min, tz),
        pickup_start_at=_at(day, pickup_start_min, tz),
        pickup_end_at=_at(day, pickup_end_min, tz),
    )


def times_from_settings(day, tz_name, settings):
    """``day_times`` with a ``BreakfastSettings``-like object's values."""
    return day_times(day, tz_name, open_days_ahead=settings.open_days_ahead,
                     order_cutoff_days_before=settings.order_cutoff_days_before,
                     order_cutoff_min=settings.order_cutoff_min,
                     cancel_cutoff_days_before=settings.cancel_cutoff_days_before,
                     cancel_cutoff_min=settings.cancel_cutoff_min,
                     pickup_start_min=settings.pickup_start_min, pickup_end_min=settings.pickup_end_min)


def local_today(now, tz_name):
    return now.astimezone(ZoneInfo(tz_name)).date()


def orderable_dates(now, tz_name, open_days_ahead):
    """The pickup dates whose ordering may be open at ``now``: today up to ``open_days_ahead`` days on
    (each day's own cutoff still decides)."""
    today = local_today(now, tz_name)
    return [today + timedelta(days=n) for n in range(open_days_ahead + 1)]


def may_order(now, opens_at, order_cutoff_at):
    """Ordering is open from ``opens_at`` up to, not including, the cutoff: one second before is
    accepted, the cutoff itself is refused."""
    return opens_at <= now < order_cutoff_at


def may_change(now, cancel_cutoff_at, order_cutoff_at):
    """Skipping, changing or cancelling is allowed before both cutoffs (a change may not outlive the
    order cutoff either: the kitchen's sheet is made then)."""
    return now < min(cancel_cutoff_at, order_cutoff_at)


def seconds_left(now, cutoff_at):
    return max(0, int((cutoff_at - now).total_seconds()))


# --- charging -------------------------------------------------------------------------------------

def charge_outcome(balance_cents, total_cents, breakfasts_on_credit, grace_breakfasts):
    """What the cutoff does with one order: ``"paid"`` if the wallet covers it; else ``"on_credit"``
    while the parent has fewer than ``grace_breakfasts`` breakfasts on credit (the child still eats);
    else ``"not_cooked"``."""
    if total_cents <= 0 or balance_cents >= total_cents:
        return "paid"
    if breakfasts_on_credit < grace_breakfasts:
        return "on_credit"
    return "not_cooked"


# --- subscriptions --------------------------------------------------------------------------------

def subscription_weekday(day, weekdays_with_items):
    """Which weekday's items a school day takes: its own; a make-up school day on a weekend (调休)
    with no items of its own takes those of the first weekday that has any (Monday's, usually)."""
    if day.weekday() in weekdays_with_items:
        return day.weekday()
    if day.weekday() >= 5 and weekdays_with_items:
        return min(weekdays_with_items)
    return None


def subscription_covers(day, starts_on, ends_on, paused_until):
    return starts_on <= day <= ends_on and (paused_until is None or day > paused_until)


def offered_on(weekdays_bits, day, is_make_up=False):
    """An item is offered on a date if its weekday bit is set; a make-up school weekend day offers the
    items of a weekday (Monday)."""
    weekday = 0 if is_make_up and day.weekday() >= 5 else day.weekday()
    return bool(weekdays_bits & WEEKDAY_BITS[weekday])
