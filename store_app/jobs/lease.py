"""The scheduler's leader lease: a row in ``scheduler_leases``, its expiry on the database's clock.

Taken with one conditional statement (``INSERT ... ON CONFLICT DO NOTHING`` for the first holder
ever, else ``UPDATE ... WHERE expires_at <= now``, which adds one to ``epoch``), renewed by the
holder's heartbeat (``UPDATE ... WHERE holder = me AND epoch = mine AND expires_at > now``), given
back by setting ``expires_at`` to now. Only the database's clock decides whether a lease has
lapsed: processes on machines whose clocks disagree still agree on who leads.

Fencing: a job's writes commit only while the lease that allowed them is still ours. Each
``transaction()`` of a job re-reads the lease row inside the same database transaction, just before
the commit (``database.commit_guard``): holder, epoch and expiry must still match, or the
transaction rolls back with ``LeaseLost``. On PostgreSQL the check takes the row ``FOR SHARE``, so a
standby's takeover (an UPDATE of that row) waits for the commit it just allowed: every write of an
old epoch lands before the first write of the next one. On SQLite a ``transaction()`` holds the
database's write lock from its BEGIN, which serialises the same way.

The lease's own statements run on a connection of their own (``engine``), never inside a job's
transaction, so the heartbeat keeps beating while a job works.
"""
import logging
import os
import secrets
import socket
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"


class LeaseLost(Exception):
    """This process no longer holds the lease its work was started under: nothing is committed."""


def holder_name():
    """``host:pid:token``: one process start (a pid can come back after a restart, a token cannot)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


# The database's clock, as each dialect spells it. PostgreSQL's ``now()`` is the time its
# transaction began; ``clock_timestamp()`` is the time of the statement. SQLite's text timestamps
# are padded to microseconds, the way SQLAlchemy writes them, so they compare as text.
_NOW = {
    "postgresql": "clock_timestamp()",
    "sqlite": "(strftime('%Y-%m-%d %H:%M:%f', 'now') || '000')",
}
_NOW_PLUS_TTL = {
    "postgresql": "(clock_timestamp() + make_interval(secs => :ttl))",
    "sqlite": "(strftime('%Y-%m-%d %H:%M:%f', 'now', '+' || :ttl || ' seconds') || '000')",
}


def _sql(dialect, statement):
    return text(statement.format(now=_NOW[dialect], expiry=_NOW_PLUS_TTL[dialect],
                                 share=" FOR SHARE" if dialect == "postgresql" else ""))


ACQUIRE_FIRST = ("INSERT INTO scheduler_leases (name, holder, epoch, acquired_at, expires_at) "
                 "VALUES (:name, :holder, 1, {now}, {expiry}) ON CONFLICT (name) DO NOTHING RETURNING epoch")
TAKE_OVER = ("UPDATE scheduler_leases SET holder = :holder, epoch = epoch + 1, acquired_at = {now}, "
             "expires_at = {expiry} WHERE name = :name AND expires_at <= {now} RETURNING epoch")
RENEW = ("UPDATE scheduler_leases SET expires_at = {expiry} WHERE name = :name AND holder = :holder "
         "AND epoch = :epoch AND expires_at > {now} RETURNING epoch")
RELEASE = ("UPDATE scheduler_leases SET expires_at = {now} WHERE name = :name AND holder = :holder "
           "AND epoch = :epoch")
FENCE = ("SELECT epoch FROM scheduler_leases WHERE name = :name AND holder = :holder AND epoch = :epoch "
         "AND expires_at > {now}{share}")


STATE = ("SELECT holder, epoch, acquired_at, expires_at, CASE WHEN expires_at > {now} THEN 1 ELSE 0 END "
         "FROM scheduler_leases WHERE name = :name")


@dataclass(frozen=True)
class LeaseState:
    """The lease row as the database has it now; ``live``: unexpired on the database's clock."""

    holder: str
    epoch: int
    acquired_at: object
    expires_at: object
    live: bool


def read_lease(session, name=LEASE_NAME):
    """The lease row (``LeaseState``), or None if no scheduler ever led."""
    row = session.execute(_sql(session.get_bind().dialect.name, STATE), {"name": name}).first()
    return None if row is None else LeaseState(row[0], int(row[1]), row[2], row[3], bool(row[4]))


@dataclass
class Fence:
    """What one job run was started under: the lease's epoch. ``revoked`` is set when the run is
    abandoned (past its time limit): from then on none of its transactions can commit."""

    epoch: int
    job: str = ""
    started: float = field(default_factory=time.monotonic)
    time_limit_s: float = 0.0
    revoked: bool = False


class Lease:
    """This process's view of the lease: ``beat()`` takes or renews it, ``check_fence`` guards a
    job's commit. Shared by the heartbeat thread and every job thread (one mutex)."""

    def __init__(self, engine, *, ttl_s, name=LEASE_NAME, holder=None, owns_engine=False):
        self.engine = engine
        self.owns_engine = owns_engine  # close() disposes it
        self.ttl_s = float(ttl_s)
        self.name = name
        self.holder = holder or holder_name()
        self.dialect = engine.dialect.name
        self._epoch = None
        self._valid_until = 0.0  # time.monotonic() before which our last renewal surely still holds
        self._unreachable = False  # the last beat failed on the database (said once in the log)
        self._mutex = threading.Lock()

    # ---- what this process believes --------------------------------------------------------------

    def current_epoch(self):
        """Our epoch while our last renewal surely still holds (no database call); else None."""
        epoch = self._epoch
        if epoch is not None and time.monotonic() < self._valid_until:
            return epoch
        return None

    def still_leading(self, epoch):
        """True while ``epoch`` is ours and locally unexpired (a cheap check before a side effect)."""
        return epoch is not None and self.current_epoch() == epoch

    # ---- statements --------------------------------------------------------------------------------

    def _run(self, statement, **params):
        """One statement in a transaction of its own; the epoch it returns (None: no row matched)."""
        with self.engine.begin() as conn:
            result = conn.execute(_sql(self.dialect, statement),
                                  {"name": self.name, "holder": self.holder, "ttl": self.ttl_s, **params})
            return result.scalar() if result.returns_rows else None

    def beat(self, may_lead=True):
        """Renew the lease if we hold it, else take it if it is free and ``may_lead``; our epoch or None.

        A database that cannot be reached counts as a lost lease: we stand down and try again later.
        """
        with self._mutex:
            started = time.monotonic()
            try:
                if self._epoch is not None:
                    if self._run(RENEW, epoch=self._epoch) is not None:
                        self._valid_until = started + self.ttl_s
                        return self._epoch
                    log.warning("lease %s lost (epoch %s): another scheduler took over; standing by",
                                self.name, self._epoch)
                    self._epoch = None
                if not may_lead:
                    return None
                epoch = self._run(ACQUIRE_FIRST)
                if epoch is None:
                    epoch = self._run(TAKE_OVER)
            except SQLAlchemyError as exc:
                if self._epoch is not None:
                    log.warning("lease %s: cannot renew (%s); standing down", self.name, type(exc).__name__)
                elif not self._unreachable:
                    # Said once, not on every beat, until the lease statements work again.
                    log.warning("lease %s: cannot reach the lease table, so this copy cannot lead: %s",
                                self.name, exc)
                self._unreachable = True
                self._epoch = None
                return None
            self._unreachable = False
            if epoch is not None:
                self._epoch, self._valid_until = int(epoch), started + self.ttl_s
                log.warning("lease %s taken by %s, epoch %s", self.name, self.holder, self._epoch)
            return self._epoch

    def release(self):
        """Give the lease back (expires now) so a standby need not wait for it to lapse."""
        with self._mutex:
            epoch, self._epoch = self._epoch, None
            if epoch is None:
                return
            try:
                self._run(RELEASE, epoch=epoch)
                log.warning("lease %s released by %s (epoch %s)", self.name, self.holder, epoch)
            except SQLAlchemyError as exc:
                log.warning("lease %s: could not release (%s); it lapses on its own", self.name, exc)

    def close(self):
        """Give the lease back and close the lease's own connections."""
        self.release()
        if self.owns_engine:
            self.engine.dispose()

    def stand_down(self):
        """Stop believing we lead, whatever the epoch (the lease lapses unless renewed)."""
        with self._mutex:
            self._epoch = None

    def forget(self, epoch):
        """A job found the lease of ``epoch`` gone: stop believing we lead under it."""
        with self._mutex:
            if self._epoch == epoch:
                self._epoch = None

    # ---- fencing --------------------------------------------------------------------------------------

    def check_fence(self, fence, session):
        """The commit guard of a job's transactions: the lease row, read in the job's own transaction,
        must still say holder = us, epoch = the run's, not expired; else ``LeaseLost``."""
        if fence.revoked:
            raise LeaseLost(f"{fence.job}: abandoned past its time limit of {fence.time_limit_s:g} s")
        found = session.execute(_sql(session.get_bind().dialect.name, FENCE),
                                {"name": self.name, "holder": self.holder, "epoch": fence.epoch}).scalar()
        if found is None:
            raise LeaseLost(f"{fence.job}: the lease of epoch {fence.epoch} is no longer ours")


# The run the current thread is working on, for ``ensure_still_leading`` (set by the scheduler).
_current_run = ContextVar("scheduler_current_run", default=None)


@contextmanager
def running_under(lease, fence):
    """Mark the current thread as working for ``lease`` under ``fence`` (the scheduler's job threads)."""
    token = _current_run.set((lease, fence))
    try:
        yield
    finally:
        _current_run.reset(token)


def ensure_still_leading():
    """Before a side effect outside the database (an SMS handed to a gateway): raise ``LeaseLost`` if
    the scheduler's run on this thread was abandoned or its lease has surely lapsed. A no-op outside
    the scheduler. The commit guard is what guarantees the database; this narrows the window for
    what no transaction can take back."""
    current = _current_run.get()
    if current is None:
        return
    lease, fence = current
    if fence.revoked or not lease.still_leading(fence.epoch):
        raise LeaseLost(f"{fence.job}: no longer leading under epoch {fence.epoch}")


def run_epoch():
    """The lease epoch the scheduler's run on this thread works under; None outside a run."""
    current = _current_run.get()
    return None if current is None else current[1].epoch
