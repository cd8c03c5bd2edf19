"""Growth's shared records: coupons and the residents' copies of them, campaigns with their
members (and holdout), segment memberships, and the purchases every line reports.

Limits are database rules, never read-then-write: a copy of a coupon takes a ``seq`` below the
per-user limit (unique per coupon and user), ``issued_count``/``used_count`` grow by conditional
UPDATEs under CHECK constraints, a campaign's member row is unique per resident.
"""
from enum import StrEnum

from ..database import UTCDateTime, utcnow
from ..extensions import db


class CouponKind(StrEnum):
    NEW_USER = "new_user"              # a fixed amount off a resident's first purchase
    SPEND_SAVE = "spend_save"          # 满减: spend at least X, save Y
    PERCENT = "percent"                # percent off the goods, with a cap
    FREE_DELIVERY = "free_delivery"    # the delivery fee waived
    MEMBER_DAY = "member_day"          # a fixed amount or percent off on one weekday (store time)


class GrantStatus(StrEnum):
    AVAILABLE = "available"   # in the resident's wallet of coupons, usable within its window
    RESERVED = "reserved"     # on a checkout not yet paid
    USED = "used"             # on a paid purchase: spent
    EXPIRED = "expired"       # its window ended unused
    REVOKED = "revoked"       # taken back by staff (or with the referral reward it came with)


class Coupon(db.Model):
    """A kind of discount the store offers; residents hold copies (``CouponGrant``)."""

    __tablename__ = "coupons"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    kind = db.Column(db.String(16), nullable=False)
    title_zh = db.Column(db.String(80), nullable=False)
    title_en = db.Column(db.String(80), nullable=False)
    amount_off_cents = db.Column(db.Integer, nullable=False, default=0)   # new_user, spend_save, member_day
    percent_off = db.Column(db.Integer, nullable=False, default=0)        # percent, member_day: 1..100
    cap_cents = db.Column(db.Integer, nullable=True)                      # the most a percent takes off
    min_spend_cents = db.Column(db.Integer, nullable=False, default=0)    # on the goods it applies to
    min_items = db.Column(db.Integer, nullable=False, default=0)
    category_id = db.Column(db.Integer, db.ForeignKey("categories.id"), nullable=True)  # only these goods
    merchant_id = db.Column(db.Integer, db.ForeignKey("merchants.id"), nullable=True)
    lines = db.Column(db.String(80), nullable=False, default="delivery,pickup")  # baskets.Line values, comma-separated
    stacks = db.Column(db.Boolean, nullable=False, default=False)         # combines with other kinds
    member_weekday = db.Column(db.Integer, nullable=True)                 # member_day: 0 = Monday
    starts_at = db.Column(UTCDateTime, nullable=False)
    ends_at = db.Column(UTCDateTime, nullable=False)
    valid_days = db.Column(db.Integer, nullable=True)       # a copy expires this many days after it is given
    per_user_limit = db.Column(db.Integer, nullable=False, default=1)
    total_limit = db.Column(db.Integer, nullable=True)      # copies that may ever be given; None: no limit
    issued_count = db.Column(db.Integer, nullable=False, default=0)
    used_count = db.Column(db.Integer, nullable=False, default=0)
    claimable = db.Column(db.Boolean, nullable=False, default=False)      # shown in the coupon centre
    code_hash = db.Column(db.String(64), nullable=True)     # sha256 of a typed code, when it has one
    campaign_id = db.Column(db.Integer, db.ForeignKey("campaigns.id", use_alter=True), nullable=True)
    paused = db.Column(db.Boolean, nullable=False, default=False)
    # Points that buy one copy in the points catalogue (growth.points.redeem); None: not for points.
    points_price = db.Column(db.Integer, nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        db.CheckConstraint("total_limit IS NULL OR issued_count <= total_limit", name="issued_within_limit"),
        db.CheckConstraint("used_count <= issued_count", name="used_within_issued"),
        db.CheckConstraint("per_user_limit >= 1 AND amount_off_cents >= 0 AND percent_off BETWEEN 0 AND 100"
                           " AND min_spend_cents >= 0 AND min_items >= 0", name="terms_valid"),
        db.UniqueConstraint("store_id", "code_hash"),
        db.CheckConstraint("points_price IS NULL OR points_price > 0", name="points_price_valid"),
    )

    def line_set(self):
        return frozenset(part for part in (self.lines or "").split(",") if part)


class CouponGrant(db.Model):
    """One resident's copy of a coupon: claimed, issued by a campaign, typed as a code, bought with
    points, or given with a referral. ``seq`` counts the resident's copies of the coupon (1 ..
    per_user_limit) and is unique with them, so the per-user limit holds under any race."""

    __tablename__ = "coupon_grants"

    id = db.Column(db.Integer, primary_key=True)
    coupon_id = db.Column(db.Integer, db.ForeignKey("coupons.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False)
    seq = db.Column(db.Integer, nullable=False)
    source = db.Column(db.String(12), nullable=False)     # claim, campaign, code, points, referral, staff
    status = db.Column(db.String(10), nullable=False, default=GrantStatus.AVAILABLE.value)
    purchase_ref = db.Column(db.String(40), nullable=True)   # the checkout it is reserved for / used on
    discount_cents = db.Column(db.Integer, nullable=False, default=0)  # what it took off there
    granted_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = db.Column(UTCDateTime, nullable=False)
    reserved_at = db.Column(UTCDateTime, nullable=True)
    used_at = db.Column(UTCDateTime, nullable=True)
    released_at = db.Column(UTCDateTime, nullable=True)

    __table_args__ = (
        db.UniqueConstraint("coupon_id", "user_id", "seq"),
        db.Index("ix_coupon_grants_user_status", "user_id", "status"),
    )


class CampaignStatus(StrEnum):
    DRAFT = "draft"          # being set up; a dry run may be replayed
    RUNNING = "running"      # launched: its coupon is given to the segment, its message sent
    PAUSED = "paused"        # its budget ran out, or staff paused it
    ENDED = "ended"          # past its end, or ended by staff


class Campaign(db.Model):
    """A coupon and/or a message to a segment, with a budget and an optional holdout."""

    __tablename__ = "campaigns"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    name = db.Column(db.String(80), nullable=False)
    status = db.Column(db.String(8), nullable=False, default=CampaignStatus.DRAFT.value)
    segment = db.Column(db.String(20), nullable=False)       # a segment key (growth.segments)
    coupon_id = db.Column(db.Integer, db.ForeignKey("coupons.id"), nullable=True)
    budget_cents = db.Column(db.Integer, nullable=True)      # discounts it may give; None: no cap
    spent_cents = db.Column(db.Integer, nullable=False, default=0)
    holdout_percent = db.Column(db.Integer, nullable=False, default=0)   # 0..50: members who get nothing
    starts_at = db.Column(UTCDateTime, nullable=False)
    ends_at = db.Column(UTCDateTime, nullable=False)
    dry_run = db.Column(db.JSON, nullable=True)              # the last dry run's figures
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    launched_at = db.Column(UTCDateTime, nullable=True)
    paused_reason = db.Column(db.String(20), nullable=True)  # budget, staff

    __table_args__ = (
        db.CheckConstraint("holdout_percent BETWEEN 0 AND 50", name="holdout_valid"),
        db.CheckConstraint("spent_cents >= 0", name="spent_valid"),
    )


class CampaignMember(db.Model):
    """A resident a campaign reached (or held out): one row per resident per campaign, so nothing
    reaches anyone twice."""

    __tablename__ = "campaign_members"

    id = db.Column(db.Integer, primary_key=True)
    campaign_id = db.Column(db.Integer, db.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    holdout = db.Column(db.Boolean, nullable=False, default=False)
    grant_id = db.Column(db.Integer, db.ForeignKey("coupon_grants.id"), nullable=True)
    assigned_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    pushed_at = db.Column(UTCDateTime, nullable=True)        # the message reached the inbox
    converted_at = db.Column(UTCDateTime, nullable=True)     # first purchase after assigned_at

    __table_args__ = (db.UniqueConstraint("campaign_id", "user_id"),)


class SegmentMember(db.Model):
    """A resident in a segment, as the periodic job last computed it."""

    __tablename__ = "segment_members"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False)
    segment = db.Column(db.String(20), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    computed_at = db.Column(UTCDateTime, nullable=False)

    __table_args__ = (db.UniqueConstraint("store_id", "segment", "user_id"),)


class PurchaseStatus(StrEnum):
    PLACED = "placed"          # paid (or to be paid at the door), not yet fulfilled
    COMPLETED = "completed"    # delivered, collected, eaten, the job done
    CANCELLED = "cancelled"    # cancelled before it was fulfilled


class Purchase(db.Model):
    """What a resident bought on one line, as that line reported it (``growth.purchases``).

    Points, referrals, segments, campaign conversion and the board read these rows, never a line's
    own tables. ``ref`` names the line's record ("order:12", "breakfast:5", "booking:9") and is unique.
    """

    __tablename__ = "purchases"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    line = db.Column(db.String(12), nullable=False)
    ref = db.Column(db.String(40), nullable=False, unique=True)
    status = db.Column(db.String(10), nullable=False, default=PurchaseStatus.PLACED.value)
    goods_cents = db.Column(db.Integer, nullable=False)       # paid for goods or the service, after discounts
    fee_cents = db.Column(db.Integer, nullable=False, default=0)    # delivery and other fees, after discounts
    discount_cents = db.Column(db.Integer, nullable=False, default=0)
    refunded_cents = db.Column(db.Integer, nullable=False, default=0)
    basket = db.Column(db.JSON, nullable=True)                # baskets.Basket.to_json(), before discounts
    placed_at = db.Column(UTCDateTime, nullable=False)
    completed_at = db.Column(UTCDateTime, nullable=True)
    cancelled_at = db.Column(UTCDateTime, nullable=True)
    refund_window_ends_at = db.Column(UTCDateTime, nullable=True)   # completed_at + the line's window

    __table_args__ = (
        db.Index("ix_purchases_user_placed", "user_id", "placed_at"),
        db.Index("ix_purchases_store_placed", "store_id", "placed_at"),
        db.CheckConstraint("goods_cents >= 0 AND fee_cents >= 0 AND discount_cents >= 0"
                           " AND refunded_cents >= 0", name="money_valid"),
    )
