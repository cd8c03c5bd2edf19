"""The one commit point, the aware-UTC column type and money helpers.

Operations add and flush; only ``transaction()`` commits. Views and periodic jobs wrap one
operation in ``with transaction():``.
"""
import re
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import sqlite3

from sqlalchemy import DateTime, String, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from .errors import ValueTooLong
from .extensions import db


# Set while a ``transaction()`` runs: on SQLite its BEGIN takes the write lock up front.
_writing = ContextVar("store_writing", default=False)
# Set by ``commit_guard()``: a check every ``transaction()`` of the block runs just before it commits.
_commit_guard = ContextVar("store_commit_guard", default=None)


@contextmanager
def commit_guard(check):
    """Inside the block, every ``transaction()`` calls ``check(session)`` after its last flush and
    before its commit, in the same database transaction; if ``check`` raises, nothing is committed.

    The scheduler fences its jobs with it (``store_app.jobs.lease``): a write commits only while the
    lease that allowed it is still held. Per thread (a context variable), so other threads and the
    web workers never see it.
    """
    token = _commit_guard.set(check)
    try:
        yield
    finally:
        _commit_guard.reset(token)


@contextmanager
def transaction():
    """Run the block as one unit of work: commit if it returns, roll back if it raises.

    On SQLite, reads before the block ran in a plain (deferred) transaction that never blocks
    anyone; it is ended here and the unit of work starts with ``BEGIN IMMEDIATE``, so writers
    queue on ``busy_timeout`` instead of failing on a stale read snapshot.
    """
    session = db.session
    token = None
    if session.get_bind().dialect.name == "sqlite":
        if session().in_transaction():
            session.rollback()  # nothing was written outside transaction(): only a read snapshot ends
        token = _writing.set(True)
    try:
        yield session
        guard = _commit_guard.get()
        if guard is not None:
            session.flush()
            guard(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        if token is not None:
            _writing.reset(token)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record):
    """SQLite, the embedded default, behaves like PostgreSQL where it matters.

    pysqlite's own transaction handling starts no transaction before a SAVEPOINT, so a RELEASE
    would commit on its own; we turn it off and BEGIN ourselves (SQLAlchemy's documented recipe).
    Foreign keys are enforced, and a file database uses WAL so readers never wait for a writer.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 5000")
    if cursor.execute("PRAGMA database_list").fetchone()[2]:  # a file, not :memory:
        cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(connection):
    """Reads begin a plain transaction; a ``transaction()`` block begins IMMEDIATE: a deferred
    transaction that read first cannot upgrade to a writer once another connection has committed
    (SQLITE_BUSY_SNAPSHOT, which no timeout cures), while one that takes the lock up front waits."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")


@event.listens_for(Session, "before_flush")
def _refuse_texts_too_long(session, _flush_context, _instances):
    """No text is cut short without a word: PostgreSQL refuses a value longer than its column (an
    error), SQLite keeps it whole (a silent difference); both now refuse it with ``ValueTooLong``
    before anything is written. Operations check the values they are given; this is the net."""
    for obj in (*session.new, *session.dirty):
        mapper = inspect(obj).mapper
        for attribute in mapper.column_attrs:
            column = attribute.columns[0]
            length = getattr(column.type, "length", None)
            if isinstance(column.type, String) and length:
                value = getattr(obj, attribute.key, None)
                if isinstance(value, str) and len(value) > length:
                    raise ValueTooLong(attribute.key, length)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always handed back timezone-aware.

    Naive datetimes are refused on the way in: every ``*_at`` value must say what zone it is in.
    SQLite keeps no zone, so values read back get UTC attached.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise ValueError(f"naive datetime {value!r} given to a UTC column")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def upsert(table):
    """``INSERT`` for the session's database with ``on_conflict_do_update``/``do_nothing``
    (PostgreSQL and SQLite spell ON CONFLICT the same way; SQLAlchemy has one insert per dialect)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def utcnow():
    """The current time, aware, in UTC. Entry points call this; pure code takes ``now``."""
    return datetime.now(timezone.utc)


# Far above any real amount, far below where Decimal.quantize stops working (28 digits);
# business limits (a top-up's maximum, say) are the callers' to check.
MAX_AMOUNT = Decimal("1e20")
_AMOUNT_RE = re.compile(r"^[0-9]{1,21}(\.[0-9]*)?$|^\.[0-9]+$")


class MoneyError(ValueError):
    """A text that is not an amount of money."""


def parse_cents(text):
    """``"12.5"`` -> ``1250``: a decimal amount in yuan (or dollars) to integer cents.

    Refuses negatives, more than two decimals, and anything that is not a plain number.
    """
    raw = str(text).strip()
    # Plain ASCII digits with an optional point: no thousands separators ("1,20" is ambiguous),
    # exponents, underscores or full-width digits.
    if not _AMOUNT_RE.match(raw):
        raise MoneyError(text)
    try:
        amount = Decimal(raw)
    except InvalidOperation as exc:
        raise MoneyError(text) from exc
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
        raise MoneyError(text)
    if amount != amount.quantize(Decimal("0.01")):
        raise MoneyError(text)
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def format_cents(cents, symbol="¥"):
    """``1250`` -> ``"¥12.50"``; negative amounts keep their sign in front of the symbol."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(int(cents)), 100)
    return f"{sign}{symbol}{whole}.{frac:02d}"


def json_rows(alias, columns):
    """A FROM item (SQL text) that unpacks the rows sent as one JSON parameter ``:<alias>`` (a list of
    objects, ``json.dumps``-ed) on PostgreSQL and SQLite alike; ``columns`` are ``(name, type)`` pairs
    with ``type`` "integer", "text" or "json". A batch ``UPDATE ... FROM`` it is one statement with one
    parameter however many rows it carries (no per-row round trip, no statement compiled per batch)."""
    if db.session.get_bind().dialect.name == "postgresql":
        typed = ", ".join(f"{name} {kind}" for name, kind in columns)
        return f"json_to_recordset(CAST(:{alias} AS json)) AS {alias}({typed})"
    picked = ", ".join(f"json_extract(value, '$.{name}') AS {name}" for name, _kind in columns)
    return f"(SELECT {picked} FROM json_each(:{alias})) AS {alias}"
