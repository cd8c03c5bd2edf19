"""Referral rules: invite codes, who may invite whom, when a reward is due and when it is taken back."""
from datetime import datetime, timedelta, timezone

import pytest
from sqids import Sqids

from store_app.growth import referral_rules as rules
from store_app.growth.referral_rules import Person, PurchaseFacts, Refusal

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("user_id", [1, 42, 9_999, 2_147_483_647])
def test_an_invite_code_decodes_to_its_resident(user_id):
    code = rules.invite_code(3, user_id)
    assert len(code) >= rules.CODE_MIN_LENGTH
    assert rules.decode_invite(3, code) == user_id
    assert rules.decode_invite(3, f"  {code} ") == user_id


def test_each_store_has_its_own_alphabet():
    assert rules.store_alphabet(1) != rules.store_alphabet(2)
    assert sorted(rules.store_alphabet(1)) == sorted(rules.store_alphabet(2))
    assert rules.invite_code(1, 42) != rules.invite_code(2, 42)
    assert rules.invite_code(1, 42) == rules.invite_code(1, 42)


@pytest.mark.parametrize("junk", ["", "abc", "0O1lI0O1", "!!!!!!!!", "a" * 30, "ab cd ef", "邀请码邀请码邀", "x" * 20,
                                  "zzzzzzzzzzzzzzzzzzzz"])
def test_anything_else_is_no_code(junk):
    assert rules.decode_invite(1, junk) is None


def test_a_code_sqids_would_read_but_never_made_is_refused():
    """sqids decodes many strings to an id that encodes otherwise: only the one code made is accepted."""
    coder = Sqids(alphabet=rules.store_alphabet(1), min_length=rules.CODE_MIN_LENGTH)
    code = rules.invite_code(1, 42)
    readable = [text for text in (code[:i] + ch + code[i + 1:] for i in range(len(code))
                                  for ch in rules.store_alphabet(1))
                if coder.decode(text) and coder.encode(coder.decode(text)) != text]
    assert readable, "sqids reads some altered codes as ids they are not the code of"
    assert all(rules.decode_invite(1, text) is None for text in readable)


def test_units_are_compared_however_they_are_typed():
    assert rules.normalise_unit(" 2－1203 ") == "2-1203"
    assert rules.normalise_unit("2 - 1203") == "2-1203"
    assert rules.normalise_unit("Ｂ2—1203") == "b2-1203"
    assert rules.household(5, "2-1203") == rules.household(5, "2 — 1203")


INVITER = Person(1, "+8613900000001", frozenset({(10, "3-501")}))


def friend(**kw):
    return Person(**{"user_id": 2, "phone": "+8613900000002", "households": frozenset({(10, "4-101")}), **kw})


def test_a_new_household_may_be_invited():
    assert rules.invite_refusal(INVITER, friend()) is None


def test_nobody_invites_themselves():
    assert rules.invite_refusal(INVITER, friend(user_id=1)) == Refusal.SELF
    assert rules.invite_refusal(INVITER, friend(phone=INVITER.phone)) == Refusal.SELF


def test_nobody_invites_someone_at_their_own_address():
    same = friend(households=frozenset({(10, "3-501")}))
    assert rules.invite_refusal(INVITER, same) == Refusal.SAME_HOUSEHOLD


def test_nobody_invites_an_existing_customer():
    assert rules.invite_refusal(INVITER, friend(), known_phones={"+8613900000002"}) == Refusal.EXISTING_PHONE
    assert rules.invite_refusal(INVITER, friend(), known_households={(10, "4-101")}) == Refusal.KNOWN_HOUSEHOLD
    # A neighbour in the next flat is a new household.
    assert rules.invite_refusal(INVITER, friend(), known_households={(10, "4-102")}) is None


def test_one_inviter_per_friend():
    assert rules.invite_refusal(INVITER, friend(), already_invited=True) == Refusal.ALREADY_INVITED


def purchase(pid, completed_days_ago, goods=5_000, refunded=0, window_days=2):
    completed = NOW - timedelta(days=completed_days_ago)
    return PurchaseFacts(pid, completed, completed + timedelta(days=window_days), goods, refunded)


def test_the_first_completed_purchase_that_counts_is_the_qualifying_one():
    first, later = purchase(7, 5), purchase(8, 1)
    assert rules.qualifying_purchase([later, first]) == first
    small = purchase(6, 9, goods=500)          # under ¥10: does not count
    refunded = purchase(5, 10, refunded=4_500)  # only ¥5 kept
    placed = PurchaseFacts(4, None, None, 9_000, 0)
    assert rules.qualifying_purchase([small, refunded, placed, later, first]) == first
    assert rules.qualifying_purchase([small, placed]) is None


def test_the_reward_waits_for_the_refund_window():
    assert not rules.reward_due(purchase(1, 1), NOW)       # window ends tomorrow
    assert rules.reward_due(purchase(1, 2), NOW)           # window ends now
    assert rules.reward_due(purchase(1, 3), NOW)
    assert not rules.reward_due(None, NOW)


def test_a_reward_is_taken_back_when_too_little_of_the_purchase_is_kept():
    assert not rules.reward_taken_back(5_000, 1_000)
    assert not rules.reward_taken_back(5_000, 4_000)   # ¥10 kept still counts
    assert rules.reward_taken_back(5_000, 4_001)
    assert rules.reward_taken_back(5_000, 5_500)       # the fee too
