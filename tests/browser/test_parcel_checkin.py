"""Parcel check-in at the counter, in a real browser at the counter tablet's size: a batch of ten
parcels by keyboard alone (tracking number, Tab or a scanner's Enter, phone, Enter), the cursor back in
the tracking field each time, the page kept (saved with fetch), a refusal shown next to its field with
what was typed kept; then the database holds ten parcels on ten different slots.

The live server's database is the demo community's, shared by the tests of this module."""
import re

from store_app.accounts.models import User
from store_app.extensions import db
from store_app.parcels import codes, shelves
from store_app.parcels.models import Parcel
from tests.browser.pages import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

STAFF_PHONE = "+8613800138001"
RESIDENT_PHONE = "13900139005"  # a demo resident: "Resident account"
CARRIER = "中通快递"  # the carrier's key: its Chinese name
LABEL_RE = re.compile(r"^\d{1,3}-\d-\d{3}$")


def station(live_server):
    """The demo store's id and counter staff; shelves are added if the demo has none."""
    with live_server.transaction() as session:
        staff = session.scalar(db.select(User).where(User.phone == STAFF_PHONE))
        if not shelves.list_shelves(staff.store_id):
            for number in range(1, 4):
                shelves.save_shelf(staff.store_id, number, 4, 20)
        last = session.scalar(db.select(db.func.max(Parcel.id))) or 0
        return {"store_id": staff.store_id, "staff_id": staff.id, "last_parcel_id": last}


def test_batch_check_in_of_ten_parcels_by_keyboard(tablet, live_server, ui):
    here = station(live_server)
    page = tablet
    log_in(page, STAFF_PHONE)
    page.wait_for_url("**/console")
    page.goto("/console/parcels/batch")
    ui.no_horizontal_scroll(page)

    # The carrier once (it has the cursor when the batch starts), then Tab, Tab: the tracking field.
    carrier = page.locator('select[name="carrier"]')
    expect(carrier).to_be_focused()
    carrier.select_option(CARRIER)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    tracking = page.locator('input[name="tracking_number"]')
    phone = page.locator('input[name="recipient_phone"]')
    expect(tracking).to_be_focused()

    typed = []
    for n in range(10):
        number = f"PB2611{n:06d}"
        recipient = RESIDENT_PHONE if n % 3 == 0 else f"1370099{n:04d}"
        page.keyboard.type(number)
        # A USB scanner ends with Enter: it moves on to the phone instead of sending half a form.
        page.keyboard.press("Enter" if n >= 8 else "Tab")
        expect(phone).to_be_focused()
        page.keyboard.type(recipient)
        page.keyboard.press("Enter")
        expect(tracking).to_be_focused()
        expect(tracking).to_have_value("")
        expect(phone).to_have_value("")
        typed.append((number, recipient))

    rows = page.locator("[data-saved-list] a.saved-label")
    expect(rows).to_have_count(10)
    expect(page.locator("[data-saved-count]")).to_have_text("10")
    assert page.url.endswith("/console/parcels/batch"), "the page was kept (saved with fetch)"
    shown = rows.all_inner_texts()

    with live_server.transaction() as session:
        saved = session.scalars(db.select(Parcel).where(Parcel.id > here["last_parcel_id"])
                                .order_by(Parcel.id)).all()
        got = [(p.tracking_number, p.recipient_phone, p.carrier, p.checked_in_by, p.store_id, p.shelf_code,
                p.recipient_id is not None) for p in saved]
    assert [(g[0], g[1]) for g in got] == [(number, "+86" + recipient) for number, recipient in typed]
    assert {(g[2], g[3], g[4]) for g in got} == {(CARRIER, here["staff_id"], here["store_id"])}
    labels = [g[5] for g in got]
    assert len(set(labels)) == 10 and all(LABEL_RE.match(label) for label in labels)
    assert shown == labels[::-1], "the running list shows the label codes, newest first"
    assert [g[6] for g in got] == [n % 3 == 0 for n in range(10)], "the resident's number matched an account"
    expect(page.locator("[data-saved-list] .badge.ok")).to_have_count(4)
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "parcel-batch")

    # The same number again: refused next to the field, what was typed is kept, nothing saved.
    page.keyboard.type(typed[0][0])
    page.keyboard.press("Tab")
    page.keyboard.type("13700990099")
    page.keyboard.press("Enter")
    error = page.locator('[data-error-for="tracking_number"]')
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    expect(tracking).to_have_value(typed[0][0])
    expect(phone).to_have_value("13700990099")
    expect(tracking).to_be_focused()
    expect(rows).to_have_count(10)
    with live_server.transaction() as session:
        assert session.scalar(db.select(db.func.count(Parcel.id)).where(Parcel.id > here["last_parcel_id"])) == 10
    ui.no_horizontal_scroll(page)


def test_one_parcel_then_its_label_prints_alone(tablet, live_server, ui):
    here = station(live_server)
    page = tablet
    log_in(page, STAFF_PHONE)
    page.wait_for_url("**/console")
    page.goto("/console/parcels")
    tracking = page.locator('input[name="tracking_number"]')
    expect(tracking).to_be_focused()
    expect(page.locator("[data-scan-camera]")).to_be_hidden()  # no BarcodeDetector in desktop Chromium
    page.keyboard.type("PB2612000001")
    page.keyboard.press("Enter")  # a scanner's Enter: on to the next field, nothing sent yet
    expect(page.locator('select[name="carrier"]')).to_be_focused()
    page.select_option('select[name="carrier"]', CARRIER)
    page.fill('input[name="recipient_phone"]', "13700991234")
    page.select_option('select[name="size"]', "large")
    expect(page.locator('[data-proposal="large"]')).to_have_class(re.compile(r"\bis-current\b"))
    ui.no_horizontal_scroll(page)
    with page.expect_navigation():
        page.locator('form[data-checkin-form] button[type="submit"]').click()

    assert re.search(r"/console/parcels/\d+/label$", page.url), page.url
    with live_server.transaction() as session:
        parcel = session.scalar(db.select(Parcel).where(Parcel.id > here["last_parcel_id"],
                                                        Parcel.tracking_number == "PB2612000001"))
        label, code = parcel.shelf_code, codes.pickup_code(parcel)
    expect(page.locator("[data-label-code]")).to_have_text(label)
    expect(page.locator('[data-recipient="unregistered"]')).to_be_visible()
    expect(page.locator("[data-print]")).to_be_visible()
    assert code not in page.content()
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "parcel-label")
    page.emulate_media(media="print")
    expect(page.locator(".parcel-label")).to_be_visible()
    expect(page.locator(".parcel-label-code")).to_have_text(label)
    for hidden in (".topbar", ".label-result", ".subnav"):
        expect(page.locator(hidden)).to_be_hidden()
