"""Factories for catalogue tests: categories, merchants, products and past orders, straight into the
database (the pages under test are the console and the feed, not these shortcuts)."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from store_app.catalogue.models import Category, Merchant, Product
from store_app.database import transaction
from store_app.extensions import db
from store_app.orders.models import Order, OrderItem

from ..photo_files import photo_bytes

CARD_RE = re.compile(r'<li class="feed-card[^"]*" id="p(\d+)"')
# Real (tiny) photos: the app decodes and re-encodes every photo it keeps.
PNG = photo_bytes("PNG", (30, 20))
JPEG = photo_bytes("JPEG", (30, 20))
WEBP = photo_bytes("WEBP", (30, 20))


def now():
    return datetime.now(timezone.utc)


def card_ids(response):
    """The product ids of the feed cards on a page, in page order."""
    return [int(pid) for pid in CARD_RE.findall(response.get_data(as_text=True))]


class CatalogueFactory:
    """``catalogue.category(...)``, ``.merchant(...)``, ``.product(...)``, ``.order(...)`` -> ids."""

    def __init__(self, app):
        self.app = app
        self._barcode = 1000

    def category(self, store_id, slug, name_zh=None, name_en=None, position=0):
        with self.app.app_context(), transaction():
            category = Category(store_id=store_id, slug=slug, name_zh=name_zh or slug,
                                name_en=name_en or slug.title(), position=position)
            db.session.add(category)
            db.session.flush()
            return category.id

    def merchant(self, store_id, name, kind="store", prep_minutes=0):
        with self.app.app_context(), transaction():
            merchant = Merchant(store_id=store_id, name=name, kind=kind, lat=31.2, lon=121.4,
                                prep_minutes=prep_minutes)
            db.session.add(merchant)
            db.session.flush()
            return merchant.id

    def product(self, store_id, category_id, merchant_id, name_en, name_zh=None, price_cents=500, stock=10,
                active=True, barcode=None, unit=""):
        self._barcode += 1
        with self.app.app_context(), transaction():
            product = Product(store_id=store_id, category_id=category_id, merchant_id=merchant_id,
                              name_en=name_en, name_zh=name_zh or name_en, price_cents=price_cents,
                              stock=stock, is_active=active, barcode=barcode or f"T{self._barcode}",
                              unit_label=unit)
            db.session.add(product)
            db.session.flush()
            return product.id

    def order(self, store_id, user_id, lines, placed_at, status="delivered"):
        """A past order of ``[(product_id, quantity), ...]`` placed at ``placed_at``."""
        with self.app.app_context(), transaction():
            count = db.session.scalar(db.select(db.func.count(Order.id)))
            order = Order(store_id=store_id, user_id=user_id, status=status, idempotency_key=f"test-{count}",
                          address_text="Test", lat=31.2, lon=121.4, zone_name="Test", subtotal_cents=0,
                          total_cents=0, payment_method="cash", delivery_code="1234", eta_minutes=20,
                          promised_at=placed_at + timedelta(minutes=30), placed_at=placed_at)
            for product_id, quantity in lines:
                product = db.session.get(Product, product_id)
                order.items.append(OrderItem(product_id=product.id, merchant_id=product.merchant_id,
                                             name_zh=product.name_zh, name_en=product.name_en,
                                             unit_price_cents=product.price_cents, quantity=quantity))
            db.session.add(order)
            db.session.flush()
            return order.id


@pytest.fixture
def catalogue(app):
    return CatalogueFactory(app)


@pytest.fixture
def shop(community, catalogue, create_store):
    """The community's store with two categories, its own merchant and a partner bakery, four
    products (one sold out, one off sale), and another store with a product of its own."""
    store_id = community["store_id"]
    dairy = catalogue.category(store_id, "dairy", "乳品", "Dairy", position=1)
    bakery = catalogue.category(store_id, "bakery", "烘焙", "Bakery", position=2)
    own = catalogue.merchant(store_id, "Test Store", "store")
    partner = catalogue.merchant(store_id, "Wheat Aroma", "bakery", prep_minutes=5)
    products = {
        "milk": catalogue.product(store_id, dairy, own, "Whole Milk", "纯牛奶", 1250, 24,
                                  barcode="6901234567892", unit="1 L"),
        "yoghurt": catalogue.product(store_id, dairy, own, "Plain Yoghurt", "原味酸奶", 650, 10),
        "toast": catalogue.product(store_id, bakery, partner, "Wholemeal Toast", "全麦吐司", 1200, 5),
        "sold_out": catalogue.product(store_id, dairy, own, "Goat Milk", "羊奶", 1500, 0),
        "off_sale": catalogue.product(store_id, bakery, partner, "Mooncake", "月饼", 900, 8, active=False),
    }
    other_store = create_store("Other Store", lat=31.3, lon=121.5)
    other_category = catalogue.category(other_store, "dairy", "乳品", "Dairy")
    other_merchant = catalogue.merchant(other_store, "Other Store", "store")
    other_product = catalogue.product(other_store, other_category, other_merchant, "Foreign Milk", "外店牛奶")
    return {"store_id": store_id, "categories": {"dairy": dairy, "bakery": bakery},
            "merchants": {"own": own, "partner": partner}, "products": products,
            "other": {"store_id": other_store, "category": other_category, "product": other_product},
            **{key: community[key] for key in ("users", "buildings")}}
