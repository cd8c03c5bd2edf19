"""The gazetteer: building search and nearest-building APIs, and the staff's building list."""
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.models import Role
from ..database import transaction
from ..stores.context import resolve_store
from ..web.guards import role_required
from . import errors, operations, rules
from .forms import BuildingForm
from .geocoding import get_geocoder

bp = Blueprint("geo", __name__)


@bp.get("/api/v1/buildings")
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
def api_nearest_building():
    """The building nearest to the phone's position, within ``NEAREST_BUILDING_MAX_M``."""
    store = resolve_store()
    try:
        point = rules.parse_point(request.args.get("lat"), request.args.get("lon"))
    except rules.CoordinateError as exc:
        return jsonify(error=str(errors.coordinate_message(exc))), 400
    found = operations.nearest_building(store.id, point, current_app.config["NEAREST_BUILDING_MAX_M"])
    if found is None:
        return jsonify(error=_("No building of ours is near you. Please choose it from the list.")), 404
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
                operations.save_building(current_user.store_id, form.name.data, form.aliases.data.splitlines(),
                                         form.lat.data, form.lon.data, form.entrance_note.data, building)
        except errors.GeoError as exc:
            form.name.errors = [exc.message]
        except rules.CoordinateError as exc:
            form.lat.errors = [errors.coordinate_message(exc)]
        else:
            flash(_("Building saved."), "success")
            return redirect(url_for("geo.buildings"))
    status = 400 if form.is_submitted() else 200
    return render_template("console/building_form.html", form=form, building=building), status
