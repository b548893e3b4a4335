"""Fixtures of the Naver Search Ad source tests: the fake on the shared world, options."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ingestion.sandbox import Faults, World
from ingestion.sandbox.naver_searchad_api import NaverSearchAdFake
from tests.conftest import FAST


@pytest.fixture
def naver(world: World, faults: Faults) -> Iterator[NaverSearchAdFake]:
    fake = NaverSearchAdFake(world, faults)
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def naver_options(naver: NaverSearchAdFake) -> dict[str, Any]:
    return {**naver.source_options(), **FAST}
