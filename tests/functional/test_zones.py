"""The staff's delivery-zone pages: list, add, edit, GeoJSON upload/download, delete, and who may."""
import html
import io
import json

import pytest

from store_app.database import transaction, utcnow
from store_app.geo import operations as geo_ops
from store_app.geo.models import DeliveryZone
from store_app.roles import Role
from tests.conftest import csrf_token

from .conftest import input_value, post_form, text_of

# Around the community's store at (31.2, 121.4), GeoJSON order [lon, lat].
SQUARE = {"type": "Polygon", "coordinates": [[[121.39, 31.19], [121.41, 31.19], [121.41, 31.21], [121.39, 31.21],
                                               [121.39, 31.19]]]}
BOW_TIE = {"type": "Polygon", "coordinates": [[[121.39, 31.19], [121.41, 31.21], [121.41, 31.19], [121.39, 31.21],
                                                [121.39, 31.19]]]}


def zone_form(**overrides):
    form = {"name_en": "Inner", "fee": "3", "minimum": "20.50", "priority": "10", "enabled": "y", "hours": "",
            "geojson": json.dumps(SQUARE)}
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


@pytest.fixture
def staff(community, login_client):
    return login_client(community["users"][Role.STAFF][1])


def zones_in_db(app, store_id):
    with app.app_context():
        return [{"id": z.id, "name": z.name, "fee_cents": z.fee_cents, "minimum_cents": z.minimum_cents,
                 "priority": z.priority, "enabled": z.enabled, "opens_min": z.opens_min, "closes_min": z.closes_min,
                 "geojson": json.loads(z.geojson)} for z in geo_ops.list_zones(store_id)]


def make_zone(app, store_id, name="Inner", **kwargs):
    with app.app_context(), transaction():
        zone = geo_ops.save_zone(store_id, name=name, geojson=json.dumps(SQUARE),
                                 fee_cents=kwargs.pop("fee_cents", 300), minimum_cents=2000, now=utcnow(),
                                 **kwargs)
        return zone.id


# ---- who may -------------------------------------------------------------------------------

@pytest.mark.parametrize("role, status", [(Role.STAFF, 200), (Role.OWNER, 200), (Role.RESIDENT, 403),
                                          (Role.COURIER, 403), (Role.VENDOR, 403)])
def test_only_staff_and_the_owner_open_the_zone_pages(community, login_client, role, status):
    client = login_client(community["users"][role][1])
    for path in ("/console/zones", "/console/zones/new"):
        assert client.get(path).status_code == status, (role, path)


def test_visitors_are_sent_to_log_in(client, community):
    response = client.get("/console/zones")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_console_has_a_zones_tab(staff):
    page = staff.get("/console").get_data(as_text=True)
    assert 'href="/console/zones"' in page and "#zone" in page


# ---- list and add --------------------------------------------------------------------------

def test_the_list_shows_every_zone_with_its_map(app, community, staff):
    make_zone(app, community["store_id"], "Inner", priority=10, opens_min=600, closes_min=1290)
    make_zone(app, community["store_id"], "Paused", enabled=False, fee_cents=0)
    page = text_of(staff.get("/console/zones", headers={"Accept-Language": "en"}))
    assert "Inner" in page and "Paused" in page
    assert "¥3.00" in page and "¥20.00" in page and "10:00-21:30" in page and "Store hours" in page
    assert page.count('class="zone"') + page.count('class="zone zone-disabled"') == 2
    assert page.count('class="building"') == 2
    assert '<svg class="zone-map"' in page


def test_a_new_zone_starts_as_a_square_around_the_store(staff):
    response = staff.get("/console/zones/new")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "data-zone-editor" in page and "js/zone-editor.js" in page and "css/zones.css" in page
    textarea = page.split('name="geojson"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    outline = json.loads(html.unescape(textarea))
    assert outline["type"] == "Polygon" and len(outline["coordinates"][0]) == 5
    assert "data-edit-polygon" in page and "data-kx=" in page


def test_add_a_zone(app, community, staff):
    response = post_form(staff, "/console/zones/new", zone_form(hours="10:00-21:30"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/zones"
    [zone] = zones_in_db(app, community["store_id"])
    assert (zone["name"], zone["fee_cents"], zone["minimum_cents"], zone["priority"], zone["enabled"]) == (
        "Inner", 300, 2050, 10, True)
    assert (zone["opens_min"], zone["closes_min"]) == (600, 1290)
    assert zone["geojson"]["coordinates"][0][0] == [121.39, 31.19]


def test_an_unchecked_box_saves_a_paused_zone(app, community, staff):
    assert post_form(staff, "/console/zones/new", zone_form(enabled=None)).status_code == 302
    assert zones_in_db(app, community["store_id"])[0]["enabled"] is False


def test_edit_a_zone(app, community, staff):
    zone_id = make_zone(app, community["store_id"], opens_min=600, closes_min=1290)
    page = staff.get(f"/console/zones/{zone_id}")
    assert input_value(page, "fee") == "3.00"
    assert input_value(page, "minimum") == "20.00"
    assert input_value(page, "hours") == "10:00-21:30"
    smaller = {"type": "Polygon", "coordinates": [[[121.395, 31.195], [121.405, 31.195], [121.405, 31.205],
                                                   [121.395, 31.195]]]}
    response = post_form(staff, f"/console/zones/{zone_id}", zone_form(
        name_en="Core", fee="0", minimum="9.9", priority="-3", hours="", geojson=json.dumps(smaller)))
    assert response.status_code == 302
    [zone] = zones_in_db(app, community["store_id"])
    assert (zone["id"], zone["name"], zone["fee_cents"], zone["minimum_cents"], zone["priority"]) == (
        zone_id, "Core", 0, 990, -3)
    assert (zone["opens_min"], zone["closes_min"]) == (None, None)
    assert len(zone["geojson"]["coordinates"][0]) == 4


# ---- refusals: nothing saved, the form comes back as sent ------------------------------------

@pytest.mark.parametrize("overrides, message", [
    ({"geojson": json.dumps(BOW_TIE)}, "crosses itself near 31.2, 121.4"),
    ({"geojson": json.dumps({"type": "Point", "coordinates": [121.4, 31.2]})}, "must be one polygon"),
    ({"geojson": json.dumps({"type": "LineString", "coordinates": [[121.4, 31.2], [121.41, 31.2]]})},
     "must be one polygon"),
    ({"geojson": json.dumps({"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]})},
     "must be one polygon"),
    ({"geojson": '{"type": "Polygon", "coordinates": [[[121.39, 31.19], [121.41, 31.19], [121.39, 31.19]]]}'},
     "at least three different corners"),
    ({"geojson": '{"type": "Polygon", "coordinates": [[[31.19, 121.39], [31.19, 121.41], [31.21, 121.41], '
                 '[31.19, 121.39]]]}'}, "longitude first"),
    ({"geojson": "{oops"}, "not GeoJSON"),
    ({"geojson": ""}, "not GeoJSON"),
    ({"fee": "abc"}, "Write an amount in yuan"),
    ({"fee": "-1"}, "Write an amount in yuan"),
    ({"minimum": "1.234"}, "Write an amount in yuan"),
    ({"hours": "9-5"}, "Write the hours like 10:00-21:30"),
    ({"name_en": ""}, "Give a name in Chinese, in English, or both."),
    ({"priority": "many"}, "Not a valid integer"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(app, community, staff, count, overrides,
                                                                   message):
    response = post_form(staff, "/console/zones/new", zone_form(**overrides),
                         headers={"Accept-Language": "en"})
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert message in page
    assert count(DeliveryZone) == 0
    assert input_value(response, "name_en") == html.escape(zone_form(**overrides)["name_en"], quote=True)
    if "geojson" in overrides and overrides["geojson"]:
        assert overrides["geojson"] in page, "the outline comes back as it was sent"


def test_an_invalid_edit_leaves_the_zone_as_it_was(app, community, staff):
    zone_id = make_zone(app, community["store_id"])
    before = zones_in_db(app, community["store_id"])
    response = post_form(staff, f"/console/zones/{zone_id}", zone_form(name_en="Renamed", geojson=json.dumps(BOW_TIE)),
                         headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "crosses itself" in response.get_data(as_text=True)
    assert zones_in_db(app, community["store_id"]) == before


def test_a_zone_name_is_unique_in_the_store(app, community, staff, count):
    make_zone(app, community["store_id"], "Inner")
    response = post_form(staff, "/console/zones/new", zone_form(name_en="Inner"), headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "A zone with this name already exists." in response.get_data(as_text=True)
    assert count(DeliveryZone) == 1


def test_a_post_without_the_csrf_token_is_refused(app, community, staff, count):
    response = staff.post("/console/zones/new", data=zone_form())
    assert response.status_code == 400
    assert count(DeliveryZone) == 0


# ---- GeoJSON files -------------------------------------------------------------------------

def upload(client, path, content, filename="zone.geojson", **form):
    return post_form(client, path, {**zone_form(geojson="", **form), "geojson_file": (io.BytesIO(content), filename)},
                     content_type="multipart/form-data", headers={"Accept-Language": "en"})


def test_upload_a_geojson_file(app, community, staff):
    feature = {"type": "Feature", "properties": {"name": "ignored"}, "geometry": SQUARE}
    response = upload(staff, "/console/zones/new", json.dumps(feature).encode("utf-8-sig"))
    assert response.status_code == 302
    [zone] = zones_in_db(app, community["store_id"])
    assert zone["geojson"] == SQUARE


@pytest.mark.parametrize("content, message", [
    (b"\x89PNG\r\n\x1a\n", "not GeoJSON"),
    (b"name,lat,lon\n", "not GeoJSON"),
    (json.dumps(BOW_TIE).encode(), "crosses itself"),
    (b" " * 2001, "too large"),
])
def test_a_bad_file_is_refused_and_nothing_is_saved(app, community, staff, count, monkeypatch, content, message):
    # A small limit: the test client spools big bodies to temporary files it never closes.
    monkeypatch.setattr("store_app.geo.views.MAX_GEOJSON_BYTES", 2000)
    response = upload(staff, "/console/zones/new", content)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(DeliveryZone) == 0


def test_download_and_upload_round_trip(app, community, staff):
    zone_id = make_zone(app, community["store_id"], priority=5, opens_min=600, closes_min=1290)
    response = staff.get(f"/console/zones/{zone_id}/geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert response.headers["Content-Disposition"] == f"attachment; filename=zone-{zone_id}.geojson"
    feature = json.loads(response.data)
    assert feature["type"] == "Feature"
    assert feature["properties"] == {"name": "Inner", "name_zh": "", "name_en": "Inner",
                                     "fee_cents": 300, "minimum_cents": 2000, "priority": 5,
                                     "enabled": True, "hours": "10:00-21:30"}
    assert feature["geometry"] == SQUARE

    assert upload(staff, "/console/zones/new", response.data, name_en="Copy").status_code == 302
    zones = {z["name"]: z for z in zones_in_db(app, community["store_id"])}
    assert zones["Copy"]["geojson"] == zones["Inner"]["geojson"] == SQUARE


# ---- delete, and another store's zones -------------------------------------------------------

def test_delete_a_zone(app, community, staff, count):
    zone_id = make_zone(app, community["store_id"])
    response = post_form(staff, f"/console/zones/{zone_id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/console/zones"
    assert count(DeliveryZone) == 0
    assert post_form(staff, f"/console/zones/{zone_id}/delete").status_code == 404


def test_delete_needs_the_csrf_token(app, community, staff, count):
    zone_id = make_zone(app, community["store_id"])
    assert staff.post(f"/console/zones/{zone_id}/delete").status_code == 400
    assert count(DeliveryZone) == 1


def test_another_stores_zone_is_not_found(app, community, staff, create_store, count):
    other_store = create_store("Other Store", lat=31.3, lon=121.5)
    zone_id = make_zone(app, other_store, "Theirs")
    assert staff.get(f"/console/zones/{zone_id}").status_code == 404
    assert staff.get(f"/console/zones/{zone_id}/geojson").status_code == 404
    assert post_form(staff, f"/console/zones/{zone_id}", zone_form(name_en="Mine")).status_code == 404
    assert post_form(staff, f"/console/zones/{zone_id}/delete").status_code == 404
    assert zones_in_db(app, other_store)[0]["name"] == "Theirs"
    assert count(DeliveryZone) == 1
    assert "Theirs" not in staff.get("/console/zones").get_data(as_text=True)


def test_the_editor_page_carries_the_form_token(staff):
    token = csrf_token(staff, "/console/zones/new")
    assert token
