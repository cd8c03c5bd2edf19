"""No page mixes the languages: every page each role can reach, in Chinese and in English, shows no
Chinese on an English page and no English words on a Chinese page, apart from the proper names and
symbols of ``ALLOWED`` (each with its reason). Text marked with its own ``lang`` (the language
switch: "中文" on English pages, "English" on Chinese ones) is said in that language on purpose.

The crawl starts at each role's home and at the detail pages it reaches (an order, a parcel, a
product, the courier's tasks) and follows the app's own links (``crawl.py``)."""
import re

import pytest

from store_app.accounts.models import User
from store_app.catalogue.models import Product
from store_app.demo import data
from store_app.extensions import db
from store_app.orders.models import CartItem
from tests.browser.crawl import crawl
from tests.browser.pages import log_in

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# A run of letters, digits and joiners: an English word when it has two letters in a row and no digit
# (a tracking number "ZT1234567890" or a shelf code is a code, not a word).
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’&.+-]*")

# Proper names and symbols allowed in the other script, with the reason.
ALLOWED_LATIN_ON_ZH = {
    **{name: "a resident's own name, as they wrote it" for name in data.RESIDENT_NAMES if name.isascii()},
    "ml": "SI unit symbol, printed as such on Chinese packaging", "kg": "SI unit symbol",
    "QR": "the QR code's own name, used as such in Chinese",
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
    if (!el || el.closest('script, style, noscript, textarea') || ownLang(el) !== pageLang) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('[placeholder], [title], [aria-label], [alt], input[type=submit], input[type=button]')) {
    if (ownLang(el) !== pageLang) continue;
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
    "anonymous": (None, ["/", "/login", "/register", "/shop/where-we-deliver"]),
    "resident": (RESIDENT, ["/shop", "/orders", "/parcels", "/cart", "/checkout", "/wallet", "/inbox", "/me"]),
    "courier": (data.COURIERS[0][0], ["/courier"]),
    "staff": (data.STAFF[0][0], ["/console"]),
    "owner": (data.OWNER[0], ["/owner"]),
}


@pytest.fixture(scope="module")
def resident_with_a_cart(live_server):
    """The demo resident has a bakery item and a drink in the cart, so the cart and checkout show
    their sizes ("4 pieces" / "4个")."""
    with live_server.transaction() as session:
        user = session.scalar(db.select(User).where(User.phone == data.RESIDENTS[0][0]))
        for name in ("葡式蛋挞", "农夫山泉饮用天然水"):
            product = session.scalar(db.select(Product).where(Product.name_zh == name))
            if session.scalar(db.select(CartItem).where(CartItem.user_id == user.id,
                                                        CartItem.product_id == product.id)) is None:
                session.add(CartItem(user_id=user.id, product_id=product.id, quantity=1,
                                     seen_price_cents=product.price_cents))
    return RESIDENT


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_shows_the_other_language(new_page, live_server, resident_with_a_cart, role, lang):
    phone_number, starts = ROLES[role]
    page = new_page(viewport={"width": 390, "height": 844}, locale="zh-CN" if lang == "zh" else "en-US")
    page.context.add_cookies([{"name": "lang", "value": lang, "url": live_server.url}])
    if phone_number:
        log_in(page, phone_number.removeprefix("+86"))
        page.wait_for_url(lambda url: "/login" not in url)
    problems, visited = {}, []
    for path in crawl(page, starts, origin=live_server.url, skip=[r"^/logout"]):
        visited.append(path)
        assert page.locator("html").get_attribute("lang").startswith(lang), path
        wrong = wrong_script(page.evaluate(_TEXTS_JS), lang)
        if wrong:
            problems[path] = wrong
    assert len(visited) >= len(starts), f"the crawl reached too little: {visited}"
    assert not problems, f"{role} in {lang}: text in the wrong script on {len(problems)} of " \
                         f"{len(visited)} pages: {problems}"
