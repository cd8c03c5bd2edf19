"""A parent's verbs on school-day subscriptions: preview, create (placing the days already open at
once), pause until a date, cancel a range of dates in one step. Single days are skipped or changed
as orders (``ordering.cancel_order`` / ``change_order``)."""
from dataclasses import dataclass, field
from datetime import timedelta

from ..extensions import db
from ..stores.operations import get_store
from . import errors, rules
from .days import find_day
from .models import BreakfastDay, BreakfastItem, BreakfastOrder, OrderStatus, Subscription, SubscriptionItem
from .operations import ensure_day
from .ordering import cancel_order, check_allergens, clean_quantities, get_child, place_on_day, rules_live_statuses
from .settings import get_settings, store_overrides

MAX_DAYS = 92


@dataclass(frozen=True)
class PreviewDay:
    date: object
    make_up: bool          # a weekend school day (调休)
    quantities: dict       # {item_id: n}
    total_cents: int


@dataclass
class Preview:
    days: list = field(default_factory=list)
    skipped: list = field(default_factory=list)   # [(date, reason)]: "holiday", "closed"
    unknown_calendar: bool = False

    @property
    def total_cents(self):
        return sum(day.total_cents for day in self.days)


@dataclass
class Created:
    subscription: Subscription
    placed: list = field(default_factory=list)     # dates ordered at once (already open)
    missed: list = field(default_factory=list)     # [(date, reason)]: "sold_out", "allergen"


def clean_weekday_items(weekday_items):
    """``{weekday: {item_id: n}}`` for Monday to Friday with 1 <= n <= 5; at least one item somewhere."""
    cleaned = {}
    for weekday, quantities in (weekday_items or {}).items():
        if not isinstance(weekday, int) or not 0 <= weekday <= 4:
            raise errors.QuantityInvalid()
        try:
            cleaned[weekday] = clean_quantities(quantities)
        except errors.NothingChosen:
            continue
    if not cleaned:
        raise errors.NothingChosen()
    return cleaned


def check_range(starts_on, ends_on, now, tz_name):
    today = rules.local_today(now, tz_name)
    if starts_on is None or ends_on is None or starts_on < today or ends_on < starts_on \
            or (ends_on - starts_on).days > MAX_DAYS:
        raise errors.RangeInvalid()


def _items(store_id, weekday_items):
    ids = {item_id for quantities in weekday_items.values() for item_id in quantities}
    items = db.session.scalars(db.select(BreakfastItem).where(BreakfastItem.store_id == store_id,
                                                              BreakfastItem.id.in_(ids),
                                                              BreakfastItem.is_active.is_(True))).all()
    if len(items) != len(ids):
        raise errors.ItemUnknown()
    return {item.id: item for item in items}


def preview(store, child, starts_on, ends_on, weekday_items, now):
    """The school days a subscription would cover (holidays and store closures skipped, make-up
    weekend days included and marked) with each day's items and total; nothing is written."""
    check_range(starts_on, ends_on, now, store.timezone)
    weekday_items = clean_weekday_items(weekday_items)
    items = _items(store.id, weekday_items)
    check_allergens(child, items.values())
    settings = get_settings(store.id)
    school, unknown = rules.school_days(starts_on, ends_on, store_overrides(store.id), settings.calendar)
    closed = set(db.session.scalars(db.select(BreakfastDay.date).where(
        BreakfastDay.store_id == store.id, BreakfastDay.status == "closed",
        BreakfastDay.date.between(starts_on, ends_on))))
    result = Preview(unknown_calendar=bool(unknown))
    day = starts_on
    school_set = set(school)
    while day <= ends_on:
        if day in closed:
            result.skipped.append((day, "closed"))
        elif day in school_set:
            weekday = rules.subscription_weekday(day, set(weekday_items))
            quantities = weekday_items.get(weekday, {}) if weekday is not None else {}
            if quantities:
                total = sum(items[i].price_cents * q for i, q in quantities.items())
                result.days.append(PreviewDay(day, day.weekday() >= 5, dict(quantities), total))
        elif day.weekday() < 5:
            result.skipped.append((day, "holiday"))
        day += timedelta(days=1)
    return result


def _replayed(parent_id, idempotency_key):
    if not idempotency_key:
        return None
    first = db.session.scalar(db.select(Subscription).where(Subscription.idempotency_key == idempotency_key))
    if first is not None and first.parent_id != parent_id:
        raise errors.SubscriptionNotFound()
    return first


def create_subscription(store, parent_id, child_id, starts_on, ends_on, weekday_items, now, *, idempotency_key=None):
    """Subscribe a child to school days from ``starts_on`` to ``ends_on`` with items per weekday.

    Days already open for ordering are ordered at once and take their portions now (see the note in
    ``operations``); the result says which of them were missed and why (sold out). Later days are
    ordered when they open. A replay of the same key returns the first subscription.
    """
    replay = _replayed(parent_id, idempotency_key)
    if replay is not None:
        return Created(replay)
    child = get_child(parent_id, child_id)
    plan = preview(store, child, starts_on, ends_on, weekday_items, now)
    weekday_items = clean_weekday_items(weekday_items)
    settings = get_settings(store.id)
    open_days = []
    for planned in plan.days:
        existing = find_day(store.id, planned.date)
        times = existing or rules.times_from_settings(planned.date, store.timezone, settings)
        if rules.may_order(now, times.opens_at, times.order_cutoff_at) and (existing is None or existing.status == "open"):
            open_days.append((planned, ensure_day(store, planned.date, now)))
    subscription = Subscription(store_id=store.id, child_id=child.id, parent_id=parent_id, starts_on=starts_on,
                                ends_on=ends_on, status="active", idempotency_key=idempotency_key or None,
                                created_at=now)
    subscription.items = [SubscriptionItem(weekday=weekday, item_id=item_id, quantity=quantity)
                          for weekday, quantities in sorted(weekday_items.items())
                          for item_id, quantity in sorted(quantities.items())]
    db.session.add(subscription)
    db.session.flush()
    created = Created(subscription)
    for planned, day in open_days:
        try:
            with db.session.begin_nested():
                place_on_day(store, day, parent_id, child.id, planned.quantities, now, subscription_id=subscription.id)
            created.placed.append(planned.date)
        except errors.SoldOut:
            created.missed.append((planned.date, "sold_out"))
        except errors.AlreadyOrdered:
            created.missed.append((planned.date, "already"))
        except errors.BreakfastError:
            created.missed.append((planned.date, "closed"))
    return created


def get_parent_subscription(parent_id, subscription_id):
    found = (db.session.get(Subscription, subscription_id)
             if isinstance(subscription_id, int) and 0 < subscription_id < 2**31 else None)
    if found is None or found.parent_id != parent_id:
        raise errors.SubscriptionNotFound()
    return found


def list_subscriptions(child_id):
    return db.session.scalars(db.select(Subscription).where(Subscription.child_id == child_id)
                              .order_by(Subscription.starts_on.desc(), Subscription.id.desc())).all()


def _live_orders_between(subscription, first, last):
    return db.session.scalars(
        db.select(BreakfastOrder).join(BreakfastDay, BreakfastDay.id == BreakfastOrder.day_id)
        .where(BreakfastOrder.subscription_id == subscription.id, BreakfastOrder.status.in_(rules_live_statuses()),
               BreakfastDay.date >= first, BreakfastDay.date <= last)
        .order_by(BreakfastDay.date)).all()


def _check_all_changeable(orders, now):
    """``PastCancelCutoff`` when one of the orders can no longer be cancelled: nothing is done then."""
    for order in orders:
        if order.status != OrderStatus.PLACED.value or not rules.may_change(
                now, order.day.cancel_cutoff_at, order.day.order_cutoff_at):
            raise errors.PastCancelCutoff()


def _cancel(orders, now):
    for order in orders:
        cancel_order(order.parent_id, order.id, now)
    return len(orders)


def pause_until(parent_id, subscription_id, until, now):
    """No days up to and including ``until``: the breakfasts already ordered until then are cancelled
    (all, or none if one of them is past its cancel cutoff). Returns how many were cancelled."""
    subscription = get_parent_subscription(parent_id, subscription_id)
    if subscription.status != "active":
        raise errors.SubscriptionEnded()
    store_tz = subscription_store_tz(subscription)
    today = rules.local_today(now, store_tz)
    if until is None or until < today or (until - today).days > 366:
        raise errors.RangeInvalid()
    orders = _live_orders_between(subscription, today, until)
    _check_all_changeable(orders, now)
    subscription.paused_until = until
    db.session.flush()
    return _cancel(orders, now)


def resume(parent_id, subscription_id):
    """End a pause: later days are ordered again as they open."""
    subscription = get_parent_subscription(parent_id, subscription_id)
    subscription.paused_until = None
    db.session.flush()
    return subscription


def subscription_store_tz(subscription):
    return get_store(subscription.store_id).timezone


def cancel_range(parent_id, subscription_id, first, last, now):
    """Cancel the subscription's days from ``first`` to ``last`` in one step: their orders are cancelled
    and the subscription no longer covers them (shortened, split in two around the range, or ended).
    Refused as a whole when one of those days is past its cancel cutoff. Returns how many breakfasts
    were cancelled."""
    subscription = get_parent_subscription(parent_id, subscription_id)
    if subscription.status != "active":
        raise errors.SubscriptionEnded()
    today = rules.local_today(now, subscription_store_tz(subscription))
    if first is None or last is None or last < first or first < today:
        raise errors.RangeInvalid()
    first, last = max(first, subscription.starts_on), min(last, subscription.ends_on)
    if last < first:
        return 0
    orders = _live_orders_between(subscription, first, last)
    _check_all_changeable(orders, now)
    cancelled = _cancel(orders, now)
    before, after = first > subscription.starts_on, last < subscription.ends_on
    if before and after:
        rest = Subscription(store_id=subscription.store_id, child_id=subscription.child_id, parent_id=parent_id,
                            starts_on=last + timedelta(days=1), ends_on=subscription.ends_on, status="active",
                            paused_until=subscription.paused_until, created_at=now)
        rest.items = [SubscriptionItem(weekday=line.weekday, item_id=line.item_id, quantity=line.quantity)
                      for line in subscription.items]
        db.session.add(rest)
        db.session.flush()
        db.session.execute(db.update(BreakfastOrder).where(
            BreakfastOrder.subscription_id == subscription.id,
            BreakfastOrder.day_id.in_(db.select(BreakfastDay.id).where(BreakfastDay.date > last,
                                                                       BreakfastDay.store_id == subscription.store_id)))
            .values(subscription_id=rest.id).execution_options(synchronize_session="fetch"))
        subscription.ends_on = first - timedelta(days=1)
    elif before:
        subscription.ends_on = first - timedelta(days=1)
    elif after:
        subscription.starts_on = last + timedelta(days=1)
    else:
        subscription.status = "cancelled"
        subscription.cancelled_at = now
    db.session.flush()
    return cancelled
