"""Pure rules of fulfilment: delivery task moves, delivery codes, failure and cancel reasons, the
board's clocks, and the partner's pickup deadline."""
from datetime import datetime, timedelta, timezone

import pytest

from store_app.deliveries import rules as delivery_rules
from store_app.orders import rules as order_rules
from store_app.partners import rules as partner_rules

UTC = timezone.utc
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("typed, shaped", [
    ("0427", True), (" 0427 ", True), ("427", False), ("04270", False), ("04a7", False), ("", False),
    (None, False), ("０４２７", False), ("-427", False),
])
def test_code_shape(typed, shaped):
    assert delivery_rules.is_code_shaped(typed) is shaped


def test_code_matches_only_the_same_four_digits():
    assert delivery_rules.code_matches("0427", "0427")
    assert delivery_rules.code_matches("0427", " 0427")
    assert not delivery_rules.code_matches("0427", "0428")
    assert not delivery_rules.code_matches("0427", "427")


@pytest.mark.parametrize("reason, text, problem", [
    ("nobody_home", "", None),
    ("refused", "said it was not theirs", None),
    ("other", "gate locked", None),
    ("other", "   ", "text"),
    ("other", "x" * 151, "text"),
    ("nobody_home", "x" * 151, "text"),
    ("asleep", "", "reason"),
    ("", "", "reason"),
])
def test_failure_reasons(reason, text, problem):
    assert delivery_rules.failure_problem(reason, text) == problem


@pytest.mark.parametrize("reason, text, problem", [
    ("out_of_stock", "", None), ("customer_request", "called us", None), ("cannot_deliver", "", None),
    ("other", "fridge broke", None), ("other", "", "text"), ("other", "x" * 151, "text"),
    ("bored", "", "reason"),
])
def test_store_cancel_reasons(reason, text, problem):
    assert order_rules.cancel_problem(reason, text) == problem


@pytest.mark.parametrize("offset_s, minutes", [
    (0, 0), (1, 1), (60, 1), (61, 2), (29 * 60 + 30, 30), (-1, -1), (-60, -1), (-61, -2), (-600, -10),
])
def test_minutes_until_is_signed_and_rounds_up(offset_s, minutes):
    assert delivery_rules.minutes_until(NOW + timedelta(seconds=offset_s), NOW) == minutes


def test_minutes_since_never_goes_negative():
    assert order_rules.minutes_since(NOW - timedelta(seconds=179), NOW) == 2
    assert order_rules.minutes_since(NOW + timedelta(minutes=5), NOW) == 0


def test_local_day_start_is_midnight_on_the_stores_clock():
    # 01:30 UTC is 09:30 in Shanghai: the day started at 16:00 UTC the day before.
    now = datetime(2026, 11, 22, 1, 30, tzinfo=UTC)
    assert order_rules.local_day_start(now, "Asia/Shanghai") == datetime(2026, 11, 21, 16, 0, tzinfo=UTC)
    # 17:00 UTC is already the next day in Shanghai.
    later = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)
    assert order_rules.local_day_start(later, "Asia/Shanghai") == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    # A day that starts on a DST change still starts at local midnight.
    assert order_rules.local_day_start(datetime(2026, 3, 29, 12, 0, tzinfo=UTC), "Europe/Berlin") == \
        datetime(2026, 3, 28, 23, 0, tzinfo=UTC)


def test_the_partner_deadline_is_the_packing_time_but_never_before_the_partner_can_make_it():
    def minutes(n):
        return NOW + timedelta(minutes=n)

    assert partner_rules.pickup_deadline(minutes(5), NOW, 10) == minutes(10)
    assert partner_rules.pickup_deadline(minutes(15), NOW, 10) == minutes(15)
    assert partner_rules.pickup_deadline(minutes(5), NOW, -3) == minutes(5)


@pytest.mark.parametrize("token, shaped", [
    ("a" * 43, True), ("Ab-_9" * 8, True), ("", False), (None, False), ("a" * 65, False), ("a/b", False),
    ("a b", False), ("ä" * 10, False), ("..", False),
])
def test_token_shape(token, shaped):
    assert partner_rules.is_token_shaped(token) is shaped
