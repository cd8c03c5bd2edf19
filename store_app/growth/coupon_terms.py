"""What a coupon's terms and a resident's copies look like to the rest of growth: a coupon as the
pricing rule's ``Offer``, the weekday in the store's time zone, and the queries that find the copies
a resident can use now. Reads only; the verbs are in ``coupons`` and ``coupon_use``."""
from datetime import timedelta
from zoneinfo import ZoneInfo

from ..extensions import db
from ..stores.models import Store
from .models import Campaign, CampaignStatus, Coupon, CouponGrant, GrantStatus
from .pricing_rules import ALL_LINES, Offer


def offer_of(coupon):
    """The pricing rule's view of ``coupon``'s terms (a frozen ``Offer``)."""
    lines = coupon.line_set() & ALL_LINES
    return Offer(
        coupon_id=coupon.id, kind=coupon.kind, amount_off_cents=coupon.amount_off_cents or 0,
        percent_off=coupon.percent_off or 0, cap_cents=coupon.cap_cents, min_spend_cents=coupon.min_spend_cents or 0,
        min_items=coupon.min_items or 0, category_id=coupon.category_id, merchant_id=coupon.merchant_id,
        lines=frozenset(lines), stacks=bool(coupon.stacks), member_weekday=coupon.member_weekday)


def store_weekday(store_id, now):
    """The weekday (0 = Monday) at ``now`` in the store's time zone: member days follow the store's clock."""
    store = db.session.get(Store, store_id)
    zone = ZoneInfo(store.timezone if store is not None else "Asia/Shanghai")
    return now.astimezone(zone).weekday()


def copy_expiry(coupon, now):
    """When a copy given at ``now`` stops being usable: the coupon's end, or sooner with ``valid_days``."""
    if coupon.valid_days:
        return min(coupon.ends_at, now + timedelta(days=coupon.valid_days))
    return coupon.ends_at


def coupon_open(coupon, now):
    """Whether the coupon itself may be given or used at ``now``: in its window and not paused."""
    return not coupon.paused and coupon.starts_at <= now < coupon.ends_at


def _budget_paused_ids(coupon_ids):
    if not coupon_ids:
        return set()
    rows = db.session.execute(db.select(Coupon.id).join(Campaign, Campaign.id == Coupon.campaign_id).where(
        Coupon.id.in_(coupon_ids), Campaign.status == CampaignStatus.PAUSED.value))
    return {row[0] for row in rows}


def list_available(user_id, store_id, now):
    """The resident's copies that are available and unexpired, whose coupon is open (its campaign not
    paused), as ``(grant, coupon)`` pairs, soonest to expire first (ties by id)."""
    rows = db.session.execute(
        db.select(CouponGrant, Coupon).join(Coupon, Coupon.id == CouponGrant.coupon_id).where(
            CouponGrant.user_id == user_id, CouponGrant.store_id == store_id,
            CouponGrant.status == GrantStatus.AVAILABLE.value, CouponGrant.expires_at > now,
            Coupon.paused.is_(False), Coupon.starts_at <= now)
        .order_by(CouponGrant.expires_at, CouponGrant.id)).all()
    paused = _budget_paused_ids({coupon.id for _, coupon in rows})
    return [(grant, coupon) for grant, coupon in rows if coupon.id not in paused]


def list_grants(user_id, store_id, statuses):
    """The resident's copies in ``statuses`` with their coupons, newest first."""
    return db.session.execute(
        db.select(CouponGrant, Coupon).join(Coupon, Coupon.id == CouponGrant.coupon_id).where(
            CouponGrant.user_id == user_id, CouponGrant.store_id == store_id,
            CouponGrant.status.in_([str(s) for s in statuses]))
        .order_by(CouponGrant.granted_at.desc(), CouponGrant.id.desc())).all()


MAX_ID = 2**31 - 1   # an id the database can hold: anything else is no copy of anyone's


def clean_grant_ids(grant_ids):
    """The distinct ids asked for, ascending; None when one is not a possible id (a forged form)."""
    try:
        ids = sorted({int(gid) for gid in grant_ids or ()})
    except (TypeError, ValueError):
        return None
    return ids if all(0 < gid <= MAX_ID for gid in ids) else None


def get_grants(user_id, grant_ids):
    """The resident's own copies among ``grant_ids`` with their coupons (someone else's are not found)."""
    if not grant_ids:
        return []
    return db.session.execute(
        db.select(CouponGrant, Coupon).join(Coupon, Coupon.id == CouponGrant.coupon_id).where(
            CouponGrant.user_id == user_id, CouponGrant.id.in_(list(grant_ids)))
        .order_by(CouponGrant.id)).all()


def budget_paused(coupon_id):
    """Whether the coupon's campaign is paused (its budget ran out, or staff paused it)."""
    return coupon_id in _budget_paused_ids({coupon_id})
