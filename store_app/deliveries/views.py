"""The delivery quote API, the courier's shift buttons and the courier's task steps."""
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, request, send_file, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required

from ..accounts.models import Role
from ..catalogue import images
from ..catalogue.errors import ImageRefused
from ..database import transaction, utcnow
from ..geo import errors as geo_errors
from ..geo import operations as geo_ops
from ..geo.rules import CoordinateError, looks_swapped, parse_point
from ..orders.errors import OrderError
from ..stores.context import resolve_store
from ..stores.rules import local_time
from ..stores.views import courier_home
from ..web.guards import role_required
from . import courier as courier_ops
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
        return redirect(url_for("stores.courier_home"))
    try:
        with transaction():
            shift = operations.start_shift(current_user, utcnow(), form.hours.data)
            planned_end_at = shift.planned_end_at
    except errors.ShiftError as exc:
        flash(exc.message, "error")
    else:
        end = local_time(planned_end_at, current_user.store.timezone).strftime("%H:%M")
        flash(_("You are on shift until %(time)s.", time=end), "success")
    return redirect(url_for("stores.courier_home"))


@bp.post("/courier/shift/end")
@role_required(Role.COURIER)
def end_shift():
    """End the courier's shift now."""
    try:
        with transaction():
            operations.end_shift(current_user, utcnow())
    except errors.ShiftError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Shift ended. Thank you!"), "success")
    return redirect(url_for("stores.courier_home"))



# ---- the courier's tasks ------------------------------------------------------------------------

def _courier_page(status):
    """The courier's page again, with the flashed message, under an error status."""
    return courier_home(), status


def _courier_step(verb):
    """Run one courier step in a transaction; ``(result, None)``, or ``(None, error response)``.
    Another courier's task answers 404, like a missing one."""
    try:
        with transaction():
            return verb(), None
    except (errors.DeliveryError, OrderError) as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
        return None, _courier_page(exc.status)


@bp.post("/courier/position")
@role_required(Role.COURIER)
def post_position():
    """The phone's position while on shift (courier-position.js, every 15 s): 204, 400 for bad
    coordinates, 409 when the courier is not on shift (the page then says so)."""
    data = request.get_json(silent=True) or request.form
    try:
        lat, lon = parse_point(data.get("lat"), data.get("lon"))
    except CoordinateError as exc:
        return jsonify(error=str(geo_errors.coordinate_message(exc))), 400
    with transaction():
        recorded = operations.record_position(current_user, lat, lon, utcnow())
    if not recorded:
        return jsonify(error=_("You are off shift: start a shift to share your position.")), 409
    return "", 204


@bp.post("/courier/tasks/<int:task_id>/picked-up")
@role_required(Role.COURIER)
def task_picked_up(task_id):
    """The courier has collected the order."""
    order, error = _courier_step(lambda: courier_ops.confirm_pickup(current_user, task_id, utcnow()))
    if error:
        return error
    flash(_("Order #%(id)d picked up. Off you go!", id=order.id), "success")
    return redirect(url_for("stores.courier_home"), 303)


@bp.post("/courier/tasks/<int:task_id>/delivered")
@role_required(Role.COURIER)
def task_delivered(task_id):
    """Hand over against the resident's 4-digit code: a wrong code is 400, five wrong ones lock it (423)."""
    code = request.form.get("code", "")
    check, error = _courier_step(lambda: courier_ops.confirm_delivery(current_user, task_id, code, utcnow()))
    if error:
        return error
    if check.delivered:
        flash(_("Delivered. Thank you!"), "success")
        return redirect(url_for("stores.courier_home"), 303)
    if check.locked:
        flash(_("Too many wrong codes: the code is locked. Call the store, staff can unlock it."), "error")
        return _courier_page(423)
    flash(ngettext("Wrong code. %(num)d try left.", "Wrong code. %(num)d tries left.", check.tries_left),
          "error")
    return _courier_page(400)


@bp.post("/courier/tasks/<int:task_id>/failed")
@role_required(Role.COURIER)
def task_failed(task_id):
    """The delivery could not be made: nobody home, refused, or another reason in a few words."""
    reason, text = request.form.get("reason", ""), request.form.get("text", "")
    photo = request.files.get("photo")
    stored = None
    if photo is not None and photo.filename:
        try:
            data, kind = images.read_upload(photo.stream)
        except ImageRefused as exc:
            flash(exc.message, "error")
            return _courier_page(400)
        stored = images.store_image(current_app.instance_path, data, kind, folder="deliveries")
    order, error = _courier_step(
        lambda: courier_ops.report_failure(current_user, task_id, reason, text, utcnow(), photo=stored))
    if error:
        if stored:
            images.remove_image(current_app.instance_path, stored, folder="deliveries")
        return error
    flash(_("Order #%(id)d marked as not delivered. Bring it back to the store.", id=order.id), "info")
    return redirect(url_for("stores.courier_home"), 303)


@bp.get("/deliveries/<int:order_id>/door-photo")
@login_required
def door_photo(order_id):
    """The courier's photo at the door of a failed delivery: for the store's staff and owner, and
    for the resident whose order it was; anyone else gets 404."""
    name = courier_ops.door_photo_for(current_user, order_id)
    path = images.image_path(current_app.instance_path, name, folder="deliveries") if name else None
    if path is None:
        abort(404)
    response = send_file(path, mimetype=images.mime_type(name), max_age=0, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
