"""The campaign console on the counter tablet (1024x768), in Chinese and English: staff recompute the
segments, make a campaign for the active residents with a coupon, run the dry run, launch it, and
read its page (figures, budget, results against the holdout) with nothing cut off. Pages are found
by URL, ids and data attributes, never by translated copy; screenshots go to $STORE_SCREENSHOT_DIR."""
from datetime import timedelta

from store_app.accounts.models import User
from store_app.database import utcnow
from store_app.extensions import db
from store_app.growth import purchases
from store_app.growth.baskets import Basket, BasketLine
from store_app.growth.models import Campaign, CampaignMember, Coupon
from store_app.roles import Role
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import TABLET
from tests.browser.pages import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

STAFF_PHONE = "+8613800138001"


def seed(live_server):
    """A coupon (spend 10, save 2) and a purchase last week for every demo resident: its id."""
    now = utcnow()
    with live_server.transaction() as session:
        staff = session.scalar(db.select(User).where(User.phone == STAFF_PHONE))
        residents = session.scalars(db.select(User).where(User.store_id == staff.store_id,
                                                          User.role == Role.RESIDENT.value)).all()
        for n, resident in enumerate(residents):
            basket = Basket(line="delivery", fee_cents=500, lines=(BasketLine(None, 1250, 2),))
            purchases.record_purchase(user_id=resident.id, store_id=staff.store_id, line="delivery",
                                      ref=f"order:browser-campaign-{resident.id}", goods_cents=2500, fee_cents=500,
                                      basket=basket, now=now - timedelta(days=3, minutes=n))
        coupon = Coupon(store_id=staff.store_id, kind="spend_save", title_zh="满十减二", title_en="Save 2 on 10",
                        amount_off_cents=200, min_spend_cents=1000, starts_at=now - timedelta(days=1),
                        ends_at=now + timedelta(days=30), per_user_limit=1)
        session.add(coupon)
        session.flush()
        return coupon.id, len(residents)


def test_staff_run_a_campaign_from_segments_to_launch(tablet, new_page, live_server, ui):
    coupon_id, residents = seed(live_server)
    page = tablet
    log_in(page, STAFF_PHONE)
    page.wait_for_url("**/console")

    page.goto("/console/segments")
    page.locator("form[action$='/console/segments/recompute'] button").click()
    page.wait_for_url("**/console/segments")
    expect(page.locator("[data-segment='active'] [data-size]")).to_have_text(str(residents))
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "campaign-segments-zh")

    page.goto("/console/campaigns/new")
    page.fill("#name", "周末回访")
    page.select_option("#segment", "active")
    page.select_option("#coupon_id", str(coupon_id))
    page.fill("#budget", "100")
    page.fill("#holdout_percent", "10")
    page.fill("#ends_at", (utcnow() + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"))
    ui.no_horizontal_scroll(page)
    page.locator("form.growth-form button[type='submit']").click()
    page.wait_for_url("**/console/campaigns/*")
    detail = page.url

    page.locator("form[action$='/dry-run'] button").click()
    page.wait_for_url(detail)
    expect(page.locator("[data-dry-run] [data-affected]")).not_to_have_text("0")
    page.locator("form[action$='/launch'] button").click()
    page.wait_for_url(detail)
    expect(page.locator("h1 .badge.status-running")).to_be_visible()
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "campaign-detail-zh")

    with live_server.transaction() as session:
        campaign = session.scalars(db.select(Campaign).order_by(Campaign.id.desc())).first()
        members = session.scalar(db.select(db.func.count()).select_from(CampaignMember).where(
            CampaignMember.campaign_id == campaign.id))
        assert (campaign.status, members) == ("running", residents)

    english = new_page(**{**TABLET, "locale": "en-US", "bypass_csp": True})
    log_in(english, STAFF_PHONE)
    english.wait_for_url("**/console")
    english.goto(detail)
    assert english.locator("html").get_attribute("lang") == "en"
    expect(english.locator("[data-results]")).to_be_visible()
    ui.no_horizontal_scroll(english)
    ui.screenshot(english, "campaign-detail-en")
    english.goto("/console/campaigns")
    ui.no_horizontal_scroll(english)
    ui.screenshot(english, "campaign-list-en")
    english.goto(f"/console/coupons/{coupon_id}")
    ui.no_horizontal_scroll(english)
    ui.screenshot(english, "coupon-editor-en")

    # No WCAG A/AA violation on any of growth's console pages, nor on a coupon form sent back with errors.
    found = {}
    for path in (detail, "/console/campaigns", "/console/campaigns/new", "/console/segments", "/console/coupons",
                 f"/console/coupons/{coupon_id}", "/console/coupons/new"):
        english.goto(path)
        violations = axe_violations(english)
        if violations:
            found[path] = violations
    english.goto("/console/coupons/new")
    english.fill("#amount_off", "lots")
    english.fill("#ends_at", (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    english.locator("form.growth-form button[type='submit']").click()
    expect(english.locator("#amount_off-error")).to_be_visible()
    found.update({"coupon form with errors": v for v in [axe_violations(english)] if v})
    assert not found, describe(found)
