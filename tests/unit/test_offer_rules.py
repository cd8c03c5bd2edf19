"""The pure rules of offers and progress: deadlines, who sees the address, lateness, fees, availability."""
from datetime import date, datetime, timedelta, timezone

import pytest

from services import offer_rules as r

NOW = datetime(2026, 12, 9, 1, 0, tzinfo=timezone.utc)


def test_an_offer_is_open_only_while_offered_and_before_its_deadline():
    assert r.is_offer_open("offered", NOW + timedelta(seconds=1), NOW)
    assert not r.is_offer_open("offered", NOW, NOW)
    assert not r.is_offer_open("declined", NOW + timedelta(hours=1), NOW)


@pytest.mark.parametrize("left, window", [
    (timedelta(days=1), timedelta(minutes=30)),
    (timedelta(minutes=40), timedelta(minutes=20)),
    (timedelta(0), timedelta(0)),
    (-timedelta(minutes=5), timedelta(0)),
])
def test_the_second_deadline_is_30_minutes_or_half_the_time_left(left, window):
    assert r.reoffer_deadline(NOW, NOW + left) == NOW + window


@pytest.mark.parametrize("status, holder, shown", [
    ("requested", 1, False), ("reoffered", 1, False), ("accepted", 1, True), ("in_progress", 1, True),
    ("accepted", 2, False), ("completed", 1, False), ("vendor_no_show", 1, False),
])
def test_only_the_accepting_vendor_sees_the_address_while_the_job_is_live(status, holder, shown):
    assert r.shows_contact(status, holder, 1) is shown


def test_a_vendor_is_late_30_minutes_after_the_start_unless_arrived_or_warned():
    start = NOW
    assert not r.is_vendor_late(start, None, False, start + timedelta(minutes=29))
    assert r.is_vendor_late(start, None, False, start + timedelta(minutes=30))
    assert not r.is_vendor_late(start, start, False, start + timedelta(hours=1))
    assert not r.is_vendor_late(start, None, True, start + timedelta(hours=1))


def test_a_done_job_completes_48_hours_later():
    assert not r.is_due_to_complete(None, NOW)
    assert not r.is_due_to_complete(NOW, NOW + timedelta(hours=47, minutes=59))
    assert r.is_due_to_complete(NOW, NOW + timedelta(hours=48))


def test_percent_rounds_half_up_to_a_cent():
    assert r.percent_of(20000, 50) == 10000
    assert r.percent_of(333, 50) == 167


def test_weekly_days_of_an_rrule():
    assert r.weekly_days("FREQ=WEEKLY;BYDAY=MO,WE") == {0, 2}
    assert r.weekly_days("FREQ=WEEKLY") == set(range(7))


def test_a_job_is_inside_a_declared_window_only_whole():
    thursday = datetime(2026, 12, 10, 10, 0)
    windows = [({3}, 8 * 60, 18 * 60)]
    assert r.within_availability(thursday, thursday + timedelta(hours=2), windows)
    assert not r.within_availability(thursday.replace(hour=17), thursday.replace(hour=19), windows)
    assert not r.within_availability(thursday, thursday + timedelta(hours=2), [({4}, 0, 1440)])
    assert not r.within_availability(thursday, thursday + timedelta(hours=2), windows, [date(2026, 12, 10)])
