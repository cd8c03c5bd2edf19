"""Delivery end to end: a resident on a phone finds something, pays from the wallet and watches the
counter move the order without reloading; an address outside every zone is told so before shopping;
staff redraw a zone and the promise changes; a double tap on "Pay" is one order.

The live server's database is shared by the tests of this module, so each test uses its own
resident (a demo one, or a newly registered one) and puts back what it changes. Pages are found by
URL, role, ids and data attributes; numbers (ETA, prices, codes) are checked against the API and the
database rather than against translated copy.
"""
import io
import json
import math
import re
import threading

import pytest

from store_app.accounts import operations as accounts
from store_app.accounts.models import User
from store_app.catalogue.models import Product
from store_app.database import utcnow
from store_app.extensions import db
from store_app.geo.models import Building, DeliveryZone
from store_app.orders.models import Order
from store_app.wallet import operations as wallet
from tests.browser.pages import DEMO_PASSWORD, log_in

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None
    PlaywrightError = Exception

STAFF_PHONE = "+8613800138001"
# Demo residents of store_app/demo/data.py, one per test: carts and orders never meet.
SHOPPER = "+8613900139005"  # 许丽, 莲花苑 5号楼 (inner zone)
DOUBLE_TAPPERS = {"loaded": "+8613900139016",          # 高翔, 莲花苑 2号楼 (inner zone)
                  "not loaded yet": "+8613900139019"}  # 宋佳, 锦绣华庭 3号楼 (inner zone)
FAR_BUILDING = "虹梅南苑 1号楼"     # store_app/demo/zones.py: beyond every zone
# ¥39.90: above both zones' minimum order, so one is enough to check out.
PRODUCT_EN, PRODUCT_ZH = "Chilled Salmon", "三文鱼"
LIVE_UPDATE_MS = 12_000  # order-live.js polls every 5 s
STATUS_BADGE = ".status-line .badge"
HOLD_S = 1.0  # how long the slow network holds the first "Pay" when no second one comes


# ---- helpers ------------------------------------------------------------------------------------

def resident(live_server, phone):
    """``{id, store_id, building_id}`` of a resident, from the database."""
    with live_server.transaction() as session:
        user = session.scalar(db.select(User).where(User.phone == phone))
        return {"id": user.id, "store_id": user.store_id, "building_id": user.default_address().building_id}


def top_up(live_server, phone, amount_cents=10_000):
    """Demo residents start with an empty wallet: put money in, as the counter would."""
    who = resident(live_server, phone)
    with live_server.transaction():
        wallet.credit(who["id"], who["store_id"], amount_cents, "topup", now=utcnow(), note="browser test")
        return wallet.get_balance(who["id"])


def product(live_server, name_en=PRODUCT_EN):
    with live_server.transaction() as session:
        found = session.scalar(db.select(Product).where(Product.name_en == name_en))
        return {"id": found.id, "category_id": found.category_id, "price_cents": found.price_cents,
                "stock": found.stock}


def building(live_server, name):
    with live_server.transaction() as session:
        found = session.scalar(db.select(Building).where(Building.name == name))
        return {"id": found.id, "store_id": found.store_id, "lat": found.lat, "lon": found.lon}


def orders_of(live_server, user_id, after=0):
    """The user's orders with an id above ``after`` (demo residents have a history) as
    ``[{id, status, total_cents, delivery_code}]``, oldest first."""
    with live_server.transaction() as session:
        return [{"id": o.id, "status": o.status, "total_cents": o.total_cents,
                 "delivery_code": o.delivery_code}
                for o in session.scalars(db.select(Order).where(Order.user_id == user_id, Order.id > after)
                                         .order_by(Order.id))]


def last_order_id(live_server):
    with live_server.transaction() as session:
        return session.scalar(db.select(db.func.max(Order.id))) or 0


def quote(page, building_id, items=1):
    response = page.request.get(f"/api/v1/delivery-quote?building={building_id}&items={items}")
    assert response.ok, response.text()
    return response.json()


def eta_number(text):
    """The one number in a sentence such as "预计 12 分钟送达" / "Arrives in about 12 minutes"."""
    numbers = re.findall(r"\d+", text)
    assert len(numbers) == 1, f"want one number (the minutes) in {text!r}"
    return int(numbers[0])


def add_from_feed(page, product_id):
    """Tap the card's Add button; returns the JSON the feed's script got back."""
    card = page.locator(f"li.feed-card#p{product_id}")

    def adding(response):
        return response.url.endswith("/cart/items") and response.request.method == "POST"
    with page.expect_response(adding) as added:
        card.locator("button.add-button").click()
    assert added.value.ok, added.value.text()
    return added.value.json()


def fill_cart_and_checkout(page, product_id, ui):
    """From the feed (searched in English) to the checkout page with one item in the cart."""
    page.goto(f"/shop?q={PRODUCT_EN}")
    assert add_from_feed(page, product_id) == {"count": 1}
    page.goto("/checkout")
    expect(page.locator("main form.checkout")).to_be_visible()
    ui.no_horizontal_scroll(page)


def in_first_screen(locator, height):
    """The elements of ``locator`` that show (at least partly) before the resident scrolls."""
    shown = []
    for index in range(locator.count()):
        box = locator.nth(index).bounding_box()
        if box and box["y"] < height and box["y"] + box["height"] > 0:
            shown.append(locator.nth(index))
    return shown


# ---- 1. shop, pay, watch the order move ------------------------------------------------------------

def test_resident_shops_pays_and_watches_the_order_move(phone, tablet, live_server, ui):
    salmon = product(live_server)
    me = resident(live_server, SHOPPER)
    balance = top_up(live_server, SHOPPER)
    page = phone

    log_in(page, SHOPPER)
    page.wait_for_url("**/shop")
    ui.no_horizontal_scroll(page)

    # The first screen: product cards with a price and the reason they are there.
    cards = page.locator("[data-feed-grid] > li.feed-card")
    first_screen = in_first_screen(cards, page.viewport_size["height"])
    assert first_screen, "no product card before scrolling"
    for card in first_screen:
        expect(card.locator(".feed-name")).not_to_be_empty()
        expect(card.locator(".price")).to_have_text(re.compile(r"^¥\d+\.\d\d$"))
        expect(card.locator(".feed-reason")).not_to_be_empty()
    ui.tall_enough(page.locator("[data-feed-grid] button.add-button"))

    # A category chip: only that category, the chip marked as the current one.
    chip = page.locator(f'nav.chips a.chip[href*="category={salmon["category_id"]}"]')
    chip.click()
    page.wait_for_url(re.compile(rf"/shop\?category={salmon['category_id']}$"))
    expect(chip).to_have_attribute("aria-current", "page")
    shown = {int(i) for i in cards.evaluate_all("cards => cards.map(c => c.dataset.productId)")}
    with live_server.transaction() as session:
        in_category = set(session.scalars(db.select(Product.id)
                                          .where(Product.category_id == salmon["category_id"])))
    assert shown and shown <= in_category, shown - in_category
    ui.no_horizontal_scroll(page)

    # Search inside the category, in Chinese and in English: the search keeps the chip.
    search = page.locator('form.feed-search input[name="q"]')
    for query in (PRODUCT_ZH, PRODUCT_EN.split()[-1].lower()):
        search.fill(query)
        with page.expect_navigation():
            search.press("Enter")
        assert re.search(rf"/shop\?q=[^&]+&category={salmon['category_id']}$", page.url), page.url
        expect(cards).to_have_count(1)
        expect(page.locator(f"li.feed-card#p{salmon['id']}")).to_be_visible()
        expect(page.locator(".feed-heading")).to_contain_text(query)
        expect(search).to_have_value(query)
        ui.no_horizontal_scroll(page)

    # Add: the page stays, the button says so, a toast says so, the cart holds one.
    assert add_from_feed(page, salmon["id"]) == {"count": 1}
    button = page.locator(f"li.feed-card#p{salmon['id']} button.add-button")
    expect(button).to_have_class(re.compile(r"\bis-added\b"))
    added_text = button.get_attribute("data-added")
    expect(button).to_contain_text(added_text)
    expect(page.locator("[data-feed-toast]")).to_have_text(added_text)
    assert "/shop?" in page.url
    ui.no_horizontal_scroll(page)

    # The cart, then checkout.
    page.locator('nav.bottom-nav a[href="/cart"]').click()
    page.wait_for_url("**/cart")
    expect(page.locator(".cart-line")).to_have_count(1)
    expect(page.locator(".cart-line .qty")).to_have_text("1")
    ui.no_horizontal_scroll(page)
    ui.tall_enough(page.locator(".qty-button"))
    page.locator('.sticky-action a[href="/checkout"]').click()
    page.wait_for_url("**/checkout")
    ui.no_horizontal_scroll(page)

    # The promise before paying: "arrives in about N minutes", N as the quote API says.
    promise = page.locator(".promise.ok strong")
    expect(promise).to_be_visible()
    expected = quote(page, me["building_id"], items=1)
    assert expected["deliverable"], expected
    assert eta_number(promise.inner_text()) == expected["eta_minutes"]
    total = salmon["price_cents"] + expected["fee_cents"]
    expect(page.locator(".total-row.grand strong")).to_have_text(f"¥{total // 100}.{total % 100:02d}")
    expect(page.locator('input[name="payment_method"][value="wallet"]')).to_be_checked()
    ui.tall_enough(page.locator("button[data-once]"))
    ui.screenshot(page, "checkout")

    known = last_order_id(live_server)
    page.locator("button[data-once]").click()
    page.wait_for_url(re.compile(r"/orders/\d+$"))
    ui.no_horizontal_scroll(page)
    [order] = orders_of(live_server, me["id"], after=known)
    assert page.url.endswith(f"/orders/{order['id']}")
    code = page.locator(".delivery-code .code")
    expect(code).to_have_text(re.compile(r"^\d{4}$"))
    assert code.inner_text() == order["delivery_code"]
    expect(page.locator(STATUS_BADGE)).to_have_class(re.compile(r"\bstatus-placed\b"))
    with live_server.transaction():
        assert wallet.get_balance(me["id"]) == balance - order["total_cents"] == balance - total
    ui.screenshot(page, "order-placed")

    # The counter accepts on the board (tablet); the resident's page follows without a reload.
    page.evaluate("window.__sameDocument = true")
    counter = tablet
    log_in(counter, STAFF_PHONE)
    counter.wait_for_url("**/console")
    counter.goto("/console/orders")
    ui.no_horizontal_scroll(counter)
    tile = counter.locator(f"article#order-{order['id']}")
    for step, status in (("accept", "accepted"), ("pick", "picking"), ("ready", "ready")):
        action = tile.locator(f'form[action$="/{order["id"]}/{step}"] button')
        ui.tall_enough(action)
        with counter.expect_navigation():
            action.click()
        assert counter.url.endswith(f"/console/orders#order-{order['id']}"), counter.url
        expect(counter.locator(".flash-success")).to_contain_text(f"#{order['id']}")
        expect(tile).to_have_attribute("data-status", status)
        ui.no_horizontal_scroll(counter)
        if step == "accept":  # a poll brings "accepted", and polling goes on for the next steps
            expect(page.locator(STATUS_BADGE)).to_have_class(re.compile(r"\bstatus-accepted\b"),
                                                             timeout=LIVE_UPDATE_MS)
            expect(page.locator("[data-cancel-entry]")).to_be_visible()
    ui.screenshot(counter, "board-ready")

    expect(page.locator(STATUS_BADGE)).to_have_class(re.compile(r"\bstatus-ready\b"), timeout=LIVE_UPDATE_MS)
    live = page.request.get(f"/orders/{order['id']}/status").json()
    expect(page.locator(STATUS_BADGE)).to_have_text(live["status_label"])
    for status in ("placed", "accepted", "picking", "ready"):
        expect(page.locator(f'[data-live-steps] li[data-step="{status}"]')).to_have_class("done")
    expect(page.locator('[data-live-steps] li[data-step="assigned"]')).not_to_have_class("done")
    expect(page.locator("[data-cancel-entry]")).to_have_count(0)  # too late to cancel once picking
    assert page.evaluate("window.__sameDocument === true"), "the order page reloaded"
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "order-ready")


# ---- 2. an address outside every zone -----------------------------------------------------------

def test_outside_every_zone_is_said_before_shopping(phone, live_server, fresh_phone, ui):
    far = building(live_server, FAR_BUILDING)["id"]
    page = phone
    page.goto("/register")
    page.locator('input[name="phone"]').fill(fresh_phone())
    page.locator('input[name="name"]').fill("Far Resident")
    page.locator('input[name="password"]').fill("kettle-lantern-42")
    page.locator('select[name="building_id"]').select_option(str(far))
    page.locator('input[name="unit"]').fill("3-502")
    page.locator('main form button[type="submit"]').click()
    page.wait_for_url("**/shop")
    expect(page.locator(".deliver-to")).to_contain_text(FAR_BUILDING)

    # At once, before anything goes into the cart: the message, the map with the address on it.
    banner = page.locator(".quote-banner")
    expect(banner).to_have_count(1)
    expect(banner).to_have_class(re.compile(r"\bquote-outside\b"))
    expect(banner).to_contain_text(FAR_BUILDING)
    expect(banner.locator('a[href="/shop/where-we-deliver"]')).to_be_visible()
    expect(banner.locator('a[href="/me#addresses"]')).to_be_visible()
    svg = banner.locator("svg.zone-map")
    expect(svg).to_be_visible()
    expect(svg.locator("polygon.zone")).to_have_count(2)
    expect(svg.locator("g.map-point")).to_have_count(1)
    inside = svg.evaluate("""svg => {
        const box = svg.viewBox.baseVal;
        const point = svg.querySelector("g.map-point").transform.baseVal[0].matrix;
        return point.e >= box.x && point.e <= box.x + box.width
            && point.f >= box.y && point.f <= box.y + box.height;
    }""")
    assert inside, "the resident's address is off the map"
    map_box = svg.bounding_box()
    assert map_box["width"] <= page.viewport_size["width"]
    # Shown above the products, without scrolling.
    assert banner.bounding_box()["y"] < page.viewport_size["height"]
    ui.no_horizontal_scroll(page)
    ui.tall_enough(banner.locator(".actions .button"))
    ui.screenshot(page, "shop-outside-zone")

    # The API says the same.
    answer = quote(page, far)
    assert answer["deliverable"] is False
    assert answer["reason"] == "outside_zone"
    assert answer["zone"] is None and answer["eta_minutes"] is None

    # "Where we deliver": the same map, full width, the address marked.
    banner.locator('a[href="/shop/where-we-deliver"]').click()
    page.wait_for_url("**/shop/where-we-deliver")
    expect(page.locator("svg.zone-map g.map-point")).to_have_count(1)
    ui.no_horizontal_scroll(page)


# ---- 3. staff move a zone's edge: the promise follows -------------------------------------------

@pytest.fixture
def zones_put_back(live_server):
    """Whatever a test does to the zones, the next test finds the demo's zones again."""
    with live_server.transaction() as session:
        saved = {z.id: z.geojson for z in session.scalars(db.select(DeliveryZone))}
    yield
    with live_server.transaction() as session:
        for zone in session.scalars(db.select(DeliveryZone)):
            if zone.geojson != saved.get(zone.id):
                zone.geojson, zone.updated_at = saved[zone.id], utcnow()


def bearing_gap(ring_point, store, target):
    """The angle (radians) between store->corner and store->target, on a local flat map."""
    scale = math.cos(math.radians(store["lat"]))
    a = math.atan2(ring_point[1] - store["lat"], (ring_point[0] - store["lon"]) * scale)
    b = math.atan2(target["lat"] - store["lat"], (target["lon"] - store["lon"]) * scale)
    return abs((a - b + math.pi) % (2 * math.pi) - math.pi)


def test_staff_stretch_a_zone_and_the_quote_follows(phone, tablet, live_server, fresh_phone, ui,
                                                    zones_put_back):
    far = building(live_server, FAR_BUILDING)
    number = fresh_phone()
    with live_server.transaction() as session:
        user = accounts.register_resident(far["store_id"], number, "Far Away", DEMO_PASSWORD, far["id"],
                                          "1-101")
        store = {"lat": user.store.lat, "lon": user.store.lon}
        outer = session.scalar(db.select(DeliveryZone).where(DeliveryZone.name_en.contains("Outer")))
        outer = {"id": outer.id, "name": outer.name}

    before = quote(phone, far["id"])
    assert (before["deliverable"], before["reason"]) == (False, "outside_zone"), before
    log_in(phone, number)
    phone.wait_for_url("**/shop")
    expect(phone.locator(".quote-banner")).to_have_class(re.compile(r"\bquote-outside\b"))
    ui.no_horizontal_scroll(phone)

    # Staff open the outer zone and, in its GeoJSON box, replace the corner pointing at the building
    # with a point 15 % beyond it on the same ray from the store: the zone then reaches past it.
    counter = tablet
    log_in(counter, STAFF_PHONE)
    counter.wait_for_url("**/console")
    counter.goto("/console/zones")
    counter.locator(f'table.zones-table a[href="/console/zones/{outer["id"]}"]').first.click()
    counter.wait_for_url(f"**/console/zones/{outer['id']}")
    ui.no_horizontal_scroll(counter)
    geojson = counter.locator('textarea[name="geojson"]')
    ring = json.loads(geojson.input_value())["coordinates"][0][:-1]
    nearest = min(range(len(ring)), key=lambda i: bearing_gap(ring[i], store, far))
    ring[nearest] = [round(store["lon"] + 1.15 * (far["lon"] - store["lon"]), 6),
                     round(store["lat"] + 1.15 * (far["lat"] - store["lat"]), 6)]
    geojson.fill(json.dumps({"type": "Polygon", "coordinates": [ring + [ring[0]]]}))
    expect(counter.locator("svg .vertex")).to_have_count(len(ring))
    counter.locator('main form[data-zone-editor] button[type="submit"]').click()
    counter.wait_for_url("**/console/zones")
    expect(counter.locator(".flash-success")).to_be_visible()
    ui.no_horizontal_scroll(counter)

    # The API and the resident's feed now promise a delivery to that building.
    after = quote(phone, far["id"])
    assert after["deliverable"] is True, after
    assert after["zone"] == outer["name"] and after["reason"] is None
    phone.reload()
    banner = phone.locator(".quote-banner")
    expect(banner).to_have_class(re.compile(r"\bquote-ok\b"))
    assert eta_number(banner.locator("strong").inner_text()) == after["eta_minutes"]
    expect(banner).to_contain_text(f"¥{after['fee_cents'] // 100}.{after['fee_cents'] % 100:02d}")
    expect(phone.locator(".quote-banner svg.zone-map")).to_have_count(0)
    ui.no_horizontal_scroll(phone)


# ---- 4. a double tap on "Pay" ------------------------------------------------------------------

@pytest.fixture
def slow_checkout(live_server):
    """The POSTs to /checkout as the server gets them, over a slow network: the first one is held
    until a second arrives (or ``HOLD_S`` pass), so that a second tap lands while the first is on
    its way. Yields the list of answers, ``{"status": "303 SEE OTHER", "location": ...}``, in the
    order they arrived (filled in as they are answered)."""
    answers, lock, second = [], threading.Lock(), threading.Event()
    inner = live_server.app.wsgi_app

    def wsgi(environ, start_response):
        if environ["REQUEST_METHOD"] != "POST" or environ["PATH_INFO"] != "/checkout":
            return inner(environ, start_response)
        # Read the form now: the browser may drop the connection of the first tap once it sends the second.
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        answer = {}
        with lock:
            answers.append(answer)
            first = len(answers) == 1
        if first:
            second.wait(HOLD_S)
        else:
            second.set()

        def recording_start_response(status, headers, *args):
            answer.update(status=status, location=dict(headers).get("Location"))
            return start_response(status, headers, *args)

        return inner(environ, recording_start_response)

    live_server.app.wsgi_app = wsgi
    yield answers
    live_server.app.wsgi_app = inner


def wait_for_order_page(page, attempts=3):
    """Wait for the order page. With two taps in flight the browser aborts the first navigation
    (net::ERR_ABORTED) in favour of the second: that is the double tap itself, so wait again."""
    for attempt in range(attempts):
        try:
            page.wait_for_url(re.compile(r"/orders/\d+$"))
            return
        except PlaywrightError as exc:
            if "ERR_ABORTED" not in str(exc) or attempt == attempts - 1:
                raise


@pytest.mark.parametrize("script", ["loaded", "not loaded yet"])
def test_a_double_tap_on_pay_places_one_order(phone, live_server, ui, slow_checkout, script):
    """Two quick taps on "Pay" while the network is slow. With checkout.js the second tap does
    nothing; before it has loaded (or where it failed to) both taps reach the server, which must
    answer the second with the first one's order: one order, one payment, stock taken once."""
    salmon = product(live_server)
    me = resident(live_server, DOUBLE_TAPPERS[script])
    balance = top_up(live_server, DOUBLE_TAPPERS[script])
    page = phone
    log_in(page, DOUBLE_TAPPERS[script])
    page.wait_for_url("**/shop")
    if script == "not loaded yet":
        page.route("**/static/js/checkout.js", lambda route: route.abort())
    fill_cart_and_checkout(page, salmon["id"], ui)
    known = last_order_id(live_server)

    box = page.locator("button[data-once]").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.touchscreen.tap(x, y)
    for _ in range(100):  # until the first tap has reached the server
        if slow_checkout:
            break
        page.wait_for_timeout(20)
    page.touchscreen.tap(x, y)
    wait_for_order_page(page)
    expect(page.locator(".delivery-code .code")).to_have_text(re.compile(r"^\d{4}$"))
    ui.no_horizontal_scroll(page)

    placed = orders_of(live_server, me["id"], after=known)
    assert len(placed) == 1, f"{len(slow_checkout)} taps reached the server and placed {placed}"
    order_url = f"/orders/{placed[0]['id']}"
    assert page.url.endswith(order_url)
    assert len(slow_checkout) == (1 if script == "loaded" else 2), slow_checkout
    for answer in slow_checkout:  # every tap that reached the server was sent to the one order
        assert answer.get("status", "").startswith("303") and answer["location"].endswith(order_url), answer
    with live_server.transaction() as session:
        assert wallet.get_balance(me["id"]) == balance - placed[0]["total_cents"]
        assert session.get(Product, salmon["id"]).stock == salmon["stock"] - 1
    page.goto("/orders")
    expect(page.locator(f'main a[href="/orders/{placed[0]["id"]}"]')).to_have_count(1)
    ui.no_horizontal_scroll(page)
