"""Scenario pushes: a message the store sends a segment (once, every school morning, or when staff
trigger it), and one delivery row per resident and occasion.

"At most once" is a database rule: a delivery row is unique per push, occasion and resident (and
per campaign and resident when the push belongs to a campaign), and it is claimed (inserted) before
anything is sent. The weekly cap is counted under a lock on the resident's ``PushRecipient`` row,
taken after the claim, so two senders never both see room for one more push.
"""
from ..database import UTCDateTime, utcnow
from ..extensions import db
from .push_rules import DeliveryStatus, PushStatus


class ScenarioPush(db.Model):
    """A push to a segment: what it says (in both languages), to whom, when, with what holdout."""

    __tablename__ = "scenario_pushes"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    kind = db.Column(db.String(32), nullable=False)           # push_rules.PushKind
    title_zh = db.Column(db.String(60), nullable=False, default="")
    title_en = db.Column(db.String(60), nullable=False, default="")
    body_zh = db.Column(db.String(300), nullable=False, default="")
    body_en = db.Column(db.String(300), nullable=False, default="")
    segment = db.Column(db.String(20), nullable=False)        # a segment key (growth.segments)
    campaign_id = db.Column(db.Integer, db.ForeignKey("campaigns.id"), nullable=True)
    schedule = db.Column(db.String(16), nullable=False)       # push_rules.Schedule
    send_at = db.Column(UTCDateTime, nullable=True)           # once: when
    morning_min = db.Column(db.Integer, nullable=True)        # school mornings: minutes past midnight, store time
    holdout_percent = db.Column(db.Integer, nullable=False, default=0)
    status = db.Column(db.String(8), nullable=False, default=PushStatus.ACTIVE.value)
    last_occasion = db.Column(db.String(16), nullable=True)   # the last occasion it went out for
    last_sent_at = db.Column(UTCDateTime, nullable=True)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    stopped_at = db.Column(UTCDateTime, nullable=True)

    __table_args__ = (db.CheckConstraint("holdout_percent BETWEEN 0 AND 50", name="push_holdout_valid"),)


class PushDelivery(db.Model):
    """What one push did for one resident on one occasion: sent, deferred, skipped, or held out."""

    __tablename__ = "push_deliveries"

    id = db.Column(db.Integer, primary_key=True)
    push_id = db.Column(db.Integer, db.ForeignKey("scenario_pushes.id", ondelete="CASCADE"), nullable=False)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    occasion = db.Column(db.String(16), nullable=False)       # "once", a school date, "t" + a trigger date
    campaign_id = db.Column(db.Integer, db.ForeignKey("campaigns.id"), nullable=True)
    status = db.Column(db.String(20), nullable=False, default=DeliveryStatus.SENT.value)
    claimed_at = db.Column(UTCDateTime, nullable=False)       # when it was decided (the weekly cap counts it)
    deferred_until = db.Column(UTCDateTime, nullable=True)    # quiet hours: when it goes out
    sent_at = db.Column(UTCDateTime, nullable=True)
    grant_id = db.Column(db.Integer, db.ForeignKey("coupon_grants.id"), nullable=True)

    __table_args__ = (
        db.UniqueConstraint("push_id", "occasion", "user_id"),
        # Once per resident per campaign, whatever push of the campaign reaches them.
        db.Index("uq_push_deliveries_campaign_user", "campaign_id", "user_id", unique=True,
                 sqlite_where=db.text("campaign_id IS NOT NULL"),
                 postgresql_where=db.text("campaign_id IS NOT NULL")),
        db.Index("ix_push_deliveries_user_claimed", "user_id", "claimed_at"),
        db.Index("ix_push_deliveries_due", "store_id", "status", "deferred_until"),
    )


class PushRecipient(db.Model):
    """A resident's lock for the weekly cap: a claim updates this row first (a row lock on
    PostgreSQL, the write lock on SQLite), then counts the resident's pushes of the week."""

    __tablename__ = "push_recipients"

    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    claims = db.Column(db.Integer, nullable=False, default=0)
    last_claim_at = db.Column(UTCDateTime, nullable=True)
