"""Fixtures of the weather source tests: both provider fakes on one climate."""

from __future__ import annotations

from typing import Any

import pytest

from ingestion.sandbox import World
from ingestion.sandbox.weather_api import Climate, KmaAsosFake, OpenMeteoFake
from tests.fake_fixtures import serving

#: Source options that keep the connector fast against the fakes.
FAST = {"backoff_factor": 0.01, "max_attempts": 4}


@pytest.fixture
def climate(world: World) -> Climate:
    return Climate(world)


kma = serving(KmaAsosFake, "climate")
meteo = serving(OpenMeteoFake, "climate")


@pytest.fixture
def kma_options(kma: KmaAsosFake) -> dict[str, Any]:
    return {**kma.source_options(), **FAST}


@pytest.fixture
def meteo_options(meteo: OpenMeteoFake) -> dict[str, Any]:
    return {**meteo.source_options(), **FAST}
