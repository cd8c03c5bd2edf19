"""Points pages: the resident's "My points" (balance, tier, progress, benefits, the demotion rule,
history, the catalogue to redeem), and the console's points page (what is on sale for points, and
what refunds could not take back)."""
import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from ..database import transaction, utcnow
from ..errors import DomainError
from ..roles import Role
from ..web.forms import EmptyForm
from ..web.guards import role_required
from ..web.i18n import localized
from ..web.params import db_int
from . import points, points_catalogue, points_rules
from .points_errors import RewardNotFound

bp = Blueprint("points", __name__)
resident_only = role_required(Role.RESIDENT)
staff_only = role_required(Role.STAFF, Role.OWNER)

TIER_NAMES = {points_rules.Tier.BASIC: _l("Basic"), points_rules.Tier.SILVER: _l("Silver"),
              points_rules.Tier.GOLD: _l("Gold")}
ENTRY_REASONS = {"purchase": _l("Earned on a purchase"), "refund": _l("Taken back: purchase refunded"),
                 "redeem": _l("Spent on a coupon"), "referral": _l("Invitation reward"),
                 "referral_back": _l("Invitation reward taken back")}
bp.add_app_template_global(TIER_NAMES, "POINTS_TIER_NAMES")
bp.add_app_template_global(ENTRY_REASONS, "POINTS_ENTRY_REASONS")
bp.add_app_template_global(points_rules.TIERS, "POINTS_TIERS")
bp.add_app_template_global(points.get_balance, "points_balance")


def _my_points_page(status=200):
    now = utcnow()
    user = current_user._get_current_object()
    return render_template(
        "growth/points.html", summary=points.load_summary(user, now), entries=points.list_entries(user.id),
        catalogue=points_catalogue.list_catalogue(user.store_id, now), redeem_key=secrets.token_urlsafe(18),
        action_form=EmptyForm()), status


@bp.get("/me/points")
@resident_only
def my_points():
    """The resident's points, tier and history, and the coupons points can buy."""
    return _my_points_page()


@bp.post("/me/points/redeem/<int:coupon_id>")
@resident_only
def redeem(coupon_id):
    """Buy a catalogue coupon with points (an idempotency key from the page); 409 when points are short."""
    if not EmptyForm().validate_on_submit():
        flash(_("The page had expired. Please try again."), "error")
        return _my_points_page(400)
    key = (request.form.get("idempotency_key") or "")[:64] or secrets.token_urlsafe(18)
    try:
        with transaction():
            points_catalogue.redeem(current_user._get_current_object(), coupon_id, idempotency_key=key, now=utcnow())
    except RewardNotFound:
        abort(404)
    except DomainError as exc:
        flash(exc.message, "error")
        return _my_points_page(exc.status)
    flash(_("The coupon is yours: you will find it with your coupons at checkout."), "success")
    return redirect(url_for("points.my_points"))


def _console_page(status=200):
    now = utcnow()
    return render_template("growth/points_console.html",
                           coupons=points_catalogue.list_priceable(current_user.store_id, now),
                           shortfalls=points.list_shortfalls(current_user.store_id),
                           action_form=EmptyForm()), status


@bp.get("/console/points")
@staff_only
def console():
    """Staff choose which coupons points can buy, at what price, and see what refunds could not take back."""
    return _console_page()


@bp.post("/console/points/coupons/<int:coupon_id>")
@staff_only
def set_price(coupon_id):
    """Put a coupon in the points catalogue at a price, or (an empty price) take it out."""
    if not EmptyForm().validate_on_submit():
        return _console_page(400)
    text = (request.form.get("points_price") or "").strip()
    try:
        price = db_int(text) if text else None
    except ValueError:
        price = -1  # refused below with the field's message
    try:
        with transaction():
            coupon = points_catalogue.set_points_price(current_user.store_id, coupon_id, price)
    except RewardNotFound:
        abort(404)
    except DomainError as exc:
        flash(exc.message, "error")
        return _console_page(exc.status)
    flash(_("%(coupon)s: %(points)d points.", coupon=localized(coupon, "title"), points=price) if price
          else _("%(coupon)s is no longer for sale for points.", coupon=localized(coupon, "title")), "success")
    return redirect(url_for("points.console"))
