"""Coupons on a breakfast ordered by hand (growth's ``coupons``): the parent's copies valid for
breakfast are offered on the menu, the best one pre-selected; placing the order reserves the chosen
copy in the same transaction under the order's purchase ref ("breakfast:<id>"). The order keeps what
it took off (``discount_cents``); ``total_cents`` is after it, and that is what the cutoff charges.

The copy is used when the order is charged at the cutoff (``purchase_reports`` records the purchase,
growth marks the copy used), and released when the order ends before that (cancelled or skipped,
refunded by a closed day, not cooked). A change of the items prices the order again with the same
copy; when it no longer fits (below its minimum spend), the copy goes back to the parent.

Subscriptions' orders take no coupons: they are placed by the store on each school day, with nobody
at a checkout to choose one.
"""
from ..accounts.models import User
from ..extensions import db
from ..growth import coupons
from ..growth.errors import CouponError, CouponNotApplicable
from ..growth.models import CouponGrant, GrantStatus
from .purchase_reports import basket_of, ref_of

LINE = "breakfast"


def order_basket(order):
    """The order's basket before any discount."""
    return basket_of([(line.price_cents, line.quantity) for line in order.lines])


def quantities_basket(items, quantities):
    """The basket of ``{item_id: quantity}`` at the items' prices (``items``: ``{item_id: BreakfastItem}``)."""
    return basket_of([(items[i].price_cents, q) for i, q in sorted(quantities.items()) if i in items and q > 0])


def copies_for_breakfast(user, now):
    """The parent's available copies of coupons valid for breakfast: ``[(grant, coupon)]``, one per coupon."""
    seen, found = set(), []
    for grant, coupon in coupons.list_available(user.id, user.store_id, now):
        if LINE in coupon.line_set() and coupon.id not in seen:
            seen.add(coupon.id)
            found.append((grant, coupon))
    return found


def choices(user, basket, now):
    """What the menu offers: ``(rows, best_id)`` where rows are ``(grant, coupon, discount_cents or
    None)`` (None: it does not fit this basket) and ``best_id`` the copy pre-selected (None: none fits)."""
    fitting = {}
    if basket.lines:
        fitting = {grant.id: cents for grant, coupon, cents in coupons.usable_grants(user, basket, now)
                   if LINE in coupon.line_set()}
    rows = [(grant, coupon, fitting.get(grant.id)) for grant, coupon in copies_for_breakfast(user, now)]
    best = max(fitting.items(), key=lambda pair: (pair[1], -pair[0]))[0] if fitting else None
    return rows, best


def apply_coupon(order, grant_ids, now):
    """Reserve the parent's copies ``grant_ids`` for ``order`` and price it after them (growth's
    errors, 409, when one is not theirs, not available or does not fit: nothing changes). ``None``
    (the page chose nothing, not even "no coupon") takes the best copy that fits, if any."""
    user = db.session.get(User, order.parent_id)
    if grant_ids is None:
        best = choices(user, order_basket(order), now)[1]
        grant_ids = [best] if best else []
    grant_ids = [gid for gid in grant_ids if gid]
    if not grant_ids:
        return order
    for _grant, coupon in coupons.get_grants(user.id, grant_ids):
        if LINE not in coupon.line_set():
            raise CouponNotApplicable()
    priced = coupons.reserve(user, grant_ids, purchase_ref=ref_of(order.id), basket=order_basket(order), now=now)
    order.discount_cents = priced.goods_discount_cents
    order.total_cents = priced.goods_cents
    db.session.flush()
    return order


def reprice(order, now):
    """After a change of items: the order's reserved copies are released and reserved again on the new
    basket; one that no longer fits stays with the parent. Returns True when a coupon was dropped."""
    ref = ref_of(order.id)
    held = list(db.session.scalars(db.select(CouponGrant.id).where(
        CouponGrant.purchase_ref == ref, CouponGrant.status == GrantStatus.RESERVED.value)))
    order.discount_cents = 0
    if not held:
        return False
    coupons.release_for(ref, now)
    try:
        with db.session.begin_nested():
            apply_coupon(order, held, now)
    except CouponError:
        order.discount_cents = 0
        order.total_cents = order_basket(order).goods_cents
        db.session.flush()
        return True
    return False
