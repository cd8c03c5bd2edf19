"""Device tokens: staff make, list and revoke them on /console/devices; a request to /api/v1 with
``Authorization: Bearer <token>`` acts as the token's account, with its role only, and nowhere else;
only the token's hash is kept; revoked and unknown tokens get 401 JSON; the cookie's CSRF rule holds."""
import hashlib
import html
import re
from datetime import timedelta

import pytest

from store_app.accounts import devices
from store_app.accounts.models import DeviceToken, User
from store_app.database import transaction, utcnow
from store_app.deliveries.models import CourierShift
from store_app.extensions import db
from store_app.notifications.models import Notification
from store_app.parcels import checkin, shelves
from store_app.roles import Role

from .conftest import html_lang, post_form

DEVICES = "/console/devices"
TOKEN_RE = re.compile(r'<code class="token" data-token>([^<]+)</code>')


@pytest.fixture
def shop_team(app, create_shop, create_shopper, create_user, login_client):
    """A shop with a courier on shift (with one order to carry), a resident, a staff member logged in
    (English), an owner, and a second store with its own staff member."""
    shop = create_shop()
    shopper = create_shopper(shop)
    staff_id, staff_phone = create_user(shop.store_id, Role.STAFF, name="Counter Clerk")
    owner_id, _owner_phone = create_user(shop.store_id, Role.OWNER, name="Owner")
    other_shop = create_shop(name="Other Store", lat=31.3, lon=121.5)
    other_staff_id, _ = create_user(other_shop.store_id, Role.STAFF, name="Other Clerk")
    staff = login_client(staff_phone)
    staff.set_cookie("lang", "en")
    return {"shop": shop, "shopper": shopper, "staff_id": staff_id, "owner_id": owner_id,
            "courier_id": shop.courier_ids[0], "staff": staff, "other_staff_id": other_staff_id}


def make_token_in_page(client, user_id, name="Li's phone"):
    """Make a token on the console page; returns ``(response, token)``."""
    response = post_form(client, DEVICES, {"name": name, "user_id": str(user_id)}, token_from=DEVICES)
    found = TOKEN_RE.search(response.get_data(as_text=True))
    return response, (found.group(1) if found else None)


def make_token(app, staff_id, user_id, name="Device"):
    """Make a token through the operation; returns the token."""
    with app.app_context(), transaction():
        _device, token = devices.create_device_token(db.session.get(User, staff_id), user_id=user_id, name=name,
                                                     now=utcnow())
        return token


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def token_rows(app):
    with app.app_context():
        return [{c.key: getattr(row, c.key) for c in DeviceToken.__table__.columns}
                for row in db.session.scalars(db.select(DeviceToken).order_by(DeviceToken.id))]


# ---- the console page ----------------------------------------------------------------------------

def test_staff_make_a_token_on_the_console_shown_once_and_only_its_hash_is_kept(app, shop_team):
    staff = shop_team["staff"]
    menu = staff.get("/console")
    assert f'href="{DEVICES}"' in menu.get_data(as_text=True), "the staff menu leads to the devices page"

    response, token = make_token_in_page(staff, shop_team["courier_id"], "Li's phone")

    assert response.status_code == 200
    assert token and token.startswith("cs_") and len(token) > 40
    assert response.headers["Cache-Control"] == "no-store"
    (row,) = token_rows(app)
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(value) for value in row.values()}
    assert row["name"] == "Li's phone" and row["user_id"] == shop_team["courier_id"]
    assert row["created_by_id"] == shop_team["staff_id"] and row["revoked_at"] is None
    again = staff.get(DEVICES)
    page = html.unescape(again.get_data(as_text=True))
    assert token not in page, "the token is shown once, never again"
    assert "Li's phone" in page and token[:10] in page and "Never" in page


def test_the_devices_page_in_chinese(app, shop_team):
    staff = shop_team["staff"]
    staff.set_cookie("lang", "zh")
    make_token(app, shop_team["staff_id"], shop_team["staff_id"], "柜台平板")

    response = staff.get(DEVICES)

    assert response.status_code == 200
    assert html_lang(response).startswith("zh")
    page = response.get_data(as_text=True)
    for text in ("设备令牌", "创建设备令牌", "代表账户", "撤销", "柜台平板"):
        assert text in page
    for english in ("Device tokens", "Make a device token", "Revoke", "Acts as"):
        assert english not in page


@pytest.mark.parametrize("case", ["empty name", "long name", "control characters", "resident", "owner", "other store", "no account",
                                  "junk account"])
def test_a_refused_token_changes_nothing_and_the_form_comes_back_filled_in(app, shop_team, case):
    name = {"empty name": "  ", "long name": "x" * 61, "control characters": "Tab\x00let"}.get(case, "Tablet 2")
    user_id = {"resident": shop_team["shopper"].user_id, "owner": shop_team["owner_id"],
               "other store": shop_team["other_staff_id"], "no account": "", "junk account": "99999999999"
               }.get(case, shop_team["courier_id"])

    response, token = make_token_in_page(shop_team["staff"], user_id, name)

    assert response.status_code == 400
    assert token is None
    assert token_rows(app) == []
    page = html.unescape(response.get_data(as_text=True))
    if case == "long name":
        assert "at most 60 characters" in page and "x" * 61 in page
    elif case == "empty name":
        assert "This field is required" in page
    elif case == "control characters":
        assert "Name the device" in page
    else:
        assert "Choose a staff or courier account of this store." in page
        assert 'value="Tablet 2"' in page


def test_revoke_on_the_console_then_the_token_gets_401(app, shop_team):
    staff = shop_team["staff"]
    token = make_token(app, shop_team["staff_id"], shop_team["courier_id"])
    assert app.test_client().get("/api/v1/courier/tasks", headers=bearer(token)).status_code == 200
    (row,) = token_rows(app)

    response = post_form(staff, f"{DEVICES}/{row['id']}/revoke", token_from=DEVICES)

    assert response.status_code == 303
    (row,) = token_rows(app)
    assert row["revoked_at"] is not None and row["revoked_by_id"] == shop_team["staff_id"]
    refused = app.test_client().get("/api/v1/courier/tasks", headers=bearer(token))
    assert refused.status_code == 401
    assert refused.get_json() == {"error": "此设备令牌不存在或已被撤销。", "status": 401}  # Chinese by default
    assert "Revoked" in staff.get(DEVICES).get_data(as_text=True)


def test_another_stores_token_cannot_be_revoked(app, shop_team):
    other_token_owner = shop_team["other_staff_id"]
    make_token(app, other_token_owner, other_token_owner)
    (row,) = token_rows(app)

    response = post_form(shop_team["staff"], f"{DEVICES}/{row['id']}/revoke", token_from=DEVICES)

    assert response.status_code == 404
    assert token_rows(app)[0]["revoked_at"] is None


def test_only_staff_and_the_owner_open_the_devices_page(app, shop_team, login_client):
    with app.app_context():
        courier_phone = db.session.get(User, shop_team["courier_id"]).phone
    assert login_client(courier_phone).get(DEVICES).status_code == 403
    assert login_client(shop_team["shopper"].phone).get(DEVICES).status_code == 403
    assert app.test_client().get(DEVICES).status_code == 302


# ---- what a token does -----------------------------------------------------------------------------

def test_a_courier_token_lists_tasks_and_posts_the_position_without_csrf(app, shop_team, create_order):
    shop = shop_team["shop"]
    order_id = create_order(shop_team["shopper"], {shop.products["water"]: 2})
    with app.app_context(), transaction():
        from store_app.deliveries.models import DeliveryTask
        from store_app.orders.models import Order
        db.session.execute(db.update(Order).where(Order.id == order_id).values(
            status="assigned", courier_id=shop_team["courier_id"]))
        db.session.execute(db.update(DeliveryTask).where(DeliveryTask.order_id == order_id).values(
            status="assigned", courier_id=shop_team["courier_id"]))
    token = make_token(app, shop_team["staff_id"], shop_team["courier_id"])
    phone = app.test_client()

    tasks = phone.get("/api/v1/courier/tasks", headers=bearer(token))

    assert tasks.status_code == 200
    (task,) = tasks.get_json()
    assert task["order_id"] == order_id and task["status"] == "assigned"
    assert task["items"] == [{"name": "矿泉水", "quantity": 2}]
    assert tasks.headers["Cache-Control"] == "no-store"
    moved = phone.post("/api/v1/courier/position", json={"lat": 31.2011, "lon": 121.4012}, headers=bearer(token))
    assert moved.status_code == 204
    with app.app_context():
        shift = db.session.scalar(db.select(CourierShift).where(CourierShift.courier_id == shop_team["courier_id"]))
        assert (shift.lat, shift.lon) == (31.2011, 121.4012)
    assert token_rows(app)[0]["last_used_at"] is not None
    assert "_user_id" not in (phone.get_cookie("session").value if phone.get_cookie("session") else "")


def test_a_position_with_bad_coordinates_or_off_shift(app, shop_team):
    token = make_token(app, shop_team["staff_id"], shop_team["courier_id"])
    phone = app.test_client()
    phone.set_cookie("lang", "en")
    bad = phone.post("/api/v1/courier/position", json={"lat": "north", "lon": 121.4}, headers=bearer(token))
    assert bad.status_code == 400 and bad.get_json()["status"] == 400
    assert "numbers" in bad.get_json()["error"]
    with app.app_context(), transaction():
        db.session.execute(db.update(CourierShift).values(ended_at=utcnow() - timedelta(minutes=1)))
    off = phone.post("/api/v1/courier/position", json={"lat": 31.2, "lon": 121.4}, headers=bearer(token))
    assert off.status_code == 409
    assert off.get_json() == {"error": "You are off shift: start a shift to share your position.", "status": 409}


def test_a_token_acts_with_its_accounts_role_only(app, shop_team):
    courier_token = make_token(app, shop_team["staff_id"], shop_team["courier_id"])
    staff_token = make_token(app, shop_team["staff_id"], shop_team["staff_id"])
    client = app.test_client()

    lookup = client.post("/api/v1/parcels/lookup", json={"code": "123456"}, headers=bearer(courier_token))
    tasks = client.get("/api/v1/courier/tasks", headers=bearer(staff_token))
    position = client.post("/api/v1/courier/position", json={"lat": 31.2, "lon": 121.4}, headers=bearer(staff_token))

    assert (lookup.status_code, tasks.status_code, position.status_code) == (403, 403, 403)
    assert lookup.get_json()["status"] == 403


def test_with_a_token_the_browsers_session_does_not_count(app, shop_team):
    """A staff member's browser sending a courier's token: the request is the courier's."""
    courier_token = make_token(app, shop_team["staff_id"], shop_team["courier_id"])

    response = shop_team["staff"].post("/api/v1/parcels/lookup", json={"code": "123456"},
                                       headers=bearer(courier_token))

    assert response.status_code == 403


@pytest.mark.parametrize("header", ["Bearer cs_" + "A" * 43, "Bearer nonsense", "Bearer ", "bearer cs_x"])
def test_unknown_tokens_get_401_json_even_on_public_endpoints(app, shop_team, header):
    response = app.test_client().get("/api/v1/stores", headers={"Authorization": header})

    assert response.status_code == 401
    assert response.mimetype == "application/json"
    assert set(response.get_json()) == {"error", "status"} and response.get_json()["status"] == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_disabled_accounts_token_gets_401(app, shop_team):
    token = make_token(app, shop_team["staff_id"], shop_team["courier_id"])
    with app.app_context(), transaction():
        db.session.get(User, shop_team["courier_id"]).is_enabled = False

    assert app.test_client().get("/api/v1/courier/tasks", headers=bearer(token)).status_code == 401


def test_without_a_token_or_session_the_api_says_401_not_a_login_page(app, shop_team):
    response = app.test_client().get("/api/v1/courier/tasks")

    assert response.status_code == 401
    assert response.get_json()["status"] == 401


# ---- a token is no way around the cookie's rules -----------------------------------------------------

def test_a_token_does_nothing_on_pages_and_forms(app, shop_team):
    token = make_token(app, shop_team["staff_id"], shop_team["staff_id"])
    device = app.test_client()

    page = device.get(DEVICES, headers=bearer(token))
    form = device.post(DEVICES, data={"name": "Sneaky", "user_id": str(shop_team["staff_id"])},
                       headers=bearer(token))

    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert form.status_code == 400, "no CSRF token: refused as for any browser"
    assert len(token_rows(app)) == 1


def test_a_logged_in_browser_still_needs_csrf_on_api_posts(app, shop_team, login_client):
    with app.app_context():
        courier_phone = db.session.get(User, shop_team["courier_id"]).phone
    browser = login_client(courier_phone)

    refused = browser.post("/api/v1/courier/position", json={"lat": 31.2, "lon": 121.4})
    from tests.conftest import csrf_token
    accepted = browser.post("/api/v1/courier/position", json={"lat": 31.2, "lon": 121.4},
                            headers={"X-CSRFToken": csrf_token(browser, "/courier")})

    assert refused.status_code == 400 and refused.get_json()["status"] == 400
    assert accepted.status_code == 204


# ---- the counter's code lookup --------------------------------------------------------------------

def _parcel_for(app, shop_team):
    with app.app_context(), transaction():
        shelves.save_shelf(shop_team["shop"].store_id, 1, tiers=3, capacity=10)
    with app.app_context(), transaction():
        done = checkin.check_in(db.session.get(User, shop_team["staff_id"]), tracking_number="ZT1234567890",
                                carrier="ZTO", phone=shop_team["shopper"].phone, name="Lin", now=utcnow())
        return done.parcel.id, done.code, done.parcel.shelf_code


def test_a_counter_token_looks_up_a_pickup_code(app, shop_team):
    parcel_id, code, shelf_code = _parcel_for(app, shop_team)
    token = make_token(app, shop_team["staff_id"], shop_team["staff_id"], "Counter tablet")

    found = app.test_client().post("/api/v1/parcels/lookup", json={"code": f" {code[:3]} {code[3:]} "},
                                   headers=bearer(token))

    assert found.status_code == 200
    body = found.get_json()
    assert body["total_fee_cents"] == 0
    assert body["parcels"] == [{"id": parcel_id, "shelf_code": shelf_code, "tracking_number": "ZT1234567890",
                                "carrier": "ZTO", "size": "small", "fee_cents": 0}]


def test_code_misses_through_the_api_count_with_the_counters_and_pause_code_entry(app, shop_team):
    _parcel_for(app, shop_team)
    app.config["PARCEL_CODE_MISSES_PER_STAFF"] = "3 per 10 minutes"
    token = make_token(app, shop_team["staff_id"], shop_team["staff_id"], "Counter tablet")
    tablet = app.test_client()
    tablet.set_cookie("lang", "en")

    first = tablet.post("/api/v1/parcels/lookup", json={"code": "000000"}, headers=bearer(token))
    on_page = post_form(shop_team["staff"], "/console/parcels/handover", {"code": "000001"},
                        token_from="/console/parcels/handover")
    third = tablet.post("/api/v1/parcels/lookup", json={"code": "000002"}, headers=bearer(token))
    paused = tablet.post("/api/v1/parcels/lookup", json={"code": "000003"}, headers=bearer(token))

    assert first.status_code == 404 and first.get_json()["status"] == 404
    assert on_page.status_code == 404
    assert third.status_code == 404
    assert paused.status_code == 429
    assert paused.get_json()["status"] == 429
    with app.app_context():
        told = db.session.scalars(db.select(Notification.user_id).where(Notification.kind == "parcel_code_misses"))
        assert list(told) == [shop_team["owner_id"]]


def test_a_lookup_without_a_code_is_a_400(app, shop_team):
    token = make_token(app, shop_team["staff_id"], shop_team["staff_id"])
    client = app.test_client()
    for body in ({}, {"code": 123456}, {"code": "1" * 65}):
        response = client.post("/api/v1/parcels/lookup", json=body, headers=bearer(token))
        assert response.status_code == 400, body
        assert response.get_json()["status"] == 400
    not_an_object = client.post("/api/v1/parcels/lookup", data="[1]", content_type="application/json",
                                headers=bearer(token))
    assert not_an_object.status_code == 400 and not_an_object.get_json()["status"] == 400
