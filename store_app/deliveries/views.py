"""The delivery quote API, the courier's shift buttons and the phone's position while on shift.
(The courier's page and task steps are ``store_app.fulfilment.courier_views``.)"""
from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, Field

from ..database import transaction, utcnow
from ..errors import DomainError
from ..geo import errors as geo_errors
from ..geo import operations as geo_ops
from ..geo.rules import CoordinateError, looks_swapped, parse_point
from ..roles import Role
from ..stores.context import resolve_store
from ..stores.rules import local_time
from ..web.api import SIGNED_IN, api_error, device_may_post, documented
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


class QuoteQuery(BaseModel):
    """Where to deliver: a point, or a building of the gazetteer; and how many items."""

    lat: float = Field(None, ge=-90, le=90, description="Latitude (with lon)", examples=[31.2005])
    lon: float = Field(None, ge=-180, le=180, description="Longitude (with lat)", examples=[121.4005])
    building: int = Field(None, ge=1, description="A building's id, instead of lat and lon")
    items: int = Field(1, ge=1, le=MAX_ITEMS, description="How many items the order holds")
    store: int = Field(None, ge=1, description="The store asked (visitors; else the first store)")


class QuoteOut(BaseModel):
    """The promise for that place now; ``reason`` says why not when it cannot be kept."""

    deliverable: bool
    zone: str | None
    fee_cents: int | None
    minimum_cents: int | None
    eta_minutes: int | None
    reason: str | None = Field(description="outside_zone, zone_disabled, store_closed, zone_closed, "
                                           "no_courier or too_busy; null when deliverable")


@bp.get("/api/v1/delivery-quote")
@documented(query=QuoteQuery, ok=(200, QuoteOut), errors=(400, 404), tags=["deliveries"])
def api_delivery_quote():
    """Can the store deliver here now? ``?lat=&lon=`` or ``?building=<id>``, optional ``&items=<n>``.

    Bad coordinates or item counts answer 400, another store's building 404.
    """
    store = resolve_store()
    items = request.args.get("items", "1").strip()
    if not (items.isascii() and items.isdigit() and 1 <= int(items) <= MAX_ITEMS):
        return api_error(_("items must be a whole number from 1 to %(max)d.", max=MAX_ITEMS), 400)
    try:
        point = _requested_point(store)
    except CoordinateError as exc:
        return api_error(geo_errors.coordinate_message(exc), 400)
    if point is None:
        return api_error(_("There is no such building."), 404)
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


class PositionIn(BaseModel):
    lat: float = Field(ge=-90, le=90, examples=[31.2005])
    lon: float = Field(ge=-180, le=180, examples=[121.4005])


@bp.post("/api/v1/courier/position")
@documented(json=PositionIn, ok=(204, None), errors=(403, 409), security=SIGNED_IN, tags=["couriers"])
@device_may_post
@role_required(Role.COURIER)
def api_post_position():
    """The courier's phone shares its position while on shift: 204; 409 when off shift."""
    data = json_object(request)
    try:
        lat, lon = parse_point(data.get("lat"), data.get("lon"))
    except CoordinateError as exc:
        return api_error(geo_errors.coordinate_message(exc), 400)
    with transaction():
        recorded = operations.record_position(current_user, lat, lon, utcnow())
    if not recorded:
        return api_error(_("You are off shift: start a shift to share your position."), 409)
    return "", 204
