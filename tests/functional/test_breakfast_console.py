"""The breakfast console through the test client: who may open each page, bad input coming back
filled in with a message in the user's language, CSRF, closing a day twice, the menu with a photo."""
import html
import io
from datetime import date, timedelta

import pytest
from PIL import Image

from store_app.breakfast import operations
from store_app.breakfast.models import BreakfastDay, BreakfastItem, BreakfastSettings, CalendarOverride, DayItem
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.roles import Role
from store_app.stores.models import Store
from tests.breakfast_support import add_item

from .conftest import input_value, post_form

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
STAFF_PAGES = ("/console/breakfast/days", "/console/breakfast/menu", "/console/breakfast/menu/new",
               "/console/breakfast/calendar")
SETTINGS = "/console/breakfast/settings"
GOOD_SETTINGS = {"open_days_ahead": "3", "order_cutoff_days_before": "1", "order_cutoff_time": "21:00",
                 "cancel_cutoff_days_before": "1", "cancel_cutoff_time": "20:00", "pickup_start": "06:30",
                 "pickup_end": "08:30", "grace_breakfasts": "2", "claim_window_min": "60",
                 "low_balance_warning_h": "3", "calendar": "cn"}


def page(response):
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def staff(community, login_client):
    return login_client(community["users"][Role.STAFF][1])


@pytest.fixture
def owner(community, login_client):
    return login_client(community["users"][Role.OWNER][1])


def _next_school_day(app, store_id):
    """A school date from tomorrow on whose order cutoff is still ahead, with its day made."""
    now = utcnow()
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        day = date.today() + timedelta(days=2)
        while not operations.school_day(store, day)[0]:
            day += timedelta(days=1)
        return operations.ensure_day(store, day, now).id


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.COURIER, Role.VENDOR])
def test_other_roles_get_403_everywhere(community, login_client, role, count):
    client = login_client(community["users"][role][1])
    for path in (*STAFF_PAGES, SETTINGS):
        assert client.get(path).status_code == 403, path
    assert post_form(client, "/console/breakfast/calendar", {"mode": "date", "kind": "closed",
                                                             "starts_on": "2026-12-24"}).status_code == 403
    assert count(CalendarOverride) == 0


def test_visitors_go_to_login(community, client):
    response = client.get("/console/breakfast/days")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_staff_open_every_page_but_the_owners_settings(staff, owner):
    for path in STAFF_PAGES:
        assert staff.get(path).status_code == 200, path
        assert owner.get(path).status_code == 200, path
    assert staff.get(SETTINGS).status_code == 403
    assert owner.get(SETTINGS).status_code == 200
    assert "breakfast/days" in page(staff.get("/console"))  # in the console's menu


def test_a_post_without_csrf_is_refused(staff, count):
    response = staff.post("/console/breakfast/calendar", data={"mode": "date", "kind": "closed",
                                                               "starts_on": "2026-12-24"})
    assert response.status_code == 400
    assert count(CalendarOverride) == 0


@pytest.mark.usefixtures("compiled_catalogs")
def test_a_bad_override_comes_back_filled_in_in_both_languages(staff, count):
    data = {"mode": "range", "kind": "closed", "starts_on": "2026-12-20", "ends_on": "2026-12-10",
            "note": "Winter break"}
    english = post_form(staff, "/console/breakfast/calendar", data, headers=EN)
    assert english.status_code == 400
    assert "The last date must not be before the first date." in page(english)
    assert input_value(english, "note") == "Winter break" and input_value(english, "starts_on") == "2026-12-20"
    chinese = post_form(staff, "/console/breakfast/calendar", {**data, "starts_on": "not a date"}, headers=ZH)
    assert chinese.status_code == 400 and "请按 年-月-日" in page(chinese)
    weekly = post_form(staff, "/console/breakfast/calendar", {**data, "ends_on": "2026-12-31", "mode": "weekly",
                                                              "weekdays": ["9"]}, headers=EN)
    assert weekly.status_code == 400 and "Choose weekdays from the list." in page(weekly)
    assert count(CalendarOverride) == 0


def test_a_weekly_rule_is_stored_from_the_weekday_choice(app, staff, community):
    response = post_form(staff, "/console/breakfast/calendar", {
        "mode": "weekly", "kind": "closed", "starts_on": "2030-03-01", "ends_on": "2030-03-31",
        "weekdays": ["2", "4"], "note": "Half days", "rrule": "FREQ=DAILY"})
    assert response.status_code == 303
    with app.app_context():
        row = db.session.scalar(db.select(CalendarOverride))
        assert (row.rrule, row.store_id, row.note) == ("FREQ=WEEKLY;BYDAY=WE,FR", community["store_id"], "Half days")
        row_id = row.id
    calendar = page(staff.get("/console/breakfast/calendar?month=2030-03", headers=EN))
    assert "Store closure: Half days" in calendar
    assert post_form(staff, f"/console/breakfast/calendar/{row_id}/delete").status_code == 303
    assert post_form(staff, f"/console/breakfast/calendar/{row_id}/delete").status_code == 404


def test_closing_a_day_twice_gives_a_conflict_and_a_reason_is_required(app, staff, community):
    day_id = _next_school_day(app, community["store_id"])
    path = f"/console/breakfast/days/{day_id}"
    assert staff.get(path).status_code == 200
    empty = post_form(staff, path + "/close", {"reason": "  "}, headers=EN)
    assert empty.status_code == 400 and "This field is required." in page(empty)
    assert post_form(staff, path + "/close", {"reason": "School trip"}).status_code == 303
    again = post_form(staff, path + "/close", {"reason": "Again"}, headers=EN)
    assert again.status_code == 409 and "no longer open" in page(again)
    with app.app_context():
        assert db.session.get(BreakfastDay, day_id).closed_reason == "School trip"


def test_a_foreign_day_is_not_found(app, staff, create_store):
    other = create_store(name="Other store")
    day_id = _next_school_day(app, other)
    assert staff.get(f"/console/breakfast/days/{day_id}").status_code == 404
    assert post_form(staff, f"/console/breakfast/days/{day_id}/close", {"reason": "x"}).status_code == 404
    assert staff.get("/console/breakfast/days/99999999999").status_code == 404


@pytest.mark.usefixtures("compiled_catalogs")
def test_bad_day_times_come_back_filled_in(app, staff, community):
    day_id = _next_school_day(app, community["store_id"])
    with app.app_context():
        the_day = db.session.get(BreakfastDay, day_id).date
    before = (the_day - timedelta(days=1)).isoformat()
    data = {"order_cutoff": f"{before}T21:00", "cancel_cutoff": f"{before}T22:00", "pickup_start": "06:30",
            "pickup_end": "08:30"}
    response = post_form(staff, f"/console/breakfast/days/{day_id}/times", data, headers=ZH)
    assert response.status_code == 400 and "取消截止时间不能晚于下单截止时间" in page(response)
    assert input_value(response, "cancel_cutoff") == f"{before}T22:00"
    good = post_form(staff, f"/console/breakfast/days/{day_id}/times", {**data, "cancel_cutoff": f"{before}T20:00"})
    assert good.status_code == 303


def test_opening_a_date_early_and_refusing_a_holiday(app, staff, community, count):
    store_id = community["store_id"]
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        day = date.today() + timedelta(days=5)
        while operations.school_day(store, day)[0]:
            day += timedelta(days=1)
    refused = post_form(staff, "/console/breakfast/days/open", {"date": day.isoformat()}, headers=EN)
    assert refused.status_code == 409 and "not a school day" in page(refused)
    assert count(BreakfastDay) == 0


@pytest.mark.usefixtures("compiled_catalogs")
def test_the_menu_item_form_refuses_bad_input_filled_in_and_saves_a_photo(app, staff, community, count):
    data = {"name_zh": "豆浆", "name_en": "Soy milk", "price": "three", "ingredients_zh": "黄豆",
            "ingredients_en": "soybeans", "allergens": ["soy", "milk"], "allergens_known": "y",
            "weekdays": ["0", "1"], "daily_capacity": "30", "picture": ""}
    response = post_form(staff, "/console/breakfast/menu/new", data, headers=ZH)
    assert response.status_code == 400 and "请按元填写价格" in page(response)
    assert input_value(response, "name_en") == "Soy milk" and 'checked id="allergens-5" name="allergens" type="checkbox" value="soy"' in page(response)
    bad_allergen = post_form(staff, "/console/breakfast/menu/new", {**data, "price": "3", "allergens": ["ink"]},
                             headers=EN)
    assert bad_allergen.status_code == 400 and "Choose allergens from the list." in page(bad_allergen)
    assert count(BreakfastItem) == 0
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 150, 50)).save(picture, "PNG")
    picture.seek(0)
    saved = post_form(staff, "/console/breakfast/menu/new", {**data, "price": "3.50",
                                                             "photo": (picture, "soy.png")},
                      content_type="multipart/form-data")
    assert saved.status_code == 303
    with app.app_context():
        item = db.session.scalar(db.select(BreakfastItem))
        assert (item.price_cents, item.allergens, item.weekdays, item.allergens_known) == (350, "soy,milk", 3, True)
        assert item.picture.endswith(".webp")
        photo_url = f"/media/breakfast/{item.picture}"
    served = staff.get(photo_url)
    assert served.status_code == 200 and served.mimetype == "image/webp"
    served.close()
    assert staff.get("/media/breakfast/../../etc/passwd").status_code == 404
    menu_page = page(staff.get("/console/breakfast/menu", headers=EN))
    assert photo_url in menu_page and "Allergens: soy, milk" in menu_page


@pytest.mark.usefixtures("compiled_catalogs")
def test_a_capacity_below_what_is_taken_is_refused_with_a_message(app, staff, community):
    day_id = _next_school_day(app, community["store_id"])
    with app.app_context(), transaction():
        milk = add_item(community["store_id"], capacity=5, known=False, allergens=())
        db.session.add(DayItem(day_id=day_id, item_id=milk.id, capacity=5, taken=4, held=0))
        item_id = milk.id
    assert "Allergen information incomplete" in page(staff.get("/console/breakfast/menu", headers=EN))
    form = {"name_zh": "豆浆", "name_en": "Soy milk", "price": "3", "weekdays": [str(n) for n in range(7)],
            "daily_capacity": "3", "picture": ""}
    response = post_form(staff, f"/console/breakfast/menu/{item_id}", form, headers=EN)
    assert response.status_code == 409 and "cannot go below what is already ordered" in page(response)
    assert input_value(response, "daily_capacity") == "3"
    assert post_form(staff, f"/console/breakfast/menu/{item_id}", {**form, "daily_capacity": "4"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(DayItem.capacity).where(DayItem.item_id == item_id)) == 4


@pytest.mark.usefixtures("compiled_catalogs")
def test_the_owner_saves_settings_and_a_bad_combination_comes_back_filled_in(app, owner, community):
    bad = post_form(owner, SETTINGS, {**GOOD_SETTINGS, "cancel_cutoff_time": "22:00"}, headers=ZH)
    assert bad.status_code == 400 and "取消截止时间不能晚于下单截止时间" in page(bad)
    assert input_value(bad, "cancel_cutoff_time") == "22:00"
    nonsense = post_form(owner, SETTINGS, {**GOOD_SETTINGS, "grace_breakfasts": "lots"}, headers=EN)
    assert nonsense.status_code == 400 and input_value(nonsense, "grace_breakfasts") == "lots"
    assert post_form(owner, SETTINGS, GOOD_SETTINGS).status_code == 303
    with app.app_context():
        assert db.session.get(BreakfastSettings, community["store_id"]).cancel_cutoff_min == 20 * 60
    assert "apply to the breakfast days opened from now on" in page(owner.get(SETTINGS, headers=EN))


def test_the_days_page_and_its_live_part(app, staff, community):
    _next_school_day(app, community["store_id"])
    days = page(staff.get("/console/breakfast/days", headers=EN))
    assert "Order by" in days and "Pickup" in days and "data-live-section" in days
    live = staff.get("/console/breakfast/days/live")
    assert live.status_code == 200 and live.headers["X-Breakfast-Days"] == "1"


@pytest.mark.usefixtures("compiled_catalogs")
def test_the_owner_is_told_while_the_next_30_days_reach_an_unknown_year(monkeypatch, owner):
    from datetime import datetime, timezone

    monkeypatch.setattr("store_app.breakfast.console_views.utcnow",
                        lambda: datetime(2026, 12, 20, 4, tzinfo=timezone.utc))
    english = page(owner.get("/console/breakfast/calendar", headers=EN))
    assert "The official calendar for 2027 is not known yet: Monday to Friday is assumed" in english
    chinese = page(owner.get("/console/breakfast/calendar", headers=ZH))
    assert "2027 年的官方日历尚未公布" in chinese
    january = page(owner.get("/console/breakfast/calendar?month=2027-01", headers=EN))
    assert 'class="cell-assumed"' in january  # the cells of 2027 say so too
    monkeypatch.setattr("store_app.breakfast.console_views.utcnow",
                        lambda: datetime(2025, 11, 10, 4, tzinfo=timezone.utc))
    assert "is not known yet" not in page(owner.get("/console/breakfast/calendar", headers=EN))
