"""The core breakfast verbs on a real database: days, portions, one child's order, cancelling."""
import pytest

from store_app.breakfast import errors, operations
from store_app.breakfast.models import DayItem, OrderStatus, Subscription, SubscriptionItem, WaitlistEntry
from store_app.database import transaction
from store_app.extensions import db
from store_app.roles import Role
from store_app.stores.models import Store
from tests.breakfast_support import SCHOOL_MONDAY, add_child, add_item, evening_before, local


@pytest.fixture
def parents(app, create_store, create_user):
    store_id = create_store()
    ids = [create_user(store_id, Role.RESIDENT, name=f"Parent {n}")[0] for n in range(3)]
    return store_id, ids


def test_an_order_takes_portions_and_a_cancel_gives_them_back(app, parents):
    store_id, (parent, *_rest) = parents
    tuesday = SCHOOL_MONDAY.replace(day=11)
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id, capacity=2)
        child = add_child(store_id, parent)
        order = operations.place_order(store, parent, child.id, tuesday, {milk.id: 2}, evening_before(tuesday))
        assert order.status == OrderStatus.PLACED and order.total_cents == 600
        assert operations.pickup_code(order).isdigit()
        day_item = db.session.scalar(db.select(DayItem).where(DayItem.item_id == milk.id))
        assert (day_item.taken, day_item.capacity) == (2, 2)
        operations.cancel_order(parent, order.id, evening_before(tuesday))
        db.session.refresh(day_item)
        assert day_item.taken == 0


def test_sold_out_refuses_and_the_waitlist_gets_the_freed_portion(app, parents):
    store_id, (first, second, _third) = parents
    tuesday = SCHOOL_MONDAY.replace(day=11)
    now = evening_before(tuesday, 18)
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id, capacity=1)
        one, two = add_child(store_id, first), add_child(store_id, second, name="小红")
        order = operations.place_order(store, first, one.id, tuesday, {milk.id: 1}, now)
        with pytest.raises(errors.SoldOut):
            operations.place_order(store, second, two.id, tuesday, {milk.id: 1}, now)
        day_item = db.session.scalar(db.select(DayItem).where(DayItem.item_id == milk.id))
        db.session.add(WaitlistEntry(day_item_id=day_item.id, child_id=two.id, parent_id=second, created_at=now))
        db.session.flush()
        operations.cancel_order(first, order.id, now)
        entry = db.session.scalar(db.select(WaitlistEntry))
        db.session.refresh(day_item)
        assert entry.status == "offered" and (day_item.taken, day_item.held) == (0, 1)
        assert entry.offer_expires_at == local(tuesday.replace(day=10), 19)  # an hour, before the 21:00 cutoff


def test_the_cutoff_second(app, parents):
    store_id, (parent, *_rest) = parents
    tuesday = SCHOOL_MONDAY.replace(day=11)
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id)
        child, other = add_child(store_id, parent), add_child(store_id, parent, name="小刚")
        operations.place_order(store, parent, child.id, tuesday, {milk.id: 1}, local(SCHOOL_MONDAY, 20, 59, 59))
        with pytest.raises(errors.PastCutoff):
            operations.place_order(store, parent, other.id, tuesday, {milk.id: 1}, local(SCHOOL_MONDAY, 21))


def test_allergens_block_and_unknown_allergens_block_an_allergic_child(app, parents):
    store_id, (parent, *_rest) = parents
    tuesday = SCHOOL_MONDAY.replace(day=11)
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id, allergens=("milk",))
        mystery = add_item(store_id, name_zh="神秘包", name_en="Mystery bun", known=False, allergens=())
        child = add_child(store_id, parent, allergies=("milk",))
        with pytest.raises(errors.AllergenBlocked):
            operations.place_order(store, parent, child.id, tuesday, {milk.id: 1}, evening_before(tuesday))
        with pytest.raises(errors.AllergenBlocked) as refused:
            operations.place_order(store, parent, child.id, tuesday, {mystery.id: 1}, evening_before(tuesday))
        assert refused.value.unknown


def test_a_new_day_places_its_subscriptions_before_anyone_orders_by_hand(app, parents):
    store_id, (parent, other_parent, _third) = parents
    wednesday = SCHOOL_MONDAY.replace(day=12)
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id, capacity=1)
        child, other = add_child(store_id, parent), add_child(store_id, other_parent, name="小红")
        subscription = Subscription(store_id=store_id, child_id=child.id, parent_id=parent, starts_on=SCHOOL_MONDAY,
                                    ends_on=wednesday, status="active")
        subscription.items = [SubscriptionItem(weekday=2, item_id=milk.id, quantity=1)]
        db.session.add(subscription)
        db.session.flush()
        with pytest.raises(errors.SoldOut):
            operations.place_order(store, other_parent, other.id, wednesday, {milk.id: 1}, evening_before(wednesday))
        day = operations.find_day(store_id, wednesday)
        held = operations.upcoming_orders(child.id, local(SCHOOL_MONDAY, 8))
        assert [(o.day_id, o.subscription_id) for o in held] == [(day.id, subscription.id)]
