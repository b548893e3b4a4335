"""Fixtures of the google_sheets source tests: the Sheets fake serving the world's plan."""

from __future__ import annotations

from typing import Any

import pytest

from ingestion.sandbox.google_sheets_api import GoogleSheetsFake
from tests.fake_fixtures import serving

#: Source options that keep the connector fast against the fake.
FAST = {"backoff_factor": 0.01, "max_attempts": 4}

sheets = serving(GoogleSheetsFake)


@pytest.fixture
def sheets_options(sheets: GoogleSheetsFake) -> dict[str, Any]:
    return {**sheets.source_options(), **FAST}
