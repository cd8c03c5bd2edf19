"""The resident's cart, checkout and order pages (live status by polling a JSON endpoint)."""
from datetime import datetime, timezone

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..database import format_cents, transaction, utcnow
from ..deliveries.errors import reason_message
from ..deliveries.operations import get_courier_position, quote as deliveries_quote
from ..deliveries.rules import OUTSIDE_ZONE
from ..errors import DomainError
from ..geo import maps, operations as geo_ops
from ..roles import Role
from ..stores.presenters import store_status
from ..stores.rules import is_open, local_time
from ..wallet.operations import get_balance
from ..web.filters import local_datetime
from ..web.forms import choice_list
from ..web.guards import role_required
from ..web.i18n import current_language, localized
from ..web.links import safe_next
from ..web.params import db_int
from . import cart as cart_ops
from . import checkout as checkout_ops
from . import pickup as pickup_ops
from . import queries, riders, rules
from .errors import OrderNotFound
from .forms import CheckoutForm
from .models import OrderStatus
from .presenters import (COURIER_VISIBLE, order_status_json, order_status_label, payment_text, pickup_status_label,
                         qr_svg, refund_outcome_text, status_label)


bp = Blueprint("orders", __name__)
bp.add_app_template_global(status_label, "status_label")
bp.add_app_template_global(pickup_status_label, "pickup_status_label")
bp.add_app_template_global(order_status_label, "order_status_label")
bp.add_app_template_global(reason_message, "reason_message")


@bp.app_context_processor
def cart_badge():
    """How many items the resident has in the cart, for the bottom bar's badge."""
    if current_user.is_authenticated and current_user.role == Role.RESIDENT.value:
        return {"cart_count": cart_ops.count_items(current_user.id)}
    return {"cart_count": 0}


resident_only = role_required(Role.RESIDENT)


def _wants_json():
    return request.accept_mimetypes.best == "application/json"


@bp.post("/cart/items")
@resident_only
def add_to_cart():
    """Add a product to the cart (form post from the feed, or fetch asking for JSON)."""
    quantity = request.form.get("quantity", 1, type=db_int) or 1
    try:
        with transaction():
            cart_ops.add_to_cart(current_user, request.form.get("product_id"), quantity, now=utcnow())
            count = cart_ops.count_items(current_user.id)  # before the commit expires the user
    except DomainError as exc:
        if _wants_json():
            return jsonify(error=str(exc.message)), exc.status
        flash(exc.message, "error")
    else:
        if _wants_json():
            return jsonify(count=count)
        flash(_("Added to your cart."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("orders.cart")), 303)


@bp.post("/cart/items/<int:product_id>")
@resident_only
def update_cart_line(product_id):
    """Change a line's quantity (0 removes it)."""
    quantity = request.form.get("quantity", type=db_int)
    if quantity is None or quantity < 0:
        flash(_("Choose a quantity between 1 and 99."), "error")
        return redirect(url_for("orders.cart"), 303)
    try:
        with transaction():
            cart_ops.set_quantity(current_user, product_id, quantity)
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(url_for("orders.cart"), 303)


@bp.post("/cart/acknowledge")
@resident_only
def acknowledge_cart():
    """The resident accepts the new prices / trimmed quantities."""
    with transaction():
        cart_ops.acknowledge_changes(current_user)
    return redirect(url_for("orders.cart"), 303)


@bp.get("/cart")
@resident_only
def cart():
    """The cart with fresh prices, problems pointed out, and the way to checkout."""
    cart = cart_ops.load_cart(current_user)
    from_voice = any(line.voice_order_id for line in cart.lines)
    address = current_user.default_address()
    quote = None
    if address is not None and cart.lines:  # the fee and the minimum of the resident's own zone
        quote = deliveries_quote(current_user.store, (address.building.lat, address.building.lon),
                                 cart.item_count, utcnow())
    missing = rules.missing_for_minimum(cart.subtotal_cents, quote.minimum_cents) if quote else 0
    return render_template("orders/cart.html", cart=cart, from_voice=from_voice, address=address, quote=quote,
                           missing_cents=missing)


def _checkout_form(address_id=None):
    form = CheckoutForm()
    form.address_id.choices = choice_list([(a.id, a.one_line()) for a in current_user.addresses])
    if not form.is_submitted():
        default = current_user.default_address()
        form.address_id.data = address_id or (default.id if default else None)
        form.idempotency_key.data = checkout_ops.new_idempotency_key()
        # The page's own "Update" (and checkout.js) come back here with what was chosen.
        form.fulfilment.data = request.args.get("fulfilment") if request.args.get("fulfilment") in (
            "delivery", "pickup") else None
        form.slot.data = request.args.get("slot", "")[:40]
        if request.args.get("coupons_chosen"):
            form.coupon_ids.data = [gid for gid in request.args.getlist("coupon_ids", type=db_int) if gid]
    return form


def _wanted_coupons(form):
    """The copies the resident chose (POST, or the page's own update), or None: pre-select the best."""
    if form.is_submitted() or request.args.get("coupons_chosen"):
        return list(form.coupon_ids.data or [])
    return None


def format_slot(slot, tz_name):
    """A slot as the resident reads it, on the store's clock."""
    return local_datetime(slot, tz_name)


def _selected_address(form):
    return next((a for a in current_user.addresses if a.id == form.address_id.data), None) \
        or current_user.default_address()


def _is_pickup(form, address, now):
    """Pickup at the store when asked for, or (until the resident says otherwise) when there is no
    address or it is outside every delivery zone. A post that does not say is a delivery, as
    before pickup existed (place_order refuses it without an address)."""
    if form.fulfilment.data in ("delivery", "pickup"):
        return form.fulfilment.data == "pickup"
    if form.is_submitted():
        return False
    if address is None:
        return True
    quote = deliveries_quote(current_user.store, (address.building.lat, address.building.lon), 1, now)
    return quote.reason == OUTSIDE_ZONE


@bp.route("/checkout", methods=["GET", "POST"])
@resident_only
def checkout():
    """Review and pay, delivered or collected at the store. The Pay button is disabled, with the
    reason next to it, while the order cannot be placed; the quote, prices and stock are computed
    again on submit, and the server refuses the same cases."""
    form = _checkout_form(request.args.get("address", type=db_int) or request.args.get("address_id", type=db_int))
    address = _selected_address(form)
    now = utcnow()
    form.fulfilment.data = "pickup" if _is_pickup(form, address, now) else "delivery"
    status = 200
    # The slot list is not needed to validate (validate_choice=False) and place_order quotes again
    # itself, so the page's options are computed only when the page is shown.
    if form.validate_on_submit():
        result = _place(form, now)
        if not isinstance(result, tuple):
            return result
        status, message = result
        flash(message, "error")
    elif form.is_submitted():
        status = 400
    # Without an address there is nothing to deliver to: the page shows pickup (a forced delivery was refused).
    pickup = form.fulfilment.data == "pickup" or address is None
    form.fulfilment.data = "pickup" if pickup else "delivery"
    cart, quote, slots, totals, offer = checkout_ops.checkout_page_options(
        current_user, address, now, pickup=pickup, wanted_grant_ids=_wanted_coupons(form))
    form.coupon_ids.data = list(offer.chosen_ids)
    if pickup:
        form.slot.label.text = _("Pickup time")
    form.slot.choices = choice_list([("", _("As soon as possible"))]
                                    + [(s.isoformat(), format_slot(s, current_user.store.timezone)) for s in slots])
    if not cart.lines and status == 200:
        return redirect(url_for("orders.cart"))
    form.expected_total_cents.data = totals.total_cents
    balance = get_balance(current_user.id)
    form.payment_method.data = rules.preferred_payment(form.payment_method.data if form.is_submitted() else None,
                                                       balance, totals.total_cents)
    block = rules.checkout_block(
        pickup=pickup, cart_ok=cart.ok, deliverable=quote.deliverable, reason=quote.reason,
        outside=quote.reason == OUTSIDE_ZONE, subtotal_cents=totals.subtotal_cents,
        minimum_cents=quote.minimum_cents, slots_offered=bool(slots),
        slot_chosen=bool(form.slot.data) and form.slot.data in {s.isoformat() for s in slots},
        store_open=is_open(current_user.store.intervals(), now, current_user.store.timezone))
    # Waiting parcels to bring along: one query, and nothing more when there are none (not for pickup:
    # they wait at the same counter).
    parcels = None if pickup else riders.offer(riders.PARCELS, current_user, current_user.store, now)
    return render_template("orders/checkout.html", form=form, cart=cart, quote=quote, slots=slots,
                           totals=totals, balance_cents=balance, address=address, parcels=parcels, offer=offer,
                           pickup=pickup, block=block, store=current_user.store,
                           missing_cents=rules.missing_for_minimum(totals.subtotal_cents, quote.minimum_cents)), status


@bp.get("/checkout/price")
@resident_only
def checkout_price():
    """The checkout's totals with the coupons ticked, as JSON: checkout.js asks when they change, so
    the discount and the new total show without reloading the page."""
    address_id = request.args.get("address", type=db_int)
    address = next((a for a in current_user.addresses if a.id == address_id), None) or current_user.default_address()
    pickup = request.args.get("fulfilment") == "pickup" or address is None
    wanted = [gid for gid in request.args.getlist("coupon_ids", type=db_int) if gid]
    _, _, _, totals, offer = checkout_ops.checkout_page_options(current_user, address, utcnow(), pickup=pickup,
                                                                wanted_grant_ids=wanted)
    return jsonify(chosen=list(offer.chosen_ids), discount_cents=totals.discount_cents,
                   discount=format_cents(totals.discount_cents), total_cents=totals.total_cents,
                   total=format_cents(totals.total_cents))


def _place(form, now):
    """Place the order; a redirect on success, ``(status, message)`` on a refusal."""
    scheduled_for = None
    if form.slot.data:
        try:
            scheduled_for = datetime.fromisoformat(form.slot.data).astimezone(timezone.utc)
        except ValueError:
            return 400, _("That delivery time is no longer available. Please choose another.")
    try:
        with transaction():
            order, created = checkout_ops.place_order(
                current_user, address_id=form.address_id.data, payment_method=form.payment_method.data,
                idempotency_key=form.idempotency_key.data, now=now, scheduled_for=scheduled_for,
                expected_total_cents=form.expected_total_cents.data and int(form.expected_total_cents.data),
                note=form.note.data, parcel_ids=form.parcel_ids.data or (), fulfilment=form.fulfilment.data,
                grant_ids=form.coupon_ids.data or ())
            order_id, code = order.id, order.delivery_code  # read before the commit expires them
            pickup_code = pickup_ops.pickup_code(order)
    except DomainError as exc:
        return exc.status, exc.message
    if created:
        flash(_("Order placed! Pickup code: %(code)s", code=pickup_code) if pickup_code
              else _("Order placed! Delivery code: %(code)s", code=code), "success")
    return redirect(url_for("orders.order_page", order_id=order_id), 303)


@bp.get("/orders")
@resident_only
def my_orders():
    """The resident's orders, newest first."""
    return render_template("orders/list.html", orders=queries.list_orders_for_user(current_user.id))


def _own_order_or_404(order_id):
    order = queries.get_order_for_user(current_user, order_id)
    if order is None:
        abort(404)
    return order


def _live(order):
    """The order's live JSON; the courier's position only while they carry this resident's order."""
    position = None
    if order.courier_id is not None and OrderStatus(order.status) in COURIER_VISIBLE:
        position = get_courier_position(order.courier_id)
    return order_status_json(order, utcnow(), courier_position=position)


def _delivery_map(order, live):
    """The map of this delivery: the store, the resident's door, the courier (framed on the first two)."""
    store, where = current_user.store, live["courier_position"]
    return maps.route_view((store.lat, store.lon, localized(store)), [("dropoff", order.lat, order.lon, order.address_label)],
                           courier=(where["lat"], where["lon"]) if where else None, fit_courier=False,
                           context=geo_ops.load_map_context(store))


def _pickup_context(order, now):
    """What a pickup order's page shows besides the timeline: its code (and QR), the store's hours."""
    if not order.is_pickup:
        return {}
    store = current_user.store
    code = pickup_ops.pickup_code(order)
    return {"pickup_code": code, "pickup_qr": qr_svg(code) if code else None, "store": store,
            "store_hours": store_status(store, now), "weekday": local_time(now, store.timezone).weekday()}


@bp.get("/orders/<int:order_id>")
@resident_only
def order_page(order_id):
    """One order: status timeline, ETA, courier, delivery code (or the pickup code and where to
    collect), lines and totals, refreshed live by order-live.js; once cancelled or failed, its outcome
    (when, why, the refund, what next) instead."""
    order = _own_order_or_404(order_id)
    live = _live(order)
    return render_template("orders/order.html", order=order, live=live,
                           route=None if order.is_pickup else _delivery_map(order, live),
                           payment_text=payment_text(order), refund_outcome=refund_outcome_text(order),
                           amount_due=format_cents(rules.amount_due_cents(order)), **_pickup_context(order, utcnow()))


@bp.post("/orders/<int:order_id>/again")
@resident_only
def order_again(order_id):
    """The order's items back in the cart (what the store still has), then the cart."""
    try:
        with transaction():
            added, missing = cart_ops.add_order_again(current_user, order_id, utcnow())
            lang = current_language()
            missing_names = ", ".join(item.name(lang) for item in missing)
    except OrderNotFound:
        abort(404)
    if not added:
        flash(_("None of these items are available now: %(names)s", names=missing_names), "error")
        return redirect(url_for("orders.order_page", order_id=order_id), 303)
    flash(_("Added to your cart."), "success")
    if missing:
        flash(_("Not available now, so not added: %(names)s", names=missing_names), "error")
    return redirect(url_for("orders.cart"), 303)


@bp.get("/orders/<int:order_id>/status")
@resident_only
def order_status(order_id):
    """The live part of the order page as JSON (polled every few seconds)."""
    return jsonify(_live(_own_order_or_404(order_id)))
