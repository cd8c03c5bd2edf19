"""The feed's caches, switched on as in production: a resident's rendered feed is kept per
session for a few seconds and dropped by their own changes; the store's popularity is shared."""
from datetime import timedelta

import pytest
from sqlalchemy import event

from store_app.extensions import db
from store_app.roles import Role

from .catalogue_helpers import card_ids, catalogue, now, shop  # noqa: F401  (fixtures)
from .conftest import post_form


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def cached(app):
    app.config.update(FEED_PAGE_TTL_S=20, FEED_POPULARITY_TTL_S=60)
    yield app
    app.extensions.pop("store_caches", None)


@pytest.fixture
def resident(shop, login_client, cached):
    client = login_client(shop["users"][Role.RESIDENT][1])
    client.get("/me")  # shows (and so clears) the welcome message: pages with a message are not cached
    return client


@pytest.fixture
def statements(app):
    """The SQL statements run while the test's requests are served."""
    seen = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    yield seen
    event.remove(engine, "before_cursor_execute", listener)


def new_product(shop, catalogue, name="Fresh Cream"):  # noqa: F811
    return catalogue.product(shop["store_id"], shop["categories"]["dairy"], shop["merchants"]["own"], name)


def test_the_same_session_gets_its_page_again_without_touching_the_database(shop, resident, statements):
    first = resident.get("/shop")
    statements.clear()
    again = resident.get("/shop")
    assert again.status_code == 200 and again.get_data() == first.get_data()
    assert statements == []


def test_a_change_by_someone_else_shows_within_the_ttl(cached, shop, resident, catalogue):  # noqa: F811
    resident.get("/shop")
    cream = new_product(shop, catalogue)
    assert cream not in card_ids(resident.get("/shop"))  # still the page from a moment ago
    pages = cached.extensions["store_caches"]["pages"]
    pages.clock = Clock()
    pages.clock.now = 10 ** 9  # far past every entry's expiry
    assert cream in card_ids(resident.get("/shop"))


def test_the_residents_own_change_drops_the_cached_page_at_once(shop, resident, catalogue):  # noqa: F811
    resident.get("/shop")
    cream = new_product(shop, catalogue)
    response = post_form(resident, "/cart/items", {"product_id": shop["products"]["milk"], "quantity": 1},
                         token_from="/cart", headers={"Accept": "application/json"})
    assert response.get_json() == {"count": 1}
    html = resident.get("/shop").get_data(as_text=True)
    assert cream in card_ids(resident.get("/shop"))
    assert 'data-cart-count aria-label' in html and '>1</span>' in html  # the badge counts the new item


def test_each_session_of_a_resident_has_its_own_page_and_csrf_token(shop, resident, login_client):
    phone = shop["users"][Role.RESIDENT][1]
    other_device = login_client(phone)
    mine = resident.get("/shop").get_data(as_text=True)
    theirs = other_device.get("/shop").get_data(as_text=True)
    token = 'name="csrf-token" content="'
    assert mine.split(token)[1].split('"')[0] != theirs.split(token)[1].split('"')[0]
    # The other device's form still works with the token its page carried.
    response = post_form(other_device, "/cart/items", {"product_id": shop["products"]["milk"]},
                         token_from="/shop", headers={"Accept": "application/json"})
    assert response.status_code == 200


def test_language_and_query_make_different_pages(shop, resident):
    zh = resident.get("/shop", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    en = resident.get("/shop", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "纯牛奶" in zh and "Whole Milk" in en and "纯牛奶" not in en
    assert card_ids(resident.get("/shop?q=toast")) == [shop["products"]["toast"]]


def test_a_page_with_a_message_is_neither_cached_nor_served_from_the_cache(shop, resident):
    resident.get("/shop")  # cached
    post_form(resident, "/cart/items", {"product_id": shop["products"]["milk"], "next": "/shop"},
              token_from="/cart")  # a plain form post: flashes "Added to your cart." and redirects
    with_message = resident.get("/shop").get_data(as_text=True)
    assert 'class="flash flash-success"' in with_message
    without = resident.get("/shop").get_data(as_text=True)
    assert 'class="flash' not in without


def test_after_logout_the_cached_page_is_gone(shop, resident):
    resident.get("/shop")
    post_form(resident, "/logout")
    response = resident.get("/shop")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", [Role.STAFF, Role.COURIER])
def test_other_roles_are_still_refused_with_the_cache_on(shop, login_client, cached, role):
    client = login_client(shop["users"][role][1])
    assert client.get("/shop").status_code == 403
    assert client.get("/shop").status_code == 403


def test_the_store_popularity_is_shared_and_refreshed_after_its_ttl(cached, shop, resident, catalogue):  # noqa: F811
    p = shop["products"]
    assert card_ids(resident.get("/shop?q=t"))  # popularity computed (and kept) now
    with cached.app_context():
        from store_app.accounts.models import User
        other_user = db.session.scalar(db.select(User.id).where(User.role == Role.OWNER.value))
    # Everyone else buys toast, a lot: the shared popularity does not know yet...
    catalogue.order(shop["store_id"], other_user, [(p["toast"], 30)], now() - timedelta(hours=1))
    popularity = cached.extensions["store_caches"]["store_popularity"]
    with cached.app_context():
        from store_app.orders.feed import store_popularity
        assert p["toast"] not in store_popularity(shop["store_id"], now())
        popularity.clock = Clock()
        popularity.clock.now = 10 ** 9
        assert store_popularity(shop["store_id"], now())[p["toast"]] == 1.0  # ...until it expires


@pytest.fixture
def cards_cached(app):
    app.config.update(FEED_CARD_TTL_S=60, FEED_PAGE_TTL_S=0)
    yield app
    app.extensions.pop("store_caches", None)


def card_form(html, product_id):
    card = html.split(f'id="p{product_id}"')[1].split("</li>")[0]
    token = card.split('name="csrf_token" value="')[1].split('"')[0]
    back = card.split('name="next" value="')[1].split('"')[0]
    return token, back


def test_cached_cards_carry_each_viewers_token_and_way_back(cards_cached, shop, login_client):
    milk = shop["products"]["milk"]
    first = login_client(shop["users"][Role.RESIDENT][1])
    second = login_client(shop["users"][Role.RESIDENT][1])  # another device: another session and token
    a = first.get("/shop?q=milk").get_data(as_text=True)
    b = second.get("/shop?q=milk&page=1").get_data(as_text=True)
    assert len(cards_cached.extensions["store_caches"]["feed_cards"]) >= 1  # the card was kept...
    token_a, back_a = card_form(a, milk)
    token_b, back_b = card_form(b, milk)
    assert token_a != token_b and back_a == back_b == f"/shop?q=milk#p{milk}"  # ...and made personal again
    assert a.split('name="csrf-token" content="')[1].split('"')[0] == token_a
    response = first.post("/cart/items", data={"product_id": milk, "csrf_token": token_a},
                          headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.get_json() == {"count": 1}


def test_a_price_change_shows_on_the_card_at_once(cards_cached, shop, login_client, app):
    from store_app.catalogue.models import Product
    from store_app.database import transaction

    milk = shop["products"]["milk"]
    client = login_client(shop["users"][Role.RESIDENT][1])
    assert "¥12.50" in client.get("/shop?q=milk").get_data(as_text=True)
    with app.app_context(), transaction():
        db.session.get(Product, milk).price_cents = 1390  # updated_at moves with it
    assert "¥13.90" in client.get("/shop?q=milk").get_data(as_text=True)
