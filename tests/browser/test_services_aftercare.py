"""After a service job, in a real browser: the resident (390x844 phone, Chinese) rates the completed
job, then files a complaint under the store's guarantee and sees the deadline for the store's
decision; staff (1024x768 tablet) turn it into a free redo with another start; the vendor (phone)
sees their earnings, complaints, reviews and standing. No sideways scroll, no WCAG A/AA violation.

The completed job is put in as rows (the booking pages belong to another part of the marketplace).
"""
from datetime import timedelta
from zoneinfo import ZoneInfo

from werkzeug.security import generate_password_hash

from services import ledger
from store_app.accounts.models import User
from store_app.database import utcnow
from store_app.extensions import db
from store_app.roles import Role
from tests.browser.axe import axe_violations, describe
from tests.browser.pages import DEMO_PASSWORD, log_in
from tests.services_support import add_booking, add_category, add_offering, add_vendor

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

RESIDENT = "+8613900139000"  # the demo's resident
STAFF = "+8613800138001"
VENDOR = "+8613900997766"  # this test's own vendor
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "bypass_csp": True}
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True, "bypass_csp": True}


def set_up(live_server):
    """A vetted cleaning vendor of the demo store with a job for the demo resident completed an hour ago."""
    with live_server.transaction() as session:
        resident = session.scalar(db.select(User).where(User.phone == RESIDENT))
        owner = User(store_id=resident.store_id, phone=VENDOR, name="洁净家政", role=Role.VENDOR.value,
                     password_hash=generate_password_hash(DEMO_PASSWORD, method="scrypt:1024:8:1"))
        session.add(owner)
        session.flush()
        category = add_category(resident.store_id, slug="cleaning-aftercare")
        vendor = add_vendor(resident.store_id, [category], owner=owner, crews=2)
        offering = add_offering(vendor, category)
        done_at = utcnow() - timedelta(hours=1)
        job = add_booking(resident.id, offering, done_at - timedelta(hours=3), status="completed",
                          completed_at=done_at, arrived_at=done_at - timedelta(hours=3),
                          now=done_at - timedelta(days=1))
        ledger.record_completion(job, now=done_at)
        return job.id


def _clean(page, ui, where):
    ui.no_horizontal_scroll(page)
    found = axe_violations(page)
    assert not found, describe({where: found})


def test_a_resident_reviews_then_complains_and_staff_book_a_free_redo(new_page, live_server, ui):
    job = set_up(live_server)
    page = new_page(locale="zh-CN", **PHONE)
    log_in(page, RESIDENT)
    page.wait_for_url("**/shop")
    page.goto(f"/services/bookings/{job}/review")
    _clean(page, ui, "review")
    ui.screenshot(page, "services-review-zh")
    page.get_by_label("4 星：好").check()
    page.get_by_label("您的评价（选填）").fill("准时到达，打扫得很干净")
    page.get_by_role("button", name="发布评价").click()
    expect(page.get_by_text("您给这次服务打了 4 星（满分 5 星）。")).to_be_visible()
    page.get_by_label("服务没做好：我要求返工").check()
    page.get_by_label("描述问题").fill("厨房的油污没有清理")
    page.get_by_role("button", name="提交投诉").click()
    expect(page.locator(".claim-state strong", has_text="前处理")).to_be_visible()
    _clean(page, ui, "claim")
    ui.screenshot(page, "services-claim-zh")

    staff = new_page(locale="en-US", **TABLET)
    log_in(staff, STAFF)
    staff.wait_for_url("**/console")
    staff.goto("/console/services/claims")
    _clean(staff, ui, "console claims")
    staff.get_by_role("link", name="Open").first.click()
    expect(staff.get_by_role("heading", name="Book a free redo")).to_be_visible()
    _clean(staff, ui, "console claim")
    ui.screenshot(staff, "services-console-claim-en")
    start = (utcnow() + timedelta(days=3)).astimezone(ZoneInfo("Asia/Shanghai"))
    staff.get_by_label("Start (store time)").fill(start.strftime("%Y-%m-%dT10:00"))
    staff.get_by_role("button", name="Book the redo").click()
    expect(staff.get_by_text("The free redo is booked and offered to the vendor.")).to_be_visible()
    expect(staff.get_by_role("heading", name="A free redo was booked")).to_be_visible()

    page.reload()
    expect(page.get_by_text("已为您预约免费返工")).to_be_visible()

    for path in ("/console/services/payouts", "/console/services/disputes", "/console/services/reviews",
                 "/console/services/standing"):
        staff.goto(path)
        _clean(staff, ui, f"console {path}")
    staff.goto("/console/services/payouts")
    staff.get_by_role("link", name="洁净家政").click()
    expect(staff.get_by_role("heading", name="Month totals")).to_be_visible()
    _clean(staff, ui, "console statement")
    ui.screenshot(staff, "services-console-statement-en")


def test_the_vendors_money_pages_fit_a_phone(new_page, live_server, ui):
    set_up_vendor = live_server  # the vendor of the first test, or a fresh one when run alone
    with set_up_vendor.transaction() as session:
        exists = session.scalar(db.select(User.id).where(User.phone == VENDOR))
    if exists is None:
        set_up(live_server)
    for lang, locale in (("zh", "zh-CN"), ("en", "en-US")):
        page = new_page(locale=locale, **PHONE)
        log_in(page, VENDOR)
        page.wait_for_load_state("load")
        for path in ("/vendor/money", "/vendor/money/claims", "/vendor/money/reviews", "/vendor/standing"):
            page.goto(path)
            _clean(page, ui, f"{lang} {path}")
            ui.tall_enough(page.locator(".money-tabs a"))
            ui.screenshot(page, f"vendor-{path.strip('/').replace('/', '-')}-{lang}")
