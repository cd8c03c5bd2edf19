"""The parcel station's back office at the counter: the return list for the carriers' drivers, the
station's reports (page and CSV; the figures are computed by ``reports.py``) and the owner's parcel
settings. Registered on ``console_blueprint.bp``; each view runs one operation inside ``transaction()``."""
import csv
import io
from itertools import groupby

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user

from ..database import MoneyError, format_cents, parse_cents, transaction, utcnow
from ..errors import DomainError
from ..roles import Role
from ..web.guards import role_required
from ..web.params import db_int
from . import ladder, report_queries, reports as station, shelves, terms
from .console_blueprint import bp
from .settings_forms import MAX_DOOR_FEE_YUAN, MAX_FEE_PER_DAY_YUAN, ParcelSettingsForm

staff_only = role_required(Role.STAFF, Role.OWNER)
owner_only = role_required(Role.OWNER)
PERIOD_MESSAGES = {
    "date": _l("Enter the dates as year-month-day, e.g. 2026-11-01."),
    "order": _l("The first day must not be after the last day."),
    "length": _l("Choose a period of at most %(n)d days.", n=station.MAX_DAYS),
}


# ---- the return list -----------------------------------------------------------------------------

def _returns_page(status=200, chosen=()):
    listed = ladder.list_return_list(current_user.store_id)
    groups = [(carrier, list(parcels)) for carrier, parcels in groupby(listed, key=lambda p: p.carrier)]
    page = render_template("parcels/returns_list.html", store=current_user.store, groups=groups,
                           chosen=set(chosen), now=utcnow())
    return page, status


@bp.get("/console/parcels/returns")
@staff_only
def returns():
    """Parcels the overdue ladder listed for return, by carrier, to tick off as the driver takes them."""
    return _returns_page()


@bp.post("/console/parcels/returns")
@staff_only
def returns_handed_back():
    """The carrier's driver took the ticked parcels back."""
    chosen = request.form.getlist("parcel_id", type=db_int)
    if not chosen:
        flash(_("Tick the parcels the driver is taking back."), "error")
        return _returns_page(400)
    try:
        with transaction():
            moved = ladder.mark_returned(current_user, chosen, utcnow())
    except DomainError as exc:
        flash(exc.message, "error")
        return _returns_page(exc.status, chosen)
    flash(ngettext("%(num)d parcel handed back to the carrier.", "%(num)d parcels handed back to the carrier.",
                   moved), "success")
    return redirect(url_for("parcel_console.returns"), 303)


# ---- reports -------------------------------------------------------------------------------------

def _period(store, now):
    """``(start, end, None)`` from the query string, or ``(None, None, message)``."""
    try:
        start, end = station.parse_period(request.args.get("start", ""), request.args.get("end", ""), now,
                                          store.timezone)
    except station.PeriodInvalid as exc:
        return None, None, PERIOD_MESSAGES[exc.reason]
    return start, end, None


def _load_report(store, start, end, now):
    start_at, end_at = station.period_bounds(start, end, store.timezone)
    return station.build_report(
        report_queries.load_report_rows(store.id, start_at, end_at), start, end, store.timezone, now,
        free_days=store.parcel_free_days, waiting_since=report_queries.list_waiting_since(store.id),
        spaces=[space for _, space in shelves.tier_spaces(store.id)])


def _reports_page(status=200, **context):
    context = {"report": None, "gauge": shelves.capacity_gauge(current_user.store_id),
               "start_text": request.args.get("start", ""), "end_text": request.args.get("end", ""), **context}
    return render_template("parcels/reports_station.html", store=current_user.store, **context), status


@bp.get("/console/parcels/reports")
@staff_only
def reports():
    """Daily counts, dwell time, overdue parcels and shelf usage for a period (the last 14 days)."""
    store, now = current_user.store, utcnow()
    start, end, problem = _period(store, now)
    if problem:
        flash(problem, "error")
        return _reports_page(400)
    return _reports_page(report=_load_report(store, start, end, now), start_text=start.isoformat(),
                         end_text=end.isoformat())


@bp.get("/console/parcels/reports.csv")
@staff_only
def reports_csv():
    """The same report as a CSV file."""
    store, now = current_user.store, utcnow()
    start, end, problem = _period(store, now)
    if problem:
        flash(problem, "error")
        return _reports_page(400)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(station.csv_rows(_load_report(store, start, end, now)))
    response = make_response(out.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="parcels-{start}-{end}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


# ---- the owner's parcel settings -----------------------------------------------------------------

def _yuan_text(cents):
    return format_cents(cents, symbol="")


def _cents(form_field, max_yuan):
    """The field's amount in cents, or None with a message on the field."""
    try:
        cents = parse_cents(form_field.data)
    except MoneyError:
        form_field.errors.append(_("Enter an amount in yuan, like 50 or 12.50."))
        return None
    if cents > max_yuan * 100:
        form_field.errors.append(_("Enter an amount from ¥0 to ¥%(max)d.", max=max_yuan))
        return None
    return cents


@bp.route("/console/parcels/settings", methods=["GET", "POST"])
@owner_only
def settings():
    """Free days, the fee per day after them, the reminder ladder and the door-delivery fee."""
    store = current_user.store
    form = ParcelSettingsForm()
    if not form.is_submitted():
        form.free_days.data, form.fee_per_day.data = store.parcel_free_days, _yuan_text(store.parcel_fee_per_day_cents)
        form.first_reminder_h.data, form.second_reminder_h.data = (store.parcel_first_reminder_h,
                                                                   store.parcel_second_reminder_h)
        form.return_days.data, form.door_fee.data = store.parcel_return_days, _yuan_text(store.parcel_door_fee_cents)
        return render_template("parcels/settings_parcels.html", form=form, store=store)
    valid = form.validate_on_submit()
    fee = _cents(form.fee_per_day, MAX_FEE_PER_DAY_YUAN) if not form.fee_per_day.errors else None
    door = _cents(form.door_fee, MAX_DOOR_FEE_YUAN) if not form.door_fee.errors else None
    if valid and fee is not None and door is not None:
        try:
            with transaction():
                terms.update_settings(
                    current_user.store, free_days=form.free_days.data, fee_per_day_cents=fee,
                    first_reminder_h=form.first_reminder_h.data, second_reminder_h=form.second_reminder_h.data,
                    return_days=form.return_days.data, door_fee_cents=door)
        except DomainError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            flash(_("Parcel settings saved."), "success")
            return redirect(url_for("parcel_console.settings"), 303)
    return render_template("parcels/settings_parcels.html", form=form, store=store), 400
