"""The delivery promise, pure: picking + courier wait + travel + handover, and why not now."""
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store_app.deliveries import rules
from store_app.deliveries.rules import (
    NO_COURIER,
    OUTSIDE_ZONE,
    STORE_CLOSED,
    TOO_BUSY,
    ZONE_CLOSED,
    ZONE_DISABLED,
    Quote,
    QuoteParams,
    courier_wait_minutes,
    decide,
    eta_minutes,
    in_daily_window,
    picking_minutes,
    travel_minutes,
)

PARAMS = QuoteParams(promise_min=30, pick_base_min=3, pick_per_item_s=15, speed_m_per_min=250,
                     detour_factor=1.35, handover_min=3)


@dataclass(frozen=True)
class Zone:
    name: str = "Inner"
    fee_cents: int = 300
    minimum_cents: int = 2000
    enabled: bool = True
    opens_min: int | None = None
    closes_min: int | None = None


def quote_for(zone=Zone(), store_open=True, minute=12 * 60, items=1, distance_m=500, open_deliveries=0,
              couriers=2, params=PARAMS):
    return decide(zone, store_open, minute, items, distance_m, open_deliveries, couriers, params)


# ---- the parts of the ETA --------------------------------------------------------------------

@pytest.mark.parametrize("items, minutes", [(0, 3), (1, 4), (4, 4), (5, 5), (8, 5), (9, 6), (40, 13)])
def test_picking_grows_with_the_number_of_items(items, minutes):
    assert picking_minutes(items, PARAMS) == minutes


def test_picking_time_is_per_store():
    slow = QuoteParams(promise_min=30, pick_base_min=5, pick_per_item_s=60)
    assert picking_minutes(3, slow) == 8


@pytest.mark.parametrize("distance_m, minutes", [(0, 0), (100, 1), (500, 3), (1000, 6), (1852, 11)])
def test_travel_uses_the_detour_factor_and_the_speed(distance_m, minutes):
    # 1000 m straight -> 1350 m on the streets -> 5.4 min at 250 m/min -> 6 (rounded up).
    assert travel_minutes(distance_m, PARAMS) == minutes


def test_travel_is_per_store():
    bikes = QuoteParams(promise_min=30, speed_m_per_min=400, detour_factor=1.0)
    assert travel_minutes(1000, bikes) == 3


@pytest.mark.parametrize("open_deliveries, couriers, trip, wait", [
    (0, 1, 10, 0),
    (1, 2, 10, 0),     # a free courier
    (2, 2, 10, 10),    # everyone busy: one round trip
    (5, 2, 10, 20),
    (3, 1, 7, 21),
    (-3, 1, 7, 0),
])
def test_wait_for_a_courier_from_open_deliveries_and_couriers_on_shift(open_deliveries, couriers, trip, wait):
    assert courier_wait_minutes(open_deliveries, couriers, trip) == wait


def test_no_courier_on_shift_means_no_wait_estimate():
    assert courier_wait_minutes(0, 0, 10) is None
    assert eta_minutes(1, 500, 0, 0, PARAMS) is None


def test_eta_adds_picking_wait_travel_and_handover():
    # 2 items: 3 + 1 = 4 min picking; 1000 m: 6 min travel; 3 min handover; free courier.
    assert eta_minutes(2, 1000, 0, 1, PARAMS) == 4 + 0 + 6 + 3
    # Busy couriers: one round trip (2 x 6 + 3 = 15 min) of waiting.
    assert eta_minutes(2, 1000, 1, 1, PARAMS) == 4 + 15 + 6 + 3


@pytest.mark.parametrize("opens, closes, minute, inside", [
    (None, None, 0, True),
    (600, 1290, 599, False), (600, 1290, 600, True), (600, 1290, 1289, True), (600, 1290, 1290, False),
    (1320, 120, 1400, True), (1320, 120, 60, True), (1320, 120, 120, False), (1320, 120, 600, False),
    (0, 1440, 1439, True),
])
def test_daily_window(opens, closes, minute, inside):
    assert in_daily_window(opens, closes, minute) is inside


# ---- decide: each reason, and the zone is named when not deliverable ------------------------

def test_deliverable_quote():
    quote = quote_for(items=2, distance_m=1000)
    assert quote == Quote(True, "Inner", 300, 2000, 13, None)
    assert quote.to_json() == {"deliverable": True, "zone": "Inner", "fee_cents": 300, "minimum_cents": 2000,
                               "eta_minutes": 13, "reason": None}


def test_outside_every_zone():
    quote = quote_for(zone=None)
    assert quote == Quote(False, None, None, None, None, OUTSIDE_ZONE)
    assert quote.to_json()["zone"] is None


@pytest.mark.parametrize("kwargs, reason", [
    ({"zone": Zone(enabled=False)}, ZONE_DISABLED),
    ({"store_open": False}, STORE_CLOSED),
    ({"zone": Zone(opens_min=600, closes_min=1290), "minute": 540}, ZONE_CLOSED),
    ({"couriers": 0}, NO_COURIER),
    ({"open_deliveries": 6, "couriers": 2}, TOO_BUSY),
    ({"items": 400}, TOO_BUSY),
    ({"distance_m": 6000}, TOO_BUSY),
])
def test_each_reason_names_the_covering_zone(kwargs, reason):
    quote = quote_for(**kwargs)
    assert not quote.deliverable
    assert quote.reason == reason
    assert quote.zone == "Inner"
    assert (quote.fee_cents, quote.minimum_cents) == (300, 2000)


def test_reasons_are_checked_in_order():
    everything_wrong = dict(zone=Zone(enabled=False, opens_min=600, closes_min=700), store_open=False,
                            minute=0, couriers=0)
    assert quote_for(**everything_wrong).reason == ZONE_DISABLED
    everything_wrong["zone"] = Zone(opens_min=600, closes_min=700)
    assert quote_for(**everything_wrong).reason == STORE_CLOSED
    everything_wrong["store_open"] = True
    assert quote_for(**everything_wrong).reason == ZONE_CLOSED
    everything_wrong["minute"] = 650
    assert quote_for(**everything_wrong).reason == NO_COURIER


def test_too_busy_says_how_long_it_would_take():
    quote = quote_for(open_deliveries=6, couriers=2)
    assert quote.eta_minutes > PARAMS.promise_min


def test_eta_exactly_at_the_promise_is_kept():
    # 1 item: 4 + 0 + travel + 3 = 30 -> travel 23 min -> 23 * 250 / 1.35 m.
    distance = 23 * 250 / 1.35 - 0.01
    quote = quote_for(distance_m=distance)
    assert quote.eta_minutes == 30
    assert quote.deliverable


def test_reason_codes_are_the_api_codes():
    assert {OUTSIDE_ZONE, ZONE_DISABLED, STORE_CLOSED, ZONE_CLOSED, NO_COURIER, TOO_BUSY} == {
        "outside_zone", "zone_disabled", "store_closed", "zone_closed", "no_courier", "too_busy"}
    assert rules.QuoteParams(promise_min=30).detour_factor > 1


# ---- properties ------------------------------------------------------------------------------

counts = st.integers(0, 500)
couriers = st.integers(1, 20)
distances = st.floats(0, 20_000, allow_nan=False)


@given(items=counts, more=st.integers(0, 100), open_deliveries=counts, on_shift=couriers, distance=distances)
def test_eta_never_decreases_with_more_items(items, more, open_deliveries, on_shift, distance):
    assert (eta_minutes(items + more, distance, open_deliveries, on_shift, PARAMS)
            >= eta_minutes(items, distance, open_deliveries, on_shift, PARAMS))


@given(items=counts, open_deliveries=counts, more=st.integers(0, 100), on_shift=couriers, distance=distances)
def test_eta_never_decreases_with_more_open_deliveries(items, open_deliveries, more, on_shift, distance):
    assert (eta_minutes(items, distance, open_deliveries + more, on_shift, PARAMS)
            >= eta_minutes(items, distance, open_deliveries, on_shift, PARAMS))


@given(items=counts, open_deliveries=counts, on_shift=couriers, more=st.integers(0, 10), distance=distances)
def test_eta_never_increases_with_more_couriers(items, open_deliveries, on_shift, more, distance):
    assert (eta_minutes(items, distance, open_deliveries, on_shift + more, PARAMS)
            <= eta_minutes(items, distance, open_deliveries, on_shift, PARAMS))


@given(items=counts, open_deliveries=counts, on_shift=st.integers(0, 20), distance=distances,
       minute=st.integers(0, 1439), store_open=st.booleans(), enabled=st.booleans())
def test_a_quote_is_deliverable_exactly_when_it_has_no_reason(items, open_deliveries, on_shift, distance, minute,
                                                              store_open, enabled):
    quote = quote_for(zone=Zone(enabled=enabled), store_open=store_open, minute=minute, items=items,
                      distance_m=distance, open_deliveries=open_deliveries, couriers=on_shift)
    assert quote.deliverable is (quote.reason is None)
    assert quote.zone == "Inner"
    if quote.deliverable:
        assert 0 < quote.eta_minutes <= PARAMS.promise_min
