"""The board's pure maths: calendar days at UTC+8 midnight, periods and their comparison,
completeness, N-day retention cohorts on a small hand-made history, percentiles from buckets, the
figures from rollup sums, and the SVG chart layout."""
from datetime import UTC, date, datetime, timedelta

import pytest

from store_app.accounts.activity_rules import activity_day
from store_app.reports import board_rules, charts, kpi_rules
from store_app.reports.kpi_rules import Period

TZ = "Asia/Shanghai"  # UTC+8, no daylight saving: local midnight is 16:00 UTC the day before


def utc(*args):
    return datetime(*args, tzinfo=UTC)


# ---- day boundaries ------------------------------------------------------------------------------

def test_23_30_and_00_30_store_time_are_two_days_though_the_same_utc_day():
    late = utc(2026, 3, 2, 15, 30)   # 23:30 on 2 March in Shanghai
    early = utc(2026, 3, 2, 16, 30)  # 00:30 on 3 March in Shanghai
    assert late.date() == early.date()
    assert kpi_rules.local_day(late, TZ) == date(2026, 3, 2)
    assert kpi_rules.local_day(early, TZ) == date(2026, 3, 3)
    assert activity_day(late, TZ) == (date(2026, 3, 2), utc(2026, 3, 2, 16))
    assert activity_day(early, TZ) == (date(2026, 3, 3), utc(2026, 3, 3, 16))


def test_a_period_covers_its_local_days_in_utc():
    start, end = kpi_rules.utc_window(Period(date(2026, 3, 2), date(2026, 3, 3)), TZ)
    assert (start, end) == (utc(2026, 3, 1, 16), utc(2026, 3, 3, 16))


def test_weeks_start_on_monday():
    assert kpi_rules.week_start(date(2026, 3, 8)) == date(2026, 3, 2)   # a Sunday
    assert kpi_rules.week_start(date(2026, 3, 2)) == date(2026, 3, 2)
    assert kpi_rules.week_start(date(2026, 3, 9)) == date(2026, 3, 9)


# ---- periods ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, first, last", [
    ("today", date(2026, 3, 18), date(2026, 3, 18)),
    ("7d", date(2026, 3, 12), date(2026, 3, 18)),
    ("month", date(2026, 3, 1), date(2026, 3, 18)),
    ("30d", date(2026, 2, 17), date(2026, 3, 18)),
])
def test_presets_end_today(name, first, last):
    assert kpi_rules.preset_period(name, date(2026, 3, 18)) == Period(first, last)


def test_the_previous_period_has_the_same_length_and_ends_the_day_before():
    period = Period(date(2026, 3, 1), date(2026, 3, 31))
    previous = kpi_rules.previous_period(period)
    assert previous == Period(date(2026, 1, 29), date(2026, 2, 28))
    assert previous.days == period.days == 31


@pytest.mark.parametrize("first, last, reason", [
    ("2026-13-01", "2026-12-31", "date"), ("x", "2026-01-01", "date"), ("0001-01-01", "0001-01-02", "date"),
    ("2026-02-01", "2026-01-01", "order"), ("2020-01-01", "2026-01-01", "length")])
def test_bad_periods_are_refused_with_a_reason(first, last, reason):
    with pytest.raises(kpi_rules.PeriodInvalid) as refused:
        kpi_rules.parse_period(first, last)
    assert refused.value.reason == reason


def test_a_period_that_includes_today_or_the_future_is_incomplete():
    today = date(2026, 3, 18)
    assert kpi_rules.is_complete(Period(date(2026, 3, 1), date(2026, 3, 17)), today)
    assert not kpi_rules.is_complete(Period(date(2026, 3, 1), date(2026, 3, 18)), today)
    assert not kpi_rules.is_complete(Period(date(2026, 3, 19), date(2026, 3, 20)), today)
    assert kpi_rules.elapsed_days(Period(date(2026, 3, 15), date(2026, 3, 21)), today) == 4


def test_comparison_in_percent_and_in_points():
    assert kpi_rules.comparison(120, 100, "percent") == (20, "up")
    assert kpi_rules.comparison(80, 100, "percent") == (-20, "down")
    assert kpi_rules.comparison(5, 0, "percent") == (None, None)
    assert kpi_rules.comparison(0.9, 0.85, "share") == (5.0, "up")
    assert kpi_rules.comparison(None, 0.85, "share") == (None, None)


# ---- retention on a hand-made history whose days end at UTC+8 midnight --------------------------

def test_n_day_retention_counts_activity_on_the_nth_local_day_exactly():
    first_purchase = {
        1: utc(2026, 3, 2, 15, 30),  # 23:30 on 2 March: cohort of 2 March
        2: utc(2026, 3, 2, 16, 30),  # 00:30 on 3 March: cohort of 3 March
        3: utc(2026, 3, 2, 2, 0),    # 10:00 on 2 March
    }
    cohort = kpi_rules.first_days(first_purchase, TZ)
    assert cohort == {1: date(2026, 3, 2), 2: date(2026, 3, 3), 3: date(2026, 3, 2)}
    active = {
        1: {date(2026, 3, 9)},                      # day 7 of its cohort: retained
        2: {date(2026, 3, 9)},                      # day 6 of its cohort: not retained at 7
        3: {date(2026, 3, 8), date(2026, 3, 10)},   # days 6 and 8: not retained at 7
    }
    cohorts = kpi_rules.retention_cohorts(cohort, active, 7)
    assert cohorts == {date(2026, 3, 2): (2, 1), date(2026, 3, 3): (1, 0)}
    # On 10 March, only the 2 March cohort's 7th day (9 March) is over; 3 March's is today.
    assert kpi_rules.retention_rate(cohorts, 7, date(2026, 3, 10)) == 0.5
    assert kpi_rules.retention_rate(cohorts, 7, date(2026, 3, 11)) == pytest.approx(1 / 3)
    assert kpi_rules.retention_rate(cohorts, 7, date(2026, 3, 9)) is None


def test_activity_at_23_30_and_00_30_counts_on_two_different_days():
    moments = [utc(2026, 3, 9, 15, 30), utc(2026, 3, 9, 16, 30)]
    days = {activity_day(at, TZ)[0] for at in moments}
    assert days == {date(2026, 3, 9), date(2026, 3, 10)}
    # So a resident first buying at 23:30 on 2 March and back at 00:30 on 10 March is not 7-day retained.
    cohorts = kpi_rules.retention_cohorts({1: date(2026, 3, 2)}, {1: {date(2026, 3, 10)}}, 7)
    assert cohorts == {date(2026, 3, 2): (1, 0)}


# ---- percentiles ---------------------------------------------------------------------------------

def test_percentiles_are_interpolated_inside_their_bucket():
    edges = (10, 20, 30)
    assert kpi_rules.percentile_from_buckets([0, 10, 0, 0], edges, 0.5) == (15.0, False)
    assert kpi_rules.percentile_from_buckets([5, 5, 0, 0], edges, 0.9) == (18.0, False)
    assert kpi_rules.percentile_from_buckets([0, 0, 0, 4], edges, 0.9) == (30.0, True)
    assert kpi_rules.percentile_from_buckets([0, 0, 0, 0], edges, 0.9) == (None, False)


def test_bucket_index_puts_edges_in_the_upper_bucket():
    assert [kpi_rules.bucket_index(v, (10, 20)) for v in (0, 9.99, 10, 19, 20, 500)] == [0, 0, 1, 1, 2, 2]


# ---- figures from sums -----------------------------------------------------------------------------

def test_figures_add_lines_and_divide_honestly():
    sums = {("delivery", "gmv_gross_cents"): 10_000, ("delivery", "gmv_net_cents"): 8_000,
            ("delivery", "orders_net"): 4, ("breakfast", "gmv_net_cents"): 2_000, ("breakfast", "orders_net"): 1,
            ("delivery", "delivered"): 4, ("delivery", "on_time"): 3, ("delivery", "c2d_b2"): 4,
            ("growth", "coupon_cost_cents"): 900, ("growth", "new_active"): 3,
            ("growth", "treated"): 10, ("growth", "treated_converted"): 3, ("growth", "holdout"): 5,
            ("growth", "holdout_converted"): 1, ("residents", "dau"): 14}
    period = Period(date(2026, 3, 1), date(2026, 3, 7))
    found = board_rules.figures(sums, {}, period, date(2026, 3, 20))
    assert found["gmv_net_cents"] == 10_000 and found["orders"] == 5 and found["aov_cents"] == 2_000
    assert found["aov_delivery"] == 2_000 and found["on_time_share"] == 0.75
    assert found["c2d_p50_min"] == pytest.approx(17.5)
    assert found["uplift"] == pytest.approx(0.1)
    assert found["cost_per_new_active_cents"] == 300 and found["referral_spend_cents"] == 0
    assert found["dau"] == 2 and found["dwell_avg_h"] is None
    with_referrals = board_rules.figures({**sums, ("growth", "referral_spend_cents"): 300}, {}, period,
                                         date(2026, 3, 20))
    assert with_referrals["cost_per_new_active_cents"] == 400 and with_referrals["referral_spend_cents"] == 300


def test_retention_weeks_group_cohorts_by_monday():
    daily = {date(2026, 3, 2): {("residents", "new_buyers"): 2, ("residents", "retained_7"): 1},
             date(2026, 3, 8): {("residents", "new_buyers"): 2, ("residents", "retained_7"): 2},
             date(2026, 3, 9): {("residents", "new_buyers"): 1}}
    rows = board_rules.retention_weeks(daily, Period(date(2026, 3, 2), date(2026, 3, 15)), date(2026, 3, 20))
    assert rows == [(date(2026, 3, 2), 4, 0.75, None), (date(2026, 3, 9), 1, 0.0, None)]


# ---- charts ----------------------------------------------------------------------------------------

def test_a_bar_chart_scales_to_round_ticks_and_skips_unknown_values():
    chart = charts.bar_chart(["a", "b", "c"], [10, None, 35], str)
    assert [t.label for t in chart.value_ticks] == ["0", "10", "20", "30", "40"]
    assert [b.label for b in chart.bars] == ["a", "c"]
    tallest = max(chart.bars, key=lambda b: b.height)
    assert tallest.label == "c" and tallest.y + tallest.height == chart.bottom_y
    assert chart.bars[0].height == pytest.approx(tallest.height * 10 / 35, rel=0.01)
    assert not chart.empty


def test_a_line_chart_breaks_at_unknown_values_and_labels_at_most_seven():
    labels = [f"d{i}" for i in range(30)]
    values = [float(i) for i in range(30)]
    values[10] = None
    chart = charts.line_chart(labels, values)
    assert chart.path.count("M") == 2 and chart.path.startswith("M")
    assert len(chart.label_ticks) <= charts.MAX_LABELS
    assert charts.line_chart(["x"], [0]).empty


@pytest.mark.parametrize("days", [7, 10, 14, 30, 31, 90])
def test_day_labels_leave_room_for_a_date_on_a_phone(days):
    # On a phone the chart is drawn about half size with 24-unit text: "12-01" needs some 75 units.
    chart = charts.line_chart([f"12-{i:02d}" for i in range(days)], [1.0] * days)
    gaps = [b.at - a.at for a, b in zip(chart.label_ticks, chart.label_ticks[1:])]
    assert min(gaps) >= 80


def test_nice_steps():
    assert [charts.nice_step(v) for v in (4, 9, 35, 1000, 0)] == [1, 2.5, 10, 250, 1]


def test_periods_list_their_days():
    period = Period(date(2026, 3, 30), date(2026, 4, 2))
    assert period.dates() == [date(2026, 3, 30) + timedelta(days=i) for i in range(4)]
