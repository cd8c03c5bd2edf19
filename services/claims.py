"""The store's guarantee: a resident complains about a completed job paid through the store, within
the category's window; staff decide before the deadline the resident sees: a free redo (a new
booking straight from the complaint), a refund from the guarantee fund charged back to the vendor,
or a rejection with the reason. ``upheld`` records whether it counts against the vendor's score.

Each decision is a conditional UPDATE on the claim still being open: of two staff deciding at once,
one decides and the other gets a clean 409."""
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from store_app.extensions import db
from store_app.uploads import photos as photo_codec
from store_app.uploads import storage
from store_app.wallet import operations as wallet

from . import ledger, money_notices, purchase_reports
from .booking_models import Booking, BookingOffer, Claim, ClaimStatus, LedgerKind, PaymentMethod
from .errors import (AlreadyClaimed, AlreadyDecided, CashNotCovered, FieldError, GuaranteeWindowClosed,
                     NotCovered, NotFound, SlotJustTaken)
from .models import Crew, Offering, Vendor, VettingStatus
from .statuses import BookingStatus

DECISION_WITHIN = timedelta(hours=48)   # staff decide a complaint within this; the resident sees the deadline
REDO_ACCEPT_WITHIN = timedelta(hours=2)  # the redo's vendor answers within this (or it is re-offered)
PHOTO_FOLDER = "claims"
MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 8 * 1024 * 1024  # one photo as a phone sends it
KINDS = ("redo", "damage")
COVERED = (BookingStatus.COMPLETED.value, BookingStatus.REVIEWED.value)


def _photo_names():
    return {name for photos in db.session.scalars(db.select(Claim.photos)) for name in (photos or [])}


storage.register_folder(PHOTO_FOLDER, _photo_names)


def guarantee_ends_at(booking):
    """When the guarantee window of a completed booking closes (None: not completed)."""
    if booking.completed_at is None:
        return None
    return booking.completed_at + timedelta(days=booking.category.guarantee_days)


def coverage_problem(booking, now):
    """Why this booking cannot be claimed under the guarantee now (an error class), or None."""
    if booking.status not in COVERED:
        return NotCovered
    if booking.payment_method == PaymentMethod.CASH.value:
        return CashNotCovered
    if now > guarantee_ends_at(booking):
        return GuaranteeWindowClosed
    return None


def get_booking_of_resident(resident_id, booking_id):
    """The resident's own booking, or ``NotFound`` (another resident's looks missing)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.resident_id != resident_id:
        raise NotFound()
    return booking


def get_claim_of_booking(booking_id):
    return db.session.scalar(db.select(Claim).where(Claim.booking_id == booking_id))


def _keep_photos(uploads):
    names = []
    for data in uploads[:MAX_PHOTOS]:
        try:
            photo = photo_codec.reencode(data)
        except photo_codec.PhotoError as exc:
            raise FieldError("photos", money_notices.photo_problem(exc.code)) from exc
        names.append(storage.keep(PHOTO_FOLDER, photo.data, photo.extension))
    return names


def file_claim(resident, booking_id, *, kind, text, photos=(), now):
    """File a complaint (``kind`` redo or damage, ``text``, up to 3 photos as bytes, re-encoded) on the
    resident's completed job paid through the store, within the guarantee window; returns the claim."""
    booking = get_booking_of_resident(resident.id, booking_id)
    problem = coverage_problem(booking, now)
    if problem:
        raise problem()
    if kind not in KINDS:
        raise FieldError("kind", money_notices.choose_kind())
    text = (text or "").strip()
    if not 5 <= len(text) <= 1000:
        raise FieldError("text", money_notices.describe_problem())
    claim = Claim(booking_id=booking.id, resident_id=resident.id, vendor_id=booking.vendor_id, kind=kind,
                  text=text, photos=[], decide_by_at=now + DECISION_WITHIN, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(claim)
    except IntegrityError as exc:
        raise AlreadyClaimed() from exc
    claim.photos = _keep_photos(list(photos))
    db.session.flush()
    money_notices.tell_claim_filed(claim, now)
    return claim


def get_claim(store_id, claim_id):
    """A claim of the store's bookings, or ``NotFound``."""
    claim = db.session.get(Claim, claim_id)
    if claim is None or claim.booking.store_id != store_id:
        raise NotFound()
    return claim


def list_claims(store_id, *, open_only=False, limit=100):
    """The store's complaints, open ones first, then newest first."""
    query = db.select(Claim).join(Booking, Claim.booking_id == Booking.id).where(Booking.store_id == store_id)
    if open_only:
        query = query.where(Claim.status == ClaimStatus.OPEN.value)
    return db.session.scalars(query.order_by((Claim.status == ClaimStatus.OPEN.value).desc(),
                                             Claim.created_at.desc(), Claim.id.desc()).limit(limit)).all()


def _decide(staff, claim_id, status, now, **values):
    """Close the open claim with ``status`` in one conditional UPDATE; ``AlreadyDecided`` if it was not open."""
    claim = get_claim(staff.store_id, claim_id)
    moved = db.session.execute(db.update(Claim).where(Claim.id == claim.id, Claim.status == ClaimStatus.OPEN.value)
                               .values(status=status, decided_by=staff.id, decided_at=now, **values)
                               .execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise AlreadyDecided()
    db.session.refresh(claim)
    return claim


def reject(staff, claim_id, *, reason, now):
    """Refuse the complaint with the reason the resident reads; it does not count against the vendor."""
    reason = (reason or "").strip()
    if not 3 <= len(reason) <= 500:
        raise FieldError("note", money_notices.give_reason())
    claim = _decide(staff, claim_id, ClaimStatus.REJECTED.value, now, decision_note=reason, upheld=False)
    money_notices.tell_claim_decided(claim, now)
    return claim


def refund_cap_cents(claim):
    """The most a refund may pay: the category's damage cap for damage, what the resident paid for the
    job (the price after their coupon, plus extras) for a redo-kind."""
    booking = claim.booking
    if claim.kind == "damage":
        return booking.category.damage_cap_cents
    return purchase_reports.paid_cents(booking)


def refund(staff, claim_id, *, amount_cents, upheld, note="", now):
    """Refund the resident from the store's guarantee fund (wallet credit 'refund', at most
    ``refund_cap_cents``) and charge it back to the vendor (ledger CHARGEBACK)."""
    claim = get_claim(staff.store_id, claim_id)
    cap = refund_cap_cents(claim)
    if not 1 <= amount_cents <= cap:
        raise FieldError("amount", money_notices.refund_range(cap))
    claim = _decide(staff, claim.id, ClaimStatus.REFUNDED.value, now, refund_cents=amount_cents,
                    upheld=bool(upheld), decision_note=(note or "").strip()[:500])
    booking = claim.booking
    wallet.credit(claim.resident_id, booking.store_id, amount_cents, "refund", now=now, actor_id=staff.id,
                  note_key="service_guarantee_refund", note_params={"booking": booking.id})
    ledger.post(booking.vendor_id, LedgerKind.CHARGEBACK, -amount_cents, now=now, booking_id=booking.id,
                note=f"claim:{claim.id}", actor_id=staff.id)
    purchase_reports.report_refund(booking, amount_cents, now, refund_key=f"claim:{claim.id}")
    money_notices.tell_claim_decided(claim, now)
    return claim


def _redo_offering(original, vendor):
    """The offering the redo is booked as: the same one for the same vendor, else the vendor's first
    active offering of the same category."""
    if vendor.id == original.vendor_id:
        return original.offering
    offering = db.session.scalar(db.select(Offering).where(
        Offering.vendor_id == vendor.id, Offering.category_id == original.category_id,
        Offering.is_active.is_(True)).order_by(Offering.id))
    if offering is None:
        raise FieldError("vendor", money_notices.vendor_without_offering())
    return offering


def _redo_vendor(store_id, vendor_id):
    vendor = db.session.get(Vendor, vendor_id) if vendor_id else None
    if vendor is None or vendor.store_id != store_id or vendor.vetting != VettingStatus.APPROVED.value \
            or vendor.standing == "suspended":
        raise FieldError("vendor", money_notices.choose_vendor())
    return vendor


def _insert_redo(original, offering, crew, starts_at, claim, now):
    ends_at = starts_at + timedelta(minutes=offering.duration_min)
    redo = Booking(
        store_id=original.store_id, resident_id=original.resident_id, offering_id=offering.id,
        category_id=original.category_id, vendor_id=offering.vendor_id, crew_id=crew.id,
        status=BookingStatus.REQUESTED.value, starts_at=starts_at, ends_at=ends_at,
        block_start_at=starts_at - timedelta(minutes=offering.buffer_before_min),
        block_end_at=ends_at + timedelta(minutes=offering.buffer_after_min),
        address_id=original.address_id, address_text=original.address_text, contact_phone=original.contact_phone,
        description=claim.text[:1000], price_model=original.price_model, price_cents=original.price_cents,
        commission_bps=original.commission_bps, payment_method=PaymentMethod.WALLET.value, held_cents=0,
        idempotency_key=f"redo:{claim.id}", accept_by_at=now + REDO_ACCEPT_WITHIN, redo_of_id=original.id,
        requested_at=now, created_at=now)
    with db.session.begin_nested():
        db.session.add(redo)
        db.session.flush()
    return redo


def book_redo(staff, claim_id, *, vendor_id, starts_at, upheld, note="", now):
    """Book a free redo from the complaint: a new booking (``redo_of_id``, the original price, nothing
    held) with the chosen vendor at ``starts_at`` on the first free crew, offered to that vendor.
    ``SlotJustTaken`` (409) when every crew is busy then; the claim stays open."""
    claim = get_claim(staff.store_id, claim_id)
    if starts_at <= now:
        raise FieldError("starts_at", money_notices.start_in_future())
    vendor = _redo_vendor(staff.store_id, vendor_id)
    offering = _redo_offering(claim.booking, vendor)
    crews = db.session.scalars(db.select(Crew).where(Crew.vendor_id == vendor.id, Crew.is_active.is_(True))
                               .order_by(Crew.id)).all()
    redo = None
    for crew in crews:
        try:
            redo = _insert_redo(claim.booking, offering, crew, starts_at, claim, now)
            break
        except IntegrityError:
            continue
    if redo is None:
        raise SlotJustTaken()
    db.session.add(BookingOffer(booking_id=redo.id, vendor_id=vendor.id, offered_at=now,
                                answer_by_at=redo.accept_by_at))
    claim = _decide(staff, claim.id, ClaimStatus.REDO.value, now, redo_booking_id=redo.id, upheld=bool(upheld),
                    decision_note=(note or "").strip()[:500])
    money_notices.tell_claim_decided(claim, now)
    money_notices.tell_vendor_redo(redo, now)
    return claim
