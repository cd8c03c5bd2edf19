"""Changing a booking after it is made: cancelling (with the category's fee tiers) and rescheduling
(same vendor, a new slot taken under the same no-double-booking constraint, no fee dodge).

Residents are held to the notices and the fee rules (``booking_rules``); staff are exempt from both,
and a cancel by staff refunds everything. Operations flush, never commit.
"""
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from store_app.extensions import db
from store_app.wallet.operations import credit

from . import booking_rules, catalog, job_notices, ledger
from .booking import free_crews_at, lock_crew
from .booking_models import Booking, BookingOffer, LedgerKind, OfferState
from .errors import (ChangedMeanwhile, NotCancellable, NoticeTooShort, NotReschedulable, RescheduleInFeeWindow,
                     SlotTaken)
from .statuses import BookingStatus
from .steps import move

RESIDENT, STAFF = "resident", "staff"


def cancel_fee_now(booking, now, *, by=RESIDENT):
    """The fee a cancel at ``now`` would cost (0 for staff, a hold not yet confirmed, or no money held)."""
    if by == STAFF or booking.status == BookingStatus.HELD.value:
        return 0
    category = booking.category
    return booking_rules.cancel_fee_cents(booking.held_cents, booking.starts_at, now,
                                          free_cancel_h=category.free_cancel_h,
                                          late_cancel_pct=category.late_cancel_pct)


def may_cancel(booking, now, *, by=RESIDENT):
    """Whether a cancel at ``now`` is allowed (for the page's button)."""
    return booking_rules.cancel_refusal(booking.status, booking.starts_at, now,
                                        notice_min=booking.category.cancel_notice_min, staff=by == STAFF) is None


def may_reschedule(booking, now, *, by=RESIDENT):
    """Whether a reschedule at ``now`` is allowed (for the page's button)."""
    return _reschedule_refusal(booking, now, by) is None


def _reschedule_refusal(booking, now, by):
    category = booking.category
    return booking_rules.reschedule_refusal(booking.status, booking.starts_at, booking.rescheduled_from_at, now,
                                            free_cancel_h=category.free_cancel_h,
                                            notice_min=category.reschedule_notice_min, staff=by == STAFF)


def _withdraw_offers(booking, now):
    db.session.execute(db.update(BookingOffer).where(BookingOffer.booking_id == booking.id,
                                                     BookingOffer.state == OfferState.OFFERED.value)
                       .values(state=OfferState.WITHDRAWN.value, answered_at=now)
                       .execution_options(synchronize_session=False))


def cancel_booking(booking, *, now, by=RESIDENT, actor_id=None, reason=""):
    """Cancel: the fee by the category's tiers is kept (and passed to the vendor as ``FEE_SHARE``), the
    rest of the wallet hold goes back to the resident, open offers are withdrawn. Residents within the
    cancel notice, or once the crew is at the door, are refused; staff may cancel any time, free."""
    refusal = booking_rules.cancel_refusal(booking.status, booking.starts_at, now,
                                           notice_min=booking.category.cancel_notice_min, staff=by == STAFF)
    if refusal == "status":
        raise NotCancellable()
    if refusal == "notice":
        raise NoticeTooShort()
    fee = cancel_fee_now(booking, now, by=by)
    move(booking, BookingStatus.CANCELLED, now=now, cancelled_by=by, cancel_reason=reason[:200], fee_cents=fee,
         hold_expires_at=None)
    refund = booking.held_cents - fee
    if refund > 0:
        credit(booking.resident_id, booking.store_id, refund, "refund", now=now, note_key="service_refund",
               actor_id=actor_id)
    if fee > 0:
        ledger.post(booking.vendor_id, LedgerKind.FEE_SHARE, fee, now=now, booking_id=booking.id,
                    note="cancellation fee", actor_id=actor_id)
    _withdraw_offers(booking, now)
    job_notices.tell_vendor_changed(booking, "service_job_called_off", now=now)
    return booking


def _move_times(booking, starts_at, crew_id, status):
    """The conditional UPDATE that moves a booking to a new start on ``crew_id`` (rowcount)."""
    offering = booking.offering
    ends_at = starts_at + timedelta(minutes=offering.duration_min)
    return db.session.execute(
        db.update(Booking).where(Booking.id == booking.id, Booking.status == status)
        .values(starts_at=starts_at, ends_at=ends_at, crew_id=crew_id,
                block_start_at=starts_at - timedelta(minutes=offering.buffer_before_min),
                block_end_at=ends_at + timedelta(minutes=offering.buffer_after_min),
                rescheduled_from_at=booking.rescheduled_from_at or booking.starts_at,
                reschedules=Booking.reschedules + 1)
        .execution_options(synchronize_session=False)).rowcount


def reschedule_booking(booking, starts_at, *, store, now, by=RESIDENT):
    """Move a booking to ``starts_at`` with the same vendor, on a crew free then (the constraint guards
    the new time as it guards a hold). Residents: the reschedule notice applies and a move inside the
    fee window is refused (``booking_rules``: no fee dodge); staff are exempt. ``SlotTaken`` with the
    next free slots when the time went meanwhile."""
    refusal = _reschedule_refusal(booking, now, by)
    if refusal == "status":
        raise NotReschedulable()
    if refusal == "notice":
        raise NoticeTooShort()
    if refusal == "fee_window":
        raise RescheduleInFeeWindow()
    status = booking.status
    for crew_id in free_crews_at(booking.offering, store, starts_at, now, exclude_booking_id=booking.id,
                               staff=by == STAFF):
        lock_crew(crew_id)
        try:
            with db.session.begin_nested():
                moved = _move_times(booking, starts_at, crew_id, status)
        except IntegrityError:
            continue
        if not moved:
            raise ChangedMeanwhile()
        db.session.refresh(booking)
        job_notices.tell_vendor_changed(booking, "service_job_moved", now=now)
        return booking
    raise SlotTaken(catalog.next_slots(booking.offering, store, now, after=starts_at))
