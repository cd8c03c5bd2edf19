"""Points under real concurrency on PostgreSQL: redemptions racing for one balance never overdraw it
(the losers get a clean ``PointsInsufficient``, 409), and handlers or jobs replayed at once count an
award, a reversal and a referral reward once.

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""
from datetime import timedelta

import pytest

from store_app.accounts import operations as accounts
from store_app.accounts.models import User
from store_app.database import transaction
from store_app.extensions import db
from store_app.growth import jobs as growth_jobs, points, points_catalogue, purchases, referrals
from store_app.growth.points_errors import PointsInsufficient
from store_app.growth.points_models import PointsEntry, Referral
from store_app.geo.models import Building
from store_app.stores.models import Store
from tests.concurrency.helpers import run_together
from tests.conftest import PASSWORD, new_phone
from tests.points_support import NOW, add_points_coupon, add_resident, buy, refund

pytestmark = pytest.mark.postgres
THREADS = 10
POOL_SIZE = THREADS + 2


@pytest.fixture
def shop(app):
    with app.app_context():
        with transaction():
            store = Store(name="Race Store", lat=31.2, lon=121.4)
            db.session.add(store)
            db.session.flush()
            building = Building(store_id=store.id, lat=31.2005, lon=121.4005)
            building.set_names("莲花苑", [], "Lotus Garden")
            db.session.add(building)
            db.session.flush()
            store_id, building_id = store.id, building.id
        user_id, _ = add_resident(store_id, building_id, "3-501")
        return store_id, building_id, user_id


def ledger(app, user_id):
    with app.app_context():
        amounts = db.session.scalars(db.select(PointsEntry.amount).where(PointsEntry.user_id == user_id)).all()
        return points.get_balance(user_id), sorted(amounts)


def test_redemptions_racing_for_one_balance_never_overdraw_it(app, shop):
    store_id, _b, user_id = shop
    with app.app_context():
        buy(user_id, store_id, "order:1", goods_cents=10_000)
        coupon_id = add_points_coupon(store_id, 40, per_user_limit=THREADS)

    def work(i, barrier):
        with app.app_context():
            barrier.wait()
            try:
                with transaction():
                    points_catalogue.redeem(db.session.get(User, user_id), coupon_id, idempotency_key=f"k{i}", now=NOW)
            except PointsInsufficient as exc:
                return exc.status
            return "ok"

    results = run_together(THREADS, work)
    assert sorted(map(str, results)) == ["409"] * (THREADS - 2) + ["ok"] * 2
    assert ledger(app, user_id) == (20, [-40, -40, 100])


def test_one_refund_handled_by_many_at_once_is_taken_back_once(app, shop):
    store_id, _b, user_id = shop
    with app.app_context():
        purchase_id = buy(user_id, store_id, "order:1", goods_cents=10_000)
        with transaction():
            # ¥40 went back (as refund_purchase records it), its handler not yet run.
            db.session.execute(db.update(purchases.Purchase).where(purchases.Purchase.id == purchase_id)
                               .values(refunded_cents=4_000))

    def work(_i, barrier):
        with app.app_context():
            barrier.wait()
            with transaction():
                return points.reverse_for_refund(db.session.get(purchases.Purchase, purchase_id), NOW)

    results = run_together(THREADS, work)
    assert sorted(results) == [(0, 0)] * (THREADS - 1) + [(40, 0)]
    assert ledger(app, user_id) == (60, [-40, 100])


def test_the_referral_job_run_by_many_at_once_rewards_once(app, shop):
    store_id, building_id, inviter_id = shop
    with app.app_context():
        code = referrals.code_for(db.session.get(User, inviter_id))
        with transaction():
            friend_id = accounts.register_resident(store_id, new_phone(), "Bob", PASSWORD, building_id, "4-101",
                                                   extras={"invite_code": code}, now=NOW).id
        buy(friend_id, store_id, "order:2", goods_cents=5_000)

    def work(_i, barrier):
        with app.app_context():
            barrier.wait()
            return growth_jobs.referrals_job(store_id, NOW + timedelta(days=3))

    results = run_together(THREADS, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert ledger(app, inviter_id) == (300, [300])
    with app.app_context():
        assert db.session.scalar(db.select(Referral.status)) == "rewarded"
    with app.app_context():
        refund("order:2", 5_000, NOW + timedelta(days=4))
    assert ledger(app, inviter_id) == (0, [-300, 300])
