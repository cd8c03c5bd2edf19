"""No page mixes the languages: every page each role can reach, in Chinese and in English, shows no
Chinese on an English page and no English words on a Chinese page, apart from the proper names and
symbols of ``ALLOWED_*`` (each with its reason). Text marked with its own ``lang`` is said in that
language on purpose (the language switch: "中文" on English pages; both names of a thing on the
console that edits them; a note as staff typed it), and ``translate="no"`` marks literal data (a CSV
file's columns and sample lines, a time zone's identifier).

The crawl starts at each role's home and at the detail pages it reaches (an order, a parcel, a
product, the courier's tasks) and follows the app's own links (``crawl.py``)."""
import re

import pytest

from store_app.accounts.models import User
from store_app.catalogue.models import Product
from store_app.database import utcnow
from store_app.demo import data
from store_app.extensions import db
from store_app.fulfilment import store_steps
from store_app.orders.checkout import new_idempotency_key, place_order
from store_app.orders.models import OrderStatus
from store_app.parcels.models import Parcel
from store_app.wallet import operations as wallet
from tests.browser.breakfast_pages import breakfast_console_pages
from tests.browser.crawl import crawl
from tests.browser.pages import log_in
from tests.browser.vendor_pages import VENDOR_PHONE, approved_vendor, vendor_console_pages
from tests.conftest import fill_cart

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# A run of letters, digits and joiners: an English word when it has two letters in a row and no digit
# (a tracking number "ZT1234567890" or a shelf code is a code, not a word).
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’&.+-]*")

# Proper names and symbols allowed in the other script, with the reason.
ALLOWED_LATIN_ON_ZH = {
    **{name: "a resident's own name, as they wrote it" for name in data.RESIDENT_NAMES if name.isascii()},
    "ml": "SI unit symbol, printed as such on Chinese packaging", "kg": "SI unit symbol",
    "QR": "the QR code's own name, used as such in Chinese",
    **{name: "a file format's name, used as such in Chinese software"
       for name in ("CSV", "Excel", "JPEG", "PNG", "PDF", "WebP", "GeoJSON", "geojson", "Polygon", "MB", "XLSX")},
    **{name: "a metric's usual abbreviation, printed beside its Chinese name (日活（DAU）) on Chinese dashboards"
       for name in ("GMV", "DAU", "WAU", "MAU")},
    **{name: "a key's name as printed on the keyboard" for name in ("Tab", "Enter", "Delete", "Backspace")},
    "OpenMoji": "the picture set's own name, which its licence asks us to credit",
    **{name: "the licence's own name (CC BY-SA 4.0), credited as its terms require" for name in ("CC", "BY-SA")},
}
ALLOWED_HAN_ON_EN = {
    **{name: "a person's own name, as they wrote it (no Latin spelling given)"
       for name in data.RESIDENT_NAMES if not name.isascii()},
}

# Every text a reader meets, bar what carries its own lang and what people typed into fields.
_TEXTS_JS = r"""() => {
  const pageLang = document.documentElement.lang.slice(0, 2);
  const ownLang = (el) => { const l = el.closest('[lang]'); return l ? l.lang.slice(0, 2) : pageLang; };
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest('script, style, noscript, textarea, [translate=no]') || ownLang(el) !== pageLang) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  const named = '[placeholder], [title], [aria-label], [alt], input[type=submit], input[type=button]';
  for (const el of document.querySelectorAll(named)) {
    if (ownLang(el) !== pageLang || el.closest('[translate=no]')) continue;
    for (const attr of ['placeholder', 'title', 'aria-label', 'alt']) {
      if (el.getAttribute(attr)) out.push(el.getAttribute(attr));
    }
    if (el.matches('input[type=submit], input[type=button]') && el.value) out.push(el.value);
  }
  return out;
}"""


def wrong_script(texts, lang):
    """The pieces of ``texts`` in the wrong script for a page in ``lang``, allowed names removed."""
    found = set()
    for text in texts:
        if lang == "en":
            for name in ALLOWED_HAN_ON_EN:
                text = text.replace(name, " ")
            found.update(HAN.findall(text))
        else:
            for name in ALLOWED_LATIN_ON_ZH:
                if " " in name:
                    text = text.replace(name, " ")
            found.update(t for t in TOKEN.findall(text)
                         if re.search(r"[A-Za-z]{2}", t) and not re.search(r"\d", t)
                         and t not in ALLOWED_LATIN_ON_ZH)
    return sorted(found)


RESIDENT = data.RESIDENTS[0][0]  # 周婷: a Chinese name, orders and parcels in the demo
ROLES = {
    "anonymous": (None, ["/", "/login", "/register", "/shop/where-we-deliver", "/vendor/apply"]),
    "resident": (RESIDENT, ["/shop", "/orders", "/parcels", "/cart", "/checkout", "/wallet", "/inbox", "/me"]),
    "courier": (data.COURIERS[0][0], ["/courier"]),
    "staff": (data.STAFF[0][0], ["/console"]),
    "owner": (data.OWNER[0], ["/owner"]),
    "vendor": (VENDOR_PHONE, ["/vendor/", "/vendor/hours", "/vendor/crew", "/vendor/offerings/new"]),
}


def _ids(session):
    user = session.scalar(db.select(User).where(User.phone == RESIDENT))
    staff = session.scalar(db.select(User).where(User.phone == data.STAFF[0][0]))
    courier = session.scalar(db.select(User).where(User.phone == data.COURIERS[0][0]))
    products = [session.scalar(db.select(Product.id).where(Product.name_zh == name))
                for name in ("好丽友巧克力派", "农夫山泉饮用天然水", "葡式蛋挞")]
    return user.id, staff.id, courier.id, products


@pytest.fixture(scope="module")
def staff_detail_pages(live_server):
    """The demo resident has an order on its way with a line the store did not have (a keyed note in
    the wallet), carried by the first courier (a task on the courier's page), and a bakery item and
    a drink in the cart, so the cart and checkout show their sizes ("4 pieces" / "4个")."""
    with live_server.transaction() as session:
        user_id, staff_id, courier_id, products = _ids(session)
        wallet.credit(user_id, session.get(User, user_id).store_id, 10_000, "topup", now=utcnow(),
                      note="现金")
    with live_server.app.app_context():
        fill_cart(user_id, {products[0]: 4, products[1]: 1})  # the store's own goods: open round the clock
        db.session.remove()
    with live_server.transaction() as session:
        resident, staff = session.get(User, user_id), session.get(User, staff_id)
        order, _ = place_order(resident, address_id=resident.default_address().id, payment_method="wallet",
                               idempotency_key=new_idempotency_key(), now=utcnow())
        order_id, water = order.id, next(i.id for i in order.items if i.product_id == products[1])
        for target in (OrderStatus.ACCEPTED, OrderStatus.PICKING):
            store_steps.advance_by_store(staff, order_id, target, utcnow())
        store_steps.mark_item_unavailable(staff, order_id, water, utcnow())
        store_steps.advance_by_store(staff, order_id, OrderStatus.READY, utcnow())
        store_steps.assign_courier(staff, order_id, courier_id, utcnow())
        parcel_id = session.scalar(db.select(Parcel.id).where(Parcel.recipient_id == user_id).order_by(Parcel.id))
        breakfast = breakfast_console_pages(session, resident.store_id)
        vendors = vendor_console_pages(session, resident.store_id)
        approved_vendor(session, resident.store_id)  # the "vendor" role's login
    with live_server.app.app_context():
        fill_cart(user_id, {products[2]: 1, products[1]: 1})
        db.session.remove()
    # The detail pages a crawl from the homes may not reach before its limit: the order, the
    # resident at the wallet counter, a parcel's label and its hand-over page.
    return [f"/console/orders/{order_id}/picking-list", f"/console/wallet/{user_id}",
            f"/console/parcels/{parcel_id}/label", f"/console/parcels/handover/parcels/{parcel_id}", *breakfast,
            *vendors]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_shows_the_other_language(new_page, live_server, staff_detail_pages, ui, role, lang):
    phone_number, starts = ROLES[role]
    if role in ("staff", "owner"):
        starts = [*starts, *staff_detail_pages]
    # Staff and the owner at the counter's tablet, everyone else on a phone.
    viewport = {"width": 1024, "height": 768} if role in ("staff", "owner") else {"width": 390, "height": 844}
    page = new_page(viewport=viewport, locale="zh-CN" if lang == "zh" else "en-US")
    page.context.add_cookies([{"name": "lang", "value": lang, "url": live_server.url}])
    if phone_number:
        log_in(page, phone_number.removeprefix("+86"))
        page.wait_for_url(lambda url: "/login" not in url)
    problems, visited = {}, []
    for path in crawl(page, starts, origin=live_server.url, limit=80):
        visited.append(path)
        ui.screenshot(page, f"lang-{role}-{lang}-{len(visited):02d}")  # with STORE_SCREENSHOT_DIR set
        assert page.locator("html").get_attribute("lang").startswith(lang), path
        wrong = wrong_script(page.evaluate(_TEXTS_JS), lang)
        if wrong:
            problems[path] = wrong
    assert len(visited) >= len(starts), f"the crawl reached too little: {visited}"
    assert not problems, f"{role} in {lang}: text in the wrong script on {len(problems)} of " \
                         f"{len(visited)} pages: {problems}"
