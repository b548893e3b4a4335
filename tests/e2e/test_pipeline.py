"""End to end: sandbox -> dlt -> dbt build, twice, reconciling the marts with what was served."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from ingestion.pipeline import run_source
from ingestion.sandbox import World
from ingestion.settings import PROJECT_DIR
from ingestion.transform import dbt
from tests.conftest import query

pytestmark = pytest.mark.e2e

Totals = dict[tuple[str, str, str], tuple[Decimal, int, Decimal, Decimal]]


def conversion_action_types() -> list[str]:
    """The action types the project counts as conversions (its dbt var), read from the project."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    types = project["vars"]["meta_ads__conversion_action_types"]
    assert types, "the project must count some action types as conversions"
    return [str(t) for t in types]


def served_totals(world: World) -> Totals:
    """(day, account, campaign) -> (spend, clicks, conversions, conversions value) served."""
    types = conversion_action_types()
    totals: dict[tuple[str, str, str], list[Any]] = defaultdict(
        lambda: [Decimal(0), 0, Decimal(0), Decimal(0)]
    )
    for account in world.accounts("meta"):
        for day in world.daily_stats("meta", account.account_id, world.first_day, world.as_of):
            if day.impressions == 0:
                continue
            row = totals[(day.date.isoformat(), account.account_id, day.ad.campaign_id)]
            row[0] += day.spend
            row[1] += day.clicks
            row[2] += sum(Decimal(day.actions.get(t, 0)) for t in types)
            row[3] += sum(day.action_values.get(t, Decimal(0)) for t in types)
    return {k: (v[0], v[1], v[2], v[3]) for k, v in totals.items()}


def mart_totals(warehouse: Path) -> Totals:
    rows = query(
        warehouse,
        "select cast(date_day as varchar), account_id, campaign_id, spend, clicks, conversions, "
        "conversions_value from marts.rpt_campaign_performance_daily",
    )
    totals: Totals = {}
    for day, account_id, campaign_id, spend, clicks, conversions, value in rows:
        key = (day, account_id, campaign_id)
        assert key not in totals, f"duplicate grain row in rpt_campaign_performance_daily: {key}"
        totals[key] = (
            Decimal(str(spend)).quantize(Decimal("0.0001")),
            int(clicks),
            Decimal(str(conversions)),
            Decimal(str(value or 0)).quantize(Decimal("0.0001")),
        )
    return totals


def assert_reconciled(world: World, warehouse: Path) -> None:
    served = served_totals(world)
    marts = mart_totals(warehouse)
    missing = served.keys() - marts.keys()
    extra = marts.keys() - served.keys()
    assert not missing, (
        f"{len(missing)} served campaign-days missing from the mart, e.g. {min(missing)}"
    )
    assert not extra, (
        f"{len(extra)} campaign-days in the mart that were never served, e.g. {min(extra)}"
    )
    wrong = {k: (served[k], marts[k]) for k in served if served[k] != marts[k]}
    assert not wrong, (
        f"{len(wrong)} campaign-days differ (served, mart), e.g. {sorted(wrong.items())[:3]}"
    )
    served_ad_days = sum(
        1
        for account in world.accounts("meta")
        for day in world.daily_stats("meta", account.account_id, world.first_day, world.as_of)
        if day.impressions > 0
    )
    ((fct_rows,),) = query(warehouse, "select count(*) from marts.fct_ad_performance_daily")
    assert fct_rows == served_ad_days


def test_two_runs_with_restatement_reconcile(
    world: World,
    meta_options: dict[str, Any],
    warehouse: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))

    run_source("meta_ads", **meta_options)
    dbt(["build"])
    assert_reconciled(world, warehouse)
    before = mart_totals(warehouse)

    world.advance(days=3)
    run_source("meta_ads", **{k: v for k, v in meta_options.items() if k != "start_date"})
    dbt(["build"])
    assert_reconciled(world, warehouse)
    after = mart_totals(warehouse)
    restated = [k for k in before if before[k][2] != after[k][2]]
    assert restated, "conversions were restated by the world and must change in the mart"
    assert all(after[k][2] >= before[k][2] for k in before), "restated conversions only grow"
    assert len(after) > len(before), "the three new days appear"
