"""Campaign rules: the holdout split (deterministic, about the percent asked), the dry run's sums,
the margin check's arithmetic, status moves and the uplift."""
import pytest
from hypothesis import given, strategies as st

from store_app.growth import campaign_rules as rules
from store_app.growth.campaign_rules import CostedProduct, Replay


def test_holdout_is_deterministic_and_differs_between_campaigns():
    first = [rules.is_holdout(7, uid, 10) for uid in range(1, 500)]
    assert first == [rules.is_holdout(7, uid, 10) for uid in range(1, 500)]
    assert first != [rules.is_holdout(8, uid, 10) for uid in range(1, 500)]


@pytest.mark.parametrize("percent", [0, 5, 10, 25, 50])
def test_holdout_share_is_close_to_the_percent(percent):
    n = 10_000
    held = sum(rules.is_holdout(3, uid, percent) for uid in range(1, n + 1))
    assert abs(held / n * 100 - percent) < 1.5
    if percent == 0:
        assert held == 0


@given(st.integers(1, 10**6), st.integers(1, 10**7), st.integers(0, 50))
def test_holdout_grows_with_the_percent(campaign_id, user_id, percent):
    bucket = rules.holdout_bucket(campaign_id, user_id)
    assert 0 <= bucket < 100
    assert rules.is_holdout(campaign_id, user_id, percent) == (bucket < percent)
    if rules.is_holdout(campaign_id, user_id, percent):
        assert rules.is_holdout(campaign_id, user_id, min(50, percent + 1))


def test_per_user_limit_keeps_the_first_uses():
    replays = [Replay(1, 5000, 500), Replay(1, 5000, 500), Replay(2, 5000, 0), Replay(2, 3000, 300)]
    kept = rules.limit_per_user(replays, 1)
    assert [r.discount_cents for r in kept] == [500, 0, 0, 300]


def test_dry_run_figures():
    replays = [Replay(1, 5000, 500), Replay(2, 5000, 0), Replay(3, 10_000, 1000)]
    figures = rules.dry_run_figures(replays, segment_size=10, treated_size=9)
    assert figures["orders"] == 3 and figures["affected_orders"] == 2
    assert figures["discount_cents"] == 1500 and figures["gmv_cents"] == 20_000
    assert figures["discount_share_bp"] == 750            # 7.5 %
    assert figures["residents_touched"] == 2
    limited = rules.dry_run_figures(replays, segment_size=10, treated_size=9, total_limit=1)
    assert limited["affected_orders"] == 1 and limited["discount_cents"] == 500
    assert rules.dry_run_figures([], segment_size=0, treated_size=0)["discount_share_bp"] == 0


def test_smallest_qualifying_basket():
    assert rules.smallest_qualifying_quantity(300, min_spend_cents=0, min_items=0) == 1
    assert rules.smallest_qualifying_quantity(300, min_spend_cents=1000, min_items=0) == 4
    assert rules.smallest_qualifying_quantity(300, min_spend_cents=900, min_items=5) == 5


def test_margin_check_arithmetic():
    water = CostedProduct(1, price_cents=300, cost_cents=200)
    assert not rules.sells_below_cost(water, 4, 400)     # 1200 - 400 = 800 == cost 800: at cost, allowed
    assert rules.sells_below_cost(water, 4, 401)
    assert not rules.sells_below_cost(CostedProduct(2, 300, None), 1, 300)   # unknown cost: not checked


def test_status_moves():
    assert rules.can_move("draft", "running") and rules.can_move("running", "paused")
    assert rules.can_move("paused", "running") and not rules.can_move("ended", "running")
    assert not rules.can_move("draft", "paused")


def test_uplift():
    result = rules.uplift(90, 27, 10, 2)
    assert result["treated_rate"] == pytest.approx(0.3) and result["holdout_rate"] == pytest.approx(0.2)
    assert result["difference_points"] == 10.0
    assert rules.uplift(5, 1, 0, 0)["difference_points"] is None


def test_lines_below_cost_share_the_discount_by_value():
    from store_app.growth.baskets import BasketLine
    milk = BasketLine(1, 1250, 2, category_id=5, cost_cents=900)     # 25.00, cost 18.00
    water = BasketLine(2, 300, 5, category_id=6, cost_cents=None)     # 15.00, cost unknown
    # 8.00 off 40.00: milk keeps 20.00 of its 25.00 (>= 18.00).
    assert rules.lines_below_cost([milk, water], 800) == 0
    # Only milk's category is covered: all 8.00 falls on milk (17.00 < 18.00).
    assert rules.lines_below_cost([milk, water], 800, category_id=5) == 1
    assert rules.lines_below_cost([milk, water], 700, category_id=5) == 0   # exactly at cost: allowed
    assert rules.lines_below_cost([milk], 0) == 0
