"""Opening hours: parsing, formatting, and whether the store is open at an aware ``now``."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from store_app.stores.rules import (
    HoursFormatError,
    format_interval,
    format_minutes,
    hours_by_weekday,
    is_open,
    is_valid_timezone,
    next_opening,
    overlapping_days,
    parse_interval,
)

SHANGHAI = "Asia/Shanghai"
UTC = timezone.utc
# 2024-01-01 is a Monday (weekday 0); the weeks below start there.
MONDAY = datetime(2024, 1, 1, tzinfo=UTC)
MINUTES_PER_WEEK = 7 * 1440


def utc(*args):
    """An aware UTC datetime."""
    return datetime(*args, tzinfo=UTC)


def shanghai(*args):
    """An aware datetime on a Shanghai wall clock (UTC+8, no DST)."""
    return datetime(*args, tzinfo=ZoneInfo(SHANGHAI))


# ---- parse_interval --------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("07:00-23:00", (420, 1380)),
    ("7:00-23:00", (420, 1380)),
    (" 07:00 - 23:00 ", (420, 1380)),
    ("00:00-24:00", (0, 1440)),
    ("00:00-00:00", (0, 1440)),  # a closing time of midnight means the end of the day
    ("10:00-00:00", (600, 1440)),
    ("23:59-24:00", (1439, 1440)),
    ("22:00-02:00", (1320, 120)),  # runs past midnight: closes < opens
    ("06:30-08:30", (390, 510)),
])
def test_parse_interval_accepts(text, expected):
    assert parse_interval(text) == expected


@pytest.mark.parametrize("text", [
    "7-23", "07:00", "07:00-", "-23:00", "0700-2300", "07.00-23.00",
    "25:00-26:00", "24:00-01:00", "07:60-23:00", "07:00-23:60", "10:00-24:01", "07:00-25:00",
    "08:00-08:00", "13:30-13:30",  # opens == closes: neither empty nor all day, so refused
    "07:00-23:00x", "x07:00-23:00", "007:00-23:00", "", "   ", None,
])
def test_parse_interval_refuses(text):
    with pytest.raises(HoursFormatError):
        parse_interval(text)


def test_hours_format_error_is_a_value_error():
    assert issubclass(HoursFormatError, ValueError)


# ---- formatting ------------------------------------------------------------------------------

@pytest.mark.parametrize("minutes, text", [(0, "00:00"), (5, "00:05"), (420, "07:00"), (1439, "23:59"),
                                           (1440, "24:00")])
def test_format_minutes(minutes, text):
    assert format_minutes(minutes) == text


def test_format_interval():
    assert format_interval(420, 1380) == "07:00-23:00"
    assert format_interval(1320, 120) == "22:00-02:00"
    assert format_interval(0, 1440) == "00:00-24:00"


@given(st.integers(0, 1439), st.integers(1, 1440))
def test_format_then_parse_round_trips(opens, closes):
    assume(opens != closes)  # not an interval: parse_interval refuses it (tested above)
    assert parse_interval(format_interval(opens, closes)) == (opens, closes)


# ---- is_open ---------------------------------------------------------------------------------

MONDAY_7_TO_23 = [(0, 420, 1380)]


def test_is_open_uses_the_store_time_zone():
    # Sunday 22:59 UTC is Monday 06:59 in Shanghai; one minute later the store opens.
    assert utc(2024, 1, 7, 22, 59).astimezone(ZoneInfo(SHANGHAI)).weekday() == 0
    assert not is_open(MONDAY_7_TO_23, utc(2024, 1, 7, 22, 59), SHANGHAI)
    assert not is_open(MONDAY_7_TO_23, utc(2024, 1, 7, 22, 59, 59, 999999), SHANGHAI)
    assert is_open(MONDAY_7_TO_23, utc(2024, 1, 7, 23, 0), SHANGHAI)
    # The same instants on a UTC store are Sunday night: closed.
    assert not is_open(MONDAY_7_TO_23, utc(2024, 1, 7, 23, 0), "UTC")


def test_is_open_gives_the_same_answer_for_the_same_instant_in_any_offset():
    instant = shanghai(2024, 1, 1, 7, 0)
    for zone in (UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))):
        assert is_open(MONDAY_7_TO_23, instant.astimezone(zone), SHANGHAI)


def test_is_open_closing_minute_is_exclusive():
    assert is_open(MONDAY_7_TO_23, shanghai(2024, 1, 1, 22, 59), SHANGHAI)
    assert not is_open(MONDAY_7_TO_23, shanghai(2024, 1, 1, 23, 0), SHANGHAI)


def test_is_open_overnight_interval_runs_into_the_next_day():
    friday_night = [(4, 1320, 120)]  # Friday 22:00 - Saturday 02:00
    assert not is_open(friday_night, shanghai(2024, 1, 5, 21, 59), SHANGHAI)
    assert is_open(friday_night, shanghai(2024, 1, 5, 22, 0), SHANGHAI)
    assert is_open(friday_night, shanghai(2024, 1, 5, 23, 59), SHANGHAI)
    assert is_open(friday_night, shanghai(2024, 1, 6, 0, 0), SHANGHAI)
    assert is_open(friday_night, shanghai(2024, 1, 6, 1, 0), SHANGHAI)
    assert is_open(friday_night, shanghai(2024, 1, 6, 1, 59), SHANGHAI)
    assert not is_open(friday_night, shanghai(2024, 1, 6, 2, 0), SHANGHAI)
    # Thursday night and Saturday night it is not open.
    assert not is_open(friday_night, shanghai(2024, 1, 5, 1, 0), SHANGHAI)
    assert not is_open(friday_night, shanghai(2024, 1, 6, 22, 30), SHANGHAI)


def test_is_open_sunday_overnight_wraps_to_monday():
    sunday_night = [(6, 1320, 120)]
    assert is_open(sunday_night, shanghai(2024, 1, 8, 1, 0), SHANGHAI)  # Monday 01:00
    assert not is_open(sunday_night, shanghai(2024, 1, 1, 23, 0), SHANGHAI)  # Monday night


def test_is_open_closed_days_and_no_hours():
    weekdays_only = [(d, 420, 1380) for d in range(5)]
    assert is_open(weekdays_only, shanghai(2024, 1, 5, 12, 0), SHANGHAI)  # Friday
    assert not is_open(weekdays_only, shanghai(2024, 1, 6, 12, 0), SHANGHAI)  # Saturday
    assert not is_open(weekdays_only, shanghai(2024, 1, 7, 12, 0), SHANGHAI)  # Sunday
    assert not is_open([], shanghai(2024, 1, 1, 12, 0), SHANGHAI)


def test_is_open_all_day_and_split_hours():
    all_day = [(d, 0, 1440) for d in range(7)]
    for hour in (0, 6, 12, 23):
        assert is_open(all_day, shanghai(2024, 1, 3, hour, 59), SHANGHAI)
    lunch_break = [(0, 420, 720), (0, 780, 1320)]
    assert is_open(lunch_break, shanghai(2024, 1, 1, 11, 59), SHANGHAI)
    assert not is_open(lunch_break, shanghai(2024, 1, 1, 12, 30), SHANGHAI)
    assert is_open(lunch_break, shanghai(2024, 1, 1, 13, 0), SHANGHAI)


def _open_minutes(intervals):
    """Brute force: the set of minutes of the week (0 = Monday 00:00) the store is open."""
    minutes = set()
    for weekday, opens, closes in intervals:
        start = weekday * 1440 + opens
        length = closes - opens if closes > opens else 1440 - opens + closes
        minutes.update((start + k) % MINUTES_PER_WEEK for k in range(length))
    return minutes


valid_intervals = st.tuples(st.integers(0, 6), st.integers(0, 1439), st.integers(1, 1440)).filter(
    lambda t: t[1] != t[2])


@settings(max_examples=300)
@given(intervals=st.lists(valid_intervals, max_size=4),
       minute_of_week=st.integers(0, MINUTES_PER_WEEK - 1),
       second=st.integers(0, 59),
       zone=st.sampled_from([("UTC", 0), (SHANGHAI, 8 * 60), ("Asia/Kolkata", 5 * 60 + 30),
                             ("America/Sao_Paulo", -3 * 60)]))  # no DST in 2024 in any of these
def test_is_open_agrees_with_brute_force_minutes(intervals, minute_of_week, second, zone):
    tz_name, offset_min = zone
    now = MONDAY + timedelta(minutes=minute_of_week - offset_min, seconds=second)  # local wall clock
    assert is_open(intervals, now, tz_name) == (minute_of_week in _open_minutes(intervals))


@given(intervals=st.lists(valid_intervals, max_size=3), minute_of_week=st.integers(0, MINUTES_PER_WEEK - 1))
def test_parsed_intervals_are_what_is_open_expects(intervals, minute_of_week):
    # The text format_interval writes (the hours form) reads back as the same interval, and
    # is_open takes what parse_interval returns the way the brute force counts it.
    parsed = [(weekday, *parse_interval(format_interval(opens, closes))) for weekday, opens, closes in intervals]
    assert parsed == intervals
    now = MONDAY + timedelta(minutes=minute_of_week)
    assert is_open(parsed, now, "UTC") == (minute_of_week in _open_minutes(parsed))


def test_is_open_with_a_dst_zone():
    # New York, 2024-03-10: clocks jump from 02:00 to 03:00. Hours are wall-clock hours.
    sunday_9_to_17 = [(6, 540, 1020)]
    assert not is_open(sunday_9_to_17, utc(2024, 3, 10, 12, 59), "America/New_York")  # 08:59 EDT
    assert is_open(sunday_9_to_17, utc(2024, 3, 10, 13, 0), "America/New_York")  # 09:00 EDT
    assert is_open(sunday_9_to_17, utc(2024, 3, 10, 20, 59), "America/New_York")  # 16:59 EDT
    assert not is_open(sunday_9_to_17, utc(2024, 3, 10, 21, 0), "America/New_York")


# ---- next_opening ----------------------------------------------------------------------------

def test_next_opening_later_today():
    opens = next_opening(MONDAY_7_TO_23, shanghai(2024, 1, 1, 6, 0), SHANGHAI)
    assert opens == shanghai(2024, 1, 1, 7, 0)
    assert opens.utcoffset() == timedelta(hours=8)  # expressed in the store's zone


def test_next_opening_from_a_utc_now():
    # Sunday 22:00 UTC = Monday 06:00 Shanghai.
    assert next_opening(MONDAY_7_TO_23, utc(2024, 1, 7, 22, 0), SHANGHAI) == utc(2024, 1, 7, 23, 0)


def test_next_opening_skips_closed_days():
    weekdays_only = [(d, 420, 1380) for d in range(5)]
    assert next_opening(weekdays_only, shanghai(2024, 1, 5, 23, 30), SHANGHAI) == shanghai(2024, 1, 8, 7, 0)


def test_next_opening_is_strictly_after_now():
    # At exactly the opening minute, the next opening is a week later.
    assert next_opening(MONDAY_7_TO_23, shanghai(2024, 1, 1, 7, 0), SHANGHAI) == shanghai(2024, 1, 8, 7, 0)
    assert next_opening(MONDAY_7_TO_23, shanghai(2024, 1, 1, 12, 0), SHANGHAI) == shanghai(2024, 1, 8, 7, 0)


def test_next_opening_picks_the_earliest_interval_of_the_day():
    split = [(0, 780, 1320), (0, 420, 720)]
    assert next_opening(split, shanghai(2024, 1, 1, 6, 0), SHANGHAI) == shanghai(2024, 1, 1, 7, 0)
    assert next_opening(split, shanghai(2024, 1, 1, 12, 0), SHANGHAI) == shanghai(2024, 1, 1, 13, 0)


def test_next_opening_without_hours_is_none():
    assert next_opening([], shanghai(2024, 1, 1, 6, 0), SHANGHAI) is None


@settings(max_examples=200)
@given(intervals=st.lists(valid_intervals, min_size=1, max_size=3),
       minute_of_week=st.integers(0, MINUTES_PER_WEEK - 1))
def test_next_opening_is_the_first_opening_minute_after_now(intervals, minute_of_week):
    now = MONDAY + timedelta(minutes=minute_of_week, seconds=30)
    starts = {weekday * 1440 + opens for weekday, opens, _ in intervals}
    wait = next(k for k in range(1, MINUTES_PER_WEEK + 1)
                if (minute_of_week + k) % MINUTES_PER_WEEK in starts)
    expected = MONDAY + timedelta(minutes=minute_of_week + wait)
    found = next_opening(intervals, now, "UTC")
    assert found == expected
    assert is_open(intervals, found, "UTC")


# ---- overlapping_days ------------------------------------------------------------------------

def test_overlapping_days():
    assert overlapping_days([]) == set()
    assert overlapping_days([(0, 420, 720), (0, 780, 1320)]) == set()  # a lunch break
    assert overlapping_days([(0, 420, 720), (0, 720, 1320)]) == set()  # touching is not overlapping
    assert overlapping_days([(0, 420, 720), (0, 700, 1320)]) == {0}
    assert overlapping_days([(0, 420, 720), (0, 420, 500)]) == {0}  # the same start
    assert overlapping_days([(0, 420, 720), (1, 420, 720), (1, 600, 660)]) == {1}
    assert overlapping_days([(2, 1320, 120), (2, 60, 300)]) == set()  # Wednesday's tail is on Thursday
    assert overlapping_days([(2, 1320, 120), (2, 1380, 1440)]) == {2}


def test_overlapping_days_sees_an_overnight_tail():
    assert overlapping_days([(4, 1320, 120), (5, 60, 300)]) == {5}
    assert overlapping_days([(6, 1320, 120), (0, 60, 300)]) == {0}  # Sunday night into Monday


same_day_intervals = st.tuples(st.integers(0, 6), st.integers(0, 1439), st.integers(1, 1440)).filter(
    lambda t: t[1] < t[2])


@given(st.lists(same_day_intervals, max_size=4))
def test_overlapping_days_agrees_with_brute_force(intervals):
    expected = {intervals[i][0] for i in range(len(intervals)) for j in range(i + 1, len(intervals))
                if intervals[i][0] == intervals[j][0]
                and (_open_minutes([intervals[i]]) & _open_minutes([intervals[j]])
                     or intervals[i][1] == intervals[j][1])}
    assert overlapping_days(intervals) == expected


# ---- hours_by_weekday, is_valid_timezone -----------------------------------------------------

def test_hours_by_weekday_lists_every_day_sorted():
    table = hours_by_weekday([(2, 780, 1320), (0, 420, 1380), (2, 420, 720), (4, 1320, 120)])
    assert table == {
        0: ["07:00-23:00"], 1: [], 2: ["07:00-12:00", "13:00-22:00"], 3: [], 4: ["22:00-02:00"], 5: [], 6: [],
    }
    assert hours_by_weekday([]) == {day: [] for day in range(7)}


@pytest.mark.parametrize("name", ["Asia/Shanghai", "UTC", "Europe/London", "America/New_York"])
def test_valid_timezones(name):
    assert is_valid_timezone(name)


@pytest.mark.parametrize("name", ["", None, 8, "Mars/Olympus_Mons", "Asia/Shanghai ", "../etc/passwd",
                                  "/etc/localtime", "GMT+25"])
def test_invalid_timezones(name):
    assert not is_valid_timezone(name)
