"""The parcel station: shelves, parcels on them, who may collect for whom, and every step on record."""
from enum import StrEnum

from ..database import UTCDateTime, utcnow
from ..extensions import db


class ParcelStatus(StrEnum):
    WAITING = "waiting"            # on the shelf, the resident can collect it
    OUT_FOR_DELIVERY = "out"       # "bring it to my door": a courier task carries it
    COLLECTED = "collected"        # handed over at the counter (or at the door)
    RETURN_LISTED = "return"       # overdue: on the list for the carrier's driver
    RETURNED = "returned"          # handed back to the carrier


# Parcels that occupy a shelf slot and a pickup code.
ON_SHELF = (ParcelStatus.WAITING.value, ParcelStatus.RETURN_LISTED.value)


class Shelf(db.Model):
    """A shelf at the station: ``tiers`` tiers (1 = top) holding ``capacity`` size units each."""

    __tablename__ = "parcel_shelves"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False)
    number = db.Column(db.Integer, nullable=False)
    tiers = db.Column(db.Integer, nullable=False, default=4)
    capacity = db.Column(db.Integer, nullable=False, default=20)
    is_active = db.Column(db.Boolean, nullable=False, default=True)

    __table_args__ = (
        db.UniqueConstraint("store_id", "number"),
        db.CheckConstraint("tiers BETWEEN 1 AND 9 AND capacity BETWEEN 1 AND 500 AND number BETWEEN 1 AND 999",
                           name="shape"),
    )


class Carrier(db.Model):
    """A carrier name staff pick from at check-in (the list is the store's, editable)."""

    __tablename__ = "parcel_carriers"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False)
    # The carrier's name per language ("顺丰速运" / "SF Express"), one may be empty. A parcel keeps the
    # name it was checked in with (``Parcel.carrier``: ``name_zh``, else ``name_en``).
    name_zh = db.Column(db.String(40), nullable=False, default="", server_default="")
    name_en = db.Column(db.String(40), nullable=False, default="", server_default="")
    position = db.Column(db.Integer, nullable=False, default=0)

    @property
    def key(self):
        """What a parcel checked in with this carrier stores in ``Parcel.carrier``."""
        return self.name_zh or self.name_en


class Parcel(db.Model):
    """One parcel. The pickup code itself is never stored: a random nonce is, from which the code is
    derived with the app's secret key (so the resident's page can show it), and its keyed hash, by
    which a typed code is found (``rules.derive_code``, ``rules.hash_code``)."""

    __tablename__ = "parcels"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False)
    tracking_number = db.Column(db.String(40), nullable=False)
    carrier = db.Column(db.String(40), nullable=False)
    recipient_phone = db.Column(db.String(20), nullable=False)
    recipient_name = db.Column(db.String(80), nullable=False, default="")
    recipient_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    size = db.Column(db.String(8), nullable=False, default="small")
    note = db.Column(db.String(200), nullable=False, default="")
    status = db.Column(db.String(10), nullable=False, default=ParcelStatus.WAITING.value)
    shelf_id = db.Column(db.Integer, db.ForeignKey("parcel_shelves.id"), nullable=True)
    tier = db.Column(db.Integer, nullable=True)
    sequence = db.Column(db.Integer, nullable=True)
    shelf_code = db.Column(db.String(12), nullable=True)
    code_hash = db.Column(db.String(64), nullable=True)
    code_nonce = db.Column(db.String(32), nullable=True)  # the code is derived from it and the app's key
    code_misses = db.Column(db.Integer, nullable=False, default=0)
    checked_in_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    checked_in_by = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    reminded_1_at = db.Column(UTCDateTime, nullable=True)
    reminded_2_at = db.Column(UTCDateTime, nullable=True)
    return_listed_at = db.Column(UTCDateTime, nullable=True)
    returned_at = db.Column(UTCDateTime, nullable=True)
    returned_by = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    collected_at = db.Column(UTCDateTime, nullable=True)
    handed_over_by = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    collected_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    collected_as = db.Column(db.String(10), nullable=True)  # "recipient", "proxy" or "door"
    fee_cents = db.Column(db.Integer, nullable=False, default=0)
    fee_paid_with = db.Column(db.String(10), nullable=True)  # "cash" or "wallet"
    delivery_order_id = db.Column(db.Integer, db.ForeignKey("orders.id"), nullable=True)

    shelf = db.relationship("Shelf")
    recipient = db.relationship("User", foreign_keys=[recipient_id])

    __table_args__ = (
        # One tracking number once per store, unless the first went back to the carrier.
        db.Index("uq_parcels_tracking_live", "store_id", "tracking_number", unique=True,
                 sqlite_where=db.text("status != 'returned'"), postgresql_where=db.text("status != 'returned'")),
        # A shelf slot and a pickup code belong to one parcel on the shelf at a time.
        db.Index("uq_parcels_slot_on_shelf", "shelf_id", "tier", "sequence", unique=True,
                 sqlite_where=db.text("status IN ('waiting', 'return')"),
                 postgresql_where=db.text("status IN ('waiting', 'return')")),
        db.Index("uq_parcels_code_on_shelf", "store_id", "code_hash", unique=True,
                 sqlite_where=db.text("status IN ('waiting', 'return')"),
                 postgresql_where=db.text("status IN ('waiting', 'return')")),
        db.Index("ix_parcels_store_status", "store_id", "status", "checked_in_at"),
        db.Index("ix_parcels_recipient_phone", "store_id", "recipient_phone"),
        db.CheckConstraint("size IN ('small', 'medium', 'large')", name="size_known"),
    )


class ParcelProxy(db.Model):
    """A resident lets someone else (by phone) collect one parcel, or all of theirs (``parcel_id`` NULL)."""

    __tablename__ = "parcel_proxies"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id"), nullable=False)
    owner_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    proxy_phone = db.Column(db.String(20), nullable=False, index=True)
    parcel_id = db.Column(db.Integer, db.ForeignKey("parcels.id", ondelete="CASCADE"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    revoked_at = db.Column(UTCDateTime, nullable=True)


class ParcelEvent(db.Model):
    """The audit trail: checked in, reminded, listed for return, returned, handed over (to whom), code re-issued."""

    __tablename__ = "parcel_events"

    id = db.Column(db.Integer, primary_key=True)
    parcel_id = db.Column(db.Integer, db.ForeignKey("parcels.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = db.Column(db.String(20), nullable=False)
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    to_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    note = db.Column(db.String(200), nullable=False, default="")
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
