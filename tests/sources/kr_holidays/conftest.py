"""Fixtures of the Korean holidays source tests: the SpcdeInfoService fake."""

from __future__ import annotations

from typing import Any

import pytest

from ingestion.sandbox import World
from ingestion.sandbox.kr_holidays_api import KrHolidaysFake
from tests.fake_fixtures import serving

#: Source options that keep the connector fast against the fake.
FAST = {"backoff_factor": 0.01, "max_attempts": 4}


kr = serving(KrHolidaysFake)


@pytest.fixture
def years(world: World) -> list[int]:
    """Three years: last year, this year and next year of the world."""
    return [world.as_of.year - 1, world.as_of.year, world.as_of.year + 1]


@pytest.fixture
def kr_options(kr: KrHolidaysFake, years: list[int]) -> dict[str, Any]:
    return {**kr.source_options(), "years": years, **FAST}
