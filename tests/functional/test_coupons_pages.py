"""Coupons through the test client: the coupon centre (claim, tabs, typed codes with one answer for
every bad code and a rate limit), the checkout with a coupon pre-selected (the discount on the order,
the copy used, the purchase recorded), a foreign coupon id refused with the form kept, re-pricing as
JSON, a cancellation giving the copy back, and the JSON API."""
import re

import pytest

from store_app.extensions import db
from store_app.growth.models import CouponGrant, Purchase
from store_app.orders.models import Order
from store_app.wallet.operations import get_balance
from tests.conftest import csrf_token, fill_cart
from tests.coupon_support import add_coupon

from .conftest import input_value, post_form, text_of

FEE = 500
ORDER_URL_RE = re.compile(r"^/orders/(\d+)$")


@pytest.fixture
def shop(create_shop):
    return create_shop(stock=20, fee_cents=FEE)


@pytest.fixture
def shopper(shop, create_shopper):
    return create_shopper(shop, balance_cents=10_000)


@pytest.fixture
def browser(login_client, shopper):
    client = login_client(shopper.phone)
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def coupon(app, shop):
    """¥8 off orders of ¥15 or more, claimable."""
    with app.app_context():
        return add_coupon(shop.store_id, title_en="Eight off", amount_off_cents=800, min_spend_cents=1500)


def grants_of(app, user_id):
    with app.app_context():
        return db.session.execute(db.select(CouponGrant.id, CouponGrant.status, CouponGrant.purchase_ref)
                                  .where(CouponGrant.user_id == user_id).order_by(CouponGrant.id)).all()


def claim(browser, coupon_id):
    return post_form(browser, f"/coupons/{coupon_id}/claim")


def test_the_me_page_links_to_the_coupon_centre(browser):
    assert 'href="/coupons"' in browser.get("/me").get_data(as_text=True)


def test_claim_from_the_centre_then_see_it_on_my_coupons(app, browser, shopper, coupon):
    page = browser.get("/coupons")
    assert page.status_code == 200 and "Eight off" in text_of(page) and f'data-claim="{coupon}"' in text_of(page)
    response = claim(browser, coupon)
    assert response.status_code == 303
    assert [status for _, status, _ in grants_of(app, shopper.user_id)] == ["available"]
    page = browser.get("/coupons?tab=available")
    assert "Claimed" in text_of(page) and "Valid until" in text_of(page)
    again = claim(browser, coupon)   # once per resident
    assert again.status_code == 409 and "already have" in text_of(again)
    assert len(grants_of(app, shopper.user_id)) == 1
    assert "No coupons used yet." in text_of(browser.get("/coupons?tab=used"))


def test_an_unknown_coupon_is_not_found(browser):
    assert claim(browser, 987654).status_code == 404


def test_bad_codes_get_one_answer_and_keep_what_was_typed(app, browser, shop, shopper):
    from store_app.growth.coupons import new_code

    code = new_code()
    with app.app_context():
        add_coupon(shop.store_id, code=code, claimable=False)
        spent = new_code()
        add_coupon(shop.store_id, code=spent, claimable=False, total_limit=0)
    answers = set()
    for typed in ("WRONG-CODE-1234-5678", spent):
        response = post_form(browser, "/coupons/code", {"code": typed})
        assert response.status_code == 400
        assert input_value(response, "code") == typed
        answers.add(re.search(r'<small class="error" id="code-error">([^<]*)</small>', text_of(response)).group(1))
    assert answers == {"This code cannot be used. Check it and try again."}
    assert post_form(browser, "/coupons/code", {"code": code.lower()}).status_code == 303
    assert [status for _, status, _ in grants_of(app, shopper.user_id)] == ["available"]


def test_code_attempts_are_rate_limited(app, browser):
    app.config["COUPON_CODE_LIMIT_PER_ACCOUNT"] = "3 per hour"
    for _ in range(3):
        assert post_form(browser, "/coupons/code", {"code": "AAAA-BBBB-CCCC-DDDD"}).status_code == 400
    blocked = post_form(browser, "/coupons/code", {"code": "EEEE-FFFF-GGGG-HHHH"})
    assert blocked.status_code == 429
    assert "Too many codes" in text_of(blocked) and input_value(blocked, "code") == "EEEE-FFFF-GGGG-HHHH"


def checkout_form(page):
    form = {name: input_value(page, name) for name in ("csrf_token", "idempotency_key", "expected_total_cents",
                                                       "coupons_chosen")}
    form.update(fulfilment="delivery", payment_method="wallet", note="ring twice")
    address = re.search(r'<option[^>]*value="(\d+)"[^>]*selected|<option[^>]*selected[^>]*value="(\d+)"',
                        page.get_data(as_text=True))
    form["address_id"] = next(g for g in address.groups() if g)
    return form


def test_checkout_with_the_best_coupon_pre_selected(app, browser, shop, shopper, coupon):
    claim(browser, coupon)
    (grant_id, _, _), = grants_of(app, shopper.user_id)
    with app.app_context():
        fill_cart(shopper.user_id, {shop.products["water"]: 2, shop.products["milk"]: 1})   # 1850
    page = browser.get("/checkout")
    html = text_of(page)
    assert f'name="coupon_ids" value="{grant_id}" checked' in html
    assert "Coupon discount" in html and "−¥8.00" in html
    assert input_value(page, "expected_total_cents") == str(1850 + FEE - 800)
    # Unticking re-prices without a reload (checkout.js asks this).
    priced = browser.get("/checkout/price", query_string={"fulfilment": "delivery"}).get_json()
    assert (priced["discount_cents"], priced["total_cents"], priced["chosen"]) == (0, 1850 + FEE, [])
    priced = browser.get("/checkout/price", query_string={"coupon_ids": grant_id}).get_json()
    assert (priced["discount_cents"], priced["total_cents"]) == (800, 1850 + FEE - 800)
    form = checkout_form(page) | {"coupon_ids": str(grant_id)}
    response = browser.post("/checkout", data=form)
    assert response.status_code == 303, text_of(response)[:3000]
    order_id = int(ORDER_URL_RE.match(response.headers["Location"]).group(1))
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert (order.discount_cents, order.total_cents) == (800, 1850 + FEE - 800)
        assert get_balance(shopper.user_id) == 10_000 - (1850 + FEE - 800)
        purchase = db.session.scalar(db.select(Purchase).where(Purchase.ref == f"order:{order_id}"))
        assert (purchase.line, purchase.goods_cents, purchase.fee_cents, purchase.discount_cents) == (
            "delivery", 1050, FEE, 800)
    assert grants_of(app, shopper.user_id) == [(grant_id, "used", f"order:{order_id}")]
    # Cancelled before it is picked: the copy is the resident's again.
    assert post_form(browser, f"/orders/{order_id}/cancel").status_code in (302, 303)
    assert grants_of(app, shopper.user_id) == [(grant_id, "available", None)]


def test_someone_elses_coupon_is_refused_and_the_form_comes_back_filled(
        app, browser, shop, shopper, create_shopper, coupon, login_client):
    neighbour = create_shopper(shop)
    claim(login_client(neighbour.phone), coupon)
    (foreign_id, _, _), = grants_of(app, neighbour.user_id)
    with app.app_context():
        fill_cart(shopper.user_id, {shop.products["milk"]: 2})
    page = browser.get("/checkout")
    response = browser.post("/checkout", data=checkout_form(page) | {"coupon_ids": str(foreign_id)})
    assert response.status_code == 409
    assert "This coupon cannot be used on this order" in text_of(response)
    assert input_value(response, "note") == "ring twice"
    assert grants_of(app, neighbour.user_id) == [(foreign_id, "available", None)]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Order)) == 0


def test_a_stale_total_after_unticking_elsewhere_is_cart_changed(app, browser, shop, shopper, coupon):
    claim(browser, coupon)
    (grant_id, _, _), = grants_of(app, shopper.user_id)
    with app.app_context():
        fill_cart(shopper.user_id, {shop.products["milk"]: 2})
    page = browser.get("/checkout")
    form = checkout_form(page)   # the expected total is the discounted one; no coupon posted
    response = browser.post("/checkout", data=form)
    assert response.status_code == 409 and "changed since you looked" in text_of(response)
    assert grants_of(app, shopper.user_id) == [(grant_id, "available", None)]


# ---- the JSON API -----------------------------------------------------------------------------

def api_post(client, path, body=None):
    return client.post(path, json=body, headers={"X-CSRFToken": csrf_token(client, "/me")})


def test_the_api_lists_claims_applies_and_redeems(app, browser, shop, shopper, coupon):
    from store_app.growth.coupons import new_code

    listed = browser.get("/api/v1/coupons").get_json()
    assert [c["coupon_id"] for c in listed["claimable"]] == [coupon] and listed["mine"] == []
    claimed = api_post(browser, f"/api/v1/coupons/{coupon}/claim")
    assert claimed.status_code == 201 and claimed.get_json()["status"] == "available"
    grant_id = claimed.get_json()["grant_id"]
    again = api_post(browser, f"/api/v1/coupons/{coupon}/claim")
    assert again.status_code == 409 and set(again.get_json()) == {"error", "status"}
    with app.app_context():
        fill_cart(shopper.user_id, {shop.products["milk"]: 2})   # 2500
    best = api_post(browser, "/api/v1/coupons/apply", {}).get_json()
    assert (best["grant_ids"], best["discount_cents"], best["total_cents"]) == ([grant_id], 800, 2500 + FEE - 800)
    none = api_post(browser, "/api/v1/coupons/apply", {"grant_ids": [], "fulfilment": "pickup"}).get_json()
    assert (none["discount_cents"], none["total_cents"]) == (0, 2500)
    refused = api_post(browser, "/api/v1/coupons/apply", {"grant_ids": [grant_id + 1000]})
    assert refused.status_code == 409 and refused.get_json()["status"] == 409
    assert api_post(browser, "/api/v1/coupons/redeem", {"code": "NOPE-NOPE-NOPE-NOPE"}).get_json() == {
        "error": "This code cannot be used. Check it and try again.", "status": 400}
    code = new_code()
    with app.app_context():
        add_coupon(shop.store_id, code=code, claimable=False, kind="free_delivery", amount_off_cents=0)
    assert api_post(browser, "/api/v1/coupons/redeem", {"code": code}).status_code == 201
    mine = browser.get("/api/v1/coupons?tab=available").get_json()["mine"]
    assert sorted(m["coupon"]["kind"] for m in mine) == ["free_delivery", "spend_save"]


def test_a_forged_coupon_id_is_a_message_not_a_crash(app, browser, shop, shopper):
    with app.app_context():
        fill_cart(shopper.user_id, {shop.products["milk"]: 2})
    page = browser.get("/checkout")
    response = browser.post("/checkout", data=checkout_form(page) | {"coupon_ids": str(2**40)})
    assert response.status_code == 409 and "This coupon cannot be used on this order" in text_of(response)
    refused = api_post(browser, "/api/v1/coupons/apply", {"grant_ids": [2**40]})
    assert refused.status_code == 400


def test_staff_give_the_coupon_of_a_delivered_order_back_from_the_board(
        app, browser, shop, shopper, coupon, create_user, login_client):
    from store_app.database import transaction, utcnow
    from store_app.fulfilment import moves
    from store_app.roles import Role

    claim(browser, coupon)
    (grant_id, _, _), = grants_of(app, shopper.user_id)
    with app.app_context():
        fill_cart(shopper.user_id, {shop.products["milk"]: 2})
    page = browser.get("/checkout")
    response = browser.post("/checkout", data=checkout_form(page) | {"coupon_ids": str(grant_id)})
    order_id = int(ORDER_URL_RE.match(response.headers["Location"]).group(1))
    _, staff_phone = create_user(shop.store_id, role=Role.STAFF)
    counter = login_client(staff_phone)
    counter.set_cookie("lang", "en")
    too_early = post_form(counter, f"/console/orders/{order_id}/restore-coupon", token_from="/console/orders")
    assert too_early.status_code == 409 and grants_of(app, shopper.user_id)[0][1] == "used"
    with app.app_context(), transaction():
        order = db.session.get(Order, order_id)
        for step in ("accepted", "picking", "ready", "assigned", "picked_up", "delivered"):
            moves.move(order, step, actor_id=None, now=utcnow(),
                       changes={"courier_id": shop.courier_ids[0]} if step == "assigned" else None,
                       task_changes={"courier_id": shop.courier_ids[0]} if step == "assigned" else None)
    assert "Give the coupon back" in text_of(counter.get("/console/orders"))
    response = post_form(counter, f"/console/orders/{order_id}/restore-coupon", token_from="/console/orders")
    assert response.status_code == 303
    assert grants_of(app, shopper.user_id) == [(grant_id, "available", None)]
    again = post_form(counter, f"/console/orders/{order_id}/restore-coupon", token_from="/console/orders")
    assert again.status_code == 409
