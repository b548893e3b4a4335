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
from ingestion.registry import SOURCES
from tests.conftest import query
from tests.e2e.conftest import Demo
from tests.network_guard import refused_in_subprocesses

pytestmark = pytest.mark.e2e


def test_the_demo_builds_every_model_and_passes_every_data_and_unit_test(demo: Demo) -> None:
    # the build's own results (docs generate writes its own run_results.json after it)
    build = [line for line in demo.out.splitlines() if re.search(r"\bDone\. PASS=\d+", line)]
    assert build, f"no dbt build summary in the demo's output: {demo.out[-2000:]}"
    counts = dict(re.findall(r"(PASS|WARN|ERROR|SKIP|NO-OP|TOTAL)=(\d+)", build[0]))
    assert counts["ERROR"] == "0" and counts["SKIP"] == "0", build[0]
    manifest = json.loads((demo.target / "manifest.json").read_text())
    unit_tests, data_tests = (
        manifest["unit_tests"],
        [n for n in manifest["nodes"].values() if n["resource_type"] == "test"],
    )
    assert unit_tests and len(data_tests) > 100
    assert int(counts["PASS"]) + int(counts["WARN"]) >= len(unit_tests) + len(data_tests)
    for source in SOURCES:
        assert f"  {source} -> raw_{source}: " in demo.err, f"{source} was not loaded"
    ((rows,),) = query(demo.warehouse, "select count(*) from marts.rpt_campaign_performance_daily")
    assert rows > 1000
    assert refused_in_subprocesses(demo.guard) == []


def test_the_demo_writes_the_self_contained_docs_site(demo: Demo) -> None:
    assert docs_site_ready(demo.target)
    assert (demo.target / "catalog.json").exists()
