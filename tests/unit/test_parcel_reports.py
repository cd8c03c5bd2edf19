"""The parcel station's figures (store_app/parcels/reports.py): local days, the period, daily counts,
dwell average and p90, overdue parcels and shelf usage, and the CSV rows. Plain rows, a fixed clock."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from store_app.parcels import reports
from store_app.parcels.reports import ParcelRow
from store_app.parcels.rules import TierSpace

TZ = "Asia/Shanghai"
ZONE = ZoneInfo(TZ)
NOW = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)  # 11:00 on 20 November in Shanghai


def local(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE).astimezone(timezone.utc)


D18, D19, D20 = date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)


def test_local_days_follow_the_store_clock_not_utc():
    late_utc = datetime(2026, 11, 18, 17, 30, tzinfo=timezone.utc)  # 01:30 on the 19th in Shanghai
    assert reports.local_day(late_utc, TZ) == D19
    assert reports.local_day(late_utc, "UTC") == D18
    start, end = reports.period_bounds(D18, D19, TZ)
    assert start == datetime(2026, 11, 17, 16, tzinfo=timezone.utc)
    assert end == datetime(2026, 11, 19, 16, tzinfo=timezone.utc)


def test_a_day_across_a_dst_change_is_23_hours():
    start, end = reports.period_bounds(date(2026, 3, 8), date(2026, 3, 8), "America/New_York")
    assert end - start == timedelta(hours=23)


def test_the_default_period_is_the_last_fourteen_local_days():
    assert reports.default_period(NOW, TZ) == (date(2026, 11, 7), D20)
    assert reports.parse_period("", "", NOW, TZ) == (date(2026, 11, 7), D20)
    assert reports.parse_period(" 2026-11-01 ", "2026-11-03", NOW, TZ) == (date(2026, 11, 1), date(2026, 11, 3))
    assert reports.parse_period("2026-11-19", "", NOW, TZ) == (D19, D20)


@pytest.mark.parametrize("start, end, reason", [
    ("2026-13-01", "", "date"), ("yesterday", "", "date"), ("", "2026-11-31", "date"),
    ("2026-11-10", "2026-11-01", "order"), ("2024-01-01", "2026-11-01", "length"),
])
def test_a_bad_period_says_why(start, end, reason):
    with pytest.raises(reports.PeriodInvalid) as caught:
        reports.parse_period(start, end, NOW, TZ)
    assert caught.value.reason == reason


def test_percentile_is_nearest_rank():
    assert reports.percentile([5.0], 0.9) == 5.0
    assert reports.percentile([4.0, 24.0], 0.9) == 24.0
    assert reports.percentile(list(range(1, 11)), 0.9) == 9
    assert reports.percentile(list(range(1, 21)), 0.9) == 18
    assert reports.percentile([3, 1, 2], 0.5) == 2  # unsorted input


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=50))
def test_p90_is_a_value_that_occurred_at_least_90_percent_reach(values):
    p90 = reports.percentile(values, 0.9)
    assert p90 in values
    assert sum(1 for v in values if v <= p90) >= 0.9 * len(values)


ROWS = [
    ParcelRow(local(D18, 10), local(D18, 14), "recipient"),            # 4 h, collected on the 18th
    ParcelRow(local(D18, 11), local(D19, 11), "door"),                 # 24 h, at the door on the 19th
    ParcelRow(local(D19, 9), returned_at=local(D19, 20)),              # back to the carrier
    ParcelRow(local(D19, 23, 30)),                                     # still waiting
    ParcelRow(local(date(2026, 11, 10), 9), local(D19, 9), "proxy"),   # checked in before the period
]


def test_daily_counts_put_each_step_on_its_local_day():
    days, totals = reports.daily_counts(ROWS, D18, D20, TZ)
    assert [(d.day, d.checked_in, d.collected, d.at_door, d.returned) for d in days] == [
        (D18, 2, 1, 0, 0), (D19, 2, 2, 1, 1), (D20, 0, 0, 0, 0)]
    assert (totals.day, totals.checked_in, totals.collected, totals.at_door, totals.returned) == (None, 4, 3, 1, 1)
    assert days[0].dwell == reports.Dwell(1, 4.0, 4.0)
    assert days[2].dwell == reports.Dwell(0, None, None)
    # 4 h, 24 h and 9 days (216 h): the old parcel counts on the day it was collected.
    assert totals.dwell == reports.Dwell(3, (4 + 24 + 216) / 3, 216.0)


def test_a_collection_just_after_local_midnight_counts_on_the_next_day():
    row = ParcelRow(local(D18, 23), local(D19, 0, 5), "recipient")
    days, _ = reports.daily_counts([row], D18, D19, TZ)
    assert [(d.checked_in, d.collected) for d in days] == [(1, 0), (0, 1)]


def test_overdue_means_a_fee_is_due():
    three_days = NOW - timedelta(days=3)
    assert reports.overdue_count([three_days], NOW, 3) == 0  # exactly the free days: still free
    assert reports.overdue_count([three_days - timedelta(seconds=1), NOW, NOW - timedelta(days=9)], NOW, 3) == 2
    assert reports.overdue_count([NOW - timedelta(hours=1)], NOW, 0) == 1


def test_shelf_usage_adds_up_the_tiers_of_each_shelf():
    spaces = [TierSpace(2, 1, 10, 4), TierSpace(1, 1, 10, 10), TierSpace(1, 2, 10, 0), TierSpace(2, 2, 10, 1)]
    shelves, station = reports.shelf_usage(spaces)
    assert [(s.shelf, s.used, s.capacity, s.percent) for s in shelves] == [(1, 10, 20, 50), (2, 5, 20, 25)]
    assert (station.used, station.capacity, station.percent) == (15, 40, 38)
    assert reports.shelf_usage([])[1].percent == 0


def test_the_report_and_its_csv_rows():
    report = reports.build_report(ROWS, D18, D19, TZ, NOW, free_days=3, waiting_since=[local(D19, 23, 30)],
                                  spaces=[TierSpace(1, 1, 10, 1)])
    assert report.overdue_now == 0 and report.station.used == 1
    rows = reports.csv_rows(report)
    assert rows[0] == list(reports.CSV_HEADER)
    assert rows[1] == ["2026-11-18", 2, 1, 0, 0, 1, "4.0", "4.0"]
    assert rows[2] == ["2026-11-19", 2, 2, 1, 1, 2, "120.0", "216.0"]
    assert rows[3] == ["total", 4, 3, 1, 1, 3, "81.3", "216.0"]
    assert rows[4:] == [[], ["overdue_now", 0], [], ["shelf", "used_units", "capacity_units", "percent"],
                        [1, 1, 10, 10], ["all", 1, 10, 10]]
