"""End to end on a phone: a new resident signs up, shops, logs out and in, switches language; the
staff and the owner reach their homes. Every page must fit the screen and be usable by thumb.

Chinese copy may still be untranslated, so pages are found by URL, role and form field names, and
English text is asserted only after switching to English.
"""
import pytest

from tests.browser.pages import DEMO_PASSWORD, log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

STAFF_PHONE = "+8613800138001"
OWNER_PHONE = "+8613800138000"
NEW_PASSWORD = "kettle-lantern-42"


def test_resident_journey(phone, live_server, fresh_phone, ui):
    page = phone

    # The welcome page, then "Create an account".
    page.goto("/")
    ui.no_horizontal_scroll(page)
    ui.tall_enough(page.locator("main .button"))
    ui.tall_enough(page.locator("header .lang-switch button"))
    page.locator('main a[href="/register"]').first.click()
    page.wait_for_url("**/register")
    ui.no_horizontal_scroll(page)

    number = fresh_phone()
    page.locator('input[name="phone"]').fill(number)
    page.locator('input[name="name"]').fill("Test Resident")
    page.locator('input[name="password"]').fill(NEW_PASSWORD)

    # The search box appears once the picker's JavaScript runs; it narrows and picks from the list.
    select = page.locator('select[name="building_id"]')
    status = page.locator("[data-picker-status]")
    search = page.locator("[data-picker-search]")
    expect(search).to_be_visible()
    search.fill("Lotus")
    expect(status).to_contain_text("5")  # the five Lotus Garden buildings
    expect(status).not_to_contain_text("%")
    chosen = select.evaluate("s => s.selectedOptions[0].textContent")
    assert chosen.startswith("莲花苑"), chosen
    visible = select.evaluate("s => [...s.options].filter(o => !o.hidden && o.value).map(o => o.textContent)")
    assert len(visible) == 5 and all(name.startswith("莲花苑") for name in visible), visible
    ui.no_horizontal_scroll(page)

    # "Use my location": standing at the door of Meilong Village building 2 picks that building.
    found = page.request.get("/api/v1/buildings?q=Meilong Village Building 2")
    assert found.ok
    building = found.json()[0]
    assert building["name"] == "梅陇新村 2号楼"
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": building["lat"], "longitude": building["lon"], "accuracy": 10})
    locate = page.locator("[data-picker-locate]")
    expect(locate).to_be_visible()
    ui.tall_enough(locate)
    locate.click()
    expect(select).to_have_value(str(building["id"]))
    expect(status).to_contain_text(building["name"])
    expect(status).not_to_contain_text("%")
    assert select.evaluate("s => [...s.options].every(o => !o.hidden)"), "locating shows every building again"

    page.locator('input[name="unit"]').fill("2-1203")
    ui.tall_enough(page.locator("main input, main select, main button"))
    ui.screenshot(page, "register")
    page.locator('main form button[type="submit"]').click()

    # The shop: where we deliver, and the bottom bar.
    page.wait_for_url("**/shop")
    expect(page.locator(".deliver-to")).to_contain_text(f"{building['name']}, 2-1203")
    ui.no_horizontal_scroll(page)
    ui.tall_enough(page.locator("nav.bottom-nav a"))
    ui.screenshot(page, "shop")

    # Me, then log out.
    page.locator('nav.bottom-nav a[href="/me"]').click()
    page.wait_for_url("**/me")
    ui.no_horizontal_scroll(page)
    ui.tall_enough(page.locator("main .button:not(.small)"))
    ui.screenshot(page, "me")
    page.locator('main form[action="/logout"] button').click()
    page.wait_for_url("**/login")
    ui.no_horizontal_scroll(page)
    expect(page.locator("nav.bottom-nav")).to_have_count(0)

    # Back in, typed the way people type it.
    log_in(page, f"{number[:3]} {number[3:7]} {number[7:]}", NEW_PASSWORD)
    page.wait_for_url("**/shop")
    ui.no_horizontal_scroll(page)

    # English, from the header button; the page stays where it was.
    page.locator('header .lang-switch button[value="en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith("/shop")
    expect(page.locator("nav.bottom-nav")).to_contain_text("Shop")
    expect(page.locator("nav.bottom-nav")).to_contain_text("Me")
    expect(page.locator(".deliver-to")).to_contain_text("Deliver to")
    ui.no_horizontal_scroll(page)
    ui.tall_enough(page.locator("nav.bottom-nav a"))

    # The choice sticks to the next page, then back to Chinese.
    page.locator('nav.bottom-nav a[href="/me"]').click()
    page.wait_for_url("**/me")
    expect(page.locator("main")).to_contain_text("Log out")
    ui.no_horizontal_scroll(page)
    page.locator('header .lang-switch button[value="zh"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    assert page.url.endswith("/me")
    expect(page.locator('header .lang-switch button[value="en"]')).to_be_visible()
    ui.no_horizontal_scroll(page)


def test_register_without_javascript(new_page, fresh_phone, ui):
    """The plain <select> works on its own; the search box and the location button stay hidden."""
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                    locale="zh-CN", java_script_enabled=False)
    page.goto("/register")
    expect(page.locator("[data-picker-search]")).to_be_hidden()
    expect(page.locator("[data-picker-locate]")).to_be_hidden()
    ui.no_horizontal_scroll(page)
    page.locator('input[name="phone"]').fill(fresh_phone())
    page.locator('input[name="name"]').fill("No Script")
    page.locator('input[name="password"]').fill(NEW_PASSWORD)
    # Each option also says whether the store delivers there ("樱桃园 4号楼 · 可配送").
    building = page.locator('select[name="building_id"] option', has_text="樱桃园 4号楼")
    page.locator('select[name="building_id"]').select_option(building.get_attribute("value"))
    page.locator('input[name="unit"]').fill("1-101")
    page.locator('main form button[type="submit"]').click()
    page.wait_for_url("**/shop")
    expect(page.locator(".deliver-to")).to_contain_text("樱桃园 4号楼, 1-101")


@pytest.mark.parametrize("path", ["/console", "/console/team", "/console/buildings"])
def test_staff_console_fits_tablet_and_phone(tablet, ui, path):
    page = tablet
    log_in(page, STAFF_PHONE, DEMO_PASSWORD)
    page.wait_for_url("**/console")
    expect(page.locator("body")).to_have_class("layout-console role-staff")
    expect(page.locator("nav.bottom-nav")).to_have_count(0)
    if path != "/console":
        page.goto(path)
    ui.no_horizontal_scroll(page)
    ui.tall_enough(page.locator("nav.console-tabs a"))
    ui.screenshot(page, f"staff{path.replace('/', '-')}-1024")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    ui.no_horizontal_scroll(page)
    ui.tall_enough(page.locator("nav.console-tabs a"))
    ui.screenshot(page, f"staff{path.replace('/', '-')}-390")


def test_owner_lands_on_dashboard(tablet, ui):
    page = tablet
    log_in(page, OWNER_PHONE, DEMO_PASSWORD)
    page.wait_for_url("**/owner")
    expect(page.locator("body")).to_have_class("layout-console role-owner")
    expect(page.locator('nav.console-tabs a[href="/owner"]')).to_have_attribute("aria-current", "page")
    ui.no_horizontal_scroll(page)

    for width in (390, 1024):
        page.set_viewport_size({"width": width, "height": 844})
        for path in ("/owner", "/owner/store"):
            page.goto(path)
            ui.no_horizontal_scroll(page)
            ui.screenshot(page, f"owner{path.replace('/', '-')}-{width}")
