"""The resident's parcels: what waits at the station (code and QR), history, proxies, "bring it to
my door". The blueprint is registered by create_app."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..database import transaction, utcnow
from ..deliveries import operations as delivery_ops
from ..errors import DomainError
from ..orders.checkout import new_idempotency_key
from ..roles import Role
from ..wallet.operations import get_balance
from ..web.forms import Form, choice_list
from ..web.guards import role_required
from . import door as door_ops, errors, presenters, residents
from .forms import ALL_PARCELS, DoorDeliveryForm, ProxyForm
from .models import ParcelStatus


bp = Blueprint("parcels", __name__)
# The order page, the courier's task card and the picking list name the parcels riding on an order.
bp.add_app_template_global(door_ops.parcels_of_order, "parcels_of_order")
bp.add_app_template_global(presenters.carrier_name, "carrier_name")
resident_only = role_required(Role.RESIDENT)


@bp.get("/parcels")
@resident_only
def mine():
    """Parcels waiting for the resident (code, QR, days left, fee), on their way, for others, history."""
    store = current_user.store
    return render_template("parcels/mine_page.html", mine=presenters.my_parcels(current_user, store, utcnow()),
                           store=store, proxies=len(residents.list_proxies(current_user)))


# ---- proxies ---------------------------------------------------------------------------------------

def _proxy_page(form, status=200):
    mine = {p.id: p for p in residents.list_for_resident(current_user)}
    form.parcel.choices = choice_list(
        [(ALL_PARCELS, _("All my parcels, now and later"))]
        + [(str(p.id), f"{presenters.carrier_name(p.carrier)} …{presenters.tail_of(p)} · {p.shelf_code}")
           for p in mine.values() if p.status == ParcelStatus.WAITING.value])
    return render_template("parcels/proxies_page.html", form=form, proxies=residents.list_proxies(current_user),
                           parcels=mine), status


@bp.route("/parcels/proxies", methods=["GET", "POST"])
@resident_only
def proxies():
    """Who may collect the resident's parcels: name someone by phone (one parcel or all), or stop."""
    form = ProxyForm()
    if request.method == "GET":
        form.parcel.data = request.args.get("parcel", ALL_PARCELS)
        return _proxy_page(form)
    if not form.validate_on_submit():
        return _proxy_page(form, 400)
    try:
        with transaction():
            residents.authorise_proxy(current_user, form.proxy_phone.data, form.parcel_id(), utcnow())
    except DomainError as exc:
        if exc.status == 404:
            abort(404)
        form.proxy_phone.errors = [*form.proxy_phone.errors, exc.message]
        return _proxy_page(form, exc.status)
    flash(_("They can now collect with your pickup code: it shows on their Parcels page too."), "success")
    return redirect(url_for("parcels.proxies"), 303)


@bp.post("/parcels/proxies/<int:proxy_id>/revoke")
@resident_only
def revoke_proxy(proxy_id):
    """Stop letting someone collect; someone else's authorisation is 404."""
    if not Form().validate_on_submit():  # the CSRF token
        return redirect(url_for("parcels.proxies"), 303)
    try:
        with transaction():
            residents.revoke_proxy(current_user, proxy_id, utcnow())
    except errors.NotYours:
        abort(404)
    flash(_("Done: they can no longer collect your parcels."), "success")
    return redirect(url_for("parcels.proxies"), 303)


# ---- "bring it to my door" ---------------------------------------------------------------------

class FeeChanged(Exception):
    """The fee differs from the one the page showed (other parcels ticked, or a day began)."""


def _door_form(addon):
    """The form, filled from the POST, from the query (the "Update" button, a parcel's link) or
    with every waiting parcel ticked."""
    if request.method == "POST":
        form = DoorDeliveryForm()
    else:
        form = DoorDeliveryForm(formdata=request.args or None)
        form.idempotency_key.data = new_idempotency_key()
        if not request.args:
            form.parcel_ids.data = [p.id for p, _fee in addon.choices]
    form.address_id.choices = choice_list([(a.id, a.one_line()) for a in current_user.addresses])
    if not form.address_id.data:
        default = current_user.default_address()
        form.address_id.data = default.id if default else None
    return form


def _place_door_delivery(form, now):
    """A redirect to the new order, or ``(status, message)``."""
    try:
        expected = int(form.expected_fee_cents.data or "")
    except ValueError:
        expected = None
    try:
        with transaction():
            order, created = door_ops.place_parcel_delivery(
                current_user, parcel_ids=form.parcel_ids.data, address_id=form.address_id.data,
                payment_method=form.payment_method.data, idempotency_key=form.idempotency_key.data, now=now)
            if created and order.total_cents != expected:
                raise FeeChanged()  # rolls the order back: nothing is charged that the page did not show
            order_id, code = order.id, order.delivery_code
    except FeeChanged:
        return 409, _("The fee changed since the page was shown. Please check the new total.")
    except DomainError as exc:
        return exc.status, exc.message
    if created:
        flash(_("Order placed! Delivery code: %(code)s", code=code), "success")
    return redirect(url_for("orders.order_page", order_id=order_id), 303)


@bp.route("/parcels/door", methods=["GET", "POST"])
@resident_only
def door():
    """Choose waiting parcels, see the fee (door fee + storage), the address and payment; pay."""
    if current_user.default_address() is None:
        flash(_("Please add a delivery address first."), "error")
        return redirect(url_for("accounts.me"))
    store, now = current_user.store, utcnow()
    addon = door_ops.door_choices(current_user, store, now)
    form = _door_form(addon)
    status = 200
    if form.validate_on_submit():
        result = _place_door_delivery(form, now)
        if not isinstance(result, tuple):
            return result
        status, message = result
        flash(message, "error")
    elif form.is_submitted():
        status = 400
    chosen = addon.known(form.parcel_ids.data)
    fee = addon.fee_cents(chosen)
    form.expected_fee_cents.data = fee if chosen else ""
    address = next((a for a in current_user.addresses if a.id == form.address_id.data), None) \
        or current_user.default_address()
    quote = delivery_ops.quote(store, (address.building.lat, address.building.lon), max(1, len(chosen)), now)
    return render_template("parcels/door_page.html", form=form, addon=addon, chosen=set(chosen), fee_cents=fee,
                           quote=quote, balance_cents=get_balance(current_user.id), store=store), status
