"""Walk the pages a signed-in role can reach: a small helper other browser scans share.

``crawl(page, starts)`` opens each start path, then every same-origin link it finds (``<a href>``,
GET only: nothing a crawl does changes state, since every change in the app is a POST), breadth
first, and yields each path after the page has loaded so the caller can check it. Paths that differ
only in their numbers (``/shop/products/12`` and ``/13``) count as one kind of page: at most
``per_kind`` of each are opened, so a feed of 150 products does not become 150 visits.
Shared by the wrong-language scan (``test_languages.py``) and the axe-core scan
(``test_accessibility.py``); with ``strict=True`` a link that answers with an error fails the crawl
(a dead end).
"""
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

# Links a crawl does not follow: downloads, the API, files, and leaving the app.
SKIP = re.compile(r"^/(static|api)/|^/logout\b|/label$|\.(csv|geojson|json|png|jpe?g|svg|webp|ics|xlsx)$|/(geojson|export|download)\b"
                  r"|/audio\b|/photo\b|/images?/|/call$")

_LINKS_JS = """() => Array.from(document.querySelectorAll('a[href]'))
  .filter(a => !a.hasAttribute('download') && !(a.getAttribute('target') || '').startsWith('_blank'))
  .map(a => a.href)"""


def kind_of(path):
    """A page's kind: its path and query keys with every number replaced by N."""
    parts = urlsplit(path)
    keys = sorted(k.split("=", 1)[0] for k in parts.query.split("&") if k)
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def same_origin_paths(page, origin):
    """The app's own links on the page, as paths with their query, without fragments."""
    found = []
    for href in page.evaluate(_LINKS_JS):
        parts = urlsplit(urljoin(page.url, href))
        if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not SKIP.search(parts.path):
            found.append(path)
    return found


def crawl(page, starts, *, origin, limit=45, per_kind=2, skip=(), strict=False):
    """Yield each path opened (``page`` shows it then), starting from ``starts``; ``skip`` holds
    extra regular expressions of paths not to open (for example, pages another test covers).
    ``strict``: a followed link that answers 4xx or 5xx is a dead end and fails the crawl."""
    start_paths = set(starts)
    extra = [re.compile(s) for s in skip]
    queue, seen, kinds, opened = deque(starts), set(), {}, 0
    while queue and opened < limit:
        path = queue.popleft()
        kind = kind_of(path)
        if path in seen or kinds.get(kind, 0) >= per_kind or any(s.search(path) for s in extra):
            continue
        seen.add(path)
        response = page.goto(path)
        if strict and path not in start_paths:
            assert response is not None and response.status < 400, f"{path} answered {response and response.status}"
        if response is None or response.status >= 400 or urlsplit(page.url).path != urlsplit(path).path:
            continue  # refused or sent elsewhere (that page is reached by its own link)
        kinds[kind] = kinds.get(kind, 0) + 1
        opened += 1
        yield path
        queue.extend(p for p in same_origin_paths(page, origin) if p not in seen)
