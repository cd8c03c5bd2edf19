"""Checkout: one transaction that claims the idempotency key, takes stock with conditional UPDATEs
in product-id order (so two carts never deadlock), pays from the wallet and asks for a courier
(or, for pickup at the store, gives the order its pickup code instead).

Every kind of delivery order goes through the same sequence (``_place``): the resident's cart
(``place_order``) and an order that only carries what another line brings along
(``place_rider_order``: "bring my parcels to my door"). A replayed key is answered inside: the
caller gets the first order with ``created=False``, whatever happened in between.
"""
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import make_transient_to_detached

from ..catalogue.stock import take_stock
from ..database import format_cents, upsert
from ..deliveries import operations as deliveries
from ..deliveries.errors import reason_message
from ..deliveries.rules import OUTSIDE_ZONE, ZONE_DISABLED, Quote
from ..errors import ValueTooLong
from ..extensions import db
from ..growth import coupons, purchases
from ..growth.baskets import Basket, Line
from ..growth.coupon_terms import clean_grant_ids
from ..growth.errors import CouponNotApplicable
from ..wallet import operations as wallet
from . import discounts, errors, pickup as pickup_ops, riders, rules
from .cart import clear_cart, load_cart
from .models import Fulfilment, Order, OrderEvent, OrderItem, OrderStatus, PaymentMethod
from .queries import get_order_by_key

KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
NOTE_MAX = 200  # as the column


def new_idempotency_key():
    """A fresh key for a checkout page; the same page submitted twice carries the same key."""
    return secrets.token_urlsafe(24)


def new_delivery_code():
    """The 4-digit code the resident gives the courier at the door."""
    return f"{secrets.randbelow(10_000):04d}"


def checkout_options(user, address, now, pickup=False, grant_ids=()):
    """What the checkout page offers: the quote for the cart and, if needed, scheduled slots.

    For pickup at the store (``address`` is not needed) the quote is the picking time while the
    store is open, with no fee and no minimum; when it is closed, the slots are times to collect.
    ``grant_ids`` are the resident's coupon copies chosen: the totals carry their discount
    (``growth.errors.CouponNotApplicable`` when one does not fit).
    """
    cart, quote, slots, totals = _plain_options(user, address, now, pickup)
    if grant_ids and cart.lines:
        priced = discounts.quote_chosen(user, grant_ids, discounts.basket_of(cart, totals.delivery_fee_cents, pickup),
                                        now)
        totals = rules.with_discount(totals, priced.goods_discount_cents, priced.fee_discount_cents)
    return cart, quote, slots, totals


def checkout_page_options(user, address, now, pickup=False, wanted_grant_ids=None):
    """``checkout_options`` for the page, with its coupons: the resident's usable copies and the
    chosen ones (None: the best combination pre-selected). Returns ``(cart, quote, slots, totals, offer)``."""
    cart, quote, slots, totals = _plain_options(user, address, now, pickup)
    offer = discounts.coupon_offer(user, discounts.basket_of(cart, totals.delivery_fee_cents, pickup),
                                   wanted_grant_ids, now)
    totals = rules.with_discount(totals, offer.priced.goods_discount_cents, offer.priced.fee_discount_cents)
    return cart, quote, slots, totals, offer


def _plain_options(user, address, now, pickup):
    cart = load_cart(user)
    store = user.store
    if pickup:
        quote = pickup_ops.quote(store, cart.item_count or 1, now)
    else:
        point = (address.building.lat, address.building.lon)
        quote = deliveries.quote(store, point, cart.item_count or 1, now)
    slots = []
    if not quote.deliverable and quote.reason not in (OUTSIDE_ZONE, ZONE_DISABLED):
        slots = rules.next_slots(store.intervals(), now, store.timezone, lead_minutes=store.promise_minutes)
    fee = quote.fee_cents or 0
    totals = rules.compute_totals([(line.product.price_cents, line.quantity) for line in cart.lines], fee)
    return cart, quote, slots, totals


@dataclass(frozen=True)
class Placement:
    """Everything checked about an order about to be placed; ``_place`` writes it."""

    address: object
    payment_method: str
    key: str
    totals: rules.Totals
    quote: Quote
    promised_at: datetime
    item_count: int
    lines: list = field(default_factory=list)    # cart lines (product, quantity): the goods
    rider: str | None = None                     # what rides along, and the things it brings
    along: list = field(default_factory=list)
    scheduled_for: datetime | None = None
    note: str = ""
    event_note: str = ""
    pickup: bool = False                         # collected at the counter: no courier, a pickup code
    grant_ids: tuple = ()                        # the resident's coupon copies, reserved with the order
    basket: Basket | None = None                 # what growth prices and records (before discounts)


def place_order(user, *, address_id, payment_method, idempotency_key, now, expected_total_cents=None,
                scheduled_for=None, note="", parcel_ids=(), fulfilment=Fulfilment.DELIVERY.value, grant_ids=()):
    """Place the resident's cart as an order; returns ``(order, created)``.

    A replayed key returns the first order with ``created=False``. Everything the page showed is
    checked again here: prices, stock, zone, promise, minimum, wallet balance. ``parcel_ids`` are
    parcels from the station to bring along (their door and storage fees are added to the total).
    With ``fulfilment="pickup"`` the resident collects the order at the counter: no address, zone,
    fee, minimum or courier; the store open now or a chosen slot; parcels are not brought along
    (they wait at the same counter). ``grant_ids`` are the resident's coupon copies: they take their
    discount off, are reserved in the same transaction (one copy, one order: a copy another checkout
    took first is ``CouponChanged``, 409) and become used as the purchase is recorded.

    Statements are few and plain (this is the hot path of the evening rush): the order row claims
    the key with INSERT ... ON CONFLICT DO NOTHING (a concurrent duplicate waits for us, then finds
    our order), stock and wallet move by conditional UPDATEs, the other rows are plain INSERTs.
    """
    _check_key(idempotency_key)
    if fulfilment not in {f.value for f in Fulfilment}:
        raise errors.FulfilmentInvalid(fulfilment)
    pickup = fulfilment == Fulfilment.PICKUP.value
    address = None if pickup else _address(user, address_id)
    _check_payment(payment_method)
    if len((note or "").strip()) > NOTE_MAX:
        raise ValueTooLong("note", NOTE_MAX)
    cleaned = clean_grant_ids(grant_ids)
    if cleaned is None:  # not ids at all (a forged form): no copy of anyone's
        raise CouponNotApplicable()
    grant_ids = tuple(cleaned)
    if grant_ids:  # a replay finds its order before the copies (used by then) are checked again
        existing = get_order_by_key(user.id, idempotency_key)
        if existing is not None:
            return existing, False
    cart, quote, slots, totals = checkout_options(user, address, now, pickup=pickup, grant_ids=grant_ids)
    if not cart.lines or cart.problems or (expected_total_cents is not None
                                           and expected_total_cents != totals.total_cents):
        # A replayed key (the first tap's order emptied the cart, or a total from before it): same order.
        existing = get_order_by_key(user.id, idempotency_key)
        if existing is not None:
            return existing, False
        raise errors.EmptyCart() if not cart.lines else errors.CartChanged()
    # A pickup slot is when to collect; a delivery slot starts the promise.
    promised_at = _check_delivery(quote, slots, scheduled_for, now, 0 if pickup else user.store.promise_minutes)
    if totals.subtotal_cents < (quote.minimum_cents or 0):
        raise errors.BelowMinimum(quote.minimum_cents, format_cents(quote.minimum_cents))
    along, fee = ([], 0) if pickup else riders.quote(riders.PARCELS, user, parcel_ids, now)
    placement = Placement(
        address=address, payment_method=payment_method, key=idempotency_key,
        totals=rules.with_parcel_fee(totals, fee), quote=quote, promised_at=promised_at,
        item_count=cart.item_count, lines=[(line.product, line.quantity) for line in cart.lines],
        rider=riders.PARCELS, along=along, scheduled_for=scheduled_for, note=note, pickup=pickup,
        grant_ids=grant_ids, basket=discounts.basket_of(cart, totals.delivery_fee_cents, pickup))
    order, created = _place(user, placement, now)
    if created:
        clear_cart(user.id)
    return order, created


def place_rider_order(user, *, rider, ids, address_id, payment_method, idempotency_key, now, event_note=""):
    """An order without goods that carries what another line brings along (``rider`` with ``ids``:
    the resident's waiting parcels), paid (its fee) like any order, handed over against the delivery
    code. Returns ``(order, created)``; checked like a checkout (zone, promise, key, wallet)."""
    _check_key(idempotency_key)
    existing = get_order_by_key(user.id, idempotency_key)
    if existing is not None:
        return existing, False
    address = _address(user, address_id)
    _check_payment(payment_method)
    along, fee = riders.quote(rider, user, ids, now)
    quote = deliveries.quote(user.store, (address.building.lat, address.building.lon), len(along), now)
    promised_at = _check_delivery(quote, [], None, now, user.store.promise_minutes)
    placement = Placement(
        address=address, payment_method=payment_method, key=idempotency_key,
        totals=rules.with_parcel_fee(rules.compute_totals([], 0), fee), quote=quote, promised_at=promised_at,
        item_count=len(along), rider=rider, along=along, event_note=event_note,
        basket=Basket(line=Line.PARCEL_DOOR.value, fee_cents=fee))
    return _place(user, placement, now)


def _check_key(key):
    if not KEY_RE.match(key or ""):
        raise errors.IdempotencyConflict(key)


def _address(user, address_id):
    address = next((a for a in user.addresses if a.id == address_id), None) if address_id else None
    if address is None:
        raise errors.AddressMissing()
    return address


def _check_payment(payment_method):
    if payment_method not in {m.value for m in PaymentMethod}:
        raise errors.PaymentInvalid(payment_method)


def _check_delivery(quote, slots, scheduled_for, now, promise_minutes):
    """The promised time, or ``NotDeliverable``/``SlotInvalid``."""
    if scheduled_for is not None:
        if scheduled_for not in slots:
            raise errors.SlotInvalid(scheduled_for)
        return scheduled_for + timedelta(minutes=promise_minutes)
    if not quote.deliverable:
        raise errors.NotDeliverable(quote.reason, reason_message(quote.reason))
    return now + timedelta(minutes=quote.eta_minutes)


def _place(user, placement, now):
    """The one sequence every order goes through: claim the key (or find the first order), take the
    goods off the shelf, put on what rides along, pay, note it on the timeline, ask for a courier."""
    order = _claim(user, placement, now)
    if order is None:
        existing = get_order_by_key(user.id, placement.key)
        if existing is None:
            raise errors.IdempotencyConflict(placement.key)
        return existing, False
    if placement.lines:
        take_stock(order.store_id, placement.lines, order_id=order.id, actor_id=user.id, now=now)
        db.session.execute(db.insert(OrderItem), [
            dict(order_id=order.id, product_id=product.id, merchant_id=product.merchant_id, name_zh=product.name_zh,
                 name_en=product.name_en, unit_price_cents=product.price_cents, quantity=quantity, unavailable=False)
            for product, quantity in sorted(placement.lines, key=lambda line: line[0].id)])
    riders.attach(placement.rider, placement.along, order, user.id, now)
    _take_coupons(user, placement, order, now)
    if placement.payment_method == PaymentMethod.WALLET:
        wallet.debit(user.id, user.store_id, placement.totals.total_cents, "payment", order_id=order.id, now=now)
    db.session.execute(db.insert(OrderEvent).values(order_id=order.id, status=OrderStatus.PLACED.value,
                                                    note=placement.event_note, actor_id=user.id, at=now))
    _record_purchase(user, placement, order, now)
    if placement.pickup:
        return order, True  # collected at the counter: nothing for a courier
    deliveries.request_task(user.store, kind="order", order_id=order.id, dropoff=(order.lat, order.lon),
                            item_count=placement.item_count, promised_at=order.promised_at,
                            scheduled_for=order.scheduled_for, now=now)
    return order, True


def _take_coupons(user, placement, order, now):
    """Reserve the chosen copies for this order (a conditional UPDATE each; the campaign's budget
    charged). The discount they give must be the one the totals carry."""
    if not placement.grant_ids:
        return
    priced = coupons.reserve(user, placement.grant_ids, purchase_ref=rules.purchase_ref(order.id),
                             basket=placement.basket, now=now)
    if priced.discount_cents != placement.totals.discount_cents:
        raise errors.CartChanged()


def _record_purchase(user, placement, order, now):
    """Tell growth what the resident paid for (goods and fees after discounts); the copies reserved
    for the order become used. Parcels to the door are their own line, with no goods."""
    totals = placement.totals
    line = placement.basket.line if placement.basket is not None else Line.DELIVERY.value
    purchases.record_purchase(
        user_id=user.id, store_id=user.store_id, line=line, ref=rules.purchase_ref(order.id),
        goods_cents=totals.subtotal_cents - (totals.discount_cents - totals.fee_discount_cents),
        fee_cents=totals.delivery_fee_cents - totals.fee_discount_cents + totals.parcel_fee_cents,
        discount_cents=totals.discount_cents, basket=placement.basket, now=now)


def _claim(user, placement, now):
    """Insert the order row first, claiming the (user, key) unique pair; the order, or None if
    another transaction holds the key (it made the order, or is making it and we waited for it)."""
    address, totals, quote = placement.address, placement.totals, placement.quote
    if placement.pickup:  # the store's own address and point; the code the counter asks for
        store = user.store
        nonce, code_hash = pickup_ops.new_code(store.id)
        where = dict(building_id=None, address_text=store.address, lat=store.lat, lon=store.lon,
                     fulfilment=Fulfilment.PICKUP.value, pickup_code_nonce=nonce, pickup_code_hash=code_hash)
    else:
        where = dict(building_id=address.building_id, address_text=address.one_line(),
                     lat=address.building.lat, lon=address.building.lon, fulfilment=Fulfilment.DELIVERY.value)
    values = dict(
        store_id=user.store_id, user_id=user.id, status=OrderStatus.PLACED.value, idempotency_key=placement.key,
        **where, zone_name=quote.zone or "",
        subtotal_cents=totals.subtotal_cents, delivery_fee_cents=totals.delivery_fee_cents,
        discount_cents=totals.discount_cents, total_cents=totals.total_cents,
        payment_method=placement.payment_method, parcel_fee_cents=totals.parcel_fee_cents,
        delivery_code=new_delivery_code(), eta_minutes=int((placement.promised_at - now).total_seconds() // 60),
        promised_at=placement.promised_at, scheduled_for=placement.scheduled_for,
        note=(placement.note or "").strip(), placed_at=now)
    table = Order.__table__
    order_id = db.session.execute(
        upsert(table).values(**values)
        .on_conflict_do_nothing(index_elements=[table.c.user_id, table.c.idempotency_key])
        .returning(table.c.id)).scalar()
    if order_id is None:
        return None
    # The row is in the database: hand back an ORM object for it without reading it again.
    order = Order(id=order_id, **values)
    make_transient_to_detached(order)
    db.session.add(order)
    return order
