"""Finding orders: the resident's own, a store's, by idempotency key. Read-only; another user's or
another store's order is 'missing' (None), like one that does not exist."""
from ..extensions import db
from .models import Order


def get_order_for_user(user, order_id):
    """The resident's own order, or None (someone else's order is 'missing' too)."""
    return db.session.scalar(db.select(Order).where(Order.id == order_id, Order.user_id == user.id))


def get_store_order(store_id, order_id):
    """An order of this store, or None."""
    return db.session.scalar(db.select(Order).where(Order.id == order_id, Order.store_id == store_id))


def get_order_by_key(user_id, key):
    """The order this user placed with this idempotency key, if any."""
    return db.session.scalar(db.select(Order).where(Order.user_id == user_id, Order.idempotency_key == key))


def list_orders_for_user(user_id, limit=50):
    """The resident's orders, newest first."""
    return db.session.scalars(db.select(Order).where(Order.user_id == user_id)
                              .order_by(Order.placed_at.desc(), Order.id.desc()).limit(limit)).all()
