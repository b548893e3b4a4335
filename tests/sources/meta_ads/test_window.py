"""The incremental window: lookback over restated days, explicit ranges, chunking."""

from datetime import date, timedelta

import pytest

from ingestion.sources.dates import Lookback, date_chunks
from ingestion.sources.http import redact_url

TODAY = date(2026, 11, 24)


def window(**kw: object) -> tuple[date, date]:
    args: dict[str, object] = dict(
        today=TODAY,
        newest_day_loaded=None,
        lookback_days=28,
        start_date=None,
        end_date=None,
        initial_days=90,
    )
    args.update(kw)
    today, newest = args.pop("today"), args.pop("newest_day_loaded")
    lookback = Lookback(**args, initial_counts_today=True)  # type: ignore[arg-type]
    return lookback.window(today, newest)  # type: ignore[arg-type]


def test_first_run_loads_initial_days_up_to_today() -> None:
    since, until = window()
    assert until == TODAY
    assert (until - since).days + 1 == 90


def test_later_run_repulls_the_lookback_window() -> None:
    last = TODAY - timedelta(days=1)
    since, until = window(newest_day_loaded=last, lookback_days=28)
    assert (last - since).days + 1 == 28
    assert until == TODAY


def test_explicit_start_overrides_state() -> None:
    start = date(2025, 1, 1)
    assert window(newest_day_loaded=TODAY, start_date=start, end_date=date(2025, 1, 31)) == (
        start,
        date(2025, 1, 31),
    )


def test_window_never_starts_after_an_explicit_end() -> None:
    since, until = window(newest_day_loaded=TODAY, end_date=TODAY - timedelta(days=100))
    assert since <= until


@pytest.mark.parametrize("days", [1, 3, 7, 31])
def test_chunks_cover_range_exactly_once(days: int) -> None:
    since, until = date(2026, 1, 30), date(2026, 3, 3)
    chunks = list(date_chunks(since, until, days))
    covered = [c[0] + timedelta(days=i) for c in chunks for i in range((c[1] - c[0]).days + 1)]
    assert covered == [since + timedelta(days=i) for i in range((until - since).days + 1)]
    assert all((end - start).days < days for start, end in chunks)


def test_secrets_are_redacted_from_urls() -> None:
    url = "https://graph.example/v21.0/act_1/insights?access_token=SECRET123&after=abc&limit=5"
    redacted = redact_url(url)
    assert "SECRET123" not in redacted
    assert "after=abc" in redacted and "limit=5" in redacted
    assert redacted.startswith("https://graph.example/v21.0/act_1/insights?")
