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
before; a rerun without the fault must then equal the clean run. Either way the fault
must have fired: a case whose switch the fake never acts on tests nothing, so there is
none (the report-job faults only for the APIs with report jobs, the expiring token only
for the sources whose update makes more than 3 requests).

The history is the same fault-free run for every fault of a source: it runs once per
source, and each case starts from a copy of its warehouse and dlt state.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
from tests.conftest import fast
from tests.e2e.test_crash_recovery import raw_tables

pytestmark = pytest.mark.e2e

TIMEOUT = 0.5
#: Sources whose API builds reports as jobs, and how long they wait for one here.
REPORT_JOB_SOURCES = ("meta_ads", "naver_searchad")
ASYNC_TIMEOUT = 1.0


#: Sources whose scheduled update makes 3 requests or fewer (Adjust 1, weather 2, the plan
#: sheet 2: a token and one batchGet): a token
#: that expires after 3 requests never expires in their run.
FEW_REQUESTS = ("adjust", "weather", "google_sheets")


@dataclass(frozen=True)
class Fault:
    """A fault switch, and what the fake records in ``Faults.fired`` when it acts on it."""

    inject: Callable[[Faults], None]
    fired: str
    #: Whether the fault can fire in ``source``'s update at all.
    can_fire: Callable[[str], bool] = lambda source: True


FAULTS: dict[str, Fault] = {
    "throttle": Fault(lambda f: f.throttle_next(2, retry_after=0), "throttle"),
    "5xx burst": Fault(lambda f: f.fail_next(3, status=503), "fail"),
    "timeout": Fault(lambda f: f.slow_next(1, seconds=TIMEOUT + 0.5), "slow"),
    "truncated": Fault(lambda f: f.truncate_next(2), "truncate"),
    "platform limit": Fault(lambda f: f.rate_limit_next(1), "rate_limit"),
    "report job fails": Fault(
        lambda f: f.async_fail_next(1), "async_fail", lambda s: s in REPORT_JOB_SOURCES
    ),
    "report job stalls": Fault(
        lambda f: f.async_stall_next(1), "async_stall", lambda s: s in REPORT_JOB_SOURCES
    ),
    "token expires": Fault(
        lambda f: f.expire_token_after(3), "expire_token", lambda s: s not in FEW_REQUESTS
    ),
}


def cases() -> Iterator[Any]:
    """Every (source, fault) where the fault fires.

    A switch the source's fake never acts on (a report job on an API without report jobs,
    a token expiring after more requests than the run makes) injects nothing: the run is
    a fault-free update, which is the clean reference already. Those pairs are not cases,
    and each case checks that its fault fired, so a pair that stops firing is caught.
    """
    for source in SOURCES:
        for fault, spec in FAULTS.items():
            if spec.can_fire(source):
                group = pytest.mark.xdist_group(f"faults-{source}")  # one history per source
                yield pytest.param(source, fault, id=f"{source}-{fault}", marks=group)


def state_of(source: str) -> str:
    """The incremental state the next run of ``source`` would start from."""
    pipeline = make_pipeline(source)
    return json.dumps(pipeline.state.get("sources", {}), sort_keys=True, default=str)


def options_of(fake: Any, source: str) -> dict[str, Any]:
    options = fast(source, fake, max_attempts=6, request_timeout=TIMEOUT)
    if source in REPORT_JOB_SOURCES:
        options["async_timeout"] = ASYNC_TIMEOUT
    return options


def without_start(options: dict[str, Any]) -> dict[str, Any]:
    """The options of the update: a scheduled run, which starts from the incremental state."""
    return {k: v for k, v in options.items() if k != "start_date"}


def new_world() -> World:
    """A small world; every call gives the same one (the reference and the faulty run)."""
    as_of = clock.today() - timedelta(days=3)
    return World(WorldConfig(seed=11, scale=0.15, history_days=12, as_of=as_of))


@dataclass(frozen=True)
class Reference:
    """A source's fault-free history (a folder: warehouse and dlt state), and the raw
    tables after the fault-free update that follows it."""

    history: Path
    clean: dict[str, Any]


_REFERENCES: dict[str, Reference] = {}


def reference(source: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Reference:
    """The history and the clean tables of ``source`` (run once per source and process)."""
    if source not in _REFERENCES:
        history = folder / f"history_{source}"
        work = folder / f"clean_{source}"
        world = new_world()
        fake = start_fake(source, world)
        try:
            with monkeypatch.context() as patch:
                patch.setenv(WAREHOUSE_ENV, str(work / "argo.duckdb"))
                options = options_of(fake, source)
                run_source(source, **options)
                shutil.copytree(work, history)
                world.advance(1)
                run_source(source, **without_start(options))
        finally:
            fake.stop()
        _REFERENCES[source] = Reference(history, raw_tables(work / "argo.duckdb", source))
    return _REFERENCES[source]


@pytest.mark.parametrize(("source", "fault"), list(cases()))
def test_fault_recovers_or_fails_cleanly(
    source: str,
    fault: str,
    warehouse: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ref = reference(source, tmp_path_factory.getbasetemp(), monkeypatch)
    # the same history, then the update with the fault
    shutil.copytree(ref.history, warehouse.parent)
    world = new_world()
    world.advance(1)
    fake = start_fake(source, world)
    try:
        update = without_start(options_of(fake, source))
        before_tables, before_state = raw_tables(warehouse, source), state_of(source)
        FAULTS[fault].inject(fake.faults)
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
            assert FAULTS[fault].fired in fake.faults.fired, f"{fault} fired"
            fake.faults.reset()
            run_source(source, **update)  # the next run catches up
        else:
            assert FAULTS[fault].fired in fake.faults.fired, f"{fault} fired"
        recovered = raw_tables(warehouse, source)
    finally:
        fake.stop()
    assert recovered.keys() == ref.clean.keys()
    for table, rows in ref.clean.items():
        assert recovered[table] == rows, f"{source}.{table} after {fault}: rows lost or doubled"


def test_the_report_job_sources_are_the_fakes_with_report_jobs() -> None:
    """A new source whose fake serves report jobs gets the report-job cases too."""
    with_jobs = {
        name
        for name, spec in SOURCES.items()
        if "take_async_failure"
        in inspect.getsource(importlib.import_module(spec.fake.split(":")[0]))
    }
    assert with_jobs == set(REPORT_JOB_SOURCES)
