"""A logged-in session's rendered page, kept for a few seconds (the resident's feed).

A resident opens the shop, goes to a product, comes back, scrolls: the same feed, ranked the same
way, is rendered again and again. ``per_session_page`` keeps the rendered page per worker for
``FEED_PAGE_TTL_S`` seconds, keyed by everything the page depends on for this viewer:

- the session's user token and CSRF secret (the page's forms carry its token; another device of
  the same resident has its own session and its own entry);
- the session's *generation*, which every non-GET request of the session moves on (added to the
  cart, changed the address, placed an order): the next page is rendered afresh, in any worker,
  because the generation travels in the session cookie;
- what picks the language (the switch's cookie, the browser's languages; the account's saved
  language changes only by a POST), and the full path with its query string.

What other people change (stock sold out, a price, the ETA's courier load) shows within the TTL;
the cart and checkout always price and check on the server, so a stale card can never sell
something that is gone. Pages with a flash message are never cached or served from the cache.
"""
from functools import wraps

from flask import current_app, make_response, request, session
from flask_login import current_user

from ..caching import cache
from .i18n import LANG_COOKIE

GENERATION_KEY = "_gen"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app):
    @app.after_request
    def next_generation(response):
        """Any change made by a logged-in session makes its cached pages old."""
        if request.method not in SAFE_METHODS and "_user_id" in session:
            session[GENERATION_KEY] = session.get(GENERATION_KEY, 0) + 1
        return response


def _pages():
    config = current_app.config
    return cache("pages", max_entries=4096, max_bytes=config["FEED_PAGE_CACHE_BYTES"])


def page_key():
    """The cache key of this request's page for this session, or None when it must not be cached.

    Read from the signed session cookie and the request alone: a hit costs no database round trip.
    """
    user_token, csrf_secret = session.get("_user_id"), session.get("csrf_token")
    if user_token is None or csrf_secret is None or "_flashes" in session:
        return None
    return (user_token, csrf_secret, session.get(GENERATION_KEY, 0), request.cookies.get(LANG_COOKIE),
            request.headers.get("Accept-Language"), request.full_path)


def per_session_page(view):
    """Serve the view's 200 answer from the per-session cache while fresh (see the module).

    Put it above the role guard: a hit is the very page this session was given moments ago, so it
    is served without loading the user. The price, written down: after "log out everywhere" (or a
    password change) on another device, this session may see its own cached page for at most
    ``FEED_PAGE_TTL_S`` seconds more; nothing else, and nothing it had not already seen.
    """
    @wraps(view)
    def wrapped(*args, **kwargs):
        ttl = current_app.config["FEED_PAGE_TTL_S"]
        key = page_key() if ttl > 0 else None
        if key is None:
            return view(*args, **kwargs)
        pages = _pages()
        hit = pages.get(key)
        if hit is not None:
            body, mimetype = hit
            return current_app.response_class(body, mimetype=mimetype)
        response = make_response(view(*args, **kwargs))
        if (response.status_code == 200 and not response.direct_passthrough and "_flashes" not in session
                and current_user.is_authenticated and current_user.get_id() == key[0]):
            body = response.get_data()
            pages.set(key, (body, response.mimetype), ttl, size=len(body))
        return response
    return wrapped
