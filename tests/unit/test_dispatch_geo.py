"""Distances, travel times, the lat/lon projection and route timing of the dispatcher (pure)."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch.geo import (
    distance_m,
    distance_matrix_m,
    point_from_lat_lon,
    project,
    rowwise_distance_m,
    travel_min,
    travel_min_array,
    unproject,
    xy,
)
from dispatch.model import Params, Point, Stop, StopKind, Task
from dispatch.routes import bundle_offsets, bundle_stops, timed_stops

MDRP = Params(speed_m_per_min=320.0, pickup_service_min=4.0, dropoff_service_min=4.0)
STORE = (31.17838, 121.42495)  # the demo store, (lat, lon)


def test_distance_matrix_matches_the_scalar_distance():
    a = [Point(0.0, 0.0), Point(3.0, 4.0)]
    b = [Point(0.0, 0.0), Point(6.0, 8.0), Point(-3.0, 0.0)]
    matrix = distance_matrix_m(xy(a), xy(b))
    assert matrix.shape == (2, 3)
    assert matrix.tolist() == [[distance_m(p, q) for q in b] for p in a]
    assert matrix[1].tolist() == [5.0, 5.0, pytest.approx(math.hypot(6, 4))]
    assert rowwise_distance_m(xy(a), xy(b[:2])).tolist() == [0.0, 5.0]


def test_xy_of_nothing_is_an_empty_two_column_array():
    assert xy([]).shape == (0, 2)


@pytest.mark.parametrize("metres, minutes", [(0, 0), (1, 1), (320, 1), (320.0001, 2), (640, 2), (3200, 10)])
def test_mdrp_travel_is_rounded_up_to_whole_minutes(metres, minutes):
    assert travel_min(Point(0.0, 0.0), Point(metres, 0.0), MDRP) == minutes
    assert travel_min_array(np.array([metres], dtype=float), MDRP).tolist() == [minutes]


def test_travel_without_rounding_uses_the_detour_factor():
    params = Params(speed_m_per_min=250.0, detour_factor=1.35, round_travel_up=False)
    assert travel_min(Point(0.0, 0.0), Point(1000.0, 0.0), params) == pytest.approx(5.4)


coordinates = st.integers(-40_000, 40_000).map(float)


@given(coordinates, coordinates, coordinates, coordinates)
def test_scalar_and_vectorised_travel_agree_to_the_minute(x1, y1, x2, y2):
    a, b = Point(x1, y1), Point(x2, y2)
    vectorised = travel_min_array(distance_matrix_m(xy([a]), xy([b])), MDRP)[0, 0]
    assert travel_min(a, b, MDRP) == vectorised


def test_projection_round_trips_and_measures_metres():
    x, y = project(STORE[0] + 0.01, STORE[1] + 0.01, *STORE)
    assert float(y) == pytest.approx(1111.95, rel=1e-3)  # 0.01 degree of latitude
    assert float(x) == pytest.approx(1111.95 * math.cos(math.radians(STORE[0])), rel=1e-3)
    lat, lon = unproject(x, y, *STORE)
    assert (float(lat), float(lon)) == (pytest.approx(STORE[0] + 0.01), pytest.approx(STORE[1] + 0.01))
    assert point_from_lat_lon(*STORE, *STORE) == Point(0.0, 0.0)


def test_projection_is_vectorised():
    lats = np.array([STORE[0], STORE[0] + 0.001, STORE[0] - 0.002])
    lons = np.array([STORE[1], STORE[1], STORE[1] + 0.003])
    x, y = project(lats, lons, *STORE)
    assert x.shape == y.shape == (3,)
    assert float(np.hypot(x[1], y[1])) == pytest.approx(111.2, rel=1e-3)


# ---- route timing ------------------------------------------------------------------------------

def test_a_pickup_waits_for_the_goods_and_a_drop_off_takes_its_service():
    stops = [Stop(StopKind.PICKUP, Point(640.0, 0.0), ("a",), ready_at_min=10.0),
             Stop(StopKind.DROPOFF, Point(640.0, 320.0), ("a",))]
    pickup, dropoff = timed_stops(Point(0.0, 0.0), 0.0, stops, MDRP)
    assert (pickup.arrive_at_min, pickup.service_at_min, pickup.depart_at_min) == (2.0, 10.0, 12.0)
    assert (dropoff.arrive_at_min, dropoff.service_at_min, dropoff.depart_at_min) == (13.0, 15.0, 17.0)


def test_an_early_pickup_is_never_before_half_the_service():
    stops = [Stop(StopKind.PICKUP, Point(0.0, 0.0), ("a",), ready_at_min=-5.0)]
    (pickup,) = timed_stops(Point(0.0, 0.0), 0.0, stops, MDRP)
    assert (pickup.arrive_at_min, pickup.service_at_min, pickup.depart_at_min) == (0.0, 2.0, 4.0)


def test_bundle_offsets_follow_the_drop_off_order():
    shop = Point(0.0, 0.0)
    first = Task("a", shop, Point(320.0, 0.0), 0.0, 5.0, 40.0, "r1")
    second = Task("b", shop, Point(960.0, 0.0), 0.0, 7.0, 40.0, "r1")
    drops, end = bundle_offsets([first, second], MDRP)
    # From the pickup moment: 2 min service, 1 min ride, 2 min to the drop-off moment; 2 + 2 + 2 more.
    assert drops == (5.0, 11.0) and end == 13.0
    stops = bundle_stops([first, second])
    assert [(s.kind, s.task_ids) for s in stops] == [
        (StopKind.PICKUP, ("a", "b")), (StopKind.DROPOFF, ("a",)), (StopKind.DROPOFF, ("b",))]
    assert stops[0].ready_at_min == 7.0


def test_extra_pickups_come_before_the_drop_off():
    shop, bakery = Point(0.0, 0.0), Point(320.0, 0.0)
    errand = Task("a", shop, Point(640.0, 0.0), 0.0, 0.0, 40.0, "store", extra_pickups=(bakery,))
    drops, _end = bundle_offsets([errand], MDRP)
    # 2 service, 1 ride, 2 + 2 at the bakery, 1 ride, 2 to the drop-off moment.
    assert drops == (10.0,)
    assert [s.kind for s in bundle_stops([errand])] == [StopKind.PICKUP, StopKind.PICKUP, StopKind.DROPOFF]
