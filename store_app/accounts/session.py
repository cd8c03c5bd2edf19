"""Flask-Login wiring: the user loader checks the session version; an API request with a device
token acts as the token's account (and never as the browser's session); security headers; personal
pages are never stored by a browser or a proxy."""
from flask import g, request, session
from flask_login import current_user
from flask_babel import gettext as _, lazy_gettext as _l

from ..database import transaction, utcnow
from ..extensions import login_manager
from ..web.api import bearer_token
from ..web.errors import render_error
from .devices import authenticate_device_token, note_device_token_used
from .operations import load_user_from_token


def load_session_user(session_token):
    """The session's user, except on an API request that carries a device token: that request is the
    device's alone, whatever cookie the browser sent along."""
    if bearer_token() is not None:
        return None
    return load_user_from_token(session_token)


def load_device_user(_request):
    """Flask-Login's request loader: the account of the API request's device token, or None. Runs
    the first time anything asks for ``current_user`` (a rate limit's key may, before any view)."""
    token = bearer_token()
    found = authenticate_device_token(token) if token is not None else None
    if found is None:
        return None
    user, g.device_token_id = found
    return user


def check_device_token():
    """An API request with ``Authorization: Bearer``: its token must be known and not revoked (401)."""
    if bearer_token() is not None and not current_user.is_authenticated:
        return render_error(401, _("This device token is unknown or has been revoked."))
    return None


def note_device_use(response):
    """A device's answered request: when it was last used (for the token list); never kept in a cache."""
    token_id = g.get("device_token_id")
    if token_id is not None:
        response.headers["Cache-Control"] = "no-store"
        if response.status_code < 400:
            with transaction():
                note_device_token_used(token_id, utcnow())
    return response


def init_app(app):
    """Bind Flask-Login and add the headers every response carries."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    # "strong" drops the session when the client's address/agent fingerprint changes; phones
    # hop between Wi-Fi and mobile data all day, so we rely on session versions instead.
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)
    login_manager.request_loader(load_device_user)
    app.before_request(check_device_token)
    app.after_request(note_device_use)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; media-src 'self' blob:; frame-ancestors 'none'; form-action 'self'")
        if "_user_id" in session and request.endpoint != "static" and "Cache-Control" not in response.headers:
            # Everything a logged-in person sees is theirs (a wallet, pickup codes, orders, the inbox):
            # no shared cache keeps it and the back button after logout shows nothing. Files that
            # say how long they may be kept (product photos) keep their own rule.
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        return response
