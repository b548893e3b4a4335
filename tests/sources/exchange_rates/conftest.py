"""Fixtures of the exchange-rate source tests: both provider fakes on one market."""

from __future__ import annotations

from typing import Any

import pytest

from ingestion.sandbox import World
from ingestion.sandbox.exchange_rates_api import FrankfurterFake, FxMarket, KoreaEximFake
from tests.fake_fixtures import serving

#: Source options that keep the connector fast against the fakes.
FAST = {"backoff_factor": 0.01, "max_attempts": 4}


@pytest.fixture
def market(world: World) -> FxMarket:
    return FxMarket(world)


exim = serving(KoreaEximFake, "market")
frankfurter = serving(FrankfurterFake, "market")


@pytest.fixture
def exim_options(exim: KoreaEximFake, world: World) -> dict[str, Any]:
    return {**exim.source_options(), "start_date": world.first_day.isoformat(), **FAST}


@pytest.fixture
def frankfurter_options(frankfurter: FrankfurterFake, world: World) -> dict[str, Any]:
    return {
        **frankfurter.source_options(),
        "start_date": world.first_day.isoformat(),
        "window_days": 10,
        **FAST,
    }
