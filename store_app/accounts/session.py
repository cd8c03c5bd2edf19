"""Flask-Login wiring: the user loader checks the session version; security headers; personal pages
are never stored by a browser or a proxy."""
from flask import request, session
from flask_babel import lazy_gettext as _l

from ..extensions import login_manager
from .operations import load_user_from_token


def init_app(app):
    """Bind Flask-Login and add the headers every response carries."""
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    # "strong" drops the session when the client's address/agent fingerprint changes; phones
    # hop between Wi-Fi and mobile data all day, so we rely on session versions instead.
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user_from_token)

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
