"""One production dispatch cycle on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is
set): ``dispatch.cycle.run_cycle`` gives ready orders to couriers on shift and writes nothing else.

Ready orders get a courier (order ``assigned`` with ``courier_id``, task ``assigned`` by the planner);
couriers whose shift is over get nothing; orders not yet packed are untouched; an assigned or
picked-up task is never moved by a later cycle, nor one staff gave by hand; no courier gets a bundle
above their capacity; the summary (and ``flask dispatch run-once``) says what was written.
"""
import re
from datetime import timedelta

import pytest

from dispatch import cycle as dispatch_cycle
from dispatch.cli import dispatch_cli
from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.fulfilment import courier_steps as courier_ops
from store_app.deliveries import operations as delivery_ops
from store_app.deliveries.models import CourierShift, DeliveryTask
from store_app.extensions import db
from store_app.orders.models import Order, OrderEvent, OrderStatus
from store_app.roles import Role
from store_app.fulfilment import moves
from store_app.fulfilment import store_steps
from tests.conftest import add_shopper, build_shop, new_phone, place_test_order

TO_READY = (OrderStatus.ACCEPTED, OrderStatus.PICKING, OrderStatus.READY)
ASSIGNMENT_RE = re.compile(r"task (\d+)->courier (\d+)")


# ---- helpers (all need an app context) --------------------------------------------------------

def add_courier(store_id, *, name, shift_start=None, shift_end=None, ended_at=None, lat=None, lon=None,
                capacity=3):
    """A courier of the store with one shift; returns the courier id."""
    now = utcnow()
    with transaction():
        courier = User(store_id=store_id, phone=new_phone(), name=name, password_hash="x",
                       role=Role.COURIER.value)
        db.session.add(courier)
        db.session.flush()
        db.session.add(CourierShift(store_id=store_id, courier_id=courier.id,
                                    started_at=shift_start or now - timedelta(hours=1),
                                    planned_end_at=shift_end or now + timedelta(hours=8), ended_at=ended_at,
                                    lat=lat, lon=lon, capacity=capacity))
        return courier.id


def add_staff(store_id):
    with transaction():
        staff = User(store_id=store_id, phone=new_phone(), name="Staff", password_hash="x",
                     role=Role.STAFF.value)
        db.session.add(staff)
        db.session.flush()
        return staff.id


def set_shifts(**values):
    """Change every courier shift (position, capacity) of the test's database."""
    with transaction():
        db.session.execute(db.update(CourierShift).values(**values))


def place_orders(shopper, shop, count):
    return [place_test_order(shopper, {shop.products["water"]: 1}) for _ in range(count)]


def advance(order_ids, *targets):
    """Staff move each order through ``targets`` (accept, pick, ready)."""
    with transaction():
        for order_id in order_ids:
            order = db.session.get(Order, order_id)
            for target in targets:
                moves.move(order, target, actor_id=None, now=utcnow())


def cycle(store_id):
    return dispatch_cycle.run_cycle(store_id, utcnow())


def written(summary):
    """``{task_id: courier_id}`` as the summary reports it."""
    return {int(t): int(c) for t, c in ASSIGNMENT_RE.findall(summary)}


def state(order_id):
    """The order and its task as the database has them now."""
    with transaction():
        order = db.session.get(Order, order_id)
        task = db.session.scalar(db.select(DeliveryTask).where(DeliveryTask.order_id == order_id))
        events = db.session.scalar(db.select(db.func.count(OrderEvent.id)).where(
            OrderEvent.order_id == order_id, OrderEvent.status == OrderStatus.ASSIGNED.value))
        return {"order": order.status, "order_courier": order.courier_id, "task": task.status,
                "task_courier": task.courier_id, "by": task.assigned_by, "task_id": task.id,
                "assigned_at": task.assigned_at, "assigned_events": events}


def carried(courier_id):
    """Task sizes the courier has on their route (assigned or picked up)."""
    with transaction():
        return db.session.scalar(db.select(db.func.coalesce(db.func.sum(DeliveryTask.size), 0)).where(
            DeliveryTask.courier_id == courier_id, DeliveryTask.status.in_(("assigned", "picked_up"))))


@pytest.fixture
def world(app_ctx):
    """A store with a zone, two couriers on shift (one at the store, one ~1 km away), a resident."""
    shop = build_shop(couriers=2)
    near, far = shop.courier_ids
    with transaction():
        for courier_id, (lat, lon) in ((near, (31.2, 121.4)), (far, (31.209, 121.4))):
            db.session.execute(db.update(CourierShift).where(CourierShift.courier_id == courier_id)
                               .values(lat=lat, lon=lon))
    return shop, add_shopper(shop)


# ---- tests -------------------------------------------------------------------------------------

def test_ready_orders_go_to_couriers_on_shift_and_nothing_else_moves(world):
    shop, shopper = world
    now = utcnow()
    # Couriers right at the store whose shift is over: the planner must never see them.
    expired = add_courier(shop.store_id, name="Expired", shift_start=now - timedelta(hours=9),
                          shift_end=now - timedelta(minutes=1), lat=31.2, lon=121.4)
    ended = add_courier(shop.store_id, name="Ended", ended_at=now - timedelta(minutes=5), lat=31.2, lon=121.4)
    ready = place_orders(shopper, shop, 3)
    placed, accepted, picking = place_orders(shopper, shop, 3)
    advance(ready, *TO_READY)
    advance([accepted, picking], OrderStatus.ACCEPTED)
    advance([picking], OrderStatus.PICKING)

    summary = cycle(shop.store_id)

    on_shift = set(shop.courier_ids)
    by_summary = written(summary)
    assert summary.startswith(f"store {shop.store_id}: 3 tasks, 2 couriers, assigned 3 ("), summary
    for order_id in ready:
        s = state(order_id)
        assert s["order"] == "assigned" and s["task"] == "assigned", s
        assert s["order_courier"] == s["task_courier"] and s["task_courier"] in on_shift, s
        assert s["by"] == "planner" and s["assigned_at"] is not None and s["assigned_events"] == 1, s
        assert by_summary[s["task_id"]] == s["task_courier"]
    assert len(by_summary) == 3
    assert not {expired, ended} & set(by_summary.values())
    for order_id, status in ((placed, "placed"), (accepted, "accepted"), (picking, "picking")):
        s = state(order_id)
        assert (s["order"], s["order_courier"], s["task"], s["task_courier"], s["by"]) == (
            status, None, "open", None, None), s
    assert carried(expired) == carried(ended) == 0


def test_the_nearer_courier_gets_a_single_order(world):
    """Positions reach the planner (lat/lon -> metres around the store): one order, the courier at
    the store takes it rather than the one a kilometre away."""
    shop, shopper = world
    near, far = shop.courier_ids
    (order_id,) = place_orders(shopper, shop, 1)
    advance([order_id], *TO_READY)
    summary = cycle(shop.store_id)
    assert state(order_id)["task_courier"] == near, summary
    assert written(summary) == {state(order_id)["task_id"]: near}


def test_no_courier_on_shift_assigns_nothing(app_ctx):
    shop = build_shop(couriers=1)
    shopper = add_shopper(shop)
    (order_id,) = place_orders(shopper, shop, 1)  # checkout needs a courier on shift...
    advance([order_id], *TO_READY)
    set_shifts(planned_end_at=utcnow() - timedelta(seconds=1))  # ...who has gone home since
    assert cycle(shop.store_id) == f"store {shop.store_id}: 1 tasks, 0 couriers, assigned 0"
    s = state(order_id)
    assert (s["order"], s["order_courier"], s["task"], s["task_courier"]) == ("ready", None, "open", None)


def test_a_second_cycle_moves_no_assigned_or_picked_up_task(world):
    shop, shopper = world
    orders = place_orders(shopper, shop, 3)
    advance(orders, *TO_READY)
    first = cycle(shop.store_id)
    assert len(written(first)) == 3, first
    before = {order_id: state(order_id) for order_id in orders}
    # One courier collects one of them: picked up, never to move again.
    picked = orders[0]
    with transaction():
        courier = db.session.get(User, before[picked]["task_courier"])
        courier_ops.confirm_pickup(courier, before[picked]["task_id"], utcnow())
    assert state(picked)["task"] == "picked_up"

    second = cycle(shop.store_id)
    third = cycle(shop.store_id)

    assert second.endswith("assigned 0") and third.endswith("assigned 0"), (second, third)
    for order_id in orders:
        after = state(order_id)
        assert after["task_courier"] == after["order_courier"] == before[order_id]["task_courier"]
        assert after["assigned_at"] == before[order_id]["assigned_at"]
        assert after["assigned_events"] == 1
    assert state(picked)["order"] == state(picked)["task"] == "picked_up"


def test_a_courier_is_never_given_more_than_capacity(app_ctx):
    shop = build_shop(couriers=1)
    shopper = add_shopper(shop)
    (courier_id,) = shop.courier_ids
    set_shifts(capacity=2, lat=31.2, lon=121.4)
    orders = place_orders(shopper, shop, 4)
    bulky = place_orders(shopper, shop, 1)[0]
    advance(orders + [bulky], *TO_READY)
    with transaction():  # one parcel bigger than the courier's box
        db.session.execute(db.update(DeliveryTask).where(DeliveryTask.order_id == bulky).values(size=3))

    first = cycle(shop.store_id)
    assert 1 <= len(written(first)) <= 2, first
    assert carried(courier_id) <= 2
    for _ in range(2):  # later cycles do not pile more onto a full courier either
        assert written(cycle(shop.store_id)) == {}
    assert carried(courier_id) <= 2
    s = state(bulky)
    assert (s["order"], s["task"], s["task_courier"]) == ("ready", "open", None), s


def test_a_staff_assignment_is_respected_by_the_next_cycle(world):
    shop, shopper = world
    near, far = shop.courier_ids
    by_hand, for_planner = place_orders(shopper, shop, 2)
    advance([by_hand, for_planner], *TO_READY)
    staff_id = add_staff(shop.store_id)
    with transaction():  # staff give it to the far courier, whom the planner would not choose
        store_steps.assign_courier(db.session.get(User, staff_id), by_hand, far, utcnow())
    hand = state(by_hand)
    assert (hand["task_courier"], hand["by"]) == (far, "staff")

    summary = cycle(shop.store_id)
    cycle(shop.store_id)

    after = state(by_hand)
    assert (after["order"], after["order_courier"], after["task"], after["task_courier"], after["by"]) == (
        "assigned", far, "assigned", far, "staff"), after
    assert after["assigned_at"] == hand["assigned_at"] and after["assigned_events"] == 1
    assert hand["task_id"] not in written(summary)
    planned = state(for_planner)
    assert planned["by"] == "planner" and written(summary) == {planned["task_id"]: planned["task_courier"]}


def test_run_once_prints_each_store_summary(app, world):
    shop, shopper = world
    other = build_shop(name="Other Store", couriers=1, lat=31.3, lon=121.5)
    (order_id,) = place_orders(shopper, shop, 1)
    advance([order_id], *TO_READY)
    db.session.remove()  # the CLI works in its own app context and session
    runner = app.test_cli_runner()

    result = runner.invoke(dispatch_cli, ["run-once"])

    assert result.exit_code == 0, result.output
    s = state(order_id)
    lines = result.output.splitlines()
    assert lines == [
        f"store {shop.store_id}: 1 tasks, 2 couriers, assigned 1"
        f" (task {s['task_id']}->courier {s['task_courier']})",
        f"store {other.store_id}: 0 tasks, 1 couriers, assigned 0",
    ], result.output
    again = runner.invoke(dispatch_cli, ["run-once", "--store", str(shop.store_id)])
    assert again.exit_code == 0
    assert again.output == f"store {shop.store_id}: 1 tasks, 2 couriers, assigned 0\n"


def test_run_once_for_an_unknown_store_says_so(app, world):
    result = app.test_cli_runner().invoke(dispatch_cli, ["run-once", "--store", "987654"])
    assert result.exit_code == 2, (result.output, result.exception)
    assert "987654" in result.output and "Traceback" not in result.output


def test_the_courier_with_fewer_deliveries_this_shift_gets_the_tie(world):
    """Fairness is the planner's last tie-break: two couriers at the same spot, one has already
    delivered three orders this shift; the next order goes to the other one."""
    shop, shopper = world
    busy, idle = shop.courier_ids
    set_shifts(lat=31.2, lon=121.4)
    with transaction():
        for _ in range(3):
            db.session.add(DeliveryTask(store_id=shop.store_id, kind="order", status="delivered", courier_id=busy,
                                        pickup_lat=31.2, pickup_lon=121.4, dropoff_lat=31.2, dropoff_lon=121.4,
                                        promised_at=utcnow(), finished_at=utcnow()))
    assert delivery_ops.deliveries_this_shift(shop.store_id, utcnow()) == {busy: 3}
    (order_id,) = place_orders(shopper, shop, 1)
    advance([order_id], *TO_READY)
    cycle(shop.store_id)
    assert state(order_id)["order_courier"] == idle
