"""A courier's shift end to end on a phone: start a shift (the phone shares its position), see the
task the dispatch cycle gave them with the route map, pick it up, hand it over against the
resident's code; the resident's own phone follows along without reloading and sees the courier on
the map only while the courier carries their order.

The live server is this module's own (the demo community): every courier but ours is taken off
shift so that the cycle has one courier to choose.
"""
import re

import pytest

from dispatch import cycle
from store_app.accounts.models import User
from store_app.database import utcnow
from store_app.deliveries.models import CourierShift
from store_app.extensions import db
from store_app.orders.models import Order, OrderStatus
from store_app.orders.checkout import new_idempotency_key, place_order
from store_app.wallet import operations as wallet
from store_app.fulfilment import moves
from tests.browser.pages import log_in
from tests.conftest import fill_cart

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

COURIER = "+8613800138012"   # 赵磊 Zhao Lei
RESIDENT = "+8613900139008"  # 曹芳
WHERE = {"latitude": 31.1721, "longitude": 121.4145}
LIVE_UPDATE_MS = 12_000  # order-live.js polls every 5 s
POSITION_WAIT_MS = 20_000


def ids(live_server):
    with live_server.transaction() as session:
        courier = session.scalar(db.select(User).where(User.phone == COURIER))
        resident = session.scalar(db.select(User).where(User.phone == RESIDENT))
        return {"courier": courier.id, "resident": resident.id, "store": resident.store_id}


def only_nobody_on_shift(live_server):
    """Every demo courier off shift: ours starts one in the test, the others stay off."""
    with live_server.transaction() as session:
        session.execute(db.update(CourierShift).where(CourierShift.ended_at.is_(None)).values(ended_at=utcnow()))


def ready_order(live_server, who):
    """The resident's order, paid from the wallet, packed by staff and waiting for a courier."""
    with live_server.transaction() as session:
        wallet.credit(who["resident"], who["store"], 10_000, "topup", now=utcnow(), note="browser test")
        product_id = session.execute(db.text(
            "SELECT id FROM products WHERE store_id = :s AND is_active AND stock > 5 AND price_cents >= 2000 "
            "ORDER BY id LIMIT 1"), {"s": who["store"]}).scalar()
    with live_server.app.app_context():
        fill_cart(who["resident"], {product_id: 1})
        db.session.remove()
    with live_server.transaction() as session:
        resident = session.get(User, who["resident"])
        order, _ = place_order(resident, address_id=resident.default_address().id, payment_method="wallet",
                               idempotency_key=new_idempotency_key(), now=utcnow())
        for target in (OrderStatus.ACCEPTED, OrderStatus.PICKING, OrderStatus.READY):
            moves.move(order, target, actor_id=None, now=utcnow())
        return order.id, order.delivery_code


def order_state(live_server, order_id):
    with live_server.transaction() as session:
        order = session.get(Order, order_id)
        return order.status, order.courier_id


def test_a_courier_runs_a_delivery_from_the_phone_and_the_resident_follows(new_page, live_server, ui):
    who = ids(live_server)
    only_nobody_on_shift(live_server)
    courier = new_page(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                       has_touch=True, locale="zh-CN", geolocation=WHERE, permissions=["geolocation"])
    log_in(courier, COURIER)
    courier.goto("/courier")
    shift = courier.locator("#shift")
    expect(shift.locator('form[action$="/courier/shift/start"]')).to_be_visible()

    # Start a shift: the page now shares the phone's position (the first one goes out at once).
    with courier.expect_response(lambda r: r.url.endswith("/courier/position"), timeout=POSITION_WAIT_MS) as posted:
        shift.locator('form[action$="/courier/shift/start"] button[type="submit"]').click()
    assert posted.value.status == 204
    with live_server.transaction() as session:
        mine = session.scalar(db.select(CourierShift).where(CourierShift.courier_id == who["courier"],
                                                            CourierShift.ended_at.is_(None)))
        assert (round(mine.lat, 4), round(mine.lon, 4)) == (WHERE["latitude"], WHERE["longitude"])
    expect(courier.locator("[data-position-status]")).not_to_be_empty()

    # An order is packed; one dispatch cycle gives it to the only courier on shift.
    order_id, code = ready_order(live_server, who)
    with live_server.app.app_context():
        summary = cycle.run_cycle(who["store"], utcnow())
    assert order_state(live_server, order_id) == ("assigned", who["courier"]), summary

    resident = new_page(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                        has_touch=True, locale="zh-CN")
    log_in(resident, RESIDENT)
    resident.goto(f"/orders/{order_id}")
    badge = resident.locator(".status-line .badge")
    expect(badge).to_have_class(re.compile(r"status-assigned"))
    expect(resident.locator("[data-live-map]")).to_be_visible()
    expect(resident.locator("[data-live-map] [data-courier-dot]")).to_be_visible()  # our courier, on the map
    ui.no_horizontal_scroll(resident)

    # The courier sees the task and the route, picks up...
    courier.goto("/courier")
    card = courier.locator(f"article.task-card:has(h3:text-matches('{order_id}'))")
    expect(card).to_be_visible()
    expect(courier.locator("#route [data-route-map]")).to_be_visible()
    expect(courier.locator("#route .route-stop-item")).to_have_count(2)  # collect at the store, then the door
    ui.no_horizontal_scroll(courier)
    card.locator('form[action$="/picked-up"] button[type="submit"]').click()
    expect(badge).to_have_class(re.compile(r"status-picked_up"), timeout=LIVE_UPDATE_MS)  # no reload
    assert order_state(live_server, order_id)[0] == "picked_up"

    # ...and hands it over against the resident's code, which the resident's page shows.
    assert resident.locator(".delivery-code .code").inner_text().strip() == code
    card = courier.locator(f"article.task-card:has(h3:text-matches('{order_id}'))")
    card.locator('input[name="code"]').fill(code)
    card.locator('form.code-form button[type="submit"]').click()
    expect(courier.locator(f"article.task-card:has(h3:text-matches('{order_id}'))")).to_have_count(0)
    expect(resident.locator(".status-line .badge")).to_have_class(re.compile(r"status-delivered"),
                                                                  timeout=LIVE_UPDATE_MS)
    expect(resident.locator("[data-live-map]")).to_be_hidden()  # no more tracking once delivered
    assert order_state(live_server, order_id)[0] == "delivered"
