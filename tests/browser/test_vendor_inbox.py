"""The vendor's inbox on a 390x844 phone: an offered job shows its area and a countdown but not the
address; the vendor accepts it and sees the address; a job offered while the inbox is open appears
without a reload, announced in the aria-live region, in Chinese and in English."""
from datetime import timedelta

import pytest
from werkzeug.security import generate_password_hash

from services.booking_models import Booking
from services.models import Offering
from store_app.accounts.models import User
from store_app.database import utcnow
from store_app.extensions import db
from store_app.roles import Role
from store_app.stores.models import Store
from tests.browser.axe import axe_violations, describe
from tests.browser.pages import DEMO_PASSWORD, log_in
from tests.services_support import add_booking, add_category, add_offering, add_vendor, add_weekly_availability

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

LIVE_WAIT_MS = 25_000  # the inbox polls every 10 s; a slow shared machine may need two rounds


def _market(live_server, phone, slug):
    """A vendor (login ``phone``, demo password) with one job offered to it tomorrow at 10:00 UTC."""
    with live_server.transaction() as session:
        store_id = session.scalar(db.select(Store.id).order_by(Store.id))
        resident = session.scalar(db.select(User.id).where(User.store_id == store_id,
                                                            User.role == Role.RESIDENT.value).order_by(User.id))
        owner = User(store_id=store_id, phone=phone, name="Vendor", role=Role.VENDOR.value,
                     password_hash=generate_password_hash(DEMO_PASSWORD, method="scrypt:1024:8:1"))
        session.add(owner)
        session.flush()
        category = add_category(store_id, slug=slug)
        vendor = add_vendor(store_id, [category], owner=owner, crews=2)
        add_weekly_availability(vendor)
        offering = add_offering(vendor, category)
        now = utcnow()
        start = (now + timedelta(days=2)).replace(hour=2, minute=0, second=0, microsecond=0)
        first = add_booking(resident, offering, start, now=now, accept_within=timedelta(minutes=30))
        return {"resident": resident, "offering": offering.id, "booking": first.id, "start": start}


def _offer_another(live_server, market):
    with live_server.transaction() as session:
        offering = session.get(Offering, market["offering"])
        later = add_booking(market["resident"], offering, market["start"] + timedelta(hours=4), now=utcnow(),
                            crew=offering.vendor.crews[1])
        return later.id


@pytest.mark.parametrize("locale, phone_number, slug, new_text", [
    ("zh-CN", "+8613700137001", "cleaning-zh", "有新的派单"),
    ("en-GB", "+8613700137002", "cleaning-en", "New job offered"),
])
def test_the_vendor_accepts_on_a_phone_and_a_new_job_appears_without_reload(
        new_page, live_server, ui, locale, phone_number, slug, new_text):
    market = _market(live_server, phone_number, slug)
    page = new_page(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                    has_touch=True, locale=locale, bypass_csp=True)
    log_in(page, phone_number)
    page.goto("/vendor/jobs")
    card = page.locator(f'li.job-card[data-job-id="{market["booking"]}"]')
    expect(card).to_be_visible()
    expect(card.locator("time.countdown")).to_contain_text(":")
    assert "1-101" not in page.content()
    ui.no_horizontal_scroll(page)
    ui.tall_enough(card.locator("button"))
    ui.screenshot(page, f"vendor-inbox-{locale}")
    found = {"/vendor/jobs": axe_violations(page)}
    page.goto(f"/vendor/jobs/{market['booking']}")
    found["offered job"] = axe_violations(page)
    assert not any(found.values()), describe(found)
    assert "1-101" not in page.content()

    page.locator('.job-answer form[action$="/accept"] button').click()
    expect(page.locator(".job-address")).to_contain_text("1-101")
    ui.no_horizontal_scroll(page)
    ui.tall_enough(page.locator(".job-steps button"))
    assert not axe_violations(page), describe({"accepted job": axe_violations(page)})
    ui.screenshot(page, f"vendor-job-{locale}")

    page.goto("/vendor/jobs")
    page.evaluate("window.__sameDocument = true")
    new_id = _offer_another(live_server, market)
    fresh = page.locator(f'li.job-card[data-job-id="{new_id}"]')
    expect(fresh).to_be_visible(timeout=LIVE_WAIT_MS)
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
    expect(page.locator("[data-live-news]")).to_contain_text(new_text)
    expect(fresh.locator("time.countdown")).to_contain_text(":")


def test_staff_see_an_escalated_job_first_and_assign_it_on_the_tablet(new_page, live_server, ui):
    market = _market(live_server, "+8613700137003", "cleaning-staff")
    with live_server.transaction() as session:
        booking = session.get(Booking, market["booking"])
        booking.status, booking.crew_id = "escalated", None
    page = new_page(viewport={"width": 1024, "height": 768}, has_touch=True, locale="zh-CN", bypass_csp=True)
    log_in(page, "+8613800138001")
    page.goto("/console/services/jobs")
    job = page.locator(".queue-escalated .queue-job").first
    expect(job).to_contain_text(f"#{market['booking']}")
    ui.no_horizontal_scroll(page)
    assert not axe_violations(page), describe({"/console/services/jobs": axe_violations(page)})
    ui.screenshot(page, "console-service-jobs")
    job.locator('form.assign-form button').click()
    expect(page.locator(".flash-success")).to_be_visible()
    with live_server.transaction() as session:
        assert session.get(Booking, market["booking"]).status == "accepted"


def test_the_vendor_finishes_the_job_on_the_phone_and_the_resident_confirms_it(new_page, live_server, ui):
    """On the way, at the door, working, done with a photo (the job page, 390x844, zh); the resident's
    booking page then asks them to confirm, and once confirmed offers the review."""
    from services import steps
    from tests.photo_files import photo_bytes

    market = _market(live_server, "+8613700137004", "cleaning-done")
    with live_server.transaction() as session:
        booking = session.get(Booking, market["booking"])
        steps.move(booking, "accepted", now=utcnow(), crew_id=booking.crew_id, accepted_at=utcnow())
        resident_phone = session.scalar(db.select(User.phone).where(User.id == market["resident"]))
    vendor = new_page(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                      has_touch=True, locale="zh-CN", bypass_csp=True)
    log_in(vendor, "+8613700137004")
    vendor.goto(f"/vendor/jobs/{market['booking']}")
    for step in ("on-the-way", "arrived", "start"):
        vendor.locator(f'form[action$="/step/{step}"] button').click()
        expect(vendor.locator(f'form[action$="/step/{step}"]')).to_have_count(0)
    done_form = vendor.locator('form[action$="/done"]')
    done_form.locator('input[type="file"]').set_input_files(
        files=[{"name": "kitchen.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}])
    done_form.locator("button").click()
    expect(vendor.locator('form[action$="/done"]')).to_have_count(0)
    ui.no_horizontal_scroll(vendor)
    ui.screenshot(vendor, "vendor-job-done-zh")
    with live_server.transaction() as session:
        finished = session.get(Booking, market["booking"])
        assert finished.status == "done" and len(finished.completion_photos) == 1

    resident = new_page(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                        has_touch=True, locale="zh-CN", bypass_csp=True)
    log_in(resident, resident_phone)
    resident.goto(f"/services/bookings/{market['booking']}")
    resident.locator('form[action$="/confirm-done"] button').click()
    expect(resident.locator(f'a[href$="/services/bookings/{market["booking"]}/review"]')).to_be_visible()
    ui.no_horizontal_scroll(resident)
    assert not axe_violations(resident), describe({"confirmed booking": axe_violations(resident)})
    ui.screenshot(resident, "services-booking-completed-zh")
    with live_server.transaction() as session:
        assert session.get(Booking, market["booking"]).status == "completed"
