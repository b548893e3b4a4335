"""The argo CLI: failures name the source and what to do; the sandbox path loads data."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from dlt.common.configuration.container import Container
from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext

from argo.cli import main
from argo.settings import DLT_PROJECT_ENV, PROJECT_DIR, project_dlt_settings
from ingestion import clock
from ingestion.sources.config import settings_dir
from tests.conftest import query


def test_ingest_without_a_token_says_which_setting_is_missing(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SOURCES__META_ADS__ACCESS_TOKEN", raising=False)
    monkeypatch.setenv(DLT_PROJECT_ENV, str(warehouse.parent.parent))  # no .dlt/ folder here
    assert main(["ingest", "meta_ads"]) == 1
    err = capsys.readouterr().err
    assert "meta_ads: missing configuration access_token" in err
    assert "SOURCES__META_ADS__ACCESS_TOKEN" in err
    assert f"{warehouse.parent.parent.resolve()}/.dlt/config.toml" in err


def test_argo_reads_the_projects_dlt_folder_unless_told_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DLT_PROJECT_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    try:
        with project_dlt_settings() as folder:
            assert folder == PROJECT_DIR
            assert os.environ[DLT_PROJECT_ENV] == str(PROJECT_DIR)
            assert settings_dir() == PROJECT_DIR / ".dlt"
        assert DLT_PROJECT_ENV not in os.environ
        assert settings_dir() == tmp_path.resolve() / ".dlt"
        monkeypatch.setenv(DLT_PROJECT_ENV, str(tmp_path / "mine"))
        with project_dlt_settings() as folder:
            assert folder == tmp_path / "mine"
            assert settings_dir() == tmp_path / "mine" / ".dlt"
        assert os.environ[DLT_PROJECT_ENV] == str(tmp_path / "mine")
    finally:
        monkeypatch.undo()
        Container()[PluggableRunContext].reload_providers()  # the settings of the tests' cwd


def test_ingest_with_a_bad_date_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["ingest", "meta_ads", "--start", "2026-13-01"])
    assert "is not a date" in capsys.readouterr().err


@pytest.mark.pipeline
@pytest.mark.any_instant
def test_ingest_sandbox_range_loads_only_that_range(warehouse: Path) -> None:
    today = clock.today()  # the sandbox world's today
    start, end = today - timedelta(days=10), today - timedelta(days=8)
    args = ["ingest", "meta_ads", "--sandbox", "--scale", "0.2", "--days", "20"]
    assert main([*args, "--start", start.isoformat(), "--end", end.isoformat()]) == 0
    ((first, last, days),) = query(
        warehouse,
        "select min(date_start), max(date_start), count(distinct date_start) "
        "from raw_meta_ads.ads_insights",
    )
    assert (first, last, days) == (start, end, 3)
