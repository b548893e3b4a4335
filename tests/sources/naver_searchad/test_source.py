"""The Naver Search Ad source against the sandbox fake: completeness, jobs, retries, auth."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ingestion.pipeline import IngestError, run_source
from ingestion.sandbox import World
from ingestion.sandbox.naver_searchad_api import NaverSearchAdFake
from tests.conftest import query

PLATFORM = "naver_searchad"
DayKey = tuple[str, str]


def last_day(world: World) -> date:
    """The newest day a run loads: the world's last day, never Seoul's today."""
    yesterday = datetime.now(ZoneInfo("Asia/Seoul")).date() - timedelta(days=1)
    return min(world.as_of - timedelta(days=1), yesterday)


def served(world: World) -> dict[DayKey, tuple[int, int, Decimal, int, Decimal]]:
    """(customer, day) -> (impressions, clicks, cost, conversions, sales) the world served."""
    totals: dict[DayKey, list[Any]] = defaultdict(lambda: [0, 0, Decimal(0), 0, Decimal(0)])
    for account in world.accounts(PLATFORM):
        for s in world.daily_stats(PLATFORM, account.account_id, world.first_day, last_day(world)):
            if s.impressions:
                row = totals[(account.account_id, s.date.isoformat())]
                row[0] += s.impressions
                row[1] += s.clicks
                row[2] += s.spend
                row[3] += sum(s.actions.values())
                row[4] += sum(s.action_values.values(), Decimal(0))
    return {k: (v[0], v[1], v[2], v[3], v[4]) for k, v in totals.items()}


def loaded(warehouse: Path) -> dict[DayKey, tuple[int, int, Decimal, int, Decimal]]:
    delivery = query(
        warehouse,
        "select customer_id, cast(stat_date as varchar), sum(impressions), sum(clicks), "
        "sum(cost) from raw_naver_searchad.ad_stats_daily group by 1, 2",
    )
    conversions = {
        (c, d): (int(n), Decimal(str(v)))
        for c, d, n, v in query(
            warehouse,
            "select customer_id, cast(stat_date as varchar), sum(conversions), "
            "sum(coalesce(sales_amount, 0)) from raw_naver_searchad.ad_conversion_stats_daily "
            "group by 1, 2",
        )
    }
    return {
        (c, d): (int(i), int(k), Decimal(str(s)), *conversions.get((c, d), (0, Decimal(0))))
        for c, d, i, k, s in delivery
    }


def assert_complete(world: World, warehouse: Path) -> None:
    expected, got = served(world), loaded(warehouse)
    assert expected, "the world served something"
    missing = expected.keys() - got.keys()
    assert not missing, f"customer-days missing: {sorted(missing)[:3]}"
    wrong = {k: (expected[k], got[k]) for k in expected if expected[k] != got[k]}
    assert not wrong, (
        f"{len(wrong)} customer-days differ (served, loaded): {list(wrong.items())[:2]}"
    )
    ((dupes,),) = query(
        warehouse,
        "select count(*) - count(distinct (customer_id, stat_date, ad_group_id, keyword_id, "
        "ad_id, media_code, device)) from raw_naver_searchad.ad_stats_daily",
    )
    assert dupes == 0


def test_loads_every_customer_completely(
    world: World, naver: NaverSearchAdFake, naver_options: dict[str, Any], warehouse: Path
) -> None:
    result = run_source(PLATFORM, **naver_options)
    assert_complete(world, warehouse)
    assert len(world.accounts(PLATFORM)) >= 2
    customers = {
        row[0]
        for row in query(
            warehouse, "select distinct customer_id from raw_naver_searchad.ad_stats_daily"
        )
    }
    assert customers == {a.account_id for a in world.accounts(PLATFORM)}, (
        "several customers, one run"
    )
    keywords = {
        row[0] for row in query(warehouse, "select keyword_id from raw_naver_searchad.keywords")
    }
    assert keywords == {
        k.keyword_id
        for a in world.accounts(PLATFORM)
        for k in world.keywords(PLATFORM, a.account_id)
    }
    ((unsigned,),) = query(
        warehouse,
        "select count(*) from raw_naver_searchad.ad_stats_daily where _dlt_load_id is null",
    )
    assert unsigned == 0, "every row traces to its load"
    assert result.rows["ad_stats_daily"] > 0
    assert naver.rejected_signatures == 0, "every request was signed as Naver computes it"
    assert not [r for r in naver.requests if r[0] == "GET" and "secret" in str(r)], (
        "no secret logged"
    )


def test_jobs_that_run_long_or_fail_once_still_load_everything(
    world: World, naver: NaverSearchAdFake, naver_options: dict[str, Any], warehouse: Path
) -> None:
    naver.faults.async_polls = 4
    naver.faults.async_fail_next(2)
    run_source(PLATFORM, **naver_options)
    assert_complete(world, warehouse)
    assert naver.faults.fired.count("async_fail") == 2


def test_recovers_from_rate_limits_outages_and_truncated_downloads(
    world: World, naver: NaverSearchAdFake, naver_options: dict[str, Any], warehouse: Path
) -> None:
    naver.faults.rate_limit_next(2, only_path_contains="stat-reports")
    naver.faults.throttle_next(1, retry_after=0, only_path_contains="ncc")
    naver.faults.fail_next(3, status=503, only_path_contains="stat-reports")
    naver.faults.fail_next(1, status=500, only_path_contains="report-download")
    naver.faults.truncate_next(2, only_path_contains="report-download")
    run_source(PLATFORM, **naver_options)
    assert_complete(world, warehouse)
    fired = naver.faults.fired
    assert (
        fired.count("truncate") == 2 and fired.count("rate_limit") == 2 and fired.count("fail") == 4
    )


def test_a_wrong_secret_fails_clearly_without_the_secret_and_loads_nothing(
    naver_options: dict[str, Any], warehouse: Path
) -> None:
    secret = "wrong-secret-value-123"
    with pytest.raises(IngestError) as error:
        run_source(PLATFORM, **{**naver_options, "secret_key": secret})
    message = str(error.value)
    assert "naver_searchad" in message and "1006" in message and "SECRET_KEY" in message
    assert secret not in message
    assert not warehouse.exists() or not query(
        warehouse,
        "select table_name from information_schema.tables "
        "where table_schema = 'raw_naver_searchad' "
        "and table_name = 'ad_stats_daily'",
    )


def test_a_job_that_keeps_failing_stops_the_run_and_keeps_earlier_data(
    world: World, naver: NaverSearchAdFake, naver_options: dict[str, Any], warehouse: Path
) -> None:
    run_source(PLATFORM, **naver_options)
    before = loaded(warehouse)
    world.advance(1)
    naver.faults.async_fail_next(100)
    with pytest.raises(IngestError) as error:
        run_source(PLATFORM, **{k: v for k, v in naver_options.items() if k != "start_date"})
    assert "ERROR" in str(error.value) and "report for" in str(error.value)
    assert loaded(warehouse) == before, "nothing of the failed run was written"


def test_a_revoked_license_mid_history_keeps_the_earlier_load_and_the_next_run_catches_up(
    world: World, naver: NaverSearchAdFake, naver_options: dict[str, Any], warehouse: Path
) -> None:
    run_source(PLATFORM, **naver_options)
    world.advance(2)
    naver.faults.expire_token()
    options = {k: v for k, v in naver_options.items() if k != "start_date"}
    with pytest.raises(IngestError):
        run_source(PLATFORM, **options)
    naver.faults.restore_token()
    run_source(PLATFORM, **options)
    assert_complete(world, warehouse)


def test_restated_days_are_merged_not_duplicated(
    world: World, naver: NaverSearchAdFake, naver_options: dict[str, Any], warehouse: Path
) -> None:
    run_source(PLATFORM, **naver_options)
    first = loaded(warehouse)
    world.advance(2)
    run_source(PLATFORM, **{k: v for k, v in naver_options.items() if k != "start_date"})
    assert_complete(world, warehouse)
    second = loaded(warehouse)
    restated = [k for k in first if first[k][3] != second[k][3]]
    assert restated, "conversions restated within the lookback changed in the raw table"
