"""Fixtures of the exchange-rate source tests: both provider fakes on one market."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ingestion.sandbox import Faults, World
from ingestion.sandbox.exchange_rates_api import FrankfurterFake, FxMarket, KoreaEximFake

#: Source options that keep the connector fast against the fakes.
FAST = {"backoff_factor": 0.01, "max_attempts": 4}


@pytest.fixture
def market(world: World) -> FxMarket:
    return FxMarket(world)


@pytest.fixture
def exim(world: World, faults: Faults, market: FxMarket) -> Iterator[KoreaEximFake]:
    fake = KoreaEximFake(world, faults, market=market)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def frankfurter(world: World, faults: Faults, market: FxMarket) -> Iterator[FrankfurterFake]:
    fake = FrankfurterFake(world, faults, market=market)
    fake.start()
    yield fake
    fake.stop()


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
