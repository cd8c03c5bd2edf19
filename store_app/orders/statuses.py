"""Order statuses and payment methods; pure (no framework), shared by models and rules."""
from enum import StrEnum


class OrderStatus(StrEnum):
    """Where an order is; allowed moves are in ``rules.TRANSITIONS``."""

    PLACED = "placed"          # paid or to be paid on delivery; waiting for the store
    ACCEPTED = "accepted"      # the store has seen it
    PICKING = "picking"        # staff are taking it off the shelves (no more cancelling)
    READY = "ready"            # packed, waiting for a courier (or, for pickup, for the resident)
    ASSIGNED = "assigned"      # a courier is on the way to collect it
    PICKED_UP = "picked_up"    # the courier has it
    DELIVERED = "delivered"    # handed over against the delivery code
    COLLECTED = "collected"    # a pickup order, handed over at the counter against its pickup code
    CANCELLED = "cancelled"    # by the resident before picking, or by the store
    FAILED = "failed"          # could not be delivered


class PaymentMethod(StrEnum):
    """How the resident pays."""

    CASH = "cash"      # cash on delivery
    CARD = "card"      # card on delivery (the courier's terminal)
    WALLET = "wallet"  # the store wallet, debited at checkout


class Fulfilment(StrEnum):
    """How the goods reach the resident."""

    DELIVERY = "delivery"  # a courier brings them (a delivery task, a zone, its fee and minimum)
    PICKUP = "pickup"      # the resident collects them at the store's counter (到店自提): no task, no fee
