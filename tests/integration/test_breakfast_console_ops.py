"""The staff's breakfast verbs on a real database: closing a day (refunds, portions, parents told),
changing its times, the menu's capacity on open days, calendar closures and the opening job."""
from datetime import timedelta

import pytest

from store_app.breakfast import calendar_ops, day_admin, errors, jobs, menu, operations, settings_admin
from store_app.breakfast.models import BreakfastDay, BreakfastOrder, DayItem, DayStatus, OrderStatus, WaitlistEntry
from store_app.database import transaction
from store_app.extensions import db
from store_app.notifications.models import Notification
from store_app.roles import Role
from store_app.stores.models import Store
from store_app.wallet.operations import get_balance, ledger_sum
from tests.breakfast_support import SCHOOL_MONDAY, add_child, add_item, evening_before, local

TUESDAY = SCHOOL_MONDAY + timedelta(days=1)


@pytest.fixture
def people(app, create_store, create_user):
    store_id = create_store()
    staff = create_user(store_id, Role.STAFF, name="Staff")[0]
    parents = [create_user(store_id, Role.RESIDENT, name=f"Parent {n}")[0] for n in range(3)]
    return store_id, staff, parents


def _store(store_id):
    return db.session.get(Store, store_id)


def _day_item(item_id):
    return db.session.scalar(db.select(DayItem).where(DayItem.item_id == item_id))


def test_closing_a_day_refunds_what_was_charged_frees_portions_and_tells_each_parent_once(app, people):
    store_id, staff, (first, second, third) = people
    now = evening_before(TUESDAY, 18)
    with app.app_context(), transaction():
        store = _store(store_id)
        milk = add_item(store_id, capacity=5)
        one, two = add_child(store_id, first), add_child(store_id, first, name="小刚")
        other, waiting = add_child(store_id, second, name="小红"), add_child(store_id, third, name="小兰")
        paid = operations.place_order(store, first, one.id, TUESDAY, {milk.id: 2}, now)
        placed = operations.place_order(store, first, two.id, TUESDAY, {milk.id: 1}, now)
        plain = operations.place_order(store, second, other.id, TUESDAY, {milk.id: 1}, now)
        # As if charged already (a day is normally charged at its cutoff): the refund is what was charged.
        paid.status, paid.charged_cents = OrderStatus.PAID.value, 600
        db.session.add(WaitlistEntry(day_item_id=_day_item(milk.id).id, child_id=waiting.id, parent_id=third,
                                     created_at=now))
        db.session.flush()
        day, refunded, cents = day_admin.close_day(store, paid.day_id, "  School trip ", staff, now)
        assert (day.status, day.closed_reason, day.closed_by, refunded, cents) == ("closed", "School trip", staff, 3, 600)
        statuses = {o.id: o.status for o in db.session.scalars(db.select(BreakfastOrder))}
        assert statuses == {paid.id: "refunded", placed.id: "refunded", plain.id: "refunded"}
        assert get_balance(first) == 600 == ledger_sum(first)
        assert get_balance(second) == 0
        day_item = _day_item(milk.id)
        assert (day_item.taken, day_item.held) == (0, 0)
        assert db.session.scalar(db.select(WaitlistEntry.status)) == "withdrawn"
        told = db.session.scalars(db.select(Notification).where(Notification.kind == "breakfast_day_closed")
                                  .order_by(Notification.user_id)).all()
        assert [n.user_id for n in told] == [first, second]
        assert told[0].params["refund_cents"] == 600 and sorted(told[0].params["children"]) == ["小刚", "小明"]
        assert told[0].params["reason"] == "School trip"


def test_a_second_close_is_a_clean_conflict_and_changes_nothing(app, people):
    store_id, staff, (parent, *_rest) = people
    now = evening_before(TUESDAY, 18)
    with app.app_context(), transaction():
        store = _store(store_id)
        milk = add_item(store_id)
        order = operations.place_order(store, parent, add_child(store_id, parent).id, TUESDAY, {milk.id: 1}, now)
        day_admin.close_day(store, order.day_id, "Holiday", staff, now)
        with pytest.raises(errors.DayNotOpen) as second:
            day_admin.close_day(store, order.day_id, "Again", staff, now)
        assert second.value.status == 409
        assert db.session.get(BreakfastDay, order.day_id).closed_reason == "Holiday"
        assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 1


def test_closing_needs_a_reason_and_another_stores_day_is_not_found(app, people, create_store):
    store_id, staff, _parents = people
    other_store = create_store(name="Other")
    now = evening_before(TUESDAY, 18)
    with app.app_context(), transaction():
        day = operations.ensure_day(_store(store_id), TUESDAY, now)
        with pytest.raises(errors.ReasonRequired):
            day_admin.close_day(_store(store_id), day.id, "   ", staff, now)
        with pytest.raises(errors.DayNotFound):
            day_admin.close_day(_store(other_store), day.id, "Nope", staff, now)
        assert day.status == DayStatus.OPEN.value


def test_capacity_edits_reach_open_days_and_never_go_below_what_is_taken(app, people):
    store_id, _staff, (parent, second, _third) = people
    now = evening_before(TUESDAY, 18)
    with app.app_context(), transaction():
        store = _store(store_id)
        milk = add_item(store_id, capacity=5)
        milk_id = milk.id
        operations.place_order(store, parent, add_child(store_id, parent).id, TUESDAY, {milk.id: 3}, now)
        fields = dict(name_zh=milk.name_zh, name_en=milk.name_en, price_cents=300, ingredients_zh="",
                      ingredients_en="", allergens=["soy"], allergens_known=True, weekdays=range(7))
        with pytest.raises(errors.CapacityBelowTaken) as refused:
            menu.save_item(store, now, item=milk, daily_capacity=2, **fields)
        assert refused.value.dates == (TUESDAY,) and refused.value.status == 409
    with app.app_context(), transaction():
        assert _day_item(milk_id).capacity == 5
        store = _store(store_id)
        menu.save_item(store, now, item=menu.get_item(store_id, milk_id), daily_capacity=3, **fields)
        assert _day_item(milk_id).capacity == 3
        with pytest.raises(errors.SoldOut):
            operations.place_order(store, second, add_child(store_id, second, name="小红").id, TUESDAY,
                                   {milk_id: 1}, now)


def test_an_item_taken_off_takes_no_more_orders_and_a_new_item_reaches_open_days(app, people):
    store_id, _staff, (parent, *_rest) = people
    now = evening_before(TUESDAY, 18)
    with app.app_context(), transaction():
        store = _store(store_id)
        milk = add_item(store_id, capacity=5)
        child = add_child(store_id, parent)
        operations.place_order(store, parent, child.id, TUESDAY, {milk.id: 1}, now)
        menu.set_item_active(store, milk.id, False, now)
        assert _day_item(milk.id).capacity == 1
        menu.set_item_active(store, milk.id, True, now)
        assert _day_item(milk.id).capacity == 5
        bun = menu.save_item(store, now, name_zh="包子", name_en="Bun", price_cents=200, ingredients_zh="",
                             ingredients_en="", allergens=["gluten"], allergens_known=True, weekdays=[1],
                             daily_capacity=7)
        assert _day_item(bun.id).capacity == 7  # Tuesday's open day offers it now


def test_changing_a_days_times_is_checked(app, people):
    store_id, _staff, _parents = people
    now = evening_before(TUESDAY, 12)
    with app.app_context(), transaction():
        store = _store(store_id)
        day = operations.ensure_day(store, TUESDAY, now)
        times = dict(order_cutoff_at=local(SCHOOL_MONDAY, 22), cancel_cutoff_at=local(SCHOOL_MONDAY, 20),
                     pickup_start_at=local(TUESDAY, 7), pickup_end_at=local(TUESDAY, 9))
        for broken, field in ((dict(cancel_cutoff_at=local(SCHOOL_MONDAY, 23)), "cancel_cutoff"),
                              (dict(pickup_end_at=local(TUESDAY, 6)), "pickup_end"),
                              (dict(order_cutoff_at=local(TUESDAY, 7, 30)), "order_cutoff"),
                              (dict(order_cutoff_at=local(SCHOOL_MONDAY, 11)), "order_cutoff")):
            with pytest.raises(errors.DayTimesInvalid) as refused:
                day_admin.change_day_times(store, day.id, now, **{**times, **broken})
            assert refused.value.field == field
        changed = day_admin.change_day_times(store, day.id, now, **times)
        assert (changed.order_cutoff_at, changed.pickup_end_at) == (local(SCHOOL_MONDAY, 22), local(TUESDAY, 9))
        day_admin.close_day(store, day.id, "Trip", None, now)
        with pytest.raises(errors.DayNotOpen):
            day_admin.change_day_times(store, day.id, now, **times)


def test_a_calendar_closure_closes_the_open_days_it_covers_and_refuses_frozen_ones(app, people):
    store_id, staff, (parent, *_rest) = people
    now = evening_before(TUESDAY, 18)
    with app.app_context(), transaction():
        store = _store(store_id)
        milk = add_item(store_id)
        order = operations.place_order(store, parent, add_child(store_id, parent).id, TUESDAY, {milk.id: 1}, now)
        frozen = operations.ensure_day(store, SCHOOL_MONDAY, local(SCHOOL_MONDAY - timedelta(days=3)))
        frozen.status = DayStatus.FROZEN.value
        db.session.flush()
        with pytest.raises(errors.OverrideHitsFrozenDays):
            calendar_ops.add_override(store, mode="range", kind="closed", starts_on=SCHOOL_MONDAY,
                                      ends_on=TUESDAY, note="Flood", actor_id=staff, now=now)
        _row, closed = calendar_ops.add_override(store, mode="weekly", kind="closed", starts_on=SCHOOL_MONDAY,
                                                 ends_on=SCHOOL_MONDAY + timedelta(days=13), weekdays=[1],
                                                 note="Sports day", actor_id=staff, now=now)
        assert [d.date for d in closed] == [TUESDAY]
        db.session.refresh(order)
        assert order.status == OrderStatus.REFUNDED.value
        assert operations.school_day(store, TUESDAY + timedelta(days=7)) == (False, True)
        with pytest.raises(errors.NotSchoolDay):
            operations.ensure_day(store, TUESDAY + timedelta(days=7), now)


def test_the_opening_job_run_twice_makes_each_school_day_once(app, people):
    store_id, _staff, _parents = people
    friday_noon = local(SCHOOL_MONDAY + timedelta(days=4), 12)  # ahead: Sat, Sun (no school), Mon
    with app.app_context():
        with transaction():
            add_item(store_id)
        first = jobs.open_days(store_id, friday_noon)
        again = jobs.open_days(store_id, friday_noon + timedelta(minutes=5))
        dates = db.session.scalars(db.select(BreakfastDay.date).where(BreakfastDay.store_id == store_id)
                                   .order_by(BreakfastDay.date)).all()
        # Friday's own cutoff passed on Thursday night: not made. Saturday and Sunday are no school days.
        assert dates == [SCHOOL_MONDAY + timedelta(days=7)]
        assert "1 breakfast days opened" in first and "0 breakfast days opened" in again
        names = [job.name for job in jobs.periodic_jobs()]
        assert f"breakfast:open:{store_id}" in names


def test_settings_are_checked_as_a_whole(app, people):
    store_id, _staff, _parents = people
    good = dict(open_days_ahead=3, order_cutoff_days_before=1, order_cutoff_min=21 * 60, cancel_cutoff_days_before=1,
                cancel_cutoff_min=20 * 60, pickup_start_min=390, pickup_end_min=510, grace_breakfasts=2,
                claim_window_min=60, low_balance_warning_h=3, calendar="weekdays")
    with app.app_context(), transaction():
        for broken, field in ((dict(cancel_cutoff_min=22 * 60), "cancel_cutoff_time"),
                              (dict(pickup_end_min=300), "pickup_end"),
                              (dict(order_cutoff_days_before=0, order_cutoff_min=7 * 60), "order_cutoff_time"),
                              (dict(open_days_ahead=1, order_cutoff_days_before=1, order_cutoff_min=0), "open_days_ahead"),
                              (dict(grace_breakfasts=11), "grace_breakfasts"),
                              (dict(calendar="moon"), "calendar")):
            with pytest.raises(errors.SettingsInvalid) as refused:
                settings_admin.update_settings(store_id, **{**good, **broken})
            assert refused.value.field == field
        saved = settings_admin.update_settings(store_id, **good)
        assert (saved.cancel_cutoff_min, saved.calendar) == (20 * 60, "weekdays")


def test_a_store_without_a_menu_opens_no_days(app, people):
    store_id, _staff, _parents = people
    with app.app_context():
        assert "no breakfast menu" in jobs.open_days(store_id, local(SCHOOL_MONDAY, 12))
        assert db.session.scalar(db.select(db.func.count()).select_from(BreakfastDay)) == 0


def test_the_work_list_line_for_an_unknown_year_links_to_the_calendar(app, people):
    from store_app.breakfast import worklist

    store_id, _staff, _parents = people
    with app.test_request_context(), transaction():
        store = _store(store_id)
        assert worklist.calendar_items(store, local(SCHOOL_MONDAY, 12)) == []
        (item,) = worklist.calendar_items(store, local(SCHOOL_MONDAY.replace(year=2026, month=12, day=14), 12))
        assert item.count == 30 - 18 and item.level == "owner"  # 2026-12-14 + 30 days: 12 dates in 2027
        assert item.url == "/console/breakfast/calendar?month=2027-01"
        settings_admin.update_settings(store_id, open_days_ahead=3, order_cutoff_days_before=1,
                                       order_cutoff_min=1260, cancel_cutoff_days_before=1, cancel_cutoff_min=1260,
                                       pickup_start_min=390, pickup_end_min=510, grace_breakfasts=2,
                                       claim_window_min=60, low_balance_warning_h=3, calendar="weekdays")
        assert worklist.calendar_items(store, local(SCHOOL_MONDAY.replace(year=2026, month=12, day=14), 12)) == []
