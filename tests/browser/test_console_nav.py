"""The staff and owner menu fits a 1024x768 counter tablet and a 390x844 phone in both languages:
every page of the role's menu can be reached, its link inside the viewport once its group or the
drawer is open, the account page always one tap away, nothing scrolling sideways; it works with the
keyboard (aria-expanded, Escape gives focus back) and without JavaScript."""
import pytest
from playwright.sync_api import expect

from store_app.roles import Role
from store_app.web.navigation import console_nav_for, is_group
from tests.browser.pages import log_in

PEOPLE = {Role.STAFF: "+8613800138001", Role.OWNER: "+8613800138000"}
HOMES = {Role.STAFF: "/console", Role.OWNER: "/owner"}
SIZES = {"tablet": {"width": 1024, "height": 768}, "phone": {"width": 390, "height": 844}}
LOCALES = {"zh": "zh-CN", "en": "en-US"}


def menu_paths(app, role):
    """``[(group key or None, path)]``: every page the role's console menu leads to."""
    with app.test_request_context():
        from flask import url_for
        found = []
        for entry in console_nav_for(role):
            for item in (entry.items if is_group(entry) else (entry,)):
                found.append((entry.key if is_group(entry) else None, url_for(item.endpoint)))
        return found


def inside_viewport(page, locator):
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None, locator
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 1, (box, size)
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"] + 1, (box, size)


@pytest.mark.parametrize("lang", LOCALES)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", [Role.STAFF, Role.OWNER], ids=["staff", "owner"])
def test_every_menu_item_is_reachable_and_inside_the_viewport(new_page, live_server, ui, role, size, lang):
    page = new_page(viewport=SIZES[size], has_touch=True, locale=LOCALES[lang])
    log_in(page, PEOPLE[role])
    page.wait_for_url(f"**{HOMES[role]}")
    ui.no_horizontal_scroll(page)
    me = page.locator("header .nav-me")
    expect(me).to_be_visible()
    inside_viewport(page, me)
    ui.screenshot(page, f"nav-{role}-{size}-{lang}")

    for group, path in menu_paths(live_server.app, role):
        if size == "phone":
            opener = page.locator("#nav-drawer > summary")
            link = page.locator(f'#nav-drawer-panel a[href="{path}"]')
        elif group:
            opener = page.locator(f"#nav-group-{group} > summary")
            link = page.locator(f'#nav-group-{group} a[href="{path}"]')
        else:
            opener = None
            link = page.locator(f'nav.console-tabs .nav-bar > li > a[href="{path}"]')
        if opener is not None:
            expect(opener).to_have_attribute("aria-expanded", "false")
            opener.click()
            expect(opener).to_have_attribute("aria-expanded", "true")
        link.scroll_into_view_if_needed()
        expect(link).to_be_visible()
        inside_viewport(page, link)
        ui.tall_enough(link)
        ui.no_horizontal_scroll(page)
        if opener is not None and path == menu_paths(live_server.app, role)[-1][1]:
            ui.screenshot(page, f"nav-{role}-{size}-{lang}-open")
        link.click()
        page.wait_for_url(f"**{path}")
        expect(page.locator(f'a[href="{path}"][aria-current="page"]').first).to_be_attached()
        ui.no_horizontal_scroll(page)

    me.click()
    page.wait_for_url("**/me")


def test_a_menu_opens_and_closes_from_the_keyboard(tablet):
    page = tablet
    log_in(page, PEOPLE[Role.STAFF])
    page.wait_for_url("**/console")
    summary = page.locator("#nav-group-orders > summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(summary).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    expect(page.locator('#nav-group-orders a[href="/console/orders"]')).to_be_focused()
    page.keyboard.press("Escape")
    expect(summary).to_have_attribute("aria-expanded", "false")
    expect(summary).to_be_focused()
    expect(page.locator('#nav-group-orders a[href="/console/orders"]')).to_be_hidden()
    # One menu at a time; a click elsewhere closes it.
    page.locator("#nav-group-orders > summary").click()
    page.locator("#nav-group-community > summary").click()
    expect(page.locator("#nav-group-orders")).not_to_have_attribute("open", "")
    page.mouse.click(1000, 740)
    expect(page.locator("#nav-group-community")).not_to_have_attribute("open", "")


@pytest.mark.parametrize("size", SIZES)
def test_the_menu_works_without_javascript(new_page, size):
    page = new_page(viewport=SIZES[size], has_touch=True, locale="zh-CN", java_script_enabled=False)
    log_in(page, PEOPLE[Role.OWNER])
    page.wait_for_url("**/owner")
    opener = page.locator("#nav-drawer > summary" if size == "phone" else "#nav-group-community > summary")
    opener.click()
    where = "#nav-drawer-panel" if size == "phone" else "#nav-group-community"
    link = page.locator(f'{where} a[href="/console/zones"]')
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url("**/console/zones")
