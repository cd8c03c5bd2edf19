"""The bench's data: schema, the demo community, and what the load needs on top of it (a zone if
the demo has none, products with a stock no bench can exhaust, couriers on shift, funded residents).

Used by ``bench/web.py``; everything runs inside one app context of a throwaway database.
"""
import math
import secrets
from datetime import timedelta

from flask import url_for

PASSWORD = "bench-password-1"
RESIDENT_PHONES = [f"+8613700{i:06d}" for i in range(64)]
# The quote waits one round trip per "wave" of open orders per courier on shift: with this many,
# no bench order is refused as "too busy" however many the phase places.
BENCH_COURIERS = 500
WALLET_CENTS = 100_000_000
BIG_STOCK = 10_000_000


def sqlalchemy_url(url):
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def prepare(url, clients, products=1):
    """Schema, demo community and the bench's own data; returns what the load needs to know."""
    from store_app import create_app
    from store_app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url)})
    with app.app_context():
        db.create_all()
        facts = _load_data(app, clients, products)
        db.session.remove()
        db.engine.dispose()
    return facts


def _load_data(app, clients, products):
    from store_app.database import transaction
    from store_app.demo.operations import seed_demo

    notes = []
    with transaction():
        store, created = seed_demo()
        store_id = store.id
    notes.append("demo: " + ", ".join(f"{v} {k}" for k, v in created.items() if v))
    with transaction():
        store = _store(store_id)
        _ensure_zone(store, notes)
        chosen = _bench_products(store, notes, products)
        _add_couriers(store)
        residents = _add_residents(store, clients)
        buys = [(product.id, _quantity(store, product, residents)) for product in chosen]
        facts = {"store_id": store.id, "buys": buys, "residents": residents,
                 "product_path": _product_page(app, buys[0][0]), "notes": notes,
                 "quote_route": "/api/v1/delivery-quote" in {r.rule for r in app.url_map.iter_rules()}}
    return facts


def _store(store_id):
    from store_app.extensions import db
    from store_app.stores.models import Store

    return db.session.get(Store, store_id)


def _ensure_zone(store, notes):
    """A zone around every building if the demo has none yet."""
    from store_app.database import utcnow
    from store_app.extensions import db
    from store_app.geo import operations as geo_ops
    from store_app.geo.models import Building

    if geo_ops.list_zones(store.id):
        return
    points = db.session.execute(db.select(Building.lat, Building.lon)
                                .where(Building.store_id == store.id)).all()
    lats, lons = [p[0] for p in points] + [store.lat], [p[1] for p in points] + [store.lon]
    ring = [[min(lons) - 0.002, min(lats) - 0.002], [max(lons) + 0.002, min(lats) - 0.002],
            [max(lons) + 0.002, max(lats) + 0.002], [min(lons) - 0.002, max(lats) + 0.002]]
    geo_ops.save_zone(store.id, name="Bench zone", fee_cents=500, minimum_cents=0, now=utcnow(),
                      geojson={"type": "Polygon", "coordinates": [ring + ring[:1]]})
    notes.append("the demo has no zone: added one around every building")


def _bench_products(store, notes, count):
    """``count`` products of the store's own shelves, given a stock that a bench can never exhaust."""
    from store_app.catalogue.models import Category, Merchant, MerchantKind, Product
    from store_app.extensions import db

    chosen = db.session.scalars(
        db.select(Product).join(Merchant, Product.merchant_id == Merchant.id)
        .where(Product.store_id == store.id, Product.is_active.is_(True),
               Merchant.kind == MerchantKind.STORE.value, Product.price_cents.between(300, 3000))
        .order_by(Product.id).limit(count)).all()
    if len(chosen) < count:
        notes.append(f"the demo has {len(chosen)} suitable products: added 60")
        merchant = db.session.scalar(db.select(Merchant).where(Merchant.store_id == store.id,
                                                               Merchant.kind == MerchantKind.STORE.value))
        if merchant is None:
            merchant = Merchant(store_id=store.id, name=store.name, kind=MerchantKind.STORE.value,
                                lat=store.lat, lon=store.lon)
        category = Category(store_id=store.id, slug="bench", name_zh="测试", name_en="Bench", position=99)
        db.session.add_all([merchant, category])
        db.session.flush()
        products = [Product(store_id=store.id, merchant_id=merchant.id, category_id=category.id,
                            name_zh=f"商品 {i}", name_en=f"Item {i}", price_cents=300 + 37 * i, stock=100)
                    for i in range(60)]
        db.session.add_all(products)
        db.session.flush()
        chosen = (chosen + products)[:count]
    for product in chosen:
        product.stock = BIG_STOCK
    db.session.flush()
    return chosen


def _add_couriers(store):
    """Couriers on shift (bulk inserted): more than the orders a bench can place, so no TOO_BUSY."""
    from werkzeug.security import generate_password_hash

    from store_app.accounts.models import User
    from store_app.database import utcnow
    from store_app.deliveries.models import CourierShift
    from store_app.extensions import db
    from store_app.roles import Role

    now, hashed = utcnow(), generate_password_hash(secrets.token_hex(8))
    db.session.execute(db.insert(User), [
        {"store_id": store.id, "phone": f"+8613600{i:06d}", "name": f"Bench courier {i}",
         "password_hash": hashed, "role": Role.COURIER.value, "session_version": 1, "is_enabled": True,
         "created_at": now}
        for i in range(BENCH_COURIERS)])
    ids = db.session.scalars(db.select(User.id).where(User.phone.like("+8613600%"))).all()
    db.session.execute(db.insert(CourierShift), [
        {"store_id": store.id, "courier_id": i, "started_at": now,
         "planned_end_at": now + timedelta(hours=12), "capacity": 3} for i in ids])


def _add_residents(store, clients):
    """One resident per client, in the buildings nearest the store that a zone covers; funded wallets."""
    from store_app.database import utcnow
    from werkzeug.security import generate_password_hash

    from store_app.accounts.models import Address, User
    from store_app.roles import Role
    from store_app.extensions import db
    from store_app.geo import operations as geo_ops
    from store_app.geo.models import Building
    from store_app.geo.rules import haversine_m
    from store_app.wallet.operations import credit

    buildings = db.session.scalars(db.select(Building).where(Building.store_id == store.id)).all()
    covered = sorted((b for b in buildings if geo_ops.find_zone(store.id, (b.lat, b.lon)) is not None),
                     key=lambda b: (haversine_m((store.lat, store.lon), (b.lat, b.lon)), b.id))[:8]
    if not covered:
        raise SystemExit("bench: no building of the demo store is inside a delivery zone")
    hashed = generate_password_hash(PASSWORD)
    residents = []
    for i in range(clients):
        building = covered[i % len(covered)]
        user = User(store_id=store.id, phone=RESIDENT_PHONES[i], name=f"Bench resident {i}",
                    password_hash=hashed, role=Role.RESIDENT.value)
        user.addresses.append(Address(store_id=store.id, building_id=building.id, unit=f"{i}-101",
                                      is_default=True))
        db.session.add(user)
        db.session.flush()
        credit(user.id, store.id, WALLET_CENTS, "topup", now=utcnow())
        residents.append({"phone": user.phone, "lat": building.lat, "lon": building.lon})
    return residents


def _quantity(store, product, residents):
    """How many of the product reach every resident's zone minimum."""
    from store_app.geo import operations as geo_ops

    minimum = max(geo_ops.find_zone(store.id, (r["lat"], r["lon"])).minimum_cents for r in residents)
    return min(99, max(1, math.ceil(minimum / product.price_cents)))


def _product_page(app, product_id):
    """The resident's page of one product."""
    with app.test_request_context():
        return url_for("shop.product_page", product_id=product_id)
