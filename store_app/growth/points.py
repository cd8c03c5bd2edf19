"""Points verbs: the ledger (give, take with a floor at zero), awards on completed purchases, reversals
on refunds, tiers. They add and flush; the caller's ``transaction()`` commits.

Every movement first locks the resident's account row (a no-op UPDATE: PostgreSQL holds the row
until commit, SQLite's writer lock already serialises), then checks its ``source_key`` is new, then
moves the balance with a guarded UPDATE and writes the entry. So a retried job, a replayed handler or
two racing refunds count each award or reversal once, and the balance never goes below zero; the
``source_key`` UNIQUE constraint stays as the last word.
"""
from dataclasses import dataclass

from ..database import upsert
from ..extensions import db
from . import points_rules as rules
from .models import Purchase
from .points_models import EntryReason, PointsAccount, PointsEntry, PointsShortfall

# Entries that make the "points earned on purchases" a tier is measured by.
_QUALIFYING = (EntryReason.PURCHASE.value, EntryReason.REFUND.value)


def get_account(user_id):
    """The resident's points account, or None if they never had points."""
    return db.session.get(PointsAccount, user_id)


def get_balance(user_id):
    """The resident's points balance (0 without an account)."""
    return db.session.scalar(db.select(PointsAccount.balance).where(PointsAccount.user_id == user_id)) or 0


def _lock_account(user_id, store_id, now):
    """Make sure the account exists and hold its row until commit; returns it, fresh."""
    db.session.execute(upsert(PointsAccount.__table__).values(
        user_id=user_id, store_id=store_id, balance=0, lifetime_earned=0, tier=rules.Tier.BASIC.value,
        tier_since=now).on_conflict_do_nothing(index_elements=["user_id"]))
    db.session.execute(db.update(PointsAccount).where(PointsAccount.user_id == user_id)
                       .values(balance=PointsAccount.balance).execution_options(synchronize_session=False))
    account = db.session.get(PointsAccount, user_id)
    db.session.refresh(account)
    return account


def _key_used(source_key):
    return (db.session.scalar(db.select(PointsEntry.id).where(PointsEntry.source_key == source_key)) is not None
            or db.session.scalar(db.select(PointsShortfall.id).where(PointsShortfall.source_key == source_key))
            is not None)


def give_points(user_id, store_id, amount, reason, source_key, now, **refs):
    """Add ``amount`` points (> 0) once per ``source_key``; returns the entry, or None if the key was
    already used (a replay). ``refs``: purchase_id, coupon_id, referral_id."""
    account = _lock_account(user_id, store_id, now)
    if amount <= 0 or _key_used(source_key):
        return None
    db.session.execute(db.update(PointsAccount).where(PointsAccount.user_id == user_id).values(
        balance=PointsAccount.balance + amount, lifetime_earned=PointsAccount.lifetime_earned + amount)
        .execution_options(synchronize_session=False))
    entry = PointsEntry(user_id=user_id, store_id=store_id, amount=amount, reason=str(reason),
                        source_key=source_key, created_at=now, **refs)
    db.session.add(entry)
    db.session.flush()
    db.session.refresh(account)
    return entry


def take_points(user_id, store_id, wanted, reason, source_key, now, **refs):
    """Take back up to ``wanted`` points once per ``source_key``, never below a zero balance; what
    could not be taken is recorded as a ``PointsShortfall``. Returns ``(taken, missing)``, (0, 0) on a replay."""
    account = _lock_account(user_id, store_id, now)
    if wanted <= 0 or _key_used(source_key):
        return 0, 0
    taken, missing = rules.split_reversal(wanted, account.balance)
    if taken:
        moved = db.session.execute(db.update(PointsAccount).where(
            PointsAccount.user_id == user_id, PointsAccount.balance >= taken).values(
            balance=PointsAccount.balance - taken).execution_options(synchronize_session=False)).rowcount
        if not moved:  # cannot happen while the row is held; never go below zero if it does
            taken, missing = 0, wanted
    if taken:
        db.session.add(PointsEntry(user_id=user_id, store_id=store_id, amount=-taken, reason=str(reason),
                                   source_key=source_key, created_at=now, **refs))
    if missing:
        db.session.add(PointsShortfall(user_id=user_id, store_id=store_id, source_key=source_key, wanted=wanted,
                                       taken=taken, created_at=now, purchase_id=refs.get("purchase_id"),
                                       referral_id=refs.get("referral_id")))
    db.session.flush()
    db.session.refresh(account)
    return taken, missing


def spend_points(user_id, store_id, amount, source_key, now, **refs):
    """Spend ``amount`` points (a redemption) if the balance covers it; returns the entry, None on a
    replay of ``source_key``, or False when the balance is short."""
    account = _lock_account(user_id, store_id, now)
    if _key_used(source_key):
        return None
    moved = db.session.execute(db.update(PointsAccount).where(
        PointsAccount.user_id == user_id, PointsAccount.balance >= amount).values(
        balance=PointsAccount.balance - amount).execution_options(synchronize_session=False)).rowcount
    if not moved:
        return False
    entry = PointsEntry(user_id=user_id, store_id=store_id, amount=-amount, reason=EntryReason.REDEEM.value,
                        source_key=source_key, created_at=now, **refs)
    db.session.add(entry)
    db.session.flush()
    db.session.refresh(account)
    return entry


def qualifying_points(user_id, now):
    """Points earned on purchases, after refunds, in the last 365 days (what tiers are measured by)."""
    return max(0, db.session.scalar(db.select(db.func.coalesce(db.func.sum(PointsEntry.amount), 0)).where(
        PointsEntry.user_id == user_id, PointsEntry.reason.in_(_QUALIFYING),
        PointsEntry.created_at > now - rules.TIER_WINDOW)) or 0)


def _promote(account, now):
    """Move the account up at once when its last 365 days reach a higher tier (never down here)."""
    earned = rules.tier_for(qualifying_points(account.user_id, now))
    if rules.rank(earned) > rules.rank(account.tier):
        account.tier, account.tier_since, account.grace_until = earned.value, now, None
        db.session.flush()


def award_for_purchase(purchase, now, **_details):
    """Handler of a completed purchase: points on its goods (fees apart) at the resident's tier, once
    (``purchase:<id>``). A refund that came before completion is taken back at once."""
    account = _lock_account(purchase.user_id, purchase.store_id, now)
    amount = rules.points_for(purchase.goods_cents, account.tier)
    entry = give_points(purchase.user_id, purchase.store_id, amount, EntryReason.PURCHASE,
                        f"purchase:{purchase.id}", now, purchase_id=purchase.id)
    if entry is None:
        return None
    _promote(account, now)
    if purchase.refunded_cents:
        reverse_for_refund(purchase, now)
    return entry


def _awarded_and_claimed(purchase_id):
    awarded = db.session.scalar(db.select(PointsEntry.amount).where(
        PointsEntry.source_key == f"purchase:{purchase_id}")) or 0
    taken = -(db.session.scalar(db.select(db.func.coalesce(db.func.sum(PointsEntry.amount), 0)).where(
        PointsEntry.purchase_id == purchase_id, PointsEntry.reason == EntryReason.REFUND.value)) or 0)
    missing = db.session.scalar(db.select(db.func.coalesce(
        db.func.sum(PointsShortfall.wanted - PointsShortfall.taken), 0)).where(
        PointsShortfall.purchase_id == purchase_id, PointsShortfall.referral_id.is_(None))) or 0
    return awarded, taken + missing


def reverse_for_refund(purchase, now, **_details):
    """Handler of a refund: take back the points the cumulative refund owes (refunds count against
    the goods first), once per cumulative amount (``refund:<id>:<refunded cents>``). Returns (taken, missing)."""
    _lock_account(purchase.user_id, purchase.store_id, now)
    refunded = db.session.scalar(db.select(Purchase.refunded_cents).where(Purchase.id == purchase.id)) or 0
    awarded, claimed = _awarded_and_claimed(purchase.id)
    owed = rules.points_owed_back(awarded, purchase.goods_cents, refunded, claimed)
    if owed <= 0:
        return 0, 0
    return take_points(purchase.user_id, purchase.store_id, owed, EntryReason.REFUND,
                       f"refund:{purchase.id}:{refunded}", now, purchase_id=purchase.id)


def list_entries(user_id, limit=30):
    """The resident's newest points entries first."""
    return db.session.scalars(db.select(PointsEntry).where(PointsEntry.user_id == user_id)
                              .order_by(PointsEntry.created_at.desc(), PointsEntry.id.desc()).limit(limit)).all()


def list_shortfalls(store_id, limit=50):
    """Points reversals could not take back in the store, newest first (for staff)."""
    return db.session.scalars(db.select(PointsShortfall).where(PointsShortfall.store_id == store_id)
                              .order_by(PointsShortfall.created_at.desc(), PointsShortfall.id.desc())
                              .limit(limit)).all()


@dataclass(frozen=True)
class PointsSummary:
    """What the resident's points page and the API show."""

    balance: int
    lifetime_earned: int
    tier: rules.Tier
    tier_since: object
    grace_until: object
    qualifying: int          # points earned on purchases in the last 365 days
    next_tier: object        # TierTerms or None at the top
    needed: int              # points still needed for it
    progress_pct: int


def load_summary(user, now):
    """The resident's ``PointsSummary`` at ``now`` (an account is not created by looking)."""
    account = get_account(user.id)
    tier = rules.Tier(rules.terms_of(account.tier if account else rules.Tier.BASIC).tier)
    qualifying = qualifying_points(user.id, now)
    above, needed, pct = rules.points_to_next(tier, qualifying)
    return PointsSummary(balance=account.balance if account else 0,
                         lifetime_earned=account.lifetime_earned if account else 0, tier=tier,
                         tier_since=account.tier_since if account else None,
                         grace_until=account.grace_until if account else None, qualifying=qualifying,
                         next_tier=above, needed=needed, progress_pct=pct)


def review_tiers(store_id, timezone, now):
    """The monthly tier review of a store's accounts (``points_rules.review_tier``), once per store
    month: accounts already reviewed this month are left alone. Returns (reviewed, moved down)."""
    month = rules.month_key(now, timezone)
    grace_end = rules.next_month_start(now, timezone)
    reviewed = demoted = 0
    due = db.session.scalars(db.select(PointsAccount.user_id).where(
        PointsAccount.store_id == store_id, db.or_(PointsAccount.tier_reviewed_month.is_(None),
                                                   PointsAccount.tier_reviewed_month != month))
        .order_by(PointsAccount.user_id)).all()
    for user_id in due:
        account = _lock_account(user_id, store_id, now)
        if account.tier_reviewed_month == month:
            continue
        tier, grace = rules.review_tier(account.tier, account.grace_until, qualifying_points(user_id, now),
                                        now, grace_end)
        if tier.value != account.tier:
            demoted += rules.rank(tier) < rules.rank(account.tier)
            account.tier, account.tier_since = tier.value, now
        account.grace_until, account.tier_reviewed_month = grace, month
        reviewed += 1
    db.session.flush()
    return reviewed, demoted
