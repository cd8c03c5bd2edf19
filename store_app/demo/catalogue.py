"""The demo shop's catalogue and four weeks of delivered orders with habits, so the feed's ranking
has something to show. Idempotent (categories by slug, merchants by name, products by barcode,
orders by idempotency key) and deterministic (seeded random, times relative to ``now``)."""
import random
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

from ..accounts.models import User
from ..catalogue import operations as catalogue_ops
from ..catalogue.models import Category, Merchant, Product
from ..catalogue.rules import gtin_check_digit, parse_price_cents
from ..catalogue.units import parse_unit
from ..extensions import db
from ..orders.models import Order, OrderEvent, OrderItem, OrderStatus
from ..roles import Role
from . import catalogue_data as cd
from .pictures import CATEGORY_PICTURES, PRODUCT_PICTURES
from .data import RESIDENTS, offset

HISTORY_DAYS = 28
ZONE_NAME = "Neighbourhood"


def barcode_for(category_index, product_index, partner):
    """A valid EAN-13: 69… (made in China) for packaged goods, 2… (in-store codes) for partners' goods."""
    body = f"{'2100000' if partner else '6920261'}{category_index:02d}{product_index:03d}"
    return body + str(gtin_check_digit(body))


def _merchants(store):
    merchants = {None: catalogue_ops.ensure_store_merchant(store)}
    existing = {m.name: m for m in db.session.scalars(
        db.select(Merchant).where(Merchant.store_id == store.id))}
    for key, spec in cd.PARTNERS.items():
        merchant = existing.get(spec["name"])
        if merchant is None:
            lat, lon = offset(store.lat, store.lon, spec["distance_m"], spec["bearing"])
            merchant = Merchant(store_id=store.id, name=spec["name"], name_en=spec["name_en"], kind=spec["kind"],
                                lat=lat, lon=lon,
                                phone=spec["phone"], opens_min=spec["opens_min"],
                                closes_min=spec["closes_min"], prep_minutes=spec["prep_minutes"])
            db.session.add(merchant)
        merchants[key] = merchant
    db.session.flush()
    return merchants


def _categories(store):
    existing = {c.slug: c for c in db.session.scalars(
        db.select(Category).where(Category.store_id == store.id))}
    result = {}
    for position, (slug, name_zh, name_en, _merchant) in enumerate(cd.CATEGORIES):
        result[slug] = existing.get(slug) or Category(store_id=store.id, slug=slug, name_zh=name_zh,
                                                      name_en=name_en, position=position * 10)
        result[slug].picture = result[slug].picture or CATEGORY_PICTURES.get(slug)
        db.session.add(result[slug])
    db.session.flush()
    return result


def _products(store, categories, merchants, now):
    """``{(slug, index): Product}`` for every demo product, creating the missing ones."""
    rng = random.Random(20261123)
    existing = {p.barcode: p for p in db.session.scalars(
        db.select(Product).where(Product.store_id == store.id))}
    result, created = {}, 0
    for c_index, (slug, _zh, _en, merchant_key) in enumerate(cd.CATEGORIES):
        for p_index, (name_zh, name_en, price, unit) in enumerate(cd.PRODUCTS[slug]):
            barcode = barcode_for(c_index, p_index, merchant_key is not None)
            stock = rng.randint(5, 25) if merchant_key else rng.randint(6, 60)
            product = existing.get(barcode)
            if product is None:
                product = Product(
                    store_id=store.id, merchant_id=merchants[merchant_key].id,
                    category_id=categories[slug].id, name_zh=name_zh, name_en=name_en,
                    price_cents=parse_price_cents(price), unit_label=parse_unit(unit),
                    barcode=barcode, stock=0 if (slug, p_index) in cd.SOLD_OUT else stock,
                    is_active=(slug, p_index) not in cd.OFF_SALE, created_at=now, updated_at=now)
                db.session.add(product)
                created += 1
            # Demos loaded before there were pictures get theirs; a picture staff chose stays.
            product.picture = product.picture or PRODUCT_PICTURES.get(name_en)
            result[(slug, p_index)] = product
    db.session.flush()
    return result, created


def _habits_for(index, phone, rng):
    """A resident's staples ``[(category, index, every_days)]`` and favourite categories."""
    if phone in cd.HABITS:
        return cd.HABITS[phone]
    if index % 4 == 3:
        return [], []  # a newer resident without orders yet
    slugs = [c[0] for c in cd.CATEGORIES]
    favourites = rng.sample(slugs, 2)
    staples = [(slug, rng.randrange(len(cd.PRODUCTS[slug])), rng.randint(3, 8)) for slug in favourites[:1]]
    return staples, favourites


def _schedule(staples, favourites, rng, exact):
    """``[(day, [(category, index), ...])]``: which days (0 = four weeks ago) the resident orders what."""
    next_day = {(slug, i): (0 if exact else rng.randrange(every)) for slug, i, every in staples}
    orders = []
    for day in range(HISTORY_DAYS):
        basket = []
        for slug, i, every in staples:
            if next_day[(slug, i)] <= day:
                basket.append((slug, i))
                next_day[(slug, i)] = day + (every if exact else max(2, every + rng.choice((-1, 0, 0, 1))))
        if favourites and (basket or rng.random() < 0.15):
            for _ in range(rng.randint(0 if basket else 1, 2)):
                slug = rng.choice(favourites)
                basket.append((slug, rng.randrange(len(cd.PRODUCTS[slug]))))
        if basket:
            orders.append((day, list(dict.fromkeys(basket))))
    return orders


def _order(store, user, key, placed_at, lines, rng, courier_id):
    subtotal = sum(product.price_cents * quantity for product, quantity in lines)
    fee = 0 if subtotal >= 3000 else 300
    eta = rng.randint(14, 27)
    building = user.default_address().building
    at = lambda minutes: placed_at + timedelta(minutes=minutes)  # noqa: E731
    order = Order(
        store_id=store.id, user_id=user.id, status=OrderStatus.DELIVERED.value, idempotency_key=key,
        building_id=building.id, address_text=user.default_address().one_line(), lat=building.lat,
        lon=building.lon, zone_name=ZONE_NAME, subtotal_cents=subtotal, delivery_fee_cents=fee,
        total_cents=subtotal + fee, payment_method=rng.choice(("cash", "card")),
        delivery_code=f"{rng.randrange(10_000):04d}", eta_minutes=eta, promised_at=at(store.promise_minutes),
        courier_id=courier_id, placed_at=placed_at, accepted_at=at(1), picking_at=at(2), ready_at=at(6),
        assigned_at=at(7), picked_up_at=at(8), delivered_at=at(eta))
    order.items = [OrderItem(product_id=p.id, merchant_id=p.merchant_id, name_zh=p.name_zh, name_en=p.name_en,
                             unit_price_cents=p.price_cents, quantity=q,
                             prepared_at=at(5) if p.merchant.is_partner else None) for p, q in lines]
    order.events = [OrderEvent(status=OrderStatus.PLACED.value, at=placed_at),
                    OrderEvent(status=OrderStatus.DELIVERED.value, at=at(eta))]
    db.session.add(order)


def _past_orders(store, products, now):
    """Delivered orders of the last four weeks for the demo residents; returns how many were added."""
    residents = db.session.scalars(db.select(User).where(User.store_id == store.id,
                                                         User.role == Role.RESIDENT.value)).all()
    by_phone = {u.phone: u for u in residents}
    couriers = db.session.scalars(db.select(User.id).where(
        User.store_id == store.id, User.role == Role.COURIER.value).order_by(User.id)).all()
    existing = set(db.session.execute(db.select(Order.user_id, Order.idempotency_key).where(
        Order.store_id == store.id, Order.idempotency_key.startswith("demo-"))).all())
    tz = ZoneInfo(store.timezone)
    first_day = (now.astimezone(tz) - timedelta(days=HISTORY_DAYS)).replace(hour=0, minute=0, second=0,
                                                                            microsecond=0)
    added = 0
    for index, (phone, *_names) in enumerate(RESIDENTS):
        user, rng = by_phone.get(phone), random.Random(7000 + index)
        if user is None or user.default_address() is None:
            continue
        staples, favourites = _habits_for(index, phone, rng)
        for n, (day, basket) in enumerate(_schedule(staples, favourites, rng, exact=phone in cd.HABITS)):
            key = f"demo-{n:03d}"
            if (user.id, key) in existing:
                continue
            order_rng = random.Random(1_000_000 + index * 1000 + n)  # the same order whatever exists already
            placed = first_day + timedelta(days=day, hours=order_rng.randint(8, 20),
                                           minutes=order_rng.randrange(60))
            lines = [(products[item], 1 + (order_rng.random() < 0.2)) for item in basket]
            courier_id = couriers[n % len(couriers)] if couriers else None
            _order(store, user, key, placed.astimezone(timezone.utc), lines, order_rng, courier_id)
            added += 1
    db.session.flush()
    return added


def seed_catalogue(store, now):
    """Create what is missing of the demo catalogue and its order history; returns what was created."""
    merchants = _merchants(store)
    categories = _categories(store)
    products, created = _products(store, categories, merchants, now)
    return {"products": created, "orders": _past_orders(store, products, now)}
