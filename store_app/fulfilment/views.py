"""The resident's step in an order's fulfilment: cancelling it before picking starts, after a
confirmation that says what comes back and where (a page of its own, or the same words in a dialog
on the order page when JavaScript runs); the cancel itself is always a POST."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from ..database import transaction, utcnow
from ..orders import queries
from ..orders.errors import OrderNotFound, StatusConflict
from ..orders.presenters import cancel_refund_text
from ..roles import Role
from ..web.guards import role_required
from . import errors, settlement, transitions

bp = Blueprint("fulfilment", __name__)

NOT_CANCELLABLE = _l("This order can no longer be cancelled: the store has started picking it.")


@bp.get("/orders/<int:order_id>/cancel")
@role_required(Role.RESIDENT)
def confirm_cancel(order_id):
    """Are you sure? What will be refunded and where; the button posts the cancel."""
    order = queries.get_order_for_user(current_user, order_id)
    if order is None:
        abort(404)
    if not transitions.can_resident_cancel(order.status):
        flash(str(NOT_CANCELLABLE), "error")
        return redirect(url_for("orders.order_page", order_id=order_id), 303)
    return render_template("fulfilment/cancel.html", order=order, refund_text=cancel_refund_text(order))


@bp.post("/orders/<int:order_id>/cancel")
@role_required(Role.RESIDENT)
def cancel_order(order_id):
    """Cancel before picking starts; the refund goes back the way it was paid."""
    try:
        with transaction():
            settlement.cancel_by_resident(current_user, order_id, utcnow())
    except OrderNotFound:
        abort(404)
    except (errors.NotCancellable, StatusConflict):
        flash(str(NOT_CANCELLABLE), "error")
    else:
        flash(_("Your order is cancelled."), "success")
    return redirect(url_for("orders.order_page", order_id=order_id), 303)
