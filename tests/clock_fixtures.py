"""Every test runs on a frozen clock; date-sensitive tests also run at the instants that bite.

The suite never reads the machine's clock: the session starts frozen at :data:`DEFAULT_NOW`
and every test gets a fresh :class:`~ingestion.clock.FrozenClock` (the ``frozen_clock``
fixture, autouse), so it passes at any hour, in any time zone and under any load. A
subprocess a test starts (``argo ...``) sees the same instant through ``ARGO_NOW``.

A test marked ``any_instant`` runs once per instant of :data:`INSTANTS`: either side of
midnight in Seoul (15:00 UTC), the last minute of a month and of a year in UTC, and the
daylight-saving changes of the sandbox's US and European accounts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from ingestion import clock

#: The instant every test runs at unless it is marked ``any_instant``: 10:30 in Seoul.
DEFAULT_NOW = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)

#: The instants a date-sensitive test runs at (``@pytest.mark.any_instant``).
INSTANTS: dict[str, datetime] = {
    "0030utc": datetime(2026, 11, 20, 0, 30, tzinfo=UTC),
    "1459utc": datetime(2026, 11, 20, 14, 59, tzinfo=UTC),
    # Already tomorrow in Seoul (UTC+9), still today in UTC.
    "1501utc-seoul-tomorrow": datetime(2026, 11, 20, 15, 1, tzinfo=UTC),
    "month-end-2359utc": datetime(2026, 11, 30, 23, 59, tzinfo=UTC),
    "year-end-2359utc": datetime(2026, 12, 31, 23, 59, tzinfo=UTC),
    # America/Los_Angeles falls back at 09:00 UTC: 01:30 PST, the hour that happens twice.
    "us-dst-ends": datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
    # Europe/Berlin springs forward at 01:00 UTC: 03:30 CEST, 02:00-03:00 never happens.
    "eu-dst-starts": datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
}


def pytest_configure(config: pytest.Config) -> None:
    """Freezes the clock for the whole session (module-scoped fixtures read it too)."""
    config.addinivalue_line(
        "markers", "any_instant: run the test once at each instant of tests/clock_fixtures.py"
    )
    clock.use(clock.FrozenClock(DEFAULT_NOW))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Runs every ``any_instant`` test at each of :data:`INSTANTS`."""
    if metafunc.definition.get_closest_marker("any_instant"):
        metafunc.parametrize(
            "frozen_clock", list(INSTANTS.values()), ids=list(INSTANTS), indirect=True
        )


@pytest.fixture(autouse=True)
def frozen_clock(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[clock.FrozenClock]:
    """A frozen clock for this test (``DEFAULT_NOW``, or the instant it is parametrized at).

    Its ``sleep`` moves it instead of waiting, so paced and polling code runs at once and
    the waits it asked for can be asserted (``frozen_clock.slept``).
    """
    instant: datetime = getattr(request, "param", DEFAULT_NOW)
    monkeypatch.setenv(clock.NOW_ENV, instant.isoformat())
    with clock.frozen(instant) as frozen:
        yield frozen


@pytest.fixture
def flowing_clock(frozen_clock: clock.FrozenClock) -> Iterator[clock.Clock]:
    """The test's instant, but moving at the machine's pace (for fakes serving a subprocess).

    A fake on a frozen clock never sees another process wait: Kakao's fake would count a
    paced subprocess's second report call as made in the same instant. The subprocess
    starts at the same instant through ``ARGO_NOW``, and both clocks then move together.
    """
    previous = clock.use(clock.ShiftedClock(frozen_clock.now()))
    try:
        yield clock.current()
    finally:
        clock.use(previous)
