"""Fixtures of the AppsFlyer source tests: the Pull API fake on the shared world."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ingestion.sandbox import Faults, World
from ingestion.sandbox.appsflyer_api import AppsFlyerFake

#: Source options that keep the connector fast against the fake.
FAST = {"backoff_factor": 0.01, "max_attempts": 4}


@pytest.fixture
def appsflyer(world: World, faults: Faults) -> Iterator[AppsFlyerFake]:
    fake = AppsFlyerFake(world, faults)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def options(appsflyer: AppsFlyerFake) -> dict[str, Any]:
    return {**appsflyer.source_options(), **FAST}
