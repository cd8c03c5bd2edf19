"""Coupons: giving residents copies (``issue_grant``: claimed in the coupon centre, issued by a
campaign, typed as a code, bought with points, given with a referral), choosing them at checkout
(``usable_grants``, ``best_grant_ids``, ``quote``) and their life on a purchase (``reserve``,
``release_for``, ``restore_for``: in ``coupon_use``, re-exported here).

Limits hold under any race without a read-then-write: the total limit is a conditional UPDATE of
``issued_count`` (``issued_count < total_limit``), the per-user limit is the unique
(coupon, user, seq) with ``seq <= per_user_limit``. Both happen inside one SAVEPOINT, so a lost race
undoes exactly the attempt and answers 409, and the caller's transaction goes on.

Typed codes are long and random (``new_code``) and only their sha256 is stored; every code that
gives nothing (unknown, expired, used up, over the limit) gets the same ``CodeRejected``.
"""
import hashlib
import secrets

from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..extensions import db
from ..roles import Role
from . import errors
from .coupon_terms import (clean_grant_ids, coupon_open, copy_expiry, get_grants, list_available, list_grants, offer_of,
                           store_weekday)
from .coupon_use import expire_grants, mark_used, release_for, reserve, restore_for  # noqa: F401 (the API)
from .models import Coupon, CouponGrant, CouponKind, GrantStatus, Purchase, PurchaseStatus
from .pricing_rules import price, refusal

__all__ = ["offer_of", "issue_grant", "claim", "redeem_code", "usable_grants", "best_grant_ids", "quote",
           "reserve", "release_for", "restore_for", "mark_used", "expire_grants", "new_code", "set_code",
           "list_claimable", "list_my_grants"]

# Codes: 16 characters from 31 that cannot be mistaken for one another (no 0/O, 1/I/L), shown in
# groups of four: about 79 bits, so guessing is hopeless long before the rate limit matters.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16
CODE_GROUP = 4
CODE_MAX_TYPED = 64


def new_code():
    """A fresh typed code, e.g. ``"7KQ4-M2ZD-9XHT-C3PW"`` (from ``secrets``)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def normalise_code(text):
    """What a resident typed, as the code it means: spaces, dashes and case ignored."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())[:CODE_MAX_TYPED]


def hash_code(code):
    """The sha256 (hex) kept in ``Coupon.code_hash``; the code itself is never stored."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def set_code(coupon):
    """Give ``coupon`` a new typed code and return it (shown to staff once; only its hash is kept)."""
    code = new_code()
    coupon.code_hash = hash_code(code)
    db.session.flush()
    return code


def issue_grant(coupon, user_id, *, source, now):
    """Give ``user_id`` a copy of ``coupon`` and return it. Refused with ``CouponNotAvailable``
    (paused, outside its window, another store's resident), ``CouponExhausted`` (total limit) or
    ``CouponLimitReached`` (per-user limit), all 409; a refusal changes nothing."""
    if not coupon_open(coupon, now):
        raise errors.CouponNotAvailable()
    owner_store = db.session.scalar(db.select(User.store_id).where(User.id == user_id))
    if owner_store != coupon.store_id:
        raise errors.CouponNotAvailable()
    held = db.session.scalar(db.select(db.func.count()).select_from(CouponGrant).where(
        CouponGrant.coupon_id == coupon.id, CouponGrant.user_id == user_id)) or 0
    expires_at = copy_expiry(coupon, now)
    for seq in range(held + 1, coupon.per_user_limit + 1):
        grant_id = _insert_copy(coupon, user_id, seq, source, expires_at, now)
        if grant_id is not None:
            db.session.expire(coupon, ["issued_count"])
            return db.session.get(CouponGrant, grant_id)
    raise errors.CouponLimitReached()


def _insert_copy(coupon, user_id, seq, source, expires_at, now):
    """Count one more copy and insert it as number ``seq``, in one SAVEPOINT; the new id, or None if
    another transaction took that ``seq`` first (undone: the count too). ``CouponExhausted`` when
    the total limit is reached."""
    table = Coupon.__table__
    try:
        with db.session.begin_nested():
            counted = db.session.execute(table.update().where(
                table.c.id == coupon.id,
                db.or_(table.c.total_limit.is_(None), table.c.issued_count < table.c.total_limit))
                .values(issued_count=table.c.issued_count + 1)).rowcount
            if not counted:
                raise errors.CouponExhausted()
            return db.session.execute(db.insert(CouponGrant.__table__).values(
                coupon_id=coupon.id, user_id=user_id, store_id=coupon.store_id, seq=seq, source=source,
                status=GrantStatus.AVAILABLE.value, discount_cents=0, granted_at=now, expires_at=expires_at)
                .returning(CouponGrant.__table__.c.id)).scalar_one()
    except IntegrityError:
        return None


def has_purchased(user_id):
    """Whether the resident has bought anything (a purchase not cancelled) on any line."""
    return db.session.scalar(db.select(Purchase.id).where(
        Purchase.user_id == user_id, Purchase.status != PurchaseStatus.CANCELLED.value).limit(1)) is not None


def claim(user, coupon_id, now):
    """The resident claims a copy from the coupon centre. Only claimable coupons of their store are
    found (404 otherwise); a new-user coupon only for residents who have bought nothing yet."""
    coupon = db.session.scalar(db.select(Coupon).where(Coupon.id == coupon_id, Coupon.store_id == user.store_id,
                                                        Coupon.claimable.is_(True)))
    if coupon is None:
        raise errors.CouponNotFound()
    if user.role != Role.RESIDENT.value:
        raise errors.CouponNotAvailable()
    if coupon.kind == CouponKind.NEW_USER.value and has_purchased(user.id):
        raise errors.CouponNotAvailable()
    return issue_grant(coupon, user.id, source="claim", now=now)


def redeem_code(user, code, now):
    """The resident types a code: a copy of its coupon, or ``CodeRejected`` whatever the reason
    (unknown, paused, expired, used up, already held), so trying codes teaches nothing."""
    normalised = normalise_code(code)
    if len(normalised) < 12:
        raise errors.CodeRejected()
    coupon = db.session.scalar(db.select(Coupon).where(Coupon.store_id == user.store_id,
                                                        Coupon.code_hash == hash_code(normalised)))
    if coupon is None or user.role != Role.RESIDENT.value:
        raise errors.CodeRejected()
    if coupon.kind == CouponKind.NEW_USER.value and has_purchased(user.id):
        raise errors.CodeRejected()
    try:
        return issue_grant(coupon, user.id, source="code", now=now)
    except errors.CouponError:
        raise errors.CodeRejected() from None


def list_claimable(user, now):
    """The coupons the resident could claim now: ``(coupon, copies held, all given out)``, soonest
    to end first (a new-user coupon only before a first purchase)."""
    coupons = db.session.scalars(db.select(Coupon).where(
        Coupon.store_id == user.store_id, Coupon.claimable.is_(True), Coupon.paused.is_(False),
        Coupon.starts_at <= now, Coupon.ends_at > now).order_by(Coupon.ends_at, Coupon.id)).all()
    if not coupons:
        return []
    held = dict(db.session.execute(db.select(CouponGrant.coupon_id, db.func.count()).where(
        CouponGrant.user_id == user.id, CouponGrant.coupon_id.in_([c.id for c in coupons]))
        .group_by(CouponGrant.coupon_id)).all())
    bought = None
    result = []
    for coupon in coupons:
        if coupon.kind == CouponKind.NEW_USER.value:
            bought = has_purchased(user.id) if bought is None else bought
            if bought:
                continue
        exhausted = coupon.total_limit is not None and coupon.issued_count >= coupon.total_limit
        result.append((coupon, held.get(coupon.id, 0), exhausted))
    return result


MY_TABS = {"available": [GrantStatus.AVAILABLE, GrantStatus.RESERVED], "used": [GrantStatus.USED],
           "expired": [GrantStatus.EXPIRED, GrantStatus.REVOKED]}


def list_my_grants(user, tab, now):
    """The resident's copies on a tab of "my coupons" (available, used, expired): ``(grant, coupon)``.
    An available copy past its window shows as expired before the periodic job has marked it."""
    if tab == "expired":
        late = [(g, c) for g, c in list_grants(user.id, user.store_id, [GrantStatus.AVAILABLE]) if g.expires_at <= now]
        return sorted(late + list_grants(user.id, user.store_id, MY_TABS["expired"]),
                      key=lambda pair: (pair[0].expires_at, pair[0].id), reverse=True)
    rows = list_grants(user.id, user.store_id, MY_TABS.get(tab, MY_TABS["available"]))
    if tab == "used":
        return rows
    return [(g, c) for g, c in rows if g.status == GrantStatus.RESERVED.value or g.expires_at > now]


def usable_grants(user, basket, now):
    """The resident's copies that can take something off ``basket`` now, each alone: a list of
    ``(grant, coupon, discount_cents)``, largest discount first (ties: soonest to expire). Of several
    copies of one coupon only the soonest to expire is offered."""
    weekday = store_weekday(user.store_id, now)
    seen, usable = set(), []
    for grant, coupon in list_available(user.id, user.store_id, now):
        if coupon.id in seen:
            continue
        offer = offer_of(coupon)
        if refusal(basket, offer, weekday) is not None:
            continue
        cents = price(basket, [offer], weekday=weekday).discount_cents
        if cents > 0:
            seen.add(coupon.id)
            usable.append((grant, coupon, cents))
    return sorted(usable, key=lambda row: (-row[2], row[0].expires_at, row[0].id))


def best_grant_ids(user, basket, now, usable=None):
    """The copies the checkout pre-selects: the best combination the pricing rule allows."""
    usable = usable_grants(user, basket, now) if usable is None else usable
    if not usable:
        return []
    by_coupon = {coupon.id: grant.id for grant, coupon, _ in usable}
    priced = price(basket, [offer_of(coupon) for _, coupon, _ in usable], weekday=store_weekday(user.store_id, now))
    return sorted(by_coupon[coupon_id] for coupon_id in priced.applied_ids)


def quote(user, grant_ids, basket, now):
    """Price ``basket`` with the resident's copies ``grant_ids`` without reserving anything (the
    checkout page and the API's "apply"). Copies that are not theirs or not usable raise
    ``CouponNotApplicable``; returns ``Priced``."""
    grant_ids = clean_grant_ids(grant_ids)
    if grant_ids is None:
        raise errors.CouponNotApplicable()
    weekday = store_weekday(user.store_id, now)
    rows = get_grants(user.id, grant_ids)
    usable = {grant.id for grant, _ in list_available(user.id, user.store_id, now)}
    if len(rows) != len(grant_ids) or any(grant.id not in usable for grant, _ in rows):
        raise errors.CouponNotApplicable()
    priced = price(basket, [offer_of(coupon) for _, coupon in rows], weekday=weekday)
    if priced.refused:
        raise errors.CouponNotApplicable()
    return priced
