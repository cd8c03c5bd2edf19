"""Pure rules of a job's offers and progress: deadlines, who sees what, lateness, fees.

Plain values in, plain values out; ``now`` is always passed in (aware UTC)."""
from datetime import timedelta

from .statuses import BookingStatus as S

# How long every other suitable vendor has to take a re-offered job, at most.
REOFFER_WINDOW = timedelta(minutes=30)
# A vendor not at the door this long after the start (and who sent no "running late") has not come.
LATE_GRACE = timedelta(minutes=30)
# A finished job the resident did not confirm completes by itself this long after DONE.
AUTO_COMPLETE_AFTER = timedelta(hours=48)
# Statuses in which the vendor who holds the job sees the resident's exact address and phone.
CONTACT_SHOWN = frozenset({S.ACCEPTED, S.ON_THE_WAY, S.ARRIVED, S.IN_PROGRESS, S.DONE})
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def is_offer_open(state, answer_by_at, now):
    """Whether an offer in ``state`` can still be answered at ``now`` (offered, before its deadline)."""
    return state == "offered" and now < answer_by_at


def reoffer_deadline(now, starts_at):
    """The second deadline of a re-offered job: 30 minutes from ``now``, or half the time left before
    ``starts_at`` when the job is sooner than an hour away (never before ``now``)."""
    left = starts_at - now
    if left <= timedelta(0):
        return now
    return now + min(REOFFER_WINDOW, left / 2)


def shows_contact(status, booking_vendor_id, vendor_id):
    """Whether ``vendor_id`` may see the resident's exact address and phone of a booking in ``status``
    held by ``booking_vendor_id``: only the vendor who accepted it, and only while the job is live."""
    return booking_vendor_id == vendor_id and S(status) in CONTACT_SHOWN


def is_vendor_late(starts_at, arrived_at, late_notice_sent, now):
    """Whether the vendor has not come: not at the door 30 minutes after ``starts_at``, and no
    "running late" message sent."""
    return arrived_at is None and not late_notice_sent and now >= starts_at + LATE_GRACE


def is_due_to_complete(done_at, now):
    """Whether a DONE job completes by itself: 48 hours after the vendor finished."""
    return done_at is not None and now >= done_at + AUTO_COMPLETE_AFTER


def percent_of(amount_cents, pct):
    """``pct`` % of ``amount_cents``, rounded half up to a cent."""
    return (amount_cents * pct + 50) // 100


def weekly_days(rrule_text):
    """The weekdays (0 = Monday) of a weekly RRULE's BYDAY (``FREQ=WEEKLY;BYDAY=MO,TU``); every day
    when it names none."""
    parts = dict(part.split("=", 1) for part in rrule_text.upper().split(";") if "=" in part)
    names = [name.strip()[-2:] for name in parts.get("BYDAY", "").split(",") if name.strip()]
    days = {WEEKDAYS.index(name) for name in names if name in WEEKDAYS}
    return days or set(range(7))


def within_availability(local_start, local_end, windows, closed_days=()):
    """Whether a job from ``local_start`` to ``local_end`` (naive or aware, the store's local time)
    falls inside one declared window: ``windows`` is ``[(weekdays, start_min, end_min)]``;
    ``closed_days`` are local dates the vendor declared closed."""
    if local_start.date() in set(closed_days) or local_start.date() != local_end.date():
        return False
    start = local_start.hour * 60 + local_start.minute
    end = local_end.hour * 60 + local_end.minute
    return any(local_start.weekday() in days and start_min <= start and end <= end_min
               for days, start_min, end_min in windows)
