"""The resident's notification settings through the test client: linked from the Me page, each
optional kind turned off and on again, service notices always on, only residents, CSRF."""
import html

import pytest

from store_app.extensions import db
from store_app.notifications import preferences
from store_app.notifications.models import NotificationPreference
from store_app.roles import Role

from .conftest import post_form

EN = {"Accept-Language": "en"}
PAGE = "/me/notifications"


@pytest.fixture
def resident(community, login_client):
    return login_client(community["users"][Role.RESIDENT][1])


def checked(response, name):
    text = response.get_data(as_text=True)
    start = text.index(f'name="{name}"')
    tag = text[text.rindex("<input", 0, start):text.index(">", start)]
    return "checked" in tag


def test_the_me_page_links_to_the_settings(resident):
    assert f'href="{PAGE}"' in resident.get("/me", headers=EN).get_data(as_text=True)


def test_every_kind_is_on_until_turned_off(resident):
    response = resident.get(PAGE, headers=EN)
    assert response.status_code == 200
    text = html.unescape(response.get_data(as_text=True))
    assert "Breakfast reminders" in text and "Offers and coupons" in text and "We miss you" in text
    assert "always reach you" in text and "22:00" in text and "08:00" in text
    assert all(checked(response, kind) for kind in ("breakfast_reminder", "offers", "win_back"))


def test_a_resident_turns_offers_off_and_on_again(app, community, resident):
    user_id = community["users"][Role.RESIDENT][0]
    saved = post_form(resident, PAGE, {"breakfast_reminder": "y", "win_back": "y"}, headers=EN)
    assert saved.status_code == 303 and saved.headers["Location"].endswith(PAGE)
    shown = resident.get(PAGE, headers=EN)
    assert "Your notification settings are saved." in shown.get_data(as_text=True)
    assert not checked(shown, "offers") and checked(shown, "breakfast_reminder") and checked(shown, "win_back")
    with app.app_context():
        assert preferences.get_preferences(user_id) == {"breakfast_reminder": True, "offers": False, "win_back": True}
        assert not preferences.wants(user_id, "offers") and preferences.wants(user_id, "parcel_arrived")

    post_form(resident, PAGE, {"breakfast_reminder": "y", "offers": "y", "win_back": "y"})
    with app.app_context():
        assert preferences.get_preferences(user_id)["offers"] is True
        assert db.session.scalar(db.select(db.func.count(NotificationPreference.id))) == 3


def test_a_post_without_its_token_changes_nothing(app, resident, count):
    response = resident.post(PAGE, data={"offers": ""})
    assert response.status_code == 400
    assert count(NotificationPreference) == 0


def test_only_residents_have_these_settings(community, login_client):
    for role in (Role.STAFF, Role.OWNER, Role.COURIER, Role.VENDOR):
        client = login_client(community["users"][role][1])
        assert client.get(PAGE).status_code == 403
        assert post_form(client, PAGE, {}).status_code == 403
    assert login_client(community["users"][Role.RESIDENT][1]).get(PAGE).status_code == 200


def test_logged_out_goes_to_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
