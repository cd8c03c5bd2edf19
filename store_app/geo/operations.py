"""Queries and verbs on the gazetteer. They add and flush; the caller's ``transaction()`` commits."""
import json
from dataclasses import dataclass

from ..caching import cache
from ..extensions import db
from ..web.i18n import current_language, localized
from ..web.names import clean_names
from . import maps, rules, zones
from .errors import BuildingNameTaken, ZoneNameTaken
from .models import Building, DeliveryZone


@dataclass(frozen=True)
class _ZoneFacts:
    """A zone as the quote needs it, detached from the session so it can be cached."""

    id: int
    name_zh: str
    name_en: str
    fee_cents: int
    minimum_cents: int
    enabled: bool
    priority: int
    opens_min: int | None
    closes_min: int | None

    @property
    def name(self):
        """In the language of the request reading it (the cache is shared by every language)."""
        return localized(self, "name")

    @classmethod
    def of(cls, zone):
        return cls(zone.id, zone.name_zh, zone.name_en, zone.fee_cents, zone.minimum_cents, zone.enabled, zone.priority,
                   zone.opens_min, zone.closes_min)


def list_buildings(store_id, query="", limit=20):
    """Buildings of one store whose name or alias contains ``query``, by name; all if it is empty."""
    stmt = db.select(Building).where(Building.store_id == store_id)
    words = rules.search_words(query)
    if words:
        stmt = stmt.where(*[Building.search_text.contains(word, autoescape=True) for word in words])
    stmt = stmt.order_by(Building.name_zh, Building.name_en, Building.id).limit(limit)
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


def _name_clash(model, store_id, name_zh, name_en, own):
    """The id of another of the store's ``model`` rows with the same name in either language, or None."""
    same = [getattr(model, f"name_{lang}") == name for lang, name in (("zh", name_zh), ("en", name_en)) if name]
    return db.session.scalar(db.select(model.id).where(
        model.store_id == store_id, db.or_(*same), model.id != (own.id if own is not None else -1)).limit(1))


def save_building(store_id, name=None, aliases=(), lat=None, lon=None, entrance_note="", building=None, *,
                  name_zh="", name_en=""):
    """Create a building (or update ``building``) after checking its point and that its names are free.

    One of ``name_zh`` / ``name_en`` is required; an older caller's one ``name`` is split by script."""
    name_zh, name_en = clean_names(name_zh, name_en, name=name)
    lat, lon = rules.parse_point(lat, lon)
    if _name_clash(Building, store_id, name_zh, name_en, building) is not None:
        raise BuildingNameTaken(name_zh or name_en)
    if building is None:
        building = Building(store_id=store_id)
        db.session.add(building)
    building.set_names(name_zh, aliases, name_en)
    building.lat, building.lon = lat, lon
    building.entrance_note = (entrance_note or "").strip()
    db.session.flush()
    return building


# ---- delivery zones ---------------------------------------------------------------------------

# A built index stays while its zones' version does (checked on every use); the TTL only frees
# stores nobody asked about for a while.
ZONE_INDEX_TTL_S = 3600


def list_zones(store_id):
    """All of a store's zones, highest priority first."""
    return db.session.scalars(db.select(DeliveryZone).where(DeliveryZone.store_id == store_id)
                              .order_by(DeliveryZone.priority.desc(), DeliveryZone.id)).all()


def get_zone(store_id, zone_id):
    """The store's zone with this id, or None."""
    return db.session.scalar(db.select(DeliveryZone).where(DeliveryZone.id == zone_id,
                                                           DeliveryZone.store_id == store_id))


def zone_version_columns(store_id):
    """Scalar subqueries whose values change whenever one of the store's zones is added, edited or
    deleted: the key of the cached index, so every worker process sees an edit at once. Callers
    may fold them into a query they make anyway (the quote does)."""
    zones_of_store = DeliveryZone.store_id == store_id
    return [db.select(agg).where(zones_of_store).scalar_subquery()
            for agg in (db.func.count(DeliveryZone.id), db.func.max(DeliveryZone.updated_at),
                        db.func.max(DeliveryZone.id))]


def get_zone_index(store_id, version=None):
    """A ``ZoneIndex`` over the store's zones (enabled or not), rebuilt only when a zone changed.

    ``version`` is the values of ``zone_version_columns`` if the caller read them already; else
    they are read here with one small query.
    """
    key = version if version is not None else db.session.execute(
        db.select(*zone_version_columns(store_id))).one()
    indexes = cache("zone_index", max_entries=256)
    cached = indexes.get(store_id)
    if cached is not None and cached[0] == tuple(key):
        return cached[1], cached[2]
    rows = list_zones(store_id)
    index = zones.ZoneIndex([zones.ZoneShape(z.id, z.priority, zones.parse_polygon(z.geojson), z.enabled)
                             for z in rows])
    by_id = {z.id: _ZoneFacts.of(z) for z in rows}
    indexes.set(store_id, (tuple(key), index, by_id), ZONE_INDEX_TTL_S)
    return index, by_id


def find_zone(store_id, point, version=None):
    """The facts of the zone that covers ``(lat, lon)`` for this store, or None.

    An enabled zone wins over a disabled one; then the highest priority, then the smallest id.
    """
    index, by_id = get_zone_index(store_id, version)
    zone_id = index.find(*point)
    return by_id.get(zone_id) if zone_id is not None else None


def delivering_zone(store_id, point, version=None):
    """The enabled zone that delivers to ``(lat, lon)``, or None (outside every zone, or its zone is off)."""
    zone = find_zone(store_id, point, version)
    return zone if zone is not None and zone.enabled else None


def list_buildings_with_coverage(store_id, limit=1000):
    """``[(building, zone facts or None)]``: each of the store's buildings (by name) with the enabled
    zone that delivers there, so a newcomer sees before signing up whether the store delivers."""
    index, by_id = get_zone_index(store_id)
    result = []
    for building in list_buildings(store_id, limit=limit):
        zone = by_id.get(index.find(building.lat, building.lon))
        result.append((building, zone if zone is not None and zone.enabled else None))
    return result


def save_zone(store_id, *, geojson, fee_cents, minimum_cents, now, name=None, name_zh="", name_en="",
              enabled=True, priority=0, opens_min=None, closes_min=None, zone=None):
    """Create or update a zone after validating its polygon; nothing is saved if it is invalid.

    One of ``name_zh`` / ``name_en`` is required; an older caller's one ``name`` is split by script."""
    name_zh, name_en = clean_names(name_zh, name_en, name=name)
    polygon = zones.parse_polygon(geojson)
    if _name_clash(DeliveryZone, store_id, name_zh, name_en, zone) is not None:
        raise ZoneNameTaken(name_zh or name_en)
    if zone is None:
        zone = DeliveryZone(store_id=store_id)
        db.session.add(zone)
    zone.name_zh, zone.name_en = name_zh, name_en
    zone.geojson = json.dumps(zones.to_geojson(polygon))
    zone.fee_cents, zone.minimum_cents = int(fee_cents), int(minimum_cents)
    zone.enabled, zone.priority = bool(enabled), int(priority)
    zone.opens_min, zone.closes_min = opens_min, closes_min
    zone.updated_at = now
    db.session.flush()
    return zone


def delete_zone(store_id, zone_id):
    """Delete one of the store's zones; False if there is no such zone."""
    zone = get_zone(store_id, zone_id)
    if zone is None:
        return False
    db.session.delete(zone)
    db.session.flush()
    return True


@dataclass(frozen=True)
class _MapZone:
    id: int
    name: str  # in the page's language
    enabled: bool
    fee_cents: int
    minimum_cents: int
    ring: list


def load_map_context(store, lang=None, enabled_only=False):
    """The context every map of ``store`` draws (``maps.MapContext``): its buildings with their names
    and its delivery zones (only enabled ones if asked), names in ``lang`` (default: the page's
    language) where there are two."""
    lang = lang or current_language()
    buildings = db.session.scalars(db.select(Building).where(Building.store_id == store.id)
                                   .order_by(Building.id)).all()
    shown = [z for z in list_zones(store.id) if z.enabled or not enabled_only]
    return maps.MapContext(
        buildings=tuple((b.id, localized(b, "name", lang), b.lat, b.lon) for b in buildings),
        zones=tuple(_MapZone(z.id, localized(z, "name", lang), z.enabled, z.fee_cents, z.minimum_cents,
                             maps.loose_ring(z.geojson) or []) for z in shown))


def load_delivery_map(store, point=None, highlight_id=None, edited_ring=None, enabled_only=False, lang=None):
    """A ``maps.MapView`` of the store, its buildings and zones (only enabled ones if asked).

    ``point`` is the resident's ``(lat, lon)``; ``edited_ring`` the outline being edited.
    """
    context = load_map_context(store, lang, enabled_only)
    return maps.build_view((store.lat, store.lon, localized(store)), list(context.buildings), list(context.zones),
                           point=point, highlight_id=highlight_id, edited_ring=edited_ring)
