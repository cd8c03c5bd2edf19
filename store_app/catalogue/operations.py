"""Queries and verbs on merchants, categories and products. They add and flush; the caller's
``transaction()`` commits. Every query is scoped by ``store_id``: another store's row is 'missing'."""
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..web.names import clean_names
from ..web.params import MAX_ID
from . import errors, images, pictures, rules, search_rules, units
from .models import Category, Merchant, MerchantKind, Product, StockMovement


def _as_id(value):
    """``value`` as a row id, or None when it cannot be one (not a number, or past the column's range)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


# ---- merchants --------------------------------------------------------------------------------

def get_store_merchant(store_id):
    """The merchant that stands for the store itself (its own shelves), or None."""
    return db.session.scalar(db.select(Merchant).where(
        Merchant.store_id == store_id, Merchant.kind == MerchantKind.STORE.value)
        .order_by(Merchant.id).limit(1))


def ensure_store_merchant(store):
    """The store's own merchant, created (named after the store, at its place) when missing."""
    merchant = get_store_merchant(store.id)
    if merchant is None:
        merchant = Merchant(store_id=store.id, name=store.name[:120], name_en=(store.name_en or "")[:120],
                            kind=MerchantKind.STORE.value,
                            lat=store.lat, lon=store.lon, phone=store.phone or "", opens_min=0,
                            closes_min=1440, prep_minutes=0)
        db.session.add(merchant)
        db.session.flush()
    return merchant


def list_merchants(store_id):
    """The store's merchants: the store itself first, then partners by name."""
    return db.session.scalars(db.select(Merchant).where(Merchant.store_id == store_id).order_by(
        (Merchant.kind != MerchantKind.STORE.value), Merchant.name, Merchant.id)).all()


def get_merchant(store_id, merchant_id):
    """The store's merchant with this id, or None."""
    merchant_id = _as_id(merchant_id)
    if merchant_id is None:
        return None
    return db.session.scalar(db.select(Merchant).where(Merchant.id == merchant_id,
                                                       Merchant.store_id == store_id))


def save_merchant(store_id, *, name, kind, lat, lon, phone, opens_min, closes_min, prep_minutes,
                  merchant=None, name_en=None):
    """Create or update a merchant; its name must be free in the store (``name_en``: None keeps it)."""
    name = name.strip()
    clash = db.session.scalar(db.select(Merchant.id).where(
        Merchant.store_id == store_id, Merchant.name == name,
        Merchant.id != (merchant.id if merchant is not None else -1)))
    if clash is not None:
        raise errors.MerchantNameTaken(name)
    if merchant is None:
        merchant = Merchant(store_id=store_id)
        db.session.add(merchant)
    merchant.name, merchant.kind = name, MerchantKind(kind).value
    if name_en is not None:
        merchant.name_en = " ".join(name_en.split())
    merchant.lat, merchant.lon, merchant.phone = lat, lon, (phone or "").strip()
    merchant.opens_min, merchant.closes_min, merchant.prep_minutes = opens_min, closes_min, int(prep_minutes)
    db.session.flush()
    return merchant


# ---- categories -------------------------------------------------------------------------------

def list_categories(store_id):
    """The store's categories in shelf order."""
    return db.session.scalars(db.select(Category).where(Category.store_id == store_id)
                              .order_by(Category.position, Category.id)).all()


def get_category(store_id, category_id):
    """The store's category with this id, or None."""
    category_id = _as_id(category_id)
    if category_id is None:
        return None
    return db.session.scalar(db.select(Category).where(Category.id == category_id,
                                                       Category.store_id == store_id))


def save_category(store_id, *, slug, name_zh, name_en, position=0, picture=None, category=None):
    """Create or update a category; its short name (slug) must be free in the store, and it needs a name
    in Chinese or in English (the page shows the other when one is missing). ``picture``: a stock
    picture's key for its products without a photo (None: the basket)."""
    slug = slug.strip().lower()
    name_zh, name_en = clean_names(name_zh, name_en)
    clash = db.session.scalar(db.select(Category.id).where(
        Category.store_id == store_id, Category.slug == slug,
        Category.id != (category.id if category is not None else -1)))
    if clash is not None:
        raise errors.CategorySlugTaken(slug)
    if category is None:
        category = Category(store_id=store_id)
        db.session.add(category)
    category.slug, category.name_zh, category.name_en = slug, name_zh, name_en
    category.position = int(position or 0)
    category.picture = picture if pictures.is_picture(picture) else None
    db.session.flush()
    return category


def count_products_by_category(store_id):
    """``{category_id: number of products}`` (on sale or not) of one store."""
    return dict(db.session.execute(db.select(Product.category_id, db.func.count(Product.id))
                                   .where(Product.store_id == store_id).group_by(Product.category_id)).all())


# ---- products ---------------------------------------------------------------------------------

@dataclass
class Page:
    """One page of a list."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def has_next(self):
        return self.page * self.per_page < self.total

    @property
    def has_prev(self):
        return self.page > 1


def get_product(store_id, product_id):
    """The store's product with this id (active or not), or None."""
    product_id = _as_id(product_id)
    if product_id is None:
        return None
    return db.session.scalar(db.select(Product).where(Product.id == product_id, Product.store_id == store_id))


def _word_condition(word):
    """Products that may match one search word: a loose net, ``search_rules`` decides (cheap LIKEs)."""
    category_ids = db.select(Category.id).where(db.or_(
        Category.name_zh.icontains(word, autoescape=True), Category.name_en.icontains(word, autoescape=True),
        Category.search_pinyin.contains(word, autoescape=True)))
    return db.or_(Product.name_zh.icontains(word, autoescape=True),
                  Product.name_en.icontains(word, autoescape=True),
                  Product.search_pinyin.contains(word, autoescape=True),
                  Product.barcode == word, Product.category_id.in_(category_ids))


def search_condition(query):
    """A WHERE clause for the products that may match every word of ``query`` (names in either
    language, their pinyin, the barcode, the category); ``search_products`` keeps the true matches."""
    words = search_rules.search_words(query)
    return db.and_(*[_word_condition(word) for word in words]) if words else db.true()


def search_matches(query, *conditions):
    """``{product id: match rank}`` (``search_rules.match_rank``, smaller is better) of the products
    meeting ``conditions`` (store, on sale…) that match every word of ``query``."""
    words = search_rules.search_words(query)
    rows = db.session.execute(
        db.select(Product.id, Product.name_zh, Product.name_en, Product.search_pinyin, Product.barcode,
                  Category.name_zh, Category.name_en, Category.search_pinyin)
        .join(Category, Product.category_id == Category.id)
        .where(*conditions, search_condition(query))).all()
    texts = [search_rules.SearchText(pid, zh, en, pinyin or "", barcode, c_zh, c_en, c_pinyin or "")
             for pid, zh, en, pinyin, barcode, c_zh, c_en, c_pinyin in rows]
    ranks = {text.product_id: search_rules.match_rank(words, text) for text in texts}
    return {pid: rank for pid, rank in ranks.items() if rank is not None}


def search_products(query, *conditions):
    """Ids of the products meeting ``conditions`` that match ``query``, best match first, then by id."""
    matches = search_matches(query, *conditions)
    return sorted(matches, key=lambda pid: (matches[pid], pid))


def list_products(store_id, query="", category_id=None, page=1, per_page=50, out_of_stock=False):
    """A page of the store's products (active or not) for staff: the best matches first when
    searching, else by category then name; ``out_of_stock`` keeps the products on sale with nothing left."""
    conditions = [Product.store_id == store_id]
    if category_id is not None:
        conditions.append(Product.category_id == category_id)
    if out_of_stock:
        conditions += [Product.is_active.is_(True), Product.stock <= 0]
    loading = (joinedload(Product.category), joinedload(Product.merchant))
    if search_rules.search_words(query):
        ids = search_products(query, *conditions)
        chosen = ids[(page - 1) * per_page:page * per_page]
        found = {p.id: p for p in db.session.scalars(
            db.select(Product).where(Product.id.in_(chosen)).options(*loading))} if chosen else {}
        return Page([found[i] for i in chosen if i in found], page, per_page, len(ids))
    stmt = db.select(Product).where(*conditions)
    total = db.session.scalar(db.select(db.func.count()).select_from(stmt.subquery()))
    items = db.session.scalars(
        stmt.options(*loading)
        .join(Product.category).order_by(Category.position, Product.name_zh, Product.id)
        .offset((page - 1) * per_page).limit(per_page)).all()
    return Page(items, page, per_page, total)


def _product_links(store, category_id, merchant_id):
    category = get_category(store.id, category_id)
    if category is None:
        raise errors.CategoryUnknown(category_id)
    merchant = ensure_store_merchant(store) if not merchant_id else get_merchant(store.id, merchant_id)
    if merchant is None:
        raise errors.MerchantUnknown(merchant_id)
    return category, merchant


def _clean_barcode(store_id, barcode, product):
    barcode = (barcode or "").strip() or None
    if barcode is None:
        return None
    problem = rules.barcode_problem(barcode)
    if problem:
        raise errors.BarcodeInvalid(problem)
    clash = db.session.scalar(db.select(Product.id).where(
        Product.store_id == store_id, Product.barcode == barcode,
        Product.id != (product.id if product is not None else -1)))
    if clash is not None:
        raise errors.BarcodeTaken(barcode)
    return barcode


KEEP_COST = object()  # save_product's default: the product keeps the cost it had


def _parse_cost(cost, product):
    if cost is KEEP_COST:
        return product.cost_cents if product is not None else None
    if cost is None or not str(cost).strip():
        return None
    try:
        return rules.parse_price_cents(cost)
    except rules.PriceError as exc:
        raise errors.CostInvalid() from exc


def save_product(store, *, name_zh, name_en, category_id, merchant_id, price, barcode, unit_label, is_active,
                 actor_id, now, initial_stock=0, picture=None, product=None, cost=KEEP_COST):
    """Create a product (with its first stock, recorded as a restock) or update one's details.

    ``picture``: a stock picture's key, shown while there is no photo (None: the category's).

    ``price`` is typed yuan. Stock of an existing product changes only through ``adjust_stock``.
    ``cost`` is typed yuan too, empty for unknown; left out, the product keeps the cost it had.
    """
    try:
        price_cents = rules.parse_price_cents(price)
    except rules.PriceError as exc:
        raise errors.PriceInvalid(exc.code) from exc
    cost_cents = _parse_cost(cost, product)
    category, merchant = _product_links(store, category_id, merchant_id)
    barcode = _clean_barcode(store.id, barcode, product)
    try:
        unit_key = units.parse_unit(unit_label)  # a key, shown in the reader's language
    except units.UnknownUnit as exc:
        raise errors.UnitUnknown() from exc
    new = product is None
    if new:
        product = Product(store_id=store.id, stock=max(0, int(initial_stock or 0)), created_at=now)
    product.name_zh, product.name_en = name_zh.strip(), name_en.strip()
    product.category_id, product.merchant_id = category.id, merchant.id
    product.price_cents, product.barcode, product.cost_cents = price_cents, barcode, cost_cents
    product.unit_label, product.is_active = unit_key, bool(is_active)
    product.picture = picture if pictures.is_picture(picture) else None
    product.updated_at = now
    try:
        with db.session.begin_nested():
            db.session.add(product)
    except IntegrityError as exc:  # someone else took the barcode a moment ago
        raise errors.BarcodeTaken(barcode) from exc
    if new and product.stock > 0:
        db.session.add(StockMovement(store_id=store.id, product_id=product.id, delta=product.stock,
                                     reason=rules.StockReason.RESTOCK.value, actor_id=actor_id,
                                     created_at=now))
        db.session.flush()
    return product


def set_product_active(store_id, product_id, active, now):
    """Take a product off the feed (or put it back); it stays in past orders and the console."""
    product = get_product(store_id, product_id)
    if product is None:
        raise errors.ProductNotFound(product_id)
    product.is_active, product.updated_at = bool(active), now
    db.session.flush()
    return product


def set_product_image(product, photo, now):
    """Give the product a new photo (a re-encoded ``uploads.photos.Photo``), or none (None).

    Smaller copies (``images.PHOTO_WIDTHS`` narrower than the photo) are kept with it for ``srcset``.
    The new files are written, and the old ones deleted, only when the transaction commits.
    """
    if product.image_filename:
        images.drop_photo(product.image_filename, "products")
    if photo is None:
        product.image_filename, product.image_width, product.image_height = None, None, None
        product.image_widths = ""
    else:
        product.image_filename = images.keep_photo(photo, "products", images.PHOTO_WIDTHS)
        product.image_width, product.image_height = photo.width, photo.height
        product.image_widths = ",".join(str(width) for width in images.copy_widths(photo))
    product.updated_at = now
    db.session.flush()
    return product
