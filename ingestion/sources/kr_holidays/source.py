"""The dlt source for Korean public holidays: data.go.kr SpcdeInfoService or the offline package."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from ingestion import clock
from ingestion.sources import arrow
from ingestion.sources.config import ListSetting, at_least, list_setting, one_of
from ingestion.sources.dates import parse_date
from ingestion.sources.errors import SourceAuthError
from ingestion.sources.http import Retry
from ingestion.sources.kr_holidays import tables
from ingestion.sources.kr_holidays.client import SpcdeInfoClient
from ingestion.sources.resources import merged, tombstones

log = logging.getLogger("argo.sources.kr_holidays")

DEFAULT_BASE_URL = "https://apis.data.go.kr/B090041/openapi/service/SpcdeInfoService"
SEOUL = ZoneInfo("Asia/Seoul")
PROVIDERS = (tables.PROVIDER_API, tables.PROVIDER_PACKAGE)

Month = tuple[int, int]


def today_in_korea() -> date:
    """Today's date in Korea (the calendar the holidays belong to)."""
    return clock.today(SEOUL)


def month_range(first: Month, last: Month) -> list[Month]:
    """Every (year, month) from ``first`` to ``last``, both included."""
    months: list[Month] = []
    year, month = first
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def target_years(
    *,
    today: date,
    years: list[int] | None,
    start_date: date | None,
    end_date: date | None,
    initial_days: int,
) -> list[int]:
    """The years a run covers: ``years`` if given, else from the start year to the end year.

    The start year is ``start_date``'s (or the year ``initial_days`` before today), the end
    year ``end_date``'s (or next year: the API publishes the coming year ahead).
    """
    if years:
        return sorted({int(y) for y in years})
    first = (start_date or today - timedelta(days=initial_days)).year
    last = end_date.year if end_date else today.year + 1
    return list(range(first, last + 1))


def months_to_pull(
    *,
    months: list[Month],
    settled: set[str],
    today: date,
    lookback_days: int,
    force: bool,
) -> list[Month]:
    """The months one data.go.kr run asks for.

    Months before the refresh window are loaded once (then ``settled``); the month of
    ``today - lookback_days``, the current and next month, and every later month of the
    range are asked again on every run (holidays are still announced for them: temporary
    holidays, elections). ``force`` (an explicit ``start_date``) asks for every month.
    """
    if force:
        return list(months)
    refresh = today - timedelta(days=lookback_days)
    refresh_from = (refresh.year, refresh.month)
    return [m for m in months if m >= refresh_from or tables.year_month(*m) not in settled]


def cross_check(rows: list[dict[str, Any]], year: int, month: int) -> list[str]:
    """Sets ``matches_holidays_package`` on data.go.kr rows; returns the disagreements.

    A row matches when the package agrees on whether its day is a day off. Days the
    package has and the API does not are returned too (they have no row to mark).
    """
    package = tables.package_holidays(year)
    problems: list[str] = []
    api_days = {r["holiday_date"] for r in rows if r["is_holiday"]}
    for row in rows:
        day = row["holiday_date"]
        row["matches_holidays_package"] = (day in package) == row["is_holiday"]
        if not row["matches_holidays_package"]:
            has = "has" if day in package else "does not have"
            problems.append(
                f"{day.isoformat()} '{row['holiday_name']}' (isHoliday="
                f"{'Y' if row['is_holiday'] else 'N'}): the holidays package {has} it"
            )
    for day, names in package.items():
        if day.month == month and day not in api_days:
            problems.append(
                f"{day.isoformat()} '{' / '.join(names)}': in the holidays package, "
                "not a holiday in data.go.kr's answer"
            )
    return problems


@dataclass
class Run:
    """One run of the source: the months it covers and how it reads them.

    Attributes:
        months: Every (year, month) of the years covered.
        today: Today in Korea.
        client: The data.go.kr client (``None``: the holidays are computed offline).
        lookback_days: data.go.kr months from the one this many days ago are asked again.
        force: Ask data.go.kr for every month, loaded or not (an explicit start).
        loaded_at: The run's ``_loaded_at``.
    """

    months: list[Month]
    today: date
    client: SpcdeInfoClient | None = None
    lookback_days: int = 0
    force: bool = False
    loaded_at: datetime = field(default_factory=clock.now)


def offline(run: Run) -> Iterator[pa.Table]:
    """The holidays of every month, computed with the ``holidays`` package."""
    rows: list[dict[str, Any]] = []
    for year, month in run.months:
        for item in tables.package_items(year, month):
            row = tables.parse_item(item, year, month)
            rows.append({**row, "provider": tables.PROVIDER_PACKAGE})
    log.info(
        "kr_holidays: %d holidays in %d-%d computed with the holidays package",
        len(rows),
        run.months[0][0] if run.months else 0,
        run.months[-1][0] if run.months else 0,
    )
    yield arrow.to_table(rows, tables.HOLIDAYS, loaded_at=run.loaded_at)
    yield emptied_months(run.months, run.loaded_at)


def emptied_months(months: list[Month], loaded_at: datetime) -> pa.Table:
    """Tombstones of every month asked for: a month that now has no holiday is emptied."""
    asked = [{"year_month": tables.year_month(year, month)} for year, month in months]
    return tombstones(tables.HOLIDAYS, asked, loaded_at=loaded_at)


def from_api(run: Run, client: SpcdeInfoClient) -> Iterator[pa.Table]:
    """The holidays of the months data.go.kr is asked for, checked against the package."""
    state = dlt.current.resource_state().setdefault("settled_months", [])
    settled = set(state)
    pull = months_to_pull(
        months=run.months,
        settled=settled,
        today=run.today,
        lookback_days=run.lookback_days,
        force=run.force,
    )
    refresh = run.today - timedelta(days=run.lookback_days)
    rows: list[dict[str, Any]] = []
    disagreements = 0
    for year, month in pull:
        month_rows = [
            {**tables.parse_item(item, year, month), "provider": tables.PROVIDER_API}
            for item in client.month(year, month)
        ]
        for problem in cross_check(month_rows, year, month):
            disagreements += 1
            log.warning("kr_holidays: data.go.kr and the holidays package differ: %s", problem)
        rows.extend(month_rows)
        if (year, month) < (refresh.year, refresh.month):
            settled.add(tables.year_month(year, month))
    log.info(
        "kr_holidays: %d months asked of data.go.kr (%d calls), %d holidays, "
        "%d disagreement(s) with the holidays package",
        len(pull),
        client.calls,
        len(rows),
        disagreements,
    )
    yield arrow.to_table(rows, tables.HOLIDAYS, loaded_at=run.loaded_at)
    yield emptied_months(pull, run.loaded_at)
    # Committed with the data: a failed run leaves the state as it was.
    state[:] = sorted(settled)


def holidays(run: Run) -> Iterator[pa.Table]:
    """The ``holidays`` table, from data.go.kr or the package."""
    if run.client is None:
        yield from offline(run)
    else:
        yield from from_api(run, run.client)


@dlt.source(name="kr_holidays", section="kr_holidays", max_table_nesting=0)
def kr_holidays_source(
    service_key: dlt.TSecretStrValue | None = None,
    provider: str | None = None,
    years: ListSetting = None,
    base_url: str = DEFAULT_BASE_URL,
    start_date: str | None = None,
    end_date: str | None = None,
    lookback_days: int = 0,
    initial_days: int = 365,
    page_size: int = 100,
    max_attempts: int = 8,
    backoff_factor: float = 1.0,
    request_timeout: float = 60.0,
) -> DltResource:
    """Korean public holidays (공휴일), from data.go.kr or computed offline.

    Its arguments are the settings of README.md beside this file (tested against this
    signature); dlt reads each from ``SOURCES__KR_HOLIDAYS__<NAME>``
    or ``[sources.kr_holidays]`` in ``.dlt/*.toml`` unless it is passed.

    Returns:
        The ``holidays`` resource.
    """
    keyed = tables.PROVIDER_API if service_key else tables.PROVIDER_PACKAGE
    chosen = one_of(tables.SOURCE, "provider", provider, PROVIDERS, keyed)
    if chosen == tables.PROVIDER_API and not service_key:
        raise SourceAuthError(
            tables.SOURCE,
            "provider 'data_go_kr' needs a service key and none is configured",
            hint="set SOURCES__KR_HOLIDAYS__SERVICE_KEY (or service_key under "
            "[sources.kr_holidays] in .dlt/secrets.toml), or use provider = 'holidays'",
        )
    at_least(tables.SOURCE, 0, lookback_days=lookback_days, initial_days=initial_days)
    at_least(tables.SOURCE, 1, page_size=page_size)
    start = parse_date(start_date, "start_date", tables.SOURCE)
    end = parse_date(end_date, "end_date", tables.SOURCE)
    today = today_in_korea()
    wanted = list_setting(
        years,
        source=tables.SOURCE,
        name="years",
        what="years (four digits)",
        example=["2025", "2026"],
        pattern=r"\d{4}",
    )
    covered = target_years(
        today=today,
        years=[int(y) for y in wanted],
        start_date=start,
        end_date=end,
        initial_days=initial_days,
    )
    client = (
        SpcdeInfoClient(
            base_url,
            service_key or "",
            page_size=page_size,
            retry=Retry(max_attempts, backoff_factor, request_timeout),
        )
        if chosen == tables.PROVIDER_API
        else None
    )
    months = month_range((covered[0], 1), (covered[-1], 12)) if covered else []
    run = Run(months, today, client, lookback_days, force=start is not None)
    return merged(holidays(run), tables.HOLIDAYS, merge_key=("year_month",))
