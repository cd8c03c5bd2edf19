"""Money and the guarantee under real concurrency on PostgreSQL: ten staff paying one vendor at once
pay once (the others: nothing left above the reserve); ten staff refunding one complaint at once
refund it once (one wallet credit, one chargeback); ten reviews of one job at once leave one. The
others get a clean 409.

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""
from datetime import timedelta

import pytest

from services import claims, errors, ledger, payouts, reviews
from services.booking_models import LedgerKind, Review, VendorLedgerEntry
from services.money_rules import PAYOUT_RESERVE_CENTS
from store_app.database import transaction
from store_app.extensions import db
from store_app.wallet.operations import get_balance, ledger_sum
from tests.concurrency.helpers import run_together
from tests.money_support import COMPLETED_AT, build_market, completed_job, user

pytestmark = pytest.mark.postgres
POOL_SIZE = 12


@pytest.fixture
def market(app, create_store, create_user):
    return build_market(app, create_store, create_user)


def test_ten_staff_paying_one_vendor_at_once_pay_once(app, market):
    with app.app_context(), transaction():
        completed_job(market)
        completed_job(market, starts_at=COMPLETED_AT + timedelta(hours=1), crew_index=1)

    def pay(i, barrier):
        with app.app_context():
            barrier.wait()
            with transaction():
                payouts.pay_out(user(market.staff_id), market.vendor_id, COMPLETED_AT, f"key-{i}")
            return "paid"

    outcomes = run_together(10, pay)
    assert outcomes.count("paid") == 1
    assert all(isinstance(o, errors.NothingToPay) and o.status == 409 for o in outcomes if o != "paid")
    with app.app_context():
        assert ledger.balance_cents(market.vendor_id) == PAYOUT_RESERVE_CENTS
        assert db.session.scalar(db.select(db.func.count()).select_from(VendorLedgerEntry)
                                 .where(VendorLedgerEntry.kind == LedgerKind.PAYOUT.value)) == 1


def test_ten_staff_refunding_one_complaint_at_once_refund_once(app, market):
    with app.app_context(), transaction():
        job = completed_job(market).id
        claim_id = claims.file_claim(user(market.resident_id), job, kind="damage", text="The vase is broken",
                                     now=COMPLETED_AT + timedelta(hours=1)).id
    with app.app_context():
        before = get_balance(market.resident_id)

    def refund(i, barrier):
        with app.app_context():
            barrier.wait()
            with transaction():
                claims.refund(user(market.staff_id), claim_id, amount_cents=1_000 + i, upheld=True,
                              now=COMPLETED_AT + timedelta(hours=2))
            return "refunded"

    outcomes = run_together(10, refund)
    assert outcomes.count("refunded") == 1
    assert all(isinstance(o, errors.AlreadyDecided) and o.status == 409 for o in outcomes if o != "refunded")
    with app.app_context():
        paid = get_balance(market.resident_id) - before
        assert 1_000 <= paid <= 1_009 and ledger_sum(market.resident_id) == get_balance(market.resident_id)
        assert ledger.amount_of(job, LedgerKind.CHARGEBACK) == -paid


def test_ten_reviews_of_one_job_at_once_leave_one(app, market):
    with app.app_context(), transaction():
        job = completed_job(market).id

    def review(i, barrier):
        with app.app_context():
            barrier.wait()
            with transaction():
                reviews.leave_review(user(market.resident_id), job, stars=1 + i % 5, text=f"Review {i}",
                                     now=COMPLETED_AT + timedelta(hours=1))
            return "reviewed"

    outcomes = run_together(10, review)
    assert outcomes.count("reviewed") == 1
    assert all(getattr(o, "status", None) == 409 for o in outcomes if o != "reviewed")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == 1
