"""A resident on a 390x844 phone, in Chinese, books a cleaning: the Services tab, the category, the
offering with its days of slots and its terms, a slot held, the confirm page (address, description,
wallet), and the booking page with its live status. No sideways scroll on any page.

The demo has no marketplace vendor of its own here, so the test adds a category, an approved vendor
with one crew, its offering and daily availability (08:00-18:00) through the database; times are the
real ones (tomorrow's first slot in Asia/Shanghai)."""
from werkzeug.security import generate_password_hash

from services.booking_models import Booking
from store_app.accounts.models import Address, User
from store_app.database import utcnow
from store_app.extensions import db
from store_app.geo.models import Building
from store_app.roles import Role
from store_app.stores.models import Store
from store_app.wallet.operations import credit
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import PHONE
from tests.browser.pages import DEMO_PASSWORD, log_in
from tests.services_support import add_category, add_offering, add_vendor, add_weekly_availability

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

RESIDENT = "+8613900997766"  # this test's own resident


def set_up(live_server):
    with live_server.transaction() as session:
        store = session.scalar(db.select(Store).order_by(Store.id))
        building = session.scalar(db.select(Building).where(Building.store_id == store.id).order_by(Building.id))
        resident = User(store_id=store.id, phone=RESIDENT, name="预约居民", role=Role.RESIDENT.value,
                        password_hash=generate_password_hash(DEMO_PASSWORD, method="scrypt:1024:8:1"))
        resident.addresses.append(Address(store_id=store.id, building_id=building.id, unit="3-301", is_default=True))
        session.add(resident)
        session.flush()
        credit(resident.id, store.id, 50_000, "topup", now=utcnow())
        category = add_category(store.id, slug="cleaning-browser", name_zh="测试保洁", name_en="Test cleaning")
        vendor = add_vendor(store.id, [category], name="洁净家政测试", crews=1, min_notice_min=60)
        add_offering(vendor, category, title_zh="两小时保洁", title_en="Two-hour cleaning")
        add_weekly_availability(vendor)
        return category.id, resident.id


def checked(page, ui, found):
    """No sideways scroll, and the page's WCAG violations (if any) kept for the end."""
    ui.no_horizontal_scroll(page)
    violations = axe_violations(page)
    if violations:
        found[page.url] = violations


def test_a_resident_books_a_cleaning_on_a_phone(new_page, live_server, ui):
    category_id, resident_id = set_up(live_server)
    # The phone (390x844, zh-CN); the CSP let through only for axe's script, as the accessibility scan does.
    page, found = new_page(**PHONE, bypass_csp=True), {}
    log_in(page, RESIDENT)
    page.wait_for_url("**/shop")
    page.goto("/services")
    checked(page, ui, found)
    ui.screenshot(page, "services-home")
    page.locator(f'a[href="/services/categories/{category_id}"]').click()
    expect(page.locator("h1")).to_have_text("测试保洁")
    checked(page, ui, found)
    page.get_by_role("link", name="两小时保洁").click()
    expect(page.locator("h1")).to_have_text("两小时保洁")
    checked(page, ui, found)
    ui.tall_enough(page.locator(".sv-slot button"))
    ui.screenshot(page, "services-offering")
    # The second day listed is tomorrow or later whatever the hour: its first slot is always free.
    tomorrow = page.locator(".sv-day").nth(1)
    tomorrow.locator("summary").click()
    tomorrow.locator(".sv-slot button").first.click()
    page.wait_for_url("**/confirm")
    expect(page.locator("h1")).to_have_text("确认预约")
    page.locator('textarea[name="description"]').fill("厨房和阳台")
    checked(page, ui, found)
    ui.screenshot(page, "services-confirm")
    page.get_by_role("button", name="立即预约").click()
    page.wait_for_url("**/services/bookings/*")
    expect(page.locator(".sv-booking")).to_contain_text("等待服务商接单")
    expect(page.locator(".flash-success")).to_be_visible()
    checked(page, ui, found)
    ui.screenshot(page, "services-booking")
    assert not found, describe(found)
    with live_server.transaction() as session:
        made = session.scalar(db.select(Booking).where(Booking.resident_id == resident_id))
        assert made.status == "requested" and made.description == "厨房和阳台" and made.held_cents == 20000


def test_staff_cancel_a_booking_from_the_console_on_a_tablet(new_page, live_server, ui):
    from datetime import timedelta

    from services.models import Offering
    from tests.browser.conftest import TABLET
    from tests.services_support import add_booking

    with live_server.transaction() as session:
        store = session.scalar(db.select(Store).order_by(Store.id))
        resident = session.scalar(db.select(User).where(User.store_id == store.id, User.role == Role.RESIDENT.value)
                                  .order_by(User.id))
        category = add_category(store.id, slug="cleaning-console", name_zh="控制台保洁", name_en="Console cleaning")
        vendor = add_vendor(store.id, [category], name="控制台家政", crews=1)
        offering = add_offering(vendor, category, title_zh="控制台测试保洁", title_en="Console test cleaning")
        add_weekly_availability(vendor)
        starts_at = utcnow().replace(microsecond=0, second=0, minute=0) + timedelta(days=3)
        booking_id = add_booking(resident.id, session.get(Offering, offering.id), starts_at, now=utcnow()).id
    page, found = new_page(**TABLET, bypass_csp=True), {}
    log_in(page, "+8613800138001")  # the demo's staff member
    page.wait_for_url("**/console**")
    page.goto(f"/console/services/bookings/{booking_id}")
    expect(page.locator("h1")).to_contain_text(str(booking_id))
    checked(page, ui, found)
    ui.screenshot(page, "services-console-booking")
    page.get_by_role("button", name="取消预约并全额退款").click()
    expect(page.locator(".flash-success")).to_be_visible()
    checked(page, ui, found)
    page.goto("/console/services/verify-address")
    checked(page, ui, found)
    assert not found, describe(found)
    with live_server.transaction() as session:
        assert session.get(Booking, booking_id).cancelled_by == "staff"
