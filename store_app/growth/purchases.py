"""What every line tells growth: a resident paid for something (``record_purchase``), it was
fulfilled (``complete_purchase``), cancelled before that (``cancel_purchase``) or refunded in part
or whole (``refund_purchase``). Each call is idempotent on the line's ``ref``, so a retried job or a
replayed request changes nothing the second time.

Growth's own parts (points, referrals, campaign conversion) hear of these moments through handlers
they register here (``on``); the lines never know who listens.
"""
from datetime import timedelta

from ..database import upsert
from ..extensions import db
from .models import Purchase, PurchaseStatus

# How long after fulfilment a purchase may still be refunded, per line (days): a referral reward
# waits until the friend's first purchase is past it.
REFUND_WINDOW_DAYS = {"delivery": 2, "pickup": 2, "breakfast": 1, "services": 7, "parcel_door": 2}

_handlers = {"placed": [], "completed": [], "cancelled": [], "refunded": []}


def on(moment, handler):
    """Call ``handler(purchase, now, **details)`` whenever a purchase reaches ``moment``
    ("placed": newly recorded, "completed", "cancelled" or "refunded"; refunded passes
    ``amount_cents``), inside the same
    transaction. Registering the same handler twice keeps one."""
    if handler not in _handlers[moment]:
        _handlers[moment].append(handler)


def _emit(moment, purchase, now, **details):
    for handler in list(_handlers[moment]):
        handler(purchase, now, **details)


def get_purchase(ref):
    """The purchase a line reported under ``ref``, or None."""
    return db.session.scalar(db.select(Purchase).where(Purchase.ref == ref))


def record_purchase(*, user_id, store_id, line, ref, goods_cents, fee_cents=0, discount_cents=0,
                    basket=None, now):
    """Note that ``user_id`` paid ``goods_cents`` (after discounts; fees apart) on ``line``; returns the
    purchase. A second call with the same ``ref`` returns the first row unchanged. The first call
    tells the "placed" handlers (coupon copies reserved for ``ref`` become used)."""
    inserted = db.session.execute(upsert(Purchase.__table__).values(
        user_id=user_id, store_id=store_id, line=str(line), ref=ref, status=PurchaseStatus.PLACED.value,
        goods_cents=max(0, int(goods_cents)), fee_cents=max(0, int(fee_cents)),
        discount_cents=max(0, int(discount_cents)), refunded_cents=0,
        basket=basket.to_json() if basket is not None else None, placed_at=now).on_conflict_do_nothing(
        index_elements=["ref"])).rowcount
    purchase = get_purchase(ref)
    if inserted:
        _emit("placed", purchase, now)
    return purchase


def complete_purchase(ref, now):
    """The purchase was fulfilled at ``now``: its refund window starts. Returns True the first time."""
    purchase = get_purchase(ref)
    if purchase is None:
        return False
    window = timedelta(days=REFUND_WINDOW_DAYS.get(purchase.line, 2))
    moved = db.session.execute(db.update(Purchase).where(
        Purchase.id == purchase.id, Purchase.status == PurchaseStatus.PLACED.value).values(
        status=PurchaseStatus.COMPLETED.value, completed_at=now, refund_window_ends_at=now + window)).rowcount
    if moved:
        db.session.refresh(purchase)
        _emit("completed", purchase, now)
    return bool(moved)


def cancel_purchase(ref, now):
    """The purchase was cancelled before it was fulfilled. Returns True the first time."""
    purchase = get_purchase(ref)
    if purchase is None:
        return False
    moved = db.session.execute(db.update(Purchase).where(
        Purchase.id == purchase.id, Purchase.status == PurchaseStatus.PLACED.value).values(
        status=PurchaseStatus.CANCELLED.value, cancelled_at=now)).rowcount
    if moved:
        db.session.refresh(purchase)
        _emit("cancelled", purchase, now)
    return bool(moved)


def refund_purchase(ref, amount_cents, now, *, refund_key=None):
    """``amount_cents`` of the purchase went back to the resident (never more than was paid). Returns
    the amount counted. ``refund_key`` is unused by the record itself; handlers may use it to stay
    idempotent per refund."""
    purchase = get_purchase(ref)
    if purchase is None or amount_cents <= 0:
        return 0
    paid = purchase.goods_cents + purchase.fee_cents
    amount = min(int(amount_cents), paid - purchase.refunded_cents)
    if amount <= 0:
        return 0
    moved = db.session.execute(db.update(Purchase).where(
        Purchase.id == purchase.id, Purchase.refunded_cents + amount <= paid).values(
        refunded_cents=Purchase.refunded_cents + amount)).rowcount
    if not moved:
        return 0
    db.session.refresh(purchase)
    _emit("refunded", purchase, now, amount_cents=amount, refund_key=refund_key)
    return amount
