"""`make sqllint` compiles on a scratch warehouse and still lints the SQL a daily run executes."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from argo.settings import PROJECT_DIR, WAREHOUSE_ENV
from argo.transform import LINT_NEWEST_DAY, MARTS_BUILD_SCHEMAS, dbt, lint_warehouse
from tests.conftest import query
from tests.network_guard import guarded_env, refused_in_subprocesses

pytestmark = pytest.mark.dbt

INCREMENTAL_MART = "models/marts/marketing/rpt_campaign_performance_daily.sql"


def test_the_lint_warehouse_holds_every_incremental_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    path = lint_warehouse(tmp_path / "lint" / "argo.duckdb")
    tables = query(
        path,
        "select table_schema, table_name from information_schema.tables order by 1, 2",
    )
    listed = dbt(
        [
            "ls",
            "--resource-type",
            "model",
            "--select",
            "config.materialized:incremental",
            "--output",
            "name",
            "--quiet",
        ]
    )
    incremental = sorted(str(name) for name in listed.result)
    assert incremental and [name for _, name in tables] == incremental
    # dbt builds the marts into marts__blue unless told otherwise (ARGO_MARTS_SCHEMA)
    assert {schema for schema, _ in tables} == {MARTS_BUILD_SCHEMAS[0]}
    newest = query(path, f"select max(date_day) from {MARTS_BUILD_SCHEMAS[0]}.{incremental[0]}")
    assert newest == [(date.fromisoformat(LINT_NEWEST_DAY),)]
    with pytest.raises(ValueError, match=r"must be named argo\.duckdb"):
        lint_warehouse(tmp_path / "lint" / "other.duckdb")


@pytest.mark.xdist_group("project_dir")  # sqlfluff compiles into the project's target/
def test_the_linter_sees_the_incremental_run_of_a_mart(tmp_path: Path) -> None:
    """sqlfluff's dbt templater, pointed as `make sqllint` points it, renders the date window."""
    path = lint_warehouse(tmp_path / "argo.duckdb")
    guard = tmp_path / "guard"
    env = guarded_env(guard) | {WAREHOUSE_ENV: str(path), "ARGO_TARGET": "local"}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("sqlfluff")), "render", INCREMENTAL_MART],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # 30 days (argo__mart_lookback_days) before the newest day, as a date literal
    start = date.fromisoformat(LINT_NEWEST_DAY) - timedelta(days=30)
    window = rf"where date_day >= cast\('{start.isoformat()}' as date\)"
    assert len(re.findall(window, done.stdout)) == 2, done.stdout[-3000:]  # both inputs
    assert refused_in_subprocesses(guard) == []
