"""Points rules: earning on goods only, reversal on (partial) refunds with a zero floor, tiers and the
demotion rule with its month of grace."""
from datetime import datetime, timedelta, timezone

from hypothesis import given, strategies as st

from store_app.growth import points_rules as rules
from store_app.growth.points_rules import Tier

UTC = timezone.utc


def test_one_point_per_whole_yuan_of_goods_rounded_down():
    assert rules.points_for(0) == 0
    assert rules.points_for(99) == 0
    assert rules.points_for(100) == 1
    assert rules.points_for(12_345) == 123
    assert rules.points_for(-500) == 0


def test_the_tier_multiplies_what_a_purchase_earns():
    assert rules.points_for(10_000, Tier.BASIC) == 100
    assert rules.points_for(10_000, Tier.SILVER) == 125
    assert rules.points_for(10_000, Tier.GOLD) == 150
    assert rules.points_for(10_050, Tier.SILVER) == 125  # ¥100.50: 100 whole yuan


def test_a_whole_refund_takes_back_every_point():
    assert rules.points_owed_back(120, 12_000, 12_000, 0) == 120


def test_a_refund_counts_against_the_goods_first_then_the_fee():
    # ¥100 of goods and a ¥5 fee: the whole ¥105 back takes the 100 points, never more.
    assert rules.points_owed_back(100, 10_000, 10_500, 0) == 100
    # ¥30 back: ¥30 of goods, 30 points.
    assert rules.points_owed_back(100, 10_000, 3_000, 0) == 30


def test_two_partial_refunds_take_back_what_one_would():
    first = rules.points_owed_back(100, 10_000, 3_333, 0)
    second = rules.points_owed_back(100, 10_000, 10_000, first)
    assert (first, second) == (33, 67)
    assert first + second == 100


def test_a_replayed_refund_owes_nothing_more():
    first = rules.points_owed_back(100, 10_000, 5_000, 0)
    assert rules.points_owed_back(100, 10_000, 5_000, first) == 0


def test_nothing_is_owed_back_without_an_award_or_a_refund():
    assert rules.points_owed_back(0, 10_000, 10_000, 0) == 0
    assert rules.points_owed_back(100, 10_000, 0, 0) == 0
    assert rules.points_owed_back(100, 0, 500, 0) == 0  # a fee-only purchase earned nothing


@given(goods=st.integers(1, 1_000_000), fee=st.integers(0, 2_000),
       refunds=st.lists(st.integers(1, 200_000), min_size=1, max_size=8))
def test_partial_refunds_in_any_steps_add_up_to_the_cumulative_claim(goods, fee, refunds):
    awarded = rules.points_for(goods)
    claimed, refunded = 0, 0
    for amount in refunds:
        refunded = min(goods + fee, refunded + amount)
        step = rules.points_owed_back(awarded, goods, refunded, claimed)
        assert step >= 0
        claimed += step
    assert claimed == awarded * min(refunded, goods) // goods
    assert claimed <= awarded
    if refunded >= goods:
        assert claimed == awarded


def test_a_reversal_never_takes_the_balance_below_zero():
    assert rules.split_reversal(50, 80) == (50, 0)
    assert rules.split_reversal(50, 20) == (20, 30)
    assert rules.split_reversal(50, 0) == (0, 50)


def test_tiers_by_points_of_the_last_twelve_months():
    assert rules.tier_for(0) == Tier.BASIC
    assert rules.tier_for(999) == Tier.BASIC
    assert rules.tier_for(1_000) == Tier.SILVER
    assert rules.tier_for(4_999) == Tier.SILVER
    assert rules.tier_for(5_000) == Tier.GOLD


def test_progress_to_the_next_tier():
    above, needed, pct = rules.points_to_next(Tier.BASIC, 250)
    assert (above.tier, needed, pct) == (Tier.SILVER, 750, 25)
    assert rules.points_to_next(Tier.GOLD, 9_000) == (None, 0, 100)


NOW = datetime(2026, 12, 1, 0, 5, tzinfo=UTC)
NEXT = datetime(2027, 1, 1, tzinfo=UTC)


def test_a_review_moves_up_at_once_and_clears_any_grace():
    assert rules.review_tier(Tier.BASIC, None, 1_200, NOW, NEXT) == (Tier.SILVER, None)
    assert rules.review_tier(Tier.SILVER, NOW - timedelta(days=3), 1_200, NOW, NEXT) == (Tier.SILVER, None)


def test_below_the_threshold_a_month_of_grace_comes_first():
    assert rules.review_tier(Tier.GOLD, None, 1_500, NOW, NEXT) == (Tier.GOLD, NEXT)


def test_still_below_when_the_grace_ended_moves_down_to_the_tier_reached():
    assert rules.review_tier(Tier.GOLD, NOW, 1_500, NOW, NEXT) == (Tier.SILVER, None)
    assert rules.review_tier(Tier.GOLD, NOW - timedelta(days=1), 10, NOW, NEXT) == (Tier.BASIC, None)


def test_a_review_run_again_within_the_grace_keeps_the_tier_and_the_grace():
    grace = NOW + timedelta(days=20)
    assert rules.review_tier(Tier.SILVER, grace, 10, NOW, NEXT) == (Tier.SILVER, grace)


def test_months_are_the_stores_calendar_months():
    # 30 November 16:30 UTC is already 1 December 00:30 in Shanghai.
    late = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
    assert rules.month_key(late, "Asia/Shanghai") == "2026-12"
    assert rules.month_key(late, "UTC") == "2026-11"
    assert rules.next_month_start(late, "Asia/Shanghai") == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert rules.next_month_start(datetime(2026, 12, 15, tzinfo=UTC), "UTC") == datetime(2027, 1, 1, tzinfo=UTC)
