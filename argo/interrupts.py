"""Ctrl-C and SIGTERM: a clean stop, reported in one line, with exit status 130 or 143.

Inside :func:`handled` (the ``argo`` command's whole run) both signals raise
:class:`Interrupted`, a ``KeyboardInterrupt``: what dlt and dbt do on Ctrl-C they do on
SIGTERM too (a scheduler's stop, ``docker stop``, ``kill``), and the command reports what
the interrupted step left behind and exits ``128 + signal``.

dlt's normalize and load steps catch both signals themselves: the first one lets the jobs
that run finish (each table's transaction commits or does not) and starts no new one,
then the step stops; a second one stops at once. dlt forgets the signal when its step
ends, and a signal that came while the last job ran would be lost (the step completes and
the run went on as if nothing happened). So every signal is also noted here, and
:func:`raise_if_received` stops the run after the step.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

#: Exit status of a run stopped by ``signal`` (the shell's convention): 130 and 143.
EXIT_CODES: dict[int, int] = {signal.SIGINT: 130, signal.SIGTERM: 143}
NAMES: dict[int, str] = {signal.SIGINT: "Ctrl-C (SIGINT)", signal.SIGTERM: "SIGTERM"}

_received: int | None = None


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (Ctrl-C or SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(NAMES.get(signum, f"signal {signum}"))
        self.signum = signum


def received() -> int | None:
    """The first SIGINT or SIGTERM this run received, if any."""
    return _received


def exit_code(signum: int) -> int:
    """The exit status of a run stopped by ``signum``."""
    return EXIT_CODES.get(signum, 128 + signum)


def name(signum: int) -> str:
    """``Ctrl-C (SIGINT)`` or ``SIGTERM``."""
    return NAMES.get(signum, f"signal {signum}")


def raise_if_received() -> None:
    """Raises :class:`Interrupted` if a signal came (e.g. while dlt finished a step)."""
    if _received is not None:
        raise Interrupted(_received)


def forget() -> None:
    """Forgets the signal: it was the expected end of a server (``argo docs --serve``)."""
    global _received
    _received = None


def _note(signum: int) -> None:
    global _received
    if _received is None:
        _received = signum


def _handler(signum: int, frame: FrameType | None) -> None:
    _note(signum)
    raise Interrupted(signum)


@contextmanager
def handled() -> Iterator[None]:
    """Turns SIGINT and SIGTERM into :class:`Interrupted` for the block, noting each.

    Outside the main thread (where Python cannot set handlers) it changes nothing.
    Afterwards the previous handlers are back and the noted signal is forgotten.
    """
    global _received
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    from dlt.common.runtime import signals as dlt_signals

    previous = {number: signal.getsignal(number) for number in EXIT_CODES}
    dlt_set = dlt_signals.set_received_signal

    def note_dlt(sig: int) -> None:
        if sig:
            _note(sig)
        dlt_set(sig)

    _received = None
    # dlt's handler records a signal through this module-level function: noting it here
    # keeps it past the end of dlt's step (tests/e2e/test_interrupts.py checks it does).
    dlt_signals.set_received_signal = note_dlt
    for number in EXIT_CODES:
        signal.signal(number, _handler)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, _restorable(handler))
        dlt_signals.set_received_signal = dlt_set
        _received = None


def _restorable(handler: Any) -> Callable[[int, FrameType | None], Any] | int:
    """A handler ``signal.signal`` accepts back (``None`` means one set outside Python)."""
    return signal.SIG_DFL if handler is None else handler
