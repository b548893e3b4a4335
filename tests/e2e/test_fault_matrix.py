"""Every fault, every source: recover and load exactly what was served, or fail clearly and
leave the warehouse and the incremental state as they were, so the next run catches up.

The faults tried (the fakes' switches, ``ingestion/sandbox/faults.py``):

=================  ===========================================================
throttle           HTTP 429 with ``Retry-After`` on the next 2 requests
5xx burst          HTTP 503 on the next 3 requests
timeout            the next request answers after the client's timeout
truncated          the next 2 successful answers are cut in half (JSON/CSV/TSV)
platform limit     the API's own rate-limit answer on the next request
report job fails   the next report job ends in error (APIs with report jobs)
report job stalls  the next report job never finishes (answers "running" forever)
token expires      every token stops working after 3 requests, mid-run
=================  ===========================================================

Each source runs first without faults into the warehouse (history). Then the world
advances a day and the faulty run follows. If it succeeds, the raw tables must equal
those of a clean history-plus-update run. If it fails, the message must name the source
and say what to do, and the raw tables and the incremental state must be exactly as
before; a rerun without the fault must then equal the clean run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from argo.pipeline import IngestError, make_pipeline, run_source
from argo.settings import WAREHOUSE_ENV
from ingestion import clock
from ingestion.registry import SOURCES
from ingestion.sandbox import Faults, World, WorldConfig
from ingestion.sandbox.registry import start_fake
from tests.e2e.test_crash_recovery import raw_tables

TIMEOUT = 0.5
#: Sources whose API builds reports as jobs, and how long they wait for one here.
REPORT_JOB_SOURCES = ("meta_ads", "naver_searchad")
ASYNC_TIMEOUT = 1.0

FAULTS: dict[str, Callable[[Faults], None]] = {
    "throttle": lambda f: f.throttle_next(2, retry_after=0),
    "5xx burst": lambda f: f.fail_next(3, status=503),
    "timeout": lambda f: f.slow_next(1, seconds=TIMEOUT + 0.5),
    "truncated": lambda f: f.truncate_next(2),
    "platform limit": lambda f: f.rate_limit_next(1),
    "report job fails": lambda f: f.async_fail_next(1),
    "report job stalls": lambda f: f.async_stall_next(1),
    "token expires": lambda f: f.expire_token_after(3),
}


def state_of(source: str) -> str:
    """The incremental state the next run of ``source`` would start from."""
    pipeline = make_pipeline(source)
    return json.dumps(pipeline.state.get("sources", {}), sort_keys=True, default=str)


def options_of(fake: Any, source: str) -> dict[str, Any]:
    options = {
        **fake.source_options(),
        "backoff_factor": 0.01,
        "async_poll_interval": 0.01,
        "max_attempts": 6,
        "request_timeout": TIMEOUT,
    }
    if source in REPORT_JOB_SOURCES:
        options["async_timeout"] = ASYNC_TIMEOUT
    return options


def new_world() -> World:
    """A small world; every call gives the same one (the reference and the faulty run)."""
    as_of = clock.today() - timedelta(days=3)
    return World(WorldConfig(seed=11, scale=0.15, history_days=12, as_of=as_of))


_CLEAN: dict[str, dict[str, Any]] = {}


def clean_tables(source: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The raw tables after a fault-free history and update (computed once per source)."""
    if source not in _CLEAN:
        path = folder / f"clean_{source}" / "argo.duckdb"
        with monkeypatch.context() as patch:
            patch.setenv(WAREHOUSE_ENV, str(path))
            clean_run(new_world(), source)
        _CLEAN[source] = raw_tables(path, source)
    return _CLEAN[source]


def clean_run(world: World, source: str) -> None:
    """The history, then a day later the update, without faults."""
    fake = start_fake(source, world)
    try:
        options = options_of(fake, source)
        run_source(source, **options)
        world.advance(1)
        run_source(source, **{k: v for k, v in options.items() if k != "start_date"})
    finally:
        fake.stop()


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("source", list(SOURCES))
def test_fault_recovers_or_fails_cleanly(
    source: str,
    fault: str,
    warehouse: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clean = clean_tables(source, tmp_path_factory.getbasetemp(), monkeypatch)
    # the same with the fault
    world = new_world()
    fake = start_fake(source, world)
    try:
        options = options_of(fake, source)
        run_source(source, **options)
        world.advance(1)
        update = {k: v for k, v in options.items() if k != "start_date"}
        before_tables, before_state = raw_tables(warehouse, source), state_of(source)
        FAULTS[fault](fake.faults)
        fired: set[str] = set()
        try:
            run_source(source, **update)
        except IngestError as exc:
            text = str(exc)
            assert source in text, f"the error names the source: {text}"
            assert re.search(r"(?i)what to do|run again|check |set |wait", text), (
                f"the error says what to do: {text}"
            )
            assert raw_tables(warehouse, source) == before_tables, "nothing half-written"
            assert state_of(source) == before_state, "the incremental state did not move"
            fired.update(fake.faults.fired)
            fake.faults.reset()
            run_source(source, **update)  # the next run catches up
        if fault.startswith("report job") and source in REPORT_JOB_SOURCES:
            fired.update(fake.faults.fired)
            assert {"async_fail", "async_stall"} & fired, "the report-job fault fired"
        recovered = raw_tables(warehouse, source)
    finally:
        fake.stop()
    assert recovered.keys() == clean.keys()
    for table, rows in clean.items():
        assert recovered[table] == rows, f"{source}.{table} after {fault}: rows lost or doubled"
