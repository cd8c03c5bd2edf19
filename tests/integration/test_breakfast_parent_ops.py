"""The parent's breakfast verbs on a real database: subscriptions over China's calendar (National Day
2025), pausing, cancelling a range, skipping and changing a day at the cutoff second, the waitlist's
claim window, children and their feed tokens."""
from datetime import date, timedelta

import pytest

from store_app.breakfast import children, errors, operations, subscription_ops, waitlist_ops
from store_app.breakfast.models import (BreakfastOrder, DayItem, OrderStatus, Subscription, WaitlistEntry)
from store_app.database import transaction
from store_app.extensions import db
from store_app.roles import Role
from store_app.stores.models import Store
from tests.breakfast_support import SCHOOL_MONDAY, add_child, add_item, local

# National Day 2025: Sunday 28 September and Saturday 11 October were school days, 1-8 October not.
SEP_26, OCT_12 = date(2025, 9, 26), date(2025, 10, 12)


@pytest.fixture
def family(app, create_store, create_user):
    store_id = create_store()
    parent = create_user(store_id, Role.RESIDENT, name="Parent")[0]
    other = create_user(store_id, Role.RESIDENT, name="Other parent")[0]
    return store_id, parent, other


def _every_weekday(item_id, n=1):
    return {weekday: {item_id: n} for weekday in range(5)}


def test_a_subscription_over_national_day_covers_the_make_up_weekends_and_skips_the_holiday(app, family):
    store_id, parent, _other = family
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id, price_cents=300)
        child = add_child(store_id, parent)
        plan = subscription_ops.preview(store, child, SEP_26, OCT_12, _every_weekday(milk.id), local(SEP_26 - timedelta(days=5)))
        days = [d.date for d in plan.days]
        assert date(2025, 9, 28) in days and date(2025, 10, 11) in days
        assert [d.date for d in plan.days if d.make_up] == [date(2025, 9, 28), date(2025, 10, 11)]
        assert not any(date(2025, 10, 1) <= d <= date(2025, 10, 8) for d in days)
        assert days == [date(2025, 9, 26), date(2025, 9, 28), date(2025, 9, 29), date(2025, 9, 30),
                        date(2025, 10, 9), date(2025, 10, 10), date(2025, 10, 11)]
        assert plan.total_cents == 7 * 300
        assert (date(2025, 10, 1), "holiday") in plan.skipped


def test_creating_a_subscription_orders_the_open_days_at_once_and_later_days_when_they_open(app, family):
    store_id, parent, _other = family
    now = local(SCHOOL_MONDAY, 10)  # Monday: Tuesday to Thursday are open (3 days ahead)
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id, capacity=1)
        child = add_child(store_id, parent)
        other = add_child(store_id, parent, name="小刚")
        operations.place_order(store, parent, other.id, SCHOOL_MONDAY + timedelta(days=2), {milk.id: 1}, now)
        created = subscription_ops.create_subscription(
            store, parent, child.id, SCHOOL_MONDAY + timedelta(days=1), SCHOOL_MONDAY + timedelta(days=4),
            _every_weekday(milk.id), now, idempotency_key="sub-key-0001")
        assert created.placed == [SCHOOL_MONDAY + timedelta(days=1), SCHOOL_MONDAY + timedelta(days=3)]
        assert created.missed == [(SCHOOL_MONDAY + timedelta(days=2), "sold_out")]
        replay = subscription_ops.create_subscription(
            store, parent, child.id, SCHOOL_MONDAY + timedelta(days=1), SCHOOL_MONDAY + timedelta(days=4),
            _every_weekday(milk.id), now, idempotency_key="sub-key-0001")
        assert replay.subscription.id == created.subscription.id
        assert db.session.scalar(db.select(db.func.count(Subscription.id))) == 1
        friday = operations.ensure_day(store, SCHOOL_MONDAY + timedelta(days=4), local(SCHOOL_MONDAY + timedelta(days=1)))
        order = db.session.scalar(db.select(BreakfastOrder).where(BreakfastOrder.day_id == friday.id))
        assert order.child_id == child.id and order.subscription_id == created.subscription.id


def test_pause_cancels_the_days_until_then_and_no_new_ones_are_made(app, family):
    store_id, parent, _other = family
    now = local(SCHOOL_MONDAY, 10)
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id)
        child = add_child(store_id, parent)
        created = subscription_ops.create_subscription(store, parent, child.id, SCHOOL_MONDAY + timedelta(days=1),
                                                       SCHOOL_MONDAY + timedelta(days=11), _every_weekday(milk.id), now)
        assert len(created.placed) == 3
        cancelled = subscription_ops.pause_until(parent, created.subscription.id, SCHOOL_MONDAY + timedelta(days=7), now)
        assert cancelled == 3
        friday = operations.ensure_day(store, SCHOOL_MONDAY + timedelta(days=4), local(SCHOOL_MONDAY + timedelta(days=1)))
        assert db.session.scalar(db.select(BreakfastOrder.id).where(BreakfastOrder.day_id == friday.id)) is None
        next_wed = operations.ensure_day(store, SCHOOL_MONDAY + timedelta(days=9), local(SCHOOL_MONDAY + timedelta(days=7)))
        assert db.session.scalar(db.select(BreakfastOrder.id).where(BreakfastOrder.day_id == next_wed.id)) is not None
        day_item = db.session.scalar(db.select(DayItem).join(DayItem.day).where(DayItem.day_id != next_wed.id).limit(1))
        assert day_item.taken == 0


def test_cancelling_a_range_in_the_middle_splits_the_subscription(app, family):
    store_id, parent, _other = family
    now = local(SCHOOL_MONDAY, 10)
    tuesday, friday = SCHOOL_MONDAY + timedelta(days=1), SCHOOL_MONDAY + timedelta(days=4)
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id)
        child = add_child(store_id, parent)
        created = subscription_ops.create_subscription(store, parent, child.id, tuesday, friday + timedelta(days=7),
                                                       _every_weekday(milk.id), now)
        sub = created.subscription
        cancelled = subscription_ops.cancel_range(parent, sub.id, tuesday + timedelta(days=1), tuesday + timedelta(days=1), now)
        assert cancelled == 1
        assert (sub.starts_on, sub.ends_on) == (tuesday, tuesday)
        rest = db.session.scalar(db.select(Subscription).where(Subscription.id != sub.id))
        assert (rest.starts_on, rest.ends_on) == (tuesday + timedelta(days=2), friday + timedelta(days=7))
        thursday_order = db.session.scalar(db.select(BreakfastOrder).join(BreakfastOrder.day).where(
            BreakfastOrder.status == "placed", BreakfastOrder.day.has(date=tuesday + timedelta(days=2))))
        assert thursday_order.subscription_id == rest.id
        # The whole range at once is refused when one of its days is past its cancel cutoff.
        with pytest.raises(errors.PastCancelCutoff):
            subscription_ops.cancel_range(parent, sub.id, tuesday, tuesday, local(SCHOOL_MONDAY, 21))


def test_skip_and_change_at_the_cutoff_second(app, family):
    store_id, parent, _other = family
    tuesday = SCHOOL_MONDAY + timedelta(days=1)
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id, price_cents=300)
        bun = add_item(store_id, name_zh="包子", name_en="Bun", price_cents=250, allergens=("gluten",))
        child = add_child(store_id, parent)
        first = operations.place_order(store, parent, child.id, tuesday, {milk.id: 1}, local(SCHOOL_MONDAY, 8))
        changed = operations.change_order(parent, first.id, {bun.id: 2}, local(SCHOOL_MONDAY, 20, 59, 59))
        assert changed.total_cents == 500 and [l.item_id for l in changed.lines] == [bun.id]
        with pytest.raises(errors.PastCutoff):
            operations.change_order(parent, first.id, {milk.id: 1}, local(SCHOOL_MONDAY, 21))
        with pytest.raises(errors.PastCutoff):
            operations.cancel_order(parent, first.id, local(SCHOOL_MONDAY, 21))
        wednesday = SCHOOL_MONDAY + timedelta(days=2)
        second = operations.place_order(store, parent, child.id, wednesday, {milk.id: 1}, local(SCHOOL_MONDAY, 8))
        skipped = operations.cancel_order(parent, second.id, local(tuesday, 20, 59, 59))
        assert skipped.status == OrderStatus.CANCELLED


def test_the_waitlist_claim_window_closes_before_the_cutoff_and_passes_on(app, family):
    store_id, parent, other = family
    tuesday = SCHOOL_MONDAY + timedelta(days=1)
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id, capacity=1)
        taker = add_child(store_id, parent)
        first_waiting = add_child(store_id, other, name="小红")
        third = add_child(store_id, other, name="小兰")
        order = operations.place_order(store, parent, taker.id, tuesday, {milk.id: 1}, local(SCHOOL_MONDAY, 8))
        day_item = db.session.scalar(db.select(DayItem).where(DayItem.item_id == milk.id))
        entry_one = waitlist_ops.join(store, other, first_waiting.id, day_item.id, local(SCHOOL_MONDAY, 9))
        entry_two = waitlist_ops.join(store, other, third.id, day_item.id, local(SCHOOL_MONDAY, 9, 1))
        with pytest.raises(errors.AlreadyWaiting):
            waitlist_ops.join(store, other, third.id, day_item.id, local(SCHOOL_MONDAY, 9, 2))
        operations.cancel_order(parent, order.id, local(SCHOOL_MONDAY, 20, 30))
        db.session.refresh(entry_one)
        assert entry_one.status == "offered" and entry_one.offer_expires_at == local(SCHOOL_MONDAY, 21)
        # Nobody claims: at 21:00 the window closed with the cutoff, so the portion is only freed.
        assert waitlist_ops.expire_offers(store_id, local(SCHOOL_MONDAY, 20, 59)) == 0
        assert waitlist_ops.expire_offers(store_id, local(SCHOOL_MONDAY, 21)) == 1
        db.session.refresh(entry_one), db.session.refresh(entry_two), db.session.refresh(day_item)
        assert (entry_one.status, entry_two.status) == ("expired", "waiting")
        assert (day_item.taken, day_item.held) == (0, 0)


def test_an_expired_offer_passes_to_the_next_and_a_claim_takes_the_held_portion(app, family):
    store_id, parent, other = family
    tuesday = SCHOOL_MONDAY + timedelta(days=1)
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id, capacity=1)
        taker = add_child(store_id, parent)
        one, two = add_child(store_id, other, name="小红"), add_child(store_id, other, name="小兰")
        order = operations.place_order(store, parent, taker.id, tuesday, {milk.id: 1}, local(SCHOOL_MONDAY, 8))
        day_item = db.session.scalar(db.select(DayItem).where(DayItem.item_id == milk.id))
        entry_one = waitlist_ops.join(store, other, one.id, day_item.id, local(SCHOOL_MONDAY, 9))
        entry_two = waitlist_ops.join(store, other, two.id, day_item.id, local(SCHOOL_MONDAY, 9, 1))
        operations.cancel_order(parent, order.id, local(SCHOOL_MONDAY, 12))
        with pytest.raises(errors.OfferExpired):
            waitlist_ops.claim(other, entry_one.id, local(SCHOOL_MONDAY, 13))  # the hour is over
        assert waitlist_ops.expire_offers(store_id, local(SCHOOL_MONDAY, 13)) == 1
        db.session.refresh(entry_two)
        assert entry_two.status == "offered" and entry_two.offer_expires_at == local(SCHOOL_MONDAY, 14)
        with pytest.raises(errors.WaitlistEntryNotFound):
            waitlist_ops.claim(parent, entry_two.id, local(SCHOOL_MONDAY, 13, 30))  # not theirs
        claimed = waitlist_ops.claim(other, entry_two.id, local(SCHOOL_MONDAY, 13, 30))
        db.session.refresh(day_item), db.session.refresh(entry_two)
        assert claimed.child_id == two.id and claimed.total_cents == milk.price_cents
        assert (day_item.taken, day_item.held, entry_two.status) == (1, 0, "claimed")
        with pytest.raises(errors.OfferExpired):
            waitlist_ops.claim(other, entry_two.id, local(SCHOOL_MONDAY, 13, 31))


def test_withdrawing_an_offer_gives_the_portion_on(app, family):
    store_id, parent, other = family
    tuesday = SCHOOL_MONDAY + timedelta(days=1)
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id, capacity=1)
        taker, one = add_child(store_id, parent), add_child(store_id, other, name="小红")
        with pytest.raises(errors.NotSoldOut):
            day = operations.ensure_day(store, tuesday, local(SCHOOL_MONDAY, 8))
            waitlist_ops.join(store, other, one.id, day.items[0].id, local(SCHOOL_MONDAY, 8))
        order = operations.place_order(store, parent, taker.id, tuesday, {milk.id: 1}, local(SCHOOL_MONDAY, 8))
        day_item = db.session.scalar(db.select(DayItem).where(DayItem.item_id == milk.id))
        entry = waitlist_ops.join(store, other, one.id, day_item.id, local(SCHOOL_MONDAY, 9))
        operations.cancel_order(parent, order.id, local(SCHOOL_MONDAY, 12))
        waitlist_ops.withdraw(other, entry.id, local(SCHOOL_MONDAY, 12, 5))
        db.session.refresh(day_item)
        assert (day_item.taken, day_item.held) == (0, 0)
        assert db.session.scalar(db.select(WaitlistEntry.status)) == "withdrawn"


def test_allergens_block_a_subscription_and_a_waitlist_place(app, family):
    store_id, parent, _other = family
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id, allergens=("milk",))
        child = add_child(store_id, parent, allergies=("milk",))
        with pytest.raises(errors.AllergenBlocked):
            subscription_ops.preview(store, child, SCHOOL_MONDAY, SCHOOL_MONDAY + timedelta(days=4),
                                     _every_weekday(milk.id), local(SCHOOL_MONDAY - timedelta(days=3)))


def test_children_feed_token_rotates_and_removal_skips_what_can_be_skipped(app, family):
    store_id, parent, other = family
    from store_app.accounts.models import User

    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id)
        child = children.add_child(db.session.get(User, parent), name=" 小明 ", allergies=["milk", "eggs"],
                                   now=local(SCHOOL_MONDAY))
        assert child.name == "小明" and child.allergies == "eggs,milk" and len(child.feed_token) == 43
        old = child.feed_token
        children.rotate_feed_token(parent, child.id)
        assert child.feed_token != old and children.child_by_feed_token(old) is None
        with pytest.raises(errors.ChildNotFound):
            children.rotate_feed_token(other, child.id)
        operations.place_order(store, parent, child.id, SCHOOL_MONDAY + timedelta(days=1), {milk.id: 1}, local(SCHOOL_MONDAY, 8))
        kept = children.remove_child(parent, child.id, local(SCHOOL_MONDAY, 9))
        assert kept == 0 and not child.is_active
        assert db.session.scalar(db.select(BreakfastOrder.status)) == "cancelled"


def test_the_waitlist_job_is_listed_per_store_and_expires_offers(app, family):
    from store_app.breakfast import jobs

    store_id, parent, other = family
    tuesday = SCHOOL_MONDAY + timedelta(days=1)
    with app.app_context():
        assert f"breakfast:waitlist:{store_id}" in [job.name for job in jobs.periodic_jobs()]
        with transaction():
            store = db.session.get(Store, store_id)
            milk = add_item(store_id, capacity=1)
            taker, waiting = add_child(store_id, parent), add_child(store_id, other, name="小红")
            order = operations.place_order(store, parent, taker.id, tuesday, {milk.id: 1}, local(SCHOOL_MONDAY, 8))
            day_item_id = db.session.scalar(db.select(DayItem.id).where(DayItem.item_id == milk.id))
            waitlist_ops.join(store, other, waiting.id, day_item_id, local(SCHOOL_MONDAY, 9))
            operations.cancel_order(parent, order.id, local(SCHOOL_MONDAY, 12))
        assert jobs.expire_waitlist_offers(store_id, local(SCHOOL_MONDAY, 12, 30)) == f"store {store_id}: 0 waitlist offers expired"
        assert jobs.expire_waitlist_offers(store_id, local(SCHOOL_MONDAY, 13)) == f"store {store_id}: 1 waitlist offers expired"
        assert jobs.expire_waitlist_offers(store_id, local(SCHOOL_MONDAY, 13)) == f"store {store_id}: 0 waitlist offers expired"
        day_item = db.session.get(DayItem, day_item_id)
        assert (day_item.taken, day_item.held) == (0, 0)


def test_a_removed_child_cannot_claim_an_offer_made_before(app, family):
    store_id, parent, other = family
    tuesday = SCHOOL_MONDAY + timedelta(days=1)
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id, capacity=1)
        taker, waiting = add_child(store_id, parent), add_child(store_id, other, name="小红")
        order = operations.place_order(store, parent, taker.id, tuesday, {milk.id: 1}, local(SCHOOL_MONDAY, 8))
        day_item = db.session.scalar(db.select(DayItem).where(DayItem.item_id == milk.id))
        entry = waitlist_ops.join(store, other, waiting.id, day_item.id, local(SCHOOL_MONDAY, 9))
        operations.cancel_order(parent, order.id, local(SCHOOL_MONDAY, 12))
        db.session.refresh(entry)
        assert entry.status == "offered"
        children.remove_child(other, waiting.id, local(SCHOOL_MONDAY, 12, 10))
        with pytest.raises(errors.ChildNotFound):
            waitlist_ops.claim(other, entry.id, local(SCHOOL_MONDAY, 12, 20))
