"""A refused upload leaves no file behind, whatever refused it and at whatever step: the files under
the instance folder are counted before and after each refusal (wrong owner, wrong type, too big, a
bomb, a truncated photo, a bad form, no CSRF token, a lost race), and a kept photo has no EXIF."""
import io

import pytest

from store_app.database import transaction
from store_app.extensions import db
from store_app.orders.models import Order, VoiceOrder
from store_app.roles import Role
from tests.photo_files import decoded, instance_files, photo_bytes, png_declaring

from .catalogue_helpers import catalogue, shop  # noqa: F401  (fixtures)
from .conftest import post_form, text_of
from .test_courier_tracking import ready_and_assigned
from .test_order_board import courier_act, order_row, world  # noqa: F401  (fixture)

GPS_PHOTO = photo_bytes("JPEG", (60, 30), gps=True, orientation=6)
WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 200


# ---- the courier's door photo ---------------------------------------------------------------------

@pytest.fixture
def picked_up(app, world, create_order):  # noqa: F811
    """An order picked up by courier 0: ``(order id, task id)``."""
    order_id = ready_and_assigned(app, world, create_order)
    task_id = order_row(app, order_id)["task_id"]
    assert courier_act(world.couriers[0], task_id, "picked-up").status_code == 303
    return order_id, task_id


def fail(client, task_id, photo, reason="nobody_home", filename="door.jpg", csrf=True):
    data = {"reason": reason, "photo": (io.BytesIO(photo), filename)}
    if csrf:
        return post_form(client, f"/courier/tasks/{task_id}/failed", data, token_from="/courier",
                         content_type="multipart/form-data", headers={"Accept-Language": "en"})
    return client.post(f"/courier/tasks/{task_id}/failed", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("photo, filename, status, message", [
    (b"MZ\x90\x00 not an image", "door.jpg", 400, "Only JPEG, PNG or WebP photos can be used."),
    (photo_bytes("GIF", (10, 10)), "door.png", 400, "Only JPEG, PNG or WebP photos can be used."),
    (png_declaring(100_000, 100_000), "door.png", 400, "This photo has too many pixels: at most 25 megapixels."),
    (GPS_PHOTO[: len(GPS_PHOTO) // 2], "door.jpg", 400, "This photo cannot be read"),
])
def test_a_door_photo_that_is_not_a_photo_leaves_nothing(app, world, picked_up,  # noqa: F811
                                                         photo, filename, status, message):
    order_id, task_id = picked_up
    before = instance_files(app)
    response = fail(world.couriers[0], task_id, photo, filename=filename)
    assert response.status_code == status and message in text_of(response)
    assert instance_files(app) == before
    assert order_row(app, order_id)["status"] == "picked_up"


def test_a_door_photo_for_someone_elses_task_is_404_and_leaves_nothing(app, world, picked_up):  # noqa: F811
    order_id, task_id = picked_up
    before = instance_files(app)
    assert fail(world.couriers[1], task_id, GPS_PHOTO).status_code == 404
    assert instance_files(app) == before and order_row(app, order_id)["status"] == "picked_up"


def test_a_bad_form_a_missing_token_or_a_lost_race_leave_nothing(app, world, picked_up):  # noqa: F811
    order_id, task_id = picked_up
    before = instance_files(app)
    assert fail(world.couriers[0], task_id, GPS_PHOTO, reason="").status_code == 400  # no reason given
    assert fail(world.couriers[0], task_id, GPS_PHOTO, csrf=False).status_code == 400
    assert instance_files(app) == before
    # The race: the order moved on (here: failed already) between the courier's page and the photo.
    with app.app_context(), transaction():
        db.session.get(Order, order_id).status = "failed"
    assert fail(world.couriers[0], task_id, GPS_PHOTO).status_code == 409
    assert instance_files(app) == before


def test_a_door_photo_too_big_leaves_nothing(app, world, picked_up):  # noqa: F811
    order_id, task_id = picked_up
    app.config["DOOR_PHOTO_MAX_BYTES"] = 100 * 1024
    before = instance_files(app)
    big = photo_bytes("PNG", (20, 20)) + b"\x00" * (100 * 1024)
    response = fail(world.couriers[0], task_id, big, filename="door.png")
    assert response.status_code == 400 and "The photo is too large" in text_of(response)
    huge = fail(world.couriers[0], task_id, big + b"\x00" * (100 * 1024), filename="door.png")
    assert huge.status_code == 413 and "At most 164 kB can be sent at once." in text_of(huge)
    assert instance_files(app) == before and order_row(app, order_id)["status"] == "picked_up"


def test_a_kept_door_photo_is_one_file_without_exif_and_upright(app, world, picked_up):  # noqa: F811
    order_id, task_id = picked_up
    before = instance_files(app)
    assert fail(world.couriers[0], task_id, GPS_PHOTO).status_code == 303
    with app.app_context():
        name = db.session.get(Order, order_id).failure_photo
    assert instance_files(app) == sorted([*before, f"uploads/deliveries/{name}"])
    with world.staff.get(f"/deliveries/{order_id}/door-photo") as photo:
        fmt, size, exif, _info = decoded(photo.data)
    assert (fmt, size, exif) == ("WEBP", (30, 60), {})  # turned upright, no GPS, no camera
    assert b"PhoneCo" not in photo.data


# ---- product photos ---------------------------------------------------------------------------------

@pytest.fixture
def staff(shop, login_client):  # noqa: F811
    return login_client(shop["users"][Role.STAFF][1])


def product_form(shop, **overrides):  # noqa: F811
    data = {"name_zh": "纯牛奶", "name_en": "Whole Milk", "category_id": str(shop["categories"]["dairy"]),
            "merchant_id": "", "price": "12.50", "stock": "24", "barcode": "6901234567892",
            "unit_label": "1 L", "is_active": "y"}
    return {**data, **overrides}


def save_product(staff, shop, product_id, photo, **fields):  # noqa: F811
    form = product_form(shop, image=(io.BytesIO(photo), "photo.jpg"), **fields)
    return post_form(staff, f"/console/products/{product_id}", form, content_type="multipart/form-data",
                     headers={"Accept-Language": "en"})


def image_of(app, product_id):
    from store_app.catalogue.models import Product
    with app.app_context():
        return db.session.get(Product, product_id).image_filename


def test_a_product_form_refused_after_the_photo_was_read_leaves_nothing(app, shop, staff):  # noqa: F811
    milk, yoghurt = shop["products"]["milk"], shop["products"]["yoghurt"]
    before = instance_files(app)
    assert save_product(staff, shop, milk, GPS_PHOTO, price="oops").status_code == 400
    taken = save_product(staff, shop, yoghurt, GPS_PHOTO, name_en="Yoghurt")  # milk's barcode: taken
    assert taken.status_code == 400 and "Another product already has this barcode." in text_of(taken)
    bomb = save_product(staff, shop, milk, png_declaring(6000, 6000))
    assert bomb.status_code == 400 and "too many pixels" in text_of(bomb)
    assert instance_files(app) == before
    assert image_of(app, milk) is None and image_of(app, yoghurt) is None


def test_a_new_photo_replaces_the_old_only_when_saved(app, shop, staff):  # noqa: F811
    milk = shop["products"]["milk"]
    assert save_product(staff, shop, milk, GPS_PHOTO).status_code == 303
    first = image_of(app, milk)
    kept = instance_files(app)
    assert f"uploads/products/{first}" in kept
    assert save_product(staff, shop, milk, photo_bytes("PNG", (5, 5)), price="oops").status_code == 400
    assert image_of(app, milk) == first and instance_files(app) == kept  # the old photo stays
    assert save_product(staff, shop, milk, photo_bytes("PNG", (5, 5))).status_code == 303
    second = image_of(app, milk)
    assert second != first and instance_files(app) == [f"uploads/products/{second}" if p.endswith(first) else p
                                                       for p in kept]


# ---- voice notes -------------------------------------------------------------------------------------

@pytest.fixture
def resident(community, login_client):
    return login_client(community["users"][Role.RESIDENT][1])


def send_voice(client, text, audio, filename="note.webm"):
    return post_form(client, "/voice", {"text": text, "audio": (io.BytesIO(audio), filename)}, token_from="/voice",
                     content_type="multipart/form-data", headers={"Accept-Language": "en"})


def test_a_refused_voice_note_leaves_nothing(app, resident, count):
    before = instance_files(app)
    assert send_voice(resident, "x" * 1001, WEBM).status_code == 400  # the text is too long
    assert send_voice(resident, "milk", b"<html>not audio</html>").status_code == 415
    assert instance_files(app) == before and count(VoiceOrder) == 0
    assert send_voice(resident, "milk", WEBM).status_code == 303
    assert len(instance_files(app)) == len(before) + 1 and count(VoiceOrder) == 1
