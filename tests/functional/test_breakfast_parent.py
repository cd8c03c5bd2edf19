"""The parent's Breakfast tab and its API through the test client, with the views' clock fixed on a
school week of 2025 (Monday 10 November, Shanghai): children, the tomorrow card, the menu and ordering,
the waitlist, subscriptions, the code, the calendar feed; roles, foreign ids, CSRF, forms filled in."""
import re
from datetime import timedelta

import pytest

from store_app.breakfast.models import BreakfastOrder, Child, DayItem, ParentPrefs, Subscription, WaitlistEntry
from store_app.database import transaction
from store_app.extensions import db
from store_app.roles import Role
from tests.breakfast_support import SCHOOL_MONDAY, add_child, add_item, local
from tests.conftest import AuthActions, csrf_token

TUESDAY = SCHOOL_MONDAY + timedelta(days=1)
CLOCKED = ("store_app.breakfast.views", "store_app.breakfast.subscription_views", "store_app.breakfast.api_views")


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fixed = Clock(local(SCHOOL_MONDAY, 10))
    for module in CLOCKED:
        monkeypatch.setattr(f"{module}.utcnow", fixed)
    return fixed


@pytest.fixture
def world(app, create_store, create_user, clock):
    """A store with three breakfast items, a parent with a child allergic to milk, another parent."""
    store_id = create_store()
    parent, parent_phone = create_user(store_id, Role.RESIDENT, name="Parent")
    other, other_phone = create_user(store_id, Role.RESIDENT, name="Other")
    _staff, staff_phone = create_user(store_id, Role.STAFF, name="Clerk")
    with app.app_context(), transaction():
        soy = add_item(store_id, price_cents=300, capacity=5)
        milk = add_item(store_id, name_zh="牛奶", name_en="Milk", price_cents=400, allergens=("milk",))
        bun = add_item(store_id, name_zh="神秘包", name_en="Mystery bun", known=False, allergens=(), capacity=1)
        child = add_child(store_id, parent, allergies=("milk",))
        plain = add_child(store_id, parent, name="小刚")
        foreign = add_child(store_id, other, name="小红")
        ids = dict(store=store_id, parent=parent, other=other, soy=soy.id, milk=milk.id, bun=bun.id, child=child.id,
                   plain=plain.id, foreign=foreign.id, token=child.feed_token)
    return ids, {"parent": parent_phone, "other": other_phone, "staff": staff_phone}


def logged_in(app, phone):
    client = app.test_client()
    assert AuthActions(client).login(phone).status_code == 302
    return client


def post(client, path, data=None, **kwargs):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, "/me")}, **kwargs)


def test_a_parent_with_no_child_is_shown_the_first_step_and_adds_one(app, create_store, create_user, clock):
    store_id = create_store()
    _id, phone = create_user(store_id, Role.RESIDENT)
    client = logged_in(app, phone)
    page = client.get("/breakfast").get_data(as_text=True)
    assert "/breakfast/children/new" in page and "bf-first-step" in page
    refused = post(client, "/breakfast/children/new", {"name": "", "class_name": "三年级二班", "allergies": ["eggs"]})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "三年级二班" in body and re.search(r'value="eggs"[^>]*checked|checked[^>]*value="eggs"', body)
    added = post(client, "/breakfast/children/new", {"name": "小明", "class_name": "三年级二班",
                                                      "allergies": ["eggs", "peanuts"]})
    assert added.status_code == 303
    with app.app_context():
        child = db.session.scalar(db.select(Child))
        assert (child.name, child.allergies) == ("小明", "eggs,peanuts")
    assert "小明" in client.get("/breakfast").get_data(as_text=True)


def test_the_tomorrow_card_shows_both_lines_the_countdown_and_the_skip(app, world, clock):
    ids, phones = world
    client = logged_in(app, phones["parent"])
    placed = post(client, "/breakfast/menu", {"date": TUESDAY.isoformat(), "child": ids["child"],
                                              f"q_{ids['soy']}": "2", "idempotency_key": "k" * 20})
    assert placed.status_code == 303 and "/code" in placed.headers["Location"]
    page = client.get("/breakfast").get_data(as_text=True)
    card = page[page.index(f'id="child-{ids["child"]}"'):]
    assert "data-order-by" in card and "21:00" in card and "data-collect" in card and "06:30" in card
    assert 'data-seconds-left="39600"' in card  # 10:00 to the 21:00 cutoff
    assert "✓" in card and "bf-skip" in card
    assert "-6.00" in page or "−6.00" in page or "6.00" in page  # the balance after the coming charge


def test_the_menu_shows_portions_allergens_and_blocks_what_the_child_must_not_eat(app, world, clock):
    ids, phones = world
    client = logged_in(app, phones["parent"])
    page = client.get(f"/breakfast/menu?date={TUESDAY.isoformat()}&child={ids['child']}").get_data(as_text=True)
    milk = page[page.index(f'id="item-{ids["milk"]}"'):page.index(f'id="item-{ids["bun"]}"')]
    assert "bf-blocked" in milk and "disabled" in milk
    assert re.search(rf'class="[^"]*is-blocked[^"]*" id="item-{ids["bun"]}"', page)
    refused = post(client, "/breakfast/menu", {"date": TUESDAY.isoformat(), "child": ids["child"],
                                               f"q_{ids['milk']}": "1", f"q_{ids['soy']}": "1",
                                               "idempotency_key": "a" * 20})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 409 and 'value="1"' in body
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(BreakfastOrder.id))) == 0
    plain = client.get(f"/breakfast/menu?date={TUESDAY.isoformat()}&child={ids['plain']}").get_data(as_text=True)
    assert "Allergen information incomplete" in plain or "过敏原信息不完整" in plain


def test_a_sold_out_item_offers_the_waitlist_and_a_claim(app, world, clock):
    ids, phones = world
    client, other = logged_in(app, phones["parent"]), logged_in(app, phones["other"])
    assert post(client, "/breakfast/menu", {"date": TUESDAY.isoformat(), "child": ids["plain"],
                                            f"q_{ids['bun']}": "1", "idempotency_key": "b" * 20}).status_code == 303
    page = other.get(f"/breakfast/menu?date={TUESDAY.isoformat()}&child={ids['foreign']}").get_data(as_text=True)
    bun = page[page.index(f'id="item-{ids["bun"]}"'):]
    assert "data-sold-out" in bun and re.search(rf'class="[^"]*is-sold-out[^"]*" id="item-{ids["bun"]}"', page)
    with app.app_context():
        day_item_id = db.session.scalar(db.select(DayItem.id).where(DayItem.item_id == ids["bun"]))
    joined = post(other, "/breakfast/waitlist", {"date": TUESDAY.isoformat(), "child": ids["foreign"],
                                                 "day_item_id": day_item_id})
    assert joined.status_code == 303
    with app.app_context():
        order_id = db.session.scalar(db.select(BreakfastOrder.id))
    assert post(client, f"/breakfast/orders/{order_id}/skip").status_code == 303
    home = other.get("/breakfast").get_data(as_text=True)
    assert "11:00" in home  # claim by 11:00: the hour's window
    with app.app_context():
        entry_id = db.session.scalar(db.select(WaitlistEntry.id))
    assert post(client, f"/breakfast/waitlist/{entry_id}/claim").status_code == 404  # not theirs
    claimed = post(other, f"/breakfast/waitlist/{entry_id}/claim")
    assert claimed.status_code == 303 and "/code" in claimed.headers["Location"]


def test_the_code_page_shows_six_digits_and_a_qr_for_its_date(app, world, clock):
    ids, phones = world
    client = logged_in(app, phones["parent"])
    placed = post(client, "/breakfast/menu", {"date": TUESDAY.isoformat(), "child": ids["plain"],
                                              f"q_{ids['soy']}": "1", "idempotency_key": "c" * 20})
    page = client.get(placed.headers["Location"]).get_data(as_text=True)
    assert re.search(r"data-pickup-code>\d{6}<", page) and "<svg" in page and "小刚" in page
    other = logged_in(app, phones["other"])
    assert other.get(placed.headers["Location"]).status_code == 404


def test_skip_before_and_after_the_cutoff(app, world, clock):
    ids, phones = world
    client = logged_in(app, phones["parent"])
    post(client, "/breakfast/menu", {"date": TUESDAY.isoformat(), "child": ids["plain"], f"q_{ids['soy']}": "1",
                                     "idempotency_key": "d" * 20})
    with app.app_context():
        order_id = db.session.scalar(db.select(BreakfastOrder.id))
    clock.now = local(SCHOOL_MONDAY, 21)
    refused = post(client, f"/breakfast/orders/{order_id}/skip", follow_redirects=True)
    assert "cutoff" in refused.get_data(as_text=True).lower() or "截止" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(BreakfastOrder.status)) == "placed"
    clock.now = local(SCHOOL_MONDAY, 20, 59, 59)
    assert post(client, f"/breakfast/orders/{order_id}/skip").status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(BreakfastOrder.status)) == "cancelled"


def test_change_a_day(app, world, clock):
    ids, phones = world
    client = logged_in(app, phones["parent"])
    post(client, "/breakfast/menu", {"date": TUESDAY.isoformat(), "child": ids["plain"], f"q_{ids['soy']}": "1",
                                     "idempotency_key": "e" * 20})
    with app.app_context():
        order_id = db.session.scalar(db.select(BreakfastOrder.id))
    assert f'name="q_{ids["soy"]}" value="1"' in client.get(f"/breakfast/orders/{order_id}/change").get_data(as_text=True)
    assert post(client, f"/breakfast/orders/{order_id}/change", {f"q_{ids['soy']}": "3"}).status_code == 303
    bad = post(client, f"/breakfast/orders/{order_id}/change", {f"q_{ids['soy']}": "9"})
    assert bad.status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(BreakfastOrder.total_cents)) == 900


def test_subscribe_preview_create_pause_and_cancel_dates(app, world, clock):
    ids, phones = world
    client = logged_in(app, phones["parent"])
    form = client.get(f"/breakfast/children/{ids['plain']}/subscribe").get_data(as_text=True)
    assert (SCHOOL_MONDAY + timedelta(days=1)).isoformat() in form
    data = {"starts_on": TUESDAY.isoformat(), "ends_on": (SCHOOL_MONDAY + timedelta(days=11)).isoformat(),
            "same_every_day": "y", f"q_0_{ids['soy']}": "1", "idempotency_key": "sub" * 8}
    preview = post(client, f"/breakfast/children/{ids['plain']}/subscribe", {**data, "action": "preview"})
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and body.count("data-preview-day=") == 9 and "27.00" in body
    created = post(client, f"/breakfast/children/{ids['plain']}/subscribe", {**data, "action": "create"})
    assert created.status_code == 303
    assert post(client, f"/breakfast/children/{ids['plain']}/subscribe", {**data, "action": "create"}).status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Subscription.id))) == 1
        assert db.session.scalar(db.select(db.func.count(BreakfastOrder.id))) == 3  # Tuesday to Thursday are open
        sub_id = db.session.scalar(db.select(Subscription.id))
    bad = post(client, f"/breakfast/subscriptions/{sub_id}/pause", {"until": "2001-01-01"})
    assert bad.status_code == 400 and 'value="2001-01-01"' in bad.get_data(as_text=True)
    paused = post(client, f"/breakfast/subscriptions/{sub_id}/pause", {"until": (SCHOOL_MONDAY + timedelta(days=2)).isoformat()})
    assert paused.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(BreakfastOrder.id)).where(BreakfastOrder.status == "placed")) == 1
    cancelled = post(client, f"/breakfast/subscriptions/{sub_id}/cancel-dates",
                     {"first": (SCHOOL_MONDAY + timedelta(days=3)).isoformat(),
                      "last": (SCHOOL_MONDAY + timedelta(days=4)).isoformat()})
    assert cancelled.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(BreakfastOrder.id)).where(BreakfastOrder.status == "placed")) == 0
    page = client.get(f"/breakfast/children/{ids['plain']}").get_data(as_text=True)
    assert "subscription-" in page
    other = logged_in(app, phones["other"])
    assert post(other, f"/breakfast/subscriptions/{sub_id}/pause", {"until": TUESDAY.isoformat()}).status_code == 404


def test_the_calendar_feed_is_private_and_rotates(app, world, clock):
    ids, phones = world
    client = logged_in(app, phones["parent"])
    post(client, "/breakfast/menu", {"date": TUESDAY.isoformat(), "child": ids["child"], f"q_{ids['soy']}": "1",
                                     "idempotency_key": "f" * 20})
    anonymous = app.test_client()
    feed = anonymous.get(f"/breakfast/feed/{ids['token']}.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    text = feed.get_data(as_text=True)
    assert text.count("BEGIN:VEVENT") == 1 and "DTSTART:20251110T223000Z" in text
    assert anonymous.get("/breakfast/feed/" + "x" * 43 + ".ics").status_code == 404
    page = client.get(f"/breakfast/children/{ids['child']}").get_data(as_text=True)
    assert "webcal://" in page
    assert post(client, f"/breakfast/children/{ids['child']}/feed-token").status_code == 303
    assert anonymous.get(f"/breakfast/feed/{ids['token']}.ics").status_code == 404


def test_reminder_toggle(app, world, clock):
    ids, phones = world
    client = logged_in(app, phones["parent"])
    assert post(client, "/breakfast/reminder", {"morning_reminder": "on"}).status_code == 303
    with app.app_context():
        assert db.session.get(ParentPrefs, ids["parent"]).morning_reminder is True
    post(client, "/breakfast/reminder", {})
    with app.app_context():
        assert db.session.get(ParentPrefs, ids["parent"]).morning_reminder is False


@pytest.mark.parametrize("path", ["/breakfast", "/breakfast/menu", "/breakfast/children/new"])
def test_other_roles_are_refused(app, world, path):
    _ids, phones = world
    assert logged_in(app, phones["staff"]).get(path).status_code == 403
    assert app.test_client().get(path).status_code == 302


def test_foreign_ids_are_404_and_posts_need_csrf(app, world, clock):
    ids, phones = world
    client = logged_in(app, phones["parent"])
    for path in (f"/breakfast/children/{ids['foreign']}", f"/breakfast/children/{ids['foreign']}/edit",
                 f"/breakfast/children/{ids['foreign']}/subscribe", f"/breakfast/menu?child={ids['foreign']}",
                 "/breakfast/orders/2147483647/code", "/breakfast/children/99999999999"):
        assert client.get(path).status_code == 404, path
    assert post(client, f"/breakfast/children/{ids['foreign']}/remove").status_code == 404
    assert client.post(f"/breakfast/children/{ids['child']}/remove").status_code == 400
    assert client.post("/breakfast/reminder", data={"morning_reminder": "on"}).status_code == 400
    edit = post(client, f"/breakfast/children/{ids['child']}/edit", {"name": "x" * 41, "school": "莲花小学"})
    assert edit.status_code == 400 and "莲花小学" in edit.get_data(as_text=True)


# ---- the API -------------------------------------------------------------------------------------------

def test_api_menu_order_replay_cancel_and_days(app, world, clock):
    ids, phones = world
    client = logged_in(app, phones["parent"])
    headers = {"X-CSRFToken": csrf_token(client, "/me")}
    menu = client.get(f"/api/v1/breakfast/menu?date={TUESDAY.isoformat()}&child_id={ids['child']}")
    assert menu.status_code == 200
    items = {row["item_id"]: row for row in menu.json["items"]}
    assert items[ids["milk"]]["blocked_for_child"] and items[ids["bun"]]["allergens_known"] is False
    assert menu.json["order_by"] == local(SCHOOL_MONDAY, 21).isoformat()
    body = {"child_id": ids["child"], "date": TUESDAY.isoformat(), "items": [{"item_id": ids["soy"], "quantity": 2}],
            "idempotency_key": "api-key-0001"}
    placed = client.post("/api/v1/breakfast/orders", json=body, headers=headers)
    assert placed.status_code == 201 and re.fullmatch(r"\d{6}", placed.json["pickup_code"])
    again = client.post("/api/v1/breakfast/orders", json=body, headers=headers)
    assert again.json["order_id"] == placed.json["order_id"]
    blocked = client.post("/api/v1/breakfast/orders", headers=headers, json={
        **body, "child_id": ids["plain"], "items": [{"item_id": ids["milk"], "quantity": 1}], "idempotency_key": "api-key-0002"})
    assert blocked.status_code == 201  # the plain child may drink milk
    refused = client.post("/api/v1/breakfast/orders", headers=headers, json={
        **body, "date": (TUESDAY + timedelta(days=1)).isoformat(), "items": [{"item_id": ids["milk"], "quantity": 1}],
        "idempotency_key": "api-key-0003"})
    assert refused.status_code == 409 and set(refused.json) == {"error", "status"}
    days = client.get(f"/api/v1/breakfast/children/{ids['child']}/days")
    assert [d["order_id"] for d in days.json] == [placed.json["order_id"]]
    cancelled = client.post(f"/api/v1/breakfast/orders/{placed.json['order_id']}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    clock.now = local(SCHOOL_MONDAY, 21)
    late = client.post(f"/api/v1/breakfast/orders/{blocked.json['order_id']}/cancel", headers=headers)
    assert late.status_code == 409


def test_api_refuses_other_roles_foreign_ids_and_bad_bodies(app, world, clock):
    ids, phones = world
    staff = logged_in(app, phones["staff"])
    assert staff.get(f"/api/v1/breakfast/menu?date={TUESDAY.isoformat()}").status_code == 403
    assert app.test_client().get(f"/api/v1/breakfast/menu?date={TUESDAY.isoformat()}").status_code == 401
    client = logged_in(app, phones["parent"])
    headers = {"X-CSRFToken": csrf_token(client, "/me")}
    assert client.get(f"/api/v1/breakfast/children/{ids['foreign']}/days").status_code == 404
    assert client.get("/api/v1/breakfast/menu?date=nonsense").status_code == 400
    assert client.get("/api/v1/breakfast/menu?date=2025-11-15").status_code == 409  # a Saturday: no school
    for bad in ([], "x", {"child_id": True}, {"child_id": ids["child"], "date": TUESDAY.isoformat(), "items": [1],
                                              "idempotency_key": "k" * 10}):
        answer = client.post("/api/v1/breakfast/orders", json=bad, headers=headers)
        assert answer.status_code == 400 and answer.json["status"] == 400
    foreign = client.post("/api/v1/breakfast/orders", headers=headers, json={
        "child_id": ids["foreign"], "date": TUESDAY.isoformat(), "items": [{"item_id": ids["soy"], "quantity": 1}],
        "idempotency_key": "api-key-0009"})
    assert foreign.status_code == 404
    assert client.post("/api/v1/breakfast/orders/1/cancel").status_code == 400  # no CSRF token


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_breakfast_notifications_read_in_both_languages(app, lang):
    from types import SimpleNamespace

    from store_app.breakfast import parent_notices
    from store_app.notifications.presenters import RENDERERS, render

    assert RENDERERS["breakfast_waitlist_offer"] is parent_notices._waitlist_offer

    with app.test_request_context(headers={"Cookie": f"lang={lang}"}):
        missed = render(SimpleNamespace(kind="breakfast_subscription_day_missed",
                                        params={"date": "2025-11-11", "reason": "sold_out", "child_id": 1}))
        offer = render(SimpleNamespace(kind="breakfast_waitlist_offer", params={
            "date": "2025-11-11", "item_id": 999, "until": local(SCHOOL_MONDAY, 19).isoformat()}))
    han = re.compile(r"[\u4e00-\u9fff]")
    for title, body in (missed, offer):
        assert bool(han.search(title + body)) == (lang == "zh")
    assert "19:00" in offer[1]


def test_english_pages_carry_no_chinese_but_names(app, world, clock):
    """Every page of the tab with data on it, in English: only the children's and schools' own names
    (given in Chinese) may be Chinese."""
    ids, phones = world
    client = logged_in(app, phones["parent"])
    client.set_cookie("lang", "en")
    post(client, "/breakfast/menu", {"date": TUESDAY.isoformat(), "child": ids["plain"], f"q_{ids['soy']}": "1",
                                     "idempotency_key": "g" * 20})
    post(client, f"/breakfast/children/{ids['plain']}/subscribe", {
        "starts_on": TUESDAY.isoformat(), "ends_on": (TUESDAY + timedelta(days=3)).isoformat(), "same_every_day": "y",
        f"q_0_{ids['soy']}": "1", "idempotency_key": "h" * 20, "action": "create"})
    with app.app_context():
        order_id = db.session.scalar(db.select(BreakfastOrder.id))
    names = re.compile("小明|小刚|三年级二班|莲花小学|邻里便利店|中文")
    han = re.compile(r"[\u4e00-\u9fff]+")
    for path in ("/breakfast", f"/breakfast/menu?date={TUESDAY.isoformat()}&child={ids['child']}",
                 f"/breakfast/children/{ids['plain']}", f"/breakfast/children/{ids['plain']}/subscribe",
                 f"/breakfast/orders/{order_id}/code", f"/breakfast/orders/{order_id}/change", "/breakfast/children/new"):
        page = client.get(path)
        assert page.status_code == 200, path
        text = re.sub(r"<[^>]+>", " ", names.sub("", page.get_data(as_text=True)))
        assert han.findall(text) == [], path
