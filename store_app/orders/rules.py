"""Pure order rules: totals, what is due at the door, cart checks, scheduled slots, cancel reasons.
(The moves an order may make are ``store_app.fulfilment.transitions``.)"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..stores.rules import is_open
from .statuses import PaymentMethod

MAX_QUANTITY = 99
# Wrong delivery codes a courier may type before the code locks (staff unlock it).
MAX_CODE_MISSES = 5


def amount_due_cents(order):
    """What the courier collects at the door (0 when paid from the wallet)."""
    if order.payment_method == PaymentMethod.WALLET.value:
        return 0
    return max(0, order.total_cents - order.refunded_cents)


def refund_on_cancel_cents(order):
    """What cancelling the order now gives back, in cents: its total less what was refunded already
    (unavailable lines), never negative. From the wallet it goes back to the wallet; an order paid
    on delivery was never charged, so it is simply not collected."""
    return max(0, order.total_cents - order.refunded_cents)


def is_code_locked(order):
    """True once the courier typed a wrong delivery code ``MAX_CODE_MISSES`` times."""
    return order.delivery_code_misses >= MAX_CODE_MISSES


@dataclass(frozen=True)
class Totals:
    """What an order costs, in cents. ``total = subtotal + fee - discount`` and never negative."""

    subtotal_cents: int
    delivery_fee_cents: int
    discount_cents: int
    total_cents: int
    parcel_fee_cents: int = 0  # parcels brought along from the parcel station (already in the total)


def compute_totals(lines, delivery_fee_cents, discount_cents=0):
    """Totals for ``[(unit_price_cents, quantity), ...]``; the discount never exceeds the goods."""
    if delivery_fee_cents < 0 or discount_cents < 0:
        raise ValueError("fee and discount cannot be negative")
    subtotal = sum(price * qty for price, qty in lines)
    discount = min(discount_cents, subtotal)
    return Totals(subtotal, delivery_fee_cents, discount, subtotal + delivery_fee_cents - discount)


def with_parcel_fee(totals, parcel_fee_cents):
    """``totals`` with parcels brought along: their fee is added to the total."""
    if parcel_fee_cents < 0:
        raise ValueError("a parcel fee cannot be negative")
    return Totals(totals.subtotal_cents, totals.delivery_fee_cents, totals.discount_cents,
                  totals.total_cents + parcel_fee_cents, totals.parcel_fee_cents + parcel_fee_cents)


@dataclass(frozen=True)
class CartLine:
    """A cart line as the checks need it."""

    product_id: int
    quantity: int
    seen_price_cents: int
    price_cents: int
    stock: int
    is_active: bool


# Problems a cart line can have, shown before payment.
PRICE_CHANGED = "price_changed"
SOLD_OUT = "sold_out"
NOT_ENOUGH = "not_enough"
UNAVAILABLE = "unavailable"


def line_problem(line):
    """The first problem of a cart line, or None."""
    if not line.is_active:
        return UNAVAILABLE
    if line.stock <= 0:
        return SOLD_OUT
    if line.stock < line.quantity:
        return NOT_ENOUGH
    if line.price_cents != line.seen_price_cents:
        return PRICE_CHANGED
    return None


def next_slots(intervals, now, tz_name, lead_minutes, count=4, step_minutes=30):
    """The next ``count`` scheduled-delivery slot starts (aware UTC) at least ``lead_minutes`` away,
    on ``step_minutes`` boundaries of the store's wall clock, while the store is open."""
    tz = ZoneInfo(tz_name)
    local = now.astimezone(tz) + timedelta(minutes=lead_minutes)
    minute = (local.minute // step_minutes + 1) * step_minutes
    start = local.replace(minute=0, second=0, microsecond=0) + timedelta(minutes=minute)
    slots, probe = [], start
    for _ in range(7 * 24 * 60 // step_minutes):
        # Wall-clock steps; re-localise so a DST change never shifts the grid.
        probe_aware = datetime.combine(probe.date(), probe.time(), tz)
        as_utc = probe_aware.astimezone(ZoneInfo("UTC"))
        # A wall time skipped by a DST change does not exist; one repeated by it counts once.
        exists = as_utc.astimezone(tz).replace(tzinfo=None) == probe_aware.replace(tzinfo=None)
        if exists and (not slots or as_utc > slots[-1]) and is_open(intervals, probe_aware, tz_name):
            slots.append(as_utc)
            if len(slots) == count:
                break
        probe = probe + timedelta(minutes=step_minutes)
    return slots


def local_day_start(now, tz_name):
    """The start of ``now``'s day on the store's wall clock, as aware UTC (for "today" lists)."""
    tz = ZoneInfo(tz_name)
    midnight = datetime.combine(now.astimezone(tz).date(), datetime.min.time(), tz)
    return midnight.astimezone(ZoneInfo("UTC"))


def minutes_since(at, now):
    """Whole minutes from ``at`` to ``now`` (rounded down, never negative): an order's age."""
    return max(0, int((now - at).total_seconds() // 60))


# Why the store cancels an order, as staff choose it on the board; "other" needs a few words.
STORE_CANCEL_REASONS = ("out_of_stock", "customer_request", "cannot_deliver", "other")
CANCEL_TEXT_MAX = 150


def cancel_problem(reason, text):
    """Why a store cancellation is not acceptable (``"reason"`` or ``"text"``), or None when it is."""
    if reason not in STORE_CANCEL_REASONS:
        return "reason"
    text = (text or "").strip()
    if (reason == "other" and not text) or len(text) > CANCEL_TEXT_MAX:
        return "text"
    return None
