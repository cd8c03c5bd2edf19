"""Checkout: one transaction that claims the idempotency key, takes stock with conditional
UPDATEs in product-id order (so two carts never deadlock), and pays from the wallet."""
import re
import secrets
from datetime import timedelta

from sqlalchemy.orm import make_transient_to_detached

from ..catalogue.models import Product, StockMovement
from ..database import format_cents, upsert
from ..deliveries import operations as delivery_ops
from ..deliveries.errors import reason_message
from ..deliveries.models import DeliveryTask, TaskStatus
from ..deliveries.rules import OUTSIDE_ZONE, ZONE_DISABLED, picking_minutes
from ..extensions import db
from ..wallet import operations as wallet
from . import errors, rules
from .cart import clear_cart, load_cart
from .models import Order, OrderEvent, OrderItem, OrderStatus, PaymentMethod

KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def new_idempotency_key():
    """A fresh key for a checkout page; the same page submitted twice carries the same key."""
    return secrets.token_urlsafe(24)


def new_delivery_code():
    """The 4-digit code the resident gives the courier at the door."""
    return f"{secrets.randbelow(10_000):04d}"


def get_order_by_key(user_id, key):
    """The order this user placed with this idempotency key, if any."""
    return db.session.scalar(db.select(Order).where(Order.user_id == user_id, Order.idempotency_key == key))


def checkout_options(user, address, now):
    """What the checkout page offers: the quote for the cart and, if needed, scheduled slots."""
    cart = load_cart(user)
    store = user.store
    point = (address.building.lat, address.building.lon)
    quote = delivery_ops.quote(store, point, cart.item_count or 1, now)
    slots = []
    if not quote.deliverable and quote.reason not in (OUTSIDE_ZONE, ZONE_DISABLED):
        slots = rules.next_slots(store.intervals(), now, store.timezone, lead_minutes=store.promise_minutes)
    fee = quote.fee_cents or 0
    totals = rules.compute_totals([(line.product.price_cents, line.quantity) for line in cart.lines], fee)
    return cart, quote, slots, totals


def place_order(user, *, address_id, payment_method, idempotency_key, now, expected_total_cents=None,
                scheduled_for=None, note="", parcel_ids=()):
    """Place the resident's cart as an order; returns ``(order, created)``.

    A replayed key returns the first order with ``created=False``. Everything the page showed is
    checked again here: prices, stock, zone, promise, minimum, wallet balance. ``parcel_ids`` are
    parcels from the station to bring along (their door and storage fees are added to the total).

    Statements are few and plain (this is the hot path of the evening rush): the order row claims
    the key with INSERT ... ON CONFLICT DO NOTHING (a concurrent duplicate waits for us, then finds
    our order), stock and wallet move by conditional UPDATEs, the other rows are plain INSERTs.
    """
    if not KEY_RE.match(idempotency_key or ""):
        raise errors.IdempotencyConflict(idempotency_key)
    address = next((a for a in user.addresses if a.id == address_id), None) if address_id else None
    if address is None:
        raise errors.AddressMissing()
    if payment_method not in {m.value for m in PaymentMethod}:
        raise errors.PaymentInvalid(payment_method)
    cart, quote, slots, totals = checkout_options(user, address, now)
    if not cart.lines or cart.problems or (expected_total_cents is not None
                                           and expected_total_cents != totals.total_cents):
        # A replayed key (the first tap's order emptied the cart, or a total from before it): same order.
        existing = get_order_by_key(user.id, idempotency_key)
        if existing is not None:
            return existing, False
        raise errors.EmptyCart() if not cart.lines else errors.CartChanged()
    promised_at = _check_delivery(quote, slots, scheduled_for, now, user.store.promise_minutes)
    if totals.subtotal_cents < (quote.minimum_cents or 0):
        raise errors.BelowMinimum(quote.minimum_cents, format_cents(quote.minimum_cents))

    parcels, parcel_fee = _parcels_along(user, parcel_ids, now)
    totals = rules.with_parcel_fee(totals, parcel_fee)
    order = _claim(user, address, idempotency_key, payment_method, totals, quote, promised_at,
                   scheduled_for, note, now)
    if order is None:
        existing = get_order_by_key(user.id, idempotency_key)
        if existing is None:
            raise errors.IdempotencyConflict(idempotency_key)
        return existing, False
    _take_stock(order, cart.lines, user, now)
    if parcels:
        from ..parcels import door as parcel_ops
        parcel_ops.send_out(parcels, order, user.id, now)
    if payment_method == PaymentMethod.WALLET:
        wallet.debit(user.id, user.store_id, totals.total_cents, "payment", order_id=order.id, now=now)
    db.session.execute(db.insert(OrderEvent).values(order_id=order.id, status=OrderStatus.PLACED.value,
                                                    note="", actor_id=user.id, at=now))
    _create_task(order, user.store, cart.item_count, now)
    clear_cart(user.id)
    return order, True


def _parcels_along(user, parcel_ids, now):
    """The resident's waiting parcels to bring along and what that costs (door fee + storage)."""
    if not parcel_ids:
        return [], 0
    from ..parcels import door as parcel_ops
    return parcel_ops.door_delivery_quote(user, parcel_ids, now)


def place_parcel_delivery(user, *, parcel_ids, address_id, payment_method, idempotency_key, now):
    """"Bring it to my door" on its own: an order without goods that carries the resident's waiting
    parcels, paid (door fee + storage fees) like any order, handed over against the delivery code.
    Returns ``(order, created)``; checked like a checkout (zone, promise, key, wallet)."""
    from ..parcels import door as parcel_ops

    if not KEY_RE.match(idempotency_key or ""):
        raise errors.IdempotencyConflict(idempotency_key)
    existing = get_order_by_key(user.id, idempotency_key)
    if existing is not None:
        return existing, False
    address = next((a for a in user.addresses if a.id == address_id), None) if address_id else None
    if address is None:
        raise errors.AddressMissing()
    if payment_method not in {m.value for m in PaymentMethod}:
        raise errors.PaymentInvalid(payment_method)
    parcels, parcel_fee = parcel_ops.door_delivery_quote(user, parcel_ids, now)
    quote = delivery_ops.quote(user.store, (address.building.lat, address.building.lon), len(parcels), now)
    promised_at = _check_delivery(quote, [], None, now, user.store.promise_minutes)
    totals = rules.with_parcel_fee(rules.compute_totals([], 0), parcel_fee)
    order = _claim(user, address, idempotency_key, payment_method, totals, quote, promised_at, None,
                   "", now)
    if order is None:
        existing = get_order_by_key(user.id, idempotency_key)
        if existing is None:
            raise errors.IdempotencyConflict(idempotency_key)
        return existing, False
    parcel_ops.send_out(parcels, order, user.id, now)
    if payment_method == PaymentMethod.WALLET:
        wallet.debit(user.id, user.store_id, totals.total_cents, "payment", order_id=order.id, now=now)
    db.session.execute(db.insert(OrderEvent).values(order_id=order.id, status=OrderStatus.PLACED.value,
                                                    note="parcels", actor_id=user.id, at=now))
    _create_task(order, user.store, len(parcels), now)
    return order, True


def _check_delivery(quote, slots, scheduled_for, now, promise_minutes):
    """The promised time, or ``NotDeliverable``/``SlotInvalid``."""
    if scheduled_for is not None:
        if scheduled_for not in slots:
            raise errors.SlotInvalid(scheduled_for)
        return scheduled_for + timedelta(minutes=promise_minutes)
    if not quote.deliverable:
        raise errors.NotDeliverable(quote.reason, reason_message(quote.reason))
    return now + timedelta(minutes=quote.eta_minutes)


def _claim(user, address, key, payment_method, totals, quote, promised_at, scheduled_for, note, now):
    """Insert the order row first, claiming the (user, key) unique pair; the order, or None if
    another transaction holds the key (it made the order, or is making it and we waited for it)."""
    values = dict(
        store_id=user.store_id, user_id=user.id, status=OrderStatus.PLACED.value, idempotency_key=key,
        building_id=address.building_id, address_text=address.one_line(),
        lat=address.building.lat, lon=address.building.lon, zone_name=quote.zone or "",
        subtotal_cents=totals.subtotal_cents, delivery_fee_cents=totals.delivery_fee_cents,
        discount_cents=totals.discount_cents, total_cents=totals.total_cents, payment_method=payment_method,
        parcel_fee_cents=totals.parcel_fee_cents,
        delivery_code=new_delivery_code(), eta_minutes=int((promised_at - now).total_seconds() // 60),
        promised_at=promised_at, scheduled_for=scheduled_for, note=(note or "").strip()[:200], placed_at=now)
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


def _take_stock(order, lines, user, now):
    """Conditional UPDATE per product, in id order; a shortfall aborts the whole order."""
    items, movements = [], []
    for line in sorted(lines, key=lambda item: item.product_id):
        product = line.product
        taken = db.session.execute(
            db.update(Product).where(Product.id == product.id, Product.stock >= line.quantity,
                                     Product.is_active.is_(True))
            .values(stock=Product.stock - line.quantity, updated_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if not taken:
            raise errors.OutOfStock(product.name_zh)
        items.append(dict(order_id=order.id, product_id=product.id, merchant_id=product.merchant_id,
                          name_zh=product.name_zh, name_en=product.name_en,
                          unit_price_cents=product.price_cents, quantity=line.quantity, unavailable=False))
        movements.append(dict(store_id=order.store_id, product_id=product.id, delta=-line.quantity,
                              reason="sale", note="", actor_id=user.id, order_id=order.id, created_at=now))
    db.session.execute(db.insert(OrderItem), items)
    db.session.execute(db.insert(StockMovement), movements)


def _create_task(order, store, item_count, now):
    """The delivery task the couriers (and later the dispatcher) work from."""
    params = delivery_ops.quote_params(store)
    start = order.scheduled_for or now
    db.session.execute(db.insert(DeliveryTask).values(
        store_id=order.store_id, kind="order", order_id=order.id, status=TaskStatus.OPEN.value,
        pickup_lat=store.lat, pickup_lon=store.lon, dropoff_lat=order.lat, dropoff_lon=order.lon,
        size=max(1, item_count // 10 + 1), ready_at=start + timedelta(minutes=picking_minutes(item_count, params)),
        promised_at=order.promised_at, created_at=now))
