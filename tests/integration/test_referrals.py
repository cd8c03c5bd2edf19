"""Referrals on a real database: sign-up with a code (and the fraud rules refusing it), rewards after
the friend's first purchase is past its refund window and not before, once, taken back on a refund."""
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from store_app.accounts import operations as accounts
from store_app.accounts.models import User
from store_app.database import transaction
from store_app.extensions import db
from store_app.growth import jobs as growth_jobs, points, referrals
from store_app.growth.points_errors import InviteCodeUnknown, InviteRefused
from store_app.growth.points_models import PointsShortfall, Referral
from store_app.growth.referral_rules import REWARD_POINTS, Refusal, invite_code
from tests.conftest import PASSWORD, new_phone
from tests.points_support import NOW, add_resident, buy, place, refund


@pytest.fixture
def street(app, create_store, create_building):
    with app.app_context():
        store_id = create_store()
        building_id = create_building(store_id, "Lotus Garden 3")
        other_building = create_building(store_id, "Meilong 1", lat=31.199, lon=121.399)
        inviter_id, _phone = add_resident(store_id, building_id, "3-501", "Alice")
        yield store_id, building_id, other_building, inviter_id


def sign_up(store_id, building_id, unit, code, phone=None):
    with transaction():
        return accounts.register_resident(store_id, phone or new_phone(), "Bob", PASSWORD, building_id, unit,
                                          extras={"invite_code": code}, now=NOW).id


def code_of(user_id):
    return referrals.code_for(db.session.get(User, user_id))


def test_a_neighbour_signs_up_with_the_code(street):
    store_id, building_id, _other, inviter_id = street
    friend_id = sign_up(store_id, building_id, "4-101", code_of(inviter_id))
    referral = db.session.scalar(db.select(Referral))
    assert (referral.inviter_id, referral.invitee_id, referral.status, referral.created_at) == (
        inviter_id, friend_id, "joined", NOW)


def test_no_code_is_no_referral(street):
    store_id, building_id, _other, _inviter = street
    sign_up(store_id, building_id, "4-101", "  ")
    assert db.session.scalar(db.select(db.func.count()).select_from(Referral)) == 0


@pytest.mark.parametrize("unit, refusal", [("3-501", Refusal.SAME_HOUSEHOLD), (" 3－501", Refusal.SAME_HOUSEHOLD),
                                           ("7-702", Refusal.KNOWN_HOUSEHOLD)])
def test_the_inviters_own_household_or_a_known_one_is_refused_and_nobody_is_signed_up(street, unit, refusal):
    store_id, building_id, _other, inviter_id = street
    add_resident(store_id, building_id, "7-702", "Carol")
    before = db.session.scalar(db.select(db.func.count()).select_from(User))
    with pytest.raises(InviteRefused) as refused:
        sign_up(store_id, building_id, unit, code_of(inviter_id))
    assert (refused.value.reason, refused.value.status, refused.value.field) == (refusal, 400, "invite_code")
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == before
    assert db.session.scalar(db.select(db.func.count()).select_from(Referral)) == 0


def test_an_unknown_code_or_another_stores_or_a_staff_code_is_refused(street, create_store, create_user):
    store_id, building_id, _other, _inviter = street
    other_store = create_store(name="Other")
    stranger_id, _ = add_resident(other_store)
    staff_id, _ = create_user(store_id, role="staff")
    for code in ("nonsense", code_of(stranger_id), invite_code(store_id, staff_id)):
        with pytest.raises(InviteCodeUnknown):
            sign_up(store_id, building_id, "4-101", code)


def test_one_inviter_per_friend_is_a_database_rule_too(street):
    store_id, building_id, _other, inviter_id = street
    friend_id = sign_up(store_id, building_id, "4-101", code_of(inviter_id))
    with pytest.raises(IntegrityError):
        with transaction():
            db.session.add(Referral(store_id=store_id, inviter_id=inviter_id, invitee_id=friend_id))
            db.session.flush()


def test_both_are_rewarded_after_the_refund_window_not_before_and_once(street):
    store_id, building_id, _other, inviter_id = street
    friend_id = sign_up(store_id, building_id, "4-101", code_of(inviter_id))
    assert growth_jobs.referrals_job(store_id, NOW) == f"store {store_id}: 0 referral(s) rewarded"
    purchase_id = buy(friend_id, store_id, "order:1", goods_cents=5_000)   # delivery: a 2-day window
    assert growth_jobs.referrals_job(store_id, NOW + timedelta(days=1, hours=23)).endswith(" 0 referral(s) rewarded")
    assert points.get_balance(inviter_id) == 0

    after = NOW + timedelta(days=2, minutes=1)
    assert growth_jobs.referrals_job(store_id, after).endswith(" 1 referral(s) rewarded")
    assert growth_jobs.referrals_job(store_id, after + timedelta(minutes=10)).endswith(" 0 referral(s) rewarded")
    assert points.get_balance(inviter_id) == REWARD_POINTS
    assert points.get_balance(friend_id) == 50 + REWARD_POINTS
    referral = db.session.scalar(db.select(Referral))
    assert (referral.status, referral.rewarded_at, referral.purchase_id) == ("rewarded", after, purchase_id)


def test_a_first_purchase_refunded_inside_its_window_earns_no_reward_and_the_next_one_counts(street):
    store_id, building_id, _other, inviter_id = street
    friend_id = sign_up(store_id, building_id, "4-101", code_of(inviter_id))
    buy(friend_id, store_id, "order:1", goods_cents=5_000)
    refund("order:1", 5_000, NOW + timedelta(hours=3))
    growth_jobs.referrals_job(store_id, NOW + timedelta(days=3))
    assert points.get_balance(inviter_id) == 0
    buy(friend_id, store_id, "order:2", goods_cents=2_000, now=NOW + timedelta(days=3))
    growth_jobs.referrals_job(store_id, NOW + timedelta(days=5, minutes=1))
    assert points.get_balance(inviter_id) == REWARD_POINTS


def test_a_refund_of_the_rewarded_purchase_takes_both_rewards_back(street):
    store_id, building_id, _other, inviter_id = street
    friend_id = sign_up(store_id, building_id, "4-101", code_of(inviter_id))
    buy(friend_id, store_id, "order:1", goods_cents=5_000)
    growth_jobs.referrals_job(store_id, NOW + timedelta(days=3))
    refund("order:1", 1_000, NOW + timedelta(days=4))        # ¥40 kept: the reward stands
    assert points.get_balance(inviter_id) == REWARD_POINTS
    refund("order:1", 4_000, NOW + timedelta(days=4))        # nothing kept: both taken back
    assert points.get_balance(inviter_id) == 0
    assert points.get_balance(friend_id) == 0
    assert db.session.scalar(db.select(Referral.status)) == "taken_back"
    assert db.session.scalar(db.select(db.func.count()).select_from(PointsShortfall)) == 0


def test_a_reward_already_spent_is_recorded_when_taken_back(street):
    store_id, building_id, _other, inviter_id = street
    friend_id = sign_up(store_id, building_id, "4-101", code_of(inviter_id))
    buy(friend_id, store_id, "order:1", goods_cents=5_000)
    growth_jobs.referrals_job(store_id, NOW + timedelta(days=3))
    with transaction():
        points.spend_points(inviter_id, store_id, 250, "redeem:test:1", NOW + timedelta(days=3))
    refund("order:1", 5_000, NOW + timedelta(days=4))
    shortfall = db.session.scalar(db.select(PointsShortfall))
    assert (shortfall.user_id, shortfall.wanted, shortfall.taken, shortfall.referral_id) == (
        inviter_id, REWARD_POINTS, 50, db.session.scalar(db.select(Referral.id)))
    assert points.get_balance(inviter_id) == 0


def test_households_of_the_building_that_use_the_store(street):
    store_id, building_id, other_building, inviter_id = street
    neighbour, _ = add_resident(store_id, building_id, "5-101")
    same_flat, _ = add_resident(store_id, building_id, "5 - 101")
    only_placed, _ = add_resident(store_id, building_id, "6-101")
    elsewhere, _ = add_resident(store_id, other_building, "1-101")
    for number, user_id in enumerate((inviter_id, neighbour, same_flat, elsewhere)):
        buy(user_id, store_id, f"order:{number}", goods_cents=1_000)
    place(only_placed, store_id, "order:9", 1_000)
    building, households = referrals.building_households(db.session.get(User, inviter_id))
    assert (building.id, households) == (building_id, 2)


def test_invitations_say_where_each_friend_stands(street):
    store_id, building_id, _other, inviter_id = street
    waiting = sign_up(store_id, building_id, "4-101", code_of(inviter_id))
    sign_up(store_id, building_id, "4-102", code_of(inviter_id))
    buy(waiting, store_id, "order:1", goods_cents=5_000)
    statuses = sorted(i.status for i in referrals.list_invitations(db.session.get(User, inviter_id)))
    assert statuses == ["joined", "waiting"]
