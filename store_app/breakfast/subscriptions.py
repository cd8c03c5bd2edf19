"""School-day subscriptions: a child's breakfasts from one date to another, items per weekday.

A subscription's day becomes an ordinary order (``operations.place_order`` with the subscription's
id) when the day is created, or at once for days already open when the subscription is made
(see ``operations``' note on when a subscription's day takes its portions). Closed days and days
that are not school days are skipped by themselves: no day, no order.
"""
from ..extensions import db
from ..notifications.operations import notify
from . import errors, rules
from .ordering import active_subscriptions_on, place_on_day, rules_live_statuses
from .models import BreakfastOrder, Subscription


def day_quantities(subscription, day):
    """``{item_id: n}`` the subscription orders on ``day`` (a make-up weekend takes Monday's items), or {}."""
    by_weekday = {}
    for line in subscription.items:
        by_weekday.setdefault(line.weekday, {})[line.item_id] = line.quantity
    weekday = rules.subscription_weekday(day, set(by_weekday))
    return dict(by_weekday.get(weekday, {})) if weekday is not None else {}


def place_day_orders(day, now):
    """Place the day's order of every active subscription covering it; a subscription whose items are
    sold out (or no longer allowed) that day gets no order, and the parent is told at once, with the
    reason. Returns the orders placed."""
    from ..stores.operations import get_store

    store = get_store(day.store_id)
    placed = []
    for subscription in active_subscriptions_on(day.store_id, day.date):
        if not rules.subscription_covers(day.date, subscription.starts_on, subscription.ends_on,
                                         subscription.paused_until):
            continue
        order = place_one(store, subscription, day, now)
        if order is not None:
            placed.append(order)
    return placed


def place_one(store, subscription, day, now):
    """The subscription's order on ``day``, or None (nothing that weekday, already ordered, or refused:
    the parent is told why)."""
    quantities = day_quantities(subscription, day.date)
    if not quantities:
        return None
    existing = db.session.scalar(db.select(BreakfastOrder.id).where(
        BreakfastOrder.day_id == day.id, BreakfastOrder.child_id == subscription.child_id,
        BreakfastOrder.status.in_(rules_live_statuses())))
    if existing is not None:
        return None
    try:
        with db.session.begin_nested():
            return place_on_day(store, day, subscription.parent_id, subscription.child_id, quantities, now,
                                subscription_id=subscription.id)
    except errors.SoldOut:
        reason = "sold_out"
    except errors.AllergenBlocked:
        reason = "allergen"
    except (errors.PastCutoff, errors.OrderingNotOpen, errors.DayClosed, errors.ItemNotOffered,
            errors.ItemUnknown, errors.AlreadyOrdered, errors.ChildNotFound):
        return None
    notify(subscription.parent_id, subscription.store_id, "breakfast_subscription_day_missed",
           f"breakfast_sub_missed:{subscription.id}:{day.date.isoformat()}",
           params={"date": day.date.isoformat(), "reason": reason, "child_id": subscription.child_id},
           link="/breakfast", now=now)
    return None


def get_parent_subscription(parent_id, subscription_id):
    found = (db.session.get(Subscription, subscription_id)
             if isinstance(subscription_id, int) and 0 < subscription_id < 2**31 else None)
    if found is None or found.parent_id != parent_id:
        raise errors.OrderNotFound()
    return found
