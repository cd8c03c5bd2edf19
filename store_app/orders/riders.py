"""What other lines of business bring along on a delivery order and charge with it: today the parcel
station's waiting parcels ("bring my parcels along", or "bring them to my door" on their own).

Orders never import the lines above them (DESIGN's ladder), so a line registers a ``Rider`` here at
import time, and checkout, the order board and the courier's card ask the registry. Everything a
rider does happens inside the order's transaction.
"""
from dataclasses import dataclass
from typing import Callable

PARCELS = "parcels"


@dataclass(frozen=True)
class Rider:
    """A line of business's hooks into a delivery order."""

    quote: Callable   # (user, ids, now) -> (things, fee_cents); refuses with a DomainError
    attach: Callable  # (things, order, user_id, now): they now travel with the order
    offer: Callable   # (user, store, now) -> what the checkout page offers to bring along
    labels: Callable  # (order_ids) -> {order_id: (label, ...)}: what staff see riding on each order


_RIDERS = {}


def register(name, rider):
    """Let ``rider`` travel on delivery orders under ``name`` (once per name)."""
    _RIDERS[name] = rider


def quote(name, user, ids, now):
    """``(things, fee_cents)`` to bring along for ``ids`` (nothing asked: nothing, free)."""
    if not ids:
        return [], 0
    return _RIDERS[name].quote(user, ids, now)


def attach(name, things, order, user_id, now):
    """Put ``things`` on ``order`` (nothing to do for nothing)."""
    if things:
        _RIDERS[name].attach(things, order, user_id, now)


def offer(name, user, store, now):
    """What the checkout page may offer to bring along, or None when no line registered ``name``."""
    rider = _RIDERS.get(name)
    return rider.offer(user, store, now) if rider is not None else None


def labels(name, order_ids):
    """``{order_id: (label, ...)}`` of what rides on these orders (one query, none for no ids)."""
    rider = _RIDERS.get(name)
    if rider is None or not order_ids:
        return {}
    return rider.labels(order_ids)
