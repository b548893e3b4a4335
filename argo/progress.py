"""What a run shows while it goes: one line per source or step, then a summary table.

A :class:`Progress` follows the tasks of a run (a source's load, the dbt build, the
digest). When its stream is a terminal it keeps one live line, rewritten in place (``CR``),
with each running task's rows, pages, megabytes and seconds; when it is not (a log file, CI,
a pipe) it writes nothing while a task runs and one line when it ends. Either way each
finished task leaves one line, and :func:`table` prints the summary.

The counters come from where the work happens, not from each source:

* pages and bytes from the HTTP layer every source shares
  (:func:`ingestion.sources.http.observe_answers`), by the source's name;
* rows from dlt's extract step, through a dlt collector (:class:`RowCollector`);
* dbt's nodes (done / total) from dbt's events (:class:`DbtListener`).

Time is read from :mod:`ingestion.clock`, so a test moves it by hand.
"""

from __future__ import annotations

import logging
import shutil
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

from dlt.common.runtime.collector import LogCollector
from dlt.common.runtime.collector_base import Collector

from argo import interrupts
from ingestion import clock
from ingestion.sources.http import observe_answers

log = logging.getLogger("argo.progress")

#: Seconds between two redraws of the live line (a redraw costs a write to the terminal).
REDRAW_EVERY = 0.25


@dataclass
class Task:
    """One source's load or one step, as the progress line shows it."""

    name: str
    started: float
    rows: int = 0
    pages: int = 0
    bytes: int = 0
    done: int = 0
    total: int = 0
    ended: float | None = None

    def seconds(self, now: float) -> float:
        """Seconds it ran (until it ended, or until ``now``)."""
        return (self.ended if self.ended is not None else now) - self.started

    def describe(self, now: float) -> str:
        """``meta_ads 12,345 rows, 40 pages, 1.2 MB, 3 s`` (dbt: ``transform 12/340 nodes``)."""
        parts = []
        if self.total:
            parts.append(f"{self.done}/{self.total} nodes")
        if self.rows or self.pages:
            parts.append(f"{self.rows:,} rows")
            parts.append(f"{self.pages:,} pages")
            parts.append(f"{self.bytes / 1e6:.1f} MB")
        parts.append(f"{self.seconds(now):.0f} s")
        return f"{self.name} {', '.join(parts)}"


@dataclass
class Progress:
    """The live line and the one-line-per-task report of a run.

    Args:
        stream: Where lines go (standard output by default).
        live: Keep a live line rewritten in place; default: whether ``stream`` is a terminal.
        width: Longest live line (default: the terminal's width).
    """

    stream: TextIO = field(default_factory=lambda: sys.stdout)
    live: bool | None = None
    width: int | None = None
    tasks: dict[str, Task] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _shown: int = field(default=0, repr=False)
    _drawn_at: float | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.live is None:
            isatty = getattr(self.stream, "isatty", None)
            self.live = bool(isatty and isatty())

    def begin(self, name: str) -> Task:
        """Starts following a task (a source or a step)."""
        with self._lock:
            task = self.tasks[name] = Task(name, clock.monotonic())
            self._draw(force=True)
            return task

    def count(
        self, name: str, *, rows: int = 0, pages: int = 0, size: int = 0, done: int = 0
    ) -> None:
        """Adds to a running task's counters (from any thread); unknown tasks are ignored."""
        with self._lock:
            task = self.tasks.get(name)
            if task is None or task.ended is not None:
                return
            task.rows += rows
            task.pages += pages
            task.bytes += size
            task.done += done
            self._draw()

    def set_total(self, name: str, total: int) -> None:
        """How many units (dbt nodes) the task has in all."""
        with self._lock:
            if name in self.tasks:
                self.tasks[name].total = total
                self._draw()

    def end(self, name: str, text: str) -> None:
        """Ends a task and writes its one line (``text``)."""
        with self._lock:
            task = self.tasks.get(name)
            if task is not None and task.ended is None:
                task.ended = clock.monotonic()
            self.say(text)

    def say(self, text: str, *, to: TextIO | None = None) -> None:
        """Writes one line (above the live line, which is redrawn after it).

        Args:
            text: The line.
            to: Another stream for it (standard error for an error), if not the progress's.
        """
        with self._lock:
            self._clear()
            stream = to or self.stream
            stream.write(text + "\n")
            stream.flush()
            self._draw(force=True)

    def running(self) -> list[Task]:
        """The tasks begun and not ended, in the order they began."""
        with self._lock:
            return [task for task in self.tasks.values() if task.ended is None]

    def line(self) -> str:
        """The live line: every running task's counters, cut to the width."""
        now = clock.monotonic()
        text = " | ".join(task.describe(now) for task in self.running())
        width = self.width or shutil.get_terminal_size((100, 24)).columns
        return text if len(text) < width else text[: max(width - 2, 1)] + "…"

    def tick(self) -> None:
        """Redraws the live line if it is due (the seconds go on while nothing is counted)."""
        with self._lock:
            self._draw()

    def close(self) -> None:
        """Clears the live line."""
        with self._lock:
            self._clear()

    def _draw(self, *, force: bool = False) -> None:
        if not self.live:
            return
        now = clock.monotonic()
        if not force and self._drawn_at is not None and now - self._drawn_at < REDRAW_EVERY:
            return
        self._drawn_at = now
        text = self.line()
        pad = " " * max(self._shown - len(text), 0)
        self.stream.write("\r" + text + pad)
        self.stream.flush()
        self._shown = len(text)

    def _clear(self) -> None:
        if self.live and self._shown:
            self.stream.write("\r" + " " * self._shown + "\r")
            self._shown = 0

    @contextmanager
    def counting_answers(self) -> Iterator[None]:
        """Counts every HTTP answer a source receives as a page of that source's task."""

        def seen(source: str, size: int) -> None:
            self.count(source, pages=1, size=size)

        stop = observe_answers(seen)
        try:
            yield
        finally:
            stop()

    @contextmanager
    def ticking(self, every: float = 1.0) -> Iterator[None]:
        """Redraws the live line every ``every`` seconds (a terminal only), for the block."""
        if not self.live:
            yield
            return
        stopped = threading.Event()

        def run() -> None:
            while not stopped.wait(every):
                self.tick()

        thread = threading.Thread(target=run, name="argo-progress", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stopped.set()
            thread.join()
            self.close()


class RowCollector(Collector):
    """A dlt collector that counts the rows a source's extract step yields into a :class:`Progress`.

    With ``verbose`` it also writes dlt's own progress blocks (its ``LogCollector``) to the
    ``dlt`` logger, which ``argo -v`` shows and keeps in the log file.
    """

    def __init__(self, progress: Progress, source: str, *, verbose: bool = False) -> None:
        self.progress = progress
        self.source = source
        self.step = ""
        self._log = (
            LogCollector(logger=logging.getLogger("argo.dlt"), log_level=logging.INFO)
            if verbose
            else None
        )

    def update(
        self,
        name: str,
        inc: int = 1,
        total: int | None = None,
        inc_total: int | None = None,
        message: str | None = None,
        label: str | None = None,
    ) -> None:
        """Counts the extract step's rows (``Resources`` and labelled counters are not rows)."""
        if (
            (self.step or "").startswith("Extract")
            and name != "Resources"
            and not label
            and not name.startswith("_dlt")
        ):
            self.progress.count(self.source, rows=inc)
        if self._log is not None:
            self._log.update(name, inc, total, inc_total, message, label)  # type: ignore[arg-type]

    def _start(self, step: str) -> None:
        if self._log is not None:
            self._log.step = step
            self._log._start(step)

    def _stop(self) -> None:
        if self._log is not None:
            self._log._stop()


class DbtListener:
    """A dbt callback: nodes done / total into a :class:`Progress`, errors complete to ``errors``.

    Without ``verbose`` dbt runs with ``--log-level none`` (nothing on the console) and this
    listener shows what matters: the progress and every error-level message, whole. With
    ``verbose`` every message of info level and above also goes to the ``dbt`` logger
    (the console and ``argo -v``'s log file), as dbt's per-node lines did.

    Args:
        progress: Where the nodes are counted.
        task: The task's name in ``progress`` (``transform``).
        errors: Where error messages go (standard error by default).
        verbose: Also log dbt's info messages.
    """

    def __init__(
        self,
        progress: Progress,
        task: str,
        *,
        errors: TextIO | None = None,
        verbose: bool = False,
    ) -> None:
        self.progress = progress
        self.task = task
        self.errors = errors
        self.verbose = verbose
        self.statuses: dict[str, int] = {}
        self._logger = logging.getLogger("dbt")

    def __call__(self, event: Any) -> None:
        """Receives one dbt event (``EventMsg``)."""
        info = event.info
        name = info.name
        if name == "LogStartLine" and getattr(event.data, "total", 0):
            self.progress.set_total(self.task, int(event.data.total))
        elif name == "NodeFinished":
            status = str(getattr(event.data.run_result, "status", "") or "")
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.progress.count(self.task, done=1)
        level = str(info.level)
        if level == "error" and interrupts.received() is None:  # a stop says it in one line
            self.progress.say(info.msg, to=self.errors or sys.stderr)
        if self.verbose and level in ("info", "warn"):
            self._logger.log(logging.WARNING if level == "warn" else logging.INFO, info.msg)


def table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = ()
) -> list[str]:
    """The lines of a plain text table; the columns in ``right`` right-aligned (numbers)."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def render(row: Sequence[str]) -> str:
        cells = [
            str(cell).rjust(widths[i]) if i in right else str(cell).ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    return [render(header), *(render(row) for row in rows)]


class Once(logging.Filter):
    """Lets each message through once: a warning every account repeats is said once."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[tuple[str, int, str]] = set()
        self._guard = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        """Whether the record's message was not seen yet."""
        key = (record.name, record.levelno, record.getMessage())
        with self._guard:
            if key in self._seen:
                return False
            self._seen.add(key)
            return True


#: A callback dbt calls with each event (``dbtRunner(callbacks=[...])``).
DbtCallback = Callable[[Any], None]
