"""The demo as a user runs it: every source loaded, ``dbt build`` passes every data and unit
test, the docs site is built, and nothing left the machine.

The demo itself is the session's :func:`~tests.e2e.conftest.demo` (built once; the secrets
scan and the browser tests read the same warehouse and site).
"""

from __future__ import annotations

import json
import re

import pytest

from argo.transform import docs_site_ready
from bench.transform import FACT_DAYS
from ingestion.registry import SOURCES
from tests.conftest import query
from tests.e2e.conftest import Demo
from tests.network_guard import refused_in_subprocesses

pytestmark = pytest.mark.e2e


def test_the_demo_builds_every_model_and_passes_every_data_and_unit_test(demo: Demo) -> None:
    # the build's own results (docs generate writes its own run_results.json after it)
    build = [
        line for line in demo.out.splitlines() if re.search(r"^  transform: .*\bPASS=\d+", line)
    ]
    assert build, f"no dbt build summary in the demo's output: {demo.out[-2000:]}"
    counts = dict(re.findall(r"(PASS|WARN|ERROR|SKIP|NO-OP)=(\d+)", build[0]))
    assert counts["ERROR"] == "0" and counts["SKIP"] == "0", build[0]
    manifest = json.loads((demo.target / "manifest.json").read_text())
    unit_tests, data_tests = (
        manifest["unit_tests"],
        [n for n in manifest["nodes"].values() if n["resource_type"] == "test"],
    )
    assert unit_tests and len(data_tests) > 100
    assert int(counts["PASS"]) + int(counts["WARN"]) >= len(unit_tests) + len(data_tests)
    for source in SOURCES:
        assert f"  {source} -> raw_{source}: " in demo.out, f"{source} was not loaded"
    ((rows,),) = query(demo.warehouse, "select count(*) from marts.rpt_campaign_performance_daily")
    assert rows > 1000
    assert refused_in_subprocesses(demo.guard) == []


def test_the_demo_writes_the_self_contained_docs_site(demo: Demo) -> None:
    assert docs_site_ready(demo.target)
    assert (demo.target / "catalog.json").exists()


def test_the_demo_speaks_in_lines_and_v_keeps_dlts_and_dbts_own_in_the_log_file(
    demo: Demo,
) -> None:
    """What the demo prints (captured: not a terminal, so no live line) stays short.

    The session's demo runs with ``-v``: its standard output is what a run without ``-v``
    prints (one line per source or step, the summary tables), and dlt's progress blocks,
    the sources' INFO lines and dbt's per-node lines go to standard error and the log file.
    """
    lines = demo.out.splitlines()
    assert len(lines) <= 60, f"{len(lines)} lines:\n{demo.out}"
    assert "\r" not in demo.out
    assert not any(line.startswith("---") or "Memory usage" in line for line in lines)
    assert re.search(r"^step +seconds +what it did$", demo.out, re.MULTILINE)
    log = demo.logs / "argo.log"
    assert f"Log (dlt's and dbt's own lines): {log}" in demo.out
    kept = log.read_text()
    assert "Extract meta_ads" in kept and "Memory usage" in kept  # dlt's progress blocks
    assert re.search(r"INFO dbt: .*OK created", kept), "dbt's per-node lines"
    assert "DEBUG" in kept
    assert "OK created" in (demo.logs / "dbt.log").read_text(), "dbt keeps its own log whole"


def test_every_daily_raw_table_carries_its_month_partition_for_athena(demo: Demo) -> None:
    """dlt's stored schema of each dataset: the hint the Athena destination creates from.

    The bench's Athena scan model (bench/athena_daily.py) prunes exactly these tables.
    """
    found: dict[str, str] = {}
    for source in SOURCES:
        ((stored,),) = query(
            demo.warehouse,
            f"select schema from raw_{source}._dlt_version order by version desc limit 1",
        )
        for name, table in json.loads(stored)["tables"].items():
            for column, template in (table.get("x-athena-partition") or {}).items():
                assert template == "month({column_name})", (source, name, template)
                found[f"raw_{source}.{name}"] = column
    assert found == FACT_DAYS
