"""The staff order board and the courier's task page through the test client: the whole life of an
order (accept, pick, strike an item with a wallet refund, ready, assign, pick up, wrong codes until
the lock, unlock, deliver), cancelling by the store, double clicks, re-assigning, per-object 404s
and who may open what.
"""
import re
from pathlib import Path

import pytest

from store_app.accounts.models import User
from store_app.catalogue.models import Product
from store_app.deliveries.models import DeliveryTask
from store_app.extensions import db
from store_app.orders.models import Order, OrderEvent, OrderItem
from store_app.roles import Role
from store_app.wallet.models import Wallet
from store_app.wallet.operations import ledger_sum
from tests.conftest import PASSWORD

from .conftest import post_form, text_of

ROOT = Path(__file__).resolve().parents[2]
BALANCE = 20_000
FEE = 500  # build_shop's zone fee


@pytest.fixture
def world(app, create_shop, create_shopper, create_partner, create_user, login_client):
    """A shop with two couriers on shift, a fruit partner, a resident with ¥200, and logged-in clients."""
    shop = create_shop(couriers=2)
    partner = create_partner(shop)
    shopper = create_shopper(shop, balance_cents=BALANCE)
    staff_id, staff_phone = create_user(shop.store_id, Role.STAFF, name="Staff A")
    with app.app_context():
        couriers = db.session.scalars(db.select(User).where(User.id.in_(shop.courier_ids)))
        phones = {u.id: u.phone for u in couriers}

    class World:
        pass

    w = World()
    w.shop, w.partner, w.shopper, w.staff_id = shop, partner, shopper, staff_id
    w.staff = english(login_client(staff_phone))
    w.courier_ids = shop.courier_ids
    w.couriers = [english(login_client(phones[cid])) for cid in shop.courier_ids]
    w.resident = english(login_client(shopper.phone))
    return w


def english(client):
    """The messages these tests read are the English ones."""
    client.set_cookie("lang", "en")
    return client


def order_row(app, order_id):
    with app.app_context():
        order = db.session.get(Order, order_id)
        task = db.session.scalar(db.select(DeliveryTask).where(DeliveryTask.order_id == order_id))
        return {"status": order.status, "courier_id": order.courier_id, "refunded": order.refunded_cents,
                "misses": order.delivery_code_misses, "code": order.delivery_code, "total": order.total_cents,
                "task_id": task.id, "task_status": task.status, "task_courier": task.courier_id,
                "task_finished": task.finished_at,
                "items": {i.product_id: (i.id, i.unavailable, i.prepared_at) for i in order.items}}


def wallet_state(app, user_id):
    """``(Wallet.balance_cents, sum of the ledger)``: they must always be equal."""
    with app.app_context():
        return db.session.get(Wallet, user_id).balance_cents, ledger_sum(user_id)


def stock_of(app, product_id):
    with app.app_context():
        return db.session.get(Product, product_id).stock


def act(client, order_id, action, data=None):
    return post_form(client, f"/console/orders/{order_id}/{action}", data, token_from="/console/orders")


def courier_act(client, task_id, action, data=None):
    return post_form(client, f"/courier/tasks/{task_id}/{action}", data, token_from="/courier")


def wrong(code):
    return f"{(int(code) + 1) % 10_000:04d}"


# ---- the whole life of an order ------------------------------------------------------------

def test_the_whole_life_of_an_order(app, world, create_order):
    shop = world.shop
    water, milk, apples = shop.products["water"], shop.products["milk"], world.partner.products["apples"]
    order_id = create_order(world.shopper, {water: 2, milk: 1, apples: 1}, note="no bag")
    paid = 2 * 300 + 1250 + 1500 + FEE
    assert order_row(app, order_id)["total"] == paid
    assert wallet_state(app, world.shopper.user_id) == (BALANCE - paid, BALANCE - paid)

    _staff_prepare_with_a_missing_item(app, world, order_id, milk)
    left = BALANCE - paid + 1250
    assert wallet_state(app, world.shopper.user_id) == (left, left)  # the ledger and the balance agree

    assert act(world.staff, order_id, "ready").status_code == 303
    courier_a = world.courier_ids[0]
    assert act(world.staff, order_id, "assign", {"courier_id": courier_a}).status_code == 303
    row = order_row(app, order_id)
    assert (row["status"], row["courier_id"], row["task_status"], row["task_courier"]) == (
        "assigned", courier_a, "assigned", courier_a)
    tasks_page = text_of(world.couriers[0].get("/courier"))
    assert f'id="task-{row["task_id"]}"' in tasks_page and "no bag" in tasks_page
    # The courier must ask the resident for it: the four digits stand nowhere on their own (the map's
    # coordinates are long numbers that may hold them by chance).
    assert not re.search(r"(?<![0-9.])%s(?![0-9])" % row["code"], tasks_page)
    assert courier_act(world.couriers[0], row["task_id"], "picked-up").status_code == 303
    assert order_row(app, order_id)["task_status"] == "picked_up"

    _wrong_codes_lock_then_staff_unlock(app, world, order_id, row)
    response = courier_act(world.couriers[0], row["task_id"], "delivered", {"code": row["code"]})
    assert response.status_code == 303
    row = order_row(app, order_id)
    assert (row["status"], row["task_status"]) == ("delivered", "delivered")
    assert row["task_finished"] is not None
    assert f'id="task-{row["task_id"]}"' not in world.couriers[0].get("/courier").get_data(as_text=True)
    done = world.staff.get("/console/orders/live").get_data(as_text=True)
    assert f'data-order-id="{order_id}" data-status="delivered"' in done
    assert wallet_state(app, world.shopper.user_id) == (left, left)
    with app.app_context():
        steps = db.session.scalars(db.select(OrderEvent.status).where(OrderEvent.order_id == order_id)
                                   .order_by(OrderEvent.id)).all()
    assert steps[0] == "placed" and steps[-1] == "delivered"


def _staff_prepare_with_a_missing_item(app, world, order_id, milk):
    """Board: the new order is shown, accepted, picked; the milk is struck off and refunded, and the
    resident sees it."""
    board = world.staff.get("/console/orders")
    page = text_of(board)
    assert board.status_code == 200
    assert f'data-order-id="{order_id}" data-status="placed"' in page
    assert "no bag" in page and "Fruit Corner" in page and "Inside Tower, 2-1202" in page
    assert act(world.staff, order_id, "accept").status_code == 303
    assert act(world.staff, order_id, "pick").status_code == 303
    milk_item = order_row(app, order_id)["items"][milk][0]
    assert act(world.staff, order_id, f"items/{milk_item}/unavailable").status_code == 303
    row = order_row(app, order_id)
    assert row["refunded"] == 1250 and row["items"][milk][1] is True
    status = world.resident.get(f"/orders/{order_id}/status").get_json()
    assert status["unavailable"] == ["Fresh milk"] and status["refunded_cents"] == 1250
    assert "Fresh milk" in world.resident.get(f"/orders/{order_id}").get_data(as_text=True)


def _wrong_codes_lock_then_staff_unlock(app, world, order_id, row):
    """Four wrong codes are 400s; the fifth locks the code (423), even for the right one, until staff
    unlock it."""
    courier, task_id = world.couriers[0], row["task_id"]
    for attempt in range(1, 5):
        response = courier_act(courier, task_id, "delivered", {"code": wrong(row["code"])})
        assert response.status_code == 400, attempt
        assert order_row(app, order_id)["misses"] == attempt
    response = courier_act(courier, task_id, "delivered", {"code": wrong(row["code"])})
    assert response.status_code == 423
    assert "locked" in response.get_data(as_text=True)
    response = courier_act(courier, task_id, "delivered", {"code": row["code"]})
    assert response.status_code == 423  # even the right code waits for staff
    assert order_row(app, order_id)["status"] == "picked_up"
    assert "Unlock the delivery code" in world.staff.get("/console/orders").get_data(as_text=True)
    assert act(world.staff, order_id, "unlock-code").status_code == 303
    assert order_row(app, order_id)["misses"] == 0


def test_a_code_that_is_not_four_digits_costs_no_try(app, world, create_order):
    order_id = _picked_up_order(app, world, create_order)
    task_id = order_row(app, order_id)["task_id"]
    for typed in ("", "12", "12345", "abcd"):
        response = courier_act(world.couriers[0], task_id, "delivered", {"code": typed})
        assert response.status_code == 400
    assert order_row(app, order_id)["misses"] == 0


def test_a_failed_delivery_needs_a_reason(app, world, create_order):
    order_id = _picked_up_order(app, world, create_order)
    task_id = order_row(app, order_id)["task_id"]
    blank_other = courier_act(world.couriers[0], task_id, "failed", {"reason": "other", "text": " "})
    assert blank_other.status_code == 400
    assert courier_act(world.couriers[0], task_id, "failed", {"reason": "sleeping"}).status_code == 400
    assert order_row(app, order_id)["status"] == "picked_up"
    response = courier_act(world.couriers[0], task_id, "failed", {"reason": "nobody_home"})
    assert response.status_code == 303
    row = order_row(app, order_id)
    assert (row["status"], row["task_status"]) == ("failed", "failed")


def _picked_up_order(app, world, create_order, courier=0):
    order_id = create_order(world.shopper, {world.shop.products["water"]: 1}, payment_method="cash")
    for step in ("accept", "pick", "ready"):
        assert act(world.staff, order_id, step).status_code == 303
    assert act(world.staff, order_id, "assign", {"courier_id": world.courier_ids[courier]}).status_code == 303
    task_id = order_row(app, order_id)["task_id"]
    assert courier_act(world.couriers[courier], task_id, "picked-up").status_code == 303
    return order_id


# ---- cancelling, double clicks, re-assigning ----------------------------------------------

def test_cancel_by_store_refunds_and_restocks(app, world, create_order):
    water, noodles = world.shop.products["water"], world.shop.products["noodles"]
    stock_before = (stock_of(app, water), stock_of(app, noodles))
    order_id = create_order(world.shopper, {water: 3, noodles: 2}, payment_method="wallet")
    assert act(world.staff, order_id, "accept").status_code == 303
    assert wallet_state(app, world.shopper.user_id)[0] < BALANCE

    refused = act(world.staff, order_id, "cancel", {"reason": "other", "text": ""})
    assert refused.status_code == 400
    assert "Please say why" in refused.get_data(as_text=True)
    assert '<option value="other" selected>' in refused.get_data(as_text=True)  # the form comes back filled
    assert act(world.staff, order_id, "cancel", {"reason": ""}).status_code == 400
    assert order_row(app, order_id)["status"] == "accepted"

    response = act(world.staff, order_id, "cancel", {"reason": "out_of_stock"})
    assert response.status_code == 303
    row = order_row(app, order_id)
    assert (row["status"], row["task_status"]) == ("cancelled", "cancelled")
    assert (stock_of(app, water), stock_of(app, noodles)) == stock_before
    assert wallet_state(app, world.shopper.user_id) == (BALANCE, BALANCE)
    assert act(world.staff, order_id, "cancel", {"reason": "out_of_stock"}).status_code == 409


def test_cancelling_after_an_unavailable_item_refunds_the_rest_once(app, world, create_order):
    water, milk = world.shop.products["water"], world.shop.products["milk"]
    order_id = create_order(world.shopper, {water: 1, milk: 1}, payment_method="wallet")
    milk_item = order_row(app, order_id)["items"][milk][0]
    assert act(world.staff, order_id, f"items/{milk_item}/unavailable").status_code == 303
    assert act(world.staff, order_id, f"items/{milk_item}/unavailable").status_code == 303  # a second click
    assert order_row(app, order_id)["refunded"] == 1250
    assert act(world.staff, order_id, "cancel", {"reason": "customer_request"}).status_code == 303
    assert wallet_state(app, world.shopper.user_id) == (BALANCE, BALANCE)
    assert stock_of(app, milk) == 20 - 1  # the missing milk was never on the shelf: not put back


def test_two_staff_clicking_the_same_step_one_wins_one_gets_409(app, world, create_order, create_user,
                                                                 login_client):
    order_id = create_order(world.shopper, {world.shop.products["water"]: 1})
    _, phone = create_user(world.shop.store_id, Role.STAFF, name="Staff B")
    other = english(login_client(phone))
    assert world.staff.get("/console/orders").status_code == 200
    assert other.get("/console/orders").status_code == 200

    first, second = act(world.staff, order_id, "accept"), act(other, order_id, "accept")
    assert (first.status_code, second.status_code) == (303, 409)
    assert "already moved on" in second.get_data(as_text=True)
    assert order_row(app, order_id)["status"] == "accepted"
    with app.app_context():
        accepted = db.session.scalar(db.select(db.func.count()).select_from(OrderEvent).where(
            OrderEvent.order_id == order_id, OrderEvent.status == "accepted"))
    assert accepted == 1


def test_an_order_can_go_to_another_courier_until_it_is_picked_up(app, world, create_order):
    order_id = create_order(world.shopper, {world.shop.products["water"]: 1})
    for step in ("accept", "pick", "ready"):
        assert act(world.staff, order_id, step).status_code == 303
    courier_a, courier_b = world.courier_ids
    assert act(world.staff, order_id, "assign", {"courier_id": courier_a}).status_code == 303
    assert act(world.staff, order_id, "assign", {"courier_id": courier_b}).status_code == 303
    row = order_row(app, order_id)
    assert (row["courier_id"], row["task_courier"], row["status"]) == (courier_b, courier_b, "assigned")
    # The first courier no longer sees it, nor may touch it.
    assert f'id="task-{row["task_id"]}"' not in world.couriers[0].get("/courier").get_data(as_text=True)
    assert courier_act(world.couriers[0], row["task_id"], "picked-up").status_code == 404

    assert courier_act(world.couriers[1], row["task_id"], "picked-up").status_code == 303
    response = act(world.staff, order_id, "assign", {"courier_id": courier_a})
    assert response.status_code == 409
    assert "already been picked up" in response.get_data(as_text=True)
    row = order_row(app, order_id)
    assert (row["courier_id"], row["task_courier"], row["task_status"]) == (courier_b, courier_b, "picked_up")


def test_assigning_needs_a_ready_order_and_a_courier_of_the_store(app, world, create_order, create_user):
    order_id = create_order(world.shopper, {world.shop.products["water"]: 1})
    assert act(world.staff, order_id, "assign", {"courier_id": world.courier_ids[0]}).status_code == 409
    for step in ("accept", "pick", "ready"):
        act(world.staff, order_id, step)
    staff_b, _ = create_user(world.shop.store_id, Role.STAFF, name="Not a courier")
    for bad in ({}, {"courier_id": "x"}, {"courier_id": staff_b}, {"courier_id": 99_999}):
        assert act(world.staff, order_id, "assign", bad).status_code == 400, bad
    assert order_row(app, order_id)["status"] == "ready"


def test_the_board_lists_couriers_on_shift_first(app, world, create_user):
    off_shift, _ = create_user(world.shop.store_id, Role.COURIER, name="Aaron Offshift")
    with app.app_context():
        from store_app.database import utcnow
        from store_app.deliveries.operations import list_assignable_couriers
        choices = list_assignable_couriers(world.shop.store_id, utcnow())
    assert [c.id for c in choices][-1] == off_shift
    assert [c.on_shift for c in choices] == [True, True, False]


# ---- live fragment, picking list ------------------------------------------------------------

def test_the_live_fragment_is_the_board_alone(app, world, create_order):
    order_id = create_order(world.shopper, {world.shop.products["water"]: 1})
    response = world.staff.get("/console/orders/live")
    assert response.status_code == 200
    assert response.headers["X-Order-Board"] == "1"
    assert "no-store" in response.headers["Cache-Control"]
    page = response.get_data(as_text=True)
    assert f'data-order-id="{order_id}"' in page and 'data-new-count="1"' in page
    assert "<html" not in page


def test_the_picking_list_groups_items_and_hides_the_code(app, world, create_order):
    shop = world.shop
    order_id = create_order(world.shopper, {shop.products["water"]: 2, world.partner.products["apples"]: 3},
                            note="ring twice")
    with app.app_context():
        db.session.execute(db.update(Order).where(Order.id == order_id).values(delivery_code="9731"))
        db.session.commit()
    response = world.staff.get(f"/console/orders/{order_id}/picking-list")
    page = text_of(response)
    assert response.status_code == 200
    assert "9731" not in page
    assert page.index("Daily") < page.index("Fruit Corner")  # the store's shelves first, then partners
    assert "ring twice" in page and "Inside Tower, 2-1202" in page
    assert page.count('type="checkbox"') == 2
    assert "@media print" in (ROOT / "static/css/board.css").read_text(encoding="utf-8")


# ---- per-object authorisation and roles -----------------------------------------------------

def test_another_stores_order_is_404(app, world, create_shop, create_shopper, create_order):
    other_shop = create_shop(name="Other Store", lat=31.3, lon=121.5)
    stranger = create_shopper(other_shop)
    order_id = create_order(stranger, {other_shop.products["water"]: 1})
    for action, data in (("accept", None), ("pick", None), ("ready", None), ("unlock-code", None),
                         ("cancel", {"reason": "out_of_stock"}),
                         ("assign", {"courier_id": other_shop.courier_ids[0]})):
        assert act(world.staff, order_id, action, data).status_code == 404, action
    with app.app_context():
        item_id = db.session.scalar(db.select(OrderItem.id).where(OrderItem.order_id == order_id))
    assert act(world.staff, order_id, f"items/{item_id}/unavailable").status_code == 404
    assert world.staff.get(f"/console/orders/{order_id}/picking-list").status_code == 404
    assert f'data-order-id="{order_id}"' not in world.staff.get("/console/orders").get_data(as_text=True)
    assert order_row(app, order_id)["status"] == "placed"


def test_another_couriers_task_is_404(app, world, create_order):
    order_id = _picked_up_order(app, world, create_order, courier=0)
    row = order_row(app, order_id)
    other = world.couriers[1]
    assert courier_act(other, row["task_id"], "picked-up").status_code == 404
    assert courier_act(other, row["task_id"], "delivered", {"code": row["code"]}).status_code == 404
    assert courier_act(other, row["task_id"], "failed", {"reason": "refused"}).status_code == 404
    assert courier_act(other, 99_999, "picked-up").status_code == 404
    assert order_row(app, order_id)["status"] == "picked_up"


CONSOLE_PAGES = ("/console/orders", "/console/orders/live", "/console/partners", "/console/wallet")


def test_residents_and_couriers_may_not_open_the_console(app, world, create_order):
    order_id = create_order(world.shopper, {world.shop.products["water"]: 1})
    for client in (world.resident, world.couriers[0]):
        for path in CONSOLE_PAGES + (f"/console/orders/{order_id}/picking-list",):
            assert client.get(path).status_code == 403, path
        assert post_form(client, f"/console/orders/{order_id}/accept").status_code == 403
    assert order_row(app, order_id)["status"] == "placed"
    assert world.resident.post("/console/orders/1/accept").status_code == 400  # no CSRF token: refused first


def test_staff_and_owner_may_open_the_console(app, world, create_user, login_client):
    _, owner_phone = create_user(world.shop.store_id, Role.OWNER, name="Owner")
    for client in (world.staff, english(login_client(owner_phone))):
        for path in CONSOLE_PAGES:
            assert client.get(path).status_code == 200, path
        assert "/console/orders" in client.get("/console").get_data(as_text=True)  # the "Orders" tab
    assert world.staff.get("/courier").status_code == 403
    assert app.test_client().get("/console/orders").status_code == 302  # to the login page


def test_the_courier_page_lists_tasks_by_promise(app, world, create_order):
    first = _picked_up_order(app, world, create_order)
    second = create_order(world.shopper, {world.shop.products["noodles"]: 2}, payment_method="cash")
    for step in ("accept", "pick", "ready"):
        act(world.staff, second, step)
    act(world.staff, second, "assign", {"courier_id": world.courier_ids[0]})
    page = text_of(world.couriers[0].get("/courier"))
    first_task, second_task = order_row(app, first)["task_id"], order_row(app, second)["task_id"]
    assert page.index(f'id="task-{first_task}"') < page.index(f'id="task-{second_task}"')
    assert "¥16.00" in page  # cash to collect: 2 x ¥5.50 + the ¥5.00 fee
    assert 'name="code"' in page and "Picked up" in page
    assert PASSWORD not in page
