"""Fixtures of the AppsFlyer source tests: the Pull API fake on the shared world."""

from __future__ import annotations

from typing import Any

import pytest

from ingestion.sandbox.appsflyer_api import AppsFlyerFake
from tests.fake_fixtures import serving

#: Source options that keep the connector fast against the fake.
FAST = {"backoff_factor": 0.01, "max_attempts": 4}


appsflyer = serving(AppsFlyerFake)


@pytest.fixture
def options(appsflyer: AppsFlyerFake) -> dict[str, Any]:
    return {**appsflyer.source_options(), **FAST}
