"""The health check, and the page that credits the pictures and libraries the app ships."""
from flask import Blueprint, current_app, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db

bp = Blueprint("web", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the app and its database answer, 503 when the database does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        # One line a probe: a proxy asks every few seconds for as long as the database is away.
        current_app.logger.warning("health check: database unreachable (%s)",
                                   type(getattr(exc, "orig", None) or exc).__name__)
        db.session.rollback()
        return jsonify(status="error", database="error"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/credits")
def credits():
    """Who drew the pictures the shop shows, and under which licence (OpenMoji asks for credit)."""
    return render_template("web/credits.html")
