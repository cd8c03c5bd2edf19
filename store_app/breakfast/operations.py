"""Breakfast's core verbs: the store's settings and calendar, a day and its portions, placing,
changing and cancelling one child's order. They add and flush, never commit (the caller's
``transaction()`` does).

**When a subscription's day takes its portions.** A breakfast day row is created by ``ensure_day``
(the daily opening job, or the first parent who looks at the date), and in the same transaction,
before any parent can order on it by hand, every active subscription covering the date places its
order and takes its portions. A subscription made later takes the portions of every day already
open at once, and is told then which days are sold out. So a subscriber learns of a sold-out day
when subscribing or when the day opens (three days ahead by default), never at the cutoff.
"""
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from . import discounts, errors, rules, subscriptions
from .day_admin import change_day_times, close_day  # noqa: F401  (staff verbs on a day, named here as the models say)
from .days import find_day, offered_items
from .models import BreakfastDay, DayItem, DayStatus
from .ordering import (cancel_order, change_order, code_hash_of, get_child, get_parent_order,  # noqa: F401
                       pickup_code, place_on_day, replayed_order, rules_live_statuses,
                       active_subscriptions_on, upcoming_orders)
from .settings import get_settings, school_day, store_overrides  # noqa: F401


def ensure_day(store, day, now):
    """The store's breakfast day on ``day``, created if needed with the portions of the items offered
    that day and, in the same step, the orders of every subscription covering it.

    ``NotSchoolDay`` when the calendar has no school on ``day`` and no day exists. Two callers at
    once create it once (a unique constraint; the loser reads the winner's row).
    """
    found = find_day(store.id, day)
    if found is not None:
        return found
    settings = get_settings(store.id)
    school, _known = rules.is_school_day(day, store_overrides(store.id), settings.calendar)
    if not school:
        raise errors.NotSchoolDay()
    times = rules.times_from_settings(day, store.timezone, settings)
    try:
        with db.session.begin_nested():
            created = BreakfastDay(store_id=store.id, date=day, status=DayStatus.OPEN.value,
                                   opens_at=times.opens_at, order_cutoff_at=times.order_cutoff_at,
                                   cancel_cutoff_at=times.cancel_cutoff_at, pickup_start_at=times.pickup_start_at,
                                   pickup_end_at=times.pickup_end_at, created_at=now)
            db.session.add(created)
            db.session.flush()
            make_up = day.weekday() >= 5
            for item in offered_items(store.id, day, make_up):
                db.session.add(DayItem(day_id=created.id, item_id=item.id, capacity=item.daily_capacity,
                                       taken=0, held=0))
            db.session.flush()
    except IntegrityError:
        found = find_day(store.id, day)
        if found is None:
            raise
        return found
    subscriptions.place_day_orders(created, now)
    return created


def place_order(store, parent_id, child_id, day_date, quantities, now, *, idempotency_key=None,
                subscription_id=None, grant_ids=()):
    """One child's breakfast on ``day_date`` (the day made first if needed: see the note above), priced
    after the parent's coupon copies ``grant_ids`` (reserved here: ``discounts``; None: the best that
    fits). A replay of the idempotency key returns the first order and reserves nothing again."""
    replay = replayed_order(parent_id, idempotency_key)
    if replay is not None:
        return replay
    day = ensure_day(store, day_date, now)
    order = place_on_day(store, day, parent_id, child_id, quantities, now, idempotency_key=idempotency_key,
                         subscription_id=subscription_id)
    return discounts.apply_coupon(order, grant_ids, now)

