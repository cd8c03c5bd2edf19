"""Every map, as its page draws it: the community's buildings with their names, the delivery zone,
a scale bar, role="img" with a name, no tiles from elsewhere. The resident's tracking map, the
courier's route, the dispatch board, the zone editor and "where we deliver" (the out-of-zone notice
uses the same zone map)."""
import re

import pytest

from .conftest import text_of
from .test_courier_tracking import ready_and_assigned
from .test_order_board import world  # noqa: F401  (fixture)


def the_map(html, marker):
    """The <svg> that carries ``marker`` (a class or attribute of the map)."""
    for svg in re.findall(r"<svg\b.*?</svg>", html, flags=re.S):
        if marker in svg.split(">", 1)[0]:
            return svg
    raise AssertionError(f"no map with {marker!r}")


def assert_context(svg):
    head = svg.split(">", 1)[0]
    assert re.search(r'role="(img|group)"', head) and re.search(r'aria-label="[^"]+"', head)  # group: with corners to focus
    assert re.search(r'viewBox="0 0 1000 \d+"', head)
    assert '<polygon class="zone' in svg                       # the delivery zone
    assert '<circle class="building"' in svg and "<title>Inside Tower</title>" in svg
    assert re.search(r'<text class="building-label"[^>]*>[^<]+</text>', svg)   # a building's name, written
    assert 'class="map-scale"' in svg and re.search(r"<text[^>]*>\d+ (m|km)</text>", svg)
    assert "http://" not in svg.replace("http://www.w3.org/2000/svg", "") and "https://" not in svg  # no tiles


def test_the_couriers_route_map_has_context_and_a_text_alternative(app, world, create_order):  # noqa: F811
    ready_and_assigned(app, world, create_order)
    html = text_of(world.couriers[0].get("/courier"))
    svg = the_map(html, "data-route-map")
    assert_context(svg)
    assert 'aria-describedby="route-map-stops"' in svg.split(">", 1)[0]
    alternative = html.split('id="route-map-stops"')[1].split("</ol>")[0]
    assert "Pick up at Test Store" in alternative and "Deliver to" in alternative


def test_the_residents_tracking_map_has_context(app, world, create_order):  # noqa: F811
    order_id = ready_and_assigned(app, world, create_order)
    html = text_of(world.resident.get(f"/orders/{order_id}"))
    assert_context(the_map(html, "data-route-map"))
    # The stops as text for screen readers: the door is the resident's own address.
    alternative = html.split('id="route-map-stops"')[1].split("</ol>")[0]
    assert "Deliver to Inside Tower" in alternative


def test_the_dispatch_board_map_has_context(app, world, create_order):  # noqa: F811
    ready_and_assigned(app, world, create_order)
    assert_context(the_map(text_of(world.staff.get("/console/dispatch")), "dispatch-map"))


def test_the_zone_editor_map_has_context(app, world):  # noqa: F811
    html = text_of(world.staff.get(f"/console/zones/{world.shop.zone_id}"))
    svg = the_map(html, "zone-map-editable")
    assert_context(svg)
    assert "data-edit-polygon" in svg and "data-kx=" in svg.split(">", 1)[0]
    assert re.search(r'<text class="zone-label[^"]*"[^>]*>Zone A</text>', svg)


def test_where_we_deliver_has_context(app, world):  # noqa: F811
    assert_context(the_map(text_of(world.resident.get("/shop/where-we-deliver")), "zone-map"))


@pytest.mark.parametrize("lang, scale", [("zh", r"^\d+ (米|公里)$"), ("en", r"^\d+ (m|km)$")])
def test_the_scale_speaks_the_pages_language(app, world, lang, scale):  # noqa: F811
    world.resident.set_cookie("lang", lang)
    svg = the_map(text_of(world.resident.get("/shop/where-we-deliver")), "zone-map")
    text = re.search(r'<g class="map-scale".*?<text[^>]*>([^<]+)</text>', svg, flags=re.S).group(1)
    assert re.match(scale, text)
