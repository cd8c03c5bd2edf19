"""Quiet hours (22:00-08:00 store time) and which push kinds a resident may turn off."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from store_app.notifications import quiet_rules

SH = "Asia/Shanghai"
ZONE = ZoneInfo(SH)


def local(y, m, d, hh, mm):
    return datetime(y, m, d, hh, mm, tzinfo=ZONE).astimezone(timezone.utc)


@pytest.mark.parametrize("hh, mm, quiet", [(21, 59, False), (22, 0, True), (23, 30, True), (0, 0, True),
                                           (7, 59, True), (8, 0, False), (12, 0, False)])
def test_quiet_hours_edges_in_store_time(hh, mm, quiet):
    assert quiet_rules.is_quiet(local(2026, 12, 7, hh, mm), SH) is quiet


def test_quiet_hours_read_the_store_clock_not_utc():
    # 14:30 UTC is 22:30 in Shanghai (quiet) but 14:30 in London (not quiet).
    now = datetime(2026, 12, 7, 14, 30, tzinfo=timezone.utc)
    assert quiet_rules.is_quiet(now, SH)
    assert not quiet_rules.is_quiet(now, "Europe/London")


def test_a_push_due_late_in_the_evening_waits_for_the_next_morning():
    assert quiet_rules.quiet_ends_at(local(2026, 12, 7, 22, 0), SH) == local(2026, 12, 8, 8, 0)
    assert quiet_rules.quiet_ends_at(local(2026, 12, 7, 23, 59), SH) == local(2026, 12, 8, 8, 0)


def test_a_push_due_after_midnight_waits_for_the_same_morning():
    assert quiet_rules.quiet_ends_at(local(2026, 12, 8, 0, 5), SH) == local(2026, 12, 8, 8, 0)
    assert quiet_rules.quiet_ends_at(local(2026, 12, 8, 7, 59), SH) == local(2026, 12, 8, 8, 0)


def test_across_the_end_of_a_month_and_year():
    assert quiet_rules.quiet_ends_at(local(2026, 12, 31, 22, 30), SH) == local(2027, 1, 1, 8, 0)


def test_outside_quiet_hours_it_goes_now():
    now = local(2026, 12, 7, 21, 59)
    assert quiet_rules.quiet_ends_at(now, SH) is None
    assert quiet_rules.send_at(now, SH) == now
    assert quiet_rules.send_at(local(2026, 12, 7, 8, 0), SH) == local(2026, 12, 7, 8, 0)


def test_only_marketing_kinds_can_be_turned_off():
    assert all(quiet_rules.is_optional(kind) for kind in ("breakfast_reminder", "offers", "win_back"))
    assert not quiet_rules.is_optional("parcel_arrived")
    assert not quiet_rules.is_optional("order_late")
