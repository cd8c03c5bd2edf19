"""Breakfast and the service marketplace report their purchases to growth (``growth.purchases``) on
a real database: recorded when paid, completed when fulfilled, cancelled when they end before that,
refunded after; each moment once, even when the job that makes it runs twice."""
from datetime import timedelta

import pytest

from services import booking, booking_changes, claims, extras, offers, progress
from services.errors import AlreadyDecided
from store_app.accounts.models import User
from store_app.breakfast import desk, freeze, kitchen, operations
from store_app.breakfast.models import BreakfastOrder
from store_app.database import transaction
from store_app.extensions import db
from store_app.growth import purchases
from store_app.growth.baskets import Basket
from store_app.growth.models import Purchase
from store_app.roles import Role
from store_app.stores.models import Store
from store_app.wallet import operations as wallet
from tests.booking_support import NOW, TOMORROW, at, build_market
from tests.breakfast_support import SCHOOL_MONDAY, add_child, add_item, evening_before, local
from tests.photo_files import photo_bytes

TUESDAY = SCHOOL_MONDAY + timedelta(days=1)


@pytest.fixture
def heard():
    """Every moment growth's handlers hear, as ``(moment, ref, detail)``; the handlers are removed after."""
    seen = []
    handlers = {moment: (lambda purchase, now, _m=moment, **details: seen.append(
        (_m, purchase.ref, details.get("amount_cents")))) for moment in ("completed", "cancelled", "refunded")}
    for moment, handler in handlers.items():
        purchases.on(moment, handler)
    yield seen
    for moment, handler in handlers.items():
        purchases._handlers[moment].remove(handler)


def purchase(ref):
    return db.session.scalar(db.select(Purchase).where(Purchase.ref == ref))


# ---- breakfast ----------------------------------------------------------------------------------

@pytest.fixture
def kitchen_town(app, create_store, create_user):
    store_id = create_store()
    staff = create_user(store_id, Role.STAFF, name="Cook")[0]
    parents = [create_user(store_id, Role.RESIDENT, name=f"Parent {n}")[0] for n in range(4)]
    with app.app_context(), transaction():
        milk, bun = add_item(store_id, price_cents=300), add_item(store_id, name_zh="包子", name_en="Bun",
                                                                   price_cents=500, allergens=())
        kids = [add_child(store_id, parent, name=f"孩{n}").id for n, parent in enumerate(parents)]
        for parent in parents[:3]:
            wallet.credit(parent, store_id, 5_000, "topup", now=evening_before(TUESDAY, 8))
        items = dict(milk=milk.id, bun=bun.id)
    return dict(store=store_id, staff=staff, parents=parents, kids=kids, **items)


def test_breakfast_records_completes_and_cancels_each_order_once(app, kitchen_town, heard):
    town, store_id = kitchen_town, kitchen_town["store"]
    cutoff = local(SCHOOL_MONDAY, 21)
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        ids = [operations.place_order(store, parent, kid, TUESDAY, {town["milk"]: 2, town["bun"]: 1},
                                      evening_before(TUESDAY, 19)).id
               for parent, kid in zip(town["parents"], town["kids"])]
        operations.cancel_order(town["parents"][3], ids[3], evening_before(TUESDAY, 19))
        assert purchase(f"breakfast:{ids[0]}") is None  # placed, not charged yet: nothing to report
        day = db.session.get(BreakfastOrder, ids[0]).day
        freeze.freeze_day(store, day, cutoff)
        assert freeze.freeze_day(store, day, cutoff + timedelta(minutes=1)) is None  # the job again
        assert db.session.scalar(db.select(db.func.count()).select_from(Purchase)) == 3
        first = purchase(f"breakfast:{ids[0]}")
        assert (first.line, first.user_id, first.status, first.goods_cents) == ("breakfast", town["parents"][0],
                                                                              "placed", 1_100)
        assert Basket.from_json(first.basket).goods_cents == 1_100 and first.basket["line"] == "breakfast"
        assert purchase(f"breakfast:{ids[3]}") is None  # cancelled before the cutoff: never a purchase

        staff = db.session.get(User, town["staff"])
        kitchen.remove_breakfast(staff, store, day, ids[2], "The child is ill", cutoff + timedelta(hours=1))
        assert purchase(f"breakfast:{ids[2]}").status == "cancelled"
        desk.hand_over(staff, store, day, ids[0], local(TUESDAY, 7))
        assert purchase(f"breakfast:{ids[0]}").status == "completed"
        # The window ends: the one left is a no-show, cooked and charged, so fulfilled. Run twice.
        desk.close_due(store, local(TUESDAY, 8, 30))
        desk.close_due(store, local(TUESDAY, 9))
        no_show = purchase(f"breakfast:{ids[1]}")
        assert db.session.get(BreakfastOrder, ids[1]).status == "no_show" and no_show.status == "completed"
        assert no_show.refund_window_ends_at == local(TUESDAY, 8, 30) + timedelta(days=1)
    assert sorted(heard) == sorted([("cancelled", f"breakfast:{ids[2]}", None),
                                    ("completed", f"breakfast:{ids[0]}", None),
                                    ("completed", f"breakfast:{ids[1]}", None)])


def test_a_breakfast_on_credit_is_recorded_at_its_cost_and_one_not_cooked_is_not(app, kitchen_town):
    town, store_id = kitchen_town, kitchen_town["store"]
    broke = town["parents"][3]
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        first = operations.place_order(store, broke, town["kids"][3], TUESDAY, {town["milk"]: 1},
                                       evening_before(TUESDAY, 19))
        freeze.freeze_day(store, first.day, local(SCHOOL_MONDAY, 21))
        assert db.session.get(BreakfastOrder, first.id).status == "on_credit"
        assert purchase(f"breakfast:{first.id}").goods_cents == 300
        wednesday = TUESDAY + timedelta(days=1)
        second = operations.place_order(store, broke, town["kids"][3], wednesday, {town["milk"]: 1},
                                        evening_before(wednesday, 19))
        from store_app.breakfast.settings import get_settings
        get_settings(store_id).grace_breakfasts = 1
        freeze.freeze_day(store, second.day, local(TUESDAY, 21))
        assert db.session.get(BreakfastOrder, second.id).status == "not_cooked"
        assert purchase(f"breakfast:{second.id}") is None


# ---- services -----------------------------------------------------------------------------------

def _hold_and_confirm(m, starts_at, *, payment="wallet"):
    from services.models import Offering

    resident, store = db.session.get(User, m.resident_id), db.session.get(Store, m.store_id)
    offering = db.session.get(Offering, m.offering_id)
    with transaction():
        held = booking.hold_slot(resident, offering, starts_at, store=store, now=NOW)
        return booking.confirm_booking(resident, held.id, store=store, address_id=m.address_id, description="厨房",
                                       payment_method=payment, now=NOW).id


def _work_to_done(m, booking_id, starts_at):
    vendor = db.session.get(User, m.vendor_owner_id)
    with transaction():
        offers.accept_job(vendor, booking_id, NOW + timedelta(minutes=1))
    for step, minutes in ((progress.set_on_the_way, -30), (progress.set_arrived, -2), (progress.start_work, 0)):
        with transaction():
            step(vendor, booking_id, starts_at + timedelta(minutes=minutes))
    return vendor


def test_a_booking_is_recorded_with_its_extras_completed_by_the_pass_once_and_refunded_once(app_ctx, heard,
                                                                                            create_user):
    m = build_market()
    starts_at = at(TOMORROW, 10)
    booking_id = _hold_and_confirm(m, starts_at)
    ref = f"booking:{booking_id}"
    recorded = purchase(ref)
    assert (recorded.line, recorded.status, recorded.goods_cents, recorded.user_id) == ("services", "placed",
                                                                                       20_000, m.resident_id)
    assert Basket.from_json(recorded.basket).goods_cents == 20_000
    vendor = _work_to_done(m, booking_id, starts_at)
    with transaction():
        number = extras.propose_extra(vendor, booking_id, 3_000, "A new tap", starts_at + timedelta(minutes=30))
        extras.approve_extra(db.session.get(User, m.resident_id), booking_id, number, starts_at + timedelta(minutes=31))
    with transaction():
        progress.finish_work(vendor, booking_id, [photo_bytes(gps=True)], starts_at + timedelta(hours=2))
    done_at = starts_at + timedelta(hours=2)
    for hours in (48, 49):  # the auto-complete pass, twice
        with transaction():
            progress.run_progress_pass(m.store_id, done_at + timedelta(hours=hours))
    completed = purchase(ref)
    assert (completed.status, completed.goods_cents) == ("completed", 23_000)
    staff_id, _ = create_user(m.store_id, Role.STAFF, name="Staff")
    now = done_at + timedelta(hours=50)
    with transaction():
        claim = claims.file_claim(db.session.get(User, m.resident_id), booking_id, kind="redo",
                                  text="The tap drips again", now=now)
    with transaction():
        claims.refund(db.session.get(User, staff_id), claim.id, amount_cents=5_000, upheld=True, now=now)
    with pytest.raises(AlreadyDecided), transaction():
        claims.refund(db.session.get(User, staff_id), claim.id, amount_cents=5_000, upheld=True, now=now)
    assert purchase(ref).refunded_cents == 5_000
    assert [h for h in heard if h[1] == ref] == [("completed", ref, None), ("refunded", ref, 5_000)]


def test_bookings_ended_before_completion_are_cancelled_once(app_ctx, heard):
    m = build_market(crews=2)
    by_resident = _hold_and_confirm(m, at(TOMORROW, 10))
    by_vendor = _hold_and_confirm(m, at(TOMORROW, 14), payment="cash")
    assert purchase(f"booking:{by_vendor}").goods_cents == 20_000  # cash: what the resident pays on site
    with transaction():
        booking_changes.cancel_booking(db.session.get(booking.Booking, by_resident), now=NOW + timedelta(hours=1))
    vendor = db.session.get(User, m.vendor_owner_id)
    with transaction():
        offers.accept_job(vendor, by_vendor, NOW + timedelta(minutes=1))
    with transaction():
        progress.vendor_cancel(vendor, by_vendor, "The van broke down", NOW + timedelta(hours=2))
    assert purchase(f"booking:{by_resident}").status == "cancelled"
    assert purchase(f"booking:{by_vendor}").status == "cancelled"
    assert sorted(h for h in heard) == sorted([("cancelled", f"booking:{by_resident}", None),
                                              ("cancelled", f"booking:{by_vendor}", None)])


def test_a_lapsed_hold_is_no_purchase(app_ctx):
    from services.models import Offering

    m = build_market()
    with transaction():
        held = booking.hold_slot(db.session.get(User, m.resident_id), db.session.get(Offering, m.offering_id),
                                 at(TOMORROW, 10), store=db.session.get(Store, m.store_id), now=NOW)
    with transaction():
        assert booking.expire_lapsed_holds(NOW + timedelta(minutes=10)) == 1
    assert purchase(f"booking:{held.id}") is None
    assert db.session.scalar(db.select(db.func.count()).select_from(Purchase)) == 0
