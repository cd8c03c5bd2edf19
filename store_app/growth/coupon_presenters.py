"""How a coupon's terms read to a resident: one short line in their language."""
from flask_babel import gettext as _

from ..database import format_cents
from ..web.filters import WEEKDAY_NAMES
from .models import CouponKind


def _amount(coupon):
    if coupon.percent_off and coupon.kind in (CouponKind.PERCENT.value, CouponKind.MEMBER_DAY.value):
        if coupon.cap_cents is not None:
            return _("%(percent)d%% off, up to %(cap)s", percent=coupon.percent_off, cap=format_cents(coupon.cap_cents))
        return _("%(percent)d%% off", percent=coupon.percent_off)
    return _("%(amount)s off", amount=format_cents(coupon.amount_off_cents))


def coupon_terms(coupon):
    """E.g. "¥5.00 off · orders over ¥30.00 · Wednesdays" or "Free delivery"."""
    parts = [_("Free delivery") if coupon.kind == CouponKind.FREE_DELIVERY.value else _amount(coupon)]
    if coupon.min_spend_cents:
        parts.append(_("on %(amount)s or more", amount=format_cents(coupon.min_spend_cents)))
    if coupon.min_items:
        parts.append(_("from %(n)d items", n=coupon.min_items))
    if coupon.kind == CouponKind.MEMBER_DAY.value and coupon.member_weekday is not None:
        parts.append(_("member day: %(day)s", day=WEEKDAY_NAMES[coupon.member_weekday % 7]))
    if coupon.kind == CouponKind.NEW_USER.value:
        parts.append(_("first order"))
    if coupon.category_id is not None or coupon.merchant_id is not None:
        parts.append(_("selected goods only"))
    lines = coupon.line_set()
    if lines and lines != {"delivery", "pickup"}:
        names = {"delivery": _("delivery"), "pickup": _("pickup"), "breakfast": _("breakfast"),
                 "services": _("services"), "parcel_door": _("parcels to the door")}
        parts.append(", ".join(str(names.get(line, line)) for line in sorted(lines)))
    return " · ".join(str(part) for part in parts)
