"""A form sent back with errors brings its first error into view and gives it focus (static/js/
form-errors.js): the zone editor's outline error sits below the fold on a phone and a tablet."""
import json

import pytest
from playwright.sync_api import expect

from tests.browser.pages import log_in

STAFF_PHONE = "+8613800138001"


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1024, "height": 768}],
                         ids=["phone", "tablet"])
@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_zone_editors_outline_error_is_focused_and_in_view(new_page, ui, viewport, locale):
    page = new_page(viewport=viewport, has_touch=True, locale=locale)
    log_in(page, STAFF_PHONE)
    page.wait_for_url("**/console")
    page.goto("/console/zones/1")
    box = page.locator('textarea[name="geojson"]')
    ring = json.loads(box.input_value())["coordinates"][0]
    west, east = min(p[0] for p in ring), max(p[0] for p in ring)
    south, north = min(p[1] for p in ring), max(p[1] for p in ring)
    bowtie = {"type": "Polygon", "coordinates": [[[west, south], [east, north], [east, south], [west, north],
                                                  [west, south]]]}
    box.fill(json.dumps(bowtie))
    page.locator("form.zone-form button[type=submit]").click()

    error = page.locator("#geojson-error")
    expect(error).to_be_visible()
    expect(box).to_be_focused()
    expect(box).to_have_attribute("aria-invalid", "true")
    assert "geojson-error" in box.get_attribute("aria-describedby").split()
    expect(error).to_be_in_viewport()
    # Nothing typed is lost: the outline comes back as sent.
    assert json.loads(box.input_value())["coordinates"][0][1] == [east, north]
    ui.screenshot(page, f"zone-error-{viewport['width']}-{locale}")


def test_a_page_without_errors_keeps_the_focus_where_it_was(tablet):
    page = tablet
    log_in(page, STAFF_PHONE)
    page.wait_for_url("**/console")
    page.goto("/console/zones/1")
    expect(page.locator("form.zone-form")).to_be_visible()
    assert page.evaluate("document.activeElement === document.body")
    assert page.evaluate("window.scrollY") == 0
