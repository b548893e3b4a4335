"""Every mart of a warehouse, saved and compared row for row (refactors keep the marts).

    ARGO_NOW=2026-11-20T01:30:00Z uv run argo demo --warehouse /tmp/before/argo.duckdb --no-docs
    uv run python -m tests.marts_snapshot save /tmp/before/argo.duckdb /tmp/marts-before
    ... change the models ...
    ARGO_NOW=2026-11-20T01:30:00Z uv run argo demo --warehouse /tmp/after/argo.duckdb --no-docs
    uv run python -m tests.marts_snapshot compare /tmp/after/argo.duckdb /tmp/marts-before

``ARGO_NOW`` pins the sandbox world's today, so both demos load the same raw data. A mart
is every table of the ``marts`` schema; its rows are compared as a multiset over the
columns both sides have (a column added or dropped is reported, not compared).
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables of the ``marts`` schema."""
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    ).fetchall()
    return [name for (name,) in rows]


def save(warehouse: Path, folder: Path) -> None:
    """Writes every mart of ``warehouse`` to ``folder/<mart>.parquet``."""
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for name in marts(con):
            target = str(folder / f"{name}.parquet").replace("'", "''")
            con.execute(f"copy marts.{name} to '{target}' (format parquet)")
            print(f"saved marts.{name}")


def compare(warehouse: Path, folder: Path) -> int:
    """Compares every mart of ``warehouse`` with the saved ones; returns the differences."""
    differences = 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        now = set(marts(con))
        saved = {p.stem for p in folder.glob("*.parquet")}
        for name in sorted(saved - now):
            print(f"marts.{name}: missing now")
            differences += 1
        for name in sorted(now - saved):
            print(f"marts.{name}: new (not compared)")
        for name in sorted(now & saved):
            path = str(folder / f"{name}.parquet").replace("'", "''")
            schema = con.execute(
                f"select name from parquet_schema('{path}') where num_children is null"
            )
            before = {c for (c,) in schema.fetchall()}
            after = {
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'marts' and table_name = ?",
                    [name],
                ).fetchall()
            }
            common = sorted(before & after)
            columns = ", ".join(f'"{c}"' for c in common)
            old = f"(select {columns} from read_parquet('{path}'))"
            new = f"(select {columns} from marts.{name})"
            (gone,) = con.execute(f"select count(*) from ({old} except all {new})").fetchone()
            (added,) = con.execute(f"select count(*) from ({new} except all {old})").fetchone()
            (rows,) = con.execute(f"select count(*) from marts.{name}").fetchone()
            extra = ""
            if before != after:
                added_columns, dropped = sorted(after - before), sorted(before - after)
                extra = f"; columns added {added_columns}, dropped {dropped}"
            state = "identical" if gone == added == 0 else f"{gone} rows gone, {added} new"
            print(f"marts.{name}: {rows:,} rows, {state}{extra}")
            differences += int(gone != 0 or added != 0)
    return differences


def main(argv: list[str]) -> int:
    """``save WAREHOUSE FOLDER`` or ``compare WAREHOUSE FOLDER``."""
    if len(argv) != 3 or argv[0] not in ("save", "compare"):
        print(__doc__)
        return 2
    warehouse, folder = Path(argv[1]), Path(argv[2])
    if argv[0] == "save":
        save(warehouse, folder)
        return 0
    return 1 if compare(warehouse, folder) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
