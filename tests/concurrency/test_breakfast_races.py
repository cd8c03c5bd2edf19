"""Breakfast portions under real concurrency on PostgreSQL: threads released together by a barrier,
each with its own app context (so its own session and connection), calling the real verbs inside
``transaction()`` as the pages and the API do.

- fifty parents for the last ten portions: ten orders, forty clean ``SoldOut``;
- the same when the day (and the store's breakfast settings) do not exist yet, so every parent also
  races to create them;
- one order sent ten times at once with its idempotency key: placed once, the rest a replay or a 409;
- a day made while parents order by hand: the subscriptions' orders and the hand orders together
  never take more than the capacity, and ``taken`` is the sum of the live order lines;
- cancels racing each other and hand orders while parents wait: every freed portion is held for one
  waiting parent only, and a hand order never takes a held portion.

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""
from collections import Counter
from datetime import timedelta

import pytest

from store_app.accounts.models import User
from store_app.breakfast import errors, operations
from store_app.breakfast.models import (BreakfastDay, BreakfastOrder, BreakfastOrderLine, BreakfastSettings, DayItem,
                                        HOLDING, Subscription, SubscriptionItem, WaitlistEntry)
from store_app.database import transaction
from store_app.extensions import db
from store_app.roles import Role
from store_app.stores.models import Store
from tests.breakfast_support import SCHOOL_MONDAY, add_child, add_item, evening_before
from tests.concurrency.helpers import run_together
from tests.conftest import new_phone

pytestmark = pytest.mark.postgres
POOL_SIZE = 60  # a connection for every thread at once (tests/concurrency/conftest.py)

TUESDAY = SCHOOL_MONDAY + timedelta(days=1)
WEDNESDAY = SCHOOL_MONDAY + timedelta(days=2)


def add_families(store_id, count, allergies=()):
    """``count`` parents with one child each: ``[(parent_id, child_id)]``. Nobody logs in here, so no
    password hash is computed."""
    with transaction():
        parents = [User(store_id=store_id, phone=new_phone(), name=f"Parent {i}", password_hash="-",
                        role=Role.RESIDENT.value) for i in range(count)]
        db.session.add_all(parents)
        db.session.flush()
        return [(parent.id, add_child(store_id, parent.id, name=f"孩子{i}", allergies=allergies).id)
                for i, parent in enumerate(parents)]


def order_in_thread(app, store_id, families, day, quantities, now):
    """``work`` for ``run_together``: parent ``i`` orders ``quantities`` for their child through
    ``operations.place_order`` (which makes the day first if needed). Returns ``("order", id)`` or
    ``("refused", error class name)``; anything else comes back as the exception itself."""
    def work(i, barrier):
        parent_id, child_id = families[i]
        with app.app_context():
            store = db.session.get(Store, store_id)
            db.session.commit()  # end the read transaction: the race starts at the barrier
            barrier.wait()
            try:
                with transaction():
                    return ("order", operations.place_order(store, parent_id, child_id, day, quantities, now).id)
            except errors.BreakfastError as refused:
                assert refused.status == 409, refused  # the page's and the API's clean answer
                return ("refused", type(refused).__name__)
    return work


def unexpected(results):
    return [r for r in results if not isinstance(r, tuple)]


def portions(app, item_id, day):
    """``(capacity, taken, held, sum of live order lines)`` of an item on a date."""
    with app.app_context():
        row = db.session.execute(db.select(DayItem.capacity, DayItem.taken, DayItem.held)
                                 .join(BreakfastDay, BreakfastDay.id == DayItem.day_id)
                                 .where(DayItem.item_id == item_id, BreakfastDay.date == day)).one()
        lines = db.session.scalar(
            db.select(db.func.coalesce(db.func.sum(BreakfastOrderLine.quantity), 0))
            .join(BreakfastOrder, BreakfastOrder.id == BreakfastOrderLine.order_id)
            .join(BreakfastDay, BreakfastDay.id == BreakfastOrder.day_id)
            .where(BreakfastOrderLine.item_id == item_id, BreakfastDay.date == day,
                   BreakfastOrder.status.in_(HOLDING)))
        return (*row, lines)


@pytest.fixture
def menu(app, create_store):
    """A store with soy milk (10 portions a day) and fifty families: ``(store_id, milk_id, families)``."""
    store_id = create_store()
    with app.app_context():
        with transaction():
            milk = add_item(store_id, capacity=10)
        return store_id, milk.id, add_families(store_id, 50)


# ---- fifty parents, ten portions -----------------------------------------------------------------

def test_fifty_parents_for_ten_portions_give_ten_orders_and_forty_clean_refusals(app, menu):
    store_id, milk, families = menu
    now = evening_before(TUESDAY, 18)
    with app.app_context(), transaction():
        operations.ensure_day(db.session.get(Store, store_id), TUESDAY, now)  # the race is on the portions only

    results = run_together(50, order_in_thread(app, store_id, families, TUESDAY, {milk: 1}, now))

    assert unexpected(results) == []
    assert Counter(r[0] for r in results) == {"order": 10, "refused": 40}, results
    assert {r[1] for r in results if r[0] == "refused"} == {"SoldOut"}
    assert portions(app, milk, TUESDAY) == (10, 10, 0, 10)
    with app.app_context():
        orders = db.session.scalars(db.select(BreakfastOrder)).all()
        assert len(orders) == 10 and len({o.child_id for o in orders}) == 10
        assert len({o.code_hash for o in orders}) == 10  # every child its own pickup code


def test_fifty_parents_making_the_day_and_its_settings_at_once_give_one_day_and_ten_orders(app, menu):
    """Nobody has looked at the date (nor at the store's breakfast settings) yet: every parent's
    ``place_order`` also races to create the settings row and the day; one of each is made."""
    store_id, milk, families = menu
    with app.app_context():
        assert db.session.get(BreakfastSettings, store_id) is None
    now = evening_before(TUESDAY, 18)

    results = run_together(50, order_in_thread(app, store_id, families, TUESDAY, {milk: 1}, now))

    assert unexpected(results) == []
    assert Counter(r[0] for r in results) == {"order": 10, "refused": 40}, results
    assert {r[1] for r in results if r[0] == "refused"} == {"SoldOut"}
    assert portions(app, milk, TUESDAY) == (10, 10, 0, 10)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(BreakfastDay)) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(BreakfastSettings)) == 1


def test_one_order_sent_ten_times_at_once_is_placed_once(app, menu):
    """A parent's order form sent ten times at once with its idempotency key (a double tap, a retry):
    one order and one portion; every other answer is that order (a replay) or a clean 409."""
    store_id, milk, families = menu
    now = evening_before(TUESDAY, 18)
    with app.app_context(), transaction():
        operations.ensure_day(db.session.get(Store, store_id), TUESDAY, now)
    parent_id, child_id = families[0]

    def work(_i, barrier):
        with app.app_context():
            store = db.session.get(Store, store_id)
            db.session.commit()
            barrier.wait()
            try:
                with transaction():
                    return ("order", operations.place_order(store, parent_id, child_id, TUESDAY, {milk: 1}, now,
                                                            idempotency_key="breakfast-tap-0001").id)
            except errors.AlreadyOrdered as refused:
                return ("refused", refused.status)

    results = run_together(10, work)

    assert unexpected(results) == []
    with app.app_context():
        (order_id,) = db.session.scalars(db.select(BreakfastOrder.id)).all()
    assert all(r in (("order", order_id), ("refused", 409)) for r in results), results
    assert ("order", order_id) in results
    assert portions(app, milk, TUESDAY) == (10, 1, 0, 1)


# ---- a day made while parents order by hand -------------------------------------------------------

def subscribe(store_id, families, item_id, starts_on, ends_on):
    """A subscription per family: one portion of ``item_id`` every weekday."""
    with transaction():
        for parent_id, child_id in families:
            subscription = Subscription(store_id=store_id, child_id=child_id, parent_id=parent_id,
                                        starts_on=starts_on, ends_on=ends_on, status="active")
            subscription.items = [SubscriptionItem(weekday=d, item_id=item_id, quantity=1) for d in range(5)]
            db.session.add(subscription)


def test_a_day_made_while_parents_order_by_hand_never_oversells(app, create_store):
    """20 subscriptions cover Wednesday, whose day does not exist yet; 25 portions. One thread makes the
    day (``ensure_day``, as the opening job does) while 30 parents order by hand (their ``place_order``
    makes it too): 5 of them for a subscribed child, 25 for other children."""
    store_id = create_store()
    with app.app_context():
        with transaction():
            milk = add_item(store_id, capacity=25).id
        subscribed = add_families(store_id, 20)
        others = add_families(store_id, 25)
        subscribe(store_id, subscribed, milk, SCHOOL_MONDAY, SCHOOL_MONDAY + timedelta(days=13))
    hand = subscribed[:5] + others
    now = evening_before(WEDNESDAY, 7)
    by_hand = order_in_thread(app, store_id, hand, WEDNESDAY, {milk: 1}, now)

    def work(i, barrier):
        if i < len(hand):
            return by_hand(i, barrier)
        with app.app_context():
            store = db.session.get(Store, store_id)
            db.session.commit()
            barrier.wait()
            with transaction():
                return ("day", operations.ensure_day(store, WEDNESDAY, now).id)

    results = run_together(len(hand) + 1, work)

    assert unexpected(results) == []
    capacity, taken, held, lines = portions(app, milk, WEDNESDAY)
    assert taken <= capacity and taken == lines and held == 0
    # The day is made once, with every subscription's order in the same step: no subscriber is sold out.
    with app.app_context():
        day_id = db.session.scalar(db.select(BreakfastDay.id).where(BreakfastDay.date == WEDNESDAY))
        live = db.session.scalars(db.select(BreakfastOrder).where(BreakfastOrder.day_id == day_id,
                                                                  BreakfastOrder.status.in_(HOLDING))).all()
    assert results[-1] == ("day", day_id)
    assert sorted(o.child_id for o in live if o.subscription_id) == sorted(c for _p, c in subscribed)
    assert len({o.child_id for o in live}) == len(live) == taken == 25
    refusals = Counter(r[1] for r in results[:5])
    assert refusals == {"AlreadyOrdered": 5}, results[:5]  # the subscribed children already had theirs
    outcome = Counter(r[0] if r[0] == "order" else r[1] for r in results[5:-1])
    assert outcome == {"order": 5, "SoldOut": 20}, results[5:-1]


# ---- freed portions and the waitlist ---------------------------------------------------------------

def test_cancels_racing_hand_orders_give_each_freed_portion_to_one_waiting_parent(app, create_store):
    """10 portions, all taken; 5 parents wait. 5 holders cancel while 20 other parents order by hand at
    the same moment: each freed portion is held for a different waiting parent, the hand orders are all
    sold out, and nothing is oversold."""
    store_id = create_store()
    now = evening_before(TUESDAY, 18)
    with app.app_context():
        with transaction():
            milk = add_item(store_id, capacity=10).id
        holders, waiting, latecomers = add_families(store_id, 10), add_families(store_id, 5), add_families(store_id, 20)
        with transaction():
            store = db.session.get(Store, store_id)
            orders = [operations.place_order(store, p, c, TUESDAY, {milk: 1}, now).id for p, c in holders]
            day_item = db.session.scalar(db.select(DayItem.id).where(DayItem.item_id == milk))
            for minute, (parent_id, child_id) in enumerate(waiting):
                db.session.add(WaitlistEntry(day_item_id=day_item, child_id=child_id, parent_id=parent_id,
                                             created_at=now + timedelta(minutes=minute)))
    cancelling = list(zip(holders[:5], orders[:5]))
    by_hand = order_in_thread(app, store_id, latecomers, TUESDAY, {milk: 1}, now + timedelta(minutes=30))

    def work(i, barrier):
        if i >= len(cancelling):
            return by_hand(i - len(cancelling), barrier)
        (parent_id, _child), order_id = cancelling[i]
        with app.app_context():
            barrier.wait()
            with transaction():
                return ("cancelled", operations.cancel_order(parent_id, order_id, now + timedelta(minutes=30)).id)

    results = run_together(len(cancelling) + len(latecomers), work)

    assert unexpected(results) == []
    assert Counter(r[0] for r in results[:5]) == {"cancelled": 5}
    assert Counter(r[1] for r in results[5:]) == {"SoldOut": 20}, results[5:]
    assert portions(app, milk, TUESDAY) == (10, 5, 5, 5)
    with app.app_context():
        entries = db.session.scalars(db.select(WaitlistEntry)).all()
    assert Counter(e.status for e in entries) == {"offered": 5}
    assert len({e.child_id for e in entries}) == 5


def test_two_cancels_at_once_with_one_parent_waiting_offer_the_portion_once(app, create_store):
    """Two holders cancel at the same moment, one parent waits: the first freed portion is held for
    them, the second stays free (a hand order may take it); never two offers to one parent."""
    store_id = create_store()
    now = evening_before(TUESDAY, 18)
    with app.app_context():
        with transaction():
            milk = add_item(store_id, capacity=2).id
        holders, (waiter,) = add_families(store_id, 2), add_families(store_id, 1)
        with transaction():
            store = db.session.get(Store, store_id)
            orders = [operations.place_order(store, p, c, TUESDAY, {milk: 1}, now).id for p, c in holders]
            day_item = db.session.scalar(db.select(DayItem.id).where(DayItem.item_id == milk))
            db.session.add(WaitlistEntry(day_item_id=day_item, child_id=waiter[1], parent_id=waiter[0],
                                         created_at=now))

    def work(i, barrier):
        with app.app_context():
            barrier.wait()
            with transaction():
                return operations.cancel_order(holders[i][0], orders[i], now + timedelta(minutes=5)).status

    assert run_together(2, work) == ["cancelled", "cancelled"]
    assert portions(app, milk, TUESDAY) == (2, 0, 1, 0)
    with app.app_context():
        (entry,) = db.session.scalars(db.select(WaitlistEntry)).all()
        assert entry.status == "offered"
