"""Pure rules of pickup at the store and of the checkout's Pay button: the pickup code, why Pay is
disabled, what is missing for the minimum, which payment method the form shows."""
import pytest

from store_app.orders import rules

SECRET = "a-secret-key-long-enough-for-tests-0123456789"


def test_a_pickup_code_is_six_digits_derived_from_its_nonce():
    nonce = rules.new_pickup_nonce()
    code = rules.derive_pickup_code(SECRET, nonce)
    assert rules.is_pickup_code_shaped(code)
    assert rules.derive_pickup_code(SECRET, nonce) == code            # the page can show it again
    assert rules.derive_pickup_code("another-key" * 4, nonce) != code  # the database alone gives nothing


def test_a_pickup_code_is_not_a_parcel_code_of_the_same_nonce():
    from store_app.parcels.rules import derive_code  # the station's codes: another message, another code

    nonces = [rules.new_pickup_nonce() for _ in range(20)]
    assert any(rules.derive_pickup_code(SECRET, n) != derive_code(SECRET, n) for n in nonces)


def test_the_hash_depends_on_the_store_and_the_code():
    assert rules.hash_pickup_code(SECRET, 1, "123456") == rules.hash_pickup_code(SECRET, 1, "123456")
    assert rules.hash_pickup_code(SECRET, 1, "123456") != rules.hash_pickup_code(SECRET, 2, "123456")
    assert rules.hash_pickup_code(SECRET, 1, "123456") != rules.hash_pickup_code(SECRET, 1, "123457")


@pytest.mark.parametrize("text, shaped", [
    ("012345", True), ("12345", False), ("1234567", False), ("12 345", False), ("１２３４５６", False),
    ("abcdef", False), ("", False), (None, False),
])
def test_what_looks_like_a_pickup_code(text, shaped):
    assert rules.is_pickup_code_shaped(text) is shaped


def block(**changes):
    facts = dict(pickup=False, cart_ok=True, deliverable=True, reason=None, outside=False, subtotal_cents=3000,
                 minimum_cents=2000, slots_offered=False, slot_chosen=False, store_open=True)
    return rules.checkout_block(**{**facts, **changes})


def test_pay_is_enabled_for_a_deliverable_order_above_the_minimum():
    assert block() is None


@pytest.mark.parametrize("changes, reason", [
    ({"cart_ok": False}, rules.BLOCK_CART),
    ({"outside": True, "deliverable": False, "reason": "outside_zone"}, rules.BLOCK_OUTSIDE_ZONE),
    ({"subtotal_cents": 1999}, rules.BLOCK_BELOW_MINIMUM),
    ({"deliverable": False, "reason": "store_closed", "slots_offered": True}, rules.BLOCK_NEEDS_SLOT),
    ({"deliverable": False, "reason": "zone_disabled"}, rules.BLOCK_NOT_DELIVERABLE),
    # Outside every zone wins over the minimum: the minimum of no zone means nothing.
    ({"outside": True, "deliverable": False, "subtotal_cents": 0}, rules.BLOCK_OUTSIDE_ZONE),
])
def test_why_pay_is_disabled_for_a_delivery(changes, reason):
    assert block(**changes) == reason


def test_a_chosen_slot_enables_pay_while_the_store_is_closed():
    closed = {"deliverable": False, "reason": "store_closed", "slots_offered": True}
    assert block(**closed, slot_chosen=True) is None
    assert block(**closed, pickup=True, store_open=False) == rules.BLOCK_NEEDS_SLOT
    assert block(**closed, pickup=True, store_open=False, slot_chosen=True) is None


def test_a_pickup_knows_no_zone_and_no_minimum():
    assert block(pickup=True, outside=True, deliverable=False, subtotal_cents=1, minimum_cents=None) is None
    assert block(pickup=True, cart_ok=False) == rules.BLOCK_CART


@pytest.mark.parametrize("subtotal, minimum, missing", [(300, 2000, 1700), (2000, 2000, 0), (2500, 2000, 0),
                                                        (300, 0, 0), (300, None, 0)])
def test_what_is_missing_for_the_minimum(subtotal, minimum, missing):
    assert rules.missing_for_minimum(subtotal, minimum) == missing


@pytest.mark.parametrize("chosen, balance, total, shown", [
    (None, 10_000, 1_100, "wallet"),   # the wallet covers it: preselected
    (None, 1_099, 1_100, "cash"),      # it does not: never the wallet at ¥0.00
    (None, 1_100, 1_100, "wallet"),    # exactly enough is enough
    ("wallet", 0, 1_100, "cash"),      # back after a refusal: not the empty wallet again
    ("wallet", 5_000, 1_100, "wallet"),
    ("card", 10_000, 1_100, "card"),   # what the resident chose stays chosen
    ("bitcoin", 0, 1_100, "cash"),
])
def test_which_payment_method_the_form_shows(chosen, balance, total, shown):
    assert rules.preferred_payment(chosen, balance, total) == shown
