"""Many Google Ads customers: read in parallel, up to the setting a user sets."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from argo.pipeline import run_source
from ingestion.sandbox import World
from ingestion.sandbox.google_ads_api import GoogleAdsFake
from ingestion.sandbox.http import Request
from tests.sources.concurrency import InFlight
from tests.sources.google_ads.test_source import loaded_ads, normalized, served_ads

pytestmark = pytest.mark.pipeline

SETTING = "SOURCES__GOOGLE_ADS__MAX_PARALLEL_ACCOUNTS"


def customer_of(request: Request) -> str | None:
    found = re.search(r"/customers/(\d+)/googleAds:search", request.path)
    return found.group(1) if found else None


@pytest.mark.parametrize("setting", [1, 2])
def test_customers_are_read_in_parallel_up_to_the_setting(
    setting: int,
    world: World,
    google: GoogleAdsFake,
    google_options: dict[str, Any],
    warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    customers = len(world.accounts("google_ads"))
    assert customers >= 3
    monkeypatch.setenv(SETTING, str(setting))  # as a user sets it
    watch = InFlight(google, customer_of, monkeypatch, rendezvous=setting)
    run_source("google_ads", **google_options)
    assert watch.peak == setting, "as many customers at once as max_parallel_accounts, no more"
    assert watch.met
    assert watch.accounts_seen == customers
    assert loaded_ads(warehouse) == normalized(served_ads(world))
