"""Booking operations on a real database (SQLite, and PostgreSQL with TEST_DATABASE_URL): hold, confirm,
cancel with fee tiers, reschedule without a fee dodge, holds that lapse, the constraint itself."""
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from services import booking, booking_changes, catalog, jobs
from services.booking_models import Booking, BookingOffer, LedgerKind, VendorLedgerEntry
from services.errors import (AddressNotVerified, CashNotAccepted, HoldLapsed, NoticeTooShort, NotFound,
                             RescheduleInFeeWindow, SlotTaken, SlotUnavailable)
from services.models import Offering
from store_app.accounts.models import User
from store_app.database import transaction
from store_app.extensions import db
from store_app.notifications.models import Notification
from store_app.stores.models import Store
from services.errors import WalletShort as InsufficientFunds
from store_app.wallet.operations import get_balance
from tests.booking_support import IN_TWO_DAYS, NOW, TOMORROW, at, build_market
from tests.conftest import add_shopper
from tests.services_support import add_booking


def objects(m, resident_id=None):
    return (db.session.get(User, resident_id or m.resident_id), db.session.get(Offering, m.offering_id),
            db.session.get(Store, m.store_id))


def hold_and_confirm(m, starts_at, *, now=NOW, resident_id=None, address_id=None, payment="wallet", key=None):
    resident, offering, store = objects(m, resident_id)
    with transaction():
        held = booking.hold_slot(resident, offering, starts_at, store=store, now=now, idempotency_key=key)
        confirmed = booking.confirm_booking(resident, held.id, store=store, address_id=address_id or m.address_id,
                                            description="厨房", payment_method=payment, now=now)
        return confirmed.id


def test_a_hold_then_confirm_makes_a_requested_booking_paid_from_the_wallet_with_an_offer(app_ctx):
    m = build_market()
    booking_id = hold_and_confirm(m, at(TOMORROW, 10))
    made = db.session.get(Booking, booking_id)
    assert made.status == "requested" and made.crew_id == m.crew_ids[0]
    assert made.held_cents == 20000 and get_balance(m.resident_id) == 80000
    assert made.accept_by_at == NOW + timedelta(minutes=30)
    assert made.block_start_at == at(TOMORROW, 9, 45) and made.block_end_at == at(TOMORROW, 12, 15)
    offer = db.session.scalar(db.select(BookingOffer).where(BookingOffer.booking_id == booking_id))
    assert offer.vendor_id == m.vendor_id and offer.state == "offered"
    # The vendor is told (their inbox shows it live as well).
    told = db.session.scalars(db.select(Notification.kind).where(Notification.user_id == m.vendor_owner_id)).all()
    assert told == ["service_job_offered"]


def test_the_slot_is_gone_once_held_and_a_second_hold_gets_the_next_free_slots(app_ctx):
    m = build_market()
    other = add_shopper(m.shop, balance_cents=100_000)
    resident, offering, store = objects(m)
    with transaction():
        booking.hold_slot(resident, offering, at(TOMORROW, 10), store=store, now=NOW)
    assert at(TOMORROW, 10) not in {s.starts_at for s in catalog.list_slots(offering, store, NOW)}
    with pytest.raises(SlotTaken) as taken, transaction():
        booking.hold_slot(db.session.get(User, other.user_id), offering, at(TOMORROW, 10), store=store, now=NOW)
    assert taken.value.status == 409 and len(taken.value.next_slots) == 3
    assert all(s.starts_at >= at(TOMORROW, 12, 30) for s in taken.value.next_slots)


def test_a_second_crew_takes_the_same_time(app_ctx):
    m = build_market(crews=2)
    other = add_shopper(m.shop, balance_cents=100_000)
    first = hold_and_confirm(m, at(TOMORROW, 10))
    second = hold_and_confirm(m, at(TOMORROW, 10), resident_id=other.user_id, address_id=other.address_id)
    crews = [db.session.get(Booking, i).crew_id for i in (first, second)]
    assert crews == m.crew_ids


def test_a_replayed_idempotency_key_returns_the_first_booking_and_charges_once(app_ctx):
    m = build_market()
    first = hold_and_confirm(m, at(TOMORROW, 10), key="key-12345678")
    again = hold_and_confirm(m, at(TOMORROW, 10), key="key-12345678")
    assert first == again and get_balance(m.resident_id) == 80000


def test_a_time_that_is_no_slot_or_too_soon_is_refused(app_ctx):
    m = build_market()
    resident, offering, store = objects(m)
    for starts_at in (at(TOMORROW, 10, 10), at(TOMORROW, 17), NOW + timedelta(minutes=60)):
        with pytest.raises(SlotUnavailable), transaction():
            booking.hold_slot(resident, offering, starts_at, store=store, now=NOW)


def test_a_lapsed_hold_cannot_be_confirmed_and_frees_the_slot_for_another(app_ctx):
    m = build_market()
    other = add_shopper(m.shop, balance_cents=100_000)
    resident, offering, store = objects(m)
    with transaction():
        held_id = booking.hold_slot(resident, offering, at(TOMORROW, 10), store=store, now=NOW).id
    later = NOW + timedelta(minutes=5)
    with pytest.raises(HoldLapsed) as lapsed, transaction():
        booking.confirm_booking(resident, held_id, store=store, address_id=m.address_id, description="",
                                payment_method="wallet", now=later)
    assert lapsed.value.next_slots
    second = hold_and_confirm(m, at(TOMORROW, 10), now=later, resident_id=other.user_id, address_id=other.address_id)
    assert db.session.get(Booking, held_id).status == "expired"  # expired by the second hold, on its crew
    assert db.session.get(Booking, second).status == "requested"


def test_the_periodic_job_expires_lapsed_holds_only(app_ctx):
    m = build_market(crews=2)
    resident, offering, store = objects(m)
    with transaction():
        old = booking.hold_slot(resident, offering, at(TOMORROW, 10), store=store, now=NOW).id
        fresh = booking.hold_slot(resident, offering, at(TOMORROW, 14), store=store, now=NOW + timedelta(minutes=3)).id
    assert jobs.expire_holds(m.store_id, NOW + timedelta(minutes=6)) == "1 holds expired"
    assert [db.session.get(Booking, i).status for i in (old, fresh)] == ["expired", "held"]
    assert jobs.expire_holds(m.store_id, NOW + timedelta(minutes=6)) == "0 holds expired"


def test_wallet_short_refuses_and_leaves_nothing(app_ctx):
    m = build_market(balance_cents=1000)
    with pytest.raises(InsufficientFunds):
        hold_and_confirm(m, at(TOMORROW, 10))
    assert db.session.scalar(db.select(db.func.count(Booking.id))) == 0


def test_cash_only_when_the_vendor_takes_cash(app_ctx):
    m = build_market(accepts_cash=False)
    with pytest.raises(CashNotAccepted):
        hold_and_confirm(m, at(TOMORROW, 10), payment="cash")
    m2 = build_market(shop=m.shop)
    made = db.session.get(Booking, hold_and_confirm(m2, at(TOMORROW, 10), payment="cash"))
    assert made.payment_method == "cash" and made.held_cents == 0


def test_a_lockout_needs_a_verified_address(app_ctx):
    m = build_market(category_options={"slug": "locksmith", "name_zh": "开锁", "name_en": "Locksmith",
                                       "needs_verified_address": True})
    with pytest.raises(AddressNotVerified):
        hold_and_confirm(m, at(TOMORROW, 10))
    staff = add_shopper(m.shop, balance_cents=100_000)  # any user id will do as the verifier here
    with transaction():
        booking.verify_address(db.session.get(User, staff.user_id),
                               db.session.get(User, m.resident_id).addresses[0], now=NOW)
    assert db.session.get(Booking, hold_and_confirm(m, at(TOMORROW, 10))).status == "requested"


def test_a_delivered_order_to_the_building_verifies_it(app_ctx):
    m = build_market(category_options={"slug": "locksmith", "name_zh": "开锁", "name_en": "Locksmith",
                                       "needs_verified_address": True})
    resident = db.session.get(User, m.resident_id)
    assert not booking.is_address_verified(m.resident_id, resident.addresses[0])
    with transaction():
        db.session.execute(db.text(
            "INSERT INTO orders (store_id, user_id, status, idempotency_key, building_id, address_text, lat, lon, "
            "zone_name, subtotal_cents, delivery_fee_cents, parcel_fee_cents, discount_cents, total_cents, "
            "refunded_cents, payment_method, delivery_code, delivery_code_misses, eta_minutes, promised_at, note, "
            "placed_at, fulfilment) VALUES (:s, :u, 'delivered', 'k1', :b, 'x', 31.2, 121.4, 'Zone A', 100, 0, 0, 0, "
            "100, 0, 'wallet', '1234', 0, 30, :t, '', :t, 'delivery')"),
            {"s": m.store_id, "u": m.resident_id, "b": resident.addresses[0].building_id, "t": NOW})
    assert booking.is_address_verified(m.resident_id, resident.addresses[0])


def cancel(booking_id, now, by="resident"):
    with transaction():
        return booking_changes.cancel_booking(db.session.get(Booking, booking_id), now=now, by=by).fee_cents


def test_cancelling_early_is_free_and_refunds_everything(app_ctx):
    m = build_market()
    booking_id = hold_and_confirm(m, at(IN_TWO_DAYS, 10))
    assert cancel(booking_id, NOW) == 0
    assert get_balance(m.resident_id) == 100_000
    offer = db.session.scalar(db.select(BookingOffer).where(BookingOffer.booking_id == booking_id))
    assert offer.state == "withdrawn" and db.session.get(Booking, booking_id).cancelled_by == "resident"
    assert vendor_told(m) == ["service_job_offered", "service_job_called_off"]


def vendor_told(m):
    """The kinds of the vendor owner's messages, oldest first."""
    return db.session.scalars(db.select(Notification.kind).where(Notification.user_id == m.vendor_owner_id)
                              .order_by(Notification.id)).all()


def test_a_late_cancel_keeps_the_fee_and_passes_it_to_the_vendor(app_ctx):
    m = build_market()
    booking_id = hold_and_confirm(m, at(TOMORROW, 10))
    assert cancel(booking_id, at(TOMORROW, 8)) == 10000
    assert get_balance(m.resident_id) == 90000
    share = db.session.scalar(db.select(VendorLedgerEntry).where(VendorLedgerEntry.booking_id == booking_id))
    assert share.kind == LedgerKind.FEE_SHARE.value and share.amount_cents == 10000


def test_staff_cancel_any_time_for_free(app_ctx):
    m = build_market(category_options={"cancel_notice_min": 120})
    booking_id = hold_and_confirm(m, at(TOMORROW, 10))
    with pytest.raises(NoticeTooShort), transaction():
        booking_changes.cancel_booking(db.session.get(Booking, booking_id), now=at(TOMORROW, 9), by="resident")
    assert cancel(booking_id, at(TOMORROW, 9), by="staff") == 0
    assert get_balance(m.resident_id) == 100_000


def reschedule(booking_id, starts_at, now, by="resident"):
    with transaction():
        moved = booking_changes.reschedule_booking(db.session.get(Booking, booking_id), starts_at,
                                                   store=db.session.get(Store, db.session.get(Booking, booking_id)
                                                                        .store_id), now=now, by=by)
        return moved.starts_at, moved.rescheduled_from_at


def test_a_reschedule_keeps_the_vendor_and_remembers_the_first_start(app_ctx):
    m = build_market()
    booking_id = hold_and_confirm(m, at(IN_TWO_DAYS, 10))
    assert reschedule(booking_id, at(IN_TWO_DAYS, 14), NOW) == (at(IN_TWO_DAYS, 14), at(IN_TWO_DAYS, 10))
    # Back to a time overlapping the old block: the booking does not collide with itself.
    assert reschedule(booking_id, at(IN_TWO_DAYS, 13), NOW)[1] == at(IN_TWO_DAYS, 10)
    assert db.session.get(Booking, booking_id).reschedules == 2
    assert vendor_told(m) == ["service_job_offered", "service_job_moved", "service_job_moved"]


def test_a_reschedule_inside_the_fee_window_is_refused_but_staff_may(app_ctx):
    m = build_market()
    booking_id = hold_and_confirm(m, at(TOMORROW, 10))
    with pytest.raises(RescheduleInFeeWindow):
        reschedule(booking_id, at(IN_TWO_DAYS, 10), at(TOMORROW, 1))
    assert reschedule(booking_id, at(IN_TWO_DAYS, 10), at(TOMORROW, 9, 30), by="staff")[0] == at(IN_TWO_DAYS, 10)


def test_a_reschedule_onto_a_taken_time_offers_the_next_ones(app_ctx):
    m = build_market()
    other = add_shopper(m.shop, balance_cents=100_000)
    hold_and_confirm(m, at(IN_TWO_DAYS, 10), resident_id=other.user_id, address_id=other.address_id)
    mine = hold_and_confirm(m, at(IN_TWO_DAYS, 14))
    with pytest.raises(SlotTaken) as taken:
        reschedule(mine, at(IN_TWO_DAYS, 10), NOW)
    assert taken.value.next_slots and db.session.get(Booking, mine).starts_at == at(IN_TWO_DAYS, 14)


def test_a_resident_sees_only_their_own_bookings(app_ctx):
    m = build_market()
    other = add_shopper(m.shop, balance_cents=100_000)
    booking_id = hold_and_confirm(m, at(TOMORROW, 10))
    with pytest.raises(NotFound):
        booking.get_resident_booking(other.user_id, booking_id)
    assert [b.id for b in booking.list_resident_bookings(m.resident_id)] == [booking_id]
    assert booking.list_resident_bookings(other.user_id) == []


def test_the_database_refuses_an_overlapping_direct_insert(app_ctx):
    m = build_market()
    with transaction():
        offering = db.session.get(Offering, m.offering_id)
        add_booking(m.resident_id, offering, at(TOMORROW, 10), now=NOW)
    with pytest.raises(IntegrityError), transaction():
        add_booking(m.resident_id, db.session.get(Offering, m.offering_id), at(TOMORROW, 11, 30), now=NOW)
    db.session.rollback()
    with transaction():  # touching buffers only ([) ranges): allowed
        add_booking(m.resident_id, db.session.get(Offering, m.offering_id), at(TOMORROW, 12, 30), now=NOW)
    assert db.session.scalar(db.select(db.func.count(Booking.id))) == 2


def test_category_slots_rank_vendors_and_skip_suspended_ones(app_ctx):
    m = build_market()
    m2 = build_market(shop=m.shop)
    from services.models import Vendor
    with transaction():
        db.session.get(Vendor, m2.vendor_id).standing = "suspended"
    store = db.session.get(Store, m.store_id)
    found = catalog.category_slots(store, m.category_id, NOW)
    assert list(found) == [m.offering_id] and found[m.offering_id]


def test_offerings_rank_by_vendor_score_then_id_and_only_in_the_residents_zone(app_ctx):
    from store_app.geo.operations import save_zone
    from tests.conftest import square_zone
    from tests.services_support import add_offering, add_vendor

    m = build_market()  # its vendor: score 0.5, no zones listed (serves the whole store)
    with transaction():
        category = db.session.get(Offering, m.offering_id).category
        better = add_vendor(m.store_id, [category], name="更好的家政", score=0.9)
        same = add_vendor(m.store_id, [category], name="同分家政", score=0.5)
        other_zone = save_zone(m.store_id, name="Zone B", geojson=square_zone(31.3, 121.5, 0.01), fee_cents=0,
                               minimum_cents=0, now=NOW).id
        elsewhere = add_vendor(m.store_id, [category], name="别处家政", score=1.0, zones=[other_zone])
        ids = [add_offering(v, category).id for v in (better, same, elsewhere)]
    zone_id = catalog.resident_zone_id(db.session.get(User, m.resident_id))
    assert zone_id == m.zone_id
    assert [o.id for o in catalog.list_offerings(m.store_id, m.category_id, zone_id)] == [ids[0], m.offering_id, ids[1]]
    assert [o.id for o in catalog.list_offerings(m.store_id, m.category_id, other_zone)][0] == ids[2]
