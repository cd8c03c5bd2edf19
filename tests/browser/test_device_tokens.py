"""Device tokens in a real browser at the counter tablet's size: staff open Devices from the console
menu, make a token for a courier's phone (shown once), the phone uses it on the API, staff revoke it
and the phone is refused. In Chinese, as the tablet's browser asks."""
import json
import urllib.error
import urllib.request

from tests.browser.pages import log_in

try:
    from playwright.sync_api import expect
except ImportError:  # the ``browser`` fixture skips these tests (fails them in CI) and says why
    expect = None

STAFF_PHONE = "+8613800138001"
COURIER_NAME = "张伟"  # the demo courier, named in Chinese on the Chinese page


def api_get(live_server, path, token):
    """``(status, JSON body)`` of a GET to the live server with the token."""
    request = urllib.request.Request(live_server.url + path, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_staff_make_a_courier_token_and_revoke_it(tablet, live_server, ui):
    page = tablet
    log_in(page, STAFF_PHONE)
    page.wait_for_url("**/console")
    page.locator("#nav-group-community > summary").click()  # Devices sit in the Community menu
    page.get_by_role("link", name="设备").first.click()
    page.wait_for_url("**/console/devices")
    ui.no_horizontal_scroll(page)

    form = page.locator('form[action="/console/devices"]')
    form.locator('input[name="name"]').fill("张伟的手机")
    form.locator('select[name="user_id"]').select_option(label=f"{COURIER_NAME} · 配送员")
    form.locator('button[type="submit"]').click()

    shown = page.locator("[data-token]")
    expect(shown).to_be_visible()
    token = shown.inner_text().strip()
    assert token.startswith("cs_")
    row = page.locator("tr", has_text="张伟的手机")
    expect(row).to_contain_text(token[:10])
    expect(row).to_contain_text("从未")
    status, tasks = api_get(live_server, "/api/v1/courier/tasks", token)
    assert status == 200 and isinstance(tasks, list)

    page.goto("/console/devices")
    expect(page.locator("[data-token]")).to_have_count(0)  # shown once
    row = page.locator("tr", has_text="张伟的手机")
    row.get_by_role("button", name="撤销").click()
    expect(page.locator("tr", has_text="张伟的手机")).to_contain_text("已撤销")
    status, body = api_get(live_server, "/api/v1/courier/tasks", token)
    assert (status, body["status"]) == (401, 401)
