"""Maps with context, pure: every map (zone map, route, dispatch board) carries the community's
buildings with legible, non-colliding names, the zones with their names inside the frame, and a
scale bar; and the links that open a phone's navigation at a stop."""
import math
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store_app.demo import data as demo
from store_app.geo import map_labels, maps
from store_app.geo.navigation import nav_links


STORE = (31.17838, 121.42495, "Store")
LAT, LON = STORE[0], STORE[1]


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


BUILDINGS = [(i + 1, b["name_zh"], b["lat"], b["lon"]) for i, b in enumerate(demo.buildings())]
ZONES = (Zone(1, "近区", ring_around(LAT, LON, 0.006)), Zone(2, "远区", ring_around(LAT, LON, 0.012), enabled=False))
CONTEXT = maps.MapContext(tuple(BUILDINGS), ZONES)


def label_box(label, font=map_labels.LABEL_FONT):
    width = map_labels.text_width(label.text, font)
    left = {"start": label.x, "end": label.x - width, "middle": label.x - width / 2}[label.anchor]
    return (left, label.y - 0.8 * font, left + width, label.y + 0.25 * font)


def overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check_labels(view):
    """Every placed name inside the map and clear of every other name and of every building dot."""
    labels = [b.label for b in view.buildings if b.label]
    boxes = [label_box(label) for label in labels]
    for box in boxes:
        assert 0 <= box[0] and box[2] <= view.width and 0 <= box[1] and box[3] <= view.height
    for i, a in enumerate(boxes):
        assert not any(overlap(a, b) for b in boxes[i + 1:])
        assert not any(overlap(a, map_labels.marker_box(p.x, p.y, maps.BUILDING_RADIUS)) for p in view.buildings)
    return labels


def test_the_zone_map_names_buildings_without_collisions_and_has_a_scale():
    view = maps.build_view(STORE, BUILDINGS, list(ZONES))
    assert len(view.buildings) == len(BUILDINGS)
    labels = check_labels(view)
    # Crowded compounds cannot all be named, but the map names a good share of them.
    assert len(labels) >= len(BUILDINGS) // 4
    assert {z.name for z in view.zones} == {"近区", "远区"}
    assert view.scale_bar_m > 0 and 0 < view.scale_bar_units < view.width / 2


def test_labels_are_legible_on_a_phone():
    # A 1000-unit map is about 340 px wide on a 390 px phone: 30 units read at about 10 px.
    assert map_labels.LABEL_FONT * 340 / maps.WIDTH >= 10


def test_a_route_shows_the_buildings_and_zones_around_it_cut_to_its_frame():
    door = BUILDINGS[0]
    view = maps.route_view(STORE, [("pickup", LAT, LON, "Store"), ("dropoff", door[2], door[3], door[1])],
                           context=CONTEXT)
    assert view.buildings and len(view.buildings) < len(BUILDINGS)  # framed on the route, not the town
    assert all(0 <= b.x <= view.width and 0 <= b.y <= view.height for b in view.buildings)
    assert {z.id for z in view.zones} == {1, 2}
    labels = check_labels(view)
    assert labels
    # No name runs over a numbered stop or the store.
    for stop in view.stops:
        assert not any(overlap(label_box(label), map_labels.marker_box(stop.x, stop.y, maps.STOP_RADIUS))
                       for label in labels)
    store_box = map_labels.marker_box(view.store.x, view.store.y, maps.STORE_RADIUS)
    assert not any(overlap(label_box(label), store_box) for label in labels)
    # The building at the door is named first: it is the one nearest to a stop.
    assert next(b for b in view.buildings if b.id == door[0]).label is not None


def test_zone_names_stay_inside_the_frame():
    view = maps.route_view(STORE, [("dropoff", LAT + 0.001, LON + 0.001, "Door")], context=CONTEXT)
    for zone in view.zones:
        if zone.name:
            half = map_labels.text_width(zone.name, maps.ZONE_FONT) / 2
            assert half <= zone.label_x <= view.width - half
            assert 0 <= zone.label_y <= view.height


def test_the_dispatch_board_has_the_context_too():
    view = maps.board_view(STORE, [(7, "1", "Ann", LAT + 0.002, LON, None)],
                           [(3, "#3", BUILDINGS[5][2], BUILDINGS[5][3], False)], context=CONTEXT)
    assert view.buildings and view.zones
    check_labels(view)


def test_no_context_draws_no_buildings():
    view = maps.route_view(STORE, [("dropoff", LAT + 0.001, LON, "Door")])
    assert view.buildings == [] and view.zones == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1000), st.floats(0, 600), st.text(min_size=1, max_size=12)), max_size=30))
def test_placed_labels_never_overlap(points):
    taken = []
    labels = map_labels.place_labels([(x, y, 10, text) for x, y, text in points], taken, 1000, 600)
    boxes = [label_box(label) for label in labels if label]
    for i, a in enumerate(boxes):
        assert 0 <= a[0] and a[2] <= 1000
        assert not any(overlap(a, b) for b in boxes[i + 1:])


# ---- navigation links ------------------------------------------------------------------------

def test_navigation_links_open_the_phones_maps_at_the_point():
    links = nav_links(31.178383, 121.424951, "南丹公寓 1号楼, 1-1704")
    assert links.geo.startswith("geo:31.178383,121.424951?q=31.178383,121.424951(")
    assert links.geo.endswith(")") and " " not in links.geo
    amap = urlsplit(links.amap)
    assert (amap.scheme, amap.netloc, amap.path) == ("https", "uri.amap.com", "/marker")
    query = parse_qs(amap.query)
    assert query["position"] == ["121.424951,31.178383"] and query["name"] == ["南丹公寓 1号楼, 1-1704"]
    assert query["coordinate"] == ["wgs84"]
    assert links.apple == "https://maps.apple.com/?daddr=31.178383%2C121.424951"


def test_a_label_cannot_break_out_of_the_geo_uri():
    links = nav_links(31.2, 121.4, "Room (3) & <b>")
    label = links.geo.split("(", 1)[1][:-1]
    assert "(" not in label and ")" not in label and "<" not in label and "&" not in label


@pytest.mark.parametrize("lat, lon", [(math.nan, 121.4), (31.2, math.inf), (95.0, 121.4), (31.2, 181.0), (None, 1.0)])
def test_impossible_points_get_no_links(lat, lon):
    assert nav_links(lat, lon, "x") is None
