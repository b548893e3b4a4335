"""The one lookback window of every source, with each source's limits as parameters."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa
import pytest

from ingestion.sources import dates
from ingestion.sources.arrow import Column, Table, as_is, to_table
from ingestion.sources.dates import Lookback, NewestDays, days_of
from ingestion.sources.errors import SourceError

TODAY = date(2026, 11, 25)
DAY = timedelta(days=1)


def test_a_first_run_reads_the_initial_days_before_today_and_today() -> None:
    assert Lookback(7, 30).window(TODAY, None) == (TODAY - 30 * DAY, TODAY)


def test_meta_counts_today_among_the_initial_days() -> None:
    since, until = Lookback(28, 90, initial_counts_today=True).window(TODAY, None)
    assert until == TODAY and len(days_of(since, until)) == 90


def test_today_is_never_asked_for_when_the_source_is_a_day_behind() -> None:
    behind = Lookback(7, 90, end_date=TODAY + 3 * DAY, days_behind=1)
    assert behind.window(TODAY, None) == (TODAY - 90 * DAY, TODAY - DAY)


def test_a_later_run_reads_the_lookback_days_up_to_and_including_the_newest() -> None:
    newest = TODAY - 3 * DAY
    assert Lookback(7, 90).window(TODAY, newest) == (newest - 6 * DAY, TODAY)


def test_an_explicit_start_wins_and_the_end_is_capped() -> None:
    explicit = Lookback(7, 90, start_date=date(2026, 1, 1), end_date=date(2027, 1, 1))
    assert explicit.window(TODAY, TODAY) == (date(2026, 1, 1), TODAY)
    before = Lookback(7, 90, end_date=TODAY - 100 * DAY)
    since, until = before.window(TODAY, TODAY)
    assert since <= until == TODAY - 100 * DAY


def test_a_start_older_than_the_api_keeps_is_moved_up(caplog: pytest.LogCaptureFixture) -> None:
    appsflyer = Lookback(3, 30, start_date=TODAY - 200 * DAY, history_days=90, source="x")
    with caplog.at_level(logging.WARNING, logger="argo.sources"):
        assert appsflyer.window(TODAY, None) == (TODAY - 90 * DAY, TODAY)
    assert "x: start" in caplog.text and "90 days" in caplog.text


def test_settings_are_checked_as_users_write_them() -> None:
    lookback = Lookback.of("x", 7, 30, "2026-01-02", None, days_behind=1)
    assert (lookback.start_date, lookback.end_date, lookback.days_behind) == (
        date(2026, 1, 2),
        None,
        1,
    )
    with pytest.raises(SourceError, match=r"lookback_days \(0\) must be at least 1"):
        Lookback.of("x", 0, 30, None, None)
    with pytest.raises(SourceError, match="start_date '01/02/2026' is not a date"):
        Lookback.of("x", 7, 30, "01/02/2026", None)


def test_the_newest_day_loaded_only_moves_forward(monkeypatch: pytest.MonkeyPatch) -> None:
    state: dict[str, Any] = {}
    monkeypatch.setattr(dates.dlt.current, "resource_state", lambda: state)
    newest = NewestDays("kma_asos")
    assert newest.get("108") is None
    newest.update("108", date(2026, 11, 20))
    newest.update("108", "2026-11-18")
    newest.update("108", None)
    assert newest.get("108") == date(2026, 11, 20)
    assert state == {"newest_day_loaded": {"kma_asos": {"108": "2026-11-20"}}}


def _daily(*days: date) -> tuple[Any, Any]:
    table = Table(
        "demo",
        "daily",
        (Column("id", pa.string(), required=True), Column("day", pa.date32(), as_is)),
        ("id", "day"),
    )
    rows = [{"id": str(n), "day": d} for n, d in enumerate(days)]
    return to_table(rows, table, loaded_at=datetime(2026, 1, 1, tzinfo=UTC)), table


def test_sane_days_accept_tomorrow_and_2000() -> None:
    data, table = _daily(TODAY + DAY, dates.EARLIEST_DAY, TODAY)
    assert dates.sane_days(data, table, "day", TODAY) is data


@pytest.mark.parametrize(
    ("day", "problem"),
    [(TODAY + 2 * DAY, "after tomorrow (2026-11-26)"), (date(1999, 12, 31), "before 2000-01-01")],
)
def test_sane_days_refuse_the_day_after_tomorrow_and_before_2000(day: date, problem: str) -> None:
    data, table = _daily(TODAY, day)
    with pytest.raises(SourceError) as err:
        dates.sane_days(data, table, "day", TODAY)
    message = str(err.value)
    assert message.startswith(
        f"demo: daily: field 'day' is {day}, {problem} [record: id=1, day={day}]"
    )
    assert "What to do" in message
