"""Delivery-zone geometry: GeoJSON validation with error codes, and the zone index.

Points exactly on a zone's edge or vertex are inside (``covers``). Overlaps: an enabled zone
beats a disabled one, then the highest priority wins, then the smallest id.
"""
import json
import math

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store_app.geo.zones import (
    STRTREE_MIN_ZONES,
    ZoneGeometryError,
    ZoneIndex,
    ZoneShape,
    parse_polygon,
    polygon_from_latlon,
    square_around,
    to_geojson,
    vertices_latlon,
)

# A 0.01° square south-west corner (31.0, 121.0), in GeoJSON order [lon, lat].
SQUARE = {"type": "Polygon", "coordinates": [[[121.0, 31.0], [121.01, 31.0], [121.01, 31.01], [121.0, 31.01],
                                               [121.0, 31.0]]]}
BOW_TIE = {"type": "Polygon", "coordinates": [[[121.0, 31.0], [121.01, 31.01], [121.01, 31.0], [121.0, 31.01],
                                                [121.0, 31.0]]]}


def square(lat, lon, side):
    """A shapely square with its south-west corner at (lat, lon)."""
    return shapely.box(lon, lat, lon + side, lat + side)


def codes_of(document):
    with pytest.raises(ZoneGeometryError) as info:
        parse_polygon(document)
    return info.value.code


# ---- parse_polygon ---------------------------------------------------------------------------

@pytest.mark.parametrize("document", [
    SQUARE,
    json.dumps(SQUARE),
    json.dumps(SQUARE).encode(),
    {"type": "Feature", "properties": {"name": "x"}, "geometry": SQUARE},
    {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": SQUARE}]},
    # An open ring is closed for the user.
    {"type": "Polygon", "coordinates": [SQUARE["coordinates"][0][:-1]]},
])
def test_parse_polygon_accepts_a_polygon_feature_or_collection_of_one(document):
    polygon = parse_polygon(document)
    assert polygon.is_valid
    assert polygon.bounds == (121.0, 31.0, 121.01, 31.01)


def test_parse_polygon_keeps_holes():
    with_hole = {"type": "Polygon", "coordinates": [
        SQUARE["coordinates"][0],
        [[121.004, 31.004], [121.006, 31.004], [121.006, 31.006], [121.004, 31.004]]]}
    polygon = parse_polygon(with_hole)
    assert len(polygon.interiors) == 1


def test_a_bow_tie_is_a_self_intersection_located_where_the_edges_cross():
    with pytest.raises(ZoneGeometryError) as info:
        parse_polygon(BOW_TIE)
    assert info.value.code == "self_intersection"
    assert info.value.params["lat"] == pytest.approx(31.005)
    assert info.value.params["lon"] == pytest.approx(121.005)
    assert "Self-intersection" in info.value.params["detail"]


@pytest.mark.parametrize("ring, code", [
    ([[121.0, 31.0], [121.01, 31.0], [121.0, 31.0]], "too_few_points"),
    ([[121.0, 31.0], [121.0, 31.0], [121.0, 31.0], [121.0, 31.0]], "too_few_points"),
    ([[121.0, 31.0], [121.01, 31.0]], "too_few_points"),
    ([], "too_few_points"),
    # A spike that goes out and back along the same line.
    ([[121.0, 31.0], [121.01, 31.0], [121.01, 31.01], [121.01, 31.02], [121.01, 31.01], [121.0, 31.01],
      [121.0, 31.0]], "self_intersection"),
    # Three corners on one line: no area.
    ([[121.0, 31.0], [121.01, 31.0], [121.02, 31.0], [121.0, 31.0]], "self_intersection"),
])
def test_degenerate_rings_are_refused(ring, code):
    assert codes_of({"type": "Polygon", "coordinates": [ring]}) == code


@pytest.mark.parametrize("document", [
    {"type": "Point", "coordinates": [121.0, 31.0]},
    {"type": "LineString", "coordinates": [[121.0, 31.0], [121.01, 31.0], [121.01, 31.01]]},
    {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]},
    {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [121.0, 31.0]}},
    {"type": "Feature", "properties": {}, "geometry": None},
    {"type": "FeatureCollection", "features": []},
    {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": SQUARE}] * 2},
    {"type": "Polygon"},
    {"type": "Polygon", "coordinates": "121,31"},
    {"type": "Polygon", "coordinates": []},
    [SQUARE],
    "[1, 2, 3]",
    "42",
])
def test_anything_but_one_polygon_is_not_a_polygon(document):
    assert codes_of(document) == "not_polygon"


@pytest.mark.parametrize("text", ["", "not json", "{'type': 'Polygon'}", "{\"type\": ", b"\xff\xfe"])
def test_junk_is_not_json(text):
    assert codes_of(text) == "not_json"


@pytest.mark.parametrize("position", [
    [200.0, 31.0],       # longitude out of range
    [121.0, 95.0],       # latitude out of range
    [31.0, 121.0],       # swapped: 121 cannot be a latitude
    ["121", 31.0],       # a string
    [True, 31.0],        # a boolean is not a number
    [121.0],             # one number
    "121,31",
    None,
    [float("nan"), 31.0],
    [121.0, float("inf")],
])
def test_impossible_coordinates_are_refused(position):
    ring = [position, [121.01, 31.0], [121.01, 31.01], [121.0, 31.01], position]
    assert codes_of({"type": "Polygon", "coordinates": [ring]}) == "bad_coordinate"


def test_nan_in_a_geojson_text_is_refused():
    text = json.dumps(SQUARE).replace("121.01, 31.0]", "NaN, 31.0]", 1)
    assert "NaN" in text
    assert codes_of(text) == "bad_coordinate"


def test_a_hole_outside_the_outline_is_refused():
    document = {"type": "Polygon", "coordinates": [
        SQUARE["coordinates"][0], [[122.0, 32.0], [122.001, 32.0], [122.001, 32.001], [122.0, 32.0]]]}
    assert codes_of(document) == "hole_outside"


def test_polygon_helpers_round_trip():
    polygon = parse_polygon(SQUARE)
    assert parse_polygon(to_geojson(polygon)).equals(polygon)
    assert vertices_latlon(polygon) == [(31.0, 121.0), (31.0, 121.01), (31.01, 121.01), (31.01, 121.0)]
    assert polygon_from_latlon(vertices_latlon(polygon)).equals(polygon)
    start = parse_polygon(square_around(31.2, 121.4, 500))
    assert start.covers(shapely.Point(121.4, 31.2))
    assert math.isclose(start.bounds[3] - start.bounds[1], 1000 / 111_320, rel_tol=1e-3)


# ---- ZoneIndex: edges, vertices, overlaps ----------------------------------------------------

def index_of(shapes, use_tree):
    """An index over ``shapes``; with ``use_tree`` padded with far-away zones to take the STRtree path."""
    shapes = list(shapes)
    if use_tree:
        shapes += [ZoneShape(1000 + i, -5, square(-40 + i, -60, 0.5)) for i in range(STRTREE_MIN_ZONES)]
    index = ZoneIndex(shapes)
    assert index.uses_tree is use_tree
    return index


def find_both(index, lat, lon):
    """``find`` and ``find_many`` must agree; return the answer (None outside)."""
    single = index.find(lat, lon)
    many = index.find_many(np.array([lat]), np.array([lon]))[0]
    assert (single if single is not None else -1) == many
    return single


@pytest.fixture(params=[False, True], ids=["few-zones", "strtree"])
def use_tree(request):
    return request.param


@pytest.mark.parametrize("lat, lon, where", [
    (31.005, 121.005, "middle"),
    (31.0, 121.005, "on the south edge"),
    (31.005, 121.01, "on the east edge"),
    (31.01, 121.005, "on the north edge"),
    (31.0, 121.0, "on the south-west vertex"),
    (31.01, 121.01, "on the north-east vertex"),
])
def test_points_on_an_edge_or_vertex_are_inside(use_tree, lat, lon, where):
    index = index_of([ZoneShape(1, 0, parse_polygon(SQUARE))], use_tree)
    assert find_both(index, lat, lon) == 1, where


def test_a_point_on_a_diagonal_edge_is_inside(use_tree):
    # Binary fractions (1/64 = 0.015625), so the midpoint is exactly on the hypotenuse in floats too.
    triangle = polygon_from_latlon([(31.0, 121.0), (31.0, 121.015625), (31.015625, 121.0)])
    index = index_of([ZoneShape(1, 0, triangle)], use_tree)
    assert find_both(index, 31.0078125, 121.0078125) == 1
    assert find_both(index, 31.0078126, 121.0078126) is None


@pytest.mark.parametrize("lat, lon", [
    (30.9999999, 121.005), (31.005, 121.0100001), (31.2, 121.4), (0.0, 0.0), (-31.005, -121.005),
    (float("nan"), 121.005), (31.005, float("nan")), (float("inf"), 121.0),
])
def test_points_outside_or_impossible_are_in_no_zone(use_tree, lat, lon):
    index = index_of([ZoneShape(1, 0, parse_polygon(SQUARE))], use_tree)
    assert find_both(index, lat, lon) is None


def test_overlap_goes_to_the_highest_priority(use_tree):
    big = ZoneShape(1, 0, square(31.0, 121.0, 0.02))
    small = ZoneShape(2, 10, square(31.005, 121.005, 0.005))
    index = index_of([big, small], use_tree)
    assert find_both(index, 31.007, 121.007) == 2
    assert find_both(index, 31.005, 121.005) == 2  # on the small zone's corner: it covers it
    assert find_both(index, 31.001, 121.001) == 1
    low_small = ZoneShape(2, -1, small.polygon)
    assert find_both(index_of([big, low_small], use_tree), 31.007, 121.007) == 1


def test_equal_priorities_go_to_the_smallest_id(use_tree):
    a = ZoneShape(7, 3, square(31.0, 121.0, 0.01))
    b = ZoneShape(4, 3, square(31.0, 121.0, 0.01))
    assert find_both(index_of([a, b], use_tree), 31.005, 121.005) == 4
    assert find_both(index_of([b, a], use_tree), 31.005, 121.005) == 4


def test_an_enabled_zone_beats_a_disabled_one_whatever_the_priority(use_tree):
    inner_paused = ZoneShape(1, 10, square(31.004, 121.004, 0.002), enabled=False)
    outer = ZoneShape(2, 0, square(31.0, 121.0, 0.01))
    island_paused = ZoneShape(3, 0, square(31.5, 121.5, 0.01), enabled=False)
    index = index_of([inner_paused, outer, island_paused], use_tree)
    assert find_both(index, 31.005, 121.005) == 2
    assert find_both(index, 31.505, 121.505) == 3  # only a paused zone here: it is named


def test_an_empty_index_finds_nothing():
    index = ZoneIndex([])
    assert len(index) == 0
    assert index.find(31.0, 121.0) is None
    assert index.find_many([31.0, 32.0], [121.0, 122.0]).tolist() == [-1, -1]


def test_find_many_keeps_the_input_order_and_shape(use_tree):
    index = index_of([ZoneShape(1, 0, square(31.0, 121.0, 0.01)), ZoneShape(2, 0, square(32.0, 122.0, 0.01))],
                     use_tree)
    result = index.find_many([32.005, 0.0, 31.005, 31.005], [122.005, 0.0, 121.005, 121.02])
    assert result.dtype == np.int64
    assert result.tolist() == [2, -1, 1, -1]
    assert index.find_many([], []).tolist() == []


# ---- the STRtree path answers like brute force ----------------------------------------------

def brute_force(shapes, lat, lon):
    """Unprepared ``covers`` on every zone, best rank first: the reference answer."""
    point = shapely.Point(lon, lat)
    for shape in sorted(shapes, key=lambda s: s.rank):
        if shape.polygon.covers(point):
            return shape.zone_id
    return None


def star(lat, lon, radius, wobble, corners):
    """A star-ish, valid polygon around (lat, lon)."""
    ring = [(lat + radius * (1 + wobble * ((i % 2) - 0.5)) * math.cos(2 * math.pi * i / corners),
             lon + radius * (1 + wobble * ((i % 2) - 0.5)) * math.sin(2 * math.pi * i / corners))
            for i in range(corners)]
    return polygon_from_latlon(ring)


zone_specs = st.lists(
    st.tuples(st.floats(31.0, 31.1), st.floats(121.0, 121.1), st.floats(0.002, 0.04), st.floats(0, 0.9),
              st.integers(3, 12), st.integers(-2, 2), st.booleans()),
    min_size=STRTREE_MIN_ZONES, max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=zone_specs, seed=st.integers(0, 2**32 - 1))
def test_strtree_index_agrees_with_brute_force(specs, seed):
    shapes = [ZoneShape(i + 1, priority, star(lat, lon, radius, wobble, corners), enabled)
              for i, (lat, lon, radius, wobble, corners, priority, enabled) in enumerate(specs)]
    index = ZoneIndex(shapes)
    assert index.uses_tree
    rng = np.random.default_rng(seed)
    lats = list(rng.uniform(30.95, 31.15, 150))
    lons = list(rng.uniform(120.95, 121.15, 150))
    for shape in shapes:  # every vertex and the midpoint of every edge: the hardest points
        coords = list(shape.polygon.exterior.coords)
        for (x1, y1), (x2, y2) in zip(coords, coords[1:]):
            lats += [y1, (y1 + y2) / 2]
            lons += [x1, (x1 + x2) / 2]
    many = index.find_many(np.array(lats), np.array(lons))
    for lat, lon, from_many in zip(lats, lons, many):
        expected = brute_force(shapes, lat, lon)
        assert index.find(lat, lon) == expected
        assert from_many == (expected if expected is not None else -1)


@settings(max_examples=40, deadline=None)
@given(lat=st.floats(31.0, 31.01), lon=st.floats(121.0, 121.01))
def test_every_point_of_a_closed_square_is_inside(lat, lon):
    index = ZoneIndex([ZoneShape(1, 0, parse_polygon(SQUARE))] + [
        ZoneShape(100 + i, 0, square(-40 + i, -60, 0.5)) for i in range(STRTREE_MIN_ZONES)])
    assert index.find(lat, lon) == 1
