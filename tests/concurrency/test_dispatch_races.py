"""Dispatch cycles under real concurrency on PostgreSQL: threads released together by a barrier, each
with its own app context (its own session and connection).

Overlapping cycles that planned from one snapshot -- agreeing on the couriers, or each seeing a
different one -- never give one task to two couriers: every task ends with exactly one courier, the
order's courier is the task's, and each order has exactly one ASSIGNED event. A cycle racing a staff
hand-assignment of the same order leaves exactly one courier, and the loser gets a clean conflict.

Needs TEST_DATABASE_URL (skipped locally without it, a failure in CI).
"""
import re

import pytest

from dispatch import cycle as dispatch_cycle, planner
from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.deliveries.models import DeliveryTask
from store_app.extensions import db
from store_app.orders import errors as order_errors
from store_app.orders.models import Order, OrderEvent, OrderStatus
from store_app.roles import Role
from store_app.stores.operations import get_store
from store_app.fulfilment import moves
from store_app.fulfilment import store_steps
from store_app.deliveries.params import planner_params
from store_app.fulfilment import errors as fulfilment_errors
from tests.concurrency.helpers import run_together
from tests.conftest import add_shopper, build_shop, new_phone, place_test_order

pytestmark = pytest.mark.postgres
POOL_SIZE = 12  # a connection for every thread at once (tests/concurrency/conftest.py)

TO_READY = (OrderStatus.ACCEPTED, OrderStatus.PICKING, OrderStatus.READY)
WRITTEN_RE = re.compile(r"task (\d+)->courier (\d+)")


@pytest.fixture
def world(app):
    """A shop with four couriers on shift, a staff member and a resident."""
    with app.app_context():
        shop = build_shop(couriers=4)
        shopper = add_shopper(shop, balance_cents=50_000)
        with transaction():
            staff = User(store_id=shop.store_id, phone=new_phone(), name="Staff", password_hash="x",
                         role=Role.STAFF.value)
            db.session.add(staff)
            db.session.flush()
            staff_id = staff.id
    return shop, shopper, staff_id


def ready_orders(app, shop, shopper, count):
    """``count`` orders placed through checkout and packed: ready for a courier."""
    with app.app_context():
        order_ids = [place_test_order(shopper, {shop.products["water"]: 1}) for _ in range(count)]
        with transaction():
            for order_id in order_ids:
                order = db.session.get(Order, order_id)
                for target in TO_READY:
                    moves.move(order, target, actor_id=None, now=utcnow())
    return order_ids


def planned_cycle(app, store_id, now, courier_filter=None):
    """``work`` for ``run_together``: one cycle as ``dispatch.cycle.run_cycle`` runs it, except that every thread
    has loaded its snapshot and planned before any of them writes (the barrier sits between). With
    ``courier_filter(i, courier_ids)`` each thread sees only some couriers, so the plans disagree."""
    def work(i, barrier):
        with app.app_context():
            with transaction():
                store = get_store(store_id)
                tasks, couriers = dispatch_cycle.load_snapshot(store, now)
                if courier_filter is not None:
                    keep = courier_filter(i, [c.id for c in couriers])
                    couriers = [c for c in couriers if c.id in keep]
                plan = planner.plan(tasks, couriers, 0.0, planner_params(store))
                barrier.wait()
                return dispatch_cycle.persist(plan, now)
    return work


def outcome(app, order_ids):
    """Per order: (order status, order courier, task status, task courier, assigned_by, task id,
    ASSIGNED events)."""
    with app.app_context():
        rows = {}
        for order_id in order_ids:
            order = db.session.get(Order, order_id)
            task = db.session.scalar(db.select(DeliveryTask).where(DeliveryTask.order_id == order_id))
            events = db.session.scalar(db.select(db.func.count(OrderEvent.id)).where(
                OrderEvent.order_id == order_id, OrderEvent.status == OrderStatus.ASSIGNED.value))
            rows[order_id] = (order.status, order.courier_id, task.status, task.courier_id, task.assigned_by,
                              task.id, events)
        return rows


def check_one_courier_each(rows, results, couriers):
    """Each thread's writes are real and disjoint; every assigned task has exactly the courier of its
    order; one ASSIGNED event per order; nothing unassigned was claimed by anyone."""
    assert not [r for r in results if isinstance(r, Exception)], results
    claims = [pair for written in results for pair in written]
    claimed_tasks = [task_id for task_id, _ in claims]
    assert len(claimed_tasks) == len(set(claimed_tasks)), f"a task was written twice: {claims}"
    claimed = dict(claims)
    for status, order_courier, task_status, task_courier, by, task_id, events in rows.values():
        if task_id in claimed:
            assert (status, task_status, by) == ("assigned", "assigned", "planner")
            assert order_courier == task_courier == claimed[task_id] and task_courier in couriers
            assert events == 1
        else:
            assert (status, order_courier, task_status, task_courier, events) == (
                "ready", None, "open", None, 0)
    return claimed


@pytest.mark.parametrize("threads", [2, 4])
def test_overlapping_cycles_on_one_snapshot_assign_each_task_once(app, world, threads):
    shop, shopper, _ = world
    order_ids = ready_orders(app, shop, shopper, 6)
    results = run_together(threads, planned_cycle(app, shop.store_id, utcnow()))
    claimed = check_one_courier_each(outcome(app, order_ids), results, shop.courier_ids)
    assert len(claimed) == 6, results  # four couriers of capacity 3: every ready order goes out
    assert sum(1 for written in results if written) == 1, "identical plans: one cycle writes, the others lose"


@pytest.mark.parametrize("threads", [2, 4])
def test_cycles_that_disagree_on_the_courier_still_assign_each_task_once(app, world, threads):
    """Each cycle sees a different single courier, so the plans give the same tasks to different
    couriers: the guarded UPDATEs let one courier have each task."""
    shop, shopper, _ = world
    order_ids = ready_orders(app, shop, shopper, 5)
    results = run_together(threads, planned_cycle(app, shop.store_id, utcnow(),
                                                  courier_filter=lambda i, ids: {ids[i]}))
    claimed = check_one_courier_each(outcome(app, order_ids), results, shop.courier_ids)
    assert claimed, results


def test_run_cycles_started_together_assign_each_task_once(app, world):
    shop, shopper, _ = world
    order_ids = ready_orders(app, shop, shopper, 6)
    now = utcnow()

    def work(_i, barrier):
        with app.app_context():
            barrier.wait()
            return dispatch_cycle.run_cycle(shop.store_id, now)

    summaries = run_together(4, work)
    assert not [s for s in summaries if isinstance(s, Exception)], summaries
    rows = outcome(app, order_ids)
    assert all(row[0] == "assigned" and row[1] == row[3] and row[3] in shop.courier_ids and row[6] == 1
               for row in rows.values()), rows
    assigned = [int(s.split("assigned ")[1].split(" ")[0]) for s in summaries]
    assert sum(assigned) == 6, summaries


@pytest.mark.parametrize("staff_first_barrier", [True, False], ids=["planned-then-race", "whole-cycle-race"])
def test_a_cycle_racing_a_staff_assignment_leaves_one_courier(app, world, staff_first_barrier):
    shop, shopper, staff_id = world
    planner_courier, staff_courier = shop.courier_ids[:2]
    wins = {"planner": 0, "staff": 0}
    for _round in range(4):
        (order_id,) = ready_orders(app, shop, shopper, 1)
        now = utcnow()
        if staff_first_barrier:  # the cycle has planned (for one courier) before the race starts
            cycle = planned_cycle(app, shop.store_id, now,
                                  courier_filter=lambda _i, _ids: {str(planner_courier)})
        else:
            def cycle(_i, barrier):
                with app.app_context():
                    barrier.wait()
                    summary = dispatch_cycle.run_cycle(shop.store_id, now)
                    return [(int(t), int(c)) for t, c in WRITTEN_RE.findall(summary)]

        def staff(_i, barrier):
            with app.app_context():
                actor = db.session.get(User, staff_id)
                db.session.commit()
                barrier.wait()
                with transaction():
                    return store_steps.assign_courier(actor, order_id, staff_courier, utcnow()).courier_id

        results = run_together(2, lambda i, barrier: (cycle if i == 0 else staff)(i, barrier))
        written, staff_result = results
        assert not isinstance(written, Exception), written
        assert isinstance(staff_result, int) or isinstance(
            staff_result, (order_errors.StatusConflict, fulfilment_errors.AlreadyPickedUp)), staff_result
        (row,) = outcome(app, [order_id]).values()
        status, order_courier, task_status, task_courier, by, task_id, events = row
        assert (status, task_status) == ("assigned", "assigned")
        assert order_courier == task_courier is not None
        staff_won = isinstance(staff_result, int)
        assert events == bool(written) + staff_won, (written, staff_result, events)
        if staff_won:  # staff came first, or reassigned after the cycle: their courier has it
            assert (task_courier, by) == (staff_courier, "staff")
            wins["staff"] += 1
        else:
            assert written and by == "planner" and task_courier == dict(written)[task_id]
            wins["planner"] += 1
        with app.app_context(), transaction():  # delivered: the next round starts with free couriers
            db.session.execute(db.update(DeliveryTask).where(DeliveryTask.order_id == order_id)
                               .values(status="delivered"))
            db.session.execute(db.update(Order).where(Order.id == order_id).values(status="delivered"))
    assert sum(wins.values()) == 4
