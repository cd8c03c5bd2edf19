"""A message to one user, shown in their in-app inbox. ``kind`` + ``params`` are rendered in the
reader's language when shown (``presenters``); ``dedupe_key`` makes "tell them once" a database
rule: the same key for the same user is stored only once."""
from ..database import UTCDateTime, utcnow
from ..extensions import db


class Notification(db.Model):
    __tablename__ = "notifications"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    kind = db.Column(db.String(32), nullable=False)
    params = db.Column(db.JSON, nullable=False, default=dict)
    link = db.Column(db.String(255), nullable=False, default="")
    dedupe_key = db.Column(db.String(120), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    read_at = db.Column(UTCDateTime, nullable=True)

    __table_args__ = (
        db.UniqueConstraint("user_id", "dedupe_key"),
        db.Index("ix_notifications_user_created", "user_id", "created_at"),
    )

    def __repr__(self):
        return f"<Notification {self.id} {self.kind} user {self.user_id}>"


class OutboxMessage(db.Model):
    """A message to send outside the app (SMS, email, the log), sent by the outbox job.

    ``dedupe_key`` is unique: the same message is queued once, and the key goes to the gateway as
    its idempotency key. A row is claimed (``sending``, with a lease) before the adapter is called;
    a failure waits ``next_attempt_at`` (exponential backoff) and is retried up to a limit.
    """

    __tablename__ = "outbox_messages"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False)
    channel = db.Column(db.String(8), nullable=False)        # "sms", "email" or "log"
    recipient = db.Column(db.String(120), nullable=False)    # a phone number or an email address
    subject = db.Column(db.String(120), nullable=False, default="")
    body = db.Column(db.String(500), nullable=False)
    dedupe_key = db.Column(db.String(120), nullable=False, unique=True)
    status = db.Column(db.String(8), nullable=False, default="pending")  # pending, sending, sent, failed
    attempts = db.Column(db.Integer, nullable=False, default=0)
    next_attempt_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    lease_until = db.Column(UTCDateTime, nullable=True)
    last_error = db.Column(db.String(200), nullable=False, default="")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = db.Column(UTCDateTime, nullable=True)

    __table_args__ = (db.Index("ix_outbox_due", "status", "next_attempt_at"),)


class NotificationPreference(db.Model):
    """Whether a user wants one optional kind of push (``quiet_rules.OPTIONAL_KINDS``): one row per
    user and kind, written when they change it on their settings page. No row: the kind is on.
    Service and order notices have no row and cannot be turned off."""

    __tablename__ = "notification_preferences"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    kind = db.Column(db.String(24), nullable=False)
    enabled = db.Column(db.Boolean, nullable=False, default=True)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (db.UniqueConstraint("user_id", "kind"),)
