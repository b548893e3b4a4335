"""Fixtures of the Naver Search Ad source tests: the fake on the shared world, options."""

from __future__ import annotations

from typing import Any

import pytest

from ingestion.sandbox.naver_searchad_api import NaverSearchAdFake
from tests.conftest import FAST
from tests.fake_fixtures import serving

naver = serving(NaverSearchAdFake)


@pytest.fixture
def naver_options(naver: NaverSearchAdFake) -> dict[str, Any]:
    return {**naver.source_options(), **FAST}
