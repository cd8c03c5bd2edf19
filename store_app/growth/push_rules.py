"""Scenario pushes as pure rules: which kinds there are and when each is due, who is held out, the
weekly cap, and conversion against the holdout. Plain values and ``now`` in, values out.

School mornings follow China's official working-day calendar (``chinesecalendar``: weekdays, minus
public holidays, plus the make-up working Saturdays and Sundays of 调休); past the years its data
covers, Monday to Friday. Breakfast keeps its own store overrides (a school's closures), but growth
stands below breakfast and cannot read them: a school-morning push follows the national calendar.
"""
import hashlib
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import chinese_calendar

from ..notifications.quiet_rules import BREAKFAST_REMINDER, OFFERS, QUIET_END, QUIET_START, WIN_BACK


class PushKind(StrEnum):
    SCHOOL_MORNING_BREAKFAST = "school_morning_breakfast"   # order-breakfast reminder on school mornings
    RAINY_EVENING_OFFER = "rainy_evening_offer"             # a delivery offer staff send when it rains
    WIN_BACK = "win_back"                                   # "we miss you" to dormant residents
    CUSTOM = "custom"                                       # anything else the store writes


class Schedule(StrEnum):
    ONCE = "once"                          # once, at a chosen time
    SCHOOL_MORNINGS = "school_mornings"    # every school morning at HH:MM (store time)
    TRIGGERED = "triggered"                # when staff press "send now" (at most once a day)


class PushStatus(StrEnum):
    ACTIVE = "active"      # waiting for its time, or recurring
    DONE = "done"          # a one-off push that went out
    STOPPED = "stopped"    # stopped by staff: nothing more goes out (deferred ones are not sent)


class DeliveryStatus(StrEnum):
    SENT = "sent"                              # in the resident's inbox
    DEFERRED = "deferred"                      # due in quiet hours: goes out at 08:00
    SKIPPED_PREFERENCE = "skipped_preference"  # the resident turned this kind off
    SKIPPED_CAP = "skipped_cap"                # the resident had their pushes for the week
    HOLDOUT = "holdout"                        # held out on purpose: nothing sent, compared with the sent


# The resident's switch (notification settings) each kind answers to.
PREFERENCE_OF = {PushKind.SCHOOL_MORNING_BREAKFAST: BREAKFAST_REMINDER, PushKind.RAINY_EVENING_OFFER: OFFERS,
                 PushKind.WIN_BACK: WIN_BACK, PushKind.CUSTOM: OFFERS}
# Which schedules make sense for each kind.
SCHEDULES_OF = {PushKind.SCHOOL_MORNING_BREAKFAST: (Schedule.SCHOOL_MORNINGS, Schedule.ONCE),
                PushKind.RAINY_EVENING_OFFER: (Schedule.TRIGGERED,),
                PushKind.WIN_BACK: (Schedule.ONCE, Schedule.TRIGGERED),
                PushKind.CUSTOM: (Schedule.ONCE, Schedule.TRIGGERED, Schedule.SCHOOL_MORNINGS)}

# A resident gets at most this many pushes in any 7 days (sent or deferred to be sent; holdout and
# skipped ones do not count). A constant for every store: the "N a week".
MAX_PUSHES_PER_WEEK = 3
CAP_WINDOW = timedelta(days=7)
# A recurring push goes out from its time until this long after (a scheduler down all morning does
# not send a breakfast reminder at noon).
SEND_WINDOW = timedelta(hours=2)
# A resident reached (or held out) converts with a purchase placed within this long after.
CONVERSION_WINDOW = timedelta(hours=48)
MAX_HOLDOUT_PERCENT = 50


def is_school_day(day):
    """True on China's official working days (调休 make-up Saturdays included); Monday to Friday
    for a year ``chinesecalendar`` does not know yet."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def morning_occasion(now, tz_name, morning_min):
    """The occasion (the local date, ISO) a school-morning push is due for at ``now``, or None: a
    school day, from ``morning_min`` minutes past midnight (store time) to ``SEND_WINDOW`` after."""
    local = now.astimezone(ZoneInfo(tz_name))
    start = datetime.combine(local.date(), datetime.min.time(), tzinfo=local.tzinfo) + timedelta(minutes=morning_min)
    if not is_school_day(local.date()) or not start <= local < start + SEND_WINDOW:
        return None
    return local.date().isoformat()


def trigger_occasion(now, tz_name):
    """The occasion staff trigger at ``now``: the local date, so a second press that day sends nothing new."""
    return "t" + now.astimezone(ZoneInfo(tz_name)).date().isoformat()


ONCE_OCCASION = "once"


def is_held_out(scope, user_id, percent):
    """True for the residents a push (or its campaign) holds out: a stable hash of ``scope`` and the
    user puts each resident in one of 100 buckets; buckets below ``percent`` are held out."""
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"{scope}:{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100 < percent


def over_weekly_cap(counted_in_window, cap=MAX_PUSHES_PER_WEEK):
    """True when a resident who already has ``counted_in_window`` pushes in the last 7 days may get no more."""
    return counted_in_window >= cap


def check_schedule(kind, schedule, *, send_at=None, morning_min=None, now=None, tz_name="Asia/Shanghai"):
    """The problem with a push's schedule, as ``(field, reason)``, or None when it may be saved.

    Reasons: ``schedule`` (not for this kind), ``send_at`` (missing or past), ``morning_time``
    (missing, or in quiet hours: a school-morning push must go out, not wait for 08:00).
    """
    if schedule not in SCHEDULES_OF.get(kind, ()):
        return "schedule", "not_for_kind"
    if schedule == Schedule.ONCE and (send_at is None or (now is not None and send_at <= now)):
        return "send_at", "missing" if send_at is None else "past"
    if schedule == Schedule.SCHOOL_MORNINGS:
        if morning_min is None:
            return "morning_time", "missing"
        if not QUIET_END.hour * 60 + QUIET_END.minute <= morning_min < QUIET_START.hour * 60 + QUIET_START.minute:
            return "morning_time", "quiet"
    return None


def count_converted(reached, purchases_by_user, window=CONVERSION_WINDOW):
    """How many of ``reached`` (``(user_id, reached_at)`` pairs) have a purchase placed after
    ``reached_at`` and within ``window`` of it; ``purchases_by_user`` maps a user to placed times."""
    return sum(1 for user_id, reached_at in reached
               if any(reached_at < placed <= reached_at + window for placed in purchases_by_user.get(user_id, ())))


def rate(part, whole):
    """``part / whole`` as a fraction, None when ``whole`` is 0."""
    return part / whole if whole else None


def uplift(treated_rate, holdout_rate):
    """Treated minus holdout conversion, in percentage points; None when either is unknown."""
    if treated_rate is None or holdout_rate is None:
        return None
    return (treated_rate - holdout_rate) * 100
