"""The partner merchant's phone page, reached by a secret link (no account), and the staff page
that hands out and renews those links."""
from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..database import transaction, utcnow
from ..errors import DomainError
from ..roles import Role
from ..stores.operations import get_store
from ..web.guards import role_required
from . import errors, operations

bp = Blueprint("partners", __name__)
staff_only = role_required(Role.STAFF, Role.OWNER)


def _partner_or_404(token):
    merchant = operations.get_partner_by_token(token)
    if merchant is None:
        abort(404)
    return merchant


def _private(response):
    """The page is the partner's own (its link is the key): never cached, never indexed."""
    response.headers["Cache-Control"] = "no-store, private"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _partner_page(merchant, status=200):
    return _private(make_response(render_template(
        "partners/page.html", merchant=merchant, orders=operations.list_orders_to_prepare(merchant),
        store=get_store(merchant.store_id), now=utcnow()), status))


@bp.get("/partner/<token>")
def partner_page(token):
    """What the partner has to prepare, by pickup deadline, with a "ready" button per order."""
    return _partner_page(_partner_or_404(token))


@bp.post("/partner/<token>/orders/<int:order_id>/ready")
def mark_ready(token, order_id):
    """The partner's items of one order are ready for the courier."""
    merchant = _partner_or_404(token)
    try:
        with transaction():
            marked = operations.mark_order_prepared(merchant, order_id, utcnow())
    except DomainError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
        return _partner_page(merchant, exc.status)
    flash(_("Order #%(id)d marked ready. Thank you!", id=order_id) if marked
          else _("Order #%(id)d was already marked ready.", id=order_id), "success")
    return redirect(url_for("partners.partner_page", token=token), 303)


@bp.get("/console/partners")
@staff_only
def console():
    """The store's partners with their secret links."""
    return render_template("partners/console.html", partners=operations.list_partners(current_user.store_id))


@bp.post("/console/partners/<int:merchant_id>/token")
@staff_only
def renew_token(merchant_id):
    """Make a new link for a partner; the old link stops working."""
    try:
        with transaction():
            merchant = operations.regenerate_token(current_user, merchant_id)
            name = merchant.name
    except errors.PartnerNotFound:
        abort(404)
    flash(_("New link made for %(name)s. Send it to them; the old link no longer works.", name=name),
          "success")
    return redirect(url_for("partners.console", _anchor=f"partner-{merchant_id}"), 303)
