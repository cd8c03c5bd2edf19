"""Coupons under real concurrency on PostgreSQL: a hundred residents claiming a coupon limited to
twenty copies, and one resident's twenty checkouts at once with a once-per-user coupon. Threads are
released together by a barrier, each with its own app context (its own session and connection).

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.growth import coupons, errors as growth_errors
from store_app.growth.models import Coupon, CouponGrant, Purchase
from store_app.orders import checkout, errors as order_errors
from store_app.orders.models import Order
from store_app.wallet.models import WalletEntry
from tests.conftest import add_shopper, build_shop, fill_cart
from tests.coupon_support import add_coupon

from .helpers import run_together

pytestmark = pytest.mark.postgres
POOL_SIZE = 40   # threads beyond it wait for a connection: the race is on the coupon's row, not the pool

WATER = {"water": ("矿泉水", "Mineral water", 300)}


def residents(app, shop, count):
    def make(_i):
        with app.app_context():
            return add_shopper(shop, balance_cents=50_000)

    with ThreadPoolExecutor(max_workers=10) as pool:
        return list(pool.map(make, range(count)))


def test_a_hundred_residents_claim_a_coupon_limited_to_twenty(app):
    with app.app_context():
        shop = build_shop(products=WATER)
        coupon_id = add_coupon(shop.store_id, total_limit=20, per_user_limit=1)
    people = residents(app, shop, 100)

    def work(i, barrier):
        barrier.wait()
        with app.app_context():
            try:
                with transaction():
                    grant = coupons.claim(db.session.get(User, people[i].user_id), coupon_id, utcnow())
                    return ("claimed", grant.id)
            except growth_errors.CouponExhausted:
                return ("exhausted",)

    results = run_together(100, work)
    outcomes = Counter(r[0] if isinstance(r, tuple) else repr(r) for r in results)
    assert outcomes == {"claimed": 20, "exhausted": 80}
    with app.app_context():
        assert db.session.get(Coupon, coupon_id).issued_count == 20
        holders = db.session.scalars(db.select(CouponGrant.user_id).where(CouponGrant.coupon_id == coupon_id)).all()
    assert len(holders) == 20 and len(set(holders)) == 20


def test_twenty_checkouts_at_once_use_a_once_per_user_coupon_once(app):
    with app.app_context():
        shop = build_shop(products=WATER, stock=100, couriers=5)
        coupon_id = add_coupon(shop.store_id, amount_off_cents=200, per_user_limit=1)
        person = add_shopper(shop, balance_cents=50_000)
        fill_cart(person.user_id, {shop.products["water"]: 3})
        with transaction():
            grant_id = coupons.claim(db.session.get(User, person.user_id), coupon_id, utcnow()).id
    refused = (growth_errors.CouponChanged, growth_errors.CouponNotApplicable, order_errors.EmptyCart,
               order_errors.CartChanged)

    def work(i, barrier):
        with app.app_context():
            user = db.session.get(User, person.user_id)
            db.session.commit()  # end the read transaction: the race starts at the barrier
            barrier.wait()
            try:
                with transaction():
                    order, created = checkout.place_order(
                        user, address_id=person.address_id, payment_method="wallet", now=utcnow(),
                        idempotency_key=f"coupon-race-{i:04d}", grant_ids=[grant_id])
                    return ("order", order.id, created)
            except refused as exc:
                return ("refused", type(exc).__name__)

    results = run_together(20, work)
    assert [r for r in results if not isinstance(r, tuple)] == []
    orders = [r for r in results if r[0] == "order"]
    assert len(orders) == 1, Counter(r[0] if r[0] != "refused" else r[1] for r in results)
    order_id = orders[0][1]
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert (order.discount_cents, order.total_cents) == (200, 900 + 500 - 200)
        assert db.session.scalar(db.select(db.func.count()).select_from(Order)) == 1
        grant = db.session.get(CouponGrant, grant_id)
        assert (grant.status, grant.purchase_ref) == ("used", f"order:{order_id}")
        assert db.session.get(Coupon, coupon_id).used_count == 1
        assert db.session.scalars(db.select(Purchase.ref)).all() == [f"order:{order_id}"]
        payments = db.session.scalars(db.select(WalletEntry.amount_cents).where(
            WalletEntry.user_id == person.user_id, WalletEntry.amount_cents < 0)).all()
        assert payments == [-(900 + 500 - 200)]
