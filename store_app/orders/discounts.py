"""Coupons at the delivery and pickup checkout: the cart as growth's ``Basket``, the resident's
usable copies with the best combination pre-selected, and what the chosen ones take off.

Growth prices (``growth.coupons``); orders only says what is in the basket and which copies the
resident chose. Placing the order reserves the copies in the same transaction (``checkout._place``).
"""
from dataclasses import dataclass, field

from ..growth import coupons
from ..growth.baskets import Basket, BasketLine, Line
from ..growth.coupon_terms import offer_of, store_weekday
from ..growth.pricing_rules import price


@dataclass(frozen=True)
class CouponOffer:
    """What the checkout page shows about coupons: the copies the resident can use on this basket
    (``(grant, coupon, discount alone)``), the ones chosen, and the basket priced with them."""

    usable: list = field(default_factory=list)
    chosen_ids: tuple = ()
    priced: object = None


def basket_of(cart, fee_cents, pickup):
    """The cart (fresh prices) and the delivery fee as a growth ``Basket`` on the delivery or pickup line."""
    return Basket(line=(Line.PICKUP if pickup else Line.DELIVERY).value, fee_cents=max(0, fee_cents or 0),
                  lines=tuple(BasketLine(line.product.id, line.product.price_cents, line.quantity,
                                         line.product.category_id, line.product.merchant_id)
                              for line in sorted(cart.lines, key=lambda line: line.product.id)))


def coupon_offer(user, basket, wanted_ids, now):
    """The page's coupons: ``wanted_ids`` None pre-selects the best combination; otherwise the
    resident's own choice, keeping only copies still usable on this basket."""
    usable = coupons.usable_grants(user, basket, now)
    if wanted_ids is None:
        chosen = coupons.best_grant_ids(user, basket, now, usable=usable)
    else:
        offered = {grant.id for grant, _, _ in usable}
        chosen = sorted({int(gid) for gid in wanted_ids if int(gid) in offered})
    weekday = store_weekday(user.store_id, now)
    rows = [(grant, coupon) for grant, coupon, _ in usable if grant.id in chosen]
    priced = price(basket, [offer_of(coupon) for _, coupon in rows], weekday=weekday)
    if priced.refused:  # chosen copies that do not combine: keep the best the rule allows
        rows = [(grant, coupon) for grant, coupon in rows if coupon.id in priced.applied_ids]
        priced = price(basket, [offer_of(coupon) for _, coupon in rows], weekday=weekday)
    return CouponOffer(usable=usable, chosen_ids=tuple(grant.id for grant, _ in rows), priced=priced)


def quote_chosen(user, grant_ids, basket, now):
    """The basket priced with exactly the copies chosen (``CouponNotApplicable`` if one does not fit)."""
    if not grant_ids:
        return price(basket, (), weekday=0)
    return coupons.quote(user, grant_ids, basket, now)
