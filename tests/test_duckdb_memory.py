"""DuckDB's memory, set as a user sets it: the loader's ``ARGO_DUCKDB_MEMORY_LIMIT`` and
dbt's ``ARGO_DBT_MEMORY_LIMIT`` (``profiles.yml``).

Each test runs a pipeline made as ARGO makes it, or a dbt command as ``argo`` runs it, in a
subprocess with the variable in its environment, and asks DuckDB itself what
``memory_limit`` it runs with.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from argo.settings import (
    DBT_MEMORY_LIMIT_ENV,
    DEFAULT_DBT_MEMORY_LIMIT,
    DEFAULT_MEMORY_LIMIT,
    MEMORY_LIMIT_ENV,
    PROJECT_DIR,
    WAREHOUSE_ENV,
)

pytestmark = pytest.mark.pipeline

ARGO = Path(sys.executable).parent / "argo"

LOAD = """
import json
from argo.pipeline import make_pipeline

pipeline = make_pipeline("kr_holidays")
pipeline.run([{"id": 1}], table_name="probe")
with pipeline.sql_client() as client:
    ((limit, install),) = client.execute_sql(
        "select current_setting('memory_limit'), current_setting('autoinstall_known_extensions')"
    )
print(json.dumps({"memory_limit": limit, "install": install}))
"""


#: One dbt query through argo.transform.dbt, as `argo transform` runs dbt: the setting seen.
SHOW = """
import json
from argo.transform import dbt

result = dbt([
    "show", "--inline",
    "select current_setting('memory_limit'), current_setting('preserve_insertion_order')",
])
(limit, ordered), = result.result.results[0].agate_table.rows
print(json.dumps({"memory_limit": limit, "preserve_insertion_order": ordered}))
"""


def reported(value: str) -> str:
    """What DuckDB's ``current_setting('memory_limit')`` says after ``SET memory_limit``."""
    with duckdb.connect() as connection:
        connection.execute(f"set memory_limit = '{value}'")
        ((limit,),) = connection.execute("select current_setting('memory_limit')").fetchall()
    return str(limit)


def environment(
    tmp_path: Path, limit: str | None, variable: str = MEMORY_LIMIT_ENV
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (MEMORY_LIMIT_ENV, DBT_MEMORY_LIMIT_ENV)}
    env[WAREHOUSE_ENV] = str(tmp_path / "warehouse" / "argo.duckdb")
    env["DBT_TARGET_PATH"] = str(tmp_path / "target")
    env["DBT_LOG_PATH"] = str(tmp_path / "logs")
    if limit is not None:
        env[variable] = limit
    return env


def settings_seen(
    tmp_path: Path, script: str, limit: str | None, variable: str = MEMORY_LIMIT_ENV
) -> dict[str, object]:
    """What ``script``, run in a subprocess with ``variable`` set to ``limit``, printed."""
    (tmp_path / "warehouse").mkdir(exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_DIR,
        env=environment(tmp_path, limit, variable),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return seen


def loader_settings(tmp_path: Path, limit: str | None) -> dict[str, object]:
    return settings_seen(tmp_path, LOAD, limit)


@pytest.mark.parametrize(("limit", "expected"), [(None, DEFAULT_MEMORY_LIMIT), ("300MB", "300MB")])
def test_the_loader_runs_duckdb_with_the_memory_limit_set(
    tmp_path: Path, limit: str | None, expected: str
) -> None:
    seen = loader_settings(tmp_path, limit)
    assert seen["memory_limit"] == reported(expected)
    # the limit comes on top of the project's DuckDB settings, not instead of them
    assert seen["install"] is False


def test_a_share_of_ram_is_duckdbs_share(tmp_path: Path) -> None:
    assert loader_settings(tmp_path, "10%")["memory_limit"] == reported("10%")


@pytest.mark.parametrize(
    ("command", "variable", "default", "limit"),
    [
        *[
            ("ingest", MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT, v)
            for v in ("lots", "512", "32MB", "0%")
        ],
        ("transform", DBT_MEMORY_LIMIT_ENV, DEFAULT_DBT_MEMORY_LIMIT, "16"),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_setting(
    tmp_path: Path, command: str, variable: str, default: str, limit: str
) -> None:
    args = ["ingest", "kr_holidays"] if command == "ingest" else [command]
    done = subprocess.run(
        [str(ARGO), *args],
        cwd=tmp_path,
        env=environment(tmp_path, limit, variable),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines == [
        f"argo {command} failed: {variable}={limit!r} is not an amount of "
        "memory DuckDB can load with. What to do: set it to a size of at least 64MB such as "
        f"512MB or 2GB, or a share of RAM such as 25% (or leave it unset for "
        f"{default})"
    ], done.stderr[-3000:]
    assert not (tmp_path / "warehouse" / "argo.duckdb").exists()


@pytest.mark.parametrize(
    ("limit", "expected"), [(None, DEFAULT_DBT_MEMORY_LIMIT), ("1500MB", "1500MB")]
)
def test_dbt_runs_duckdb_with_the_memory_limit_set(
    tmp_path: Path, limit: str | None, expected: str
) -> None:
    seen = settings_seen(tmp_path, SHOW, limit, DBT_MEMORY_LIMIT_ENV)
    assert seen["memory_limit"] == reported(expected)
    # profiles.yml lets DuckDB write a model's rows in any order (far less memory)
    assert seen["preserve_insertion_order"] is False
