"""What the standard BI queries would scan (and cost) on Athena, measured on local parquet.

Athena bills the bytes it reads from S3: the compressed column chunks of the columns a
query uses, in the partitions it cannot prune, in the row groups whose min/max
statistics do not exclude the filter ($5 per TB, at least 10 MB per query). This script
writes two marts in the layout the Athena target gives them (parquet, zstd, partitioned
by month of ``date_day`` like the Iceberg ``month(date_day)`` partitioning) and computes
those bytes from the parquet metadata for two standard BI queries:

* "last 7 days of one account": the campaign report, one ``account_id``, 7 days;
* "one month across platforms": spend, clicks and conversions per platform for a month.

Baselines, in the same run: the whole mart (every column, every partition: what a
``select *`` reads) and the same data as one unpartitioned, uncompressed-statistics file
set (one file per mart, no partitions, row groups in load order).

The demo's marts are small (90 days, 16 accounts); ``--accounts N`` and ``--years Y``
grow them by copying each account N times under new ids and the 90 days back in time to
cover Y years, which keeps the data's shape.

Usage: ``uv run python bench/athena_scan.py [--warehouse data/argo.duckdb]
[--accounts 50] [--years 2] [--out bench/results/athena_scan.json]``
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

DOLLARS_PER_TB = 5.0
MINIMUM_BYTES = 10 * 1024**2
MARTS = ("rpt_campaign_performance_daily", "fct_ad_performance_daily")


@dataclass
class Scan:
    """One query's scan on one layout."""

    query: str
    layout: str
    bytes_scanned: int
    files_read: int
    row_groups_read: int

    @property
    def billed_bytes(self) -> int:
        """What Athena bills: at least 10 MB."""
        return max(self.bytes_scanned, MINIMUM_BYTES)

    @property
    def dollars(self) -> float:
        """The query's cost at $5 per TB."""
        return self.billed_bytes / 1e12 * DOLLARS_PER_TB


def grow(con: duckdb.DuckDBPyConnection, mart: str, accounts: int, years: int) -> None:
    """``mart`` as a table ``grown_<mart>``: accounts copied, days shifted back in time."""
    span = con.execute(f"select min(date_day), max(date_day) from marts.{mart}").fetchone()
    assert span is not None
    days = (span[1] - span[0]).days + 1
    copies = max(1, -(-365 * years // days))
    con.execute(
        f"""
        create or replace temp table grown_{mart} as
        select * replace (
            account_id || case when a.i = 0 then '' else '-' || a.i end as account_id,
            date_day - cast(d.k * {days} as integer) as date_day
        )
        from marts.{mart}
        cross join range({accounts}) as a(i)
        cross join range({copies}) as d(k)
        """
    )


def write_layouts(con: duckdb.DuckDBPyConnection, mart: str, root: Path) -> dict[str, Path]:
    """The Athena layout (month partitions, zstd) and the flat baseline of one mart."""
    athena = root / "athena" / mart
    flat = root / "flat" / mart
    flat.mkdir(parents=True)
    athena.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"""
        copy (
            select *, strftime(date_day, '%Y-%m') as date_month
            from grown_{mart} order by date_day, platform, account_id
        ) to '{athena}' (
            format parquet, compression zstd, partition_by (date_month),
            row_group_size 122880
        )
        """
    )
    con.execute(
        f"copy (select * from grown_{mart}) to '{flat / 'part-0.parquet'}' "
        "(format parquet, compression snappy, row_group_size 122880)"
    )
    return {"athena": athena, "flat": flat}


def _stats_exclude(stats: Any, low: Any, high: Any) -> bool:
    if stats is None or not stats.has_min_max:
        return False
    return bool(stats.max < low or stats.min > high)


def scan(
    layout: Path,
    columns: list[str],
    filters: dict[str, tuple[Any, Any]],
    months: set[str] | None,
) -> tuple[int, int, int]:
    """Bytes, files and row groups a query reads, from the parquet metadata.

    Args:
        layout: The mart's folder (partition folders ``date_month=YYYY-MM`` or flat).
        columns: The columns the query reads (projection).
        filters: Column -> (low, high) ranges the query filters on (row-group pruning).
        months: Partitions the query can be pruned to (``None``: no partition pruning).
    """
    total = files = groups = 0
    for path in sorted(layout.rglob("*.parquet")):
        partition = path.parent.name.partition("=")[2] if "=" in path.parent.name else None
        if months is not None and partition is not None and partition not in months:
            continue
        meta = pq.ParquetFile(path).metadata
        names = [meta.schema.column(i).name for i in range(meta.num_columns)]
        index = {name: i for i, name in enumerate(names)}
        read_any = False
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            if any(
                name in index and _stats_exclude(group.column(index[name]).statistics, lo, hi)
                for name, (lo, hi) in filters.items()
            ):
                continue
            read_any = True
            groups += 1
            total += sum(
                group.column(index[c]).total_compressed_size for c in columns if c in index
            )
        files += read_any
    return total, files, groups


def months_between(first: date, last: date) -> set[str]:
    """The ``YYYY-MM`` partitions a date range touches."""
    found, day = set(), first
    while day <= last:
        found.add(f"{day:%Y-%m}")
        day += timedelta(days=1)
    return found


def all_columns(layout: Path) -> list[str]:
    """Every column of a mart's parquet."""
    path = next(layout.rglob("*.parquet"))
    return [f.name for f in pq.read_schema(path)]


def main(argv: list[str] | None = None) -> int:
    """Grows the marts, writes both layouts, prints and saves the scans."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", default="data/argo.duckdb", help="a built warehouse")
    parser.add_argument("--accounts", type=int, default=50, help="copies of each account")
    parser.add_argument("--years", type=int, default=2, help="years of history")
    parser.add_argument("--out", default="bench/results/athena_scan.json")
    args = parser.parse_args(argv)
    warehouse = Path(args.warehouse)
    if not warehouse.exists():
        print(f"{warehouse} not found: run `make demo` first", file=sys.stderr)
        return 2
    started = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="argo-scan-"))
    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as built (read_only); use built")
    scans: list[Scan] = []
    sizes: dict[str, dict[str, int]] = {}
    rows: dict[str, int] = {}
    try:
        for mart in MARTS:
            grow(con, mart, args.accounts, args.years)
            rows[mart] = int(con.execute(f"select count(*) from grown_{mart}").fetchone()[0])  # type: ignore[index]
            layouts = write_layouts(con, mart, root)
            sizes[mart] = {
                name: sum(p.stat().st_size for p in path.rglob("*.parquet"))
                for name, path in layouts.items()
            }
        layouts_for = {m: {n: root / n / m for n in ("athena", "flat")} for m in MARTS}
        campaign = "rpt_campaign_performance_daily"
        newest, account = con.execute(
            f"select max(date_day), min(account_id) from grown_{campaign}"
        ).fetchone()  # type: ignore[misc]
        week = (newest - timedelta(days=6), newest)
        month_start = newest.replace(day=1) - timedelta(days=1)
        month = (month_start.replace(day=1), month_start)
        queries = {
            "last 7 days of one account (campaign report)": (
                campaign,
                [
                    "date_day",
                    "account_id",
                    "campaign_id",
                    "campaign_name",
                    "spend",
                    "impressions",
                    "clicks",
                    "conversions",
                    "conversions_value",
                ],
                {"date_day": week, "account_id": (account, account)},
                months_between(*week),
            ),
            "one month across platforms (ad facts)": (
                "fct_ad_performance_daily",
                ["date_day", "platform", "spend_in_reporting_currency", "clicks", "conversions"],
                {"date_day": month},
                months_between(*month),
            ),
        }
        for label, (mart, columns, filters, months) in queries.items():
            for layout in ("athena", "flat"):
                path = layouts_for[mart][layout]
                pruned = months if layout == "athena" else None
                scanned, files, groups = scan(path, columns, filters, pruned)
                scans.append(Scan(label, layout, scanned, files, groups))
            whole_path = layouts_for[mart]["flat"]
            scanned, files, groups = scan(whole_path, all_columns(whole_path), {}, None)
            scans.append(Scan(label, "select * (whole mart)", scanned, files, groups))
    finally:
        con.close()
        shutil.rmtree(root, ignore_errors=True)
    print(f"ARGO Athena scan bench ({time.monotonic() - started:.0f} s), {platform.platform()}")
    print(f"growth: each account x{args.accounts}, {args.years} years of days")
    for mart in MARTS:
        print(
            f"  {mart}: {rows[mart]:,} rows; parquet {sizes[mart]['athena'] / 1e6:.1f} MB "
            f"(month partitions, zstd) vs {sizes[mart]['flat'] / 1e6:.1f} MB (one file, snappy)"
        )
    print(f"{'query':<46} {'layout':<22} {'scanned':>12} {'billed':>10} {'$/query':>9} {'vs *':>7}")
    by_query: dict[str, dict[str, Scan]] = {}
    for s in scans:
        by_query.setdefault(s.query, {})[s.layout] = s
    for label, found in by_query.items():
        whole = found["select * (whole mart)"].bytes_scanned
        for layout, s in found.items():
            print(
                f"{label:<46} {layout:<22} {s.bytes_scanned / 1e6:>10.2f}MB "
                f"{s.billed_bytes / 1e6:>8.1f}MB {s.dollars:>9.5f} "
                f"{s.bytes_scanned / whole:>7.1%}"
            )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "accounts_multiplier": args.accounts,
                "years": args.years,
                "rows": rows,
                "parquet_bytes": sizes,
                "scans": [
                    {**asdict(s), "billed_bytes": s.billed_bytes, "dollars": s.dollars}
                    for s in scans
                ],
            },
            indent=2,
        )
    )
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
