"""The console's menu and the shared form-error markup, as pages send them (the browser tests in
tests/browser/test_console_nav.py and test_form_errors.py drive them)."""
import json
import re

import pytest

from store_app.roles import Role

from .conftest import post_form
from .test_zones import BOW_TIE, zone_form

MENUS = {
    Role.STAFF: ["/console", "/console/orders", "/console/dispatch", "/console/voice", "/console/parcels",
                 "/console/products", "/console/wallet", "/console/team", "/console/buildings", "/console/zones"],
    Role.OWNER: ["/owner", "/owner/store", "/owner/staffing"],
}


@pytest.mark.parametrize("role", [Role.STAFF, Role.OWNER])
def test_the_menu_lists_every_page_of_the_role_in_groups_and_the_drawer(community, login_client, role):
    client = login_client(community["users"][role][1])
    page = client.get("/console").get_data(as_text=True)
    bar = page[page.index('<nav class="console-tabs"'):page.index('<details class="nav-drawer"')]
    drawer = page[page.index('<details class="nav-drawer"'):page.index("</header>")]
    paths = MENUS[Role.STAFF] + (MENUS[Role.OWNER] if role == Role.OWNER else [])
    for path in paths:
        assert f'href="{path}"' in bar, path
        assert f'href="{path}"' in drawer, path
    # The account page sits apart, always in the top bar; residents' bottom bar is not there.
    assert re.search(r'<a class="nav-me" href="/me"', page)
    assert "bottom-nav" not in page
    # The current page is marked; its group's button says it holds the current page.
    orders = client.get("/console/dispatch").get_data(as_text=True)
    assert re.search(r'<summary class="nav-entry is-current" aria-controls="nav-menu-orders">', orders)
    assert 'href="/console/dispatch" aria-current="page"' in orders
    assert "js/console-nav.js" in page


def test_staff_do_not_see_the_owners_pages(community, login_client):
    page = login_client(community["users"][Role.STAFF][1]).get("/console").get_data(as_text=True)
    for path in MENUS[Role.OWNER]:
        assert f'href="{path}"' not in page


def test_a_field_sent_back_with_an_error_is_marked_and_described(community, login_client):
    staff = login_client(community["users"][Role.STAFF][1])
    response = post_form(staff, "/console/zones/new", zone_form(geojson=json.dumps(BOW_TIE)))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    textarea = re.search(r"<textarea[^>]*name=\"geojson\"[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in textarea
    assert re.search(r'aria-describedby="geojson-hint geojson-error"', textarea)
    assert 'id="geojson-error"' in page and 'id="geojson-hint"' in page
    assert "js/form-errors.js" in page
    # A field without an error is described by its hint only.
    hours = re.search(r"<input[^>]*name=\"hours\"[^>]*>", page).group(0)
    assert 'aria-describedby="hours-hint"' in hours and "aria-invalid" not in hours
