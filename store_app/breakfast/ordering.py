"""One child's order on a day that exists: placing it (cutoff, allergens, portions), changing,
cancelling or skipping it before the cancel cutoff, and its pickup code. ``operations.place_order``
is the entry that first makes sure the day exists."""
from datetime import timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..orders.rules import derive_pickup_code, hash_pickup_code, new_pickup_nonce
from . import discounts, errors, purchase_reports, rules
from .models import BreakfastDay, BreakfastItem, BreakfastOrder, BreakfastOrderLine, Child, DayStatus, OrderStatus, Subscription
from .portions import release_portions, take_portions

MAX_QUANTITY = 5
CODE_ATTEMPTS = 8


def get_child(parent_id, child_id):
    """The parent's own active child, else ``ChildNotFound`` (a foreign id looks like a missing one)."""
    child = db.session.get(Child, child_id) if isinstance(child_id, int) and 0 < child_id < 2**31 else None
    if child is None or child.parent_id != parent_id or not child.is_active:
        raise errors.ChildNotFound()
    return child


def clean_quantities(quantities):
    """``{item_id: n}`` with 1 <= n <= 5 and at least one item; zero quantities are dropped."""
    cleaned = {}
    for item_id, quantity in (quantities or {}).items():
        if not isinstance(item_id, int) or not isinstance(quantity, int) or isinstance(quantity, bool):
            raise errors.QuantityInvalid()
        if quantity == 0:
            continue
        if not 1 <= quantity <= MAX_QUANTITY or not 0 < item_id < 2**31:
            raise errors.QuantityInvalid()
        cleaned[item_id] = quantity
    if not cleaned:
        raise errors.NothingChosen()
    return cleaned


def check_allergens(child, items):
    """``AllergenBlocked`` for the first item the child must not eat; nobody overrides it."""
    from ..web.i18n import localized

    for item in items:
        conflict = rules.allergen_conflict(child.allergy_codes(), item.allergen_codes(), item.allergens_known)
        if conflict is not None:
            kind, shared = conflict
            from .presenters import allergen_names

            raise errors.AllergenBlocked(localized(item), allergen_names(shared), unknown=(kind == "unknown"))


def _items_for(store_id, item_ids):
    items = db.session.scalars(db.select(BreakfastItem).where(BreakfastItem.store_id == store_id,
                                                              BreakfastItem.id.in_(item_ids))).all()
    if len(items) != len(set(item_ids)):
        raise errors.ItemUnknown()
    return {item.id: item for item in items}


def _check_orderable(day, now):
    if day.status == DayStatus.CLOSED.value:
        raise errors.DayClosed()
    if now < day.opens_at:
        raise errors.OrderingNotOpen()
    if day.status != DayStatus.OPEN.value or not rules.may_order(now, day.opens_at, day.order_cutoff_at):
        raise errors.PastCutoff()


def new_code(store_id):
    """``(nonce, code_hash)`` for a child's breakfast on a day: a code no live order of the store holds."""
    secret = current_app.config["SECRET_KEY"]
    for _attempt in range(CODE_ATTEMPTS):
        nonce = new_pickup_nonce()
        code_hash = hash_pickup_code(secret, store_id, "breakfast:" + derive_pickup_code(secret, nonce))
        taken = db.session.scalar(db.select(BreakfastOrder.id).where(BreakfastOrder.store_id == store_id,
                                                                     BreakfastOrder.code_hash == code_hash))
        if taken is None:
            return nonce, code_hash
    raise errors.BreakfastError()


def pickup_code(order):
    """The six digits a child's breakfast is collected with (derived; never stored)."""
    if not order.code_nonce:
        return None
    return derive_pickup_code(current_app.config["SECRET_KEY"], order.code_nonce)


def code_hash_of(store_id, code):
    return hash_pickup_code(current_app.config["SECRET_KEY"], store_id, "breakfast:" + code)


def replayed_order(parent_id, idempotency_key):
    """The order first placed with ``idempotency_key`` (a replay returns it), or None."""
    if not idempotency_key:
        return None
    first = db.session.scalar(db.select(BreakfastOrder).where(BreakfastOrder.idempotency_key == idempotency_key))
    if first is not None and first.parent_id != parent_id:
        raise errors.OrderNotFound()
    return first


def place_on_day(store, day, parent_id, child_id, quantities, now, *, idempotency_key=None, subscription_id=None):
    """One child's breakfast on ``day``: checks the cutoff, the allergens and the portions (taken
    with conditional UPDATEs). Not charged here: every order of a day is charged at its cutoff."""
    replay = replayed_order(parent_id, idempotency_key)
    if replay is not None:
        return replay
    child = get_child(parent_id, child_id)
    cleaned = clean_quantities(quantities)
    _check_orderable(day, now)
    return new_order(store, day, child, parent_id, cleaned, now, idempotency_key=idempotency_key,
                     subscription_id=subscription_id)


def new_order(store, day, child, parent_id, cleaned, now, *, idempotency_key=None, subscription_id=None):
    """The order itself, once the caller has said the day may take it (a parent before the cutoff,
    staff after it): the allergens checked, one live order per child and day, the portions taken,
    a pickup code. ``cleaned`` is ``clean_quantities``' result."""
    items = _items_for(store.id, list(cleaned))
    check_allergens(child, items.values())
    live = db.session.scalar(db.select(BreakfastOrder.id).where(
        BreakfastOrder.day_id == day.id, BreakfastOrder.child_id == child.id,
        BreakfastOrder.status.in_(rules_live_statuses())))
    if live is not None:
        raise errors.AlreadyOrdered()
    take_portions(day.id, cleaned)
    nonce, code_hash = new_code(store.id)
    order = BreakfastOrder(store_id=store.id, day_id=day.id, child_id=child.id, parent_id=parent_id,
                           subscription_id=subscription_id, status=OrderStatus.PLACED.value,
                           total_cents=sum(items[i].price_cents * q for i, q in cleaned.items()),
                           idempotency_key=idempotency_key or None, code_nonce=nonce, code_hash=code_hash,
                           created_at=now)
    order.lines = [BreakfastOrderLine(item_id=i, quantity=q, price_cents=items[i].price_cents)
                   for i, q in sorted(cleaned.items())]
    try:
        with db.session.begin_nested():
            db.session.add(order)
            db.session.flush()
    except IntegrityError:
        raise errors.AlreadyOrdered() from None
    return order


def rules_live_statuses():
    """Statuses of an order that is still the child's breakfast that day."""
    return [status for status in (s.value for s in OrderStatus)
            if status not in (OrderStatus.CANCELLED.value, OrderStatus.REFUNDED.value)]


def get_parent_order(parent_id, order_id):
    order = db.session.get(BreakfastOrder, order_id) if isinstance(order_id, int) and 0 < order_id < 2**31 else None
    if order is None or order.parent_id != parent_id:
        raise errors.OrderNotFound()
    return order


def _check_changeable(order, now):
    if order.status != OrderStatus.PLACED.value:
        raise errors.OrderNotChangeable()
    day = order.day
    if day.status != DayStatus.OPEN.value or now >= day.order_cutoff_at:
        raise errors.PastCutoff()
    if not rules.may_change(now, day.cancel_cutoff_at, day.order_cutoff_at):
        raise errors.PastCancelCutoff()


def cancel_order(parent_id, order_id, now):
    """Cancel (or, for a subscription's day, skip) an order before its cancel cutoff; its portions
    go back (to the waitlist first). Nothing was charged yet, so nothing is refunded."""
    order = get_parent_order(parent_id, order_id)
    _check_changeable(order, now)
    changed = db.session.execute(
        db.update(BreakfastOrder).where(BreakfastOrder.id == order.id,
                                        BreakfastOrder.status == OrderStatus.PLACED.value)
        .values(status=OrderStatus.CANCELLED.value, cancelled_at=now, code_hash=None)
        .execution_options(synchronize_session=False)).rowcount
    if not changed:
        raise errors.OrderNotChangeable()
    db.session.refresh(order)
    purchase_reports.report_cancelled([order.id], now)
    release_portions(order.day_id, {line.item_id: line.quantity for line in order.lines}, now)
    return order


def change_order(parent_id, order_id, quantities, now):
    """Replace an order's items before its cancel cutoff: new portions are taken before the old
    ones go back, so a change never loses the breakfast to a sold-out item. Its coupon prices the new
    items; one that no longer fits goes back to the parent (``order.coupon_dropped`` says so)."""
    order = get_parent_order(parent_id, order_id)
    _check_changeable(order, now)
    cleaned = clean_quantities(quantities)
    items = _items_for(order.store_id, list(cleaned))
    check_allergens(order.child, items.values())
    old = {line.item_id: line.quantity for line in order.lines}
    more = {i: q - old.get(i, 0) for i, q in cleaned.items() if q > old.get(i, 0)}
    less = {i: q - cleaned.get(i, 0) for i, q in old.items() if q > cleaned.get(i, 0)}
    if more:
        take_portions(order.day_id, more)
    # Lines are changed in place: replacing them would insert an item's new line before its old one
    # is deleted (the unique (order, item) pair would refuse it).
    kept = {line.item_id: line for line in order.lines if line.item_id in cleaned}
    for line in [line for line in order.lines if line.item_id not in cleaned]:
        order.lines.remove(line)
    for i, q in sorted(cleaned.items()):
        if i in kept:
            kept[i].quantity, kept[i].price_cents = q, items[i].price_cents
        else:
            order.lines.append(BreakfastOrderLine(item_id=i, quantity=q, price_cents=items[i].price_cents))
    order.total_cents = sum(items[i].price_cents * q for i, q in cleaned.items())
    order.changed_at = now
    db.session.flush()
    order.coupon_dropped = discounts.reprice(order, now)  # the same coupon on the new items, if it fits
    if less:
        release_portions(order.day_id, less, now)
    return order


def upcoming_orders(child_id, now, days=14):
    """The child's live orders from today on, soonest first."""
    return db.session.scalars(
        db.select(BreakfastOrder).join(BreakfastDay, BreakfastDay.id == BreakfastOrder.day_id)
        .where(BreakfastOrder.child_id == child_id, BreakfastOrder.status.in_(rules_live_statuses()),
               BreakfastDay.pickup_end_at > now, BreakfastDay.pickup_end_at <= now + timedelta(days=days + 2))
        .order_by(BreakfastDay.date)).all()


def active_subscriptions_on(store_id, day):
    return db.session.scalars(db.select(Subscription).where(
        Subscription.store_id == store_id, Subscription.status == "active",
        Subscription.starts_on <= day, Subscription.ends_on >= day)).all()
