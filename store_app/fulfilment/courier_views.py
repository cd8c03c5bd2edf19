"""The courier's phone page (/courier): their shift, their route on a map, and each task's steps:
picked up, delivered against the resident's code, or failed (with a photo of the door). Another
courier's task answers 404, like a missing one."""
from flask import (Blueprint, abort, current_app, flash, make_response, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required

from ..catalogue import images
from ..catalogue.errors import ImageRefused
from ..database import transaction, utcnow
from ..deliveries.forms import StartShiftForm
from ..deliveries.operations import get_current_shift
from ..errors import DomainError
from ..geo import maps, navigation, operations as geo_ops
from ..roles import Role
from ..stores.presenters import store_status
from ..web.guards import role_required
from ..web.i18n import current_language, localized
from ..web.live import live_fragment
from ..web.uploads import upload_route
from . import courier_steps

bp = Blueprint("courier", __name__)
# A phone camera's photo as it comes (3-5 MB is usual); it is brought down to 2048 px before keeping.
DOOR_PHOTO_MAX_BYTES = 8 * 1024 * 1024
# The header courier-live.js looks for: a login page after a lapsed session is never swapped in.
LIVE_MARKER = "X-Courier-Live"


def _live_state(now):
    """The courier's shift, task cards and route stops at ``now``, and their version (the ETag)."""
    store = current_user.store
    shift = get_current_shift(current_user.id, now)
    tasks = courier_steps.list_task_cards(current_user, now)
    lang = current_language()
    stops = courier_steps.route_stops(tasks, store, lang)
    return {"store": store, "shift": shift, "tasks": tasks, "stops": stops, "lang": lang,
            "live_version": courier_steps.live_version(shift, tasks, stops, lang)}


def _live_part(state):
    """Everything the live part of the page draws from ``state``: the route map, the next step."""
    store, shift, stops = state["store"], state["shift"], state["stops"]
    here = (shift.lat, shift.lon) if shift is not None and shift.lat is not None else None
    route = maps.route_view((store.lat, store.lon, localized(store)),
                            [(s.kind, s.lat, s.lon, s.place) for s in stops], courier=here,
                            context=geo_ops.load_map_context(store, state["lang"])) if stops else None
    next_card, next_stop = courier_steps.next_step(state["tasks"], stops)
    return {**state, "route": route, "next_card": next_card, "next_stop": next_stop,
            "nav_links": navigation.nav_links, "card_version": courier_steps.card_version,
            "route_version": courier_steps.route_version(stops)}


@bp.get("/courier")
@role_required(Role.COURIER)
def home():
    """The courier's page: their shift (start/end), their deliveries (soonest promise first), their
    store; the live part refreshes itself from ``/courier/live``."""
    now = utcnow()
    part = _live_part(_live_state(now))
    return render_template("courier/home.html", status=store_status(part["store"], now),
                           shift_form=StartShiftForm(), **part)


@bp.get("/courier/live")
@role_required(Role.COURIER)
def live():
    """The live part of the courier's page (route, task cards, next step) as an HTML fragment, for
    courier-live.js to poll. Its ETag changes only when a task is given, changed or withdrawn: a phone
    that sends ``If-None-Match`` with the current one gets an empty 304."""
    state = _live_state(utcnow())
    etag = state["live_version"]
    if request.if_none_match.contains(etag):
        response = make_response("", 304)  # nothing drawn: the map and the cards are the phone's already
    else:
        response = live_fragment(render_template("courier/_live.html", **_live_part(state)), LIVE_MARKER)
    response.set_etag(etag)
    response.headers[LIVE_MARKER] = "1"
    # A shift started or ended elsewhere changes the whole page: the script reloads it then.
    response.headers["X-Courier-Shift"] = str(state["shift"].id) if state["shift"] is not None else ""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/courier/tasks/<int:task_id>/call")
@role_required(Role.COURIER)
def call_resident(task_id):
    """Call the resident of one of the courier's active tasks: the call is logged and the phone is sent
    to ``tel:``, so the number never appears on the courier's page. Any other task answers 404."""
    phone, error = _courier_step(lambda: courier_steps.call_resident(current_user, task_id, utcnow()))
    if error:
        return error
    response = redirect("tel:" + phone, 303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _courier_page(status):
    """The courier's page again, with the flashed message, under an error status."""
    return home(), status


def _courier_step(verb):
    """Run one courier step in a transaction; ``(result, None)``, or ``(None, error response)``.
    Another courier's task answers 404, like a missing one."""
    try:
        with transaction():
            return verb(), None
    except DomainError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
        return None, _courier_page(exc.status)


@bp.post("/courier/tasks/<int:task_id>/picked-up")
@role_required(Role.COURIER)
def task_picked_up(task_id):
    """The courier has collected the order."""
    order, error = _courier_step(lambda: courier_steps.confirm_pickup(current_user, task_id, utcnow()))
    if error:
        return error
    flash(_("Order #%(id)d picked up. Off you go!", id=order.id), "success")
    return redirect(url_for("courier.home"), 303)


@bp.post("/courier/tasks/<int:task_id>/delivered")
@role_required(Role.COURIER)
def task_delivered(task_id):
    """Hand over against the resident's 4-digit code: a wrong code is 400, five wrong ones lock it (423)."""
    code = request.form.get("code", "")
    check, error = _courier_step(lambda: courier_steps.confirm_delivery(current_user, task_id, code, utcnow()))
    if error:
        return error
    if check.delivered:
        flash(_("Delivered. Thank you!"), "success")
        return redirect(url_for("courier.home"), 303)
    if check.locked:
        flash(_("Too many wrong codes: the code is locked. Call the store, staff can unlock it."), "error")
        return _courier_page(423)
    flash(ngettext("Wrong code. %(num)d try left.", "Wrong code. %(num)d tries left.", check.tries_left),
          "error")
    return _courier_page(400)


def _door_photo_limit(config):
    return config.get("DOOR_PHOTO_MAX_BYTES", DOOR_PHOTO_MAX_BYTES)


@bp.post("/courier/tasks/<int:task_id>/failed")
@role_required(Role.COURIER)
@upload_route(_door_photo_limit)
def task_failed(task_id):
    """The delivery could not be made: nobody home, refused, or another reason in a few words.

    The door photo is checked and re-encoded in memory first; its file is kept only if the step is
    saved, which checks first that the task is this courier's."""
    reason, text = request.form.get("reason", ""), request.form.get("text", "")
    try:
        photo = images.read_photo(request.files.get("photo"), _door_photo_limit(current_app.config))
    except ImageRefused as exc:
        flash(exc.message, "error")
        return _courier_page(exc.status)
    order, error = _courier_step(
        lambda: courier_steps.report_failure(current_user, task_id, reason, text, utcnow(), photo=photo))
    if error:
        return error
    flash(_("Order #%(id)d marked as not delivered. Bring it back to the store.", id=order.id), "info")
    return redirect(url_for("courier.home"), 303)


@bp.get("/deliveries/<int:order_id>/door-photo")
@login_required
def door_photo(order_id):
    """The courier's photo at the door of a failed delivery: for the store's staff and owner, and
    for the resident whose order it was; anyone else gets 404."""
    name = courier_steps.door_photo_for(current_user, order_id)
    path = images.image_path(current_app.instance_path, name, folder="deliveries") if name else None
    if path is None:
        abort(404)
    response = send_file(path, mimetype=images.mime_type(name), max_age=0, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
