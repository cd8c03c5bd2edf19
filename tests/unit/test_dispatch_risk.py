"""The dispatch board's risk rule, pure: predicted lateness from the dispatcher's prediction (or a
pessimistic estimate without one), which tasks are flagged, and whether a courier has room."""
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from store_app.deliveries import rules
from store_app.deliveries.rules import QuoteParams

NOW = datetime(2026, 11, 23, 4, 0, tzinfo=timezone.utc)
PROMISED = NOW + timedelta(minutes=20)
PARAMS = QuoteParams(promise_min=30, speed_m_per_min=250, detour_factor=1.0, handover_min=3)


def lateness(predicted_in_min=None, fallback_min=0, promised=PROMISED):
    predicted = None if predicted_in_min is None else NOW + timedelta(minutes=predicted_in_min)
    return rules.predicted_lateness_min(promised, predicted, NOW, fallback_min)


def test_a_prediction_past_the_promise_is_late_by_the_difference():
    assert lateness(32) == 12
    assert lateness(20) == 0
    assert lateness(15) == -5


def test_a_part_minute_counts_as_a_whole_one_both_ways():
    assert lateness(20.1) == 1
    assert lateness(19.9) == -1


def test_without_a_prediction_the_estimate_from_now_is_used():
    assert lateness(None, fallback_min=26) == 6
    assert lateness(None, fallback_min=10) == -10
    # A prediction wins over the estimate.
    assert lateness(5, fallback_min=60) == -15


def test_a_stale_prediction_in_the_past_counts_from_now():
    already_late = NOW - timedelta(minutes=7)
    assert rules.predicted_lateness_min(already_late, NOW - timedelta(minutes=10), NOW, 0) == 7
    assert lateness(-10) == -20


def test_a_prediction_is_at_risk_when_late_or_within_the_margin():
    assert rules.RISK_MARGIN_MIN == 3
    assert rules.is_at_risk(12, True) and rules.is_at_risk(1, True) and rules.is_at_risk(0, True)
    assert rules.is_at_risk(-2, True)
    assert not rules.is_at_risk(-3, True) and not rules.is_at_risk(-15, True)
    assert rules.is_at_risk(-3, True, margin_min=5) and not rules.is_at_risk(0, True, margin_min=0)


def test_an_estimate_is_at_risk_only_past_the_promise():
    """The estimate is pessimistic already: a fresh order's equals its quoted promise, and is not flagged."""
    assert rules.is_at_risk(1, False) and rules.is_at_risk(12, False)
    assert not rules.is_at_risk(0, False) and not rules.is_at_risk(-2, False)


def test_the_fallback_is_pessimistic_before_pickup():
    # 1,000 m at 250 m/min = 4 min; handover 3 min.
    assert rules.fallback_minutes(True, 0, 1000, PARAMS) == 4 + 3
    # Not collected yet: a courier first rides back from a drop-off as far as this one...
    assert rules.fallback_minutes(False, 0, 1000, PARAMS) == 4 + 4 + 3
    # ...unless packing takes longer than that; a packing time already overdue counts as none.
    assert rules.fallback_minutes(False, 9, 1000, PARAMS) == 9 + 4 + 3
    assert rules.fallback_minutes(False, -5, 1000, PARAMS) == 4 + 4 + 3


@given(st.integers(0, 5_000), st.integers(-30, 60))
def test_a_later_hand_over_is_never_less_late(distance_m, to_ready):
    before = rules.fallback_minutes(True, to_ready, distance_m, PARAMS)
    after = rules.fallback_minutes(False, to_ready, distance_m, PARAMS)
    assert after >= before
    assert lateness(None, after) >= lateness(None, before)


def test_room_counts_task_sizes_against_capacity():
    assert rules.has_room(2, 1, 3)
    assert not rules.has_room(3, 1, 3)
    assert not rules.has_room(2, 2, 3)
    assert rules.has_room(0, 3, 3)


def test_may_be_late_is_due_from_a_five_minute_slip():
    """One threshold for the resident's "may be late" and the board's "resident told" mark."""
    assert rules.LATE_NOTICE_MIN == 5
    assert not rules.is_late_notice_due(4) and not rules.is_late_notice_due(1) and not rules.is_late_notice_due(0)
    assert rules.is_late_notice_due(5) and rules.is_late_notice_due(30)
    # The board's own rough estimate (no prediction yet) never counts as telling anyone.
    assert not rules.is_late_notice_due(12, predicted=False)


def test_a_four_minute_slip_is_at_risk_but_not_told_and_five_is_both():
    """Built from the same lateness as the board computes it: 4 min past the promise -> flagged to staff
    only; 5 -> flagged and told. Every slip worth telling is also flagged at risk."""
    four, five = lateness(24), lateness(25)
    assert (four, five) == (4, 5)
    assert rules.is_at_risk(four, True) and not rules.is_late_notice_due(four, True)
    assert rules.is_at_risk(five, True) and rules.is_late_notice_due(five, True)


@given(st.integers(-60, 120), st.booleans())
def test_told_implies_at_risk(lateness_min, predicted):
    if rules.is_late_notice_due(lateness_min, predicted):
        assert rules.is_at_risk(lateness_min, predicted)
