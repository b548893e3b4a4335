"""A day the platform restates to nothing is emptied in raw (shared by every daily source)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from argo.pipeline import run_source
from ingestion.sandbox import World
from tests.conftest import query


def rows_by_day(warehouse: Path, dataset: str, table: str, column: str) -> dict[date, int]:
    rows = query(warehouse, f"select {column}, count(*) from {dataset}.{table} group by 1")
    return dict(rows)


def check_day_restated_to_nothing(
    source: str,
    world: World,
    options: dict[str, Any],
    warehouse: Path,
    day_columns: dict[str, str],
    platform: str | None = None,
) -> None:
    """Loads, restates the busiest day to no delivery, re-reads that day: it is gone.

    Args:
        day_columns: Each daily table -> its date column (the first one must have rows).
        platform: The platform whose day is restated (``None``: every platform).
    """
    dataset = f"raw_{source}"
    run_source(source, **options)
    before = {t: rows_by_day(warehouse, dataset, t, c) for t, c in day_columns.items()}
    first = next(iter(day_columns))
    day = max(before[first], key=lambda d: (before[first][d], d))
    world.restate_to_nothing(day, platform)
    again = {**options, "start_date": day.isoformat(), "end_date": day.isoformat()}
    run_source(source, **again)
    for table, column in day_columns.items():
        after = rows_by_day(warehouse, dataset, table, column)
        assert day not in after, f"{table}: {after.get(day)} rows of the restated day {day}"
        assert after == {d: n for d, n in before[table].items() if d != day}, table
        flagged = query(warehouse, f"select count(*) from {dataset}.{table} where _deleted")
        assert flagged == [(0,)], f"{table}: a tombstone was loaded"
