"""Staff handing tasks over by hand on the dispatch board, under real concurrency on PostgreSQL:
threads released together by a barrier, each with its own app context (its own session and
connection), or its own logged-in test client.

Two staff moving the same task at once: exactly one wins, the other gets a clean 409 and the order
and its task agree on the winner's courier. Two staff filling a courier's last place with two
different tasks at once: exactly one fits. Through HTTP, nobody ever sees a 5xx.

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""

import pytest
from werkzeug.security import generate_password_hash

from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.deliveries import operations as delivery_ops
from store_app.deliveries.models import CourierShift, DeliveryTask
from store_app.extensions import db
from store_app.orders.models import Order, OrderEvent, OrderStatus
from store_app.roles import Role
from store_app.fulfilment import moves
from store_app.fulfilment import store_steps
from store_app.fulfilment import errors as fulfilment_errors
from tests.concurrency.helpers import run_together
from tests.conftest import PASSWORD, AuthActions, add_shopper, build_shop, csrf_token, new_phone, place_test_order

pytestmark = pytest.mark.postgres
POOL_SIZE = 20  # a connection for every thread at once (tests/concurrency/conftest.py)
TO_READY = (OrderStatus.ACCEPTED, OrderStatus.PICKING, OrderStatus.READY)
STAFF = 6


@pytest.fixture
def world(app):
    """A shop with four couriers on shift, ``STAFF`` staff members (``(id, phone)``) and a resident."""
    hashed = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")
    with app.app_context():
        shop = build_shop(couriers=4)
        shopper = add_shopper(shop, balance_cents=50_000)
        with transaction():
            staff = [User(store_id=shop.store_id, phone=new_phone(), name=f"Staff {i}", password_hash=hashed,
                          role=Role.STAFF.value) for i in range(STAFF)]
            db.session.add_all(staff)
            db.session.flush()
            staff = [(s.id, s.phone) for s in staff]
    return shop, shopper, staff


def ready_order(app, shop, shopper, courier_id=None, staff_id=None):
    """An order packed and ready (and given to ``courier_id`` when set); returns ``(order_id, task_id)``."""
    with app.app_context():
        order_id = place_test_order(shopper, {shop.products["water"]: 1})
        with transaction():
            order = db.session.get(Order, order_id)
            for target in TO_READY:
                moves.move(order, target, actor_id=None, now=utcnow())
            if courier_id is not None:
                store_steps.assign_courier(db.session.get(User, staff_id), order_id, courier_id, utcnow())
        task_id = db.session.scalar(db.select(DeliveryTask.id).where(DeliveryTask.order_id == order_id))
    return order_id, task_id


def state(app, order_id):
    with app.app_context():
        order = db.session.get(Order, order_id)
        task = db.session.scalar(db.select(DeliveryTask).where(DeliveryTask.order_id == order_id))
        events = db.session.scalar(db.select(db.func.count(OrderEvent.id)).where(
            OrderEvent.order_id == order_id, OrderEvent.status == OrderStatus.ASSIGNED.value))
        return order.status, order.courier_id, task.status, task.courier_id, task.assigned_by, events


def hand_over(app, staff_ids, moves):
    """``work``: staff ``i`` hands ``moves[i] = (task_id, courier_id, seen_courier_id)`` over, in a
    transaction started after the barrier; returns the courier it went to."""
    def work(i, barrier):
        task_id, courier_id, seen = moves[i]
        with app.app_context():
            staff = db.session.get(User, staff_ids[i])
            db.session.commit()  # end the read transaction: the race starts at the barrier
            barrier.wait()
            with transaction():
                return store_steps.assign_task_by_hand(staff, task_id, courier_id, seen, utcnow()).courier_id
    return work


@pytest.mark.parametrize("already_assigned", [False, True], ids=["ready", "assigned"])
def test_two_staff_moving_the_same_task_one_wins(app, world, already_assigned):
    shop, shopper, staff = world
    a, b, c, _ = shop.courier_ids
    seen = a if already_assigned else None
    order_id, task_id = ready_order(app, shop, shopper, courier_id=seen, staff_id=staff[0][0])

    results = run_together(2, hand_over(app, [staff[0][0], staff[1][0]], [(task_id, b, seen), (task_id, c, seen)]))

    winners = [r for r in results if r in (b, c)]
    losers = [r for r in results if isinstance(r, fulfilment_errors.DeliveryError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].status == 409, results
    status, order_courier, task_status, task_courier, by, events = state(app, order_id)
    assert (status, task_status, by) == ("assigned", "assigned", "staff")
    assert order_courier == task_courier == winners[0]
    assert events == (2 if already_assigned else 1)


def test_two_tasks_for_a_couriers_last_place_only_one_fits(app, world):
    shop, shopper, staff = world
    a = shop.courier_ids[0]
    with app.app_context(), transaction():
        db.session.execute(db.update(CourierShift).where(CourierShift.courier_id == a).values(capacity=2))
    ready_order(app, shop, shopper, courier_id=a, staff_id=staff[0][0])  # one place left
    first, first_task = ready_order(app, shop, shopper)
    second, second_task = ready_order(app, shop, shopper)

    results = run_together(2, hand_over(app, [staff[0][0], staff[1][0]],
                                        [(first_task, a, None), (second_task, a, None)]))

    assert results.count(a) == 1, results
    loser = next(r for r in results if r != a)
    assert isinstance(loser, fulfilment_errors.CourierFull), results
    with app.app_context():
        carried = db.session.scalar(db.select(db.func.sum(DeliveryTask.size)).where(
            DeliveryTask.courier_id == a, DeliveryTask.status.in_(delivery_ops.CARRYING)))
    assert carried == 2
    assert sorted(state(app, o)[3] is None for o in (first, second)) == [False, True]


def test_staff_clicking_at_once_through_the_board_get_one_303_and_409s(app, world):
    shop, shopper, staff = world
    a, *others = shop.courier_ids
    order_id, task_id = ready_order(app, shop, shopper, courier_id=a, staff_id=staff[0][0])
    clients = []
    for i, (_, phone) in enumerate(staff):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{i + 1}"
        client.set_cookie("lang", "en")
        assert AuthActions(client).login(phone).status_code == 302
        clients.append((client, csrf_token(client, "/console/dispatch")))

    def work(i, barrier):
        client, token = clients[i]
        barrier.wait()
        response = client.post(f"/console/dispatch/tasks/{task_id}/assign", data={
            "csrf_token": token, "courier_id": others[i % len(others)], "seen_courier_id": a})
        return response.status_code, response.get_data(as_text=True)

    results = run_together(len(clients), work)

    codes = sorted(code for code, _ in results)
    assert codes == [303] + [409] * (len(clients) - 1), codes
    assert all("changed this delivery first" in page or "no room" in page
               for code, page in results if code == 409)
    status, order_courier, task_status, task_courier, by, events = state(app, order_id)
    assert order_courier == task_courier in others and by == "staff" and events == 2
