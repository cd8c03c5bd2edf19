"""Partner merchants through the test client: the secret-link page, marking an order's items ready
(seen on the staff board), the staff page that renews links, and what a wrong link gets."""
import pytest

from store_app.catalogue.models import Merchant
from store_app.extensions import db
from store_app.orders.models import OrderItem
from store_app.roles import Role

from .conftest import post_form, text_of


@pytest.fixture
def partner_world(app, create_shop, create_shopper, create_partner, create_user, login_client):
    shop = create_shop()
    partner = create_partner(shop, name="Sunny Bakery", kind="bakery",
                             products={"bun": ("菠萝包", "Pineapple bun", 600), "toast": ("吐司", "Toast", 1200)})
    shopper = create_shopper(shop, balance_cents=50_000)
    _, staff_phone = create_user(shop.store_id, Role.STAFF)
    staff = login_client(staff_phone)
    staff.set_cookie("lang", "en")
    return shop, partner, shopper, staff


def partner_post(client, token, order_id):
    return post_form(client, f"/partner/{token}/orders/{order_id}/ready", token_from=f"/partner/{token}")


def prepared(app, order_id, merchant_id):
    with app.app_context():
        return [i.prepared_at is not None for i in db.session.scalars(
            db.select(OrderItem).where(OrderItem.order_id == order_id, OrderItem.merchant_id == merchant_id)
            .order_by(OrderItem.id))]


def test_a_partner_marks_an_order_ready_and_the_board_shows_it(app, client, partner_world, create_order):
    shop, partner, shopper, staff = partner_world
    order_id = create_order(shopper, {partner.products["bun"]: 2, partner.products["toast"]: 1,
                                      shop.products["water"]: 1})
    client.set_cookie("lang", "en")  # an anonymous visitor: no account, just the link

    page = client.get(f"/partner/{partner.token}")
    html = text_of(page)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store, private"
    assert f'id="order-{order_id}"' in html and "Pineapple bun" in html and "× 2" in html
    assert "Mineral water" not in html  # the store's own items are none of the partner's business
    assert "Inside Tower" not in html  # nor is the resident's address
    assert "Partner not ready yet" in staff.get("/console/orders").get_data(as_text=True)

    response = partner_post(client, partner.token, order_id)
    assert response.status_code == 303
    assert prepared(app, order_id, partner.merchant_id) == [True, True]
    assert f'id="order-{order_id}"' not in client.get(f"/partner/{partner.token}").get_data(as_text=True)
    board = staff.get("/console/orders").get_data(as_text=True)
    assert "Partner ready" in board and "Partner not ready yet" not in board

    again = partner_post(client, partner.token, order_id)
    assert again.status_code == 303
    assert "already marked ready" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_cancelled_order_is_no_longer_prepared(app, client, partner_world, create_order):
    shop, partner, shopper, staff = partner_world
    order_id = create_order(shopper, {partner.products["bun"]: 1})
    response = post_form(staff, f"/console/orders/{order_id}/cancel", {"reason": "customer_request"},
                         token_from="/console/orders")
    assert response.status_code == 303
    assert f'id="order-{order_id}"' not in client.get(f"/partner/{partner.token}").get_data(as_text=True)
    assert partner_post(client, partner.token, order_id).status_code == 409
    assert prepared(app, order_id, partner.merchant_id) == [False]


def test_wrong_links_and_foreign_orders_are_404(app, client, partner_world, create_order, create_partner):
    shop, partner, shopper, _ = partner_world
    store_only = create_order(shopper, {shop.products["water"]: 1})
    other = create_partner(shop, name="Other Fruit", kind="fruit")
    theirs = create_order(shopper, {other.products["apples"]: 1})
    with app.app_context():
        store_token = "s" * 43
        db.session.execute(db.update(Merchant).where(Merchant.kind == "store")
                           .values(access_token=store_token))
        db.session.commit()

    for token in ("nope", "x" * 43, "y" * 200, store_token, "%2e%2e"):
        assert client.get(f"/partner/{token}").status_code == 404, token
    assert post_form(client, f"/partner/{'x' * 43}/orders/{theirs}/ready",
                     token_from=f"/partner/{partner.token}").status_code == 404
    assert partner_post(client, partner.token, store_only).status_code == 404  # nothing of theirs in it
    assert partner_post(client, partner.token, theirs).status_code == 404  # another partner's order
    assert partner_post(client, partner.token, 99_999).status_code == 404
    assert prepared(app, theirs, other.merchant_id) == [False]


def test_the_partner_post_needs_a_csrf_token(client, partner_world, create_order):
    shop, partner, shopper, _ = partner_world
    order_id = create_order(shopper, {partner.products["bun"]: 1})
    assert client.post(f"/partner/{partner.token}/orders/{order_id}/ready").status_code == 400


def test_staff_see_and_renew_partner_links(app, client, partner_world, create_shop, create_partner):
    shop, partner, _, staff = partner_world
    page = staff.get("/console/partners")
    assert page.status_code == 200
    assert f"/partner/{partner.token}" in page.get_data(as_text=True)

    response = post_form(staff, f"/console/partners/{partner.merchant_id}/token",
                         token_from="/console/partners")
    assert response.status_code == 303
    with app.app_context():
        new_token = db.session.get(Merchant, partner.merchant_id).access_token
    assert new_token != partner.token and len(new_token) >= 32
    assert client.get(f"/partner/{partner.token}").status_code == 404
    assert client.get(f"/partner/{new_token}").status_code == 200
    assert f"/partner/{new_token}" in staff.get("/console/partners").get_data(as_text=True)

    elsewhere = create_partner(create_shop(name="Other Store", lat=31.3, lon=121.5), name="Far Fruit")
    assert post_form(staff, f"/console/partners/{elsewhere.merchant_id}/token",
                     token_from="/console/partners").status_code == 404
    with app.app_context():
        store_merchant = db.session.scalar(db.select(Merchant.id).where(Merchant.store_id == shop.store_id,
                                                                         Merchant.kind == "store"))
    assert post_form(staff, f"/console/partners/{store_merchant}/token",
                     token_from="/console/partners").status_code == 404
    assert "Far Fruit" not in staff.get("/console/partners").get_data(as_text=True)
