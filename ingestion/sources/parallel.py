"""Accounts of one source read at the same time, their output handed to dlt in one thread.

An agency reads hundreds of ad accounts; each account's calls are independent (the
platforms' rate limits are counted per account, customer or business), and most of a
run is spent waiting for answers. :func:`each_account` runs one function per account on
a bounded pool of threads and yields what they produce in the resource's own thread, as
it comes: the rows are the same whatever the timing, only their order varies (dlt merges
on keys, so order does not matter). A bounded queue keeps at most a few pages per worker
in memory; the first failure stops the other workers and is raised in the resource.

Every setting that bounds it is a source setting (``max_parallel_accounts``) a user sets
like any other; ``1`` reads the accounts one after the other, as before.

dlt reads a source's resources (tables) in turn, so several tables' pools are alive at
once. A run's :class:`Slots` bound them together: a worker holds a slot only while it
reads (the HTTP calls and the parsing of one page), never while it waits for the queue,
so at most ``max_parallel_accounts`` reads are in flight across every table of the run,
and a table whose pages wait for dlt never holds up another.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Pages each worker may have waiting in the queue before it waits for the resource.
PAGES_PER_WORKER = 4
#: Seconds a blocked put or get waits before it looks again at whether the run stopped
#: (a wait on a queue, not a sleep: nothing is slower for it).
_POLL = 0.1

_DONE = object()
_END = object()


class Slots:
    """At most ``size`` reads of one run in flight at once, across its tables (thread-safe).

    Args:
        size: Reads at once (the source's ``max_parallel_accounts``).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._semaphore = threading.BoundedSemaphore(size)
        #: Set when a reader of the run failed or was closed before its end: every pool
        #: of the run stops reading (a failed run's other tables must not go on asking).
        self.stopped = threading.Event()

    def __enter__(self) -> None:
        self._semaphore.acquire()

    def __exit__(self, *exc: object) -> None:
        self._semaphore.release()


class RunStopped(Exception):
    """A reader ended because another reader of the same run failed (that one's error says why)."""


class _Failed:
    """A worker's exception, carried through the queue."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def each_account(
    accounts: Sequence[T],
    work: Callable[[T], Iterable[R]],
    *,
    slots: Slots,
    name: str,
) -> Iterator[R]:
    """Yields what ``work(account)`` yields for every account, ``slots.size`` at a time.

    With one slot (or one account) the accounts are read in order in the calling
    thread, exactly as a plain loop would.

    Args:
        accounts: The accounts (anything ``work`` takes).
        work: Reads one account; called in a worker thread, each step of its iterator
            while holding one of ``slots``. It must not touch dlt's ``dlt.current``
            context (read the state before, in the resource).
        slots: The run's reads in flight (shared by its tables).
        name: Thread name prefix (``meta-insights``), for debugging.

    Raises:
        BaseException: The first exception of any ``work``; the others are stopped.
    """
    workers = slots.size
    if workers <= 1 or len(accounts) <= 1:
        for account in accounts:
            yield from work(account)
        return
    out: queue.Queue[Any] = queue.Queue(maxsize=workers * PAGES_PER_WORKER)
    stop = threading.Event()

    def halted() -> bool:
        return stop.is_set() or slots.stopped.is_set()

    def put(item: Any) -> bool:
        while not halted():
            try:
                out.put(item, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def run(account: T) -> None:
        try:
            items = iter(work(account))
            while not halted():
                with slots:
                    item = next(items, _END)
                if item is _END:
                    break
                if not put(item):
                    return
        except BaseException as exc:  # handed to the resource's thread
            put(_Failed(exc))
            return
        put(_DONE)

    pending = len(accounts)
    todo: queue.SimpleQueue[T] = queue.SimpleQueue()
    for account in accounts:
        todo.put(account)

    def loop() -> None:
        while not halted():
            try:
                account = todo.get_nowait()
            except queue.Empty:
                return
            run(account)

    # Daemon threads, not a ThreadPoolExecutor: a reader abandoned by a failed run (its
    # generator never closed) must not keep the process from exiting.
    threads = [
        threading.Thread(target=loop, name=f"{name}_{n}", daemon=True)
        for n in range(min(workers, pending))
    ]
    for thread in threads:
        thread.start()
    try:
        while pending:
            try:
                item = out.get(timeout=_POLL)
            except queue.Empty:
                if slots.stopped.is_set():  # another reader of the run failed: end too
                    raise RunStopped(f"{name}: stopped, another table of the run failed") from None
                continue
            if item is _DONE:
                pending -= 1
            elif isinstance(item, _Failed):
                raise item.error
            else:
                yield item
    finally:
        if pending:  # failed, or closed before its end: the run stops reading everywhere
            slots.stopped.set()
        stop.set()
        # Unblock any worker still putting, then wait for them (each stops at its next put).
        while True:
            try:
                out.get_nowait()
            except queue.Empty:
                break
        for thread in threads:
            thread.join()


def map_accounts(
    accounts: Sequence[T], read: Callable[[T], R], *, slots: Slots, name: str
) -> list[R]:
    """``[read(a) for a in accounts]``, ``slots.size`` at a time, in the accounts' order.

    Raises:
        BaseException: The first exception of any ``read`` (those not started are cancelled).
    """
    if slots.size <= 1 or len(accounts) <= 1:
        return [read(account) for account in accounts]

    def held(account: T) -> R:
        with slots:
            return read(account)

    with ThreadPoolExecutor(
        max_workers=min(slots.size, len(accounts)), thread_name_prefix=name
    ) as pool:
        futures = [pool.submit(held, account) for account in accounts]
        try:
            return [future.result() for future in futures]
        except BaseException:
            for future in futures:
                future.cancel()
            raise
