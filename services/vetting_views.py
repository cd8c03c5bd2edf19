"""The staff console's vendor pages: applications by state, one application with its documents and
the three decisions (approve, ask for more, reject), and the service categories with their terms.
Another store's vendor or category answers 404."""
from decimal import Decimal, InvalidOperation

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from store_app.database import MoneyError, parse_cents, transaction, utcnow
from store_app.errors import DomainError
from store_app.roles import Role
from store_app.web.guards import role_required

from . import categories as category_ops, documents, id_rules, vendor_setup, vetting
from .blueprints import console_bp
from .models import VettingStatus
from .vendor_forms import CategoryForm, DecisionForm
from .vendor_web import attempt

staff_only = role_required(Role.STAFF, Role.OWNER)
NOTICES = ("book_notice", "cancel_notice", "reschedule_notice")


@console_bp.get("/vendors")
@staff_only
def vendors():
    """Applications and vendors by vetting state (waiting ones first)."""
    state = request.args.get("state", VettingStatus.APPLIED.value)
    if state not in vetting.STATES:
        state = VettingStatus.APPLIED.value
    store_id = current_user.store_id
    return render_template("services_console/vendors.html", state=state, states=vetting.STATES,
                           counts=vetting.count_by_state(store_id), rows=vetting.list_applications(store_id, state),
                           mask=id_rules.mask_number)


def _application_page(vendor, form, status=200):
    return render_template("services_console/vendor.html", vendor=vendor, form=form,
                           masked=id_rules.mask_number(vendor.licence_number or vendor.id_number),
                           documents=documents.list_documents(vendor.id),
                           zone_ids=vendor_setup.zone_ids_of(vendor.id),
                           zones=vendor_setup.list_area_zones(vendor.store_id),
                           waiting=vendor.vetting in vetting.WAITING), status


def _vendor_or_404(vendor_id):
    try:
        return vetting.get_application(current_user.store_id, vendor_id)
    except DomainError:
        abort(404)


@console_bp.get("/vendors/<int:vendor_id>")
@staff_only
def vendor(vendor_id):
    """One application: its fields, masked number, documents, and the decisions."""
    return _application_page(_vendor_or_404(vendor_id), DecisionForm(formdata=None))


DECISIONS = {
    "approve": (lambda staff, vendor_id, note, now, seen: vetting.approve(staff, vendor_id, now, seen),
                lambda name: _("Application approved: %(name)s was told.", name=name)),
    "more": (vetting.ask_for_more, lambda name: _("Sent back: %(name)s was told what is missing.", name=name)),
    "reject": (vetting.reject, lambda name: _("Application rejected: %(name)s was told the reason.", name=name)),
}


@console_bp.post("/vendors/<int:vendor_id>/<any(approve, more, reject):decision>")
@staff_only
def decide(vendor_id, decision):
    """Approve, ask for more (with a note) or reject (with a reason); the vendor is told."""
    vendor = _vendor_or_404(vendor_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _application_page(vendor, form, 400)
    operation, message = DECISIONS[decision]
    decided, status = attempt(form, lambda: operation(current_user._get_current_object(), vendor.id,
                                                       form.note.data, utcnow(), (form.seen.data or None)))
    if decided is None:
        return _application_page(_vendor_or_404(vendor_id), form, status)
    flash(message(decided.name), "success")
    return redirect(url_for("services_console.vendor", vendor_id=vendor_id), 303)


# ---- categories ----------------------------------------------------------------------------------

@console_bp.get("/categories")
@staff_only
def categories():
    """The store's service categories (the five defaults are made the first time)."""
    store_id = current_user.store_id
    if not category_ops.list_categories(store_id):
        with transaction():
            category_ops.ensure_default_categories(store_id)
    return render_template("services_console/categories.html", rows=category_ops.list_categories(store_id))


def _fill(form, category):
    for name in ("name_zh", "name_en", "free_cancel_h", "late_cancel_pct", "no_show_pct", "guarantee_days",
                 "terms_zh", "terms_en", "needs_verified_address", "is_active"):
        getattr(form, name).data = getattr(category, name)
    form.commission_pct.data = str(Decimal(category.commission_bps) / 100).removesuffix(".00")
    form.damage_cap.data = f"{category.damage_cap_cents / 100:.2f}".removesuffix(".00")
    for name in NOTICES:
        minutes = getattr(category, f"{name}_min")
        getattr(form, name).data, getattr(form, f"{name}_unit").data = ((minutes // 60, "h")
                                                                         if minutes and minutes % 60 == 0
                                                                         else (minutes, "min"))


def _category_values(form):
    """The form's values in the columns' units, or None with the errors on the form."""
    values = {name: getattr(form, name).data for name in ("name_zh", "name_en", "free_cancel_h", "late_cancel_pct",
                                                          "no_show_pct", "guarantee_days", "needs_verified_address",
                                                          "is_active")}
    values["terms_zh"], values["terms_en"] = form.terms_zh.data or "", form.terms_en.data or ""
    try:
        pct = Decimal((form.commission_pct.data or "").strip())
        if not (pct.is_finite() and 0 <= pct <= 100 and pct == pct.quantize(Decimal("0.01"))):
            raise InvalidOperation
        values["commission_bps"] = int(pct * 100)
    except (InvalidOperation, ValueError):
        form.commission_pct.errors.append(_("Give a percentage from 0 to 100, e.g. 15 or 12.5."))
    try:
        values["damage_cap_cents"] = parse_cents(form.damage_cap.data or "")
        if values["damage_cap_cents"] > 100_000_000:
            raise MoneyError(form.damage_cap.data)
    except MoneyError:
        form.damage_cap.errors.append(_("Give an amount in yuan, e.g. 2000."))
    for name in NOTICES:
        minutes = getattr(form, name).data * (60 if getattr(form, f"{name}_unit").data == "h" else 1)
        if minutes > 14 * 24 * 60:
            getattr(form, name).errors.append(_("At most 14 days."))
        values[f"{name}_min"] = minutes
    return None if form.commission_pct.errors or form.damage_cap.errors or any(
        getattr(form, name).errors for name in NOTICES) else values


@console_bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@staff_only
def category(category_id):
    """Edit a category's names, commission, cancellation tiers, notices and guarantee terms."""
    store_id = current_user.store_id
    try:
        found = category_ops.get_category(store_id, category_id)
    except DomainError:
        abort(404)
    form, status = CategoryForm(), 200
    if not form.is_submitted():
        _fill(form, found)
    else:
        status = 400
        values = _category_values(form) if form.validate_on_submit() else None
        if values is not None:
            saved, status = attempt(form, lambda: category_ops.update_category(store_id, category_id, values))
            if saved is not None:
                flash(_("Category saved."), "success")
                return redirect(url_for("services_console.categories"), 303)
    return render_template("services_console/category.html", form=form, category=found), status

