"""Two loads at once are refused with a clear message; a killed run leaves no stale lock."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from argo.locks import AlreadyRunning, exclusive
from argo.pipeline import IngestError, run_source
from argo.transform import TransformError, dbt

HOLD = """
import sys, time
from pathlib import Path
from argo.locks import exclusive
with exclusive(Path(sys.argv[1]), "the test"):
    print("held", flush=True)
    time.sleep(60)
"""


def hold(path: Path) -> subprocess.Popen[str]:
    """Another process that takes the lock and keeps it."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_a_second_holder_is_refused_and_a_killed_one_frees_the_lock(tmp_path: Path) -> None:
    lock = tmp_path / "w.lock"
    other = hold(lock)
    try:
        with (
            pytest.raises(AlreadyRunning, match=f"pid {other.pid} since") as error,
            exclusive(lock, "the warehouse"),
        ):
            pass
        assert "wait for it to finish" in str(error.value)
    finally:
        other.kill()  # SIGKILL: no clean-up runs, the kernel drops the lock
        other.wait()
    deadline = time.monotonic() + 5
    while True:
        try:
            with exclusive(lock, "the warehouse"):
                break
        except AlreadyRunning:
            assert time.monotonic() < deadline, "a killed holder must not leave the lock"
            time.sleep(0.05)
    with exclusive(lock, "the warehouse"):  # and it can be taken again and again
        pass


def test_ingest_and_dbt_are_refused_while_another_run_writes_the_warehouse(
    warehouse: Path,
) -> None:
    other = hold(warehouse.with_suffix(".lock"))
    try:
        with pytest.raises(IngestError, match="meta_ads: another run is using the warehouse"):
            run_source("meta_ads", base_url="http://127.0.0.1:9", access_token="x")
        with pytest.raises(TransformError, match="dbt run: another run is using"):
            dbt(["run", "--select", "dim_dates"])
    finally:
        other.kill()
        other.wait()
    assert not warehouse.exists(), "the refused runs wrote nothing"
