"""Pickup at the store (到店自提), the counter's side: find a waiting pickup order by the code on the
resident's phone, and hand it over (ready -> collected, once: a guarded move, so two counters
confirming one code give one handover and a clean 409 for the other). What is still to pay (cash or
card at the counter) is shown before confirming."""
from dataclasses import dataclass

from ..extensions import db
from ..orders import pickup, queries, rules
from ..orders.errors import StatusConflict
from ..orders.models import Fulfilment, Order, OrderStatus
from .errors import AlreadyCollected, PickupCodeUnknown, PickupNotReady
from .moves import move


@dataclass(frozen=True)
class WaitingPickup:
    """A pickup order as the counter sees it before handing it over."""

    order: Order
    ready: bool
    amount_due_cents: int  # cash or card at the counter; 0 when paid from the wallet
    item_count: int


def find_pickup(staff, code):
    """The staff member's store's pickup order waiting with ``code``, or ``PickupCodeUnknown``."""
    order = pickup.find_waiting_order(staff.store_id, code)
    if order is None or not order.is_pickup:
        raise PickupCodeUnknown()
    return WaitingPickup(order, OrderStatus(order.status) == OrderStatus.READY, rules.amount_due_cents(order),
                         sum(i.quantity for i in order.items if not i.unavailable))


def hand_over_pickup(staff, order_id, now):
    """Hand a packed pickup order to its resident: ready -> collected, once.

    The move is guarded on the status read: of two counters confirming at once one wins and the
    other gets ``AlreadyCollected`` (409). A cancelled order is ``StatusConflict``; one still being
    picked is ``PickupNotReady``.
    """
    order = queries.get_store_order(staff.store_id, order_id)
    if order is None or order.fulfilment != Fulfilment.PICKUP.value:
        raise PickupCodeUnknown()
    status = OrderStatus(order.status)
    if status == OrderStatus.COLLECTED:
        raise AlreadyCollected()
    if status in (OrderStatus.PLACED, OrderStatus.ACCEPTED, OrderStatus.PICKING):
        raise PickupNotReady()
    try:
        return move(order, OrderStatus.COLLECTED, actor_id=staff.id, now=now, note="collected at the counter")
    except StatusConflict:
        db.session.refresh(order)
        if order.status == OrderStatus.COLLECTED.value:
            raise AlreadyCollected() from None
        raise


def list_waiting_pickups(store_id, limit=50):
    """The store's pickup orders not yet collected or cancelled, soonest promise first."""
    return db.session.scalars(db.select(Order).where(
        Order.store_id == store_id, Order.fulfilment == Fulfilment.PICKUP.value,
        Order.status.in_([s.value for s in (OrderStatus.PLACED, OrderStatus.ACCEPTED, OrderStatus.PICKING,
                                             OrderStatus.READY)]))
        .order_by(Order.promised_at, Order.id).limit(limit)).all()
