"""Coupons through the real checkout and fulfilment: a pickup order with a coupon is recorded on the
pickup line and completed when collected (the copy stays used); the store's cancellation releases
the copy; an item the store did not have is a refund on the purchase (the copy stays used); a
free-delivery coupon takes the fee once; parcels to the door are recorded as their own line."""
from datetime import timedelta

import pytest

from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.fulfilment import moves, settlement
from store_app.growth import coupons, errors as growth_errors
from store_app.growth.models import CouponGrant, Purchase
from store_app.orders import checkout
from store_app.orders.models import Order, OrderStatus
from tests.conftest import fill_cart
from tests.coupon_support import add_coupon

FEE = 500


@pytest.fixture
def shop(create_shop):
    return create_shop(stock=20, fee_cents=FEE)


@pytest.fixture
def shopper(app, shop, create_shopper):
    person = create_shopper(shop, balance_cents=20_000)
    with app.app_context():
        fill_cart(person.user_id, {shop.products["milk"]: 2})   # 2 x 1250
    return person


def give(app, shop, shopper, **terms):
    with app.app_context():
        coupon_id = add_coupon(shop.store_id, **terms)
        with transaction():
            return coupons.claim(db.session.get(User, shopper.user_id), coupon_id, utcnow()).id


def place(app, shopper, grant_ids, key="coupon-checkout-1", **options):
    with app.app_context(), transaction():
        user = db.session.get(User, shopper.user_id)
        order, _ = checkout.place_order(user, address_id=shopper.address_id, payment_method="wallet",
                                        idempotency_key=key, now=utcnow(), grant_ids=grant_ids, **options)
        return order.id


def purchase_and_grant(app, order_id, grant_id):
    with app.app_context():
        purchase = db.session.scalar(db.select(Purchase).where(Purchase.ref == f"order:{order_id}"))
        grant = db.session.get(CouponGrant, grant_id)
        return ((purchase.line, purchase.status, purchase.goods_cents, purchase.fee_cents, purchase.discount_cents,
                 purchase.refunded_cents), (grant.status, grant.purchase_ref))


def advance(app, order_id, *targets):
    with app.app_context(), transaction():
        order = db.session.get(Order, order_id)
        for target in targets:
            moves.move(order, target, actor_id=None, now=utcnow())


def test_pickup_with_a_coupon_is_completed_when_collected(app, shop, shopper):
    grant_id = give(app, shop, shopper, amount_off_cents=300)
    order_id = place(app, shopper, [grant_id], fulfilment="pickup")
    assert purchase_and_grant(app, order_id, grant_id) == (
        ("pickup", "placed", 2200, 0, 300, 0), ("used", f"order:{order_id}"))
    advance(app, order_id, OrderStatus.ACCEPTED, OrderStatus.PICKING, OrderStatus.READY, OrderStatus.COLLECTED)
    assert purchase_and_grant(app, order_id, grant_id) == (
        ("pickup", "completed", 2200, 0, 300, 0), ("used", f"order:{order_id}"))


def test_the_stores_cancellation_releases_the_copy(app, shop, shopper):
    grant_id = give(app, shop, shopper, amount_off_cents=300)
    order_id = place(app, shopper, [grant_id])
    with app.app_context(), transaction():
        staff = db.session.scalar(db.select(User).where(User.role == "courier"))
        staff.role = "staff"
    with app.app_context(), transaction():
        staff = db.session.scalar(db.select(User).where(User.role == "staff"))
        settlement.cancel_by_store(staff, order_id, utcnow(), "out_of_stock")
    (line, status, *_), grant = purchase_and_grant(app, order_id, grant_id)
    assert (status, grant) == ("cancelled", ("available", None))


def test_an_item_the_store_did_not_have_is_a_refund_and_the_copy_stays_used(app, shop, shopper):
    grant_id = give(app, shop, shopper, amount_off_cents=300)
    order_id = place(app, shopper, [grant_id])
    advance(app, order_id, OrderStatus.ACCEPTED)
    with app.app_context(), transaction():
        order = db.session.get(Order, order_id)
        settlement.refund(order, 500, "unavailable", None, utcnow())
    (_, status, _, _, _, refunded), grant = purchase_and_grant(app, order_id, grant_id)
    assert (status, refunded, grant[0]) == ("placed", 500, "used")


def test_free_delivery_takes_the_fee_once_and_a_second_copy_adds_nothing(app, shop, shopper):
    first = give(app, shop, shopper, kind="free_delivery", amount_off_cents=0, stacks=True)
    second = give(app, shop, shopper, kind="free_delivery", amount_off_cents=0, stacks=True)
    with pytest.raises(growth_errors.CouponNotApplicable):   # the second takes nothing: refused, nothing changes
        place(app, shopper, [first, second])
    order_id = place(app, shopper, [first], key="coupon-checkout-2")
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert (order.delivery_fee_cents, order.discount_cents, order.total_cents) == (FEE, FEE, 2500)
    assert purchase_and_grant(app, order_id, first)[0] == ("delivery", "placed", 2500, 0, FEE, 0)
    assert purchase_and_grant(app, order_id, second)[1] == ("available", None)


def test_a_replayed_key_returns_the_first_order_though_its_copy_is_used(app, shop, shopper):
    grant_id = give(app, shop, shopper, amount_off_cents=300)
    first = place(app, shopper, [grant_id])
    assert place(app, shopper, [grant_id]) == first


def test_an_expired_copy_is_refused_at_checkout(app, shop, shopper):
    grant_id = give(app, shop, shopper, amount_off_cents=300, valid_days=1)
    with app.app_context(), transaction():
        db.session.get(CouponGrant, grant_id).expires_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(growth_errors.CouponNotApplicable):
        place(app, shopper, [grant_id])
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Order)) == 0
