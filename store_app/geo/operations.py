"""Queries and verbs on the gazetteer. They add and flush; the caller's ``transaction()`` commits."""
from ..extensions import db
from . import rules
from .errors import BuildingNameTaken
from .models import Building


def list_buildings(store_id, query="", limit=20):
    """Buildings of one store whose name or alias contains ``query``, by name; all if it is empty."""
    stmt = db.select(Building).where(Building.store_id == store_id)
    words = rules.normalise_query(query).split()
    if words:
        stmt = stmt.where(*[Building.search_text.contains(word, autoescape=True) for word in words])
    stmt = stmt.order_by(Building.name, Building.id).limit(limit)
    return db.session.scalars(stmt).all()


def get_building(store_id, building_id):
    """The building with this id in this store, or None (another store's building is 'missing')."""
    try:
        building_id = int(building_id)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(
        db.select(Building).where(Building.id == building_id, Building.store_id == store_id))


def nearest_building(store_id, point, max_m):
    """``(building, distance_m)`` for the store's building nearest to ``point`` within ``max_m``, or None."""
    rows = db.session.execute(
        db.select(Building.id, Building.lat, Building.lon).where(Building.store_id == store_id)).all()
    found = rules.nearest(point, rows, max_m=max_m)
    if found is None:
        return None
    return db.session.get(Building, found[0]), found[1]


def save_building(store_id, name, aliases, lat, lon, entrance_note="", building=None):
    """Create a building (or update ``building``) after checking its point and that its name is free."""
    lat, lon = rules.parse_point(lat, lon)
    clash = db.session.scalar(db.select(Building.id).where(
        Building.store_id == store_id, Building.name == name.strip(),
        Building.id != (building.id if building is not None else -1)))
    if clash is not None:
        raise BuildingNameTaken(name)
    if building is None:
        building = Building(store_id=store_id)
        db.session.add(building)
    building.set_names(name, aliases)
    building.lat, building.lon = lat, lon
    building.entrance_note = (entrance_note or "").strip()
    db.session.flush()
    return building

