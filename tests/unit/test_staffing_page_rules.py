"""The staffing page's pure parts: the owner's courier counts, the history range, labels and the chart."""
from datetime import date, datetime, timezone

import pytest

from store_app.staffing.chart import build_chart, nice_top
from store_app.staffing.rules import (CountsFormatError, clock_label, history_range, hour_label,
                                      local_slot, parse_courier_counts, percent)


def test_courier_counts_are_one_for_every_hour_or_one_per_hour():
    assert parse_courier_counts("3", 4) == (3, 3, 3, 3)
    assert parse_courier_counts(" 2, 3 4，0 ", 4) == (2, 3, 4, 0)
    assert parse_courier_counts("2、3;1", 3) == (2, 3, 1)
    assert parse_courier_counts("", 3) is None and parse_courier_counts(None, 3) is None


@pytest.mark.parametrize("text", ["abc", "2.5", "-1", "21", "３", "1e2"])
def test_courier_counts_refuse_anything_but_small_whole_numbers(text):
    with pytest.raises(CountsFormatError) as caught:
        parse_courier_counts(text, 3)
    assert not caught.value.wrong_length


def test_courier_counts_must_match_the_hours():
    with pytest.raises(CountsFormatError) as caught:
        parse_courier_counts("1, 2", 3)
    assert caught.value.wrong_length


def test_the_history_is_whole_local_days_before_today():
    now = datetime(2026, 3, 16, 1, 30, tzinfo=timezone.utc)  # Monday 09:30 in Shanghai
    start, end = history_range(now, "Asia/Shanghai", 2)
    assert end == datetime(2026, 3, 15, 16, 0, tzinfo=timezone.utc)    # Monday 00:00 in Shanghai
    assert start == datetime(2026, 3, 1, 16, 0, tzinfo=timezone.utc)   # two weeks before


def test_local_slot_is_on_the_stores_wall_clock():
    day, weekday, minute = local_slot(datetime(2026, 3, 14, 1, 15, tzinfo=timezone.utc), "Asia/Shanghai")
    assert (day, weekday, minute) == (date(2026, 3, 14), 5, 9 * 60 + 15)


def test_labels():
    assert (hour_label(9), hour_label(24), clock_label(605.7)) == ("09:00", "24:00", "10:05")
    assert [percent(s) for s in (0.98, 0.975, 1.0, 0.9999, 0.0)] == ["98%", "97.5%", "100%", "99.9%", "0%"]


def test_axis_tops_are_round():
    assert [nice_top(v) for v in (0, 3, 5, 9, 38, 150)] == [4, 4, 8, 20, 40, 200]


def test_the_chart_puts_bars_and_markers_in_their_hours():
    chart = build_chart([9, 10, 11], [10, 40, 0], [2, 4, 1], yours=[3, 3, 3])
    assert [b.orders for b in chart.bars] == [10, 40, 0] and [b.hour for b in chart.bars] == ["09:00", "10:00", "11:00"]
    tallest = max(chart.bars, key=lambda b: b.height)
    assert tallest.orders == 40 and tallest.y == chart.top and chart.bars[2].height == 0
    assert all(chart.left < b.x < b.x + b.width < chart.right for b in chart.bars)
    assert [m.couriers for m in chart.recommended] == [2, 4, 1]
    assert chart.recommended[1].y == chart.top and chart.recommended[1].x == chart.yours[1].x
    assert chart.line(chart.recommended).count(",") == 3
    assert [t.label for t in chart.order_ticks] == ["0", "10", "20", "30", "40"]
    assert [t.label for t in chart.hour_ticks] == ["09:00", "10:00", "11:00"]
    assert build_chart(list(range(24)), [1] * 24, [1] * 24).yours == ()
    assert len(build_chart(list(range(24)), [1] * 24, [1] * 24).hour_ticks) == 12
