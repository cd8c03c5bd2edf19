"""Pickup at the store (到店自提): when an order collected at the counter would be ready, and its
six-digit pickup code (derived from a nonce with the app's key, never stored; only its keyed hash
is kept, to find the order when the code is typed at the counter)."""
from flask import current_app

from ..deliveries.params import quote_params
from ..deliveries.rules import STORE_CLOSED, Quote, picking_minutes
from ..extensions import db
from ..stores.rules import is_open
from . import errors, rules
from .models import Order

CODE_ATTEMPTS = 8  # fresh nonces tried when a waiting order of the store already holds the code


def quote(store, item_count, now):
    """A pickup "quote": ready after the picking time while the store is open; no fee, no minimum."""
    if not is_open(store.intervals(), now, store.timezone):
        return Quote(False, None, 0, 0, None, STORE_CLOSED)
    return Quote(True, None, 0, 0, picking_minutes(item_count, quote_params(store)), None)


def code_secret():
    """The key pickup codes are derived and hashed with: the app's ``SECRET_KEY``."""
    return current_app.config["SECRET_KEY"]


def new_code(store_id):
    """``(nonce, code_hash)`` for a new pickup order: a code no waiting order of the store holds.

    (Two orders drawing the same code in the same instant is a one-in-a-million chance squared;
    the unique constraint would refuse the second rather than let one code open two orders.)
    """
    for _attempt in range(CODE_ATTEMPTS):
        nonce = rules.new_pickup_nonce()
        code_hash = rules.hash_pickup_code(code_secret(), store_id, rules.derive_pickup_code(code_secret(), nonce))
        taken = db.session.scalar(db.select(Order.id).where(Order.store_id == store_id,
                                                            Order.pickup_code_hash == code_hash))
        if taken is None:
            return nonce, code_hash
    raise errors.OrderError()


def pickup_code(order):
    """The pickup order's six-digit code, or None (a delivery order has a delivery code instead)."""
    if not order.is_pickup or not order.pickup_code_nonce:
        return None
    return rules.derive_pickup_code(code_secret(), order.pickup_code_nonce)


def find_waiting_order(store_id, code):
    """The store's pickup order still waiting with this code, or None (finished orders have no hash)."""
    if not rules.is_pickup_code_shaped(code):
        return None
    return db.session.scalar(db.select(Order).where(
        Order.store_id == store_id, Order.pickup_code_hash == rules.hash_pickup_code(code_secret(), store_id, code)))
