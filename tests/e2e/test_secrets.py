"""No configured secret ends up in a log, dbt's artefacts, dlt's working folder or the warehouse.

The run scanned is the session's demo (tests/e2e/conftest.py): ``argo -v demo`` loading
every source from its fake with the fake's credentials, then ``dbt build`` and the docs
site, with more secrets in its environment. Everything it printed (every log record at
DEBUG included) and every file it left is searched for each secret, plain and URL-encoded.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import duckdb
import pytest

from ingestion.sandbox.registry import sandbox
from tests.e2e.conftest import DEMO_WORLD, ENV_SECRETS, Demo

pytestmark = pytest.mark.e2e

#: Option names that hold a secret (``app_tokens`` are Adjust's app ids, not secrets).
SECRET = re.compile(r"(^|_)(token|secret|key|password)$")


def secrets_of(options: dict[str, dict[str, Any]]) -> dict[str, str]:
    found = {}
    for source, values in options.items():
        for name, value in values.items():
            if SECRET.search(name) and isinstance(value, str) and len(value) >= 8:
                found[f"{source}.{name}"] = value
    return found


def forms(secret: str) -> set[str]:
    """The secret as written anywhere: plain, URL-encoded once and twice."""
    once = quote(secret, safe="")
    return {secret, once, quote(once, safe="")}


def leaks(text: str, secrets: dict[str, str]) -> list[str]:
    return [name for name, value in secrets.items() if any(f in text for f in forms(value))]


def test_no_secret_in_logs_artefacts_or_warehouse(demo: Demo) -> None:
    # The options the demo's fakes gave its connectors: the same world, the same fakes.
    with sandbox(**DEMO_WORLD) as options:
        secrets = secrets_of(options)
    # every source has its credential among them, so the scan covers every source
    assert {name.split(".")[0] for name in secrets} >= {
        "meta_ads",
        "google_ads",
        "naver_searchad",
        "kakao_moment",
        "appsflyer",
        "adjust",
        "exchange_rates",
        "kr_holidays",
        "weather",
    }
    secrets |= {f"environment {name}": value for name, value in ENV_SECRETS.items()}
    assert "DEBUG" in demo.err, "the demo logged at DEBUG (argo -v)"
    found: dict[str, list[str]] = {}
    if leaks(demo.out + demo.err, secrets):
        found["stdout/stderr (every log record)"] = leaks(demo.out + demo.err, secrets)
    scanned = 0
    for folder in (demo.target, demo.logs, demo.pipelines):
        for path in folder.rglob("*"):
            if path.is_file():
                scanned += 1
                hit = leaks(path.read_bytes().decode("utf-8", errors="replace"), secrets)
                if hit:
                    found[str(path)] = hit
    assert scanned > 20 and (demo.target / "manifest.json").exists()
    assert (demo.target / "index.html").exists()
    con = duckdb.connect(str(demo.warehouse))  # as dbt may hold it open in this process
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
        assert len(tables) > 50
        for schema, table in tables:
            rows = con.execute(f'select * from "{schema}"."{table}"').fetchall()
            hit = leaks(repr(rows), secrets)
            if hit:
                found[f"{schema}.{table}"] = hit
    finally:
        con.close()
    assert not found, f"secrets found: {found}"
