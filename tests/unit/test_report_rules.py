"""The owner's home: today so far against the same weekday last week, in the store's time zone."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from store_app.reports.rules import change, on_time_share, percent_change, today_and_last_week


def test_today_starts_at_the_stores_midnight_and_last_week_stops_at_the_same_time_of_day():
    now = datetime(2026, 12, 6, 1, 30, tzinfo=UTC)  # 09:30 on a Sunday in Shanghai
    today, last_week = today_and_last_week(now, "Asia/Shanghai")
    assert today.start == datetime(2026, 12, 5, 16, 0, tzinfo=UTC) and today.end == now
    assert last_week.start == datetime(2026, 11, 28, 16, 0, tzinfo=UTC)
    assert last_week.end == datetime(2026, 11, 29, 1, 30, tzinfo=UTC)
    assert last_week.start.astimezone(ZoneInfo("Asia/Shanghai")).weekday() == 6


def test_a_clock_change_in_between_keeps_the_wall_clock_times():
    # Berlin moved to summer time on 29 March 2026: 14:00 today is 12:00 UTC, 14:00 a week ago 13:00 UTC.
    today, last_week = today_and_last_week(datetime(2026, 3, 29, 12, 0, tzinfo=UTC), "Europe/Berlin")
    assert today.start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert last_week.start == datetime(2026, 3, 21, 23, 0, tzinfo=UTC)
    assert last_week.end == datetime(2026, 3, 22, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize("today, last_week, expected", [(3, 2, 50), (1, 4, -75), (5, 5, 0), (2, 0, None),
                                                        (None, 3, None)])
def test_percent_change(today, last_week, expected):
    assert percent_change(today, last_week) == expected


def test_on_time_share_and_its_change():
    assert on_time_share(0, 0) is None
    assert on_time_share(3, 4) == 0.75
    assert change(0.5, 1.0) == (-0.5, "down")
    assert change(0.75, 0.5) == (0.25, "up")
    assert change(0.5, 0.5) == (0, "same")
    assert change(None, 0.5) == (None, None)
