"""One clock for all of ARGO: every "today", every timestamp and every wait goes through it.

Sources ask it for today in the time zone their API reports in, fakes for the instant a
signature or a token is checked against, pacers and pollers for the time to wait. Nothing
else in ARGO calls ``datetime.now``, ``date.today``, ``time.time``, ``time.monotonic`` or
``time.sleep`` for those purposes, so a test can move the whole system to any instant:

- :class:`SystemClock` (the default) is the machine's clock.
- :class:`ShiftedClock` runs at the machine's pace from a chosen instant: the environment
  variable ``ARGO_NOW`` (an ISO 8601 instant, ``2026-11-29T15:01:00Z``) starts a process
  on it, so a subprocess sees the same day as the test that started it.
- :class:`FrozenClock` stands still until it is told to move; its :meth:`~FrozenClock.sleep`
  moves it instead of waiting, so waits cost nothing and their lengths can be asserted.

:func:`use` installs a clock for the process (all threads); :func:`frozen` is the context
manager tests use.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

#: Environment variable that starts a process's clock at an instant (ISO 8601, with zone).
NOW_ENV = "ARGO_NOW"


class Clock(Protocol):
    """What ARGO asks of a clock."""

    def now(self) -> datetime:
        """The current instant, time-zone aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for intervals and deadlines)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Waits ``seconds`` (or lets that much time pass)."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """The machine's current instant in UTC."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """:func:`time.monotonic`."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """:func:`time.sleep` (nothing for a non-positive wait)."""
        if seconds > 0:
            time.sleep(seconds)


class ShiftedClock(SystemClock):
    """The machine's clock moved to start at ``start``: time passes at the machine's pace.

    Args:
        start: The instant this clock reads when it is created (aware, any zone).
    """

    def __init__(self, start: datetime) -> None:
        self._offset = _aware(start) - datetime.now(UTC)

    def now(self) -> datetime:
        """The shifted instant in UTC."""
        return datetime.now(UTC) + self._offset


class FrozenClock:
    """A clock that moves only when told to: by :meth:`advance`, :meth:`set` or :meth:`sleep`.

    Thread-safe: the fakes' server threads and the sources read the same clock.

    Args:
        start: The instant it reads until moved (aware, any zone).
    """

    def __init__(self, start: datetime) -> None:
        self._now = _aware(start)
        self._monotonic = 1_000.0
        self._guard = threading.Lock()
        #: Every wait asked of :meth:`sleep`, in order (tests assert on them).
        self.slept: list[float] = []

    def now(self) -> datetime:
        """The frozen instant in UTC."""
        with self._guard:
            return self._now

    def monotonic(self) -> float:
        """Seconds since an arbitrary start, moving only with this clock."""
        with self._guard:
            return self._monotonic

    def sleep(self, seconds: float) -> None:
        """Moves the clock ``seconds`` forward at once instead of waiting."""
        with self._guard:
            self.slept.append(seconds)
        self.advance(max(seconds, 0.0))

    def advance(self, seconds: float) -> None:
        """Moves the clock ``seconds`` forward."""
        with self._guard:
            self._now += timedelta(seconds=seconds)
            self._monotonic += seconds

    def set(self, instant: datetime) -> None:
        """Moves the clock to ``instant`` (forward or back; monotonic time only forward)."""
        with self._guard:
            moved = (_aware(instant) - self._now).total_seconds()
            self._now = _aware(instant)
            self._monotonic += max(moved, 0.0)


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError(f"the instant {instant.isoformat()} has no time zone; add one (or Z)")
    return instant.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant with its zone (``2026-11-29T15:01:00Z``, ``...+09:00``).

    Raises:
        ValueError: ``text`` is not an instant with a zone.
    """
    try:
        instant = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{NOW_ENV}={text!r} is not an ISO 8601 instant; use e.g. 2026-11-29T15:01:00Z"
        ) from None
    if instant.tzinfo is None:
        raise ValueError(f"{NOW_ENV}={text!r} has no time zone; add Z or an offset like +09:00")
    return instant.astimezone(UTC)


def _from_environment() -> Clock:
    configured = os.environ.get(NOW_ENV, "").strip()
    return ShiftedClock(parse_instant(configured)) if configured else SystemClock()


_clock: Clock = _from_environment()


def current() -> Clock:
    """The clock of this process."""
    return _clock


def use(clock: Clock) -> Clock:
    """Installs ``clock`` for the whole process and returns the one it replaces."""
    global _clock
    previous, _clock = _clock, clock
    return previous


@contextmanager
def frozen(at: datetime) -> Iterator[FrozenClock]:
    """A :class:`FrozenClock` at ``at`` for the duration of the block (then the previous one)."""
    clock = FrozenClock(at)
    previous = use(clock)
    try:
        yield clock
    finally:
        use(previous)


def now() -> datetime:
    """The current instant in UTC, from the process's clock."""
    return _clock.now()


def today(zone: str | tzinfo = UTC) -> date:
    """Today's date in ``zone`` (an IANA name such as ``Asia/Seoul``, or a tzinfo)."""
    return now().astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone).date()


def monotonic() -> float:
    """Seconds on the process clock's monotonic scale."""
    return _clock.monotonic()


def sleep(seconds: float) -> None:
    """Waits ``seconds`` on the process's clock (a frozen clock moves instead)."""
    _clock.sleep(seconds)
