"""Searching the shop (the feed's search box, the console's product list): exact and prefix matches
first, then the category's products, then names that contain the words; Chinese names are found by
their pinyin and its initials, kept with each name whoever saves it (form, CSV import, demo)."""
import re

import pytest

from store_app.catalogue.models import Product
from store_app.database import transaction
from store_app.demo.data import PASSWORD as DEMO_PASSWORD
from store_app.demo.operations import seed_demo
from store_app.extensions import db
from store_app.roles import Role

from .catalogue_helpers import card_ids, catalogue, shop  # noqa: F401  (fixtures)
from .conftest import post_form

ROW_RE = re.compile(r'href="/console/products/(\d+)"')


@pytest.fixture
def milky(shop, catalogue):
    """The test shop plus milk chocolate (a snack) and milk toast (bread), beside its whole milk."""
    snacks = catalogue.category(shop["store_id"], "snacks", "零食", "Snacks", position=3)
    own, partner = shop["merchants"]["own"], shop["merchants"]["partner"]
    return {**shop["products"],
            "chocolate": catalogue.product(shop["store_id"], snacks, own, "Dove Silky Milk Chocolate",
                                           "德芙丝滑牛奶巧克力", 890),
            "milk_toast": catalogue.product(shop["store_id"], shop["categories"]["bakery"], partner,
                                            "Milk Toast Bread", "牛奶吐司", 1300)}


@pytest.fixture
def resident(shop, login_client):
    return login_client(shop["users"][Role.RESIDENT][1])


@pytest.mark.parametrize("query", ["牛奶", "niunai", "nn", "NiuNai"])
def test_milk_before_milk_chocolate_in_either_script(milky, resident, query):
    assert card_ids(resident.get("/shop", query_string={"q": query})) == [
        milky["milk_toast"], milky["milk"], milky["chocolate"]]


def test_english_words_rank_the_same_way(milky, resident):
    assert card_ids(resident.get("/shop?q=milk")) == [milky["milk_toast"], milky["milk"], milky["chocolate"]]


def test_a_category_word_lists_the_categorys_products_after_names_that_start_with_it(milky, resident):
    ids = card_ids(resident.get("/shop", query_string={"q": "乳品"}))
    assert sorted(ids) == sorted([milky["milk"], milky["yoghurt"]])  # sold out and off sale stay out
    assert sorted(card_ids(resident.get("/shop?q=rupin"))) == sorted(ids)
    assert sorted(card_ids(resident.get("/shop?q=dairy"))) == sorted(ids)


def test_initials_find_and_loose_letters_do_not(milky, resident):
    assert card_ids(resident.get("/shop?q=qwj")) == []                 # no such initials
    assert card_ids(resident.get("/shop?q=qmt")) == [milky["toast"]]   # 全麦吐司
    assert card_ids(resident.get("/shop?q=iunai")) == []               # not from a syllable's start


def test_every_word_must_match_and_the_count_says_how_many(milky, resident):
    response = resident.get("/shop", query_string={"q": "牛奶 qiaokeli"})
    assert card_ids(response) == [milky["chocolate"]]
    assert "1 件商品" in response.get_data(as_text=True)


def test_search_and_category_chip_together(milky, shop, resident):
    bakery = shop["categories"]["bakery"]
    assert card_ids(resident.get(f"/shop?q=nn&category={bakery}")) == [milky["milk_toast"]]


@pytest.mark.parametrize("query", ["牛" * 500, " ".join(["nai"] * 300), "%_\\", "'; DROP TABLE products; --"])
def test_long_or_odd_searches_answer_calmly(milky, resident, query):
    response = resident.get("/shop", query_string={"q": query})
    assert response.status_code == 200


def test_the_console_list_ranks_its_search_too(milky, shop, login_client):
    staff = login_client(shop["users"][Role.STAFF][1])
    html = staff.get("/console/products?q=nn").get_data(as_text=True)
    ids = [int(i) for i in dict.fromkeys(ROW_RE.findall(html))]
    # Staff see what residents cannot buy too (the sold-out goat milk is "yang nai": no "nn").
    assert ids == [milky["milk_toast"], milky["milk"], milky["chocolate"]]
    # Each row shows the picture residents see (here the basket: nothing chosen yet).
    assert html.count('<img class="thumb" src="/static/pictures/openmoji/1F9FA.svg"') == 3


# ---- the pinyin follows the name --------------------------------------------------------------

def pinyin_of(app, product_id):
    with app.app_context():
        return db.session.get(Product, product_id).search_pinyin


def test_the_pinyin_is_kept_when_staff_add_rename_or_import(app, shop, login_client):
    staff = login_client(shop["users"][Role.STAFF][1])
    form = {"name_zh": "燕麦奶", "name_en": "Oat Milk", "category_id": str(shop["categories"]["dairy"]),
            "merchant_id": "", "price": "9.90", "stock": "5", "barcode": "", "unit_label": "", "is_active": "y",
            "picture": ""}
    assert post_form(staff, "/console/products/new", form).status_code == 303
    with app.app_context():
        oat = db.session.scalar(db.select(Product.id).where(Product.name_en == "Oat Milk"))
    assert pinyin_of(app, oat) == "yanmainai|yan mai nai|ymn"
    assert post_form(staff, f"/console/products/{oat}", {**form, "name_zh": "豆奶"}).status_code == 303
    assert pinyin_of(app, oat) == "dounai|dou nai|dn"

    csv = ("barcode,name_zh,name_en,category,price,stock,merchant\n"
           "6901234567892,鲜牛奶,Fresh Milk,dairy,13.00,30,\n"
           "B-200,椰子水,Coconut Water,dairy,8.00,5,\n")
    response = post_form(staff, "/console/products/import", {"text": csv})
    assert response.status_code in (200, 303)
    assert pinyin_of(app, shop["products"]["milk"]) == "xianniunai|xian niu nai|xnn"
    with app.app_context():
        coconut = db.session.scalar(db.select(Product.id).where(Product.barcode == "B-200"))
    assert pinyin_of(app, coconut) == "yezishui|ye zi shui|yzs"


# ---- the demo ---------------------------------------------------------------------------------

def test_every_demo_product_card_has_its_own_picture(app, login_client):
    with app.app_context(), transaction():
        store, _ = seed_demo()
    with app.app_context():
        sellable = {p.id: p.picture for p in db.session.scalars(db.select(Product).where(
            Product.is_active.is_(True), Product.stock > 0))}
    resident = login_client("+8613900139007", DEMO_PASSWORD)
    seen, page = {}, 1
    while page:
        html = resident.get(f"/shop?page={page}").get_data(as_text=True)
        for pid, media in re.findall(r'<li class="feed-card[^"]*" id="p(\d+)".*?<div class="feed-media">(.*?)</div>',
                                     html, re.S):
            srcs = re.findall(r'<img [^>]*src="([^"]+)"', media)
            assert len(srcs) == 1, media
            seen[int(pid)] = srcs[0]
        page = page + 1 if 'rel="next"' in html else None
    assert set(seen) == set(sellable) and len(seen) > 100
    assert "ph-glyph" not in html
    basket = "/static/pictures/openmoji/1F9FA.svg"
    assert all(src.startswith("/static/pictures/openmoji/") and src != basket for src in seen.values())
    # Search finds the demo's milk by its initials, milk itself before chocolate.
    names = re.findall(r'<h3 class="feed-name"><a [^>]*>([^<]+)</a>', resident.get("/shop?q=nn").get_data(as_text=True))
    assert names.index("光明纯牛奶") < names.index("德芙丝滑牛奶巧克力")


@pytest.mark.parametrize("lang, hint, foreign", [("zh-CN", "搜索牛奶、面包…", r"[A-Za-z]"),
                                                ("en", "Search milk, bread…", r"[\u4e00-\u9fff]")])
def test_the_search_hint_is_in_the_pages_language_only(shop, resident, lang, hint, foreign):
    html = resident.get("/shop", headers={"Accept-Language": lang}).get_data(as_text=True)
    placeholder = re.search(r'<input type="search" name="q"[^>]*placeholder="([^"]*)"', html).group(1)
    assert placeholder == hint and not re.search(foreign, placeholder)
