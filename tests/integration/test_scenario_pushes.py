"""Scenario pushes on a real database, through the ``growth:pushes`` job: each resident of the
segment gets a push once per occasion however often the job runs; a kind turned off is not sent;
quiet hours defer it to 08:00; the weekly cap holds; the holdout gets a row and no message; a
triggered push pressed twice reaches nobody twice; conversion is read from purchases."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from store_app.database import transaction
from store_app.extensions import db
from store_app.growth import jobs, push_errors, pushes
from store_app.growth.models import Campaign, Purchase, SegmentMember
from store_app.growth.push_models import PushDelivery, ScenarioPush
from store_app.growth.push_results import load_results
from store_app.growth.push_rules import MAX_PUSHES_PER_WEEK
from store_app.notifications import preferences
from store_app.notifications.models import Notification
from store_app.notifications.presenters import render
from store_app.stores.models import Store

ZONE = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh, mm=0):
    """A store-time wall clock moment, as aware UTC."""
    return datetime(y, m, d, hh, mm, tzinfo=ZONE).astimezone(timezone.utc)


MONDAY_NOON = at(2026, 12, 7, 12)


@pytest.fixture
def town(app_ctx, create_store, create_user):
    """A store and five residents, all in the "dormant" segment; returns (store_id, [user ids])."""
    store_id = create_store()
    users = [create_user(store_id, name=f"Resident {n}")[0] for n in range(5)]
    with transaction():
        for user_id in users:
            db.session.add(SegmentMember(store_id=store_id, segment="dormant", user_id=user_id,
                                         computed_at=MONDAY_NOON))
    return store_id, users


def make_push(store_id, now=MONDAY_NOON, **fields):
    values = dict(kind="win_back", segment="dormant", schedule="once", title_zh="我们想你了", title_en="We miss you",
                  body_zh="今晚配送免费", body_en="Free delivery tonight", send_at=now + timedelta(minutes=5))
    values.update(fields)
    with transaction():
        return pushes.create_push(db.session.get(Store, store_id), now=now, **values).id


def inbox(user_id):
    return db.session.scalars(db.select(Notification).where(Notification.user_id == user_id,
                                                            Notification.kind == "scenario_push")).all()


def deliveries(push_id):
    return {d.user_id: d for d in db.session.scalars(db.select(PushDelivery).where(PushDelivery.push_id == push_id))}


def test_a_push_reaches_each_resident_once_however_often_the_job_runs(town):
    store_id, users = town
    push_id = make_push(store_id)

    assert jobs.send_pushes(MONDAY_NOON) == "no pushes due"      # not yet its time
    first = jobs.send_pushes(MONDAY_NOON + timedelta(minutes=5))
    jobs.send_pushes(MONDAY_NOON + timedelta(minutes=6))
    with transaction():
        db.session.execute(db.update(ScenarioPush).values(status="active", last_occasion=None))
    jobs.send_pushes(MONDAY_NOON + timedelta(minutes=7))         # even re-armed, the rows are taken

    assert "1 push(es) out" in first
    assert {u: d.status for u, d in deliveries(push_id).items()} == {u: "sent" for u in users}
    for user_id in users:
        (note,) = inbox(user_id)
        assert note.created_at == MONDAY_NOON + timedelta(minutes=5)
    assert db.session.get(ScenarioPush, push_id).status == "done"


def test_the_message_is_shown_in_the_readers_language(app, town):
    store_id, users = town
    make_push(store_id)
    jobs.send_pushes(MONDAY_NOON + timedelta(minutes=5))
    (note,) = inbox(users[0])
    with app.test_request_context(), force_locale("en"):
        assert render(note) == ("We miss you", "Free delivery tonight")
    with app.test_request_context(), force_locale("zh"):
        assert render(note) == ("我们想你了", "今晚配送免费")


def test_a_kind_turned_off_is_not_sent(town):
    store_id, users = town
    with transaction():
        preferences.set_preferences(users[0], ["breakfast_reminder", "offers"], MONDAY_NOON)   # win_back off
        preferences.set_preferences(users[1], ["win_back"], MONDAY_NOON)
    push_id = make_push(store_id)
    jobs.send_pushes(MONDAY_NOON + timedelta(minutes=5))

    rows = deliveries(push_id)
    assert rows[users[0]].status == "skipped_preference" and inbox(users[0]) == []
    assert rows[users[1]].status == "sent" and len(inbox(users[1])) == 1
    assert load_results(db.session.get(ScenarioPush, push_id)).skipped_preference == 1


def test_quiet_hours_defer_to_eight_in_the_morning(town):
    store_id, users = town
    push_id = make_push(store_id, send_at=at(2026, 12, 7, 23, 0))
    jobs.send_pushes(at(2026, 12, 7, 23, 0))

    assert {d.status for d in deliveries(push_id).values()} == {"deferred"}
    assert all(d.deferred_until == at(2026, 12, 8, 8, 0) for d in deliveries(push_id).values())
    assert all(inbox(u) == [] for u in users)

    jobs.send_pushes(at(2026, 12, 8, 7, 59))
    assert all(inbox(u) == [] for u in users), "not before 08:00"

    jobs.send_pushes(at(2026, 12, 8, 8, 0))
    jobs.send_pushes(at(2026, 12, 8, 8, 1))
    for user_id in users:
        (note,) = inbox(user_id)
        assert note.created_at == at(2026, 12, 8, 8, 0)
    results = load_results(db.session.get(ScenarioPush, push_id))
    assert (results.sent, results.deferred, results.waiting) == (5, 5, 0)


def test_a_deferred_push_turned_off_before_eight_is_not_sent(town):
    store_id, users = town
    push_id = make_push(store_id, send_at=at(2026, 12, 7, 22, 30))
    jobs.send_pushes(at(2026, 12, 7, 22, 30))
    with transaction():
        preferences.set_preferences(users[0], [], at(2026, 12, 7, 23, 0))
    jobs.send_pushes(at(2026, 12, 8, 8, 0))
    assert deliveries(push_id)[users[0]].status == "skipped_preference" and inbox(users[0]) == []
    assert len(inbox(users[1])) == 1


def test_a_stopped_push_sends_nothing_more(town):
    store_id, users = town
    push_id = make_push(store_id, send_at=at(2026, 12, 7, 22, 30))
    jobs.send_pushes(at(2026, 12, 7, 22, 30))
    with transaction():
        assert pushes.stop_push(db.session.get(ScenarioPush, push_id), at(2026, 12, 7, 23, 0))
    jobs.send_pushes(at(2026, 12, 8, 8, 0))
    assert all(inbox(u) == [] for u in users)


def test_the_weekly_cap(town):
    store_id, users = town
    ids = [make_push(store_id, title_en=f"Push {n}", send_at=MONDAY_NOON + timedelta(minutes=n + 1))
           for n in range(MAX_PUSHES_PER_WEEK + 1)]
    for n in range(MAX_PUSHES_PER_WEEK + 1):
        jobs.send_pushes(MONDAY_NOON + timedelta(minutes=n + 1))

    assert [deliveries(i)[users[0]].status for i in ids] == ["sent"] * MAX_PUSHES_PER_WEEK + ["skipped_cap"]
    assert len(inbox(users[0])) == MAX_PUSHES_PER_WEEK
    assert load_results(db.session.get(ScenarioPush, ids[-1])).skipped_cap == len(users)

    # Seven days after the first, there is room again.
    week_on = MONDAY_NOON + timedelta(days=7, minutes=1, seconds=30)
    later = make_push(store_id, now=MONDAY_NOON + timedelta(days=7), send_at=week_on)
    jobs.send_pushes(week_on)
    assert deliveries(later)[users[0]].status == "sent"


def test_the_holdout_gets_a_row_and_no_message(app_ctx, create_store, create_user):
    store_id = create_store()
    users = [create_user(store_id, name=f"R{n}")[0] for n in range(40)]
    with transaction():
        db.session.add_all([SegmentMember(store_id=store_id, segment="dormant", user_id=u, computed_at=MONDAY_NOON)
                            for u in users])
    push_id = make_push(store_id, holdout_percent=50)
    jobs.send_pushes(MONDAY_NOON + timedelta(minutes=5))

    rows = deliveries(push_id)
    held = [u for u in users if rows[u].status == "holdout"]
    reached = [u for u in users if rows[u].status == "sent"]
    assert held and reached and len(held) + len(reached) == len(users)
    assert all(inbox(u) == [] for u in held)
    assert all(len(inbox(u)) == 1 for u in reached)

    # Conversion: one reached and one held-out resident buy within 48 h; another reached buys too late.
    sent_at = MONDAY_NOON + timedelta(minutes=5)
    with transaction():
        for n, (user_id, placed) in enumerate([(reached[0], sent_at + timedelta(hours=3)),
                                              (held[0], sent_at + timedelta(hours=47)),
                                              (reached[1], sent_at + timedelta(hours=49))]):
            db.session.add(Purchase(store_id=store_id, user_id=user_id, line="delivery", ref=f"order:{n + 1}",
                                    goods_cents=1000, placed_at=placed))
    results = load_results(db.session.get(ScenarioPush, push_id))
    assert (results.sent, results.sent_converted, results.holdout, results.holdout_converted) == \
        (len(reached), 1, len(held), 1)
    assert results.uplift_points == pytest.approx((1 / len(reached) - 1 / len(held)) * 100)


def test_school_morning_push_goes_once_each_school_morning(town):
    store_id, users = town
    push_id = make_push(store_id, kind="school_morning_breakfast", schedule="school_mornings", send_at=None,
                        morning_min=9 * 60, segment="dormant")
    jobs.send_pushes(at(2026, 12, 7, 8, 59))
    jobs.send_pushes(at(2026, 12, 7, 9, 0))
    jobs.send_pushes(at(2026, 12, 7, 9, 1))
    assert len(inbox(users[0])) == 1
    jobs.send_pushes(at(2026, 12, 8, 9, 0))                      # Tuesday: the next morning
    assert len(inbox(users[0])) == 2
    jobs.send_pushes(at(2026, 12, 12, 9, 0))                     # a Saturday: no school
    assert len(inbox(users[0])) == 2
    assert db.session.get(ScenarioPush, push_id).status == "active"


def test_a_triggered_push_pressed_twice_reaches_nobody_twice(town):
    store_id, users = town
    push_id = make_push(store_id, kind="rainy_evening_offer", schedule="triggered", send_at=None)
    jobs.send_pushes(at(2026, 12, 7, 19, 0))                     # the job never sends a triggered push
    assert inbox(users[0]) == []
    with transaction():
        counts = pushes.trigger_push(db.session.get(ScenarioPush, push_id), at(2026, 12, 7, 19, 0))
    with transaction():
        again = pushes.trigger_push(db.session.get(ScenarioPush, push_id), at(2026, 12, 7, 19, 30))
    assert counts == {"sent": 5} and again == {}
    assert all(len(inbox(u)) == 1 for u in users)


def test_only_a_triggered_push_can_be_sent_now(town):
    store_id, _ = town
    push_id = make_push(store_id)
    with pytest.raises(push_errors.NotTriggered), transaction():
        pushes.trigger_push(db.session.get(ScenarioPush, push_id), MONDAY_NOON)


def test_two_pushes_of_one_campaign_reach_a_resident_once(town):
    store_id, users = town
    with transaction():
        campaign = Campaign(store_id=store_id, name="Come back", segment="dormant", starts_at=MONDAY_NOON,
                            ends_at=MONDAY_NOON + timedelta(days=30))
        db.session.add(campaign)
        db.session.flush()
        campaign_id = campaign.id
    first = make_push(store_id, campaign_id=campaign_id, send_at=MONDAY_NOON + timedelta(minutes=1))
    second = make_push(store_id, campaign_id=campaign_id, send_at=MONDAY_NOON + timedelta(minutes=2))
    jobs.send_pushes(MONDAY_NOON + timedelta(minutes=1))
    jobs.send_pushes(MONDAY_NOON + timedelta(minutes=2))
    assert len(deliveries(first)) == len(users) and deliveries(second) == {}
    assert all(len(inbox(u)) == 1 for u in users)


@pytest.mark.parametrize("fields, error", [
    ({"segment": "everyone"}, push_errors.SegmentUnknown),
    ({"title_zh": "", "title_en": ""}, push_errors.TextMissing),
    ({"kind": "rainy_evening_offer"}, push_errors.ScheduleNotForKind),
    ({"send_at": MONDAY_NOON - timedelta(minutes=1)}, push_errors.SendTimePast),
    ({"holdout_percent": 51}, push_errors.HoldoutInvalid),
    ({"campaign_id": 999}, push_errors.CampaignNotFound),
])
def test_a_bad_push_is_refused_and_nothing_is_saved(town, fields, error):
    store_id, _ = town
    with pytest.raises(error):
        make_push(store_id, **fields)
    assert db.session.scalar(db.select(db.func.count(ScenarioPush.id))) == 0


def test_a_push_of_a_launched_campaign_follows_its_holdout_and_names_its_coupon(app_ctx):
    """The campaign's launch gave copies to its treated members; its push holds out exactly the
    campaign's holdout and tells each treated member a coupon is waiting (the copy's id on the row)."""
    from store_app.growth import campaign_checks, campaigns
    from store_app.growth.models import CampaignMember
    from tests.conftest import build_shop
    from tests.growth_campaign_support import add_campaign, add_coupon, add_residents, buy, set_costs

    now = MONDAY_NOON
    shop = build_shop(now=now)
    set_costs(shop, milk=900, water=200, noodles=400)
    residents = add_residents(shop.store_id, 20, now=now)
    for uid in residents:
        buy(shop, uid, f"order:p{uid}", placed_at=now - timedelta(days=3))
    jobs.segments_job(shop.store_id, now)
    campaign_id = add_campaign(shop.store_id, add_coupon(shop.store_id, now=now, amount=200), now=now, holdout=30)
    campaign = db.session.get(Campaign, campaign_id)
    with transaction():
        campaign_checks.run_dry_run(campaign, now)
    with transaction():
        campaigns.launch_campaign(campaign, now)
    members = {m.user_id: m for m in db.session.scalars(db.select(CampaignMember).where(
        CampaignMember.campaign_id == campaign_id))}

    push_id = make_push(shop.store_id, segment=campaign.segment, campaign_id=campaign_id, holdout_percent=0)
    jobs.send_pushes(now + timedelta(minutes=5))

    rows = deliveries(push_id)
    assert set(rows) == set(members)
    assert {u for u, d in rows.items() if d.status == "holdout"} == {u for u, m in members.items() if m.holdout}
    treated = [u for u, m in members.items() if not m.holdout]
    assert treated
    for user_id in treated:
        assert rows[user_id].grant_id == members[user_id].grant_id is not None
        (note,) = inbox(user_id)
        assert note.params["coupon"] is True and note.link == "/coupons"
    assert db.session.get(ScenarioPush, push_id).holdout_percent == 30
