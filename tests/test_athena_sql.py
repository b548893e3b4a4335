"""The Athena SQL guard catches DuckDB-only SQL and marts that differ (no AWS needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.athena_sql import (
    ReplayError,
    check_dialect,
    dialect_problems,
    is_mart,
    publish_statements,
    replay_on_duckdb,
)


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        ("select a from t qualify row_number() over (partition by a order by b) = 1", "parse"),
        ("select a::int as a from t", "'::' cast"),
        ("select * exclude (a) from t", "EXCLUDE"),
        ("select list_agg(a) from t", "list_agg() is not an Athena function"),
        ("select struct_pack(a := 1) as s", "struct_pack() is not an Athena function"),
        ("select a, count(*) from t group by all", "GROUP BY ALL"),
    ],
)
def test_duckdb_only_sql_is_refused(sql: str, problem: str) -> None:
    found = dialect_problems(sql)
    assert found and any(problem in p for p in found), found


@pytest.mark.parametrize(
    "sql",
    [
        "select cast(a as double) as a, day_of_week(d) as w from t",
        "select date_add('day', 1, cast('2026-01-01' as date)) as d",
        "select array_join(array_agg(x), ',') as xs from t group by y",
        "select coalesce(try_cast(a as integer), 0) as a from t",
    ],
)
def test_athena_sql_passes(sql: str) -> None:
    assert dialect_problems(sql) == []


def manifest(*nodes: tuple[str, str, str, list[str]]) -> dict[str, Any]:
    """A manifest of (name, schema, athena sql, parents) models."""
    return {
        "nodes": {
            f"model.argo.{name}": {
                "resource_type": "model",
                "schema": schema,
                "alias": name,
                "compiled_code": sql,
                "config": {"materialized": "view" if schema != "marts" else "table"},
                "depends_on": {"nodes": [f"model.argo.{p}" for p in parents]},
            }
            for name, schema, sql, parents in nodes
        }
    }


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A warehouse as dbt would leave it: raw rows, a staging view, a mart table."""
    path = tmp_path / "built.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema raw; create schema staging; create schema marts")
    con.execute(
        "create table raw.spend as select * from "
        "(values (date '2026-11-02', 10.5), (date '2026-11-08', 4.0)) t(d, amount)"
    )
    con.execute("create view staging.stg as select d, amount from raw.spend")
    con.execute(
        "create table marts.daily as select d, isodow(d) as dow, sum(amount) as spend "
        "from staging.stg group by d"
    )
    con.close()
    return path


def test_replay_finds_equal_and_different_marts(built: Path, tmp_path: Path) -> None:
    stg = ("stg", "staging", 'select d, amount from "awsdatacatalog"."raw"."spend"', [])
    same = manifest(
        stg,
        (
            "daily",
            "marts",
            "select d, day_of_week(d) as dow, sum(amount) as spend "
            'from "awsdatacatalog"."staging"."stg" group by d',
            ["stg"],
        ),
    )
    assert check_dialect(same) == {}
    (result,) = replay_on_duckdb(same, built, tmp_path / "a")
    assert result.equal and result.rows == 2
    # an Athena branch that computes another thing (a Sunday-first weekday) is caught
    other = manifest(
        stg,
        (
            "daily",
            "marts",
            "select d, day_of_week(d) % 7 + 1 as dow, sum(amount) as spend "
            'from "awsdatacatalog"."staging"."stg" group by d',
            ["stg"],
        ),
    )
    (result,) = replay_on_duckdb(other, built, tmp_path / "b")
    assert not result.equal and result.only_in_athena_sql == 2 and result.only_in_duckdb == 2
    # a model that does not run names itself
    broken = manifest(
        stg,
        ("daily", "marts", 'select nosuchcolumn from "awsdatacatalog"."staging"."stg"', ["stg"]),
    )
    with pytest.raises(ReplayError, match=r"model\.argo\.daily"):
        replay_on_duckdb(broken, built, tmp_path / "c")


def test_replay_publishes_marts_built_in_another_schema(tmp_path: Path) -> None:
    """Write, audit, publish: the mart is built in marts__blue, readers read marts' view."""
    path = tmp_path / "built.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema raw; create schema staging; create schema marts__blue")
    con.execute("create schema marts")
    con.execute("create table raw.spend as select * from (values (10.5), (4.0)) t(amount)")
    con.execute("create view staging.stg as select amount from raw.spend")
    con.execute("create table marts__blue.total as select sum(amount) as spend from staging.stg")
    con.execute("create view marts.total as select * from marts__blue.total")
    con.close()
    stg = ("stg", "staging", 'select amount from "awsdatacatalog"."raw"."spend"', [])
    mart = (
        "total",
        "marts__blue",
        'select sum(amount) as spend from "awsdatacatalog"."staging"."stg"',
        ["stg"],
    )
    compiled = manifest(stg, mart)
    assert is_mart(compiled["nodes"]["model.argo.total"])
    assert not is_mart(compiled["nodes"]["model.argo.stg"])
    publish = publish_statements(
        'create or replace view "awsdatacatalog"."marts"."total" as '
        'select * from "awsdatacatalog"."marts__blue"."total";\n'
    )
    assert len(publish) == 1 and dialect_problems(publish[0]) == []
    (result,) = replay_on_duckdb(compiled, path, tmp_path / "a", publish)
    assert result.name == "total" and result.equal and result.rows == 1
    # a publish statement that does not run names itself
    broken = ['create or replace view "awsdatacatalog"."marts"."total" as select * from nosuch']
    with pytest.raises(ReplayError, match=r"publish statement .*marts.*total"):
        replay_on_duckdb(compiled, path, tmp_path / "b", broken)


def test_athena_scan_summary_reads_dbt_athenas_run_results(tmp_path: Path) -> None:
    import json

    from argo.transform import athena_scan_summary

    assert athena_scan_summary(tmp_path / "run_results.json") is None
    path = tmp_path / "run_results.json"
    path.write_text(json.dumps({"results": [{"unique_id": "model.a", "adapter_response": {}}]}))
    assert athena_scan_summary(path) is None, "a DuckDB run has no scan figures"
    results = [
        {"unique_id": "model.argo.big", "adapter_response": {"data_scanned_in_bytes": 3 * 10**9}},
        {"unique_id": "model.argo.small", "adapter_response": {"data_scanned_in_bytes": 1000}},
        {"unique_id": "model.argo.ddl", "adapter_response": {"data_scanned_in_bytes": 0}},
    ]
    path.write_text(json.dumps({"results": results}))
    summary = athena_scan_summary(path)
    assert summary is not None
    total, dollars, costliest = summary
    assert total == 3 * 10**9 + 1000
    # 3 GB at $5/TB, plus the 10 MB minimum of the small query; DDL is free
    assert dollars == pytest.approx((3 * 10**9 + 10 * 1024**2) * 5 / 1e12)
    assert costliest[0] == ("model.argo.big", 3 * 10**9)
