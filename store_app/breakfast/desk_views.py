"""The pickup desk at /console/breakfast/desk (a counter tablet, or a phone): the child's code typed
or scanned (a keyboard-wedge scanner types the digits and Enter), the child's breakfast shown with
allergy warnings, the handover; a child found by name instead; the list of breakfasts still to collect,
refreshed by itself; a printable card with the code and its QR for a child without a phone.

Codes that match nothing are counted per staff member and per store like the parcel counter's; past
the limit, code entry pauses and the owners are told. Registered on ``kitchen_blueprint.bp``."""
from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..database import transaction, utcnow
from ..errors import DomainError
from ..extensions import db, limiter
from ..web.live import live_fragment
from . import desk as desk_ops, errors, notices
from .kitchen_forms import DeskCodeForm
from .kitchen_blueprint import bp, staff_only
from .models import BreakfastOrder, OrderStatus
from .ordering import pickup_code
from .presenters import qr_svg

LIVE_HEADER = "X-Breakfast-Desk"
CODE_LIMIT = "30 per minute"
MISSES_PER_STAFF = "10 per 10 minutes"
MISSES_PER_STORE = "30 per hour"


def _desk_page(status=200, *, form=None, found=None, name="", matches=None):
    store = current_user.store
    now = utcnow()
    day = desk_ops.desk_day(store, now)
    page = render_template("breakfast/kitchen/desk.html", store=store, day=day, now=now,
                           form=form or DeskCodeForm(formdata=None), found=found, name=name, matches=matches,
                           to_collect=desk_ops.list_to_collect(day), collected=desk_ops.count_collected(day),
                           live_header=LIVE_HEADER)
    return page, status


def _code_breached(_limit):
    flash(_("Too many codes tried in a minute. Wait a moment, then try again."), "error")
    page, _status = _desk_page(form=DeskCodeForm())
    return make_response(page, 429)


def _missed(response):
    return response.status_code == errors.CodeUnknown.status


def _misses_breached(_limit):
    """Too many codes that match nothing: a pause, the owners told, what was typed kept."""
    with transaction():
        notices.tell_owners_of_code_misses(current_user, utcnow())
    flash(_("Too many codes that match no breakfast: code entry pauses for a few minutes. "
            "Find the child by name instead, or wait."), "error")
    page, _status = _desk_page(form=DeskCodeForm())
    return make_response(page, 429)


code_limit = limiter.shared_limit(
    lambda: current_app.config.get("BREAKFAST_CODE_LIMIT", CODE_LIMIT), scope="breakfast-code", methods=["POST"],
    key_func=lambda: f"breakfast-code:user:{getattr(current_user, 'id', None)}", on_breach=_code_breached)
staff_misses_limit = limiter.shared_limit(
    lambda: current_app.config.get("BREAKFAST_CODE_MISSES_PER_STAFF", MISSES_PER_STAFF),
    scope="breakfast-code-miss-staff", methods=["POST"],
    key_func=lambda: f"breakfast-code-miss:user:{getattr(current_user, 'id', None)}",
    deduct_when=_missed, on_breach=_misses_breached)
store_misses_limit = limiter.shared_limit(
    lambda: current_app.config.get("BREAKFAST_CODE_MISSES_PER_STORE", MISSES_PER_STORE),
    scope="breakfast-code-miss-store", methods=["POST"],
    key_func=lambda: f"breakfast-code-miss:store:{getattr(current_user, 'store_id', None)}",
    deduct_when=_missed, on_breach=_misses_breached)


@bp.get("/console/breakfast/desk")
@staff_only
def desk():
    """The code field and the breakfasts still to collect this morning."""
    return _desk_page()


@bp.post("/console/breakfast/desk")
@staff_only
@code_limit
@staff_misses_limit
@store_misses_limit
def desk_code():
    """A typed or scanned code: the child's breakfast to hand over, or why not."""
    form = DeskCodeForm()
    if not form.validate():
        return _desk_page(400, form=form)
    store = current_user.store
    try:
        order = desk_ops.find_by_code(store, desk_ops.desk_day(store, utcnow()), form.code.data)
    except DomainError as exc:
        form.code.errors = [exc.message]
        return _desk_page(exc.status, form=form)
    return _desk_page(form=DeskCodeForm(formdata=None), found=order)


@bp.get("/console/breakfast/desk/find")
@staff_only
def desk_find():
    """Staff's fallback without a code: today's breakfasts by the child's name."""
    name = request.args.get("name", "")[:40]
    store = current_user.store
    matches = desk_ops.find_by_name(store, desk_ops.desk_day(store, utcnow()), name)
    return _desk_page(name=name, matches=matches)


@bp.get("/console/breakfast/desk/live")
@staff_only
def desk_live():
    """The list of breakfasts still to collect, for the page's script to swap in."""
    store = current_user.store
    day = desk_ops.desk_day(store, utcnow())
    html = render_template("breakfast/kitchen/_desk_list.html", store=store, day=day,
                           to_collect=desk_ops.list_to_collect(day), collected=desk_ops.count_collected(day))
    return live_fragment(html, LIVE_HEADER)


@bp.post("/console/breakfast/desk/orders/<int:order_id>/hand-over")
@staff_only
def hand_over(order_id):
    """Hand the breakfast over (once: a second desk at the same moment gets a clean 409)."""
    store = current_user.store
    try:
        with transaction():
            order = desk_ops.hand_over(current_user, store, desk_ops.desk_day(store, utcnow()), order_id, utcnow())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _desk_page(exc.status)
    flash(_("Breakfast handed over to %(child)s.", child=order.child.name), "success")
    return redirect(url_for("breakfast_kitchen.desk"), 303)


@bp.get("/console/breakfast/desk/orders/<int:order_id>/card")
@staff_only
def card(order_id):
    """A child's printable pickup card for one day: the code in big digits and its QR code."""
    order = db.session.get(BreakfastOrder, order_id) if 0 < order_id < 2**31 else None
    if order is None or order.store_id != current_user.store_id or order.code_nonce is None \
            or order.status in (OrderStatus.CANCELLED.value, OrderStatus.REFUNDED.value):
        abort(404)
    code = pickup_code(order)
    return render_template("breakfast/kitchen/card.html", store=current_user.store, order=order, code=code,
                           qr=qr_svg(code))
