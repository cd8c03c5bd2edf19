"""Helpers of the review tests: a shop whose resident has an order in a chosen status."""
import secrets
from datetime import timedelta

from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.catalogue.models import Product
from store_app.orders.models import Order, OrderItem
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


def buy_and_receive(shopper, product_id):
    """A delivered order of one product for ``shopper``, written as the past it stands for (checkout
    is tested elsewhere; a courier's queue would fill up); needs an app context. Its id."""
    at = utcnow() - timedelta(days=1)
    with transaction():
        product = db.session.get(Product, product_id)
        order = Order(store_id=product.store_id, user_id=shopper.user_id, status="delivered",
                      idempotency_key=f"past-{secrets.token_hex(8)}", address_text="Inside Tower, 2-1202", lat=31.2,
                      lon=121.4, zone_name="Zone A", subtotal_cents=product.price_cents,
                      total_cents=product.price_cents, payment_method="cash", delivery_code="1234", eta_minutes=20,
                      promised_at=at, placed_at=at, delivered_at=at)
        order.items = [OrderItem(product_id=product.id, merchant_id=product.merchant_id, name_zh=product.name_zh,
                                 name_en=product.name_en, unit_price_cents=product.price_cents, quantity=1)]
        db.session.add(order)
        db.session.flush()
        return order.id
