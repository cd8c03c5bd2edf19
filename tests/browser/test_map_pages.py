"""Maps with context as people see them: the zone editor on the counter tablet (1024x768) and
"where we deliver" on a resident's phone (390x844), in both languages. Each map draws the zones, the
buildings with their names (legible, inside the map) and a scale, and nothing sticks out sideways."""
import pytest

from tests.browser.pages import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

STAFF = "+8613800138001"
RESIDENT = "+8613900139003"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
         "has_touch": True}

# Every building name drawn: its on-screen box, and whether it stays inside the map.
LABELS_JS = """(svg) => {
  const frame = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('.building-label')].map((t) => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, height: r.height, inside: r.left >= frame.left - 1 && r.right <= frame.right + 1
            && r.top >= frame.top - 1 && r.bottom <= frame.bottom + 1};
  });
}"""


def check_map(svg):
    expect(svg).to_be_visible()
    expect(svg.locator("polygon.zone").first).to_be_attached()
    expect(svg.locator(".map-scale text")).to_have_count(1)
    labels = svg.evaluate(LABELS_JS)
    assert len(labels) >= 5, labels
    assert all(label["inside"] for label in labels), labels
    return labels


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_where_we_deliver_on_a_phone(new_page, ui, locale):
    page = new_page(locale=locale, **PHONE)
    log_in(page, RESIDENT)
    page.goto("/shop/where-we-deliver")
    labels = check_map(page.locator("svg.zone-map").first)
    # Legible at 390 px: the names are drawn at least 9 CSS px tall.
    assert min(label["height"] for label in labels) >= 9, labels
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, f"map-where-we-deliver-{locale}")


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_the_zone_editor_on_the_tablet(new_page, ui, locale):
    page = new_page(locale=locale, viewport={"width": 1024, "height": 768}, has_touch=True)
    log_in(page, STAFF)
    page.goto("/console/zones")
    page.locator('a[href^="/console/zones/"]:not([href$="/new"])').first.click()
    check_map(page.locator("svg.zone-map-editable"))
    ui.no_horizontal_scroll(page)
    ui.screenshot(page, f"map-zone-editor-{locale}")
