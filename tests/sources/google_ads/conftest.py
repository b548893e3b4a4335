"""Fixtures of the Google Ads source tests: the fake on the shared world, source options."""

from __future__ import annotations

from typing import Any

import pytest

from ingestion.sandbox.google_ads_api import GoogleAdsFake
from tests.fake_fixtures import serving

#: Source options that keep the real connector fast against the fake (nothing to poll).
FAST = {"backoff_factor": 0.01}


google = serving(GoogleAdsFake)


@pytest.fixture
def google_options(google: GoogleAdsFake) -> dict[str, Any]:
    return {**google.source_options(), **FAST}
