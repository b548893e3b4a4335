"""One run at a time: an advisory file lock around each load.

Two loads that write the same thing at once would race on dlt's pipeline state and
load packages, and DuckDB admits one writing process per file. So a load takes a lock
first and a second one is refused at once with a message naming the run that holds it:

* target ``local``: one lock per warehouse file (every source writes that file);
* target ``athena``: one lock per source (sources write separate Glue databases), so
  different sources may load in parallel from one machine.

The lock is ``fcntl.flock`` on a file beside dlt's working folder: the kernel releases it
when the process ends, however it ends, so a killed run never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class AlreadyRunning(Exception):
    """Another process holds the lock; the message says which and what to do."""


@contextmanager
def exclusive(path: Path, what: str) -> Iterator[None]:
    """Holds the lock file ``path`` for the block, or raises at once if another holds it.

    Args:
        path: The lock file (created if missing; never deleted).
        what: What the lock protects, for the message (``the warehouse data/argo.duckdb``).

    Raises:
        AlreadyRunning: Another process holds it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 200, 0).decode(errors="replace").strip() or "unknown"
            raise AlreadyRunning(
                f"another run is loading {what} ({holder}). What to do: wait for it to "
                f"finish and run again; two loads at once are refused so that nothing is "
                f"written twice (lock: {path})"
            ) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"pid {os.getpid()} since {time.strftime('%H:%M:%S')}".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(handle, 0)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)
