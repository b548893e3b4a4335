"""Fixtures of the Kakao Moment source tests: the fake with a short report interval."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ingestion.sandbox import Faults, World
from ingestion.sandbox.kakao_moment_api import KakaoMomentFake

#: Seconds between two report calls of one ad account in the tests (Kakao: 5).
INTERVAL = 0.05
#: Source options that keep the connector fast against the fake.
FAST = {"backoff_factor": 0.01}


@pytest.fixture
def kakao(world: World, faults: Faults) -> Iterator[KakaoMomentFake]:
    fake = KakaoMomentFake(world, faults, report_interval=INTERVAL)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def kakao_options(kakao: KakaoMomentFake) -> dict[str, Any]:
    return {**kakao.source_options(), **FAST}
