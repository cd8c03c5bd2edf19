"""Health check and the language switch."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..accounts.operations import set_locale
from ..database import transaction
from ..extensions import db
from .i18n import LANG_COOKIE

bp = Blueprint("web", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the app and its database answer, 503 when the database does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        return jsonify(status="error", database="error"), 503
    return jsonify(status="ok", database="ok")


def safe_next(target, fallback="/"):
    """Only a path on this site: never redirect to another host."""
    if not target:
        return fallback
    parts = urlsplit(target)
    # Browsers read "/\host" as "//host": refuse backslashes and control characters outright.
    if ("\\" in target or any(ord(ch) < 32 for ch in target) or parts.scheme or parts.netloc
            or not target.startswith("/") or target.startswith("//")):
        return fallback
    return target


@bp.post("/lang")
def switch_language():
    """Switch the language (POST, CSRF-checked), remember it in a cookie and on the account."""
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next") or request.referrer and urlsplit(request.referrer).path,
                       url_for("stores.home"))
    response = redirect(target)
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
        if current_user.is_authenticated:
            with transaction():
                set_locale(current_user, lang)
    return response
