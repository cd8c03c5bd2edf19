"""Fulfilment under real concurrency on PostgreSQL: threads released together by a barrier, each
with its own app context (its own session and connection). Staff clicking the same step, a courier
picking up while staff hand the order to someone else, wrong delivery codes at once, a refund racing
a cancellation, and one top-up form sent twice.

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""

import pytest

from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.fulfilment import courier_steps as courier_ops
from store_app.deliveries.models import DeliveryTask
from store_app.extensions import db
from store_app.orders import errors
from store_app.orders.models import Order, OrderItem, OrderStatus
from store_app.roles import Role
from store_app.wallet import operations as wallet_ops
from store_app.wallet.errors import BalanceChanged
from store_app.wallet.models import Wallet
from store_app.fulfilment import settlement
from store_app.fulfilment import store_steps
from store_app.orders import rules as order_rules
from store_app.fulfilment import errors as fulfilment_errors
from tests.concurrency.helpers import run_together
from tests.conftest import add_shopper, build_shop, place_test_order

pytestmark = pytest.mark.postgres
POOL_SIZE = 20  # a connection for every thread at once (tests/concurrency/conftest.py)

BALANCE = 50_000


@pytest.fixture
def world(app):
    """A shop with two couriers on shift, a staff member, and a resident with a wallet order placed."""
    with app.app_context():
        shop = build_shop(couriers=2)
        shopper = add_shopper(shop, balance_cents=BALANCE)
        with transaction():
            staff = User(store_id=shop.store_id, phone="+8613911112222", name="Staff", password_hash="x",
                         role=Role.STAFF.value)
            db.session.add(staff)
            db.session.flush()
            staff_id = staff.id
        order_id = place_test_order(shopper, {shop.products["water"]: 2, shop.products["milk"]: 1})
    return shop, shopper, staff_id, order_id


def in_thread(app, user_id, verb):
    """``work`` for ``run_together``: load the actor (``user_id``, or one per thread from a tuple), wait at
    the barrier, then run ``verb(actor, i)`` in a transaction."""
    def work(i, barrier):
        with app.app_context():
            actor = db.session.get(User, user_id if not isinstance(user_id, tuple) else user_id[i])
            db.session.commit()  # end the read transaction: the race starts at the barrier
            barrier.wait()
            with transaction():
                return verb(actor, i)
    return work


def advance(app, staff_id, order_id, *targets):
    with app.app_context(), transaction():
        staff = db.session.get(User, staff_id)
        for target in targets:
            store_steps.advance_by_store(staff, order_id, target, utcnow())


def snapshot(app, order_id):
    with app.app_context():
        order = db.session.get(Order, order_id)
        task = db.session.scalar(db.select(DeliveryTask).where(DeliveryTask.order_id == order_id))
        return (order.status, order.courier_id, order.delivery_code_misses, task.status, task.courier_id,
                task.id)


def test_ten_staff_accepting_at_once_one_wins(app, world):
    _, _, staff_id, order_id = world
    results = run_together(10, in_thread(app, staff_id, lambda staff, _i: store_steps.advance_by_store(
        staff, order_id, OrderStatus.ACCEPTED, utcnow()).status))
    assert results.count("accepted") == 1
    assert all(isinstance(r, errors.StatusConflict) for r in results if r != "accepted"), results
    assert snapshot(app, order_id)[0] == "accepted"


def test_pickup_racing_a_reassignment_never_splits_order_and_task(app, world):
    shop, _, staff_id, order_id = world
    courier_a, courier_b = shop.courier_ids
    advance(app, staff_id, order_id, OrderStatus.ACCEPTED, OrderStatus.PICKING, OrderStatus.READY)
    with app.app_context(), transaction():
        store_steps.assign_courier(db.session.get(User, staff_id), order_id, courier_a, utcnow())
    task_id = snapshot(app, order_id)[5]

    def verb(actor, i):
        if i == 0:
            return courier_ops.confirm_pickup(actor, task_id, utcnow()).status
        return store_steps.assign_courier(actor, order_id, courier_b, utcnow()).status

    results = run_together(2, in_thread(app, (courier_a, staff_id), verb))
    status, order_courier, _, task_status, task_courier, _ = snapshot(app, order_id)
    assert order_courier == task_courier
    if results[0] == "picked_up":
        assert isinstance(results[1], fulfilment_errors.AlreadyPickedUp), results
        assert (status, task_status, order_courier) == ("picked_up", "picked_up", courier_a)
    else:
        assert results[1] == "assigned" and isinstance(results[0], errors.StatusConflict), results
        assert (status, task_status, order_courier) == ("assigned", "assigned", courier_b)


def test_wrong_codes_at_once_lock_at_exactly_five(app, world):
    shop, _, staff_id, order_id = world
    courier_a = shop.courier_ids[0]
    advance(app, staff_id, order_id, OrderStatus.ACCEPTED, OrderStatus.PICKING, OrderStatus.READY)
    with app.app_context(), transaction():
        store_steps.assign_courier(db.session.get(User, staff_id), order_id, courier_a, utcnow())
        courier_ops.confirm_pickup(db.session.get(User, courier_a), snapshot(app, order_id)[5], utcnow())
        db.session.execute(db.update(Order).where(Order.id == order_id).values(delivery_code="1234"))
    task_id = snapshot(app, order_id)[5]

    results = run_together(8, in_thread(app, courier_a, lambda courier, _i: courier_ops.confirm_delivery(
        courier, task_id, "4321", utcnow())))
    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(r.tries_left for r in results) == [0, 0, 0, 0, 1, 2, 3, 4]
    assert snapshot(app, order_id)[2] == order_rules.MAX_CODE_MISSES
    with app.app_context(), transaction():
        check = courier_ops.confirm_delivery(db.session.get(User, courier_a), task_id, "1234", utcnow())
    assert check.locked and snapshot(app, order_id)[0] == "picked_up"


def test_an_item_refund_racing_a_cancellation_pays_back_once(app, world):
    shop, shopper, staff_id, order_id = world
    with app.app_context():
        milk_item = db.session.scalar(db.select(OrderItem.id).where(
            OrderItem.order_id == order_id, OrderItem.product_id == shop.products["milk"]))

    def verb(staff, i):
        if i == 0:
            return store_steps.mark_item_unavailable(staff, order_id, milk_item, utcnow()).status
        return settlement.cancel_by_store(staff, order_id, utcnow(), "out_of_stock").status

    results = run_together(2, in_thread(app, staff_id, verb))
    assert results[1] == "cancelled", results
    assert results[0] in ("placed",) or isinstance(results[0], errors.StatusConflict), results
    with app.app_context():
        assert db.session.get(Wallet, shopper.user_id).balance_cents == BALANCE
        assert wallet_ops.ledger_sum(shopper.user_id) == BALANCE
        order = db.session.get(Order, order_id)
        assert order.refunded_cents == order.total_cents


def test_one_top_up_form_sent_twice_credits_once(app, world):
    _, shopper, staff_id, _ = world
    with app.app_context():
        seen = wallet_ops.get_balance(shopper.user_id)

    def verb(staff, _i):
        resident = db.session.get(User, shopper.user_id)
        return wallet_ops.top_up(staff, resident, 10_000, utcnow(), "cash", expected_balance_cents=seen).amount_cents

    results = run_together(6, in_thread(app, staff_id, verb))
    assert results.count(10_000) == 1
    assert all(isinstance(r, BalanceChanged) for r in results if r != 10_000), results
    with app.app_context():
        assert wallet_ops.get_balance(shopper.user_id) == seen + 10_000
        assert wallet_ops.ledger_sum(shopper.user_id) == seen + 10_000
