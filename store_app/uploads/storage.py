"""Uploaded files on disk, under ``<instance>/uploads/<folder>/``, kept only when the unit of work
that refers to them commits.

``keep(folder, data, extension)`` is called by an operation inside ``transaction()``, after its
checks (whose task, which type, how big): it writes the bytes to a hidden staging file
(``.<name>.part``) beside their final place and returns the name to store in the row. When the
transaction commits, the staging file is renamed into place (atomically: a reader never sees half a
file); when it rolls back (a refusal, a lost race, any error), or a savepoint around the ``keep``
rolls back, the staging file is deleted. ``discard(folder, name)`` deletes a stored file (and its
derived sizes) only when the transaction that stops referring to it commits. So a refused request
leaves no file behind, and a kept row never points at a file that was never written.

Names are random: ``<32 hex>.<ext>`` for a stored file, and ``<32 hex>-<label>.<ext>`` for what is
derived from it (a photo's smaller sizes for ``srcset``: ``-480w``), which goes with it.

Each folder is registered by the package whose rows refer to its files (``register_folder``), with
a function returning the names those rows hold: ``flask uploads prune`` deletes the files no row
refers to (``find_orphans``). A folder that is not registered cannot be written to.
"""
import logging
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db

log = logging.getLogger(__name__)

NAME_RE = re.compile(r"^(?P<base>[0-9a-f]{32})(?:-(?P<label>[0-9a-z]{1,12}))?\.(?P<ext>[0-9a-z]{2,5})$")
STAGED_RE = re.compile(r"^\.(?P<name>.+)\.part$")
FOLDER_RE = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")
_PENDING = "uploads.pending"  # session.info: [_Staged] to move into place on commit
_DISCARDS = "uploads.discards"  # session.info: [_Discard] to delete on commit

_folders = {}  # folder -> function returning the names rows refer to


def register_folder(folder, referenced_names):
    """Declare an upload folder and ``referenced_names() -> set of names`` that rows refer to
    (stored base names, ``<hex>.<ext>``). Called at import by the package that owns those rows."""
    if not FOLDER_RE.match(folder):
        raise ValueError(f"upload folder names are short lower-case words, not {folder!r}")
    known = _folders.get(folder)
    if known is not None and known is not referenced_names:
        raise ValueError(f"upload folder {folder!r} is registered twice")
    _folders[folder] = referenced_names


def registered_folders():
    """``{folder: referenced_names}`` of every registered folder."""
    return dict(_folders)


def folder_path(folder, instance_path=None):
    """The directory of one registered folder (not created here)."""
    if folder not in _folders:
        raise ValueError(f"unknown upload folder {folder!r}: register it first")
    return Path(instance_path or current_app.instance_path) / "uploads" / folder


def path_of(folder, name):
    """The stored file ``name`` of ``folder``, or None when ``name`` is not one of ours or is gone."""
    if not isinstance(name, str) or not NAME_RE.match(name):
        return None
    path = folder_path(folder) / name
    return path if path.is_file() else None


def new_name(extension):
    """A fresh random stored name with ``extension``."""
    return f"{secrets.token_hex(16)}.{extension}"


def derived_name(name, label):
    """``<hex>.webp``, ``480w`` -> ``<hex>-480w.webp``: the name of a file derived from ``name``."""
    base, ext = name.rsplit(".", 1)
    return f"{base}-{label}.{ext}"


@dataclass
class _Staged:
    owner: object  # the SessionTransaction (or savepoint) the file was kept in
    staged: Path
    final: Path


@dataclass
class _Discard:
    owner: object
    directory: Path
    name: str


def _current_transaction(session):
    if session.get_transaction() is None:
        session.begin()
    return session.get_nested_transaction() or session.get_transaction()


def keep(folder, data, extension, *, derived=()):
    """Stage ``data`` as a new file of ``folder`` in the current unit of work; returns its name.

    ``derived`` is ``[(label, bytes)]``: files that go with it (a photo's smaller sizes). Nothing
    is in place before the transaction commits; nothing is left if it does not.
    """
    session = db.session()
    owner = _current_transaction(session)
    directory = folder_path(folder)
    directory.mkdir(parents=True, exist_ok=True)
    name = new_name(extension)
    pending = session.info.setdefault(_PENDING, [])
    for final_name, content in ((name, data), *((derived_name(name, label), blob) for label, blob in derived)):
        staged = directory / f".{final_name}.part"
        pending.append(_Staged(owner, staged, directory / final_name))
        with open(staged, "xb") as out:
            out.write(content)
    return name


def discard(folder, name):
    """Delete the stored file ``name`` of ``folder``, and what was derived from it, when the current
    unit of work commits (nothing happens for a name that is not ours)."""
    if not isinstance(name, str) or not NAME_RE.match(name):
        return
    session = db.session()
    session.info.setdefault(_DISCARDS, []).append(_Discard(_current_transaction(session), folder_path(folder), name))


def files_of(directory, name):
    """The stored file ``name`` in ``directory`` and the files derived from it that exist."""
    base, ext = name.rsplit(".", 1)
    return [directory / name, *sorted(directory.glob(f"{base}-*.{ext}"))]


@event.listens_for(Session, "after_commit")
def _put_in_place(session):
    """The rows are saved: move each staged file into place, then delete the files let go. A failure
    here cannot undo the commit; it is logged (``flask uploads prune`` tidies what it leaves)."""
    for staged in session.info.pop(_PENDING, []):
        try:
            os.replace(staged.staged, staged.final)
        except OSError:
            log.exception("could not move the upload %s into place", staged.final)
    for gone in session.info.pop(_DISCARDS, []):
        for path in files_of(gone.directory, gone.name):
            path.unlink(missing_ok=True)


def _inside(owner, transaction):
    """True when ``owner`` is ``transaction`` or a savepoint nested in it."""
    while owner is not None:
        if owner is transaction:
            return True
        owner = owner.parent
    return False


def _unstage(session, transaction=None):
    """Delete the staged files kept inside ``transaction`` (all of them when None), and forget the
    deletions asked for there: that work did not happen."""
    pending = session.info.get(_PENDING, [])
    dropped = [s for s in pending if transaction is None or _inside(s.owner, transaction)]
    for staged in dropped:
        staged.staged.unlink(missing_ok=True)
    session.info[_PENDING] = [s for s in pending if s not in dropped]
    session.info[_DISCARDS] = [d for d in session.info.get(_DISCARDS, [])
                               if transaction is not None and not _inside(d.owner, transaction)]


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session, previous_transaction):
    """A rollback, of the whole unit of work or of a savepoint: its files go."""
    if session.info.get(_PENDING) or session.info.get(_DISCARDS):
        _unstage(session, previous_transaction)


@event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction):
    """The unit of work ended without a commit (a session closed mid-way): its files go too."""
    if transaction.parent is None and (session.info.get(_PENDING) or session.info.get(_DISCARDS)):
        _unstage(session)


# ---- orphans ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Orphan:
    """A file under a registered folder that no row refers to (or a staging file left by a crash)."""

    folder: str
    path: Path
    size_bytes: int


def find_orphans(now_s, grace_s, instance_path=None):
    """Files of the registered folders that no row refers to, older than ``grace_s`` seconds at
    ``now_s`` (a Unix time): stored names no row holds, their derived files, and staging files a
    crash left. Files whose names are not ours are left alone.

    Each directory is listed before its rows are read: a file put in place after the listing is not
    looked at, and one put in place before it has its row committed, so the read sees it. The grace
    period spares a staging file whose transaction is still running.
    """
    found = []
    for folder, referenced_names in sorted(_folders.items()):
        directory = folder_path(folder, instance_path)
        if not directory.is_dir():
            continue
        listed = sorted(path for path in directory.iterdir() if path.is_file())
        referenced = set(referenced_names())
        for path in listed:
            stat = path.stat()
            if now_s - stat.st_mtime < grace_s:
                continue
            if _is_orphan(path.name, referenced):
                found.append(Orphan(folder, path, stat.st_size))
    return found


def _is_orphan(name, referenced):
    if STAGED_RE.match(name):
        return True
    match = NAME_RE.match(name)
    if match is None:
        return False
    return f"{match['base']}.{match['ext']}" not in referenced
