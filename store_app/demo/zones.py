"""The demo store's delivery set-up: two zones, two buildings beyond them, couriers on shift.

Idempotent like the rest of the demo: what exists (by name, or an open shift) is left alone.
``seed_demo`` calls this after creating the people: residents get their buildings by index over
all buildings, so the far buildings must not exist yet (no demo resident lives outside a zone).
"""
import json

from ..accounts.models import User
from ..deliveries import operations as delivery_ops
from ..extensions import db
from ..geo import operations as geo_ops
from ..geo.models import Building, DeliveryZone
from . import data

# (name_zh, name_en, fee_cents, minimum_cents, priority, [radius in metres at each of the evenly spaced bearings])
ZONES = [
    ("近区", "Inner zone", 300, 2000, 10, [1000, 1040, 980, 1010, 1050, 990, 1000, 1030, 970, 1020, 1000, 1060]),
    ("远区", "Outer zone", 600, 3900, 0, [1650, 1780, 1700, 1560, 1620, 1850, 1720, 1600, 1680, 1900, 1750,
                                         1580, 1640, 1720]),
]
# Beyond every zone, so the "we don't deliver here" banner can be seen: (bearing °, distance m).
FAR_BUILDINGS = [
    ("虹梅南苑 1号楼", "Hongmei South Court Building 1", 205, 2500),
    ("虹梅南苑 2号楼", "Hongmei South Court Building 2", 215, 2550),
]
SHIFT_HOURS = 12


def zone_outline(radii_m):
    """A GeoJSON Polygon around the demo store: one corner per radius, evenly spaced clockwise from north."""
    ring = []
    for index, radius in enumerate(radii_m):
        lat, lon = data.offset(data.STORE["lat"], data.STORE["lon"], radius, index * 360 / len(radii_m))
        ring.append([lon, lat])
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def far_buildings():
    """The two demo buildings about 2.5 km away, as ``data.buildings()`` describes buildings."""
    result = []
    for name_zh, name_en, bearing, distance_m in FAR_BUILDINGS:
        lat, lon = data.offset(data.STORE["lat"], data.STORE["lon"], distance_m, bearing)
        result.append({"name_zh": name_zh, "name_en": name_en, "aliases": [], "lat": lat, "lon": lon,
                       "entrance_note": ""})
    return result


def seed_zones(store, now):
    """Create the demo zones and the far buildings that are missing; return how many of each."""
    created = {"zones": 0, "far_buildings": 0}
    existing = set(db.session.scalars(db.select(DeliveryZone.name_zh).where(DeliveryZone.store_id == store.id)))
    for name_zh, name_en, fee_cents, minimum_cents, priority, radii in ZONES:
        if name_zh in existing:
            continue
        geo_ops.save_zone(store.id, name_zh=name_zh, name_en=name_en, geojson=json.dumps(zone_outline(radii)),
                          fee_cents=fee_cents,
                          minimum_cents=minimum_cents, priority=priority, now=now)
        created["zones"] += 1
    names = set(db.session.scalars(db.select(Building.name_zh).where(Building.store_id == store.id)))
    for spec in far_buildings():
        if spec["name_zh"] in names:
            continue
        building = Building(store_id=store.id, lat=spec["lat"], lon=spec["lon"], entrance_note="")
        building.set_names(spec["name_zh"], spec["aliases"], spec["name_en"])
        db.session.add(building)
        created["far_buildings"] += 1
    db.session.flush()
    return created


def seed_courier_shifts(store, now):
    """Put every demo courier without a running shift on a 12-hour shift from ``now``; return how many.

    So that ``make run`` can deliver at once; couriers end or start shifts on their own page.
    """
    phones = [phone for phone, *_names in data.COURIERS]
    couriers = db.session.scalars(db.select(User).where(User.store_id == store.id, User.phone.in_(phones))
                                  .order_by(User.id)).all()
    started = 0
    for courier in couriers:
        if delivery_ops.get_current_shift(courier.id, now) is None:
            delivery_ops.start_shift(courier, now, SHIFT_HOURS)
            started += 1
    db.session.flush()
    return started
