"""The points catalogue: coupons staff chose to sell for points (``Coupon.points_price``), and the
resident's redemption: the points debit and the coupon copy in one transaction, so a copy is never
given without its points nor points taken without a copy. Verbs add and flush; the caller commits.
"""
from ..extensions import db
from . import coupons, points
from .models import Coupon
from .points_errors import PointsInsufficient, PointsPriceInvalid, RewardNotFound

MAX_POINTS_PRICE = 1_000_000


def _on_sale(store_id, now):
    return (Coupon.store_id == store_id, Coupon.points_price.is_not(None), Coupon.paused.is_(False),
            Coupon.starts_at <= now, Coupon.ends_at > now,
            db.or_(Coupon.total_limit.is_(None), Coupon.issued_count < Coupon.total_limit))


def list_catalogue(store_id, now):
    """Coupons on sale for points now (open, not paused, copies left), cheapest first."""
    return db.session.scalars(db.select(Coupon).where(*_on_sale(store_id, now))
                              .order_by(Coupon.points_price, Coupon.id)).all()


def list_priceable(store_id, now):
    """The store's coupons that have not ended, for staff to put in (or take out of) the catalogue."""
    return db.session.scalars(db.select(Coupon).where(Coupon.store_id == store_id, Coupon.ends_at > now)
                              .order_by(Coupon.points_price.is_(None), Coupon.points_price, Coupon.id)).all()


def set_points_price(store_id, coupon_id, points_price):
    """Staff put a coupon of their store in the catalogue at ``points_price`` points, or take it out
    (None). Another store's coupon is 'missing'."""
    coupon = db.session.scalar(db.select(Coupon).where(Coupon.id == coupon_id, Coupon.store_id == store_id))
    if coupon is None:
        raise RewardNotFound(coupon_id)
    if points_price is not None and not 1 <= points_price <= MAX_POINTS_PRICE:
        raise PointsPriceInvalid(points_price)
    coupon.points_price = points_price
    db.session.flush()
    return coupon


def redeem(user, coupon_id, *, idempotency_key, now):
    """Buy one copy of a catalogue coupon with points: the debit (a guarded UPDATE) and
    ``coupons.issue_grant(source="points")`` together. A replay of ``idempotency_key`` gives the first
    copy back without a second debit. ``PointsInsufficient`` (409) when the balance is short (a lost
    race too); the coupon's own 409s when it ran out or the resident holds enough copies."""
    coupon = db.session.scalar(db.select(Coupon).where(Coupon.id == coupon_id, *_on_sale(user.store_id, now)))
    if coupon is None:
        raise RewardNotFound(coupon_id)
    key = f"redeem:{user.id}:{idempotency_key}"
    spent = points.spend_points(user.id, user.store_id, coupon.points_price, key, now, coupon_id=coupon.id)
    if spent is False:
        raise PointsInsufficient(coupon.points_price)
    if spent is None:
        return None  # the same form sent twice: the first redemption stands
    return coupons.issue_grant(coupon, user.id, source="points", now=now)
