"""Segment rules on hand-made histories whose day boundaries fall at UTC+8 midnight: a purchase at
23:30 store time and one at 00:30 the next day land on different days."""
from datetime import datetime, timedelta, timezone

from store_app.growth import segment_rules as rules
from store_app.growth.segment_rules import PurchaseFact, ResidentFact

TZ = "Asia/Shanghai"
UTC = timezone.utc
# 2026-12-07 09:00 store time (01:00 UTC): "today" is 7 December in Shanghai.
NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def local(y, m, d, hh, mm):
    """An instant given on the store's wall clock (UTC+8)."""
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - timedelta(hours=8)


def test_the_window_starts_at_local_midnight_not_utc_midnight():
    start = rules.window_start(NOW, TZ, 30)
    # 30 days including today (7 Dec): from 8 Nov 00:00 store time = 7 Nov 16:00 UTC.
    assert start == datetime(2026, 11, 7, 16, 0, tzinfo=UTC)


def test_a_purchase_at_2330_and_one_at_0030_fall_on_different_days_at_the_edge():
    residents = [ResidentFact(1, LONG_AGO), ResidentFact(2, LONG_AGO)]
    purchases = [
        PurchaseFact(1, "delivery", 1000, local(2026, 11, 7, 23, 30)),   # 7 Nov store time: outside 30 days
        PurchaseFact(2, "delivery", 1000, local(2026, 11, 8, 0, 30)),    # 8 Nov store time: inside
    ]
    # In UTC both are on 7 November (15:30 and 16:30): only the store's calendar tells them apart.
    assert purchases[0].placed_at.date() == purchases[1].placed_at.date()
    seg = rules.compute_segments(residents, purchases, now=NOW, tz_name=TZ)
    assert seg["active"] == {2} and seg["dormant"] == {1}


def test_new_active_dormant_definitions():
    residents = [ResidentFact(1, NOW - timedelta(days=3)),     # registered this week, never bought
                 ResidentFact(2, LONG_AGO),                    # one purchase, recent: new and active
                 ResidentFact(3, LONG_AGO),                    # two purchases, recent and old: active, not new
                 ResidentFact(4, LONG_AGO),                    # bought long ago only: dormant
                 ResidentFact(5, LONG_AGO)]                    # never bought, old account: nowhere
    purchases = [PurchaseFact(2, "pickup", 500, NOW - timedelta(days=2)),
                 PurchaseFact(3, "delivery", 500, NOW - timedelta(days=1)),
                 PurchaseFact(3, "delivery", 500, NOW - timedelta(days=60)),
                 PurchaseFact(4, "delivery", 500, NOW - timedelta(days=45)),
                 PurchaseFact(99, "delivery", 500, NOW - timedelta(days=1))]   # not a resident of the store
    seg = rules.compute_segments(residents, purchases, now=NOW, tz_name=TZ)
    assert seg["new"] == {1, 2}
    assert seg["active"] == {2, 3}
    assert seg["dormant"] == {4}
    assert 99 not in set().union(*seg.values())


def test_high_value_is_the_top_fifth_above_the_floor():
    residents = [ResidentFact(uid, LONG_AGO) for uid in range(1, 11)]
    # Ten spenders: 1 spent most. The top 20 % are 1 and 2; 2 is under the floor.
    purchases = [PurchaseFact(1, "delivery", 50_000, NOW - timedelta(days=10)),
                 PurchaseFact(2, "delivery", 20_000, NOW - timedelta(days=10))]
    purchases += [PurchaseFact(uid, "delivery", 1_000, NOW - timedelta(days=10)) for uid in range(3, 11)]
    purchases.append(PurchaseFact(3, "delivery", 0, NOW - timedelta(days=100)))  # old spend counts 0
    seg = rules.compute_segments(residents, purchases, now=NOW, tz_name=TZ)
    assert seg["high_value"] == {1}


def test_breakfast_parents_from_the_provider_or_recent_breakfasts():
    residents = [ResidentFact(1, LONG_AGO), ResidentFact(2, LONG_AGO), ResidentFact(3, LONG_AGO)]
    purchases = [PurchaseFact(1, "breakfast", 800, NOW - timedelta(days=3)),
                 PurchaseFact(2, "breakfast", 800, NOW - timedelta(days=20))]   # older than 14 days
    assert rules.compute_segments(residents, purchases, now=NOW, tz_name=TZ)["breakfast_parents"] == {1}
    # The line's own list wins, limited to the store's residents.
    given = rules.compute_segments(residents, purchases, now=NOW, tz_name=TZ, breakfast_parents={3, 42})
    assert given["breakfast_parents"] == {3}


def test_future_purchases_are_ignored():
    residents = [ResidentFact(1, LONG_AGO)]
    purchases = [PurchaseFact(1, "delivery", 500, NOW + timedelta(hours=1))]
    seg = rules.compute_segments(residents, purchases, now=NOW, tz_name=TZ)
    assert seg["active"] == frozenset() and seg["dormant"] == frozenset()
