"""Coupons at breakfast's and the marketplace's checkouts on a real database: reserved with the order
or booking, used when it is paid, released when it ends before that; the store funds a booking's
coupon, so the vendor's ledger is what it would be without it."""
from datetime import timedelta

import pytest

from services import booking, booking_changes, offers, progress
from services.booking_models import Booking, VendorLedgerEntry
from services.models import Offering
from store_app.accounts.models import User
from store_app.breakfast import freeze, operations
from store_app.breakfast.models import BreakfastOrder
from store_app.database import transaction
from store_app.extensions import db
from store_app.growth import coupons
from store_app.growth.errors import CouponNotApplicable
from store_app.growth.models import Coupon, CouponGrant, Purchase
from store_app.roles import Role
from store_app.stores.models import Store
from store_app.wallet import operations as wallet
from tests.booking_support import NOW, TOMORROW, at, build_market
from tests.breakfast_support import SCHOOL_MONDAY, add_child, add_item, evening_before, local
from tests.coupon_support import add_coupon
from tests.photo_files import photo_bytes

TUESDAY = SCHOOL_MONDAY + timedelta(days=1)
WEDNESDAY = TUESDAY + timedelta(days=1)


def give(coupon_id, user_id, now):
    """A copy of the coupon for the resident; returns its id."""
    with transaction():
        return coupons.issue_grant(db.session.get(Coupon, coupon_id), user_id, source="claim", now=now).id


def grant(grant_id):
    return db.session.get(CouponGrant, grant_id)


def purchase(ref):
    return db.session.scalar(db.select(Purchase).where(Purchase.ref == ref))


# ---- breakfast ----------------------------------------------------------------------------------

@pytest.fixture
def family(app, create_store, create_user):
    store_id = create_store()
    parent = create_user(store_id, Role.RESIDENT, name="Parent")[0]
    stranger = create_user(store_id, Role.RESIDENT, name="Stranger")[0]
    with app.app_context():
        with transaction():
            milk = add_item(store_id, price_cents=300)
            bun = add_item(store_id, name_zh="包子", name_en="Bun", price_cents=500, allergens=())
            kids = [add_child(store_id, parent, name="小一").id, add_child(store_id, parent, name="小二").id]
            wallet.credit(parent, store_id, 5_000, "topup", now=local(SCHOOL_MONDAY, 8))
            items = dict(milk=milk.id, bun=bun.id)
        coupon = add_coupon(store_id, kind="spend_save", amount_off_cents=200, min_spend_cents=800,
                            lines="breakfast", now=local(SCHOOL_MONDAY, 8))
        delivery_only = add_coupon(store_id, kind="spend_save", amount_off_cents=100, lines="delivery,pickup",
                                   now=local(SCHOOL_MONDAY, 8))
    return dict(store=store_id, parent=parent, stranger=stranger, kids=kids, coupon=coupon,
                delivery_only=delivery_only, **items)


@pytest.fixture
def two_copies(app, family):
    """The family's coupon allows two copies per parent; returns the two copy ids."""
    with app.app_context():
        with transaction():
            db.session.get(Coupon, family["coupon"]).per_user_limit = 2
        at_ = evening_before(TUESDAY, 19)
        return give(family["coupon"], family["parent"], at_), give(family["coupon"], family["parent"], at_)


def test_a_breakfast_coupon_is_reserved_when_ordering_used_at_the_cutoff_and_released_by_a_cancel(
        app, family, two_copies):
    f = family
    placed_at = evening_before(TUESDAY, 19)
    first, second = two_copies
    with app.app_context(), transaction():
        store = db.session.get(Store, f["store"])
        kept = operations.place_order(store, f["parent"], f["kids"][0], TUESDAY, {f["milk"]: 1, f["bun"]: 1},
                                      placed_at, grant_ids=[first])
        assert (kept.discount_cents, kept.total_cents) == (200, 600)
        assert grant(first).status == "reserved" and grant(first).purchase_ref == f"breakfast:{kept.id}"
        dropped = operations.place_order(store, f["parent"], f["kids"][1], TUESDAY, {f["milk"]: 1, f["bun"]: 1},
                                         placed_at, grant_ids=[second])
        operations.cancel_order(f["parent"], dropped.id, placed_at + timedelta(minutes=5))
        assert grant(second).status == "available" and grant(second).purchase_ref is None
        freeze.freeze_day(store, kept.day, local(SCHOOL_MONDAY, 21))
        assert db.session.get(BreakfastOrder, kept.id).status == "paid"
        assert wallet.get_balance(f["parent"]) == 5_000 - 600  # charged after the coupon
        assert grant(first).status == "used" and db.session.get(Coupon, f["coupon"]).used_count == 1
        bought = purchase(f"breakfast:{kept.id}")
        assert (bought.goods_cents, bought.discount_cents) == (600, 200)


def test_a_change_keeps_the_coupon_when_it_fits_and_gives_it_back_when_not(app, family):
    f = family
    placed_at = evening_before(WEDNESDAY, 19)
    with app.app_context():
        copy = give(f["coupon"], f["parent"], placed_at)
        with transaction():
            store = db.session.get(Store, f["store"])
            order = operations.place_order(store, f["parent"], f["kids"][0], WEDNESDAY, {f["bun"]: 2}, placed_at,
                                           grant_ids=[copy])
            assert order.total_cents == 800
            changed = operations.change_order(f["parent"], order.id, {f["bun"]: 1, f["milk"]: 1}, placed_at)
            assert (changed.discount_cents, changed.total_cents, changed.coupon_dropped) == (200, 600, False)
            assert grant(copy).status == "reserved"
            changed = operations.change_order(f["parent"], order.id, {f["milk"]: 1}, placed_at)
            assert (changed.discount_cents, changed.total_cents, changed.coupon_dropped) == (0, 300, True)
            assert grant(copy).status == "available"


def test_a_foreign_used_or_wrong_line_copy_is_refused_and_nothing_is_ordered(app, family, two_copies):
    f = family
    placed_at = evening_before(TUESDAY, 19)
    with app.app_context():
        strangers = give(f["coupon"], f["stranger"], placed_at)
        wrong_line = give(f["delivery_only"], f["parent"], placed_at)
        store_id = f["store"]
        for copy in (strangers, wrong_line, 2**31 - 1):
            with pytest.raises(CouponNotApplicable), transaction():
                operations.place_order(db.session.get(Store, store_id), f["parent"], f["kids"][0], TUESDAY,
                                       {f["bun"]: 2}, placed_at, grant_ids=[copy])
        assert db.session.scalar(db.select(db.func.count()).select_from(BreakfastOrder)) == 0
        with transaction():
            operations.place_order(db.session.get(Store, store_id), f["parent"], f["kids"][0], TUESDAY, {f["bun"]: 2},
                                   placed_at, grant_ids=[two_copies[0]])
        with pytest.raises(CouponNotApplicable), transaction():  # reserved already: not available
            operations.place_order(db.session.get(Store, store_id), f["parent"], f["kids"][1], TUESDAY, {f["bun"]: 2},
                                   placed_at, grant_ids=[two_copies[0]])


# ---- services -----------------------------------------------------------------------------------

def _confirm(m, starts_at, *, payment="wallet", grant_ids=()):
    resident, store = db.session.get(User, m.resident_id), db.session.get(Store, m.store_id)
    with transaction():
        held = booking.hold_slot(resident, db.session.get(Offering, m.offering_id), starts_at, store=store, now=NOW)
        return booking.confirm_booking(resident, held.id, store=store, address_id=m.address_id, description="厨房",
                                       payment_method=payment, now=NOW, grant_ids=grant_ids).id


def _complete(m, booking_id, starts_at):
    vendor = db.session.get(User, m.vendor_owner_id)
    with transaction():
        offers.accept_job(vendor, booking_id, NOW + timedelta(minutes=1))
    for step, minutes in ((progress.set_on_the_way, -30), (progress.set_arrived, -2), (progress.start_work, 0)):
        with transaction():
            step(vendor, booking_id, starts_at + timedelta(minutes=minutes))
    with transaction():
        progress.finish_work(vendor, booking_id, [photo_bytes(gps=True)], starts_at + timedelta(hours=2))
    with transaction():
        progress.confirm_done(db.session.get(User, m.resident_id), booking_id, starts_at + timedelta(hours=3))


def _ledger(booking_id):
    return {e.kind: e.amount_cents for e in db.session.scalars(
        db.select(VendorLedgerEntry).where(VendorLedgerEntry.booking_id == booking_id))}


@pytest.mark.parametrize("payment", ["wallet", "cash"])
def test_a_booking_with_a_coupon_charges_the_discounted_price_and_leaves_the_vendor_whole(app_ctx, payment):
    m = build_market(crews=2)
    coupon = add_coupon(m.store_id, kind="spend_save", amount_off_cents=3_000, min_spend_cents=10_000,
                        lines="services", now=NOW)
    copy = give(coupon, m.resident_id, NOW)
    plain = _confirm(m, at(TOMORROW, 10), payment=payment)
    with_coupon = _confirm(m, at(TOMORROW, 14), payment=payment, grant_ids=[copy])
    made = db.session.get(Booking, with_coupon)
    assert (made.price_cents, made.discount_cents) == (20_000, 3_000)
    if payment == "wallet":
        assert made.held_cents == 17_000 and wallet.get_balance(m.resident_id) == 100_000 - 20_000 - 17_000
    assert grant(copy).status == "used"
    assert (purchase(f"booking:{with_coupon}").goods_cents, purchase(f"booking:{with_coupon}").discount_cents) == (
        17_000, 3_000)
    _complete(m, plain, at(TOMORROW, 10))
    _complete(m, with_coupon, at(TOMORROW, 14))
    plain_ledger, coupon_ledger = _ledger(plain), _ledger(with_coupon)
    assert coupon_ledger["earning"] == plain_ledger["earning"] == 20_000
    assert coupon_ledger["commission"] == plain_ledger["commission"]
    if payment == "cash":  # the vendor took 3,000 less in cash: the store owes it to them
        assert coupon_ledger["cash_taken"] == plain_ledger["cash_taken"] + 3_000 == -17_000
    else:
        assert coupon_ledger == plain_ledger


def test_a_cancelled_booking_gives_its_coupon_back_and_a_foreign_copy_is_refused(app_ctx, create_user):
    m = build_market()
    coupon = add_coupon(m.store_id, kind="spend_save", amount_off_cents=3_000, lines="services", now=NOW)
    copy = give(coupon, m.resident_id, NOW)
    booked = _confirm(m, at(TOMORROW, 10), grant_ids=[copy])
    with transaction():
        booking_changes.cancel_booking(db.session.get(Booking, booked), now=NOW + timedelta(hours=1))
    assert grant(copy).status == "available" and db.session.get(Coupon, coupon).used_count == 0
    fee = db.session.get(Booking, booked).fee_cents  # the category's late-cancel share of what was held
    assert 0 < fee < 17_000 and wallet.get_balance(m.resident_id) == 100_000 - fee
    other = create_user(m.store_id, Role.RESIDENT, name="Other")[0]
    foreign = give(coupon, other, NOW)
    with pytest.raises(CouponNotApplicable):
        _confirm(m, at(TOMORROW, 14), grant_ids=[foreign])
    assert db.session.scalar(db.select(db.func.count()).select_from(Booking).where(
        Booking.status == "requested")) == 0


def test_a_breakfast_not_cooked_at_the_cutoff_gives_its_coupon_back(app, family):
    from store_app.breakfast.settings import get_settings

    f = family
    placed_at = evening_before(TUESDAY, 19)
    with app.app_context():
        copy = give(f["coupon"], f["stranger"], placed_at)  # the stranger's wallet is empty
        with transaction():
            store = db.session.get(Store, f["store"])
            get_settings(f["store"]).grace_breakfasts = 0
            kid = add_child(f["store"], f["stranger"], name="小三").id
            order = operations.place_order(store, f["stranger"], kid, TUESDAY, {f["bun"]: 2}, placed_at,
                                           grant_ids=[copy])
            assert grant(copy).status == "reserved"
            freeze.freeze_day(store, order.day, local(SCHOOL_MONDAY, 21))
            assert db.session.get(BreakfastOrder, order.id).status == "not_cooked"
            assert grant(copy).status == "available" and purchase(f"breakfast:{order.id}") is None
