"""A chain: two stores in one database, each seeing only its own people and buildings."""
import pytest

from store_app.accounts.models import Address, User
from store_app.extensions import db
from store_app.geo.models import Building
from store_app.roles import Role
from tests.conftest import PASSWORD

from .conftest import input_value, option_values, post_form


@pytest.fixture
def chain(community, create_store, create_building, create_user):
    """``community`` is store A; store B, 10 km away, has its own buildings, staff, courier and resident."""
    store_b = create_store("Store B", lat=31.29, lon=121.40)
    b_buildings = [create_building(store_b, "Birch Court 1", ["Birch 1"], 31.2905, 121.4005),
                   create_building(store_b, "Birch Court 2", ["Birch 2"], 31.2910, 121.4010)]
    b_people = {role: create_user(store_b, role, b_buildings[0] if role == Role.RESIDENT else None,
                                  name=f"B {role} person")
                for role in (Role.STAFF, Role.COURIER, Role.RESIDENT)}
    return {"a": community, "b": {"store_id": store_b, "buildings": b_buildings, "users": b_people}}


def test_staff_see_only_their_own_stores_team_and_buildings(chain, login_client):
    staff = login_client(chain["a"]["users"][Role.STAFF][1])

    team = staff.get("/console/team").get_data(as_text=True)
    assert "courier person" in team and "owner person" in team
    assert "B staff person" not in team and "B courier person" not in team

    buildings = staff.get("/console/buildings").get_data(as_text=True)
    assert "莲花苑 3号楼" in buildings
    assert "Birch Court" not in buildings
    assert "Birch Court" not in staff.get("/console/buildings?q=birch").get_data(as_text=True)


def test_staff_cannot_touch_another_stores_courier_or_building(app, chain, login_client):
    staff = login_client(chain["a"]["users"][Role.STAFF][1])
    b_courier_id, b_courier_phone = chain["b"]["users"][Role.COURIER]
    b_building = chain["b"]["buildings"][0]

    disable = post_form(staff, f"/console/team/{b_courier_id}/disable", token_from="/console/team")
    assert disable.status_code == 404
    assert login_client(b_courier_phone).get("/courier").status_code == 200, "B's courier still works"
    response = post_form(staff, f"/console/buildings/{b_building}",
                         {"name_en": "Taken Over", "lat": "31.2", "lon": "121.4"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Building, b_building).name == "Birch Court 1"


def test_an_address_in_another_stores_building_is_refused(app, chain, count, login_client):
    resident_id, phone = chain["a"]["users"][Role.RESIDENT]
    client = login_client(phone)
    client.set_cookie("lang", "en")
    before = count(Address, Address.user_id == resident_id)

    response = post_form(client, "/me/addresses", {"building_id": str(chain["b"]["buildings"][0]),
                                                   "unit": "8-808", "label": "Work"})

    assert response.status_code == 400
    assert "Please choose your building from the list." in response.get_data(as_text=True)
    assert count(Address, Address.user_id == resident_id) == before
    assert input_value(response, "unit") == "8-808"


def test_the_buildings_api_answers_for_the_store_asked_for(client, chain):
    a, b = chain["a"], chain["b"]

    assert sorted(x["id"] for x in client.get(f"/api/v1/buildings?store={b['store_id']}").get_json()) == \
        sorted(b["buildings"])
    assert sorted(x["id"] for x in client.get(f"/api/v1/buildings?store={a['store_id']}").get_json()) == \
        sorted(a["buildings"])
    assert client.get(f"/api/v1/buildings?store={b['store_id']}&q=lotus").get_json() == []
    assert [x["id"] for x in client.get(f"/api/v1/buildings?store={b['store_id']}&q=birch 2").get_json()] == \
        [b["buildings"][1]]
    near_b = client.get(f"/api/v1/buildings/nearest?store={b['store_id']}&lat=31.2905&lon=121.4005")
    assert near_b.get_json()["building"]["id"] == b["buildings"][0]
    near_a = client.get(f"/api/v1/buildings/nearest?store={b['store_id']}&lat=31.2010&lon=121.4010")
    assert near_a.status_code == 404, "store A's building is not store B's"


def test_a_logged_in_user_always_gets_their_own_stores_buildings(chain, login_client):
    client = login_client(chain["a"]["users"][Role.RESIDENT][1])

    found = client.get(f"/api/v1/buildings?store={chain['b']['store_id']}").get_json()

    assert sorted(x["id"] for x in found) == sorted(chain["a"]["buildings"])


def test_registration_for_store_b_lists_its_buildings_and_joins_it(app, client, chain, count):
    a, b = chain["a"], chain["b"]
    page = client.get(f"/register?store={b['store_id']}")
    # The store's own buildings, and "I live farther away: pickup at the store".
    assert sorted(option_values(page, "building_id")) == sorted([*(str(x) for x in b["buildings"]), "pickup"])
    assert "莲花苑 3号楼" not in page.get_data(as_text=True)
    before = count(User)

    register_b = f"/register?store={b['store_id']}"
    form = {"phone": "139 3333 4444", "name": "Bo", "password": "birch-court-9", "unit": "1-101"}
    client.set_cookie("lang", "en")

    wrong = post_form(client, register_b, {**form, "building_id": str(a["buildings"][0])},
                      token_from=register_b)
    assert wrong.status_code in (200, 400)
    assert "Please choose your building from the list." in wrong.get_data(as_text=True)
    assert count(User) == before

    response = post_form(client, register_b, {**form, "building_id": str(b["buildings"][1])},
                         token_from=register_b)

    assert (response.status_code, response.headers["Location"]) == (302, "/shop")
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.phone == "+8613933334444"))
        assert user.store_id == b["store_id"]
        assert [(x.store_id, x.building_id) for x in user.addresses] == [(b["store_id"], b["buildings"][1])]
    assert "Store B" in client.get("/shop").get_data(as_text=True)


def test_a_default_registration_page_is_the_first_stores(client, chain):
    page = client.get("/register")

    assert sorted(option_values(page, "building_id")) == sorted([*(str(x) for x in chain["a"]["buildings"]),
                                                                 "pickup"])


def test_an_unknown_store_is_a_404_not_the_first_store(client, chain):
    assert client.get("/register?store=999999").status_code == 404
    assert client.get("/api/v1/buildings?store=999999").status_code == 404


def test_the_same_phone_cannot_join_two_stores(app, client, chain, count):
    _, taken = chain["a"]["users"][Role.RESIDENT]
    client.set_cookie("lang", "en")
    before = count(User)

    response = post_form(client, f"/register?store={chain['b']['store_id']}", {
        "phone": taken, "name": "Twice", "password": PASSWORD, "building_id": str(chain["b"]["buildings"][0]),
        "unit": "2-202"}, token_from="/register")

    assert "An account with this phone number already exists." in response.get_data(as_text=True)
    assert count(User) == before
