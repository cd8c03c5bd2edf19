"""Residents far away and pickup at the store (到店自提), through the test client: registration that
says where the store delivers before the account exists, a pickup order through the same checkout
(key, stock, wallet, events) with no fee and no courier task, its code on the resident's phone, the
counter's handover against the code (wrong codes counted and limited), and the checkout's Pay
button disabled with its reason while the server refuses the same cases."""
import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from store_app.accounts.models import User
from store_app.catalogue.models import Product
from store_app.deliveries.models import DeliveryTask
from store_app.database import utcnow
from store_app.extensions import db
from store_app.fulfilment import pickup_counter
from store_app.fulfilment.errors import PickupNotReady
from store_app.notifications.models import Notification
from store_app.orders import pickup
from store_app.orders.models import Order, OrderEvent
from store_app.roles import Role
from store_app.wallet.operations import get_balance

from .conftest import input_value, option_values, post_form

ORDER_URL_RE = re.compile(r"^/orders/(\d+)$")
CODE_RE = re.compile(r'<p class="pickup-code"[^>]*>(\d{6})</p>')
FEE = 500


@pytest.fixture
def shop(create_shop):
    return create_shop(stock=20, fee_cents=FEE)


@pytest.fixture
def far_shopper(shop, create_shopper):
    """A resident whose building is outside every zone, with ¥100.00 in the wallet."""
    return create_shopper(shop, balance_cents=10_000, building_id=shop.outside_building_id)


@pytest.fixture
def staff(shop, create_user, login_client):
    _, phone = create_user(shop.store_id, Role.STAFF, name="Counter Clerk")
    client = login_client(phone)
    client.set_cookie("lang", "en")
    return client


def text(response):
    """The page as the reader sees its words (entities such as &#39; turned back into characters)."""
    return html.unescape(response.get_data(as_text=True))


def english(client):
    client.set_cookie("lang", "en")
    return client


def add(client, product_id, quantity=1):
    response = post_form(client, "/cart/items", {"product_id": product_id, "quantity": quantity})
    assert response.status_code == 303, response.status_code
    return response


def checkout_form(client, **query):
    """GET /checkout (with ``query``), and the fields a browser would post back."""
    page = client.get("/checkout", query_string=query)
    assert page.status_code == 200, page.status_code
    form = {name: input_value(page, name) for name in ("csrf_token", "idempotency_key", "expected_total_cents")}
    form["note"] = ""
    if 'name="address_id"' in page.get_data(as_text=True):
        form["address_id"] = option_values(page, "address_id")[0]
    return page, form


def checked(page, name):
    """The value of the checked radio button ``name`` on the page, or None."""
    for tag in re.findall(r'<input[^>]*\bname="%s"[^>]*>' % name, text(page)):
        if re.search(r"\bchecked\b", tag):
            return re.search(r'\bvalue="([^"]*)"', tag).group(1)
    return None


def pay_button(page):
    """The Pay button's tag."""
    match = re.search(r'<button type="submit" class="button block" data-once[^>]*>', text(page))
    assert match, "no Pay button"
    return match.group(0)


def place_pickup(client, *, payment_method="wallet", **extra):
    page, form = checkout_form(client, fulfilment="pickup")
    response = client.post("/checkout", data={**form, "fulfilment": "pickup", "payment_method": payment_method,
                                              **extra})
    assert response.status_code == 303, (response.status_code, text(response)[:3000])
    return int(ORDER_URL_RE.match(response.headers["Location"]).group(1))


def code_of(app, order_id):
    with app.app_context():
        return pickup.pickup_code(db.session.get(Order, order_id))


def advance_to_ready(staff, order_id):
    for step in ("accept", "pick", "ready"):
        response = post_form(staff, f"/console/orders/{order_id}/{step}", token_from="/console/orders")
        assert response.status_code == 303, (step, response.status_code)


def look_up(staff, code):
    return post_form(staff, "/console/pickups", {"code": code}, token_from="/console/pickups")


def ticket_of(page):
    return input_value(page, "ticket")


# ---- registration: where we deliver, before the account exists ----------------------------------

def test_the_building_list_says_where_we_deliver(client, shop):
    english(client)
    page = text(client.get("/register"))
    assert "Inside Tower · we deliver" in page
    assert "Far Away Tower · outside our delivery area, pickup at the store" in page
    assert 'value="pickup"' in page and "I live farther away: pickup at the store" in page
    # Not by colour alone: the words are in the option; the data attribute is for the script.
    assert re.search(r'data-delivers="no"[^>]*value="%d"|value="%d"[^>]*data-delivers="no"'
                     % (shop.outside_building_id, shop.outside_building_id), page)


def test_use_my_location_far_away_says_we_do_not_deliver_and_offers_pickup(client, shop):
    english(client)
    # About 5 km north-east of the store: no building of ours near, outside every zone.
    response = client.get("/register/where?lat=31.235&lon=121.44")
    words = text(response)
    assert response.status_code == 200
    assert 'data-delivers="no"' in words and 'data-building-id=""' in words
    assert "We don't deliver there" in words and "collect your orders at the store" in words
    assert "pick a building" not in words.lower() and "choose it from the list" not in words
    assert re.search(r"about 5\.\d km from Test Store", words)
    assert '<svg class="zone-map' in words and 'class="map-point"' in words


def test_use_my_location_near_a_building_in_the_zone_picks_it(client, shop):
    english(client)
    words = text(client.get("/register/where?lat=31.2005&lon=121.4005"))
    assert f'data-building-id="{shop.inside_building_id}"' in words and 'data-delivers="yes"' in words
    assert "We deliver here" in words and "Zone A" in words


def test_use_my_location_with_bad_coordinates_is_a_400_that_says_why(client, shop):
    english(client)
    response = client.get("/register/where?lat=north&lon=121.4")
    assert response.status_code == 400 and "must be numbers" in text(response)


def register(client, building_id, unit="", phone="13700137001"):
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text(client.get("/register")))
    return client.post("/register", data={"csrf_token": token.group(1), "phone": phone, "name": "Far Resident",
                                          "password": "far-away-42", "building_id": building_id, "unit": unit})


def test_a_far_resident_registers_for_pickup_and_is_told_plainly(app, client, shop, count):
    english(client)
    response = register(client, "pickup")
    assert response.status_code == 302 and response.headers["Location"] == "/shop"
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.phone == "+8613700137001"))
        assert user is not None and user.role == Role.RESIDENT.value and user.addresses == []
    shop_page = text(client.get("/shop"))
    assert "We don't deliver to where you live, but you can order here and collect your order" in shop_page
    # And on every later visit, the feed says what a resident without an address can do.
    again = text(client.get("/shop"))
    assert "We don't deliver to where you live" not in again
    assert "You can still shop here and collect your order at the store" in again


def test_a_resident_of_an_outside_building_is_told_too(app, client, shop):
    english(client)
    response = register(client, str(shop.outside_building_id), unit="1-101", phone="13700137002")
    assert response.status_code == 302
    assert "collect your order at the store" in text(client.get("/shop"))
    assert "You can still shop here and collect your order at the store" in text(client.get("/shop"))


def test_a_building_without_a_unit_is_refused_and_the_form_comes_back(app, client, shop, count):
    english(client)
    before = count(User)
    response = register(client, str(shop.inside_building_id), unit="", phone="13700137003")
    words = text(response)
    assert response.status_code == 400 and "Please give your unit / room" in words
    assert 'value="13700137003"' in words and count(User) == before


# ---- the cart and checkout: fee, minimum, the Pay button and its reason --------------------------

def test_the_cart_shows_the_fee_and_what_is_missing_for_the_minimum(create_shop, create_shopper, login_client):
    shop = create_shop(fee_cents=FEE, minimum_cents=2000)
    client = english(login_client(create_shopper(shop).phone))
    add(client, shop.products["water"], 1)  # ¥3.00 of a ¥20.00 minimum
    page = text(client.get("/cart"))
    assert "Delivery fee" in page and "¥5.00" in page
    assert "¥17.00 more for delivery (minimum order ¥20.00)" in page
    assert "pick it up at the store: no minimum" in page


def test_the_cart_of_a_far_resident_offers_pickup(shop, far_shopper, login_client):
    client = english(login_client(far_shopper.phone))
    add(client, shop.products["water"], 1)
    page = text(client.get("/cart"))
    assert "We don't deliver to Far Away Tower." in page and "pick your order up at the store" in page
    assert "¥0.00" not in page


def test_below_the_minimum_pay_is_disabled_with_the_reason_and_the_server_refuses(
        create_shop, create_shopper, login_client, count):
    shop = create_shop(fee_cents=FEE, minimum_cents=2000)
    client = english(login_client(create_shopper(shop).phone))
    add(client, shop.products["water"], 1)
    page, form = checkout_form(client)
    assert "disabled" in pay_button(page) and 'aria-describedby="pay-blocked"' in pay_button(page)
    assert "Add ¥17.00 more to reach the minimum order for delivery (¥20.00), or choose pickup" in \
        text(page)
    forced = client.post("/checkout", data={**form, "fulfilment": "delivery", "payment_method": "cash"})
    assert forced.status_code == 400 and "The minimum order for your area is ¥20.00." in text(forced)
    assert count(Order) == 0
    # The same cart, collected at the store: no minimum, so Pay is enabled.
    page, _ = checkout_form(client, fulfilment="pickup")
    assert "disabled" not in pay_button(page)


def closed_now_hours():
    """Daily hours that certainly exclude the present: one hour, six hours from now (Shanghai)."""
    hour = (datetime.now(ZoneInfo("Asia/Shanghai")).hour + 6) % 24
    return [(d, hour * 60, hour * 60 + 60) for d in range(7)]


def test_store_closed_pay_waits_for_a_slot_and_the_server_refuses_without_one(
        app, create_shop, create_shopper, login_client, count):
    shop = create_shop(hours=closed_now_hours())
    client = english(login_client(create_shopper(shop).phone))
    add(client, shop.products["water"], 1)
    for mode, words in (("delivery", "choose a delivery time above"), ("pickup", "choose a pickup time above")):
        page, form = checkout_form(client, fulfilment=mode)
        assert 'data-block="needs_slot"' in pay_button(page) and "disabled" in pay_button(page)
        assert words in text(page)
        forced = client.post("/checkout", data={**form, "fulfilment": mode, "payment_method": "cash"})
        assert forced.status_code == 409 and "The store is closed right now." in text(forced)
        assert count(Order) == 0
        # With a slot chosen (what checkout.js sends back), Pay is enabled.
        slot = option_values(page, "slot")[0]
        page, _ = checkout_form(client, fulfilment=mode, slot=slot)
        assert "disabled" not in pay_button(page)
    # A pickup with a slot: collected at that time.
    page, form = checkout_form(client, fulfilment="pickup")
    slot = option_values(page, "slot")[0]
    response = client.post("/checkout", data={**form, "fulfilment": "pickup", "payment_method": "cash", "slot": slot})
    assert response.status_code == 303
    with app.app_context():
        order = db.session.scalar(db.select(Order))
        assert order.is_pickup and order.promised_at == datetime.fromisoformat(slot)


def test_the_wallet_is_preselected_only_when_it_covers_the_total(shop, create_shopper, login_client):
    rich = english(login_client(create_shopper(shop, balance_cents=10_000).phone))
    add(rich, shop.products["water"], 2)
    assert checked(checkout_form(rich)[0], "payment_method") == "wallet"

    poor = english(login_client(create_shopper(shop, balance_cents=0).phone))
    add(poor, shop.products["water"], 2)
    page, form = checkout_form(poor)
    assert checked(page, "payment_method") == "cash"
    assert "not enough for this order" in text(page)
    # Forced to pay from an empty wallet: refused, and the form comes back on cash, not on the wallet.
    refused = poor.post("/checkout", data={**form, "fulfilment": "delivery", "payment_method": "wallet"})
    assert refused.status_code in (400, 402, 409)
    assert "wallet balance is not enough" in text(refused)
    assert checked(refused, "payment_method") == "cash"


# ---- a pickup order: same checkout, no fee, no task, its code ------------------------------------

def test_a_far_resident_places_a_pickup_order_with_stock_wallet_and_no_task(app, shop, far_shopper, login_client,
                                                                              count):
    client = english(login_client(far_shopper.phone))
    add(client, shop.products["milk"], 2)  # 2 x ¥12.50
    page, _ = checkout_form(client)
    # Outside every zone, checkout starts on pickup: no fee, Pay enabled, the store's address.
    assert checked(page, "fulfilment") == "pickup" and "disabled" not in pay_button(page)
    assert "no delivery fee" in text(page) and "Pay ¥25.00 and place order" in text(page)

    order_id = place_pickup(client)
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.is_pickup and order.delivery_fee_cents == 0 and order.total_cents == 2500
        assert order.building_id is None and order.address_text == "1 Test Rd"
        assert order.pickup_code_hash and order.pickup_code_nonce
        assert db.session.scalar(db.select(db.func.count()).select_from(DeliveryTask)
                                 .where(DeliveryTask.order_id == order_id)) == 0
        assert db.session.get(Product, shop.products["milk"]).stock == 18
        assert get_balance(far_shopper.user_id) == 10_000 - 2500
        assert [e.status for e in order.events] == ["placed"]
    code = code_of(app, order_id)
    assert re.fullmatch(r"\d{6}", code)

    page = text(client.get(f"/orders/{order_id}"))
    assert CODE_RE.search(page).group(1) == code
    assert "Show this code at the store's counter" in page and "1 Test Rd" in page and "Opening hours" in page
    assert 'class="qr"' in page
    assert "Give this code to the courier" not in page
    live = client.get(f"/orders/{order_id}/status").get_json()
    assert live["pickup"] is True and [s["status"] for s in live["steps"]] == [
        "placed", "accepted", "picking", "ready", "collected"]


def test_a_replayed_pickup_checkout_gives_one_order(app, shop, far_shopper, login_client, count):
    client = english(login_client(far_shopper.phone))
    add(client, shop.products["water"], 1)
    page, form = checkout_form(client, fulfilment="pickup")
    data = {**form, "fulfilment": "pickup", "payment_method": "wallet"}
    first, second = client.post("/checkout", data=data), client.post("/checkout", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Order) == 1
    with app.app_context():
        assert get_balance(far_shopper.user_id) == 10_000 - 300


def test_a_resident_without_an_address_can_only_collect(app, client, shop, count):
    english(client)
    register(client, "pickup", phone="13700137009")
    add(client, shop.products["water"], 1)
    page, form = checkout_form(client)
    words = text(page)
    assert checked(page, "fulfilment") == "pickup" and "You have no delivery address yet." in words
    assert re.search(r'<input[^>]*disabled[^>]*value="delivery"|<input[^>]*value="delivery"[^>]*disabled', words)
    forced = client.post("/checkout", data={**form, "fulfilment": "delivery", "payment_method": "cash"})
    assert forced.status_code == 400 and count(Order) == 0
    response = client.post("/checkout", data={**form, "fulfilment": "pickup", "payment_method": "cash"})
    assert response.status_code == 303 and count(Order) == 1
    # Every page of a resident without an address works: their account, their orders, the order.
    assert client.get("/me").status_code == 200
    orders = text(client.get("/orders"))
    assert "Order placed" in orders
    assert "Ready for pickup in about" in text(client.get(response.headers["Location"]))


# ---- the counter ---------------------------------------------------------------------------------

def test_the_counter_hands_a_pickup_over_against_its_code(app, shop, far_shopper, login_client, staff, count):
    resident = english(login_client(far_shopper.phone))
    add(resident, shop.products["water"], 2)
    order_id = place_pickup(resident, payment_method="cash")
    code = code_of(app, order_id)

    # The board shows what to prepare, marked as a pickup.
    board = text(staff.get("/console/orders"))
    assert "Pickup at the store" in board and 'href="/console/pickups"' in board
    picking = text(staff.get(f"/console/orders/{order_id}/picking-list"))
    assert "Pickup at the store" in picking and "1 Test Rd" not in picking

    # Not packed yet: the counter finds it but cannot hand it over.
    early = look_up(staff, code)
    assert early.status_code == 200 and "Not packed yet" in text(early) and 'name="ticket"' not in text(early)
    with app.app_context():  # forced anyway: refused, nothing moves
        clerk = db.session.scalar(db.select(User).where(User.name == "Counter Clerk"))
        with pytest.raises(PickupNotReady):
            pickup_counter.hand_over_pickup(clerk, order_id, utcnow())
        db.session.rollback()

    advance_to_ready(staff, order_id)
    board = text(staff.get("/console/orders"))
    assert "Waiting for pickup" in board and "Waiting at the counter for the resident's pickup code." in board
    with app.app_context():
        told = db.session.scalar(db.select(Notification).where(Notification.user_id == far_shopper.user_id,
                                                               Notification.kind == "order_ready_for_pickup"))
        assert told is not None and told.link == f"/orders/{order_id}"

    found = look_up(staff, f" {code[:3]} {code[3:]} ")  # as a thumb types it
    words = text(found)
    assert found.status_code == 200 and f"Order #{order_id}" in words and "Collect ¥6.00 in cash." in words
    done = post_form(staff, "/console/pickups/hand-over", {"ticket": ticket_of(found)})
    assert done.status_code == 303 and done.headers["Location"] == "/console/pickups"
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.status == "collected" and order.collected_at is not None and order.pickup_code_hash is None
        assert db.session.scalar(db.select(OrderEvent.note).where(OrderEvent.order_id == order_id,
                                                                  OrderEvent.status == "collected")) \
            == "collected at the counter"
    live = resident.get(f"/orders/{order_id}/status").get_json()
    assert live["status"] == "collected" and live["status_label"] == "Collected at the store"
    assert "pickup-code" not in text(resident.get(f"/orders/{order_id}"))

    # The same ticket again: already handed over (409); the code now opens nothing (404).
    again = post_form(staff, "/console/pickups/hand-over", {"ticket": ticket_of(found)})
    assert again.status_code == 409 and "already been handed over" in text(again)
    assert look_up(staff, code).status_code == 404


def test_a_wrong_code_is_a_clear_404_that_changes_nothing(app, shop, far_shopper, login_client, staff):
    resident = english(login_client(far_shopper.phone))
    add(resident, shop.products["water"], 1)
    order_id = place_pickup(resident)
    code = code_of(app, order_id)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for typed in (wrong, "12", "abcdef", "x" * 5000):
        response = look_up(staff, typed)
        assert response.status_code == 404, typed
        words = text(response)
        assert "No order waiting for pickup has this code" in words and 'name="ticket"' not in words
    with app.app_context():
        assert db.session.get(Order, order_id).status == "placed"
    forged = post_form(staff, "/console/pickups/hand-over", {"ticket": "forged"})
    assert forged.status_code == 400 and "no longer valid" in text(forged)


def test_another_stores_staff_cannot_find_or_hand_over_the_order(app, shop, far_shopper, login_client, create_shop,
                                                                 create_user):
    resident = english(login_client(far_shopper.phone))
    add(resident, shop.products["water"], 1)
    code = code_of(app, place_pickup(resident))
    other = create_shop(name="Other Store")
    _, phone = create_user(other.store_id, Role.STAFF, name="Elsewhere")
    assert look_up(english(login_client(phone)), code).status_code == 404


def test_wrong_codes_pause_code_entry_and_tell_the_owner(app, shop, staff, create_user):
    owner_id, _ = create_user(shop.store_id, Role.OWNER, name="Owner")
    app.config["PARCEL_CODE_MISSES_PER_STAFF"] = "3 per 10 minutes"
    for attempt in range(3):
        assert look_up(staff, f"{attempt:06d}").status_code == 404
    paused = look_up(staff, "000009")
    assert paused.status_code == 429 and "code entry pauses for a few minutes" in text(paused)
    assert 'value="000009"' in text(paused)
    with app.app_context():
        assert db.session.scalar(db.select(Notification.kind).where(Notification.user_id == owner_id)) \
            == "pickup_code_misses"


def test_the_counter_is_for_staff(shop, far_shopper, login_client):
    resident = login_client(far_shopper.phone)
    assert resident.get("/console/pickups").status_code == 403
    assert resident.get("/console/pickups/live").status_code == 403


def test_the_waiting_list_is_served_alone_for_the_counter_to_refresh(app, shop, far_shopper, login_client, staff):
    empty = staff.get("/console/pickups/live")
    assert empty.status_code == 200 and empty.headers["X-Pickup-Waiting"] == "1"
    assert "No order is waiting for pickup." in text(empty) and "<html" not in text(empty)
    resident = english(login_client(far_shopper.phone))
    add(resident, shop.products["water"], 1)
    order_id = place_pickup(resident)
    waiting = text(staff.get("/console/pickups/live"))
    assert f"#{order_id}" in waiting and "Shopper" in waiting


def test_a_pickup_order_never_goes_to_a_courier(app, shop, far_shopper, login_client, staff):
    resident = english(login_client(far_shopper.phone))
    add(resident, shop.products["water"], 1)
    order_id = place_pickup(resident)
    advance_to_ready(staff, order_id)
    response = post_form(staff, f"/console/orders/{order_id}/assign", {"courier_id": shop.courier_ids[0]},
                         token_from="/console/orders")
    assert response.status_code == 409
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.status == "ready" and order.courier_id is None


def test_cancelling_a_pickup_order_refunds_and_frees_its_code(app, shop, far_shopper, login_client, staff):
    resident = english(login_client(far_shopper.phone))
    add(resident, shop.products["water"], 1)
    order_id = place_pickup(resident)
    code = code_of(app, order_id)
    response = post_form(resident, f"/orders/{order_id}/cancel", token_from=f"/orders/{order_id}")
    assert response.status_code == 303
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.status == "cancelled" and order.pickup_code_hash is None
        assert get_balance(far_shopper.user_id) == 10_000
        assert db.session.get(Product, shop.products["water"]).stock == 20
    assert look_up(staff, code).status_code == 404


def test_pickup_pages_in_chinese(app, shop, far_shopper, login_client, compiled_catalogs):
    resident = login_client(far_shopper.phone)
    resident.set_cookie("lang", "zh")
    add(resident, shop.products["water"], 1)
    page = text(resident.get("/checkout"))
    assert "到店自提" in page and "Pickup at the store" not in page
    order_id = place_pickup(resident)
    page = text(resident.get(f"/orders/{order_id}"))
    assert "取件码" in page and "Pickup code" not in page and "到店自提" in page
