"""Accessibility, checked by axe-core (vendored from npm, for the tests only) and by scaling the text.

For every role (a visitor, a resident, a courier, staff, the owner) and both languages, every page the
role can reach (crawled from its home along same-origin links, plus known detail pages a link does not
lead to) shows no WCAG 2.0/2.1 A or AA violation at 390x844; the console's pages also at 1024x768,
with its menu open too. Text scaled to 200 % loses nothing: no sideways scrolling, no control cut off."""
import pytest
from playwright.sync_api import expect

from store_app.extensions import db
from store_app.orders.models import Order, VoiceOrder
from store_app.parcels.models import Parcel
from tests.browser.axe import axe_violations, describe
from tests.browser.breakfast_pages import breakfast_console_pages
from tests.browser.crawl import crawl
from tests.browser.pages import log_in
from tests.browser.vendor_pages import vendor_console_pages

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}
LOCALES = {"zh": "zh-CN", "en": "en-US"}
RESIDENT = "+8613900139000"
ROLES = {  # role -> (phone to log in with, home)
    "visitor": (None, "/"),
    "resident": (RESIDENT, "/shop"),
    "courier": ("+8613800138010", "/courier"),
    "staff": ("+8613800138001", "/console"),
    "owner": ("+8613800138000", "/owner"),
}
CONSOLE_ROLES = {"staff", "owner"}


def staff_may_open(app, path):
    """Whether the page at ``path`` is one staff open too (its view's ``role_required`` names staff)."""
    try:
        endpoint, _args = app.url_map.bind("localhost").match(path.split("?")[0])
    except Exception:  # noqa: BLE001 -- a redirect or an unknown path: scan it as the owner's own
        return False
    view = app.view_functions.get(endpoint)
    while view is not None and not hasattr(view, "allowed_roles"):
        view = getattr(view, "__wrapped__", None)
    return view is not None and "staff" in view.allowed_roles


def console_sizes(app, role, path):
    """The console's pages are scanned at both sizes once between the two console roles: the staff
    at the counter tablet's size, the owner at a phone's, and the owner's own pages at both."""
    if role == "staff":
        return (TABLET,)
    return (PHONE,) if staff_may_open(app, path) else (PHONE, TABLET)


def known_pages(live_server, role):
    """Detail pages no link leads to from a home (a form's answer, a printable page), per role."""
    if role == "visitor":
        return ["/login", "/register", "/shop/where-we-deliver", "/vendor/apply"]
    if role == "resident":
        return ["/shop/where-we-deliver", "/voice"]
    if role == "courier":
        return []
    with live_server.transaction() as session:
        store_id = session.scalar(db.select(Order.store_id).limit(1))
        order_id = session.scalar(db.select(Order.id).where(Order.store_id == store_id).order_by(Order.id.desc()))
        parcel_id = session.scalar(db.select(Parcel.id).where(Parcel.status == "waiting").order_by(Parcel.id))
        voice = session.scalar(db.select(VoiceOrder.id).order_by(VoiceOrder.id))
        if voice is None:
            user_id = session.scalar(db.select(Order.user_id).where(Order.id == order_id))
            voice_order = VoiceOrder(store_id=store_id, user_id=user_id, text="两瓶牛奶 two bottles of milk")
            session.add(voice_order)
            session.flush()
            voice = voice_order.id
        breakfast = breakfast_console_pages(session, store_id)
        vendors = vendor_console_pages(session, store_id)
    return [f"/console/orders/{order_id}/picking-list", f"/console/parcels/handover/parcels/{parcel_id}",
            f"/console/parcels/{parcel_id}/label", f"/console/voice/{voice}", *breakfast, *vendors]


@pytest.mark.parametrize("lang", LOCALES)
@pytest.mark.parametrize("role", ROLES)
def test_no_wcag_violation_on_any_page_a_role_reaches(new_page, live_server, role, lang):
    phone, home = ROLES[role]
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, locale=LOCALES[lang], bypass_csp=True)
    if phone:
        log_in(page, phone)
        page.wait_for_url(f"**{home}")
    found = {}

    def scan(page, path):
        sizes = console_sizes(live_server.app, role, path) if role in CONSOLE_ROLES else (PHONE,)
        for size in sizes:
            page.set_viewport_size(size)
            violations = axe_violations(page)
            if violations:
                found[f"{path} @{size['width']}"] = violations
        page.set_viewport_size(PHONE)

    visited = []
    for path in crawl(page, [home, *known_pages(live_server, role)], origin=live_server.url, limit=60,
                      per_kind=1, strict=True):
        scan(page, path)
        visited.append(path)
    assert len(visited) >= {"visitor": 3, "resident": 10, "courier": 3, "staff": 25, "owner": 25}[role], visited
    assert not found, f"axe found WCAG A/AA violations ({lang}, {role}):\n{describe(found)}"


@pytest.mark.parametrize("lang", LOCALES)
def test_the_open_console_menu_has_no_violation(new_page, lang):
    page = new_page(viewport=TABLET, has_touch=True, locale=LOCALES[lang], bypass_csp=True)
    log_in(page, ROLES["owner"][0])
    page.wait_for_url("**/owner")
    page.locator("#nav-group-community > summary").click()
    expect(page.locator('#nav-group-community a[href="/console/zones"]')).to_be_visible()
    found = {"tablet menu": axe_violations(page)}
    page.set_viewport_size(PHONE)
    page.locator("#nav-drawer > summary").click()
    expect(page.locator('#nav-drawer-panel a[href="/console/zones"]')).to_be_visible()
    found["phone drawer"] = axe_violations(page)
    assert not any(found.values()), describe(found)


def test_a_form_sent_back_with_errors_has_no_violation(new_page):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US", bypass_csp=True)
    page.goto("/login")
    page.locator('main input[name="phone"]').fill("13900139000")
    page.locator('main input[name="password"]').fill("wrong password")
    page.locator('main button[type="submit"]').click()
    expect(page.locator(".flash-error, .error").first).to_be_visible()
    assert axe_violations(page) == []


# ---- text at 200 % -----------------------------------------------------------------------------

# Controls whose text does not fit in their box (cut off), or that stick out of the viewport (unless
# inside a box that scrolls sideways on purpose: the category chips, a wide table in its card).
_CLIPPED_JS = r"""() => {
  const width = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.querySelectorAll('a, button, input, select, textarea, summary, label')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || el.closest('[hidden], details:not([open]) > :not(summary)')) continue;
    const style = getComputedStyle(el);
    const cut = style.overflow !== 'visible' && style.textOverflow !== 'ellipsis'
      && !['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)
      && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
    if (cut || ((r.right > width + 1 || r.left < -1) && !scrolls(el))) out.push(el.outerHTML.slice(0, 100));
  }
  return out;
}"""

SCALED_PAGES = {
    "visitor": ["/", "/login", "/register"],
    "resident": ["/shop", "/cart", "/orders", "/parcels", "/me", "/inbox", "/wallet"],
    "courier": ["/courier", "/me"],
    "staff": ["/console", "/console/orders", "/console/dispatch", "/console/parcels", "/console/parcels/handover",
              "/console/zones/1"],
    "owner": ["/owner", "/owner/store", "/console/products"],
}


@pytest.mark.parametrize("role", SCALED_PAGES)
def test_text_scales_to_200_percent_without_loss(new_page, ui, role):
    phone, home = ROLES[role]
    size = TABLET if role in CONSOLE_ROLES else PHONE
    page = new_page(viewport=size, has_touch=True, locale="zh-CN")
    if phone:
        log_in(page, phone)
        page.wait_for_url(f"**{home}")
    for path in SCALED_PAGES[role]:
        page.goto(path)
        # What a reader's "very large" browser text setting does: the root font size doubles.
        page.evaluate("document.documentElement.style.setProperty('font-size', '200%', 'important')")
        expect(page.locator("html")).to_have_css("font-size", "32px")
        ui.no_horizontal_scroll(page)
        clipped = page.evaluate(_CLIPPED_JS)
        assert not clipped, f"{path} at 200 %: controls cut off: {clipped[:5]}"
        ui.screenshot(page, f"text-200-{role}{path.replace('/', '-')}")
