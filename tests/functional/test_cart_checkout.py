"""Cart, checkout and the order page through the test client: form posts and fetch (JSON), prices
pointed out, the promise or the reason with slots, double submits, bad input, live status, cancel."""
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from store_app.catalogue.models import Product
from store_app.database import transaction
from store_app.extensions import db
from store_app.orders.models import CartItem, Order, OrderStatus
from store_app.roles import Role
from store_app.wallet.operations import get_balance
from store_app.fulfilment import moves
from tests.conftest import csrf_token

from .conftest import input_value, option_values, post_form, text_of

FEE = 500
ORDER_URL_RE = re.compile(r"^/orders/(\d+)$")


@pytest.fixture
def shop(create_shop):
    return create_shop(stock=20, fee_cents=FEE)


@pytest.fixture
def shopper(shop, create_shopper):
    return create_shopper(shop, balance_cents=10_000)


@pytest.fixture
def browser(login_client, shopper):
    """The shopper's phone: logged in, pages in English."""
    client = login_client(shopper.phone)
    client.set_cookie("lang", "en")
    return client


def cart_lines(app, user_id):
    """``{product_id: quantity}`` of the resident's cart, read from the database."""
    with app.app_context():
        return dict(db.session.execute(db.select(CartItem.product_id, CartItem.quantity)
                                       .where(CartItem.user_id == user_id)).all())


def stock_of(app, product_id):
    with app.app_context():
        return db.session.get(Product, product_id).stock


def get_balance_of(app, person):
    with app.app_context():
        return get_balance(person.user_id)


def set_price(app, product_id, price_cents):
    with app.app_context(), transaction():
        db.session.get(Product, product_id).price_cents = price_cents


def add(client, product_id, quantity=1, **kwargs):
    return post_form(client, "/cart/items", {"product_id": product_id, "quantity": quantity}, **kwargs)


def checkout_page(client, **query):
    """GET /checkout and the form fields a browser would send back."""
    page = client.get("/checkout", query_string=query)
    assert page.status_code == 200, page.status_code
    form = {name: input_value(page, name)
            for name in ("csrf_token", "idempotency_key", "expected_total_cents")}
    address = re.search(r'<option[^>]*selected[^>]*value="(\d+)"|<option[^>]*value="(\d+)"[^>]*selected',
                        page.get_data(as_text=True))
    form["address_id"] = next(g for g in address.groups() if g)
    form["payment_method"] = "wallet"
    form["note"] = ""
    return page, form


def order_id_of(response):
    assert response.status_code == 303, (response.status_code, text_of(response)[:3000])
    match = ORDER_URL_RE.match(response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def flashed(response):
    """The text of the page after following its redirect, if any."""
    return response.get_data(as_text=True)


# ---- the cart --------------------------------------------------------------------------------

def test_add_to_cart_with_a_form_post(app, shop, shopper, browser):
    water = shop.products["water"]
    response = add(browser, water, 2)
    assert response.status_code == 303 and response.headers["Location"] == "/cart"
    assert cart_lines(app, shopper.user_id) == {water: 2}

    page = add(browser, water, 1, follow_redirects=True)
    assert "Added to your cart." in flashed(page)
    assert cart_lines(app, shopper.user_id) == {water: 3}
    assert "Mineral water" in page.get_data(as_text=True) and "¥9.00" in page.get_data(as_text=True)


def test_the_bottom_bar_counts_the_items_in_the_cart(shop, browser):
    badge = re.compile(r'data-cart-count[^>]*?( hidden)?>(\d+)<')
    empty = badge.search(browser.get("/orders").get_data(as_text=True))
    assert empty and empty.group(1) == " hidden" and empty.group(2) == "0"
    add(browser, shop.products["water"], 2)
    add(browser, shop.products["milk"], 1)
    full = badge.search(browser.get("/orders").get_data(as_text=True))
    assert full and full.group(1) is None and full.group(2) == "3"


def test_add_to_cart_goes_back_to_a_local_next_page_only(shop, browser):
    water = shop.products["water"]
    local = post_form(browser, "/cart/items", {"product_id": water, "next": "/shop"})
    assert local.headers["Location"] == "/shop"
    evil = post_form(browser, "/cart/items", {"product_id": water, "next": "https://evil.example/"})
    assert evil.headers["Location"] == "/cart"


def test_add_to_cart_with_fetch_answers_json(app, shop, shopper, browser):
    json_headers = {"Accept": "application/json"}
    token = csrf_token(browser, "/cart")

    def post(data):
        return browser.post("/cart/items", data={**data, "csrf_token": token}, headers=json_headers)

    first = post({"product_id": shop.products["water"], "quantity": 2})
    assert first.status_code == 200 and first.get_json() == {"count": 2}
    assert post({"product_id": shop.products["milk"]}).get_json() == {"count": 3}

    missing = post({"product_id": 99_999})
    assert missing.status_code == 404 and missing.get_json()["error"]
    too_many = post({"product_id": shop.products["water"], "quantity": 100})
    assert too_many.status_code == 400 and "between 1 and 99" in too_many.get_json()["error"]
    assert cart_lines(app, shopper.user_id) == {shop.products["water"]: 2, shop.products["milk"]: 1}


def test_a_sold_out_product_cannot_be_added(app, shop, shopper, browser):
    with app.app_context(), transaction():
        db.session.get(Product, shop.products["milk"]).stock = 0
    answer = browser.post("/cart/items", data={"product_id": shop.products["milk"],
                                               "csrf_token": csrf_token(browser, "/cart")},
                          headers={"Accept": "application/json"})
    assert answer.status_code == 409 and "sold out" in answer.get_json()["error"]
    assert cart_lines(app, shopper.user_id) == {}


def test_adding_without_a_csrf_token_is_refused(app, shop, shopper, browser):
    response = browser.post("/cart/items", data={"product_id": shop.products["water"]})
    assert response.status_code == 400
    assert cart_lines(app, shopper.user_id) == {}


def test_quantity_plus_minus_and_remove(app, shop, shopper, browser):
    water, milk = shop.products["water"], shop.products["milk"]
    add(browser, water, 2)
    add(browser, milk, 1)
    page = browser.get("/cart")
    assert f'action="/cart/items/{water}"' in page.get_data(as_text=True)

    assert post_form(browser, f"/cart/items/{water}", {"quantity": 3}).status_code == 303
    assert cart_lines(app, shopper.user_id) == {water: 3, milk: 1}
    post_form(browser, f"/cart/items/{water}", {"quantity": 2})
    assert cart_lines(app, shopper.user_id) == {water: 2, milk: 1}
    post_form(browser, f"/cart/items/{milk}", {"quantity": 0})
    assert cart_lines(app, shopper.user_id) == {water: 2}

    refused = post_form(browser, f"/cart/items/{water}", {"quantity": -1}, follow_redirects=True)
    assert "between 1 and 99" in flashed(refused)
    refused = post_form(browser, f"/cart/items/{water}", {"quantity": 100}, follow_redirects=True)
    assert "between 1 and 99" in flashed(refused)
    assert cart_lines(app, shopper.user_id) == {water: 2}


def test_the_cart_survives_logout_and_login(app, shop, shopper, client, auth):
    auth.login(shopper.phone)
    add(client, shop.products["noodles"], 4)
    auth.logout()
    assert client.get("/cart").status_code == 302  # to the login page
    auth.login(shopper.phone)
    client.set_cookie("lang", "en")
    page = client.get("/cart").get_data(as_text=True)
    assert "Instant noodles" in page and "¥22.00" in page
    assert cart_lines(app, shopper.user_id) == {shop.products["noodles"]: 4}


def test_the_cart_is_for_residents(shop, community, login_client):
    staff = login_client(community["users"][Role.STAFF][1])
    assert staff.get("/cart").status_code == 403
    assert staff.get("/checkout").status_code == 403


# ---- a price change --------------------------------------------------------------------------

def test_a_price_change_is_pointed_out_and_blocks_checkout_until_acknowledged(
        app, shop, shopper, browser, count):
    milk = shop.products["milk"]
    add(browser, milk, 2)
    _, form = checkout_page(browser)
    set_price(app, milk, 1350)

    page = browser.get("/cart").get_data(as_text=True)
    assert "Price changed from ¥12.50 to ¥13.50" in page
    assert 'href="/checkout"' not in page and "disabled>Checkout" in page

    refused = browser.post("/checkout", data=form)
    assert refused.status_code == 409
    assert "Some prices or stock changed" in refused.get_data(as_text=True)
    assert count(Order) == 0 and stock_of(app, milk) == 20 and get_balance_of(app, shopper) == 10_000

    post_form(browser, "/cart/acknowledge", token_from="/cart")
    page = browser.get("/cart").get_data(as_text=True)
    assert "Price changed" not in page and 'href="/checkout"' in page

    _, form = checkout_page(browser)
    assert form["expected_total_cents"] == str(2 * 1350 + FEE)
    order_id = order_id_of(browser.post("/checkout", data=form))
    with app.app_context():
        assert db.session.get(Order, order_id).total_cents == 2 * 1350 + FEE


def test_stock_below_the_cart_is_pointed_out_and_trimmed_on_acknowledge(app, shop, shopper, browser):
    water = shop.products["water"]
    add(browser, water, 5)
    with app.app_context(), transaction():
        db.session.get(Product, water).stock = 3
    assert "Only 3 left" in browser.get("/cart").get_data(as_text=True)
    post_form(browser, "/cart/acknowledge", token_from="/cart")
    assert cart_lines(app, shopper.user_id) == {water: 3}


# ---- the checkout page -----------------------------------------------------------------------

def test_checkout_page_shows_the_eta_fee_and_total(shop, browser):
    add(browser, shop.products["water"], 2)
    page, form = checkout_page(browser)
    text = page.get_data(as_text=True)
    assert re.search(r"Arrives in about \d+ minutes", text)
    assert "Zone A" in text and "¥5.00" in text and "Pay ¥11.00 and place order" in text
    assert form["expected_total_cents"] == "1100"
    assert len(form["idempotency_key"]) >= 16
    assert 'name="slot"' not in text  # nothing to schedule when we can come now


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(browser):
    response = browser.get("/checkout")
    assert response.status_code == 302 and response.headers["Location"] == "/cart"


def closed_now_hours():
    """Daily hours that certainly exclude the present: one hour, six hours from now (Shanghai)."""
    hour = (datetime.now(ZoneInfo("Asia/Shanghai")).hour + 6) % 24
    return [(d, hour * 60, hour * 60 + 60) for d in range(7)]


def test_checkout_page_shows_the_reason_and_slots_when_closed(app, create_shop, create_shopper, login_client,
                                                              count):
    shop = create_shop(hours=closed_now_hours())
    person = create_shopper(shop)
    client = login_client(person.phone)
    client.set_cookie("lang", "en")
    add(client, shop.products["water"], 1)

    page, form = checkout_page(client)
    assert "The store is closed right now." in page.get_data(as_text=True)
    assert "You can choose a later delivery time instead." in page.get_data(as_text=True)
    slots = option_values(page, "slot")
    assert len(slots) == 4
    assert all(datetime.fromisoformat(s).minute in (0, 30) for s in slots)

    asap = client.post("/checkout", data=form)
    assert asap.status_code == 409 and "The store is closed right now." in asap.get_data(as_text=True)
    assert count(Order) == 0

    order_id = order_id_of(client.post("/checkout", data={**form, "slot": slots[0]}))
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.scheduled_for == datetime.fromisoformat(slots[0]).astimezone(timezone.utc)
        assert order.promised_at == order.scheduled_for + timedelta(minutes=30)


def test_a_tampered_slot_is_refused(app, create_shop, create_shopper, login_client, count):
    shop = create_shop(hours=closed_now_hours())
    person = create_shopper(shop)
    client = login_client(person.phone)
    client.set_cookie("lang", "en")
    add(client, shop.products["water"], 1)
    page, form = checkout_page(client)
    first = datetime.fromisoformat(option_values(page, "slot")[0])
    for slot in ((first + timedelta(minutes=10)).isoformat(), "tomorrow at nine"):
        response = client.post("/checkout", data={**form, "slot": slot})
        assert response.status_code == 400
        assert "That delivery time is no longer available." in response.get_data(as_text=True)
    assert count(Order) == 0


def test_outside_the_zone_the_page_says_so_without_slots(app, shop, create_shopper, login_client, count):
    person = create_shopper(shop, building_id=shop.outside_building_id)
    client = login_client(person.phone)
    client.set_cookie("lang", "en")
    add(client, shop.products["water"], 1)
    page, form = checkout_page(client, fulfilment="delivery")
    text = page.get_data(as_text=True)
    assert "outside the area we deliver to" in text and 'name="slot"' not in text
    # No ¥0.00 fee for an address we can't deliver to, and Pay is disabled with the reason beside it.
    assert "¥0.00" not in text and "no delivery here" in text
    assert re.search(r'<button type="submit" class="button block" data-once disabled aria-describedby="pay-blocked"', text)
    assert "We don't deliver to this address. Choose pickup at the store" in text
    refused = client.post("/checkout", data={**form, "fulfilment": "delivery"})
    assert refused.status_code == 409 and "outside the area we deliver to" in refused.get_data(as_text=True)
    assert count(Order) == 0


# ---- placing the order -----------------------------------------------------------------------

def test_checkout_places_the_order_and_shows_its_page(app, shop, shopper, browser):
    add(browser, shop.products["water"], 2)
    _, form = checkout_page(browser)
    response = browser.post("/checkout", data={**form, "note": "call me"})
    order_id = order_id_of(response)

    page = browser.get(response.headers["Location"])
    text = page.get_data(as_text=True)
    with app.app_context():
        order = db.session.get(Order, order_id)
        code = order.delivery_code
        assert order.note == "call me" and order.total_cents == 1100
    assert f"Order placed! Delivery code: {code}" in text and f"Order #{order_id}" in text
    assert f'<p class="code" aria-label="Delivery code">{code}</p>' in text
    assert "Cancel order" in text
    assert cart_lines(app, shopper.user_id) == {}
    assert stock_of(app, shop.products["water"]) == 18
    assert get_balance_of(app, shopper) == 10_000 - 1100


def test_a_double_submit_makes_one_order_and_both_go_to_it(app, shop, shopper, browser, count):
    add(browser, shop.products["water"], 2)
    _, form = checkout_page(browser)

    first = browser.post("/checkout", data=form)
    second = browser.post("/checkout", data=form)

    assert order_id_of(first) == order_id_of(second)
    assert count(Order) == 1
    assert stock_of(app, shop.products["water"]) == 18
    assert get_balance_of(app, shopper) == 10_000 - 1100


@pytest.mark.parametrize("changes, status, message", [
    ({"address_id": ""}, 400, "Please choose a delivery address."),
    ({"address_id": "99999"}, 400, "Please choose a delivery address."),
    ({"payment_method": "bitcoin"}, 400, "Not a valid choice"),
    ({"payment_method": ""}, 400, "Please choose how to pay."),
    ({"expected_total_cents": "1"}, 409, "Some prices or stock changed"),
    ({"idempotency_key": "no"}, 409, "already being placed"),
])
def test_bad_input_gets_a_message_keeps_the_form_and_creates_nothing(
        app, shop, shopper, browser, count, changes, status, message):
    add(browser, shop.products["water"], 2)
    _, form = checkout_page(browser)
    response = browser.post("/checkout", data={**form, "note": "leave at the door", **changes})
    assert response.status_code == status
    text = response.get_data(as_text=True)
    assert message in text
    assert input_value(response, "note") == "leave at the door"
    assert count(Order) == 0
    assert stock_of(app, shop.products["water"]) == 20 and get_balance_of(app, shopper) == 10_000
    assert cart_lines(app, shopper.user_id) == {shop.products["water"]: 2}


def test_a_neighbours_address_is_not_a_choice(app, shop, shopper, browser, create_shopper, count):
    neighbour = create_shopper(shop)
    add(browser, shop.products["water"], 1)
    _, form = checkout_page(browser)
    response = browser.post("/checkout", data={**form, "address_id": str(neighbour.address_id)})
    assert response.status_code == 400 and count(Order) == 0


def test_not_enough_in_the_wallet_is_a_message(app, shop, create_shopper, login_client, count):
    person = create_shopper(shop, balance_cents=100)
    client = login_client(person.phone)
    client.set_cookie("lang", "en")
    add(client, shop.products["water"], 2)
    _, form = checkout_page(client)
    response = client.post("/checkout", data=form)
    assert response.status_code == 409
    assert "Your wallet balance is not enough" in response.get_data(as_text=True)
    assert stock_of(app, shop.products["water"]) == 20 and get_balance_of(app, person) == 100


# ---- the order page, its live status, cancelling ----------------------------------------------

@pytest.fixture
def placed(app, shop, shopper, browser):
    """An order placed through the page: its id."""
    add(browser, shop.products["water"], 2)
    _, form = checkout_page(browser)
    return order_id_of(browser.post("/checkout", data=form))


def test_the_status_json(browser, placed):
    response = browser.get(f"/orders/{placed}/status")
    assert response.status_code == 200 and response.is_json
    live = response.get_json()
    assert {"id", "status", "status_label", "minutes_left", "promised_at", "courier", "steps", "unavailable",
            "refunded_cents", "cancellable"} <= set(live)
    assert (live["id"], live["status"], live["status_label"]) == (placed, "placed", "Order placed")
    assert 0 < live["minutes_left"] <= 30 and live["courier"] is None
    assert datetime.fromisoformat(live["promised_at"]).utcoffset() == timedelta(0)
    assert [s["status"] for s in live["steps"]] == ["placed", "accepted", "picking", "ready", "assigned",
                                                    "picked_up", "delivered"]
    assert live["steps"][0]["done"] and live["steps"][0]["at"] and not live["steps"][1]["done"]
    assert live["unavailable"] == [] and live["refunded_cents"] == 0 and live["cancellable"] is True


def test_my_orders_lists_it(browser, placed):
    assert f"/orders/{placed}" in browser.get("/orders").get_data(as_text=True)


def test_another_residents_order_is_a_404(app, shop, placed, create_shopper, login_client):
    stranger = login_client(create_shopper(shop).phone)
    assert stranger.get(f"/orders/{placed}").status_code == 404
    assert stranger.get(f"/orders/{placed}/status").status_code == 404
    assert post_form(stranger, f"/orders/{placed}/cancel").status_code == 404
    assert stranger.get("/orders/99999").status_code == 404
    with app.app_context():
        assert db.session.get(Order, placed).status == "placed"


def test_the_cancel_button_works_before_picking(app, shop, shopper, browser, placed):
    page = browser.get(f"/orders/{placed}").get_data(as_text=True)
    assert f'action="/orders/{placed}/cancel"' in page

    response = post_form(browser, f"/orders/{placed}/cancel", token_from=f"/orders/{placed}",
                         follow_redirects=True)

    assert "Your order is cancelled." in response.get_data(as_text=True)
    assert f'action="/orders/{placed}/cancel"' not in response.get_data(as_text=True)
    live = browser.get(f"/orders/{placed}/status").get_json()
    assert (live["status"], live["cancellable"], live["minutes_left"], live["refunded_cents"]) == \
        ("cancelled", False, None, 1100)
    assert stock_of(app, shop.products["water"]) == 20 and get_balance_of(app, shopper) == 10_000


def test_no_cancelling_once_picking_started(app, shop, shopper, browser, placed):
    with app.app_context(), transaction():
        order = db.session.get(Order, placed)
        for target in (OrderStatus.ACCEPTED, OrderStatus.PICKING):
            moves.move(order, target, actor_id=None, now=order.placed_at)
    page = browser.get(f"/orders/{placed}").get_data(as_text=True)
    assert f'action="/orders/{placed}/cancel"' not in page and "Being picked" in page

    response = post_form(browser, f"/orders/{placed}/cancel", token_from=f"/orders/{placed}",
                         follow_redirects=True)

    assert "can no longer be cancelled" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Order, placed).status == "picking"
    assert stock_of(app, shop.products["water"]) == 18 and get_balance_of(app, shopper) == 10_000 - 1100
