"""The demo breakfast: a menu of ten items, thirty children of the demo residents with their school-day
subscriptions for the coming weeks, and the last five school days as history (ordered by the
subscriptions the evening before, charged and frozen at the cutoff with a prep sheet, collected at the
desk, a few no-shows and one breakfast on credit). The days ordering has already opened are made as
the opening job makes them. Idempotent (nothing is added once the store has a menu) and deterministic
(times relative to ``now``; the days are the store calendar's real school days)."""
import secrets
from datetime import timedelta

from ..accounts.models import User
from ..breakfast import freeze, operations, rules
from ..breakfast.models import (COOKED, BreakfastItem, BreakfastOrder, Child,
                                DayStatus, OrderStatus, ParentPrefs, Subscription, SubscriptionItem)
from ..breakfast.settings import get_settings, school_day
from ..catalogue.pictures import picture_file
from ..extensions import db
from ..wallet import operations as wallet_ops
from . import breakfast_data as bd
from . import data

HISTORY_SCHOOL_DAYS = 5
SUBSCRIBED_DAYS_AHEAD = 20
TOP_UP_CENTS = 30_000


def seed_breakfast(store, now):
    """The demo breakfast if the store has no menu yet; returns what was created."""
    created = {"breakfast_items": 0, "children": 0, "subscriptions": 0, "breakfast_days": 0,
               "breakfast_orders": 0}
    if db.session.scalar(db.select(BreakfastItem.id).where(BreakfastItem.store_id == store.id).limit(1)):
        return created
    phones = [phone for phone, *_names in data.RESIDENTS]
    parents = {user.phone: user for user in db.session.scalars(db.select(User).where(User.phone.in_(phones)))}
    staff = db.session.scalar(db.select(User).where(User.phone == data.STAFF[0][0]))
    if len(parents) != len(phones) or staff is None:
        return created
    parents = [parents[phone] for phone in phones]
    settings = get_settings(store.id)
    items = _menu(store, now)
    children = _children(store, parents, now)
    today = rules.local_today(now, store.timezone)
    history = _past_school_days(store, today)
    starts_on = history[0] if history else today
    subscriptions = _subscriptions(store, children, items, starts_on, today + timedelta(days=SUBSCRIBED_DAYS_AHEAD),
                                   now - timedelta(days=(today - starts_on).days + 3))
    days = _days(store, settings, history + _coming_school_days(store, today, settings.open_days_ahead), now)
    frozen = [day for day in days if now >= day.order_cutoff_at]
    _top_up(store, parents, frozen, staff, now)
    for day in frozen:
        _freeze(store, day)
        if now >= day.pickup_end_at:
            _hand_over(day, staff)
    for index in bd.REMINDER_RESIDENTS:
        db.session.add(ParentPrefs(user_id=parents[index].id, morning_reminder=True))
    db.session.flush()
    created.update(breakfast_items=len(items), children=len(children), subscriptions=len(subscriptions),
                   breakfast_days=len(days), breakfast_orders=db.session.scalar(
                       db.select(db.func.count(BreakfastOrder.id)).where(BreakfastOrder.store_id == store.id)))
    return created


def _menu(store, now):
    items = []
    for position, (name_zh, name_en, price, picture, ingredients_zh, ingredients_en, allergens, known,
                   weekdays, capacity) in enumerate(bd.MENU):
        items.append(BreakfastItem(store_id=store.id, name_zh=name_zh, name_en=name_en, price_cents=price,
                                   picture=picture_file(picture), ingredients_zh=ingredients_zh,
                                   ingredients_en=ingredients_en, allergens=",".join(rules.parse_allergens(allergens)),
                                   allergens_known=known, weekdays=weekdays, daily_capacity=capacity,
                                   position=position * 10, created_at=now))
    db.session.add_all(items)
    db.session.flush()
    return items


def _children(store, parents, now):
    children = []
    for parent, name, class_name, school, allergies in bd.CHILDREN:
        token = secrets.token_urlsafe(32)  # the private feed's secret: random even in the demo
        children.append(Child(store_id=store.id, parent_id=parents[parent].id, name=name, class_name=class_name,
                              school=bd.SCHOOLS[school], allergies=",".join(rules.parse_allergens(allergies)),
                              feed_token=token, created_at=now))
    db.session.add_all(children)
    db.session.flush()
    return children


def _may_eat(child, item):
    return rules.allergen_conflict(child.allergy_codes(), item.allergen_codes(), item.allergens_known) is None


def _choice(child, items, candidates, turn, weekday):
    """The first of ``candidates`` (menu indexes), from ``turn`` on, that the child may eat on ``weekday``."""
    for step in range(len(candidates)):
        item = items[candidates[(turn + step) % len(candidates)]]
        if _may_eat(child, item) and item.weekdays & rules.WEEKDAY_BITS[weekday]:
            return item
    return None


def _subscriptions(store, children, items, starts_on, ends_on, created_at):
    """Every child subscribed from ``starts_on`` to ``ends_on``: a drink and a dish each school weekday,
    chosen in turn among what the child may eat and the weekday offers."""
    subscriptions = []
    for index, child in enumerate(children):
        subscription = Subscription(store_id=store.id, child_id=child.id, parent_id=child.parent_id,
                                    starts_on=starts_on, ends_on=ends_on, status="active", created_at=created_at)
        for weekday in range(5):
            chosen = {_choice(child, items, bd.DRINKS, index, weekday),
                      _choice(child, items, bd.FOODS, index + weekday, weekday)} - {None}
            subscription.items += [SubscriptionItem(weekday=weekday, item_id=item.id, quantity=1)
                                   for item in sorted(chosen, key=lambda item: item.id)]
        subscriptions.append(subscription)
    db.session.add_all(subscriptions)
    db.session.flush()
    return subscriptions


def _past_school_days(store, today):
    """The last ``HISTORY_SCHOOL_DAYS`` school days before ``today`` (looking back at most six weeks),
    oldest first."""
    found, day = [], today
    while len(found) < HISTORY_SCHOOL_DAYS and (today - day).days < 42:
        day -= timedelta(days=1)
        if school_day(store, day)[0]:
            found.append(day)
    return found[::-1]


def _coming_school_days(store, today, open_days_ahead):
    return [day for day in (today + timedelta(days=n) for n in range(open_days_ahead + 1))
            if school_day(store, day)[0]]


def _days(store, settings, dates, now):
    """Each date's day, made as the opening job makes it (its subscriptions' orders with it): a past
    day four hours before its cutoff, one still open now."""
    days = []
    for date in dates:
        times = rules.times_from_settings(date, store.timezone, settings)
        if now < times.opens_at:
            continue
        days.append(operations.ensure_day(store, date, min(now, times.order_cutoff_at - timedelta(hours=4))))
    return days


def _top_up(store, parents, frozen, staff, now):
    """Every parent topped up their wallet at the counter before the history began; one of them too
    little, so that their last charged breakfast went on credit."""
    if not frozen:
        return
    short = parents[bd.SHORT_WALLET_RESIDENT].id
    last = frozen[-1].id
    short_cents = db.session.scalar(db.select(db.func.coalesce(db.func.sum(BreakfastOrder.total_cents), 0)).where(
        BreakfastOrder.parent_id == short, BreakfastOrder.status == OrderStatus.PLACED.value,
        BreakfastOrder.day_id.in_([day.id for day in frozen if day.id != last])))
    at = frozen[0].opens_at
    for parent in parents:
        amount = short_cents if parent.id == short else TOP_UP_CENTS
        if amount > 0:
            wallet_ops.credit(parent.id, store.id, amount, "topup", now=at, actor_id=staff.id)


def _freeze(store, day):
    """The day's cutoff, by the freeze job's own verb: each order charged (or on credit within the
    store's grace, or not cooked past it), the day frozen, prep sheet version 1 sent to the kitchen."""
    freeze.freeze_day(store, day, day.order_cutoff_at)


def _hand_over(day, staff):
    """The pickup window of a past day: most breakfasts collected at the desk, about one in nine not."""
    orders = db.session.scalars(db.select(BreakfastOrder).where(
        BreakfastOrder.day_id == day.id, BreakfastOrder.status.in_(COOKED)).order_by(BreakfastOrder.id)).all()
    window_s = int((day.pickup_end_at - day.pickup_start_at).total_seconds())
    for order in orders:
        if (order.id + day.date.toordinal()) % bd.NO_SHOW_EVERY == 0:
            order.status = OrderStatus.NO_SHOW.value
        else:
            order.status = OrderStatus.COLLECTED.value
            order.collected_at = day.pickup_start_at + timedelta(seconds=(order.id * 397) % window_s)
            order.handed_over_by = staff.id
    day.status, day.done_at = DayStatus.DONE.value, day.pickup_end_at
    db.session.flush()


