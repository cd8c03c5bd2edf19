"""The delivery quote API, the courier's shift buttons and the phone's position while on shift.
(The courier's page and task steps are ``store_app.fulfilment.courier_views``.)"""
from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..database import transaction, utcnow
from ..errors import DomainError
from ..geo import errors as geo_errors
from ..geo import operations as geo_ops
from ..geo.rules import CoordinateError, looks_swapped, parse_point
from ..roles import Role
from ..stores.context import resolve_store
from ..stores.rules import local_time
from ..web.guards import role_required
from ..web.params import json_object
from . import errors, operations
from .forms import StartShiftForm

bp = Blueprint("deliveries", __name__)
bp.add_app_template_global(errors.reason_message, "reason_message")

MAX_ITEMS = 999


def _requested_point(store):
    """``(lat, lon)`` from ``?building=<id>`` or ``?lat=&lon=``; None for a building not of this store.

    Raises ``CoordinateError`` for coordinates that are missing, impossible or look swapped.
    """
    if request.args.get("building") is not None and request.args.get("lat") is None:
        building = geo_ops.get_building(store.id, request.args["building"])
        return (building.lat, building.lon) if building is not None else None
    lat, lon = request.args.get("lat"), request.args.get("lon")
    if lat is None or lon is None:
        raise CoordinateError("missing")
    point = parse_point(lat, lon)
    if looks_swapped(point, (store.lat, store.lon)):
        raise CoordinateError("looks_swapped")
    return point


@bp.get("/api/v1/delivery-quote")
def api_delivery_quote():
    """Can the store deliver here now? ``?lat=&lon=`` or ``?building=<id>``, optional ``&items=<n>``.

    Answers ``{deliverable, zone, fee_cents, minimum_cents, eta_minutes, reason}``; bad coordinates
    answer 400 ``{"error": ...}``, another store's building 404.
    """
    store = resolve_store()
    items = request.args.get("items", "1").strip()
    if not (items.isascii() and items.isdigit() and 1 <= int(items) <= MAX_ITEMS):
        return jsonify(error=_("items must be a whole number from 1 to %(max)d.", max=MAX_ITEMS)), 400
    try:
        point = _requested_point(store)
    except CoordinateError as exc:
        return jsonify(error=str(geo_errors.coordinate_message(exc))), 400
    if point is None:
        return jsonify(error=_("There is no such building."), status=404), 404
    quote = operations.quote(store, point, int(items), utcnow())
    return jsonify(quote.to_json())


@bp.post("/courier/shift/start")
@role_required(Role.COURIER)
def start_shift():
    """Start the courier's shift (planned end 2-8 hours from now)."""
    form = StartShiftForm()
    if not form.validate_on_submit():
        flash(_("Choose how long your shift lasts."), "error")
        return redirect(url_for("courier.home"))
    try:
        with transaction():
            shift = operations.start_shift(current_user, utcnow(), form.hours.data)
            planned_end_at = shift.planned_end_at
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        end = local_time(planned_end_at, current_user.store.timezone).strftime("%H:%M")
        flash(_("You are on shift until %(time)s.", time=end), "success")
    return redirect(url_for("courier.home"))


@bp.post("/courier/shift/end")
@role_required(Role.COURIER)
def end_shift():
    """End the courier's shift now."""
    try:
        with transaction():
            operations.end_shift(current_user, utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Shift ended. Thank you!"), "success")
    return redirect(url_for("courier.home"))


@bp.post("/courier/position")
@role_required(Role.COURIER)
def post_position():
    """The phone's position while on shift (courier-position.js, every 15 s): 204, 400 for bad
    coordinates, 409 when the courier is not on shift (the page then says so)."""
    data = json_object(request) or request.form
    try:
        lat, lon = parse_point(data.get("lat"), data.get("lon"))
    except CoordinateError as exc:
        return jsonify(error=str(geo_errors.coordinate_message(exc))), 400
    with transaction():
        recorded = operations.record_position(current_user, lat, lon, utcnow())
    if not recorded:
        return jsonify(error=_("You are off shift: start a shift to share your position.")), 409
    return "", 204
