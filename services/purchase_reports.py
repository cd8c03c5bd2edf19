"""What the marketplace tells growth about each booking (``growth.purchases``), under ``ref``
"booking:<id>". ``steps``, the one writer of a booking's status, calls ``after_move`` after each step.

- Confirmed (held -> requested), paid from the wallet or in cash on site: recorded with what the
  resident pays, the price after the coupon's discount (a cash job too: the resident pays the vendor).
- Completed (the resident confirms, or 48 hours pass): completed. Extras the resident approved on
  site are services they paid for: the purchase's goods become price - discount + extras first.
- Ended before completion (cancelled by anyone, expired unaccepted, the vendor's no-show, the
  resident's no-show): cancelled. A cancellation or no-show fee is a fee, not the service bought.
  A hold that lapses never had a purchase; ``cancel_purchase`` then changes nothing.
- A refund from the store's guarantee after completion (``claims.refund``): refunded, once per claim.
  A booking cannot be cancelled once completed, so there is no other refund after completion.
- A free redo booked from a complaint is not a purchase (nothing is paid for it).

Every call is idempotent on the ref, so a pass run twice reports each moment once.
"""
from store_app.growth import coupon_use, purchases
from store_app.growth.baskets import Basket, BasketLine, Line

from .statuses import BookingStatus as S

ENDED = frozenset({S.CANCELLED, S.EXPIRED, S.VENDOR_NO_SHOW, S.NO_SHOW})


def ref_of(booking_id):
    """The purchase reference of booking ``booking_id``."""
    return f"booking:{booking_id}"


def basket_of(booking):
    """The booking as a basket: one service at its price before any coupon (a service is no catalogue
    product, category or merchant, so a coupon limited to those never matches it)."""
    return Basket(line=Line.SERVICES.value, lines=(BasketLine(None, booking.price_cents, 1),))


def paid_cents(booking):
    """What the resident pays for the service itself: the price after the coupon, plus approved extras."""
    return max(0, booking.price_cents - booking.discount_cents) + booking.extras_cents


def after_move(booking, wanted, now):
    """Tell growth what ``booking``'s step to ``wanted`` means for its purchase (see the module)."""
    wanted = S(wanted)
    ref = ref_of(booking.id)
    if wanted == S.REQUESTED and booking.redo_of_id is None:
        purchases.record_purchase(user_id=booking.resident_id, store_id=booking.store_id,
                                  line=Line.SERVICES.value, ref=ref, goods_cents=paid_cents(booking),
                                  discount_cents=booking.discount_cents, basket=basket_of(booking), now=now)
    elif wanted == S.COMPLETED:
        if booking.extras_cents:
            purchases.amend_goods(ref, paid_cents(booking))
        purchases.complete_purchase(ref, now)
    elif wanted in ENDED:
        _cancel(ref, now)


def after_move_all(booking_ids, wanted, now):
    """``after_move`` for a bulk step of ``booking_ids`` (only the ends can be reached in bulk)."""
    if S(wanted) in ENDED:
        for booking_id in sorted(booking_ids):
            _cancel(ref_of(booking_id), now)


def _cancel(ref, now):
    """The purchase is cancelled (its coupon copies released by growth); a booking that never became
    a purchase gives back any copy reserved for it all the same."""
    if not purchases.cancel_purchase(ref, now):
        coupon_use.release_for(ref, now)


def report_refund(booking, amount_cents, now, *, refund_key):
    """``amount_cents`` of a completed booking went back to the resident (``refund_key``: once each)."""
    purchases.refund_purchase(ref_of(booking.id), amount_cents, now, refund_key=refund_key)
