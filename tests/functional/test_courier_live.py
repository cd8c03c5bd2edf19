"""The courier's live page: /courier/live answers the live part with an ETag, an empty 304 while
nothing changed, and a new fragment when a task is given, changed or withdrawn; navigation links
for each stop; the call to the resident goes through a logged redirect, and the number never
appears on the page."""
from urllib.parse import parse_qs

from store_app.deliveries.models import TaskCall
from store_app.extensions import db
from store_app.accounts.models import User

from .conftest import text_of
from .test_courier_tracking import ready_and_assigned
from .test_order_board import act, courier_act, order_row, world  # noqa: F401  (fixture)

LIVE = "/courier/live"


def poll(client, etag=None):
    return client.get(LIVE, headers={"If-None-Match": etag} if etag else {})


def phone_of(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).phone


def calls(app):
    with app.app_context():
        return [(c.task_id, c.courier_id) for c in db.session.scalars(db.select(TaskCall).order_by(TaskCall.id))]


def test_the_live_part_answers_304_until_a_task_is_given(app, world, create_order):  # noqa: F811
    courier = world.couriers[0]
    first = poll(courier)
    assert first.status_code == 200 and first.headers["X-Courier-Live"] == "1"
    etag = first.headers["ETag"]
    assert etag and "no-store" in first.headers["Cache-Control"]
    again = poll(courier, etag)
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag

    order_id = ready_and_assigned(app, world, create_order)
    task_id = order_row(app, order_id)["task_id"]
    changed = poll(courier, etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    html = text_of(changed)
    assert f'data-live-key="task-{task_id}"' in html
    assert "<html" not in html  # a fragment, not a page
    # The next step is in the fragment: pick the order up.
    assert f'action="/courier/tasks/{task_id}/picked-up"' in html.split('class="next-action"')[1]
    assert poll(courier, changed.headers["ETag"]).status_code == 304


def test_the_page_and_the_fragment_carry_the_same_version(app, world, create_order):  # noqa: F811
    ready_and_assigned(app, world, create_order)
    page = text_of(world.couriers[0].get("/courier"))
    version = page.split('data-etag="')[1].split('"')[0]
    assert poll(world.couriers[0], f'"{version}"').status_code == 304


def test_a_changed_task_changes_the_fragment(app, world, create_order):  # noqa: F811
    order_id = ready_and_assigned(app, world, create_order)
    courier = world.couriers[0]
    etag = poll(courier).headers["ETag"]
    assert courier_act(courier, order_row(app, order_id)["task_id"], "picked-up").status_code == 303
    changed = poll(courier, etag)
    assert changed.status_code == 200
    # Picked up: the next step is now the code at the door.
    assert 'id="next-code"' in text_of(changed)


def test_a_withdrawn_task_leaves_the_fragment(app, world, create_order):  # noqa: F811
    order_id = ready_and_assigned(app, world, create_order)
    task_id = order_row(app, order_id)["task_id"]
    first = poll(world.couriers[0])
    assert f'data-live-key="task-{task_id}"' in text_of(first)
    # Staff give the order to the other courier: it is withdrawn from the first one.
    assert act(world.staff, order_id, "assign", {"courier_id": world.courier_ids[1]}).status_code == 303
    withdrawn = poll(world.couriers[0], first.headers["ETag"])
    assert withdrawn.status_code == 200
    html = text_of(withdrawn)
    assert f"task-{task_id}" not in html and 'class="next-action"' not in html
    assert f'data-live-key="task-{task_id}"' in text_of(poll(world.couriers[1]))


def test_the_live_part_is_for_couriers_only(app, world):  # noqa: F811
    assert world.resident.get(LIVE).status_code in (403, 404)
    assert world.staff.get(LIVE).status_code in (403, 404)


def test_each_stop_opens_the_phones_navigation(app, world, create_order):  # noqa: F811
    order_id = ready_and_assigned(app, world, create_order)
    with app.app_context():
        from store_app.orders.models import Order
        order = db.session.get(Order, order_id)
        lat, lon = f"{order.lat:.6f}", f"{order.lon:.6f}"
    html = text_of(world.couriers[0].get("/courier"))
    assert f'href="geo:{lat},{lon}?q={lat},{lon}(' in html
    amap = [part.split('"')[0] for part in html.split('href="https://uri.amap.com/marker?')[1:]]
    assert any(parse_qs(q.replace("&amp;", "&"))["position"] == [f"{lon},{lat}"] for q in amap)
    assert f'href="https://maps.apple.com/?daddr={lat}%2C{lon}"' in html


def test_the_call_goes_through_a_logged_redirect_and_the_number_is_not_on_the_page(
        app, world, create_order):  # noqa: F811
    order_id = ready_and_assigned(app, world, create_order)
    task_id = order_row(app, order_id)["task_id"]
    phone = phone_of(app, world.shopper.user_id)
    courier = world.couriers[0]
    for html in (text_of(courier.get("/courier")), text_of(poll(courier))):
        assert phone not in html and phone[3:] not in html and "tel:" + phone not in html
        assert f'href="/courier/tasks/{task_id}/call"' in html
    response = courier.get(f"/courier/tasks/{task_id}/call")
    assert response.status_code == 303 and response.headers["Location"] == "tel:" + phone
    assert calls(app) == [(task_id, world.courier_ids[0])]


def test_only_the_couriers_own_active_task_can_be_called(app, world, create_order):  # noqa: F811
    order_id = ready_and_assigned(app, world, create_order)
    task_id = order_row(app, order_id)["task_id"]
    # Another courier, a resident, a missing task: 404 (or refused for the resident), nothing logged.
    assert world.couriers[1].get(f"/courier/tasks/{task_id}/call").status_code == 404
    assert world.resident.get(f"/courier/tasks/{task_id}/call").status_code in (403, 404)
    assert world.couriers[0].get(f"/courier/tasks/{task_id + 999}/call").status_code == 404
    # Delivered: the task is no longer active, and the number is no longer given.
    courier = world.couriers[0]
    assert courier_act(courier, task_id, "picked-up").status_code == 303
    code = order_row(app, order_id)["code"]
    assert courier_act(courier, task_id, "delivered", {"code": code}).status_code == 303
    refused = courier.get(f"/courier/tasks/{task_id}/call")
    assert refused.status_code == 404 and "tel:" not in refused.headers.get("Location", "")
    assert calls(app) == []


def test_the_next_step_is_on_the_courier_page_in_chinese(app, world, create_order):  # noqa: F811
    order_id = ready_and_assigned(app, world, create_order)
    courier = world.couriers[0]
    courier.set_cookie("lang", "zh")
    html = text_of(courier.get("/courier"))
    bar = html.split('class="next-action"')[1].split("</section>")[0]
    assert f"#{order_id}" in bar and "确认取货" in bar and "导航" in bar
    assert "Navigate" not in html and "Picked up" not in bar
