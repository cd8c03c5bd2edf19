"""The pickup counter at /console/pickups (到店自提): staff type or scan the code on the resident's
phone, see the order (what to hand over, what is still to pay) and confirm the handover. The
confirm form carries a signed ticket (this staff member opened this order with its code a few
minutes ago), so the code is typed once. Codes that match nothing are counted per staff member and
per store, as at the parcel counter (same limits): after too many, code entry pauses and the owner
is told."""
import re
import unicodedata

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer

from ..accounts.models import User
from ..database import transaction, utcnow
from ..errors import DomainError
from ..extensions import db, limiter
from ..notifications.operations import notify_many
from ..roles import Role
from ..web.guards import role_required
from ..web.live import live_fragment
from . import pickup_counter
from .errors import PickupCodeUnknown

bp = Blueprint("pickup_counter", __name__)
staff_only = role_required(Role.STAFF, Role.OWNER)
COUNTER_ROLES = {Role.STAFF.value, Role.OWNER.value}
CODE_LIMIT = "30 per minute"  # per staff member, every code typed
TICKET_SALT = "order-pickup-handover"
TICKET_MAX_AGE_S = 15 * 60


def _clean_code(text):
    """What a scanner or a thumb typed, as digits (full-width digits and spaces allowed)."""
    return re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", text or ""))[:12]


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt=TICKET_SALT)


def _ticket(order_id):
    return _serializer().dumps({"order": order_id, "by": current_user.id})


def _ticket_order(text):
    """The order id a ticket opened, or None if it is forged, someone else's or too old."""
    try:
        data = _serializer().loads(text or "", max_age=TICKET_MAX_AGE_S)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("by") != current_user.id or not isinstance(data.get("order"), int):
        return None
    return data["order"]


def _page(status=200, *, code="", found=None, code_error=None):
    page = render_template("pickup_counter/counter.html", code=code, found=found, code_error=code_error,
                           ticket=_ticket(found.order.id) if found is not None else "",
                           waiting=pickup_counter.list_waiting_pickups(current_user.store_id),
                           store=current_user.store)
    return page, status


# ---- limits: every code typed, and codes that match nothing (as at the parcel counter) -------------

def _code_breached(_limit):
    if not (current_user.is_authenticated and current_user.role in COUNTER_ROLES):
        return None
    flash(_("Too many codes tried in a minute. Wait a moment, then try again."), "error")
    page, _status = _page(code=request.form.get("code", ""))
    return make_response(page, 429)


def _missed(response):
    return response.status_code == PickupCodeUnknown.status


def _tell_owners(now):
    owners = db.session.scalars(db.select(User.id).where(User.store_id == current_user.store_id,
                                                         User.role == Role.OWNER.value)).all()
    notify_many([dict(user_id=owner_id, store_id=current_user.store_id, kind="pickup_code_misses",
                      dedupe_key=f"pickup_code_misses:{current_user.id}:{now.strftime('%Y%m%d%H')}",
                      link="/console/pickups", params={"staff": current_user.name}) for owner_id in owners], now)


def _misses_breached(_limit):
    """Too many codes that match nothing: a cooldown, the owner told, what was typed kept."""
    if not (current_user.is_authenticated and current_user.role in COUNTER_ROLES):
        return None
    with transaction():
        _tell_owners(utcnow())
    flash(_("Too many codes that match no order: code entry pauses for a few minutes. "
            "Pick the order from the list of waiting pickups instead, or wait."), "error")
    page, _status = _page(code=request.form.get("code", ""))
    return make_response(page, 429)


code_limit = limiter.shared_limit(lambda: current_app.config.get("PICKUP_CODE_LIMIT", CODE_LIMIT),
                                  scope="pickup-code", key_func=lambda: f"pickup-code:user:{current_user.id}",
                                  methods=["POST"], on_breach=_code_breached)
staff_misses_limit = limiter.limit(lambda: current_app.config["PARCEL_CODE_MISSES_PER_STAFF"], methods=["POST"],
                                   key_func=lambda: f"pickup-code-miss:user:{getattr(current_user, 'id', None)}",
                                   deduct_when=_missed, on_breach=_misses_breached)
store_misses_limit = limiter.limit(lambda: current_app.config["PARCEL_CODE_MISSES_PER_STORE"], methods=["POST"],
                                   key_func=lambda: f"pickup-code-miss:store:{getattr(current_user, 'store_id', None)}",
                                   deduct_when=_missed, on_breach=_misses_breached)


@bp.route("/console/pickups", methods=["GET", "POST"])
@staff_only
@code_limit
@staff_misses_limit
@store_misses_limit
def counter():
    """The code field and the waiting pickups; a posted code shows its order, ready to hand over."""
    if request.method == "GET":
        return _page()
    typed = request.form.get("code", "")[:64]
    try:
        found = pickup_counter.find_pickup(current_user, _clean_code(typed))
    except DomainError as exc:
        return _page(exc.status, code=typed, code_error=exc.message)
    return _page(code=typed, found=found)


@bp.post("/console/pickups/hand-over")
@staff_only
def hand_over():
    """Confirm the handover of the order the ticket opened: collected, once."""
    order_id = _ticket_order(request.form.get("ticket"))
    if order_id is None:
        flash(_("This handover form is no longer valid: enter the resident's code again."), "error")
        return _page(400)
    try:
        with transaction():
            order = pickup_counter.hand_over_pickup(current_user, order_id, utcnow())
            done = order.id
    except DomainError as exc:
        flash(exc.message, "error")
        return _page(exc.status)
    flash(_("Order #%(id)d handed over.", id=done), "success")
    return redirect(url_for("pickup_counter.counter"), 303)


@bp.get("/console/pickups/live")
@staff_only
def waiting_live():
    """The list of waiting pickups alone, as HTML, for pickup-counter.js to swap in."""
    return live_fragment(render_template("pickup_counter/_waiting.html", store=current_user.store,
                                         waiting=pickup_counter.list_waiting_pickups(current_user.store_id)),
                         "X-Pickup-Waiting")
