"""The resident's Parcels tab on a phone: a parcel checked in at the counter shows with its pickup
code, big, and the code's QR code; the page and the six-tab bottom bar fit a 390 px and a 360 px
screen; "bring it to my door" shows the fee and follows the ticks without a reload button.

Pages are found by URL, ids and data attributes (the phone is in Chinese); the code, shelf and fee
are checked against the database.
"""
import re

from store_app.accounts.models import User
from store_app.database import utcnow
from store_app.extensions import db
from store_app.parcels import checkin, shelves
from tests.browser.pages import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

STAFF_PHONE = "+8613800138001"
RESIDENT = "+8613900139012"  # Aiko Tanaka: no other browser test uses her
SHELF = 9                    # a shelf of this test's own, beside the demo's six


def check_in_parcel(live_server, tracking):
    """A parcel for the resident checked in at the counter now: ``{id, code, shelf_code, fee}``."""
    with live_server.transaction() as session:
        staff = session.scalar(db.select(User).where(User.phone == STAFF_PHONE))
        shelves.save_shelf(staff.store_id, SHELF, tiers=3, capacity=20)
        done = checkin.check_in(staff, tracking_number=tracking, carrier="顺丰速运 SF Express",
                                phone=RESIDENT, name="", size="small", now=utcnow())
        return {"id": done.parcel.id, "code": done.code, "shelf_code": done.parcel.shelf_code,
                "door_fee": staff.store.parcel_door_fee_cents}


def money(cents):
    return f"¥{cents // 100}.{cents % 100:02d}"


def test_the_parcels_tab_shows_the_code_and_its_qr_on_a_phone(phone, live_server, ui):
    parcel = check_in_parcel(live_server, "SF4455667788")
    page = phone
    log_in(page, RESIDENT)
    page.wait_for_url("**/shop")

    # Seven tabs fit the bottom bar; Parcels is the fourth, then Breakfast, Services, and Me last.
    tabs = page.locator("nav.bottom-nav a")
    expect(tabs).to_have_count(7)
    assert tabs.nth(3).get_attribute("href") == "/parcels" and tabs.nth(6).get_attribute("href") == "/me"
    tabs.nth(3).click()
    page.wait_for_url("**/parcels")
    expect(tabs.nth(3)).to_have_attribute("aria-current", "page")

    card = page.locator(f"article#parcel-{parcel['id']}")
    expect(card.locator("[data-pickup-code]")).to_have_text(parcel["code"])
    expect(card).to_contain_text(parcel["shelf_code"])
    expect(card).to_contain_text("…7788")
    qr = card.locator("svg.qr")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and abs(box["width"] - box["height"]) < 1, box  # big enough to scan, square
    code_box = card.locator("[data-pickup-code]").bounding_box()
    assert code_box["height"] >= 36, code_box  # readable across the counter
    ui.no_horizontal_scroll(page)
    ui.tall_enough(card.locator(".actions .button"))
    ui.tall_enough(tabs)
    ui.screenshot(page, "parcels-tab")

    # The narrowest phone we support: still no sideways scrolling, every tab inside the screen.
    page.set_viewport_size({"width": 360, "height": 780})
    ui.no_horizontal_scroll(page)
    for index in range(7):
        tab = tabs.nth(index).bounding_box()
        assert tab["x"] >= 0 and tab["x"] + tab["width"] <= 360 and tab["width"] >= 44, (index, tab)
        label = tabs.nth(index).locator("span").first
        assert label.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), f"tab {index}'s label is cut"
    ui.screenshot(page, "parcels-tab-360")

    # "Bring it to my door": this parcel ticked, its fee shown; unticking it shows nothing to pay.
    card.locator(f'a[href="/parcels/door?parcel_ids={parcel["id"]}"]').click()
    page.wait_for_url(re.compile(r"/parcels/door\?parcel_ids=\d+$"))
    box = page.locator(f'input[name="parcel_ids"][value="{parcel["id"]}"]')
    expect(box).to_be_checked()
    total = page.locator("[data-door-total]")
    expect(total).to_have_text(money(parcel["door_fee"]))  # no storage fee on the first day
    expect(page.locator("[data-door-refresh]")).to_be_hidden()  # the script updates the fee itself
    ui.no_horizontal_scroll(page)
    with page.expect_navigation():
        box.uncheck()
    expect(page.locator(f'input[name="parcel_ids"][value="{parcel["id"]}"]')).not_to_be_checked()
    expect(page.locator("[data-door-total]")).to_have_text(money(0))
    ui.no_horizontal_scroll(page)
