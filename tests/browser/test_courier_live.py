"""The courier's page is live at 390x844: a task the dispatcher assigns while the page is open
appears without a reload (announced in the aria-live region), the next step sits in a bar that is
always in the viewport, and each stop has its navigation links, in Chinese and in English; a task
withdrawn by staff leaves the page without a reload, and a phone without signal is told so."""
import pytest

from dispatch import cycle
from store_app.database import utcnow
from tests.browser.pages import log_in
from store_app.accounts.models import User
from store_app.extensions import db
from store_app.fulfilment import store_steps
from tests.browser.test_courier_journey import WHERE, ids, only_nobody_on_shift, order_state, ready_order

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

LIVE_WAIT_MS = 25_000
# Records what the page asks of the phone: vibrations, and the tones of its Web Audio beep.
SPY_JS = """
window.__vibrations = [];
navigator.vibrate = (pattern) => { window.__vibrations.push(pattern); return true; };
window.__tones = 0;
if (window.AudioContext) {
  const Real = window.AudioContext;
  window.AudioContext = class extends Real {
    createOscillator() { window.__tones += 1; return super.createOscillator(); }
  };
}
"""  # the page polls every 10 s; a slow shared machine may need two rounds


def start_shift(page):
    """Start the courier's shift and wait for the page it reloads into: a touch or a mark made on
    the page before that reload lands would be lost with the old document."""
    page.locator('#shift form[action$="/courier/shift/start"] button[type="submit"]').click()
    expect(page.locator("[data-courier-live]")).not_to_have_attribute("data-shift", "")


def courier_phone(new_page, locale):
    return new_page(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                    has_touch=True, locale=locale, geolocation=WHERE, permissions=["geolocation"])


@pytest.mark.parametrize("courier, locale, new_text, navigate", [
    ("+8613800138010", "zh-CN", "新配送任务", "导航"),  # 张伟
    ("+8613800138011", "en-GB", "New delivery", "Navigate"),  # 刘洋
])
def test_a_task_assigned_while_the_page_is_open_appears_without_reload(
        new_page, live_server, ui, courier, locale, new_text, navigate):
    who = ids(live_server)
    with live_server.transaction() as session:
        who["courier"] = session.scalar(db.select(User.id).where(User.phone == courier))
    only_nobody_on_shift(live_server)
    page = courier_phone(new_page, locale)
    page.add_init_script(SPY_JS)
    log_in(page, courier)
    page.goto("/courier")
    start_shift(page)
    page.locator("h1").click()  # a touch: browsers let a page make sounds only after one
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    order_id, _code = ready_order(live_server, who)
    with live_server.app.app_context():
        summary = cycle.run_cycle(who["store"], utcnow())
    assert order_state(live_server, order_id) == ("assigned", who["courier"]), summary

    card = page.locator(f'article.task-card[data-order-id="{order_id}"]')
    expect(card).to_be_visible(timeout=LIVE_WAIT_MS)
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
    expect(page.locator("[data-live-news]")).to_contain_text(new_text)
    expect(page.locator("[data-live-news]")).to_contain_text(f"#{order_id}")
    # It beeped (two tones) and vibrated.
    assert page.evaluate("window.__tones") >= 2
    vibrations = page.evaluate("window.__vibrations")
    assert vibrations and all(pattern == [200, 100, 200] for pattern in vibrations)

    # The next step is always in view without scrolling, with its navigation button.
    bar = page.locator(".next-action")
    expect(bar).to_be_in_viewport()
    expect(bar.locator('form[action$="/picked-up"] button[type="submit"]')).to_be_in_viewport()
    expect(bar.locator(".next-nav")).to_have_text(navigate)
    page.mouse.wheel(0, 3000)
    expect(bar.locator('button[type="submit"]')).to_be_in_viewport()
    ui.tall_enough(bar.locator(".button"))
    # Each stop opens the phone's navigation there; the route map and stops were drawn live too.
    expect(page.locator("#route [data-route-map]")).to_be_visible()
    expect(card.locator('a[href^="geo:"]')).to_have_count(1)
    expect(card.locator('a[href^="https://uri.amap.com/marker?"]')).to_have_count(1)
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, f"courier-live-{locale}")
    page.evaluate("window.scrollTo(0, 0)")
    ui.screenshot(page, f"courier-live-top-{locale}")

    # Picked up from the bar: the bar now asks for the resident's code at the door.
    bar.locator('form[action$="/picked-up"] button[type="submit"]').click()
    expect(page.locator(".next-action #next-code")).to_be_in_viewport()
    assert order_state(live_server, order_id)[0] == "picked_up"


def test_a_withdrawn_task_leaves_the_page_and_offline_is_said(new_page, live_server, ui):
    who = ids(live_server)
    courier = "+8613800138012"  # 赵磊
    with live_server.transaction() as session:
        who["courier"] = session.scalar(db.select(User.id).where(User.phone == courier))
        other = session.scalar(db.select(User.id).where(User.phone == "+8613800138013"))  # 孙鹏
    only_nobody_on_shift(live_server)
    page = courier_phone(new_page, "zh-CN")
    log_in(page, courier)
    page.goto("/courier")
    start_shift(page)
    order_id, _code = ready_order(live_server, who)
    with live_server.app.app_context():
        cycle.run_cycle(who["store"], utcnow())
    card = page.locator(f'article.task-card[data-order-id="{order_id}"]')
    expect(card).to_be_visible(timeout=LIVE_WAIT_MS)
    page.evaluate("window.__sameDocument = true")

    # Staff give the order to another courier: it leaves this page without a reload, and is announced.
    with live_server.transaction() as session:
        staff = session.scalar(db.select(User).where(User.phone == "+8613800138001"))
        store_steps.assign_courier(staff, order_id, other, utcnow())
    expect(card).to_have_count(0, timeout=LIVE_WAIT_MS)
    expect(page.locator("[data-live-news]")).to_contain_text("已从你的任务中移除")
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
    assert order_state(live_server, order_id) == ("assigned", other)

    # No signal: the page says its list may be out of date, and stops saying it once back online.
    page.context.set_offline(True)
    expect(page.locator("[data-live-offline]")).to_be_visible()
    expect(page.locator("[data-live-offline]")).to_contain_text("网络已断开")
    page.context.set_offline(False)
    expect(page.locator("[data-live-offline]")).to_be_hidden(timeout=LIVE_WAIT_MS)
