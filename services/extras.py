"""Extras on site: the vendor proposes an extra amount with a note (a part, more hours); the resident
approves it in the app before it is charged. Each proposal is a message in the resident's inbox
(``service_extra_proposed``, numbered per booking); the approval is a message to the vendor whose
unique ``dedupe_key`` is the claim, so a double tap or two devices approve (and charge) once."""
from store_app.extensions import db
from store_app.notifications.models import Notification
from store_app.notifications.operations import notify
from store_app.wallet import operations as wallet

from . import job_notices
from .booking_models import Booking
from .errors import ExtraInvalid, NotFound
from .progress import held_job
from .statuses import BookingStatus as S

PROPOSED, APPROVED = "service_extra_proposed", "service_extra_approved"
MAX_EXTRA_CENTS = 500_000  # ¥5,000: anything bigger is a new job
MAX_PROPOSALS = 5
EXTRA_NOTE = "service_extra"


def _proposals(booking):
    return db.session.scalars(db.select(Notification).where(
        Notification.user_id == booking.resident_id, Notification.kind == PROPOSED,
        Notification.dedupe_key.like(f"{PROPOSED}:{booking.id}:%")).order_by(Notification.id)).all()


def _approved_numbers(booking):
    keys = db.session.scalars(db.select(Notification.dedupe_key).where(
        Notification.kind == APPROVED, Notification.dedupe_key.like(f"{APPROVED}:{booking.id}:%")))
    return {int(key.rsplit(":", 1)[1]) for key in keys}


def list_extras(booking):
    """``[(number, amount_cents, note, approved)]`` proposed for ``booking``, oldest first."""
    approved = _approved_numbers(booking)
    return [(p.params["n"], p.params["amount_cents"], p.params.get("note", ""), p.params["n"] in approved)
            for p in _proposals(booking)]


def propose_extra(user, booking_id, amount_cents, note, now):
    """The vendor of a job under way asks the resident to approve ``amount_cents`` more (1 fen to ¥5,000)."""
    booking = held_job(user, booking_id)
    if booking.status not in (S.ARRIVED.value, S.IN_PROGRESS.value):
        raise ExtraInvalid()
    note = (note or "").strip()[:120]
    count = len(_proposals(booking))
    if not note or not isinstance(amount_cents, int) or not 0 < amount_cents <= MAX_EXTRA_CENTS or count >= MAX_PROPOSALS:
        raise ExtraInvalid()
    number = count + 1
    params = job_notices.job_params(booking, n=number, amount_cents=amount_cents, note=note)
    notify(booking.resident_id, booking.store_id, PROPOSED, f"{PROPOSED}:{booking.id}:{number}", params,
           link=f"/services/bookings/{booking.id}", now=now)
    return number


def approve_extra(resident, booking_id, number, now):
    """The resident approves extra ``number`` of their job: charged from the wallet now (a cash job
    pays it on site), added to the job's extras. Approving twice charges once."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.resident_id != resident.id:
        raise NotFound()
    proposal = next((p for p in _proposals(booking) if p.params.get("n") == number), None)
    if proposal is None:
        raise NotFound()
    if booking.status not in (S.ARRIVED.value, S.IN_PROGRESS.value, S.DONE.value):
        raise ExtraInvalid()
    amount = proposal.params["amount_cents"]
    first = notify(booking.vendor.owner_id, booking.store_id, APPROVED, f"{APPROVED}:{booking.id}:{number}",
                   job_notices.job_params(booking, amount_cents=amount), link=f"/vendor/jobs/{booking.id}", now=now)
    if not first:
        return booking
    if booking.payment_method == "wallet":
        wallet.debit(resident.id, booking.store_id, amount, "payment", now=now, note_key=EXTRA_NOTE,
                     note_params={"booking_id": booking.id})
    db.session.execute(db.update(Booking).where(Booking.id == booking.id)
                       .values(extras_cents=Booking.extras_cents + amount).execution_options(synchronize_session=False))
    db.session.refresh(booking)
    return booking
