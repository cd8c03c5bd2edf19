"""The counter console's front page and the owner's dashboard."""
from flask import Blueprint, render_template
from flask_login import current_user

from ..database import utcnow
from ..roles import Role
from ..stores.presenters import store_status
from ..web.guards import role_required
from . import operations

bp = Blueprint("reports", __name__)


@bp.get("/console")
@role_required(Role.STAFF, Role.OWNER)
def console():
    """The counter console's front page."""
    store = current_user.store
    return render_template("reports/console.html", store=store, status=store_status(store, utcnow()),
                           overview=operations.load_overview(store.id))


@bp.get("/owner")
@role_required(Role.OWNER)
def dashboard():
    """The owner's dashboard."""
    store = current_user.store
    return render_template("reports/dashboard.html", store=store, status=store_status(store, utcnow()),
                           overview=operations.load_overview(store.id))
