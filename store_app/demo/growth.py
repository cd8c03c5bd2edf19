"""The demo's growth: the history the other seeds wrote reported to growth as the lines report live
purchases (so points, segments, the board's residents and retention have something to show),
residents' activity on the days they bought, coupons in the coupon centre (new user, spend-save,
member day, free delivery, breakfast, services, one bought with points), a launched member-day
campaign with a holdout and a win-back draft, a staff-triggered rainy-evening push, and the daily rollup
of the last five weeks. Idempotent: purchases by their ref, everything else by its name."""
from datetime import timedelta

from ..accounts.activity import record_activity
from ..catalogue.models import Product
from ..extensions import db
from ..growth import campaign_checks, campaigns, pushes, segments
from ..growth.baskets import Basket, BasketLine
from ..growth.models import Campaign, Coupon, CouponKind
from ..growth.push_models import ScenarioPush
from ..growth.purchases import complete_purchase, record_purchase
from ..orders.models import Order, OrderStatus
from ..reports import rollup
from ..reports.kpi_rules import Period, local_day

ROLLUP_DAYS = 35
# (title_zh, title_en, kind, terms): what the coupon centre offers.
COUPONS = [
    ("新人立减5元", "¥5 off your first order", CouponKind.NEW_USER,
     dict(amount_off_cents=500, min_spend_cents=2000, per_user_limit=1, total_limit=500, claimable=True)),
    ("满39减6", "¥6 off ¥39", CouponKind.SPEND_SAVE,
     dict(amount_off_cents=600, min_spend_cents=3900, per_user_limit=3, total_limit=1000, claimable=True)),
    ("周三会员日 9折", "Wednesday member day: 10% off", CouponKind.MEMBER_DAY,
     dict(percent_off=10, cap_cents=1000, member_weekday=2, per_user_limit=4, claimable=True)),
    ("免配送费", "Free delivery", CouponKind.FREE_DELIVERY,
     dict(per_user_limit=2, total_limit=2000, claimable=True, stacks=True)),
    ("早餐满15减3", "Breakfast: ¥3 off ¥15", CouponKind.SPEND_SAVE,
     dict(amount_off_cents=300, min_spend_cents=1500, per_user_limit=2, claimable=True, lines="breakfast")),
    ("家政服务立减20元", "¥20 off a home service of ¥100", CouponKind.SPEND_SAVE,
     dict(amount_off_cents=2000, min_spend_cents=10000, per_user_limit=1, claimable=True, lines="services")),
    ("积分兑换 满20减5", "Points: ¥5 off ¥20", CouponKind.SPEND_SAVE,
     dict(amount_off_cents=500, min_spend_cents=2000, per_user_limit=5, points_price=500)),
    ("老邻居回归礼 满30减8", "Welcome back: ¥8 off ¥30", CouponKind.SPEND_SAVE,
     dict(amount_off_cents=800, min_spend_cents=3000, per_user_limit=1, total_limit=300)),
    ("会员日加码 满50减10", "Member day extra: ¥10 off ¥50", CouponKind.SPEND_SAVE,
     dict(amount_off_cents=1000, min_spend_cents=5000, per_user_limit=1, total_limit=200)),
]


def seed_growth(store, now):
    """Create what is missing of the demo's growth; returns counts of what was created."""
    reported = _report_orders(store)
    coupons, new_coupons = _coupons(store, now)
    segments.recompute_segments(store.id, now)
    campaigns_created = _campaigns(store, coupons, now)
    pushes_created = _push(store, now)
    today = local_day(now, store.timezone)
    rollup.refresh(store, Period(today - timedelta(days=ROLLUP_DAYS), today), now)  # rewritten each time
    return {"purchases": reported, "coupons": new_coupons, "campaigns": campaigns_created, "pushes": pushes_created}


def _report_orders(store):
    """Each delivered demo order reported to growth (placed, then completed at its delivery), and
    the resident active on the day they ordered; points are earned as they would have been."""
    orders = db.session.scalars(db.select(Order).where(
        Order.store_id == store.id, Order.status == OrderStatus.DELIVERED.value).order_by(Order.placed_at, Order.id))
    category_of = dict(db.session.execute(db.select(Product.id, Product.category_id).where(
        Product.store_id == store.id)).all())
    reported = 0
    for order in orders:
        ref = f"order:{order.id}"
        lines = tuple(BasketLine(item.product_id, item.unit_price_cents, item.quantity,
                                 category_of.get(item.product_id), item.merchant_id)
                      for item in order.items if not item.unavailable)
        basket = Basket(line="delivery", lines=lines, fee_cents=order.delivery_fee_cents)
        record_purchase(user_id=order.user_id, store_id=store.id, line="delivery", ref=ref,
                        goods_cents=order.subtotal_cents, fee_cents=order.delivery_fee_cents,
                        basket=basket, now=order.placed_at)
        reported += complete_purchase(ref, order.delivered_at)
        record_activity(order.user_id, store.id, store.timezone, order.placed_at)
    return reported


def _coupons(store, now):
    """The coupon centre's coupons (valid from a week ago for two months): ``({title_en: Coupon}, created)``."""
    existing = {c.title_en: c for c in db.session.scalars(db.select(Coupon).where(Coupon.store_id == store.id))}
    created = 0
    for title_zh, title_en, kind, terms in COUPONS:
        if title_en in existing:
            continue
        terms = dict(terms)
        coupon = Coupon(store_id=store.id, kind=kind.value, title_zh=title_zh, title_en=title_en,
                        lines=terms.pop("lines", "delivery,pickup"), starts_at=now - timedelta(days=7),
                        ends_at=now + timedelta(days=60), valid_days=14, **terms)
        db.session.add(coupon)
        existing[title_en] = coupon
        created += 1
    db.session.flush()
    return existing, created


def _campaigns(store, coupons, now):
    """A member-day campaign launched to active residents with a 10 % holdout, and a win-back draft
    for dormant residents (none yet: the demo's history is four weeks) the owner can dry-run later."""
    names = set(db.session.scalars(db.select(Campaign.name).where(Campaign.store_id == store.id)))
    created = 0
    plans = [("会员日加码", "active", "Member day extra: ¥10 off ¥50", 50000, 10, True),
             ("唤醒老邻居", "dormant", "Welcome back: ¥8 off ¥30", 30000, 5, False)]
    for name, segment, coupon_title, budget, holdout, launch in plans:
        if name in names:
            continue
        campaign = campaigns.create_campaign(
            store.id, name=name, segment=segment, coupon_id=coupons[coupon_title].id, budget_cents=budget,
            holdout_percent=holdout, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=30),
            actor_id=None, now=now)
        campaign_checks.run_dry_run(campaign, now)
        if launch:
            campaigns.launch_campaign(campaign, now)
        created += 1
    return created


def _push(store, now):
    """A rainy-evening delivery offer staff send with one tap (not sent by the demo)."""
    if db.session.scalar(db.select(ScenarioPush.id).where(ScenarioPush.store_id == store.id)) is not None:
        return 0
    pushes.create_push(store, kind="rainy_evening_offer", segment="active", schedule="triggered",
                       title_zh="下雨了，我们送到楼下", title_en="Raining? We deliver to your door",
                       body_zh="今晚下雨，30 分钟送达，满39减6券在券包里等你。",
                       body_en="It's raining tonight: delivery in 30 minutes, and a ¥6 off ¥39 coupon is "
                               "waiting in your coupons.",
                       holdout_percent=5, now=now)
    return 1
