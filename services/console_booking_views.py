"""Staff's booking pages in the console (blueprint ``services_console``): one booking with cancel and
reschedule (no notice rules, no fee), and confirming a resident's address for lockouts."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from store_app.accounts.operations import get_address
from store_app.database import transaction, utcnow
from store_app.errors import DomainError
from store_app.extensions import db
from store_app.roles import Role
from store_app.wallet.operations import find_store_resident
from store_app.web.forms import EmptyForm
from store_app.web.guards import role_required

from . import booking as bookings, booking_changes, catalog, slot_rules
from .blueprints import console_bp as bp
from .booking_forms import RescheduleForm, parse_start
from .booking_models import Booking, VerifiedAddress

staff_only = role_required(Role.STAFF, Role.OWNER)


def _store_booking_or_404(booking_id):
    found = db.session.get(Booking, booking_id) if 0 < booking_id < 2**31 else None
    if found is None or found.store_id != current_user.store_id:
        abort(404)
    return found


def _booking_page(found, status=200):
    now, tz = utcnow(), catalog.store_tz(current_user.store)
    slots = []
    if booking_changes.may_reschedule(found, now, by="staff"):
        slots = catalog.list_slots(found.offering, current_user.store, now, exclude_booking_id=found.id)
    return render_template("services_console/booking.html", booking=found, tz=tz, form=EmptyForm(),
                           days=slot_rules.group_by_day(slots, tz),
                           may_cancel=booking_changes.may_cancel(found, now, by="staff")), status


@bp.get("/bookings/<int:booking_id>")
@staff_only
def booking(booking_id):
    """A booking as staff see it, with cancel (free, any time) and reschedule (any free time)."""
    return _booking_page(_store_booking_or_404(booking_id))


@bp.post("/bookings/<int:booking_id>/cancel")
@staff_only
def cancel_booking(booking_id):
    """Cancel for the resident or the vendor: everything held goes back to the resident."""
    found = _store_booking_or_404(booking_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    reason = (request.form.get("reason") or "").strip()[:200]
    try:
        with transaction():
            booking_changes.cancel_booking(found, now=utcnow(), by="staff", actor_id=current_user.id, reason=reason)
    except DomainError as exc:
        flash(exc.message, "error")
        return _booking_page(found, exc.status)
    flash(_("Cancelled. Everything held was returned to the resident."), "success")
    return redirect(url_for("services_console.booking", booking_id=booking_id), 303)


@bp.post("/bookings/<int:booking_id>/reschedule")
@staff_only
def reschedule_booking(booking_id):
    """Move a booking to another free time of the same vendor, without notice rules."""
    found = _store_booking_or_404(booking_id)
    form = RescheduleForm()
    starts_at = parse_start(form.starts_at.data)
    if not form.validate_on_submit() or starts_at is None:
        flash(_("Choose one of the times shown."), "error")
        return _booking_page(found, 400)
    try:
        with transaction():
            booking_changes.reschedule_booking(found, starts_at, store=current_user.store, now=utcnow(), by="staff")
    except DomainError as exc:
        flash(exc.message, "error")
        return _booking_page(found, exc.status)
    flash(_("Moved to the new time."), "success")
    return redirect(url_for("services_console.booking", booking_id=booking_id), 303)


@bp.route("/verify-address", methods=["GET", "POST"])
@staff_only
def verify_address():
    """Find a resident by phone and confirm one of their addresses (lockouts need one)."""
    phone = (request.values.get("phone") or "").strip()[:32]
    resident = find_store_resident(current_user.store_id, phone) if phone else None
    if request.method == "POST":
        if not EmptyForm().validate_on_submit() or resident is None:
            abort(400)
        address_id = request.form.get("address_id", type=int)
        address = get_address(resident, address_id) if address_id and 0 < address_id < 2**31 else None
        if address is None:
            flash(_("Choose one of the resident's addresses."), "error")
        else:
            with transaction():
                bookings.verify_address(current_user, address, now=utcnow())
            flash(_("Address verified: lockouts can now be booked for it."), "success")
            return redirect(url_for("services_console.verify_address", phone=phone), 303)
    verified = set()
    if resident is not None:
        ids = [address.id for address in resident.addresses]
        verified = set(db.session.scalars(db.select(VerifiedAddress.address_id)
                                          .where(VerifiedAddress.address_id.in_(ids)))) if ids else set()
    return render_template("services_console/verify_address.html", phone=phone, resident=resident,
                           verified=verified, form=EmptyForm(), searched=bool(phone)), 200
