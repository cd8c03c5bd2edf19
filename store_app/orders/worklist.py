"""The orders' lines on the counter's work list: orders to accept, locked delivery codes, voice
orders to build into a cart, pickup orders ready and waiting for their resident at the counter (registered with ``store_app.web.worklist`` by ``create_app``)."""
from flask import url_for
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..web.worklist import OWNER, WorkItem
from .models import Order, VoiceOrder
from .rules import MAX_CODE_MISSES
from .statuses import Fulfilment, OrderStatus

# Orders whose courier may still be typing the resident's code.
_CODE_STATUSES = (OrderStatus.ASSIGNED.value, OrderStatus.PICKED_UP.value)
_FINISHED = (OrderStatus.DELIVERED.value, OrderStatus.CANCELLED.value, OrderStatus.FAILED.value)


def _count_and_oldest(column, *conditions):
    return db.session.execute(db.select(db.func.count(), db.func.min(column)).where(*conditions)).one()


def work_items(store, now):
    """Orders placed and not yet accepted, delivery codes locked after wrong tries, voice orders to build;
    for the owner, orders that are past their promise and still on the way."""
    to_accept, oldest_placed = _count_and_oldest(
        Order.placed_at, Order.store_id == store.id, Order.status == OrderStatus.PLACED.value)
    locked, oldest_locked = _count_and_oldest(
        Order.placed_at, Order.store_id == store.id, Order.status.in_(_CODE_STATUSES),
        Order.delivery_code_misses >= MAX_CODE_MISSES)
    voice, oldest_voice = _count_and_oldest(
        VoiceOrder.created_at, VoiceOrder.store_id == store.id, VoiceOrder.status == "new")
    late, oldest_late = _count_and_oldest(
        Order.promised_at, Order.store_id == store.id, Order.status.notin_(_FINISHED), Order.promised_at < now)
    waiting, oldest_ready = _count_and_oldest(
        Order.ready_at, Order.store_id == store.id, Order.fulfilment == Fulfilment.PICKUP.value,
        Order.status == OrderStatus.READY.value)
    board = url_for("order_board.board")
    return [
        WorkItem("orders:to_accept", _l("Orders waiting to be accepted"), to_accept, board, _l("Accept orders"),
                 oldest_placed, urgent=True, order=10),
        WorkItem("orders:locked_codes", _l("Delivery codes locked after wrong tries"), locked, board,
                 _l("Unlock codes"), oldest_locked, urgent=True, order=40),
        WorkItem("orders:voice", _l("Voice orders to build"), voice, url_for("voice.queue"),
                 _l("Build carts"), oldest_voice, order=30),
        WorkItem("orders:pickups", _l("Pickup orders waiting at the counter"), waiting,
                 url_for("pickup_counter.counter"), _l("Hand over pickups"), oldest_ready, order=35),
        WorkItem("orders:late", _l("Orders past their promise"), late, url_for("dispatch_board.board"),
                 _l("See the dispatch board"), oldest_late, urgent=True, level=OWNER, order=20),
    ]
