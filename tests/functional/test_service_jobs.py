"""The vendor's inbox and job pages, staff's queue, the resident's "confirm done" and the vendor jobs
API through the test client, with the views' clock fixed: the address hidden until acceptance,
foreign jobs 404, suspended vendors 403, the live part's ETag, every step's route."""
from datetime import timedelta

import pytest

from services.models import Vendor
from store_app.accounts.models import User
from store_app.database import transaction
from store_app.extensions import db
from store_app.roles import Role
from tests.conftest import AuthActions, csrf_token
from tests.jobs_support import BOOKED_AT, STARTS_AT, build_market
from tests.photo_files import photo_bytes

CLOCKED = ("services.job_views", "services.job_console_views", "services.job_api_views")
ADDRESS, PHONE = "1-101", "13900000000"


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fixed = Clock(BOOKED_AT + timedelta(minutes=5))
    for module in CLOCKED:
        monkeypatch.setattr(f"{module}.utcnow", fixed)
    return fixed


@pytest.fixture
def market(app, community, clock):
    return build_market(app, community["store_id"], community["users"][Role.RESIDENT][0])


def _login(app, client, user_id):
    with app.app_context():
        phone = db.session.get(User, user_id).phone
    auth = AuthActions(client)
    assert auth.login(phone).status_code in (302, 303)
    return auth


def test_the_inbox_shows_the_offer_with_its_countdown_but_not_the_address(app, client, market):
    auth = _login(app, client, market.owner_ids[0])
    page = client.get("/vendor/jobs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'data-job-id="{market.booking_id}"' in html and "data-deadline" in html
    assert ADDRESS not in html and PHONE not in html
    job = client.get(f"/vendor/jobs/{market.booking_id}").get_data(as_text=True)
    assert ADDRESS not in job and PHONE not in job
    accepted = auth.post(f"/vendor/jobs/{market.booking_id}/accept", token_from="/vendor/jobs")
    assert accepted.status_code == 303
    job = client.get(f"/vendor/jobs/{market.booking_id}").get_data(as_text=True)
    assert ADDRESS in job and PHONE in job


def test_the_live_part_answers_304_until_something_changes(app, client, market):
    auth = _login(app, client, market.owner_ids[0])
    first = client.get("/vendor/jobs/live")
    assert first.status_code == 200 and first.headers["X-Vendor-Jobs"] == "1" and first.headers["ETag"]
    same = client.get("/vendor/jobs/live", headers={"If-None-Match": first.headers["ETag"]})
    assert same.status_code == 304
    auth.post(f"/vendor/jobs/{market.booking_id}/accept", token_from="/vendor/jobs")
    changed = client.get("/vendor/jobs/live", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and ADDRESS in changed.get_data(as_text=True)


def test_a_job_not_offered_to_the_vendor_is_404_everywhere(app, client, market):
    auth = _login(app, client, market.owner_ids[1])
    assert client.get(f"/vendor/jobs/{market.booking_id}").status_code == 404
    assert auth.post(f"/vendor/jobs/{market.booking_id}/accept", token_from="/vendor/jobs").status_code == 404
    assert client.get("/api/v1/services/jobs").get_json() == {"offered": [], "accepted": []}
    answer = client.post(f"/api/v1/services/jobs/{market.booking_id}/accept",
                         headers={"X-CSRFToken": csrf_token(client, "/vendor/jobs")})
    assert answer.status_code == 404 and answer.get_json()["status"] == 404


def test_a_suspended_vendor_is_told_why_it_cannot_accept(app, client, market):
    with app.app_context(), transaction():
        db.session.get(Vendor, market.vendor_ids[0]).standing = "suspended"
    auth = _login(app, client, market.owner_ids[0])
    refused = auth.post(f"/vendor/jobs/{market.booking_id}/accept", token_from="/vendor/jobs",
                        headers={"Accept-Language": "en"})
    assert refused.status_code == 403 and "suspended" in refused.get_data(as_text=True)
    chinese = auth.post(f"/vendor/jobs/{market.booking_id}/accept", token_from="/vendor/jobs",
                        headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 403 and "暂停" in chinese.get_data(as_text=True)


def test_decline_goes_back_to_the_inbox_and_the_job_is_reoffered(app, client, market):
    auth = _login(app, client, market.owner_ids[0])
    answer = auth.post(f"/vendor/jobs/{market.booking_id}/decline", token_from="/vendor/jobs")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/vendor/jobs")
    with app.app_context():
        assert market.booking().status == "reoffered"


def test_a_late_answer_gets_the_job_page_with_a_409(app, client, market, clock):
    auth = _login(app, client, market.owner_ids[0])
    clock.now = BOOKED_AT + timedelta(minutes=31)
    for answer in ("decline", "accept"):
        late = auth.post(f"/vendor/jobs/{market.booking_id}/{answer}", token_from="/vendor/jobs")
        assert late.status_code == 409 and "/vendor/jobs" in late.get_data(as_text=True), answer
    with app.app_context():
        assert market.booking().status == "requested"


def test_the_api_lists_accepts_and_refuses_a_second_answer(app, client, market):
    _login(app, client, market.owner_ids[0])
    listed = client.get("/api/v1/services/jobs").get_json()
    assert [j["booking_id"] for j in listed["offered"]] == [market.booking_id]
    assert listed["offered"][0]["address"] is None and listed["offered"][0]["answer_by_at"]
    headers = {"X-CSRFToken": csrf_token(client, "/vendor/jobs")}
    taken = client.post(f"/api/v1/services/jobs/{market.booking_id}/accept", headers=headers)
    assert taken.status_code == 200 and taken.get_json()["address"].endswith(ADDRESS)
    again = client.post(f"/api/v1/services/jobs/{market.booking_id}/decline", headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]
    assert [j["status"] for j in client.get("/api/v1/services/jobs").get_json()["accepted"]] == ["accepted"]


def test_every_step_of_the_job_page(app, client, market, clock):
    auth = _login(app, client, market.owner_ids[0])
    job = f"/vendor/jobs/{market.booking_id}"
    assert auth.post(f"{job}/accept", token_from="/vendor/jobs").status_code == 303
    empty = auth.post(f"{job}/late", {"late_note": ""}, token_from="/vendor/jobs")
    assert empty.status_code == 400
    assert auth.post(f"{job}/late", {"late_note": "Traffic, 10:40"}, token_from="/vendor/jobs").status_code == 303
    assert "Traffic, 10:40" in client.get(job).get_data(as_text=True)
    clock.now = STARTS_AT
    for step in ("on-the-way", "arrived", "start"):
        assert auth.post(f"{job}/step/{step}", token_from="/vendor/jobs").status_code == 303, step
    no_photo = auth.post(f"{job}/done", {}, token_from="/vendor/jobs")
    assert no_photo.status_code == 400
    import io
    done = auth.post(f"{job}/done", {"photos": (io.BytesIO(photo_bytes()), "work.jpg")},
                     token_from="/vendor/jobs", content_type="multipart/form-data")
    assert done.status_code == 303
    with app.app_context():
        assert market.booking().status == "done"
        name = market.booking().completion_photos[0]
    again = auth.post(f"{job}/step/start", token_from="/vendor/jobs")
    assert again.status_code == 409
    photo = f"/services/bookings/{market.booking_id}/photos/{name}"
    assert photo in client.get(job).get_data(as_text=True)
    shown = client.get(photo)
    status, data = shown.status_code, shown.data
    shown.close()
    assert status == 200 and data[:4] == b"RIFF"
    auth.logout()
    _login(app, client, market.owner_ids[1])
    assert client.get(photo).status_code == 404
    assert client.get(f"/services/bookings/{market.booking_id}/photos/x.webp").status_code == 404


def test_give_back_needs_a_reason_then_refunds(app, client, market):
    auth = _login(app, client, market.owner_ids[0])
    job = f"/vendor/jobs/{market.booking_id}"
    auth.post(f"{job}/accept", token_from="/vendor/jobs")
    assert auth.post(f"{job}/give-back", {"reason": ""}, token_from="/vendor/jobs").status_code == 400
    assert auth.post(f"{job}/give-back", {"reason": "Ill today"}, token_from="/vendor/jobs").status_code == 303
    with app.app_context():
        assert market.booking().status == "vendor_no_show"


def test_a_vendor_login_without_a_vendor_sees_a_way_on(app, client, community):
    auth = _login(app, client, community["users"][Role.VENDOR][0])
    page = client.get("/vendor/jobs")
    assert page.status_code == 200 and "/me" in page.get_data(as_text=True)
    assert client.get("/vendor/jobs/1").status_code == 404
    assert auth.post("/vendor/jobs/1/accept", token_from="/vendor/jobs").status_code == 404


def test_staff_queue_assigns_and_cancels(app, client, market, community):
    with app.app_context(), transaction():
        market.booking().status = "escalated"
        market.booking().crew_id = None
    auth = _login(app, client, community["users"][Role.STAFF][0])
    page = client.get("/console/services/jobs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"#{market.booking_id}" in html and 'name="vendor_id"' in html
    assert auth.post(f"/console/services/jobs/{market.booking_id}/assign", {"vendor_id": "abc"},
                     token_from="/console/services/jobs").status_code == 400
    assert auth.post(f"/console/services/jobs/{market.booking_id}/assign", {"vendor_id": "999999"},
                     token_from="/console/services/jobs").status_code == 404
    assigned = auth.post(f"/console/services/jobs/{market.booking_id}/assign",
                         {"vendor_id": str(market.vendor_ids[1])}, token_from="/console/services/jobs")
    assert assigned.status_code == 303
    with app.app_context():
        assert (market.booking().status, market.booking().vendor_id) == ("accepted", market.vendor_ids[1])
    cancelled = auth.post(f"/console/services/jobs/{market.booking_id}/cancel", {"note": "Resident asked"},
                          token_from="/console/services/jobs")
    assert cancelled.status_code == 303
    with app.app_context():
        assert market.booking().status == "cancelled"
    assert client.get("/vendor/jobs").status_code == 403


def test_the_resident_confirms_a_done_job(app, client, market, community):
    with app.app_context(), transaction():
        booking = market.booking()
        booking.status, booking.done_at = "done", STARTS_AT + timedelta(hours=2)
    other = AuthActions(client)
    _login(app, client, community["users"][Role.COURIER][0])
    assert other.post(f"/services/bookings/{market.booking_id}/confirm-done").status_code == 403
    other.logout()
    auth = _login(app, client, market.resident_id)
    confirmed = auth.post(f"/services/bookings/{market.booking_id}/confirm-done")
    assert confirmed.status_code == 303
    with app.app_context():
        assert market.booking().status == "completed"
    assert auth.post("/services/bookings/999999/confirm-done").status_code == 404


def test_the_vendor_proposes_an_extra_and_the_resident_approves_it(app, client, market, clock):
    from flask import render_template

    from services import extras
    from store_app.wallet import operations as wallet

    with app.app_context(), transaction():
        booking = market.booking()
        booking.status, booking.vendor_id, booking.accepted_at = "in_progress", market.vendor_ids[0], BOOKED_AT
        wallet.credit(market.resident_id, market.store_id, 5_000, "topup", now=BOOKED_AT)
    auth = _login(app, client, market.owner_ids[0])
    job = f"/vendor/jobs/{market.booking_id}"
    bad = auth.post(f"{job}/extras", {"amount": "-3", "extra_note": "Part"}, token_from="/vendor/jobs")
    assert bad.status_code == 400 and 'value="Part"' in bad.get_data(as_text=True)
    assert auth.post(f"{job}/extras", {"amount": "30.50", "extra_note": "New siphon"},
                     token_from="/vendor/jobs").status_code == 303
    assert "New siphon" in client.get(job).get_data(as_text=True)
    auth.logout()
    resident = _login(app, client, market.resident_id)
    with app.test_request_context("/services/bookings/1"):
        booking = market.booking()
        html = render_template("services/_job_resident_actions.html", booking=booking,
                               job_extras=extras.list_extras(booking))
        assert f"/services/bookings/{market.booking_id}/extras/1/approve" in html
    approved = resident.post(f"/services/bookings/{market.booking_id}/extras/1/approve")
    assert approved.status_code == 303
    assert resident.post(f"/services/bookings/{market.booking_id}/extras/9/approve").status_code == 404
    with app.app_context():
        assert market.booking().extras_cents == 3_050
        assert wallet.get_balance(market.resident_id) == 5_000 - 3_050
