"""The Athena scan model of a dbt run: the bytes each model a run builds would read.

Athena bills the bytes it reads: the compressed column chunks of the partitions a query
cannot prune. For every table a run built (from its ``run_results.json``; creating a view reads
nothing, the tables that select from it read through it), this module
finds the tables it reads (``manifest.json``: its parents, through views, which Athena
expands, down to sources, seeds and tables) and adds up what those reads cost in the
production layout, measured on the DuckDB data of the run:

* every table is written to parquet with zstd, partitioned by month of its day column
  when it has one (by day in the layout ``raw and marts by day``, which production does
  not have), and each partition's bytes are its files' sizes;
* an Iceberg mart with ``date_day`` is partitioned by ``month(date_day)`` in production
  (macros/incremental_marts.sql), so a read from a day on prunes the months before it;
* the daily raw tables (``bench.transform.FACT_DAYS``, the 18 tables dlt creates
  partitioned by month of their day on Athena: DECISIONLOG, 53) prune the months before
  a read's first day (layout ``raw by month``, production's, the one judged); the other raw
  tables are unpartitioned, and any read of one reads all of it. The layout
  ``raw unpartitioned`` is a lake whose raw tables were created before 2026-11-30
  (unpartitioned, and Athena cannot change that): any read of a raw table reads all of it;
* a model reads all of its inputs, except an incremental model on an incremental run,
  which reads from its window's first day (the newest day in the mart before the run
  minus ``argo__mart_lookback_days``), less :data:`READS_BEFORE_WINDOW` days more for
  the models whose window needs history before it (a baseline), or everything when it
  is listed as ``None`` there, and the inputs of :data:`READS_ALL_OF` in full;
* of each table a model reads, only the columns its query names are counted (Athena
  reads the column chunks a query uses, in the partitions it cannot prune): DuckDB's
  plan of the SQL the run compiled for it (``compiled_code`` in ``run_results.json``,
  ``EXPLAIN (FORMAT json)``) lists every table scan with the columns it projects and
  filters on, views expanded, after projection pushdown, as Trino's planner does; a
  column is counted once per model even if the plan scans its table twice. A model one
  run cannot plan (its SQL reads a temporary table a hook made and dropped) reads the
  columns of the other run's plan; one neither can, every column of every table it reads
  (listed in ``every_column_models``). The layout ``raw by month, every column`` counts
  every column of every table read, as this model did before 2026-12-01 (an upper bound);
* the run's data tests are left out.

Usage (a child of ``bench.transform``'s daily section):
``python -m bench.athena_daily <warehouse> <manifest.json> <full run_results.json>
<one-day run_results.json> <lookback days> <newest day> <history days>``; prints one
JSON object.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.common import answer
from bench.transform import FACT_DAYS

#: Incremental models whose window reads history before its first day: days more, or
#: ``None`` when they read all of it (e.g. a baseline over every past holiday).
READS_BEFORE_WINDOW: dict[str, int | None] = {
    # The baselines read the same weekday over 8 weeks before the window, and the public
    # holidays over 400 days before it (argo.anomalies_baseline_days: a list of the
    # holidays; counted here as every day from 400 days before).
    "fct_metric_scores_daily": 400,
    # The scores from the days its detectors look back (at most 2 by default).
    "fct_anomalies_daily": 2,
    # Each figure over at most the 28 days before the window's days.
    "fct_suggestions_daily": 27,
    # The state kept by month recomputes every month from the one holding the window's
    # first day: at most 30 days before it.
    "int_suggestions__entity_months": 30,
    "int_marketing__performance_entity_months": 30,
}
#: Inputs an incremental model reads in full all the same, by model (through a view that
#: aggregates all of history, e.g. int_anomalies__campaign_days' campaign spans).
READS_ALL_OF: dict[str, frozenset[str]] = {
    # Each campaign's span (first day, last day with rows, first tracked day) and the
    # as-of day (argo.anomalies_campaign_days_sql).
    "fct_metric_scores_daily": frozenset({"rpt_campaign_performance_daily"}),
    "fct_anomalies_daily": frozenset(
        {"rpt_campaign_performance_daily", "fct_ad_conversions_daily"}
    ),
    # An entity's first and last day and its name, over its whole life, combined from
    # every month the build schema keeps (argo.suggestion_entity_days_sql); the reports
    # are read from the window's first day less 27 days.
    "fct_suggestions_daily": frozenset({"int_suggestions__entity_months"}),
}
#: The day column of a table, first found (raw tables name it after their API).
DAY_COLUMNS = (
    "date_day",
    "date_start",
    "segments_date",
    "stat_date",
    "report_date",
    "install_date",
    "event_date",
    "date",
    "day",
    "rate_date",
)
#: Layout -> (the daily raw tables are partitioned, only the columns read count, the
#: partitions' grain: ``month`` or ``day``). Production's layout first (the one the target
#: is judged on). ``raw and marts by day`` is a layout production does not have: the same
#: tables partitioned by day, to show what month partitions cost a window that starts
#: late in a month (a 31-day window on the 30th of a month reads two whole months).
LAYOUTS: dict[str, tuple[bool, bool, str]] = {
    "raw by month": (True, True, "month"),
    "raw by month, every column": (True, False, "month"),
    "raw unpartitioned": (False, True, "month"),
    "raw and marts by day": (True, True, "day"),
}
#: strftime format of a partition's key, by grain.
GRAINS = {"month": "%Y-%m", "day": "%Y-%m-%d"}


def leaves(manifest: dict[str, Any], unique_id: str) -> set[str]:
    """The sources, seeds and tables ``unique_id`` reads, through views and ephemerals.

    A model its ``meta.argo_runs_after`` names is not read: that edge only orders two
    builds on DuckDB (macros/runs_after.sql).
    """
    found: set[str] = set()
    node = manifest["nodes"][unique_id]
    order_only = set((node["config"].get("meta") or {}).get("argo_runs_after") or [])
    for parent in node["depends_on"]["nodes"]:
        if parent in manifest["sources"]:
            found.add(parent)
            continue
        parent_node = manifest["nodes"].get(parent)
        if parent_node is None or parent_node["name"] in order_only:
            continue
        if parent_node["config"].get("materialized") in ("view", "ephemeral"):
            found |= leaves(manifest, parent)
        else:
            found.add(parent)
    return found


def relation(manifest: dict[str, Any], unique_id: str) -> tuple[str, str]:
    """(schema, table) of a source or a node."""
    if unique_id in manifest["sources"]:
        source = manifest["sources"][unique_id]
        return source["schema"], source["identifier"]
    node = manifest["nodes"][unique_id]
    return node["schema"], node["alias"]


class Sizes:
    """Bytes per partition (month or day) of each table, in all and by column.

    Measured once per grain, as parquet with zstd.
    """

    def __init__(self, warehouse: str, catalog: str = "built") -> None:
        import duckdb

        self.con = duckdb.connect()
        self.con.execute(f'attach \'{warehouse}\' as "{catalog}" (read_only); use "{catalog}"')
        self.catalog = catalog
        self.root = Path(tempfile.mkdtemp(prefix="argo-athena-daily-"))
        self.parts: dict[tuple[str, str, str], dict[str, int]] = {}
        self.column_parts: dict[tuple[str, str, str], dict[str, dict[str, int]]] = {}
        self.columns: dict[tuple[str, str], list[str]] = {}
        self.day_column: dict[tuple[str, str], str | None] = {}

    def table_columns(self, schema: str, table: str) -> list[str]:
        """The columns of ``schema.table`` in the warehouse (none if it is not there)."""
        key = (schema, table)
        if key not in self.columns:
            self.columns[key] = [
                c
                for (c,) in self.con.execute(
                    "select column_name from information_schema.columns "
                    "where table_catalog = ? and table_schema = ? and table_name = ?",
                    [self.catalog, schema, table],
                ).fetchall()
            ]
        return self.columns[key]

    def of(
        self, schema: str, table: str, columns: set[str] | None = None, grain: str = "month"
    ) -> dict[str, int]:
        """Bytes per partition of ``grain`` (``'*'`` for a table without a day column).

        Of the files, or of the compressed column chunks of ``columns`` only.
        """
        key = (schema, table, grain)
        if key not in self.parts:
            self._measure(schema, table, grain)
        if columns is None:
            return self.parts[key]
        return {
            part: sum(size for column, size in by_column.items() if column in columns)
            for part, by_column in self.column_parts[key].items()
        }

    def _measure(self, schema: str, table: str, grain: str) -> None:
        import pyarrow.parquet as pq

        key = (schema, table, grain)
        measured = next((k for k in self.parts if k[:2] == (schema, table)), None)
        if measured is not None and self.day_column[(schema, table)] is None:
            # No day column: one partition whatever the grain, measured once.
            self.parts[key], self.column_parts[key] = (
                self.parts[measured],
                self.column_parts[measured],
            )
            return
        columns = self.table_columns(schema, table)
        day = next((c for c in DAY_COLUMNS if c in columns), None)
        self.day_column[(schema, table)] = day
        out = self.root / f"{schema}.{table}.{grain}"
        self.parts[key], self.column_parts[key] = {}, {}
        if not columns:
            return
        if day is None:
            out.mkdir(parents=True)
            self.con.execute(
                f'copy (select * from "{schema}"."{table}") to \'{out}/all.parquet\' '
                "(format parquet, compression zstd)"
            )
            folders = {"*": out}
        else:
            self.con.execute(
                f"copy (select *, strftime(\"{day}\", '{GRAINS[grain]}') as bench_part "
                f'from "{schema}"."{table}" order by "{day}") to \'{out}\' '
                "(format parquet, compression zstd, partition_by (bench_part))"
            )
            folders = {part.name.split("=", 1)[1]: part for part in out.iterdir()}
        for part, folder in folders.items():
            files = list(folder.rglob("*.parquet"))
            self.parts[key][part] = sum(p.stat().st_size for p in files)
            by_column: dict[str, int] = {}
            for path in files:
                meta = pq.ParquetFile(path).metadata
                for group in range(meta.num_row_groups):
                    row_group = meta.row_group(group)
                    for index in range(row_group.num_columns):
                        chunk = row_group.column(index)
                        column = chunk.path_in_schema.split(".", 1)[0]
                        by_column[column] = by_column.get(column, 0) + chunk.total_compressed_size
            self.column_parts[key][part] = by_column
        shutil.rmtree(out, ignore_errors=True)

    def columns_read(self, sql: str) -> dict[tuple[str, str], set[str]] | None:
        """(schema, table) -> the columns DuckDB's plan of ``sql`` reads of it.

        Columns projected or filtered on; None when DuckDB cannot plan ``sql``.
        """
        import duckdb

        try:
            ((_, plan),) = self.con.execute("explain (format json) " + sql).fetchall()
        except duckdb.Error:
            return None
        found: dict[tuple[str, str], set[str]] = {}
        stack = list(json.loads(plan))
        while stack:
            node = stack.pop()
            stack.extend(node.get("children", []))
            info = node.get("extra_info") or {}
            if not isinstance(info, dict) or "Table" not in info:
                continue
            schema, table = str(info["Table"]).split(".")[-2:]
            known = set(self.table_columns(schema, table))
            named: set[str] = set()
            for field in ("Projections", "Filters"):
                value = info.get(field) or []
                for text in [value] if isinstance(value, str) else value:
                    named |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", str(text))) & known
            found.setdefault((schema, table), set()).update(named)
        return found

    def close(self) -> None:
        """Drops the parquet files and the connection."""
        self.con.close()
        shutil.rmtree(self.root, ignore_errors=True)


def bytes_read(
    manifest: dict[str, Any],
    sizes: Sizes,
    unique_id: str,
    since: date | None,
    layout: str,
    reads: dict[tuple[str, str], set[str]] | None = None,
) -> int:
    """What building ``unique_id`` reads when it reads its inputs from ``since`` on.

    ``reads`` (the columns of each table, from the plan) where the layout counts only the
    columns read; else, or without a plan, every column of every table the manifest says
    it reads.
    """
    partitioned_raw, only_columns_read, grain = LAYOUTS[layout]
    tables: dict[tuple[str, str], set[str] | None] = (
        dict(reads)
        if reads is not None and only_columns_read
        else {relation(manifest, leaf): None for leaf in leaves(manifest, unique_id)}
    )
    sources = {relation(manifest, uid) for uid in manifest["sources"]}
    total = 0
    in_full = READS_ALL_OF.get(manifest["nodes"][unique_id]["name"], frozenset())
    for (schema, table), columns in tables.items():
        parts = sizes.of(schema, table, columns, grain)
        raw = (schema, table) in sources
        partitioned = f"{schema}.{table}" in FACT_DAYS if raw else True
        prunes = (
            sizes.day_column.get((schema, table)) is not None
            and partitioned
            and (not raw or partitioned_raw)
            and table not in in_full
        )
        if since is None or not prunes:
            total += sum(parts.values())
        else:
            first = since.strftime(GRAINS[grain])
            total += sum(size for part, size in parts.items() if part >= first)
    return total


def models_built(results: dict[str, Any], manifest: dict[str, Any]) -> list[str]:
    """The tables a run built (``run_results.json``): creating a view reads nothing."""
    return [
        r["unique_id"]
        for r in results["results"]
        if r["unique_id"].startswith("model.")
        and r["status"] == "success"
        and manifest["nodes"][r["unique_id"]]["config"].get("materialized")
        not in ("view", "ephemeral")
    ]


def scan_model(
    warehouse: str,
    manifest: dict[str, Any],
    full: dict[str, Any],
    day: dict[str, Any],
    lookback_days: int,
    newest: date,
    history_days: int,
) -> dict[str, Any]:
    """Bytes of the full refresh and of the one-day run, per layout, and the target."""
    # The one-day run's window: the mart's newest day before it (the day before the one
    # that landed) less the lookback (macros/incremental_marts.sql).
    window = newest - timedelta(days=1 + lookback_days)
    catalogs = {node.get("database") for node in manifest["nodes"].values()} - {None}
    sizes = Sizes(warehouse, catalogs.pop() if len(catalogs) == 1 else "built")
    figures: dict[str, Any] = {
        "lookback_days": lookback_days,
        "history_days": history_days,
        "window_start": str(window),
        "target_share": round(1.5 * (lookback_days + 1) / history_days, 4),
        "layouts": {},
    }

    def planned(results: dict[str, Any]) -> dict[str, Any]:
        sql = {r["unique_id"]: r.get("compiled_code") for r in results["results"]}
        return {
            uid: sizes.columns_read(sql[uid]) if sql.get(uid) else None
            for uid in models_built(results, manifest)
        }

    try:
        full_reads, day_reads = planned(full), planned(day)
        # A model one run's plan lacks (its SQL reads a relation a hook made and dropped,
        # e.g. a full build's temporary table) reads the columns the other run's plan gives.
        for reads, other in ((full_reads, day_reads), (day_reads, full_reads)):
            for uid in [uid for uid, r in reads.items() if r is None]:
                reads[uid] = other.get(uid)
        figures["every_column_models"] = sorted(
            {
                uid.split(".")[-1]
                for reads in (full_reads, day_reads)
                for uid, r in reads.items()
                if r is None
            }
        )
        for layout in LAYOUTS:
            full_bytes = {
                uid: bytes_read(manifest, sizes, uid, None, layout, reads)
                for uid, reads in full_reads.items()
            }
            day_bytes = {}
            for uid, reads in day_reads.items():
                node = manifest["nodes"][uid]
                since: date | None = None
                if node["config"].get("materialized") == "incremental":
                    before = READS_BEFORE_WINDOW.get(node["name"], 0)
                    since = None if before is None else window - timedelta(days=before)
                day_bytes[uid] = bytes_read(manifest, sizes, uid, since, layout, reads)
            full_total = sum(full_bytes.values())
            day_total = sum(day_bytes.values())
            figures["layouts"][layout] = {
                "full_refresh_bytes": full_total,
                "one_day_bytes": day_total,
                "one_day_share": round(day_total / full_total, 4) if full_total else None,
                "met": bool(full_total and day_total <= figures["target_share"] * full_total),
                "one_day_costliest": [
                    [uid.split(".")[-1], size]
                    for uid, size in sorted(day_bytes.items(), key=lambda kv: -kv[1])[:10]
                ],
            }
    finally:
        sizes.close()
    return figures


def main(argv: list[str]) -> int:
    """Child entry point (see the module docstring)."""
    if len(argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    warehouse, manifest, full, day, lookback, newest, history = argv
    answer(
        scan_model(
            warehouse,
            json.loads(Path(manifest).read_text()),
            json.loads(Path(full).read_text()),
            json.loads(Path(day).read_text()),
            int(lookback),
            date.fromisoformat(newest),
            int(history),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
