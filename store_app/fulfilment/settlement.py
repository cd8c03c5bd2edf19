"""When an order does not reach its resident: cancelled (by the resident, by the store, or because
nothing was left) or failed at the door. The goods go back on the shelf and the money goes back the
way it was paid, inside the same transaction as the move."""
from ..catalogue.stock import restore_stock
from ..extensions import db
from ..growth import purchases
from ..orders import queries
from ..orders.errors import OrderNotFound, StatusConflict
from ..orders.models import Order, OrderStatus, PaymentMethod
from ..orders.rules import cancel_problem, purchase_ref
from ..wallet import operations as wallet
from . import errors, notices, transitions
from .moves import move


def refund(order, amount_cents, reason, actor_id, now, while_in=None, params=None):
    """Give ``amount_cents`` back the way the order was paid: to the wallet, or less to collect at the door.

    ``refunded_cents`` grows in one UPDATE (never read-then-write), only while the order is in one of
    ``while_in`` when given: a refund racing a cancellation can never pay twice. ``reason`` is the
    wallet entry's note key (``wallet.presenters.NOTES``), ``params`` its parameters.
    """
    if amount_cents <= 0:
        return
    condition = [Order.id == order.id]
    if while_in is not None:
        condition.append(Order.status.in_([OrderStatus(s).value for s in while_in]))
    counted = db.session.execute(db.update(Order).where(*condition)
                                 .values(refunded_cents=Order.refunded_cents + amount_cents)).rowcount
    if not counted:
        raise StatusConflict(order.status)
    if order.payment_method == PaymentMethod.WALLET.value:
        wallet.credit(order.user_id, order.store_id, amount_cents, "refund", now=now, note_key=reason,
                      note_params=params, order_id=order.id, actor_id=actor_id)
    db.session.flush()
    db.session.refresh(order)
    if order.status not in (OrderStatus.CANCELLED.value, OrderStatus.FAILED.value):
        # Part of a purchase that stands (an item the store did not have, or after fulfilment): growth
        # counts it; a cancelled or failed order's purchase is cancelled instead (its coupon released).
        purchases.refund_purchase(purchase_ref(order.id), amount_cents, now, refund_key=f"{reason}:{order.refunded_cents}")


def restock(order, actor_id, now):
    """The order's goods (the lines still on it) go back on the shelf."""
    restore_stock(order.store_id, [(item.product_id, item.quantity) for item in order.items if not item.unavailable],
                  order_id=order.id, actor_id=actor_id, now=now)


def cancel(order, actor_id, now, note):
    """Cancel: the order and its task move, the goods go back, the money is refunded."""
    move(order, OrderStatus.CANCELLED, actor_id=actor_id, now=now, note=note)
    restock(order, actor_id, now)
    refund(order, order.total_cents - order.refunded_cents, "order_cancelled", actor_id, now)
    return order


def settle_failed_delivery(order, actor_id, now):
    """A failed delivery: the goods come back to the shelf and the resident gets their money back."""
    restock(order, actor_id, now)
    refund(order, order.total_cents - order.refunded_cents, "delivery_failed", actor_id, now)
    return order


def cancel_by_resident(user, order_id, now):
    """The resident cancels before picking starts; refunded the way they paid."""
    order = queries.get_order_for_user(user, order_id)
    if order is None:
        raise OrderNotFound(order_id)
    if not transitions.can_resident_cancel(order.status):
        raise errors.NotCancellable(order_id)
    return cancel(order, user.id, now, "cancelled by resident")


def cancel_by_store(staff, order_id, now, reason, text=""):
    """Staff cancel an order that has not left the store, saying why (one of
    ``orders.rules.STORE_CANCEL_REASONS``; "other" with a few words): restocked and refunded the way it was
    paid, and the resident told in their inbox."""
    text = (text or "").strip()
    problem = cancel_problem(reason, text)
    if problem:
        raise errors.CancelReasonInvalid(problem)
    order = queries.get_store_order(staff.store_id, order_id)
    if order is None:
        raise OrderNotFound(order_id)
    refund_left = order.total_cents - order.refunded_cents
    cancel(order, staff.id, now, f"store: {reason}" + (f": {text}" if text else ""))
    notices.tell_cancelled_by_store(order, reason + (f": {text}" if text else ""), refund_left, now)
    return order
