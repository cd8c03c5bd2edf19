"""The SVG delivery map's layout, pure: projection, fitting, and reading outlines loosely."""
import json
import math
from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store_app.geo import maps

STORE = (31.17838, 121.42495, "Store")


@dataclass(frozen=True)
class Zone:
    id: int
    name: str
    ring: list
    enabled: bool = True
    fee_cents: int = 300
    minimum_cents: int = 2000


def ring_around(lat, lon, d):
    return [(lat - d, lon - d), (lat - d, lon + d), (lat + d, lon + d), (lat + d, lon - d)]


@given(lat=st.floats(31.15, 31.2), lon=st.floats(121.4, 121.45))
def test_project_and_unproject_are_inverse(lat, lon):
    projection, _, _ = maps.fit([(31.15, 121.4), (31.2, 121.45)])
    x = (lon - projection["lon_min"]) * projection["kx"]
    y = (projection["lat_max"] - lat) * projection["ky"]
    back_lat, back_lon = maps.unproject(projection, x, y)
    assert back_lat == pytest.approx(lat, abs=1e-9)
    assert back_lon == pytest.approx(lon, abs=1e-9)


def test_north_is_up_and_east_is_right():
    projection, _, _ = maps.fit([(31.15, 121.4), (31.2, 121.45)])
    x1, y1 = maps.project(projection, 31.16, 121.41)
    x2, y2 = maps.project(projection, 31.19, 121.44)
    assert x2 > x1 and y2 < y1


def test_equal_distances_look_equal_east_and_north():
    projection, _, _ = maps.fit([(31.15, 121.4), (31.2, 121.45)])
    x0, y0 = maps.project(projection, 31.17, 121.42)
    # 1 km north and 1 km east of the same point.
    x_n, y_n = maps.project(projection, 31.17 + 1000 / 111_320, 121.42)
    x_e, y_e = maps.project(projection, 31.17, 121.42 + 1000 / (111_320 * math.cos(math.radians(31.175))))
    assert abs(y_n - y0) == pytest.approx(abs(x_e - x0), rel=0.01)


def test_everything_fits_inside_the_view_with_a_margin():
    places = [(31.17, 121.41), (31.19, 121.44), (31.16, 121.43)]
    projection, width, height = maps.fit(places)
    for lat, lon in places:
        x, y = maps.project(projection, lat, lon)
        assert 0 < x < width and 0 < y < height


def test_impossible_places_are_ignored_and_a_lone_point_still_gets_a_map():
    projection, width, height = maps.fit([(31.2, 121.4), (float("nan"), 1.0), (95.0, 10.0)])
    assert width == maps.WIDTH and maps.MIN_HEIGHT <= height <= maps.MAX_HEIGHT
    x, y = maps.project(projection, 31.2, 121.4)
    assert x == pytest.approx(width / 2, abs=1) and y == pytest.approx(height / 2, abs=1)


def test_a_tall_area_is_capped_in_height():
    projection, width, height = maps.fit([(31.0, 121.4), (31.5, 121.4001)])
    assert height == maps.MAX_HEIGHT
    for lat in (31.0, 31.5):
        assert 0 < maps.project(projection, lat, 121.4)[1] < height


@pytest.mark.parametrize("document, expected", [
    ({"type": "Polygon", "coordinates": [[[121.0, 31.0], [121.1, 31.0], [121.0, 31.1], [121.0, 31.0]]]},
     [(31.0, 121.0), (31.0, 121.1), (31.1, 121.0)]),
    ({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[1, 2], [3, 4], [5, 6]]]}},
     [(2.0, 1.0), (4.0, 3.0), (6.0, 5.0)]),
    # A bow tie is drawn as sent, so the user sees what to fix.
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
     [(0.0, 0.0), (1.0, 1.0), (0.0, 1.0), (1.0, 0.0)]),
])
def test_loose_ring_reads_outlines_without_validating(document, expected):
    assert maps.loose_ring(json.dumps(document)) == expected


@pytest.mark.parametrize("text", ["", "junk", "[]", '{"type": "Point", "coordinates": [1, 2]}',
                                  '{"type": "Polygon", "coordinates": []}', '{"type": "Polygon", "coordinates": [[["a"]]]}',
                                  '{"type": "Polygon", "coordinates": [[[500, 500]]]}'])
def test_loose_ring_gives_up_quietly(text):
    assert maps.loose_ring(text) is None


def test_build_view_draws_zones_buildings_store_and_point():
    inner = Zone(1, "Inner", ring_around(31.178, 121.425, 0.005))
    paused = Zone(2, "Paused", ring_around(31.178, 121.425, 0.01), enabled=False)
    view = maps.build_view(STORE, [(7, "Lotus 1", 31.18, 121.43)], [inner, paused], point=(31.2, 121.4),
                           highlight_id=1)
    assert view.view_box == f"0 0 {view.width} {view.height}"
    assert [z.name for z in view.zones] == ["Paused", "Inner"]  # the highlighted one on top
    assert view.zones[-1].highlighted and not view.zones[0].enabled
    assert len(view.zones[-1].points.split()) == 4
    assert view.buildings[0].name == "Lotus 1" and view.buildings[0].id == 7
    assert view.point is not None and view.store.name == "Store"
    for place in [view.store, view.point, *view.buildings]:
        assert 0 < place.x < view.width and 0 < place.y < view.height
    assert view.scale_bar_m in {100, 200, 500, 1000, 2000, 5000}
    assert 0 < view.scale_bar_units < view.width / 2


def test_build_view_shows_the_outline_being_edited():
    inner = Zone(1, "Inner", ring_around(31.178, 121.425, 0.005))
    edited = ring_around(31.178, 121.425, 0.002)
    view = maps.build_view(STORE, [], [inner], highlight_id=1, edited_ring=edited)
    assert len(view.zones) == 1
    projection = view.projection
    assert view.zones[0].points.split()[0] == "%s,%s" % maps.project(projection, *edited[0])
    new = maps.build_view(STORE, [], [inner], edited_ring=edited)
    assert [(z.id, z.highlighted) for z in new.zones] == [(1, False), (0, True)]
