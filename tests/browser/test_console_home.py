"""The counter's first screen says what to do next, and keeps saying it: a voice order a resident
sends shows up on the console home's work list without a reload, and its link leads to the queue.
The owner's home shows today against last week and what needs the owner, at tablet and phone size."""
import pytest
from playwright.sync_api import expect

from store_app.accounts.models import User
from store_app.extensions import db
from store_app.orders.models import VoiceOrder
from tests.browser.pages import log_in

STAFF_PHONE = "+8613800138001"
OWNER_PHONE = "+8613800138000"
RESIDENT_PHONE = "+8613900139003"
LIVE_TIMEOUT_MS = 30_000  # the list polls every 10 s; a slow shared machine gets a few rounds


def test_a_new_voice_order_appears_on_the_work_list_without_a_reload(tablet, live_server, ui):
    page = tablet
    log_in(page, STAFF_PHONE)
    page.wait_for_url("**/console")
    item = page.locator("#work-orders-voice")
    before = int(item.get_attribute("data-count"))
    ui.no_horizontal_scroll(page)
    ui.tall_enough(page.locator(".work-link"))
    ui.screenshot(page, "console-home-1024")

    with live_server.transaction() as session:
        resident = session.scalar(db.select(User).where(User.phone == RESIDENT_PHONE))
        session.add(VoiceOrder(store_id=resident.store_id, user_id=resident.id, text="两瓶牛奶"))

    expect(item).to_have_attribute("data-count", str(before + 1), timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("[data-live-status]")).to_contain_text("已更新")
    expect(item.locator(".work-age")).not_to_have_text("暂无待办")
    item.locator("a.work-link").click()
    page.wait_for_url("**/console/voice")
    expect(page.locator("main")).to_contain_text("两瓶牛奶")


@pytest.mark.parametrize("viewport", [{"width": 1024, "height": 768}, {"width": 390, "height": 844}],
                         ids=["tablet", "phone"])
@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_owners_home_fits_and_names_what_needs_the_owner(new_page, ui, viewport, locale):
    page = new_page(viewport=viewport, has_touch=True, locale=locale)
    log_in(page, OWNER_PHONE)
    page.wait_for_url("**/owner")
    for kpi in ("#kpi-orders", "#kpi-sales", "#kpi-on-time"):
        expect(page.locator(kpi)).to_be_visible()
    expect(page.locator("#work-catalogue-stock_out")).to_be_visible()
    expect(page.locator("#work-parcels-code_alerts")).to_be_visible()
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, f"owner-home-{viewport['width']}-{locale}")
