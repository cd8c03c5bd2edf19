"""Merchants, categories, products and stock movements."""
from enum import StrEnum

from sqlalchemy import event

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .search_rules import pinyin_key
from ..web.i18n import localized


class MerchantKind(StrEnum):
    """Who prepares the goods."""

    STORE = "store"            # the store itself: picked from its own shelves
    FRUIT = "fruit"            # a partner fruit shop
    BAKERY = "bakery"          # a partner bakery
    RESTAURANT = "restaurant"  # a partner restaurant


class Merchant(db.Model):
    """The store itself or a partner shop whose goods the store's couriers collect."""

    __tablename__ = "merchants"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, index=True)
    # The shop's name; ``name_en`` optionally for English pages (``localized(merchant)``).
    name = db.Column(db.String(120), nullable=False)
    name_en = db.Column(db.String(120), nullable=False, default="", server_default="")
    name_zh = db.synonym("name")
    kind = db.Column(db.String(16), nullable=False, default=MerchantKind.STORE.value)
    lat = db.Column(db.Float, nullable=False)
    lon = db.Column(db.Float, nullable=False)
    phone = db.Column(db.String(32), nullable=False, default="")
    opens_min = db.Column(db.Integer, nullable=False, default=0)
    closes_min = db.Column(db.Integer, nullable=False, default=1440)
    prep_minutes = db.Column(db.Integer, nullable=False, default=0)
    # The partner's phone page is reached by a secret link (no account needed).
    access_token = db.Column(db.String(64), nullable=True, unique=True)

    __table_args__ = (
        db.UniqueConstraint("store_id", "name"),
        db.CheckConstraint("kind IN ('store', 'fruit', 'bakery', 'restaurant')", name="kind_valid"),
        db.CheckConstraint("prep_minutes >= 0", name="prep_not_negative"),
    )

    @property
    def is_partner(self):
        return self.kind != MerchantKind.STORE.value


class Category(db.Model):
    """A shelf of the shop: drinks, snacks, dairy…"""

    __tablename__ = "categories"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, index=True)
    slug = db.Column(db.String(40), nullable=False)
    name_zh = db.Column(db.String(60), nullable=False)
    name_en = db.Column(db.String(60), nullable=False)
    position = db.Column(db.Integer, nullable=False, default=0)
    # A stock picture (``pictures.PICTURES``) for its products that have neither a photo nor their own.
    picture = db.Column(db.String(40), nullable=True)
    # The Chinese name's pinyin (``search_rules.pinyin_key``), kept in step with it on every save.
    search_pinyin = db.Column(db.Text, nullable=False, default="", server_default="")

    __table_args__ = (db.UniqueConstraint("store_id", "slug"),)

    def name(self, lang):
        """The name in ``lang``, else in the other language (``localized``)."""
        return localized(self, "name", lang)


class Product(db.Model):
    """Something a resident can buy. Stock never goes below zero (a CHECK and conditional UPDATEs)."""

    __tablename__ = "products"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, index=True)
    merchant_id = db.Column(db.Integer, db.ForeignKey("merchants.id"), nullable=False, index=True)
    category_id = db.Column(db.Integer, db.ForeignKey("categories.id"), nullable=False, index=True)
    name_zh = db.Column(db.String(120), nullable=False)
    name_en = db.Column(db.String(120), nullable=False)
    price_cents = db.Column(db.Integer, nullable=False)
    # What one unit costs the store, when staff typed it: campaigns refuse discounts below it.
    cost_cents = db.Column(db.Integer, nullable=True)
    stock = db.Column(db.Integer, nullable=False, default=0)
    barcode = db.Column(db.String(32), nullable=True)
    unit_label = db.Column(db.String(30), nullable=False, default="")
    image_filename = db.Column(db.String(80), nullable=True)
    # The photo's size in pixels and the smaller widths kept beside it for ``srcset`` ("160,320,640").
    image_width = db.Column(db.Integer, nullable=True)
    image_height = db.Column(db.Integer, nullable=True)
    image_widths = db.Column(db.String(40), nullable=False, default="", server_default="")
    # A stock picture (``pictures.PICTURES``) shown when there is no photo; else the category's.
    picture = db.Column(db.String(40), nullable=True)
    # The Chinese name's pinyin (``search_rules.pinyin_key``), kept in step with it on every save.
    search_pinyin = db.Column(db.Text, nullable=False, default="", server_default="")
    is_active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    merchant = db.relationship("Merchant")
    category = db.relationship("Category")

    __table_args__ = (
        db.UniqueConstraint("store_id", "barcode"),
        db.CheckConstraint("stock >= 0", name="stock_not_negative"),
        db.CheckConstraint("price_cents > 0", name="price_positive"),
        db.CheckConstraint("cost_cents IS NULL OR cost_cents >= 0", name="cost_not_negative"),
    )

    def name(self, lang):
        """The name in ``lang``, else in the other language (``localized``)."""
        return localized(self, "name", lang)


@event.listens_for(Product, "before_insert")
@event.listens_for(Product, "before_update")
@event.listens_for(Category, "before_insert")
@event.listens_for(Category, "before_update")
def _keep_pinyin(_mapper, _connection, target):
    """Whoever saves a product or a category (a form, an import, the demo), its pinyin follows its name."""
    target.search_pinyin = pinyin_key(target.name_zh)


class StockMovement(db.Model):
    """Every change of stock, with its reason: sale, restock, count correction, damage, refund."""

    __tablename__ = "stock_movements"

    id = db.Column(db.Integer, primary_key=True)
    store_id = db.Column(db.Integer, db.ForeignKey("stores.id", ondelete="CASCADE"), nullable=False, index=True)
    product_id = db.Column(db.Integer, db.ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True)
    delta = db.Column(db.Integer, nullable=False)
    reason = db.Column(db.String(20), nullable=False)
    note = db.Column(db.String(200), nullable=False, default="")
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
