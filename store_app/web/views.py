"""The health check, and the one rule for where a form may send the browser next."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db

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
