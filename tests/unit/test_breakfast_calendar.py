"""The store's school calendar: China's official one (make-up school days included), the store's own
closures and openings over it, repeating rules, and the years the package does not know yet."""
from datetime import date, timedelta

import pytest

from store_app.breakfast import rules
from store_app.breakfast.calendar_ops import covered_dates, describe_date, rule_weekdays, weekly_rule
from store_app.breakfast.errors import OverrideInvalid
from store_app.breakfast.models import CalendarOverride


def test_around_national_day_2025_make_up_weekends_are_school_days_and_the_holiday_is_not():
    days, unknown = rules.school_days(date(2025, 9, 27), date(2025, 10, 12))
    assert date(2025, 9, 28) in days        # a Sunday: make-up school day
    assert date(2025, 10, 11) in days       # a Saturday: make-up school day
    assert not any(date(2025, 10, n) in days for n in range(1, 9))
    assert date(2025, 9, 27) not in days and date(2025, 10, 12) not in days  # ordinary weekend
    assert date(2025, 9, 30) in days and date(2025, 10, 9) in days
    assert unknown == []


def test_a_store_winter_break_closure_overrides_the_national_calendar():
    winter = rules.Override("closed", date(2026, 1, 19), date(2026, 2, 27))
    assert rules.is_school_day(date(2026, 1, 16), [winter]) == (True, True)
    assert rules.is_school_day(date(2026, 1, 19), [winter]) == (False, True)
    assert rules.is_school_day(date(2026, 2, 27), [winter]) == (False, True)
    assert rules.is_school_day(date(2026, 3, 2), [winter]) == (True, True)


def test_a_repeating_rule_closes_only_its_weekdays_within_its_range():
    rule = weekly_rule([2])  # Wednesdays
    assert rule == "FREQ=WEEKLY;BYDAY=WE" and rule_weekdays(rule) == [2]
    wednesdays = rules.Override("closed", date(2025, 11, 1), date(2025, 11, 30), rule)
    assert covered_dates(wednesdays) == [date(2025, 11, d) for d in (5, 12, 19, 26)]
    assert rules.is_school_day(date(2025, 11, 12), [wednesdays])[0] is False
    assert rules.is_school_day(date(2025, 11, 13), [wednesdays])[0] is True
    assert rules.is_school_day(date(2025, 12, 3), [wednesdays])[0] is True  # after the range


def test_a_repeating_rule_needs_a_weekday():
    with pytest.raises(OverrideInvalid):
        weekly_rule([])


def test_2027_falls_back_to_monday_to_friday_and_says_it_does_not_know():
    monday = date(2027, 1, 4)
    for offset in range(14):
        day = monday + timedelta(days=offset)
        assert rules.is_school_day(day) == (day.weekday() < 5, False)
    days, unknown = rules.school_days(date(2026, 12, 28), date(2027, 1, 10))
    assert unknown and all(d.year == 2027 for d in unknown)
    assert date(2027, 1, 1) in days  # a Friday: assumed a school day until the official calendar says otherwise
    info = describe_date(date(2027, 1, 2), [], "cn")
    assert (info.school, info.known, info.reason) == (False, False, "weekend")


def test_an_open_override_on_a_holiday_makes_it_a_school_day():
    holiday = date(2025, 10, 3)
    assert rules.is_school_day(holiday) == (False, True)
    opening = rules.Override("open", holiday, holiday)
    assert rules.is_school_day(holiday, [opening]) == (True, True)


def test_a_later_override_wins_and_the_reason_names_the_store_note():
    closed = CalendarOverride(kind="closed", starts_on=date(2025, 11, 10), ends_on=date(2025, 11, 14), rrule="",
                              note="School trip")
    reopened = CalendarOverride(kind="open", starts_on=date(2025, 11, 12), ends_on=date(2025, 11, 12), rrule="",
                                note="Exam day")
    assert describe_date(date(2025, 11, 11), [closed, reopened], "cn").reason == "store_closed"
    info = describe_date(date(2025, 11, 12), [closed, reopened], "cn")
    assert (info.school, info.reason, info.note) == (True, "store_open", "Exam day")


def test_the_reasons_name_holidays_and_make_up_days():
    assert describe_date(date(2025, 10, 2), [], "cn").reason == "holiday"
    assert describe_date(date(2025, 9, 28), [], "cn").reason == "make_up"
    assert describe_date(date(2025, 9, 27), [], "cn").reason == "weekend"
    assert describe_date(date(2025, 9, 28), [], "weekdays").school is False
