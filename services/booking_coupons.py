"""Coupons on a service booking (growth's ``coupons``): the confirm page offers the resident's copies
valid for services with what each takes off the held price, the best one pre-selected; confirming
reserves the chosen copy in the same transaction under the booking's purchase ref ("booking:<id>").

The store funds the coupon. The booking keeps its price (``price_cents``) and what the coupon took
off (``discount_cents``); the resident pays the difference (held from the wallet, or in cash on
site). The vendor's earning and the store's commission are on the price before the coupon, so a
coupon never changes what the vendor earns (``ledger.record_completion``). The copy is used when the
booking is recorded as paid, and released when the booking ends before it is completed.
"""
from store_app.growth import coupons
from store_app.growth.errors import CouponNotApplicable

from .purchase_reports import basket_of, ref_of

LINE = "services"


def choices(resident, booking, now):
    """``(rows, best_id)``: the resident's copies that fit this booking as ``(grant, coupon,
    discount_cents)``, largest first, and the copy pre-selected (None when none fits)."""
    rows = [row for row in coupons.usable_grants(resident, basket_of(booking), now) if LINE in row[1].line_set()]
    return rows, (rows[0][0].id if rows else None)


def apply_coupon(resident, booking, grant_ids, now):
    """Reserve ``grant_ids`` for ``booking`` and return the discount in cents (0 for none). A copy that
    is not the resident's, not available, not for services or not fitting: ``CouponNotApplicable`` (409)."""
    grant_ids = [gid for gid in grant_ids if gid]
    if not grant_ids:
        return 0
    for _grant, coupon in coupons.get_grants(resident.id, grant_ids):
        if LINE not in coupon.line_set():
            raise CouponNotApplicable()
    priced = coupons.reserve(resident, grant_ids, purchase_ref=ref_of(booking.id), basket=basket_of(booking),
                             now=now)
    return min(priced.goods_discount_cents, booking.price_cents)
