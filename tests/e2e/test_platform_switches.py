"""A platform switched off by its dbt variable disappears cleanly; the rest still builds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from argo.pipeline import run_source
from argo.settings import PROJECT_DIR
from argo.transform import dbt
from ingestion.sandbox import World
from ingestion.sandbox.exchange_rates_api import KoreaEximFake
from tests.conftest import query

pytestmark = pytest.mark.e2e


def test_only_meta_loaded_and_the_others_switched_off(
    world: World,
    meta_options: dict[str, Any],
    warehouse: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    others = [p for p in project["vars"]["argo__ad_platforms"] if p != "meta_ads"]
    # Trackers and public context switched off too: only exchange rates (Meta bills in
    # several currencies) and Meta are loaded.
    context = ["appsflyer", "adjust", "kr_holidays", "weather"]
    switches = {f"{p}__enabled": False for p in others + context}

    # Only Meta's raw tables exist: the other platforms' sources must not be read at all.
    run_source("meta_ads", **meta_options)
    with KoreaEximFake(world) as fx:
        run_source("exchange_rates", **fx.source_options(), backoff_factor=0.01)
    dbt(["build", "--vars", json.dumps(switches)])

    platforms = {
        row[0]
        for table in ("fct_ad_performance_daily", "dim_ad_accounts", "dim_ad_groups")
        for row in query(warehouse, f"select distinct platform from marts.{table}")
    }
    assert platforms == {"meta_ads"}
    ((keyword_rows,),) = query(
        warehouse, "select count(*) from marts.rpt_keyword_performance_daily"
    )
    assert keyword_rows == 0, "no search platform enabled: the keyword report is empty, not broken"
    built = {row[0] for row in query(warehouse, "select table_name from information_schema.tables")}
    for platform in others + context:
        own = (f"stg_{platform}__", f"int_{platform}__")
        assert not any(name.startswith(own) for name in built), f"{platform} models were built"
    ((tracker_rows,),) = query(
        warehouse, "select count(*) from marts.fct_tracker_performance_daily"
    )
    assert tracker_rows == 0, "no tracker enabled: the tracker fact is empty, not broken"
    ((unconverted,),) = query(
        warehouse,
        "select count(*) from marts.fct_ad_performance_daily "
        "where spend_in_reporting_currency is null",
    )
    assert unconverted == 0, "every Meta ad-day has its spend in the reporting currency"
