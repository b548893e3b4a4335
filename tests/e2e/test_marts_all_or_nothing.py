"""Marts change all together or not at all: write, audit, publish (DECISIONLOG.md, 36).

A build writes the marts into the schema readers do not see and publishes them (the views
of ``marts``) only when everything succeeded. Here builds fail part way, by a failing data
test, a model error and a SIGKILL of ``argo transform``: every mart read through ``marts``
is then, row for row, what it was before; the next build that succeeds publishes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from argo.transform import (
    MARTS_BUILD_SCHEMAS,
    TransformError,
    dbt,
    marts_schema_for,
    published_marts_schema,
)
from ingestion import clock
from tests.marts_warehouse import INCREMENTAL_MARTS, last_build_notes, read_marts, state_rows
from tests.network_guard import guarded_env, refused_in_subprocesses

pytestmark = pytest.mark.e2e


def test_a_failing_data_test_leaves_every_mart_as_it_was(built: Path) -> None:
    before = read_marts(built)
    assert set(INCREMENTAL_MARTS) <= set(before) and all(before.values())
    # A currency no provider publishes: the marts are written with null rates, then the
    # tests on the rates fail (what the adversarial user saw half-published).
    with pytest.raises(TransformError) as failed:
        dbt(["build", "--vars", json.dumps({"reporting_currency": "XYZ"})])
    message = str(failed.value)
    assert "test.argo." in message and "(fail)" in message, message
    assert "The marts readers see are unchanged (marts -> marts__green)" in message
    assert published_marts_schema() == "marts__green"
    assert read_marts(built) == before, "a failed build changed what readers see"
    # It did write its marts, only where nobody reads them.
    written = _query(
        built, "select distinct reporting_currency_code from marts__blue.fct_ad_performance_daily"
    )
    assert written == [("XYZ",)]

    # The next build that succeeds publishes its marts, and all of them.
    dbt(["build", "--vars", json.dumps({"reporting_currency": "USD"})])
    assert published_marts_schema() == "marts__blue"
    after = read_marts(built)
    assert set(after) == set(before)
    for mart in INCREMENTAL_MARTS:
        codes = _query(built, f"select distinct reporting_currency_code from marts.{mart}")
        assert codes == [("USD",)], f"{mart}: {codes}"
    # The schema the failed build left is rebuilt in full, not continued from.
    notes = last_build_notes(built)
    assert set(INCREMENTAL_MARTS) < set(notes), notes
    assert all(
        note.startswith("built in full: its last build here") and "failed" in note
        for note in notes.values()
    ), notes


def test_a_model_error_leaves_every_mart_as_it_was(built: Path) -> None:
    before = read_marts(built)
    # A station id that breaks the SQL of dim_dates, a mart built after others.
    with pytest.raises(TransformError) as failed:
        dbt(["build", "--vars", json.dumps({"weather__primary_station": "10'8"})])
    message = str(failed.value)
    assert "model.argo.dim_dates (error)" in message, message
    assert published_marts_schema() == "marts__green"
    assert read_marts(built) == before


def argo_killed_at(guard: Path, marker: str, *args: str) -> list[str]:
    """Runs ``argo *args`` and SIGKILLs it at the first line of its output with ``marker``.

    dbt's own lines (``marker``) are printed with ``-v`` only: give it in ``args``.

    Returns what it printed; fails if it ended before printing ``marker``.
    """
    env = guarded_env(guard) | {clock.NOW_ENV: clock.now().isoformat()}
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("argo")), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            seen.append(line)
            if marker in line:
                process.kill()
                break
    finally:
        process.kill()
        process.wait(timeout=60)
    assert process.returncode == -9, "".join(seen[-20:])
    return seen


def argo(guard: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``argo *args`` as a user runs it, at the tests' instant."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("argo")), *args],
        env=guarded_env(guard) | {clock.NOW_ENV: clock.now().isoformat()},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_a_killed_transform_leaves_every_mart_as_it_was(built: Path, tmp_path: Path) -> None:
    """SIGKILL of `argo transform --full-refresh` once it has written an incremental mart."""
    before = read_marts(built)
    guard = tmp_path / "guard"
    argo_killed_at(
        guard, "OK created sql incremental model marts__blue.", "-v", "transform", "--full-refresh"
    )
    assert published_marts_schema() == "marts__green"
    assert read_marts(built) == before, "a killed build changed what readers see"
    assert refused_in_subprocesses(guard) == []

    # The next run rebuilds what the killed one started in full, and publishes.
    dbt(["build"])
    assert published_marts_schema() == "marts__blue"
    notes = last_build_notes(built)
    assert set(INCREMENTAL_MARTS) < set(notes), notes
    assert all("did not finish" in note for note in notes.values()), notes
    assert read_marts(built) == before  # the same data, built again


def test_a_transform_killed_in_the_seed_phase_is_repaired_by_the_next(
    built: Path, tmp_path: Path
) -> None:
    """SIGKILL of `argo transform --full-refresh` while it reloads the seeds.

    A full refresh drops each seed and loads it again; killed in between, a seed is gone
    from `seeds` (and the views of staging that read it fail). Readers still see every
    mart as before; the next plain `argo transform` loads the seeds again, rebuilds the
    marts the killed run had started in full, and publishes the same marts.
    """
    before = read_marts(built)
    guard = tmp_path / "guard"
    seen = argo_killed_at(guard, "START seed file seeds.", "-v", "transform", "--full-refresh")
    assert not any("model marts__" in line for line in seen), "killed after the seeds"
    assert published_marts_schema() == "marts__green"
    assert read_marts(built) == before, "a killed build changed what readers see"

    done = argo(guard, "transform")
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert "published marts__blue" in done.stdout  # the summary line (dbt is quiet)
    assert published_marts_schema() == "marts__blue"
    notes = last_build_notes(built)
    assert set(INCREMENTAL_MARTS) < set(notes), notes
    assert all("did not finish" in n for n in notes.values()), notes
    assert read_marts(built) == before  # the same data, built again
    seeds = {
        name
        for (name,) in _query(
            built, "select table_name from information_schema.tables where table_schema = 'seeds'"
        )
    }
    assert {"ad_conversion_types", "currency_codes"} <= seeds, seeds
    assert refused_in_subprocesses(guard) == []


def test_a_build_into_the_published_schema_is_refused(built: Path) -> None:
    """Plain `dbt build` with the schema readers see: refused before anything is built."""
    started = len(state_rows(built, "started"))
    for schema, said in (
        ("marts__green", "readers see the marts of marts__green"),
        ("marts", "the schema readers read"),
    ):
        with pytest.raises(TransformError, match=said):
            dbt(["build"], marts_schema=schema)
    assert len(state_rows(built, "started")) == started
    assert published_marts_schema() == "marts__green"
    assert marts_schema_for("build") == "marts__blue"


def test_a_selection_builds_but_does_not_publish(
    built: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    before = read_marts(built)
    dbt(["build", "--select", "dim_ads"])
    said = capfd.readouterr().out
    assert "argo: not published, readers of `marts` still see marts__green" in said
    assert published_marts_schema() == "marts__green"
    assert read_marts(built) == before
    assert MARTS_BUILD_SCHEMAS == ("marts__blue", "marts__green")


def _query(path: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(path)) as con:
        return con.execute(sql).fetchall()
