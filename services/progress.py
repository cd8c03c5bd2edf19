"""A taken job's progress: on the way, arrived, the ID check at the door (lockouts), in progress, done
with photos, confirmed by the resident (or by itself after 48 h) and paid. And what goes wrong: the
vendor cancels or never comes (full refund), or the resident is not there (the no-show fee).

``run_progress_pass`` is the periodic job: late vendors become no-shows, old DONE jobs complete."""
from store_app.extensions import db
from store_app.roles import Role
from store_app.uploads import photos, storage

from . import job_notices, ledger, offer_rules
from .booking_models import Booking
from .errors import IdCheckRequired, NoteRequired, NotFound, PhotoRefused, PhotoRequired
from .offers import get_vendor_job, refund_hold, vendor_for
from .statuses import BookingStatus as S
from .steps import move
from .vendor_setup import get_vendor_for_user

PHOTO_FOLDER = "service_jobs"
MAX_PHOTOS = 6
NOTE_MAX = 120


def _completion_photo_names():
    names = set()
    for listed in db.session.scalars(db.select(Booking.completion_photos)):
        names.update(listed or [])
    return names


storage.register_folder(PHOTO_FOLDER, _completion_photo_names)


def held_job(user, booking_id):
    """A job the vendor of ``user`` accepted (any later status); any other answers ``NotFound``."""
    vendor = vendor_for(user)
    booking = get_vendor_job(vendor, booking_id)
    if booking.vendor_id != vendor.id or booking.accepted_at is None:
        raise NotFound()
    return booking


def completion_photo_path(user, booking_id, name):
    """The file of a completion photo of ``booking_id`` if ``user`` may see it (the resident, the
    vendor who did the job, the store's staff and owner); ``NotFound`` otherwise."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or name not in (booking.completion_photos or []):
        raise NotFound()
    vendor = get_vendor_for_user(user.id)
    allowed = (booking.resident_id == user.id or (vendor is not None and vendor.id == booking.vendor_id)
               or (user.role in (Role.STAFF.value, Role.OWNER.value) and user.store_id == booking.store_id))
    path = storage.path_of(PHOTO_FOLDER, name) if allowed else None
    if path is None:
        raise NotFound()
    return path


def _note(text):
    text = (text or "").strip()
    if not text:
        raise NoteRequired()
    return text[:NOTE_MAX]


def set_on_the_way(user, booking_id, now):
    """The crew left for the address."""
    return move(held_job(user, booking_id), S.ON_THE_WAY, now=now)


def set_arrived(user, booking_id, now):
    """The crew is at the door."""
    return move(held_job(user, booking_id), S.ARRIVED, now=now)


def record_id_check(user, booking_id, note, now):
    """A lockout: the vendor saw the resident's ID at the door (a required note of what was seen)."""
    booking = held_job(user, booking_id)
    if booking.status != S.ARRIVED.value:
        raise IdCheckRequired()
    booking.id_checked_at, booking.id_check_note = now, _note(note)
    db.session.flush()
    return booking


def start_work(user, booking_id, now):
    """Work begins; a lockout only after the ID check was recorded."""
    booking = held_job(user, booking_id)
    if booking.category.needs_verified_address and booking.id_checked_at is None:
        raise IdCheckRequired()
    return move(booking, S.IN_PROGRESS, now=now)


def _keep_photo(data):
    try:
        photo = photos.reencode(data)
    except photos.PhotoError:
        raise PhotoRefused() from None
    return storage.keep(PHOTO_FOLDER, photo.data, photo.extension)


def finish_work(user, booking_id, files, now):
    """The work is done: at least one photo (each re-encoded, EXIF gone), then DONE; the resident is
    asked to confirm. ``files`` are the uploaded photos' bytes."""
    booking = held_job(user, booking_id)
    files = [data for data in files if data][:MAX_PHOTOS]
    if not files:
        raise PhotoRequired()
    if booking.status != S.IN_PROGRESS.value:
        return move(booking, S.DONE, now=now)  # refused by the machine, before a file is kept
    names = [_keep_photo(data) for data in files]
    move(booking, S.DONE, now=now, completion_photos=names)
    job_notices.tell_resident(booking, "service_job_done", now=now)
    return booking


def send_running_late(user, booking_id, note, now):
    """The vendor warns the resident they are late (with a new time in the note): they are not then
    counted as a no-show at 30 minutes past the start."""
    booking = held_job(user, booking_id)
    if booking.status not in (S.ACCEPTED.value, S.ON_THE_WAY.value):
        raise NotFound()
    job_notices.record_running_late(booking, _note(note), now=now)
    return booking


def _vendor_fails(booking, now, reason):
    move(booking, S.VENDOR_NO_SHOW, now=now, cancelled_by="vendor", cancel_reason=reason[:200])
    refunded = refund_hold(booking, now)
    # The message opens the category's other vendors at the same price or less (a rebooking).
    job_notices.tell_resident(booking, "service_vendor_no_show", now=now, refund_cents=refunded,
                              category_slug=booking.category.slug,
                              link=f"/services/categories/{booking.category_id}?rebook={booking.id}")
    return booking


def vendor_cancel(user, booking_id, reason, now):
    """The vendor gives back a job they accepted: a vendor no-show, fully refunded to the resident."""
    return _vendor_fails(held_job(user, booking_id), now, _note(reason))


def mark_no_show(user, booking_id, now):
    """At the door and nobody there: the resident pays the category's no-show fee out of the hold; the
    rest goes back, and the fee is passed to the vendor."""
    booking = held_job(user, booking_id)
    fee = min(offer_rules.percent_of(booking.price_cents, booking.category.no_show_pct), booking.held_cents)
    move(booking, S.NO_SHOW, now=now, fee_cents=fee)
    refund_hold(booking, now)
    ledger.post(booking.vendor_id, ledger.LedgerKind.FEE_SHARE, fee, now=now, booking_id=booking.id)
    job_notices.tell_resident(booking, "service_no_show", now=now, fee_cents=fee)
    return booking


def complete(booking, now):
    """DONE -> COMPLETED: the hold is kept (captured) and the vendor's ledger records the job."""
    move(booking, S.COMPLETED, now=now)
    ledger.record_completion(booking, now=now)
    return booking


def confirm_done(resident, booking_id, now):
    """The resident confirms the finished job (their own booking only)."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.resident_id != resident.id:
        raise NotFound()
    return complete(booking, now)


def _late(booking, now):
    late_sent = job_notices.running_late_note(booking) is not None
    if not offer_rules.is_vendor_late(booking.starts_at, booking.arrived_at, late_sent, now):
        return None
    return _vendor_fails(booking, now, "late")


def _due(booking, now):
    return complete(booking, now) if offer_rules.is_due_to_complete(booking.done_at, now) else None


def run_progress_pass(store_id, now):
    """One pass at ``now``: vendors 30 minutes late (no warning) become no-shows with a full refund;
    jobs DONE 48 hours ago complete. Idempotent."""
    from .reoffers import each_booking

    missed = each_booking(store_id, [Booking.status.in_([S.ACCEPTED.value, S.ON_THE_WAY.value])], _late, now)
    completed = each_booking(store_id, [Booking.status == S.DONE.value], _due, now)
    return f"vendor no-shows {missed}, completed {completed}"
