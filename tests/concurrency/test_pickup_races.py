"""Pickup at the store (到店自提) under real concurrency on PostgreSQL: two counters confirming one
pickup code at the same moment (through the pages) and ten through the operation give one handover;
the others get a clean 409.

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""
import pytest

from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.fulfilment import pickup_counter, store_steps
from store_app.fulfilment.errors import AlreadyCollected
from store_app.orders import pickup
from store_app.orders.checkout import new_idempotency_key, place_order
from store_app.orders.models import Order, OrderEvent, OrderStatus
from tests.concurrency.helpers import run_together
from tests.concurrency.test_parcel_races import add_staff
from tests.conftest import AuthActions, add_shopper, build_shop, csrf_token, fill_cart

pytestmark = pytest.mark.postgres
POOL_SIZE = 30

COUNTER = "/console/pickups"


@pytest.fixture
def waiting(app):
    """A packed pickup order waiting at the counter, and two staff members: ``(order_id, code, staff)``."""
    with app.app_context():
        shop = build_shop(couriers=0)
        resident = add_shopper(shop, building_id=shop.outside_building_id)
        staff = add_staff(shop.store_id, 2)
        fill_cart(resident.user_id, {shop.products["water"]: 2})
        with transaction():
            user = db.session.get(User, resident.user_id)
            order, _ = place_order(user, address_id=None, payment_method="wallet",
                                   idempotency_key=new_idempotency_key(), now=utcnow(), fulfilment="pickup")
            order_id, code = order.id, pickup.pickup_code(order)
        clerk = db.session.get(User, staff[0][0])
        for target in (OrderStatus.ACCEPTED, OrderStatus.PICKING, OrderStatus.READY):
            with transaction():
                store_steps.advance_by_store(clerk, order_id, target, utcnow())
    return order_id, code, staff


def collected(app, order_id):
    with app.app_context():
        order = db.session.get(Order, order_id)
        events = db.session.scalar(db.select(db.func.count()).select_from(OrderEvent).where(
            OrderEvent.order_id == order_id, OrderEvent.status == OrderStatus.COLLECTED.value))
        return order.status, events


def test_two_counters_confirming_one_pickup_code_at_once_give_one_handover_and_a_clean_409(app, waiting):
    order_id, code, staff = waiting
    counters = []
    for _, phone in staff:
        client = app.test_client()
        assert AuthActions(client).login(phone).status_code == 302
        token = csrf_token(client, COUNTER)
        found = client.post(COUNTER, data={"code": code, "csrf_token": token})
        assert found.status_code == 200
        ticket = found.get_data(as_text=True).split('name="ticket" value="')[1].split('"')[0]
        counters.append((client, {"csrf_token": token, "ticket": ticket}))

    def work(i, barrier):
        client, data = counters[i]
        barrier.wait()
        return client.post(f"{COUNTER}/hand-over", data=data).status_code

    results = run_together(2, work)
    assert sorted(results) == [303, 409], results
    assert collected(app, order_id) == ("collected", 1)


def test_ten_handovers_of_one_order_through_the_operation_give_one(app, waiting):
    order_id, code, staff = waiting

    def work(i, barrier):
        with app.app_context():
            clerk = db.session.get(User, staff[i % 2][0])
            found = pickup_counter.find_pickup(clerk, code)
            db.session.commit()  # end the read transaction: the race starts at the barrier
            barrier.wait()
            with transaction():
                return pickup_counter.hand_over_pickup(clerk, found.order.id, utcnow()).id

    results = run_together(10, work)
    assert results.count(order_id) == 1, results
    assert all(isinstance(r, AlreadyCollected) and r.status == 409 for r in results if r != order_id), results
    assert collected(app, order_id) == ("collected", 1)
