"""Fixtures of the Adjust source tests: the Report Service fake on the shared world."""

from __future__ import annotations

from typing import Any

import pytest

from ingestion.sandbox.adjust_api import AdjustFake
from tests.fake_fixtures import serving

#: Source options that keep the connector fast against the fake.
FAST = {"backoff_factor": 0.01, "max_attempts": 4}


adjust = serving(AdjustFake)


@pytest.fixture
def options(adjust: AdjustFake) -> dict[str, Any]:
    return {**adjust.source_options(), **FAST}
