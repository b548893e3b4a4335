"""Many Meta accounts: read in parallel up to the setting, held back by the usage headers."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from argo.pipeline import run_source
from ingestion.sandbox import MetaAdsFake, World
from ingestion.sandbox.http import Request
from ingestion.sources.meta_ads.client import UsageGate
from tests.sources.concurrency import InFlight
from tests.sources.meta_ads.test_source import loaded_insights, served_insights

pytestmark = pytest.mark.pipeline

SETTING = "SOURCES__META_ADS__MAX_PARALLEL_ACCOUNTS"


def account_of(fake: MetaAdsFake) -> Any:
    def of(request: Request) -> str | None:
        found = re.search(r"act_(\d+)", request.path)
        if found:
            return found.group(1)
        run = fake._runs.get(request.path.strip("/").split("/")[1])
        return run.account_id if run is not None else None

    return of


def without(options: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in options.items() if k not in names}


def test_accounts_are_read_in_parallel_up_to_the_setting(
    world: World,
    meta: MetaAdsFake,
    meta_options: dict[str, Any],
    warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    accounts = len(world.accounts("meta_ads"))
    assert accounts >= 3
    monkeypatch.setenv(SETTING, "2")  # as a user sets it
    watch = InFlight(meta, account_of(meta), monkeypatch, rendezvous=2)
    run_source("meta_ads", **without(meta_options, "max_parallel_accounts"))
    assert watch.met, "two accounts had a request in flight at the same time"
    assert watch.peak == 2, "never more accounts at once than max_parallel_accounts"
    assert watch.accounts_seen == accounts
    assert loaded_insights(warehouse) == served_insights(world)


def test_one_account_at_a_time_when_set_to_one(
    world: World,
    meta: MetaAdsFake,
    meta_options: dict[str, Any],
    warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SETTING, "1")
    watch = InFlight(meta, account_of(meta), monkeypatch)
    run_source("meta_ads", **without(meta_options, "max_parallel_accounts"))
    assert watch.peak == 1
    assert loaded_insights(warehouse) == served_insights(world)


def test_usage_headers_hold_an_account_back_before_meta_refuses(
    world: World, meta: MetaAdsFake, meta_options: dict[str, Any], warehouse: Path
) -> None:
    """On the frozen clock: the fake counts each account's calls over the rolling hour."""
    meta.calls_per_hour = 5
    start = world.as_of - timedelta(days=6)
    run_source("meta_ads", **{**meta_options, "start_date": start.isoformat()})
    assert meta.refused_calls == 0, "the connector waited for the usage to drain"
    gate = UsageGate.latest
    assert gate is not None and gate.waits > 0
    # each wait was the minutes Meta said access returns in, not a guess
    assert gate.waited >= 60 * gate.waits
    served = {k: v for k, v in served_insights(world).items() if k[2] >= start.isoformat()}
    assert loaded_insights(warehouse) == served
