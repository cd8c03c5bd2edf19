"""The dispatch board on the counter tablet: staff drag a ready delivery onto a courier and it is
theirs (the same form the select and button post), the board refreshes itself when the dispatcher
predicts a delivery late, and it fits a tablet and a phone without sideways scrolling.
"""
import re
from datetime import timedelta

from store_app.accounts.models import User
from store_app.catalogue.models import Product
from store_app.database import transaction, utcnow
from store_app.deliveries.models import CourierShift, DeliveryTask
from store_app.extensions import db
from store_app.orders.models import Order, OrderStatus
from store_app.wallet import operations as wallet
from store_app.fulfilment import moves
from tests.browser.pages import log_in
from tests.conftest import ShopIds, place_test_order

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

STAFF_PHONE = "+8613800138001"
RESIDENT = "+8613900139007"  # a demo resident no other test of this module uses
LIVE_UPDATE_MS = 25_000  # dispatch-board.js polls every 10 s


def ready_order(live_server):
    """A packed order of a demo resident and the store's couriers on shift at the store:
    ``(task_id, [(courier_id, name), ...])``."""
    app = live_server.app
    with app.app_context():
        resident = db.session.scalar(db.select(User).where(User.phone == RESIDENT))
        store = resident.store
        # Dear enough for any zone's minimum order on its own.
        product = db.session.scalar(db.select(Product).where(Product.store_id == store.id, Product.stock > 5)
                                    .order_by(Product.price_cents.desc(), Product.id))
        shopper = ShopIds(user_id=resident.id, address_id=resident.default_address().id)
        with transaction():
            wallet.credit(resident.id, store.id, 20_000, "topup", now=utcnow(), note="browser test")
        order_id = place_test_order(shopper, {product.id: 1})
        with transaction():
            order = db.session.get(Order, order_id)
            for target in (OrderStatus.ACCEPTED, OrderStatus.PICKING, OrderStatus.READY):
                moves.move(order, target, actor_id=None, now=utcnow())
            db.session.execute(db.update(CourierShift).where(CourierShift.store_id == store.id)
                               .values(lat=store.lat + 0.002, lon=store.lon, position_at=utcnow()))
        task_id = db.session.scalar(db.select(DeliveryTask.id).where(DeliveryTask.order_id == order_id))
        couriers = db.session.execute(db.select(User.id, User.name).join(
            CourierShift, CourierShift.courier_id == User.id).where(
            CourierShift.store_id == store.id, CourierShift.ended_at.is_(None)).order_by(User.name)).all()
        db.session.remove()
    return task_id, [tuple(c) for c in couriers]


def test_staff_drag_a_delivery_onto_a_courier_and_the_board_keeps_itself_fresh(tablet, new_page, live_server,
                                                                                 ui):
    task_id, couriers = ready_order(live_server)
    courier_id, courier_name = couriers[-1]
    counter = tablet
    log_in(counter, STAFF_PHONE)
    counter.wait_for_url("**/console")
    counter.goto("/console/dispatch")
    card = counter.locator(f"#task-{task_id}")
    expect(counter.locator(f".column-ready #task-{task_id}")).to_be_visible()
    expect(counter.locator(".courier-card")).to_have_count(len(couriers))
    expect(counter.locator("svg.dispatch-map .courier-dot")).to_have_count(len(couriers))
    ui.no_horizontal_scroll(counter)
    ui.screenshot(counter, "dispatch-tablet")

    card.drag_to(counter.locator(f"#courier-{courier_id}"))
    counter.wait_for_url(re.compile(rf".*/console/dispatch#task-{task_id}$"))
    expect(counter.locator(".flash-success")).to_be_visible()
    moved = counter.locator(f".column-assigned #task-{task_id}")
    expect(moved).to_contain_text(courier_name)
    with live_server.transaction() as session:
        task = session.get(DeliveryTask, task_id)
        assert (task.status, task.courier_id, task.assigned_by) == ("assigned", courier_id, "staff")
        # The dispatcher's next cycle predicts it 17 minutes late...
        task.predicted_at = task.promised_at + timedelta(minutes=17)
    # ...and the board shows it without a reload.
    risk_row = counter.locator(f'.dispatch-risk [data-risk-task="{task_id}"]')
    expect(risk_row.locator(".risk-lateness")).not_to_have_text(re.compile(r"(^|\D)17(\D|$)"))
    expect(risk_row.locator(".risk-lateness")).to_have_text(re.compile(r"(^|\D)17(\D|$)"), timeout=LIVE_UPDATE_MS)
    expect(counter.locator(f"svg.dispatch-map .dropoff-risk[data-map-task='{task_id}']")).to_have_count(1)
    expect(risk_row.locator("[data-resident-told]")).to_be_visible()  # 17 >= 5: the resident is told too
    ui.no_horizontal_scroll(counter)
    ui.screenshot(counter, "dispatch-tablet-risk")
    assert counter.evaluate("performance.getEntriesByType('navigation').length") == 1

    phone = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="zh-CN")
    log_in(phone, STAFF_PHONE)
    phone.wait_for_url("**/console")
    phone.goto("/console/dispatch")
    expect(phone.locator(f"#task-{task_id}")).to_be_visible()
    ui.no_horizontal_scroll(phone)
    ui.screenshot(phone, "dispatch-phone")
