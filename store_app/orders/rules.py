"""Pure order rules: totals, what is due at the door, cart checks, scheduled slots, cancel reasons.
(The moves an order may make are ``store_app.fulfilment.transitions``.)"""
import hashlib
import hmac
import secrets
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
    fee_discount_cents: int = 0  # the part of ``discount_cents`` taken off the delivery fee (free delivery)


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
                  totals.total_cents + parcel_fee_cents, totals.parcel_fee_cents + parcel_fee_cents,
                  totals.fee_discount_cents)


def with_discount(totals, goods_discount_cents, fee_discount_cents):
    """``totals`` (without a discount yet) less what coupons take off the goods and the delivery fee;
    each part is capped by what it is taken from, so the total never goes below zero."""
    if goods_discount_cents < 0 or fee_discount_cents < 0:
        raise ValueError("a discount cannot be negative")
    goods = min(goods_discount_cents, totals.subtotal_cents)
    fee = min(fee_discount_cents, totals.delivery_fee_cents)
    return Totals(totals.subtotal_cents, totals.delivery_fee_cents, goods + fee,
                  totals.subtotal_cents + totals.delivery_fee_cents - goods - fee + totals.parcel_fee_cents,
                  totals.parcel_fee_cents, fee)


def purchase_ref(order_id):
    """How growth's purchase record names an order."""
    return f"order:{order_id}"


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


# ---- pickup at the store (到店自提) ----------------------------------------------------------------

PICKUP_CODE_DIGITS = 6


def new_pickup_nonce():
    """A fresh random nonce (``secrets``) from which a pickup order's code is derived."""
    return secrets.token_hex(16)


def derive_pickup_code(secret, nonce):
    """The six-digit pickup code of ``nonce``: an HMAC under the app's key, so the database alone
    (nonce and hash) gives nobody the code, yet the resident's page can show it."""
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, f"order-pickup:{nonce}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10 ** PICKUP_CODE_DIGITS:0{PICKUP_CODE_DIGITS}d}"


def hash_pickup_code(secret, store_id, code):
    """What the order keeps to find it by a typed code: an HMAC of ``store_id:code`` under the app's key."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, f"order-pickup:{store_id}:{code}".encode(), hashlib.sha256).hexdigest()


def is_pickup_code_shaped(code):
    """Six ASCII digits."""
    return isinstance(code, str) and len(code) == PICKUP_CODE_DIGITS and code.isascii() and code.isdigit()


def preferred_payment(chosen, balance_cents, total_cents):
    """The payment method a checkout form shows: what the resident chose, unless it is the wallet and
    the balance does not cover ``total_cents``; with no choice, the wallet only when it covers the
    total, else cash."""
    wallet = PaymentMethod.WALLET.value
    if chosen in {m.value for m in PaymentMethod} and (chosen != wallet or balance_cents >= total_cents):
        return chosen
    return wallet if balance_cents >= total_cents else PaymentMethod.CASH.value


# Why the Pay button is disabled (shown next to it); the server refuses the same cases.
BLOCK_OUTSIDE_ZONE = "outside_zone"
BLOCK_BELOW_MINIMUM = "below_minimum"
BLOCK_NEEDS_SLOT = "needs_slot"
BLOCK_NOT_DELIVERABLE = "not_deliverable"
BLOCK_CART = "cart"


def checkout_block(*, pickup, cart_ok, deliverable, reason, outside, subtotal_cents, minimum_cents,
                   slots_offered, slot_chosen, store_open):
    """Why this order cannot be placed as the page stands (one of ``BLOCK_*``), or None.

    A delivery needs an address in a zone, the zone's minimum and either a courier now or a chosen
    slot; a pickup needs the store open now or a chosen slot. ``outside`` is True when no enabled
    zone covers the address.
    """
    if not cart_ok:
        return BLOCK_CART
    if pickup:
        return None if store_open or slot_chosen else BLOCK_NEEDS_SLOT
    if outside:
        return BLOCK_OUTSIDE_ZONE
    if minimum_cents and subtotal_cents < minimum_cents:
        return BLOCK_BELOW_MINIMUM
    if deliverable or slot_chosen:
        return None
    return BLOCK_NEEDS_SLOT if slots_offered else BLOCK_NOT_DELIVERABLE


def missing_for_minimum(subtotal_cents, minimum_cents):
    """How much more goods reach the zone's minimum (0 when reached or there is none)."""
    return max(0, (minimum_cents or 0) - subtotal_cents)
