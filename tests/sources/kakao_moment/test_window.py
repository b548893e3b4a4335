"""Report ranges, 31-day windows and the per-account pacer, without HTTP."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from ingestion import clock
from ingestion.sources.dates import Lookback, date_chunks
from ingestion.sources.kakao_moment.client import ReportPacer, chunks

TODAY = date(2026, 11, 25)


def window(**overrides: object) -> tuple[date, date]:
    args: dict[str, object] = {
        "today": TODAY,
        "newest_day_loaded": None,
        "lookback_days": 7,
        "start_date": None,
        "end_date": None,
        "initial_days": 90,
    }
    args.update(overrides)
    today, newest = args.pop("today"), args.pop("newest_day_loaded")
    lookback = Lookback(**args, days_behind=1)  # type: ignore[arg-type]
    return lookback.window(today, newest)  # type: ignore[arg-type]


def test_first_run_loads_initial_days_up_to_yesterday() -> None:
    assert window() == (TODAY - timedelta(days=90), TODAY - timedelta(days=1))


def test_later_run_repulls_the_lookback_including_the_newest_day() -> None:
    newest = TODAY - timedelta(days=1)
    assert window(newest_day_loaded=newest) == (newest - timedelta(days=6), newest)


def test_today_is_never_asked_for() -> None:
    assert window(end_date=TODAY + timedelta(days=3))[1] == TODAY - timedelta(days=1)
    assert window(start_date=date(2026, 1, 1), end_date=date(2026, 1, 31)) == (
        date(2026, 1, 1),
        date(2026, 1, 31),
    )


def test_windows_have_at_most_31_days_and_cover_the_range() -> None:
    since, until = date(2026, 1, 1), date(2026, 4, 10)
    pieces = list(date_chunks(since, until, 31))
    assert all((b - a).days + 1 <= 31 for a, b in pieces)
    assert pieces[0][0] == since and pieces[-1][1] == until
    assert all(b + timedelta(days=1) == c for (_, b), (c, _) in itertools.pairwise(pieces))
    assert list(chunks([str(i) for i in range(250)], 100))[-1] == [str(i) for i in range(200, 250)]


def test_pacer_sleeps_only_the_rest_of_the_interval_per_account(
    frozen_clock: clock.FrozenClock,
) -> None:
    pacer = ReportPacer(5.0)

    def call(seconds: float) -> str:
        frozen_clock.advance(seconds)  # the request takes this long
        return "ok"

    assert pacer.call("a", lambda: call(1.0)) == "ok"
    assert frozen_clock.slept == []  # the first call never waits
    pacer.call("b", lambda: call(1.0))
    assert frozen_clock.slept == []  # another account does not wait for "a"
    frozen_clock.advance(2.0)  # the caller works for 2 s
    pacer.call("a", lambda: call(1.0))
    assert frozen_clock.slept == [pytest.approx(2.0)]  # 5 - (1 s of "b" + 2 s of work)
    frozen_clock.advance(7.0)
    pacer.call("a", lambda: call(1.0))
    assert len(frozen_clock.slept) == 1  # the interval had passed: no sleep
    stats = pacer.stats["a"]
    assert stats.calls == 3 and stats.slept == pytest.approx(2.0)
    assert stats.gaps == [pytest.approx(5.0), pytest.approx(7.0)]
    assert stats.required_sleep(5.0) == pytest.approx(2.0)
