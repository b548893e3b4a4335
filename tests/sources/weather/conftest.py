"""Fixtures of the weather source tests: both provider fakes on one climate."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ingestion.sandbox import Faults, World
from ingestion.sandbox.weather_api import Climate, KmaAsosFake, OpenMeteoFake

#: Source options that keep the connector fast against the fakes.
FAST = {"backoff_factor": 0.01, "max_attempts": 4}


@pytest.fixture
def climate(world: World) -> Climate:
    return Climate(world)


@pytest.fixture
def kma(world: World, faults: Faults, climate: Climate) -> Iterator[KmaAsosFake]:
    fake = KmaAsosFake(world, faults, climate=climate)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def meteo(world: World, faults: Faults, climate: Climate) -> Iterator[OpenMeteoFake]:
    fake = OpenMeteoFake(world, faults, climate=climate)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def kma_options(kma: KmaAsosFake) -> dict[str, Any]:
    return {**kma.source_options(), **FAST}


@pytest.fixture
def meteo_options(meteo: OpenMeteoFake) -> dict[str, Any]:
    return {**meteo.source_options(), **FAST}
