"""The resident's shop feed at /shop: what is shown (in stock, on sale, this store), in which order
and why, search, category chips, "Buy again", paging and the fragment for infinite scrolling."""
import re
from datetime import timedelta

import pytest

from store_app.roles import Role

from .catalogue_helpers import card_ids, catalogue, now, shop  # noqa: F401  (fixtures)
from .conftest import text_of


@pytest.fixture
def resident(shop, login_client):
    return login_client(shop["users"][Role.RESIDENT][1])


def page(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_feed_shows_only_sellable_goods_of_this_store(shop, resident):
    ids = card_ids(resident.get("/shop"))
    p = shop["products"]
    assert sorted(ids) == sorted([p["milk"], p["yoghurt"], p["toast"]])
    html = page(resident.get("/shop"))
    assert "羊奶" not in html and "月饼" not in html and "外店牛奶" not in html


def test_the_old_endpoint_name_is_gone_and_residents_land_on_the_feed(app, shop, resident):
    assert "stores.shop" not in app.view_functions
    assert "shop.feed" in app.view_functions
    assert 'href="/shop" aria-current="page"' in page(resident.get("/shop"))


@pytest.mark.parametrize("role", [Role.STAFF, Role.COURIER, Role.OWNER])
def test_only_residents_have_a_feed(shop, login_client, role):
    assert login_client(shop["users"][role][1]).get("/shop").status_code == 403


def test_cards_carry_price_unit_partner_and_a_picture(shop, resident):
    html = text_of(resident.get("/shop", headers={"Accept-Language": "zh-CN"}))
    assert "纯牛奶" in html and "¥12.50" in html and "1 L" in html
    toast = re.search(r'id="p%d".*?</li>' % shop["products"]["toast"], html, re.S).group(0)
    assert "Wheat Aroma" in toast and "¥12.00" in toast
    assert 'class="pic pic-stock' in toast and 'src="/static/pictures/openmoji/' in toast
    assert "ph-glyph" not in html
    milk = re.search(r'id="p%d".*?</li>' % shop["products"]["milk"], html, re.S).group(0)
    assert "Test Store" not in milk  # the store's own goods name no merchant


def test_names_follow_the_language(shop, resident):
    resident.set_cookie("lang", "en")
    html = page(resident.get("/shop"))
    assert "Whole Milk" in html and "纯牛奶" not in html and "Dairy" in html


def test_each_card_posts_to_the_cart_with_the_way_back(shop, resident):
    html = page(resident.get("/shop?q=milk"))
    milk = shop["products"]["milk"]
    form = re.search(r'<form method="post" action="/cart/items" class="add-form".*?</form>', html, re.S)
    form = form.group(0)
    assert f'name="product_id" value="{milk}"' in form and 'name="quantity" value="1"' in form
    assert f'name="next" value="/shop?q=milk#p{milk}"' in form
    assert re.search(r'name="csrf_token" value="[^"]+"', form)


def test_adding_from_the_feed_without_javascript(app, shop, resident):
    html = page(resident.get("/shop"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    milk = shop["products"]["milk"]
    response = resident.post("/cart/items", data={"product_id": milk, "quantity": "1",
                                                  "next": f"/shop#p{milk}", "csrf_token": token})
    assert response.status_code in (302, 303) and response.headers["Location"] == f"/shop#p{milk}"


def test_store_hours_stay_reachable_and_the_address_is_shown(shop, resident):
    html = page(resident.get("/shop", headers={"Accept-Language": "en"}))
    assert "Opening hours" in html and "Hours and contact" in html
    assert 'class="deliver-to"' in html and "莲花苑 3号楼, 1-101" in html
    assert "/static/css/shop.css" in html and '<script type="module" src="/static/js/feed.js">' in html


# ---- ranking ---------------------------------------------------------------------------------

def test_the_best_seller_comes_first_and_says_so(shop, catalogue, resident, create_user):
    p = shop["products"]
    neighbour, _ = create_user(shop["store_id"], Role.RESIDENT, shop["buildings"][0])
    catalogue.order(shop["store_id"], neighbour, [(p["toast"], 6)], now() - timedelta(days=1))
    catalogue.order(shop["store_id"], neighbour, [(p["yoghurt"], 1)], now() - timedelta(days=20))
    catalogue.order(shop["store_id"], neighbour, [(p["milk"], 9)], now() - timedelta(days=2),
                    status="cancelled")
    response = resident.get("/shop", headers={"Accept-Language": "en"})
    assert card_ids(response) == [p["toast"], p["yoghurt"], p["milk"]]
    toast = re.search(r'id="p%d".*?</li>' % p["toast"], page(response), re.S).group(0)
    assert "Popular nearby" in toast


def test_the_residents_own_rhythm_wins_and_is_explained(shop, catalogue, resident, create_user):
    p, store_id = shop["products"], shop["store_id"]
    me = shop["users"][Role.RESIDENT][0]
    neighbour, _ = create_user(store_id, Role.RESIDENT, shop["buildings"][0])
    catalogue.order(store_id, neighbour, [(p["toast"], 20)], now() - timedelta(hours=5))
    for days in (16, 12, 8, 4):  # milk every four days, due today
        catalogue.order(store_id, me, [(p["milk"], 1)], now() - timedelta(days=days))
    response = resident.get("/shop", headers={"Accept-Language": "en"})
    assert card_ids(response)[0] == p["milk"]
    milk = re.search(r'<li class="feed-card is-due" id="p%d".*?</li>' % p["milk"], page(response), re.S)
    milk = milk.group(0)
    assert "About time again: you buy this about every 4 days" in milk
    zh = page(resident.get("/shop", headers={"Accept-Language": "zh-CN"}))
    assert "每 4 天" in zh


def test_a_favourite_category_and_a_past_purchase_are_explained(shop, catalogue, resident):
    p, store_id = shop["products"], shop["store_id"]
    me = shop["users"][Role.RESIDENT][0]
    catalogue.order(store_id, me, [(p["milk"], 1)], now() - timedelta(days=3))
    html = page(resident.get("/shop", headers={"Accept-Language": "en"}))
    assert re.search(r'id="p%d".*?Bought before' % p["milk"], html, re.S)
    yoghurt = re.search(r'id="p%d".*?</li>' % p["yoghurt"], html, re.S).group(0)
    assert "From your favourite category: Dairy" in yoghurt


# ---- search, chips, buy again ----------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [("milk", ["milk"]), ("MILK", ["milk"]), ("酸奶", ["yoghurt"]),
                                             ("whole milk", ["milk"]), ("吐司", ["toast"]), ("goat", []),
                                             ("%", []), ("_", [])])
def test_search_in_both_languages(shop, resident, query, expected):
    response = resident.get("/shop", query_string={"q": query})
    assert sorted(card_ids(response)) == sorted(shop["products"][name] for name in expected)
    if not expected:
        assert "Nothing matches" in page(resident.get("/shop", query_string={"q": query},
                                                      headers={"Accept-Language": "en"}))


def test_category_chips_filter_and_keep_the_search(shop, resident):
    bakery = shop["categories"]["bakery"]
    html = page(resident.get("/shop", headers={"Accept-Language": "en"}))
    assert f'href="/shop?category={bakery}"' in html
    response = resident.get(f"/shop?category={bakery}")
    assert card_ids(response) == [shop["products"]["toast"]]
    assert f'href="/shop?category={bakery}" aria-current="page"' in page(response)
    assert card_ids(resident.get(f"/shop?category={bakery}&q=milk")) == []
    # A category of another store (or nonsense) is ignored, not an error.
    assert len(card_ids(resident.get(f"/shop?category={shop['other']['category']}"))) == 3
    assert len(card_ids(resident.get("/shop?category=abc"))) == 3


def test_buy_again_lists_only_what_the_resident_bought(shop, catalogue, resident):
    p, store_id = shop["products"], shop["store_id"]
    html = page(resident.get("/shop", headers={"Accept-Language": "en"}))
    assert "view=again" not in html  # nothing bought yet: no chip
    me = shop["users"][Role.RESIDENT][0]
    catalogue.order(store_id, me, [(p["toast"], 1), (p["sold_out"], 1)], now() - timedelta(days=2))
    html = page(resident.get("/shop", headers={"Accept-Language": "en"}))
    assert 'href="/shop?view=again"' in html
    response = resident.get("/shop?view=again", headers={"Accept-Language": "en"})
    assert card_ids(response) == [p["toast"]]  # the goat milk is sold out
    assert "Buy again" in page(response)


# ---- paging ----------------------------------------------------------------------------------

def test_paging_with_a_more_link_and_a_fragment_for_scrolling(shop, catalogue, resident):
    store_id = shop["store_id"]
    for n in range(30):
        catalogue.product(store_id, shop["categories"]["dairy"], shop["merchants"]["own"], f"Cheese {n:02d}")
    first = resident.get("/shop")
    ids_1 = card_ids(first)
    assert len(ids_1) == 20
    assert 'href="/shop?page=2" rel="next" data-feed-more' in page(first)
    second = resident.get("/shop?page=2")
    ids_2 = card_ids(second)
    assert len(ids_2) == 13 and not set(ids_1) & set(ids_2)
    assert "data-feed-more " not in page(second)
    fragment = resident.get("/shop?page=2&fragment=1")
    html = page(fragment)
    assert card_ids(fragment) == ids_2
    assert "<html" not in html and "deliver-to" not in html
    assert 'name="next" value="/shop?page=2#p' in html
    assert card_ids(resident.get("/shop?page=99")) == []
    assert len(card_ids(resident.get("/shop?page=-3"))) == 20


def test_paging_keeps_the_filters(shop, catalogue, resident):
    for n in range(25):
        catalogue.product(shop["store_id"], shop["categories"]["dairy"], shop["merchants"]["own"],
                          f"Cheese {n:02d}")
    dairy = shop["categories"]["dairy"]
    html = page(resident.get(f"/shop?q=cheese&category={dairy}"))
    assert f'href="/shop?q=cheese&amp;category={dairy}&amp;page=2"' in html
    assert len(card_ids(resident.get(f"/shop?q=cheese&category={dairy}&page=2"))) == 5
