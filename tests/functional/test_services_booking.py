"""The resident's Services pages, the staff's booking pages and the services API through the test
client, the views' clock fixed on Monday 2026-12-07 09:00 Shanghai: browse, hold, confirm, the live
status, cancel with its fee, reschedule; roles, foreign ids (404), CSRF, "just taken" with next slots."""
import re
from datetime import timedelta

import pytest

from services.booking_models import Booking
from store_app.extensions import db
from store_app.roles import Role
from tests.booking_support import IN_TWO_DAYS, NOW, TOMORROW, at, build_market
from tests.conftest import AuthActions, add_shopper

CLOCKED = ("services.resident_views", "services.api_views", "services.console_booking_views")


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fixed = Clock(NOW)
    for module in CLOCKED:
        monkeypatch.setattr(f"{module}.utcnow", fixed)
    return fixed


@pytest.fixture
def market(app, clock):
    with app.app_context():
        ids = build_market(crews=1)
        other = add_shopper(ids.shop, balance_cents=100_000)
        ids.other_phone, ids.other_id, ids.other_address_id = other.phone, other.user_id, other.address_id
        return ids


def login(client, phone):
    auth = AuthActions(client)
    assert auth.login(phone).status_code in (302, 303)
    return auth


def hold(auth, m, starts_at, key="key-00000001"):
    return auth.post(f"/services/offerings/{m.offering_id}/hold",
                     {"starts_at": starts_at.isoformat(), "idempotency_key": key}, token_from="/services")


def confirm(auth, booking_id, m, payment="wallet"):
    return auth.post(f"/services/bookings/{booking_id}/confirm",
                     {"address_id": str(m.address_id), "description": "厨房", "payment_method": payment},
                     token_from="/services")


def test_a_resident_browses_and_books_a_cleaning(client, market):
    auth = login(client, market.phone)
    home = client.get("/services")
    assert home.status_code == 200
    assert "家政保洁" in home.get_data(as_text=True) or "Cleaning" in home.get_data(as_text=True)
    category = client.get(f"/services/categories/{market.category_id}").get_data(as_text=True)
    assert f"/services/offerings/{market.offering_id}" in category
    page = client.get(f"/services/offerings/{market.offering_id}").get_data(as_text=True)
    assert at(TOMORROW, 10).isoformat() in page and at(TOMORROW, 7).isoformat() not in page
    held = hold(auth, market, at(TOMORROW, 10))
    assert held.status_code == 303 and "/confirm" in held.headers["Location"]
    booking_id = int(re.search(r"/bookings/(\d+)/confirm", held.headers["Location"]).group(1))
    assert client.get(held.headers["Location"]).status_code == 200
    done = confirm(auth, booking_id, market)
    assert done.status_code == 303
    with client.application.app_context():
        made = db.session.get(Booking, booking_id)
        assert made.status == "requested" and made.held_cents == 20000 and made.description == "厨房"
    status = client.get(f"/services/bookings/{booking_id}")
    assert status.status_code == 200
    live = client.get(f"/services/bookings/{booking_id}/live")
    assert live.headers.get("X-Services-Live") == "1" and 'data-status="requested"' in live.get_data(as_text=True)
    assert f"/services/bookings/{booking_id}" in client.get("/services/bookings").get_data(as_text=True)


def test_the_second_resident_gets_a_clean_409_with_the_next_free_times(client, app, market):
    auth = login(client, market.phone)
    hold(auth, market, at(TOMORROW, 10))
    other = app.test_client()
    other_auth = login(other, market.other_phone)
    taken = hold(other_auth, market, at(TOMORROW, 10), key="key-00000002")
    text = taken.get_data(as_text=True)
    assert taken.status_code == 409 and at(TOMORROW, 12, 30).isoformat() in text


def test_a_late_cancel_shows_and_keeps_the_fee(client, market, clock):
    auth = login(client, market.phone)
    held = hold(auth, market, at(TOMORROW, 10))
    booking_id = int(re.search(r"/bookings/(\d+)/confirm", held.headers["Location"]).group(1))
    confirm(auth, booking_id, market)
    clock.now = at(TOMORROW, 8)
    page = client.get(f"/services/bookings/{booking_id}").get_data(as_text=True)
    assert "¥100.00" in page
    assert auth.post(f"/services/bookings/{booking_id}/cancel", {}, token_from="/services").status_code == 303
    with client.application.app_context():
        made = db.session.get(Booking, booking_id)
        assert made.status == "cancelled" and made.fee_cents == 10000


def test_a_resident_reschedules_early_to_another_free_time(client, market):
    auth = login(client, market.phone)
    held = hold(auth, market, at(IN_TWO_DAYS, 10))
    booking_id = int(re.search(r"/bookings/(\d+)/confirm", held.headers["Location"]).group(1))
    confirm(auth, booking_id, market)
    page = client.get(f"/services/bookings/{booking_id}/reschedule").get_data(as_text=True)
    assert at(IN_TWO_DAYS, 14).isoformat() in page
    moved = auth.post(f"/services/bookings/{booking_id}/reschedule", {"starts_at": at(IN_TWO_DAYS, 14).isoformat()},
                      token_from="/services")
    assert moved.status_code == 303
    with client.application.app_context():
        assert db.session.get(Booking, booking_id).starts_at == at(IN_TWO_DAYS, 14)


def test_foreign_and_missing_bookings_are_404_and_staff_are_kept_out_of_resident_pages(client, app, market,
                                                                                          create_user):
    auth = login(client, market.phone)
    held = hold(auth, market, at(TOMORROW, 10))
    booking_id = int(re.search(r"/bookings/(\d+)/confirm", held.headers["Location"]).group(1))
    other = app.test_client()
    other_auth = login(other, market.other_phone)
    for path in (f"/services/bookings/{booking_id}", f"/services/bookings/{booking_id}/confirm",
                 f"/services/bookings/{booking_id}/live", "/services/bookings/99999",
                 "/services/offerings/99999", "/services/categories/99999"):
        assert other.get(path).status_code == 404, path
    assert other_auth.post(f"/services/bookings/{booking_id}/cancel", {}, token_from="/services").status_code == 404
    assert other.get(f"/api/v1/services/bookings/{booking_id}").status_code == 404
    staff_id, staff_phone = create_user(market.store_id, Role.STAFF)
    staff = app.test_client()
    login(staff, staff_phone)
    assert staff.get("/services").status_code == 403


def test_a_post_without_its_csrf_token_is_refused(client, market):
    login(client, market.phone)
    refused = client.post(f"/services/offerings/{market.offering_id}/hold",
                          data={"starts_at": at(TOMORROW, 10).isoformat(), "idempotency_key": "key-00000009"})
    assert refused.status_code == 400
    with client.application.app_context():
        assert db.session.scalar(db.select(db.func.count(Booking.id))) == 0


def test_the_confirm_form_comes_back_filled_in_when_the_wallet_is_short(client, app, market):
    with app.app_context():
        poor = add_shopper(market.shop, balance_cents=100)
    auth = login(client, poor.phone)
    held = hold(auth, market, at(TOMORROW, 10))
    booking_id = int(re.search(r"/bookings/(\d+)/confirm", held.headers["Location"]).group(1))
    refused = auth.post(f"/services/bookings/{booking_id}/confirm",
                        {"address_id": str(poor.address_id), "description": "阳台很脏", "payment_method": "wallet"},
                        token_from="/services")
    assert refused.status_code == 409 and "阳台很脏" in refused.get_data(as_text=True)


def test_the_api_books_replays_and_answers_409_with_next_slots(client, app, market):
    login(client, market.phone)
    headers = {"X-CSRFToken": re.search(r'name="csrf-token" content="([^"]+)"',
                                        client.get("/services").get_data(as_text=True)).group(1)}
    assert [c["slug"] for c in client.get("/api/v1/services/categories").get_json()] == ["cleaning"]
    offerings = client.get(f"/api/v1/services/offerings?category={market.category_id}").get_json()
    assert [o["offering_id"] for o in offerings] == [market.offering_id]
    slots = client.get(f"/api/v1/services/offerings/{market.offering_id}/slots?from={TOMORROW}&days=1").get_json()
    assert slots[0]["starts_at"] == at(TOMORROW, 8).isoformat()
    body = {"offering_id": market.offering_id, "starts_at": at(TOMORROW, 10).isoformat(),
            "address_id": market.address_id, "idempotency_key": "api-key-0001"}
    first = client.post("/api/v1/services/bookings", json=body, headers=headers)
    assert first.status_code == 201 and first.get_json()["status"] == "requested"
    again = client.post("/api/v1/services/bookings", json=body, headers=headers)
    assert again.get_json()["booking_id"] == first.get_json()["booking_id"]
    assert [b["booking_id"] for b in client.get("/api/v1/services/bookings").get_json()] == [
        first.get_json()["booking_id"]]
    other = app.test_client()
    login(other, market.other_phone)
    other_headers = {"X-CSRFToken": re.search(r'name="csrf-token" content="([^"]+)"',
                                              other.get("/services").get_data(as_text=True)).group(1)}
    taken = other.post("/api/v1/services/bookings", headers=other_headers,
                       json={**body, "address_id": market.other_address_id, "idempotency_key": "api-key-0002"})
    assert taken.status_code == 409 and taken.get_json()["next_slots"]
    booking_id = first.get_json()["booking_id"]
    cancelled = client.post(f"/api/v1/services/bookings/{booking_id}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"


def test_staff_cancel_and_verify_addresses_from_the_console(client, app, market, create_user, clock):
    auth = login(client, market.phone)
    held = hold(auth, market, at(TOMORROW, 10))
    booking_id = int(re.search(r"/bookings/(\d+)/confirm", held.headers["Location"]).group(1))
    confirm(auth, booking_id, market)
    _staff_id, staff_phone = create_user(market.store_id, Role.STAFF)
    staff = app.test_client()
    staff_auth = login(staff, staff_phone)
    clock.now = at(TOMORROW, 9, 50)
    assert staff.get(f"/console/services/bookings/{booking_id}").status_code == 200
    done = staff_auth.post(f"/console/services/bookings/{booking_id}/cancel", {},
                           token_from="/console/services/verify-address")
    assert done.status_code == 303
    with app.app_context():
        assert db.session.get(Booking, booking_id).cancelled_by == "staff"
    found = staff.get(f"/console/services/verify-address?phone={market.phone}").get_data(as_text=True)
    assert f'value="{market.address_id}"' in found
    verified = staff_auth.post("/console/services/verify-address", {"phone": market.phone,
                                                                    "address_id": str(market.address_id)},
                               token_from="/console/services/verify-address")
    assert verified.status_code == 303
    assert "Verify this address" not in staff.get(f"/console/services/verify-address?phone={market.phone}",
                                                  headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_a_lapsed_hold_answers_409_with_the_next_times_on_confirm(client, market, clock):
    auth = login(client, market.phone)
    held = hold(auth, market, at(TOMORROW, 10))
    booking_id = int(re.search(r"/bookings/(\d+)/confirm", held.headers["Location"]).group(1))
    clock.now = NOW + timedelta(minutes=6)
    late = confirm(auth, booking_id, market)
    assert late.status_code == 409 and at(TOMORROW, 10).isoformat() in late.get_data(as_text=True)


def test_the_api_reschedules_and_refuses_inside_the_fee_window(client, market, clock):
    login(client, market.phone)
    headers = {"X-CSRFToken": re.search(r'name="csrf-token" content="([^"]+)"',
                                        client.get("/services").get_data(as_text=True)).group(1)}
    made = client.post("/api/v1/services/bookings", headers=headers, json={
        "offering_id": market.offering_id, "starts_at": at(IN_TWO_DAYS, 10).isoformat(),
        "address_id": market.address_id, "idempotency_key": "api-key-0003"}).get_json()
    path = f"/api/v1/services/bookings/{made['booking_id']}/reschedule"
    moved = client.post(path, headers=headers, json={"starts_at": at(IN_TWO_DAYS, 14).isoformat()})
    assert moved.status_code == 200 and moved.get_json()["starts_at"] == at(IN_TWO_DAYS, 14).isoformat()
    assert client.post(path, headers=headers, json={"starts_at": "tomorrow"}).status_code == 400
    clock.now = at(IN_TWO_DAYS, 1)
    refused = client.post(path, headers=headers, json={"starts_at": at(IN_TWO_DAYS, 16).isoformat()})
    assert refused.status_code == 409 and refused.get_json()["status"] == 409
    assert client.get(f"/api/v1/services/bookings/{made['booking_id']}").get_json()["cancel_fee_now_cents"] == 10000


def test_photos_are_kept_re_encoded_and_a_file_that_is_no_photo_keeps_nothing(client, app, market):
    import io

    from tests.photo_files import decoded, instance_files, photo_bytes

    auth = login(client, market.phone)
    held = hold(auth, market, at(TOMORROW, 10))
    booking_id = int(re.search(r"/bookings/(\d+)/confirm", held.headers["Location"]).group(1))
    before = instance_files(app)
    refused = auth.post(f"/services/bookings/{booking_id}/confirm", {
        "address_id": str(market.address_id), "description": "水槽", "payment_method": "wallet",
        "photos": [(io.BytesIO(b"not a photo"), "a.jpg")]}, token_from="/services", content_type="multipart/form-data")
    assert refused.status_code == 400 and "水槽" in refused.get_data(as_text=True)
    assert instance_files(app) == before
    done = auth.post(f"/services/bookings/{booking_id}/confirm", {
        "address_id": str(market.address_id), "description": "水槽", "payment_method": "wallet",
        "photos": [(io.BytesIO(photo_bytes(gps=True)), "sink.jpg")]}, token_from="/services",
        content_type="multipart/form-data")
    assert done.status_code == 303
    with app.app_context():
        from services.booking import PHOTO_FOLDER
        from store_app.uploads import storage

        names = db.session.get(Booking, booking_id).photos
        assert len(names) == 1 and len(set(instance_files(app)) - set(before)) == 1
        kept = storage.path_of(PHOTO_FOLDER, names[0]).read_bytes()
    assert decoded(kept)[2] == {}  # re-encoded: the GPS position is gone


HOSTILE = ("2147483648", "-5", "NaN", "abc", "", "x" * 5000, "2026-13-40T99:99:99+00:00", "9999-01-01T00:00:00",
           "2026-12-08T02:00:00", "0001-01-01T00:00:00+00:00")


def test_hostile_values_on_real_bookings_get_a_4xx_and_change_nothing(client, market):
    auth = login(client, market.phone)
    held = hold(auth, market, at(TOMORROW, 10))
    booking_id = int(re.search(r"/bookings/(\d+)/confirm", held.headers["Location"]).group(1))
    headers = {"X-CSRFToken": re.search(r'name="csrf-token" content="([^"]+)"',
                                        client.get("/services").get_data(as_text=True)).group(1)}
    for value in HOSTILE:
        answers = [
            auth.post(f"/services/offerings/{market.offering_id}/hold",
                                    {"starts_at": value, "idempotency_key": value}, token_from="/services").status_code,
            auth.post(f"/services/bookings/{booking_id}/confirm",
                      {"address_id": value, "description": value, "payment_method": value},
                      token_from="/services").status_code,
            auth.post(f"/services/bookings/{booking_id}/reschedule", {"starts_at": value},
                      token_from="/services").status_code,
            client.post("/api/v1/services/bookings", headers=headers, json={
                "offering_id": market.offering_id, "starts_at": value, "address_id": market.address_id,
                "idempotency_key": "hostile-key-1", "description": value}).status_code,
            client.post("/api/v1/services/bookings", headers=headers, json=[value]).status_code,
            client.get(f"/api/v1/services/offerings/{market.offering_id}/slots?from={value[:50]}&days={value[:50]}")
            .status_code,
            client.get(f"/api/v1/services/offerings?category={value[:50]}").status_code,
        ]
        assert all(status < 500 for status in answers), (value[:40], answers)
    with client.application.app_context():
        rows = db.session.scalars(db.select(Booking)).all()
        assert [(b.status, b.starts_at) for b in rows] == [("held", at(TOMORROW, 10))]


def test_the_booking_page_carries_the_job_and_what_comes_after(app, client, market):
    """Done by the vendor: the resident confirms it from their booking page (also in its live part);
    completed: the same page offers the review and the store's guarantee."""
    from services.models import Offering
    from store_app.database import transaction
    from tests.services_support import add_booking

    with app.app_context(), transaction():
        offering = db.session.get(Offering, market.offering_id)
        booking = add_booking(market.resident_id, offering, at(TOMORROW, 10), status="done", now=NOW,
                              done_at=NOW)
        booking_id = booking.id
    login(client, market.phone)
    page = client.get(f"/services/bookings/{booking_id}").get_data(as_text=True)
    live = client.get(f"/services/bookings/{booking_id}/live").get_data(as_text=True)
    for html in (page, live):
        assert f'action="/services/bookings/{booking_id}/confirm-done"' in html, html[-2000:]
    assert f"/services/bookings/{booking_id}/review" not in page

    with app.app_context(), transaction():
        db.session.execute(db.update(Booking).where(Booking.id == booking_id)
                           .values(status="completed", completed_at=NOW))
    page = client.get(f"/services/bookings/{booking_id}").get_data(as_text=True)
    assert f"/services/bookings/{booking_id}/review" in page
    assert f"/services/bookings/{booking_id}/claim" in page


def test_after_a_vendor_no_show_the_resident_rebooks_at_the_same_price_or_less(app, client, market):
    """The failed booking links to the category's other vendors that do the job for its price or less;
    a rebook id that is not the resident's own failed booking of the category answers 404."""
    from services.models import Offering, ServiceCategory
    from store_app.database import transaction
    from tests.services_support import add_booking, add_offering, add_vendor

    with app.app_context(), transaction():
        offering = db.session.get(Offering, market.offering_id)
        category = db.session.get(ServiceCategory, market.category_id)
        cheaper = add_offering(add_vendor(market.store_id, [category], name="平价家政"), category,
                               title_zh="平价保洁", title_en="Budget cleaning", price_cents=offering.price_cents - 1000)
        dearer = add_offering(add_vendor(market.store_id, [category], name="高端家政"), category,
                              title_zh="高端保洁", title_en="Premium cleaning", price_cents=offering.price_cents + 1000)
        failed = add_booking(market.resident_id, offering, at(TOMORROW, 10), status="vendor_no_show", now=NOW)
        waiting = add_booking(market.resident_id, offering, at(IN_TWO_DAYS, 10), now=NOW)
        ids = (failed.id, waiting.id, cheaper.id, dearer.id)
    failed_id, waiting_id, cheaper_id, dearer_id = ids
    login(client, market.phone)
    booking_page = client.get(f"/services/bookings/{failed_id}").get_data(as_text=True)
    rebook_url = f"/services/categories/{market.category_id}?rebook={failed_id}"
    assert rebook_url in booking_page
    page = client.get(rebook_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"/services/offerings/{cheaper_id}" in html
    assert f"/services/offerings/{dearer_id}" not in html
    assert f"/services/offerings/{market.offering_id}" not in html  # not the vendor who failed
    assert client.get(f"/services/categories/{market.category_id}").get_data(as_text=True).count(
        "/services/offerings/") > html.count("/services/offerings/")
    for bad in (waiting_id, 2**40, "x"):
        assert client.get(f"/services/categories/{market.category_id}?rebook={bad}").status_code == 404


def test_the_offering_page_shows_its_photos_and_the_vendors_visible_reviews(app, client, market):
    from services.booking_models import Review
    from services.models import Offering
    from store_app.database import transaction
    from tests.services_support import add_booking

    with app.app_context(), transaction():
        offering = db.session.get(Offering, market.offering_id)
        offering.photos = ["abc123.webp"]
        done = add_booking(market.resident_id, offering, at(TOMORROW, 10), status="completed", now=NOW)
        db.session.add(Review(booking_id=done.id, vendor_id=market.vendor_id, resident_id=market.resident_id,
                              stars=4, text="打扫得很干净", created_at=NOW))
        hidden = add_booking(market.resident_id, offering, at(IN_TWO_DAYS, 10), status="completed", now=NOW)
        db.session.add(Review(booking_id=hidden.id, vendor_id=market.vendor_id, resident_id=market.resident_id,
                              stars=1, text="被隐藏的评价", hidden_reason="辱骂", created_at=NOW))
    login(client, market.phone)
    html = client.get(f"/services/offerings/{market.offering_id}").get_data(as_text=True)
    assert "/vendor/photos/abc123.webp" in html
    assert "打扫得很干净" in html and "被隐藏的评价" not in html
