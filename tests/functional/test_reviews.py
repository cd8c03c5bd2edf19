"""Reviews through the pages and the API (test client, SQLite and PostgreSQL): a delivered order's
page offers "Rate this order" and a review per product; forms come back filled in on an error; a
product's card and page show its average from five visible reviews; only staff moderate, and the
JSON API lists a product's visible reviews."""
import re

import pytest

from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.orders import reviews
from store_app.orders.review_models import OrderReview, ProductReview
from store_app.roles import Role
from tests.conftest import add_shopper, build_shop, new_phone, PASSWORD
from tests.functional.conftest import post_form, text_of
from tests.review_support import buy_and_receive, delivered_world

EN = {"Accept-Language": "en"}


@pytest.fixture
def world(app):
    return delivered_world(app)


def _staff(app, store_id, role=Role.STAFF):
    from werkzeug.security import generate_password_hash

    with app.app_context(), transaction():
        staff = User(store_id=store_id, phone=new_phone(), name="Clerk", role=role.value,
                     password_hash=generate_password_hash(PASSWORD, method="scrypt:1024:8:1"))
        db.session.add(staff)
        db.session.flush()
        return staff.phone


def _reviewed_by_five(app, shop, ratings, product="water"):
    """New residents each review the ``product`` of a delivered order of theirs, one per rating."""
    with app.app_context():
        for rating in ratings:
            buyer = add_shopper(shop)
            order_id = buy_and_receive(buyer, shop.products[product])
            with transaction():
                reviews.review_product(db.session.get(User, buyer.user_id), order_id, shop.products[product],
                                       rating, f"Rated {rating}", utcnow())


def test_a_delivered_orders_page_offers_the_reviews(world, login_client):
    shop, shopper, _neighbour, order_id = world
    resident = login_client(shopper.phone)
    html = text_of(resident.get(f"/orders/{order_id}", headers=EN))
    assert "Rate this order" in html and f'href="/orders/{order_id}/review"' in html
    for key in ("water", "milk"):
        assert f'href="/orders/{order_id}/products/{shop.products[key]}/review"' in html
    assert "Review Mineral water" in html  # the per-product link's accessible name


def test_an_order_not_yet_delivered_offers_no_review_and_refuses_one(app, login_client, count):
    shop, shopper, _neighbour, order_id = delivered_world(app, "picked_up")
    resident = login_client(shopper.phone)
    assert "Rate this order" not in text_of(resident.get(f"/orders/{order_id}", headers=EN))
    answer = post_form(resident, f"/orders/{order_id}/review", {"rating": "5"})
    assert answer.status_code == 303 and answer.headers["Location"] == f"/orders/{order_id}"
    answer = post_form(resident, f"/orders/{order_id}/products/{shop.products['water']}/review", {"rating": "5"})
    assert answer.status_code == 303
    assert count(OrderReview) == count(ProductReview) == 0


def test_someone_elses_order_and_a_product_not_in_it_answer_404(world, login_client, count):
    shop, _shopper, neighbour, order_id = world
    stranger = login_client(neighbour.phone)
    for path in (f"/orders/{order_id}/review", f"/orders/{order_id}/products/{shop.products['water']}/review",
                 "/orders/999999/review"):
        assert stranger.get(path).status_code == 404
        assert post_form(stranger, path, {"rating": "5", "text": "mine"}).status_code == 404
    resident = login_client(_shopper.phone)
    path = f"/orders/{order_id}/products/{shop.products['noodles']}/review"
    assert resident.get(path).status_code == 404
    assert post_form(resident, path, {"rating": "4"}).status_code == 404
    assert count(ProductReview) == 0


def test_the_order_review_form_comes_back_filled_in_on_an_error(world, login_client, count):
    _shop, shopper, _neighbour, order_id = world
    resident = login_client(shopper.phone)
    form = resident.get(f"/orders/{order_id}/review", headers=EN)
    html = text_of(form)
    assert form.status_code == 200 and 'type="radio"' in html and "<legend>Your rating</legend>" in html
    assert "How fast was the delivery?" in html
    answer = post_form(resident, f"/orders/{order_id}/review", {"text": "Fast & friendly", "delivery_rating": "4"},
                       headers=EN)
    html = text_of(answer)
    assert answer.status_code == 400 and "Choose 1 to 5 stars." in html
    assert "Fast &amp; friendly</textarea>" in html
    assert re.search(r'<input checked[^>]*name="delivery_rating"[^>]*value="4"', html)
    too_long = post_form(resident, f"/orders/{order_id}/review", {"rating": "3", "text": "y" * 1001}, headers=EN)
    assert too_long.status_code == 400 and "Keep it to 1000 characters." in text_of(too_long)
    assert "y" * 1001 in text_of(too_long)
    assert count(OrderReview) == 0
    done = post_form(resident, f"/orders/{order_id}/review", {"rating": "4", "text": "Fast", "delivery_rating": "5"})
    assert done.status_code == 303 and done.headers["Location"] == f"/orders/{order_id}#reviews"
    assert "You rated this order" in text_of(resident.get(f"/orders/{order_id}", headers=EN))
    again = post_form(resident, f"/orders/{order_id}/review", {"rating": "1"})
    assert again.status_code == 303 and count(OrderReview) == 1


def test_a_product_review_is_cleaned_and_shown_on_the_products_page(world, login_client, count, fetch):
    shop, shopper, _neighbour, order_id = world
    resident = login_client(shopper.phone)
    water = shop.products["water"]
    answer = post_form(resident, f"/orders/{order_id}/products/{water}/review",
                       {"rating": "2", "text": "<script>alert('x')</script>Too <b>warm</b>"})
    assert answer.status_code == 303
    page = text_of(resident.get(f"/products/{water}", headers=EN))
    assert "Too warm" in page and "alert(" not in page and "<b>warm" not in page
    assert "Verified purchase" in page and "Reviews (1)" in page
    assert "Rated " not in page  # one review: no average yet
    order_page = text_of(resident.get(f"/orders/{order_id}", headers=EN))
    assert f'data-review-product="{water}"' in order_page and "2 of 5 stars" in order_page


def test_the_average_shows_on_the_card_and_the_page_from_five_visible_reviews(app, world, login_client):
    shop, shopper, _neighbour, _order_id = world
    _reviewed_by_five(app, shop, [5, 4, 4, 4])
    _reviewed_by_five(app, shop, [5, 5, 5, 5], product="milk")
    resident = login_client(shopper.phone)
    page = text_of(resident.get(f"/products/{shop.products['water']}", headers=EN))
    assert "Reviews (4)" in page and "out of 5 from" not in page
    _reviewed_by_five(app, shop, [3])
    feed = text_of(resident.get("/shop", headers=EN))
    assert "Rated 4.0 out of 5 from 5 reviews" in feed
    assert '<span class="rating-star">★</span> 4.0 <span class="rating-count">(5)</span>' in feed
    assert feed.count("out of 5 from") == 1  # the milk's four reviews show no average
    page = text_of(resident.get(f"/products/{shop.products['water']}", headers=EN))
    assert "Rated 4.0 out of 5 from 5 reviews" in page and "Rated 5" in page
    assert "out of 5 from" not in text_of(resident.get(f"/products/{shop.products['milk']}", headers=EN))


def test_only_staff_moderate(world, app, login_client):
    shop, shopper, _neighbour, order_id = world
    resident = login_client(shopper.phone)
    post_form(resident, f"/orders/{order_id}/products/{shop.products['water']}/review", {"rating": "1"})
    with app.app_context():
        review_id = db.session.scalar(db.select(ProductReview.id))
    assert resident.get("/console/reviews").status_code == 403
    for action in ("hide", "unhide", "reply"):
        data = {f"product{review_id}-reason": "nope", f"reply-product{review_id}-text": "x"}
        assert post_form(resident, f"/console/reviews/product/{review_id}/{action}", data).status_code == 403
    with app.app_context():
        courier = db.session.get(User, shop.courier_ids[0]).phone
    assert login_client(courier).get("/console/reviews").status_code == 403
    other = build_shop_in(app)
    outsider = login_client(_staff(app, other))
    assert post_form(outsider, f"/console/reviews/product/{review_id}/hide",
                     {f"product{review_id}-reason": "Not ours"}).status_code == 404
    assert post_form(outsider, f"/console/reviews/order/{review_id}/reply",
                     {f"reply-order{review_id}-text": "Hi"}).status_code == 404
    assert f'data-review="product{review_id}"' not in text_of(outsider.get("/console/reviews"))


def build_shop_in(app):
    with app.app_context():
        return build_shop(name="Other Store", lat=30.0, lon=120.0).store_id


def test_staff_hide_show_again_and_reply_on_the_console(world, app, login_client, fetch):
    shop, shopper, _neighbour, order_id = world
    resident = login_client(shopper.phone)
    post_form(resident, f"/orders/{order_id}/products/{shop.products['water']}/review", {"rating": "1", "text": "Bad"})
    post_form(resident, f"/orders/{order_id}/review", {"rating": "5"})
    with app.app_context():
        review_id = db.session.scalar(db.select(ProductReview.id))
    for role in (Role.STAFF, Role.OWNER):
        page = login_client(_staff(app, shop.store_id, role)).get("/console/reviews", headers=EN)
        assert page.status_code == 200 and f'data-review="product{review_id}"' in text_of(page)
    staff = login_client(_staff(app, shop.store_id))
    html = text_of(staff.get("/console/reviews?show=low", headers=EN))
    assert f'data-review="product{review_id}"' in html and 'data-review="order' not in html
    refused = post_form(staff, f"/console/reviews/product/{review_id}/hide?show=low",
                        {f"product{review_id}-reason": "  "}, headers=EN)
    assert refused.status_code == 400 and "Please give a reason" in text_of(refused)
    hidden = post_form(staff, f"/console/reviews/product/{review_id}/hide?show=low",
                       {f"product{review_id}-reason": "Insults the courier"})
    assert hidden.status_code == 303 and hidden.headers["Location"] == "/console/reviews?show=low"
    assert fetch(ProductReview, review_id)["hidden_reason"] == "Insults the courier"
    assert "Bad" not in text_of(resident.get(f"/products/{shop.products['water']}", headers=EN))
    assert 'Hidden: <span lang="en">Insults the courier</span>' in text_of(staff.get("/console/reviews?show=hidden", headers=EN))
    assert post_form(staff, f"/console/reviews/product/{review_id}/unhide").status_code == 303
    assert fetch(ProductReview, review_id)["hidden_at"] is None
    again = post_form(staff, f"/console/reviews/product/{review_id}/unhide", headers=EN)
    assert again.status_code == 409 and "This review is not hidden." in text_of(again)
    long_reply = post_form(staff, f"/console/reviews/product/{review_id}/reply",
                           {f"reply-product{review_id}-text": "z" * 1001}, headers=EN)
    assert long_reply.status_code == 400 and "z" * 1001 in text_of(long_reply)
    assert post_form(staff, f"/console/reviews/product/{review_id}/reply",
                     {f"reply-product{review_id}-text": "Sorry, we have replaced it."}).status_code == 303
    second = post_form(staff, f"/console/reviews/product/{review_id}/reply",
                       {f"reply-product{review_id}-text": "Another"}, headers=EN)
    assert second.status_code == 409 and "This review already has a reply." in text_of(second)
    page = text_of(resident.get(f"/products/{shop.products['water']}", headers=EN))
    assert "The store replied" in page and "Sorry, we have replaced it." in page and "Another" not in page
    assert post_form(staff, "/console/reviews/nonsense/1/hide", {"nonsense1-reason": "x y z"}).status_code == 404


def test_the_api_lists_a_products_visible_reviews(app, world, login_client):
    shop, shopper, _neighbour, order_id = world
    _reviewed_by_five(app, shop, [5, 5, 4, 4, 4])
    resident = login_client(shopper.phone)
    answer = resident.get(f"/api/v1/products/{shop.products['water']}/reviews")
    body = answer.get_json()
    assert answer.status_code == 200 and body["count"] == 5 and body["average"] == 4.4
    assert {r["rating"] for r in body["reviews"]} == {4, 5} and all(r["verified_purchase"] for r in body["reviews"])
    milk = resident.get(f"/api/v1/products/{shop.products['milk']}/reviews").get_json()
    assert milk == {"product_id": shop.products["milk"], "count": 0, "average": None, "reviews": []}
    with app.app_context():
        foreign = build_shop(name="Other Store", lat=29.0, lon=119.0).products["water"]
    missing = resident.get(f"/api/v1/products/{foreign}/reviews")
    assert missing.status_code == 404 and missing.get_json()["status"] == 404
    assert app.test_client().get(f"/api/v1/products/{shop.products['water']}/reviews").status_code == 401
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert "/api/v1/products/{product_id}/reviews" in document["paths"]
