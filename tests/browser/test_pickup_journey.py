"""Pickup at the store (到店自提) end to end, in real Chromium: a resident 5 km away signs up (told
before the account exists that the store doesn't deliver there), orders for pickup and sees the
code on the phone; the counter hands the order over against the code on a 1024x768 tablet while the
resident's page moves to "collected" without a reload; and the Pay button is disabled with its
reason next to it (outside every zone, below the minimum) until pickup is chosen.

The live server's database is shared by the tests of this module: each test registers its own
resident. Numbers (codes, amounts) are checked against the database, not against translated copy.
"""
import re

from store_app.accounts import operations as accounts
from store_app.accounts.models import User
from store_app.catalogue.models import Product
from store_app.database import utcnow
from store_app.extensions import db
from store_app.geo.models import Building
from store_app.orders import pickup
from store_app.orders.cart import add_to_cart
from store_app.orders.checkout import new_idempotency_key, place_order
from store_app.orders.models import Order
from store_app.stores.models import Store
from store_app.wallet import operations as wallet
from tests.browser.pages import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

STAFF_PHONE = "+8613800138001"
PASSWORD = "far-away-2026"
FAR_BUILDING = "虹梅南苑 1号楼"  # store_app/demo/zones.py: beyond every zone
PRODUCT_EN = "Chilled Salmon"   # ¥39.90, above both zones' minimum
LIVE_UPDATE_MS = 15_000         # order-live.js polls every 5 s
# About 5 km north of the demo store (31.17838, 121.42495): no building of ours, no zone.
FAR_AWAY = {"latitude": 31.2234, "longitude": 121.42495, "accuracy": 20}


def store_of(live_server):
    with live_server.transaction() as session:
        store = session.scalar(db.select(Store).order_by(Store.id))
        return {"id": store.id, "lat": store.lat, "lon": store.lon}


def product_id(live_server, name_en=PRODUCT_EN):
    with live_server.transaction() as session:
        return session.scalar(db.select(Product.id).where(Product.name_en == name_en))


def cheapest_product(live_server):
    """The cheapest product in stock of the store's own shelves: below every zone's minimum."""
    with live_server.transaction() as session:
        found = session.scalar(db.select(Product).where(Product.stock > 5, Product.is_active.is_(True))
                               .order_by(Product.price_cents, Product.id))
        return {"id": found.id, "name_en": found.name_en, "price_cents": found.price_cents}


def new_resident(live_server, phone, building_name=None, unit="1-101", balance_cents=0):
    """A resident registered by the operation itself (the registration form is tested elsewhere)."""
    with live_server.transaction() as session:
        store = session.scalar(db.select(Store).order_by(Store.id))
        building_id = None
        if building_name:
            building_id = session.scalar(db.select(Building.id).where(Building.name == building_name))
        user = accounts.register_resident(store.id, phone, "Pickup Tester", PASSWORD, building_id, unit, locale="zh")
        if balance_cents:
            wallet.credit(user.id, store.id, balance_cents, "topup", now=utcnow(), note="browser test")
        return user.id


def pickup_order(live_server, user_id, item_id, quantity=1):
    """A pickup order placed through the real checkout: ``(order_id, code)``."""
    with live_server.transaction() as session:
        user = session.get(User, user_id)
        add_to_cart(user, item_id, quantity, now=utcnow())
        order, _ = place_order(user, address_id=None, payment_method="cash", idempotency_key=new_idempotency_key(),
                               now=utcnow(), fulfilment="pickup")
        return order.id, pickup.pickup_code(order)


def orders_of(live_server, user_id):
    with live_server.transaction() as session:
        return [(o.id, o.status, o.fulfilment, o.delivery_fee_cents, pickup.pickup_code(o))
                for o in session.scalars(db.select(Order).where(Order.user_id == user_id).order_by(Order.id))]


def add_from_feed(page, item_id, query=PRODUCT_EN):
    """Search the feed and tap the card's Add button."""
    page.goto(f"/shop?q={query}")
    card = page.locator(f"li.feed-card#p{item_id}")

    def adding(response):
        return response.url.endswith("/cart/items") and response.request.method == "POST"
    with page.expect_response(adding) as added:
        card.locator("button.add-button").click()
    assert added.value.ok, added.value.text()


def switch_to_english(page):
    with page.expect_navigation():
        page.locator('header .lang-switch button[value="en"]').click()


# ---- 1. far away: register, order for pickup, the code on the phone ---------------------------------

def test_a_far_resident_registers_orders_for_pickup_and_sees_the_code(phone, live_server, fresh_phone, ui):
    page = phone
    page.goto("/register")
    number = fresh_phone()
    page.locator('input[name="phone"]').fill(number)
    page.locator('input[name="name"]').fill("Far Resident")
    page.locator('input[name="password"]').fill(PASSWORD)

    # Every building says, in words, whether we deliver there.
    select = page.locator('select[name="building_id"]')
    labels = select.evaluate("s => [...s.options].filter(o => o.value).map(o => o.textContent)")
    assert any(label.startswith(FAR_BUILDING) and "不在配送范围" in label for label in labels), labels
    assert any("可配送" in label for label in labels), labels
    assert labels[-1] == "我住得较远：到店自提"

    # "Use my location" 5 km away: not "pick a building", but "we don't deliver there" on a map,
    # with pickup at the store chosen and the unit no longer asked for.
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation(FAR_AWAY)
    page.locator("[data-picker-locate]").click()
    where = page.locator("[data-where]")
    expect(where).to_have_attribute("data-delivers", "no")
    expect(where).to_contain_text("不在配送范围")
    expect(where).to_contain_text("到店自提")
    expect(where.locator("svg.zone-map .map-point")).to_be_visible()
    expect(select).to_have_value("pickup")
    expect(page.locator("[data-unit-field]")).to_be_hidden()
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "pickup-register-far-zh")
    page.locator('main form button[type="submit"]').click()

    # The shop says plainly what a far resident can do.
    page.wait_for_url("**/shop")
    expect(page.locator(".flashes")).to_contain_text("到店自提")
    with live_server.transaction() as session:
        user = session.scalar(db.select(User).where(User.phone == "+86" + number))
        user_id, addresses = user.id, len(user.addresses)
    assert addresses == 0

    # The cart offers pickup; checkout starts on it with no fee, delivery greyed out with the reason.
    add_from_feed(page, product_id(live_server))
    page.goto("/cart")
    expect(page.locator("[data-cart-pickup]")).to_contain_text("到店自提")
    ui.screenshot(page, "pickup-cart-far-zh")
    page.goto("/checkout")
    expect(page.locator('input[name="fulfilment"][value="pickup"]')).to_be_checked()
    expect(page.locator('input[name="fulfilment"][value="delivery"]')).to_be_disabled()
    pay = page.locator("button[data-once]")
    expect(pay).to_be_enabled()
    expect(page.locator('input[name="payment_method"][value="cash"]')).to_be_checked()  # an empty wallet
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "pickup-checkout-zh")
    pay.click()

    # The order's page: the code, big, with where and when to collect.
    page.wait_for_url(re.compile(r"/orders/\d+$"))
    [(order_id, status, fulfilment, fee, code)] = orders_of(live_server, user_id)
    assert (status, fulfilment, fee) == ("placed", "pickup", 0)
    code_box = page.locator(".pickup-code")
    expect(code_box).to_have_text(code)
    box = code_box.bounding_box()
    assert box["height"] >= 40, box  # readable across the counter
    expect(page.locator(".pickup-where")).to_be_visible()
    expect(page.locator(".delivery-code")).to_have_count(0)
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "pickup-code-zh")
    switch_to_english(page)
    expect(page.locator("#pickup-code-title")).to_have_text("Pickup code")
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "pickup-code-en")


# ---- 2. the counter hands it over; the resident's page follows live --------------------------------

def test_the_counter_hands_over_against_the_code_and_the_phone_follows(phone, tablet, live_server, fresh_phone,
                                                                          ui):
    number = fresh_phone()
    user_id = new_resident(live_server, number)
    order_id, code = pickup_order(live_server, user_id, product_id(live_server), quantity=2)

    log_in(phone, "+86" + number, PASSWORD)
    phone.wait_for_url("**/shop")
    phone.goto(f"/orders/{order_id}")
    expect(phone.locator(".pickup-code")).to_have_text(code)

    counter = tablet
    log_in(counter, STAFF_PHONE)
    counter.goto("/console/orders")
    tile = counter.locator(f"#order-{order_id}")
    expect(tile.locator(".pickup-badge")).to_be_visible()
    for _step in ("accept", "pick", "ready"):
        tile.locator(".tile-actions form button[type=submit]").first.click()
        counter.wait_for_load_state()
    expect(counter.locator(f".column-pickup #order-{order_id}")).to_be_visible()
    ui.no_horizontal_scroll(counter)
    ui.screenshot(counter, "pickup-board-tablet-zh")

    # The pickup counter, from the board; its list of waiting pickups follows without a reload.
    counter.locator('a[href="/console/pickups"]').first.click()
    counter.wait_for_url("**/console/pickups")
    expect(counter.locator(f'[data-pickup-waiting] a[href$="#order-{order_id}"]')).to_be_visible()
    other_id, _ = pickup_order(live_server, new_resident(live_server, fresh_phone()), product_id(live_server))
    expect(counter.locator(f'[data-pickup-waiting] a[href$="#order-{other_id}"]')).to_be_visible(
        timeout=LIVE_UPDATE_MS)

    # A wrong code first (clear, nothing opens), then the right one.
    field = counter.locator("#pickup-code")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    field.fill(wrong)
    counter.locator(".pickup-entry button[type=submit]").click()
    expect(counter.locator("#pickup-code-error")).to_be_visible()
    expect(field).to_have_value(wrong)
    expect(counter.locator("input[name=ticket]")).to_have_count(0)

    counter.locator("#pickup-code").fill(code)
    counter.locator(".pickup-entry button[type=submit]").click()
    found = counter.locator(".pickup-found")
    expect(found).to_contain_text(f"#{order_id}")
    expect(found.locator(".pickup-items li")).to_have_count(1)
    ui.no_horizontal_scroll(counter)
    ui.tall_enough(counter.locator("main .button"))
    ui.screenshot(counter, "pickup-counter-tablet-zh")
    found.locator("button[type=submit]").click()
    counter.wait_for_url("**/console/pickups")
    expect(counter.locator(".flashes")).to_contain_text(f"#{order_id}")
    assert orders_of(live_server, user_id)[0][1] == "collected"

    # The resident's phone moves to "collected" by itself, and the code is gone.
    expect(phone.locator(".status-line .badge")).to_have_text("已到店取货", timeout=LIVE_UPDATE_MS)
    expect(phone.locator(".pickup-code")).to_have_count(0, timeout=LIVE_UPDATE_MS)

    switch_to_english(counter)
    ui.no_horizontal_scroll(counter)
    ui.screenshot(counter, "pickup-counter-tablet-en")


# ---- 3. the Pay button: disabled with its reason, until pickup is chosen ----------------------------

def test_pay_is_disabled_with_its_reason_outside_the_zone_and_below_the_minimum(phone, live_server, fresh_phone,
                                                                                 ui):
    page = phone
    number = fresh_phone()
    new_resident(live_server, number, building_name=FAR_BUILDING, balance_cents=100_000)
    log_in(page, "+86" + number, PASSWORD)
    page.wait_for_url("**/shop")
    add_from_feed(page, product_id(live_server))

    # Delivery to a building outside every zone: Pay disabled, the reason beside it, no ¥0.00 fee.
    page.goto("/checkout?fulfilment=delivery")
    pay = page.locator("button[data-once]")
    reason = page.locator("#pay-blocked")
    expect(pay).to_be_disabled()
    expect(pay).to_have_attribute("aria-describedby", "pay-blocked")
    expect(reason).to_be_visible()
    expect(reason).to_contain_text("到店自提")
    expect(page.locator("main")).not_to_contain_text("¥0.00")
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "pay-disabled-outside-zh")

    # Choosing pickup reloads the page with Pay enabled and the wallet (it covers the total) chosen.
    page.locator('input[name="fulfilment"][value="pickup"]').check()
    page.wait_for_url(re.compile(r"fulfilment=pickup"))
    expect(page.locator("button[data-once]")).to_be_enabled()
    expect(page.locator("#pay-blocked")).to_have_count(0)
    expect(page.locator('input[name="payment_method"][value="wallet"]')).to_be_checked()


def test_pay_is_disabled_below_the_minimum_with_what_is_missing(phone, live_server, fresh_phone, ui):
    page = phone
    number = fresh_phone()
    with live_server.transaction() as session:  # a building inside the inner zone (¥20.00 minimum)
        inner = session.scalar(db.select(Building.name).where(Building.name.like("莲花苑%")).order_by(Building.id))
    new_resident(live_server, number, building_name=inner)
    cheap = cheapest_product(live_server)
    assert cheap["price_cents"] < 2000
    log_in(page, "+86" + number, PASSWORD)
    page.wait_for_url("**/shop")
    add_from_feed(page, cheap["id"], query=cheap["name_en"])

    page.goto("/cart")
    expect(page.locator("[data-cart-minimum]")).to_contain_text("还差")
    ui.screenshot(page, "cart-minimum-zh")

    page.goto("/checkout")
    expect(page.locator('input[name="fulfilment"][value="delivery"]')).to_be_checked()
    expect(page.locator("button[data-once]")).to_be_disabled()
    expect(page.locator("#pay-blocked")).to_contain_text("还差")
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "pay-disabled-minimum-zh")
    switch_to_english(page)
    expect(page.locator("#pay-blocked")).to_contain_text("more to reach the minimum order for delivery")
    expect(page.locator('input[name="payment_method"][value="cash"]')).to_be_checked()  # an empty wallet
    ui.screenshot(page, "pay-disabled-minimum-en")


def test_far_registration_in_english(new_page, live_server, ui):
    page = new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True,
                    locale="en-GB")
    page.goto("/register")
    expect(page.locator("h1")).to_have_text("Create an account")
    select = page.locator('select[name="building_id"]')
    labels = select.evaluate("s => [...s.options].filter(o => o.value).map(o => o.textContent)")
    assert any(label.endswith("· we deliver") for label in labels), labels
    assert any(label.endswith("· outside our delivery area, pickup at the store") for label in labels), labels
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation(FAR_AWAY)
    page.locator("[data-picker-locate]").click()
    where = page.locator("[data-where]")
    expect(where).to_contain_text("We don't deliver there")
    expect(where).to_contain_text("You can still create an account")
    # The words around the map are English: only the names of places may be Chinese.
    sentence = where.locator("p").first.inner_text()
    assert not re.search(r"[\u4e00-\u9fff]", sentence.replace("邻里便利店", "")), sentence
    expect(select).to_have_value("pickup")
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "pickup-register-far-en")
