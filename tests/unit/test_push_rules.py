"""Scenario pushes' pure rules: school mornings (China's calendar, 调休 included), the weekly cap,
the holdout split, schedules per kind, conversion against the holdout."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from store_app.growth import push_rules
from store_app.growth.push_rules import PushKind, Schedule

SH = "Asia/Shanghai"
ZONE = ZoneInfo(SH)


def local(y, m, d, hh, mm):
    return datetime(y, m, d, hh, mm, tzinfo=ZONE).astimezone(timezone.utc)


def test_an_adjusted_working_saturday_is_a_school_morning():
    # 2026-02-14 is a Saturday worked for the Spring Festival holiday (调休); 2026-02-21 is a Saturday off.
    assert date(2026, 2, 14).weekday() == 5 and push_rules.is_school_day(date(2026, 2, 14))
    assert push_rules.morning_occasion(local(2026, 2, 14, 9, 0), SH, 9 * 60) == "2026-02-14"
    assert push_rules.morning_occasion(local(2026, 2, 21, 9, 0), SH, 9 * 60) is None


def test_a_public_holiday_on_a_weekday_is_not_a_school_morning():
    assert date(2026, 10, 1).weekday() == 3
    assert push_rules.morning_occasion(local(2026, 10, 1, 9, 0), SH, 9 * 60) is None


def test_a_morning_push_goes_from_its_time_for_two_hours():
    monday = (2026, 12, 7)
    assert push_rules.morning_occasion(local(*monday, 8, 59), SH, 9 * 60) is None
    assert push_rules.morning_occasion(local(*monday, 9, 0), SH, 9 * 60) == "2026-12-07"
    assert push_rules.morning_occasion(local(*monday, 10, 59), SH, 9 * 60) == "2026-12-07"
    assert push_rules.morning_occasion(local(*monday, 11, 0), SH, 9 * 60) is None


def test_years_the_calendar_does_not_know_fall_back_to_weekdays():
    assert push_rules.is_school_day(date(2099, 6, 1))          # a Monday
    assert not push_rules.is_school_day(date(2099, 6, 6))      # a Saturday


def test_the_weekly_cap():
    cap = push_rules.MAX_PUSHES_PER_WEEK
    assert not push_rules.over_weekly_cap(cap - 1)
    assert push_rules.over_weekly_cap(cap)
    assert push_rules.over_weekly_cap(cap + 2)
    assert push_rules.over_weekly_cap(1, cap=1) and not push_rules.over_weekly_cap(0, cap=1)


def test_holdout_is_stable_and_near_its_percent():
    held = [u for u in range(1, 2001) if push_rules.is_held_out("push:7", u, 10)]
    assert held == [u for u in range(1, 2001) if push_rules.is_held_out("push:7", u, 10)]
    assert 140 <= len(held) <= 260
    assert not any(push_rules.is_held_out("push:7", u, 0) for u in range(1, 500))
    # Another push splits the residents differently.
    assert held != [u for u in range(1, 2001) if push_rules.is_held_out("push:8", u, 10)]


def test_triggers_on_one_day_share_an_occasion():
    assert push_rules.trigger_occasion(local(2026, 12, 7, 18, 0), SH) == \
        push_rules.trigger_occasion(local(2026, 12, 7, 23, 59), SH) == "t2026-12-07"
    assert push_rules.trigger_occasion(local(2026, 12, 8, 0, 1), SH) == "t2026-12-08"


@pytest.mark.parametrize("kind, schedule, kwargs, problem", [
    (PushKind.RAINY_EVENING_OFFER, Schedule.ONCE, {"send_at": local(2026, 12, 8, 9, 0)}, ("schedule", "not_for_kind")),
    (PushKind.RAINY_EVENING_OFFER, Schedule.TRIGGERED, {}, None),
    (PushKind.WIN_BACK, Schedule.ONCE, {}, ("send_at", "missing")),
    (PushKind.WIN_BACK, Schedule.ONCE, {"send_at": local(2026, 12, 7, 9, 0)}, ("send_at", "past")),
    (PushKind.WIN_BACK, Schedule.ONCE, {"send_at": local(2026, 12, 7, 23, 0)}, None),
    (PushKind.SCHOOL_MORNING_BREAKFAST, Schedule.SCHOOL_MORNINGS, {}, ("morning_time", "missing")),
    (PushKind.SCHOOL_MORNING_BREAKFAST, Schedule.SCHOOL_MORNINGS, {"morning_min": 7 * 60 + 59},
     ("morning_time", "quiet")),
    (PushKind.SCHOOL_MORNING_BREAKFAST, Schedule.SCHOOL_MORNINGS, {"morning_min": 22 * 60}, ("morning_time", "quiet")),
    (PushKind.SCHOOL_MORNING_BREAKFAST, Schedule.SCHOOL_MORNINGS, {"morning_min": 8 * 60}, None),
])
def test_schedules_per_kind(kind, schedule, kwargs, problem):
    assert push_rules.check_schedule(kind, schedule, now=local(2026, 12, 7, 12, 0), **kwargs) == problem


def test_conversion_counts_purchases_within_48_hours_after():
    at = local(2026, 12, 7, 18, 0)
    reached = [(1, at), (2, at), (3, at), (4, at)]
    purchases = {1: [at + timedelta(hours=1)], 2: [at + timedelta(hours=48)], 3: [at - timedelta(minutes=1)],
                 4: [at + timedelta(hours=48, seconds=1)]}
    assert push_rules.count_converted(reached, purchases) == 2


def test_uplift_needs_both_groups():
    assert push_rules.uplift(push_rules.rate(3, 10), push_rules.rate(1, 10)) == pytest.approx(20.0)
    assert push_rules.uplift(push_rules.rate(3, 10), push_rules.rate(0, 0)) is None
