"""The console's scenario pushes through the test client: staff create a push (a refused form comes
back filled in with a 4xx and the reason on its field), see its counts, send a rainy-evening push
now, stop it; another store's push is a 404; a resident cannot reach any of it."""
import html
import re
from datetime import timedelta

import pytest

from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.growth.models import SegmentMember
from store_app.growth.push_models import PushDelivery, ScenarioPush
from store_app.notifications.models import Notification
from store_app.roles import Role

from .conftest import input_value, post_form, selected_option

EN = {"Accept-Language": "en"}
NEW = "/console/growth/pushes/new"


def page(response):
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def staff(community, login_client):
    return login_client(community["users"][Role.STAFF][1])


def rainy(**changes):
    form = {"kind": "rainy_evening_offer", "segment": "active", "title_zh": "下雨了", "title_en": "It's raining",
            "body_zh": "今晚免配送费", "body_en": "No delivery fee tonight", "schedule": "triggered",
            "send_at": "", "morning_time": "", "holdout_percent": "10", "campaign_id": ""}
    form.update(changes)
    return form


def test_staff_create_a_push_and_send_it_now(app, community, staff, count):
    store_id = community["store_id"]
    resident_id = community["users"][Role.RESIDENT][0]
    with app.app_context(), transaction():
        db.session.add(SegmentMember(store_id=store_id, segment="active", user_id=resident_id, computed_at=utcnow()))

    listing = staff.get("/console/growth/pushes", headers=EN)
    assert listing.status_code == 200 and "No pushes yet" in page(listing)
    assert staff.get(NEW, headers=EN).status_code == 200

    created = post_form(staff, NEW, rainy(holdout_percent="0"), headers=EN)
    assert created.status_code == 303
    detail_path = created.headers["Location"]
    push_id = int(re.search(r"/(\d+)$", detail_path).group(1))
    detail = page(staff.get(detail_path, headers=EN))
    assert "It's raining" in detail and "Send now" in detail and 'id="count-sent">0<' in detail

    sent = post_form(staff, f"/console/growth/pushes/{push_id}/send", headers=EN, follow_redirects=True)
    assert sent.status_code == 200
    # The real clock decides: outside quiet hours it is in the inbox, inside it waits for 08:00.
    with app.app_context():
        status = db.session.scalar(db.select(PushDelivery.status).where(PushDelivery.push_id == push_id))
    assert status in {"sent", "deferred"}
    inbox = count(Notification, Notification.user_id == resident_id, Notification.kind == "scenario_push")
    assert inbox == (1 if status == "sent" else 0)
    assert f'id="count-{status}">1' in page(sent)
    # Pressed again the same day, nothing more.
    post_form(staff, f"/console/growth/pushes/{push_id}/send", headers=EN)
    assert count(PushDelivery, PushDelivery.push_id == push_id) == 1
    assert "It's raining" in page(staff.get("/console/growth/pushes", headers=EN))

    stopped = post_form(staff, f"/console/growth/pushes/{push_id}/stop", headers=EN, follow_redirects=True)
    assert "The push is stopped." in page(stopped)
    refused = post_form(staff, f"/console/growth/pushes/{push_id}/send", headers=EN)
    assert refused.status_code == 409


@pytest.mark.parametrize("changes, field, message", [
    ({"schedule": "once", "send_at": "2030-01-01T18:00"}, "schedule",
     "This kind of push cannot go out on that schedule."),
    ({"kind": "win_back", "schedule": "once", "send_at": ""}, "send_at", "Choose when the push goes out."),
    ({"kind": "win_back", "schedule": "once", "send_at": "2020-01-01T18:00"}, "send_at",
     "Choose a time that has not passed yet."),
    ({"kind": "win_back", "schedule": "once", "send_at": "not a time"}, "send_at", "Enter a date and a time"),
    ({"kind": "school_morning_breakfast", "schedule": "school_mornings", "morning_time": "07:00"}, "morning_time",
     "Quiet hours are 22:00 to 08:00"),
    ({"holdout_percent": "80"}, "holdout_percent", "Enter a whole number from 0 to 50."),
    ({"holdout_percent": "ten"}, "holdout_percent", "Enter a whole number."),
    ({"segment": "everyone"}, "segment", "Choose one of the segments."),
    ({"title_zh": "", "title_en": ""}, "title_zh", "Write the title and the message in at least one language."),
    ({"campaign_id": "abc"}, "campaign_id", "That campaign does not exist."),
    ({"campaign_id": "12345"}, "campaign_id", "That campaign does not exist."),
    ({"title_en": "x" * 61}, "title_en", "Field cannot be longer than 60 characters."),
])
def test_a_refused_push_comes_back_filled_in(staff, count, changes, field, message):
    response = post_form(staff, NEW, rainy(**changes), headers=EN)
    assert 400 <= response.status_code < 500
    text = page(response)
    assert message in text
    assert f'id="{field}-error"' in text
    assert input_value(response, "title_zh") == changes.get("title_zh", "下雨了")
    assert "No delivery fee tonight</textarea>" in text
    assert selected_option(response, "segment") == changes.get("segment", "active") or field == "segment"
    assert count(ScenarioPush) == 0


def test_a_school_morning_push_is_saved_with_its_time(staff, community, fetch):
    response = post_form(staff, NEW, rainy(kind="school_morning_breakfast", schedule="school_mornings",
                                           morning_time="08:30", segment="breakfast_parents"), headers=EN)
    assert response.status_code == 303
    push_id = int(response.headers["Location"].rsplit("/", 1)[1])
    saved = fetch(ScenarioPush, push_id)
    assert (saved["morning_min"], saved["schedule"], saved["store_id"]) == (8 * 60 + 30, "school_mornings",
                                                                            community["store_id"])
    assert "School mornings at 08:30" in page(staff.get(f"/console/growth/pushes/{push_id}", headers=EN))


def test_a_once_push_keeps_the_store_time(app, staff, fetch):
    later = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%d")
    response = post_form(staff, NEW, rainy(kind="win_back", schedule="once", send_at=f"{later}T18:00"), headers=EN)
    assert response.status_code == 303
    saved = fetch(ScenarioPush, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert saved["send_at"].hour == 10   # 18:00 in Shanghai is 10:00 UTC


def test_another_stores_push_is_not_found(app, staff, create_store, create_user, login_client):
    other_store = create_store(name="Other")
    _, other_phone = create_user(other_store, Role.STAFF)
    other = login_client(other_phone)
    response = post_form(other, NEW, rainy(), headers=EN)
    push_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert staff.get(f"/console/growth/pushes/{push_id}").status_code == 404
    assert post_form(staff, f"/console/growth/pushes/{push_id}/send").status_code == 404
    assert post_form(staff, f"/console/growth/pushes/{push_id}/stop").status_code == 404
    assert staff.get("/console/growth/pushes/999999").status_code == 404


def test_a_resident_cannot_reach_the_console(community, login_client, count):
    resident = login_client(community["users"][Role.RESIDENT][1])
    for path in ("/console/growth/pushes", NEW, "/console/growth/pushes/1"):
        assert resident.get(path).status_code == 403
    assert post_form(resident, NEW, rainy()).status_code == 403
    assert count(ScenarioPush) == 0


def test_the_console_menu_leads_to_the_pushes(staff):
    assert 'href="/console/growth/pushes"' in staff.get("/console/growth/pushes", headers=EN).get_data(as_text=True)
