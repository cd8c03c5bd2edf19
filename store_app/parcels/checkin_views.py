"""The counter's check-in pages, the parcel station's home in the console: one parcel (typed, scanned
or read by the tablet's camera), batch mode, a courier's CSV manifest, the shelves and the carrier
list. Routes go on ``console_blueprint.bp``. The pickup code is never shown here: it goes to the resident."""
from datetime import datetime, timedelta, timezone

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from .. import csv_rules
from ..accounts.rules import display_phone
from ..database import transaction, utcnow
from ..errors import DomainError
from ..roles import Role
from ..web.forms import show_error
from ..web.guards import role_required
from ..web.uploads import upload_route
from . import checkin, handover, importing, shelves as shelf_ops
from .checkin_forms import SIZE_LABELS, BatchForm, CarriersForm, CheckInForm, ImportForm, ShelfForm
from .console_blueprint import bp
from .rules import SIZES

staff_only = role_required(Role.STAFF, Role.OWNER)
# The station's pages in the order of its sub-navigation; a page appears once its view exists (the
# handover, return list and reports are built in their own modules on the same blueprint).
STATION_PAGES = (
    ("parcel_console.check_in", _l("Check in")),
    ("parcel_console.batch", _l("Batch check-in")),
    ("parcel_console.import_csv", _l("Import CSV")),
    ("parcel_console.handover", _l("Handover")),
    ("parcel_console.returns", _l("Return list")),
    ("parcel_console.reports", _l("Reports")),
    ("parcel_console.shelves", _l("Shelves")),
    ("parcel_console.carriers", _l("Carriers")),
)
BATCH_MAX_AGE = timedelta(hours=12)  # a batch's running list never reaches further back
SLOT_HALF = _l("Enter both the shelf number and the tier, or leave both empty for the proposed slot.")


OWNER_PAGES = (("parcel_console.settings", _l("Parcel settings")),)


def station_links():
    """``[(endpoint, label)]`` of the station's pages that exist in this app (the settings for the owner)."""
    pages = STATION_PAGES + (OWNER_PAGES if current_user.role == Role.OWNER.value else ())
    return [(endpoint, label) for endpoint, label in pages if endpoint in current_app.view_functions]


@bp.context_processor
def _station_navigation():
    return {"station_links": station_links, "size_labels": SIZE_LABELS}


def _wants_json():
    return request.accept_mimetypes.best == "application/json"


def _show_error(form, exc):
    """Put a domain error on its field (a slot error on the shelf field), else flash it."""
    name = "shelf" if exc.field == "slot" else exc.field
    field = getattr(form, name, None) if name else None
    if field is not None:
        field.errors = [*field.errors, exc.message]
    else:
        flash(exc.message, "error")


def _gauge_text(gauge):
    return _("%(parcels)d parcels on the shelves · %(percent)d%% full", parcels=gauge.parcels,
             percent=gauge.percent)


def _station_state(store_id):
    """What the check-in pages show beside the form: the gauge and where each size would go now."""
    gauge = shelf_ops.capacity_gauge(store_id)
    return {"gauge": gauge, "gauge_text": _gauge_text(gauge), "has_shelves": gauge.capacity > 0,
            "proposals": {size: shelf_ops.propose(store_id, size) for size in SIZES}}


# ---- one parcel ------------------------------------------------------------------------------------

def _check_in_page(form, status=200):
    store_id = current_user.store_id
    return render_template("parcels/checkin.html", form=form, **_station_state(store_id)), status


@bp.route("/console/parcels", methods=["GET", "POST"])
@staff_only
def check_in():
    """Check one parcel in: the proposed slot (or one staff choose), then its label to print."""
    form = CheckInForm()
    form.set_carriers(shelf_ops.list_carriers(current_user.store_id))
    if not form.is_submitted():
        return _check_in_page(form)
    if not form.validate():
        return _check_in_page(form, 400)
    try:
        slot = form.slot()
    except ValueError:
        form.shelf.errors = [SLOT_HALF]
        return _check_in_page(form, 400)
    try:
        with transaction():
            done = checkin.check_in(current_user, tracking_number=form.tracking_number.data,
                                    carrier=form.carrier.data, phone=form.recipient_phone.data,
                                    name=form.recipient_name.data, size=form.size.data, note=form.note.data,
                                    now=utcnow(), slot=slot)
            parcel_id, shelf_code = done.parcel.id, done.parcel.shelf_code
    except DomainError as exc:
        _show_error(form, exc)
        return _check_in_page(form, exc.status)
    flash(_("Checked in: put it on %(label)s.", label=shelf_code), "success")
    return redirect(url_for("parcel_console.label", parcel_id=parcel_id), 303)


@bp.get("/console/parcels/<int:parcel_id>/label")
@staff_only
def label(parcel_id):
    """The parcel's label code, big, and a label to print (never the pickup code)."""
    parcel = handover.get_parcel(current_user.store_id, parcel_id)
    if parcel is None:
        abort(404)
    return render_template("parcels/checkin_label.html", parcel=parcel, matched=parcel.recipient_id is not None,
                           store=current_user.store)


# ---- batch mode ------------------------------------------------------------------------------------

def _batch_start(text, now):
    """When this batch began (from the page, as Unix seconds): never in the future nor too long ago."""
    try:
        start = datetime.fromtimestamp(int(text), timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return now
    return min(max(start, now - BATCH_MAX_AGE), now)


def _saved_item(parcel):
    """One line of the running list, for the page's script."""
    return {"label": parcel.shelf_code, "tracking": parcel.tracking_number, "carrier": parcel.carrier,
            "phone": display_phone(parcel.recipient_phone), "matched": parcel.recipient_id is not None,
            "who": _("Resident account") if parcel.recipient_id is not None else _("Unregistered"),
            "url": url_for("parcel_console.label", parcel_id=parcel.id)}


def _batch_page(form, since, status=200):
    store_id = current_user.store_id
    saved = checkin.list_checked_in_by(store_id, current_user.id, since)
    return render_template("parcels/checkin_batch.html", form=form, saved=saved,
                           saved_item=_saved_item, **_station_state(store_id)), status


def _batch_refused(form, since, exc):
    if _wants_json():
        return jsonify(errors={exc.field or "form": str(exc.message)}, error=str(exc.message)), exc.status
    _show_error(form, exc)
    return _batch_page(form, since, exc.status)


@bp.route("/console/parcels/batch", methods=["GET", "POST"])
@staff_only
def batch():
    """Many parcels of one carrier: tracking number and phone each, Enter saves, a running list."""
    now = utcnow()
    form = BatchForm()
    form.set_carriers(shelf_ops.list_carriers(current_user.store_id))
    if not form.is_submitted():
        form.carrier.data = request.args.get("carrier", "")
        form.size.data = request.args.get("size") if request.args.get("size") in SIZES else "small"
        form.since.data = request.args.get("since")
    since = _batch_start(form.since.data, now)
    form.since.data = str(int(since.timestamp()))
    if not form.is_submitted():
        return _batch_page(form, since)
    if not form.validate():
        if _wants_json():
            return jsonify(errors={name: str(messages[0]) for name, messages in form.errors.items()},
                           error=_("This request could not be understood.")), 400
        return _batch_page(form, since, 400)
    try:
        with transaction():
            done = checkin.check_in(current_user, tracking_number=form.tracking_number.data,
                                    carrier=form.carrier.data, phone=form.recipient_phone.data,
                                    size=form.size.data, now=now)
            item = _saved_item(done.parcel)
    except DomainError as exc:
        return _batch_refused(form, since, exc)
    if _wants_json():
        gauge = shelf_ops.capacity_gauge(current_user.store_id)
        return jsonify(saved=item, gauge={"used": gauge.used, "capacity": gauge.capacity,
                                          "parcels": gauge.parcels, "text": _gauge_text(gauge)})
    return redirect(url_for("parcel_console.batch", carrier=form.carrier.data, size=form.size.data,
                            since=form.since.data), 303)


# ---- a courier's manifest (CSV) --------------------------------------------------------------------

def _upload_text(form):
    upload = form.file.data
    if upload is not None and getattr(upload, "filename", ""):
        data = upload.read()
        if data:
            return importing.read_upload(data)
    if (form.text.data or "").strip():
        return form.text.data
    raise importing.ImportRefused("nothing")


@bp.route("/console/parcels/import", methods=["GET", "POST"])
@staff_only
@upload_route(csv_rules.MAX_FILE_BYTES)
def import_csv():
    """Check in a courier's manifest (a file or pasted lines) and report line by line."""
    form, report, status = ImportForm(), None, 200
    if form.validate_on_submit():
        try:
            text = _upload_text(form)
            with transaction():
                report = importing.import_manifest(current_user, text, utcnow())
        except DomainError as exc:
            _show_error(form, exc)
            status = 400
        else:
            form.text.data = text if report.problems else ""
            flash(_("Checked in: %(imported)d parcels; %(bad)d lines refused.", imported=len(report.imported),
                    bad=len(report.problems)), "error" if report.problems else "success")
    elif form.is_submitted():
        status = 400
    return render_template("parcels/checkin_import.html", form=form, report=report,
                           carriers=shelf_ops.list_carriers(current_user.store_id)), status


# ---- shelves and carriers --------------------------------------------------------------------------

@bp.route("/console/parcels/shelves", methods=["GET", "POST"], defaults={"number": None})
@bp.route("/console/parcels/shelves/<int:number>", methods=["GET", "POST"])
@staff_only
def shelves(number):
    """The shelves and how full each tier is, with a form to add a shelf or change one (by its number)."""
    store_id = current_user.store_id
    spaces = shelf_ops.tier_spaces(store_id)
    current = next((shelf for shelf, _space in spaces if shelf.number == number), None)
    if number is not None and current is None:
        abort(404)
    form = ShelfForm(obj=current)
    if form.validate_on_submit():
        with transaction():
            shelf_ops.save_shelf(store_id, form.number.data, form.tiers.data, form.capacity.data)
        flash(_("Shelf %(n)d saved.", n=form.number.data), "success")
        return redirect(url_for("parcel_console.shelves"), 303)
    tiers = {}
    for shelf, space in spaces:
        tiers.setdefault(shelf.number, []).append(space)
    return render_template("parcels/shelves_edit.html", form=form, current=current,
                           shelves=shelf_ops.list_shelves(store_id), tiers=tiers,
                           gauge=shelf_ops.capacity_gauge(store_id)), 400 if form.is_submitted() else 200


@bp.route("/console/parcels/carriers", methods=["GET", "POST"])
@staff_only
def carriers():
    """The carriers staff choose from at check-in, one per line (empty: the common ones)."""
    store_id = current_user.store_id
    form = CarriersForm()
    if form.validate_on_submit():
        try:
            with transaction():
                shelf_ops.set_carriers(store_id, (form.names.data or "").splitlines())
        except DomainError as exc:
            show_error(form, exc)
        else:
            flash(_("Carriers saved."), "success")
            return redirect(url_for("parcel_console.carriers"), 303)
    if not form.is_submitted():
        form.names.data = "\n".join(c.line() for c in shelf_ops.list_carriers(store_id))
    return render_template("parcels/checkin_carriers.html", form=form), 400 if form.is_submitted() else 200
