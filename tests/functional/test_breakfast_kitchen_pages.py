"""The kitchen's pages and the pickup desk through the test client: who may open them, the prep sheet
with its versions and labels, a staff change after the cutoff (forms that come back filled in), the
desk's code (right, wrong, another day's, too many misses), the handover (a second one is a clean 409),
the search by name, the printable card, the live list."""
import html
from datetime import timedelta

import pytest

from store_app.breakfast import notices, prep
from store_app.breakfast.models import BreakfastDay, BreakfastOrder, PrepSheet
from store_app.database import transaction, utcnow
from store_app.extensions import db
from store_app.notifications.models import Notification
from store_app.roles import Role
from store_app.stores.models import Store
from tests.breakfast_support import add_child, add_cooked_order, add_day_now, add_item

from .conftest import input_value, post_form, selected_option

DESK = "/console/breakfast/desk"


def page(response):
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def kitchen(app, create_store, create_user, login_client):
    """Today's frozen day (its pickup window open now) with two paid breakfasts and sheet version 1;
    a staff member logged in (English), the owner's id and a parent."""
    store_id = create_store()
    staff_id, staff_phone = create_user(store_id, Role.STAFF, name="Cook")
    owner_id, owner_phone = create_user(store_id, Role.OWNER, name="Owner")
    parent_id, parent_phone = create_user(store_id, Role.RESIDENT, name="Parent")
    now = utcnow()
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        milk = add_item(store_id, price_cents=300)
        bun = add_item(store_id, name_zh="鸡蛋包", name_en="Egg bun", price_cents=500, allergens=("eggs", "gluten"),
                       ingredients_zh="面粉、鸡蛋", ingredients_en="flour, eggs")
        day = add_day_now(store_id, now)
        ming = add_child(store_id, parent_id, name="小明", class_name="三年级二班", allergies=("peanuts",))
        hong = add_child(store_id, parent_id, name="小红", class_name="一年级一班")
        extra = add_child(store_id, parent_id, name="小刚", class_name="二年级三班")
        ming_order, ming_code = add_cooked_order(store, day, ming, {milk.id: 1, bun.id: 1})
        hong_order, hong_code = add_cooked_order(store, day, hong, {milk.id: 2})
        yesterday = BreakfastDay(store_id=store_id, date=day.date - timedelta(days=1), status="done",
                                 opens_at=day.opens_at - timedelta(days=1),
                                 order_cutoff_at=day.order_cutoff_at - timedelta(days=1),
                                 cancel_cutoff_at=day.cancel_cutoff_at - timedelta(days=1),
                                 pickup_start_at=day.pickup_start_at - timedelta(days=1),
                                 pickup_end_at=day.pickup_end_at - timedelta(days=1))
        db.session.add(yesterday)
        db.session.flush()
        _old, old_code = add_cooked_order(store, yesterday, extra, {milk.id: 1}, status="no_show")
        sheet = prep.issue_sheet(day, now - timedelta(hours=9))
        notices.tell_kitchen(store_id, day, sheet, now - timedelta(hours=9))
        ids = dict(store=store_id, day=day.date.isoformat(), milk=milk.id, bun=bun.id, ming=ming_order.id,
                   hong=hong_order.id, extra_child=extra.id, owner=owner_id)
    staff = login_client(staff_phone)
    staff.set_cookie("lang", "en")
    return dict(ids, staff=staff, codes={"ming": ming_code, "hong": hong_code, "old": old_code},
                owner_phone=owner_phone, parent_phone=parent_phone)


def test_only_staff_and_the_owner_open_the_kitchen_and_the_desk(kitchen, login_client, client):
    day = kitchen["day"]
    paths = ["/console/breakfast/kitchen", f"/console/breakfast/kitchen/{day}",
             f"/console/breakfast/kitchen/{day}/labels", DESK, f"{DESK}/live",
             f"{DESK}/orders/{kitchen['ming']}/card"]
    parent = login_client(kitchen["parent_phone"])
    owner = login_client(kitchen["owner_phone"])
    for path in paths:
        assert kitchen["staff"].get(path).status_code == 200, path
        assert owner.get(path).status_code == 200, path
        assert parent.get(path).status_code == 403, path
        assert client.get(path).status_code == 302, path


def test_the_prep_sheet_shows_totals_labels_and_allergens(kitchen):
    staff, day = kitchen["staff"], kitchen["day"]
    text = page(staff.get(f"/console/breakfast/kitchen/{day}"))
    assert "Pickup on" in text and "Version 1" in text and "sent to 2 people in the kitchen" in text
    assert "小明" in text and "三年级二班" in text and "Allergies: peanuts" in text
    labels = page(staff.get(f"/console/breakfast/kitchen/{day}/labels"))
    assert labels.count('class="breakfast-label"') == 2
    assert '<strong class="allergen">eggs</strong>' in labels and "flour, eggs" in labels
    assert staff.get(f"/console/breakfast/kitchen/{day}?version=9").status_code == 404
    assert staff.get("/console/breakfast/kitchen/2025-02-30").status_code == 404
    assert staff.get("/console/breakfast/kitchen/nonsense").status_code == 404
    assert staff.get("/console/breakfast/kitchen/2020-01-01").status_code == 404


def test_a_staff_change_after_the_cutoff_makes_version_2_marked(app, kitchen):
    staff, day = kitchen["staff"], kitchen["day"]
    sheet_path = f"/console/breakfast/kitchen/{day}"
    form = {"child_id": str(kitchen["extra_child"]), f"qty-{kitchen['milk']}": "1", "reason": ""}
    refused = post_form(staff, f"{sheet_path}/add", form)
    assert refused.status_code == 400
    assert "Say why" in page(refused) and input_value(refused, f"qty-{kitchen['milk']}") == "1"
    assert selected_option(refused, "child_id") == str(kitchen["extra_child"])
    too_many = post_form(staff, f"{sheet_path}/add", {**form, f"qty-{kitchen['milk']}": "9", "reason": "phoned"})
    assert too_many.status_code == 400 and "1 to 5 times" in page(too_many)
    done = post_form(staff, f"{sheet_path}/add", {**form, "reason": "parent phoned"})
    assert done.status_code == 303
    text = page(staff.get(sheet_path))
    assert "Version 2" in text and "Changes from version 1" in text and 'class="change change-added"' in text
    assert "小刚" in text and "parent phoned" in text
    removed = post_form(staff, f"{sheet_path}/orders/{kitchen['hong']}/remove", {"reason": ""})
    assert removed.status_code == 400 and "Say why" in page(removed)
    removed = post_form(staff, f"{sheet_path}/orders/{kitchen['hong']}/remove", {"reason": "sick"})
    assert removed.status_code == 303
    assert 'class="change change-removed"' in page(staff.get(sheet_path))
    assert post_form(staff, f"{sheet_path}/orders/{kitchen['hong']}/remove", {"reason": "again"}).status_code == 409
    assert post_form(staff, f"{sheet_path}/orders/99999999999/remove", {"reason": "x"}).status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PrepSheet)) == 3


def test_the_desk_hands_over_by_code_once(app, kitchen, login_client):
    staff = kitchen["staff"]
    found = post_form(staff, DESK, {"code": kitchen["codes"]["ming"]})
    text = page(found)
    assert found.status_code == 200 and "小明" in text and "三年级二班" in text and "Allergies: peanuts" in text
    assert "1 × Egg bun" not in text and "Egg bun" in text
    path = f"{DESK}/orders/{kitchen['ming']}/hand-over"
    assert post_form(staff, path).status_code == 303
    other = login_client(kitchen["owner_phone"])
    other.set_cookie("lang", "en")
    again = post_form(other, path)
    assert again.status_code == 409 and "already handed over" in page(again)
    with app.app_context():
        order = db.session.get(BreakfastOrder, kitchen["ming"])
        assert order.status == "collected" and order.collected_at is not None and order.handed_over_by
    repeat = post_form(staff, DESK, {"code": kitchen["codes"]["ming"]})
    assert repeat.status_code == 409 and "already handed over" in page(repeat)


def test_wrong_codes_are_refused_kept_and_counted(app, kitchen):
    staff = kitchen["staff"]
    wrong = post_form(staff, DESK, {"code": "12 34 5x"})
    assert wrong.status_code == 404 and "No breakfast to collect today has this code" in page(wrong)
    assert input_value(wrong, "code") == "12 34 5x"
    other_day = post_form(staff, DESK, {"code": kitchen["codes"]["old"]})
    assert other_day.status_code == 409 and "not for today" in page(other_day)
    assert post_form(staff, DESK, {"code": ""}).status_code == 400
    app.config["BREAKFAST_CODE_MISSES_PER_STAFF"] = "3 per 10 minutes"
    statuses = [post_form(staff, DESK, {"code": f"00000{n}"}).status_code for n in range(4)]
    assert statuses[-1] == 429  # the first miss above counts too
    with app.app_context():
        told = db.session.scalars(db.select(Notification).where(Notification.kind == "breakfast_code_misses")).all()
        assert [n.user_id for n in told] == [kitchen["owner"]]


def test_staff_find_a_child_by_name_and_print_a_card(kitchen, login_client, create_store, create_user):
    staff = kitchen["staff"]
    found = page(staff.get(f"{DESK}/find?name=红")).split('<ul class="desk-matches">')[1].split("</ul>")[0]
    assert "小红" in found and "小明" not in found and "Hand over" in found
    assert "No breakfast today for a child of that name" in page(staff.get(f"{DESK}/find?name=%25"))
    card = page(staff.get(f"{DESK}/orders/{kitchen['hong']}/card"))
    code = kitchen["codes"]["hong"]
    assert f"{code[:3]} {code[3:]}" in card and "<svg" in card and "小红" in card
    assert staff.get(f"{DESK}/orders/99999999999/card").status_code == 404
    elsewhere = create_store(name="Other")
    _id, phone = create_user(elsewhere, Role.STAFF, name="Other clerk")
    assert login_client(phone).get(f"{DESK}/orders/{kitchen['hong']}/card").status_code == 404


def test_the_desk_list_refreshes_itself(kitchen):
    live = kitchen["staff"].get(f"{DESK}/live")
    assert live.headers["X-Breakfast-Desk"] == "1" and live.headers["Cache-Control"] == "no-store"
    assert "2 still to collect" in page(live)


def test_the_desk_in_chinese(kitchen):
    staff = kitchen["staff"]
    staff.set_cookie("lang", "zh")
    text = page(staff.get(DESK))
    assert "早餐" in text and "小明" in text


def test_no_desk_day_outside_the_window(app, kitchen):
    with app.app_context(), transaction():
        day = db.session.scalar(db.select(BreakfastDay).where(BreakfastDay.status == "frozen"))
        day.pickup_start_at = utcnow() + timedelta(hours=3)
        day.pickup_end_at = utcnow() + timedelta(hours=5)
    staff = kitchen["staff"]
    assert "the desk opens an hour before" in page(staff.get(DESK))
    assert post_form(staff, DESK, {"code": kitchen["codes"]["ming"]}).status_code == 409


def test_the_work_list_shows_the_prep_sheet_and_breakfasts_to_collect(kitchen):
    work = page(kitchen["staff"].get("/console/work-list"))
    for key in ("prep_sheet", "to_collect"):
        assert f'id="work-breakfast-{key}" data-work-key="breakfast:{key}" data-count="2"' in work
    sheet = work.split('data-work-key="breakfast:prep_sheet"')[1].split("</li>")[0]
    assert f'/console/breakfast/kitchen/{kitchen["day"]}' in sheet
    assert DESK in work.split('data-work-key="breakfast:to_collect"')[1].split("</li>")[0]
