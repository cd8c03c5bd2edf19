"""Points on a real database: awards once per purchase, reversals on (partial) refunds with a zero
floor and the shortfall recorded, tiers up at once and down after a month's grace, redemption."""
from datetime import timedelta

import pytest

from store_app.accounts.models import User
from store_app.database import transaction
from store_app.extensions import db
from store_app.growth import errors as growth_errors, jobs as growth_jobs, points, points_catalogue, purchases
from store_app.growth.models import CouponGrant
from store_app.growth.points_errors import PointsInsufficient
from store_app.growth.points_models import PointsAccount, PointsEntry, PointsShortfall
from tests.points_support import NOW, add_points_coupon, add_resident, buy, place, refund


@pytest.fixture
def shop(app, create_store, create_building):
    with app.app_context():
        store_id = create_store()
        building_id = create_building(store_id)
        user_id, _phone = add_resident(store_id, building_id, "3-501", "Alice")
        yield store_id, building_id, user_id


def ledger(user_id):
    """(balance, sum of entries, [amounts oldest first])"""
    amounts = db.session.scalars(db.select(PointsEntry.amount).where(PointsEntry.user_id == user_id)
                                 .order_by(PointsEntry.id)).all()
    return points.get_balance(user_id), sum(amounts), amounts


def test_a_completed_purchase_earns_on_its_goods_once(shop):
    store_id, _b, user_id = shop
    purchase_id = buy(user_id, store_id, "order:1", goods_cents=5_080, fee_cents=500)
    assert ledger(user_id) == (50, 50, [50])
    # The line's job retried: the purchase completes once, and the handler replayed awards nothing.
    with transaction():
        assert purchases.complete_purchase("order:1", NOW + timedelta(minutes=5)) is False
        assert points.award_for_purchase(db.session.get(purchases.Purchase, purchase_id), NOW) is None
    assert ledger(user_id) == (50, 50, [50])
    account = db.session.get(PointsAccount, user_id)
    assert (account.lifetime_earned, account.tier) == (50, "basic")


def test_a_placed_or_cancelled_purchase_earns_nothing(shop):
    store_id, _b, user_id = shop
    place(user_id, store_id, "order:2", 9_000)
    with transaction():
        purchases.cancel_purchase("order:2", NOW)
    assert points.get_balance(user_id) == 0


def test_partial_refunds_take_back_in_proportion_and_in_all_exactly_the_award(shop):
    store_id, _b, user_id = shop
    buy(user_id, store_id, "order:3", goods_cents=10_000, fee_cents=500)
    assert refund("order:3", 3_000) == 3_000
    assert ledger(user_id) == (70, 70, [100, -30])
    refund("order:3", 3_000)
    assert ledger(user_id) == (40, 40, [100, -30, -30])
    refund("order:3", 4_500)  # the last goods and the fee
    assert ledger(user_id) == (0, 0, [100, -30, -30, -40])


def test_a_refund_handler_replayed_takes_nothing_more(shop):
    store_id, _b, user_id = shop
    purchase_id = buy(user_id, store_id, "order:4", goods_cents=10_000)
    refund("order:4", 5_000)
    for _ in range(2):
        with transaction():
            assert points.reverse_for_refund(db.session.get(purchases.Purchase, purchase_id), NOW) == (0, 0)
    assert ledger(user_id) == (50, 50, [100, -50])


def test_a_fee_only_refund_leaves_the_points(shop):
    store_id, _b, user_id = shop
    buy(user_id, store_id, "order:5", goods_cents=2_000, fee_cents=500, line="parcel_door")
    # Refunds count against the goods first: ¥5 back of ¥20 goods takes 5 of 20 points.
    refund("order:5", 500)
    assert points.get_balance(user_id) == 15


def test_spent_points_a_refund_cannot_take_back_are_recorded_and_the_balance_stays_at_zero(shop):
    store_id, _b, user_id = shop
    buy(user_id, store_id, "order:6", goods_cents=10_000)
    with transaction():
        points.spend_points(user_id, store_id, 90, "redeem:test:1", NOW)
    refund("order:6", 5_000)   # owes 50, only 10 left
    assert ledger(user_id) == (0, 0, [100, -90, -10])
    refund("order:6", 5_000)   # owes 50 more, nothing left
    assert ledger(user_id) == (0, 0, [100, -90, -10])
    shortfalls = db.session.scalars(db.select(PointsShortfall).order_by(PointsShortfall.id)).all()
    assert [(s.wanted, s.taken, s.missing) for s in shortfalls] == [(50, 10, 40), (50, 0, 50)]
    assert {s.user_id for s in shortfalls} == {user_id}
    assert points.list_shortfalls(store_id) == shortfalls[::-1]


def test_a_refund_before_completion_is_taken_back_when_the_award_comes(shop):
    store_id, _b, user_id = shop
    place(user_id, store_id, "order:7", 10_000)
    refund("order:7", 2_000)
    with transaction():
        purchases.complete_purchase("order:7", NOW)
    assert ledger(user_id) == (80, 80, [100, -20])


def test_a_resident_moves_up_at_once_and_earns_at_the_new_rate(shop):
    store_id, _b, user_id = shop
    buy(user_id, store_id, "order:8", goods_cents=120_000)
    account = db.session.get(PointsAccount, user_id)
    assert (account.tier, account.tier_since) == ("silver", NOW)
    buy(user_id, store_id, "order:9", goods_cents=10_000, now=NOW + timedelta(hours=1))
    assert ledger(user_id)[2] == [1_200, 125]


def test_the_monthly_review_gives_a_month_of_grace_then_moves_down(shop):
    store_id, _b, user_id = shop
    long_ago = NOW - timedelta(days=400)
    buy(user_id, store_id, "order:10", goods_cents=150_000, now=long_ago)   # silver, 400 days ago
    buy(user_id, store_id, "order:11", goods_cents=20_000, now=NOW - timedelta(days=30))
    account = db.session.get(PointsAccount, user_id)
    assert account.tier == "silver"

    assert growth_jobs.tiers_job(store_id, NOW) == f"store {store_id}: 1 tier(s) reviewed, 0 moved down"
    db.session.expire_all()
    account = db.session.get(PointsAccount, user_id)
    assert account.tier == "silver"
    assert account.grace_until == NOW.replace(day=31, hour=16)  # 1 January 00:00 in Shanghai
    # The job runs every hour: the rest of the month finds nothing to review.
    assert growth_jobs.tiers_job(store_id, NOW + timedelta(hours=1)).endswith("0 tier(s) reviewed, 0 moved down")

    next_month = NOW.replace(day=31, hour=17)   # 1 January 01:00 in Shanghai
    assert growth_jobs.tiers_job(store_id, next_month).endswith("1 tier(s) reviewed, 1 moved down")
    db.session.expire_all()
    account = db.session.get(PointsAccount, user_id)
    assert (account.tier, account.grace_until, account.tier_since) == ("basic", None, next_month)


def test_points_coming_back_during_the_grace_keep_the_tier(shop):
    store_id, _b, user_id = shop
    buy(user_id, store_id, "order:12", goods_cents=150_000, now=NOW - timedelta(days=400))
    growth_jobs.tiers_job(store_id, NOW)
    buy(user_id, store_id, "order:13", goods_cents=100_000, now=NOW + timedelta(days=3))
    growth_jobs.tiers_job(store_id, NOW.replace(day=31, hour=17))
    db.session.expire_all()
    account = db.session.get(PointsAccount, user_id)
    assert (account.tier, account.grace_until) == ("silver", None)


def test_points_buy_a_coupon_in_one_transaction_and_a_replay_buys_nothing_more(shop):
    store_id, _b, user_id = shop
    buy(user_id, store_id, "order:14", goods_cents=10_000)
    coupon_id = add_points_coupon(store_id, 40)
    resident = db.session.get(User, user_id)
    with transaction():
        grant = points_catalogue.redeem(resident, coupon_id, idempotency_key="k1", now=NOW)
        assert (grant.source, grant.user_id, grant.coupon_id) == ("points", user_id, coupon_id)
    with transaction():
        assert points_catalogue.redeem(resident, coupon_id, idempotency_key="k1", now=NOW) is None
    assert ledger(user_id) == (60, 60, [100, -40])
    # The per-user limit is one: the debit is undone with the refused copy.
    with pytest.raises(growth_errors.CouponLimitReached):
        with transaction():
            points_catalogue.redeem(resident, coupon_id, idempotency_key="k2", now=NOW)
    assert ledger(user_id) == (60, 60, [100, -40])
    assert db.session.scalar(db.select(db.func.count()).select_from(CouponGrant)) == 1


def test_too_few_points_is_a_409_and_changes_nothing(shop):
    store_id, _b, user_id = shop
    buy(user_id, store_id, "order:15", goods_cents=3_000)
    coupon_id = add_points_coupon(store_id, 40)
    with pytest.raises(PointsInsufficient) as refused:
        with transaction():
            points_catalogue.redeem(db.session.get(User, user_id), coupon_id, idempotency_key="k", now=NOW)
    assert refused.value.status == 409
    assert ledger(user_id) == (30, 30, [30])
    assert db.session.scalar(db.select(db.func.count()).select_from(CouponGrant)) == 0
