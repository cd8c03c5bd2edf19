"""Helpers of the review tests: a shop whose resident has an order in a chosen status."""
from datetime import timedelta

from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.orders.models import Order
from tests.conftest import add_shopper, build_shop, place_test_order


def set_status(order_id, status, *, pickup=False):
    """Move a test order straight to ``status`` (the fulfilment steps are tested elsewhere)."""
    with transaction():
        order = db.session.get(Order, order_id)
        order.status = status
        if status == "delivered":
            order.delivered_at = utcnow()
        if status == "collected":
            order.collected_at = utcnow()
        if pickup:
            order.fulfilment = "pickup"


def delivered_world(app, status="delivered"):
    """A shop, two residents (``shopper``, ``neighbour``), and the shopper's order of water and milk in
    ``status``: ``(shop, shopper, neighbour, order_id)``."""
    with app.app_context():
        shop = build_shop()
        shopper = add_shopper(shop, name="Lin")
        neighbour = add_shopper(shop, name="Neighbour")
        order_id = place_test_order(shopper, {shop.products["water"]: 2, shop.products["milk"]: 1})
        set_status(order_id, status)
    return shop, shopper, neighbour, order_id


def buy_and_receive(shopper, product_id, now=None):
    """Another delivered order of one product for ``shopper``; needs an app context. Its id."""
    order_id = place_test_order(shopper, {product_id: 1}, now=now or utcnow() - timedelta(minutes=1))
    set_status(order_id, "delivered")
    return order_id
