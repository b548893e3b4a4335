"""A run killed between extract and load loses nothing and doubles nothing, for every source.

The first run extracts and normalises (the load package and the advanced incremental
state are on disk) and dies before loading. The next run, a normal scheduled one that
starts from the incremental state, must leave the raw tables exactly as one clean run
into a fresh warehouse leaves them.

That clean run is the same for both tests of a source (the same world, the same
options): it runs once per source, in whichever of the two comes first (they share a
pytest-xdist worker), and the other compares with its tables.
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
from tests.conftest import fast, query

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


#: Source -> the raw tables of one clean run of the ``world`` fixture's data.
_CLEAN: dict[str, dict[str, Counter[tuple[Any, ...]]]] = {}


def clean_run(source: str, options: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The raw tables of one run of ``options`` into a fresh warehouse (once per source)."""
    if source not in _CLEAN:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(WAREHOUSE_ENV, str(folder / "clean" / "argo.duckdb"))
            run_source(source, **options)
        _CLEAN[source] = raw_tables(folder / "clean" / "argo.duckdb", source)
    return _CLEAN[source]


def sources() -> list[Any]:
    """Every source; both tests of a source run in one worker (they share the clean run)."""
    return [pytest.param(s, marks=pytest.mark.xdist_group(f"crash-{s}")) for s in SOURCES]


@pytest.mark.parametrize("source", sources())
def test_killed_between_extract_and_load_then_caught_up(
    source: str, world: World, warehouse: Path, tmp_path: Path
) -> None:
    fake = start_fake(source, world)
    try:
        options = fast(source, fake)
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
        clean = clean_run(source, options, tmp_path)
    finally:
        fake.stop()
    after_crash = raw_tables(warehouse, source)
    assert after_crash.keys() == clean.keys() and clean
    for table, rows in clean.items():
        assert after_crash[table] == rows, f"{source}.{table}: rows lost or doubled"
    assert sum(caught_up.rows.values()) > 0


@pytest.mark.parametrize("source", sources())
def test_repeated_overlapping_and_out_of_order_runs_equal_one_run(
    source: str, world: World, warehouse: Path, tmp_path: Path
) -> None:
    """Later days first, then the whole range, then the same again: no row doubled or lost."""
    fake = start_fake(source, world)
    try:
        options = fast(source, fake)
        later = (world.first_day + (world.as_of - world.first_day) / 2).isoformat()
        run_source(source, **{**options, "start_date": later})  # the newer half first
        run_source(source, **options)  # then all of it: overlapping, out of order
        run_source(source, **options)  # and the same run again
        clean = clean_run(source, options, tmp_path)
    finally:
        fake.stop()
    repeated = raw_tables(warehouse, source)
    assert repeated.keys() == clean.keys() and clean
    for table, rows in clean.items():
        assert repeated[table] == rows, f"{source}.{table}: rows lost or doubled"
