"""Bookings and everything that follows one: offers to vendors, the vendors' ledger, complaints under
the store's guarantee, disputes, reviews, and each change of a vendor's standing.

No double booking, enforced by the database itself: a booking that occupies a crew
(``OCCUPYING``) blocks ``[block_start_at, block_end_at)`` (its time with both buffers) for that crew.
- PostgreSQL: an exclusion constraint (``btree_gist``) over ``crew_id WITH =`` and the time range
  ``WITH &&``, limited to the occupying statuses.
- SQLite: triggers before INSERT and UPDATE that abort when an occupying booking of the same crew
  overlaps. SQLite runs one writer at a time, so the check and the write cannot interleave.
A direct INSERT that bypasses the app is refused the same way.
"""
from enum import StrEnum

from sqlalchemy import DDL, event, text
from sqlalchemy.dialects.postgresql import ExcludeConstraint

from store_app.database import UTCDateTime, utcnow
from store_app.extensions import db

from .statuses import OCCUPYING, BookingStatus

_OCCUPYING_SQL = ", ".join(f"'{s}'" for s in OCCUPYING)


class PaymentMethod(StrEnum):
    WALLET = "wallet"  # held from the resident's wallet at booking, kept on completion, returned on cancel
    CASH = "cash"      # paid to the vendor on site: the store's commission is owed by the vendor


class Booking(db.Model):
    """One job: who, what, when (with buffers), where, for how much, and every step's time."""

    __tablename__ = "service_bookings"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, index=True)
    resident_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    offering_id = db.Column(db.Integer, db.ForeignKey("service_offerings.id"), nullable=False)
    category_id = db.Column(db.Integer, db.ForeignKey("service_categories.id"), nullable=False, index=True)
    vendor_id = db.Column(db.Integer, db.ForeignKey("vendors.id"), nullable=True, index=True)
    crew_id = db.Column(db.Integer, db.ForeignKey("vendor_crews.id"), nullable=True, index=True)
    status = db.Column(db.String(16), nullable=False, default=BookingStatus.HELD.value, index=True)
    starts_at = db.Column(UTCDateTime, nullable=False)
    ends_at = db.Column(UTCDateTime, nullable=False)
    block_start_at = db.Column(UTCDateTime, nullable=False)  # starts_at minus the buffer before
    block_end_at = db.Column(UTCDateTime, nullable=False)    # ends_at plus the buffer after
    hold_expires_at = db.Column(UTCDateTime, nullable=True)
    address_id = db.Column(db.Integer, db.ForeignKey("addresses.id"), nullable=True)
    address_text = db.Column(db.String(200), nullable=False, default="")  # shown to the vendor once accepted
    contact_phone = db.Column(db.String(20), nullable=False, default="")
    description = db.Column(db.String(1000), nullable=False, default="")
    photos = db.Column(db.JSON, nullable=False, default=list)
    price_model = db.Column(db.String(8), nullable=False)
    price_cents = db.Column(db.Integer, nullable=False)
    commission_bps = db.Column(db.Integer, nullable=False)  # the category's rate when booked
    payment_method = db.Column(db.String(8), nullable=False, default=PaymentMethod.WALLET.value)
    held_cents = db.Column(db.Integer, nullable=False, default=0)  # taken from the wallet at booking
    extras_cents = db.Column(db.Integer, nullable=False, default=0)  # approved by the resident on site
    fee_cents = db.Column(db.Integer, nullable=False, default=0)     # a cancellation or no-show fee kept
    # What the resident's coupon took off the price (the store funds it: the vendor's earning and the
    # commission are on ``price_cents``; ``held_cents`` is price_cents - discount_cents).
    discount_cents = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    idempotency_key = db.Column(db.String(64), nullable=True)
    accept_by_at = db.Column(UTCDateTime, nullable=True)     # the vendor's deadline to accept
    reoffer_until_at = db.Column(UTCDateTime, nullable=True)  # the second deadline, then staff
    redo_of_id = db.Column(db.Integer, db.ForeignKey("service_bookings.id"), nullable=True)
    rescheduled_from_at = db.Column(UTCDateTime, nullable=True)  # the first start, for the fee rule
    reschedules = db.Column(db.Integer, nullable=False, default=0)
    cancelled_by = db.Column(db.String(8), nullable=True)  # resident, vendor, staff
    cancel_reason = db.Column(db.String(200), nullable=False, default="")
    id_checked_at = db.Column(UTCDateTime, nullable=True)  # a lockout: the ID seen at the door
    id_check_note = db.Column(db.String(120), nullable=False, default="")
    completion_photos = db.Column(db.JSON, nullable=False, default=list)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    requested_at = db.Column(UTCDateTime, nullable=True)
    accepted_at = db.Column(UTCDateTime, nullable=True)
    on_the_way_at = db.Column(UTCDateTime, nullable=True)
    arrived_at = db.Column(UTCDateTime, nullable=True)
    started_at = db.Column(UTCDateTime, nullable=True)
    done_at = db.Column(UTCDateTime, nullable=True)
    completed_at = db.Column(UTCDateTime, nullable=True)
    ended_at = db.Column(UTCDateTime, nullable=True)  # cancelled, expired, no-show: when it ended

    offering = db.relationship("Offering")
    category = db.relationship("ServiceCategory")
    vendor = db.relationship("Vendor")
    crew = db.relationship("Crew")
    address = db.relationship("Address")
    resident = db.relationship("User", foreign_keys=[resident_id])

    __table_args__ = (
        db.CheckConstraint("block_start_at <= starts_at AND starts_at < ends_at AND ends_at <= block_end_at",
                           name="booking_times_ordered"),
        db.CheckConstraint("price_cents > 0 AND held_cents >= 0 AND extras_cents >= 0 AND fee_cents >= 0",
                           name="booking_amounts_valid"),
        db.CheckConstraint("discount_cents >= 0 AND discount_cents <= price_cents", name="booking_discount_valid"),
        db.CheckConstraint("status NOT IN ('held', 'requested', 'accepted', 'on_the_way', 'arrived', 'in_progress') "
                           "OR crew_id IS NOT NULL", name="occupying_booking_has_crew"),
        db.Index("uq_service_bookings_idempotency", "resident_id", "idempotency_key", unique=True),
        ExcludeConstraint(
            (db.column("crew_id"), "="),
            (db.func.tstzrange(db.column("block_start_at"), db.column("block_end_at"), text("'[)'")), "&&"),
            name="no_double_booking", using="gist", where=text(f"status IN ({_OCCUPYING_SQL})"),
        ).ddl_if(dialect="postgresql"),
    )


# SQLite's equivalent of the exclusion constraint (also written by the migration).
SQLITE_OVERLAP_CHECK = (
    "SELECT RAISE(ABORT, 'no_double_booking') WHERE NEW.crew_id IS NOT NULL AND NEW.status IN ({occ}) "
    "AND EXISTS (SELECT 1 FROM service_bookings b WHERE b.crew_id = NEW.crew_id AND b.id IS NOT NEW.id "
    "AND b.status IN ({occ}) AND b.block_start_at < NEW.block_end_at AND NEW.block_start_at < b.block_end_at);"
).format(occ=_OCCUPYING_SQL)
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER no_double_booking_insert BEFORE INSERT ON service_bookings BEGIN {SQLITE_OVERLAP_CHECK} END",
    "CREATE TRIGGER no_double_booking_update BEFORE UPDATE OF crew_id, status, block_start_at, block_end_at "
    f"ON service_bookings BEGIN {SQLITE_OVERLAP_CHECK} END",
)
for _statement in SQLITE_TRIGGERS:
    event.listen(Booking.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
event.listen(Booking.__table__, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(dialect="postgresql"))

# PostgreSQL: writers of one crew's occupying bookings queue on a transaction-scoped advisory lock
# (key space ``CREW_LOCK_CLASS``, the crew id) before the exclusion constraint is checked. Without it,
# two transactions inserting overlapping rows at once can each wait for the other's row and one dies
# of a deadlock instead of the constraint's clean violation. Also written by the migration.
CREW_LOCK_CLASS = 13_0001
PG_CREW_LOCK = (
    "CREATE OR REPLACE FUNCTION service_bookings_lock_crew() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF NEW.crew_id IS NOT NULL AND NEW.status IN ({_OCCUPYING_SQL}) THEN "
    f"PERFORM pg_advisory_xact_lock({CREW_LOCK_CLASS}, NEW.crew_id); END IF; RETURN NEW; END $$",
    "CREATE TRIGGER no_double_booking_lock BEFORE INSERT OR UPDATE OF crew_id, status, block_start_at, "
    "block_end_at ON service_bookings FOR EACH ROW EXECUTE FUNCTION service_bookings_lock_crew()",
)
for _statement in PG_CREW_LOCK:
    event.listen(Booking.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))


class OfferState(StrEnum):
    OFFERED = "offered"    # waiting for this vendor's answer
    ACCEPTED = "accepted"  # this vendor took the job
    DECLINED = "declined"  # said no
    EXPIRED = "expired"    # did not answer before the deadline
    WITHDRAWN = "withdrawn"  # another vendor took it first, or the booking ended


class BookingOffer(db.Model):
    """The job offered to one vendor: the first to the booked vendor, then to every other suitable one.
    Acceptance rate counts these (leaving out times the vendor had declared unavailable)."""

    __tablename__ = "service_offers"

    id = db.Column(db.Integer, primary_key=True)
    booking_id = db.Column(db.Integer, db.ForeignKey("service_bookings.id", ondelete="CASCADE"), nullable=False,
                           index=True)
    vendor_id = db.Column(db.Integer, db.ForeignKey("vendors.id"), nullable=False, index=True)
    state = db.Column(db.String(10), nullable=False, default=OfferState.OFFERED.value)
    offered_at = db.Column(UTCDateTime, nullable=False)
    answer_by_at = db.Column(UTCDateTime, nullable=False)
    answered_at = db.Column(UTCDateTime, nullable=True)
    # False when the vendor had declared the time unavailable (a re-offer outside their pattern).
    counts_for_rate = db.Column(db.Boolean, nullable=False, default=True)

    __table_args__ = (db.UniqueConstraint("booking_id", "vendor_id", name="uq_offer_per_vendor"),)


class LedgerKind(StrEnum):
    EARNING = "earning"        # the job's price (+), when it completes, paid through the store
    COMMISSION = "commission"  # the store's share (-), on every completed job, cash ones too
    CASH_TAKEN = "cash_taken"  # the price the vendor took in cash on site (-): they hold it already
    FEE_SHARE = "fee_share"    # a cancellation or no-show fee passed to the vendor (+)
    REFUND = "refund"          # refunded to the resident by the vendor's fault (-)
    CHARGEBACK = "chargeback"  # a guarantee refund charged back to the vendor (-)
    PAYOUT = "payout"          # paid out to the vendor (-)
    ADJUSTMENT = "adjustment"  # staff correction, with a note


class VendorLedgerEntry(db.Model):
    """One movement of a vendor's money with the store, in integer cents; the balance is the sum and may
    go negative (chargebacks)."""

    __tablename__ = "vendor_ledger"

    id = db.Column(db.Integer, primary_key=True)
    vendor_id = db.Column(db.Integer, db.ForeignKey("vendors.id"), nullable=False, index=True)
    booking_id = db.Column(db.Integer, db.ForeignKey("service_bookings.id"), nullable=True, index=True)
    kind = db.Column(db.String(12), nullable=False)
    amount_cents = db.Column(db.Integer, nullable=False)
    note = db.Column(db.String(200), nullable=False, default="")
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow, index=True)

    __table_args__ = (
        db.CheckConstraint("amount_cents <> 0", name="ledger_amount_not_zero"),
        # One entry of each kind per booking, except adjustments: a retried step never pays twice.
        db.Index("uq_vendor_ledger_once", "booking_id", "kind", unique=True,
                 sqlite_where=text("booking_id IS NOT NULL AND kind <> 'adjustment'"),
                 postgresql_where=text("booking_id IS NOT NULL AND kind <> 'adjustment'")),
    )


class ClaimStatus(StrEnum):
    OPEN = "open"            # filed: staff decide before the deadline shown to the resident
    REDO = "redo"            # a free redo was booked (``redo_booking_id``)
    REFUNDED = "refunded"    # refunded from the guarantee fund, charged back to the vendor
    REJECTED = "rejected"    # not covered, with the reason
    DISPUTED = "disputed"    # the vendor disputes it: staff decide the dispute


class Claim(db.Model):
    """A complaint under the store's guarantee, within the category's window after completion."""

    __tablename__ = "service_claims"

    id = db.Column(db.Integer, primary_key=True)
    booking_id = db.Column(db.Integer, db.ForeignKey("service_bookings.id"), nullable=False, unique=True)
    resident_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    vendor_id = db.Column(db.Integer, db.ForeignKey("vendors.id"), nullable=False, index=True)
    kind = db.Column(db.String(8), nullable=False)  # redo (the work was not right) or damage
    text = db.Column(db.String(1000), nullable=False)
    photos = db.Column(db.JSON, nullable=False, default=list)
    status = db.Column(db.String(10), nullable=False, default=ClaimStatus.OPEN.value)
    decide_by_at = db.Column(UTCDateTime, nullable=False)  # the deadline the resident sees
    decision_note = db.Column(db.String(500), nullable=False, default="")
    refund_cents = db.Column(db.Integer, nullable=False, default=0)
    redo_booking_id = db.Column(db.Integer, db.ForeignKey("service_bookings.id"), nullable=True)
    upheld = db.Column(db.Boolean, nullable=True)  # counts against the vendor's score when True
    decided_by = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    decided_at = db.Column(UTCDateTime, nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    booking = db.relationship("Booking", foreign_keys=[booking_id])

    __table_args__ = (db.CheckConstraint("kind IN ('redo', 'damage')", name="claim_kind_valid"),)


class Dispute(db.Model):
    """A vendor contests a complaint or a no-show (wrong address, resident unreachable); an upheld
    dispute does not count against their score."""

    __tablename__ = "service_disputes"

    id = db.Column(db.Integer, primary_key=True)
    booking_id = db.Column(db.Integer, db.ForeignKey("service_bookings.id"), nullable=False, index=True)
    vendor_id = db.Column(db.Integer, db.ForeignKey("vendors.id"), nullable=False, index=True)
    claim_id = db.Column(db.Integer, db.ForeignKey("service_claims.id"), nullable=True)
    reason = db.Column(db.String(500), nullable=False)
    status = db.Column(db.String(10), nullable=False, default="open")  # open, upheld, rejected
    decision_note = db.Column(db.String(500), nullable=False, default="")
    decided_by = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    decided_at = db.Column(UTCDateTime, nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (db.UniqueConstraint("booking_id", "claim_id", name="uq_one_dispute_per_matter"),)


class Review(db.Model):
    """A verified review (only of a completed booking): stars, text, the vendor's one reply; staff may
    hide it with a recorded reason."""

    __tablename__ = "service_reviews"

    id = db.Column(db.Integer, primary_key=True)
    booking_id = db.Column(db.Integer, db.ForeignKey("service_bookings.id"), nullable=False, unique=True)
    vendor_id = db.Column(db.Integer, db.ForeignKey("vendors.id"), nullable=False, index=True)
    resident_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    stars = db.Column(db.Integer, nullable=False)
    text = db.Column(db.String(1000), nullable=False, default="")
    reply = db.Column(db.String(1000), nullable=True)
    replied_at = db.Column(UTCDateTime, nullable=True)
    hidden_reason = db.Column(db.String(200), nullable=True)
    hidden_by = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (db.CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),)


class StandingEvent(db.Model):
    """Each change of a vendor's standing (probation, suspension, restored, appeal decided), with the
    reason key and its numbers, so the vendor, staff and the log read the same story."""

    __tablename__ = "vendor_standing_events"

    id = db.Column(db.Integer, primary_key=True)
    vendor_id = db.Column(db.Integer, db.ForeignKey("vendors.id"), nullable=False, index=True)
    from_standing = db.Column(db.String(12), nullable=False)
    to_standing = db.Column(db.String(12), nullable=False)
    reason = db.Column(db.String(40), nullable=False)
    params = db.Column(db.JSON, nullable=False, default=dict)
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)  # None: the rules did it
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)


class Appeal(db.Model):
    """A suspended vendor's appeal, decided by staff."""

    __tablename__ = "vendor_appeals"

    id = db.Column(db.Integer, primary_key=True)
    vendor_id = db.Column(db.Integer, db.ForeignKey("vendors.id"), nullable=False, index=True)
    text = db.Column(db.String(1000), nullable=False)
    status = db.Column(db.String(10), nullable=False, default="open")  # open, granted, refused
    decision_note = db.Column(db.String(500), nullable=False, default="")
    decided_by = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    decided_at = db.Column(UTCDateTime, nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)


class VerifiedAddress(db.Model):
    """An address staff confirmed belongs to the resident (a lockout needs one, or a delivered order)."""

    __tablename__ = "service_verified_addresses"

    address_id = db.Column(db.Integer, db.ForeignKey("addresses.id", ondelete="CASCADE"), primary_key=True)
    verified_by = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    verified_at = db.Column(UTCDateTime, nullable=False)
