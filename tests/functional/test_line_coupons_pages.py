"""Coupons on the breakfast menu and the service confirm page through the test client (the views'
clocks fixed): the parent's or resident's copies for that line offered with the best pre-selected,
the discount and the total shown; placing with one reserves it and charges after it; a foreign or
used copy is a clear 409 with the form back as it was typed, and nothing placed."""
import re
from datetime import timedelta

import pytest

from services.booking_models import Booking
from store_app.breakfast.models import BreakfastOrder
from store_app.database import transaction
from store_app.extensions import db
from store_app.growth import coupons
from store_app.growth.models import Coupon, CouponGrant
from store_app.roles import Role
from tests.booking_support import NOW, TOMORROW, at, build_market
from tests.breakfast_support import SCHOOL_MONDAY, add_child, add_item, local
from tests.conftest import AuthActions, add_shopper, csrf_token
from tests.coupon_support import add_coupon

TUESDAY = SCHOOL_MONDAY + timedelta(days=1)
BREAKFAST_NOW = local(SCHOOL_MONDAY, 10)


def give(coupon_id, user_id, now):
    with transaction():
        return coupons.issue_grant(db.session.get(Coupon, coupon_id), user_id, source="claim", now=now).id


def checked_coupon(body):
    """The value of the checked coupon radio on the page (None when there is no choice)."""
    found = re.search(r'<input type="radio" name="coupon" value="(\d+)" checked', body)
    return int(found.group(1)) if found else None


# ---- breakfast ----------------------------------------------------------------------------------

@pytest.fixture
def breakfast(app, create_store, create_user, monkeypatch):
    monkeypatch.setattr("store_app.breakfast.views.utcnow", lambda: BREAKFAST_NOW)
    store_id = create_store()
    parent, phone = create_user(store_id, Role.RESIDENT, name="Parent")
    other, _other_phone = create_user(store_id, Role.RESIDENT, name="Other")
    with app.app_context():
        with transaction():
            soy = add_item(store_id, price_cents=300, capacity=5)
            bun = add_item(store_id, name_zh="包子", name_en="Bun", price_cents=500, allergens=())
            child = add_child(store_id, parent)
            ids = dict(store=store_id, parent=parent, soy=soy.id, bun=bun.id, child=child.id)
        small = add_coupon(store_id, amount_off_cents=100, lines="breakfast", now=BREAKFAST_NOW,
                           title_en="Breakfast 1 off")
        big = add_coupon(store_id, amount_off_cents=250, min_spend_cents=800, lines="breakfast", now=BREAKFAST_NOW,
                         title_en="Breakfast 2.50 off")
        delivery = add_coupon(store_id, amount_off_cents=900, lines="delivery", now=BREAKFAST_NOW,
                              title_en="Delivery 9 off")
        ids.update(small=give(small, parent, BREAKFAST_NOW), big=give(big, parent, BREAKFAST_NOW),
                   delivery=give(delivery, parent, BREAKFAST_NOW), foreign=give(big, other, BREAKFAST_NOW))
    client = app.test_client()
    assert AuthActions(client).login(phone).status_code == 302
    return client, ids


def order_form(ids, **extra):
    return {"date": TUESDAY.isoformat(), "child": ids["child"], f"q_{ids['soy']}": "1", f"q_{ids['bun']}": "1",
            "idempotency_key": "k" * 24, "csrf_token": None, **extra}


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/me")},
                       headers={"Accept-Language": "en"})


def test_the_menu_offers_breakfast_coupons_the_best_preselected_with_the_total(app, breakfast):
    client, ids = breakfast
    page = client.get(f"/breakfast/menu?date={TUESDAY.isoformat()}&child={ids['child']}",
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Breakfast 1 off" in page and "Breakfast 2.50 off" in page and "Delivery 9 off" not in page
    priced = post(client, "/breakfast/menu/price", order_form(ids))
    body = priced.get_data(as_text=True)
    assert priced.status_code == 200 and checked_coupon(body) == ids["big"]  # 8.00 of items: 2.50 off fits
    total = body[body.index("data-order-total"):]
    assert "8.00" in total and "2.50" in total and "5.50" in total
    assert re.search(rf'id="q_{ids["soy"]}" name="q_{ids["soy"]}" value="1"', body)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(BreakfastOrder)) == 0


def test_ordering_with_a_coupon_reserves_it_and_shows_the_discount_on_the_code_page(app, breakfast):
    client, ids = breakfast
    placed = post(client, "/breakfast/menu", order_form(ids, coupon=str(ids["big"])))
    assert placed.status_code == 303
    with app.app_context():
        order = db.session.scalar(db.select(BreakfastOrder))
        assert (order.discount_cents, order.total_cents) == (250, 550)
        assert db.session.get(CouponGrant, ids["big"]).status == "reserved"
    code = client.get(placed.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "2.50" in code and "5.50" in code


@pytest.mark.parametrize("which", ["foreign", "delivery", "nonsense", "used"])
def test_a_foreign_used_or_wrong_coupon_is_a_clear_409_and_the_form_comes_back(app, breakfast, which):
    client, ids = breakfast
    if which == "used":
        with app.app_context(), transaction():
            db.session.get(CouponGrant, ids["big"]).status = "used"
    chosen = {"foreign": ids["foreign"], "delivery": ids["delivery"], "nonsense": "x1", "used": ids["big"]}[which]
    refused = post(client, "/breakfast/menu", order_form(ids, coupon=str(chosen)))
    body = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "This coupon cannot be used on this order" in body
    assert re.search(rf'id="q_{ids["bun"]}" name="q_{ids["bun"]}" value="1"', body)
    assert 'value="0" checked' in body  # no coupon chosen now: the parent picks again
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(BreakfastOrder)) == 0


# ---- services -----------------------------------------------------------------------------------

@pytest.fixture
def market(app, monkeypatch):
    monkeypatch.setattr("services.resident_views.utcnow", lambda: NOW)
    with app.app_context():
        ids = build_market(crews=2)
        other = add_shopper(ids.shop, balance_cents=100_000)
        best = add_coupon(ids.store_id, amount_off_cents=3_000, lines="services", now=NOW, title_en="Cleaning 30 off")
        less = add_coupon(ids.store_id, amount_off_cents=1_000, lines="services,breakfast", now=NOW,
                          title_en="Anything 10 off")
        ids.best, ids.less = give(best, ids.resident_id, NOW), give(less, ids.resident_id, NOW)
        ids.foreign = give(best, other.user_id, NOW)
        return ids


def _held(client, m, starts_at):
    auth = AuthActions(client)
    assert auth.login(m.phone).status_code in (302, 303)
    held = auth.post(f"/services/offerings/{m.offering_id}/hold",
                     {"starts_at": starts_at.isoformat(), "idempotency_key": "key-00000001"}, token_from="/services")
    assert held.status_code == 303
    return auth, int(re.search(r"/bookings/(\d+)/confirm", held.headers["Location"]).group(1))


def test_the_confirm_page_offers_the_best_coupon_and_booking_with_it_holds_the_discounted_price(app, client, market):
    auth, booking_id = _held(client, market, at(TOMORROW, 10))
    page = client.get(f"/services/bookings/{booking_id}/confirm", headers={"Accept-Language": "en"})
    body = page.get_data(as_text=True)
    assert "Cleaning 30 off" in body and "Anything 10 off" in body and checked_coupon(body) == market.best
    total = body[body.index("data-booking-total"):]
    assert "200.00" in total and "30.00" in total and "170.00" in total
    booked = auth.post(f"/services/bookings/{booking_id}/confirm",
                       {"address_id": str(market.address_id), "description": "厨房", "payment_method": "wallet",
                        "coupon": str(market.best)}, token_from="/services")
    assert booked.status_code == 303
    with app.app_context():
        made = db.session.get(Booking, booking_id)
        assert (made.status, made.discount_cents, made.held_cents) == ("requested", 3_000, 17_000)
        assert db.session.get(CouponGrant, market.best).status == "used"
    status = client.get(f"/services/bookings/{booking_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "170.00" in status


@pytest.mark.parametrize("which", ["foreign", "used"])
def test_a_foreign_or_used_coupon_on_the_confirm_page_is_a_409_with_the_form_filled_in(app, client, market, which):
    if which == "used":
        with app.app_context(), transaction():
            db.session.get(CouponGrant, market.best).status = "used"
    auth, booking_id = _held(client, market, at(TOMORROW, 10))
    chosen = market.foreign if which == "foreign" else market.best
    refused = auth.post(f"/services/bookings/{booking_id}/confirm",
                        {"address_id": str(market.address_id), "description": "厨房和客厅", "payment_method": "wallet",
                         "coupon": str(chosen)}, token_from="/services", headers={"Accept-Language": "en"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "This coupon cannot be used on this order" in body
    assert "厨房和客厅" in body
    with app.app_context():
        assert db.session.get(Booking, booking_id).status == "held"


def test_an_order_without_a_coupon_choice_takes_the_best_that_fits_and_no_coupon_means_none(app, breakfast):
    client, ids = breakfast
    form = order_form(ids)
    form.pop("csrf_token")
    assert post(client, "/breakfast/menu", form).status_code == 303  # no radio chosen: the best fits
    with app.app_context():
        order = db.session.scalar(db.select(BreakfastOrder))
        assert (order.discount_cents, order.total_cents) == (250, 550)
        with transaction():
            from store_app.breakfast import operations
            operations.cancel_order(ids["parent"], order.id, BREAKFAST_NOW)
        assert db.session.get(CouponGrant, ids["big"]).status == "available"
    again = post(client, "/breakfast/menu", order_form(ids, coupon="0", idempotency_key="n" * 24))
    assert again.status_code == 303
    with app.app_context():
        latest = db.session.scalar(db.select(BreakfastOrder).order_by(BreakfastOrder.id.desc()))
        assert (latest.discount_cents, latest.total_cents) == (0, 800)
