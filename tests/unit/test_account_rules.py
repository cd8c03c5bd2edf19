"""Accounts: phone numbers, passwords, who may create whom, where each role lands."""
import pytest

from store_app.accounts.rules import (
    InvalidPhone,
    can_create,
    display_phone,
    home_endpoint,
    normalise_phone,
    password_problem,
)
from store_app.roles import Role

MIN_LENGTH = 8


# ---- normalise_phone -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "13800138000",
    "138 0013 8000",
    "138-0013-8000",
    " 13800138000 ",
    "+86 138-0013-8000",
    "+86 13800138000",
    "+8613800138000",
    "008613800138000",
    "0086 138 0013 8000",
])
def test_normalise_phone_to_e164(text):
    assert normalise_phone(text) == "+8613800138000"


def test_normalise_phone_other_countries_and_landlines():
    assert normalise_phone("+1 650 253 0000") == "+16502530000"
    assert normalise_phone("021-6888 8888") == "+862168888888"  # a Shanghai landline is reachable too


@pytest.mark.parametrize("text", [
    "12345",
    "abc",
    "",
    "   ",
    None,
    "1380013800",  # one digit short
    "138001380001",  # one digit too many
    "10086",  # a service short code, not a person's number
    "+86",
    "+999 13800138000",  # no such country code
])
def test_normalise_phone_refuses(text):
    with pytest.raises(InvalidPhone):
        normalise_phone(text)


def test_invalid_phone_is_a_value_error():
    assert issubclass(InvalidPhone, ValueError)


# ---- display_phone ---------------------------------------------------------------------------

def test_display_phone():
    assert display_phone("+8613800138000") == "138 0013 8000"
    assert display_phone("+862168888888") == "021 6888 8888"
    assert display_phone("+16502530000") == "+1 650-253-0000"
    assert display_phone("not a phone") == "not a phone"  # shown as stored rather than failing


def test_display_then_normalise_round_trips():
    for e164 in ("+8613800138000", "+8619912345678", "+862168888888"):
        assert normalise_phone(display_phone(e164)) == e164


# ---- password_problem ------------------------------------------------------------------------

@pytest.mark.parametrize("password, problem", [
    (None, "too_short"),
    ("", "too_short"),
    ("short", "too_short"),
    ("1234567", "too_short"),
    ("x" * 129, "too_long"),
    ("11111111", "too_simple"),
    ("12121212", "too_simple"),
    ("correct-horse", None),
    ("12345678", None),
    ("x" * 8, None),
    ("x" * 128, None),
    ("密码密码密码密码", None),
])
def test_password_problem(password, problem):
    assert password_problem(password, MIN_LENGTH) == problem


def test_password_problem_uses_the_configured_minimum():
    assert password_problem("abcdefghij", 12) == "too_short"
    assert password_problem("abcdefghijkl", 12) is None


# ---- can_create ------------------------------------------------------------------------------

ALLOWED = {
    (Role.OWNER, Role.STAFF), (Role.OWNER, Role.COURIER),
    (Role.STAFF, Role.STAFF), (Role.STAFF, Role.COURIER),
}


@pytest.mark.parametrize("actor", list(Role))
@pytest.mark.parametrize("new", list(Role))
def test_can_create_matrix(actor, new):
    assert can_create(actor, new) is ((actor, new) in ALLOWED)


def test_can_create_takes_plain_strings():
    assert can_create("owner", "courier") is True
    assert can_create("staff", "owner") is False
    assert can_create("resident", "staff") is False


def test_nobody_creates_owners_residents_or_vendors():
    for actor in Role:
        for new in (Role.OWNER, Role.RESIDENT, Role.VENDOR):
            assert not can_create(actor, new)


def test_residents_couriers_and_vendors_create_nothing():
    for actor in (Role.RESIDENT, Role.COURIER, Role.VENDOR):
        assert not any(can_create(actor, new) for new in Role)


def test_can_create_refuses_unknown_roles_loudly():
    with pytest.raises(ValueError):
        can_create("king", "staff")
    with pytest.raises(ValueError):
        can_create("owner", "king")


# ---- home_endpoint ---------------------------------------------------------------------------

@pytest.mark.parametrize("role, endpoint", [
    (Role.RESIDENT, "shop.feed"),
    (Role.STAFF, "reports.console"),
    (Role.COURIER, "courier.home"),
    (Role.VENDOR, "vendor.home"),
    (Role.OWNER, "reports.dashboard"),
    ("owner", "reports.dashboard"),
])
def test_home_endpoint(role, endpoint):
    assert home_endpoint(role) == endpoint


def test_every_role_has_a_home():
    assert all(home_endpoint(role) for role in Role)


def test_home_endpoint_unknown_role():
    with pytest.raises(ValueError):
        home_endpoint("king")
