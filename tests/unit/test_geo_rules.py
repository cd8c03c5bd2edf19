"""Coordinates, distances and gazetteer search text: pure geographic rules, ``(lat, lon)`` everywhere."""
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store_app.geo.rules import (
    CoordinateError,
    haversine_m,
    looks_swapped,
    nearest,
    normalise_query,
    parse_point,
)

STORE = (31.2, 121.4)  # Shanghai, (lat, lon)

latitudes = st.floats(-90, 90, allow_nan=False)
longitudes = st.floats(-180, 180, allow_nan=False)
points = st.tuples(latitudes, longitudes)


# ---- parse_point -----------------------------------------------------------------------------

@pytest.mark.parametrize("lat, lon, expected", [
    (31.2, 121.4, (31.2, 121.4)),
    ("31.2", "121.4", (31.2, 121.4)),
    (" 31.2 ", "\t121.4\n", (31.2, 121.4)),
    (0, 0, (0.0, 0.0)),
    (90, 180, (90.0, 180.0)),
    (-90, -180, (-90.0, -180.0)),
    ("-90.0", "180.0", (-90.0, 180.0)),
    ("1e1", "2E1", (10.0, 20.0)),
])
def test_parse_point_accepts(lat, lon, expected):
    point = parse_point(lat, lon)
    assert point == expected
    assert all(type(value) is float for value in point)


@pytest.mark.parametrize("lat, lon, code", [
    ("nan", "121.4", "not_finite"),
    (31.2, float("nan"), "not_finite"),
    ("inf", "121.4", "not_finite"),
    (31.2, "-Infinity", "not_finite"),
    (float("-inf"), 0, "not_finite"),
    ("abc", "121.4", "not_a_number"),
    ("31.2", "east", "not_a_number"),
    ("", "", "not_a_number"),
    (None, 121.4, "not_a_number"),
    ("31,2", "121,4", "not_a_number"),
    ([31.2], 121.4, "not_a_number"),
    (121.4, 31.2, "swapped"),  # lon typed first: 121.4 cannot be a latitude, 31.2 can
    ("-121.4", "31.2", "swapped"),
    (90.0001, 0, "swapped"),
    (200, 10, "lat_range"),  # 200 is not a longitude either
    (120, 100, "lat_range"),  # the swap would put 100 in latitude: not a swap
    (-181, 0, "lat_range"),
    (0, 180.0001, "lon_range"),
    (0, -181, "lon_range"),
    (89.9, 360, "lon_range"),
])
def test_parse_point_refuses_with_a_code(lat, lon, code):
    with pytest.raises(CoordinateError) as info:
        parse_point(lat, lon)
    assert info.value.code == code
    assert isinstance(info.value, ValueError)


@given(points)
def test_parse_point_keeps_every_valid_point(point):
    assert parse_point(*point) == point
    assert parse_point(repr(point[0]), repr(point[1])) == point


# ---- haversine_m -----------------------------------------------------------------------------

def test_one_degree_of_latitude_is_about_111_km():
    assert haversine_m((0, 0), (1, 0)) == pytest.approx(111_200, rel=0.005)
    assert haversine_m((31.2, 121.4), (32.2, 121.4)) == pytest.approx(111_200, rel=0.005)


def test_one_degree_of_longitude_shrinks_with_latitude():
    assert haversine_m((0, 0), (0, 1)) == pytest.approx(111_200, rel=0.005)
    assert haversine_m((60, 0), (60, 1)) == pytest.approx(111_200 * math.cos(math.radians(60)), rel=0.005)


def test_known_city_distance():
    # Shanghai People's Square to Beijing Tiananmen: about 1,067 km great circle.
    assert haversine_m((31.2304, 121.4737), (39.9042, 116.4074)) == pytest.approx(1_067_000, rel=0.01)


def test_half_the_earth_and_zero():
    assert haversine_m((0, 0), (0, 180)) == pytest.approx(math.pi * 6_371_008.8)
    assert haversine_m((90, 0), (-90, 0)) == pytest.approx(math.pi * 6_371_008.8)
    assert haversine_m(STORE, STORE) == 0.0


def test_antimeridian_is_short():
    assert haversine_m((0, 179.9), (0, -179.9)) == pytest.approx(22_240, rel=0.005)


@given(points, points)
def test_haversine_is_symmetric_non_negative_and_bounded(a, b):
    d = haversine_m(a, b)
    assert d == pytest.approx(haversine_m(b, a), abs=1e-6)
    assert 0.0 <= d <= math.pi * 6_371_008.8 + 1e-6


# ---- nearest ---------------------------------------------------------------------------------

def test_nearest_returns_id_and_distance():
    places = [(1, 31.21, 121.4), (2, 31.2001, 121.4), (3, 31.3, 121.4)]
    place_id, distance_m = nearest(STORE, places)
    assert place_id == 2
    assert distance_m == pytest.approx(11.1, rel=0.01)


def test_nearest_ties_go_to_the_smaller_id_whatever_the_order():
    # Same distance north and south of the point.
    places = [(7, 31.201, 121.4), (3, 31.199, 121.4), (5, 31.201, 121.4)]
    assert nearest(STORE, places)[0] == 3
    assert nearest(STORE, list(reversed(places)))[0] == 3
    exact_tie = [(9, 31.201, 121.4), (4, 31.201, 121.4)]
    assert nearest(STORE, exact_tie)[0] == 4


def test_nearest_respects_max_m():
    places = [(1, 31.201, 121.4)]  # about 111 m away
    assert nearest(STORE, places, max_m=100) is None
    assert nearest(STORE, places, max_m=120)[0] == 1
    assert nearest(STORE, places, max_m=None)[0] == 1
    assert nearest(STORE, [(1, 31.2, 121.4)], max_m=0) == (1, 0.0)  # max_m is inclusive


def test_nearest_of_nothing_is_none():
    assert nearest(STORE, []) is None
    assert nearest(STORE, iter(())) is None


@given(points, st.lists(st.tuples(st.integers(1, 50), latitudes, longitudes), min_size=1, max_size=8))
def test_nearest_is_the_minimum_by_distance_then_id(point, places):
    found_id, found_m = nearest(point, places)
    best = min((haversine_m(point, (lat, lon)), place_id) for place_id, lat, lon in places)
    assert (found_m, found_id) == best


# ---- looks_swapped ---------------------------------------------------------------------------

def test_looks_swapped():
    assert looks_swapped((121.4, 31.2), STORE) is True  # the lon-first point of the store itself
    assert looks_swapped((31.21, 121.41), STORE) is False  # right where it should be
    # Near the equator and the prime meridian a swap stays a valid point.
    reference = (10.0, 20.0)
    assert looks_swapped((20.0, 10.0), reference) is True
    assert looks_swapped((10.01, 20.01), reference) is False
    assert looks_swapped((-40.0, 70.0), reference) is False  # far away, and so is its swap


def test_looks_swapped_respects_max_km():
    reference = (10.0, 20.0)
    swapped_and_off = (20.3, 10.0)  # its swap is about 33 km from the reference
    assert looks_swapped(swapped_and_off, reference, max_km=50) is True
    assert looks_swapped(swapped_and_off, reference, max_km=10) is False


def test_looks_swapped_ignores_longitudes_that_cannot_be_latitudes():
    assert looks_swapped((31.2, 121.4), (121.4, 31.2)) is False


# ---- normalise_query -------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Lotus Garden", "lotus garden"),
    ("  LOTUS   garden\t3 \n", "lotus garden 3"),
    ("莲花苑 3号楼", "莲花苑 3号楼"),
    ("莲花苑\u30003号楼", "莲花苑 3号楼"),  # the ideographic space typed by Chinese keyboards
    ("", ""),
    ("   ", ""),
    (None, ""),
])
def test_normalise_query(text, expected):
    assert normalise_query(text) == expected


@given(st.text())
def test_normalise_query_is_idempotent(text):
    once = normalise_query(text)
    assert normalise_query(once) == once
    assert once == once.strip()
    assert "  " not in once
