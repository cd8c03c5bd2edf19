"""A pickup code the counter locked, on the resident's 390x844 phone in both languages: the card
says the code is locked and how to get a new one, and shows neither the dead code nor its QR."""
import re

import pytest

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
RESIDENT = "+8613900139013"  # a demo resident no other test of this module uses
SHELF = 8                    # a shelf of this test's own, beside the demo's six
HAN = re.compile(r"[\u4e00-\u9fff]")


def locked_parcel(live_server, tracking):
    """A parcel for the resident whose code the counter locked (5 wrong tries): ``{id, code}``."""
    with live_server.transaction() as session:
        staff = session.scalar(db.select(User).where(User.phone == STAFF_PHONE))
        shelves.save_shelf(staff.store_id, SHELF, tiers=3, capacity=20)
        done = checkin.check_in(staff, tracking_number=tracking, carrier="顺丰速运", phone=RESIDENT, name="",
                                size="small", now=utcnow())
        session.execute(db.update(Parcel).where(Parcel.id == done.parcel.id).values(code_misses=5))
        return {"id": done.parcel.id, "code": done.code}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_locked_code_says_so_and_how_to_get_a_new_one(new_page, live_server, ui, lang):
    from tests.browser.conftest import PHONE

    parcel = locked_parcel(live_server, f"SF99887766{lang.upper()}")
    page = new_page(**{**PHONE, "locale": "zh-CN" if lang == "zh" else "en-US"})
    log_in(page, RESIDENT)
    page.goto("/parcels")
    card = page.locator(f"article#parcel-{parcel['id']}")
    locked = card.locator("[data-code-locked]")
    expect(locked).to_be_visible()
    expect(locked).to_contain_text("取件码已锁定" if lang == "zh" else "Pickup code locked")
    expect(locked).to_contain_text("请到柜台询问" if lang == "zh" else "ask at the counter")
    expect(card.locator("[data-pickup-code]")).to_have_count(0)
    expect(card.locator("svg.qr")).to_have_count(0)
    assert parcel["code"] not in page.content()
    text = locked.inner_text()
    if lang == "en":
        assert not HAN.search(text), text
    else:
        assert not re.search(r"[A-Za-z]{3,}", text), text
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, f"parcel-locked-{lang}")
