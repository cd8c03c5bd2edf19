"""The resident's step in an order's fulfilment: cancelling it before picking starts."""
from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..database import transaction, utcnow
from ..orders.errors import OrderNotFound, StatusConflict
from ..roles import Role
from ..web.guards import role_required
from . import errors, settlement

bp = Blueprint("fulfilment", __name__)


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
        flash(_("This order can no longer be cancelled: the store has started picking it."), "error")
    else:
        flash(_("Your order is cancelled."), "success")
    return redirect(url_for("orders.order_page", order_id=order_id), 303)
