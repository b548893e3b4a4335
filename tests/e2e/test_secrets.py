"""No configured secret ends up in a log, dbt's artefacts, dlt's working folder or the warehouse."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import pytest

from argo.pipeline import run_source
from argo.settings import pipelines_dir
from argo.transform import dbt
from ingestion.sandbox.registry import sandbox

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


def test_no_secret_in_logs_artefacts_or_warehouse(
    warehouse: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    target, logs = tmp_path / "target", tmp_path / "logs"
    monkeypatch.setenv("DBT_TARGET_PATH", str(target))
    monkeypatch.setenv("DBT_LOG_PATH", str(logs))
    caplog.set_level(logging.DEBUG)
    with sandbox(seed=3, scale=0.2, days=14) as options:
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
        for source, source_options in options.items():
            run_source(source, **{**source_options, "backoff_factor": 0.01})
    dbt(["build"])
    dbt(["docs", "generate"])
    captured = capfd.readouterr()
    found: dict[str, list[str]] = {}
    for where, text in {
        "log records": "\n".join(r.getMessage() for r in caplog.records),
        "stdout/stderr": captured.out + captured.err,
    }.items():
        if leaks(text, secrets):
            found[where] = leaks(text, secrets)
    scanned = 0
    for folder in (target, logs, pipelines_dir()):
        for path in folder.rglob("*"):
            if path.is_file():
                scanned += 1
                hit = leaks(path.read_bytes().decode("utf-8", errors="replace"), secrets)
                if hit:
                    found[str(path)] = hit
    assert scanned > 20 and (target / "manifest.json").exists() and (target / "index.html").exists()
    con = duckdb.connect(str(warehouse))  # dbt holds it open read-write in this process
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
