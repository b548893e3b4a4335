"""One run at a time: an advisory file lock around each load and each dbt run that writes.

Two loads that write the same thing at once would race on dlt's pipeline state and
load packages, DuckDB admits one writing process per file, and a dbt build that reads
raw tables while a load writes them builds from half a load. So a run takes a lock
first and a second one is refused at once with a message naming the run that holds it:

* target ``local``: one lock per warehouse file (every source and dbt write that file);
  ``argo ingest``, ``argo transform`` and plain ``dbt`` (through the dbt-duckdb plugin
  :mod:`argo.dbt_lock` that ``profiles.yml`` loads) all take it;
* target ``athena``: one lock per source (sources write separate Glue databases), so
  different sources may load in parallel from one machine.

The lock is ``fcntl.flock`` on a file beside dlt's working folder: the kernel releases it
when the process ends, however it ends, so a killed run never leaves a stale lock. Within
one process the lock is re-entrant: ``argo transform`` holds it and the dbt it runs
in-process (whose plugin asks for it again) goes on under the same hold.
"""

from __future__ import annotations

import errno
import fcntl
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


class LockError(Exception):
    """The lock cannot be had; the message says why and what to do."""


class AlreadyRunning(LockError):
    """Another process holds the lock; the message says which and what to do."""


class CannotLock(LockError):
    """The lock file cannot be created or opened (a read-only folder, a full disk)."""


#: Locks this process holds: real path of the lock file -> (descriptor, holds).
_held: dict[str, tuple[int, int]] = {}
_guard = threading.Lock()


def _key(path: Path) -> str:
    return os.path.realpath(path)


def holds(path: Path) -> bool:
    """Whether this process holds the lock file ``path``."""
    with _guard:
        return _key(path) in _held


def acquire(path: Path, what: str, *, create_folder: bool = True) -> None:
    """Takes the lock file ``path`` (or one more hold of it, if this process has it).

    Prefer :func:`exclusive`; this is for holders whose release comes from elsewhere
    (the dbt plugin). Every :func:`acquire` needs one :func:`release`.

    Args:
        path: The lock file (created if missing; never deleted).
        what: What the lock protects, for the message (``the warehouse data/argo.duckdb``).
        create_folder: Create the lock file's folder if it is missing.

    Raises:
        AlreadyRunning: Another process holds it.
        CannotLock: The lock file cannot be created or opened.
    """
    key = _key(path)
    with _guard:
        if key in _held:
            handle, count = _held[key]
            _held[key] = (handle, count + 1)
            return
        try:
            if create_folder:
                path.parent.mkdir(parents=True, exist_ok=True)
            handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise CannotLock(_cannot(path, exc)) from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 300, 0).decode(errors="replace").strip() or "unknown"
            os.close(handle)
            raise AlreadyRunning(
                f"another run is using {what} ({holder}). What to do: wait for it to "
                f"finish and run again; two runs at once are refused so that nothing is "
                f"written twice and no build reads half a load (lock: {path})"
            ) from None
        try:
            os.ftruncate(handle, 0)
            note = f"pid {os.getpid()} since {time.strftime('%H:%M:%S')} ({_command()})"
            os.pwrite(handle, note.encode(), 0)
        except OSError:
            pass  # the lock is held; only the note of who holds it is missing
        _held[key] = (handle, 1)


def release(path: Path) -> None:
    """Gives back one hold of ``path`` taken by :func:`acquire`; the last one unlocks it."""
    key = _key(path)
    with _guard:
        if key not in _held:
            return
        handle, count = _held[key]
        if count > 1:
            _held[key] = (handle, count - 1)
            return
        del _held[key]
        with suppress(OSError):
            os.ftruncate(handle, 0)
        fcntl.flock(handle, fcntl.LOCK_UN)
        os.close(handle)


@contextmanager
def exclusive(path: Path, what: str) -> Iterator[None]:
    """Holds the lock file ``path`` for the block, or raises at once if another holds it.

    Args:
        path: The lock file (created if missing, with its folder; never deleted).
        what: What the lock protects, for the message (``the warehouse data/argo.duckdb``).

    Raises:
        AlreadyRunning: Another process holds it.
        CannotLock: The lock file cannot be created (e.g. a read-only folder).
    """
    acquire(path, what)
    try:
        yield
    finally:
        release(path)


def _command() -> str:
    """This process's command, for the lock file: ``argo ingest meta_ads``, ``dbt build``."""
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] not in ("", "-c") else "python"
    return " ".join([program, *(a for a in sys.argv[1:3] if not a.startswith("/"))])


def _cannot(path: Path, exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        what_to_do = "make the folder writable, or point ARGO_DUCKDB_PATH (or --warehouse) "
        what_to_do += "at a folder you can write"
    else:
        what_to_do = "fix the folder (or free space), or point ARGO_DUCKDB_PATH (or "
        what_to_do += "--warehouse) elsewhere"
    return f"cannot create the lock file {path} ({reason}). What to do: {what_to_do}"
