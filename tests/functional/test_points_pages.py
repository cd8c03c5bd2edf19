"""Points and invitations through the test client: the resident's pages and their links from Me,
redeeming (409 when short), the console's catalogue, the invite link, sign-up with a code (400 with
the form kept when it cannot be used), and the JSON API."""
import re

import pytest

from store_app.accounts.models import User
from store_app.database import transaction
from store_app.extensions import db
from store_app.growth import points
from store_app.growth.models import Coupon, CouponGrant
from store_app.growth.points_models import Referral
from store_app.growth.referral_rules import invite_code
from store_app.roles import Role
from tests.conftest import PASSWORD, AuthActions
from tests.points_support import NOW, add_points_coupon, add_resident, buy, refund

from .conftest import input_value, post_form


@pytest.fixture
def world(app, create_store, create_building, create_user):
    with app.app_context():
        store_id = create_store()
        building_id = create_building(store_id, "Lotus Garden 3")
        alice, phone = add_resident(store_id, building_id, "3-501", "Alice")
        neighbour, _ = add_resident(store_id, building_id, "8-801", "Nina")
        buy(neighbour, store_id, "order:100", goods_cents=1_500)
        _staff_id, staff_phone = create_user(store_id, role=Role.STAFF)
        return {"store_id": store_id, "building_id": building_id, "alice": alice, "phone": phone,
                "staff_phone": staff_phone}


@pytest.fixture
def alice(client, auth, world):
    client.set_cookie("lang", "en")
    auth.login(world["phone"])
    return client


def test_me_links_to_my_points_and_invite_your_neighbours(alice):
    page = alice.get("/me").get_data(as_text=True)
    assert 'href="/me/points"' in page and 'href="/me/invite"' in page


def test_my_points_shows_balance_tier_progress_benefits_the_demotion_rule_and_history(app, alice, world):
    with app.app_context():
        buy(world["alice"], world["store_id"], "order:1", goods_cents=25_080, fee_cents=500)
    response = alice.get("/me/points")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'id="points-balance">250<', page)
    assert re.search(r'id="points-tier">Basic<', page)
    assert "250 points earned in the last 12 months: 750 more to reach Silver." in page
    assert '<progress class="tier-progress" max="100" value="25"' in page
    assert "1.25 points per ¥1" in page and "1.5 points per ¥1" in page
    assert "Tiers are reviewed on the 1st of every month" in page
    assert "Earned on a purchase" in page and "+250" in page


def test_points_buy_a_catalogue_coupon(app, alice, world):
    with app.app_context():
        buy(world["alice"], world["store_id"], "order:1", goods_cents=10_000)
        coupon_id = add_points_coupon(world["store_id"], 40)
    page = alice.get("/me/points").get_data(as_text=True)
    assert "Five off" in page and "40 points" in page
    form = {"idempotency_key": "abc-1"}
    response = post_form(alice, f"/me/points/redeem/{coupon_id}", form)
    assert response.status_code == 302
    post_form(alice, f"/me/points/redeem/{coupon_id}", form)   # the same form sent twice
    with app.app_context():
        grants = db.session.scalars(db.select(CouponGrant)).all()
        assert [(g.user_id, g.source) for g in grants] == [(world["alice"], "points")]
    assert re.search(r'id="points-balance">60<', alice.get("/me/points").get_data(as_text=True))


def test_too_few_points_answers_409_and_gives_nothing(app, alice, world):
    with app.app_context():
        coupon_id = add_points_coupon(world["store_id"], 40)
    response = post_form(alice, f"/me/points/redeem/{coupon_id}", {"idempotency_key": "abc-2"})
    assert response.status_code == 409
    assert "You don't have enough points for this coupon." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(CouponGrant)) == 0


def test_a_coupon_not_on_sale_for_points_is_missing(app, alice, world, create_store):
    with app.app_context():
        buy(world["alice"], world["store_id"], "order:1", goods_cents=10_000)
        other = add_points_coupon(create_store(name="Other"), 10)
        unpriced = add_points_coupon(world["store_id"], 10)
        db.session.get(Coupon, unpriced).points_price = None
        db.session.commit()
    for coupon_id in (other, unpriced, 999_999):
        assert post_form(alice, f"/me/points/redeem/{coupon_id}", {"idempotency_key": "k"}).status_code == 404


def test_staff_put_a_coupon_on_sale_for_points_and_see_shortfalls(app, client, auth, world):
    with app.app_context():
        coupon_id = add_points_coupon(world["store_id"], 40)
        buy(world["alice"], world["store_id"], "order:1", goods_cents=10_000)
        with transaction():
            points.spend_points(world["alice"], world["store_id"], 70, "redeem:test:1", NOW)
        refund("order:1", 10_000)
    client.set_cookie("lang", "en")
    auth.login(world["staff_phone"])
    page = client.get("/console/points").get_data(as_text=True)
    assert re.search(r"<td>Alice <span[^>]*>[^<]+</span></td>\s*<td>100</td><td>30</td><td>70</td>", page)
    assert post_form(client, f"/console/points/coupons/{coupon_id}", {"points_price": "250"}).status_code == 302
    for bad in ("abc", "0", "-5", "99999999999"):
        response = post_form(client, f"/console/points/coupons/{coupon_id}", {"points_price": bad})
        assert response.status_code == 400, bad
        assert "Give the price in points as a whole number" in response.get_data(as_text=True)
    assert post_form(client, "/console/points/coupons/999999", {"points_price": "5"}).status_code == 404
    with app.app_context():
        assert db.session.get(Coupon, coupon_id).points_price == 250
    assert post_form(client, f"/console/points/coupons/{coupon_id}", {"points_price": ""}).status_code == 302
    with app.app_context():
        assert db.session.get(Coupon, coupon_id).points_price is None


def test_residents_do_not_reach_the_console_and_staff_have_no_points_page(app, alice, world):
    assert alice.get("/console/points").status_code == 403
    staff = app.test_client()
    AuthActions(staff).login(world["staff_phone"])
    assert staff.get("/me/points").status_code == 403
    assert staff.get("/me/invite").status_code == 403


def test_invite_your_neighbours_shows_code_link_qr_invitations_and_households(app, alice, world):
    code = invite_code(world["store_id"], world["alice"])
    response = alice.get("/me/invite")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # A code is no word of either language: browsers and the languages test leave it untranslated.
    assert f'id="my-invite-code" translate="no">{code}<' in page
    assert f"http://localhost/invite/{code}?store={world['store_id']}" in page
    assert re.search(r'<svg[^>]*class="qr"', page)
    assert re.search(r"Households in Lotus Garden 3 that already use the store: <strong>1</strong>", page)
    assert "Nobody has signed up with your code yet." in page


def test_the_invite_link_explains_the_offer_and_leads_to_sign_up_with_the_code(client, world):
    code = invite_code(world["store_id"], world["alice"])
    client.set_cookie("lang", "en")
    response = client.get(f"/invite/{code}?store={world['store_id']}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A** invites you to" in page and "300 points" in page and "Alice" not in page
    assert f'translate="no">{code}<' in page
    sign_up = re.search(r'id="invite-sign-up" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert input_value(client.get(sign_up), "invite_code") == code
    assert client.get(f"/invite/nonsense?store={world['store_id']}").status_code == 404


def _sign_up(app, world, **changes):
    client = app.test_client()
    client.set_cookie("lang", "en")
    form = {"phone": "139 2222 3333", "name": "Bob", "password": PASSWORD, "building_id": str(world["building_id"]),
            "unit": "4-101", "invite_code": invite_code(world["store_id"], world["alice"]), **changes}
    return post_form(client, "/register", form, token_from="/register")


def test_sign_up_with_an_invite_code_records_the_invitation(app, world):
    assert _sign_up(app, world).status_code == 302
    with app.app_context():
        referral = db.session.scalar(db.select(Referral))
        assert (referral.inviter_id, referral.status) == (world["alice"], "joined")


@pytest.mark.parametrize("changes, message", [
    ({"invite_code": "nonsense"}, "We don't know this invite code."),
    ({"unit": "3 - 501"}, "You live at the same address as the person who invited you"),
    ({"unit": "8-801"}, "Someone at your address already shops with us"),
])
def test_an_invite_code_that_cannot_be_used_is_a_400_with_the_form_kept(app, world, changes, message):
    response = _sign_up(app, world, **changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert input_value(response, "phone") == "139 2222 3333"
    typed = changes.get("invite_code", invite_code(world["store_id"], world["alice"]))
    assert input_value(response, "invite_code") == typed
    with app.app_context():
        assert db.session.scalar(db.select(User.id).where(User.phone == "+8613922223333")) is None
        assert db.session.scalar(db.select(db.func.count()).select_from(Referral)) == 0
    # Without the code the same neighbour signs up.
    assert _sign_up(app, world, **{**changes, "invite_code": ""}).status_code == 302


def test_the_api_gives_points_and_referral_status(app, alice, world):
    with app.app_context():
        buy(world["alice"], world["store_id"], "order:1", goods_cents=12_000)
    body = alice.get("/api/v1/points").get_json()
    assert {k: body[k] for k in ("balance", "tier", "next_tier", "points_to_next_tier")} == {
        "balance": 120, "tier": "basic", "next_tier": "silver", "points_to_next_tier": 880}
    assert [(e["amount"], e["reason"]) for e in body["entries"]] == [(120, "purchase")]
    status = alice.get("/api/v1/referrals").get_json()
    assert status["code"] == invite_code(world["store_id"], world["alice"])
    assert status["link"].endswith(f"/invite/{status['code']}?store={world['store_id']}")
    assert (status["building"], status["building_households"], status["invitations"]) == ("Lotus Garden 3", 2, [])


def test_the_api_refuses_visitors_and_staff_in_its_error_shape(app, client, auth, world):
    response = client.get("/api/v1/points")
    assert (response.status_code, response.get_json()["status"]) == (401, 401)
    assert response.get_json()["error"]
    auth.login(world["staff_phone"])
    response = client.get("/api/v1/referrals")
    assert (response.status_code, response.get_json()["status"]) == (403, 403)
