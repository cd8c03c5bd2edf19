"""The parent's breakfast blueprint (``breakfast``, under ``/breakfast``) and what its view modules
share: the guard, the date filters, a child of the parent's or 404, the child's page. The routes are
put on it by ``views`` and ``subscription_views``; create_app imports them, then registers it."""
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from ..roles import Role
from ..web.forms import EmptyForm
from ..web.guards import role_required
from . import errors, operations, parent_notices, rules, subscription_ops
from .forms import CancelRangeForm, PauseForm

bp = Blueprint("breakfast", __name__, url_prefix="/breakfast")
resident_only = role_required(Role.RESIDENT)
assert parent_notices  # the breakfast notifications' renderers register on import


@bp.app_template_filter("day_label")
def day_label(value):
    """A date as the parent reads it: "Tue, Dec 8" / "12月8日周二"."""
    return format_skeleton("MMMEd", value, locale=get_locale()) if value else ""


@bp.app_template_filter("local_day")
def local_day(value, tz_name):
    """An aware instant's date on the store's calendar, as ``day_label`` writes it."""
    return day_label(value.astimezone(ZoneInfo(tz_name)).date()) if value else ""


def child_or_404(child_id):
    try:
        return operations.get_child(current_user.id, child_id)
    except errors.ChildNotFound:
        abort(404)


def child_page_response(child, now, status=200, pause=None, cancel=None, bound_id=None):
    store = current_user.store
    today = rules.local_today(now, store.timezone)
    subscriptions = subscription_ops.list_subscriptions(child.id)
    feed_path = url_for("breakfast.feed_ics", token=child.feed_token)
    return render_template(
        "breakfast/child.html", child=child, store=store, now=now, today=today,
        orders=operations.upcoming_orders(child.id, now, days=30), subscriptions=subscriptions,
        pause_form=pause or PauseForm(formdata=None), cancel_form=cancel or CancelRangeForm(formdata=None),
        bound_id=bound_id, form=EmptyForm(), may_change=lambda order: rules.may_change(
            now, order.day.cancel_cutoff_at, order.day.order_cutoff_at) and order.status == "placed",
        feed_url=url_for("breakfast.feed_ics", token=child.feed_token, _external=True),
        webcal_url="webcal://" + request.host + feed_path), status


