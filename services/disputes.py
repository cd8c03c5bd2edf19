"""A vendor contests a complaint or a resident's no-show (wrong address, resident unreachable) with a
reason; staff decide. Upheld: the complaint no longer counts against the vendor's score; a no-show
upheld is cancelled instead and the resident's no-show fee goes back to their wallet (the vendor's
share of it is taken back). Rejected: the complaint or the no-show stands."""
from store_app.extensions import db
from store_app.wallet import operations as wallet

from . import ledger, money_notices
from .booking_models import Booking, Claim, ClaimStatus, Dispute, LedgerKind, PaymentMethod
from .errors import AlreadyDecided, FieldError, NotDisputable, NotFound
from .statuses import BookingStatus
from .steps import move

OPEN, UPHELD, REJECTED = "open", "upheld", "rejected"


def _reason(text):
    text = (text or "").strip()
    if not 5 <= len(text) <= 500:
        raise FieldError("reason", money_notices.give_reason())
    return text


def _exists(booking_id, claim_id):
    query = db.select(Dispute.id).where(Dispute.booking_id == booking_id)
    query = query.where(Dispute.claim_id.is_(None) if claim_id is None else Dispute.claim_id == claim_id)
    return db.session.scalar(query) is not None


def dispute_claim(vendor, claim_id, *, reason, now):
    """The vendor contests a complaint about one of their jobs (open or decided, not rejected)."""
    claim = db.session.get(Claim, claim_id)
    if claim is None or claim.vendor_id != vendor.id:
        raise NotFound()
    reason = _reason(reason)
    if claim.status == ClaimStatus.REJECTED.value or _exists(claim.booking_id, claim.id):
        raise NotDisputable()
    dispute = Dispute(booking_id=claim.booking_id, vendor_id=vendor.id, claim_id=claim.id, reason=reason,
                      created_at=now)
    db.session.add(dispute)
    db.session.flush()
    money_notices.tell_dispute_filed(dispute, vendor, now)
    return dispute


def dispute_no_show(vendor, booking_id, *, reason, now):
    """The vendor contests a no-show of one of their jobs: the booking moves to DISPUTED."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.vendor_id != vendor.id:
        raise NotFound()
    reason = _reason(reason)
    if booking.status != BookingStatus.NO_SHOW.value or _exists(booking.id, None):
        raise NotDisputable()
    move(booking, BookingStatus.DISPUTED, now=now)
    dispute = Dispute(booking_id=booking.id, vendor_id=vendor.id, reason=reason, created_at=now)
    db.session.add(dispute)
    db.session.flush()
    money_notices.tell_dispute_filed(dispute, vendor, now)
    return dispute


def get_dispute(store_id, dispute_id):
    dispute = db.session.get(Dispute, dispute_id)
    if dispute is None or db.session.get(Booking, dispute.booking_id).store_id != store_id:
        raise NotFound()
    return dispute


def list_disputes(store_id, limit=100):
    """The store's disputes, open ones first, then newest first."""
    return db.session.scalars(db.select(Dispute).join(Booking, Dispute.booking_id == Booking.id)
                              .where(Booking.store_id == store_id)
                              .order_by((Dispute.status == OPEN).desc(), Dispute.created_at.desc(), Dispute.id.desc())
                              .limit(limit)).all()


def _refund_no_show_fee(staff, booking, now):
    fee = booking.fee_cents
    if fee > 0 and booking.payment_method == PaymentMethod.WALLET.value:
        wallet.credit(booking.resident_id, booking.store_id, fee, "refund", now=now, actor_id=staff.id,
                      note_key="service_no_show_fee_refund", note_params={"booking": booking.id})
    share = ledger.amount_of(booking.id, LedgerKind.FEE_SHARE)
    if share > 0:
        ledger.post(booking.vendor_id, LedgerKind.ADJUSTMENT, -share, now=now, booking_id=booking.id,
                    note=f"no-show fee refunded: booking {booking.id}", actor_id=staff.id)


def decide(staff, dispute_id, *, upheld, note="", now):
    """Uphold or reject an open dispute (a conditional UPDATE: the second decider gets ``AlreadyDecided``)."""
    dispute = get_dispute(staff.store_id, dispute_id)
    note = (note or "").strip()
    if not upheld and len(note) < 3:
        raise FieldError("note", money_notices.give_reason())
    moved = db.session.execute(db.update(Dispute).where(Dispute.id == dispute.id, Dispute.status == OPEN)
                               .values(status=UPHELD if upheld else REJECTED, decision_note=note[:500],
                                       decided_by=staff.id, decided_at=now)
                               .execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise AlreadyDecided()
    db.session.refresh(dispute)
    booking = db.session.get(Booking, dispute.booking_id)
    if dispute.claim_id is not None:
        if upheld:
            db.session.execute(db.update(Claim).where(Claim.id == dispute.claim_id).values(upheld=False))
    elif upheld:
        move(booking, BookingStatus.CANCELLED, now=now, cancelled_by="staff", cancel_reason=note[:200])
        _refund_no_show_fee(staff, booking, now)
    else:
        move(booking, BookingStatus.NO_SHOW, now=now, ended_at=booking.ended_at or now)
    db.session.flush()
    money_notices.tell_dispute_decided(dispute, now)
    return dispute
