"""Meta Ads against wrong answers: conflicting duplicates, days restated to nothing."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from argo.pipeline import IngestError, run_source
from ingestion.sandbox import Faults, World
from tests.conftest import query
from tests.sources.meta_ads.test_source import (
    loaded_actions,
    loaded_insights,
    served_insights,
)

pytestmark = pytest.mark.pipeline


def state_of(path: Path) -> list[tuple[Any, ...]]:
    return query(path, "select version_hash from raw_meta_ads._dlt_pipeline_state order by 1")


def test_conflicting_duplicate_stops_the_run_naming_key_and_values(
    world: World, faults: Faults, meta_options: dict[str, Any], warehouse: Path
) -> None:
    run_source("meta_ads", insights_mode="sync", **meta_options)
    before, state = loaded_insights(warehouse), state_of(warehouse)
    faults.conflict_next(1, only_path_contains="insights")
    with pytest.raises(IngestError) as err:
        run_source("meta_ads", insights_mode="sync", **meta_options)
    message = str(err.value)
    assert "meta_ads: ads_insights: two rows share the key and differ (spend " in message
    found = re.search(r"record: account_id=(\d+), ad_id=(\d+), date_start=([\d-]+)\]", message)
    assert found, message
    spend = before[found.groups()][2]
    assert f"spend {spend * 10:.4f} vs {spend:.4f}" in message
    assert "conflicting rows" in message and "What to do" in message
    assert loaded_insights(warehouse) == before
    assert state_of(warehouse) == state


def test_identical_duplicates_load_once(
    world: World, faults: Faults, meta_options: dict[str, Any], warehouse: Path
) -> None:
    faults.duplicate_next(5, only_path_contains="insights")
    result = run_source("meta_ads", insights_mode="sync", **meta_options)
    assert faults.fired.count("duplicate") == 5
    assert loaded_insights(warehouse) == served_insights(world)  # asserts no grain duplicate
    assert result.rows["ads_insights"] == len(served_insights(world))


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_day_restated_to_nothing_is_emptied(
    mode: str, world: World, meta_options: dict[str, Any], warehouse: Path
) -> None:
    run_source("meta_ads", insights_mode=mode, **meta_options)
    day = (world.as_of.replace(day=1) if world.as_of.day > 3 else world.first_day).isoformat()
    assert any(k[2] == day for k in loaded_insights(warehouse))
    assert any(k[2] == day for k in loaded_actions(warehouse))
    world.restate_to_nothing(date.fromisoformat(day), "meta_ads")
    run_source(
        "meta_ads", insights_mode=mode, **{**meta_options, "start_date": day, "end_date": day}
    )
    assert not any(k[2] == day for k in loaded_insights(warehouse))
    assert not any(k[2] == day for k in loaded_actions(warehouse))
    assert loaded_insights(warehouse) == served_insights(world)
    deleted = query(warehouse, "select count(*) from raw_meta_ads.ads_insights where _deleted")
    assert deleted == [(0,)]


@pytest.mark.parametrize(
    ("day", "problem"),
    [(date(2028, 1, 3), "after tomorrow"), (date(1999, 12, 31), "before 2000-01-01")],
    ids=["future", "ancient"],
)
def test_row_dated_out_of_range_is_refused_naming_the_record(
    day: date,
    problem: str,
    faults: Faults,
    meta_options: dict[str, Any],
    warehouse: Path,
) -> None:
    run_source("meta_ads", insights_mode="sync", **meta_options)
    before, state = loaded_insights(warehouse), state_of(warehouse)
    faults.redate_next(1, day, only_path_contains="insights")
    with pytest.raises(IngestError) as err:
        run_source("meta_ads", insights_mode="sync", **meta_options)
    message = str(err.value)
    assert f"meta_ads: ads_insights: field 'date_start' is {day}, {problem}" in message
    assert re.search(rf"record: account_id=\d+, ad_id=\d+, date_start={day}\]", message)
    assert "What to do" in message and "report it" in message
    assert loaded_insights(warehouse) == before
    assert state_of(warehouse) == state
