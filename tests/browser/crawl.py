"""A small same-origin crawler for browser tests: from a role's home (and any known detail pages),
follow the links on each page, one page per kind of address, and hand each loaded page to a check.

``crawl(page, starts, visit)`` loads every start path, then every same-origin link it finds, breadth
first; ``visit(page, path)`` runs on each loaded page (an axe scan, a wrong-language scan...). Two
addresses that differ only in their numbers or query (``/products/3`` and ``/products/7``,
``?page=2``) count as one kind, so a long feed does not crawl every product. Links that leave the app,
download a file, sign out or merely change the language are not followed."""
import re
from collections import deque
from urllib.parse import urlsplit

# Never followed: they sign out, download, or are not pages.
SKIP = re.compile(r"^/(logout|static/|api/)|\.(csv|json|geojson|png|svg|jpg|webp|ics|txt)$|/label$|/audio")

_LINKS_JS = r"""() => [...document.querySelectorAll('a[href]')]
  .filter((a) => !a.hasAttribute('download'))
  .map((a) => a.href)"""


def kind_of(path):
    """The kind of an address: its path with every number replaced, without the query."""
    return re.sub(r"\d+", "N", urlsplit(path).path)


def crawl(page, starts, visit, *, limit=60, skip=SKIP):
    """Visit ``starts`` and the same-origin pages they link to (at most ``limit``); returns the paths visited.

    ``visit(page, path)`` is called once per loaded page with the browser on it; a page that answers
    with an error status fails the crawl (a link leading nowhere is a dead end)."""
    origin = urlsplit(page.url if page.url.startswith("http") else starts[0]).netloc
    queue, seen, visited = deque(starts), {kind_of(p) for p in starts}, []
    while queue and len(visited) < limit:
        path = queue.popleft()
        response = page.goto(path)
        assert response is not None and response.status < 400, f"{path} answered {response and response.status}"
        visited.append(path)
        visit(page, path)
        for href in page.evaluate(_LINKS_JS):
            parts = urlsplit(href)
            if parts.scheme not in ("http", "https") or (origin and parts.netloc != origin):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if skip.search(parts.path) or kind_of(target) in seen:
                continue
            seen.add(kind_of(target))
            queue.append(target)
    return visited
