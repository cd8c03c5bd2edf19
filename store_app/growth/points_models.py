"""Points and referrals: a resident's points account with its ledger, what a reversal could not take
back, and who invited whom.

The points ledger works like the wallet's: ``PointsAccount.balance`` is the sum of the resident's
``PointsEntry`` amounts, kept in step inside the same transaction, so spending is a conditional
UPDATE that never goes below zero. Every entry has a ``source_key`` (unique), so an award or a
reversal replayed by a retried job or handler is refused by the database, never counted twice.
"""
from enum import StrEnum

from ..database import UTCDateTime, utcnow
from ..extensions import db


class EntryReason(StrEnum):
    PURCHASE = "purchase"            # earned on a completed purchase
    REFUND = "refund"                # taken back because the purchase was refunded (in part)
    REDEEM = "redeem"                # spent on a coupon from the points catalogue
    REFERRAL = "referral"            # a referral reward (inviter or invited friend)
    REFERRAL_BACK = "referral_back"  # a referral reward taken back (the qualifying purchase refunded)


class PointsAccount(db.Model):
    """One resident's points: balance (never below zero), what they ever earned, their tier."""

    __tablename__ = "points_accounts"

    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    balance = db.Column(db.Integer, nullable=False, default=0)
    lifetime_earned = db.Column(db.Integer, nullable=False, default=0)   # points ever added, before spending
    tier = db.Column(db.String(8), nullable=False, default="basic")      # points_rules.Tier
    tier_since = db.Column(UTCDateTime, nullable=False, default=utcnow)
    # The demotion rule's month of grace: set when a monthly review found too few points for the tier.
    grace_until = db.Column(UTCDateTime, nullable=True)
    tier_reviewed_month = db.Column(db.String(7), nullable=True)         # "2026-12": the last monthly review

    __table_args__ = (db.CheckConstraint("balance >= 0", name="points_balance_not_negative"),)


class PointsEntry(db.Model):
    """One movement of points: positive in (earned, rewarded), negative out (spent, taken back)."""

    __tablename__ = "points_entries"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False)
    amount = db.Column(db.Integer, nullable=False)
    reason = db.Column(db.String(14), nullable=False)
    # What the entry is for, unique: "purchase:12", "refund:12:3000", "redeem:7:<key>", "referral:4:inviter".
    source_key = db.Column(db.String(80), nullable=False, unique=True)
    purchase_id = db.Column(db.Integer, db.ForeignKey("purchases.id"), nullable=True, index=True)
    coupon_id = db.Column(db.Integer, db.ForeignKey("coupons.id"), nullable=True)
    referral_id = db.Column(db.Integer, db.ForeignKey("referrals.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        db.CheckConstraint("amount <> 0", name="points_amount_not_zero"),
        db.Index("ix_points_entries_user_created", "user_id", "created_at"),
    )


class PointsShortfall(db.Model):
    """Points a reversal should have taken back but could not, because the resident had already spent
    them (the balance never goes below zero): recorded for staff, never silently forgotten."""

    __tablename__ = "points_shortfalls"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    source_key = db.Column(db.String(80), nullable=False, unique=True)   # the reversal's key
    wanted = db.Column(db.Integer, nullable=False)      # points the reversal should have taken
    taken = db.Column(db.Integer, nullable=False)       # points it took (the balance there was)
    purchase_id = db.Column(db.Integer, db.ForeignKey("purchases.id"), nullable=True)
    referral_id = db.Column(db.Integer, db.ForeignKey("referrals.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    user = db.relationship("User")

    __table_args__ = (db.CheckConstraint("taken >= 0 AND wanted > taken", name="shortfall_valid"),)

    @property
    def missing(self):
        return self.wanted - self.taken


class ReferralStatus(StrEnum):
    JOINED = "joined"        # the friend signed up with the code; no qualifying purchase past its window yet
    REWARDED = "rewarded"    # the friend's first purchase passed its refund window: both were rewarded
    TAKEN_BACK = "taken_back"  # that purchase was refunded afterwards: both rewards taken back


class Referral(db.Model):
    """A friend who signed up with a resident's invite code: one inviter per invitee (unique)."""

    __tablename__ = "referrals"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    inviter_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    invitee_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True)
    status = db.Column(db.String(10), nullable=False, default=ReferralStatus.JOINED.value)
    purchase_id = db.Column(db.Integer, db.ForeignKey("purchases.id"), nullable=True)   # the qualifying one
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    rewarded_at = db.Column(UTCDateTime, nullable=True)
    taken_back_at = db.Column(UTCDateTime, nullable=True)

    __table_args__ = (db.CheckConstraint("inviter_id <> invitee_id", name="referral_not_self"),)
