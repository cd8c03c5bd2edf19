"""The resident's order after things change, through the test client: cancelling asks first and says
what comes back and where (a page that works without JavaScript; the cancel itself stays a POST); a
cancelled or failed order shows its outcome instead of the delivery steps; a line staff mark
unavailable comes back struck out, with the new totals, in the live JSON, and the resident gets an
inbox message; a store cancellation is told too."""
import re

import pytest

from store_app.accounts.models import User
from store_app.deliveries.models import DeliveryTask
from store_app.extensions import db
from store_app.notifications.models import Notification
from store_app.orders.models import Order
from store_app.roles import Role

from .conftest import html_lang, post_form, text_of

FEE = 500
WATER, MILK = 300, 1250
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def shop(create_shop):
    return create_shop(stock=20, fee_cents=FEE, couriers=1)


@pytest.fixture
def shopper(shop, create_shopper):
    return create_shopper(shop, balance_cents=10_000)


@pytest.fixture
def phone(login_client, shopper):
    """The shopper's phone, pages in English."""
    client = login_client(shopper.phone)
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def staff(shop, create_user, login_client):
    _id, staff_phone = create_user(shop.store_id, Role.STAFF, name="Counter")
    client = login_client(staff_phone)
    client.set_cookie("lang", "en")
    return client


def act(staff, order_id, action, data=None):
    return post_form(staff, f"/console/orders/{order_id}/{action}", data, token_from="/console/orders")


def status_of(app, order_id):
    with app.app_context():
        return db.session.get(Order, order_id).status


def item_ids(app, order_id):
    """``{english name: item id}`` of the order's lines."""
    with app.app_context():
        return {item.name_en: item.id for item in db.session.get(Order, order_id).items}


def inbox_of(app, user_id):
    with app.app_context():
        return [(n.kind, n.params, n.link) for n in db.session.scalars(
            db.select(Notification).where(Notification.user_id == user_id).order_by(Notification.id))]


def visible_text(response):
    """The page's text without tags, scripts or attribute values."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


# ---- cancelling asks first -----------------------------------------------------------------------

def test_the_order_page_leads_to_a_confirmation_not_straight_to_a_cancel(app, shop, shopper, phone, create_order):
    order_id = create_order(shopper, {shop.products["water"]: 2})
    page = text_of(phone.get(f"/orders/{order_id}"))
    # Without JavaScript the button is a link to the confirmation page; the dialog holds the same words.
    assert f'href="/orders/{order_id}/cancel" data-cancel-open' in page
    assert "<dialog" in page and "¥11.00 goes back to your wallet at once." in page

    confirm = phone.get(f"/orders/{order_id}/cancel")
    assert confirm.status_code == 200
    body = text_of(confirm)
    assert f"Cancel order #{order_id}?" in body
    assert "¥11.00 goes back to your wallet at once." in body
    assert f'<form method="post" action="/orders/{order_id}/cancel"' in body
    assert f'href="/orders/{order_id}">No, keep my order' in body
    assert status_of(app, order_id) == "placed"  # looking at the question changes nothing


def test_confirming_cancels_and_refunds_what_it_said(app, shop, shopper, phone, create_order):
    order_id = create_order(shopper, {shop.products["water"]: 2})
    response = post_form(phone, f"/orders/{order_id}/cancel", token_from=f"/orders/{order_id}/cancel")
    assert response.status_code == 303 and response.headers["Location"] == f"/orders/{order_id}"
    assert status_of(app, order_id) == "cancelled"
    with app.app_context():
        assert db.session.get(Order, order_id).refunded_cents == 2 * WATER + FEE


def test_cancelling_needs_a_post_with_its_token(app, shop, shopper, phone, create_order):
    order_id = create_order(shopper, {shop.products["water"]: 1})
    assert phone.post(f"/orders/{order_id}/cancel").status_code == 400  # no CSRF token
    assert phone.put(f"/orders/{order_id}/cancel").status_code == 405
    assert status_of(app, order_id) == "placed"


def test_cash_on_delivery_is_told_nothing_was_charged(app, shop, shopper, phone, create_order):
    order_id = create_order(shopper, {shop.products["water"]: 1}, payment_method="cash")
    body = text_of(phone.get(f"/orders/{order_id}/cancel"))
    assert "Nothing has been charged yet (you were to pay on delivery)" in body
    assert "wallet" not in visible_text(phone.get(f"/orders/{order_id}/cancel")).lower()


def test_after_an_unavailable_line_the_question_names_only_the_rest(app, shop, shopper, phone, staff,
                                                                     create_order):
    order_id = create_order(shopper, {shop.products["water"]: 1, shop.products["milk"]: 1})
    assert act(staff, order_id, f"items/{item_ids(app, order_id)['Fresh milk']}/unavailable").status_code == 303
    assert "¥8.00 goes back to your wallet at once." in text_of(phone.get(f"/orders/{order_id}/cancel"))
    live = phone.get(f"/orders/{order_id}/status").get_json()
    assert live["cancel_refund_text"] == "¥8.00 goes back to your wallet at once."


def test_the_question_in_chinese_has_no_english(app, shop, shopper, phone, create_order, compiled_catalogs):
    order_id = create_order(shopper, {shop.products["water"]: 2})
    phone.set_cookie("lang", "zh")
    response = phone.get(f"/orders/{order_id}/cancel")
    assert html_lang(response) == "zh-Hans"
    text = visible_text(response)
    assert "¥11.00 将立即退回您的钱包。" in text and "确认取消订单" in text and "不取消，保留订单" in text
    assert not re.search(r"[A-Za-z]{3,}", text.replace("English", "")), text  # the language switch names itself


def test_a_late_or_foreign_question_is_refused_cleanly(app, shop, shopper, phone, staff, create_order,
                                                       create_shopper, login_client):
    order_id = create_order(shopper, {shop.products["water"]: 1})
    stranger = login_client(create_shopper(shop).phone)
    assert stranger.get(f"/orders/{order_id}/cancel").status_code == 404
    assert phone.get("/orders/999999/cancel").status_code == 404
    for step in ("accept", "pick"):
        assert act(staff, order_id, step).status_code == 303
    response = phone.get(f"/orders/{order_id}/cancel")
    assert response.status_code == 303 and response.headers["Location"] == f"/orders/{order_id}"
    assert "can no longer be cancelled" in text_of(phone.get(f"/orders/{order_id}"))
    assert "data-cancel-open" not in text_of(phone.get(f"/orders/{order_id}"))


# ---- the outcome of a cancelled or failed order ------------------------------------------------

def test_a_cancelled_order_shows_when_why_the_refund_and_what_next(app, shop, shopper, phone, create_order):
    order_id = create_order(shopper, {shop.products["water"]: 2})
    post_form(phone, f"/orders/{order_id}/cancel", token_from=f"/orders/{order_id}/cancel")
    page = text_of(phone.get(f"/orders/{order_id}"))
    assert 'id="order-outcome"' in page and "This order was cancelled" in page
    assert "You cancelled this order." in page
    assert "¥11.00 was refunded to your wallet." in page
    assert "You can order again whenever you like." in page and 'href="/shop"' in page
    assert 'href="tel:021-00000000"' in page
    with app.app_context():
        cancelled_at = db.session.get(Order, order_id).cancelled_at
    assert cancelled_at is not None
    # Not the seven delivery steps, nor a delivery code to give a courier who will never come.
    assert "data-step=" not in page and "Give this code to the courier" not in page
    assert "data-cancel-open" not in page


def test_a_failed_delivery_shows_its_reason_and_what_to_do(app, shop, shopper, phone, staff, create_order,
                                                           login_client):
    order_id = create_order(shopper, {shop.products["water"]: 1}, payment_method="cash")
    for step in ("accept", "pick", "ready"):
        assert act(staff, order_id, step).status_code == 303
    courier_id = shop.courier_ids[0]
    assert act(staff, order_id, "assign", {"courier_id": courier_id}).status_code == 303
    with app.app_context():
        courier_phone = db.session.get(User, courier_id).phone
        task_id = db.session.scalar(db.select(DeliveryTask.id).where(DeliveryTask.order_id == order_id))
    courier = login_client(courier_phone)
    assert post_form(courier, f"/courier/tasks/{task_id}/picked-up", token_from="/courier").status_code == 303
    assert post_form(courier, f"/courier/tasks/{task_id}/failed", {"reason": "nobody_home"},
                     token_from="/courier").status_code == 303

    page = text_of(phone.get(f"/orders/{order_id}"))
    assert "This delivery failed" in page and "The courier found nobody at home." in page
    assert "Nothing was charged: you were to pay on delivery." in page
    assert "Call the store to arrange another delivery" in page
    assert "data-step=" not in page


def test_a_delivered_order_still_shows_its_steps(app, shop, shopper, phone, create_order):
    order_id = create_order(shopper, {shop.products["water"]: 1})
    page = text_of(phone.get(f"/orders/{order_id}"))
    assert page.count("data-step=") == 7 and 'id="order-outcome"' not in page


# ---- an unavailable line: live lines and totals, and an inbox message ----------------------------

def test_an_unavailable_line_comes_back_struck_with_new_totals_in_the_live_json(app, shop, shopper, phone, staff,
                                                                             create_order):
    order_id = create_order(shopper, {shop.products["water"]: 2, shop.products["milk"]: 1}, payment_method="cash")
    before = phone.get(f"/orders/{order_id}/status").get_json()
    assert [i["unavailable"] for i in before["items"]] == [False, False]
    assert before["totals"]["refunded_cents"] == 0
    assert before["totals"]["payment_text"] == "Cash on delivery: ¥23.50"

    milk = item_ids(app, order_id)["Fresh milk"]
    assert act(staff, order_id, f"items/{milk}/unavailable").status_code == 303

    live = phone.get(f"/orders/{order_id}/status").get_json()
    lines = {i["id"]: i for i in live["items"]}
    assert lines[milk]["unavailable"] is True and lines[milk]["line"] == "¥12.50"
    assert [i["unavailable"] for i in live["items"] if i["id"] != milk] == [False]
    assert live["unavailable"] == ["Fresh milk"]
    assert live["totals"] == {"delivery_fee": "¥5.00", "total": "¥23.50", "refunded": "¥12.50",
                              "refunded_cents": 1250, "payment_text": "Cash on delivery: ¥11.00"}
    # The page shown afresh says the same.
    page = text_of(phone.get(f"/orders/{order_id}"))
    assert re.search(rf'class="list-row order-item struck" data-item="{milk}"', page)
    assert "Cash on delivery: ¥11.00" in page


def test_the_resident_is_told_in_the_inbox_what_went_and_what_came_back(app, shop, shopper, phone, staff,
                                                                        create_order, compiled_catalogs):
    order_id = create_order(shopper, {shop.products["water"]: 1, shop.products["milk"]: 2})
    milk = item_ids(app, order_id)["Fresh milk"]
    assert act(staff, order_id, f"items/{milk}/unavailable").status_code == 303
    assert act(staff, order_id, f"items/{milk}/unavailable").status_code == 303  # a second click: one message

    notes = inbox_of(app, shopper.user_id)
    assert [(kind, link) for kind, _params, link in notes] == [("order_item_unavailable", f"/orders/{order_id}")]
    inbox = visible_text(phone.get("/inbox"))
    assert "An item of your order is not available" in inbox
    assert f"Order #{order_id}: Fresh milk × 2 is not available and was taken off your order." in inbox
    assert "¥25.00 went back to your wallet." in inbox
    phone.set_cookie("lang", "zh")
    inbox = visible_text(phone.get("/inbox"))
    assert f"订单 #{order_id}：鲜牛奶 × 2 缺货，已从订单中划掉。" in inbox and "¥25.00 已退回您的钱包。" in inbox
    assert "Fresh milk" not in inbox


def test_a_cash_order_is_told_it_pays_less_at_the_door(app, shop, shopper, phone, staff, create_order):
    order_id = create_order(shopper, {shop.products["water"]: 1, shop.products["milk"]: 1}, payment_method="cash")
    assert act(staff, order_id, f"items/{item_ids(app, order_id)['Mineral water']}/unavailable").status_code == 303
    assert "You pay ¥3.00 less on delivery." in visible_text(phone.get("/inbox"))


def test_the_last_line_gone_cancels_the_order_and_says_so(app, shop, shopper, phone, staff, create_order):
    order_id = create_order(shopper, {shop.products["milk"]: 1})
    assert act(staff, order_id, f"items/{item_ids(app, order_id)['Fresh milk']}/unavailable").status_code == 303
    assert status_of(app, order_id) == "cancelled"
    kinds = [kind for kind, _params, _link in inbox_of(app, shopper.user_id)]
    assert kinds == ["order_item_unavailable", "order_cancelled"]
    inbox = visible_text(phone.get("/inbox"))
    assert f"The store cancelled order #{order_id}. None of the items were available. ¥5.00 went back" in inbox
    page = text_of(phone.get(f"/orders/{order_id}"))
    assert "This order was cancelled" in page and "¥17.50 was refunded to your wallet." in page


def test_a_store_cancellation_reaches_the_inbox_with_its_reason(app, shop, shopper, phone, staff, create_order):
    order_id = create_order(shopper, {shop.products["water"]: 1})
    assert act(staff, order_id, "cancel", {"reason": "other", "text": "Lift broken"}).status_code == 303
    (kind, params, link), = inbox_of(app, shopper.user_id)
    assert (kind, link, params["refund_cents"]) == ("order_cancelled", f"/orders/{order_id}", WATER + FEE)
    inbox = visible_text(phone.get("/inbox"))
    assert f"The store cancelled order #{order_id}. Lift broken ¥8.00 went back to your wallet." in inbox


# ---- what next: the same items again -------------------------------------------------------------

def test_order_these_again_puts_what_the_store_has_back_in_the_cart(app, shop, shopper, phone, create_order):
    from store_app.catalogue.models import Product
    from store_app.database import transaction
    from store_app.orders.models import CartItem

    order_id = create_order(shopper, {shop.products["water"]: 2, shop.products["milk"]: 1})
    post_form(phone, f"/orders/{order_id}/cancel", token_from=f"/orders/{order_id}/cancel")
    assert f'action="/orders/{order_id}/again"' in text_of(phone.get(f"/orders/{order_id}"))
    with app.app_context(), transaction():
        db.session.get(Product, shop.products["milk"]).stock = 0

    response = post_form(phone, f"/orders/{order_id}/again", token_from=f"/orders/{order_id}")
    assert response.status_code == 303 and response.headers["Location"] == "/cart"
    with app.app_context():
        cart = dict(db.session.execute(db.select(CartItem.product_id, CartItem.quantity)
                                       .where(CartItem.user_id == shopper.user_id)).all())
    assert cart == {shop.products["water"]: 2}
    page = text_of(phone.get("/cart"))
    assert "Added to your cart." in page and "Not available now, so not added: Fresh milk" in page


def test_order_again_is_only_for_ones_own_orders(app, shop, shopper, create_order, create_shopper, login_client,
                                                 count):
    from store_app.orders.models import CartItem

    order_id = create_order(shopper, {shop.products["water"]: 1})
    stranger = login_client(create_shopper(shop).phone)
    before = count(CartItem)
    assert post_form(stranger, f"/orders/{order_id}/again").status_code == 404
    assert post_form(stranger, "/orders/99999999999/again").status_code == 404
    assert count(CartItem) == before
