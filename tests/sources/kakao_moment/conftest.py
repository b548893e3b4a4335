"""Fixtures of the Kakao Moment source tests: the fake with a short report interval."""

from __future__ import annotations

from typing import Any

import pytest

from ingestion.sandbox.kakao_moment_api import KakaoMomentFake
from tests.fake_fixtures import serving

#: Seconds between two report calls of one ad account in the tests (Kakao: 5).
INTERVAL = 0.05
#: Source options that keep the connector fast against the fake.
FAST = {"backoff_factor": 0.01}


kakao = serving(KakaoMomentFake, report_interval=INTERVAL)


@pytest.fixture
def kakao_options(kakao: KakaoMomentFake) -> dict[str, Any]:
    return {**kakao.source_options(), **FAST}
