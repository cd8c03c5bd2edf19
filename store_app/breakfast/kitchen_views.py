"""The kitchen's pages at /console/breakfast/kitchen (staff and the owner): the days with a prep
sheet, a day's sheet (latest version, a version switcher, the differences of a later version marked),
its printable labels, and the staff changes after the cutoff (add or remove a breakfast, with a
reason) that issue the next version. Registered on ``kitchen_blueprint.bp`` (the pickup desk too)."""
from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, gettext as _
from flask_login import current_user

from ..database import transaction, utcnow
from ..errors import DomainError
from ..extensions import db
from ..web.params import db_int
from . import errors, kitchen, prep, rules
from .desk import TO_COLLECT
from .days import find_day
from .kitchen_blueprint import bp, staff_only
from .kitchen_forms import AddBreakfastForm, RemoveBreakfastForm
from .models import BreakfastDay, BreakfastItem, BreakfastOrder, DayItem, DayStatus, PrepSheet
from .presenters import allergen_name

RECENT_DAYS = 14


def parse_day(text):
    """A ``YYYY-MM-DD`` from the path, or 404."""
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        pass
    abort(404)


def _store_day(text):
    day = find_day(current_user.store_id, parse_day(text))
    if day is None:
        abort(404)
    return day


@bp.app_template_global("allergen_name")
def _allergen_name(code):
    return allergen_name(code)


@bp.app_template_filter("pickup_date")
def _pickup_date(value):
    """A pickup date in full, in the reader's language ("Tuesday, November 11, 2025")."""
    return format_date(value, "full")


@bp.get("/console/breakfast/kitchen")
@staff_only
def index():
    """The days with a prep sheet: the coming ones first, then the last two weeks."""
    store = current_user.store
    since = rules.local_today(utcnow(), store.timezone) - timedelta(days=RECENT_DAYS)
    rows = db.session.execute(
        db.select(BreakfastDay, db.func.max(PrepSheet.version), db.func.max(PrepSheet.created_at))
        .join(PrepSheet, PrepSheet.day_id == BreakfastDay.id)
        .where(BreakfastDay.store_id == store.id, BreakfastDay.date >= since)
        .group_by(BreakfastDay.id).order_by(BreakfastDay.date.desc())).all()
    return render_template("breakfast/kitchen/index.html", store=store, rows=rows)


def _addable_items(day):
    return db.session.scalars(db.select(BreakfastItem).join(DayItem, DayItem.item_id == BreakfastItem.id)
                              .where(DayItem.day_id == day.id).order_by(BreakfastItem.position, BreakfastItem.id)).all()


def _may_change(day, now):
    return day.status == DayStatus.FROZEN.value and now < day.pickup_end_at


def _sheet_page(day, version=None, status=200, *, add_form=None, quantities=None, remove_form=None,
                remove_id=None):
    store = current_user.store
    now = utcnow()
    sheet = prep.get_sheet(day.id, version)
    if sheet is None:
        abort(404)
    changeable = _may_change(day, now)
    add_form = add_form or AddBreakfastForm(formdata=None)
    if changeable:
        add_form.child_id.choices = [("", _("Choose a child"))] + [
            (str(c.id), f"{c.name} · {c.class_name}" if c.class_name else c.name)
            for c in kitchen.children_without_breakfast(store.id, day)]
    orders = {o.id: o for o in db.session.scalars(db.select(BreakfastOrder).where(
        BreakfastOrder.day_id == day.id, BreakfastOrder.status.in_(TO_COLLECT)))} if changeable else {}
    marks = {c["order_id"]: c["kind"] for c in sheet.changes or [] if "order_id" in c}
    moved = {c["item_id"]: c for c in sheet.changes or [] if c["kind"] == "total"}
    page = render_template(
        "breakfast/kitchen/sheet.html", store=store, day=day, sheet=sheet, versions=prep.list_versions(day.id),
        marks=marks, moved=moved, changeable=changeable, add_form=add_form, items=_addable_items(day),
        quantities=quantities or {}, remove_form=remove_form or RemoveBreakfastForm(formdata=None),
        remove_id=remove_id, removable=orders)
    return page, status


@bp.get("/console/breakfast/kitchen/<day>")
@staff_only
def sheet(day):
    """A day's prep sheet: the latest version, or ``?version=N``."""
    found = _store_day(day)
    return _sheet_page(found, request.args.get("version", type=db_int))


@bp.get("/console/breakfast/kitchen/<day>/labels")
@staff_only
def labels(day):
    """The sheet's labels as printable pages (several per A4 page)."""
    found = _store_day(day)
    version = request.args.get("version", type=db_int)
    sheet_row = prep.get_sheet(found.id, version)
    if sheet_row is None:
        abort(404)
    return render_template("breakfast/kitchen/labels.html", store=current_user.store, day=found, sheet=sheet_row)


def _quantities_from(form):
    """``{item_id: n}`` from the ``qty-<item id>`` fields, or None when one of them is not a number."""
    found = {}
    for key, value in form.items():
        if not key.startswith("qty-"):
            continue
        try:
            item_id, quantity = db_int(key[4:]), db_int(value or "0")
        except ValueError:
            return None
        found[item_id] = quantity
    return found


@bp.post("/console/breakfast/kitchen/<day>/add")
@staff_only
def add(day):
    """Add a breakfast for a child on the frozen day (a parent phoned): version N+1 of the sheet."""
    found = _store_day(day)
    form = AddBreakfastForm()
    typed = {k[4:]: v for k, v in request.form.items() if k.startswith("qty-")}
    form.child_id.choices = [(str(c.id), c.name) for c in kitchen.children_without_breakfast(found.store_id, found)]
    if not form.validate():
        return _sheet_page(found, status=400, add_form=form, quantities=typed)
    quantities = _quantities_from(request.form)
    try:
        with transaction():
            day_row = kitchen.get_changeable_day(current_user.store, found.date, utcnow())
            if quantities is None:
                raise errors.QuantityInvalid()
            order, sheet_row = kitchen.add_breakfast(current_user, current_user.store, day_row,
                                                     int(form.child_id.data), quantities, form.reason.data, utcnow())
    except DomainError as exc:
        db.session.rollback()
        _show(form, exc)
        return _sheet_page(_store_day(day), status=exc.status, add_form=form, quantities=typed)
    flash(_("Breakfast added: version %(version)s of the prep sheet sent to the kitchen.", version=sheet_row.version),
          "success")
    return redirect(url_for("breakfast_kitchen.sheet", day=day), 303)


def _show(form, exc):
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and exc.field != "items":
        field.errors = [exc.message]
    elif exc.field == "items":
        form.form_errors = [exc.message]
    else:
        flash(exc.message, "error")


@bp.post("/console/breakfast/kitchen/<day>/orders/<int:order_id>/remove")
@staff_only
def remove(day, order_id):
    """Remove a breakfast from the frozen day (refunded): version N+1 of the sheet."""
    found = _store_day(day)
    form = RemoveBreakfastForm()
    if not form.validate():
        return _sheet_page(found, status=400, remove_form=form, remove_id=order_id)
    try:
        with transaction():
            day_row = kitchen.get_changeable_day(current_user.store, found.date, utcnow())
            _order, sheet_row = kitchen.remove_breakfast(current_user, current_user.store, day_row, order_id,
                                                         form.reason.data, utcnow())
    except DomainError as exc:
        db.session.rollback()
        if exc.field == "reason":
            form.reason.errors = [exc.message]
        else:
            flash(exc.message, "error")
        return _sheet_page(_store_day(day), status=exc.status, remove_form=form, remove_id=order_id)
    flash(_("Breakfast removed and refunded: version %(version)s of the prep sheet sent to the kitchen.",
            version=sheet_row.version), "success")
    return redirect(url_for("breakfast_kitchen.sheet", day=day), 303)
