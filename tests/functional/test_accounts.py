"""Accounts through the test client: registration, login, logout, password, addresses, team,
language, the owner's store settings and the staff's building list.

Bad-input cases of one form share one app (``subtests``): they change nothing, so they cannot
disturb each other, and the suite stays fast on both databases.
"""
import pytest
from werkzeug.security import check_password_hash

from store_app.accounts.models import Address, User
from store_app.extensions import db
from store_app.geo.models import Building
from store_app.roles import Role
from store_app.stores.models import Store
from tests.conftest import PASSWORD, csrf_token

from .conftest import (html_lang, input_value, is_logged_out, option_values, post_form, selected_option,
                       text_of)

NEW_PASSWORD = "lotus-garden-42"


def _user_by_phone(app, e164):
    """The user with this E.164 phone as a dict of plain values, or None."""
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


def _login_status(app, phone, password):
    """The status of a login attempt from a fresh client: 302 in, 200 refused."""
    return post_form(app.test_client(), "/login", {"phone": phone, "password": password},
                     token_from="/login").status_code


@pytest.fixture
def other_store_building(create_store, create_building):
    """A building of a second store, which the community's people must never reach."""
    store_id = create_store("Other Store", lat=31.3, lon=121.5)
    return create_building(store_id, "Elsewhere Tower", lat=31.3005, lon=121.5005)


# ---- registration ----------------------------------------------------------------------------

def test_register_page_lists_the_stores_buildings(client, community, other_store_building):
    response = client.get("/register")

    assert response.status_code == 200
    # The store's buildings, and the choice of someone who lives farther away: pickup at the store.
    assert sorted(option_values(response, "building_id")) == sorted([*(str(b) for b in community["buildings"]),
                                                                     "pickup"])
    page = response.get_data(as_text=True)
    assert "莲花苑 3号楼" in page and "梅陇新村 1号楼" in page
    assert "Elsewhere Tower" not in page


def test_register_creates_a_logged_in_resident_with_a_default_address(app, client, community, count):
    b2 = community["buildings"][1]
    users_before = count(User)

    response = post_form(client, "/register", {
        "phone": "139 1234 5678", "name": "Mei Lin", "password": NEW_PASSWORD,
        "building_id": str(b2), "unit": " 2-1203 "}, token_from="/register")

    assert response.status_code == 302
    assert response.headers["Location"] == "/shop"
    assert count(User) == users_before + 1
    user = _user_by_phone(app, "+8613912345678")
    assert user is not None, "the phone must be stored in E.164"
    assert (user["role"], user["store_id"], user["name"]) == \
        (Role.RESIDENT.value, community["store_id"], "Mei Lin")
    assert user["addresses"] == [(b2, "2-1203", "", True)]
    assert check_password_hash(user["password_hash"], NEW_PASSWORD)
    shop = client.get("/shop")
    assert shop.status_code == 200, "registration logs the resident in"
    assert "梅陇新村 1号楼" in shop.get_data(as_text=True)


def test_register_bad_input_shows_a_message_creates_nothing_and_keeps_the_form(
        app, community, count, other_store_building, subtests):
    b1 = community["buildings"][0]
    taken = community["users"][Role.RESIDENT][1]
    cases = {
        "invalid phone": ({"phone": "12345"}, "Please enter a valid mobile phone number."),
        "taken phone": ({"phone": f"{taken[3:6]} {taken[6:10]} {taken[10:]}"},
                        "An account with this phone number already exists."),
        "short password": ({"password": "short1"}, "Use at least 8 characters for your password."),
        "missing building": ({"building_id": ""}, "Please choose your building from the list."),
        "another store's building": ({"building_id": str(other_store_building)},
                                     "Please choose your building from the list."),
        "blank name": ({"name": "   "}, "This field is required."),
    }
    users_before, addresses_before = count(User), count(Address)
    for case, (changes, message) in cases.items():
        with subtests.test(case):
            client = app.test_client()
            client.set_cookie("lang", "en")
            form = {"phone": "139 2222 3333", "name": "Mei Lin", "password": NEW_PASSWORD,
                    "building_id": str(b1), "unit": "7-702", **changes}

            response = post_form(client, "/register", form, token_from="/register")

            assert response.status_code in (200, 400)
            assert message in response.get_data(as_text=True)
            assert (count(User), count(Address)) == (users_before, addresses_before)
            assert input_value(response, "name") == form["name"]
            assert input_value(response, "phone") == form["phone"]
            assert input_value(response, "unit") == "7-702"
            assert input_value(response, "password") == ""
            assert form["password"] not in response.get_data(as_text=True)
            if "building" not in case:
                assert selected_option(response, "building_id") == str(b1)
            assert is_logged_out(client)


# ---- login and logout ------------------------------------------------------------------------

def test_login_accepts_the_phone_in_any_usual_format(app, community, create_user, subtests):
    create_user(community["store_id"], Role.RESIDENT, community["buildings"][0], phone="+8613800138000")
    for typed in ("138 0013 8000", "13800138000", "+86 138-0013-8000", "0086 138 0013 8000",
                  " 138-0013-8000 "):
        with subtests.test(typed=typed):
            client = app.test_client()
            response = post_form(client, "/login", {"phone": typed, "password": PASSWORD},
                                 token_from="/login")

            assert response.status_code == 302
            assert response.headers["Location"] == "/shop"
            assert client.get("/shop").status_code == 200


def test_wrong_password_and_unknown_phone_get_the_same_page(client, auth, community):
    _, phone = community["users"][Role.RESIDENT]
    client.set_cookie("lang", "en")

    wrong_password = auth.login(phone, "not-the-password")
    unknown_phone = auth.login("+8613711112222", PASSWORD)

    assert wrong_password.status_code == unknown_phone.status_code == 200
    assert "The phone number or password is not right." in wrong_password.get_data(as_text=True)
    assert text_of(wrong_password).replace(phone, "PHONE") == \
        text_of(unknown_phone).replace("+8613711112222", "PHONE")
    assert input_value(wrong_password, "phone") == phone, "the phone stays in the form"
    assert input_value(wrong_password, "password") == ""
    assert is_logged_out(client)


def test_each_role_lands_on_its_home_and_the_login_page_sends_it_back_there(app, community):
    homes = {Role.RESIDENT: "/shop", Role.STAFF: "/console", Role.COURIER: "/courier", Role.OWNER: "/owner"}
    for role, home in homes.items():
        client = app.test_client()
        response = post_form(client, "/login", {"phone": community["users"][role][1], "password": PASSWORD},
                             token_from="/login")
        assert (response.status_code, response.headers.get("Location")) == (302, home), role
        assert client.get(home).status_code == 200, role
        again = client.get("/login")
        assert (again.status_code, again.headers.get("Location")) == (302, home), role


def test_logout_is_post_only_and_ends_the_session(client, auth, community):
    auth.login(community["users"][Role.RESIDENT][1])

    assert client.get("/logout").status_code == 405
    assert client.get("/me").status_code == 200, "a GET must not log anyone out"

    response = auth.logout()

    assert (response.status_code, response.headers["Location"]) == (302, "/login")
    me = client.get("/me")
    assert me.status_code == 302
    assert me.headers["Location"].startswith("/login")


# ---- password --------------------------------------------------------------------------------

def test_password_change_with_bad_input_changes_nothing(app, client, auth, community, fetch, subtests):
    user_id, phone = community["users"][Role.RESIDENT]
    auth.login(phone)
    client.set_cookie("lang", "en")
    before = fetch(User, user_id)
    cases = {
        "wrong current password": ({"current_password": "not-it", "new_password": NEW_PASSWORD},
                                   "Your current password is not right."),
        "short new password": ({"current_password": PASSWORD, "new_password": "short"},
                               "Use at least 8 characters for your password."),
    }
    for case, (form, message) in cases.items():
        with subtests.test(case):
            response = auth.post("/me/password", form, token_from="/me/password")

            assert response.status_code in (200, 400)
            assert message in response.get_data(as_text=True)
            after = fetch(User, user_id)
            assert (after["password_hash"], after["session_version"]) == \
                (before["password_hash"], before["session_version"])
            assert client.get("/me").status_code == 200
    assert _login_status(app, phone, PASSWORD) == 302


def test_password_change_takes_the_new_password_and_keeps_this_session(app, client, auth, community):
    _, phone = community["users"][Role.RESIDENT]
    auth.login(phone)

    response = auth.post("/me/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                         token_from="/me/password")

    assert (response.status_code, response.headers["Location"]) == (302, "/me")
    assert client.get("/me").status_code == 200, "the device that changed the password stays logged in"
    assert _login_status(app, phone, PASSWORD) == 200, "the old password no longer works"
    assert _login_status(app, phone, NEW_PASSWORD) == 302


# ---- addresses -------------------------------------------------------------------------------

def test_add_an_address_with_a_label_and_make_it_the_default(app, client, auth, community):
    user_id, phone = community["users"][Role.RESIDENT]
    b1, b2 = community["buildings"]
    auth.login(phone)

    response = auth.post("/me/addresses", {"building_id": str(b2), "unit": " 5-501 ", "label": "Grandma"})

    assert (response.status_code, response.headers["Location"]) == (302, "/me")
    (first, *_), (second, *_) = rows = _addresses(app, user_id)
    assert [row[1:] for row in rows] == [(b1, "1-101", "", True), (b2, "5-501", "Grandma", False)]
    assert "Grandma" in client.get("/me").get_data(as_text=True)

    assert auth.post(f"/me/addresses/{second}/default").status_code == 302
    assert {row[0]: row[4] for row in _addresses(app, user_id)} == {first: False, second: True}
    auth.post(f"/me/addresses/{first}/default")
    assert {row[0]: row[4] for row in _addresses(app, user_id)} == {first: True, second: False}


def test_add_an_address_without_the_optional_label_field(app, client, auth, community):
    user_id, phone = community["users"][Role.RESIDENT]
    auth.login(phone)

    response = auth.post("/me/addresses", {"building_id": str(community["buildings"][1]), "unit": "5-501"})

    assert response.status_code == 302
    assert [(row[2], row[3]) for row in _addresses(app, user_id)] == [("1-101", ""), ("5-501", "")]


def test_add_an_address_with_bad_input_keeps_the_form_and_saves_nothing(
        app, client, auth, community, count, other_store_building, subtests):
    _, phone = community["users"][Role.RESIDENT]
    b2 = str(community["buildings"][1])
    auth.login(phone)
    client.set_cookie("lang", "en")
    before = count(Address)
    cases = {
        "blank unit": ({"building_id": b2, "unit": "  "}, "This field is required."),
        "no building": ({"building_id": "", "unit": "5-501"}, "Please choose your building from the list."),
        "another store's building": ({"building_id": str(other_store_building), "unit": "5-501"},
                                     "Please choose your building from the list."),
        "unknown building": ({"building_id": "999999", "unit": "5-501"},
                             "Please choose your building from the list."),
    }
    for case, (form, message) in cases.items():
        with subtests.test(case):
            response = auth.post("/me/addresses", {**form, "label": "Office"})

            assert response.status_code == 400
            assert message in response.get_data(as_text=True)
            assert input_value(response, "label") == "Office"
            assert input_value(response, "unit") == form["unit"]
            if case == "blank unit":
                assert selected_option(response, "building_id") == b2
            assert count(Address) == before


def test_deleting_addresses_keeps_one_default_and_never_the_last(app, client, auth, community):
    user_id, phone = community["users"][Role.RESIDENT]
    auth.login(phone)
    client.set_cookie("lang", "en")
    for unit in ("5-501", "6-601"):
        auth.post("/me/addresses", {"building_id": str(community["buildings"][1]), "unit": unit, "label": ""})
    first, second, third = (row[0] for row in _addresses(app, user_id))

    assert auth.post(f"/me/addresses/{second}/delete").status_code == 302
    assert [(row[0], row[4]) for row in _addresses(app, user_id)] == [(first, True), (third, False)]

    auth.post(f"/me/addresses/{first}/delete")
    assert [(row[0], row[4]) for row in _addresses(app, user_id)] == [(third, True)], \
        "deleting the default promotes the next one"

    response = auth.post(f"/me/addresses/{third}/delete", follow_redirects=True)
    assert response.status_code == 200
    assert "Keep at least one address so we know where to deliver." in response.get_data(as_text=True)
    assert [row[0] for row in _addresses(app, user_id)] == [third]


def test_another_users_address_answers_404_and_changes_nothing(app, client, auth, community, create_user,
                                                               subtests):
    b1, b2 = community["buildings"]
    other_id, _ = create_user(community["store_id"], Role.RESIDENT, b1, name="Neighbour")
    with app.app_context():  # two addresses: a delete and a make-default would both change something
        db.session.add(Address(user_id=other_id, store_id=community["store_id"], building_id=b2,
                               unit="9-909"))
        db.session.commit()
    before = _addresses(app, other_id)
    target = before[1][0]
    auth.login(community["users"][Role.RESIDENT][1])
    for action in ("default", "delete"):
        with subtests.test(action):
            assert auth.post(f"/me/addresses/{target}/{action}").status_code == 404
            assert _addresses(app, other_id) == before
            assert auth.post(f"/me/addresses/{target + 1000}/{action}").status_code == 404, \
                "a foreign id answers like a missing one"


# ---- team ------------------------------------------------------------------------------------

def test_staff_and_owner_create_staff_and_courier_accounts(app, community):
    created = {}
    for actor, prefix in ((Role.STAFF, "139 5555 00"), (Role.OWNER, "139 5555 01")):
        client = app.test_client()
        post_form(client, "/login", {"phone": community["users"][actor][1], "password": PASSWORD},
                  token_from="/login")
        for n, role in enumerate(("staff", "courier")):
            phone = f"{prefix}{n}{n}"
            form = {"role": role, "phone": phone, "name": f"{actor} made {role}", "password": NEW_PASSWORD}
            response = post_form(client, "/console/team", form, token_from="/console/team")
            assert (response.status_code, response.headers.get("Location")) == (302, "/console/team"), \
                (actor, role)
            created["+86" + phone.replace(" ", "")] = role
        page = client.get("/console/team").get_data(as_text=True)
        assert f"{actor} made staff" in page and f"{actor} made courier" in page

    homes = {"staff": "/console", "courier": "/courier"}
    for e164, role in created.items():
        user = _user_by_phone(app, e164)
        assert (user["role"], user["store_id"]) == (role, community["store_id"])
        login = post_form(app.test_client(), "/login", {"phone": e164, "password": NEW_PASSWORD},
                          token_from="/login")
        assert (login.status_code, login.headers.get("Location")) == (302, homes[role])


def test_team_form_refuses_bad_input_and_creates_nothing(app, client, auth, community, count, subtests):
    auth.login(community["users"][Role.OWNER][1])
    client.set_cookie("lang", "en")
    before = count(User)
    cases = {"owner": None, "resident": None, "vendor": None, "admin": None,
             "courier": "An account with this phone number already exists."}
    for role, message in cases.items():
        with subtests.test(role=role):
            phone = community["users"][Role.COURIER][1] if message else "139 5555 0999"
            response = auth.post("/console/team", {"role": role, "phone": phone, "name": "Sneaky",
                                                   "password": NEW_PASSWORD}, token_from="/console/team")

            assert response.status_code == 400
            if message:
                assert message in response.get_data(as_text=True)
            assert count(User) == before
            assert input_value(response, "name") == "Sneaky"
            assert input_value(response, "password") == ""
    assert _user_by_phone(app, "+8613955550999") is None


def test_team_page_is_forbidden_to_other_roles(app, community, count, subtests):
    before = count(User)
    for role in (Role.RESIDENT, Role.COURIER, Role.VENDOR):
        with subtests.test(role=role):
            client = app.test_client()
            post_form(client, "/login", {"phone": community["users"][role][1], "password": PASSWORD},
                      token_from="/login")

            assert client.get("/console/team").status_code == 403
            response = post_form(client, "/console/team", {"role": "staff", "phone": "139 5555 0004",
                                                           "name": "Me too", "password": NEW_PASSWORD})
            assert response.status_code == 403
            courier_id = community["users"][Role.COURIER][0]
            assert post_form(client, f"/console/team/{courier_id}/disable").status_code == 403
            assert count(User) == before


def test_disabling_a_courier_ends_their_session_and_enabling_lets_them_back(app, auth, community, fetch,
                                                                            login_client):
    courier_id, courier_phone = community["users"][Role.COURIER]
    courier = login_client(courier_phone)
    assert courier.get("/courier").status_code == 200
    auth.login(community["users"][Role.STAFF][1])

    response = auth.post(f"/console/team/{courier_id}/disable", token_from="/console/team")

    assert response.status_code == 302
    assert fetch(User, courier_id)["is_enabled"] is False
    assert is_logged_out(courier), "the courier's open session ends"
    assert _login_status(app, courier_phone, PASSWORD) == 200, "a disabled account cannot log in"

    auth.post(f"/console/team/{courier_id}/enable", token_from="/console/team")

    assert fetch(User, courier_id)["is_enabled"] is True
    login_client(courier_phone)  # asserts the 302


def test_staff_cannot_disable_the_owner_a_resident_or_themselves(app, auth, community, fetch, subtests):
    auth.login(community["users"][Role.STAFF][1])
    for target in (Role.OWNER, Role.RESIDENT, Role.STAFF):
        with subtests.test(target=target):
            target_id, _ = community["users"][target]

            response = auth.post(f"/console/team/{target_id}/disable", token_from="/console/team")

            assert response.status_code == 404
            assert fetch(User, target_id)["is_enabled"] is True


# ---- language --------------------------------------------------------------------------------

def test_language_switch_sets_a_cookie_and_the_next_page_is_english(client, community):
    assert html_lang(client.get("/login")) == "zh-Hans"
    ignored = post_form(client, "/lang", {"lang": "fr", "next": "/login"}, token_from="/login")
    assert ignored.status_code == 302
    assert client.get_cookie("lang") is None, "an unknown language sets nothing"

    response = post_form(client, "/lang", {"lang": "en", "next": "/login"}, token_from="/login")

    assert (response.status_code, response.headers["Location"]) == (302, "/login")
    cookie = client.get_cookie("lang")
    assert cookie is not None and cookie.value == "en"
    page = client.get("/login")
    assert html_lang(page) == "en"
    assert "Log in" in page.get_data(as_text=True)


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


def test_accept_language_picks_the_language_when_there_is_no_cookie(client, community, subtests):
    cases = [("en-US,en;q=0.9", "en"), ("zh-CN,zh;q=0.9", "zh-Hans"), ("fr-FR", "zh-Hans"), (None, "zh-Hans")]
    for header, lang in cases:
        with subtests.test(header=header):
            headers = {"Accept-Language": header} if header else {}
            assert html_lang(client.get("/login", headers=headers)) == lang
    client.set_cookie("lang", "zh")
    assert html_lang(client.get("/login", headers={"Accept-Language": "en-US"})) == "zh-Hans", \
        "the switch beats the browser"


def test_language_switch_never_redirects_off_site(client, community, subtests):
    token = csrf_token(client, "/login")
    for target in ("https://evil.example/", "//evil.example", "javascript:alert(1)", "/\\evil.example",
                   "/\t/evil.example", "evil.example"):
        with subtests.test(target=target):
            response = client.post("/lang", data={"lang": "en", "next": target, "csrf_token": token})

            assert (response.status_code, response.headers["Location"]) == (302, "/")
    on_site = client.post("/lang", data={"lang": "en", "next": "/register?store=1", "csrf_token": token})
    assert on_site.headers["Location"] == "/register?store=1"


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

    assert (response.status_code, response.headers["Location"]) == (302, "/owner")
    row = _store_row(app, community["store_id"])
    assert (row["name"], row["promise_minutes"], row["address"]) == ("Corner Store", 25, "2 Corner Rd")
    assert (row["lat"], row["lon"]) == pytest.approx((31.21, 121.41))
    assert row["hours"] == [(d, 420, 1320) for d in range(5)] + [(5, 420, 720), (5, 840, 120)]
    assert [input_value(client.get("/owner/store"), f"hours_{d}") for d in (0, 5, 6)] == \
        ["07:00-22:00", "07:00-12:00, 14:00-02:00", ""]


UNKNOWN_ZONE = "Unknown time zone. Use a name like Asia/Shanghai."


def test_store_settings_with_bad_input_say_what_is_wrong_and_save_nothing(app, client, auth, community,
                                                                          subtests):
    auth.login(community["users"][Role.OWNER][1])
    client.set_cookie("lang", "en")
    before = _store_row(app, community["store_id"])
    cases = {
        "hours in words": ({"hours_2": "7am-9pm"}, "Write the hours for Wednesday like 07:00-23:00"),
        "hour 25": ({"hours_4": "07:00-25:00"}, "Write the hours for Friday like 07:00-23:00"),
        "two intervals opening together": ({"hours_0": "07:00-22:00, 07:00-12:00"},
                                           "Write the hours for Monday like 07:00-23:00"),
        "overlapping intervals": ({"hours_0": "07:00-12:00, 11:00-14:00"},
                                  "Write the hours for Monday like 07:00-23:00"),
        "unknown time zone": ({"timezone": "Mars/Olympus_Mons"}, UNKNOWN_ZONE),
        "path as time zone": ({"timezone": "../../etc/passwd"}, UNKNOWN_ZONE),
        "latitude out of range": ({"lat": "95"}, None),
        "promise of zero minutes": ({"promise_minutes": "0"}, None),
    }
    for case, (changes, message) in cases.items():
        with subtests.test(case):
            form = _settings_form(**changes)

            response = auth.post("/owner/store", form, token_from="/owner/store")

            assert response.status_code == 400
            if message:
                assert message in response.get_data(as_text=True)
            assert _store_row(app, community["store_id"]) == before
            for field, value in changes.items():
                assert input_value(response, field) == value
            assert input_value(response, "name") == "Corner Store"
            assert input_value(response, "hours_1") == "07:00-22:00"


def test_store_settings_are_forbidden_to_staff(app, client, auth, community):
    auth.login(community["users"][Role.STAFF][1])
    before = _store_row(app, community["store_id"])

    assert client.get("/owner/store").status_code == 403
    assert auth.post("/owner/store", _settings_form()).status_code == 403
    assert _store_row(app, community["store_id"]) == before


# ---- console: buildings ----------------------------------------------------------------------

def _building_row(app, building_id):
    with app.app_context():
        b = db.session.get(Building, building_id)
        return None if b is None else {"store_id": b.store_id, "name": b.name, "aliases": b.alias_list(),
                                       "lat": b.lat, "lon": b.lon, "note": b.entrance_note}


def test_buildings_list_and_search_by_alias(client, auth, community, other_store_building):
    auth.login(community["users"][Role.STAFF][1])

    everything = client.get("/console/buildings").get_data(as_text=True)
    assert "莲花苑 3号楼" in everything and "梅陇新村 1号楼" in everything
    assert "Elsewhere Tower" not in everything

    found = client.get("/console/buildings?q=meilong village")
    assert found.status_code == 200
    page = found.get_data(as_text=True)
    assert "梅陇新村 1号楼" in page and "莲花苑 3号楼" not in page
    assert input_value(found, "q") == "meilong village"

    by_alias = client.get("/console/buildings", query_string={"q": "3号楼"}).get_data(as_text=True)
    assert "莲花苑 3号楼" in by_alias and "梅陇新村 1号楼" not in by_alias
    nothing = client.get("/console/buildings", query_string={"q": "100%_"}).get_data(as_text=True)
    assert "莲花苑 3号楼" not in nothing and "梅陇新村 1号楼" not in nothing


def test_add_a_building(app, client, auth, community, count):
    auth.login(community["users"][Role.STAFF][1])
    before = count(Building)

    response = auth.post("/console/buildings/new", {
        "name_zh": "樱桃园 2号楼", "name_en": "", "aliases": "Cherry Court 2\r\n2号楼\r\n",
        "lat": "31.2020", "lon": "121.4020",
        "entrance_note": "North gate"}, token_from="/console/buildings/new")

    assert (response.status_code, response.headers["Location"]) == (302, "/console/buildings")
    assert count(Building) == before + 1
    with app.app_context():
        new_id = db.session.scalar(db.select(Building.id).where(Building.name_zh == "樱桃园 2号楼"))
    assert _building_row(app, new_id) == {"store_id": community["store_id"], "name": "樱桃园 2号楼",
                                          "aliases": ["Cherry Court 2", "2号楼"], "lat": pytest.approx(31.202),
                                          "lon": pytest.approx(121.402), "note": "North gate"}
    assert "樱桃园 2号楼" in client.get("/console/buildings?q=cherry").get_data(as_text=True)


def test_edit_a_building(app, client, auth, community):
    b1 = community["buildings"][0]
    auth.login(community["users"][Role.OWNER][1])
    form = client.get(f"/console/buildings/{b1}")
    assert form.status_code == 200
    assert input_value(form, "name_zh") == "莲花苑 3号楼"
    assert "Lotus Garden Building 3" in form.get_data(as_text=True)

    response = auth.post(f"/console/buildings/{b1}", {
        "name_zh": "莲花苑 3号楼", "name_en": "Lotus Garden Building 3", "aliases": "Lotus 3",
        "lat": "31.2011", "lon": "121.4011",
        "entrance_note": "East gate"}, token_from=f"/console/buildings/{b1}")

    assert response.status_code == 302
    row = _building_row(app, b1)
    assert (row["name"], row["aliases"], row["note"]) == ("莲花苑 3号楼", ["Lotus 3"], "East gate")
    assert row["lat"] == pytest.approx(31.2011)
    assert "莲花苑 3号楼" in client.get("/console/buildings?q=lotus 3").get_data(as_text=True)


def test_bad_building_input_is_refused_and_the_form_kept(app, client, auth, community, count, subtests):
    b2 = community["buildings"][1]
    auth.login(community["users"][Role.STAFF][1])
    client.set_cookie("lang", "en")
    before_count, before_b2 = count(Building), _building_row(app, b2)
    good = {"name_zh": "", "name_en": "Nowhere House", "aliases": "Copy", "lat": "31.2", "lon": "121.4",
            "entrance_note": "Typed note"}
    cases = {
        "duplicate name (new)": ("/console/buildings/new", {"name_zh": "莲花苑 3号楼"},
                                 "A building with this name already exists."),
        "duplicate name (edit)": (f"/console/buildings/{b2}", {"name_zh": "莲花苑 3号楼", "name_en": ""},
                                  "A building with this name already exists."),
        "latitude 91": ("/console/buildings/new", {"lat": "91"}, None),
        "latitude in words": ("/console/buildings/new", {"lat": "abc"}, None),
        "NaN": ("/console/buildings/new", {"lat": "NaN"}, None),
        "signalling NaN": ("/console/buildings/new", {"lat": "sNaN"}, None),
        "infinite longitude": ("/console/buildings/new", {"lon": "Infinity"}, None),
        "no name": ("/console/buildings/new", {"name_en": ""}, "Give a name in Chinese, in English, or both."),
    }
    for case, (path, changes, message) in cases.items():
        with subtests.test(case):
            response = auth.post(path, {**good, **changes}, token_from=path)

            assert response.status_code == 400
            if message:
                assert message in response.get_data(as_text=True)
            assert count(Building) == before_count
            assert _building_row(app, b2) == before_b2
            assert input_value(response, "entrance_note") == "Typed note"


def test_another_stores_building_answers_404(app, client, auth, community, other_store_building):
    before = _building_row(app, other_store_building)
    auth.login(community["users"][Role.STAFF][1])

    assert client.get(f"/console/buildings/{other_store_building}").status_code == 404
    response = auth.post(f"/console/buildings/{other_store_building}",
                         {"name": "Hijacked", "lat": "31.2", "lon": "121.4"})
    assert response.status_code == 404
    assert _building_row(app, other_store_building) == before
    assert client.get(f"/console/buildings/{other_store_building + 1000}").status_code == 404
