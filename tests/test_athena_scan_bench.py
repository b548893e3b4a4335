"""The scan model of bench/athena_scan.py: partitions, row groups and columns are pruned."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import duckdb
import pyarrow.parquet as pq

from argo.settings import PROJECT_DIR


def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "athena_scan", PROJECT_DIR / "bench" / "athena_scan.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["athena_scan"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_scan_reads_only_the_partitions_row_groups_and_columns_asked(tmp_path: Path) -> None:
    scan = bench().scan
    con = duckdb.connect()
    con.execute(
        "create table t as select date '2026-01-01' + cast(i % 59 as integer) as date_day, "
        "'acct-' || (i % 4) as account_id, i * 1.5 as spend, repeat('x', 20) as note "
        "from range(40000) as r(i)"
    )
    con.execute(
        f"copy (select *, strftime(date_day, '%Y-%m') as date_month from t order by date_day, "
        f"account_id) to '{tmp_path / 'mart'}' (format parquet, partition_by (date_month), "
        "row_group_size 2048)"
    )
    files = sorted((tmp_path / "mart").rglob("*.parquet"))
    assert {f.parent.name for f in files} == {"date_month=2026-01", "date_month=2026-02"}

    def column_bytes(paths: list[Path], column: str) -> int:
        total = 0
        for path in paths:
            meta = pq.ParquetFile(path).metadata
            index = [meta.schema.column(i).name for i in range(meta.num_columns)].index(column)
            total += sum(
                meta.row_group(g).column(index).total_compressed_size
                for g in range(meta.num_row_groups)
            )
        return total

    everything, _, _ = scan(tmp_path / "mart", ["spend"], {}, None)
    assert everything == column_bytes(files, "spend")
    february = [f for f in files if "2026-02" in f.parent.name]
    pruned, read_files, _ = scan(tmp_path / "mart", ["spend"], {}, {"2026-02"})
    assert pruned == column_bytes(february, "spend") and read_files == len(february)
    one_week, _, groups = scan(
        tmp_path / "mart",
        ["spend"],
        {"date_day": (date(2026, 2, 1), date(2026, 2, 7))},
        {"2026-02"},
    )
    assert 0 < one_week < pruned, "row groups outside the week are skipped"
    total_groups = sum(pq.ParquetFile(f).metadata.num_row_groups for f in february)
    assert 0 < groups < total_groups
    wide, _, _ = scan(tmp_path / "mart", ["spend", "note"], {}, {"2026-02"})
    assert wide == pruned + column_bytes(february, "note")
