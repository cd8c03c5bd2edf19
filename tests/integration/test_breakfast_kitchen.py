"""The kitchen side of breakfast on a real database: a day's whole life (orders, the cutoff's charges
with the grace, prep sheet version 1, the kitchen told, pickup by code, no-shows, the third no-show's
question), the freeze run twice, a staff change after the cutoff (version 2 with its differences),
the low-balance warning and the morning reminder, each sent once."""
from datetime import timedelta

import pytest
from flask_babel import force_locale

from store_app.accounts.models import User
from store_app.breakfast import desk, errors, freeze, jobs, kitchen, operations, prep, reminders
from store_app.breakfast.models import BreakfastDay, BreakfastOrder, DayItem, ParentPrefs, PrepSheet
from store_app.breakfast.settings import get_settings
from store_app.database import transaction
from store_app.extensions import db
from store_app.notifications.models import Notification
from store_app.notifications.presenters import render
from store_app.roles import Role
from store_app.stores.models import Store
from store_app.wallet import operations as wallet
from store_app.wallet.models import WalletEntry
from tests.breakfast_support import SCHOOL_MONDAY, add_child, add_item, evening_before, local

TUESDAY, WEDNESDAY, THURSDAY = (SCHOOL_MONDAY + timedelta(days=n) for n in (1, 2, 3))


@pytest.fixture
def town(app, create_store, create_user):
    """A store with a kitchen (one staff, one owner), three parents and a resident who orders nothing."""
    store_id = create_store()
    staff = create_user(store_id, Role.STAFF, name="Cook")[0]
    owner = create_user(store_id, Role.OWNER, name="Owner")[0]
    rich, short, broke = (create_user(store_id, Role.RESIDENT, name=n)[0] for n in ("Rich", "Short", "Broke"))
    with app.app_context(), transaction():
        milk = add_item(store_id, price_cents=300)
        bun = add_item(store_id, name_zh="鸡蛋包", name_en="Egg bun", price_cents=500, allergens=("eggs", "gluten"),
                       ingredients_zh="面粉、鸡蛋", ingredients_en="flour, eggs")
        kids = {"rich": add_child(store_id, rich, name="小富", class_name="一班", allergies=("peanuts",)).id,
                "short": add_child(store_id, short, name="小短", class_name="二班").id,
                "broke": add_child(store_id, broke, name="小穷", class_name="三班").id}
        get_settings(store_id).grace_breakfasts = 1
        wallet.credit(rich, store_id, 5_000, "topup", now=local(SCHOOL_MONDAY) - timedelta(days=2))
        items = {"milk": milk.id, "bun": bun.id}
    return dict(store=store_id, staff=staff, owner=owner, parents={"rich": rich, "short": short, "broke": broke},
                kids=kids, **items)


def order_day(town, day, who=("rich", "short", "broke")):
    """Each parent in ``who`` orders a milk and a bun for their child the evening before ``day``."""
    store = db.session.get(Store, town["store"])
    return {name: operations.place_order(store, town["parents"][name], town["kids"][name], day,
                                         {town["milk"]: 1, town["bun"]: 1}, evening_before(day, 19))
            for name in who}


def cutoff(day):
    return local(day - timedelta(days=1), 21)


def status_of(order_id):
    return db.session.get(BreakfastOrder, order_id).status


def kinds_for(user_id):
    return sorted(n.kind for n in db.session.scalars(db.select(Notification).where(Notification.user_id == user_id)))


def test_a_days_whole_life(app, town):
    parents, store_id = town["parents"], town["store"]
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        monday = {name: order.id for name, order in order_day(town, SCHOOL_MONDAY).items()}
        sheet = freeze.freeze_day(store, db.session.get(BreakfastOrder, monday["rich"]).day, cutoff(SCHOOL_MONDAY))
        # Rich pays; Short and Broke are short, within the grace of 1: cooked on credit.
        assert [status_of(monday[n]) for n in ("rich", "short", "broke")] == ["paid", "on_credit", "on_credit"]
        assert wallet.get_balance(parents["rich"]) == 5_000 - 800
        assert kinds_for(parents["rich"]) == []  # a charge that went through is not reported at all
        assert kinds_for(parents["short"]) == ["breakfast_on_credit"]
        assert sheet.version == 1 and len(sheet.content["labels"]) == 3

    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        wallet.credit(parents["short"], store_id, 2_000, "topup", now=cutoff(TUESDAY) - timedelta(hours=2))
        tuesday = {name: order.id for name, order in order_day(town, TUESDAY).items()}
        day = db.session.get(BreakfastOrder, tuesday["rich"]).day
        sheet = freeze.freeze_day(store, day, cutoff(TUESDAY))
        # Short's Monday debt is settled first, then Tuesday is paid; Broke is past the grace: not cooked.
        assert status_of(tuesday["short"]) == "paid"
        assert db.session.get(BreakfastOrder, monday["short"]).owed_cents == 0
        assert wallet.get_balance(parents["short"]) == 2_000 - 800 - 800
        assert status_of(tuesday["broke"]) == "not_cooked"
        assert kinds_for(parents["broke"]) == ["breakfast_not_cooked", "breakfast_on_credit"]
        assert wallet.get_balance(parents["broke"]) == 0
        notes = sorted(e.note_key for e in db.session.scalars(db.select(WalletEntry).where(
            WalletEntry.user_id == parents["short"], WalletEntry.amount_cents < 0)))
        assert notes == ["breakfast", "breakfast_owed"]

        # Prep sheet version 1: headed by the pickup date, totals per item, a label per cooked order.
        assert sheet.content["date"] == TUESDAY.isoformat()
        totals = {t["name_en"]: t["quantity"] for t in sheet.content["totals"]}
        assert totals == {"Soy milk": 2, "Egg bun": 2}
        labels = {label["child"]: label for label in sheet.content["labels"]}
        assert set(labels) == {"小富", "小短"}
        assert labels["小富"]["allergies"] == ["peanuts"] and labels["小富"]["class_name"] == "一班"
        bun = next(i for i in labels["小富"]["items"] if i["name_en"] == "Egg bun")
        assert bun["allergens"] == ["eggs", "gluten"] and bun["ingredients_en"] == "flour, eggs"
        # The kitchen (staff and owner) is told, and the sending recorded.
        assert sheet.sent_to == 2 and sheet.sent_at == cutoff(TUESDAY)
        assert kinds_for(town["staff"]).count("breakfast_prep_ready") == 2  # Monday's and Tuesday's

    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        day = db.session.get(BreakfastOrder, tuesday["rich"]).day
        at_seven = local(TUESDAY, 7)
        assert desk.desk_day(store, at_seven).id == day.id
        code = operations.pickup_code(db.session.get(BreakfastOrder, tuesday["rich"]))
        found = desk.find_by_code(store, day, code)
        desk.hand_over(db.session.get(User, town["staff"]), store, day, found.id, at_seven)
        assert status_of(found.id) == "collected"
        with pytest.raises(errors.AlreadyCollected):
            desk.hand_over(db.session.get(User, town["staff"]), store, day, found.id, at_seven)
        with pytest.raises(errors.NotCooked):
            desk.find_by_code(store, day, operations.pickup_code(db.session.get(BreakfastOrder, tuesday["broke"])))
        with pytest.raises(errors.NotInWindow):
            desk.find_by_code(store, day, operations.pickup_code(db.session.get(BreakfastOrder, monday["rich"])))

        # The window ends: what was left is a no-show, the day done (Monday's too).
        assert desk.close_due(store, local(TUESDAY, 8, 30)) == (2, 4)
        assert status_of(tuesday["short"]) == "no_show" and status_of(tuesday["rich"]) == "collected"
        assert status_of(tuesday["broke"]) == "not_cooked"
        assert db.session.get(BreakfastDay, day.id).status == "done"
        assert desk.close_due(store, local(TUESDAY, 9)) == (0, 0)


def test_the_third_no_show_of_a_month_asks_the_parent_once(app, town):
    short = town["parents"]["short"]
    with app.app_context(), transaction():
        wallet.credit(short, town["store"], 10_000, "topup", now=local(SCHOOL_MONDAY) - timedelta(days=1))
        store = db.session.get(Store, town["store"])
        for day in (SCHOOL_MONDAY, TUESDAY, WEDNESDAY, THURSDAY):
            order_day(town, day, who=("short",))
            freeze.freeze_due(store, cutoff(day))
            desk.close_due(store, local(day, 9))
            asked = db.session.scalars(db.select(Notification).where(
                Notification.user_id == short, Notification.kind == "breakfast_no_shows")).all()
            assert len(asked) == (1 if day >= WEDNESDAY else 0)
        assert asked[0].params["count"] == 3 and asked[0].link == "/breakfast"


def test_the_freeze_job_run_twice_charges_and_notifies_once(app, town):
    with app.app_context():
        with transaction():
            order_day(town, TUESDAY)
        assert jobs.freeze_job(town["store"], cutoff(TUESDAY) - timedelta(seconds=1)).endswith("froze 0 day(s)")
        assert jobs.freeze_job(town["store"], cutoff(TUESDAY)).endswith("froze 1 day(s)")
        assert jobs.freeze_job(town["store"], cutoff(TUESDAY) + timedelta(minutes=1)).endswith("froze 0 day(s)")
        with transaction():
            store = db.session.get(Store, town["store"])
            day = db.session.scalar(db.select(BreakfastDay).where(BreakfastDay.date == TUESDAY))
            assert freeze.freeze_day(store, day, cutoff(TUESDAY) + timedelta(minutes=2)) is None
        assert db.session.scalar(db.select(db.func.count()).select_from(WalletEntry)
                                 .where(WalletEntry.amount_cents < 0)) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(PrepSheet)) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 2 + 2  # kitchen, parents


def test_a_staff_change_after_the_cutoff_issues_version_2_with_its_differences(app, town):
    with app.app_context(), transaction():
        store = db.session.get(Store, town["store"])
        orders = order_day(town, TUESDAY, who=("rich",))
        freeze.freeze_due(store, cutoff(TUESDAY))
        staff = db.session.get(User, town["staff"])
        day = kitchen.get_changeable_day(store, TUESDAY, cutoff(TUESDAY) + timedelta(hours=1))
        wallet.credit(town["parents"]["short"], town["store"], 2_000, "topup", now=cutoff(TUESDAY))
        with pytest.raises(errors.ReasonMissing):
            kitchen.add_breakfast(staff, store, day, town["kids"]["short"], {town["milk"]: 2}, " ", cutoff(TUESDAY))
        order, sheet = kitchen.add_breakfast(staff, store, day, town["kids"]["short"], {town["milk"]: 2},
                                             "parent phoned", cutoff(TUESDAY) + timedelta(hours=1))
        assert order.status == "paid" and wallet.get_balance(town["parents"]["short"]) == 2_000 - 600
        assert sheet.version == 2 and sheet.reason == "parent phoned"
        assert {(c["kind"], c.get("child"), c.get("before"), c.get("after")) for c in sheet.changes} == {
            ("added", "小短", None, None), ("total", None, 1, 3)}
        assert sheet.sent_to == 2
        with pytest.raises(errors.AlreadyOrdered):
            kitchen.add_breakfast(staff, store, day, town["kids"]["short"], {town["milk"]: 1}, "again",
                                  cutoff(TUESDAY) + timedelta(hours=1))

        _removed, third = kitchen.remove_breakfast(staff, store, day, orders["rich"].id, "sick today",
                                                   cutoff(TUESDAY) + timedelta(hours=2))
        assert third.version == 3 and status_of(orders["rich"].id) == "refunded"
        assert wallet.get_balance(town["parents"]["rich"]) == 5_000  # charged 800, refunded 800
        assert {c["kind"] for c in third.changes} == {"removed", "total"}
        assert prep.get_sheet(day.id, 1).content["labels"][0]["child"] == "小富"  # v1 unchanged
        milk_portions = db.session.scalar(db.select(DayItem.taken).where(DayItem.day_id == day.id,
                                                                         DayItem.item_id == town["milk"]))
        assert milk_portions == 2
        prep_kinds = [n.params["version"] for n in db.session.scalars(db.select(Notification).where(
            Notification.user_id == town["staff"], Notification.kind == "breakfast_prep_ready"))]
        assert sorted(prep_kinds) == [1, 2, 3]
        with pytest.raises(errors.DayNotFrozen):
            kitchen.get_changeable_day(store, TUESDAY, local(TUESDAY, 8, 30))


def test_an_allergic_child_cannot_be_added_by_staff_either(app, town, create_user):
    with app.app_context(), transaction():
        store = db.session.get(Store, town["store"])
        order_day(town, TUESDAY, who=("rich",))
        freeze.freeze_due(store, cutoff(TUESDAY))
        allergic = add_child(town["store"], town["parents"]["short"], name="小蛋", allergies=("eggs",))
        day = kitchen.get_changeable_day(store, TUESDAY, cutoff(TUESDAY))
        with pytest.raises(errors.AllergenBlocked):
            kitchen.add_breakfast(db.session.get(User, town["staff"]), store, day, allergic.id, {town["bun"]: 1},
                                  "parent phoned", cutoff(TUESDAY))


def test_the_low_balance_warning_is_sent_once_with_what_is_missing(app, town):
    with app.app_context(), transaction():
        store = db.session.get(Store, town["store"])
        order_day(town, TUESDAY)
        wallet.credit(town["parents"]["short"], town["store"], 500, "topup", now=cutoff(TUESDAY) - timedelta(hours=5))
        assert reminders.warn_low_balances(store, cutoff(TUESDAY) - timedelta(hours=3, seconds=1)) == 0  # too early
        assert reminders.warn_low_balances(store, cutoff(TUESDAY) - timedelta(hours=3)) == 2
        assert reminders.warn_low_balances(store, cutoff(TUESDAY) - timedelta(minutes=5)) == 0
        warned = {n.user_id: n.params for n in db.session.scalars(db.select(Notification).where(
            Notification.kind == "breakfast_low_balance"))}
        assert set(warned) == {town["parents"]["short"], town["parents"]["broke"]}
        assert warned[town["parents"]["short"]]["missing_cents"] == 300
        assert warned[town["parents"]["short"]]["grace"] == 1


def test_the_morning_reminder_goes_to_opted_in_parents_once_a_day(app, town):
    with app.app_context(), transaction():
        store = db.session.get(Store, town["store"])
        order_day(town, TUESDAY)
        for name in ("rich", "broke"):
            db.session.add(ParentPrefs(user_id=town["parents"][name], morning_reminder=True))
        freeze.freeze_due(store, cutoff(TUESDAY))
        assert reminders.send_morning_reminders(store, local(TUESDAY, 6, 29)) == 0
        assert reminders.send_morning_reminders(store, local(TUESDAY, 6, 30)) == 2  # not Short: not opted in
        assert reminders.send_morning_reminders(store, local(TUESDAY, 7)) == 0
        reminders_sent = db.session.scalars(db.select(Notification).where(Notification.kind == "breakfast_morning")).all()
        assert {n.user_id for n in reminders_sent} == {town["parents"]["rich"], town["parents"]["broke"]}
        reminder = reminders_sent[0]
        with app.test_request_context(), force_locale("en"):
            assert "until 08:30" in render(reminder)[1]


def test_charging_many_orders_batches_and_notes_each_charge(app, town, create_user):
    """Twenty parents on one day: every wallet debited once, one ledger entry per order."""
    store_id = town["store"]
    parents = [create_user(store_id, Role.RESIDENT, name=f"P{n}")[0] for n in range(20)]
    with app.app_context(), transaction():
        store = db.session.get(Store, store_id)
        orders = []
        for n, parent in enumerate(parents):
            if n % 2 == 0:
                wallet.credit(parent, store_id, 800, "topup", now=cutoff(TUESDAY) - timedelta(days=1))
            child = add_child(store_id, parent, name=f"孩子{n}")
            orders.append(operations.place_order(store, parent, child.id, TUESDAY, {town["milk"]: 1, town["bun"]: 1},
                                                 evening_before(TUESDAY, 19)))
        freeze.freeze_due(store, cutoff(TUESDAY))
        statuses = [status_of(o.id) for o in orders]
        assert statuses == ["paid", "on_credit"] * 10
        assert all(wallet.get_balance(o.parent_id) == 0 for o in orders)
        assert all(wallet.ledger_sum(o.parent_id) == 0 for o in orders)


@pytest.mark.parametrize("kind, params", [
    ("breakfast_on_credit", {"child": "小明", "date": "2025-11-11", "total_cents": 800, "grace": 2, "on_credit": 1}),
    ("breakfast_not_cooked", {"child": "小明", "date": "2025-11-11", "total_cents": 800, "grace": 2, "on_credit": 2}),
    ("breakfast_low_balance", {"date": "2025-11-11", "total_cents": 800, "missing_cents": 300, "grace": 2,
                               "cutoff_at": "2025-11-10T13:00:00+00:00", "tz": "Asia/Shanghai"}),
    ("breakfast_prep_ready", {"date": "2025-11-11", "version": 2, "labels": 3, "changes": 2}),
    ("breakfast_morning", {"end_at": "2025-11-11T00:30:00+00:00", "tz": "Asia/Shanghai", "children": ["小明"]}),
    ("breakfast_no_shows", {"child": "小明", "count": 3}),
    ("breakfast_code_misses", {"staff": "Cook"}),
])
def test_every_breakfast_message_reads_in_both_languages(app, kind, params):
    with app.test_request_context():
        for lang in ("en", "zh"):
            with force_locale(lang):
                title, body = render(Notification(kind=kind, params=params))
            assert title != kind and body
            assert any("\u4e00" <= ch <= "\u9fff" for ch in title) == (lang == "zh")
    if kind == "breakfast_low_balance":
        with app.test_request_context(), force_locale("en"):
            assert "¥3.00" in render(Notification(kind=kind, params=params))[1]
            assert "21:00" in render(Notification(kind=kind, params=params))[1]
