"""Before a campaign launches: the dry run (its coupon replayed over the last 30 days of the
segment's purchases) and the minimum-margin check (no eligible product sold below its cost).

The dry run replays each purchase's basket (``Purchase.basket``, before discounts) through the pure
pricing rule with the purchase's weekday in the store's time zone, for the residents who would get
the coupon (the segment less the holdout), each at most ``per_user_limit`` times and, with a total
limit, the first ``total_limit`` orders only. Purchases without a basket, and cancelled ones, are
left out.
"""
from ..catalogue.models import Product
from ..database import format_cents
from ..extensions import db
from ..stores.operations import get_store
from ..web.i18n import localized
from . import campaign_rules, errors, pricing_rules, segment_rules, segments
from .baskets import Basket, BasketLine, Line
from .coupons import offer_of
from .models import Coupon, Purchase, PurchaseStatus

GOODS_LINES = (Line.DELIVERY.value, Line.PICKUP.value)   # the lines that sell catalogue products


def _replays(campaign, coupon, treated_ids, tz_name, now):
    since = segment_rules.window_start(now, tz_name, campaign_rules.DRY_RUN_DAYS)
    offer = offer_of(coupon)
    rows = db.session.scalars(db.select(Purchase).where(
        Purchase.store_id == campaign.store_id, Purchase.placed_at >= since, Purchase.placed_at <= now,
        Purchase.status != PurchaseStatus.CANCELLED.value, Purchase.basket.is_not(None),
        Purchase.user_id.in_(treated_ids)).order_by(Purchase.placed_at, Purchase.id)) if treated_ids else []
    replays = []
    for purchase in rows:
        basket = Basket.from_json(purchase.basket)
        weekday = campaign_rules.local_weekday(purchase.placed_at, tz_name)
        priced = pricing_rules.price(basket, [offer], weekday=weekday)
        below = campaign_rules.lines_below_cost(basket.lines, priced.goods_discount_cents,
                                                category_id=coupon.category_id, merchant_id=coupon.merchant_id)
        replays.append(campaign_rules.Replay(purchase.user_id, basket.goods_cents + basket.fee_cents,
                                             priced.discount_cents, below > 0))
    return campaign_rules.limit_per_user(replays, coupon.per_user_limit)


def run_dry_run(campaign, now):
    """Replay the campaign's coupon over the last 30 days and check its margin; keep the figures on
    ``campaign.dry_run`` and return them. A coupon that would sell below cost is marked
    ``margin_ok: False`` (launch refuses it): with the product, what it would bring in and what it
    costs when a product of the catalogue fails, and ``orders_below_cost`` when a replayed order
    would have sold a line below the cost it recorded."""
    coupon = db.session.get(Coupon, campaign.coupon_id)
    tz_name = get_store(campaign.store_id).timezone
    members = segments.list_segment_user_ids(campaign.store_id, campaign.segment)
    treated = [uid for uid in members if not campaign_rules.is_holdout(campaign.id, uid, campaign.holdout_percent)]
    figures = campaign_rules.dry_run_figures(
        _replays(campaign, coupon, treated, tz_name, now), segment_size=len(members), treated_size=len(treated),
        total_limit=None if coupon.total_limit is None else max(0, coupon.total_limit - coupon.issued_count))
    figures.update(ran_at=now.isoformat(), margin_ok=True, products_checked=0, products_without_cost=0)
    try:
        figures.update(check_margin(coupon))
    except errors.BelowCost as exc:
        figures.update(margin_ok=False, margin_problem=dict(exc.params))
    if figures["orders_below_cost"]:
        figures["margin_ok"] = False
    campaign.dry_run = figures
    db.session.flush()
    return figures


def margin_error(figures):
    """The refusal a dry run's figures carry (``BelowCost`` or ``OrdersBelowCost``), or None."""
    if not figures or figures.get("margin_ok"):
        return None
    if figures.get("margin_problem"):
        return errors.BelowCost(**figures["margin_problem"])
    return errors.OrdersBelowCost(figures.get("orders_below_cost", 0))


def check_margin(coupon):
    """Refuse (``BelowCost``) a coupon that would sell any product it applies to below its cost, on
    the smallest basket of that product alone that qualifies (where a fixed amount weighs most).
    Returns how many products were checked and how many have no cost (not checkable)."""
    lines = [line for line in GOODS_LINES if line in coupon.line_set()]
    if not lines:
        return {"products_checked": 0, "products_without_cost": 0}
    offer = offer_of(coupon)
    weekday = coupon.member_weekday if coupon.member_weekday is not None else 0
    checked = without_cost = 0
    for product in _eligible_products(coupon):
        if product.cost_cents is None:
            without_cost += 1
            continue
        costed = campaign_rules.CostedProduct(product.id, product.price_cents, product.cost_cents,
                                              product.category_id, product.merchant_id)
        quantity = campaign_rules.smallest_qualifying_quantity(
            product.price_cents, min_spend_cents=coupon.min_spend_cents, min_items=coupon.min_items)
        basket = Basket(line=lines[0], lines=(BasketLine(product.id, product.price_cents, quantity,
                                                         product.category_id, product.merchant_id,
                                                         product.cost_cents),))
        priced = pricing_rules.price(basket, [offer], weekday=weekday)
        checked += 1
        if campaign_rules.sells_below_cost(costed, quantity, priced.goods_discount_cents):
            raise errors.BelowCost(localized(product),
                                   format_cents(product.price_cents * quantity - priced.goods_discount_cents),
                                   format_cents(product.cost_cents * quantity))
    return {"products_checked": checked, "products_without_cost": without_cost}


def _eligible_products(coupon):
    query = db.select(Product).where(Product.store_id == coupon.store_id, Product.is_active.is_(True))
    if coupon.category_id is not None:
        query = query.where(Product.category_id == coupon.category_id)
    if coupon.merchant_id is not None:
        query = query.where(Product.merchant_id == coupon.merchant_id)
    return db.session.scalars(query.order_by(Product.id))
