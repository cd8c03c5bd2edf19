"""A parent on a 390x844 phone, in Chinese: opens the Breakfast tab, adds a child (with an allergy),
subscribes the child to school days for two weeks, sees the code of a coming breakfast with its QR,
and skips one day. No sideways scroll on any page.

The demo has no breakfast menu of its own here, so the test puts two items on the demo store's menu
through the database. Dates are the real ones: the subscription covers the next two weeks from
tomorrow in Asia/Shanghai; ordering opens two weeks ahead in this test's store, so every school
day of the subscription is ordered at once.
"""
import re
from datetime import timedelta

from werkzeug.security import generate_password_hash

from store_app.accounts.models import User
from store_app.breakfast import rules
from store_app.breakfast.menu import add_to_open_days
from store_app.breakfast.models import BreakfastItem, BreakfastOrder, Child, Subscription
from store_app.breakfast.settings import get_settings
from store_app.database import utcnow
from store_app.extensions import db
from store_app.roles import Role
from store_app.stores.models import Store
from tests.browser.pages import DEMO_PASSWORD, log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

PARENT = "+8613900998877"  # this test's own parent


def set_up(live_server):
    """The demo store's first breakfast items and a parent of this test's own: ``(soy_id, egg_id)``."""
    with live_server.transaction() as session:
        store = session.scalar(db.select(Store).order_by(Store.id))
        # Ordering opens two weeks ahead here, so that every day of the subscription is ordered at once
        # whatever today is (even before a week-long holiday).
        get_settings(store.id).open_days_ahead = 14
        session.add(User(store_id=store.id, phone=PARENT, name="早餐家长", role=Role.RESIDENT.value,
                         password_hash=generate_password_hash(DEMO_PASSWORD, method="scrypt:1024:8:1")))
        soy = BreakfastItem(store_id=store.id, name_zh="测试豆浆", name_en="Test soy milk", price_cents=300,
                            allergens="soy", allergens_known=True, daily_capacity=40,
                            ingredients_zh="黄豆、水", ingredients_en="soybeans, water")
        egg = BreakfastItem(store_id=store.id, name_zh="测试鸡蛋饼", name_en="Test egg pancake", price_cents=500,
                            allergens="gluten,eggs", allergens_known=True, daily_capacity=40)
        session.add_all([soy, egg])
        session.flush()
        # The demo's days already open get the new items' portions, as the menu page does for staff.
        for item in (soy, egg):
            add_to_open_days(store, item, utcnow())
        return soy.id, egg.id, store.timezone


def test_a_parent_subscribes_a_child_for_two_weeks_skips_a_day_and_sees_the_code(phone, live_server, ui):
    soy_id, egg_id, tz = set_up(live_server)
    page = phone
    log_in(page, PARENT)
    page.wait_for_url("**/shop")

    # The Breakfast tab, fifth of seven (then Services and Me); with no child yet, the first step.
    tabs = page.locator("nav.bottom-nav a")
    expect(tabs).to_have_count(7)
    tabs.nth(4).click()
    page.wait_for_url("**/breakfast")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("h1")).to_have_text("早餐")
    ui.no_horizontal_scroll(page)
    page.locator(".bf-first-step a.button").click()

    # Add the child: name, class, an allergy to eggs.
    page.wait_for_url("**/breakfast/children/new")
    page.locator("#name").fill("小雨")
    page.locator("#class_name").fill("二年级一班")
    page.locator('input[name="allergies"][value="eggs"]').check()
    ui.no_horizontal_scroll(page)
    ui.tall_enough(page.locator(".bf-checks li"))
    page.locator('main form button[type="submit"]').first.click()
    page.wait_for_url(re.compile(r"/breakfast/children/\d+$"))
    with live_server.transaction() as session:
        child = session.scalar(db.select(Child).join(User, User.id == Child.parent_id).where(User.phone == PARENT))
        child_id, allergies = child.id, child.allergies
    assert allergies == "eggs"

    # Subscribe for two weeks: the defaults are tomorrow to two weeks on, the same items every day.
    page.locator(f'a[href="/breakfast/children/{child_id}/subscribe"]').first.click()
    page.wait_for_url("**/subscribe")
    expect(page.locator(f"#q_0_{egg_id}")).to_be_disabled()  # eggs: not for this child
    page.locator(f"#q_0_{soy_id}").fill("1")
    ui.no_horizontal_scroll(page)
    page.locator("[data-preview-button]").click()
    page.wait_for_load_state("load")
    days = page.locator("[data-preview-day]")
    expect(days.first).to_be_visible()
    today = rules.local_today(utcnow(), tz)
    shown = [today.fromisoformat(days.nth(i).get_attribute("data-preview-day")) for i in range(days.count())]
    assert shown and all(today < day <= today + timedelta(days=14) for day in shown)
    assert all(rules.is_school_day(day)[0] for day in shown)  # holidays skipped, make-up weekends in
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "breakfast-subscribe-preview")
    page.locator("[data-create-subscription]").click()
    page.wait_for_url(re.compile(rf"/breakfast/children/{child_id}"))
    with live_server.transaction() as session:
        subscription = session.scalar(db.select(Subscription).where(Subscription.child_id == child_id))
        assert (subscription.starts_on, subscription.ends_on) == (today + timedelta(days=1), today + timedelta(days=14))
        subscription_id = subscription.id
        order_ids = session.scalars(db.select(BreakfastOrder.id).where(BreakfastOrder.child_id == child_id,
                                                                       BreakfastOrder.status == "placed")
                                    .order_by(BreakfastOrder.id)).all()
    assert len(order_ids) == len(shown), "every school day, already open for ordering, is ordered at once"
    expect(page.locator(f"#subscription-{subscription_id}")).to_be_visible()
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "breakfast-child")

    # The code of the first coming breakfast: six digits and a QR code, for its date.
    first = page.locator(f"#order-{order_ids[0]}")
    first.locator(f'a[href="/breakfast/orders/{order_ids[0]}/code"]').click()
    page.wait_for_url(f"**/breakfast/orders/{order_ids[0]}/code")
    expect(page.locator("[data-pickup-code]")).to_have_text(re.compile(r"^\d{6}$"))
    qr = page.locator("svg.qr")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and abs(box["width"] - box["height"]) < 1, box
    expect(page.locator(".bf-code-date")).to_contain_text("仅限")
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "breakfast-code")

    # Skip one day, after the confirmation that says it cannot be undone after the cutoff.
    page.go_back()
    page.wait_for_url(re.compile(rf"/breakfast/children/{child_id}"))
    last = page.locator(f"#order-{order_ids[-1]}")
    last.locator("details.bf-skip summary").click()
    expect(last.locator(".bf-skip-confirm p")).to_contain_text("截止")
    last.locator("button[data-skip]").click()
    page.wait_for_load_state("load")
    expect(page.locator(".flash-success")).to_contain_text("已跳过")
    with live_server.transaction() as session:
        assert session.get(BreakfastOrder, order_ids[-1]).status == "cancelled"
    ui.no_horizontal_scroll(page)

    # The tab now shows the child's card with both lines and the countdown.
    tabs.nth(4).click()
    page.wait_for_url("**/breakfast")
    card = page.locator(f"#child-{child_id}")
    expect(card.locator("[data-order-by]")).to_be_visible()
    expect(card.locator("[data-collect]")).to_be_visible()
    ui.no_horizontal_scroll(page)
    page.set_viewport_size({"width": 360, "height": 780})
    ui.no_horizontal_scroll(page)
    for lang in ("zh", "en"):  # every tab inside the screen, no label cut, in both languages
        if lang == "en":
            page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
            page.reload()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        for index in range(7):
            tab = tabs.nth(index).bounding_box()
            assert tab["x"] >= 0 and tab["x"] + tab["width"] <= 360 and tab["width"] >= 44, (lang, index, tab)
            label = tabs.nth(index).locator("span").first
            # The text's own width (a Range) against its box: an ellipsis shows from a fraction of a pixel on.
            assert label.evaluate("e => { const r = document.createRange(); r.selectNodeContents(e);"
                                  " return r.getBoundingClientRect().width <= e.getBoundingClientRect().width + 0.5; }"), \
                f"{lang}: tab {index}'s label is cut"
        ui.no_horizontal_scroll(page)
    ui.screenshot(page, "breakfast-tab-360")
