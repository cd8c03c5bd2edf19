"""Breakfast's pure rules (``store_app.breakfast.rules``) with an injected clock: the cutoff second in
Asia/Shanghai, a day's instants in a zone without DST and in one with it (Europe/Berlin), the grace on a
short wallet, allergen blocking, China's calendar around National Day 2025 with its make-up weekend
days, and the store's overrides (single dates, ranges, repeating rules)."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from store_app.breakfast import rules
from store_app.breakfast.rules import Override

UTC = timezone.utc
SHANGHAI = "Asia/Shanghai"
BERLIN = "Europe/Berlin"
TUESDAY = date(2025, 11, 11)  # a school day of 2025; its order and cancel cutoffs: Monday 21:00


def at(day, hour, minute=0, second=0, tz=SHANGHAI):
    """An aware UTC instant from a wall-clock time in ``tz``."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=ZoneInfo(tz)).astimezone(UTC)


# ---- the cutoff second -------------------------------------------------------------------------

def test_ordering_is_open_until_one_second_before_the_cutoff_and_refused_at_it():
    times = rules.day_times(TUESDAY, SHANGHAI)
    monday = TUESDAY - timedelta(days=1)
    assert times.order_cutoff_at == datetime(2025, 11, 10, 13, 0, tzinfo=UTC)  # 21:00 in Shanghai
    assert rules.may_order(at(monday, 20, 59, 59), times.opens_at, times.order_cutoff_at)
    assert not rules.may_order(at(monday, 21), times.opens_at, times.order_cutoff_at)
    assert not rules.may_order(at(monday, 21, 0, 1), times.opens_at, times.order_cutoff_at)
    assert rules.seconds_left(at(monday, 20, 59, 59), times.order_cutoff_at) == 1
    assert rules.seconds_left(at(monday, 21, 0, 1), times.order_cutoff_at) == 0


def test_ordering_opens_at_midnight_three_days_before():
    times = rules.day_times(TUESDAY, SHANGHAI)
    saturday = TUESDAY - timedelta(days=3)
    assert times.opens_at == at(saturday, 0)
    assert rules.may_order(at(saturday, 0), times.opens_at, times.order_cutoff_at)
    assert not rules.may_order(at(saturday, 0) - timedelta(seconds=1), times.opens_at, times.order_cutoff_at)


def test_a_change_is_refused_at_the_earlier_of_the_two_cutoffs():
    monday = TUESDAY - timedelta(days=1)
    # The cancel cutoff earlier (18:00) than the order cutoff: ordering stays open, changing does not.
    times = rules.day_times(TUESDAY, SHANGHAI, cancel_cutoff_min=18 * 60)
    assert rules.may_change(at(monday, 17, 59, 59), times.cancel_cutoff_at, times.order_cutoff_at)
    assert not rules.may_change(at(monday, 18), times.cancel_cutoff_at, times.order_cutoff_at)
    assert rules.may_order(at(monday, 18), times.opens_at, times.order_cutoff_at)
    # A later cancel cutoff never outlives the order cutoff: the kitchen's sheet is made then.
    late = rules.day_times(TUESDAY, SHANGHAI, cancel_cutoff_days_before=0, cancel_cutoff_min=6 * 60)
    assert rules.may_change(at(monday, 20, 59, 59), late.cancel_cutoff_at, late.order_cutoff_at)
    assert not rules.may_change(at(monday, 21), late.cancel_cutoff_at, late.order_cutoff_at)


# ---- a day's instants in the store's time zone -------------------------------------------------

def test_day_times_in_shanghai_are_the_same_wall_clock_all_year():
    for pickup in (date(2025, 1, 6), date(2025, 3, 31), date(2025, 7, 7), date(2025, 10, 27)):
        times = rules.day_times(pickup, SHANGHAI)
        before = pickup - timedelta(days=1)
        # UTC+8 without summer time: 21:00 is 13:00 UTC, 06:30 is 22:30 UTC the evening before.
        assert times.order_cutoff_at == datetime(before.year, before.month, before.day, 13, 0, tzinfo=UTC)
        assert times.pickup_start_at == datetime(before.year, before.month, before.day, 22, 30, tzinfo=UTC)
        assert times.pickup_end_at - times.pickup_start_at == timedelta(hours=2)
        assert times.order_cutoff_at - times.opens_at == timedelta(days=2, hours=21)


def test_day_times_in_berlin_follow_summer_time_starting():
    """Summer time began on Sunday 30 March 2025 at 02:00 (CET +1 -> CEST +2)."""
    times = rules.day_times(date(2025, 3, 31), BERLIN)
    assert times.opens_at == datetime(2025, 3, 27, 23, 0, tzinfo=UTC)          # Friday 00:00 CET
    assert times.order_cutoff_at == datetime(2025, 3, 30, 19, 0, tzinfo=UTC)   # Sunday 21:00 CEST
    assert times.pickup_start_at == datetime(2025, 3, 31, 4, 30, tzinfo=UTC)   # 06:30 CEST
    assert times.pickup_end_at == datetime(2025, 3, 31, 6, 30, tzinfo=UTC)
    # The window between opening and the cutoff is an hour short: the night that lost an hour.
    assert times.order_cutoff_at - times.opens_at == timedelta(days=2, hours=20)


def test_day_times_in_berlin_follow_summer_time_ending():
    """Summer time ended on Sunday 26 October 2025 at 03:00 (CEST +2 -> CET +1)."""
    times = rules.day_times(date(2025, 10, 27), BERLIN)
    assert times.opens_at == datetime(2025, 10, 23, 22, 0, tzinfo=UTC)        # Friday 00:00 CEST
    assert times.order_cutoff_at == datetime(2025, 10, 26, 20, 0, tzinfo=UTC)  # Sunday 21:00 CET
    assert times.pickup_start_at == datetime(2025, 10, 27, 5, 30, tzinfo=UTC)  # 06:30 CET
    assert times.order_cutoff_at - times.opens_at == timedelta(days=2, hours=22)


def test_a_cutoff_in_the_hours_the_clocks_skip_or_repeat_is_still_one_instant():
    """A wall-clock time that does not exist (02:30 on 30 March) or exists twice (02:30 on 26 October)
    is read as PEP 495 says for ``fold=0``: the offset in force before the change."""
    spring = rules.day_times(date(2025, 3, 31), BERLIN, order_cutoff_min=150)
    assert spring.order_cutoff_at == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
    autumn = rules.day_times(date(2025, 10, 27), BERLIN, order_cutoff_min=150)
    assert autumn.order_cutoff_at == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)


def test_the_local_date_of_an_instant_is_the_stores():
    late_evening_utc = datetime(2025, 11, 10, 16, 30, tzinfo=UTC)  # 00:30 on Tuesday in Shanghai
    assert rules.local_today(late_evening_utc, SHANGHAI) == TUESDAY
    assert rules.local_today(late_evening_utc, BERLIN) == date(2025, 11, 10)
    assert rules.orderable_dates(late_evening_utc, SHANGHAI, 3) == [TUESDAY + timedelta(days=n) for n in range(4)]


# ---- charging and the grace --------------------------------------------------------------------

@pytest.mark.parametrize("balance, on_credit, grace, outcome", [
    (500, 0, 2, "paid"),            # exactly enough
    (10_000, 5, 2, "paid"),         # enough, whatever is owed
    (499, 0, 2, "on_credit"),       # a fen short: the child still eats
    (499, 1, 2, "on_credit"),       # the second breakfast on credit
    (499, 2, 2, "not_cooked"),      # past the grace
    (0, 0, 0, "not_cooked"),        # no grace at all
    (-300, 0, 1, "on_credit"),
])
def test_charge_outcome_at_the_edges_of_the_grace(balance, on_credit, grace, outcome):
    assert rules.charge_outcome(balance, 500, on_credit, grace) == outcome


def test_a_free_breakfast_is_paid_whatever_the_balance():
    assert rules.charge_outcome(0, 0, 10, 0) == "paid"


# ---- allergens ---------------------------------------------------------------------------------

def test_allergen_conflict_names_the_shared_allergens_in_list_order():
    assert rules.allergen_conflict({"soy", "milk", "peanuts"}, {"milk", "gluten", "soy"}, True) == \
        ("contains", ("soy", "milk"))
    assert rules.allergen_conflict({"peanuts"}, {"milk", "gluten"}, True) is None
    assert rules.allergen_conflict(set(), {"milk"}, True) is None


def test_incomplete_allergen_information_blocks_only_a_child_with_allergies():
    assert rules.allergen_conflict({"sesame"}, set(), False) == ("unknown", ())
    assert rules.allergen_conflict({"sesame"}, {"gluten"}, False) == ("unknown", ())
    assert rules.allergen_conflict((), {"gluten"}, False) is None


def test_parse_allergens_keeps_known_codes_in_list_order_and_names_an_unknown_one():
    assert rules.parse_allergens(" milk, gluten ,,milk") == ["gluten", "milk"]
    assert rules.parse_allergens(["sesame", "", "eggs"]) == ["eggs", "sesame"]
    assert len(rules.ALLERGENS) == 14
    with pytest.raises(ValueError, match="coriander"):
        rules.parse_allergens("milk,coriander")


# ---- China's calendar and the store's overrides ------------------------------------------------

def test_national_day_2025_and_its_make_up_weekend_days():
    assert rules.is_school_day(date(2025, 9, 28)) == (True, True)    # Sunday, made up
    assert rules.is_school_day(date(2025, 10, 11)) == (True, True)   # Saturday, made up
    days, unknown = rules.school_days(date(2025, 9, 27), date(2025, 10, 12))
    assert days == [date(2025, 9, 28), date(2025, 9, 29), date(2025, 9, 30), date(2025, 10, 9), date(2025, 10, 10),
                    date(2025, 10, 11)]
    assert unknown == []


def test_past_the_packages_data_the_calendar_falls_back_to_weekdays_and_says_so():
    year = rules.calendar_data_ends() + 1
    monday = date(year, 1, 1) + timedelta(days=(7 - date(year, 1, 1).weekday()) % 7)
    assert rules.is_school_day(monday) == (True, False)
    assert rules.is_school_day(monday + timedelta(days=5)) == (False, False)
    assert rules.is_school_day(monday, calendar="weekdays") == (True, True)
    closed = Override("closed", monday, monday)
    assert rules.is_school_day(monday, [closed]) == (False, False)


def test_the_weekdays_calendar_ignores_the_national_holidays():
    assert rules.is_school_day(date(2025, 10, 1), calendar="weekdays") == (True, True)
    assert rules.is_school_day(date(2025, 10, 11), calendar="weekdays") == (False, True)


def test_a_winter_break_closure_overrides_the_national_calendar_and_a_later_opening_wins():
    winter = Override("closed", date(2026, 1, 19), date(2026, 2, 27))
    assert rules.is_school_day(date(2026, 1, 20)) == (True, True)
    assert rules.is_school_day(date(2026, 1, 20), [winter])[0] is False
    reopened = Override("open", date(2026, 2, 26), date(2026, 2, 26))
    assert rules.is_school_day(date(2026, 2, 26), [winter, reopened])[0] is True
    assert rules.is_school_day(date(2026, 2, 26), [reopened, winter])[0] is False  # the later one wins


def test_override_covers_the_dates_of_its_rrule_inside_its_range_only():
    wednesdays = Override("closed", date(2025, 11, 1), date(2025, 11, 30), "FREQ=WEEKLY;BYDAY=WE")
    assert [d.day for d in (date(2025, 11, n) for n in range(1, 31)) if wednesdays.covers(d)] == [5, 12, 19, 26]
    assert not wednesdays.covers(date(2025, 12, 3))   # a Wednesday past the range
    assert not wednesdays.covers(date(2025, 10, 29))  # and one before it
    # The range's first date is not a date of the rule unless it fits it (dateutil, unlike RFC 5545).
    assert not wednesdays.covers(date(2025, 11, 1))
    first_mondays = Override("closed", date(2025, 1, 1), date(2025, 12, 31), "FREQ=MONTHLY;BYDAY=1MO")
    assert first_mondays.covers(date(2025, 11, 3)) and not first_mondays.covers(date(2025, 11, 10))
    assert rules.is_school_day(date(2025, 11, 12), [wednesdays])[0] is False
    assert rules.is_school_day(date(2025, 11, 13), [wednesdays])[0] is True


def test_a_single_date_and_a_range_cover_their_ends():
    single = Override("open", date(2025, 11, 15), date(2025, 11, 15))
    assert single.covers(date(2025, 11, 15)) and not single.covers(date(2025, 11, 16))
    assert rules.is_school_day(date(2025, 11, 15), [single]) == (True, True)  # a Saturday opened by the store
    span = Override("closed", date(2025, 11, 10), date(2025, 11, 12))
    assert [span.covers(date(2025, 11, n)) for n in (9, 10, 12, 13)] == [False, True, True, False]


# ---- subscriptions -----------------------------------------------------------------------------

def test_a_make_up_saturday_takes_the_items_of_the_first_weekday_that_has_any():
    saturday = date(2025, 10, 11)
    assert rules.subscription_weekday(saturday, {0, 2, 4}) == 0
    assert rules.subscription_weekday(saturday, {1, 3}) == 1
    assert rules.subscription_weekday(date(2025, 9, 28), {0, 1, 2, 3, 4}) == 0  # the make-up Sunday
    assert rules.subscription_weekday(saturday, {5, 0}) == 5                    # its own items first
    assert rules.subscription_weekday(saturday, set()) is None


def test_a_weekday_without_items_is_not_ordered():
    assert rules.subscription_weekday(TUESDAY, {0, 2, 4}) is None
    assert rules.subscription_weekday(TUESDAY, {1}) == 1


def test_a_subscription_covers_its_range_but_not_its_pause():
    starts, ends = date(2025, 11, 10), date(2025, 11, 21)
    assert rules.subscription_covers(starts, starts, ends, None)
    assert rules.subscription_covers(ends, starts, ends, None)
    assert not rules.subscription_covers(ends + timedelta(days=1), starts, ends, None)
    assert not rules.subscription_covers(date(2025, 11, 14), starts, ends, date(2025, 11, 14))
    assert rules.subscription_covers(date(2025, 11, 17), starts, ends, date(2025, 11, 14))


def test_a_make_up_weekend_day_offers_mondays_items():
    monday_only = rules.WEEKDAY_BITS[0]
    assert rules.offered_on(monday_only, date(2025, 10, 11), is_make_up=True)
    assert not rules.offered_on(monday_only, date(2025, 10, 11))
    assert not rules.offered_on(rules.WEEKDAY_BITS[5], date(2025, 10, 11), is_make_up=True)
    assert rules.offered_on(rules.WEEKDAY_BITS[1], TUESDAY)
