"""The delivery-zone editor on the counter tablet, and the residents' delivery map on a phone.

The editor is pointer events on a server-drawn SVG: drag a corner, drag a midpoint to add one,
select a corner and delete it (button or Delete key); the GeoJSON text box follows every edit.
"""
import json

import pytest

from tests.browser.pages import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

STAFF_PHONE = "+8613800138001"


def outline(page):
    return json.loads(page.locator('textarea[name="geojson"]').input_value())["coordinates"][0]


def drag(page, locator, dx, dy):
    box = locator.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=4)
    page.mouse.move(x + dx, y + dy, steps=4)
    page.mouse.up()


def test_staff_reshape_a_zone_on_the_map_and_save_it(tablet, ui):
    page = tablet
    log_in(page, STAFF_PHONE)
    page.goto("/console/zones")
    ui.no_horizontal_scroll(page)
    expect(page.locator("svg.zone-map polygon.zone")).to_have_count(2)
    page.locator("table.zones-table a", has_text="近区").first.click()  # the tablet reads Chinese
    page.wait_for_url("**/console/zones/*")
    ui.no_horizontal_scroll(page)

    vertices = page.locator("svg .vertex")
    corners = vertices.count()
    assert corners == 12
    before = outline(page)
    assert len(before) == corners + 1  # closed ring

    # Drag the northern corner further north: its latitude grows, its neighbours stay.
    drag(page, page.locator('svg .vertex[data-index="0"]'), 0, -40)
    after = outline(page)
    assert after[0][1] > before[0][1]
    assert after[0] == after[-1], "the ring stays closed"
    assert after[1:-1] == before[1:-1]

    # Drag a midpoint: a new corner appears between corners 2 and 3.
    drag(page, page.locator('svg .midpoint[data-index="2"]'), 30, 0)
    expect(vertices).to_have_count(corners + 1)
    assert len(outline(page)) == corners + 2
    expect(page.locator("[data-delete-vertex]")).to_be_enabled()

    # The Delete key removes the selected (new) corner; the button removes another one.
    page.keyboard.press("Delete")
    expect(vertices).to_have_count(corners)
    page.locator('svg .vertex[data-index="5"]').click()
    page.locator("[data-delete-vertex]").click()
    expect(vertices).to_have_count(corners - 1)
    saved_outline = outline(page)

    page.locator('main form[data-zone-editor] button[type="submit"]').click()
    page.wait_for_url("**/console/zones")
    expect(page.locator(".flash-success")).to_be_visible()
    page.locator("table.zones-table a", has_text="近区").first.click()  # the tablet reads Chinese
    assert outline(page) == saved_outline


def test_the_editor_refuses_to_go_below_three_corners(tablet):
    page = tablet
    log_in(page, STAFF_PHONE)
    page.goto("/console/zones/new")
    vertices = page.locator("svg .vertex")
    expect(vertices).to_have_count(4)  # a new zone starts as a square around the store
    page.locator('svg .vertex[data-index="0"]').click()
    page.keyboard.press("Delete")
    expect(vertices).to_have_count(3)
    page.locator('svg .vertex[data-index="0"]').click()
    page.keyboard.press("Delete")
    expect(vertices).to_have_count(3)
    expect(page.locator("[data-editor-status]")).not_to_be_empty()


def test_typing_geojson_redraws_the_outline(tablet):
    page = tablet
    log_in(page, STAFF_PHONE)
    page.goto("/console/zones/new")
    triangle = {"type": "Polygon", "coordinates": [[[121.42, 31.175], [121.43, 31.175], [121.425, 31.182],
                                                    [121.42, 31.175]]]}
    page.locator('textarea[name="geojson"]').fill(json.dumps(triangle))
    expect(page.locator("svg .vertex")).to_have_count(3)
    page.locator('textarea[name="geojson"]').fill("{ not json")
    expect(page.locator("svg .vertex")).to_have_count(0)


@pytest.mark.parametrize("path", ["/shop/where-we-deliver"])
def test_the_delivery_map_fits_a_phone(phone, ui, path):
    page = phone
    page.goto(path)
    ui.no_horizontal_scroll(page)
    expect(page.locator("svg.zone-map polygon.zone")).to_have_count(2)
    box = page.locator("svg.zone-map").bounding_box()
    assert box["width"] <= 390 and box["height"] > 200
