"""The delivery quote API, the courier's shift buttons, the quote banner and "where we deliver"."""
import json
from datetime import timedelta

import pytest
from flask import render_template

from store_app.accounts.models import User
from store_app.database import transaction, utcnow
from store_app.deliveries import operations as delivery_ops
from store_app.deliveries.models import CourierShift
from store_app.deliveries.rules import Quote
from store_app.extensions import db
from store_app.geo import operations as geo_ops
from store_app.roles import Role

from .conftest import post_form

# The community's store is at (31.2, 121.4); its buildings at (31.201, 121.401) and (31.199, 121.399).
SQUARE = {"type": "Polygon", "coordinates": [[[121.39, 31.19], [121.41, 31.19], [121.41, 31.21], [121.39, 31.21],
                                               [121.39, 31.19]]]}
KEYS = {"deliverable", "zone", "fee_cents", "minimum_cents", "eta_minutes", "reason"}


def add_zone(app, store_id, name="Inner", geojson=SQUARE, **kwargs):
    with app.app_context(), transaction():
        return geo_ops.save_zone(store_id, name=name, geojson=json.dumps(geojson), fee_cents=300,
                                 minimum_cents=2000, now=utcnow(), **kwargs).id


def start_shift(app, user_id, hours=4):
    with app.app_context(), transaction():
        delivery_ops.start_shift(db.session.get(User, user_id), utcnow(), hours)


@pytest.fixture
def open_store(app, community):
    """The community with one zone and its courier on shift: delivery possible now."""
    add_zone(app, community["store_id"])
    start_shift(app, community["users"][Role.COURIER][0])
    return community


def quote(client, query, **headers):
    response = client.get(f"/api/v1/delivery-quote?{query}", headers=headers)
    return response.status_code, response.get_json()


# ---- the API ---------------------------------------------------------------------------------

def test_inside_a_zone_with_a_courier_on_shift(client, open_store):
    status, body = quote(client, "lat=31.201&lon=121.401")
    assert status == 200
    assert set(body) == KEYS
    assert body["deliverable"] is True and body["reason"] is None
    assert (body["zone"], body["fee_cents"], body["minimum_cents"]) == ("Inner", 300, 2000)
    assert isinstance(body["eta_minutes"], int) and 0 < body["eta_minutes"] <= 30


def test_more_items_take_longer(client, open_store):
    _, one = quote(client, "lat=31.201&lon=121.401")
    _, many = quote(client, "lat=31.201&lon=121.401&items=60")
    assert many["eta_minutes"] > one["eta_minutes"]


def test_outside_every_zone(client, open_store):
    status, body = quote(client, "lat=31.25&lon=121.45")
    assert status == 200
    assert body == {"deliverable": False, "zone": None, "fee_cents": None, "minimum_cents": None,
                    "eta_minutes": None, "reason": "outside_zone"}


@pytest.mark.parametrize("query", ["lat=31.21&lon=121.4", "lat=31.2&lon=121.41", "lat=31.19&lon=121.39",
                                   "lat=31.21&lon=121.41"])
def test_a_point_on_the_edge_or_a_corner_is_inside(client, open_store, query):
    status, body = quote(client, query)
    assert status == 200 and body["zone"] == "Inner" and body["deliverable"] is True


def test_a_paused_zone_is_named_but_not_deliverable(app, client, community):
    add_zone(app, community["store_id"], enabled=False)
    start_shift(app, community["users"][Role.COURIER][0])
    _, body = quote(client, "lat=31.201&lon=121.401")
    assert (body["deliverable"], body["zone"], body["reason"]) == (False, "Inner", "zone_disabled")


def test_a_closed_store_names_the_zone(app, client, create_store, create_user):
    store_id = create_store("Night Owl", all_day=False)  # no opening hours at all
    add_zone(app, store_id)
    start_shift(app, create_user(store_id, Role.COURIER)[0])
    _, body = quote(client, f"lat=31.201&lon=121.401&store={store_id}")
    assert (body["deliverable"], body["zone"], body["reason"], body["fee_cents"]) == (False, "Inner", "store_closed",
                                                                                     300)


def test_no_courier_on_shift(app, client, community):
    add_zone(app, community["store_id"])
    _, body = quote(client, "lat=31.201&lon=121.401")
    assert (body["deliverable"], body["zone"], body["reason"], body["eta_minutes"]) == (False, "Inner",
                                                                                        "no_courier", None)


def test_too_busy(client, open_store):
    _, body = quote(client, "lat=31.201&lon=121.401&items=999")
    assert (body["deliverable"], body["zone"], body["reason"]) == (False, "Inner", "too_busy")
    assert body["eta_minutes"] > 30


def test_a_building_of_the_store(client, open_store):
    status, body = quote(client, f"building={open_store['buildings'][0]}")
    assert status == 200 and body["deliverable"] is True and body["zone"] == "Inner"


def test_a_building_of_another_store_is_not_found(client, open_store, create_store, create_building):
    other = create_store("Other", lat=31.3, lon=121.5)
    theirs = create_building(other, "Elsewhere Tower", lat=31.3005, lon=121.5005)
    for query in (f"building={theirs}", "building=999999", "building=abc"):
        status, body = quote(client, query)
        assert status == 404, query
        assert "error" in body


@pytest.mark.parametrize("query, message", [
    ("lat=nan&lon=121.4", "real numbers"),
    ("lat=31.2&lon=inf", "real numbers"),
    ("lat=abc&lon=121.4", "must be numbers"),
    ("lat=95&lon=200", "between -90 and 90"),
    ("lat=31.2&lon=181", "between -180 and 180"),
    ("lat=121.4&lon=31.2", "swapped"),
    ("lat=31.2", "Give a latitude and a longitude"),
    ("lon=121.4", "Give a latitude and a longitude"),
    ("", "Give a latitude and a longitude"),
    ("lat=31.201&lon=121.401&items=0", "items must be a whole number"),
    ("lat=31.201&lon=121.401&items=1.5", "items must be a whole number"),
    ("lat=31.201&lon=121.401&items=-2", "items must be a whole number"),
    ("lat=31.201&lon=121.401&items=1000", "items must be a whole number"),
])
def test_bad_coordinates_answer_400_with_a_message(client, open_store, query, message):
    status, body = quote(client, query, **{"Accept-Language": "en"})
    assert status == 400
    assert body.keys() == {"error", "status"} and body["status"] == 400
    assert message in body["error"]


def test_coordinates_that_look_swapped_for_the_store_are_refused(app, client, create_store):
    paris = create_store("Paris", lat=48.8566, lon=2.3522, timezone="Europe/Paris")
    status, body = quote(client, f"lat=2.3522&lon=48.8566&store={paris}", **{"Accept-Language": "en"})
    assert status == 400 and "look swapped" in body["error"]
    status, body = quote(client, f"lat=48.8566&lon=2.3522&store={paris}")
    assert status == 200 and body["reason"] == "outside_zone"


def test_errors_speak_the_users_language(client, open_store):
    _, body = quote(client, "lat=nan&lon=1", **{"Accept-Language": "zh-CN"})
    assert "Latitude" not in body["error"]


def test_a_logged_in_resident_gets_their_own_store(app, community, login_client, create_store):
    other = create_store("Other", lat=31.2, lon=121.4)
    add_zone(app, other, "Theirs")
    add_zone(app, community["store_id"], "Ours")
    client = login_client(community["users"][Role.RESIDENT][1])
    _, body = quote(client, f"lat=31.201&lon=121.401&store={other}")
    assert body["zone"] == "Ours"


# ---- courier shifts --------------------------------------------------------------------------

@pytest.fixture
def courier(community, login_client):
    return login_client(community["users"][Role.COURIER][1])


def shifts(app, user_id):
    with app.app_context():
        return [(s.started_at, s.planned_end_at, s.ended_at) for s in db.session.scalars(
            db.select(CourierShift).where(CourierShift.courier_id == user_id).order_by(CourierShift.id))]


def test_a_courier_starts_and_ends_a_shift(app, community, courier):
    courier_id = community["users"][Role.COURIER][0]
    page = courier.get("/courier", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Start shift" in page and 'name="hours"' in page and "End shift" not in page

    response = post_form(courier, "/courier/shift/start", {"hours": "6"}, token_from="/courier",
                         headers={"Accept-Language": "en"})
    assert response.status_code == 302 and response.headers["Location"] == "/courier"
    [(started, planned_end, ended)] = shifts(app, courier_id)
    assert planned_end - started == timedelta(hours=6) and ended is None
    page = courier.get("/courier", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You are on shift until" in page and "End shift" in page and "Start shift" not in page

    response = post_form(courier, "/courier/shift/end", token_from="/courier")
    assert response.status_code == 302
    [(_, _, ended)] = shifts(app, courier_id)
    assert ended is not None
    assert "Start shift" in courier.get("/courier", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_a_shift_lasts_four_hours_unless_chosen(community, courier):
    page = courier.get("/courier").get_data(as_text=True)
    assert '<option selected value="4">' in page or '<option value="4" selected>' in page


def test_a_double_start_gets_a_clean_message(app, community, courier):
    post_form(courier, "/courier/shift/start", {"hours": "4"}, token_from="/courier")
    response = post_form(courier, "/courier/shift/start", {"hours": "8"}, token_from="/courier",
                         follow_redirects=True, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "You are already on shift." in response.get_data(as_text=True)
    assert len(shifts(app, community["users"][Role.COURIER][0])) == 1


def test_ending_twice_gets_a_clean_message(app, community, courier):
    response = post_form(courier, "/courier/shift/end", token_from="/courier", follow_redirects=True,
                         headers={"Accept-Language": "en"})
    assert response.status_code == 200 and "You are not on shift." in response.get_data(as_text=True)


@pytest.mark.parametrize("hours", ["5", "12", "", "abc"])
def test_only_the_offered_lengths_are_accepted(app, community, courier, hours):
    response = post_form(courier, "/courier/shift/start", {"hours": hours}, token_from="/courier",
                         follow_redirects=True, headers={"Accept-Language": "en"})
    assert "Choose how long your shift lasts." in response.get_data(as_text=True)
    assert shifts(app, community["users"][Role.COURIER][0]) == []


def test_shift_buttons_need_the_csrf_token_and_a_courier(app, community, courier, login_client):
    assert courier.post("/courier/shift/start", data={"hours": "4"}).status_code == 400
    resident = login_client(community["users"][Role.RESIDENT][1])
    assert post_form(resident, "/courier/shift/start", {"hours": "4"}).status_code == 403
    assert shifts(app, community["users"][Role.COURIER][0]) == []


def test_a_started_shift_makes_the_store_deliver(app, client, community, courier):
    add_zone(app, community["store_id"])
    assert quote(client, "lat=31.201&lon=121.401")[1]["reason"] == "no_courier"
    post_form(courier, "/courier/shift/start", {"hours": "2"}, token_from="/courier")
    assert quote(client, "lat=31.201&lon=121.401")[1]["deliverable"] is True


# ---- the quote banner partial ----------------------------------------------------------------

def render_banner(app, community, quote_value, lang="en"):
    """The partial as the feed includes it, for the community resident's default address."""
    resident_id = community["users"][Role.RESIDENT][0]
    with app.test_request_context(headers={"Accept-Language": lang}):
        address = db.session.get(User, resident_id).default_address()
        return render_template("shop/_quote_banner.html", quote=quote_value, address=address)


def test_banner_when_deliverable(app, community):
    html = render_banner(app, community, Quote(True, "Inner", 300, 2000, 12, None))
    assert "Delivery in about 12 min" in html and "fee ¥3.00" in html and "minimum ¥20.00" in html
    assert "<svg" not in html.replace('<svg class="icon"', "")


def test_banner_outside_every_zone_shows_the_map_and_a_way_out(app, community):
    add_zone(app, community["store_id"])
    html = render_banner(app, community, Quote(False, None, None, None, None, "outside_zone"))
    assert "outside the area we deliver to" in html
    assert '<svg class="zone-map"' in html and 'class="map-point"' in html and 'class="zone"' in html
    assert 'href="/me#addresses"' in html and 'href="/shop/where-we-deliver"' in html


@pytest.mark.parametrize("reason, words", [
    ("store_closed", "The store is closed right now."),
    ("zone_closed", "at this hour"),
    ("no_courier", "No courier is on duty right now."),
    ("too_busy", "Right now it would take about 45 min."),
])
def test_banner_when_not_now_offers_scheduled_delivery(app, community, reason, words):
    html = render_banner(app, community, Quote(False, "Inner", 300, 2000, 45 if reason == "too_busy" else None,
                                               reason))
    assert words in html and "(Inner)" in html
    assert "scheduled delivery times" in html


def test_banner_for_a_paused_zone_promises_no_slot(app, community):
    html = render_banner(app, community, Quote(False, "Inner", 300, 2000, None, "zone_disabled"))
    assert "paused" in html and "scheduled" not in html


def test_banner_without_a_quote_is_empty(app, community):
    assert render_banner(app, community, None).strip() == ""


def test_banner_in_chinese(app, community):
    html = render_banner(app, community, Quote(True, "Inner", 300, 2000, 12, None), lang="zh")
    assert "Delivery in about" not in html


# ---- where we deliver ------------------------------------------------------------------------

def test_where_we_deliver_for_a_visitor(app, client, community):
    add_zone(app, community["store_id"], "Inner")
    add_zone(app, community["store_id"], "Paused", geojson={"type": "Polygon", "coordinates": [
        [[121.3, 31.3], [121.31, 31.3], [121.31, 31.31], [121.3, 31.3]]]}, enabled=False)
    response = client.get("/shop/where-we-deliver", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Inner" in page and "Paused" not in page and "fee ¥3.00" in page
    assert '<svg class="zone-map"' in page and 'class="map-point"' not in page


def test_where_we_deliver_marks_the_residents_address(app, community, login_client, create_building, create_user):
    add_zone(app, community["store_id"])
    inside = login_client(community["users"][Role.RESIDENT][1])
    page = inside.get("/shop/where-we-deliver", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "We deliver to you" in page and 'class="map-point"' in page
    far = create_building(community["store_id"], "Far Tower", lat=31.25, lon=121.45)
    _, phone = create_user(community["store_id"], Role.RESIDENT, far)
    outside = login_client(phone)
    page = outside.get("/shop/where-we-deliver", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Outside our delivery area" in page and "Far Tower" in page and 'class="map-point"' in page
