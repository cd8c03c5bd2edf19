"""The breakfast pickup desk on the counter tablet (1024x768, Chinese): staff scan (or type) the child's
code and Enter, see the child, the class, the items and the allergy warning, hand the breakfast over,
and the cursor is back in the code field; the order is collected in the database. No sideways scroll,
on the tablet or a staff phone. Pages are found by URL, ids and data attributes, never by translated copy.
"""
from datetime import timedelta

from store_app.accounts.models import User
from store_app.breakfast.models import BreakfastDay, BreakfastOrder
from store_app.database import utcnow
from store_app.extensions import db
from store_app.stores.models import Store
from tests.breakfast_support import SHANGHAI, add_child, add_cooked_order, add_day_now, add_item
from tests.browser.pages import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

STAFF_PHONE = "+8613800138001"
PARENT = "+8613900139013"  # a demo resident
DESK = "/console/breakfast/desk"


def todays_breakfast(live_server, name):
    """A frozen breakfast day for today in Asia/Shanghai with its window open now (the demo's own day
    for today, if it has one, is moved into the window), and a paid breakfast for a new child of
    ``PARENT`` with a peanut allergy: ``(order id, code, staff id)``."""
    now = utcnow()
    with live_server.transaction() as session:
        staff = session.scalar(db.select(User).where(User.phone == STAFF_PHONE))
        parent = session.scalar(db.select(User).where(User.phone == PARENT))
        store = session.get(Store, staff.store_id)
        day = session.scalar(db.select(BreakfastDay).where(BreakfastDay.store_id == store.id,
                                                           BreakfastDay.date == now.astimezone(SHANGHAI).date()))
        if day is None:
            day = add_day_now(store.id, now)
        else:
            day.status, day.pickup_start_at, day.pickup_end_at = "frozen", now - timedelta(minutes=30), now + timedelta(hours=2)
        item = add_item(store.id, name_zh="豆浆油条", name_en="Soy milk and youtiao", price_cents=600)
        child = add_child(store.id, parent.id, name=name, class_name="四年级一班", allergies=("peanuts",))
        order, code = add_cooked_order(store, day, child, {item.id: 2})
        return order.id, code, staff.id


def test_staff_scan_the_code_see_the_child_and_hand_the_breakfast_over(tablet, new_page, live_server, ui):
    order_id, code, staff_id = todays_breakfast(live_server, "林小雨")
    desk = tablet
    log_in(desk, STAFF_PHONE)
    desk.wait_for_url("**/console")
    desk.goto(DESK)
    assert desk.locator("html").get_attribute("lang") == "zh-Hans"
    code_field = desk.locator("[data-desk-code] input[name='code']")
    expect(code_field).to_be_focused()
    ui.no_horizontal_scroll(desk)

    # A keyboard-wedge scanner: the digits, then Enter, into whatever has the focus.
    desk.keyboard.type(code)
    desk.keyboard.press("Enter")
    found = desk.locator("[data-desk-found]")
    expect(found.locator("h2")).to_have_text("林小雨")
    expect(found).to_contain_text("四年级一班")
    expect(found).to_contain_text("豆浆油条")
    expect(found.locator(".allergy-warning")).to_contain_text("花生")
    ui.no_horizontal_scroll(desk)
    ui.tall_enough(found.locator("button[type='submit']"))
    ui.screenshot(desk, "breakfast-desk-tablet")

    found.locator("button[type='submit']").click()
    desk.wait_for_url(f"**{DESK}")
    expect(desk.locator(".flash-success")).to_be_visible()
    expect(code_field).to_be_focused()  # ready for the next child
    with live_server.transaction() as session:
        order = session.get(BreakfastOrder, order_id)
        assert (order.status, order.handed_over_by) == ("collected", staff_id)
        assert order.collected_at is not None
    ui.no_horizontal_scroll(desk)

    # The same code again: a clear refusal under the field, the code kept.
    code_field.fill(code)
    code_field.press("Enter")
    expect(desk.locator("#code-error")).to_be_visible()
    expect(code_field).to_have_value(code)

    # A staff member's phone works too (360 px), by name instead of a code.
    other_id, _other_code, _ = todays_breakfast(live_server, "周小舟")
    phone = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="zh-CN")
    log_in(phone, STAFF_PHONE)
    phone.wait_for_url("**/console")
    phone.goto(DESK)
    phone.locator("#desk-name").fill("周小舟")
    phone.locator("#desk-name").press("Enter")
    match = phone.locator(".desk-matches li")
    expect(match).to_contain_text("周小舟")
    ui.no_horizontal_scroll(phone)
    ui.tall_enough(match.locator("button[type='submit']"))
    match.locator("button[type='submit']").click()
    phone.wait_for_url(f"**{DESK}")
    expect(phone.locator(".flash-success")).to_be_visible()
    with live_server.transaction() as session:
        assert session.get(BreakfastOrder, other_id).status == "collected"
