"""The Athena scan model of a dbt run (bench/athena_daily.py) on a tiny warehouse."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from bench import athena_daily


def _manifest() -> dict[str, Any]:
    def model(name: str, materialized: str, parents: list[str], schema: str) -> dict[str, Any]:
        return {
            "name": name,
            "schema": schema,
            "alias": name,
            "config": {"materialized": materialized},
            "depends_on": {"nodes": parents},
        }

    return {
        "sources": {"source.argo.raw.stats": {"schema": "raw", "identifier": "stats"}},
        "nodes": {
            "model.argo.stg_stats": model("stg_stats", "view", ["source.argo.raw.stats"], "stg"),
            "model.argo.fct_daily": model(
                "fct_daily", "incremental", ["model.argo.stg_stats"], "marts"
            ),
            "model.argo.dim_all": model("dim_all", "table", ["model.argo.fct_daily"], "marts"),
        },
    }


def _results(*models: str, sql: dict[str, str] | None = None) -> dict[str, Any]:
    """A run's results: the models built, with the SQL compiled for each when given."""
    return {
        "results": [
            {"unique_id": m, "status": "success", **({"compiled_code": sql[m]} if sql else {})}
            for m in models
        ]
    }


def _scan(warehouse: Path, full: dict[str, Any], day: dict[str, Any]) -> dict[str, Any]:
    """The scan model of a full run and a one-day run: 60 days to 2026-03-01, 5 looked back."""
    return athena_daily.scan_model(
        str(warehouse),
        _manifest(),
        full,
        day,
        lookback_days=5,
        newest=date(2026, 3, 1),
        history_days=60,
    )


@pytest.fixture(autouse=True)
def daily_raw_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """``raw.stats`` is a daily raw table: partitioned by month on Athena."""
    monkeypatch.setattr(athena_daily, "FACT_DAYS", {"raw.stats": "stat_date"})


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute("create schema marts")
        # Three months of raw rows, 60 days, then the mart built from them.
        con.execute(
            "create table raw.stats as select date '2026-01-01' + cast(k // 200 as integer) "
            "as stat_date, md5(k::varchar) as payload from range(0, 60 * 200) t(k)"
        )
        con.execute(
            "create table marts.fct_daily as select stat_date as date_day, payload from raw.stats"
        )
    return path


def test_an_incremental_model_reads_its_window_only_where_the_layout_prunes(
    warehouse: Path,
) -> None:
    every = ["model.argo.stg_stats", "model.argo.fct_daily", "model.argo.dim_all"]
    figures = _scan(warehouse, _results(*every), _results(*every))
    assert figures["window_start"] == "2026-02-23"
    assert figures["target_share"] == pytest.approx(1.5 * 6 / 60)
    production = figures["layouts"]["raw unpartitioned"]
    by_month = figures["layouts"]["raw by month"]
    # A full refresh reads the same either way; the view is expanded to the raw table.
    assert production["full_refresh_bytes"] == by_month["full_refresh_bytes"] > 0
    # Unpartitioned raw: the incremental mart reads all of it, so does the table above it.
    assert production["one_day_bytes"] == production["full_refresh_bytes"]
    # By month: the mart reads February and March (its window), not January.
    assert by_month["one_day_bytes"] < by_month["full_refresh_bytes"]
    costliest = dict(by_month["one_day_costliest"])
    assert costliest["dim_all"] > costliest["fct_daily"]


def test_a_model_listed_as_reading_all_history_reads_all_of_it(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(athena_daily, "READS_BEFORE_WINDOW", {"fct_daily": None})
    figures = _scan(warehouse, _results("model.argo.fct_daily"), _results("model.argo.fct_daily"))
    by_month = figures["layouts"]["raw by month"]
    assert by_month["one_day_bytes"] == by_month["full_refresh_bytes"]


def test_a_raw_table_that_is_not_daily_is_read_whole_in_either_layout(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the daily raw tables are partitioned in production (DECISIONLOG, 53)."""
    monkeypatch.setattr(athena_daily, "FACT_DAYS", {})
    every = ["model.argo.fct_daily"]
    figures = _scan(warehouse, _results(*every), _results(*every))
    for layout in athena_daily.LAYOUTS:
        found = figures["layouts"][layout]
        assert found["one_day_bytes"] == found["full_refresh_bytes"] > 0, layout


def test_only_the_columns_a_model_s_plan_reads_are_counted(warehouse: Path) -> None:
    """Athena reads the column chunks a query names: the mart's SQL reads the day only."""
    every = ["model.argo.fct_daily", "model.argo.dim_all"]
    sql = {
        "model.argo.fct_daily": "select stat_date as date_day from raw.stats",
        # a plan DuckDB cannot make (a relation gone): the other run's plan counts
        "model.argo.dim_all": "select count(*) from marts.gone",
    }
    day_sql = {**sql, "model.argo.dim_all": "select max(date_day) from marts.fct_daily"}

    figures = _scan(warehouse, _results(*every, sql=sql), _results(*every, sql=day_sql))
    assert figures["every_column_models"] == []
    read = figures["layouts"]["raw by month"]
    every_column = figures["layouts"]["raw by month, every column"]
    # the payload (an MD5 per row) is most of the bytes, and no plan reads it
    assert 0 < read["full_refresh_bytes"] < every_column["full_refresh_bytes"] / 4
    assert 0 < read["one_day_bytes"] < every_column["one_day_bytes"] / 4
    # ... but only where a plan says so: without SQL, every column counts in every layout
    plain = _scan(warehouse, _results(*every), _results(*every))
    assert plain["every_column_models"] == ["dim_all", "fct_daily"]
    layouts = plain["layouts"]
    assert layouts["raw by month"] == layouts["raw by month, every column"]


def test_by_day_a_window_late_in_a_month_reads_its_own_days_only(warehouse: Path) -> None:
    """The window from 23 February: by month February and March, by day seven days."""
    every = ["model.argo.fct_daily"]
    figures = _scan(warehouse, _results(*every), _results(*every))
    by_month = figures["layouts"]["raw by month"]
    by_day = figures["layouts"]["raw and marts by day"]
    assert by_day["full_refresh_bytes"] > 0
    # 29 of the 60 days by month (all of February and 1 March), 7 by day; files' own
    # overhead aside, the shares follow the days.
    assert by_month["one_day_share"] == pytest.approx(29 / 60, abs=0.05)
    assert by_day["one_day_share"] == pytest.approx(7 / 60, abs=0.05)


def test_a_model_built_after_another_does_not_read_it() -> None:
    """An edge argo.runs_after adds on DuckDB orders two builds; it is not a read."""
    manifest = _manifest()
    manifest["nodes"]["model.argo.dim_all"]["depends_on"]["nodes"].append("model.argo.fct_late")
    manifest["nodes"]["model.argo.fct_late"] = {
        **manifest["nodes"]["model.argo.fct_daily"],
        "name": "fct_late",
        "alias": "fct_late",
    }
    assert athena_daily.leaves(manifest, "model.argo.dim_all") == {
        "model.argo.fct_daily",
        "model.argo.fct_late",
    }
    manifest["nodes"]["model.argo.dim_all"]["config"]["meta"] = {"argo_runs_after": ["fct_late"]}
    assert athena_daily.leaves(manifest, "model.argo.dim_all") == {"model.argo.fct_daily"}
