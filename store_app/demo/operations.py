"""Loading the demo community. Idempotent: what exists is left alone."""
from flask import current_app
from werkzeug.security import generate_password_hash

from ..accounts.models import Address, User
from ..database import utcnow
from ..extensions import db
from ..geo.models import Building
from ..roles import Role
from ..stores.models import Store, StoreHours
from . import data
from .breakfast import seed_breakfast
from .catalogue import seed_catalogue
from .growth import seed_growth
from .parcels import seed_parcels
from .reviews import seed_reviews
from .services import seed_services
from .zones import seed_courier_shifts, seed_zones


def seed_demo(now=None):
    """Create the demo store, buildings and accounts that are missing; return what was created.

    An entry point (``flask seed-demo``, ``make run``): the demo's clock is read here, once (tests
    may pass their own ``now``, an aware UTC instant)."""
    now = now or utcnow()
    created = {"stores": 0, "buildings": 0, "users": 0}
    store = db.session.scalar(db.select(Store).where(Store.name == data.STORE["name"]))
    if store is None:
        store = Store(**data.STORE)
        store.hours = [StoreHours(weekday=d, opens_min=o, closes_min=c) for d, o, c in data.HOURS]
        db.session.add(store)
        db.session.flush()
        created["stores"] += 1
    existing = set(db.session.scalars(db.select(Building.name_zh).where(Building.store_id == store.id)))
    for spec in data.buildings():
        if spec["name_zh"] in existing:
            continue
        building = Building(store_id=store.id, lat=spec["lat"], lon=spec["lon"], entrance_note=spec["entrance_note"])
        building.set_names(spec["name_zh"], spec["aliases"], spec["name_en"])
        db.session.add(building)
        created["buildings"] += 1
    db.session.flush()
    created["users"] = _seed_people(store)
    created.update(seed_zones(store, now), shifts=seed_courier_shifts(store, now))  # after people (zones.py)
    created.update(seed_catalogue(store, now))  # after people: their past orders
    created.update(seed_parcels(store, now))  # after people: parcels for residents
    created.update(seed_breakfast(store, now))  # after people: their children and wallets
    created.update(seed_services(store, now))  # after people and zones: residents book vendors of the zones
    created.update(seed_reviews(store, now))  # after the catalogue: residents review what they received
    created.update(seed_growth(store, now))  # last: the history above, reported to growth and rolled up
    return store, created


def _seed_people(store):
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    password_hash = generate_password_hash(data.PASSWORD, method=method)
    phones = set(db.session.scalars(db.select(User.phone)))
    buildings = db.session.scalars(db.select(Building).where(Building.store_id == store.id)
                                   .order_by(Building.id)).all()
    people = ([(data.OWNER, Role.OWNER)] + [(p, Role.STAFF) for p in data.STAFF]
              + [(p, Role.COURIER) for p in data.COURIERS] + [(p, Role.RESIDENT) for p in data.RESIDENTS])
    count = 0
    for index, ((phone, name, name_en), role) in enumerate(people):
        if phone in phones:
            continue
        user = User(store_id=store.id, phone=phone, name=name, name_en=name_en, password_hash=password_hash,
                    role=role.value)
        if role is Role.RESIDENT:
            building = buildings[(index * 7) % len(buildings)]
            user.addresses.append(Address(store_id=store.id, building=building,
                                          unit=f"{1 + index % 3}-{(index % 18) + 2:02d}0{1 + index % 4}",
                                          is_default=True))
        db.session.add(user)
        count += 1
    db.session.flush()
    return count
