"""The approved vendor's offerings (create, edit, stop, show again) and availability (weekly hours,
dates that differ, minimum notice). Another vendor's offering or hour answers 404."""
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from store_app.database import MoneyError, parse_cents, transaction, utcnow
from store_app.errors import DomainError
from store_app.web.forms import EmptyForm, choice_list
from store_app.web.i18n import localized
from store_app.web.uploads import upload_route

from . import documents, hours_rules, vendor_hours, vendor_offerings
from .blueprints import vendor_bp
from .errors import PriceRefused
from .vendor_forms import ExceptionForm, NoticeForm, OfferingForm, RuleForm
from .vendor_setup import active_crews
from .vendor_web import attempt, current_vendor, vendor_only

PHOTOS_MAX_BYTES = documents.MAX_PHOTOS * 4 * 1024 * 1024


@vendor_bp.get("/offerings")
@vendor_only
def offerings():
    """The vendor's offerings, with a way to add one (approved vendors in good standing)."""
    vendor = current_vendor()
    return render_template("vendor/offerings.html", vendor=vendor, rows=vendor_offerings.list_offerings(vendor.id),
                           can_publish=vendor_offerings.can_publish(vendor), toggle_form=EmptyForm(formdata=None),
                           is_owner=vendor.owner_id == current_user.id)


def _fill(form, offering):
    for name in vendor_offerings.FIELDS:
        if hasattr(form, name):
            getattr(form, name).data = getattr(offering, name)
    form.category_id.data = str(offering.category_id)
    form.price.data = f"{offering.price_cents / 100:.2f}".removesuffix(".00")


def _offering_values(form):
    """The form's values for the operation, or ``PriceRefused``."""
    try:
        price_cents = parse_cents(form.price.data or "")
    except MoneyError as exc:
        raise PriceRefused() from exc
    if not 0 < price_cents < 10_000_000:
        raise PriceRefused()
    values = {name: getattr(form, name).data for name in vendor_offerings.FIELDS if hasattr(form, name)}
    values["description_zh"], values["description_en"] = values["description_zh"] or "", values["description_en"] or ""
    return values | {"price_cents": price_cents}


def _category_id(form):
    text = form.category_id.data or ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


@vendor_bp.route("/offerings/new", methods=["GET", "POST"], defaults={"offering_id": None})
@vendor_bp.route("/offerings/<int:offering_id>", methods=["GET", "POST"])
@vendor_only
@upload_route(PHOTOS_MAX_BYTES)
def edit_offering(offering_id):
    """Add an offering or change one: service, titles, descriptions, duration, buffers, price, photos."""
    vendor = current_vendor()
    # Another vendor's offering is NotFound: a 404, like a missing one.
    offering = vendor_offerings.get_offering(vendor, offering_id) if offering_id is not None else None
    form = OfferingForm()
    form.category_id.choices = choice_list([(str(c.id), localized(c)) for c in vendor.categories])
    form.remove_photos.choices = choice_list([(name, name) for name in (offering.photos if offering else [])])
    status = 200
    if offering is not None and not form.is_submitted():
        _fill(form, offering)
    elif form.is_submitted():
        status = 400
        if form.validate_on_submit():
            saved, status = attempt(form, lambda: _save(vendor, offering, form))
            if saved is not None:
                flash(_("Offering saved."), "success")
                return redirect(url_for("vendor.offerings"), 303)
    return render_template("vendor/offering_form.html", form=form, offering=offering, vendor=vendor,
                           can_publish=vendor_offerings.can_publish(vendor)), status


def _save(vendor, offering, form):
    values, category_id = _offering_values(form), _category_id(form)
    photos = documents.read_photos(request.files.getlist("photos"))
    if offering is None:
        return vendor_offerings.create_offering(vendor, current_user.id, category_id=category_id, values=values,
                                                new_photos=photos)
    return vendor_offerings.update_offering(vendor, current_user.id, offering.id, category_id=category_id,
                                            values=values, new_photos=photos, removed=form.remove_photos.data or ())


@vendor_bp.post("/offerings/<int:offering_id>/active")
@vendor_only
def set_offering_active(offering_id):
    """Stop an offering, or show it to residents again."""
    vendor = current_vendor()
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        with transaction():
            vendor_offerings.set_offering_active(vendor, current_user.id, offering_id,
                                                 request.form.get("active") == "1")
    except DomainError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
        return redirect(url_for("vendor.offerings"), 303)
    flash(_("Offering updated."), "info")
    return redirect(url_for("vendor.offerings"), 303)


# ---- availability ------------------------------------------------------------------------------

def _store_today(_vendor):
    """Today in the store's time zone (a vendor login belongs to its vendor's store)."""
    return utcnow().astimezone(ZoneInfo(current_user.store.timezone)).date()


def _hours_page(vendor, status=200, **forms):
    notice = forms.get("notice_form") or NoticeForm(formdata=None)
    if "notice_form" not in forms:
        minutes = vendor.min_notice_min
        notice.min_notice.data, notice.min_notice_unit.data = ((minutes // 60, "h") if minutes % 60 == 0
                                                               else (minutes, "min"))
    return render_template(
        "vendor/hours.html", vendor=vendor, rules=vendor_hours.list_rules(vendor.id),
        exceptions=vendor_hours.list_exceptions(vendor.id, _store_today(vendor)), clock=hours_rules.clock_text,
        rrule_days=hours_rules.rrule_days, crews=len(active_crews(vendor)),
        is_owner=vendor.owner_id == current_user.id, delete_form=EmptyForm(formdata=None),
        rule_form=forms.get("rule_form") or RuleForm(formdata=None, crews=1),
        exception_form=forms.get("exception_form") or ExceptionForm(formdata=None), notice_form=notice), status


@vendor_bp.get("/hours")
@vendor_only
def hours():
    """The vendor's weekly hours, the dates that differ, and the minimum notice."""
    return _hours_page(current_vendor())


def _minutes(clock):
    return None if clock is None else clock.hour * 60 + clock.minute


def _end_minutes(clock):
    """``00:00`` as an end means midnight at the end of the day."""
    value = _minutes(clock)
    return 1440 if value == 0 else value


@vendor_bp.post("/hours/rules")
@vendor_only
def add_rule():
    """Add a weekly pattern: days, a window, crews working."""
    vendor, form = current_vendor(), RuleForm()
    status = 400
    if form.validate_on_submit():
        rule, status = attempt(form, lambda: vendor_hours.add_rule(
            vendor, current_user.id, days=form.days.data, start_min=_minutes(form.start.data),
            end_min=_end_minutes(form.end.data), crews=form.crews.data))
        if rule is not None:
            flash(_("Weekly hours added."), "success")
            return redirect(url_for("vendor.hours"), 303)
    return _hours_page(vendor, status, rule_form=form)


@vendor_bp.post("/hours/exceptions")
@vendor_only
def add_exception():
    """Close a date, or open it at other hours."""
    vendor, form = current_vendor(), ExceptionForm()
    status = 400
    if form.validate_on_submit():
        found, status = attempt(form, lambda: vendor_hours.set_exception(
            vendor, current_user.id, day=form.day.data, closed=form.closed.data,
            start_min=_minutes(form.exception_start.data), end_min=_end_minutes(form.exception_end.data),
            note=form.note.data, today=_store_today(vendor)))
        if found is not None:
            flash(_("Date saved."), "success")
            return redirect(url_for("vendor.hours"), 303)
    return _hours_page(vendor, status, exception_form=form)


@vendor_bp.post("/hours/notice")
@vendor_only
def set_notice():
    """The vendor's minimum notice, in minutes or hours."""
    vendor, form = current_vendor(), NoticeForm()
    status = 400
    if form.validate_on_submit():
        minutes = form.min_notice.data * (60 if form.min_notice_unit.data == "h" else 1)
        saved, status = attempt(form, lambda: vendor_hours.set_min_notice(vendor, current_user.id, minutes))
        if saved is not None:
            flash(_("Minimum notice saved."), "success")
            return redirect(url_for("vendor.hours"), 303)
    return _hours_page(vendor, status, notice_form=form)


@vendor_bp.post("/hours/<any(rules, exceptions):what>/<int:item_id>/delete")
@vendor_only
def delete_hours(what, item_id):
    """Remove a weekly pattern or a date's exception."""
    vendor = current_vendor()
    if not EmptyForm().validate_on_submit():
        abort(400)
    remove = vendor_hours.delete_rule if what == "rules" else vendor_hours.delete_exception
    try:
        with transaction():
            remove(vendor, current_user.id, item_id)
    except DomainError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
        return _hours_page(vendor, exc.status)
    flash(_("Removed."), "info")
    return redirect(url_for("vendor.hours"), 303)
