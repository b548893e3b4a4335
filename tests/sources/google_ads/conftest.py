"""Fixtures of the Google Ads source tests: the fake on the shared world, source options."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ingestion.sandbox import Faults, World
from ingestion.sandbox.google_ads_api import GoogleAdsFake

#: Source options that keep the real connector fast against the fake (nothing to poll).
FAST = {"backoff_factor": 0.01}


@pytest.fixture
def google(world: World, faults: Faults) -> Iterator[GoogleAdsFake]:
    fake = GoogleAdsFake(world, faults)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def google_options(google: GoogleAdsFake) -> dict[str, Any]:
    return {**google.source_options(), **FAST}
