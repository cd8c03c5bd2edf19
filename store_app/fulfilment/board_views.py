"""The staff order board at /console/orders: the store's orders by state, refreshed live by
order-board.js, with the counter's actions (accept, pick, strike an item, ready, assign a courier,
cancel, unlock a delivery code) and a printable picking list per order."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from ..database import transaction, utcnow
from ..deliveries import operations as delivery_ops
from ..errors import DomainError
from ..orders import queries
from ..orders.models import OrderStatus
from ..roles import Role
from ..web.guards import role_required
from ..web.live import live_fragment
from ..web.params import db_int
from . import board as board_ops
from . import settlement, store_steps

bp = Blueprint("order_board", __name__)
staff_only = role_required(Role.STAFF, Role.OWNER)

STEPS = {
    "accept": (OrderStatus.ACCEPTED, _l("Order #%(id)d accepted.")),
    "pick": (OrderStatus.PICKING, _l("Picking order #%(id)d.")),
    "ready": (OrderStatus.READY, _l("Order #%(id)d is ready for a courier.")),
}
PICKUP_READY = _l("Order #%(id)d is packed: it waits at the counter for its resident's pickup code.")
CANCEL_REASON_LABELS = {
    "out_of_stock": _l("Out of stock"), "customer_request": _l("The resident asked"),
    "cannot_deliver": _l("We cannot deliver"), "other": _l("Other"),
}


def _context(**extra):
    now = utcnow()
    store = current_user.store
    return {"board": board_ops.load_board(store.id, now, store.timezone), "store": store, "now": now,
            "couriers": delivery_ops.list_assignable_couriers(store.id, now),
            "cancel_reasons": CANCEL_REASON_LABELS, "cancel_form": {}, **extra}


@bp.get("/console/orders")
@staff_only
def board():
    """The board: new, accepted, picking, ready, out for delivery; today's finished orders folded away."""
    return render_template("order_board/board.html", **_context())


@bp.get("/console/orders/live")
@staff_only
def live():
    """The board's columns alone, as HTML, for order-board.js to swap in every few seconds."""
    return live_fragment(render_template("order_board/_board.html", **_context()), "X-Order-Board")


def _act(order_id, verb, done_message, **form_state):
    """Run one action in a transaction: 303 back to the order's card, or the board again with the
    error's status and message (409 for a click that lost a race). Another store's order is 404."""
    try:
        with transaction():
            verb()
    except DomainError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
        return render_template("order_board/board.html", **_context(**form_state)), exc.status
    flash(done_message, "success")
    return redirect(url_for("order_board.board", _anchor=f"order-{order_id}"), 303)


@bp.post("/console/orders/<int:order_id>/<any(accept, pick, ready):step>")
@staff_only
def advance(order_id, step):
    """Accept an order, start picking it, or hand it over to delivery."""
    target, message = STEPS[step]
    order = queries.get_store_order(current_user.store_id, order_id)
    if step == "ready" and order is not None and order.is_pickup:  # nobody comes for it but its resident
        message = PICKUP_READY
    return _act(order_id, lambda: store_steps.advance_by_store(current_user, order_id, target, utcnow()),
                message % {"id": order_id})


@bp.post("/console/orders/<int:order_id>/items/<int:item_id>/unavailable")
@staff_only
def item_unavailable(order_id, item_id):
    """Strike an item off: refunded the way it was paid, shown to the resident."""
    return _act(order_id, lambda: store_steps.mark_item_unavailable(current_user, order_id, item_id, utcnow()),
                _("Item struck off order #%(id)d and refunded.", id=order_id))


@bp.post("/console/orders/<int:order_id>/assign")
@staff_only
def assign(order_id):
    """Give the order to a courier (or to another courier, until it is picked up)."""
    courier_id = request.form.get("courier_id", type=db_int)
    return _act(order_id, lambda: store_steps.assign_courier(current_user, order_id, courier_id, utcnow()),
                _("Order #%(id)d given to a courier.", id=order_id))


@bp.post("/console/orders/<int:order_id>/cancel")
@staff_only
def cancel(order_id):
    """Cancel with a reason: restocked and refunded."""
    reason, text = request.form.get("reason", ""), request.form.get("text", "")
    return _act(order_id, lambda: settlement.cancel_by_store(current_user, order_id, utcnow(), reason, text),
                _("Order #%(id)d cancelled and refunded.", id=order_id),
                cancel_form={"order_id": order_id, "reason": reason, "text": text})


@bp.post("/console/orders/<int:order_id>/restore-coupon")
@staff_only
def restore_coupon(order_id):
    """Give the resident back the coupon used on a delivered or collected order (the store's choice)."""
    return _act(order_id, lambda: store_steps.restore_coupon(current_user, order_id, utcnow()),
                _("The coupon used on order #%(id)d is the resident's again.", id=order_id))


@bp.post("/console/orders/<int:order_id>/unlock-code")
@staff_only
def unlock_code(order_id):
    """Let the courier try the resident's delivery code again."""
    return _act(order_id, lambda: store_steps.unlock_delivery_code(current_user, order_id, utcnow()),
                _("The delivery code of order #%(id)d can be tried again.", id=order_id))


@bp.get("/console/orders/<int:order_id>/picking-list")
@staff_only
def picking_list(order_id):
    """A printable list to pick the order from the shelves (no delivery code on it)."""
    order = queries.get_store_order(current_user.store_id, order_id)
    if order is None:
        abort(404)
    now = utcnow()
    building = board_ops.load_buildings([order]).get(order.building_id)
    return render_template("order_board/picking_list.html", order=order, store=current_user.store,
                           card=board_ops.order_card(order, now, building),
                           groups=board_ops.load_picking_list(order), printed_at=now)
