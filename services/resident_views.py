"""The resident's Services tab (blueprint ``services``, ``/services``): categories, offerings ranked by
the vendor's score, an offering with its next 14 days of slots, holding a slot and confirming it, my
bookings with their live status, cancel (with the fee it costs now) and reschedule."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from store_app.database import format_cents, transaction, utcnow
from store_app.errors import DomainError
from store_app.roles import Role
from store_app.web.forms import EmptyForm
from store_app.web.filters import local_datetime
from store_app.web.guards import role_required
from store_app.web.live import live_fragment
from store_app.web.params import chosen_id

from . import booking, booking_changes, booking_coupons, catalog, extras, slot_rules
from .blueprints import resident_bp as bp
from .booking_forms import ConfirmForm, RescheduleForm, SlotForm, new_key, parse_start
from .errors import SlotTaken

resident_only = role_required(Role.RESIDENT)
LIVE_HEADER = "X-Services-Live"
CATEGORY_ICONS = {"cleaning": "home", "locksmith": "key", "moving": "box", "drain": "zone", "repair": "team"}


def category_icon(category):
    """The sprite icon of a category (by the start of its slug), a building when none fits."""
    return next((icon for prefix, icon in CATEGORY_ICONS.items() if category.slug.startswith(prefix)), "building")


def _offering_or_404(offering_id):
    offering = catalog.get_offering(current_user.store_id, offering_id)
    if offering is None:
        abort(404)
    return offering


def _booking_or_404(booking_id):
    try:
        return booking.get_resident_booking(current_user.id, booking_id)
    except DomainError:
        abort(404)


def _taken_page(exc, offering, status=409):
    """The "just taken" page: the message and the next free slots to pick instead."""
    tz = catalog.store_tz(current_user.store)
    return render_template("services/taken.html", message=exc.message, offering=offering,
                           days=slot_rules.group_by_day(exc.next_slots, tz), tz=tz, key=new_key(),
                           form=EmptyForm()), status


@bp.get("")
@resident_only
def home():
    """The categories of services the store offers."""
    return render_template("services/home.html", categories=catalog.list_categories(current_user.store_id),
                           icon_of=category_icon)


@bp.get("/categories/<int:category_id>")
@resident_only
def category(category_id):
    """A category's offerings of vendors serving the resident's zone, best score first."""
    found = catalog.get_category(current_user.store_id, category_id) if category_id < 2**31 else None
    if found is None:
        abort(404)
    rebook = _rebooking_or_404(found) if request.args.get("rebook") else None
    offerings = catalog.list_offerings(
        current_user.store_id, found.id, catalog.resident_zone_id(current_user),
        max_price_cents=rebook.price_cents if rebook else None, exclude_vendor_id=rebook.vendor_id if rebook else None)
    return render_template("services/category.html", category=found, offerings=offerings, rebook=rebook)


def _rebooking_or_404(category):
    """``?rebook=<booking id>``: the resident's own booking of this category whose vendor failed them;
    the category page then lists other vendors at the same price or better."""
    booking_id = request.args.get("rebook", type=int)
    found = _booking_or_404(booking_id) if booking_id is not None and 0 < booking_id < 2**31 else abort(404)
    if found.category_id != category.id or found.status != "vendor_no_show":
        abort(404)
    return found


@bp.get("/offerings/<int:offering_id>")
@resident_only
def offering(offering_id):
    """An offering: photos, description, duration, price, the guarantee terms and 14 days of slots."""
    found = _offering_or_404(offering_id)
    store, tz = current_user.store, catalog.store_tz(current_user.store)
    slots = catalog.list_slots(found, store, utcnow())
    return render_template("services/offering.html", offering=found, days=slot_rules.group_by_day(slots, tz), tz=tz,
                           key=new_key(), form=EmptyForm())


@bp.post("/offerings/<int:offering_id>/hold")
@resident_only
def hold(offering_id):
    """Hold the picked slot for 5 minutes, then confirm; 409 with the next free slots when it went."""
    found = _offering_or_404(offering_id)
    form = SlotForm()
    starts_at = parse_start(form.starts_at.data)
    if not form.validate_on_submit() or starts_at is None:
        flash(_("Choose one of the times shown."), "error")
        return redirect(url_for("services.offering", offering_id=found.id), 303)
    try:
        with transaction():
            held = booking.hold_slot(current_user, found, starts_at, store=current_user.store, now=utcnow(),
                                     idempotency_key=form.idempotency_key.data)
            held_id = held.id
    except SlotTaken as exc:
        return _taken_page(exc, found)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("services.offering", offering_id=found.id), 303)
    return redirect(url_for("services.confirm", booking_id=held_id), 303)


def _confirm_form(held):
    return ConfirmForm(addresses=current_user.addresses, accepts_cash=held.vendor.accepts_cash)


@bp.route("/bookings/<int:booking_id>/confirm", methods=["GET", "POST"])
@resident_only
def confirm(booking_id):
    """Confirm a held slot: address, description, photos, payment, the guarantee terms."""
    held = _booking_or_404(booking_id)
    if held.status != "held":
        return redirect(url_for("services.booking_page", booking_id=held.id), 303)
    form = _confirm_form(held)
    if request.method == "GET" and current_user.default_address() is not None:
        form.address_id.data = current_user.default_address().id
    chosen = chosen_id(request.form, "coupon")
    if form.validate_on_submit():
        photos = form.photo_files()
        if photos is not None:
            try:
                with transaction():
                    booking.confirm_booking(current_user, held.id, store=current_user.store,
                                            address_id=form.address_id.data, description=form.description.data,
                                            photos=photos, payment_method=form.payment_method.data, now=utcnow(),
                                            grant_ids=[chosen] if chosen else [])
            except SlotTaken as exc:
                return _taken_page(exc, held.offering)
            except DomainError as exc:
                flash(exc.message, "error")
                return _confirm_page(held, form, exc.status, chosen)
            flash(_("Booked. The vendor has until %(time)s to accept; we will tell you.",
                    time=_time(held.accept_by_at)), "success")
            return redirect(url_for("services.booking_page", booking_id=held.id), 303)
    return _confirm_page(held, form, 400 if form.is_submitted() else 200, chosen)


def _time(value):
    return local_datetime(value, current_user.store.timezone, "HH:mm")


def _confirm_page(held, form, status, chosen=None):
    """The confirm page; the resident's coupons for services with the best pre-selected, unless the
    form chose one (0: none; a copy no longer offered falls back to none)."""
    coupon_rows, best = booking_coupons.choices(current_user, held, utcnow())
    fits = {grant.id: cents for grant, _coupon, cents in coupon_rows}
    chosen = best if chosen is None else (chosen if chosen in fits else 0)
    return render_template("services/confirm.html", booking=held, form=form, tz=current_user.store.timezone,
                           no_address=not current_user.addresses, coupon_rows=coupon_rows, chosen_coupon=chosen,
                           discount_cents=fits.get(chosen) or 0), status


@bp.get("/bookings")
@resident_only
def my_bookings():
    """The resident's bookings, the latest first."""
    return render_template("services/bookings.html", bookings=booking.list_resident_bookings(current_user.id),
                           tz=current_user.store.timezone)


def _status_context(found):
    now = utcnow()
    return {"booking": found, "tz": current_user.store.timezone, "now": now,
            "fee_now": booking_changes.cancel_fee_now(found, now),
            "may_cancel": booking_changes.may_cancel(found, now),
            "may_reschedule": booking_changes.may_reschedule(found, now),
            # The job's part (extras to approve, confirm done) and after it (review, the guarantee).
            "job_extras": extras.list_extras(found)}


@bp.get("/bookings/<int:booking_id>")
@resident_only
def booking_page(booking_id):
    """One booking: its status (kept fresh), the vendor's deadline, what happens next, cancel and move."""
    found = _booking_or_404(booking_id)
    return render_template("services/booking.html", form=EmptyForm(), live_header=LIVE_HEADER,
                           **_status_context(found))


@bp.get("/bookings/<int:booking_id>/live")
@resident_only
def booking_live(booking_id):
    """The status part of the booking page, fetched every few seconds by live-section.js."""
    found = _booking_or_404(booking_id)
    html = render_template("services/_booking_status.html", form=EmptyForm(), **_status_context(found))
    return live_fragment(html, LIVE_HEADER)


@bp.post("/bookings/<int:booking_id>/cancel")
@resident_only
def cancel(booking_id):
    """Cancel: free early, the category's fee late; the rest of the hold goes back to the wallet."""
    found = _booking_or_404(booking_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        with transaction():
            fee = booking_changes.cancel_booking(found, now=utcnow(), by="resident", actor_id=current_user.id).fee_cents
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("services.booking_page", booking_id=booking_id), 303)
    flash(_("Cancelled. A fee of %(fee)s was kept; the rest is back in your wallet.", fee=format_cents(fee)) if fee
          else _("Cancelled. Nothing was charged."), "success")
    return redirect(url_for("services.booking_page", booking_id=booking_id), 303)


@bp.route("/bookings/<int:booking_id>/reschedule", methods=["GET", "POST"])
@resident_only
def reschedule(booking_id):
    """Move a booking to another free time of the same vendor (the notice and fee rules apply)."""
    found = _booking_or_404(booking_id)
    form, tz, now = RescheduleForm(), catalog.store_tz(current_user.store), utcnow()
    status = 200
    if form.is_submitted():
        starts_at = parse_start(form.starts_at.data)
        if not form.validate() or starts_at is None:
            flash(_("Choose one of the times shown."), "error")
            status = 400
        else:
            try:
                with transaction():
                    booking_changes.reschedule_booking(found, starts_at, store=current_user.store, now=now)
                flash(_("Moved to the new time."), "success")
                return redirect(url_for("services.booking_page", booking_id=booking_id), 303)
            except DomainError as exc:
                flash(exc.message, "error")
                status = exc.status
    slots = catalog.list_slots(found.offering, current_user.store, now, exclude_booking_id=found.id)
    return render_template("services/reschedule.html", booking=found, days=slot_rules.group_by_day(slots, tz), tz=tz,
                           form=form, may=booking_changes.may_reschedule(found, now)), status
