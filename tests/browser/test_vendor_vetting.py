"""A vendor applies on a 390x844 phone (in Chinese) and the store's staff approve it on a 1024x768
counter tablet: the application travels from the phone to the console and back."""
import pytest
from playwright.sync_api import expect

from services.categories import ensure_default_categories
from services.models import Vendor
from store_app.accounts.models import User
from store_app.extensions import db
from store_app.stores.operations import get_first_store
from tests.browser.axe import axe_violations, describe
from tests.browser.crawl import crawl
from tests.browser.pages import log_in
from tests.browser.vendor_pages import approved_vendor
from tests.vendor_support import PDF, USCC

STAFF_PHONE = "+8613800138001"
PASSWORD = "vendor-pass-1"


def test_a_vendor_applies_on_a_phone_and_staff_approve_it_on_a_tablet(live_server, phone, tablet, ui, fresh_phone,
                                                                       tmp_path):
    with live_server.transaction():
        ensure_default_categories(get_first_store().id)
    number = fresh_phone()
    licence = tmp_path / "licence.pdf"
    licence.write_bytes(PDF)

    page = phone
    page.goto("/vendor/apply")
    expect(page.locator("h1")).to_have_text("申请成为服务商")
    ui.no_horizontal_scroll(page)
    form = page.locator("main form")
    form.locator('input[name="phone"]').fill(number)
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('input[name="name"]').fill("洁净家政")
    form.locator('input[name="id_number"]').fill("91350100M000100Y44")  # one character wrong
    form.locator('input[name="categories"]').first.check()
    form.locator('input[name="zones"]').first.check()
    form.locator('input[name="licence"]').set_input_files(str(licence))
    ui.tall_enough(form.locator('input[name="categories"] >> xpath=..'))
    form.locator('button[type="submit"]').click()
    expect(page.locator("#id_number-error")).to_contain_text("统一社会信用代码")
    expect(page.locator('input[name="name"]')).to_have_value("洁净家政")
    ui.screenshot(page, "vendor-apply-error-phone-zh")

    form = page.locator("main form")
    form.locator('input[name="id_number"]').fill(USCC)
    form.locator('input[name="password"]').fill(PASSWORD)
    form.locator('input[name="licence"]').set_input_files(str(licence))
    form.locator('button[type="submit"]').click()
    page.wait_for_url("**/vendor/")
    expect(page.locator("main")).to_contain_text("您的申请正在等待审核")
    expect(page.locator("main")).to_contain_text("9135**********0Y43")
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "vendor-home-waiting-phone-zh")

    log_in(tablet, STAFF_PHONE)
    tablet.wait_for_url("**/console")
    tablet.goto("/console/services/vendors")
    ui.no_horizontal_scroll(tablet)
    tablet.locator("main table a", has_text="洁净家政").first.click()
    expect(tablet.locator("main")).to_contain_text("9135**********0Y43")
    ui.screenshot(tablet, "vetting-application-tablet-zh")
    tablet.locator("main form button", has_text="批准").click()
    expect(tablet.locator(".flash")).to_contain_text("申请已批准")

    with live_server.transaction() as session:
        user = session.scalar(db.select(User).where(User.phone == "+86" + number))
        vendor = session.scalar(db.select(Vendor).where(Vendor.owner_id == user.id))
        assert vendor.vetting == "approved" and [c.label for c in vendor.crews] == ["Crew 1"]

    page.reload()
    expect(page.locator("main")).to_contain_text("准备开始接单")
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "vendor-home-approved-phone-zh")


@pytest.mark.parametrize("lang", ["zh-CN", "en-US"])
def test_the_vendors_pages_have_no_wcag_violation_and_fit_a_phone(live_server, new_page, ui, lang):
    with live_server.transaction() as session:
        vendor_phone = approved_vendor(session, get_first_store().id)
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale=lang,
                    bypass_csp=True)
    log_in(page, vendor_phone)
    page.wait_for_url("**/vendor/")
    found, visited = {}, []
    for path in crawl(page, ["/vendor/", "/vendor/hours", "/vendor/crew", "/vendor/offerings/new"],
                      origin=live_server.url, limit=20, per_kind=1, strict=True):
        ui.no_horizontal_scroll(page)
        violations = axe_violations(page)
        if violations:
            found[path] = violations
        visited.append(path)
        ui.screenshot(page, f"vendor{path.replace('/', '-')}-{lang}")
    assert {"/vendor/", "/vendor/offerings", "/vendor/hours", "/vendor/crew"} <= set(visited), visited
    assert not found, describe(found)


def test_the_vendors_pages_keep_fitting_with_text_at_200_percent(live_server, phone, ui):
    with live_server.transaction() as session:
        vendor_phone = approved_vendor(session, get_first_store().id)
    phone.goto("/vendor/apply")
    paths = ["/vendor/apply"]
    log_in(phone, vendor_phone)
    phone.wait_for_url("**/vendor/")
    paths += ["/vendor/", "/vendor/offerings", "/vendor/offerings/new", "/vendor/hours", "/vendor/crew"]
    for path in paths:
        phone.goto(path)
        # What a reader's "very large" text setting does: the root font size doubles.
        phone.evaluate("document.documentElement.style.setProperty('font-size', '200%', 'important')")
        expect(phone.locator("html")).to_have_css("font-size", "32px")
        ui.no_horizontal_scroll(phone)
        ui.screenshot(phone, f"vendor-200{path.replace('/', '-')}")
