"""Runs the ``argo`` command with a pause inside dlt's load step or dbt's build, for tests.

``python -m tests.e2e.interrupt_hooks <argo arguments>`` is ``argo <argo arguments>`` (the
real CLI, in a process of its own), except:

* ``ARGO_TEST_PAUSE_AFTER_MERGES=<n>``: dlt loads one job at a time and stops after the
  ``n``-th table it has merged into a raw dataset (that table's transaction committed,
  the next ones not started): the process writes ``ARGO_TEST_PAUSE_FILE`` and waits there
  until it receives SIGINT or SIGTERM. With ``ARGO_TEST_PAUSE_FAIL`` set, every merge after
  the ``n``-th fails instead, as on a full disk.
* ``ARGO_TEST_PAUSE_AFTER_MODELS=<n>``: dbt stops before its ``n + 1``-th model the same way
  (that model then fails, unbuilt).

So a test can send SIGINT, SIGTERM or SIGKILL at a point it knows.

Nothing here is imported by ARGO itself.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

PAUSE_AFTER = "ARGO_TEST_PAUSE_AFTER_MERGES"
PAUSE_DBT_AFTER = "ARGO_TEST_PAUSE_AFTER_MODELS"
PAUSE_FILE = "ARGO_TEST_PAUSE_FILE"
FAIL_NEXT = "ARGO_TEST_PAUSE_FAIL"


def install() -> None:
    """Installs the pauses the environment asks for."""
    if os.environ.get(PAUSE_AFTER):
        pause_dlt(int(os.environ[PAUSE_AFTER]))
    if os.environ.get(PAUSE_DBT_AFTER):
        pause_dbt(int(os.environ[PAUSE_DBT_AFTER]))


def pause_dbt(after: int) -> None:
    """Pauses dbt before the model after the ``after``-th; that model is then not built."""
    from dbt.task.run import ModelRunner

    original = ModelRunner.execute
    started: list[str] = []
    guard = threading.Lock()

    def execute(self: ModelRunner, model: Any, manifest: Any) -> Any:
        with guard:
            started.append(model.unique_id)
            number = len(started)
        if number == after + 1:
            Path(os.environ[PAUSE_FILE]).write_text(f"{os.getpid()}\n")
            while not _signalled():
                time.sleep(0.05)
            raise RuntimeError(f"{model.unique_id}: stopped by the test's signal")
        return original(self, model, manifest)

    ModelRunner.execute = execute  # type: ignore[method-assign]


def pause_dlt(after: int) -> None:
    """Patches dlt's SQL load jobs (the merges into the raw tables) to pause or fail."""
    from dlt.destinations.job_client_impl import SqlLoadJob
    from dlt.load.configuration import LoaderConfiguration

    # one job at a time, so that the jobs after the pause have not started when it comes
    resolved = LoaderConfiguration.on_resolved

    def one_worker(self: LoaderConfiguration) -> None:
        self.workers = 1
        resolved(self)

    LoaderConfiguration.on_resolved = one_worker  # type: ignore[method-assign]
    original = SqlLoadJob.run
    merged: list[str] = []
    guard = threading.Lock()

    def run(self: SqlLoadJob) -> None:
        with guard:
            if len(merged) >= after and os.environ.get(FAIL_NEXT):
                raise OSError(28, "No space left on device (ARGO_TEST_PAUSE_FAIL)")
        original(self)
        with guard:
            merged.append(self._file_path)
            if len(merged) != after:
                return
        Path(os.environ[PAUSE_FILE]).write_text(f"{os.getpid()}\n")
        if os.environ.get(FAIL_NEXT):
            return
        while not _signalled():
            time.sleep(0.05)

    SqlLoadJob.run = run  # type: ignore[method-assign]


def _signalled() -> bool:
    """Whether the process has received SIGINT or SIGTERM (as ARGO or dlt recorded it)."""
    from dlt.common.runtime import signals

    try:
        from argo import interrupts
    except ImportError:  # before ARGO handled signals itself
        return signals.was_signal_received()
    return interrupts.received() is not None or signals.was_signal_received()


if __name__ == "__main__":
    from argo.cli import main

    install()
    sys.exit(main(sys.argv[1:]))
