"""The owner's KPI board in a real browser: on the counter tablet (1024x768) and a phone (390 px), in
Chinese and English, every section with its tiles and the four server-drawn charts, nothing wider
than the screen; a screenshot of the tablet page is taken in the test."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from store_app.database import utcnow
from store_app.extensions import db
from store_app.reports import kpi_rules, rollup
from store_app.stores.models import Store
from tests.browser.pages import log_in

OWNER_PHONE = "+8613800138000"
SECTIONS = ("sales", "residents", "delivery", "parcels", "breakfast", "services", "growth")


@pytest.fixture(scope="module")
def rolled_up(live_server):
    """The demo community's last 60 days in the rollup, as the periodic job would have written them."""
    now = utcnow()
    with live_server.transaction() as session:
        for store in session.scalars(db.select(Store)):
            today = kpi_rules.local_day(now, store.timezone)
            rollup.refresh(store, kpi_rules.Period(today - timedelta(days=60), today), now)
    return live_server


@pytest.mark.parametrize("locale, title, zone", [("zh-CN", "经营看板", "中国（上海）时间"),
                                                ("en-US", "KPI board", "China (Shanghai) Time")])
def test_the_owners_board_on_the_counter_tablet(new_page, ui, rolled_up, tmp_path, locale, title, zone):
    page = new_page(viewport={"width": 1024, "height": 768}, has_touch=True, locale=locale)
    log_in(page, OWNER_PHONE)
    page.wait_for_url("**/owner")
    page.goto("/console/board?preset=30d")
    expect(page.locator("h1")).to_have_text(title)
    for section in SECTIONS:
        expect(page.locator(f"#kpi-{section} .kpi-tile").first).to_be_visible()
    expect(page.locator("svg.kpi-chart")).to_have_count(4)
    expect(page.locator(".kpi-tile.is-incomplete").first).to_be_visible()  # the last 30 days include today
    expect(page.locator('[data-tile="gmv_net_cents"] .kpi-meta')).to_contain_text(zone)
    definition = page.locator('[data-tile="retention_7"] details')
    definition.locator("summary").click()
    expect(definition).to_have_attribute("open", "")
    ui.no_horizontal_scroll(page)
    shot = tmp_path / f"kpi-board-1024-{locale}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    ui.screenshot(page, f"kpi-board-1024-{locale}")

    page.locator(".kpi-custom input[name=from]").fill("2026-01-01")
    page.locator(".kpi-custom input[name=to]").fill("2026-01-31")
    page.locator(".kpi-custom button[type=submit]").click()
    page.wait_for_url("**/console/board?from=2026-01-01&to=2026-01-31")
    expect(page.locator(".kpi-tile.is-incomplete")).to_have_count(0)
    export = page.locator("#kpi-sales .kpi-exports a").first
    assert "from=2026-01-01" in export.get_attribute("href")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_board_reads_on_a_phone(new_page, ui, rolled_up, locale):
    page = new_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, locale=locale)
    log_in(page, OWNER_PHONE)
    page.wait_for_url("**/owner")
    page.goto("/console/board?preset=7d")
    expect(page.locator("#kpi-growth .kpi-tile").first).to_be_visible()
    ui.no_horizontal_scroll(page)
    ui.tall_enough(page.locator(".kpi-presets a"))
    ui.screenshot(page, f"kpi-board-390-{locale}")
