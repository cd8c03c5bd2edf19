"""Error pages (HTML for pages, JSON for ``/api/``), in the user's language, and the one mapping of
domain errors to answers: a view that has nothing better to show (a form to fill in again) lets a
``DomainError`` rise, and it is answered here with its status and message.

A refused request is logged as one line (a warning; a missing page as info), never a traceback:
anyone can send nonsense, and nonsense must not flood the log. A database that cannot be reached
(restarting, failing over) is answered 503 with ``Retry-After``, also in one line: the pool checks
each connection before use (``pool_pre_ping``), so the first request after it is back just works.
"""
import logging
import sqlite3

from flask import g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ..errors import DomainError
from ..extensions import db, login_manager

log = logging.getLogger("store_app.refused")
QUIET_STATUSES = {401, 404, 405}  # the web's background noise: logged at info

TITLES = {
    400: lambda: _("This request could not be understood."),
    401: lambda: _("Please log in, or send a valid device token."),
    403: lambda: _("You do not have access to this page."),
    404: lambda: _("We could not find that page."),
    405: lambda: _("This action is not allowed here."),
    409: lambda: _("Someone else got there first."),
    413: lambda: _("That file is too large."),
    423: lambda: _("This is locked."),
    429: lambda: _("Too many attempts. Please wait a few minutes and try again."),
    500: lambda: _("Something went wrong on our side. Please try again."),
    503: lambda: _("The store is briefly unavailable. Please try again in a moment."),
}
RETRY_AFTER_S = 5  # what a 503 asks the client to wait: about one database restart
# SQLite's errors that mean "not now" rather than a bug (the embedded database is busy or its disk is).
SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk I/O error")


def wants_json():
    """API paths and clients that ask for JSON get JSON errors."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def render_error(status, message=None):
    """An error response with a title for ``status`` and an optional more specific message. Under
    ``/api/`` (and for clients asking for JSON) it is ``{"error": message, "status": status}``."""
    title = TITLES.get(status, TITLES[500])()
    if wants_json():
        response = jsonify(error=str(message or title), status=status)
        if status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response, status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def handle_http_error(exc):
    """Render an HTTP error; a response prepared by the raiser (e.g. the login page's 429) wins."""
    prepared = getattr(exc, "response", None)
    if prepared is not None:
        return prepared
    return render_error(exc.code, getattr(exc, "user_message", None))


def domain_error_response(exc):
    """The answer to a refused domain step: its status with its message (a page or JSON).

    A 404 says no more than a missing page would: another user's object looks like a missing one.
    """
    if exc.status == 404:
        return render_error(404)
    return render_error(exc.status, str(exc.message))


def value_out_of_range(exc):
    """The last net for a value the database cannot hold (a number past its integer range): a 400.
    Inputs are checked where they are read; this only keeps a missed one from being a 500."""
    log.warning("refused %s %s: the database could not hold a value (%s)", request.method, request.path,
                type(getattr(exc, "orig", exc)).__name__)
    try:
        db.session.rollback()  # PostgreSQL refuses every further statement of the failed transaction
    except SQLAlchemyError:
        pass
    return render_error(400, _("A value in this request is out of range."))


def database_unavailable(exc):
    """The database cannot be reached: a 503 page or JSON with ``Retry-After``, in the user's language.

    The page is drawn for an anonymous visitor (nothing on it may ask the database again: the
    signed-in user is loaded from it); the broken transaction is dropped, so the next request
    starts on a fresh, pinged connection.
    """
    if isinstance(getattr(exc, "orig", None), sqlite3.OperationalError) \
            and not str(exc.orig).startswith(SQLITE_UNAVAILABLE):
        raise exc  # "no such table" and kin are bugs, not an outage: a 500 with its traceback
    log.warning("unavailable %s %s: the database cannot be reached (%s)", request.method, request.path,
                type(getattr(exc, "orig", None) or exc).__name__)
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass  # the connection is gone; the pool replaces it
    g._login_user = login_manager.anonymous_user()  # Flask-Login's per-request user: never loaded again here
    response = make_response(render_error(503))
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def log_refusal(response):
    """One line per refused request: method, path, status (never the values sent)."""
    if 400 <= response.status_code < 500:
        level = logging.INFO if response.status_code in QUIET_STATUSES else logging.WARNING
        log.log(level, "refused %s %s: %d", request.method, request.path, response.status_code)
    return response


def init_app(app):
    """Register the handlers for every status we show a page for."""
    for status in TITLES:
        if status != 500:
            app.register_error_handler(status, handle_http_error)

    app.register_error_handler(DomainError, domain_error_response)
    app.register_error_handler(DataError, value_out_of_range)
    app.register_error_handler(OverflowError, value_out_of_range)  # SQLite: an int past 64 bits
    for error in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(error, database_unavailable)
    app.after_request(log_refusal)

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(400, _("This form expired or was sent from elsewhere. Please try again."))

    @app.errorhandler(500)
    def server_error(exc):
        return render_error(500)
