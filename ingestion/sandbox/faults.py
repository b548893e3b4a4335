"""Fault switches every fake API consults before answering (shared by all fakes).

Each switch queues a fault that fires on the next matching requests and then consumes
itself, so a test says exactly what goes wrong and how often::

    faults.throttle_next(2, retry_after=1)       # two HTTP 429 with Retry-After
    faults.fail_next(3, status=503)              # three 503
    faults.rate_limit_next(1, code=17)           # the platform's own rate-limit answer
    faults.truncate_next(1, only_path_contains="insights")

Faults of the data itself, for the tests of what a source does with a wrong answer::

    faults.conflict_next(1)                      # a daily row sent twice, money x10 in one
    faults.duplicate_next(1)                     # a daily row sent twice, identical
    faults.redate_next(1, date(2028, 1, 3))      # a daily row dated in the future

They act on the rows a fake answers (:meth:`Faults.daily_rows`). A day restated to no
delivery is a fact of the world, not a fault: ``World.restate_to_nothing(day)``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass
class Fault:
    """One queued fault: what happens, how many more times, and on which paths."""

    kind: str
    remaining: int
    params: dict[str, Any] = field(default_factory=dict)
    only_path_contains: str | None = None


class Faults:
    """Thread-safe fault switches.

    Attributes:
        async_polls: Polls a report job answers "running" before it completes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[Fault] = []
        self._async_failures = 0
        self._async_stalls = 0
        self._token_expired = False
        self._expire_countdown: int | None = None
        self.async_polls = 2
        self.fired: list[str] = []

    def _add(self, kind: str, n: int, only_path_contains: str | None, **params: Any) -> None:
        with self._lock:
            self._queue.append(Fault(kind, n, params, only_path_contains))

    def fail_next(
        self, n: int = 1, status: int = 500, only_path_contains: str | None = None
    ) -> None:
        """The next ``n`` requests answer HTTP ``status`` (a 5xx) with an error body."""
        self._add("fail", n, only_path_contains, status=status)

    def throttle_next(
        self, n: int = 1, retry_after: int = 1, only_path_contains: str | None = None
    ) -> None:
        """The next ``n`` requests answer HTTP 429 with ``Retry-After``."""
        self._add("throttle", n, only_path_contains, retry_after=retry_after)

    def rate_limit_next(
        self, n: int = 1, code: int = 17, only_path_contains: str | None = None
    ) -> None:
        """The next ``n`` requests get the platform's own rate-limit error (e.g. Meta 17)."""
        self._add("rate_limit", n, only_path_contains, code=code)

    def slow_next(
        self, n: int = 1, seconds: float = 1.0, only_path_contains: str | None = None
    ) -> None:
        """The next ``n`` requests wait ``seconds`` before answering."""
        self._add("slow", n, only_path_contains, seconds=seconds)

    def truncate_next(self, n: int = 1, only_path_contains: str | None = None) -> None:
        """The next ``n`` successful answers are cut in half (invalid JSON)."""
        self._add("truncate", n, only_path_contains)

    def expire_token(self) -> None:
        """Every token is expired until :meth:`restore_token`."""
        self._token_expired = True

    def expire_token_after(self, n: int) -> None:
        """Every token expires after the next ``n`` requests (a token that dies mid-run)."""
        with self._lock:
            self._expire_countdown = n

    def count_request(self) -> None:
        """Called once per request by the server: runs the countdown of ``expire_token_after``."""
        with self._lock:
            if self._expire_countdown is None:
                return
            if self._expire_countdown <= 0:
                self._token_expired = True
                self._expire_countdown = None
                self.fired.append("expire_token")
            else:
                self._expire_countdown -= 1

    def restore_token(self) -> None:
        """Tokens are valid again."""
        self._token_expired = False

    @property
    def token_expired(self) -> bool:
        """Whether :meth:`expire_token` is in force."""
        return self._token_expired

    def async_fail_next(self, n: int = 1) -> None:
        """The next ``n`` report jobs end failed."""
        with self._lock:
            self._async_failures += n

    def take_async_failure(self) -> bool:
        """Consumes one queued report-job failure; whether there was one."""
        with self._lock:
            if self._async_failures:
                self._async_failures -= 1
                self.fired.append("async_fail")
                return True
            return False

    def async_stall_next(self, n: int = 1) -> None:
        """The next ``n`` report jobs never finish: they answer "running" to every poll."""
        with self._lock:
            self._async_stalls += n

    def take_async_stall(self) -> bool:
        """Consumes one queued never-finishing report job; whether there was one."""
        with self._lock:
            if self._async_stalls:
                self._async_stalls -= 1
                self.fired.append("async_stall")
                return True
            return False

    def conflict_next(self, n: int = 1, only_path_contains: str | None = None) -> None:
        """The next ``n`` daily rows served are sent twice: first with money x10, then as is.

        Both copies share every key (account, object, day): a conflicting duplicate.
        """
        self._add("conflict", n, only_path_contains)

    def duplicate_next(self, n: int = 1, only_path_contains: str | None = None) -> None:
        """The next ``n`` daily rows served are sent twice, identical."""
        self._add("duplicate", n, only_path_contains)

    def redate_next(self, n: int, day: date, only_path_contains: str | None = None) -> None:
        """The next ``n`` daily rows served are dated ``day`` (a future or ancient date)."""
        self._add("redate", n, only_path_contains, day=day)

    def daily_rows(
        self,
        path: str,
        rows: Sequence[Any],
        *,
        money: Sequence[Any],
        dates: Sequence[Any],
        day_format: str = "%Y-%m-%d",
    ) -> list[Any]:
        """``rows`` (JSON objects or lists of cells) as the queued data faults alter them.

        Args:
            path: The request's path, matched against ``only_path_contains``.
            rows: The daily rows the fake would answer.
            money: The keys, dotted paths (``metrics.cost``) or cell indexes of money
                values, multiplied by 10 in a conflict.
            dates: The keys, dotted paths or cell indexes of the row's date, replaced by a
                redate.
            day_format: How the fake writes a date.
        """
        served: list[Any] = []
        for row in rows:
            fault = self.take(path, ("conflict", "duplicate", "redate"))
            if fault is None:
                served.append(row)
            elif fault.kind == "redate":
                served.append(_replaced(row, dates, fault.params["day"].strftime(day_format)))
            elif fault.kind == "duplicate":
                served.extend([_replaced(row, (), None), row])
            else:
                tenfold = {k: _times_ten(_get(row, k)) for k in money}
                served.extend([_replaced(row, tenfold, None), row])
        return served

    def take(self, path: str, kinds: tuple[str, ...]) -> Fault | None:
        """Consumes and returns the first queued fault of ``kinds`` matching ``path``."""
        with self._lock:
            for fault in self._queue:
                if fault.kind not in kinds:
                    continue
                if fault.only_path_contains and fault.only_path_contains not in path:
                    continue
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._queue.remove(fault)
                self.fired.append(fault.kind)
                return fault
            return None

    def reset(self) -> None:
        """Clears every queued fault and restores tokens."""
        with self._lock:
            self._queue.clear()
            self._async_failures = 0
            self._async_stalls = 0
            self._token_expired = False
            self._expire_countdown = None
            self.async_polls = 2
            self.fired.clear()


def _times_ten(value: Any) -> Any:
    """A money value ten times larger, written the way it was (text or number).

    A text that is no number (AppsFlyer's ``N/A``) stays as it was.
    """
    if isinstance(value, str):
        try:
            return str(Decimal(value) * 10)
        except ArithmeticError:
            return value
    return value * 10


def _get(row: Any, key: Any) -> Any:
    """The value at ``key`` of ``row``: a cell index, a key, or a dotted path (``metrics.cost``)."""
    if not isinstance(key, str):
        return row[key]
    for part in key.split("."):
        row = row[part]
    return row


def _replaced(row: Any, keys: Iterable[Any] | dict[Any, Any], value: Any) -> Any:
    """A copy of ``row`` with ``keys`` set to ``value`` (or to a dict's values).

    A key is a cell index of a list row, a key of an object, or a dotted path into nested
    objects (each object on the path is copied, the original row is left as it was).
    """
    changes = keys if isinstance(keys, dict) else dict.fromkeys(keys, value)
    copy: Any = dict(row) if isinstance(row, dict) else list(row)
    for key, new in changes.items():
        if not isinstance(key, str):
            copy[key] = new
            continue
        *parents, last = key.split(".")
        node: Any = copy
        for part in parents:
            node[part] = dict(node[part])
            node = node[part]
        node[last] = new
    return copy
