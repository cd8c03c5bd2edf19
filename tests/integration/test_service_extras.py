"""Extras on site on a real database: the vendor proposes, the resident approves before it is charged
(from the wallet, once however many times approved), a cash job adds it without a charge."""
from datetime import timedelta

import pytest

from services import errors, extras, offers, progress
from store_app.database import transaction
from store_app.roles import Role
from store_app.wallet import operations as wallet
from tests.jobs_support import BOOKED_AT, STARTS_AT, build_market


def _under_way(app, community, **kwargs):
    market = build_market(app, community["store_id"], community["users"][Role.RESIDENT][0], **kwargs)
    with app.app_context():
        with transaction():
            offers.accept_job(market.vendor_user(0), market.booking_id, BOOKED_AT + timedelta(minutes=1))
        with transaction():
            progress.set_arrived(market.vendor_user(0), market.booking_id, STARTS_AT)
        with transaction():
            wallet.credit(market.resident_id, market.store_id, 10_000, "topup", now=STARTS_AT)
    return market


def test_an_approved_extra_is_charged_once(app, community):
    market = _under_way(app, community)
    with app.app_context():
        vendor, resident = market.vendor_user(0), market.user(market.resident_id)
        with transaction():
            number = extras.propose_extra(vendor, market.booking_id, 3_000, "New siphon", STARTS_AT)
        assert extras.list_extras(market.booking()) == [(number, 3_000, "New siphon", False)]
        assert wallet.get_balance(market.resident_id) == 10_000
        for _ in range(2):
            with transaction():
                extras.approve_extra(resident, market.booking_id, number, STARTS_AT + timedelta(minutes=5))
        assert wallet.get_balance(market.resident_id) == 7_000
        assert market.booking().extras_cents == 3_000
        assert extras.list_extras(market.booking())[0][3] is True


def test_a_cash_job_adds_the_extra_without_a_charge(app, community):
    market = _under_way(app, community, payment_method="cash")
    with app.app_context():
        with transaction():
            number = extras.propose_extra(market.vendor_user(0), market.booking_id, 1_500, "Extra hour", STARTS_AT)
        with transaction():
            extras.approve_extra(market.user(market.resident_id), market.booking_id, number, STARTS_AT)
        assert wallet.get_balance(market.resident_id) == 10_000
        assert market.booking().extras_cents == 1_500


@pytest.mark.parametrize("amount, note", [(0, "x"), (500_001, "x"), (100, "  ")])
def test_an_extra_needs_a_sane_amount_and_a_note(app, community, amount, note):
    market = _under_way(app, community)
    with app.app_context(), pytest.raises(errors.ExtraInvalid), transaction():
        extras.propose_extra(market.vendor_user(0), market.booking_id, amount, note, STARTS_AT)


def test_only_the_resident_of_the_job_approves(app, community):
    market = _under_way(app, community)
    with app.app_context():
        with transaction():
            number = extras.propose_extra(market.vendor_user(0), market.booking_id, 100, "Tape", STARTS_AT)
        with pytest.raises(errors.NotFound), transaction():
            extras.approve_extra(market.user(community["users"][Role.STAFF][0]), market.booking_id, number, STARTS_AT)
        with pytest.raises(errors.NotFound), transaction():
            extras.approve_extra(market.user(market.resident_id), market.booking_id, number + 1, STARTS_AT)
        assert market.booking().extras_cents == 0


def test_a_wallet_too_short_charges_nothing(app, community):
    market = _under_way(app, community)
    with app.app_context():
        with transaction():
            number = extras.propose_extra(market.vendor_user(0), market.booking_id, 20_000, "New lock", STARTS_AT)
        with pytest.raises(Exception) as refused, transaction():
            extras.approve_extra(market.user(market.resident_id), market.booking_id, number, STARTS_AT)
        assert getattr(refused.value, "status", None) in (402, 409, 400)
        assert market.booking().extras_cents == 0
        assert extras.list_extras(market.booking())[0][3] is False
