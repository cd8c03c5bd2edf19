"""The parent's subscription pages, on the ``breakfast`` blueprint: subscribe a child to school days
(preview, then create), pause until a date, resume, cancel a range of dates."""
import secrets
from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..database import transaction, utcnow
from ..errors import DomainError
from ..extensions import db
from ..web.forms import EmptyForm, show_error
from . import errors, rules, subscription_ops
from .forms import CancelRangeForm, PauseForm, QuantityError, SubscribeForm, quantities_from
from .models import BreakfastItem
from .blueprint import bp, child_or_404, child_page_response, day_label, resident_only

WEEKDAYS = range(5)  # Monday to Friday; a make-up weekend day takes Monday's items


def _menu(store_id):
    return db.session.scalars(db.select(BreakfastItem).where(BreakfastItem.store_id == store_id,
                                                             BreakfastItem.is_active.is_(True))
                              .order_by(BreakfastItem.position, BreakfastItem.id)).all()


def _weekday_items(form, items):
    """``{weekday: {item_id: n}}`` from the fields ``q_<weekday>_<item id>``; "same every day" copies Monday's."""
    ids = [item.id for item in items]
    monday = quantities_from(request.form, ids, prefix="q_0_")
    if form.same_every_day.data:
        return {weekday: dict(monday) for weekday in WEEKDAYS}
    return {weekday: quantities_from(request.form, ids, prefix=f"q_{weekday}_") for weekday in WEEKDAYS}


def _page(child, form, items, plan=None, status=200):
    entered = {key: value for key, value in request.form.items() if key.startswith("q_")}
    return render_template("breakfast/subscribe.html", child=child, form=form, items=items, plan=plan,
                           entered=entered, weekdays=WEEKDAYS, store=current_user.store,
                           blocked={item.id: rules.allergen_conflict(child.allergy_codes(), item.allergen_codes(),
                                                                     item.allergens_known) for item in items}), status


@bp.route("/children/<int:child_id>/subscribe", methods=["GET", "POST"])
@resident_only
def subscribe(child_id):
    """Subscribe a child to school days: dates (the next two weeks by default), items per weekday,
    a preview of the days it covers with the total, then create."""
    child = child_or_404(child_id)
    store, now = current_user.store, utcnow()
    items = _menu(store.id)
    form = SubscribeForm()
    if request.method == "GET":
        today = rules.local_today(now, store.timezone)
        form.starts_on.data, form.ends_on.data = today + timedelta(days=1), today + timedelta(days=14)
        form.same_every_day.data = True
        form.idempotency_key.data = secrets.token_urlsafe(24)
        return _page(child, form, items)
    if not form.validate_on_submit():
        return _page(child, form, items, status=400)
    try:
        weekday_items = _weekday_items(form, items)
    except QuantityError:
        flash(str(errors.QuantityInvalid.message), "error")
        return _page(child, form, items, status=400)
    try:
        with transaction():
            if request.form.get("action") != "create":
                plan = subscription_ops.preview(store, child, form.starts_on.data, form.ends_on.data, weekday_items, now)
                return _page(child, form, items, plan=plan)
            created = subscription_ops.create_subscription(
                store, current_user.id, child.id, form.starts_on.data, form.ends_on.data, weekday_items, now,
                idempotency_key=(form.idempotency_key.data or "")[:64] or None)
            missed = [(day, reason) for day, reason in created.missed]
    except DomainError as exc:
        if exc.status == 404 and not isinstance(exc, errors.ItemUnknown):
            abort(404)
        if exc.field == "starts_on":
            show_error(form, exc)
        else:
            flash(exc.message, "error")
        return _page(child, form, items, status=exc.status)
    flash(_("Subscribed! The breakfasts of the school days are ordered as each day opens."), "success")
    for day, reason in missed:
        flash(_("%(day)s: sold out, not ordered. Choose another item for that day or join the waitlist.",
                day=day_label(day)) if reason == "sold_out" else
              _("%(day)s: not ordered (the child already has a breakfast that day, or the day is closed).",
                day=day_label(day)), "error")
    return redirect(url_for("breakfast.child_page", child_id=child.id) + "#subscriptions", 303)


def _subscription_or_404(subscription_id):
    try:
        return subscription_ops.get_parent_subscription(current_user.id, subscription_id)
    except errors.SubscriptionNotFound:
        abort(404)


@bp.post("/subscriptions/<int:subscription_id>/pause")
@resident_only
def pause(subscription_id):
    """Pause a subscription until a date (included): its breakfasts until then are cancelled."""
    subscription = _subscription_or_404(subscription_id)
    form = PauseForm()
    child = subscription.child_id
    if not form.validate_on_submit():
        return child_page_response(child_or_404(child), utcnow(), 400, pause=form, bound_id=subscription_id)
    try:
        with transaction():
            cancelled = subscription_ops.pause_until(current_user.id, subscription_id, form.until.data, utcnow())
    except DomainError as exc:
        form.until.errors = [exc.message]
        return child_page_response(child_or_404(child), utcnow(), exc.status, pause=form, bound_id=subscription_id)
    flash(_("Paused until %(day)s; %(num)d breakfasts cancelled.", day=day_label(form.until.data), num=cancelled),
          "success")
    return redirect(url_for("breakfast.child_page", child_id=child) + "#subscriptions", 303)


@bp.post("/subscriptions/<int:subscription_id>/resume")
@resident_only
def resume(subscription_id):
    """End a pause: the coming days are ordered again as they open."""
    subscription = _subscription_or_404(subscription_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with transaction():
        subscription_ops.resume(current_user.id, subscription_id)
    flash(_("Resumed."), "success")
    return redirect(url_for("breakfast.child_page", child_id=subscription.child_id) + "#subscriptions", 303)


@bp.post("/subscriptions/<int:subscription_id>/cancel-dates")
@resident_only
def cancel_dates(subscription_id):
    """Cancel a range of the subscription's dates in one step (all or nothing at the cancel cutoff)."""
    subscription = _subscription_or_404(subscription_id)
    form = CancelRangeForm()
    child = subscription.child_id
    if not form.validate_on_submit():
        return child_page_response(child_or_404(child), utcnow(), 400, cancel=form, bound_id=subscription_id)
    try:
        with transaction():
            cancelled = subscription_ops.cancel_range(current_user.id, subscription_id, form.first.data,
                                                      form.last.data, utcnow())
    except DomainError as exc:
        form.first.errors = [exc.message]
        return child_page_response(child_or_404(child), utcnow(), exc.status, cancel=form, bound_id=subscription_id)
    flash(_("Cancelled %(first)s to %(last)s; %(num)d breakfasts cancelled.", first=day_label(form.first.data),
            last=day_label(form.last.data), num=cancelled), "success")
    return redirect(url_for("breakfast.child_page", child_id=child) + "#subscriptions", 303)
