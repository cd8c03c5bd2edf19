"""The staff dispatch board through the test client: couriers on shift (position, load, next stop),
tasks by state, the tasks at risk with their predicted lateness, the live fragment, handing a task
to a courier by hand (which the next dispatch cycle keeps), every refusal (unknown, off-shift or
full courier, picked-up or unpacked task, a board that was out of date) changing nothing, and who
may open the board.
"""
import re
from datetime import timedelta

import pytest

from dispatch import cycle
from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.fulfilment import courier_steps as courier_ops
from store_app.deliveries.models import CourierShift, DeliveryTask
from store_app.extensions import db
from store_app.orders.models import Order, OrderEvent, OrderStatus
from store_app.roles import Role
from store_app.fulfilment import moves
from store_app.fulfilment import store_steps

from tests.conftest import place_test_order

from .conftest import post_form, text_of

BOARD = "/console/dispatch"
LIVE = "/console/dispatch/live"
TO_READY = (OrderStatus.ACCEPTED, OrderStatus.PICKING, OrderStatus.READY)
NEAR, FAR = (31.2, 121.4), (31.209, 121.4)  # the store, and about 1 km north of it


@pytest.fixture
def world(app, create_shop, create_shopper, create_user, login_client):
    """A shop with two couriers on shift ("Courier 0" at the store, "Courier 1" ~1 km away), a
    resident, and logged-in staff, resident and courier clients (in English)."""
    shop = create_shop(couriers=2)
    shopper = create_shopper(shop, balance_cents=50_000)
    staff_id, staff_phone = create_user(shop.store_id, Role.STAFF, name="Staff A")
    near, far = shop.courier_ids
    now = utcnow()
    with app.app_context(), transaction():
        for courier_id, (lat, lon), age in ((near, NEAR, 3), (far, FAR, 0)):
            db.session.execute(db.update(CourierShift).where(CourierShift.courier_id == courier_id).values(
                lat=lat, lon=lon, position_at=now - timedelta(minutes=age, seconds=20)))
        courier_phone = db.session.get(User, near).phone

    class World:
        pass

    w = World()
    w.shop, w.shopper, w.near, w.far, w.staff_id = shop, shopper, near, far, staff_id
    w.staff = english(login_client(staff_phone))
    w.resident = english(login_client(shopper.phone))
    w.courier = english(login_client(courier_phone))
    return w


def english(client):
    client.set_cookie("lang", "en")
    return client


def new_order(app, world, *targets, quantity=1):
    """An order placed through checkout and moved through ``targets``; returns ``(order_id, task_id)``."""
    with app.app_context():
        order_id = place_test_order(world.shopper, {world.shop.products["water"]: quantity})
        with transaction():
            order = db.session.get(Order, order_id)
            for target in targets:
                moves.move(order, target, actor_id=None, now=utcnow())
        return order_id, task_state(app, order_id)["task_id"]


def task_state(app, order_id):
    with app.app_context():
        order = db.session.get(Order, order_id)
        task = db.session.scalar(db.select(DeliveryTask).where(DeliveryTask.order_id == order_id))
        events = db.session.scalar(db.select(db.func.count(OrderEvent.id)).where(
            OrderEvent.order_id == order_id, OrderEvent.status == OrderStatus.ASSIGNED.value))
        return {"order": order.status, "order_courier": order.courier_id, "task": task.status,
                "task_courier": task.courier_id, "by": task.assigned_by, "task_id": task.id,
                "assigned_at": task.assigned_at, "predicted_at": task.predicted_at, "events": events,
                "promised_at": task.promised_at}


def set_task(app, task_id, **values):
    with app.app_context(), transaction():
        db.session.execute(db.update(DeliveryTask).where(DeliveryTask.id == task_id).values(**values))


def predict(app, order_id, late_min):
    """Write the dispatcher's prediction: ``late_min`` minutes after the promise (negative: early)."""
    state = task_state(app, order_id)
    set_task(app, state["task_id"], predicted_at=state["promised_at"] + timedelta(minutes=late_min))


def give(app, world, order_id, courier_id, *, pick_up=False):
    """Hand the ready order to a courier, marked as the dispatcher's (optionally picked up already)."""
    task_id = task_state(app, order_id)["task_id"]
    with app.app_context(), transaction():
        store_steps.assign_courier(db.session.get(User, world.staff_id), order_id, courier_id, utcnow())
        db.session.execute(db.update(DeliveryTask).where(DeliveryTask.id == task_id).values(assigned_by="planner"))
        if pick_up:
            courier_ops.confirm_pickup(db.session.get(User, courier_id), task_id, utcnow())


def assign(client, task_id, courier_id, seen=""):
    return post_form(client, f"{BOARD}/tasks/{task_id}/assign",
                     {"courier_id": courier_id, "seen_courier_id": seen}, token_from=BOARD)


def section(page, key):
    """The HTML of one task column of the board."""
    match = re.search(r'<section class="board-column column-%s".*?</section>' % key, page, re.S)
    assert match, f"no column {key}"
    return match.group(0)


def block(page, cls):
    """The HTML of the board's ``<section class=cls>``."""
    match = re.search(r'<section class="%s".*?</section>' % cls, page, re.S)
    assert match, f"no section {cls}"
    return match.group(0)


def card(page, task_id):
    match = re.search(r'<article[^>]*id="task-%d".*?</article>' % task_id, page, re.S)
    assert match, f"no card for task {task_id}"
    return match.group(0)


# ---- what staff see -------------------------------------------------------------------------------

def test_staff_see_couriers_tasks_by_state_and_the_tasks_at_risk(app, world):
    waiting, waiting_task = new_order(app, world)
    worst, worst_task = new_order(app, world, *TO_READY)
    late, late_task = new_order(app, world, *TO_READY)
    on_time, on_time_task = new_order(app, world, *TO_READY)
    carried, carried_task = new_order(app, world, *TO_READY)
    predict(app, worst, 12)
    predict(app, late, 4)
    give(app, world, on_time, world.near)
    predict(app, on_time, -10)
    give(app, world, carried, world.far, pick_up=True)
    predict(app, carried, -1)  # early, but within the margin: flagged

    response = world.staff.get(BOARD)
    page = text_of(response)
    assert response.status_code == 200

    risk = block(page, "dispatch-risk")
    assert "12 min late" in risk and "4 min late" in risk and "1 min to spare" in risk
    flagged = [int(t) for t in re.findall(r'data-risk-task="(\d+)"', risk)]
    assert flagged == [worst_task, late_task, carried_task]  # worst first
    # "Resident told" from a 5-minute slip, the rule that sends the resident "may be late".
    rows = {int(t): row for t, row in re.findall(r'data-risk-task="(\d+)">(.*?)</a>', risk, re.S)}
    assert [t for t in flagged if "Resident told: may be late" in rows[t]] == [worst_task]
    assert "10 min to spare" in card(page, on_time_task)

    assert f'id="task-{waiting_task}"' in section(page, "waiting")
    ready = section(page, "ready")
    assert f'id="task-{worst_task}"' in ready and f'id="task-{late_task}"' in ready
    assert f'id="task-{on_time_task}"' in section(page, "assigned")
    assert f'id="task-{carried_task}"' in section(page, "picked_up")
    # Waiting and picked-up tasks offer no courier; ready and assigned ones do, and can be dragged.
    assert "seen_courier_id" not in card(page, waiting_task) + card(page, carried_task)
    assert 'draggable="true"' in card(page, worst_task) and 'draggable="true"' in card(page, on_time_task)
    assert 'draggable="true"' not in card(page, carried_task)

    couriers = block(page, "dispatch-couriers")
    near = re.search(r'<article[^>]*id="courier-%d".*?</article>' % world.near, couriers, re.S).group(0)
    far = re.search(r'<article[^>]*id="courier-%d".*?</article>' % world.far, couriers, re.S).group(0)
    assert "Courier 0" in near and ">1/3<" in near and "Position 3 min ago" in near
    # Older than two minutes: the dispatcher plans from the store, and the board says so in words.
    assert "(planned from the store)" in near
    assert f"Next: pick up #{on_time} at Test Store" in near
    assert "Position just now" in far and f"Next: hand over #{carried} at Inside Tower, 2-1202" in far
    assert "(planned from the store)" not in far

    # The map: both couriers, a drop-off per task, the flagged ones highlighted.
    assert page.count('class="courier-dot"') == 2
    assert page.count('class="dropoff dropoff-risk"') == 3
    assert page.count('class="dropoff"') == 2


def test_a_task_without_a_prediction_gets_a_rough_estimate(app, world):
    order_id, task_id = new_order(app, world, *TO_READY)
    page = text_of(world.staff.get(BOARD))
    assert "not predicted yet (rough estimate)" in card(page, task_id)
    assert f'data-risk-task="{task_id}"' not in page  # fresh, next door: plenty of time
    # Its promise almost gone, the same task is flagged with how late it will be.
    set_task(app, task_id, promised_at=utcnow() + timedelta(minutes=2))
    page = text_of(world.staff.get(BOARD))
    assert f'data-risk-task="{task_id}"' in page
    assert re.search(r"\d+ min late", card(page, task_id))


def test_a_courier_without_a_position_or_work_says_so(app, world):
    with app.app_context(), transaction():
        db.session.execute(db.update(CourierShift).where(CourierShift.courier_id == world.far)
                           .values(lat=None, lon=None, position_at=None))
    page = text_of(world.staff.get(BOARD))
    assert "No position yet" in page and "No deliveries" in page
    far = re.search(r'<article[^>]*id="courier-%d".*?</article>' % world.far, page, re.S).group(0)
    assert "(planned from the store)" in far
    assert page.count('class="courier-dot"') == 1
    assert "Every delivery is on time." in page


def test_the_live_fragment_is_the_board_alone_and_fresh(app, world):
    order_id, task_id = new_order(app, world, *TO_READY)
    response = world.staff.get(LIVE)
    assert response.status_code == 200
    assert response.headers["X-Dispatch-Board"] == "1"
    assert "no-store" in response.headers["Cache-Control"]
    page = response.get_data(as_text=True)
    assert "<html" not in page and f'id="task-{task_id}"' in page
    assert f'data-risk-task="{task_id}"' not in page

    predict(app, order_id, 9)  # the next dispatch cycle predicts it late
    page = world.staff.get(LIVE).get_data(as_text=True)
    assert f'data-risk-task="{task_id}"' in page and "9 min late" in page

    give(app, world, order_id, world.near)
    page = world.staff.get(LIVE).get_data(as_text=True)
    assert f'id="task-{task_id}"' in section(page, "assigned")


# ---- who may open it --------------------------------------------------------------------------------

def test_residents_and_couriers_may_not_open_the_board(app, world, create_user, login_client):
    order_id, task_id = new_order(app, world, *TO_READY)
    for client in (world.resident, world.courier):
        assert client.get(BOARD).status_code == 403
        assert client.get(LIVE).status_code == 403
        assert assign(client, task_id, world.far).status_code == 403
    assert task_state(app, order_id)["task"] == "open"
    assert app.test_client().get(BOARD).status_code == 302  # to the login page
    _, owner_phone = create_user(world.shop.store_id, Role.OWNER, name="Owner")
    owner = english(login_client(owner_phone))
    assert owner.get(BOARD).status_code == 200 and owner.get(LIVE).status_code == 200


# ---- handing a task over by hand ---------------------------------------------------------------

def test_staff_hand_a_task_over_and_the_next_cycle_keeps_it(app, world):
    by_hand, task_id = new_order(app, world, *TO_READY)
    for_planner, _ = new_order(app, world, *TO_READY)
    predict(app, by_hand, 5)

    # The planner would give it to the courier at the store; staff choose the far one.
    response = assign(world.staff, task_id, world.far)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{BOARD}#task-{task_id}")
    hand = task_state(app, by_hand)
    assert (hand["order"], hand["order_courier"], hand["task"], hand["task_courier"], hand["by"]) == (
        "assigned", world.far, "assigned", world.far, "staff")
    assert hand["events"] == 1 and hand["predicted_at"] is None  # the old prediction was for no courier
    page = text_of(world.staff.get(BOARD))
    assert f"Order #{by_hand} given to a courier." in page
    assert "by hand" in card(page, task_id)

    with app.app_context():
        summary = cycle.run_cycle(world.shop.store_id, utcnow())
        cycle.run_cycle(world.shop.store_id, utcnow())
    after = task_state(app, by_hand)
    assert (after["order_courier"], after["task_courier"], after["by"], after["events"]) == (
        world.far, world.far, "staff", 1), summary
    assert after["assigned_at"] == hand["assigned_at"]
    assert f"task {task_id}->" not in summary
    assert task_state(app, for_planner)["by"] == "planner"

    # Staff change their mind: to the other courier, until it is picked up; the cycle keeps that too.
    assert assign(world.staff, task_id, world.near, seen=world.far).status_code == 303
    with app.app_context():
        cycle.run_cycle(world.shop.store_id, utcnow())
    after = task_state(app, by_hand)
    assert (after["order"], after["order_courier"], after["task_courier"], after["by"], after["events"]) == (
        "assigned", world.near, world.near, "staff", 2)


def _unchanged(app, order_id, before):
    after = task_state(app, order_id)
    assert {k: after[k] for k in ("order", "order_courier", "task", "task_courier", "by", "events")} == {
        k: before[k] for k in ("order", "order_courier", "task", "task_courier", "by", "events")}


def test_a_courier_who_is_not_a_courier_of_this_store_on_shift_is_refused(app, world, create_user,
                                                                             create_shop):
    order_id, task_id = new_order(app, world, *TO_READY)
    before = task_state(app, order_id)
    staff_b, _ = create_user(world.shop.store_id, Role.STAFF, name="Not a courier")
    off_shift, _ = create_user(world.shop.store_id, Role.COURIER, name="Off Shift")
    stranger = create_shop(name="Other Store", lat=31.3, lon=121.5).courier_ids[0]
    for bad in (99_999, staff_b, stranger, "x", ""):
        response = assign(world.staff, task_id, bad)
        assert response.status_code == 400, bad
        assert "Choose a courier of this store." in response.get_data(as_text=True)
    response = assign(world.staff, task_id, off_shift)
    assert response.status_code == 409
    assert "This courier is not on shift" in response.get_data(as_text=True)
    # A shift that ran past its planned end counts as over.
    with app.app_context(), transaction():
        db.session.execute(db.update(CourierShift).where(CourierShift.courier_id == world.far)
                           .values(planned_end_at=utcnow() - timedelta(minutes=1)))
    assert assign(world.staff, task_id, world.far).status_code == 409
    _unchanged(app, order_id, before)


def test_a_full_courier_is_refused_and_the_form_comes_back_filled(app, world):
    with app.app_context(), transaction():
        db.session.execute(db.update(CourierShift).where(CourierShift.courier_id == world.far).values(capacity=1))
    carried, _ = new_order(app, world, *TO_READY)
    give(app, world, carried, world.far)
    order_id, task_id = new_order(app, world, *TO_READY)
    before = task_state(app, order_id)
    page = text_of(world.staff.get(BOARD))
    assert "(1/1, full)" in card(page, task_id)

    response = assign(world.staff, task_id, world.far)
    assert response.status_code == 409
    assert "This courier has no room for another delivery" in response.get_data(as_text=True)
    refused = card(text_of(response), task_id)
    assert selected_option_in(refused) == str(world.far)  # what staff chose is still chosen
    _unchanged(app, order_id, before)
    # A bigger parcel does not fit where a small one would.
    with app.app_context(), transaction():
        db.session.execute(db.update(CourierShift).where(CourierShift.courier_id == world.near).values(capacity=2))
    set_task(app, task_id, size=3)
    assert assign(world.staff, task_id, world.near).status_code == 409
    set_task(app, task_id, size=2)
    assert assign(world.staff, task_id, world.near).status_code == 303


def selected_option_in(html):
    match = re.search(r'<option value="(\d+)" selected>', html)
    return match.group(1) if match else None


def test_a_picked_up_or_unpacked_task_cannot_move(app, world):
    carried, carried_task = new_order(app, world, *TO_READY)
    give(app, world, carried, world.near, pick_up=True)
    before = task_state(app, carried)
    response = assign(world.staff, carried_task, world.far, seen=world.near)
    assert response.status_code == 409
    assert "already been picked up" in response.get_data(as_text=True)
    _unchanged(app, carried, before)

    picking, picking_task = new_order(app, world, OrderStatus.ACCEPTED, OrderStatus.PICKING)
    before = task_state(app, picking)
    response = assign(world.staff, picking_task, world.far)
    assert response.status_code == 409
    assert "still being packed" in response.get_data(as_text=True)
    _unchanged(app, picking, before)


def test_a_board_out_of_date_answers_409_and_changes_nothing(app, world):
    """Staff looked while the task had no courier; the dispatcher (or another staff member) got there first."""
    order_id, task_id = new_order(app, world, *TO_READY)
    with app.app_context():
        cycle.run_cycle(world.shop.store_id, utcnow())
    before = task_state(app, order_id)
    assert (before["task_courier"], before["by"]) == (world.near, "planner")

    response = assign(world.staff, task_id, world.far, seen="")
    assert response.status_code == 409
    assert "changed this delivery first" in response.get_data(as_text=True)
    _unchanged(app, order_id, before)
    # Seen as someone else's, or the same courier again: refused too.
    assert assign(world.staff, task_id, world.far, seen=world.far).status_code == 409
    response = assign(world.staff, task_id, world.near, seen=world.near)
    assert response.status_code == 400
    assert "already with that courier" in response.get_data(as_text=True)
    assert assign(world.staff, task_id, world.far, seen="abc").status_code == 400
    _unchanged(app, order_id, before)
    # With the board as it is now, the hand-over goes through.
    assert assign(world.staff, task_id, world.far, seen=world.near).status_code == 303
    assert task_state(app, order_id)["task_courier"] == world.far


def test_another_stores_task_is_404(app, world, create_shop, create_shopper):
    other = create_shop(name="Other Store", lat=31.3, lon=121.5)
    stranger = create_shopper(other)
    with app.app_context():
        order_id = place_test_order(stranger, {other.products["water"]: 1})
        with transaction():
            order = db.session.get(Order, order_id)
            for target in TO_READY:
                moves.move(order, target, actor_id=None, now=utcnow())
    task_id = task_state(app, order_id)["task_id"]
    assert assign(world.staff, task_id, other.courier_ids[0]).status_code == 404
    assert assign(world.staff, 99_999, world.near).status_code == 404
    assert f'id="task-{task_id}"' not in world.staff.get(BOARD).get_data(as_text=True)
    assert task_state(app, order_id)["task"] == "open"


def test_the_page_loads_its_script_and_styles_from_static(app, world):
    page = world.staff.get(BOARD).get_data(as_text=True)
    assert '/static/js/dispatch-board.js' in page and '/static/css/dispatch.css' in page
    assert 'data-live-url="/console/dispatch/live"' in page
    assert "<script>" not in page and " style=" not in page
