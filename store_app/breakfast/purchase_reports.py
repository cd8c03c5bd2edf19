"""What breakfast tells growth about each order (``growth.purchases``), under ``ref`` "breakfast:<id>".

- Charged at the cutoff, paid or on credit (cooked, owed): recorded, with what the parent pays for
  it after discounts (an order on credit is recorded at what it will cost: it was cooked and is owed).
- Collected at the desk: completed. A no-show is completed too: the breakfast was cooked and charged
  (eaten or not), so it counts as fulfilled, and it is never refunded.
- Cancelled or skipped before the cutoff, refunded when staff close the day, not cooked (the wallet
  was short past the grace), or taken off the frozen day by the kitchen: cancelled. An order that was
  never charged has no purchase; ``cancel_purchase`` then changes nothing there.
- Breakfast has no refund after fulfilment (collected and no-show orders are final), so it never
  calls ``refund_purchase``.

Every call is idempotent on the ref, so a job run twice reports each moment once. The status writers
(``charging``, ``ordering``, ``day_admin``, ``kitchen``, ``desk``) call these right after their
guarded UPDATEs, in the same transaction.
"""
from ..extensions import db
from ..growth import coupon_use, purchases
from ..growth.baskets import Basket, BasketLine, Line
from .models import BreakfastOrder, BreakfastOrderLine, OrderStatus

IN_CHUNK = 1000  # ids per IN list

# The statuses a charge at the cutoff can end in that make a purchase.
RECORDED = (OrderStatus.PAID.value, OrderStatus.ON_CREDIT.value)


def ref_of(order_id):
    """The purchase reference of breakfast order ``order_id``."""
    return f"breakfast:{order_id}"


def _chunks(ids):
    ids = sorted(set(ids))
    return [ids[i:i + IN_CHUNK] for i in range(0, len(ids), IN_CHUNK)]


def basket_of(rows):
    """The breakfast basket of ``[(unit_cents, quantity)]`` (breakfast items are not catalogue
    products: no product, category or merchant, so a coupon limited to those never matches them)."""
    return Basket(line=Line.BREAKFAST.value,
                  lines=tuple(BasketLine(None, unit_cents, quantity) for unit_cents, quantity in rows))


def load_baskets(order_ids):
    """``{order_id: Basket}`` for the orders (one query per thousand ids), lines in id order."""
    found = {}
    for chunk in _chunks(order_ids):
        rows = db.session.execute(db.select(BreakfastOrderLine.order_id, BreakfastOrderLine.price_cents,
                                            BreakfastOrderLine.quantity)
                                  .where(BreakfastOrderLine.order_id.in_(chunk)).order_by(BreakfastOrderLine.id))
        for order_id, unit_cents, quantity in rows:
            found.setdefault(order_id, []).append((unit_cents, quantity))
    return {order_id: basket_of(found.get(order_id, ())) for order_id in order_ids}


def report_charged(order_ids, now):
    """After the cutoff's charge: each of ``order_ids`` now paid or on credit is recorded, each not
    cooked is cancelled. Reads the orders as written (one query per thousand ids)."""
    orders = []
    for chunk in _chunks(order_ids):
        orders += db.session.execute(db.select(BreakfastOrder.id, BreakfastOrder.parent_id, BreakfastOrder.store_id,
                                               BreakfastOrder.status, BreakfastOrder.total_cents,
                                               BreakfastOrder.discount_cents)
                                     .where(BreakfastOrder.id.in_(chunk)).order_by(BreakfastOrder.id)).all()
    baskets = load_baskets([row.id for row in orders if row.status in RECORDED])
    for row in orders:
        if row.status in RECORDED:
            purchases.record_purchase(user_id=row.parent_id, store_id=row.store_id, line=Line.BREAKFAST.value,
                                      ref=ref_of(row.id), goods_cents=row.total_cents,
                                      discount_cents=row.discount_cents, basket=baskets[row.id], now=now)
        elif row.status == OrderStatus.NOT_COOKED.value:
            report_cancelled([row.id], now)


def report_cancelled(order_ids, now):
    """The orders ended before they were fulfilled (cancelled, refunded, not cooked). An order never
    charged has no purchase: its reserved coupon copy goes back to the parent directly."""
    for order_id in sorted(set(order_ids)):
        if not purchases.cancel_purchase(ref_of(order_id), now):
            coupon_use.release_for(ref_of(order_id), now)


def report_completed(order_ids, now):
    """The orders were fulfilled (collected, or a no-show at the window's end)."""
    for order_id in sorted(set(order_ids)):
        purchases.complete_purchase(ref_of(order_id), now)
