"""Accounts through the test client: registration, login, logout, password, addresses, team,
language, the owner's store settings and the staff's building list."""
import pytest
from werkzeug.security import check_password_hash

from store_app.accounts.models import Address, Role, User
from store_app.extensions import db
from store_app.geo.models import Building
from store_app.stores.models import Store, StoreHours
from tests.conftest import PASSWORD, csrf_token

from .conftest import (html_lang, input_value, is_logged_out, option_values, post_form, selected_option,
                       text_of)

NEW_PASSWORD = "lotus-garden-42"


def _user_by_phone(app, e164):
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.phone == e164))
        if user is None:
            return None
        return {"id": user.id, "store_id": user.store_id, "name": user.name, "role": user.role,
                "password_hash": user.password_hash, "locale": user.locale, "is_enabled": user.is_enabled,
                "session_version": user.session_version,
                "addresses": [(a.building_id, a.unit, a.label, a.is_default) for a in user.addresses]}


def _addresses(app, user_id):
    """``[(id, building_id, unit, label, is_default)]`` of one user, by id."""
    with app.app_context():
        rows = db.session.scalars(db.select(Address).where(Address.user_id == user_id).order_by(Address.id))
        return [(a.id, a.building_id, a.unit, a.label, a.is_default) for a in rows]


# ---- registration ----------------------------------------------------------------------------

def test_register_page_lists_the_stores_buildings(client, community, create_store, create_building):
    other_store = create_store("Other Store", lat=31.3, lon=121.5)
    create_building(other_store, "Elsewhere Tower", lat=31.3005, lon=121.5005)

    response = client.get("/register")

    assert response.status_code == 200
    assert sorted(option_values(response, "building_id")) == sorted(str(b) for b in community["buildings"])
    page = response.get_data(as_text=True)
    assert "莲花苑 3号楼" in page and "梅陇新村 1号楼" in page
    assert "Elsewhere Tower" not in page


def test_register_creates_a_logged_in_resident_with_a_default_address(app, client, community, count):
    b2 = community["buildings"][1]
    users_before = count(User)

    response = post_form(client, "/register", {
        "phone": "139 1234 5678", "name": "Mei Lin", "password": NEW_PASSWORD,
        "building_id": str(b2), "unit": "2-1203"}, token_from="/register")

    assert response.status_code == 302
    assert response.headers["Location"] == "/shop"
    assert count(User) == users_before + 1
    user = _user_by_phone(app, "+8613912345678")
    assert user is not None, "the phone must be stored in E.164"
    assert user["role"] == Role.RESIDENT.value
    assert user["store_id"] == community["store_id"]
    assert user["name"] == "Mei Lin"
    assert user["addresses"] == [(b2, "2-1203", "", True)]
    assert check_password_hash(user["password_hash"], NEW_PASSWORD)
    assert NEW_PASSWORD not in user["password_hash"]
    shop = client.get("/shop")
    assert shop.status_code == 200, "registration logs the resident in"
    assert "梅陇新村 1号楼" in shop.get_data(as_text=True)


REGISTER_ERRORS = {
    "invalid phone": "Please enter a valid mobile phone number.",
    "taken phone": "An account with this phone number already exists.",
    "short password": "Use at least 8 characters for your password.",
    "missing building": "Please choose your building from the list.",
    "another store's building": "Please choose your building from the list.",
}


@pytest.mark.parametrize("case", REGISTER_ERRORS)
def test_register_bad_input_shows_a_message_creates_nothing_and_keeps_the_form(
        case, app, client, community, count, create_store, create_building):
    b1 = community["buildings"][0]
    foreign = create_building(create_store("Other Store", lat=31.3, lon=121.5), "Elsewhere Tower",
                              lat=31.3005, lon=121.5005)
    _, taken = community["users"][Role.RESIDENT]
    taken_typed = f"{taken[3:6]} {taken[6:10]} {taken[10:]}"  # +8613900010000 -> "139 0001 0000"
    form = {"phone": "139 2222 3333", "name": "Mei Lin", "password": NEW_PASSWORD,
            "building_id": str(b1), "unit": "7-702"}
    form.update({
        "invalid phone": {"phone": "12345"},
        "taken phone": {"phone": taken_typed},
        "short password": {"password": "short1"},
        "missing building": {"building_id": ""},
        "another store's building": {"building_id": str(foreign)},
    }[case])
    client.set_cookie("lang", "en")
    users_before, addresses_before = count(User), count(Address)

    response = post_form(client, "/register", form, token_from="/register")

    assert response.status_code in (200, 400)
    assert REGISTER_ERRORS[case] in response.get_data(as_text=True)
    assert count(User) == users_before
    assert count(Address) == addresses_before
    assert input_value(response, "name") == "Mei Lin"
    assert input_value(response, "phone") == form["phone"]
    assert input_value(response, "unit") == "7-702"
    assert input_value(response, "password") == ""
    assert form["password"] not in response.get_data(as_text=True)
    if case not in ("missing building", "another store's building"):
        assert selected_option(response, "building_id") == str(b1)
    assert is_logged_out(client)


# ---- login and logout ------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["138 0013 8000", "13800138000", "+86 138-0013-8000", "0086 138 0013 8000",
                                   " 138-0013-8000 "])
def test_login_accepts_the_phone_in_any_usual_format(typed, client, auth, community, create_user):
    create_user(community["store_id"], Role.RESIDENT, community["buildings"][0], phone="+8613800138000")

    response = auth.login(typed)

    assert response.status_code == 302
    assert response.headers["Location"] == "/shop"
    assert client.get("/shop").status_code == 200


def test_wrong_password_and_unknown_phone_get_the_same_page(client, auth, community):
    _, phone = community["users"][Role.RESIDENT]
    client.set_cookie("lang", "en")

    wrong_password = auth.login(phone, "not-the-password")
    unknown_phone = auth.login("+8613711112222", PASSWORD)

    message = "The phone number or password is not right."
    assert wrong_password.status_code == unknown_phone.status_code == 200
    assert message in wrong_password.get_data(as_text=True)
    assert text_of(wrong_password).replace(phone, "PHONE") == \
        text_of(unknown_phone).replace("+8613711112222", "PHONE")
    assert input_value(wrong_password, "password") == ""
    assert is_logged_out(client)


def test_each_role_lands_on_its_home_and_login_page_sends_it_back_there(app, community):
    homes = {Role.RESIDENT: "/shop", Role.STAFF: "/console", Role.COURIER: "/courier", Role.OWNER: "/owner"}
    for role, home in homes.items():
        client = app.test_client()
        response = post_form(client, "/login", {"phone": community["users"][role][1], "password": PASSWORD},
                             token_from="/login")
        assert response.status_code == 302, role
        assert response.headers["Location"] == home, role
        assert client.get(home).status_code == 200, role
        again = client.get("/login")
        assert again.status_code == 302 and again.headers["Location"] == home, role


def test_logout_is_post_only_and_ends_the_session(client, auth, community):
    auth.login(community["users"][Role.RESIDENT][1])

    assert client.get("/logout").status_code == 405
    assert client.get("/me").status_code == 200, "a GET must not log anyone out"

    response = auth.logout()

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    me = client.get("/me")
    assert me.status_code == 302
    assert me.headers["Location"].startswith("/login")


# ---- password --------------------------------------------------------------------------------

def test_password_change_with_a_wrong_current_password_changes_nothing(app, client, auth, community, fetch):
    user_id, phone = community["users"][Role.RESIDENT]
    auth.login(phone)
    client.set_cookie("lang", "en")
    before = fetch(User, user_id)

    response = auth.post("/me/password", {"current_password": "not-it", "new_password": NEW_PASSWORD},
                         token_from="/me/password")

    assert response.status_code in (200, 400)
    assert "Your current password is not right." in response.get_data(as_text=True)
    after = fetch(User, user_id)
    assert after["password_hash"] == before["password_hash"]
    assert after["session_version"] == before["session_version"]
    assert client.get("/me").status_code == 200


def test_password_change_refuses_a_short_new_password(app, client, auth, community, fetch):
    user_id, phone = community["users"][Role.RESIDENT]
    auth.login(phone)
    client.set_cookie("lang", "en")
    before = fetch(User, user_id)

    response = auth.post("/me/password", {"current_password": PASSWORD, "new_password": "short"},
                         token_from="/me/password")

    assert response.status_code in (200, 400)
    assert "Use at least 8 characters for your password." in response.get_data(as_text=True)
    assert fetch(User, user_id)["password_hash"] == before["password_hash"]


def test_password_change_takes_the_new_password_and_keeps_this_session(app, client, auth, community):
    _, phone = community["users"][Role.RESIDENT]
    auth.login(phone)

    response = auth.post("/me/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                         token_from="/me/password")

    assert response.status_code == 302
    assert response.headers["Location"] == "/me"
    assert client.get("/me").status_code == 200, "the device that changed the password stays logged in"
    assert post_form(app.test_client(), "/login", {"phone": phone, "password": PASSWORD},
                     token_from="/login").status_code == 200, "the old password no longer works"
    assert post_form(app.test_client(), "/login", {"phone": phone, "password": NEW_PASSWORD},
                     token_from="/login").status_code == 302


# ---- addresses -------------------------------------------------------------------------------

def test_add_an_address_with_a_label(app, client, auth, community):
    user_id, phone = community["users"][Role.RESIDENT]
    b1, b2 = community["buildings"]
    auth.login(phone)

    response = auth.post("/me/addresses", {"building_id": str(b2), "unit": " 5-501 ", "label": "Grandma"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/me"
    rows = _addresses(app, user_id)
    assert [(b, u, lbl, d) for _, b, u, lbl, d in rows] == [(b1, "1-101", "", True), (b2, "5-501", "Grandma", False)]
    assert "Grandma" in client.get("/me").get_data(as_text=True)


def test_add_an_address_with_bad_input_keeps_the_form_and_saves_nothing(app, client, auth, community, count):
    _, phone = community["users"][Role.RESIDENT]
    auth.login(phone)
    client.set_cookie("lang", "en")
    before = count(Address)

    response = auth.post("/me/addresses", {"building_id": str(community["buildings"][1]), "unit": "  ",
                                           "label": "Office"})

    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)
    assert input_value(response, "label") == "Office"
    assert selected_option(response, "building_id") == str(community["buildings"][1])
    assert count(Address) == before


def test_add_an_address_without_the_optional_label_field(app, client, auth, community):
    user_id, phone = community["users"][Role.RESIDENT]
    auth.login(phone)

    response = auth.post("/me/addresses", {"building_id": str(community["buildings"][1]), "unit": "5-501"})

    assert response.status_code == 302
    assert [(row[2], row[3]) for row in _addresses(app, user_id)] == [("1-101", ""), ("5-501", "")]


def test_make_default_leaves_exactly_one_default(app, client, auth, community):
    user_id, phone = community["users"][Role.RESIDENT]
    auth.login(phone)
    auth.post("/me/addresses", {"building_id": str(community["buildings"][1]), "unit": "5-501", "label": ""})
    first, second = (row[0] for row in _addresses(app, user_id))

    response = auth.post(f"/me/addresses/{second}/default")

    assert response.status_code == 302
    assert {row[0]: row[4] for row in _addresses(app, user_id)} == {first: False, second: True}
    auth.post(f"/me/addresses/{first}/default")
    assert {row[0]: row[4] for row in _addresses(app, user_id)} == {first: True, second: False}


def test_delete_a_non_default_address(app, client, auth, community):
    user_id, phone = community["users"][Role.RESIDENT]
    auth.login(phone)
    auth.post("/me/addresses", {"building_id": str(community["buildings"][1]), "unit": "5-501", "label": ""})
    first, second = (row[0] for row in _addresses(app, user_id))

    response = auth.post(f"/me/addresses/{second}/delete")

    assert response.status_code == 302
    assert [(row[0], row[4]) for row in _addresses(app, user_id)] == [(first, True)]


def test_deleting_the_default_address_promotes_another(app, client, auth, community):
    user_id, phone = community["users"][Role.RESIDENT]
    auth.login(phone)
    auth.post("/me/addresses", {"building_id": str(community["buildings"][1]), "unit": "5-501", "label": ""})
    first, second = (row[0] for row in _addresses(app, user_id))

    auth.post(f"/me/addresses/{first}/delete")

    assert [(row[0], row[4]) for row in _addresses(app, user_id)] == [(second, True)]


def test_the_last_address_cannot_be_deleted(app, client, auth, community):
    user_id, phone = community["users"][Role.RESIDENT]
    auth.login(phone)
    client.set_cookie("lang", "en")
    (only, *_), = _addresses(app, user_id)

    response = auth.post(f"/me/addresses/{only}/delete", follow_redirects=True)

    assert response.status_code == 200
    assert "Keep at least one address so we know where to deliver." in response.get_data(as_text=True)
    assert [row[0] for row in _addresses(app, user_id)] == [only]


@pytest.mark.parametrize("action", ["default", "delete"])
def test_another_users_address_answers_404_and_changes_nothing(action, app, client, auth, community,
                                                               create_user):
    b1, b2 = community["buildings"]
    other_id, _ = create_user(community["store_id"], Role.RESIDENT, b1, name="Neighbour")
    auth.login(community["users"][Role.RESIDENT][1])
    # The neighbour has two addresses, so both a delete and a make-default would change something.
    with app.app_context():
        db.session.add(Address(user_id=other_id, store_id=community["store_id"], building_id=b2, unit="9-909"))
        db.session.commit()
    target = _addresses(app, other_id)[1][0]
    before = _addresses(app, other_id)

    response = auth.post(f"/me/addresses/{target}/{action}")

    assert response.status_code == 404
    assert _addresses(app, other_id) == before
    missing = auth.post(f"/me/addresses/{target + 1000}/{action}")
    assert missing.status_code == 404, "a foreign id answers like a missing one"


# ---- team ------------------------------------------------------------------------------------

@pytest.mark.parametrize("actor", [Role.STAFF, Role.OWNER])
def test_staff_and_owner_create_staff_and_courier_accounts(actor, app, client, auth, community):
    auth.login(community["users"][actor][1])
    for role, phone in (("staff", "139 5555 0001"), ("courier", "139 5555 0002")):
        response = auth.post("/console/team", {"role": role, "phone": phone, "name": f"New {role}",
                                               "password": NEW_PASSWORD}, token_from="/console/team")
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        assert response.headers["Location"] == "/console/team"

    page = client.get("/console/team").get_data(as_text=True)
    assert "New staff" in page and "New courier" in page
    for e164, role, home in (("+8613955550001", "staff", "/console"), ("+8613955550002", "courier", "/courier")):
        user = _user_by_phone(app, e164)
        assert user["role"] == role and user["store_id"] == community["store_id"]
        login = post_form(app.test_client(), "/login", {"phone": e164, "password": NEW_PASSWORD},
                          token_from="/login")
        assert login.status_code == 302 and login.headers["Location"] == home


@pytest.mark.parametrize("role", ["owner", "resident", "vendor", "admin"])
def test_team_form_refuses_other_roles_posted_by_hand(role, app, client, auth, community, count):
    auth.login(community["users"][Role.OWNER][1])
    before = count(User)

    response = auth.post("/console/team", {"role": role, "phone": "139 5555 0003", "name": "Sneaky",
                                           "password": NEW_PASSWORD}, token_from="/console/team")

    assert response.status_code == 400
    assert count(User) == before
    assert _user_by_phone(app, "+8613955550003") is None
    assert input_value(response, "name") == "Sneaky"


def test_team_form_with_a_taken_phone_shows_a_message(app, client, auth, community, count):
    auth.login(community["users"][Role.STAFF][1])
    client.set_cookie("lang", "en")
    before = count(User)

    response = auth.post("/console/team", {"role": "courier", "phone": community["users"][Role.COURIER][1],
                                           "name": "Twin", "password": NEW_PASSWORD}, token_from="/console/team")

    assert response.status_code == 400
    assert "An account with this phone number already exists." in response.get_data(as_text=True)
    assert count(User) == before


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.COURIER, Role.VENDOR])
def test_team_page_is_forbidden_to_other_roles(role, app, client, auth, community, count):
    auth.login(community["users"][role][1])
    before = count(User)

    assert client.get("/console/team").status_code == 403
    token = csrf_token(client, "/me")
    response = client.post("/console/team", data={"role": "staff", "phone": "139 5555 0004", "name": "Me too",
                                                  "password": NEW_PASSWORD, "csrf_token": token})
    assert response.status_code == 403
    assert count(User) == before


def test_disabling_a_courier_ends_their_session_and_enabling_lets_them_back(app, client, auth, community,
                                                                            login_client):
    courier_id, courier_phone = community["users"][Role.COURIER]
    courier = login_client(courier_phone)
    assert courier.get("/courier").status_code == 200
    auth.login(community["users"][Role.STAFF][1])

    response = auth.post(f"/console/team/{courier_id}/disable", token_from="/console/team")

    assert response.status_code == 302
    assert is_logged_out(courier), "the courier's open session ends"
    refused = post_form(app.test_client(), "/login", {"phone": courier_phone, "password": PASSWORD},
                        token_from="/login")
    assert refused.status_code == 200, "a disabled account cannot log in"

    auth.post(f"/console/team/{courier_id}/enable", token_from="/console/team")

    login_client(courier_phone)  # asserts the 302


@pytest.mark.parametrize("target", [Role.OWNER, Role.RESIDENT])
def test_staff_cannot_disable_the_owner_or_a_resident(target, app, client, auth, community, fetch):
    target_id, _ = community["users"][target]
    auth.login(community["users"][Role.STAFF][1])

    response = auth.post(f"/console/team/{target_id}/disable", token_from="/console/team")

    assert response.status_code == 404
    assert fetch(User, target_id)["is_enabled"] is True


# ---- language --------------------------------------------------------------------------------

def test_language_switch_sets_a_cookie_and_the_next_page_is_english(client, community):
    assert html_lang(client.get("/login")) == "zh-Hans"

    response = post_form(client, "/lang", {"lang": "en", "next": "/login"}, token_from="/login")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    cookie = client.get_cookie("lang")
    assert cookie is not None and cookie.value == "en"
    page = client.get("/login")
    assert html_lang(page) == "en"
    assert "Log in" in page.get_data(as_text=True)


def test_language_switch_ignores_unknown_languages(client, community):
    response = post_form(client, "/lang", {"lang": "fr", "next": "/login"}, token_from="/login")

    assert response.status_code == 302
    assert client.get_cookie("lang") is None
    assert html_lang(client.get("/login")) == "zh-Hans"


def test_a_logged_in_users_language_is_saved_on_the_account(app, client, auth, community, fetch):
    user_id, phone = community["users"][Role.RESIDENT]
    auth.login(phone)

    post_form(client, "/lang", {"lang": "en", "next": "/me"})

    assert fetch(User, user_id)["locale"] == "en"
    client.delete_cookie("lang")
    assert html_lang(client.get("/me", headers={"Accept-Language": "zh-CN"})) == "en"
    other_device = app.test_client()
    post_form(other_device, "/login", {"phone": phone, "password": PASSWORD}, token_from="/login")
    assert html_lang(other_device.get("/shop")) == "en", "the choice follows the account to a new device"


@pytest.mark.parametrize("header, lang", [("en-US,en;q=0.9", "en"), ("zh-CN,zh;q=0.9", "zh-Hans"),
                                          ("fr-FR", "zh-Hans"), (None, "zh-Hans")])
def test_accept_language_picks_the_language_without_a_cookie(header, lang, client, community):
    headers = {"Accept-Language": header} if header else {}

    assert html_lang(client.get("/login", headers=headers)) == lang


def test_the_lang_cookie_beats_accept_language(client, community):
    client.set_cookie("lang", "zh")

    assert html_lang(client.get("/login", headers={"Accept-Language": "en-US"})) == "zh-Hans"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "javascript:alert(1)",
                                    "/\\evil.example", "/\t/evil.example"])
def test_language_switch_never_redirects_off_site(target, client, community):
    response = post_form(client, "/lang", {"lang": "en", "next": target}, token_from="/login")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# ---- owner: store settings -------------------------------------------------------------------

def _store_row(app, store_id):
    with app.app_context():
        store = db.session.get(Store, store_id)
        return {"name": store.name, "timezone": store.timezone, "promise_minutes": store.promise_minutes,
                "lat": store.lat, "lon": store.lon, "phone": store.phone, "address": store.address,
                "hours": sorted(store.intervals())}


def _settings_form(**overrides):
    form = {"name": "Corner Store", "address": "2 Corner Rd", "phone": "021-1111 2222", "lat": "31.21",
            "lon": "121.41", "timezone": "Asia/Shanghai", "promise_minutes": "25",
            **{f"hours_{d}": "07:00-22:00" for d in range(7)}}
    form.update(overrides)
    return form


def test_store_settings_form_is_prefilled(client, auth, community):
    auth.login(community["users"][Role.OWNER][1])

    response = client.get("/owner/store")

    assert response.status_code == 200
    assert input_value(response, "name") == "Test Store"
    assert input_value(response, "timezone") == "Asia/Shanghai"
    assert input_value(response, "promise_minutes") == "30"
    assert [input_value(response, f"hours_{d}") for d in range(7)] == ["00:00-24:00"] * 7


def test_store_settings_are_saved_and_an_empty_day_is_closed(app, client, auth, community):
    auth.login(community["users"][Role.OWNER][1])

    response = auth.post("/owner/store", _settings_form(hours_6="", hours_5="07:00-12:00, 14:00-02:00"),
                         token_from="/owner/store")

    assert response.status_code == 302
    assert response.headers["Location"] == "/owner"
    row = _store_row(app, community["store_id"])
    assert row["name"] == "Corner Store"
    assert row["promise_minutes"] == 25
    assert (row["lat"], row["lon"]) == pytest.approx((31.21, 121.41))
    assert row["hours"] == [(d, 420, 1320) for d in range(5)] + [(5, 420, 720), (5, 840, 120)]
    assert [input_value(client.get("/owner/store"), f"hours_{d}") for d in (0, 5, 6)] == \
        ["07:00-22:00", "07:00-12:00, 14:00-02:00", ""]


def test_store_settings_with_bad_hours_name_the_day_and_save_nothing(app, client, auth, community):
    auth.login(community["users"][Role.OWNER][1])
    client.set_cookie("lang", "en")
    before = _store_row(app, community["store_id"])

    response = auth.post("/owner/store", _settings_form(hours_2="7am-9pm"), token_from="/owner/store")

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Write the hours for Wednesday like 07:00-23:00" in page
    assert _store_row(app, community["store_id"]) == before
    assert input_value(response, "name") == "Corner Store"
    assert input_value(response, "hours_2") == "7am-9pm"
    assert input_value(response, "hours_0") == "07:00-22:00"


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "../../etc/passwd"])
def test_store_settings_with_an_unknown_time_zone_save_nothing(tz, app, client, auth, community):
    auth.login(community["users"][Role.OWNER][1])
    client.set_cookie("lang", "en")
    before = _store_row(app, community["store_id"])

    response = auth.post("/owner/store", _settings_form(timezone=tz), token_from="/owner/store")

    assert response.status_code == 400
    assert "Unknown time zone. Use a name like Asia/Shanghai." in response.get_data(as_text=True)
    assert _store_row(app, community["store_id"]) == before
    assert input_value(response, "timezone") == tz


@pytest.mark.parametrize("monday", ["07:00-22:00, 07:00-12:00", "07:00-12:00, 11:00-14:00"])
def test_store_settings_with_overlapping_intervals_name_the_day_and_save_nothing(monday, app, client, auth,
                                                                               community):
    auth.login(community["users"][Role.OWNER][1])
    client.set_cookie("lang", "en")
    before = _store_row(app, community["store_id"])

    response = auth.post("/owner/store", _settings_form(hours_0=monday), token_from="/owner/store")

    assert response.status_code == 400
    assert "Write the hours for Monday like 07:00-23:00" in response.get_data(as_text=True)
    assert _store_row(app, community["store_id"]) == before
    assert input_value(response, "hours_0") == monday


def test_store_settings_are_forbidden_to_staff(app, client, auth, community):
    auth.login(community["users"][Role.STAFF][1])
    before = _store_row(app, community["store_id"])

    assert client.get("/owner/store").status_code == 403
    response = auth.post("/owner/store", _settings_form())
    assert response.status_code == 403
    assert _store_row(app, community["store_id"]) == before


# ---- console: buildings ----------------------------------------------------------------------

def _building_row(app, building_id):
    with app.app_context():
        b = db.session.get(Building, building_id)
        return None if b is None else {"store_id": b.store_id, "name": b.name, "aliases": b.alias_list(),
                                       "lat": b.lat, "lon": b.lon, "note": b.entrance_note}


def test_buildings_list_and_search_by_alias(client, auth, community):
    auth.login(community["users"][Role.STAFF][1])

    everything = client.get("/console/buildings").get_data(as_text=True)
    assert "莲花苑 3号楼" in everything and "梅陇新村 1号楼" in everything

    found = client.get("/console/buildings?q=meilong village")
    assert found.status_code == 200
    page = found.get_data(as_text=True)
    assert "梅陇新村 1号楼" in page and "莲花苑 3号楼" not in page
    assert input_value(found, "q") == "meilong village"

    by_alias = client.get("/console/buildings", query_string={"q": "3号楼"}).get_data(as_text=True)
    assert "莲花苑 3号楼" in by_alias and "梅陇新村 1号楼" not in by_alias


def test_add_a_building(app, client, auth, community, count):
    auth.login(community["users"][Role.STAFF][1])
    before = count(Building)

    response = auth.post("/console/buildings/new", {
        "name": "樱桃园 2号楼", "aliases": "Cherry Court 2\r\n2号楼\r\n", "lat": "31.2020", "lon": "121.4020",
        "entrance_note": "North gate"}, token_from="/console/buildings/new")

    assert response.status_code == 302
    assert response.headers["Location"] == "/console/buildings"
    assert count(Building) == before + 1
    with app.app_context():
        new_id = db.session.scalar(db.select(Building.id).where(Building.name == "樱桃园 2号楼"))
    assert _building_row(app, new_id) == {"store_id": community["store_id"], "name": "樱桃园 2号楼",
                                          "aliases": ["Cherry Court 2", "2号楼"], "lat": pytest.approx(31.202),
                                          "lon": pytest.approx(121.402), "note": "North gate"}
    assert "樱桃园 2号楼" in client.get("/console/buildings?q=cherry").get_data(as_text=True)


def test_edit_a_building(app, client, auth, community):
    b1 = community["buildings"][0]
    auth.login(community["users"][Role.OWNER][1])
    form = client.get(f"/console/buildings/{b1}")
    assert form.status_code == 200
    assert input_value(form, "name") == "莲花苑 3号楼"
    assert "Lotus Garden Building 3" in form.get_data(as_text=True)

    response = auth.post(f"/console/buildings/{b1}", {
        "name": "莲花苑 3号楼", "aliases": "Lotus 3", "lat": "31.2011", "lon": "121.4011",
        "entrance_note": "East gate"}, token_from=f"/console/buildings/{b1}")

    assert response.status_code == 302
    row = _building_row(app, b1)
    assert row["aliases"] == ["Lotus 3"] and row["note"] == "East gate"
    assert row["lat"] == pytest.approx(31.2011)
    assert "莲花苑 3号楼" in client.get("/console/buildings?q=lotus 3").get_data(as_text=True)


@pytest.mark.parametrize("where", ["new", "edit"])
def test_a_duplicate_building_name_is_refused(where, app, client, auth, community, count):
    b1, b2 = community["buildings"]
    path = "/console/buildings/new" if where == "new" else f"/console/buildings/{b2}"
    auth.login(community["users"][Role.STAFF][1])
    client.set_cookie("lang", "en")
    before_count, before_b2 = count(Building), _building_row(app, b2)

    response = auth.post(path, {"name": "莲花苑 3号楼", "aliases": "Copy", "lat": "31.2", "lon": "121.4",
                                "entrance_note": "Typed note"}, token_from=path)

    assert response.status_code == 400
    assert "A building with this name already exists." in response.get_data(as_text=True)
    assert count(Building) == before_count
    assert _building_row(app, b2) == before_b2
    assert input_value(response, "entrance_note") == "Typed note"


def test_a_building_with_bad_coordinates_is_refused(app, client, auth, community, count):
    auth.login(community["users"][Role.STAFF][1])
    before = count(Building)

    for lat, lon in (("91", "121.4"), ("abc", "121.4"), ("NaN", "121.4"), ("31.2", "Infinity")):
        response = auth.post("/console/buildings/new", {"name": "Nowhere", "lat": lat, "lon": lon},
                             token_from="/console/buildings/new")
        assert response.status_code == 400, (lat, lon)
    assert count(Building) == before


def test_a_building_with_a_signalling_nan_is_refused(app, client, auth, community, count):
    auth.login(community["users"][Role.STAFF][1])
    before = count(Building)

    response = auth.post("/console/buildings/new", {"name": "Nowhere", "lat": "sNaN", "lon": "121.4"},
                         token_from="/console/buildings/new")

    assert response.status_code == 400
    assert count(Building) == before


def test_another_stores_building_answers_404(app, client, auth, community, create_store, create_building):
    foreign = create_building(create_store("Other Store", lat=31.3, lon=121.5), "Elsewhere Tower",
                              lat=31.3005, lon=121.5005)
    before = _building_row(app, foreign)
    auth.login(community["users"][Role.STAFF][1])

    assert client.get(f"/console/buildings/{foreign}").status_code == 404
    response = auth.post(f"/console/buildings/{foreign}", {"name": "Hijacked", "lat": "31.2", "lon": "121.4"})
    assert response.status_code == 404
    assert _building_row(app, foreign) == before
    assert client.get(f"/console/buildings/{foreign + 1000}").status_code == 404
