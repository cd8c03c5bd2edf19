"""Booking rules: fee tiers, notices, the vendor's deadline, and reschedules that cannot dodge a fee."""
from datetime import datetime, timedelta, timezone

from hypothesis import given, strategies as st

from services import booking_rules as rules

START = datetime(2026, 12, 10, 2, 0, tzinfo=timezone.utc)


def fee(now, held=20000, free_h=24, pct=50):
    return rules.cancel_fee_cents(held, START, now, free_cancel_h=free_h, late_cancel_pct=pct)


def test_cancelling_is_free_more_than_the_free_hours_before_and_costs_the_late_percentage_within():
    assert fee(START - timedelta(hours=24, minutes=1)) == 0
    assert fee(START - timedelta(hours=24)) == 10000
    assert fee(START - timedelta(minutes=5)) == 10000
    assert fee(START - timedelta(hours=2), pct=0) == 0
    assert rules.no_show_fee_cents(20000, 100) == 20000
    assert rules.no_show_fee_cents(333, 50) == 167  # half up


@given(st.integers(0, 10**7), st.integers(0, 100), st.integers(0, 96), st.integers(-200, 200 * 60))
def test_a_fee_is_never_negative_nor_more_than_what_is_held(held, pct, free_h, minutes_before):
    charged = fee(START - timedelta(minutes=minutes_before), held=held, free_h=free_h, pct=pct)
    assert 0 <= charged <= held


@given(st.integers(0, 100), st.integers(0, 48 * 60), st.integers(1, 48 * 60))
def test_cancelling_later_never_costs_less(pct, later_min, earlier_extra):
    later = START - timedelta(minutes=later_min)
    earlier = later - timedelta(minutes=earlier_extra)
    assert fee(later, pct=pct) >= fee(earlier, pct=pct)


def test_the_hourly_price_is_held_for_the_booked_hours():
    assert rules.price_to_hold_cents("hourly", 6000, 90) == 9000
    assert rules.price_to_hold_cents("from", 8000, 90) == 8000
    assert rules.price_to_hold_cents("fixed", 20000, 120) == 20000


def test_notices_apply_to_residents_and_not_to_staff():
    assert rules.meets_notice(START, START - timedelta(minutes=120), 120)
    assert not rules.meets_notice(START, START - timedelta(minutes=119), 120)
    assert rules.meets_notice(START, START - timedelta(minutes=1), 120, staff=True)
    assert rules.booking_notice_min(120, 240) == 240
    assert rules.cancel_refusal("accepted", START, START - timedelta(minutes=10), notice_min=60) == "notice"
    assert rules.cancel_refusal("accepted", START, START - timedelta(minutes=10), notice_min=60, staff=True) is None
    assert rules.cancel_refusal("arrived", START, START - timedelta(days=1), notice_min=0, staff=True) == "status"
    assert rules.cancel_refusal("held", START, START, notice_min=600) is None


def test_the_vendor_has_thirty_minutes_or_half_the_time_left_but_at_least_five():
    now = START - timedelta(days=1)
    assert rules.accept_by(now, START) == now + timedelta(minutes=30)
    assert rules.accept_by(START - timedelta(minutes=40), START) == START - timedelta(minutes=20)
    assert rules.accept_by(START - timedelta(minutes=6), START) == START - timedelta(minutes=1)


@given(st.integers(-60, 10 * 24 * 60))
def test_the_accept_deadline_is_between_five_and_thirty_minutes(minutes_left):
    now = START - timedelta(minutes=minutes_left)
    deadline = rules.accept_by(now, START)
    assert timedelta(minutes=5) <= deadline - now <= timedelta(minutes=30)


def reschedule(now, *, original=None, status="requested", staff=False):
    return rules.reschedule_refusal(status, START, original, now, free_cancel_h=24, notice_min=240, staff=staff)


def test_a_reschedule_inside_the_fee_window_is_refused_so_it_cannot_dodge_the_fee():
    assert reschedule(START - timedelta(hours=30)) is None
    assert reschedule(START - timedelta(hours=20)) == "fee_window"
    assert reschedule(START - timedelta(hours=3)) == "notice"
    assert reschedule(START - timedelta(hours=3), staff=True) is None
    assert reschedule(START - timedelta(days=3), status="in_progress") == "status"


def test_the_fee_window_is_judged_from_the_original_start_after_a_reschedule():
    # First booked for an earlier time, moved later: near the ORIGINAL start, moving again is refused.
    original = START - timedelta(days=2)
    assert reschedule(original - timedelta(hours=10), original=original) == "fee_window"
    assert reschedule(original - timedelta(hours=30), original=original) is None


@given(st.integers(0, 24 * 60), st.integers(0, 30 * 24 * 60))
def test_no_reschedule_inside_the_window_of_either_start_is_allowed(minutes_before_original, moved_by_min):
    original = START
    current = START + timedelta(minutes=moved_by_min)
    now = original - timedelta(minutes=minutes_before_original)
    refusal = rules.reschedule_refusal("accepted", current, original, now, free_cancel_h=24, notice_min=0)
    assert refusal == "fee_window"
