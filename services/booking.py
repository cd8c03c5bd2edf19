"""Booking a slot: hold it for 5 minutes, confirm it (address, description, photos, payment), and the
resident's own bookings. Cancelling and rescheduling are in ``booking_changes``.

No double booking is the database's job (``no_double_booking``: an exclusion constraint on PostgreSQL,
triggers on SQLite). A hold is a plain INSERT of a ``held`` booking on a crew the slot rule found free;
when another transaction got there first, the constraint refuses it, and the resident is offered the
next free slots. Operations flush, never commit.
"""
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from store_app.accounts.operations import get_address
from store_app.extensions import db
from store_app.uploads import storage
from store_app.wallet.errors import InsufficientFunds
from store_app.wallet.operations import debit

from . import booking_coupons, booking_rules, catalog, job_notices, slot_rules
from .booking_models import Booking, BookingOffer, PaymentMethod, VerifiedAddress
from .models import Crew
from .errors import (AddressNotVerified, AddressRequired, CashNotAccepted, HoldLapsed, NotFound, SlotTaken,
                     SlotUnavailable, WalletShort)
from .statuses import BookingStatus
from .steps import move, move_all

PHOTO_FOLDER = "service_bookings"  # the resident's photos of the job, under instance/uploads (private)


def _photo_names():
    return {name for photos in db.session.scalars(db.select(Booking.photos)) for name in (photos or [])
            if isinstance(name, str)}


storage.register_folder(PHOTO_FOLDER, _photo_names)


def get_by_key(resident_id, idempotency_key):
    """The resident's booking made with this idempotency key, or None."""
    if not idempotency_key:
        return None
    return db.session.scalar(db.select(Booking).where(Booking.resident_id == resident_id,
                                                      Booking.idempotency_key == idempotency_key))


def get_resident_booking(resident_id, booking_id):
    """The resident's own booking; ``NotFound`` for a missing or someone else's."""
    booking = db.session.get(Booking, booking_id) if 0 < booking_id < 2**31 else None
    if booking is None or booking.resident_id != resident_id:
        raise NotFound()
    return booking


def list_resident_bookings(resident_id, limit=100):
    """The resident's bookings, the latest start first, without lapsed holds."""
    return db.session.scalars(db.select(Booking).where(Booking.resident_id == resident_id,
                                                       Booking.status != BookingStatus.EXPIRED.value)
                              .order_by(Booking.starts_at.desc(), Booking.id.desc()).limit(limit)).all()


def expire_lapsed_holds(now, *, crew_id=None, store_id=None):
    """held -> expired for every hold past its time (of one crew, or one store): a guarded bulk UPDATE,
    so a hold confirmed meanwhile is never touched. Returns how many lapsed."""
    conditions = [Booking.hold_expires_at <= now]
    if crew_id is not None:
        conditions.append(Booking.crew_id == crew_id)
    if store_id is not None:
        conditions.append(Booking.store_id == store_id)
    return move_all(BookingStatus.HELD, BookingStatus.EXPIRED, *conditions, now=now)


def free_crews_at(offering, store, starts_at, now, *, exclude_booking_id=None, staff=False):
    """The crews (in order) that could take ``starts_at``; ``SlotUnavailable`` when it is no slot at all."""
    query = catalog.slot_query(offering, store, now, first_day=starts_at.astimezone(catalog.store_tz(store)).date(),
                               days=1, exclude_booking_id=exclude_booking_id)
    if staff:
        query = replace(query, notice_min=0)
    if not slot_rules.free_crews(replace(query, busy=()), starts_at):
        raise SlotUnavailable()
    return slot_rules.free_crews(query, starts_at)


def _held_row(resident, offering, starts_at, crew_id, now, idempotency_key):
    ends_at = starts_at + timedelta(minutes=offering.duration_min)
    return Booking(
        store_id=offering.vendor.store_id, resident_id=resident.id, offering_id=offering.id,
        category_id=offering.category_id, vendor_id=offering.vendor_id, crew_id=crew_id,
        status=BookingStatus.HELD.value, starts_at=starts_at, ends_at=ends_at,
        block_start_at=starts_at - timedelta(minutes=offering.buffer_before_min),
        block_end_at=ends_at + timedelta(minutes=offering.buffer_after_min),
        hold_expires_at=booking_rules.hold_expires(now), contact_phone=resident.phone or "",
        price_model=offering.price_model,
        price_cents=booking_rules.price_to_hold_cents(offering.price_model, offering.price_cents,
                                                      offering.duration_min),
        commission_bps=offering.category.commission_bps, idempotency_key=idempotency_key, created_at=now)


def lock_crew(crew_id):
    """Queue behind anyone booking this crew right now (a row lock on PostgreSQL; SQLite has one writer).

    Correctness is the constraint's; this only keeps PostgreSQL from answering two overlapping INSERTs
    of the same crew with a deadlock (each waiting on the other's unfinished row) instead of a clean
    refusal: the second one waits for the first to commit, then the constraint refuses it."""
    db.session.execute(db.select(Crew.id).where(Crew.id == crew_id).with_for_update())


def hold_slot(resident, offering, starts_at, *, store, now, idempotency_key=None):
    """Hold ``starts_at`` of ``offering`` for 5 minutes on a free crew (lowest id first): a ``held``
    booking. A replayed idempotency key returns the first booking. The database refuses an overlap,
    and then the next crew is tried; when none is left, ``SlotTaken`` carries the next free slots."""
    existing = get_by_key(resident.id, idempotency_key)
    if existing is not None:
        return existing
    for crew_id in free_crews_at(offering, store, starts_at, now):
        lock_crew(crew_id)
        expire_lapsed_holds(now, crew_id=crew_id)
        booking = _held_row(resident, offering, starts_at, crew_id, now, idempotency_key)
        try:
            with db.session.begin_nested():
                db.session.add(booking)
        except IntegrityError:
            replay = get_by_key(resident.id, idempotency_key)
            if replay is not None:  # the same key raced itself: the first one stands
                return replay
            continue
        return booking
    raise SlotTaken(catalog.next_slots(offering, store, now, after=starts_at))


def is_address_verified(user_id, address):
    """Whether ``address`` is verified for a lockout: staff confirmed it (``VerifiedAddress``), or an
    order of the resident's was delivered to its building.

    ``services`` may not import ``store_app.orders`` (lines of business sit above orders on the
    dependency ladder and never import it; tests/test_architecture.py enforces this), so the delivered
    order is read with plain SQL on the ``orders`` table. Orders keep the building and the typed text,
    not an address id, so the building and the resident decide."""
    if db.session.get(VerifiedAddress, address.id) is not None:
        return True
    found = db.session.execute(text("SELECT 1 FROM orders WHERE user_id = :user AND building_id = :building "
                                    "AND status = 'delivered' LIMIT 1"),
                               {"user": user_id, "building": address.building_id}).first()
    return found is not None


def _payment(booking, resident, payment_method, now, discount_cents=0):
    """Take the wallet hold now, the price after the coupon (``InsufficientFunds`` when short), or
    nothing for cash on site (the resident pays the vendor the price after the coupon)."""
    if payment_method == PaymentMethod.CASH.value:
        if not booking.vendor.accepts_cash:
            raise CashNotAccepted()
        return 0
    due = booking.price_cents - discount_cents
    if due <= 0:
        return 0
    try:
        debit(resident.id, booking.store_id, due, "payment", now=now, note_key="service_booking")
    except InsufficientFunds as exc:
        raise WalletShort() from exc
    return due


def confirm_booking(resident, booking_id, *, store, address_id, description, photos=(), payment_method, now,
                    grant_ids=()):
    """held -> requested: the address, description and photos, the resident's coupon copies
    ``grant_ids`` reserved (``booking_coupons``), the wallet hold of the price after them (or cash on
    site), the vendor's deadline to accept and the first offer to the booked vendor. ``photos`` are
    re-encoded ``uploads.photos.Photo``s, kept when the transaction commits. A replay of a confirmed
    booking returns it; a lapsed hold is ``HoldLapsed`` with the next free slots."""
    booking = get_resident_booking(resident.id, booking_id)
    if booking.status not in (BookingStatus.HELD.value, BookingStatus.EXPIRED.value):
        return booking
    if booking.status == BookingStatus.EXPIRED.value or booking.hold_expires_at <= now:
        raise HoldLapsed(catalog.next_slots(booking.offering, store, now, after=booking.starts_at))
    address = get_address(resident, address_id) if isinstance(address_id, int) and 0 < address_id < 2**31 else None
    if address is None:
        raise AddressRequired()
    if booking.category.needs_verified_address and not is_address_verified(resident.id, address):
        raise AddressNotVerified()
    discount_cents = booking_coupons.apply_coupon(resident, booking, grant_ids, now)
    held_cents = _payment(booking, resident, payment_method, now, discount_cents)
    accept_by_at = booking_rules.accept_by(now, booking.starts_at)
    kept = [storage.keep(PHOTO_FOLDER, photo.data, photo.extension) for photo in photos]
    move(booking, BookingStatus.REQUESTED, now=now, address_id=address.id, address_text=address.one_line()[:200],
         description=(description or "")[:1000], photos=kept, payment_method=payment_method, held_cents=held_cents,
         discount_cents=discount_cents, accept_by_at=accept_by_at, hold_expires_at=None)
    db.session.add(BookingOffer(booking_id=booking.id, vendor_id=booking.vendor_id, offered_at=now,
                                answer_by_at=accept_by_at))
    db.session.flush()
    job_notices.tell_vendors_offered(booking, [booking.vendor], now=now)  # the inbox shows it live too
    return booking


def book(resident, offering, starts_at, *, store, address_id, description, payment_method, now, idempotency_key):
    """Hold and confirm in one step (the API): a replay of the key returns the first booking."""
    booking = hold_slot(resident, offering, starts_at, store=store, now=now, idempotency_key=idempotency_key)
    return confirm_booking(resident, booking.id, store=store, address_id=address_id, description=description,
                           payment_method=payment_method, now=now)


def verify_address(staff, address, *, now):
    """Staff confirm that ``address`` is the resident's (a lockout may then be booked for it)."""
    if db.session.get(VerifiedAddress, address.id) is None:
        db.session.add(VerifiedAddress(address_id=address.id, verified_by=staff.id, verified_at=now))
        db.session.flush()
    return address
