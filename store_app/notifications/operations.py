"""Notify a user (once per ``dedupe_key``), list their inbox, mark it read. They execute and flush;
the caller's ``transaction()`` commits."""
from ..database import upsert
from ..extensions import db
from .models import Notification

INBOX_SIZE = 50


def notify(user_id, store_id, kind, dedupe_key, params=None, link="", *, now):
    """Put a message in the user's inbox unless one with this key is there already; True if new.

    INSERT ... ON CONFLICT DO NOTHING: two jobs or two workers telling the same thing at the same
    moment store it once, without an error for the second.
    """
    table = Notification.__table__
    created = db.session.execute(
        upsert(table).values(user_id=user_id, store_id=store_id, kind=kind, params=params or {}, link=link,
                             dedupe_key=dedupe_key, created_at=now)
        .on_conflict_do_nothing(index_elements=[table.c.user_id, table.c.dedupe_key])
        .returning(table.c.id)).scalar()
    return created is not None


def notify_many(messages, now):
    """``notify`` for many at once, in one batched INSERT ... ON CONFLICT DO NOTHING: ``messages``
    are dicts of ``user_id, store_id, kind, dedupe_key`` and optional ``params, link``. Returns the
    ``dedupe_key`` values that were new (callers use one key per user)."""
    if not messages:
        return set()
    table = Notification.__table__
    rows = [{"params": {}, "link": "", **m, "created_at": now} for m in messages]
    stmt = (upsert(table).on_conflict_do_nothing(index_elements=[table.c.user_id, table.c.dedupe_key])
            .returning(table.c.dedupe_key))
    return set(db.session.execute(stmt, rows).scalars())


def list_inbox(user_id, limit=INBOX_SIZE):
    """The user's newest messages first."""
    return db.session.scalars(db.select(Notification).where(Notification.user_id == user_id)
                              .order_by(Notification.created_at.desc(), Notification.id.desc())
                              .limit(limit)).all()


def count_unread(user_id):
    return db.session.scalar(db.select(db.func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)))


def mark_all_read(user_id, now):
    """Everything in the inbox is read now; returns how many were unread."""
    return db.session.execute(db.update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)).values(read_at=now)).rowcount
