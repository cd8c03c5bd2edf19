"""The resident's coupon centre (``/coupons``): coupons to claim, "my coupons" on three tabs
(available, used, expired) and a form to type a code. Linked from the Me page and the checkout."""
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..database import transaction, utcnow
from ..errors import DomainError
from ..roles import Role
from ..web.api import is_api_request
from ..web.guards import role_required
from . import coupons
from .coupon_forms import CodeForm
from .coupon_limits import code_limits
from .coupon_presenters import coupon_terms

bp = Blueprint("coupons", __name__)
resident_only = role_required(Role.RESIDENT)
TABS = ("available", "used", "expired")


def _tab():
    tab = request.args.get("tab", "available")
    return tab if tab in TABS else "available"


def centre_page(form=None, tab=None, status=200):
    """The page with ``form`` (what was typed kept) on ``tab``; ``(html, status)``."""
    now, tab = utcnow(), tab or _tab()
    return render_template(
        "coupons/centre.html", claimable=coupons.list_claimable(current_user, now),
        mine=coupons.list_my_grants(current_user, tab, now), tab=tab, tabs=TABS, form=form or CodeForm(),
        store=current_user.store, now=now), status


@bp.get("/coupons")
@resident_only
def coupon_centre():
    """Coupons to claim, the resident's own by tab, and the code form."""
    return centre_page()


@bp.post("/coupons/<int:coupon_id>/claim")
@resident_only
def claim(coupon_id):
    """Claim a copy of a coupon from the centre; a refusal says why (all gone, already held...)."""
    try:
        with transaction():
            coupons.claim(current_user, coupon_id, utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
        return centre_page(status=exc.status)
    flash(_("Coupon claimed: it is in My coupons and ready at checkout."), "success")
    return redirect(url_for("coupons.coupon_centre"), 303)


def _too_many_codes(_limit):
    """Too many codes tried: the page again with what was typed, 429 and a clear message."""
    if is_api_request():
        return None  # the API's JSON 429
    form = CodeForm()
    form.code.errors = [_("Too many codes tried. Please wait an hour and try again.")]
    html, _status = centre_page(form=form)
    return make_response(html, 429)


per_account_limit, per_address_limit = code_limits(on_breach=_too_many_codes)


@bp.post("/coupons/code")
@resident_only
@per_account_limit
@per_address_limit
def redeem_code():
    """Type a code: a copy of its coupon, or one answer for every code that gives nothing."""
    form = CodeForm()
    if not form.validate_on_submit():
        return centre_page(form=form, status=400)
    try:
        with transaction():
            coupons.redeem_code(current_user, form.code.data, utcnow())
    except DomainError as exc:
        form.code.errors = [exc.message]
        return centre_page(form=form, status=exc.status)
    flash(_("Code accepted: the coupon is in My coupons."), "success")
    return redirect(url_for("coupons.coupon_centre"), 303)


bp.add_app_template_global(coupon_terms, "coupon_terms")
