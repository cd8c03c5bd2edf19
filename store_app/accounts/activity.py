"""Residents' activity for the owner's board (DAU, WAU, MAU, retention): one ``UserActivity`` row per
resident and calendar day of their store, written after a page answered well.

Written at most once per resident and day: a small in-process cache remembers until when each
resident's day is already on record (the next local midnight), and the row is inserted with
``ON CONFLICT DO NOTHING`` (several web workers each write it once at most, the constraint keeps
one). Never on static files, failed answers or anonymous requests, and never able to break a
request: a database that refuses the row costs the board one row, not the resident their page.
"""
import logging
import threading

from datetime import timedelta

from flask import request, session
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from ..database import transaction, upsert, utcnow
from ..extensions import db
from ..roles import Role
from .activity_rules import activity_day
from .models import UserActivity

log = logging.getLogger(__name__)

# The session's user id -> aware UTC moment until which nothing needs writing: today's row is written
# (a resident) or the account records no activity (anyone else). At most one entry per account that
# logs in (a few thousand per store), replaced each day, so it never grows past the accounts.
_recorded_until = {}
_lock = threading.Lock()
NOT_RECORDED_FOR = timedelta(hours=1)  # how long a non-resident account is remembered as such


def record_activity(user_id, store_id, tz_name, now):
    """Write the resident's row for the store's local day of ``now`` unless it is there; returns
    the aware UTC moment the day ends. Flushes nothing else; the caller commits."""
    day, until = activity_day(now, tz_name)
    db.session.execute(upsert(UserActivity.__table__)
                       .values(user_id=user_id, store_id=store_id, day=day, first_at=now)
                       .on_conflict_do_nothing(index_elements=["user_id", "day"]))
    return until


def forget_recorded():
    """Empty the cache (tests, and a worker that wants to write again)."""
    with _lock:
        _recorded_until.clear()


def note_activity(response):
    """``after_request``: record a resident's day once; any database trouble is logged, not raised.

    The cache is keyed by the session's user id, so a page served from the page cache (which never
    loads the user) stays free of database work; the user is loaded only when a row may be due."""
    session_user = session.get("_user_id")
    if session_user is None or request.endpoint in (None, "static") or response.status_code >= 400:
        return response
    now = utcnow()
    with _lock:
        until = _recorded_until.get(session_user)
    if until is not None and now < until:
        return response
    if not current_user.is_authenticated or current_user.role != Role.RESIDENT.value:
        until = now + NOT_RECORDED_FOR
    else:
        user_id = current_user.id
        try:
            with transaction():
                until = record_activity(user_id, current_user.store_id, current_user.store.timezone, now)
        except SQLAlchemyError:
            # The page itself already succeeded; a lost activity row must not turn it into an error.
            log.warning("could not record activity of user %s", user_id, exc_info=True)
            return response
    with _lock:
        _recorded_until[session_user] = until
    return response


def init_app(app):
    """Record residents' activity after each answered request."""
    app.after_request(note_activity)
