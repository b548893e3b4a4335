"""dbt through its Python API (``dbtRunner``), on the project beside this package."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ingestion.locks import AlreadyRunning, exclusive
from ingestion.settings import PROJECT_DIR, warehouse_path

#: dbt commands that write the warehouse (and so take its lock on DuckDB).
WRITING_COMMANDS = frozenset({"build", "run", "seed", "snapshot"})


class TransformError(Exception):
    """A dbt command failed; the message says which nodes and what to do next."""


@dataclass
class TableSummary:
    """One built relation: its rows and, where it has ``date_day``, the dates it covers."""

    schema: str
    name: str
    rows: int
    first_day: Any = None
    last_day: Any = None


def dbt(args: list[str], *, target: str | None = None) -> Any:
    """Runs one dbt command in-process and returns dbt's result object.

    Args:
        args: The dbt command and its flags, e.g. ``["build", "--select", "marts"]``.
        target: A ``profiles.yml`` target; default from ``ARGO_TARGET`` or ``local``.

    Raises:
        TransformError: dbt reported failure; the message lists the failed nodes.
    """
    from dbt.cli.main import dbtRunner

    full = [*args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    if target:
        full += ["--target", target]
    if (
        args[0] in WRITING_COMMANDS
        and (target or os.environ.get("ARGO_TARGET") or "local") == "local"
    ):
        # DuckDB admits one writing process: the same lock as the loads (ingestion.locks).
        try:
            with exclusive(
                warehouse_path().with_suffix(".lock"), f"the warehouse {warehouse_path()}"
            ):
                result = dbtRunner().invoke(full)
        except AlreadyRunning as exc:
            raise TransformError(f"dbt {args[0]}: {exc}") from None
    else:
        result = dbtRunner().invoke(full)
    if result.success:
        return result
    failed: list[str] = []
    results = getattr(result.result, "results", None) or []
    for node in results:
        status = str(getattr(node, "status", ""))
        if status in ("error", "fail", "runtime error"):
            failed.append(f"{node.node.unique_id} ({status}): {(node.message or '').strip()}")
    detail = "; ".join(failed[:10]) if failed else str(result.exception or "see the log above")
    raise TransformError(
        f"dbt {args[0]} failed: {detail}. What to do: read the failing test or model above "
        f"(target/run_results.json has every result); data tests name the rows they reject "
        f"when run with `dbt test --select <test> --store-failures`"
    )


def summarize(
    path: Path | None = None, schemas: tuple[str, ...] = ("marts",)
) -> list[TableSummary]:
    """Row counts and date ranges of every table in ``schemas`` of the warehouse file."""
    with duckdb.connect(str(path or warehouse_path())) as con:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in ({', '.join('?' for _ in schemas)}) order by 1, 2",
            list(schemas),
        ).fetchall()
        summary: list[TableSummary] = []
        for schema, name in relations:
            columns = {
                row[0]
                for row in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ?",
                    [schema, name],
                ).fetchall()
            }
            relation = f'"{schema}"."{name}"'
            if "date_day" in columns:
                rows, first, last = con.execute(
                    f"select count(*), min(date_day), max(date_day) from {relation}"
                ).fetchone() or (0, None, None)
            else:
                (rows,) = con.execute(f"select count(*) from {relation}").fetchone() or (0,)
                first = last = None
            summary.append(TableSummary(schema, name, int(rows), first, last))
    return summary


#: Athena's price per byte scanned ($5 per TB) and its minimum billed per query (10 MB).
ATHENA_DOLLARS_PER_BYTE = 5.0 / 1e12
ATHENA_MINIMUM_BYTES = 10 * 1024**2


def athena_scan_summary(run_results: Path) -> tuple[int, float, list[tuple[str, int]]] | None:
    """Bytes Athena scanned in a dbt run, from ``run_results.json``.

    dbt-athena records each query's ``data_scanned_in_bytes`` in its adapter response.

    Returns:
        ``(bytes, dollars, the five costliest nodes)``, or ``None`` when the run has no
        Athena figures (another target, or no run yet).
    """
    if not run_results.exists():
        return None
    results = json.loads(run_results.read_text()).get("results", [])
    scanned = [
        (str(r.get("unique_id")), int(r["adapter_response"]["data_scanned_in_bytes"]))
        for r in results
        if isinstance(r.get("adapter_response"), dict)
        and "data_scanned_in_bytes" in r["adapter_response"]
    ]
    if not scanned:
        return None
    total = sum(b for _, b in scanned)
    # DDL scans nothing and is free; a query that reads data is billed at least 10 MB.
    dollars = sum(max(b, ATHENA_MINIMUM_BYTES) for _, b in scanned if b) * ATHENA_DOLLARS_PER_BYTE
    return total, dollars, sorted(scanned, key=lambda x: -x[1])[:5]
