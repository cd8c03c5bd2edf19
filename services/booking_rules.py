"""The rules of booking, cancelling and rescheduling: notices, fees, the vendor's deadline and the price
to hold. Pure: plain values and ``now`` in, values out.

Cancellation fee tiers (per category): free more than ``free_cancel_h`` hours before the start;
``late_cancel_pct`` % of the price within that window; ``no_show_pct`` % when nobody is at the door.
A fee is taken only from money the store holds (the wallet hold): a cash booking has none to keep.

Rescheduling cannot dodge a fee. Chosen rule: a resident's reschedule INSIDE the fee window is
REFUSED (they may cancel and pay the fee, or keep the slot). The window is judged from the earlier of
the ORIGINAL start (``rescheduled_from_at``, set on the first reschedule and never moved) and the
current start, at the time of the reschedule; so moving a job away once cannot reset the clock.
Staff are exempt from every notice and from this rule.
"""
from datetime import timedelta

from .statuses import BookingStatus as S

HOLD_MINUTES = 5
ACCEPT_WITHIN = timedelta(minutes=30)   # the vendor's usual time to accept
ACCEPT_AT_LEAST = timedelta(minutes=5)  # never less than this, however soon the job
# Statuses a resident (or staff) may cancel from: before the crew is at the door.
CANCELLABLE = frozenset({S.HELD, S.REQUESTED, S.REOFFERED, S.ESCALATED, S.ACCEPTED, S.ON_THE_WAY})
# Statuses a booking may be moved to another time in (the vendor stays the same).
RESCHEDULABLE = frozenset({S.REQUESTED, S.ACCEPTED})


def percent_of(amount_cents, pct):
    """``pct`` % of ``amount_cents``, rounded half up to a cent."""
    return (amount_cents * pct + 50) // 100


def price_to_hold_cents(price_model, price_cents, duration_min):
    """What a booking costs up front: the price; an hourly price times the booked hours; a "from"
    price is its starting price (the vendor quotes extras on site, approved by the resident)."""
    if price_model == "hourly":
        return (price_cents * duration_min + 30) // 60
    return price_cents


def in_fee_window(starts_at, now, free_cancel_h):
    """Whether ``now`` is within ``free_cancel_h`` hours of ``starts_at`` (a cancel would cost a fee)."""
    return starts_at - now <= timedelta(hours=free_cancel_h)


def cancel_fee_cents(held_cents, starts_at, now, *, free_cancel_h, late_cancel_pct):
    """The fee a resident's cancel at ``now`` costs: 0 more than ``free_cancel_h`` hours before the
    start, else ``late_cancel_pct`` % of the money held (never more than held)."""
    if not in_fee_window(starts_at, now, free_cancel_h):
        return 0
    return min(held_cents, percent_of(held_cents, late_cancel_pct))


def no_show_fee_cents(held_cents, no_show_pct):
    """The fee kept when the resident is not there at the door: ``no_show_pct`` % of the money held."""
    return min(held_cents, percent_of(held_cents, no_show_pct))


def meets_notice(starts_at, now, notice_min, *, staff=False):
    """Whether acting at ``now`` leaves at least ``notice_min`` minutes before ``starts_at`` (staff: always)."""
    return staff or starts_at - now >= timedelta(minutes=notice_min)


def booking_notice_min(category_notice_min, vendor_notice_min):
    """The notice a resident's booking needs: the longer of the category's and the vendor's."""
    return max(category_notice_min, vendor_notice_min, 0)


def accept_by(now, starts_at):
    """The vendor's deadline to accept a job booked at ``now``: 30 minutes, or half the time left before
    the start when that is shorter, but at least 5 minutes."""
    half_left = (starts_at - now) / 2
    return now + max(ACCEPT_AT_LEAST, min(ACCEPT_WITHIN, half_left))


def hold_expires(now):
    """When a hold taken at ``now`` lapses."""
    return now + timedelta(minutes=HOLD_MINUTES)


def fee_basis_start(starts_at, rescheduled_from_at):
    """The start a reschedule's fee window is judged from: the earlier of the original and current."""
    if rescheduled_from_at is None:
        return starts_at
    return min(starts_at, rescheduled_from_at)


def reschedule_refusal(status, starts_at, rescheduled_from_at, now, *, free_cancel_h, notice_min, staff=False):
    """Why a reschedule at ``now`` is refused, as a key (None: allowed). Keys: ``status`` (not in a
    reschedulable status), ``notice`` (too close to the start), ``fee_window`` (would dodge a fee)."""
    if S(status) not in RESCHEDULABLE:
        return "status"
    if staff:
        return None
    if not meets_notice(starts_at, now, notice_min):
        return "notice"
    if in_fee_window(fee_basis_start(starts_at, rescheduled_from_at), now, free_cancel_h):
        return "fee_window"
    return None


def cancel_refusal(status, starts_at, now, *, notice_min, staff=False):
    """Why a cancel at ``now`` is refused, as a key (None: allowed): ``status`` or ``notice``."""
    if S(status) not in CANCELLABLE:
        return "status"
    if staff or S(status) == S.HELD:
        return None
    return None if meets_notice(starts_at, now, notice_min) else "notice"
