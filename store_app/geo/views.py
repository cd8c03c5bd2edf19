"""The gazetteer (building search, nearest building, the staff's building list) and delivery
zones (the staff's zone editor, GeoJSON upload and download, the residents' delivery map)."""
import io
import json

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, Field

from ..database import format_cents, parse_cents, transaction, utcnow
from ..errors import DomainError
from ..roles import Role
from ..stores import operations as store_ops
from ..stores.context import resolve_store
from ..stores.rules import format_interval
from ..web.api import api_error, documented
from ..web.guards import role_required
from ..web.uploads import upload_route
from . import errors, maps, operations, rules, zones
from .forms import BuildingForm, ZoneForm
from .geocoding import get_geocoder

bp = Blueprint("geo", __name__)

MAX_GEOJSON_BYTES = 1_000_000  # as the text box allows
NEW_ZONE_HALF_SIDE_M = 500


class BuildingOut(BaseModel):
    """A building of the gazetteer."""

    id: int
    name: str
    aliases: list[str]
    lat: float
    lon: float
    entrance_note: str


class BuildingQuery(BaseModel):
    q: str = Field(None, description="A name, an alias or an address (the first 100 characters count)")
    store: int = Field(None, ge=1, description="The store asked (visitors; else the first store)")


class PointQuery(BaseModel):
    lat: float = Field(ge=-90, le=90, examples=[31.2005])
    lon: float = Field(ge=-180, le=180, examples=[121.4005])
    store: int = Field(None, ge=1, description="The store asked (visitors; else the first store)")


class NearestOut(BaseModel):
    building: BuildingOut
    distance_m: int = Field(ge=0)


@bp.get("/api/v1/buildings")
@documented(query=BuildingQuery, ok=(200, list[BuildingOut]), errors=(404,), tags=["geo"])
def api_buildings():
    """Buildings matching ``q`` (name or alias; the configured geocoder for free text)."""
    store = resolve_store()
    query = request.args.get("q", "").strip()[:100]
    if not query:
        return jsonify([b.to_json() for b in operations.list_buildings(store.id, limit=200)])
    places = get_geocoder(current_app).geocode(store, query, limit=20)
    seen, found = set(), []
    for place in places:
        if place.building_id is None or place.building_id in seen:
            continue
        seen.add(place.building_id)
        building = operations.get_building(store.id, place.building_id)
        found.append(building.to_json())
    return jsonify(found)


@bp.get("/api/v1/buildings/nearest")
@documented(query=PointQuery, ok=(200, NearestOut), errors=(400, 404), tags=["geo"])
def api_nearest_building():
    """The building nearest to the phone's position, within ``NEAREST_BUILDING_MAX_M``."""
    store = resolve_store()
    try:
        point = rules.parse_point(request.args.get("lat"), request.args.get("lon"))
    except rules.CoordinateError as exc:
        return api_error(errors.coordinate_message(exc), 400)
    found = operations.nearest_building(store.id, point, current_app.config["NEAREST_BUILDING_MAX_M"])
    if found is None:
        return api_error(_("No building of ours is near you. Please choose it from the list."), 404)
    building, distance_m = found
    return jsonify(building=building.to_json(), distance_m=round(distance_m))


@bp.get("/console/buildings")
@role_required(Role.STAFF, Role.OWNER)
def buildings():
    """Staff search the gazetteer."""
    query = request.args.get("q", "")
    return render_template("console/buildings.html", buildings=operations.list_buildings(
        current_user.store_id, query, limit=500), query=query)


@bp.route("/console/buildings/new", methods=["GET", "POST"], defaults={"building_id": None})
@bp.route("/console/buildings/<int:building_id>", methods=["GET", "POST"])
@role_required(Role.STAFF, Role.OWNER)
def edit_building(building_id):
    """Add a building or edit one (another store's building answers 404)."""
    building = None
    if building_id is not None:
        building = operations.get_building(current_user.store_id, building_id)
        if building is None:
            abort(404)
    form = BuildingForm(obj=building)
    if building is not None and not form.is_submitted():
        form.aliases.data = building.aliases
    if form.validate_on_submit():
        try:
            with transaction():
                operations.save_building(current_user.store_id, None, form.aliases.data.splitlines(),
                                         form.lat.data, form.lon.data, form.entrance_note.data, building,
                                         name_zh=form.name_zh.data, name_en=form.name_en.data)
        except DomainError as exc:
            form.name_zh.errors = [exc.message]
        except rules.CoordinateError as exc:
            form.lat.errors = [errors.coordinate_message(exc)]
        else:
            flash(_("Building saved."), "success")
            return redirect(url_for("geo.buildings"))
    status = 400 if form.is_submitted() else 200
    return render_template("console/building_form.html", form=form, building=building), status


# ---- delivery zones ---------------------------------------------------------------------------

@bp.app_template_global("zone_hours")
def zone_hours(zone):
    """``"10:00-21:30"``, or '' when the zone follows the store's hours."""
    if zone.opens_min is None or zone.closes_min is None:
        return ""
    return format_interval(zone.opens_min, zone.closes_min)


@bp.app_template_global("delivery_map")
def delivery_map(store_id, point=None):
    """The residents' map of a store's enabled zones, with ``point`` ``(lat, lon)`` marked.

    A template global so that a partial (the feed's quote banner) can draw it from what it has.
    """
    store = store_ops.get_store(store_id)
    return operations.load_delivery_map(store, point=point, enabled_only=True) if store is not None else None


@bp.get("/console/zones")
@role_required(Role.STAFF, Role.OWNER)
def zones_list():
    """Staff see every zone of the store, on a map and in a table."""
    store = current_user.store
    return render_template("console/zones.html", zones=operations.list_zones(store.id),
                           map=operations.load_delivery_map(store))


def _uploaded_text(file):
    """The text of an uploaded GeoJSON file, or None when no file was sent."""
    if file is None or not getattr(file, "filename", ""):
        return None
    data = file.read(MAX_GEOJSON_BYTES + 1)
    if len(data) > MAX_GEOJSON_BYTES:
        raise zones.ZoneGeometryError("too_large")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise zones.ZoneGeometryError("not_json") from exc


def _fill_zone_form(form, zone, store):
    """A GET: the zone's values in yuan and HH:MM, or a new zone's defaults around the store."""
    if zone is None:
        form.geojson.data = json.dumps(zones.square_around(store.lat, store.lon, NEW_ZONE_HALF_SIDE_M))
        return
    form.name_zh.data, form.name_en.data = zone.name_zh, zone.name_en
    form.fee.data = format_cents(zone.fee_cents, symbol="")
    form.minimum.data = format_cents(zone.minimum_cents, symbol="")
    form.priority.data = zone.priority
    form.enabled.data = zone.enabled
    form.hours.data = zone_hours(zone)
    form.geojson.data = zone.geojson


def _save_zone_form(form, zone, store):
    """Validate and save; True when saved. Errors land on their fields; nothing is saved then."""
    try:
        uploaded = _uploaded_text(form.geojson_file.data)
    except zones.ZoneGeometryError as exc:
        form.validate()
        form.geojson_file.errors = [errors.zone_message(exc)]
        return False
    if uploaded is not None:
        form.geojson.data = uploaded  # the page comes back with what was sent
    if not form.validate():
        return False
    opens_min, closes_min = form.hours_minutes()
    try:
        with transaction():
            operations.save_zone(
                store.id, name_zh=form.name_zh.data, name_en=form.name_en.data, geojson=form.geojson.data or "",
                fee_cents=parse_cents(form.fee.data), minimum_cents=parse_cents(form.minimum.data), now=utcnow(),
                enabled=form.enabled.data, priority=form.priority.data or 0,
                opens_min=opens_min, closes_min=closes_min, zone=zone)
    except zones.ZoneGeometryError as exc:
        form.geojson.errors = [errors.zone_message(exc)]
        return False
    except DomainError as exc:
        form.name_zh.errors = [exc.message]
        return False
    return True


@bp.route("/console/zones/new", methods=["GET", "POST"], defaults={"zone_id": None})
@bp.route("/console/zones/<int:zone_id>", methods=["GET", "POST"])
@role_required(Role.STAFF, Role.OWNER)
@upload_route(2 * MAX_GEOJSON_BYTES)  # the file, and the text box beside it
def edit_zone(zone_id):
    """Add or edit a zone: the form, a GeoJSON text and file, and the SVG outline editor."""
    store = current_user.store
    zone = None
    if zone_id is not None:
        zone = operations.get_zone(store.id, zone_id)
        if zone is None:
            abort(404)
    form = ZoneForm()
    if not form.is_submitted():
        _fill_zone_form(form, zone, store)
    elif _save_zone_form(form, zone, store):
        flash(_("Zone saved."), "success")
        return redirect(url_for("geo.zones_list"))
    view = operations.load_delivery_map(store, highlight_id=zone.id if zone else None,
                                        edited_ring=maps.loose_ring(form.geojson.data or ""))
    status = 400 if form.is_submitted() else 200
    return render_template("console/zone_form.html", form=form, zone=zone, map=view), status


@bp.get("/console/zones/<int:zone_id>/geojson")
@role_required(Role.STAFF, Role.OWNER)
def download_zone(zone_id):
    """The zone as a GeoJSON Feature file (the outline plus its settings as properties)."""
    zone = operations.get_zone(current_user.store_id, zone_id)
    if zone is None:
        abort(404)
    feature = {
        "type": "Feature",
        "properties": {"name": zone.name, "name_zh": zone.name_zh, "name_en": zone.name_en,
                       "fee_cents": zone.fee_cents, "minimum_cents": zone.minimum_cents,
                       "priority": zone.priority, "enabled": zone.enabled, "hours": zone_hours(zone) or None},
        "geometry": json.loads(zone.geojson),
    }
    body = json.dumps(feature, ensure_ascii=False, indent=1).encode("utf-8")
    return send_file(io.BytesIO(body), mimetype="application/geo+json", as_attachment=True,
                     download_name=f"zone-{zone.id}.geojson", max_age=0)


@bp.post("/console/zones/<int:zone_id>/delete")
@role_required(Role.STAFF, Role.OWNER)
def delete_zone(zone_id):
    """Delete a zone (another store's zone answers 404)."""
    with transaction():
        deleted = operations.delete_zone(current_user.store_id, zone_id)
    if not deleted:
        abort(404)
    flash(_("Zone deleted."), "success")
    return redirect(url_for("geo.zones_list"))


@bp.get("/shop/where-we-deliver")
def where_we_deliver():
    """Residents (and visitors) see where the store delivers; a resident's own address is marked."""
    store = resolve_store()
    address = point = zone = None
    if current_user.is_authenticated and current_user.role == Role.RESIDENT:
        address = current_user.default_address()
    if address is not None:
        point = (address.building.lat, address.building.lon)
        zone = operations.find_zone(store.id, point)
    return render_template("geo/where_we_deliver.html", store=store, address=address, zone=zone,
                           zones=[z for z in operations.list_zones(store.id) if z.enabled],
                           map=operations.load_delivery_map(store, point=point, enabled_only=True))
