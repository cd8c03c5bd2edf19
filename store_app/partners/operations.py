"""Partner verbs: the secret link, what a partner has to prepare, and marking it ready. They add
and flush; the caller's ``transaction()`` commits."""
import secrets
from dataclasses import dataclass
from datetime import datetime

from ..catalogue.models import Merchant, MerchantKind
from ..deliveries.models import DeliveryTask
from ..extensions import db
from ..orders.models import Order, OrderItem, OrderStatus
from . import errors, rules

# A partner prepares goods until the store has packed the order.
PREPARING = (OrderStatus.PLACED.value, OrderStatus.ACCEPTED.value, OrderStatus.PICKING.value)


def new_access_token():
    """A fresh secret for a partner's link: 32 random bytes, URL-safe (43 characters)."""
    return secrets.token_urlsafe(rules.TOKEN_BYTES)


def get_partner_by_token(token):
    """The partner merchant whose link carries ``token``, or None (also for the store itself)."""
    if not rules.is_token_shaped(token):
        return None
    return db.session.scalar(db.select(Merchant).where(Merchant.access_token == token,
                                                       Merchant.kind != MerchantKind.STORE.value))


def list_partners(store_id):
    """The store's partner merchants, by name."""
    return db.session.scalars(db.select(Merchant).where(
        Merchant.store_id == store_id, Merchant.kind != MerchantKind.STORE.value)
        .order_by(Merchant.name, Merchant.id)).all()


def regenerate_token(staff, merchant_id):
    """Give a partner of the staff's store a new link; the old one stops working at once."""
    merchant = db.session.scalar(db.select(Merchant).where(
        Merchant.id == merchant_id, Merchant.store_id == staff.store_id,
        Merchant.kind != MerchantKind.STORE.value))
    if merchant is None:
        raise errors.PartnerNotFound(merchant_id)
    merchant.access_token = new_access_token()
    db.session.flush()
    return merchant


@dataclass(frozen=True)
class PrepOrder:
    """One order's items a partner still has to prepare, and by when."""

    order_id: int
    deadline_at: datetime
    items: list


def list_orders_to_prepare(merchant):
    """The partner's items in the store's open orders not yet marked ready, grouped by order,
    earliest pickup deadline first (ties by order id)."""
    rows = db.session.execute(
        db.select(OrderItem, Order.placed_at, DeliveryTask.ready_at)
        .join(Order, Order.id == OrderItem.order_id)
        .outerjoin(DeliveryTask, DeliveryTask.order_id == Order.id)
        .where(OrderItem.merchant_id == merchant.id, OrderItem.prepared_at.is_(None),
               OrderItem.unavailable.is_(False), Order.store_id == merchant.store_id,
               Order.status.in_(PREPARING))
        .order_by(Order.id, OrderItem.id)).all()
    groups = {}
    for item, placed_at, ready_at in rows:
        if item.order_id not in groups:
            deadline = rules.pickup_deadline(ready_at or placed_at, placed_at, merchant.prep_minutes)
            groups[item.order_id] = PrepOrder(item.order_id, deadline, [])
        groups[item.order_id].items.append(item)
    return sorted(groups.values(), key=lambda group: (group.deadline_at, group.order_id))


def mark_order_prepared(merchant, order_id, now):
    """The partner's items of one order are ready: ``prepared_at`` set with one guarded UPDATE, only
    on items not marked yet and only while the order is open. Returns how many lines were marked
    (0 when they already were)."""
    open_order = db.select(Order.id).where(Order.id == order_id, Order.store_id == merchant.store_id,
                                           Order.status.in_(PREPARING))
    marked = db.session.execute(
        db.update(OrderItem).where(OrderItem.order_id == order_id, OrderItem.merchant_id == merchant.id,
                                   OrderItem.prepared_at.is_(None), OrderItem.unavailable.is_(False),
                                   OrderItem.order_id.in_(open_order))
        .values(prepared_at=now).execution_options(synchronize_session=False)).rowcount
    if marked:
        db.session.flush()
        return marked
    status = db.session.scalar(
        db.select(Order.status).join(OrderItem, OrderItem.order_id == Order.id)
        .where(Order.id == order_id, Order.store_id == merchant.store_id,
               OrderItem.merchant_id == merchant.id)
        .limit(1))
    if status is None:
        raise errors.NothingToPrepare(order_id)
    if status not in PREPARING:
        raise errors.OrderNoLongerOpen(order_id)
    return 0
