"""The marketplace's pure score and standing rules, and the money rules (reserve, months, commission)."""
from datetime import date, datetime, timedelta, timezone

from hypothesis import given, strategies as st

from services import money_rules
from services import reputation_rules as rules
from services.ledger import commission_cents

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=timezone.utc)

counts = st.integers(min_value=0, max_value=500)
stars = st.floats(min_value=1.0, max_value=5.0, allow_nan=False)


@st.composite
def vendor_stats(draw):
    reviews = draw(counts)
    jobs, offers = draw(counts), draw(counts)
    return rules.VendorStats(reviews=reviews, mean_stars=draw(stars) if reviews else 0.0, jobs=jobs,
                             on_time=draw(st.integers(0, jobs)), offers=offers, accepted=draw(st.integers(0, offers)),
                             upheld_complaints=draw(st.integers(0, 20)))


@given(vendor_stats(), st.floats(min_value=1.0, max_value=5.0))
def test_the_score_is_between_0_and_1(stats, prior_mean):
    assert 0.0 <= rules.score(stats, prior_mean) <= 1.0


@given(vendor_stats(), stars, stars)
def test_the_score_rises_with_the_rating(stats, low, high):
    low, high = sorted((low, high))
    if stats.reviews == 0:
        stats = rules.VendorStats(**{**stats.__dict__, "reviews": 1})
    worse = rules.VendorStats(**{**stats.__dict__, "mean_stars": low})
    better = rules.VendorStats(**{**stats.__dict__, "mean_stars": high})
    assert rules.score(worse) <= rules.score(better)


@given(vendor_stats(), st.data())
def test_the_score_rises_with_the_on_time_rate(stats, data):
    more = data.draw(st.integers(stats.on_time, stats.jobs))
    assert rules.score(stats) <= rules.score(rules.VendorStats(**{**stats.__dict__, "on_time": more}))


@given(st.floats(min_value=1.0, max_value=5.0))
def test_a_new_vendor_starts_at_the_prior_not_at_zero(prior_mean):
    new = rules.score(rules.VendorStats(), prior_mean)
    assert new == rules.prior_score(prior_mean)
    assert new > 0.5 if prior_mean >= 4 else new > 0.3


def test_few_reviews_stay_close_to_the_prior_and_many_reach_the_mean():
    one_bad = rules.bayesian_rating(1, 1.0, 4.5)
    assert 3.8 < one_bad < 4.5
    assert abs(rules.bayesian_rating(10_000, 2.0, 4.5) - 2.0) < 0.01
    assert rules.bayesian_rating(0, 0.0, 4.2) == 4.2


def test_upheld_complaints_lower_the_score():
    clean = rules.VendorStats(reviews=20, mean_stars=4.8, jobs=20, on_time=20, offers=20, accepted=20)
    assert rules.score(rules.VendorStats(**{**clean.__dict__, "upheld_complaints": 2})) < rules.score(clean)


def test_on_time_means_by_the_start_plus_the_grace():
    start = NOW
    assert rules.is_on_time(start, start + timedelta(minutes=rules.ON_TIME_GRACE_MIN))
    assert not rules.is_on_time(start, start + timedelta(minutes=rules.ON_TIME_GRACE_MIN, seconds=1))
    assert not rules.is_on_time(start, None)


def test_each_threshold_is_a_breach_only_with_enough_data():
    assert rules.breaches(rules.VendorStats(reviews=9, mean_stars=2.0)) == []
    assert [r for r, _ in rules.breaches(rules.VendorStats(reviews=10, mean_stars=3.9))] == ["low_rating"]
    assert [r for r, _ in rules.breaches(rules.VendorStats(upheld_complaints=3))] == ["complaints"]
    assert [r for r, _ in rules.breaches(rules.VendorStats(offers=10, accepted=4))] == ["low_acceptance"]
    assert rules.breaches(rules.VendorStats(offers=10, accepted=5)) == []
    assert [r for r, _ in rules.breaches(rules.VendorStats(jobs=10, on_time=6))] == ["late"]
    assert rules.breaches(rules.VendorStats(jobs=10, on_time=7)) == []


def test_probation_then_suspension_only_at_its_end_and_back_to_good_above():
    low = rules.breaches(rules.VendorStats(upheld_complaints=3))
    first = rules.next_standing("good", low, None, NOW)
    assert (first.standing, first.reason) == ("probation", "complaints")
    assert first.probation_until_at == NOW + rules.PROBATION
    still = rules.next_standing("probation", low, first.probation_until_at, NOW + timedelta(days=13))
    assert still.standing == "probation"
    ended = rules.next_standing("probation", low, first.probation_until_at, NOW + rules.PROBATION)
    assert ended.standing == "suspended"
    assert rules.next_standing("probation", [], first.probation_until_at, NOW + timedelta(days=20)).standing == "good"
    assert rules.next_standing("suspended", [], None, NOW).standing == "suspended"


standings = st.sampled_from(["good", "probation", "suspended"])
found_lists = st.lists(st.sampled_from(rules.REASONS), unique=True).map(lambda rs: [(r, {}) for r in rs])
offsets = st.integers(min_value=-30, max_value=30).map(lambda d: NOW + timedelta(days=d))


@given(found_lists, st.one_of(st.none(), offsets), offsets)
def test_no_path_goes_from_good_to_suspended_without_probation(found, until, now):
    assert rules.next_standing("good", found, until, now).standing in ("good", "probation")


@given(st.lists(st.tuples(found_lists, st.integers(0, 20)), max_size=12))
def test_every_suspension_follows_a_probation_that_ran_its_course(steps):
    standing, until, now = "good", None, NOW
    for found, days in steps:
        now += timedelta(days=days)
        decision = rules.next_standing(standing, found, until, now)
        if decision.standing == "suspended" and standing != "suspended":
            assert standing == "probation" and now >= until and found
        standing, until = decision.standing, decision.probation_until_at


@given(st.sampled_from(["good", "probation"]), st.one_of(st.none(), offsets), offsets)
def test_above_every_threshold_never_suspends(standing, until, now):
    assert rules.next_standing(standing, [], until, now).standing == "good"


@given(st.integers(min_value=-10**9, max_value=10**9), st.integers(min_value=0, max_value=10**7))
def test_the_reserve_rule(balance, reserve):
    due = money_rules.payout_due_cents(balance, reserve)
    assert due >= 0
    assert (due == 0) == (balance <= reserve)
    if due:
        assert balance - due == reserve


def test_the_default_reserve_and_what_the_vendor_owes():
    assert money_rules.payout_due_cents(20_000) == 0
    assert money_rules.payout_due_cents(20_001) == 1
    assert money_rules.payout_due_cents(-500) == 0
    assert money_rules.owed_by_vendor_cents(-500) == 500
    assert money_rules.owed_by_vendor_cents(10) == 0


def test_commission_rounds_half_up_to_the_cent():
    assert commission_cents(20_000, 1500) == 3000
    assert commission_cents(333, 1500) == 50      # 49.95 -> 50
    assert commission_cents(3, 1500) == 0         # 0.45 -> 0
    assert commission_cents(10, 1500) == 2        # 1.5 -> 2
    assert commission_cents(12_345, 0) == 0


@given(st.integers(min_value=0, max_value=10**8), st.integers(min_value=0, max_value=10_000))
def test_commission_is_within_half_a_cent_of_the_exact_share(price, bps):
    exact = price * bps / 10_000
    assert abs(commission_cents(price, bps) - exact) <= 0.5


def test_store_months_are_local_months():
    start, end = money_rules.month_bounds(date(2026, 12, 1), "Asia/Shanghai")
    assert start == datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)
    assert end == datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)
    just_after_midnight = datetime(2026, 11, 30, 16, 30, tzinfo=timezone.utc)
    assert money_rules.month_of(just_after_midnight, "Asia/Shanghai") == date(2026, 12, 1)
    assert money_rules.shift_month(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert money_rules.shift_month(date(2026, 12, 1), 1) == date(2027, 1, 1)
    assert money_rules.parse_month("2026-11") == date(2026, 11, 1)
    for bad in ("2026-13", "26-11", "２０２６-11", "", None, "2026-1x", "9999-01"):
        assert money_rules.parse_month(bad) is None
