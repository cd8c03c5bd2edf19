"""The shop feed on a 390x844 phone, in Chinese and in English: at least four product cards fit whole
above the fold, every card shows a picture, the header never cuts off the store's name (nor the
app's), the search box's hint is in the page's language only, and search finds milk by "nn"."""
import re

import pytest

from store_app.demo.data import STORE as DEMO_STORE
from store_app.extensions import db
from store_app.stores.models import Store
from tests.browser.pages import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

RESIDENT = "+8613900139007"  # a demo resident without orders: the plain "For you" feed
HAN = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")

# Cards whose whole box (picture, name, price and the Add button) is inside the viewport, above the
# bottom navigation bar.
_WHOLE_CARDS_JS = """() => {
  const nav = document.querySelector('.bottom-nav');
  const h = nav ? nav.getBoundingClientRect().top : window.innerHeight;
  const w = document.documentElement.clientWidth;
  return [...document.querySelectorAll('[data-feed-grid] > li')].filter((card) => {
    const r = card.getBoundingClientRect();
    return r.top >= 0 && r.left >= 0 && r.bottom <= h && r.right <= w && r.height > 0;
  }).length;
}"""

# Names in the header that are cut off: their text is wider than their box.
_CUT_NAMES_JS = """() => [...document.querySelectorAll('.topbar .brand span, [data-header-name]')]
  .filter((el) => el.getClientRects().length > 0)
  .filter((el) => el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight + 1)
  .map((el) => el.textContent.trim())"""


LONG_NAME = "邻里便利店（宜山路旗舰店）Neighbourhood Convenience Store, Yishan Road"


def rename_store(live_server, names):
    """Give the demo store other names ``(Chinese, English)``; returns the ones it had."""
    with live_server.transaction() as session:
        store = session.scalar(db.select(Store).order_by(Store.id).limit(1))
        old = (store.name, store.name_en)
        store.name, store.name_en = names
    return old


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_four_whole_cards_above_the_fold_and_the_names_are_never_cut(phone, live_server, ui, lang):
    page = phone
    if lang == "en":
        page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    log_in(page, RESIDENT)
    page.goto("/shop")
    grid = page.locator("[data-feed-grid]")
    expect(grid.locator("li").first).to_be_visible()
    page.wait_for_load_state("load")  # pictures decoded: the cards have their final height

    boxes = page.evaluate("() => [...document.querySelectorAll('[data-feed-grid] > li, .bottom-nav, main > *')]"
                          ".map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().top)}-"
                          "${Math.round(e.getBoundingClientRect().bottom)}`).slice(0, 14)")
    assert page.evaluate(_WHOLE_CARDS_JS) >= 4, boxes
    assert page.evaluate("window.scrollY") == 0
    assert page.locator(".topbar .brand span").count() == 1  # the app's name
    assert page.evaluate(_CUT_NAMES_JS) == []
    expect(page.locator("[data-store-name]")).to_have_text(DEMO_STORE["name_en" if lang == "en" else "name"])

    # Every card on the page has a picture that loaded (a stock picture or a photo), none a letter tile.
    cards = grid.locator("li")
    assert cards.count() == cards.locator("img").count()
    assert page.locator(".feed-grid .ph-glyph").count() == 0
    broken = page.evaluate("""() => [...document.querySelectorAll('[data-feed-grid] img')]
      .filter((img) => img.loading !== 'lazy' && !(img.complete && img.naturalWidth > 0)).map((img) => img.src)""")
    assert broken == []

    hint = page.locator('form[role="search"] input[name="q"]').get_attribute("placeholder")
    if lang == "zh":
        assert hint and not LATIN_WORD.search(hint), hint
    else:
        assert hint and not HAN.search(hint), hint
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, f"shop-feed-{lang}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_long_store_name_wraps_instead_of_being_cut(phone, live_server, ui, lang):
    old = rename_store(live_server, (LONG_NAME, LONG_NAME))
    try:
        page = phone
        if lang == "en":
            page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
        log_in(page, RESIDENT)
        page.goto("/shop")
        expect(page.locator("[data-store-name]")).to_have_text(LONG_NAME)
        assert page.evaluate(_CUT_NAMES_JS) == []
        ui.no_horizontal_scroll(page)
        ui.screenshot(page, f"shop-long-name-{lang}")
    finally:
        rename_store(live_server, old)


def test_search_by_pinyin_initials_puts_milk_first(phone, live_server, ui):
    page = phone
    log_in(page, RESIDENT)
    page.goto("/shop")
    search = page.locator('form[role="search"] input[name="q"]')
    search.fill("nn")
    search.press("Enter")
    page.wait_for_url("**/shop?q=nn*")
    first = page.locator("[data-feed-grid] > li").first
    expect(first.locator(".feed-name")).to_contain_text("牛奶")
    expect(first.locator(".feed-name")).not_to_contain_text("巧克力")
    page.goto("/shop?q=牛奶")
    names = page.locator("[data-feed-grid] .feed-name").all_inner_texts()
    chocolate = next(i for i, name in enumerate(names) if "巧克力" in name)
    milk = next(i for i, name in enumerate(names) if name.endswith("纯牛奶"))
    assert milk < chocolate, names
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, "shop-search-milk")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_product_page_and_the_credits_on_a_phone_and_a_tablet(new_page, live_server, ui, lang):
    from tests.browser.conftest import PHONE, TABLET
    for name, options in (("phone", PHONE), ("tablet", TABLET)):
        page = new_page(**options)
        if lang == "en":
            page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
        log_in(page, RESIDENT)
        page.goto("/shop")
        ui.screenshot(page, f"shop-feed-{name}-{lang}")
        page.locator("[data-feed-grid] .feed-name a").first.click()
        picture = page.locator(".product-media img")
        expect(picture).to_be_visible()
        assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
        expect(page.locator("main h1")).to_be_in_viewport()
        ui.no_horizontal_scroll(page)
        ui.screenshot(page, f"product-{name}-{lang}")
        page.locator('a[href="/credits"]').click()
        expect(page.locator("main h1")).to_have_text("图片与许可" if lang == "zh" else "Pictures and licences")
        ui.no_horizontal_scroll(page)
        ui.screenshot(page, f"credits-{name}-{lang}")
