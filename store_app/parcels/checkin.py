"""Checking a parcel in: the fields cleaned, a slot on a shelf, a label code and a pickup code, the
resident told. Check-ins of one store queue for a moment on a per-store advisory lock (PostgreSQL),
and the partial unique indexes settle the rest: a clash is retried with fresh values. Also the
counter's running list of what a staff member checked in."""
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from ..accounts import rules as account_rules
from ..accounts.models import User
from ..extensions import db
from ..roles import Role
from . import errors, rules
from .codes import code_secret
from .models import ON_SHELF, Parcel, ParcelEvent, ParcelStatus
from .notices import tell
from .shelves import CARRIER_NAME_MAX, carrier_key, list_carriers, propose, tier_spaces

CHECK_IN_ATTEMPTS = 8  # fresh slot numbers and codes tried when the unique indexes refuse a clash

NAME_MAX, NOTE_MAX = 80, 200  # as the columns


@dataclass(frozen=True)
class CheckedIn:
    """A parcel just put on the shelf, with its pickup code (for the resident, never shown at the counter)."""

    parcel: Parcel
    code: str
    matched: bool  # the phone belongs to a resident account


def clean_check_in(tracking_number, carrier, phone, size):
    """The check-in fields cleaned: ``(tracking, carrier, e164, size)`` or the first ``ParcelError``."""
    tracking = rules.normalise_tracking(tracking_number)
    if tracking is None:
        raise errors.TrackingInvalid()
    carrier = " ".join((carrier or "").split())
    if not carrier:
        raise errors.CarrierMissing()
    if len(carrier) > CARRIER_NAME_MAX:
        raise errors.TextTooLong("carrier", CARRIER_NAME_MAX)
    try:
        e164 = account_rules.normalise_phone(phone or "")
    except account_rules.InvalidPhone:
        raise errors.PhoneInvalid() from None
    if size not in rules.SIZES:
        raise errors.SizeInvalid()
    return tracking, carrier, e164, size


def _live_tracking(store_id, tracking):
    return db.session.scalar(db.select(Parcel.id).where(
        Parcel.store_id == store_id, Parcel.tracking_number == tracking,
        Parcel.status != ParcelStatus.RETURNED.value))


def _slot_for(store_id, size, override):
    """``(shelf, tier)`` proposed, or the staff's choice ``(shelf number, tier)`` if it has room."""
    if override is None:
        found = propose(store_id, size)
        if found is None:
            raise errors.ShelvesFull()
        return found[0], found[1].tier
    number, tier = override
    for shelf, space in tier_spaces(store_id):
        if space.shelf == number and space.tier == tier:
            if space.used + rules.SIZE_UNITS[size] > space.capacity:
                raise errors.SlotInvalid()
            return shelf, tier
    raise errors.SlotInvalid()


def _sequence_on(shelf_id, tier):
    taken = db.session.scalars(db.select(Parcel.sequence).where(
        Parcel.shelf_id == shelf_id, Parcel.tier == tier, Parcel.status.in_(ON_SHELF))).all()
    last = db.session.scalar(db.select(Parcel.sequence).where(Parcel.shelf_id == shelf_id, Parcel.tier == tier)
                             .order_by(Parcel.id.desc()).limit(1)) or 0
    return rules.next_sequence(taken, last)


# The advisory lock's key space for check-ins: this constant plus the store id.
CHECK_IN_LOCK_BASE = 0x50415243_00000000  # "PARC"


def _one_check_in_at_a_time(store_id):
    """Check-ins of one store queue for a moment (a transaction-scoped advisory lock on PostgreSQL;
    SQLite's single writer already does it), so "least full tier" and "next slot number" are
    computed on what the counter before just saved: the shelves fill evenly under load. The unique
    indexes stay the guarantee; this only spares the retries."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(db.text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHECK_IN_LOCK_BASE + store_id})


def check_in(staff, *, tracking_number, carrier, phone, name="", size="small", note="", now, slot=None):
    """Put a parcel on the shelf: a slot (proposed, or ``slot=(shelf number, tier)``), a label code, a
    pickup code; the resident (matched by phone) is told. Returns ``CheckedIn``.

    Two counters checking in at once may compute the same slot number or code: the partial unique
    indexes refuse the second insert, which is retried (in a savepoint) with fresh values.
    """
    tracking, carrier, e164, size = clean_check_in(tracking_number, carrier, phone, size)
    carrier = carrier_key(list_carriers(staff.store_id), carrier)  # a known carrier's key, in either language
    for field, text, longest in (("recipient_name", name, NAME_MAX), ("note", note, NOTE_MAX)):
        if len((text or "").strip()) > longest:
            raise errors.TextTooLong(field, longest)
    store_id = staff.store_id
    _one_check_in_at_a_time(store_id)
    if _live_tracking(store_id, tracking) is not None:
        raise errors.DuplicateTracking()
    recipient = db.session.scalar(db.select(User).where(User.phone == e164, User.store_id == store_id,
                                                        User.role == Role.RESIDENT.value))
    for _attempt in range(CHECK_IN_ATTEMPTS):
        shelf, tier = _slot_for(store_id, size, slot)
        sequence = _sequence_on(shelf.id, tier)
        if sequence is None:
            raise errors.ShelvesFull()
        nonce = rules.new_code_nonce()
        code = rules.derive_code(code_secret(), nonce)
        parcel = Parcel(store_id=store_id, tracking_number=tracking, carrier=carrier, recipient_phone=e164,
                        recipient_name=(name or "").strip(), recipient_id=recipient.id if recipient else None,
                        size=size, note=(note or "").strip(), status=ParcelStatus.WAITING.value,
                        shelf_id=shelf.id, tier=tier, sequence=sequence,
                        shelf_code=rules.shelf_code(shelf.number, tier, sequence),
                        code_hash=rules.hash_code(code_secret(), store_id, code), code_nonce=nonce,
                        checked_in_at=now, checked_in_by=staff.id)
        try:
            with db.session.begin_nested():
                db.session.add(parcel)
        except IntegrityError:
            if _live_tracking(store_id, tracking) is not None:
                raise errors.DuplicateTracking() from None
            continue  # a slot number or a code another counter took a moment ago: try again
        db.session.add(ParcelEvent(parcel_id=parcel.id, kind="checked_in", actor_id=staff.id, at=now,
                                   note=parcel.shelf_code))
        tell(parcel, "parcel_arrived", "arrived", now, code=code)
        db.session.flush()
        return CheckedIn(parcel, code, recipient is not None)
    raise errors.ShelvesFull()


def list_checked_in_by(store_id, staff_id, since, limit=100):
    """Parcels ``staff_id`` checked in at or after ``since`` (a batch's running list), newest first."""
    return db.session.scalars(db.select(Parcel).where(
        Parcel.store_id == store_id, Parcel.checked_in_by == staff_id, Parcel.checked_in_at >= since)
        .order_by(Parcel.id.desc()).limit(limit)).all()
