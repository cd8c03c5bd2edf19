"""Users and their delivery addresses."""
from flask_login import UserMixin

from ..database import UTCDateTime, utcnow
from ..extensions import db
from ..roles import Role


class User(UserMixin, db.Model):
    """A person's one account, across every line of business."""

    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    phone = db.Column(db.String(20), nullable=False, unique=True)  # E.164, e.g. +8613800138000
    # The name as the person writes it; ``name_en`` optionally in Latin letters for English pages
    # ("张伟" / "Zhang Wei"). ``localized(user)`` picks one; ``name_zh`` is ``name`` for it.
    name = db.Column(db.String(80), nullable=False)
    name_en = db.Column(db.String(80), nullable=False, default="", server_default="")
    name_zh = db.synonym("name")
    password_hash = db.Column(db.String(255), nullable=False)
    role = db.Column(db.String(16), nullable=False, default=Role.RESIDENT.value)
    locale = db.Column(db.String(8), nullable=True)
    # Bumped on logout and password change: every session issued before stops working.
    session_version = db.Column(db.Integer, nullable=False, default=1)
    is_enabled = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at = db.Column(UTCDateTime, nullable=True)

    store = db.relationship("Store")
    addresses = db.relationship("Address", back_populates="user", cascade="all, delete-orphan",
                                order_by="(Address.is_default.desc(), Address.id)")

    __table_args__ = (
        db.CheckConstraint("role IN ('resident', 'staff', 'courier', 'vendor', 'owner')", name="role_valid"),
    )

    @property
    def is_active(self):
        """Flask-Login: a disabled account cannot log in or keep a session."""
        return bool(self.is_enabled)

    def get_id(self):
        """The session token ``"<id>.<session_version>"``: a bumped version ends old sessions."""
        return f"{self.id}.{self.session_version}"

    @property
    def role_enum(self):
        return Role(self.role)

    def default_address(self):
        """The default address, or the first one, or None."""
        return next((a for a in self.addresses if a.is_default), self.addresses[0] if self.addresses else None)

    def __repr__(self):
        return f"<User {self.id} {self.role}>"


class Address(db.Model):
    """A delivery address: a gazetteer building plus a unit/room typed by the resident."""

    __tablename__ = "addresses"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    building_id = db.Column(db.Integer, db.ForeignKey("buildings.id"), nullable=False)
    unit = db.Column(db.String(64), nullable=False)
    label = db.Column(db.String(40), nullable=False, default="")
    is_default = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    user = db.relationship("User", back_populates="addresses")
    # An address is always shown with its building's name and used with its location.
    building = db.relationship("Building", lazy="joined", innerjoin=True)

    __table_args__ = (
        # At most one default address per user, enforced by the database itself.
        db.Index("uq_addresses_one_default", "user_id", unique=True,
                 sqlite_where=db.text("is_default"), postgresql_where=db.text("is_default")),
    )

    def one_line(self):
        """``"Lianhua Garden Bldg 3, 1202"``."""
        return f"{self.building.name}, {self.unit}"


class DeviceToken(db.Model):
    """A counter tablet's or a courier phone's key to the JSON API (``Authorization: Bearer``).

    It acts as its account, with that account's role, and only on ``/api/v1``. Only the token's
    SHA-256 is kept (the token is 256 random bits: a slow hash would add nothing); staff see the
    token once, when they make it, and recognise it later by its name and first characters.
    """

    __tablename__ = "device_tokens"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name = db.Column(db.String(60), nullable=False)  # "Counter tablet 2", "Li's phone"
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    token_prefix = db.Column(db.String(12), nullable=False)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(UTCDateTime, nullable=True)
    revoked_at = db.Column(UTCDateTime, nullable=True)
    revoked_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)

    user = db.relationship("User", foreign_keys=[user_id])

    @property
    def is_revoked(self):
        return self.revoked_at is not None


class UserActivity(db.Model):
    """A resident was active (opened a page while logged in) on a calendar day of their store's time
    zone: one row per resident and day, for DAU, WAU, MAU and retention (``accounts.activity``)."""

    __tablename__ = "user_activity"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False)
    day = db.Column(db.Date, nullable=False)          # the store's local calendar day
    first_at = db.Column(UTCDateTime, nullable=False)  # the first request of that day

    __table_args__ = (
        db.UniqueConstraint("user_id", "day"),
        db.Index("ix_user_activity_store_day", "store_id", "day"),
    )
