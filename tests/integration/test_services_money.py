"""Money, the guarantee, disputes, reviews and standing on a real database (SQLite, and PostgreSQL
when TEST_DATABASE_URL is set): statements equal the ledger, payouts keep the reserve, complaints
become redos or refunds charged back, disputes, reviews, and standing moves with an injected clock."""
from datetime import timedelta

import pytest
from flask_babel import force_locale

from services import claims, disputes, errors, ledger, payouts, reviews, standing, statements
from services import reputation_rules as rules
from services.booking_models import Booking, BookingOffer, Claim, LedgerKind, StandingEvent, VendorLedgerEntry
from services.money_rules import PAYOUT_RESERVE_CENTS
from services.statuses import BookingStatus
from store_app.database import transaction
from store_app.extensions import db
from store_app.notifications.models import Notification
from store_app.wallet.operations import get_balance, ledger_sum
from tests.money_support import COMPLETED_AT, DAY, booking, build_market, completed_job, user, vendor
from tests.services_support import local


@pytest.fixture
def market(app, create_store, create_user):
    return build_market(app, create_store, create_user)


def _sum_of_ledger(vendor_id, start, end):
    return db.session.scalar(db.select(db.func.coalesce(db.func.sum(VendorLedgerEntry.amount_cents), 0)).where(
        VendorLedgerEntry.vendor_id == vendor_id, VendorLedgerEntry.created_at >= start,
        VendorLedgerEntry.created_at < end))


# ---- statements and payouts ----------------------------------------------------------------------

def test_a_statement_sums_to_the_ledger_per_store_month(app, market):
    with app.app_context(), transaction():
        completed_job(market)                                              # November, through the store
        completed_job(market, payment_method="cash", completed_at=COMPLETED_AT + timedelta(days=1),
                      starts_at=COMPLETED_AT + timedelta(days=1, hours=-4))
        # 00:30 on 1 December in Shanghai is still 30 November in UTC: it belongs to December.
        late = local(DAY.replace(month=12, day=1), 0, 30)
        completed_job(market, completed_at=late, starts_at=late - timedelta(hours=4), crew_index=1)
    with app.app_context():
        v = vendor(market.vendor_id)
        november = statements.load_statement(v, DAY.replace(day=1), "Asia/Shanghai")
        december = statements.load_statement(v, DAY.replace(month=12, day=1), "Asia/Shanghai")
        assert november.jobs == 2 and december.jobs == 1
        assert november.total("earning") == 40_000
        assert november.total("commission") == -6_000
        assert november.total("cash_taken") == -20_000
        assert november.closing_cents == november.opening_cents + _sum_of_ledger(v.id, *_bounds(november))
        assert december.opening_cents == november.closing_cents
        assert december.closing_cents == ledger.balance_cents(v.id) == 14_000 + 17_000
        with force_locale("en"):
            rows = statements.export_rows(december, "Asia/Shanghai")
        assert any(row[:2] == ["Closing balance", "310.00"] for row in rows if len(row) >= 2)


def _bounds(statement):
    from services.money_rules import month_bounds

    return month_bounds(statement.month, "Asia/Shanghai")


def test_a_payout_keeps_the_reserve_and_pays_nothing_at_or_below_it(app, market):
    now = COMPLETED_AT + timedelta(days=2)
    with app.app_context(), transaction():
        completed_job(market)  # balance 17,000: below the reserve
    with app.app_context():
        with pytest.raises(errors.NothingToPay), transaction():
            payouts.pay_out(user(market.staff_id), market.vendor_id, now)
        with transaction():
            completed_job(market, starts_at=COMPLETED_AT + timedelta(hours=1), crew_index=1)  # 34,000
        with transaction():
            entry = payouts.pay_out(user(market.staff_id), market.vendor_id, now, "key-1")
            assert entry.amount_cents == -(34_000 - PAYOUT_RESERVE_CENTS)
        with transaction():
            again = payouts.pay_out(user(market.staff_id), market.vendor_id, now, "key-1")  # a replayed form
            assert again.id == entry.id
        assert ledger.balance_cents(market.vendor_id) == PAYOUT_RESERVE_CENTS
        with pytest.raises(errors.NothingToPay), transaction():
            payouts.pay_out(user(market.staff_id), market.vendor_id, now, "key-2")
        assert db.session.scalar(db.select(db.func.count()).select_from(Notification)
                                 .where(Notification.kind == "services_payout")) == 1


def test_a_payout_of_another_stores_vendor_is_not_found(app, market, create_store, create_user):
    other_store = create_store(name="Elsewhere")
    other_staff, _ = create_user(other_store, "staff")
    with app.app_context():
        with pytest.raises(errors.NotFound), transaction():
            payouts.pay_out(user(other_staff), market.vendor_id, COMPLETED_AT)


# ---- the guarantee -------------------------------------------------------------------------------

def _file(app, market, booking_id, now=None, kind="damage", text="The vase is broken"):
    with app.app_context(), transaction():
        return claims.file_claim(user(market.resident_id), booking_id, kind=kind, text=text,
                                 now=now or COMPLETED_AT + timedelta(days=1)).id


def test_a_complaint_is_refunded_from_the_fund_and_charged_back_capped_by_the_damage_cap(app, market):
    with app.app_context(), transaction():
        job = completed_job(market).id
    claim_id = _file(app, market, job)
    now = COMPLETED_AT + timedelta(days=1, hours=2)
    with app.app_context():
        found = db.session.get(Claim, claim_id)
        assert found.decide_by_at == COMPLETED_AT + timedelta(days=1) + claims.DECISION_WITHIN
        assert db.session.scalar(db.select(db.func.count()).select_from(Notification)
                                 .where(Notification.kind == "services_claim_filed")) == 1
        before = get_balance(market.resident_id)
        with pytest.raises(errors.FieldError), transaction():
            claims.refund(user(market.staff_id), claim_id, amount_cents=50_001, upheld=True, now=now)
        with transaction():
            claims.refund(user(market.staff_id), claim_id, amount_cents=50_000, upheld=True, now=now)
        assert get_balance(market.resident_id) == before + 50_000 == ledger_sum(market.resident_id)
        assert ledger.amount_of(job, LedgerKind.CHARGEBACK) == -50_000
        assert ledger.balance_cents(market.vendor_id) == 17_000 - 50_000  # owed by the vendor
        with pytest.raises(errors.AlreadyDecided), transaction():
            claims.reject(user(market.staff_id), claim_id, reason="changed my mind", now=now)
        assert standing.upheld_complaints(market.vendor_id, now - timedelta(days=90)) == 1


def test_cash_jobs_late_complaints_foreign_bookings_and_second_complaints_are_refused(app, market, create_user):
    with app.app_context(), transaction():
        cash = completed_job(market, payment_method="cash").id
        job = completed_job(market, starts_at=COMPLETED_AT + timedelta(hours=1), crew_index=1).id
    with pytest.raises(errors.CashNotCovered):
        _file(app, market, cash)
    with pytest.raises(errors.GuaranteeWindowClosed):
        _file(app, market, job, now=COMPLETED_AT + timedelta(days=7, seconds=1))
    stranger, _ = create_user(market.store_id, "resident", name="Stranger")
    with app.app_context():
        with pytest.raises(errors.NotFound), transaction():
            claims.file_claim(user(stranger), job, kind="redo", text="Not my job at all", now=COMPLETED_AT)
    _file(app, market, job, kind="redo", text="The kitchen is still dirty")
    with pytest.raises(errors.AlreadyClaimed):
        _file(app, market, job)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Claim)) == 1


def test_a_redo_is_a_new_free_booking_offered_to_the_chosen_vendor_on_a_free_crew(app, market):
    with app.app_context(), transaction():
        job = completed_job(market).id
    claim_id = _file(app, market, job, kind="redo", text="The windows are still streaky")
    start = local(DAY + timedelta(days=3), 10)
    with app.app_context(), transaction():
        # The vendor's first crew is busy then: the redo goes to the second one.
        completed_job(market, starts_at=start, status=BookingStatus.ACCEPTED, record=False, completed_at=None)
    with app.app_context():
        with transaction():
            decided = claims.book_redo(user(market.staff_id), claim_id, vendor_id=market.vendor_id, starts_at=start,
                                       upheld=False, now=COMPLETED_AT + timedelta(days=1))
        redo = db.session.get(Booking, decided.redo_booking_id)
        assert (redo.status, redo.redo_of_id, redo.held_cents, redo.price_cents, redo.payment_method) == \
               ("requested", job, 0, 20_000, "wallet")
        assert redo.crew_id == vendor(market.vendor_id).crews[1].id
        assert db.session.scalar(db.select(BookingOffer.vendor_id).where(BookingOffer.booking_id == redo.id)) \
            == market.vendor_id
        assert decided.status == "redo" and decided.upheld is False


def test_a_redo_when_every_crew_is_taken_is_a_clean_conflict_and_the_complaint_stays_open(app, market):
    with app.app_context(), transaction():
        job = completed_job(market).id
    claim_id = _file(app, market, job, kind="redo", text="Needs doing again")
    start = local(DAY + timedelta(days=3), 10)
    with app.app_context(), transaction():
        completed_job(market, offering_id=market.other_offering_id, starts_at=start, status=BookingStatus.ACCEPTED,
                      record=False, completed_at=None)
    with app.app_context():
        with pytest.raises(errors.SlotJustTaken), transaction():
            claims.book_redo(user(market.staff_id), claim_id, vendor_id=market.other_vendor_id, starts_at=start,
                             upheld=True, now=COMPLETED_AT + timedelta(days=1))
        assert db.session.get(Claim, claim_id).status == "open"
        with transaction():
            other = claims.book_redo(user(market.staff_id), claim_id, vendor_id=market.other_vendor_id,
                                     starts_at=start + timedelta(hours=5), upheld=True,
                                     now=COMPLETED_AT + timedelta(days=1))
        redo = db.session.get(Booking, other.redo_booking_id)
        assert redo.offering_id == market.other_offering_id and redo.price_cents == 20_000


def test_a_rejected_complaint_tells_the_resident_why_and_does_not_count(app, market):
    with app.app_context(), transaction():
        job = completed_job(market).id
    claim_id = _file(app, market, job)
    with app.app_context():
        with transaction():
            claims.reject(user(market.staff_id), claim_id, reason="The crack is in the photo from before",
                          now=COMPLETED_AT + timedelta(days=2))
        found = db.session.get(Claim, claim_id)
        assert (found.status, found.upheld) == ("rejected", False)
        told = db.session.scalar(db.select(Notification).where(Notification.user_id == market.resident_id,
                                                               Notification.kind == "services_claim_decided"))
        assert told.params["status"] == "rejected"


# ---- disputes ------------------------------------------------------------------------------------

def test_an_upheld_dispute_takes_the_complaint_out_of_the_count(app, market):
    with app.app_context(), transaction():
        job = completed_job(market).id
    claim_id = _file(app, market, job)
    now = COMPLETED_AT + timedelta(days=2)
    with app.app_context():
        with transaction():
            claims.refund(user(market.staff_id), claim_id, amount_cents=1_000, upheld=True, now=now)
        with transaction():
            dispute = disputes.dispute_claim(vendor(market.vendor_id), claim_id, reason="The vase was broken before",
                                             now=now)
        with pytest.raises(errors.NotDisputable), transaction():
            disputes.dispute_claim(vendor(market.vendor_id), claim_id, reason="And again, please", now=now)
        assert standing.upheld_complaints(market.vendor_id, now - timedelta(days=90)) == 1
        with transaction():
            disputes.decide(user(market.staff_id), dispute.id, upheld=True, now=now)
        assert standing.upheld_complaints(market.vendor_id, now - timedelta(days=90)) == 0
        with pytest.raises(errors.AlreadyDecided), transaction():
            disputes.decide(user(market.staff_id), dispute.id, upheld=False, note="Not upheld", now=now)


def test_an_upheld_no_show_dispute_cancels_it_and_refunds_the_residents_fee(app, market):
    start = local(DAY, 9)
    with app.app_context(), transaction():
        job = completed_job(market, starts_at=start, status=BookingStatus.NO_SHOW, record=False, completed_at=None,
                            fee_cents=20_000, ended_at=start + timedelta(minutes=20))
        ledger.post(market.vendor_id, LedgerKind.FEE_SHARE, 17_000, now=start, booking_id=job.id)
        job = job.id
    now = start + timedelta(days=1)
    with app.app_context():
        before = get_balance(market.resident_id)
        with transaction():
            dispute = disputes.dispute_no_show(vendor(market.vendor_id), job, reason="Wrong building in the address",
                                               now=now)
        assert booking(job).status == "disputed"
        with transaction():
            disputes.decide(user(market.staff_id), dispute.id, upheld=True, note="The address was wrong", now=now)
        assert booking(job).status == "cancelled"
        assert get_balance(market.resident_id) == before + 20_000
        assert ledger.balance_cents(market.vendor_id) == 0  # the fee share taken back


def test_a_refused_no_show_dispute_leaves_the_no_show(app, market):
    start = local(DAY, 9)
    with app.app_context(), transaction():
        job = completed_job(market, starts_at=start, status=BookingStatus.NO_SHOW, record=False,
                            completed_at=None, ended_at=start + timedelta(minutes=20)).id
    with app.app_context():
        with transaction():
            dispute = disputes.dispute_no_show(vendor(market.vendor_id), job, reason="Rang the bell ten times",
                                               now=start + timedelta(hours=2))
        with pytest.raises(errors.FieldError), transaction():
            disputes.decide(user(market.staff_id), dispute.id, upheld=False, note="", now=start)
        with transaction():
            disputes.decide(user(market.staff_id), dispute.id, upheld=False, note="The resident was home",
                            now=start + timedelta(hours=3))
        assert booking(job).status == "no_show"


# ---- reviews -------------------------------------------------------------------------------------

def test_a_completed_job_is_reviewed_once_replied_to_once_and_hidden_with_a_reason(app, market):
    with app.app_context(), transaction():
        job = completed_job(market).id
        waiting = completed_job(market, starts_at=COMPLETED_AT + timedelta(hours=1), status=BookingStatus.DONE,
                                record=False, crew_index=1).id
    now = COMPLETED_AT + timedelta(hours=3)
    with app.app_context():
        with transaction():
            review = reviews.leave_review(user(market.resident_id), job, stars=4, text="准时，干净", now=now)
        assert booking(job).status == "reviewed"
        with pytest.raises(errors.NotReviewable), transaction():
            reviews.leave_review(user(market.resident_id), job, stars=5, text="", now=now)
        with pytest.raises(errors.NotReviewable), transaction():
            reviews.leave_review(user(market.resident_id), waiting, stars=5, text="", now=now)
        with transaction():
            reviews.reply(vendor(market.vendor_id), review.id, text="谢谢！", now=now)
        with pytest.raises(errors.AlreadyAnswered), transaction():
            reviews.reply(vendor(market.vendor_id), review.id, text="Again", now=now)
        assert reviews.rating_summary(market.vendor_id) == reviews.RatingSummary(1, 4.0)
        assert [r.id for r in reviews.list_for_vendor(market.vendor_id, 5)] == [review.id]
        with transaction():
            reviews.hide(user(market.staff_id), review.id, reason="Names a crew member", now=now)
        assert reviews.rating_summary(market.vendor_id) == reviews.RatingSummary(0, 0.0)
        assert reviews.list_for_vendor(market.vendor_id, 5) == []


def test_a_complaint_can_follow_a_review(app, market):
    with app.app_context(), transaction():
        job = completed_job(market).id
    with app.app_context(), transaction():
        reviews.leave_review(user(market.resident_id), job, stars=2, text="", now=COMPLETED_AT + timedelta(hours=1))
    assert _file(app, market, job)


# ---- scores and standing -------------------------------------------------------------------------

def _upheld_complaints(app, market, count, start):
    with app.app_context():
        for n in range(count):
            with transaction():
                at = start + timedelta(hours=n * 5)
                job = completed_job(market, starts_at=at - timedelta(hours=4), completed_at=at, crew_index=n % 2).id
                found = claims.file_claim(user(market.resident_id), job, kind="redo", text="Not clean at all",
                                          now=at + timedelta(hours=1))
                claims.refund(user(market.staff_id), found.id, amount_cents=500, upheld=True,
                              now=at + timedelta(hours=2))


def test_standing_goes_to_probation_then_suspension_then_back_by_appeal(app, market):
    _upheld_complaints(app, market, 3, COMPLETED_AT)
    now = COMPLETED_AT + timedelta(days=1)
    with app.app_context():
        with transaction():
            assert "1 standing changes" in standing.recompute_store(market.store_id, now)
        v = vendor(market.vendor_id)
        assert (v.standing, v.standing_reason) == ("probation", "complaints")
        assert v.probation_until_at == now + rules.PROBATION
        assert v.score < rules.prior_score()
        with transaction():
            assert "0 standing changes" in standing.recompute_store(market.store_id, now + timedelta(days=13))
        with transaction():
            standing.recompute_store(market.store_id, now + rules.PROBATION)
        v = vendor(market.vendor_id)
        assert v.standing == "suspended"
        kinds = db.session.scalars(db.select(Notification.kind).where(Notification.kind.like("services_%"))).all()
        assert "services_vendor_suspended" in kinds and kinds.count("services_standing") == 2
        with transaction():
            standing.recompute_store(market.store_id, now + timedelta(days=200))  # data gone: still suspended
        assert vendor(market.vendor_id).standing == "suspended"
        with transaction():
            appeal = standing.appeal(v, text="We retrained the crew and added checks", now=now + timedelta(days=15))
        with pytest.raises(errors.AppealOpen), transaction():
            standing.appeal(v, text="Another appeal, just in case", now=now + timedelta(days=15))
        with transaction():
            standing.decide_appeal(user(market.staff_id), appeal.id, grant=True, now=now + timedelta(days=16))
        assert vendor(market.vendor_id).standing == "good"
        events = db.session.scalars(db.select(StandingEvent.to_standing).order_by(StandingEvent.id)).all()
        assert events == ["probation", "suspended", "good"]


def test_probation_ends_well_when_the_numbers_recover(app, market):
    _upheld_complaints(app, market, 3, COMPLETED_AT - timedelta(days=80))
    now = COMPLETED_AT
    with app.app_context():
        with transaction():
            standing.recompute_store(market.store_id, now)
        assert vendor(market.vendor_id).standing == "probation"
        with transaction():
            standing.recompute_store(market.store_id, now + timedelta(days=12))  # the complaints left the window
        v = vendor(market.vendor_id)
        assert (v.standing, v.standing_reason) == ("good", "restored")


def test_staff_lift_a_suspension_by_hand(app, market):
    with app.app_context():
        with transaction():
            v = vendor(market.vendor_id)
            v.standing = "suspended"
        with pytest.raises(errors.FieldError), transaction():
            standing.reinstate(user(market.staff_id), market.vendor_id, note="", now=COMPLETED_AT)
        with transaction():
            standing.reinstate(user(market.staff_id), market.vendor_id, note="Checked on site", now=COMPLETED_AT)
        assert vendor(market.vendor_id).standing == "good"
        with pytest.raises(errors.NotSuspended), transaction():
            standing.reinstate(user(market.staff_id), market.vendor_id, note="Again", now=COMPLETED_AT)


def test_the_score_reads_punctuality_and_acceptance(app, market):
    with app.app_context(), transaction():
        for n in range(4):
            at = COMPLETED_AT - timedelta(days=n + 1)
            completed_job(market, starts_at=at - timedelta(hours=4), completed_at=at,
                          arrived_at=at - timedelta(hours=4) + timedelta(minutes=40 if n < 2 else 0))
        db.session.execute(db.update(BookingOffer).values(state="declined"))
    with app.app_context():
        stats = standing.load_stats(market.vendor_id, COMPLETED_AT)
        assert (stats.jobs, stats.on_time, stats.offers, stats.accepted) == (4, 2, 0, 0)
        with transaction():
            standing.recompute_store(market.store_id, COMPLETED_AT)
        assert 0 < vendor(market.vendor_id).score < vendor(market.other_vendor_id).score


def test_the_reputation_job_is_scheduled_per_store(app, market):
    from services.jobs import periodic_jobs, recompute_reputation

    with app.app_context():
        names = [job.name for job in periodic_jobs()]
        assert f"services:reputation:{market.store_id}" in names
        assert "2 vendors scored" in recompute_reputation(market.store_id, COMPLETED_AT)
        assert vendor(market.vendor_id).score == pytest.approx(rules.prior_score(rules.DEFAULT_MEAN_STARS), abs=0.05)
