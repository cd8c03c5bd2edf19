"""Money is integer cents: parsing what people type and formatting it back."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store_app.database import MAX_AMOUNT, MoneyError, format_cents, parse_cents

MAX_CENTS = int(MAX_AMOUNT * 100)  # parse_cents refuses amounts at or above MAX_AMOUNT


@pytest.mark.parametrize("text, cents", [
    ("12.5", 1250),
    ("12.50", 1250),
    ("12", 1200),
    ("0", 0),
    ("0.00", 0),
    ("0.01", 1),
    (".5", 50),
    ("5.", 500),
    (" 3 ", 300),
    ("1.230", 123),  # a trailing zero is not a third decimal
    (12, 1200),
    (12.5, 1250),
    (0.1, 10),  # str(0.1) is "0.1": the float's noise never reaches the amount
])
def test_parse_cents(text, cents):
    assert parse_cents(text) == cents
    assert type(parse_cents(text)) is int


@pytest.mark.parametrize("text", [
    "-1", "-0.01", "1.234", "0.001", "abc", "12 yuan", "¥12", "", "   ", None,
    "NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf",
    # Ambiguous or exotic spellings: "1,20" could be 1.20 or 120; exponents, underscores,
    # full-width digits and a minus zero are not how anyone types a price.
    "1,000.00", "1,20", "1e2", "1_000", "１２", "-0",
])
def test_parse_cents_refuses(text):
    with pytest.raises(MoneyError):
        parse_cents(text)


def test_money_error_is_a_value_error():
    assert issubclass(MoneyError, ValueError)


# Beyond 26 integer digits Decimal.quantize itself fails (28-digit context): such input must still be
# a MoneyError, never a decimal.InvalidOperation that escapes as a 500.
@pytest.mark.parametrize("text", ["1e30", "9" * 40, "1" * 27 + ".00", "1e100000"])
def test_parse_cents_refuses_absurdly_large_amounts(text):
    with pytest.raises(MoneyError):
        parse_cents(text)


def test_parse_cents_bound():
    largest = MAX_AMOUNT - Decimal("0.01")
    assert parse_cents(str(largest)) == MAX_CENTS - 1
    with pytest.raises(MoneyError):
        parse_cents(str(MAX_AMOUNT))


@pytest.mark.parametrize("cents, text", [
    (1250, "¥12.50"),
    (0, "¥0.00"),
    (1, "¥0.01"),
    (99, "¥0.99"),
    (100, "¥1.00"),
    (123_456_789, "¥1234567.89"),
    (-5, "-¥0.05"),
    (-1250, "-¥12.50"),
])
def test_format_cents(cents, text):
    assert format_cents(cents) == text


def test_format_cents_symbol_and_none():
    assert format_cents(1250, symbol="$") == "$12.50"
    assert format_cents(1250, symbol="") == "12.50"
    assert format_cents(None) == ""


@given(st.integers(min_value=0, max_value=MAX_CENTS - 1))
def test_parse_inverts_format(cents):
    assert parse_cents(format_cents(cents, symbol="")) == cents


@given(st.integers(min_value=0, max_value=MAX_CENTS // 100 - 1), st.integers(min_value=0, max_value=99))
def test_parse_then_format_normalises(yuan, fen):
    assert format_cents(parse_cents(f"{yuan}.{fen:02d}")) == f"¥{yuan}.{fen:02d}"
