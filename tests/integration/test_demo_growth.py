"""The demo's growth: its order history reported to growth (points earned), the coupon centre
stocked, a launched campaign with a holdout and a draft with its dry run, a push staff can send, and
the board's rollup filled; seeding twice adds nothing."""
from store_app.database import transaction
from store_app.demo.growth import COUPONS
from store_app.demo.operations import seed_demo
from store_app.extensions import db
from store_app.growth.models import Campaign, CampaignMember, Coupon, Purchase, PurchaseStatus
from store_app.growth.points_models import PointsAccount
from store_app.growth.push_models import ScenarioPush
from store_app.orders.models import Order, OrderStatus
from store_app.reports.rollup_models import DailyRollup


def seed():
    with transaction():
        return seed_demo()


def count(model, *where):
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def test_the_demo_history_reaches_growth_and_the_board(app_ctx):
    store, created = seed()
    delivered = count(Order, Order.store_id == store.id, Order.status == OrderStatus.DELIVERED.value)
    assert delivered > 50 and created["purchases"] == delivered
    assert count(Purchase, Purchase.store_id == store.id, Purchase.line == "delivery",
                 Purchase.status == PurchaseStatus.COMPLETED.value) == delivered
    assert count(PointsAccount, PointsAccount.store_id == store.id, PointsAccount.balance > 0) >= 5
    gmv = db.session.scalar(db.select(db.func.sum(DailyRollup.value)).where(
        DailyRollup.store_id == store.id, DailyRollup.line == "delivery", DailyRollup.metric == "gmv_gross_cents"))
    assert gmv == db.session.scalar(db.select(db.func.sum(Order.total_cents)).where(
        Order.store_id == store.id, Order.status == OrderStatus.DELIVERED.value))


def test_the_demo_offers_coupons_campaigns_and_a_push(app_ctx):
    store, created = seed()
    assert created["coupons"] == len(COUPONS) and created["campaigns"] == 2 and created["pushes"] == 1
    assert count(Coupon, Coupon.store_id == store.id, Coupon.claimable.is_(True)) == 6
    assert count(Coupon, Coupon.store_id == store.id, Coupon.points_price.is_not(None)) == 1
    running, draft = (db.session.scalar(db.select(Campaign).where(Campaign.store_id == store.id, Campaign.name == name))
                      for name in ("会员日加码", "唤醒老邻居"))
    assert running.status == "running" and draft.status == "draft" and draft.dry_run is not None
    members = count(CampaignMember, CampaignMember.campaign_id == running.id)
    held_out = count(CampaignMember, CampaignMember.campaign_id == running.id, CampaignMember.holdout.is_(True))
    assert members >= 5 and members - held_out >= 1
    assert count(ScenarioPush, ScenarioPush.store_id == store.id) == 1


def test_seeding_growth_twice_adds_nothing(app_ctx):
    seed()
    _, created = seed()
    assert (created["purchases"], created["coupons"], created["campaigns"], created["pushes"]) == (0, 0, 0, 0)
