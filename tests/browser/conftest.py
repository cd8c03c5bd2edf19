"""Browser tests: the demo community served by a real HTTP server, driven by Debian's Chromium.

* ``live_server`` (one per test module): the app on a file-based SQLite database in a temporary
  instance folder, with the demo community loaded (a copy of ``demo_instance``, seeded once per
  session), served by werkzeug in a background thread.
  Tests stay independent by registering new residents with fresh phone numbers (``fresh_phone``).
  ``live_server.transaction()`` reaches its database from the test (set up or check what the
  pages did) as one committed unit of work in the app's context.
* ``browser`` (one per session): headless Chromium through Playwright, never downloaded.
* ``phone`` / ``tablet``: a page in a new browser context (390x844 touch phone in zh-CN; 1024x768
  touch tablet), pointed at the live server, closed after the test; ``new_page(**options)`` for
  other contexts (no JavaScript, another locale). Uncaught JavaScript errors fail the test.
* ``ui``: layout checks (no sideways scrolling, 44 px touch targets) and optional screenshots
  (``STORE_SCREENSHOT_DIR=/tmp/shots``).

Locally a missing Chromium or Playwright skips these tests; in CI (``CI=true``) it fails them.
"""
import itertools
import os
import random
import shutil
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from store_app import create_app
from store_app.database import transaction
from store_app.demo.operations import seed_demo
from store_app.extensions import db, limiter

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--disable-sync", "--disable-quic"]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
TIMEOUT_MS = 10_000
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True, "locale": "zh-CN"}


def skip_or_fail(reason):
    """Skip locally; in CI a missing browser is a failure, not a skip (as in tests/conftest.py)."""
    if IN_CI:
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    """Every test under tests/browser is a browser test."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)


# ---- the server -------------------------------------------------------------------------------

class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: failures show the page, not a wall of GET lines."""

    def log_request(self, *args, **kwargs):
        pass


def _closing(app):
    """The app, with every response closed even when the browser drops the connection mid-file.

    Werkzeug's development server does not close a response whose connection broke while it wrote
    it (a page left while its lazy pictures still load): the open file's ResourceWarning would then
    fail whichever test is running when it is collected. A generator's ``finally`` runs either way.
    """
    def wsgi(environ, start_response):
        body = app(environ, start_response)

        def chunks():
            try:
                yield from body
            finally:
                if hasattr(body, "close"):
                    body.close()
        return chunks()
    return wsgi


@pytest.fixture(scope="session")
def demo_instance(tmp_path_factory):
    """An instance folder with the demo community loaded, once per session (per worker): each module's
    server starts from a copy of it. Never served itself."""
    instance = tmp_path_factory.mktemp("demo-instance")
    path = instance / "browser.sqlite3"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STORE_INSTANCE_PATH", str(instance))
        builder = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "GEOCODER": "gazetteer"})
    with builder.app_context():
        db.create_all()
        with transaction():
            seed_demo()
        db.session.remove()
        db.engine.dispose()
    # Out of WAL mode with every connection closed: the file alone is the whole database, ready to copy.
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    finally:
        conn.close()
    return instance


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, demo_instance):
    """The demo community on http://127.0.0.1:<free port>; ``.url``, ``.app`` and ``.transaction()``."""
    instance = tmp_path_factory.mktemp("instance")
    shutil.copytree(demo_instance, instance, dirs_exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STORE_INSTANCE_PATH", str(instance))
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'browser.sqlite3'}",
            "GEOCODER": "gazetteer",  # never the network
        })
    with app.app_context():
        limiter.reset()

    @contextmanager
    def in_transaction():
        """``with live_server.transaction() as session:`` the server's database, committed at the end
        (rolled back on an exception); objects read inside are expired after the commit."""
        with app.app_context():
            try:
                with transaction() as session:
                    yield session
            finally:
                db.session.remove()

    server = make_server("127.0.0.1", 0, _closing(app), threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app,
                              transaction=in_transaction)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


_phones = itertools.count(random.Random().randrange(0, 9000))


@pytest.fixture
def fresh_phone():
    """Factory: a new valid Chinese mobile number, as a resident would type it (``1390099xxxx``)."""
    return lambda: f"1390099{next(_phones) % 10_000:04d}"


# ---- the browser ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright_instance():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (pip install -e '.[test]')")
    if not os.access(CHROMIUM, os.X_OK):
        skip_or_fail(f"{CHROMIUM} is missing (apt-get install chromium)")
    manager = sync_playwright().start()
    yield manager
    manager.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance):
    """Headless Debian Chromium; never a downloaded browser."""
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Factory: ``new_page(**context_options)`` -> a page in a fresh context on the live server.

    Contexts are closed after the test; uncaught JavaScript errors on any page fail it.
    """
    contexts, errors = [], []

    def make(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def phone(new_page):
    """A page on a 390x844 touch phone (3x, zh-CN) in a fresh context: no cookies from other tests."""
    return new_page(**PHONE)


@pytest.fixture
def tablet(new_page):
    """A page on a 1024x768 touch tablet (the counter) in a fresh context."""
    return new_page(**TABLET)


# ---- helpers for the tests --------------------------------------------------------------------

# Elements whose right edge sticks out of the viewport, ignoring those inside a box that scrolls or
# clips sideways on purpose (the console tabs). ``scrollWidth`` alone misses content that
# ``body { overflow-x: hidden }`` cuts off.
_OVERFLOWING_JS = r"""() => {
  const width = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if ((r.right > width + 1 || r.left < -1) && !clipped(el)) {
      const cls = (el.getAttribute("class") || "").trim().replace(/\s+/g, ".");
      const name = el.tagName.toLowerCase() + (cls ? "." + cls : "");
      out.push(`${name} [${Math.round(r.left)}..${Math.round(r.right)}] > ${width}`);
    }
  }
  return out;
}"""


def _no_horizontal_scroll(page):
    """No sideways scrolling, and nothing cut off at the right edge either.

    On a mobile viewport Chromium widens ``innerWidth`` along with the content (the page zooms
    out), so ``scrollWidth <= innerWidth`` alone passes for a too-wide page: compare with the
    layout width as well, and look for elements sticking out. A page still loading (a form just
    submitted, its stylesheet not yet applied) is measured once it has loaded.
    """
    page.wait_for_load_state("load")
    sizes = page.evaluate("({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
                          " client: document.documentElement.clientWidth})")
    assert sizes["scroll"] <= sizes["inner"], f"{page.url} scrolls sideways: {sizes}"
    assert sizes["scroll"] <= sizes["client"], f"{page.url} is wider than the screen: {sizes}"
    overflowing = page.evaluate(_OVERFLOWING_JS)
    assert not overflowing, f"{page.url}: elements outside the viewport: {overflowing[:10]}"


def _tall_enough(locator, minimum=44):
    """Every visible element of ``locator`` is at least ``minimum`` CSS px tall (a thumb, not a pin)."""
    count = locator.count()
    assert count, f"nothing matches {locator}"
    for index in range(count):
        element = locator.nth(index)
        if not element.is_visible():
            continue
        box = element.bounding_box()
        assert box and box["height"] >= minimum, (
            f"{element.evaluate('e => e.outerHTML.slice(0, 120)')} is {box and box['height']} px tall, "
            f"want >= {minimum}")


@pytest.fixture
def ui():
    """Layout checks: ``ui.no_horizontal_scroll(page)``, ``ui.tall_enough(locator, 44)``,
    ``ui.screenshot(page, name)`` (a full-page PNG in $STORE_SCREENSHOT_DIR when set, else nothing)."""
    directory = os.environ.get("STORE_SCREENSHOT_DIR")

    def screenshot(page, name):
        if directory:
            Path(directory).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)
    return SimpleNamespace(no_horizontal_scroll=_no_horizontal_scroll, tall_enough=_tall_enough,
                           screenshot=screenshot)
