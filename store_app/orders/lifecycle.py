"""An order's life after checkout: status moves (guarded UPDATEs, so two clicks never both
win), cancellation with refund and restock, unavailable items, courier hand-over."""
from ..catalogue.models import Product, StockMovement
from ..deliveries.models import DeliveryTask, TaskStatus
from ..extensions import db
from ..wallet import operations as wallet
from . import errors, rules
from .models import Order, OrderEvent, OrderItem, OrderStatus, PaymentMethod

MAX_CODE_MISSES = 5
# Other lines of business that ride on an order (parcels brought along) hear when it ends:
# ``fn(order, status, actor_id, now)``, called inside the same transaction as the move.
FINISH_LISTENERS = []
FINISHED = (OrderStatus.DELIVERED, OrderStatus.FAILED, OrderStatus.CANCELLED)


def on_finish(fn):
    """Register ``fn`` to be told when an order is delivered, failed or cancelled."""
    FINISH_LISTENERS.append(fn)
    return fn
# Items can be struck off (and refunded) until the order is packed.
ITEM_EDITABLE = (OrderStatus.PLACED, OrderStatus.ACCEPTED, OrderStatus.PICKING)
# The steps staff take on the board, in order: accept, start picking, hand over to delivery.
STORE_STEPS = (OrderStatus.ACCEPTED, OrderStatus.PICKING, OrderStatus.READY)


def get_order_for_user(user, order_id):
    """The resident's own order, or None (someone else's order is 'missing' too)."""
    return db.session.scalar(db.select(Order).where(Order.id == order_id, Order.user_id == user.id))


def get_store_order(store_id, order_id):
    """An order of this store, or None."""
    return db.session.scalar(db.select(Order).where(Order.id == order_id, Order.store_id == store_id))


def list_orders_for_user(user_id, limit=50):
    """The resident's orders, newest first."""
    return db.session.scalars(db.select(Order).where(Order.user_id == user_id)
                              .order_by(Order.placed_at.desc(), Order.id.desc()).limit(limit)).all()


def move(order, target, *, actor_id, now, note="", guard=(), changes=None):
    """Move ``order`` to ``target`` if allowed and nobody moved it meanwhile; timestamped.

    One guarded UPDATE: ``guard`` adds conditions (the courier it belongs to, say) and
    ``changes`` more columns to set in the same statement. ``StatusConflict`` when it lost.
    """
    current = OrderStatus(order.status)
    if not rules.can_move(current, target):
        raise errors.StatusConflict(target)
    values = {**(changes or {}), "status": OrderStatus(target).value}
    if target in rules.TIMESTAMP_OF:
        values[rules.TIMESTAMP_OF[OrderStatus(target)]] = now
    moved = db.session.execute(db.update(Order).values(**values).where(
        Order.id == order.id, Order.status == current.value, *guard)).rowcount
    if not moved:
        raise errors.StatusConflict(target)
    db.session.add(OrderEvent(order_id=order.id, status=values["status"], actor_id=actor_id, note=note, at=now))
    db.session.flush()
    db.session.refresh(order)
    if OrderStatus(target) in FINISHED:
        for listener in FINISH_LISTENERS:
            listener(order, OrderStatus(target), actor_id, now)
    return order


def _refund(order, amount_cents, note, actor_id, while_in=None):
    """Give money back the way it was paid: to the wallet, or less to collect at the door.

    ``refunded_cents`` grows in one UPDATE (never read-then-write), only while the order is in
    one of ``while_in`` when given: a refund racing a cancellation can never pay twice.
    """
    if amount_cents <= 0:
        return
    condition = [Order.id == order.id]
    if while_in is not None:
        condition.append(Order.status.in_([OrderStatus(s).value for s in while_in]))
    counted = db.session.execute(db.update(Order).where(*condition)
                                 .values(refunded_cents=Order.refunded_cents + amount_cents)).rowcount
    if not counted:
        raise errors.StatusConflict(order.status)
    if order.payment_method == PaymentMethod.WALLET.value:
        wallet.credit(order.user_id, order.store_id, amount_cents, "refund", note=note, order_id=order.id,
                      actor_id=actor_id)
    db.session.flush()
    db.session.refresh(order)


def _restock(order, actor_id):
    # Product-id order, as checkout takes stock: two transactions never wait on each other in a circle.
    for item in sorted(order.items, key=lambda i: (i.product_id, i.id)):
        if item.unavailable:
            continue
        db.session.execute(db.update(Product).where(Product.id == item.product_id)
                           .values(stock=Product.stock + item.quantity))
        db.session.add(StockMovement(store_id=order.store_id, product_id=item.product_id, delta=item.quantity,
                                     reason="cancel", actor_id=actor_id, order_id=order.id))


def _cancel(order, actor_id, now, note):
    move(order, OrderStatus.CANCELLED, actor_id=actor_id, now=now, note=note)
    _restock(order, actor_id)
    _refund(order, order.total_cents - order.refunded_cents, "order cancelled", actor_id)
    db.session.execute(db.update(DeliveryTask).where(DeliveryTask.order_id == order.id)
                       .values(status=TaskStatus.CANCELLED.value, finished_at=now))
    db.session.flush()
    return order


def settle_failed_delivery(order, actor_id):
    """A failed delivery: the goods come back to the shelf and the resident gets their money back."""
    _restock(order, actor_id)
    _refund(order, order.total_cents - order.refunded_cents, "delivery failed", actor_id)
    return order


def cancel_by_resident(user, order_id, now):
    """The resident cancels before picking starts; refunded the way they paid."""
    order = get_order_for_user(user, order_id)
    if order is None:
        raise errors.OrderNotFound(order_id)
    if not rules.can_resident_cancel(order.status):
        raise errors.NotCancellable(order_id)
    return _cancel(order, user.id, now, "cancelled by resident")


def cancel_by_store(staff, order_id, now, reason, text=""):
    """Staff cancel an order that has not left the store, saying why (one of
    ``rules.STORE_CANCEL_REASONS``; "other" with a few words): restocked and refunded the way it was paid."""
    text = (text or "").strip()
    problem = rules.cancel_problem(reason, text)
    if problem:
        raise errors.CancelReasonInvalid(problem)
    order = _store_order(staff, order_id)
    return _cancel(order, staff.id, now, f"store: {reason}" + (f": {text}" if text else ""))


def mark_item_unavailable(staff, order_id, item_id, now):
    """A line can't be supplied: refund it, tell the resident on the order page; cancel if nothing is left."""
    order = get_store_order(staff.store_id, order_id)
    if order is None:
        raise errors.OrderNotFound(order_id)
    if OrderStatus(order.status) not in ITEM_EDITABLE:
        raise errors.StatusConflict(order.status)
    item = db.session.scalar(db.select(OrderItem).where(OrderItem.id == item_id, OrderItem.order_id == order.id))
    if item is None:
        raise errors.OrderNotFound(item_id)
    flipped = db.session.execute(db.update(OrderItem).where(OrderItem.id == item.id, OrderItem.unavailable.is_(False))
                                 .values(unavailable=True)).rowcount
    if not flipped:
        return order
    db.session.refresh(item)
    _refund(order, item.line_cents, f"unavailable: {item.name_zh}", staff.id, while_in=ITEM_EDITABLE)
    db.session.add(OrderEvent(order_id=order.id, status=order.status, actor_id=staff.id, at=now,
                              note=f"unavailable:{item.id}"))
    db.session.flush()
    if all(i.unavailable for i in order.items):
        return _cancel(order, staff.id, now, "nothing left to deliver")
    return order


def amount_due_cents(order):
    """What the courier collects at the door (0 when paid from the wallet)."""
    if order.payment_method == PaymentMethod.WALLET.value:
        return 0
    return max(0, order.total_cents - order.refunded_cents)


def _store_order(staff, order_id):
    order = get_store_order(staff.store_id, order_id)
    if order is None:
        raise errors.OrderNotFound(order_id)
    return order


def advance_by_store(staff, order_id, target, now):
    """Staff take an order one step on: accept it, start picking, or mark it ready for a courier.

    Two staff clicking at once: the guarded UPDATE lets one through, the other gets ``StatusConflict``.
    """
    if OrderStatus(target) not in STORE_STEPS:
        raise errors.StatusConflict(target)
    return move(_store_order(staff, order_id), target, actor_id=staff.id, now=now)


def is_code_locked(order):
    """True once the courier typed a wrong delivery code ``MAX_CODE_MISSES`` times."""
    return order.delivery_code_misses >= MAX_CODE_MISSES


def unlock_delivery_code(staff, order_id, now):
    """Staff let the courier try the delivery code again (the misses go back to 0)."""
    order = _store_order(staff, order_id)
    reset = db.session.execute(db.update(Order).where(Order.id == order.id, Order.delivery_code_misses > 0)
                               .values(delivery_code_misses=0)).rowcount
    if reset:
        db.session.add(OrderEvent(order_id=order.id, status=order.status, actor_id=staff.id, at=now,
                                  note="delivery code unlocked"))
        db.session.flush()
        db.session.refresh(order)
    return order
