"""A copy's life at checkout: reserved with the order (``reserve``), used when the purchase is
recorded as paid (a ``purchases`` handler), released when the purchase is cancelled before it is
fulfilled (``release_for``, also a handler), kept when a fulfilled purchase is refunded unless staff
give it back (``restore_for``), expired when its window ends (``expire_grants``).

Every move is a conditional UPDATE on the copy's status, so two checkouts can never both take the
same copy: the second gets ``CouponChanged`` (409). A campaign's budget is charged the same way
(``spent + discount <= budget``) and the campaign pauses itself when nothing is left.

How a copy becomes used: ``purchases.record_purchase`` tells the "placed" handlers of a new
purchase; ``on_placed`` marks every copy reserved for that purchase's ``ref`` used. Lines therefore
reserve with ``purchase_ref`` equal to the ref they will record (e.g. "order:12") in the same
transaction.
"""
import logging

from sqlalchemy.orm.util import identity_key

from ..extensions import db
from . import errors, purchases
from .coupon_terms import clean_grant_ids, get_grants, offer_of, store_weekday
from .models import Campaign, CampaignStatus, Coupon, CouponGrant, GrantStatus
from .pricing_rules import price

log = logging.getLogger(__name__)


def reserve(user, grant_ids, *, purchase_ref, basket, now):
    """Reserve the resident's copies ``grant_ids`` for the checkout ``purchase_ref`` and return the
    ``Priced`` basket. Every chosen copy must be the resident's, available, unexpired and take
    something off (``CouponNotApplicable``, 409, otherwise: nothing changes); a copy or budget taken
    meanwhile by another checkout raises ``CouponChanged`` (409). No ids: the plain price."""
    grant_ids = clean_grant_ids(grant_ids)
    if grant_ids is None:
        raise errors.CouponNotApplicable()
    weekday = store_weekday(user.store_id, now)
    if not grant_ids:
        return price(basket, (), weekday=weekday)
    rows = get_grants(user.id, grant_ids)
    if len(rows) != len(grant_ids) or any(not _usable(grant, coupon, now) for grant, coupon in rows):
        raise errors.CouponNotApplicable()
    if len({coupon.id for _, coupon in rows}) != len(rows):
        raise errors.CouponNotApplicable()   # two copies of one coupon on one checkout
    priced = price(basket, [offer_of(coupon) for _, coupon in rows], weekday=weekday)
    if priced.refused:
        raise errors.CouponNotApplicable()
    cents = dict(priced.applied)
    for grant, coupon in rows:  # grant ids ascending: two checkouts lock copies in the same order
        _take(grant, purchase_ref, cents[coupon.id], now)
    for grant, coupon in rows:
        if coupon.campaign_id is not None:
            charge_budget(coupon.campaign_id, cents[coupon.id], now)
    return priced


def _usable(grant, coupon, now):
    return (grant.status == GrantStatus.AVAILABLE.value and grant.expires_at > now and grant.store_id == coupon.store_id
            and not coupon.paused and coupon.starts_at <= now)


def _take(grant, purchase_ref, discount_cents, now):
    moved = db.session.execute(db.update(CouponGrant).where(
        CouponGrant.id == grant.id, CouponGrant.status == GrantStatus.AVAILABLE.value).values(
        status=GrantStatus.RESERVED.value, purchase_ref=purchase_ref, discount_cents=discount_cents,
        reserved_at=now).execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise errors.CouponChanged()
    db.session.expire(grant)


def charge_budget(campaign_id, cents, now):
    """Charge ``cents`` of discount to the campaign's budget (a conditional UPDATE: never past it),
    pausing the campaign once the budget is spent. A budget that cannot cover it raises
    ``CouponChanged`` and changes nothing."""
    if cents <= 0:
        return
    campaign = Campaign.__table__
    moved = db.session.execute(campaign.update().where(
        campaign.c.id == campaign_id, campaign.c.status != CampaignStatus.PAUSED.value,
        db.or_(campaign.c.budget_cents.is_(None), campaign.c.spent_cents + cents <= campaign.c.budget_cents))
        .values(spent_cents=campaign.c.spent_cents + cents)).rowcount
    if not moved:
        raise errors.CouponChanged()
    db.session.execute(campaign.update().where(
        campaign.c.id == campaign_id, campaign.c.budget_cents.is_not(None),
        campaign.c.spent_cents >= campaign.c.budget_cents, campaign.c.status == CampaignStatus.RUNNING.value)
        .values(status=CampaignStatus.PAUSED.value, paused_reason="budget"))
    _expire_campaign(campaign_id)


def refund_budget(campaign_id, cents):
    """Give ``cents`` back to the campaign's budget (a copy released); a campaign paused by its budget
    runs again once something is left."""
    if cents <= 0:
        return
    campaign = Campaign.__table__
    db.session.execute(campaign.update().where(campaign.c.id == campaign_id).values(
        spent_cents=db.case((campaign.c.spent_cents >= cents, campaign.c.spent_cents - cents), else_=0)))
    db.session.execute(campaign.update().where(
        campaign.c.id == campaign_id, campaign.c.status == CampaignStatus.PAUSED.value,
        campaign.c.paused_reason == "budget", campaign.c.spent_cents < campaign.c.budget_cents)
        .values(status=CampaignStatus.RUNNING.value, paused_reason=None))
    _expire_campaign(campaign_id)


def _expire_campaign(campaign_id):
    _expire_loaded(Campaign, campaign_id)


def _expire_loaded(model, row_id):
    """A row changed by a core UPDATE is read again next time, if the session holds it."""
    loaded = db.session.identity_map.get(identity_key(model, row_id))
    if loaded is not None:
        db.session.expire(loaded)


def _grants_for(purchase_ref, statuses):
    return db.session.execute(db.select(CouponGrant, Coupon).join(Coupon, Coupon.id == CouponGrant.coupon_id).where(
        CouponGrant.purchase_ref == purchase_ref, CouponGrant.status.in_([str(s) for s in statuses]))
        .order_by(CouponGrant.id)).all()


def _move(grant, from_status, now, **values):
    moved = db.session.execute(db.update(CouponGrant).where(
        CouponGrant.id == grant.id, CouponGrant.status == str(from_status)).values(**values)
        .execution_options(synchronize_session=False)).rowcount
    db.session.expire(grant)
    return bool(moved)


def _count_used(coupon_id, delta):
    coupon = Coupon.__table__
    condition = coupon.c.used_count + delta >= 0 if delta < 0 else coupon.c.used_count + delta <= coupon.c.issued_count
    db.session.execute(coupon.update().where(coupon.c.id == coupon_id, condition)
                       .values(used_count=coupon.c.used_count + delta))
    _expire_loaded(Coupon, coupon_id)


def mark_used(purchase_ref, now):
    """The purchase ``purchase_ref`` was paid: its reserved copies are used. Returns how many moved."""
    used = 0
    for grant, coupon in _grants_for(purchase_ref, [GrantStatus.RESERVED]):
        if _move(grant, GrantStatus.RESERVED, now, status=GrantStatus.USED.value, used_at=now):
            _count_used(coupon.id, +1)
            used += 1
    return used


def release_for(purchase_ref, now):
    """The purchase was cancelled before it was fulfilled: its copies (reserved or used) are the
    resident's again, their discount goes back to the campaign's budget. Idempotent; returns how many."""
    released = 0
    for grant, coupon in _grants_for(purchase_ref, [GrantStatus.RESERVED, GrantStatus.USED]):
        was, cents = grant.status, grant.discount_cents
        if _move(grant, was, now, status=GrantStatus.AVAILABLE.value, purchase_ref=None, discount_cents=0,
                 reserved_at=None, used_at=None, released_at=now):
            if was == GrantStatus.USED.value:
                _count_used(coupon.id, -1)
            if coupon.campaign_id is not None:
                refund_budget(coupon.campaign_id, cents)
            released += 1
    return released


def restore_for(purchase_ref, now, actor_id):
    """Staff give back the copies used on ``purchase_ref`` (after a refund of a fulfilled purchase: the
    store's choice, never automatic). The discount stays spent. Returns how many; none raises
    ``CouponNotRestorable``. ``actor_id`` is the staff member deciding (written to the log)."""
    restored = 0
    for grant, coupon in _grants_for(purchase_ref, [GrantStatus.USED]):
        if _move(grant, GrantStatus.USED, now, status=GrantStatus.AVAILABLE.value, purchase_ref=None,
                 discount_cents=0, used_at=None, released_at=now):
            _count_used(coupon.id, -1)
            restored += 1
    if not restored:
        raise errors.CouponNotRestorable()
    log.info("coupon copies on %s restored by staff %s: %d", purchase_ref, actor_id, restored)
    return restored


def expire_grants(now, *, store_id=None):
    """Available copies (of one store, or all) whose window has ended become expired (one UPDATE);
    returns how many."""
    scope = [CouponGrant.store_id == store_id] if store_id is not None else []
    return db.session.execute(db.update(CouponGrant).where(
        CouponGrant.status == GrantStatus.AVAILABLE.value, CouponGrant.expires_at <= now, *scope).values(
        status=GrantStatus.EXPIRED.value).execution_options(synchronize_session=False)).rowcount


def on_placed(purchase, now, **_details):
    """``purchases`` handler: a recorded purchase uses the copies reserved for it."""
    mark_used(purchase.ref, now)


def on_cancelled(purchase, now, **_details):
    """``purchases`` handler: a purchase cancelled before fulfilment gives its copies back."""
    release_for(purchase.ref, now)


# A refund of a fulfilled purchase gives nothing back by itself (``restore_for`` is staff's choice).
purchases.on("placed", on_placed)
purchases.on("cancelled", on_cancelled)
