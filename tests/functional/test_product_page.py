"""The resident's product page: details, habit, stock, add to cart; other stores' products are 404."""
import re
from datetime import timedelta

from store_app.catalogue.models import Category, Merchant, Product
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.orders.models import CartItem, Order, OrderItem
from store_app.roles import Role


def _product(app, store_id, stock=3, active=True, partner=False):
    with app.app_context(), transaction():
        merchant = Merchant(store_id=store_id, name="果园 Orchard" if partner else "Store",
                            kind="fruit" if partner else "store", lat=31.2, lon=121.4, prep_minutes=8)
        category = Category(store_id=store_id, slug=f"c{stock}{active}{partner}", name_zh="水果", name_en="Fruit")
        db.session.add_all([merchant, category])
        db.session.flush()
        product = Product(store_id=store_id, merchant_id=merchant.id, category_id=category.id, name_zh="苹果",
                          name_en="Apple", price_cents=650, stock=stock, is_active=active, unit_label="500 g")
        db.session.add(product)
        db.session.flush()
        return product.id


def _bought(app, store_id, user_id, product_id, days_ago):
    now = utcnow()
    with app.app_context(), transaction():
        for n, days in enumerate(days_ago):
            at = now - timedelta(days=days)
            order = Order(store_id=store_id, user_id=user_id, status="delivered", idempotency_key=f"past-{n}-xxxxxx",
                          address_text="x", lat=31.2, lon=121.4, zone_name="z", subtotal_cents=650,
                          total_cents=650, payment_method="cash", delivery_code="1234", eta_minutes=20,
                          promised_at=at, placed_at=at, delivered_at=at)
            db.session.add(order)
            db.session.flush()
            db.session.add(OrderItem(order_id=order.id, product_id=product_id, merchant_id=db.session.get(
                Product, product_id).merchant_id, name_zh="苹果", name_en="Apple", unit_price_cents=650, quantity=1))


def test_product_page_shows_details_habit_and_adds_to_cart(app, client, auth, community):
    store_id = community["store_id"]
    resident_id, phone = community["users"][Role.RESIDENT]
    product_id = _product(app, store_id, stock=3, partner=True)
    _bought(app, store_id, resident_id, product_id, [12, 8, 4])
    auth.login(phone)
    page = client.get(f"/products/{product_id}", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Apple" in html and "¥6.50" in html and "500 g" in html
    assert "Prepared by 果园 Orchard (about 8 min)" in html
    assert "Only 3 left" in html
    assert "about every 4 days" in html
    assert re.findall(r'<option value="(\d+)"', html) == ["1", "2", "3"]
    added = auth.post("/cart/items", {"product_id": product_id, "quantity": 2,
                                      "next": f"/products/{product_id}"}, token_from=f"/products/{product_id}")
    assert added.status_code == 303 and added.headers["Location"] == f"/products/{product_id}"
    with app.app_context():
        assert db.session.scalar(db.select(CartItem.quantity).where(CartItem.user_id == resident_id)) == 2


def test_the_feed_links_to_the_product_page(app, client, auth, community):
    product_id = _product(app, community["store_id"])
    auth.login(community["users"][Role.RESIDENT][1])
    assert f'href="/products/{product_id}"' in client.get("/shop").get_data(as_text=True)


def test_missing_inactive_and_foreign_products_are_404(app, client, auth, community, create_store):
    other = create_store(name="Other")
    foreign = _product(app, other)
    inactive = _product(app, community["store_id"], active=False)
    auth.login(community["users"][Role.RESIDENT][1])
    for product_id in (foreign, inactive, 999_999):
        assert client.get(f"/products/{product_id}").status_code == 404


def test_sold_out_has_no_add_button_and_staff_get_403(app, client, auth, community):
    product_id = _product(app, community["store_id"], stock=0)
    auth.login(community["users"][Role.RESIDENT][1])
    html = client.get(f"/products/{product_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Sold out" in html and 'action="/cart/items"' not in html
    auth.logout()
    auth.login(community["users"][Role.STAFF][1])
    assert client.get(f"/products/{product_id}").status_code == 403
