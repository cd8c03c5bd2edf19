"""The delivery promise, pure: can we deliver here now, and in how many minutes?

ETA = picking (base + per item) + wait for a courier (from open deliveries and couriers on
shift) + travel (straight-line distance x detour factor at courier speed) + handover at the door.
"""
import hmac
import math
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class QuoteParams:
    """A store's quote settings (from the ``stores`` row)."""

    promise_min: int
    pick_base_min: int = 3
    pick_per_item_s: int = 15
    speed_m_per_min: int = 250
    detour_factor: float = 1.35
    handover_min: int = 3


@dataclass(frozen=True)
class Quote:
    """The answer the resident sees before paying. ``reason`` is None when deliverable."""

    deliverable: bool
    zone: str | None
    fee_cents: int | None
    minimum_cents: int | None
    eta_minutes: int | None
    reason: str | None

    def to_json(self):
        return {"deliverable": self.deliverable, "zone": self.zone, "fee_cents": self.fee_cents,
                "minimum_cents": self.minimum_cents, "eta_minutes": self.eta_minutes, "reason": self.reason}


# Reasons, in the order they are checked.
OUTSIDE_ZONE = "outside_zone"   # no zone covers the address
ZONE_DISABLED = "zone_disabled"  # the covering zone is switched off
STORE_CLOSED = "store_closed"    # outside the store's opening hours
ZONE_CLOSED = "zone_closed"      # outside the zone's own delivery hours
NO_COURIER = "no_courier"        # nobody is on shift
TOO_BUSY = "too_busy"            # the ETA would break the promise


def picking_minutes(item_count, params):
    """Minutes to pick and pack ``item_count`` items (at least the base time)."""
    return params.pick_base_min + math.ceil(max(0, item_count) * params.pick_per_item_s / 60)


def task_size(item_count):
    """How much of a courier's box a delivery of ``item_count`` items takes: 1, and 1 more per 10 items."""
    return max(1, item_count // 10 + 1)


def travel_minutes(distance_m, params):
    """Minutes to ride ``distance_m`` (straight line) with the detour factor at courier speed."""
    return math.ceil(distance_m * params.detour_factor / params.speed_m_per_min)


def courier_wait_minutes(open_deliveries, couriers_on_shift, trip_min):
    """Minutes until a courier is free: none while couriers outnumber open deliveries; then
    one round trip per full "wave" of deliveries ahead. None when nobody is on shift."""
    if couriers_on_shift <= 0:
        return None
    waves_ahead = max(0, open_deliveries) // couriers_on_shift
    return waves_ahead * trip_min


def eta_minutes(item_count, distance_m, open_deliveries, couriers_on_shift, params):
    """Minutes from now to the door, or None when no courier is on shift."""
    travel = travel_minutes(distance_m, params)
    wait = courier_wait_minutes(open_deliveries, couriers_on_shift, 2 * travel + params.handover_min)
    if wait is None:
        return None
    return picking_minutes(item_count, params) + wait + travel + params.handover_min


def in_daily_window(opens_min, closes_min, minute_of_day):
    """True inside ``[opens, closes)``; a window that closes before it opens runs past midnight."""
    if opens_min is None or closes_min is None:
        return True
    if closes_min > opens_min:
        return opens_min <= minute_of_day < closes_min
    return minute_of_day >= opens_min or minute_of_day < closes_min


def decide(zone, store_open, minute_of_day, item_count, distance_m, open_deliveries, couriers_on_shift,
           params):
    """The quote for one address. ``zone`` is a mapping-like object with ``name``, ``fee_cents``,
    ``minimum_cents``, ``enabled``, ``opens_min``, ``closes_min``, or None outside every zone."""
    if zone is None:
        return Quote(False, None, None, None, None, OUTSIDE_ZONE)

    def no(reason, eta=None):
        return Quote(False, zone.name, zone.fee_cents, zone.minimum_cents, eta, reason)

    if not zone.enabled:
        return no(ZONE_DISABLED)
    if not store_open:
        return no(STORE_CLOSED)
    if not in_daily_window(zone.opens_min, zone.closes_min, minute_of_day):
        return no(ZONE_CLOSED)
    eta = eta_minutes(item_count, distance_m, open_deliveries, couriers_on_shift, params)
    if eta is None:
        return no(NO_COURIER)
    if eta > params.promise_min:
        return no(TOO_BUSY, eta)
    return Quote(True, zone.name, zone.fee_cents, zone.minimum_cents, eta, None)


# ---- delivery tasks --------------------------------------------------------------------------
# (The moves a task may make live with its order's, in ``store_app.fulfilment.transitions``.)
DELIVERY_CODE_LENGTH = 4
# Why a delivery failed, as the courier chooses it; "other" needs a few words.
FAILURE_REASONS = ("nobody_home", "refused", "other")
FAILURE_TEXT_MAX = 150


def is_code_shaped(text):
    """True for exactly four ASCII digits (spaces around are ignored)."""
    text = (text or "").strip()
    return len(text) == DELIVERY_CODE_LENGTH and text.isascii() and text.isdigit()


def code_matches(expected, typed):
    """Whether the typed delivery code is the order's, compared in constant time."""
    return is_code_shaped(typed) and hmac.compare_digest(expected.encode(), typed.strip().encode())


def failure_problem(reason, text):
    """Why a failure report is not acceptable (``"reason"`` or ``"text"``), or None when it is."""
    if reason not in FAILURE_REASONS:
        return "reason"
    text = (text or "").strip()
    if (reason == "other" and not text) or len(text) > FAILURE_TEXT_MAX:
        return "text"
    return None


def minutes_until(at, now):
    """Whole minutes from ``now`` to ``at``: positive while there is time (rounded up), negative
    when ``at`` has passed (minutes late, rounded up), 0 exactly on time."""
    seconds = (at - now).total_seconds()
    if seconds >= 0:
        return math.ceil(seconds / 60)
    return -math.ceil(-seconds / 60)


# ---- the dispatch board: who can take a task, and which tasks may break the promise -----------
# A hand-over predicted this close to the promise (or later) is flagged to staff: the dispatcher's
# prediction is an estimate, and a few minutes is what a red light or a slow lift costs.
RISK_MARGIN_MIN = 3

# "May be late": the one threshold for a slip worth telling. The resident is told (inbox, and the new
# time on their order page) once the dispatcher predicts the hand-over at least this many whole
# minutes past the promise, and the dispatch board marks exactly those tasks "resident told". A
# one-minute slip is the noise of an estimate, not news; staff still see it early as "at risk".
LATE_NOTICE_MIN = 5


def has_room(load, size, capacity):
    """Whether a courier carrying ``load`` (summed task sizes) can take a task of ``size`` more."""
    return load + size <= capacity


def fallback_minutes(picked_up, minutes_to_ready, distance_m, params):
    """A pessimistic hand-over estimate, in minutes from now, for a task the dispatcher has not
    predicted: the ride (pickup to door) and the hand-over; before pickup, first a courier riding
    back from a drop-off as far as this one, or the packing still left (``minutes_to_ready``, may be
    fractional; negative when overdue), whichever is longer. For an order just placed this is its
    quoted promise less the courier wait, so only real trouble pushes it past the promise."""
    travel = travel_minutes(distance_m, params)
    if picked_up:
        return travel + params.handover_min
    return max(travel, minutes_to_ready, 0) + travel + params.handover_min


def predicted_lateness_min(promised_at, predicted_at, now, fallback_min):
    """Whole minutes the hand-over is expected after ``promised_at`` (positive = late, negative =
    early; a part minute counts as a whole one). Expected is the dispatcher's ``predicted_at``, or
    ``now + fallback_min`` without one, and never earlier than ``now``: a stale prediction in the
    past means the task is simply not there yet."""
    expected = predicted_at if predicted_at is not None else now + timedelta(minutes=fallback_min)
    return -minutes_until(promised_at, max(expected, now))


def is_at_risk(lateness_min, predicted, margin_min=RISK_MARGIN_MIN):
    """True when a hand-over the dispatcher ``predicted`` is late or less than ``margin_min`` minutes
    early; without a prediction, only when the (already pessimistic) estimate is past the promise."""
    return lateness_min > (-margin_min if predicted else 0)


def is_late_notice_due(lateness_min, predicted=True, threshold_min=LATE_NOTICE_MIN):
    """True when a hand-over the dispatcher ``predicted`` ``lateness_min`` whole minutes past the
    promise is late enough to tell the resident (and to mark on the board): at least ``threshold_min``.
    Without a prediction (the board's own estimate) never: only the dispatcher's plan tells residents."""
    return predicted and lateness_min >= threshold_min
