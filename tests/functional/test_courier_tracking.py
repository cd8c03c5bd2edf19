"""Tracking a delivery: the courier's phone posts its position while on shift; the courier's page
shows the route (stops in order, what to collect where, an SVG map); the resident sees the courier
only while the courier carries their own order; a late order shows the new time; the inbox."""
import json
from datetime import timedelta

import pytest

from dispatch import cycle
from store_app.database import transaction, utcnow
from store_app.deliveries.models import CourierShift, DeliveryTask
from store_app.extensions import db
from store_app.orders.models import Order
from tests.conftest import csrf_token, with_csrf

from ..photo_files import decoded, photo_bytes
from .conftest import post_form, text_of
from .test_order_board import act, courier_act, order_row, world  # noqa: F401  (fixture)


def post_position(client, lat, lon):
    """What courier-position.js sends: JSON with the session's CSRF token in a header."""
    return client.post("/courier/position", data=json.dumps({"lat": lat, "lon": lon}),
                       headers={"Content-Type": "application/json", "X-CSRFToken": csrf_token(client, "/courier")})


def post_token(client):
    """The token courier-position.js reads: the courier page's meta tag."""
    page = client.get("/courier").get_data(as_text=True)
    return page.split('name="csrf-token" content="')[1].split('"')[0]


def shift_of(app, courier_id):
    with app.app_context():
        shift = db.session.scalar(db.select(CourierShift).where(CourierShift.courier_id == courier_id,
                                                                CourierShift.ended_at.is_(None)))
        return (shift.lat, shift.lon, shift.position_at) if shift else None


def ready_and_assigned(app, world, create_order, courier=0, products=None):  # noqa: F811
    order_id = create_order(world.shopper, products or {world.shop.products["water"]: 1})
    for step in ("accept", "pick", "ready"):
        assert act(world.staff, order_id, step).status_code == 303
    assert act(world.staff, order_id, "assign", {"courier_id": world.courier_ids[courier]}).status_code == 303
    return order_id


# ---- the courier's position --------------------------------------------------------------------

def test_a_courier_on_shift_posts_the_phones_position(app, world):  # noqa: F811
    response = post_position(world.couriers[0], 31.2012, 121.4015)
    assert response.status_code == 204
    lat, lon, at = shift_of(app, world.courier_ids[0])
    assert (lat, lon) == (31.2012, 121.4015) and at is not None


@pytest.mark.parametrize("lat, lon", [("abc", "121.4"), (None, 121.4), (95, 121.4), (31.2, 200), ("nan", "1")])
def test_bad_coordinates_are_refused_and_nothing_changes(app, world, lat, lon):  # noqa: F811
    before = shift_of(app, world.courier_ids[0])
    response = post_position(world.couriers[0], lat, lon)
    assert response.status_code == 400 and response.get_json()["error"]
    assert shift_of(app, world.courier_ids[0]) == before


def test_off_shift_the_position_is_refused_with_409(app, world):  # noqa: F811
    token = post_token(world.couriers[0])
    assert post_form(world.couriers[0], "/courier/shift/end", token_from="/courier").status_code in (302, 303)
    response = world.couriers[0].post("/courier/position", data=json.dumps({"lat": 31.2, "lon": 121.4}),
                                      headers={"Content-Type": "application/json", "X-CSRFToken": token})
    assert response.status_code == 409 and "off shift" in response.get_json()["error"]


def test_only_couriers_post_positions_and_only_with_the_csrf_token(app, world):  # noqa: F811
    assert world.resident.post("/courier/position", json={"lat": 31.2, "lon": 121.4}).status_code == 400
    token = world.resident.get("/me").get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    response = world.resident.post("/courier/position", data=json.dumps({"lat": 31.2, "lon": 121.4}),
                                   headers={"Content-Type": "application/json", "X-CSRFToken": token})
    assert response.status_code == 403


def test_the_courier_page_asks_for_the_position_only_on_shift(app, world):  # noqa: F811
    page = text_of(world.couriers[0].get("/courier"))
    assert "data-position-status" in page and "courier-position.js" in page
    post_form(world.couriers[0], "/courier/shift/end", token_from="/courier")
    page = text_of(world.couriers[0].get("/courier"))
    assert "data-position-status" not in page and "courier-position.js" not in page


# ---- the courier's route ------------------------------------------------------------------------

def test_the_route_lists_collections_then_doors_with_what_to_collect_where(app, world, create_order):  # noqa: F811
    water, apples = world.shop.products["water"], world.partner.products["apples"]
    first = ready_and_assigned(app, world, create_order, products={water: 2, apples: 1})
    second = ready_and_assigned(app, world, create_order, products={water: 1})
    page = text_of(world.couriers[0].get("/courier"))
    route = page.split('id="route"')[1].split("</section>")[0]
    assert "<svg" in route and "data-route-map" in route and route.count('class="route-stop route-stop-') == 4
    route = route.split('class="route-stops"')[1]  # the list under the map (the map has its own text too)
    stops = [route.index(text) for text in (
        "Pick up at Test Store", f"2 × Mineral water (#{first})", f"1 × Mineral water (#{second})",
        "Pick up at Fruit Corner", f"1 × Apples (#{first})")]
    assert stops == sorted(stops)  # the store first, with its goods; then the partner shop, with its own
    assert f"Apples (#{first})" not in route[:stops[3]]
    doors = [route.index(f"Order #{first}", route.index("Deliver to")),
             route.index(f"Order #{second}", route.index("Deliver to"))]
    assert doors == sorted(doors)  # the doors in task order, as the dispatcher plans them
    # Once picked up, only the door is left for that order.
    task_id = order_row(app, first)["task_id"]
    assert courier_act(world.couriers[0], task_id, "picked-up").status_code == 303
    route = text_of(world.couriers[0].get("/courier")).split('id="route"')[1].split("</section>")[0]
    route = route.split('class="route-stops"')[1]
    assert f"(#{first})" not in route and f"(#{second})" in route


def test_no_route_without_deliveries(app, world):  # noqa: F811
    assert 'id="route"' not in text_of(world.couriers[0].get("/courier"))


# ---- what the resident sees -----------------------------------------------------------------------

def live(client, order_id):
    return client.get(f"/orders/{order_id}/status").get_json()


def test_the_resident_sees_the_courier_only_during_their_delivery(app, world, create_order):  # noqa: F811
    assert post_position(world.couriers[0], 31.2031, 121.4022).status_code == 204
    order_id = create_order(world.shopper, {world.shop.products["water"]: 1})
    assert live(world.resident, order_id)["courier_position"] is None  # placed: nobody carries it yet
    page = text_of(world.resident.get(f"/orders/{order_id}"))
    assert "data-live-map hidden" in page.replace('data-live-map  hidden', 'data-live-map hidden')
    for step in ("accept", "pick", "ready"):
        act(world.staff, order_id, step)
    assert live(world.resident, order_id)["courier_position"] is None
    act(world.staff, order_id, "assign", {"courier_id": world.courier_ids[0]})
    where = live(world.resident, order_id)["courier_position"]
    assert (where["lat"], where["lon"]) == (31.2031, 121.4022)
    page = text_of(world.resident.get(f"/orders/{order_id}"))
    assert "data-courier-dot" in page and "data-route-map" in page
    task_id = order_row(app, order_id)["task_id"]
    courier_act(world.couriers[0], task_id, "picked-up")
    assert live(world.resident, order_id)["courier_position"] is not None
    code = order_row(app, order_id)["code"]
    courier_act(world.couriers[0], task_id, "delivered", {"code": code})
    assert live(world.resident, order_id)["courier_position"] is None  # delivered: no more tracking


def test_another_residents_order_shows_nothing(app, world, create_order, create_shopper, login_client):  # noqa: F811
    order_id = ready_and_assigned(app, world, create_order)
    neighbour = create_shopper(world.shop, phone="+8613900099911", name="Neighbour")
    client = login_client(neighbour.phone)
    assert client.get(f"/orders/{order_id}/status").status_code == 404
    assert client.get(f"/orders/{order_id}").status_code == 404


def test_a_late_order_shows_the_new_time_and_lands_in_the_inbox(app, world, create_order):  # noqa: F811
    order_id = create_order(world.shopper, {world.shop.products["water"]: 1})
    for step in ("accept", "pick", "ready"):
        act(world.staff, order_id, step)
    now = utcnow()
    with app.app_context(), transaction():
        # Promised five minutes ago: the predicted slip reaches the one threshold (LATE_NOTICE_MIN).
        past = now - timedelta(minutes=5)
        db.session.execute(db.update(Order).where(Order.id == order_id).values(promised_at=past))
        db.session.execute(db.update(DeliveryTask).where(DeliveryTask.order_id == order_id).values(promised_at=past))
    with app.app_context():
        cycle.run_cycle(world.shop.store_id, now)
    data = live(world.resident, order_id)
    assert data["late"] is True and data["late_text"] and data["minutes_left"] >= 1
    page = text_of(world.resident.get(f"/orders/{order_id}"))
    assert "Running late" in page
    me = text_of(world.resident.get("/me"))
    assert "1 new" in me
    inbox = text_of(world.resident.get("/inbox"))
    assert "Your order is running late" in inbox and f"Order #{order_id} will arrive around" in inbox
    assert f'href="/orders/{order_id}"' in inbox
    assert post_form(world.resident, "/inbox/read", token_from="/inbox").status_code == 303
    assert "new" not in text_of(world.resident.get("/me")).split("Messages")[1].split("</a>")[0]


def test_an_empty_inbox_says_so(app, world):  # noqa: F811
    assert "No messages yet" in text_of(world.resident.get("/inbox"))
    assert world.staff.get("/inbox").status_code == 200


# ---- a failed delivery's photo ----------------------------------------------------------------------

PNG = photo_bytes("PNG", (30, 20))


def fail_with_photo(client, task_id, data):
    from io import BytesIO
    return client.post(f"/courier/tasks/{task_id}/failed", content_type="multipart/form-data",
                       data=with_csrf(client, {"reason": "nobody_home", "photo": (BytesIO(data), "door.png")},
                                      "/courier"))


def test_a_failed_delivery_keeps_the_door_photo_for_staff_and_the_resident(app, world, create_order,  # noqa: F811
                                                                           create_shopper, login_client):
    order_id = ready_and_assigned(app, world, create_order)
    task_id = order_row(app, order_id)["task_id"]
    courier_act(world.couriers[0], task_id, "picked-up")
    assert fail_with_photo(world.couriers[0], task_id, PNG).status_code == 303
    assert order_row(app, order_id)["status"] == "failed"
    with world.staff.get(f"/deliveries/{order_id}/door-photo") as photo:
        assert photo.status_code == 200 and photo.mimetype == "image/webp"
        assert decoded(photo.data)[:2] == ("WEBP", (30, 20))  # kept re-encoded
        kept = photo.data
    with world.resident.get(f"/deliveries/{order_id}/door-photo") as photo:
        assert photo.data == kept
    assert "door-photo" in text_of(world.resident.get(f"/orders/{order_id}"))
    neighbour = login_client(create_shopper(world.shop, phone="+8613900099912", name="Neighbour").phone)
    assert neighbour.get(f"/deliveries/{order_id}/door-photo").status_code == 404
    assert world.couriers[1].get(f"/deliveries/{order_id}/door-photo").status_code == 404


def test_a_file_that_is_not_a_photo_is_refused_and_the_delivery_stays_open(app, world, create_order):  # noqa: F811
    order_id = ready_and_assigned(app, world, create_order)
    task_id = order_row(app, order_id)["task_id"]
    courier_act(world.couriers[0], task_id, "picked-up")
    response = fail_with_photo(world.couriers[0], task_id, b"MZ\x90\x00 not an image")
    assert response.status_code == 400 and "JPEG, PNG or WebP" in text_of(response)
    assert order_row(app, order_id)["status"] == "picked_up"
