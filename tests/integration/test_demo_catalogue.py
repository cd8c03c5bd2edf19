"""The demo catalogue: about 150 products with valid barcodes, two partner merchants near the store,
four weeks of delivered orders with habits; loading it again creates nothing."""
from store_app.accounts.models import User
from store_app.catalogue import rules
from store_app.orders import feed
from store_app.catalogue.models import Category, Merchant, Product
from store_app.database import transaction, utcnow
from store_app.demo.catalogue import seed_catalogue
from store_app.demo.operations import seed_demo
from store_app.extensions import db
from store_app.geo.rules import haversine_m
from store_app.orders.models import Order, OrderItem


def counts():
    return {model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model))
            for model in (Category, Merchant, Product, Order, OrderItem)}


def test_the_demo_catalogue_and_its_history(app_ctx):
    with transaction():
        store, _ = seed_demo()
    totals = counts()
    assert 140 <= totals["Product"] <= 160 and totals["Category"] == 10 and totals["Merchant"] == 3
    assert totals["Order"] > 100
    products = db.session.scalars(db.select(Product)).all()
    assert all(rules.is_valid_gtin(p.barcode) for p in products)
    assert all(p.name_zh and p.name_en and 0 < p.price_cents < 10_000 for p in products)
    assert len({p.barcode for p in products}) == len(products)
    partners = db.session.scalars(db.select(Merchant).where(Merchant.kind != "store")).all()
    assert {m.kind for m in partners} == {"fruit", "bakery"}
    assert all(haversine_m((store.lat, store.lon), (m.lat, m.lon)) < 1000 for m in partners)
    assert all(m.prep_minutes > 0 for m in partners)
    orders = db.session.scalars(db.select(Order)).all()
    assert {o.status for o in orders} == {"delivered"}
    assert all(o.delivered_at <= o.promised_at and len(o.delivery_code) == 4 for o in orders)
    assert all(o.total_cents == o.subtotal_cents + o.delivery_fee_cents for o in orders)
    assert all(o.subtotal_cents == sum(i.line_cents for i in o.items) for o in orders)

    with transaction():
        _, again = seed_demo()
    assert again["products"] == 0 and again["orders"] == 0
    assert counts() == totals


def test_the_demo_resident_buys_milk_every_four_days(app_ctx):
    with transaction():
        store, _ = seed_demo()
    now = utcnow()  # the demo's history is relative to the real clock, as on `make run`
    with transaction():
        assert seed_catalogue(store, now) == {"products": 0, "orders": 0}
    resident = db.session.scalar(db.select(User).where(User.phone == "+8613900139000"))
    page = feed.load_feed(store.id, resident.id, now, per_page=5)
    top = {card.product.name_en: card.ranked for card in page.cards}
    assert top["Bright Whole Milk"].reason == rules.REASON_HABIT and top["Bright Whole Milk"].every_days == 4
    assert top["Wholemeal Toast Bread"].every_days == 3
    # Sold out and off sale demo goods are not in the feed.
    total = db.session.scalar(db.select(db.func.count(Product.id)))
    assert page.total == total - 4
