"""The argo CLI: failures name the source and what to do; the sandbox path loads data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ingestion import clock
from ingestion.cli import main
from tests.conftest import query


def test_ingest_without_a_token_says_which_setting_is_missing(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SOURCES__META_ADS__ACCESS_TOKEN", raising=False)
    monkeypatch.chdir(warehouse.parent.parent)  # no .dlt/ folder here
    assert main(["ingest", "meta_ads"]) == 1
    err = capsys.readouterr().err
    assert "meta_ads: missing configuration access_token" in err
    assert "SOURCES__META_ADS__ACCESS_TOKEN" in err


def test_ingest_with_a_bad_date_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["ingest", "meta_ads", "--start", "2026-13-01"])
    assert "is not a date" in capsys.readouterr().err


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
