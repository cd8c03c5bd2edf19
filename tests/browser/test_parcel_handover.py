"""The parcel handover on the counter tablet: staff type (or scan) the resident's code and Enter, see
the parcel with its shelf code, tick it, confirm, and the cursor is back in the code field for the
next resident; the parcel is collected in the database. The page fits a tablet and a phone without
sideways scrolling. Pages are found by URL, ids and data attributes, never by translated copy.
"""
import itertools

from store_app.accounts.models import User
from store_app.database import utcnow
from store_app.extensions import db
from store_app.parcels import checkin, shelves
from store_app.parcels.models import Parcel
from tests.browser.pages import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

STAFF_PHONE = "+8613800138001"
RESIDENT = "+8613900139011"  # a demo resident no other test of this module uses
HANDOVER = "/console/parcels/handover"
_tracking = itertools.count(1)


def parcel_for_resident(live_server):
    """Shelves at the demo store and a parcel checked in for ``RESIDENT``: ``(id, code, shelf code, staff id)``."""
    with live_server.transaction() as session:
        staff = session.scalar(db.select(User).where(User.phone == STAFF_PHONE))
        if not shelves.list_shelves(staff.store_id):  # the demo may have its own already
            for number in (1, 2):
                shelves.save_shelf(staff.store_id, number, tiers=4, capacity=20)
        done = checkin.check_in(staff, tracking_number=f"BROWSER{next(_tracking):06d}", carrier="中通快递 ZTO",
                                phone=RESIDENT, name="", now=utcnow())
        return done.parcel.id, done.code, done.parcel.shelf_code, staff.id


def test_staff_scan_the_code_see_the_shelf_code_and_hand_the_parcel_over(tablet, new_page, live_server, ui):
    parcel_id, code, shelf_code, staff_id = parcel_for_resident(live_server)
    counter = tablet
    log_in(counter, STAFF_PHONE)
    counter.wait_for_url("**/console")
    counter.goto(HANDOVER)
    expect(counter.locator("#handover-code")).to_be_focused()
    ui.no_horizontal_scroll(counter)

    # A keyboard-wedge scanner: the digits, then Enter, into whatever has the focus.
    counter.keyboard.type(code)
    counter.keyboard.press("Enter")
    found = counter.locator("#handover-set")
    # The demo resident may have other parcels waiting: they are listed too.
    expect(found.locator(f'li:has(input[value="{parcel_id}"]) [data-shelf-code]')).to_have_text(shelf_code)
    ui.no_horizontal_scroll(counter)
    ui.screenshot(counter, "parcel-handover-tablet")

    found.locator(f'input[name="parcel_id"][value="{parcel_id}"]').check()
    found.locator('button[type="submit"]').click()
    counter.wait_for_url(f"**{HANDOVER}")
    expect(counter.locator(".flash-success")).to_be_visible()
    expect(counter.locator("#handover-code")).to_be_focused()  # ready for the next resident
    expect(counter.locator(".handover-log")).to_contain_text(shelf_code)
    with live_server.transaction() as session:
        parcel = session.get(Parcel, parcel_id)
        assert (parcel.status, parcel.handed_over_by, parcel.collected_as) == ("collected", staff_id, "recipient")
    ui.no_horizontal_scroll(counter)

    # A staff member's phone works too (360 px), with the parcels shown.
    other_id, other_code, other_shelf, _ = parcel_for_resident(live_server)
    phone = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="zh-CN")
    log_in(phone, STAFF_PHONE)
    phone.wait_for_url("**/console")
    phone.goto(HANDOVER)
    phone.locator("#handover-code").fill(other_code)
    phone.locator("#handover-code").press("Enter")
    row = phone.locator(f'#handover-set li:has(input[value="{other_id}"])')
    expect(row.locator("[data-shelf-code]")).to_have_text(other_shelf)
    ui.no_horizontal_scroll(phone)
    ui.tall_enough(phone.locator("#handover-set button[type='submit'], #handover-set label"))
    ui.screenshot(phone, "parcel-handover-phone")
