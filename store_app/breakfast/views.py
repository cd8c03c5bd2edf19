"""The parent's Breakfast tab: each child's "tomorrow" card, children, the menu of a date and ordering
for one day, the waitlist, subscriptions, the pickup code and the calendar feed. Blueprint
``breakfast`` under ``/breakfast``; registered by create_app, after ``subscription_views`` has put
the subscription pages on it."""
import secrets
from datetime import date, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..database import transaction, utcnow
from ..errors import DomainError
from ..extensions import db
from ..stores.operations import get_store
from ..web.forms import EmptyForm
from ..web.params import chosen_id, db_int
from . import cards, children as children_ops, discounts, errors, feed, operations, rules, waitlist_ops
from .blueprint import bp, child_or_404, child_page_response, day_label, resident_only
from .forms import ChildForm, QuantityError, quantities_from
from .models import BreakfastItem
from .ordering import get_parent_order


def _date_arg(name, default=None):
    """A date from the query or form; nonsense, or a year no breakfast can be in, is ``default``."""
    try:
        found = date.fromisoformat((request.values.get(name) or "").strip()[:10])
    except ValueError:
        return default
    return found if 2000 <= found.year <= 2100 else default


def _fail(exc):
    """A foreign or missing thing is 404, like every other; otherwise the status to answer."""
    if exc.status == 404 and not isinstance(exc, (errors.ItemUnknown, errors.DayNotFound)):
        abort(404)
    return exc.status


def _back(default):
    target = request.form.get("next", "")
    return target if target.startswith("/breakfast") and "//" not in target else default


# ---- the tab ----------------------------------------------------------------------------------------

@bp.get("")
@resident_only
def home():
    """Per child the next pickup day's card; the first step when there is no child yet."""
    store, now = current_user.store, utcnow()
    mine = children_ops.list_children(current_user.id)
    return render_template("breakfast/home.html", store=store, cards=cards.child_cards(store, current_user.id, mine, now),
                           prefs=children_ops.get_prefs(current_user.id), offers=waitlist_ops.live_entries(current_user.id),
                           form=EmptyForm())


@bp.post("/reminder")
@resident_only
def reminder():
    """Opt in or out of the school-morning reminder."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    wanted = request.form.get("morning_reminder") == "on"
    with transaction():
        children_ops.set_morning_reminder(current_user.id, wanted)
    flash(_("You will get a reminder on school mornings.") if wanted else _("No more morning reminders."), "success")
    return redirect(url_for("breakfast.home"), 303)


# ---- children -----------------------------------------------------------------------------------------

@bp.route("/children/new", methods=["GET", "POST"])
@resident_only
def child_new():
    """Add a child: name, class, school, allergies."""
    form = ChildForm()
    if form.validate_on_submit():
        with transaction():
            child = children_ops.add_child(current_user, name=form.name.data, class_name=form.class_name.data or "",
                                           school=form.school.data or "", allergies=form.allergies.data or [],
                                           now=utcnow())
            child_id = child.id
        flash(_("%(name)s was added. Now choose their breakfast.", name=form.name.data.strip()), "success")
        return redirect(url_for("breakfast.child_page", child_id=child_id), 303)
    return render_template("breakfast/child_form.html", form=form, child=None), 400 if form.is_submitted() else 200


@bp.route("/children/<int:child_id>/edit", methods=["GET", "POST"])
@resident_only
def child_edit(child_id):
    """Change a child's profile."""
    child = child_or_404(child_id)
    form = ChildForm(obj=child)
    if request.method == "GET":
        form.allergies.data = sorted(child.allergy_codes(), key=rules.ALLERGENS.index)
    if form.validate_on_submit():
        with transaction():
            children_ops.update_child(current_user.id, child_id, name=form.name.data, class_name=form.class_name.data or "",
                                      school=form.school.data or "", allergies=form.allergies.data or [])
        flash(_("Saved."), "success")
        return redirect(url_for("breakfast.child_page", child_id=child_id), 303)
    return render_template("breakfast/child_form.html", form=form, child=child), 400 if form.is_submitted() else 200


@bp.post("/children/<int:child_id>/remove")
@resident_only
def child_remove(child_id):
    """Take a child off the account (breakfasts past their cancel cutoff stay)."""
    child_or_404(child_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with transaction():
        kept = children_ops.remove_child(current_user.id, child_id, utcnow())
    flash(_("Removed. %(num)d breakfasts past their cancel cutoff will still be made.", num=kept) if kept
          else _("Removed."), "success")
    return redirect(url_for("breakfast.home"), 303)


@bp.post("/children/<int:child_id>/feed-token")
@resident_only
def child_feed_token(child_id):
    """A new calendar feed link: the old one stops working."""
    child_or_404(child_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with transaction():
        children_ops.rotate_feed_token(current_user.id, child_id)
    flash(_("New calendar link made: the old one no longer works. Add the new one to your calendar."), "success")
    return redirect(url_for("breakfast.child_page", child_id=child_id) + "#calendar", 303)


@bp.get("/children/<int:child_id>")
@resident_only
def child_page(child_id):
    """A child's coming breakfasts (skip, change, code), subscriptions, calendar link and profile."""
    return child_page_response(child_or_404(child_id), utcnow())


# ---- the menu of a date, ordering for one day ----------------------------------------------------------

def _default_date(store, now):
    for info in cards.pickup_days(store, now, count=14):
        if now < info.order_cutoff_at and info.status == "open":
            return info.date
    return rules.local_today(now, store.timezone) + timedelta(days=1)


def _coupon_context(rows, entered, open_now, order, chosen, now):
    """The coupon part of the menu: the parent's breakfast copies (the best for the items entered
    pre-selected unless one was chosen; 0 chooses none), the items' price, the discount and total."""
    basket = discounts.quantities_basket({row.item.id: row.item for row in rows}, entered)
    if order is not None or not open_now:
        return dict(coupon_rows=[], chosen_coupon=None, basket_cents=basket.goods_cents, discount_cents=0)
    coupon_rows, best = discounts.choices(current_user, basket, now)
    fits = {grant.id: cents for grant, _coupon, cents in coupon_rows}
    chosen = best if chosen is None else (chosen if chosen in fits else 0)
    return dict(coupon_rows=coupon_rows, chosen_coupon=chosen, basket_cents=basket.goods_cents,
                discount_cents=fits.get(chosen) or 0)


def _chosen_coupon():
    """The copy the form chose: an id, 0 for none, None when the form has no choice yet (-1: nonsense)."""
    return chosen_id(request.form, "coupon")


def _menu_page(store, when, child, now, status=200, entered=None, order=None, chosen_coupon=None):
    """The menu of ``when`` for ``child`` (a changing ``order``'s quantities by default)."""
    mine = children_ops.list_children(current_user.id)
    try:
        with transaction():
            day = cards.open_day(store, when, now)
    except errors.NotSchoolDay as exc:
        day = None
        flash(exc.message, "info")
    info = cards.day_info(store, when, day=day) if day is not None else None
    existing = cards.child_order_on(child.id, day.id) if (day is not None and child is not None) else None
    rows = cards.menu_rows(day, child) if day is not None else []
    if entered is None:
        entered = {line.item_id: line.quantity for line in order.lines} if order is not None else {}
    open_now = day is not None and day.status == "open" and rules.may_order(now, day.opens_at, day.order_cutoff_at)
    coupon_part = _coupon_context(rows, entered, open_now, order, chosen_coupon, now)
    return render_template("breakfast/menu.html", store=store, when=when, day=day, info=info, rows=rows, child=child,
                           **coupon_part,
                           children=mine, existing=existing, entered=entered, order=order, open_now=open_now,
                           seconds_left=rules.seconds_left(now, info.order_cutoff_at) if info else 0,
                           idempotency_key=request.form.get("idempotency_key") or secrets.token_urlsafe(24),
                           dates=[d.date for d in cards.pickup_days(store, now, count=10)
                                  if now < d.order_cutoff_at][:6], form=EmptyForm()), status


def _chosen_child(mine):
    child_id = request.values.get("child", type=db_int)
    if child_id is None:
        return mine[0] if mine else None
    return child_or_404(child_id)


@bp.get("/menu")
@resident_only
def menu():
    """The menu of a date: items, price, photo, ingredients, allergens, portions left, SOLD OUT."""
    store, now = current_user.store, utcnow()
    mine = children_ops.list_children(current_user.id)
    if not mine:
        flash(_("Add your child first: their allergies decide what can be ordered."), "info")
        return redirect(url_for("breakfast.child_new"))
    when = _date_arg("date") or _default_date(store, now)
    return _menu_page(store, when, _chosen_child(mine), now)


@bp.post("/menu")
@resident_only
def order():
    """Place one child's breakfast of one date (an idempotency key from the page)."""
    store, now = current_user.store, utcnow()
    mine = children_ops.list_children(current_user.id)
    when = _date_arg("date")
    child = _chosen_child(mine)
    if when is None or child is None:
        abort(400)
    item_ids = _item_ids(store.id)
    try:
        entered = quantities_from(request.form, item_ids)
    except QuantityError:
        flash(str(errors.QuantityInvalid.message), "error")
        return _menu_page(store, when, child, now, 400, entered={})
    chosen = _chosen_coupon()
    if not EmptyForm().validate_on_submit():
        flash(_("The page had expired. Please try again."), "error")
        return _menu_page(store, when, child, now, 400, entered=entered, chosen_coupon=chosen)
    key = (request.form.get("idempotency_key") or "")[:64] or None
    try:
        with transaction():
            placed = operations.place_order(store, current_user.id, child.id, when, entered, now, idempotency_key=key,
                                            grant_ids=None if chosen is None else [chosen] if chosen else [])
            order_id = placed.id
    except DomainError as exc:
        flash(exc.message, "error")
        return _menu_page(store, when, child, now, _fail(exc), entered=entered, chosen_coupon=chosen)
    flash(_("Ordered! Show the code at the desk when collecting."), "success")
    return redirect(url_for("breakfast.code", order_id=order_id), 303)


@bp.post("/menu/price")
@resident_only
def price_preview():
    """The menu again with the total for the items entered and the coupon chosen; nothing is ordered."""
    store, now = current_user.store, utcnow()
    when, child = _date_arg("date"), _chosen_child(children_ops.list_children(current_user.id))
    if when is None or child is None:
        abort(400)
    try:
        entered = quantities_from(request.form, _item_ids(store.id))
    except QuantityError:
        flash(str(errors.QuantityInvalid.message), "error")
        return _menu_page(store, when, child, now, 400, entered={}, chosen_coupon=_chosen_coupon())
    return _menu_page(store, when, child, now, entered=entered, chosen_coupon=_chosen_coupon())


def _item_ids(store_id):
    """The store's item ids: the quantity fields a menu form may carry."""
    return list(db.session.scalars(db.select(BreakfastItem.id).where(BreakfastItem.store_id == store_id)))


@bp.route("/orders/<int:order_id>/change", methods=["GET", "POST"])
@resident_only
def change(order_id):
    """Change one day's items up to its cancel cutoff."""
    store, now = current_user.store, utcnow()
    try:
        found = get_parent_order(current_user.id, order_id)
    except errors.OrderNotFound:
        abort(404)
    if request.method == "GET":
        return _menu_page(store, found.day.date, found.child, now, order=found)
    try:
        entered = quantities_from(request.form, _item_ids(store.id))
    except QuantityError:
        flash(str(errors.QuantityInvalid.message), "error")
        return _menu_page(store, found.day.date, found.child, now, 400, order=found)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        with transaction():
            dropped = operations.change_order(current_user.id, order_id, entered, now).coupon_dropped
    except DomainError as exc:
        flash(exc.message, "error")
        return _menu_page(store, found.day.date, found.child, now, _fail(exc), entered=entered, order=found)
    if dropped:
        flash(_("Your coupon does not fit the changed breakfast: it is back among your coupons."), "info")
    flash(_("Changed."), "success")
    return redirect(url_for("breakfast.code", order_id=order_id), 303)


@bp.post("/orders/<int:order_id>/skip")
@resident_only
def skip(order_id):
    """Skip (cancel) one day up to its cancel cutoff; the portions go to the waitlist first."""
    try:
        found = get_parent_order(current_user.id, order_id)
    except errors.OrderNotFound:
        abort(404)
    back = _back(url_for("breakfast.child_page", child_id=found.child_id))
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        with transaction():
            operations.cancel_order(current_user.id, order_id, utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(back, 303)
    flash(_("Skipped: no breakfast on %(day)s, nothing will be charged.", day=day_label(found.day.date)), "success")
    return redirect(back, 303)


@bp.get("/orders/<int:order_id>/code")
@resident_only
def code(order_id):
    """The breakfast's six-digit code and QR, for its date."""
    try:
        found = get_parent_order(current_user.id, order_id)
    except errors.OrderNotFound:
        abort(404)
    shown, qr = cards.code_of(found) if found.status in ("placed", "paid", "on_credit") else (None, None)
    return render_template("breakfast/code.html", order=found, code=shown, qr=qr, store=current_user.store)


# ---- the waitlist ------------------------------------------------------------------------------------

@bp.post("/waitlist")
@resident_only
def waitlist_join():
    """Join the waitlist of a sold-out item for the chosen child."""
    store, now = current_user.store, utcnow()
    mine = children_ops.list_children(current_user.id)
    child, when = _chosen_child(mine), _date_arg("date")
    day_item_id = request.form.get("day_item_id", type=db_int)
    if child is None or when is None or day_item_id is None or not EmptyForm().validate_on_submit():
        abort(400)
    try:
        with transaction():
            waitlist_ops.join(store, current_user.id, child.id, day_item_id, now)
    except DomainError as exc:
        flash(exc.message, "error")
        return _menu_page(store, when, child, now, _fail(exc))
    flash(_("You are on the waitlist. If a portion is freed, you will be told and can claim it."), "success")
    return redirect(url_for("breakfast.menu", date=when.isoformat(), child=child.id), 303)


@bp.post("/waitlist/<int:entry_id>/claim")
@resident_only
def waitlist_claim(entry_id):
    """Claim the portion held for the child: it becomes their breakfast."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        with transaction():
            claimed = waitlist_ops.claim(current_user.id, entry_id, utcnow())
            order_id = claimed.id
    except DomainError as exc:
        _fail(exc)
        flash(exc.message, "error")
        return redirect(url_for("breakfast.home"), 303)
    flash(_("Claimed! It is in the breakfast now."), "success")
    return redirect(url_for("breakfast.code", order_id=order_id), 303)


@bp.post("/waitlist/<int:entry_id>/withdraw")
@resident_only
def waitlist_withdraw(entry_id):
    """Leave the waitlist; a held portion passes to the next parent."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        with transaction():
            waitlist_ops.withdraw(current_user.id, entry_id, utcnow())
    except DomainError as exc:
        _fail(exc)
    flash(_("You left the waitlist."), "success")
    return redirect(url_for("breakfast.home"), 303)


# ---- the calendar feed -----------------------------------------------------------------------------------

@bp.get("/feed/<token>.ics")
def feed_ics(token):
    """A child's private calendar feed (no login: the token is the secret; a wrong one is 404)."""
    child = children_ops.child_by_feed_token(token)
    if child is None:
        abort(404)
    body = feed.child_calendar(child, get_store(child.store_id), utcnow())
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})

