"""The staff's coupon editor: a coupon of any kind made or changed, paused or resumed, and its
optional typed code (``coupons.set_code``: long and random, shown once; only its sha256 is kept).

``save_coupon`` takes the terms as plain values (cents, ints, aware UTC datetimes) and checks what
the form cannot: the kind's own amounts, the lines, the store's category and merchant, the window and
the limits (a total limit never below the copies already given).
"""
from flask_babel import lazy_gettext as _l

from ..catalogue.models import Category, Merchant
from ..extensions import db
from . import coupons, errors
from .baskets import Line
from .models import Coupon, CouponKind

KIND_LABELS = {
    CouponKind.NEW_USER.value: _l("New resident: an amount off the first purchase"),
    CouponKind.SPEND_SAVE.value: _l("Spend X, save Y"),
    CouponKind.PERCENT.value: _l("Percent off, with a cap"),
    CouponKind.FREE_DELIVERY.value: _l("Free delivery"),
    CouponKind.MEMBER_DAY.value: _l("Member day (one weekday)"),
}
LINE_LABELS = {
    Line.DELIVERY.value: _l("Delivery"), Line.PICKUP.value: _l("Store pickup"),
    Line.BREAKFAST.value: _l("Breakfast"), Line.SERVICES.value: _l("Services"),
    Line.PARCEL_DOOR.value: _l("Parcels to the door"),
}
TERM_FIELDS = ("kind", "title_zh", "title_en", "amount_off_cents", "percent_off", "cap_cents", "min_spend_cents",
               "min_items", "category_id", "merchant_id", "stacks", "member_weekday", "starts_at", "ends_at",
               "valid_days", "per_user_limit", "total_limit", "claimable")


def list_coupons(store_id):
    """The store's coupons, newest first."""
    return list(db.session.scalars(db.select(Coupon).where(Coupon.store_id == store_id)
                                   .order_by(Coupon.created_at.desc(), Coupon.id.desc())))


def get_coupon(store_id, coupon_id):
    """The store's coupon; another store's answers ``CouponNotFound`` like a missing one."""
    coupon = db.session.get(Coupon, coupon_id)
    if coupon is None or coupon.store_id != store_id:
        raise errors.CouponNotFound()
    return coupon


def _bad(field, message):
    return errors.FormInvalid(field, message)


def _check_kind(terms):
    kind, amount, percent = terms["kind"], terms["amount_off_cents"], terms["percent_off"]
    if kind not in KIND_LABELS:
        raise _bad("kind", _l("Choose a kind of coupon from the list."))
    if kind in (CouponKind.NEW_USER.value, CouponKind.SPEND_SAVE.value) and amount <= 0:
        raise _bad("amount_off", _l("Enter the amount it takes off."))
    if kind == CouponKind.SPEND_SAVE.value and terms["min_spend_cents"] <= amount:
        raise _bad("min_spend", _l("The minimum spend must be more than the amount off."))
    if kind == CouponKind.PERCENT.value and not 1 <= percent <= 99:
        raise _bad("percent_off", _l("Enter a percent from 1 to 99."))
    if kind == CouponKind.MEMBER_DAY.value:
        if terms["member_weekday"] is None:
            raise _bad("member_weekday", _l("Choose the member day's weekday."))
        if (amount > 0) == (percent > 0) or percent > 99:
            raise _bad("amount_off", _l("A member day takes either an amount or a percent (1 to 99) off, not both."))
    if kind in (CouponKind.NEW_USER.value, CouponKind.SPEND_SAVE.value):
        terms["percent_off"], terms["cap_cents"] = 0, None
    if kind == CouponKind.PERCENT.value:
        terms["amount_off_cents"] = 0
    if kind == CouponKind.FREE_DELIVERY.value:
        terms["amount_off_cents"], terms["percent_off"], terms["cap_cents"] = 0, 0, None
    if kind != CouponKind.MEMBER_DAY.value:
        terms["member_weekday"] = None


def _check_terms(store_id, terms, lines, coupon):
    _check_kind(terms)
    zh, en = (terms["title_zh"] or "").strip(), (terms["title_en"] or "").strip()
    if not zh and not en:
        raise _bad("title_zh", _l("Give the coupon a title in Chinese or English."))
    terms["title_zh"], terms["title_en"] = zh or en, en or zh
    known = [line for line in lines if line in LINE_LABELS]
    if not known or len(known) != len(lines):
        raise _bad("lines", _l("Choose at least one line the coupon applies to."))
    for field, model in (("category_id", Category), ("merchant_id", Merchant)):
        if terms[field] is not None:
            found = db.session.get(model, terms[field])
            if found is None or found.store_id != store_id:
                raise _bad(field, _l("Choose from the list."))
    if terms["ends_at"] <= terms["starts_at"]:
        raise _bad("ends_at", _l("The coupon must end after it starts."))
    issued = coupon.issued_count if coupon is not None else 0
    if terms["total_limit"] is not None and terms["total_limit"] < max(1, issued):
        raise _bad("total_limit", _l("The total limit cannot be below the %(n)d copies already given.", n=issued))
    return ",".join(line for line in LINE_LABELS if line in known)


def save_coupon(store_id, coupon=None, *, terms, lines, make_code, now):
    """Make a coupon (``coupon`` None) or change one. ``terms``: ``TERM_FIELDS`` as plain values;
    ``lines``: line names. With ``make_code`` it gets a new typed code, returned once (only its
    hash is kept). Returns ``(coupon, code or None)``."""
    terms = dict(terms)
    joined = _check_terms(store_id, terms, list(lines), coupon)
    if coupon is None:
        coupon = Coupon(store_id=store_id, created_at=now, issued_count=0, used_count=0, paused=False)
        db.session.add(coupon)
    for field in TERM_FIELDS:
        setattr(coupon, field, terms[field])
    coupon.lines = joined
    db.session.flush()
    return coupon, coupons.set_code(coupon) if make_code else None


def set_paused(coupon, paused):
    """Pause a coupon (no new copies, none used) or resume it."""
    db.session.execute(db.update(Coupon).where(Coupon.id == coupon.id).values(paused=bool(paused)))
    db.session.refresh(coupon)
    return coupon


def drop_code(coupon):
    """Take the coupon's typed code away: the code gives nothing from now on."""
    coupon.code_hash = None
    db.session.flush()
    return coupon
