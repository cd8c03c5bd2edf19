"""Referral verbs: a friend signs up with a resident's invite code (``on_registered``, called by
accounts inside the registration's transaction), the periodic job rewards both once the friend's
first purchase is past its refund window, and a refund of that purchase takes the rewards back.
The rules themselves are in ``referral_rules``. Verbs add and flush; the caller commits.
"""
from dataclasses import dataclass

from ..accounts.models import Address, User
from ..extensions import db
from ..roles import Role
from . import points, referral_rules as rules
from .models import Purchase, PurchaseStatus
from .points_errors import InviteCodeUnknown, InviteRefused
from .points_models import EntryReason, Referral, ReferralStatus


def code_for(user):
    """The resident's personal invite code."""
    return rules.invite_code(user.store_id, user.id)


def find_inviter(store_id, code):
    """The enabled resident of this store whose invite code this is, or None."""
    user_id = rules.decode_invite(store_id, code)
    if user_id is None:
        return None
    return db.session.scalar(db.select(User).where(User.id == user_id, User.store_id == store_id,
                                                   User.role == Role.RESIDENT.value, User.is_enabled.is_(True)))


def _households(user_id):
    rows = db.session.execute(db.select(Address.building_id, Address.unit).where(Address.user_id == user_id)).all()
    return frozenset(rules.household(building_id, unit) for building_id, unit in rows)


def _known_households(store_id, building_ids, exclude_ids):
    """Households of the store's other residents in these buildings."""
    if not building_ids:
        return frozenset()
    rows = db.session.execute(db.select(Address.building_id, Address.unit).join(User, User.id == Address.user_id)
                              .where(Address.store_id == store_id, Address.building_id.in_(building_ids),
                                     User.role == Role.RESIDENT.value, Address.user_id.not_in(exclude_ids))).all()
    return frozenset(rules.household(building_id, unit) for building_id, unit in rows)


def on_registered(user, extras, now):
    """Accounts' registration hook: with an ``invite_code`` in ``extras``, record who invited the new
    resident, or refuse the sign-up (``InviteCodeUnknown``, ``InviteRefused``: 400 on the code's field)."""
    code = (extras.get("invite_code") or "").strip()
    if not code or user.role != Role.RESIDENT.value:
        return None
    inviter = find_inviter(user.store_id, code)
    if inviter is None:
        raise InviteCodeUnknown(code)
    invitee = rules.Person(user.id, user.phone, _households(user.id))
    refusal = rules.invite_refusal(
        rules.Person(inviter.id, inviter.phone, _households(inviter.id)), invitee,
        known_households=_known_households(user.store_id, {b for b, _unit in invitee.households},
                                           (inviter.id, user.id)),
        already_invited=db.session.scalar(db.select(Referral.id).where(Referral.invitee_id == user.id)) is not None)
    if refusal is not None:
        raise InviteRefused(refusal)
    referral = Referral(store_id=user.store_id, inviter_id=inviter.id, invitee_id=user.id,
                        status=ReferralStatus.JOINED.value, **({"created_at": now} if now else {}))
    db.session.add(referral)
    db.session.flush()
    return referral


def _facts(purchase):
    return rules.PurchaseFacts(purchase.id, purchase.completed_at, purchase.refund_window_ends_at,
                               purchase.goods_cents, purchase.refunded_cents)


def qualifying_purchase(invitee_id):
    """The friend's purchase that counts for the referral (``referral_rules.qualifying_purchase``), or None."""
    done = db.session.scalars(db.select(Purchase).where(
        Purchase.user_id == invitee_id, Purchase.status == PurchaseStatus.COMPLETED.value)).all()
    found = rules.qualifying_purchase([_facts(p) for p in done])
    return next((p for p in done if found and p.id == found.purchase_id), None)


def _reward_keys(referral_id, side):
    return f"referral:{referral_id}:{side}", f"referral-back:{referral_id}:{side}"


def reward_due(store_id, now):
    """Reward both sides of every referral of the store whose friend's qualifying purchase is past its
    refund window. Idempotent: the status moves once (a guarded UPDATE), each reward has its key.
    Returns how many referrals were rewarded."""
    rewarded = 0
    waiting = db.session.scalars(db.select(Referral).where(
        Referral.store_id == store_id, Referral.status == ReferralStatus.JOINED.value).order_by(Referral.id)).all()
    for referral in waiting:
        purchase = qualifying_purchase(referral.invitee_id)
        if purchase is None or not rules.reward_due(_facts(purchase), now):
            continue
        moved = db.session.execute(db.update(Referral).where(
            Referral.id == referral.id, Referral.status == ReferralStatus.JOINED.value).values(
            status=ReferralStatus.REWARDED.value, purchase_id=purchase.id, rewarded_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if not moved:
            continue
        for side, user_id in (("inviter", referral.inviter_id), ("invitee", referral.invitee_id)):
            points.give_points(user_id, store_id, rules.REWARD_POINTS, EntryReason.REFERRAL,
                               _reward_keys(referral.id, side)[0], now, referral_id=referral.id)
        rewarded += 1
    return rewarded


def on_refunded(purchase, now, **_details):
    """Purchases' refund handler: when the refunded purchase is the one a referral was rewarded for
    and too little of it is kept, take both rewards back (never below zero; shortfalls recorded)."""
    referral = db.session.scalar(db.select(Referral).where(
        Referral.purchase_id == purchase.id, Referral.status == ReferralStatus.REWARDED.value))
    refunded = db.session.scalar(db.select(Purchase.refunded_cents).where(Purchase.id == purchase.id)) or 0
    if referral is None or not rules.reward_taken_back(purchase.goods_cents, refunded):
        return False
    moved = db.session.execute(db.update(Referral).where(
        Referral.id == referral.id, Referral.status == ReferralStatus.REWARDED.value).values(
        status=ReferralStatus.TAKEN_BACK.value, taken_back_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if not moved:
        return False
    for side, user_id in (("inviter", referral.inviter_id), ("invitee", referral.invitee_id)):
        points.take_points(user_id, referral.store_id, rules.REWARD_POINTS, EntryReason.REFERRAL_BACK,
                           _reward_keys(referral.id, side)[1], now, referral_id=referral.id)
    db.session.expire(referral)
    return True


@dataclass(frozen=True)
class Invitation:
    """One friend a resident invited, as their invite page shows it."""

    referral: Referral
    friend: User
    first_purchase: Purchase | None    # the purchase that counts, once there is one
    status: str                        # joined, waiting (window running), rewarded, taken_back


def list_invitations(user):
    """The friends the resident invited, newest first, with where each stands."""
    rows = db.session.execute(db.select(Referral, User).join(User, User.id == Referral.invitee_id).where(
        Referral.inviter_id == user.id).order_by(Referral.created_at.desc(), Referral.id.desc())).all()
    found = []
    for referral, friend in rows:
        purchase = (db.session.get(Purchase, referral.purchase_id) if referral.purchase_id
                    else qualifying_purchase(friend.id))
        status = referral.status
        if status == ReferralStatus.JOINED.value and purchase is not None:
            status = "waiting"
        found.append(Invitation(referral, friend, purchase, status))
    return found


def building_households(user):
    """``(building, households)``: the resident's default address's building and how many households
    there (distinct addresses, units compared as ``referral_rules.normalise_unit``) have a completed
    purchase at the store; ``(None, 0)`` without an address."""
    address = user.default_address()
    if address is None:
        return None, 0
    units = db.session.scalars(db.select(Address.unit).join(Purchase, Purchase.user_id == Address.user_id).where(
        Address.building_id == address.building_id, Purchase.store_id == user.store_id,
        Purchase.status == PurchaseStatus.COMPLETED.value).distinct()).all()
    return address.building, len({rules.normalise_unit(unit) for unit in units})
