"""Check the hand-written campaign report query against the mart dbt built.

``bench/rpt_campaign_performance_daily.sql`` computes ``marts.rpt_campaign_performance_daily``
in one DuckDB statement from the raw tables and the seed CSVs. This script runs it into a
temporary table of a warehouse that dbt has built, and compares the two tables:

* the column names and their order must be the same;
* the rows must be the same, both ways (``EXCEPT ALL``, so duplicated rows count), after
  normalising values: floating point columns rounded to 6 decimals, every other numeric
  column compared as a number (cast to one decimal type), the rest as they are.

Usage: ``uv run python bench/check_handwritten.py WAREHOUSE [--seeds-dir DIR] [--repeat N]``
(the warehouse is opened read-write: the result lands in a temporary table only).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import duckdb

BENCH_DIR = Path(__file__).resolve().parent
QUERY_PATH = BENCH_DIR / "rpt_campaign_performance_daily.sql"
DEFAULT_SEEDS_DIR = BENCH_DIR.parent / "seeds"
MART = "marts.rpt_campaign_performance_daily"
RESULT_TABLE = "handwritten_rpt_campaign_performance_daily"
FLOAT_DECIMALS = 6
SHOWN_ROWS = 20

FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")
NUMBER_TYPES = (
    "DECIMAL",
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
)


def load_query(seeds_dir: Path | str) -> str:
    """The hand-written query with ``{seeds_dir}`` replaced by ``seeds_dir``."""
    seeds = Path(seeds_dir).resolve().as_posix().replace("'", "''")
    return QUERY_PATH.read_text(encoding="utf-8").replace("{seeds_dir}", seeds)


def materialize(con: duckdb.DuckDBPyConnection, seeds_dir: Path | str) -> float:
    """Run the query into the temporary result table; return the seconds it took."""
    query = load_query(seeds_dir)
    started = time.perf_counter()
    con.execute(f"create or replace temp table {RESULT_TABLE} as\n{query}")
    return time.perf_counter() - started


def columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    """(name, type) of each column of ``relation``, in order."""
    cursor = con.execute(f"describe {relation}")
    return [(str(row[0]), str(row[1])) for row in cursor.fetchall()]


def normalised_select(relation: str, schema: list[tuple[str, str]]) -> str:
    """``select`` of ``relation`` with floats rounded and other numbers cast to decimal."""
    expressions = []
    for name, data_type in schema:
        quoted = f'"{name}"'
        base_type = data_type.split("(")[0].upper()
        if base_type in FLOAT_TYPES:
            expressions.append(f"round({quoted}, {FLOAT_DECIMALS}) as {quoted}")
        elif base_type in NUMBER_TYPES:
            expressions.append(f"cast({quoted} as decimal(38, 10)) as {quoted}")
        else:
            expressions.append(quoted)
    return f"select {', '.join(expressions)} from {relation}"


def count_rows(con: duckdb.DuckDBPyConnection, relation: str) -> int:
    """Number of rows of ``relation``."""
    row = con.execute(f"select count(*) from {relation}").fetchone()
    return int(row[0]) if row else 0


def one_way(con: duckdb.DuckDBPyConnection, left: str, right: str, label: str) -> list[str]:
    """Rows of the normalised ``left`` select missing from ``right`` (``EXCEPT ALL``)."""
    cursor = con.execute(f"select * from ({left} except all {right}) as missing")
    names = [description[0] for description in cursor.description or []]
    rows = cursor.fetchall()
    if not rows:
        return []
    differences = [f"{len(rows)} row(s) {label}"]
    for row in sorted(rows, key=repr)[:SHOWN_ROWS]:
        differences.append("  " + ", ".join(f"{n}={v!r}" for n, v in zip(names, row, strict=True)))
    if len(rows) > SHOWN_ROWS:
        differences.append(f"  ... and {len(rows) - SHOWN_ROWS} more")
    return differences


def compare(con: duckdb.DuckDBPyConnection, seeds_dir: Path | str) -> list[str]:
    """Run the hand-written query on ``con`` and return its differences from the mart.

    An empty list means the same columns in the same order and the same rows (with
    their multiplicity) once values are normalised.
    """
    materialize(con, seeds_dir)
    return differences(con)


def differences(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The differences between the already materialised result table and the mart."""
    expected = columns(con, MART)
    actual = columns(con, RESULT_TABLE)
    expected_names = [name for name, _ in expected]
    actual_names = [name for name, _ in actual]
    if expected_names != actual_names:
        return [f"columns differ:\n  mart:  {expected_names}\n  query: {actual_names}"]

    found: list[str] = []
    for (name, mart_type), (_, query_type) in zip(expected, actual, strict=True):
        mart_float = mart_type.split("(")[0].upper() in FLOAT_TYPES
        query_float = query_type.split("(")[0].upper() in FLOAT_TYPES
        if mart_float != query_float:
            found.append(f"column {name}: mart {mart_type}, query {query_type}")

    expected_rows = count_rows(con, MART)
    actual_rows = count_rows(con, RESULT_TABLE)
    if expected_rows != actual_rows:
        found.append(f"row counts differ: mart {expected_rows}, query {actual_rows}")

    mart_select = normalised_select(MART, expected)
    query_select = normalised_select(RESULT_TABLE, expected)
    found += one_way(con, mart_select, query_select, "in the mart, not in the query")
    found += one_way(con, query_select, mart_select, "in the query, not in the mart")
    return found


def main(argv: list[str] | None = None) -> int:
    """Compare on the warehouse given on the command line; exit 1 on differences."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", help="DuckDB file with raw_* schemas and dbt's marts")
    parser.add_argument("--seeds-dir", default=str(DEFAULT_SEEDS_DIR), help="seed CSVs")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of the query (default 5)")
    args = parser.parse_args(argv)

    con = duckdb.connect(args.warehouse)
    try:
        timings = [materialize(con, args.seeds_dir) for _ in range(max(args.repeat, 1))]
        found = differences(con)
        print(f"mart rows:  {count_rows(con, MART)}")
        print(f"query rows: {count_rows(con, RESULT_TABLE)}")
        print(
            f"query runtime: first {timings[0]:.3f} s, median {statistics.median(timings):.3f} s,"
            f" best {min(timings):.3f} s over {len(timings)} run(s)"
        )
    finally:
        con.close()

    if found:
        print("DIFFERENCES:")
        print("\n".join(found))
        return 1
    print("no differences: the query matches the mart both ways")
    return 0


if __name__ == "__main__":
    sys.exit(main())
