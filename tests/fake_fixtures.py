"""A fixture that serves one sandbox fake for one test, shared by the source tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from ingestion.sandbox import Faults, World
from ingestion.sandbox.http import FakeApi

F = TypeVar("F", bound=FakeApi)


def serving(fake: Callable[..., F], *fixtures: str, **options: Any) -> Any:
    """A fixture serving ``fake(world, faults, ...)`` for one test, stopped after it.

    ``fixtures`` name further fixtures handed to the fake under their names, ``options``
    further keyword arguments. The fixture takes the name it is assigned to::

        adjust = serving(AdjustFake)
        exim = serving(KoreaEximFake, "market")
        kakao = serving(KakaoMomentFake, report_interval=0.05)
    """

    @pytest.fixture
    def served(world: World, faults: Faults, request: pytest.FixtureRequest) -> Iterator[F]:
        given = {name: request.getfixturevalue(name) for name in fixtures}
        with fake(world, faults, **given, **options) as api:
            yield api

    return served
