"""Ctrl-C, SIGTERM, SIGKILL and a failing disk, sent to ``argo`` at points the test controls.

Each case runs ``argo`` as its own process against Naver's sandbox fake (served here, on
a clock that moves with the process's), after a first clean ingest. The signal comes:

* during the extract step: the fake holds an answer (``faults.slow_next``) until the test
  has sent it;
* during the load step: ``tests/e2e/interrupt_hooks.py`` runs the real CLI with dlt's
  load jobs one at a time and a pause after the second table merged into
  ``raw_naver_searchad`` (that table committed, the four after it not);
* during ``dbt build``: the same hook pauses dbt after its second model.

What must hold: the exit status (130 for Ctrl-C, 143 for SIGTERM), one line that says
what happened and what to do, and raw tables and dlt state either exactly as before or
exactly as the line says; an unfinished load stops ``argo transform`` until
``argo ingest naver_searchad`` finishes it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from argo.pipeline import make_pipeline
from argo.settings import DLT_PROJECT_ENV, PROJECT_DIR, WAREHOUSE_ENV
from ingestion import clock
from ingestion.clock import NOW_ENV
from ingestion.registry import SOURCES
from ingestion.sandbox import Faults, World, WorldConfig
from ingestion.sandbox.registry import connector_options, start_fake
from tests.conftest import query
from tests.e2e.interrupt_hooks import FAIL_NEXT, PAUSE_AFTER, PAUSE_DBT_AFTER, PAUSE_FILE
from tests.e2e.test_crash_recovery import raw_tables
from tests.settings_forms import env_variables

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("flowing_clock")]

SOURCE = "naver_searchad"
DATASET = f"raw_{SOURCE}"
#: Naver's seven raw tables, each merged in its own transaction.
TABLES = {
    "ad_accounts",
    "ad_conversion_stats_daily",
    "ad_groups",
    "ad_stats_daily",
    "ads",
    "campaigns",
    "keywords",
}
SIGNALS = {
    "SIGINT": (signal.SIGINT, 130, "Ctrl-C (SIGINT)"),
    "SIGTERM": (signal.SIGTERM, 143, "SIGTERM"),
}


@pytest.fixture
def world() -> World:
    """A small world whose today is the test's today (the process's, through ARGO_NOW)."""
    return World(WorldConfig(seed=12, scale=0.3, history_days=6, as_of=clock.today()))


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture
def fake(world: World, faults: Faults) -> Iterator[Any]:
    started = start_fake(SOURCE, world, faults)
    yield started
    started.stop()


class Argo:
    """``argo`` in processes of their own, on one scratch warehouse, against the fake."""

    def __init__(self, folder: Path, fake: Any) -> None:
        self.folder = folder
        self.warehouse = folder / "argo.duckdb"
        self.pause = folder / "paused"
        self.baseline: dict[str, Any] = {}
        (folder / ".dlt").mkdir(parents=True)
        environment = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("SOURCES__") and k not in (DLT_PROJECT_ENV, WAREHOUSE_ENV)
        }
        self.environment = environment | {
            DLT_PROJECT_ENV: str(folder),
            WAREHOUSE_ENV: str(self.warehouse),
            NOW_ENV: clock.now().isoformat(),
            "PYTHONPATH": str(PROJECT_DIR),
            PAUSE_FILE: str(self.pause),
            "DBT_TARGET_PATH": str(folder / "target"),  # not the project's target/, logs/
            "DBT_LOG_PATH": str(folder / "logs"),
            **env_variables(SOURCE, connector_options(SOURCE, fake)),
        }

    def start(self, *args: str, **hooks: str) -> subprocess.Popen[str]:
        """Starts the real CLI (through the hooks module: they do nothing unless set)."""
        self.pause.unlink(missing_ok=True)
        return subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.interrupt_hooks", *args],
            cwd=self.folder,
            env=self.environment | hooks,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, *args: str, **hooks: str) -> tuple[int, str]:
        return finished(self.start(*args, **hooks))

    def paused(self, process: subprocess.Popen[str]) -> None:
        """Waits until the process has reached the hook's pause.

        dbt parses the project and lists the selection before it builds: on a busy
        two-core machine that alone can take minutes.
        """
        deadline = time.monotonic() + 400
        while not self.pause.exists():
            assert process.poll() is None, f"argo ended first: {finished(process)}"
            assert time.monotonic() < deadline, "argo never reached the pause"
            time.sleep(0.05)

    def state(self) -> dict[str, Any]:
        """What dlt keeps of the source: its incremental state and its load packages."""
        working = self.folder / ".dlt" / "pipelines" / f"argo_{SOURCE}"
        state = json.loads((working / "state.json").read_text())
        return {
            "sources": state.get("sources"),
            "version": state.get("_state_version"),
            "extracted": sorted(p.name for p in (working / "normalize" / "extracted").glob("*")),
            "normalized": sorted(p.name for p in (working / "load" / "normalized").glob("*")),
        }

    def loads(self) -> list[str]:
        rows = query(self.warehouse, f"select load_id from {DATASET}._dlt_loads order by 1")
        return [row[0] for row in rows]

    def orphans(self) -> dict[str, int]:
        """Rows per raw table whose load is not recorded as complete."""
        found = {}
        for table in TABLES:
            ((rows,),) = query(
                self.warehouse,
                f'select count(*) from {DATASET}."{table}" where _dlt_load_id not in '
                f"(select load_id from {DATASET}._dlt_loads where status = 0)",
            )
            if rows:
                found[table] = rows
        return found

    def holding(self, load_id: str) -> set[str]:
        """The raw tables with rows of ``load_id``."""
        return {
            table
            for (table,) in query(
                self.warehouse,
                "select table_name from information_schema.tables where table_schema = ? "
                "and table_name not like '\\_dlt%' escape '\\'",
                [DATASET],
            )
            if query(
                self.warehouse,
                f'select 1 from {DATASET}."{table}" where _dlt_load_id = ? limit 1',
                [load_id],
            )
        }


def finished(process: subprocess.Popen[str]) -> tuple[int, str]:
    """The exit status and standard error of a started process."""
    try:
        _, err = process.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return process.returncode, err


def last_line(err: str) -> str:
    """ARGO's own line: the last one (dlt and the sources log before it)."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "nothing on standard error"
    assert '  File "' not in err, f"a traceback: {err[-3000:]}"
    return lines[-1]


@pytest.fixture
def argo(tmp_path: Path, fake: Any) -> Argo:
    """A warehouse with one clean load of the source in it."""
    runner = Argo(tmp_path / "w", fake)
    status, err = runner.run("ingest", SOURCE)
    assert status == 0, err[-3000:]
    runner.baseline = raw_tables(runner.warehouse, SOURCE)
    return runner


@pytest.mark.parametrize("name", list(SIGNALS))
def test_a_signal_during_extract_stops_cleanly_and_commits_nothing(
    name: str, argo: Argo, faults: Faults
) -> None:
    number, code, said = SIGNALS[name]
    before, tables = argo.state(), raw_tables(argo.warehouse, SOURCE)
    faults.slow_next(1, seconds=6)
    process = argo.start("ingest", SOURCE)
    deadline = time.monotonic() + 60
    while "slow" not in faults.fired:
        assert process.poll() is None and time.monotonic() < deadline, finished(process)
        time.sleep(0.02)
    process.send_signal(number)
    status, err = finished(process)
    assert status == code
    assert last_line(err) == (
        f"argo ingest interrupted: {SOURCE}: stopped by {said} during the extract step; "
        "nothing of this run was committed: the raw tables and the incremental state are "
        "as before. What to do: run the same command again"
    )
    assert argo.state() == before
    assert raw_tables(argo.warehouse, SOURCE) == tables


@pytest.mark.parametrize("name", list(SIGNALS))
def test_a_signal_during_load_reports_the_tables_that_hold_the_load_and_blocks_transform(
    name: str, argo: Argo
) -> None:
    number, code, said = SIGNALS[name]
    complete = argo.loads()
    process = argo.start("ingest", SOURCE, **{PAUSE_AFTER: "2"})
    argo.paused(process)
    process.send_signal(number)
    status, err = finished(process)
    assert status == code
    line = last_line(err)
    assert line.startswith(
        f"argo ingest interrupted: {SOURCE}: stopped by {said} during the load step; load "
    )
    (load_id,) = argo.state()["normalized"]
    assert argo.loads() == complete, "the cut-short load is not recorded as complete"
    holding = argo.holding(load_id)
    assert len(holding) == 2, "two tables merged before the pause, none after"
    waiting = sorted(TABLES - holding)
    assert (
        f"load {load_id} is in {DATASET} only in part: 2 of 7 tables hold its rows "
        f"({', '.join(sorted(holding))}), 5 do not ({', '.join(waiting)}), so {DATASET} "
        "mixes two loads. What to do: run `argo ingest naver_searchad`: it finishes this load "
        "first (from the data it already has), then loads anew; until then `argo transform` "
        "refuses to build"
    ) in line
    assert_transform_refuses_until_ingest_finishes(argo, load_id, holding)


@pytest.mark.parametrize("merged", [3, 7])
def test_a_killed_load_blocks_transform_until_the_next_ingest_finishes_it(
    merged: int, argo: Argo
) -> None:
    """SIGKILL prints nothing: the next ``argo transform`` says what the load left."""
    process = argo.start("ingest", SOURCE, **{PAUSE_AFTER: str(merged)})
    argo.paused(process)
    process.kill()
    assert process.wait(timeout=30) == -signal.SIGKILL
    (load_id,) = argo.state()["normalized"]
    holding = argo.holding(load_id)
    assert len(holding) == merged
    assert load_id not in argo.loads()
    assert_transform_refuses_until_ingest_finishes(argo, load_id, holding)


def test_an_extracted_load_that_never_reached_the_warehouse_blocks_transform(
    argo: Argo, fake: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that died after extracting: its package and advanced state wait on disk."""
    monkeypatch.setenv(WAREHOUSE_ENV, str(argo.warehouse))
    dying = make_pipeline(SOURCE)
    dying.extract(SOURCES[SOURCE].factory()(**connector_options(SOURCE, fake)))
    (load_id,) = argo.state()["extracted"]
    del dying
    status, err = argo.run("transform", "--select", "stg_naver_searchad__campaigns")
    assert status == 1
    assert last_line(err) == (
        f"argo transform failed: refusing to build: {SOURCE} has an unfinished load ({SOURCE}: "
        f"load {load_id} has not reached {DATASET} (nothing of it is in the warehouse; its data "
        "waits in dlt's working folder)). What to do: run `argo ingest naver_searchad`, which "
        "finishes it first, then build again"
    )
    status, err = argo.run("ingest", SOURCE)
    assert status == 0, err[-3000:]
    assert load_id in argo.loads() and argo.orphans() == {}
    assert raw_tables(argo.warehouse, SOURCE) == argo.baseline


def test_a_failing_load_step_says_which_tables_hold_the_load(argo: Argo) -> None:
    status, err = argo.run(
        "ingest", SOURCE, **{PAUSE_AFTER: "2", FAIL_NEXT: "1", "LOAD__RAISE_ON_MAX_RETRIES": "1"}
    )
    assert status == 1
    line = last_line(err)
    (load_id,) = argo.state()["normalized"]
    holding = argo.holding(load_id)
    assert line.startswith(f"argo ingest failed: {SOURCE}: the load step failed: ")
    assert "No space left on device" in line
    assert f"2 of 7 tables hold its rows ({', '.join(sorted(holding))})" in line
    assert "What to do: fix the cause, then run `argo ingest naver_searchad`" in line
    assert_transform_refuses_until_ingest_finishes(argo, load_id, holding)


def test_a_signal_while_dlt_finishes_the_load_is_not_lost(argo: Argo) -> None:
    """dlt lets the running job finish and completes the load; the run still stops there."""
    process = argo.start("ingest", SOURCE, **{PAUSE_AFTER: "7"})
    argo.paused(process)
    process.send_signal(signal.SIGTERM)
    status, err = finished(process)
    assert status == 143
    (load_id,) = set(argo.loads()) - set(argo.loads()[:1])
    assert last_line(err) == (
        f"argo ingest interrupted: {SOURCE}: stopped by SIGTERM after its load was complete: "
        f"every table of it is in {DATASET} and recorded in {DATASET}._dlt_loads. Nothing "
        "to redo"
    )
    assert argo.holding(load_id) == TABLES
    assert argo.state()["normalized"] == []


def assert_transform_refuses_until_ingest_finishes(
    argo: Argo, load_id: str, holding: set[str]
) -> None:
    status, err = argo.run("transform", "--select", "stg_naver_searchad__campaigns")
    assert status == 1
    tables = ", ".join(sorted(holding))
    if holding == TABLES:  # every merge committed; dlt had not recorded the load yet
        state = (
            f"load {load_id} is in all 7 of its tables of {DATASET} ({tables}) but not "
            f"recorded as complete in {DATASET}._dlt_loads"
        )
    else:
        state = (
            f"load {load_id} is in {DATASET} only in part: {len(holding)} of 7 tables hold its "
            f"rows ({tables}), {7 - len(holding)} do not ({', '.join(sorted(TABLES - holding))})"
            f", so {DATASET} mixes two loads"
        )
    assert last_line(err) == (
        f"argo transform failed: refusing to build: {SOURCE} has an unfinished load "
        f"({SOURCE}: {state}). What to do: run `argo ingest naver_searchad`, which finishes it "
        "first, then build again"
    )
    status, err = argo.run("ingest", SOURCE)
    assert status == 0, err[-3000:]
    assert load_id in argo.loads(), "the cut-short load was finished and recorded"
    assert argo.orphans() == {}, "every row belongs to a load recorded as complete"
    assert argo.state()["normalized"] == [] and argo.state()["extracted"] == []
    assert raw_tables(argo.warehouse, SOURCE) == argo.baseline, "rows lost or doubled"


def test_a_signal_during_dbt_build_stops_it_with_one_line(argo: Argo) -> None:
    tables = raw_tables(argo.warehouse, SOURCE)
    run_results = argo.folder / "target" / "run_results.json"
    for name, (number, code, said) in SIGNALS.items():
        run_results.unlink(missing_ok=True)
        process = argo.start(
            "transform", "--select", "staging.naver_searchad", **{PAUSE_DBT_AFTER: "2"}
        )
        argo.paused(process)
        process.send_signal(number)
        status, err = finished(process)
        assert status == code, name
        assert last_line(err) == (
            f"argo transform interrupted: dbt build stopped by {said}: the raw tables are as "
            "they were; the models dbt had finished are built, the one it was building was "
            "rolled back and the rest are as they were; readers of `marts` still see the "
            "marts of the last build that passed every test (dbt's log: "
            f"{argo.folder / 'logs' / 'dbt.log'}). What to do: run `argo transform` again"
        )
        assert (argo.folder / "logs" / "dbt.log").exists()
        results = json.loads(run_results.read_text())["results"]
        assert len([r for r in results if r["status"] == "success"]) >= 2, name
    assert raw_tables(argo.warehouse, SOURCE) == tables
