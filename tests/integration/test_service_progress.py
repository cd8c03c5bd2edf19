"""A taken job's progress on a real database, with an injected clock: the steps to DONE with photos,
the resident's confirmation or completion by itself after 48 h (paid into the vendor's ledger), the
lockout's ID check, a late vendor's no-show with a refund, the resident's no-show fee."""
from datetime import timedelta

import pytest

from services import errors, ledger, offers, progress
from services.booking_models import VendorLedgerEntry
from store_app.database import transaction
from store_app.extensions import db
from store_app.roles import Role
from store_app.wallet.operations import get_balance
from tests.jobs_support import BOOKED_AT, STARTS_AT, build_market
from tests.photo_files import photo_bytes


def _accepted(app, community, **kwargs):
    market = build_market(app, community["store_id"], community["users"][Role.RESIDENT][0], **kwargs)
    with app.app_context(), transaction():
        offers.accept_job(market.vendor_user(0), market.booking_id, BOOKED_AT + timedelta(minutes=1))
    return market


def _ledger(booking_id):
    return {e.kind: e.amount_cents for e in db.session.scalars(
        db.select(VendorLedgerEntry).where(VendorLedgerEntry.booking_id == booking_id))}


def _work_to_done(market, vendor):
    for step, at in ((progress.set_on_the_way, -30), (progress.set_arrived, -2), (progress.start_work, 0)):
        with transaction():
            step(vendor, market.booking_id, STARTS_AT + timedelta(minutes=at))
    with transaction():
        progress.finish_work(vendor, market.booking_id, [photo_bytes(gps=True)], STARTS_AT + timedelta(hours=2))


def test_the_steps_to_done_and_the_residents_confirmation(app, community):
    market = _accepted(app, community)
    with app.app_context():
        vendor = market.vendor_user(0)
        with pytest.raises(errors.PhotoRequired), transaction():
            progress.finish_work(vendor, market.booking_id, [], STARTS_AT)
        _work_to_done(market, vendor)
        booking = market.booking()
        assert booking.status == "done" and len(booking.completion_photos) == 1
        assert booking.completion_photos[0].endswith(".webp")
        with pytest.raises(errors.NotFound), transaction():
            progress.confirm_done(market.user(community["users"][Role.COURIER][0]), market.booking_id, STARTS_AT)
        with transaction():
            progress.confirm_done(market.user(market.resident_id), market.booking_id, STARTS_AT + timedelta(hours=3))
        booking = market.booking()
        assert booking.status == "completed"
        gross = booking.price_cents
        assert _ledger(booking.id) == {"earning": gross, "commission": -ledger.commission_cents(gross, 1500)}


def test_an_unconfirmed_job_completes_by_itself_after_48_hours(app, community):
    market = _accepted(app, community, payment_method="cash")
    with app.app_context():
        _work_to_done(market, market.vendor_user(0))
        done_at = market.booking().done_at
        with transaction():
            assert "completed 0" in progress.run_progress_pass(market.store_id, done_at + timedelta(hours=47))
        with transaction():
            assert "completed 1" in progress.run_progress_pass(market.store_id, done_at + timedelta(hours=48))
        booking = market.booking()
        assert booking.status == "completed"
        assert set(_ledger(booking.id)) == {"earning", "cash_taken", "commission"}


def test_a_lockout_needs_the_id_check_before_starting(app, community):
    market = _accepted(app, community, lockout=True)
    with app.app_context():
        vendor = market.vendor_user(0)
        with transaction():
            progress.set_arrived(vendor, market.booking_id, STARTS_AT)
        with pytest.raises(errors.IdCheckRequired), transaction():
            progress.start_work(vendor, market.booking_id, STARTS_AT)
        with pytest.raises(errors.NoteRequired), transaction():
            progress.record_id_check(vendor, market.booking_id, "  ", STARTS_AT)
        with transaction():
            progress.record_id_check(vendor, market.booking_id, "ID name matches the resident", STARTS_AT)
        with transaction():
            progress.start_work(vendor, market.booking_id, STARTS_AT)
        assert market.booking().status == "in_progress"


def test_a_vendor_30_minutes_late_is_a_no_show_with_a_full_refund(app, community):
    market = _accepted(app, community)
    with app.app_context():
        with transaction():
            assert "no-shows 0" in progress.run_progress_pass(market.store_id, STARTS_AT + timedelta(minutes=29))
        with transaction():
            assert "no-shows 1" in progress.run_progress_pass(market.store_id, STARTS_AT + timedelta(minutes=30))
        booking = market.booking()
        assert (booking.status, booking.cancelled_by) == ("vendor_no_show", "vendor")
        assert get_balance(market.resident_id) == booking.held_cents


def test_running_late_keeps_a_vendor_from_being_a_no_show(app, community):
    market = _accepted(app, community)
    with app.app_context():
        with transaction():
            progress.send_running_late(market.vendor_user(0), market.booking_id, "Traffic: there by 10:50",
                                       STARTS_AT + timedelta(minutes=10))
        with transaction():
            assert "no-shows 0" in progress.run_progress_pass(market.store_id, STARTS_AT + timedelta(minutes=45))
        assert market.booking().status == "accepted"


def test_a_vendor_giving_a_job_back_refunds_the_resident(app, community):
    market = _accepted(app, community)
    with app.app_context():
        with transaction():
            progress.vendor_cancel(market.vendor_user(0), market.booking_id, "Van broke down", STARTS_AT - timedelta(hours=3))
        assert market.booking().status == "vendor_no_show"
        assert get_balance(market.resident_id) == market.booking().held_cents


def test_nobody_at_the_door_keeps_the_no_show_fee(app, community):
    market = _accepted(app, community)
    with app.app_context():
        vendor = market.vendor_user(0)
        with pytest.raises(errors.ServiceError), transaction():
            progress.mark_no_show(vendor, market.booking_id, STARTS_AT)  # not arrived yet
        with transaction():
            progress.set_arrived(vendor, market.booking_id, STARTS_AT)
        with transaction():
            progress.mark_no_show(vendor, market.booking_id, STARTS_AT + timedelta(minutes=15))
        booking = market.booking()
        assert (booking.status, booking.fee_cents) == ("no_show", booking.held_cents)  # the category's 100 %
        assert get_balance(market.resident_id) == 0
        assert _ledger(booking.id) == {"fee_share": booking.held_cents}


def test_another_vendor_cannot_move_the_job(app, community):
    market = _accepted(app, community)
    with app.app_context(), pytest.raises(errors.NotFound), transaction():
        progress.set_arrived(market.vendor_user(1), market.booking_id, STARTS_AT)
