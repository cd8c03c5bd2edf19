"""Jobs offered to vendors: a vendor accepts or declines an open offer; staff assign a job nobody
took, or cancel it with a full refund.

Acceptance is a claim: one conditional UPDATE (``steps.move``) on the status the booking was read in,
with a free crew of the vendor; the no-double-booking constraint is the last guard. Of many vendors
answering at once exactly one wins; the others get a clean 409.
"""
from sqlalchemy.exc import IntegrityError

from store_app.extensions import db
from store_app.wallet import operations as wallet

from . import job_notices, offer_rules
from .booking_models import Booking, BookingOffer, OfferState
from .errors import NoFreeCrew, NotFound, OfferClosed, VendorNotApproved, VendorSuspended
from .models import Crew, Standing, Vendor, VettingStatus
from .rules import UNACCEPTED
from .statuses import OCCUPYING, BookingStatus
from .steps import move
from .vendor_setup import get_vendor_for_user

REFUND_NOTE = "service_refund"


def vendor_for(user):
    """The vendor of ``user``, or ``NotFound`` (a vendor login that has not applied yet)."""
    vendor = get_vendor_for_user(user.id)
    if vendor is None or vendor.store_id != user.store_id:
        raise NotFound()
    return vendor


def check_may_take_jobs(vendor):
    """``VendorNotApproved`` or ``VendorSuspended`` (403) unless ``vendor`` may take new jobs."""
    if vendor.vetting != VettingStatus.APPROVED.value:
        raise VendorNotApproved()
    if vendor.standing == Standing.SUSPENDED.value:
        raise VendorSuspended()


def get_offer(booking_id, vendor_id):
    """This vendor's offer of a booking, or None."""
    return db.session.scalar(db.select(BookingOffer).where(BookingOffer.booking_id == booking_id,
                                                           BookingOffer.vendor_id == vendor_id))


def get_vendor_job(vendor, booking_id):
    """A booking ``vendor`` may see: offered to it, or held by it once accepted; else ``NotFound``."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.store_id != vendor.store_id:
        raise NotFound()
    held = booking.vendor_id == vendor.id and booking.status not in UNACCEPTED and booking.accepted_at is not None
    if not held and get_offer(booking.id, vendor.id) is None:
        raise NotFound()
    return booking


def free_crew(vendor, booking):
    """The first active crew of ``vendor`` (by id) whose time has no occupying booking overlapping
    ``booking``'s block (its own excepted), or None."""
    busy = (db.select(Booking.id).where(Booking.crew_id == Crew.id, Booking.id != booking.id,
                                        Booking.status.in_(OCCUPYING),
                                        Booking.block_start_at < booking.block_end_at,
                                        booking.block_start_at < Booking.block_end_at).exists())
    return db.session.scalar(db.select(Crew).where(Crew.vendor_id == vendor.id, Crew.is_active.is_(True), ~busy)
                             .order_by(Crew.id).limit(1))


def _claim(booking, vendor, now):
    """Give ``booking`` to ``vendor`` on a free crew in one conditional UPDATE; 409 if it moved on or
    no crew is free (the constraint decides a race for the same crew)."""
    if booking.status not in UNACCEPTED:
        raise OfferClosed()
    crew = free_crew(vendor, booking)
    if crew is None:
        raise NoFreeCrew()
    try:
        with db.session.begin_nested():
            move(booking, BookingStatus.ACCEPTED, now=now, vendor_id=vendor.id, crew_id=crew.id)
    except IntegrityError:
        raise NoFreeCrew() from None
    db.session.execute(db.update(BookingOffer).where(BookingOffer.booking_id == booking.id,
                                                     BookingOffer.vendor_id != vendor.id,
                                                     BookingOffer.state == OfferState.OFFERED.value)
                       .values(state=OfferState.WITHDRAWN.value).execution_options(synchronize_session=False))
    job_notices.tell_resident(booking, "service_job_accepted", now=now)
    return booking


def accept_job(user, booking_id, now):
    """The vendor of ``user`` takes a job offered to it while the offer is open; returns the booking.

    404 for a job not offered to this vendor, 403 for a vendor not approved or suspended, 409 when the
    offer closed, another vendor won, or no crew of the vendor is free then."""
    vendor = vendor_for(user)
    booking = get_vendor_job(vendor, booking_id)
    check_may_take_jobs(vendor)
    offer = get_offer(booking.id, vendor.id)
    if offer is None or not offer_rules.is_offer_open(offer.state, offer.answer_by_at, now):
        raise OfferClosed()
    _claim(booking, vendor, now)
    offer.state, offer.answered_at = OfferState.ACCEPTED.value, now
    db.session.flush()
    return booking


def get_store_job(store_id, booking_id):
    """A booking of the store (for staff), or ``NotFound``."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.store_id != store_id:
        raise NotFound()
    return booking


def assign_job(staff, booking_id, vendor_id, now):
    """Staff give a job nobody took to a vendor of the store (approved, not suspended, with a free
    crew): the same claim as a vendor's acceptance, without the offer."""
    booking = get_store_job(staff.store_id, booking_id)
    vendor = db.session.get(Vendor, vendor_id) if vendor_id else None
    if vendor is None or vendor.store_id != staff.store_id:
        raise NotFound()
    check_may_take_jobs(vendor)
    _claim(booking, vendor, now)
    offer = get_offer(booking.id, vendor.id)
    if offer is None:
        offer = BookingOffer(booking_id=booking.id, vendor_id=vendor.id, offered_at=now, answer_by_at=now,
                             counts_for_rate=False)
        db.session.add(offer)
    offer.state, offer.answered_at = OfferState.ACCEPTED.value, now
    db.session.flush()
    job_notices.tell_vendor_assigned(booking, vendor, now=now)
    return booking


def refund_hold(booking, now):
    """Give the resident back what was held from their wallet for ``booking`` (after a status move,
    which happens once, so this runs once); returns the cents refunded."""
    amount = booking.held_cents - booking.fee_cents
    if amount > 0:
        wallet.credit(booking.resident_id, booking.store_id, amount, "refund", now=now, note_key=REFUND_NOTE,
                      note_params={"booking_id": booking.id})
    return max(amount, 0)


def withdraw_offers(booking_id, state=OfferState.WITHDRAWN):
    """Close every still-open offer of a booking (it ended, or it moved on)."""
    db.session.execute(db.update(BookingOffer).where(BookingOffer.booking_id == booking_id,
                                                     BookingOffer.state == OfferState.OFFERED.value)
                       .values(state=state.value).execution_options(synchronize_session=False))


def cancel_job(staff, booking_id, reason, now):
    """Staff cancel a job that is not under way (waiting, escalated or accepted): full refund of the
    hold, offers withdrawn, the resident told."""
    booking = get_store_job(staff.store_id, booking_id)
    move(booking, BookingStatus.CANCELLED, now=now, cancelled_by="staff", cancel_reason=(reason or "")[:200])
    withdraw_offers(booking.id)
    refunded = refund_hold(booking, now)
    job_notices.tell_resident(booking, "service_job_cancelled", now=now, refund_cents=refunded)
    return booking
