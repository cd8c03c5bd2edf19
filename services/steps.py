"""The one writer of a booking's status: ``move`` checks the step against the machine (``rules``) and
makes it with a conditional UPDATE on the status it was read in, so of two people acting at once
exactly one moves the booking and the other gets a clean 409."""
from store_app.extensions import db

from . import purchase_reports
from .booking_models import Booking
from .errors import ChangedMeanwhile, TransitionNotAllowed
from .rules import can_transition
from .statuses import BookingStatus

# The timestamp column each status stamps when a booking enters it.
STAMPS = {
    BookingStatus.REQUESTED: "requested_at",
    BookingStatus.ACCEPTED: "accepted_at",
    BookingStatus.ON_THE_WAY: "on_the_way_at",
    BookingStatus.ARRIVED: "arrived_at",
    BookingStatus.IN_PROGRESS: "started_at",
    BookingStatus.DONE: "done_at",
    BookingStatus.COMPLETED: "completed_at",
    BookingStatus.EXPIRED: "ended_at",
    BookingStatus.CANCELLED: "ended_at",
    BookingStatus.NO_SHOW: "ended_at",
    BookingStatus.VENDOR_NO_SHOW: "ended_at",
}


def move(booking, wanted, *, now, expect=None, **values):
    """Move ``booking`` to ``wanted`` (stamping its time) and set ``values``, in one conditional UPDATE.

    ``expect``: extra column conditions that must still hold (``{"vendor_id": 7}``: the vendor who
    answers is the one offered). Raises ``TransitionNotAllowed`` if the machine has no such step from
    the status ``booking`` was read in, ``ChangedMeanwhile`` if another transaction moved it first.
    The loaded ``booking`` is refreshed to the new row.
    """
    current, wanted = BookingStatus(booking.status), BookingStatus(wanted)
    if not can_transition(current, wanted):
        raise TransitionNotAllowed(current.value, wanted.value)
    stamp = STAMPS.get(wanted)
    if stamp and stamp not in values:
        values[stamp] = now
    conditions = [Booking.id == booking.id, Booking.status == current.value]
    conditions += [getattr(Booking, column) == value for column, value in (expect or {}).items()]
    moved = db.session.execute(db.update(Booking).where(*conditions).values(status=wanted.value, **values)
                               .execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise ChangedMeanwhile()
    db.session.refresh(booking)
    purchase_reports.after_move(booking, wanted, now)
    return booking


def move_all(current, wanted, *conditions, now):
    """Move every booking still in ``current`` that matches ``conditions`` to ``wanted`` (stamping its
    time) in one guarded bulk UPDATE: the periodic passes' form of ``move``. Returns how many moved."""
    current, wanted = BookingStatus(current), BookingStatus(wanted)
    if not can_transition(current, wanted):
        raise TransitionNotAllowed(current.value, wanted.value)
    values = {STAMPS[wanted]: now} if wanted in STAMPS else {}
    if current == BookingStatus.HELD:  # a hold has no purchase yet: nothing to tell growth
        return db.session.execute(db.update(Booking).where(Booking.status == current.value, *conditions)
                                  .values(status=wanted.value, **values)
                                  .execution_options(synchronize_session=False)).rowcount
    ids = db.session.scalars(db.select(Booking.id).where(Booking.status == current.value, *conditions)).all()
    moved = db.session.execute(db.update(Booking).where(Booking.id.in_(ids), Booking.status == current.value)
                               .values(status=wanted.value, **values)
                               .execution_options(synchronize_session=False)).rowcount
    purchase_reports.after_move_all(db.session.scalars(db.select(Booking.id).where(
        Booking.id.in_(ids), Booking.status == wanted.value)).all(), wanted, now)
    return moved
