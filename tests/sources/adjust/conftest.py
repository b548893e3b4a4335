"""Fixtures of the Adjust source tests: the Report Service fake on the shared world."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ingestion.sandbox import Faults, World
from ingestion.sandbox.adjust_api import AdjustFake

#: Source options that keep the connector fast against the fake.
FAST = {"backoff_factor": 0.01, "max_attempts": 4}


@pytest.fixture
def adjust(world: World, faults: Faults) -> Iterator[AdjustFake]:
    fake = AdjustFake(world, faults)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def options(adjust: AdjustFake) -> dict[str, Any]:
    return {**adjust.source_options(), **FAST}
