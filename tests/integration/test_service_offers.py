"""Offers on a real database, with an injected clock: accepting on time, the deadline, re-offering to
the other vendors, escalation to staff, expiry with a refund, staff placing or cancelling a job."""
from datetime import timedelta

import pytest

from services import errors, offers, reoffers
from services.booking_models import BookingOffer
from services.models import Vendor
from store_app.database import transaction
from store_app.extensions import db
from store_app.notifications.models import Notification
from store_app.roles import Role
from store_app.wallet.operations import get_balance
from tests.jobs_support import BOOKED_AT, STARTS_AT, build_market


@pytest.fixture
def market(app, community):
    return build_market(app, community["store_id"], community["users"][Role.RESIDENT][0])


def _offers(booking_id):
    return {o.vendor_id: o for o in db.session.scalars(db.select(BookingOffer).where(BookingOffer.booking_id == booking_id))}


def _kinds(user_id):
    return set(db.session.scalars(db.select(Notification.kind).where(Notification.user_id == user_id)))


def test_the_booked_vendor_accepts_before_the_deadline(app, market):
    now = BOOKED_AT + timedelta(minutes=10)
    with app.app_context():
        with transaction():
            booking = offers.accept_job(market.vendor_user(0), market.booking_id, now)
        booking = market.booking()
        assert (booking.status, booking.vendor_id, booking.crew_id) == ("accepted", market.vendor_ids[0],
                                                                          market.crew_ids[0])
        assert booking.accepted_at == now
        assert _offers(booking.id)[market.vendor_ids[0]].state == "accepted"
        assert "service_job_accepted" in _kinds(market.resident_id)


def test_an_answer_after_the_deadline_is_refused(app, market):
    late = BOOKED_AT + timedelta(minutes=30)
    with app.app_context():
        with pytest.raises(errors.OfferClosed), transaction():
            offers.accept_job(market.vendor_user(0), market.booking_id, late)
        assert market.booking().status == "requested"


def test_a_suspended_vendor_cannot_accept(app, market):
    with app.app_context():
        with transaction():
            db.session.get(Vendor, market.vendor_ids[0]).standing = "suspended"
        with pytest.raises(errors.VendorSuspended) as refused, transaction():
            offers.accept_job(market.vendor_user(0), market.booking_id, BOOKED_AT + timedelta(minutes=1))
        assert refused.value.status == 403
        assert market.booking().status == "requested"


def test_a_vendor_not_offered_the_job_does_not_see_it(app, market):
    with app.app_context(), pytest.raises(errors.NotFound), transaction():
        offers.accept_job(market.vendor_user(1), market.booking_id, BOOKED_AT + timedelta(minutes=1))


def test_a_decline_reoffers_to_every_other_vendor_who_takes_it(app, market):
    now = BOOKED_AT + timedelta(minutes=5)
    with app.app_context():
        with transaction():
            reoffers.decline_job(market.vendor_user(0), market.booking_id, now)
        booking = market.booking()
        assert (booking.status, booking.crew_id) == ("reoffered", None)
        assert booking.reoffer_until_at == now + timedelta(minutes=30)
        sent = _offers(booking.id)
        assert sent[market.vendor_ids[0]].state == "declined"
        assert {v: sent[v].state for v in market.vendor_ids[1:]} == {v: "offered" for v in market.vendor_ids[1:]}
        assert all(sent[v].counts_for_rate for v in market.vendor_ids[1:])
        assert "service_job_reoffered" in _kinds(market.resident_id)
        assert "service_job_offered" in _kinds(market.owner_ids[1])
        with transaction():
            offers.accept_job(market.vendor_user(2), market.booking_id, now + timedelta(minutes=1))
        booking = market.booking()
        assert (booking.status, booking.vendor_id, booking.crew_id) == ("accepted", market.vendor_ids[2],
                                                                          market.crew_ids[2])
        sent = _offers(booking.id)
        assert (sent[market.vendor_ids[1]].state, sent[market.vendor_ids[2]].state) == ("withdrawn", "accepted")
        with pytest.raises(errors.OfferClosed), transaction():
            offers.accept_job(market.vendor_user(1), market.booking_id, now + timedelta(minutes=2))


def test_a_reoffer_outside_a_vendors_hours_does_not_count_for_its_rate(app, community):
    market = build_market(app, community["store_id"], community["users"][Role.RESIDENT][0],
                          starts_at=STARTS_AT + timedelta(hours=9))  # 19:00, after everyone's 18:00
    with app.app_context():
        with transaction():
            reoffers.run_offer_pass(market.store_id, BOOKED_AT + timedelta(minutes=31))
        sent = _offers(market.booking_id)
        assert [sent[v].counts_for_rate for v in market.vendor_ids[1:]] == [False, False]


def test_the_clock_reoffers_then_escalates_then_staff_assign(app, market, community):
    lapsed = BOOKED_AT + timedelta(minutes=30)
    with app.app_context():
        with transaction():
            assert reoffers.run_offer_pass(market.store_id, lapsed - timedelta(seconds=1)).startswith("expired 0, reoffered 0")
        with transaction():
            assert "reoffered 1" in reoffers.run_offer_pass(market.store_id, lapsed)
        with transaction():
            assert "reoffered 0" in reoffers.run_offer_pass(market.store_id, lapsed)  # idempotent
        assert _offers(market.booking_id)[market.vendor_ids[0]].state == "expired"
        with transaction():
            assert "escalated 1" in reoffers.run_offer_pass(market.store_id, lapsed + timedelta(minutes=30))
        booking = market.booking()
        assert booking.status == "escalated"
        assert {o.state for o in _offers(booking.id).values()} == {"expired"}
        assert "service_job_escalated" in _kinds(market.resident_id)
        staff = market.user(community["users"][Role.STAFF][0])
        assert "service_job_to_place" in _kinds(staff.id)
        with transaction():
            offers.assign_job(staff, market.booking_id, market.vendor_ids[1], lapsed + timedelta(minutes=40))
        booking = market.booking()
        assert (booking.status, booking.vendor_id) == ("accepted", market.vendor_ids[1])
        assert _offers(booking.id)[market.vendor_ids[1]].state == "accepted"
        assert "service_job_assigned" in _kinds(market.owner_ids[1])


def test_nobody_else_suitable_goes_straight_to_staff(app, community):
    market = build_market(app, community["store_id"], community["users"][Role.RESIDENT][0], vendors=1)
    with app.app_context():
        with transaction():
            reoffers.decline_job(market.vendor_user(0), market.booking_id, BOOKED_AT + timedelta(minutes=1))
        assert market.booking().status == "escalated"


def test_a_job_unaccepted_at_its_start_expires_with_a_full_refund(app, market):
    with app.app_context():
        before = get_balance(market.resident_id)
        with transaction():
            assert "expired 1" in reoffers.run_offer_pass(market.store_id, STARTS_AT)
        booking = market.booking()
        assert booking.status == "expired"
        assert get_balance(market.resident_id) == before + booking.held_cents
        assert "service_job_expired" in _kinds(market.resident_id)
        with transaction():
            assert "expired 0" in reoffers.run_offer_pass(market.store_id, STARTS_AT + timedelta(minutes=1))
        assert get_balance(market.resident_id) == before + booking.held_cents


def test_staff_cancel_refunds_in_full(app, market, community):
    with app.app_context():
        staff = market.user(community["users"][Role.STAFF][0])
        with transaction():
            offers.cancel_job(staff, market.booking_id, "no vendor", BOOKED_AT + timedelta(hours=1))
        booking = market.booking()
        assert (booking.status, booking.cancelled_by) == ("cancelled", "staff")
        assert get_balance(market.resident_id) == booking.held_cents
        assert _offers(booking.id)[market.vendor_ids[0]].state == "withdrawn"


def test_a_vendor_without_a_free_crew_gets_a_clean_refusal(app, market, community):
    from services.models import Crew, Offering
    from tests.services_support import add_booking

    now = BOOKED_AT + timedelta(minutes=1)
    with app.app_context():
        with transaction():
            reoffers.decline_job(market.vendor_user(0), market.booking_id, now)
        with transaction():  # vendor 1's only crew is taken meanwhile by another job at that time
            add_booking(community["users"][Role.RESIDENT][0], db.session.get(Offering, market.offering_id),
                        STARTS_AT + timedelta(minutes=30), status="accepted", now=BOOKED_AT,
                        crew=db.session.get(Crew, market.crew_ids[1]))
        with pytest.raises(errors.NoFreeCrew) as refused, transaction():
            offers.accept_job(market.vendor_user(1), market.booking_id, now + timedelta(minutes=1))
        assert refused.value.status == 409
        assert market.booking().status == "reoffered"


def test_the_scheduled_jobs_run_each_pass_in_its_own_transaction(app, market):
    from services import jobs

    with app.app_context():
        names = {job.name for job in jobs.periodic_jobs()}
        assert {f"services:offers:{market.store_id}", f"services:progress:{market.store_id}"} <= names
        assert "reoffered 1" in jobs.offers_pass(market.store_id, BOOKED_AT + timedelta(minutes=30))
        assert "no-shows 0" in jobs.progress_pass(market.store_id, BOOKED_AT + timedelta(minutes=30))
        assert market.booking().status == "reoffered"


def test_a_reoffer_goes_only_to_vendors_serving_the_bookings_zone(app, community):
    from services.booking_models import Booking
    from store_app.accounts.models import Address
    from store_app.geo.operations import save_zone
    from tests.conftest import square_zone

    store_id, resident_id = community["store_id"], community["users"][Role.RESIDENT][0]
    market = build_market(app, store_id, resident_id, vendors=4)
    with app.app_context():
        with transaction():
            here = save_zone(store_id, name="Here", geojson=square_zone(31.2010, 121.4010, 0.002), fee_cents=0,
                             minimum_cents=0, now=BOOKED_AT)
            there = save_zone(store_id, name="There", geojson=square_zone(31.2500, 121.5000, 0.002), fee_cents=0,
                              minimum_cents=0, now=BOOKED_AT)
            for vendor_id, zone in ((market.vendor_ids[1], here), (market.vendor_ids[2], there)):
                db.session.execute(db.text("INSERT INTO vendor_zones (vendor_id, zone_id) VALUES (:v, :z)"),
                                   {"v": vendor_id, "z": zone.id})
            address = db.session.scalar(db.select(Address).where(Address.user_id == resident_id))
            db.session.get(Booking, market.booking_id).address_id = address.id
        with transaction():
            reoffers.decline_job(market.vendor_user(0), market.booking_id, BOOKED_AT + timedelta(minutes=1))
        sent = _offers(market.booking_id)
        # vendor 1 names this zone, vendor 3 names none (the whole store); vendor 2 serves elsewhere
        assert sorted(sent) == sorted([market.vendor_ids[0], market.vendor_ids[1], market.vendor_ids[3]])
