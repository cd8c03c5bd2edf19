"""The demo breakfast: a menu of ten items (one with its allergen information incomplete), thirty
subscribed children of the demo residents, and the last five school days as history (frozen with a
prep sheet, collected, some no-shows, one breakfast on credit). Every day is a school day of the
store's calendar, no day oversells, no child was sold what they must not eat, and seeding again adds
nothing."""
import os
from collections import Counter
from datetime import date, timedelta

from store_app.accounts.models import User
from store_app.breakfast import rules
from store_app.breakfast.models import (COOKED, HOLDING, BreakfastDay, BreakfastItem, BreakfastOrder,
                                        BreakfastOrderLine, Child, DayItem, PrepSheet, Subscription)
from store_app.breakfast.settings import school_day
from store_app.database import transaction, utcnow
from store_app.demo import data
from store_app.demo.operations import seed_demo
from store_app.extensions import db
from store_app.wallet.models import Wallet, WalletEntry
from tests.breakfast_support import local

STATIC = os.path.join(os.path.dirname(__file__), "..", "..", "static")


def seeded(now=None):
    with transaction():
        store, created = seed_demo(now)
    return store, created


def all_of(model):
    return db.session.scalars(db.select(model).order_by(model.id)).all()


def days_by_date():
    return {day.date: day for day in all_of(BreakfastDay)}


def test_the_demo_menu_children_subscriptions_history_sheets_and_allergens(app_ctx):
    store, created = seeded()
    assert (created["breakfast_items"], created["children"], created["subscriptions"]) == (10, 30, 30)
    items = all_of(BreakfastItem)
    assert len(items) == 10 and all(i.name_zh and i.name_en and 0 < i.price_cents < 2_000 for i in items)
    assert all(i.ingredients_zh and i.ingredients_en and i.daily_capacity > 0 and i.weekdays for i in items)
    for item in items:  # an OpenMoji drawing the credits page covers, shipped with the app
        assert item.picture.startswith("pictures/openmoji/") and item.picture.endswith(".svg")
        assert os.path.isfile(os.path.join(STATIC, item.picture)), item.picture
        assert rules.parse_allergens(item.allergens) == sorted(item.allergen_codes(), key=rules.ALLERGENS.index)
    assert [i.name_en for i in items if not i.allergens_known] == ["Egg sandwich"]
    assert len({i.picture for i in items}) == 10 and sum(bool(i.allergens) for i in items) >= 7

    children = all_of(Child)
    residents = set(db.session.scalars(db.select(User.id).where(User.phone.in_([p for p, *_ in data.RESIDENTS]))))
    assert len(children) == 30 and {c.parent_id for c in children} == residents
    assert all(c.name and c.class_name and c.school for c in children)
    assert 6 <= sum(bool(c.allergies) for c in children) < 30
    assert len({c.feed_token for c in children}) == 30
    today = rules.local_today(utcnow(), store.timezone)
    subscriptions = all_of(Subscription)
    assert sorted(s.child_id for s in subscriptions) == sorted(c.id for c in children)
    assert all(s.status == "active" and s.starts_on < today and s.ends_on >= today + timedelta(days=14)
               for s in subscriptions)
    assert all({line.weekday for line in s.items} == set(range(5)) for s in subscriptions)

    # One seeded demo for every check (seeding takes seconds): the week of history, the prep sheets, the
    # allergens and the capacity; then seeding again adds nothing.
    check_the_week_of_history(store)
    check_the_prep_sheets_match_what_was_cooked()
    check_no_child_was_sold_an_allergen_and_no_day_oversells()

    _, again = seeded()
    assert (again["breakfast_items"], again["children"], again["breakfast_orders"]) == (0, 0, 0)
    assert len(all_of(BreakfastOrder)) == created["breakfast_orders"]


def check_the_week_of_history(store):
    now = utcnow()
    today = rules.local_today(now, store.timezone)
    days = days_by_date()
    past = sorted(d for d in days if d < today)
    # The last five school days of the store's calendar, each with its day; no other day made.
    expected, day = [], today
    while len(expected) < 5:
        day -= timedelta(days=1)
        if school_day(store, day)[0]:
            expected.append(day)
    assert past == expected[::-1]
    assert all(school_day(store, d)[0] for d in days)
    assert all(d <= today + timedelta(days=3) for d in days)
    for date_ in past:
        assert days[date_].status == "done" and days[date_].frozen_at == days[date_].order_cutoff_at
    orders = all_of(BreakfastOrder)
    done = [o for o in orders if o.day.status == "done"]
    statuses = Counter(o.status for o in done)
    assert set(statuses) == {"collected", "no_show"} and statuses["collected"] > 5 * statuses["no_show"] > 0
    staff = db.session.scalar(db.select(User.id).where(User.phone == data.STAFF[0][0]))
    for order in done:
        if order.status == "collected":
            assert order.handed_over_by == staff
            assert order.day.pickup_start_at <= order.collected_at < order.day.pickup_end_at
    # Every past breakfast was charged at its cutoff but one, cooked on credit within the grace.
    charged = [o for o in orders if o.day.status in ("frozen", "done")]
    owed = [o for o in charged if o.owed_cents]
    assert len(owed) == 1 and owed[0].charged_cents == 0 and owed[0].owed_cents == owed[0].total_cents
    assert owed[0].charge_note == "on_credit"
    assert db.session.get(User, owed[0].parent_id).phone == data.RESIDENTS[19][0]
    assert all(o.charged_cents == o.total_cents > 0 for o in charged if o is not owed[0])
    assert all(o.status == "placed" and o.charged_cents == 0 for o in orders if o.day.status == "open")
    assert any(o.day.status == "open" for o in orders)
    # Wallets are ledgers: the balance is the sum of the entries, never below zero.
    sums = dict(db.session.execute(db.select(WalletEntry.user_id, db.func.sum(WalletEntry.amount_cents))
                                   .group_by(WalletEntry.user_id)).all())
    balances = dict(db.session.execute(db.select(Wallet.user_id, Wallet.balance_cents)).all())
    assert sums == balances and all(b >= 0 for b in balances.values())
    assert balances[owed[0].parent_id] == 0


def check_the_prep_sheets_match_what_was_cooked():
    frozen = [day for day in all_of(BreakfastDay) if day.status in ("frozen", "done")]
    assert len(frozen) >= 5
    for day in frozen:
        (sheet,) = db.session.scalars(db.select(PrepSheet).where(PrepSheet.day_id == day.id)).all()
        assert sheet.version == 1 and sheet.content["date"] == day.date.isoformat()
        assert sheet.sent_at == day.order_cutoff_at and sheet.sent_to == 1 + len(data.STAFF)
        lines = db.session.execute(
            db.select(BreakfastOrderLine.item_id, db.func.sum(BreakfastOrderLine.quantity))
            .join(BreakfastOrder, BreakfastOrder.id == BreakfastOrderLine.order_id)
            .where(BreakfastOrder.day_id == day.id, BreakfastOrder.status.in_(COOKED))
            .group_by(BreakfastOrderLine.item_id)).all()
        assert {t["item_id"]: t["quantity"] for t in sheet.content["totals"]} == dict(lines)
        assert all(t["name_zh"] and t["name_en"] for t in sheet.content["totals"])
        cooked = db.session.scalars(db.select(BreakfastOrder).where(BreakfastOrder.day_id == day.id,
                                                                    BreakfastOrder.status.in_(COOKED))).all()
        labels = {label["order_id"]: label for label in sheet.content["labels"]}
        assert set(labels) == {o.id for o in cooked}
        for order in cooked:
            label = labels[order.id]
            assert (label["child"], label["class_name"]) == (order.child.name, order.child.class_name)
            assert label["allergies"] == sorted(order.child.allergy_codes())
            assert sorted((i["item_id"], i["quantity"]) for i in label["items"]) == \
                sorted((line.item_id, line.quantity) for line in order.lines)
            assert all(i["ingredients_zh"] and i["ingredients_en"] for i in label["items"])


def check_no_child_was_sold_an_allergen_and_no_day_oversells():
    lines = db.session.execute(
        db.select(Child, BreakfastItem)
        .join(BreakfastOrder, BreakfastOrder.child_id == Child.id)
        .join(BreakfastOrderLine, BreakfastOrderLine.order_id == BreakfastOrder.id)
        .join(BreakfastItem, BreakfastItem.id == BreakfastOrderLine.item_id)).all()
    assert len(lines) > 300
    for child, item in lines:
        assert rules.allergen_conflict(child.allergy_codes(), item.allergen_codes(), item.allergens_known) is None, \
            (child.name, item.name_en)
    allergic_lines = [(c, i) for c, i in lines if c.allergies]
    assert allergic_lines and all(i.allergens_known for _c, i in allergic_lines)
    for day_item in all_of(DayItem):
        holding = db.session.scalar(
            db.select(db.func.coalesce(db.func.sum(BreakfastOrderLine.quantity), 0))
            .join(BreakfastOrder, BreakfastOrder.id == BreakfastOrderLine.order_id)
            .where(BreakfastOrder.day_id == day_item.day_id, BreakfastOrderLine.item_id == day_item.item_id,
                   BreakfastOrder.status.in_(HOLDING)))
        assert day_item.taken == holding <= day_item.capacity and day_item.held == 0
    # One order per child and day, and every subscribed child has each made school day.
    per_day = Counter((o.day_id, o.child_id) for o in all_of(BreakfastOrder))
    assert set(per_day.values()) == {1}
    assert all(count == 30 for count in Counter(day_id for day_id, _c in per_day).values())


def test_the_demo_history_around_national_day_skips_the_holiday_and_serves_the_make_up_saturday(app_ctx):
    """Seeded on Sunday 12 October 2025: the last five school days are 29 and 30 September, 9, 10 and the
    make-up Saturday 11 October (1 to 8 October were the holiday); the make-up Saturday served
    Monday's items. Monday 13 to Wednesday 15 October are open, with the subscriptions' orders."""
    store, _ = seeded(local(date(2025, 10, 12), 10))
    days = days_by_date()
    assert sorted(days) == [date(2025, 9, 29), date(2025, 9, 30), date(2025, 10, 9), date(2025, 10, 10),
                            date(2025, 10, 11), date(2025, 10, 13), date(2025, 10, 14), date(2025, 10, 15)]
    assert [days[d].status for d in sorted(days)] == ["done"] * 5 + ["open"] * 3
    saturday = days[date(2025, 10, 11)]
    for order in db.session.scalars(db.select(BreakfastOrder).where(BreakfastOrder.day_id == saturday.id)):
        subscription = db.session.get(Subscription, order.subscription_id)
        monday = sorted(line.item_id for line in subscription.items if line.weekday == 0)
        assert sorted(line.item_id for line in order.lines) == monday
    assert len(db.session.scalars(db.select(BreakfastOrder).where(BreakfastOrder.day_id == saturday.id)).all()) == 30
