"""The Korean holidays source against the SpcdeInfoService fake and offline."""

from __future__ import annotations

import logging
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import duckdb
import pytest

from argo.pipeline import IngestError, run_source
from ingestion.sandbox import Faults, World
from ingestion.sandbox.kr_holidays_api import KrHolidaysFake
from ingestion.sources.kr_holidays.client import QUOTA_RETRIES
from ingestion.sources.kr_holidays.source import today_in_korea
from ingestion.sources.kr_holidays.tables import package_holidays
from tests.conftest import query
from tests.sources.kr_holidays.conftest import FAST

pytestmark = pytest.mark.pipeline

Key = tuple[str, str]
Row = tuple[int | None, bool, bool, str, bool | None]


def served(fake: KrHolidaysFake, years: list[int]) -> dict[Key, Row]:
    """(day, name) -> (seq, is_holiday, is_substitute, provider, matches) as the fake serves."""
    rows: dict[Key, Row] = {}
    for year in years:
        package = package_holidays(year)
        for item in fake.served(year):
            day = date(year, item["locdate"] // 100 % 100, item["locdate"] % 100)
            key = (day.isoformat(), item["dateName"])
            assert key not in rows
            rows[key] = (
                item["seq"],
                True,
                "대체" in item["dateName"],
                "data_go_kr",
                day in package,
            )
    return rows


def loaded(path: Path) -> dict[Key, Row]:
    rows = query(
        path,
        "select cast(holiday_date as varchar), holiday_name, seq, is_holiday, is_substitute, "
        "provider, matches_holidays_package, year_month, strftime(holiday_date, '%Y-%m') "
        "from raw_kr_holidays.holidays",
    )
    found: dict[Key, Row] = {}
    for day, name, seq, is_holiday, substitute, provider, matches, month, real_month in rows:
        assert (day, name) not in found, f"duplicate grain row {(day, name)}"
        assert month == real_month
        found[(day, name)] = (seq, is_holiday, substitute, provider, matches)
    return found


def row_count(path: Path) -> int:
    try:
        return int(query(path, "select count(*) from raw_kr_holidays.holidays")[0][0])
    except duckdb.CatalogException:
        return 0
    except duckdb.IOException:
        return 0


def asked_months(fake: KrHolidaysFake) -> set[tuple[int, int]]:
    return {(int(q["solYear"]), int(q["solMonth"])) for _, _, q in fake.requests}


def test_loads_exactly_what_the_api_serves_for_several_years(
    kr: KrHolidaysFake, kr_options: dict[str, Any], years: list[int], warehouse: Path
) -> None:
    result = run_source("kr_holidays", **kr_options)
    expected = served(kr, years)
    assert loaded(warehouse) == expected
    assert result.rows["holidays"] == len(expected)
    assert {int(day[:4]) for day, _ in expected} == set(years), "several years in one run"
    assert any(substitute for _, _, substitute, _, _ in expected.values()), "대체공휴일 served"
    assert asked_months(kr) == {(y, m) for y in years for m in range(1, 13)}
    # The fake served both quirks and the source read them.
    assert kr.shapes["object"] > 0 and kr.shapes["empty"] > 0 and kr.shapes["list"] > 0
    assert all(q.get("_type") == "json" and "serviceKey" not in q for _, _, q in kr.requests)


@pytest.mark.parametrize("page_size", [1, 2])
def test_pages_through_num_of_rows(
    kr: KrHolidaysFake,
    kr_options: dict[str, Any],
    years: list[int],
    warehouse: Path,
    page_size: int,
) -> None:
    run_source("kr_holidays", **kr_options, page_size=page_size)
    assert loaded(warehouse) == served(kr, years)
    expected_calls = sum(
        max(1, math.ceil(len(kr.served(y, m)) / page_size)) for y in years for m in range(1, 13)
    )
    assert len(kr.requests) == expected_calls
    assert {q["numOfRows"] for _, _, q in kr.requests} == {str(page_size)}
    assert max(int(q["pageNo"]) for _, _, q in kr.requests) > 1
    if page_size == 1:  # every non-empty page carries its one item as an object
        assert kr.shapes["list"] == 0 and kr.shapes["object"] > 0


@pytest.mark.parametrize("form", ["decoded", "encoded"])
def test_service_key_is_sent_encoded_once_in_either_form(
    kr: KrHolidaysFake, kr_options: dict[str, Any], years: list[int], warehouse: Path, form: str
) -> None:
    assert set("+/=") <= set(kr.service_key)
    key = kr.service_key if form == "decoded" else quote(kr.service_key, safe="")
    run_source("kr_holidays", **{**kr_options, "service_key": key})
    assert loaded(warehouse) == served(kr, years)


@pytest.mark.parametrize("status", [200, 401])
def test_unregistered_key_stops_with_what_to_do_and_loads_nothing(
    kr: KrHolidaysFake, kr_options: dict[str, Any], warehouse: Path, status: int
) -> None:
    kr.gateway_status = status
    wrong = "wrong+key/value=="
    with pytest.raises(IngestError) as error:
        run_source("kr_holidays", **{**kr_options, "service_key": wrong})
    message = str(error.value)
    assert "SERVICE_KEY_IS_NOT_REGISTERED_ERROR" in message and "code 30" in message
    assert "What to do" in message and "SOURCES__KR_HOLIDAYS__SERVICE_KEY" in message
    assert wrong not in message and quote(wrong, safe="") not in message
    assert len(kr.requests) == 1, "an auth error is not retried"
    assert row_count(warehouse) == 0


def test_expired_key_is_an_auth_error(
    kr: KrHolidaysFake, kr_options: dict[str, Any], faults: Faults, warehouse: Path
) -> None:
    faults.expire_token()
    with pytest.raises(IngestError, match="DEADLINE_HAS_EXPIRED_ERROR"):
        run_source("kr_holidays", **kr_options)
    assert row_count(warehouse) == 0


def test_used_up_quota_is_retried_a_little_then_a_clear_error(
    kr: KrHolidaysFake, kr_options: dict[str, Any], warehouse: Path
) -> None:
    kr.daily_quota = 5
    with pytest.raises(IngestError) as error:
        run_source("kr_holidays", **kr_options)
    message = str(error.value)
    assert "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR" in message and "code 22" in message
    assert "midnight KST" in message and "What to do" in message
    assert kr.calls == 5 + 1 + QUOTA_RETRIES
    assert row_count(warehouse) == 0


FAULTS = {
    "quota_22": lambda f: f.rate_limit_next(QUOTA_RETRIES),  # XML code 22 with HTTP 200
    "per_second_23": lambda f: f.rate_limit_next(3, code=23),
    "server_error": lambda f: f.fail_next(3, status=503),
    "http_429": lambda f: f.throttle_next(1, retry_after=1),
    "truncated": lambda f: f.truncate_next(3),
    "timeout": lambda f: f.slow_next(1, seconds=0.6),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_recovers_from_gateway_limits_5xx_429_truncation_and_timeouts(
    kr: KrHolidaysFake,
    kr_options: dict[str, Any],
    faults: Faults,
    years: list[int],
    warehouse: Path,
    fault: str,
) -> None:
    FAULTS[fault](faults)
    run_source("kr_holidays", **{**kr_options, "request_timeout": 0.3})
    assert faults.fired, "the fault fired"
    assert loaded(warehouse) == served(kr, years)


def test_offline_provider_equals_the_holidays_package(
    kr: KrHolidaysFake, years: list[int], warehouse: Path
) -> None:
    result = run_source("kr_holidays", years=years)  # no key: provider 'holidays'
    expected: dict[Key, Row] = {}
    for year in years:
        for day, names in package_holidays(year).items():
            for seq, name in enumerate(names, start=1):
                expected[(day.isoformat(), name)] = (seq, True, "대체" in name, "holidays", None)
    assert loaded(warehouse) == expected
    assert result.rows["holidays"] == len(expected)
    assert kr.requests == [], "the offline provider makes no call"


def test_cross_check_flags_each_difference_without_failing(
    kr: KrHolidaysFake,
    kr_options: dict[str, Any],
    years: list[int],
    warehouse: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    year = years[1]
    extra = next(
        d
        for d in (date(year, 6, 10) + timedelta(days=i) for i in range(30))
        if d not in package_holidays(year)
    )
    missing = next(d for d in package_holidays(year) if d.month == 10)
    kr.announce(extra, "임시공휴일")
    kr.withhold(missing)
    with caplog.at_level(logging.WARNING, logger="argo.sources.kr_holidays"):
        run_source("kr_holidays", **kr_options)
    rows = loaded(warehouse)
    assert rows == served(kr, years)
    assert rows[(extra.isoformat(), "임시공휴일")][4] is False
    assert all(v[4] for k, v in rows.items() if k[0] != extra.isoformat())
    assert not any(day == missing.isoformat() for day, _ in rows)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert any(extra.isoformat() in w and "does not have" in w for w in warnings)
    assert any(missing.isoformat() in w and "in the holidays package" in w for w in warnings)


@pytest.mark.any_instant
def test_past_months_load_once_and_current_and_later_months_every_run(
    kr: KrHolidaysFake, kr_options: dict[str, Any], years: list[int], warehouse: Path
) -> None:
    run_source("kr_holidays", **kr_options)
    today = today_in_korea()
    current = (today.year, today.month)
    # Changes after the first run: a holiday declared in a settled past month, and one
    # withdrawn in a later month (one that keeps other holidays, so it has rows to replace).
    past_day = date(years[0], 4, 15)
    kr.announce(past_day, "임시공휴일")
    later = next(
        (y, m)
        for y in years
        for m in range(1, 13)
        if (y, m) >= current and len({i["locdate"] for i in kr.served(y, m)}) >= 2
    )
    withdrawn = max(i["locdate"] for i in kr.served(*later))
    withdrawn_day = date(withdrawn // 10000, withdrawn // 100 % 100, withdrawn % 100)
    kr.withhold(withdrawn_day)
    # and every holiday of a later month that had some: the month is emptied, not kept
    emptied = next(
        (y, m) for y in years for m in range(1, 13) if (y, m) > later and kr.served(y, m)
    )
    for item in kr.served(*emptied):
        kr.withhold(date(*emptied, item["locdate"] % 100))
    assert not kr.served(*emptied)
    kr.requests.clear()

    run_source("kr_holidays", **kr_options)
    months = {(y, m) for y in years for m in range(1, 13)}
    assert asked_months(kr) == {m for m in months if m >= current}
    rows = loaded(warehouse)
    assert not any(day == withdrawn_day.isoformat() for day, _ in rows), "re-pulled month replaced"
    month = f"{emptied[0]}-{emptied[1]:02d}"
    assert not any(day.startswith(month) for day, _ in rows), f"{month} emptied"
    assert query(warehouse, "select count(*) from raw_kr_holidays.holidays where _deleted") == [
        (0,)
    ]
    assert not any(day == past_day.isoformat() for day, _ in rows), "settled month not asked"

    kr.requests.clear()
    run_source("kr_holidays", **kr_options, start_date=f"{years[0]}-01-01")
    assert asked_months(kr) == months, "an explicit start_date asks for every month again"
    assert loaded(warehouse) == served(kr, years)


@pytest.mark.any_instant
def test_next_year_appears_once_published(world: World, faults: Faults, warehouse: Path) -> None:
    with KrHolidaysFake(world, faults, published_years_ahead=0) as fake:
        years = [world.as_of.year, world.as_of.year + 1]
        options = {**fake.source_options(), "years": years, **FAST}
        run_source("kr_holidays", **options)
        assert loaded(warehouse) == served(fake, years[:1])
        world.advance((date(years[1], 1, 1) - world.as_of).days)
        run_source("kr_holidays", **options)
        assert loaded(warehouse) == served(fake, years)
        assert any(day.startswith(str(years[1])) for day, _ in loaded(warehouse))


@pytest.mark.parametrize(
    ("bad", "field"),
    [({"locdate": "2026-02-16"}, "locdate"), ({"isHoliday": "maybe"}, "isHoliday")],
)
def test_malformed_item_names_the_record_and_loads_nothing(
    kr: KrHolidaysFake,
    kr_options: dict[str, Any],
    warehouse: Path,
    bad: dict[str, Any],
    field: str,
) -> None:
    kr.bad_item = bad
    with pytest.raises(IngestError) as error:
        run_source("kr_holidays", **kr_options)
    message = str(error.value)
    assert f"field '{field}' has a bad value" in message
    assert "[record: solYear=" in message and "dateName=" in message
    assert row_count(warehouse) == 0


def test_data_go_kr_without_a_key_says_what_to_do(warehouse: Path) -> None:
    with pytest.raises(IngestError, match=r"needs a service key.*SERVICE_KEY"):
        run_source("kr_holidays", provider="data_go_kr", years=[2026])
