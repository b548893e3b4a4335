"""A run killed between extract and load loses nothing and doubles nothing, for every source.

The first run extracts and normalises (the load package and the advanced incremental
state are on disk) and dies before loading. The next run, a normal scheduled one that
starts from the incremental state, must leave the raw tables exactly as one clean run
into a fresh warehouse leaves them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from argo.pipeline import make_pipeline, run_source
from argo.settings import WAREHOUSE_ENV
from ingestion.registry import SOURCES
from ingestion.sandbox import World
from ingestion.sandbox.registry import start_fake
from tests.conftest import FAST, query

pytestmark = pytest.mark.e2e

#: Columns that differ between two loads of the same data.
LOAD_COLUMNS = {"_dlt_load_id", "_dlt_id", "_loaded_at"}


def raw_tables(path: Path, source: str) -> dict[str, Counter[tuple[Any, ...]]]:
    """Every raw table of ``source`` as a multiset of rows, load columns left out."""
    found = {}
    tables = query(
        path,
        "select table_name from information_schema.tables where table_schema = ? "
        "and table_name not like '\\_dlt%' escape '\\'",
        [f"raw_{source}"],
    )
    for (table,) in tables:
        columns = [
            c
            for (c,) in query(
                path,
                "select column_name from information_schema.columns where table_schema = ? "
                "and table_name = ? order by ordinal_position",
                [f"raw_{source}", table],
            )
            if c not in LOAD_COLUMNS
        ]
        names = ", ".join(f'"{c}"' for c in columns)
        found[table] = Counter(query(path, f'select {names} from raw_{source}."{table}"'))
    return found


@pytest.mark.parametrize("source", list(SOURCES))
def test_killed_between_extract_and_load_then_caught_up(
    source: str, world: World, warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = start_fake(source, world)
    try:
        options = {**fake.source_options(), **FAST}
        # the run that dies: extract and normalise, then nothing (the process is gone)
        dying = make_pipeline(source)
        dying.extract(SOURCES[source].factory()(**options))
        dying.normalize()
        assert dying.list_normalized_load_packages(), "a package waits to be loaded"
        del dying
        # the next run, as the scheduler would start it: from the incremental state, which
        # the dying run advanced (its package, never loaded, holds the days before it)
        scheduled = {k: v for k, v in options.items() if k != "start_date"}
        caught_up = run_source(source, **scheduled)
        # a clean run of the same data into a fresh warehouse, for comparison
        monkeypatch.setenv(WAREHOUSE_ENV, str(tmp_path / "clean" / "argo.duckdb"))
        run_source(source, **options)
    finally:
        fake.stop()
    after_crash = raw_tables(warehouse, source)
    clean = raw_tables(tmp_path / "clean" / "argo.duckdb", source)
    assert after_crash.keys() == clean.keys() and clean
    for table, rows in clean.items():
        assert after_crash[table] == rows, f"{source}.{table}: rows lost or doubled"
    assert sum(caught_up.rows.values()) > 0


@pytest.mark.parametrize("source", list(SOURCES))
def test_repeated_overlapping_and_out_of_order_runs_equal_one_run(
    source: str, world: World, warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Later days first, then the whole range, then the same again: no row doubled or lost."""
    fake = start_fake(source, world)
    try:
        options = {**fake.source_options(), **FAST}
        later = (world.first_day + (world.as_of - world.first_day) / 2).isoformat()
        run_source(source, **{**options, "start_date": later})  # the newer half first
        run_source(source, **options)  # then all of it: overlapping, out of order
        run_source(source, **options)  # and the same run again
        monkeypatch.setenv(WAREHOUSE_ENV, str(tmp_path / "clean" / "argo.duckdb"))
        run_source(source, **options)
    finally:
        fake.stop()
    repeated = raw_tables(warehouse, source)
    clean = raw_tables(tmp_path / "clean" / "argo.duckdb", source)
    assert repeated.keys() == clean.keys() and clean
    for table, rows in clean.items():
        assert repeated[table] == rows, f"{source}.{table}: rows lost or doubled"
