"""The coupon editor (staff and the owner): every coupon with its copies given and used against its
limits; a coupon of any kind made or changed; paused and resumed; a typed code made (shown once) or
dropped. Another store's coupon answers 404."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..catalogue.operations import list_categories, list_merchants
from ..database import transaction, utcnow
from ..errors import DomainError
from ..web.forms import EmptyForm, show_error
from ..web.i18n import current_language, localized
from . import coupon_admin, errors
from .console_blueprint import bp, staff_only
from .console_forms import WEEKDAY_NAMES, CouponForm
from .console_inputs import to_local, to_utc, yuan_cents

def _int_or_none(text):
    return int(text) if text and str(text).isdigit() else None


def _terms(form, tz_name):
    return {
        "kind": form.kind.data, "title_zh": form.title_zh.data, "title_en": form.title_en.data,
        "amount_off_cents": yuan_cents(form, "amount_off") or 0, "percent_off": form.percent_off.data or 0,
        "cap_cents": yuan_cents(form, "cap"), "min_spend_cents": yuan_cents(form, "min_spend") or 0,
        "min_items": form.min_items.data or 0, "category_id": _int_or_none(form.category_id.data),
        "merchant_id": _int_or_none(form.merchant_id.data), "stacks": bool(form.stacks.data),
        "member_weekday": _int_or_none(form.member_weekday.data),
        "starts_at": to_utc(form.starts_at.data, tz_name, "starts_at"),
        "ends_at": to_utc(form.ends_at.data, tz_name, "ends_at"),
        "valid_days": form.valid_days.data, "per_user_limit": form.per_user_limit.data,
        "total_limit": form.total_limit.data, "claimable": bool(form.claimable.data),
    }


def _fill(form, coupon, tz_name):
    """The form as the coupon stands (a GET of the edit page)."""
    def yuan(cents):
        return f"{cents // 100}.{cents % 100:02d}" if cents else ""
    form.kind.data, form.title_zh.data, form.title_en.data = coupon.kind, coupon.title_zh, coupon.title_en
    form.amount_off.data, form.percent_off.data = yuan(coupon.amount_off_cents), coupon.percent_off or None
    form.cap.data, form.min_spend.data = yuan(coupon.cap_cents), yuan(coupon.min_spend_cents)
    form.min_items.data = coupon.min_items
    form.category_id.data = str(coupon.category_id or "")
    form.merchant_id.data = str(coupon.merchant_id or "")
    form.member_weekday.data = "" if coupon.member_weekday is None else str(coupon.member_weekday)
    form.lines.data = sorted(coupon.line_set())
    form.stacks.data, form.claimable.data = coupon.stacks, coupon.claimable
    form.starts_at.data, form.ends_at.data = to_local(coupon.starts_at, tz_name), to_local(coupon.ends_at, tz_name)
    form.valid_days.data, form.per_user_limit.data = coupon.valid_days, coupon.per_user_limit
    form.total_limit.data = coupon.total_limit


def _coupon_or_404(coupon_id):
    try:
        return coupon_admin.get_coupon(current_user.store_id, coupon_id)
    except errors.CouponNotFound:
        abort(404)


@bp.get("/console/coupons")
@staff_only
def coupons():
    """Every coupon of the store: kind, window, copies given and used against the limits, paused."""
    return render_template("growth/console/coupons.html", coupons=coupon_admin.list_coupons(current_user.store_id),
                           kind_labels=coupon_admin.KIND_LABELS, tz=current_user.store.timezone, now=utcnow(),
                           localized=localized)


def _form_page(form, coupon, *, code=None, status=200):
    return render_template("growth/console/coupon_form.html", form=form, coupon=coupon, code=code,
                           toggle_form=EmptyForm(formdata=None), tz=current_user.store.timezone,
                           localized=localized, weekday_names=WEEKDAY_NAMES), status


@bp.route("/console/coupons/new", methods=["GET", "POST"], defaults={"coupon_id": None})
@bp.route("/console/coupons/<int:coupon_id>", methods=["GET", "POST"])
@staff_only
def edit_coupon(coupon_id):
    """Make a coupon or change one; a new typed code is shown once, on the page that made it."""
    store, now = current_user.store, utcnow()
    coupon = _coupon_or_404(coupon_id) if coupon_id is not None else None
    form = CouponForm()
    form.set_choices(list_categories(store.id), list_merchants(store.id), current_language())
    if not form.is_submitted():
        if coupon is not None:
            _fill(form, coupon, store.timezone)
        else:
            form.lines.data = ["delivery", "pickup"]
            form.starts_at.data = to_local(now, store.timezone).replace(second=0, microsecond=0)
        return _form_page(form, coupon)
    status = 400
    if form.validate_on_submit():
        try:
            with transaction():
                saved, code = coupon_admin.save_coupon(store.id, coupon, terms=_terms(form, store.timezone),
                                                       lines=form.lines.data or [], make_code=form.make_code.data,
                                                       now=now)
        except DomainError as exc:
            show_error(form, exc)
            status = exc.status
        else:
            if code:  # shown on this page only: never kept, never in a redirect
                form.make_code.data = False
                return _form_page(form, saved, code=code, status=201 if coupon is None else 200)
            flash(_("Coupon saved: %(title)s.", title=localized(saved, "title")), "success")
            return redirect(url_for("growth_console.edit_coupon", coupon_id=saved.id), 303)
    return _form_page(form, coupon, status=status)


@bp.post("/console/coupons/<int:coupon_id>/paused")
@staff_only
def set_coupon_paused(coupon_id):
    """Pause the coupon (no copy given or used while paused) or resume it."""
    coupon = _coupon_or_404(coupon_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    paused = request.form.get("paused") == "1"
    with transaction():
        coupon_admin.set_paused(coupon, paused)
    flash(_("The coupon is paused.") if paused else _("The coupon is running again."), "success")
    return redirect(url_for("growth_console.edit_coupon", coupon_id=coupon.id), 303)


@bp.post("/console/coupons/<int:coupon_id>/code/drop")
@staff_only
def drop_coupon_code(coupon_id):
    """Take the typed code away: it gives nothing from now on."""
    coupon = _coupon_or_404(coupon_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with transaction():
        coupon_admin.drop_code(coupon)
    flash(_("The typed code no longer works."), "success")
    return redirect(url_for("growth_console.edit_coupon", coupon_id=coupon.id), 303)
