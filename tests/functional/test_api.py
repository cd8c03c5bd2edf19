"""The JSON endpoints: health, stores, building search and the nearest building."""
import pytest

from store_app import create_app
from store_app.extensions import db

UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-dir/store.sqlite3",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=1",
}


def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(db_backend, tmp_path, monkeypatch):
    monkeypatch.setenv("STORE_INSTANCE_PATH", str(tmp_path))
    broken = create_app({"SQLALCHEMY_DATABASE_URI": UNREACHABLE[db_backend]})
    try:
        response = broken.test_client().get("/healthz")

        assert response.status_code == 503
        assert response.get_json() == {"status": "error", "database": "error"}
    finally:
        with broken.app_context():
            db.engine.dispose()


def test_stores_api_lists_every_store_with_exactly_its_public_fields(client, create_store):
    first = create_store("First Store", lat=31.2, lon=121.4)
    second = create_store("Second Store", lat=39.9, lon=116.4, timezone="Asia/Urumqi", promise_minutes=45)

    response = client.get("/api/v1/stores")

    assert response.status_code == 200
    assert response.get_json() == [
        {"id": first, "name": "First Store", "lat": 31.2, "lon": 121.4, "timezone": "Asia/Shanghai",
         "promise_minutes": 30},
        {"id": second, "name": "Second Store", "lat": 39.9, "lon": 116.4, "timezone": "Asia/Urumqi",
         "promise_minutes": 45},
    ]


def test_building_search_by_name_and_alias(client, community, subtests):
    b1, b2 = community["buildings"]
    everything = client.get("/api/v1/buildings").get_json()
    assert sorted(b["id"] for b in everything) == sorted([b1, b2])
    lotus = next(b for b in everything if b["id"] == b1)
    assert lotus == {"id": b1, "name": "莲花苑 3号楼", "name_zh": "莲花苑 3号楼", "name_en": "",
                     "aliases": ["Lotus Garden Building 3", "3号楼"],
                     "lat": pytest.approx(31.201), "lon": pytest.approx(121.401), "entrance_note": ""}
    cases = {"莲花苑": [b1], "3号楼": [b1], "LOTUS garden": [b1], "  lotus   building 3 ": [b1],
             "Meilong": [b2], "号楼": [b1, b2], "Tianyao": [], "%": [], "_": []}
    for query, expected in cases.items():
        with subtests.test(q=query):
            response = client.get("/api/v1/buildings", query_string={"q": query})

            assert response.status_code == 200
            assert sorted(b["id"] for b in response.get_json()) == sorted(expected)


def test_nearest_building(client, community):
    b1, b2 = community["buildings"]

    response = client.get("/api/v1/buildings/nearest?lat=31.2011&lon=121.4011")

    assert response.status_code == 200
    body = response.get_json()
    assert body["building"]["id"] == b1
    assert isinstance(body["distance_m"], int) and 0 <= body["distance_m"] < 30
    assert client.get("/api/v1/buildings/nearest?lat=31.1991&lon=121.3991").get_json()["building"]["id"] == b2


def test_nearest_building_far_away_is_a_404_with_a_message(client, community):
    client.set_cookie("lang", "en")

    response = client.get("/api/v1/buildings/nearest?lat=31.25&lon=121.45")

    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.get_json() == \
        {"error": "No building of ours is near you. Please choose it from the list.", "status": 404}


def test_nearest_building_with_bad_coordinates_is_a_400(client, community, subtests):
    client.set_cookie("lang", "en")
    cases = {
        "lat=NaN&lon=121.4": "real numbers",
        "lat=31.2&lon=inf": "real numbers",
        "lat=121.4&lon=31.2": "swapped",
        "lat=north&lon=121.4": "must be numbers",
        "lat=31.2": "must be numbers",
        "": "must be numbers",
        "lat=95&lon=200": "latitude must be between -90 and 90",
        "lat=31.2&lon=181": "longitude must be between -180 and 180",
    }
    for query, message in cases.items():
        with subtests.test(query=query):
            response = client.get("/api/v1/buildings/nearest?" + query)

            assert response.status_code == 400
            assert response.mimetype == "application/json"
            assert set(response.get_json()) == {"error", "status"}
            assert response.get_json()["status"] == 400
            assert message in response.get_json()["error"].lower()
