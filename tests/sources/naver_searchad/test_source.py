"""The Naver Search Ad source against the sandbox fake: completeness, jobs, retries, auth."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from argo.pipeline import IngestError, run_source
from ingestion import clock
from ingestion.sandbox import Faults, World
from ingestion.sandbox.naver_searchad_api import NaverSearchAdFake
from tests.conftest import query

pytestmark = pytest.mark.pipeline

PLATFORM = "naver_searchad"
DayKey = tuple[str, str]
Totals = tuple[int, int, Decimal, int, Decimal]


def last_day(world: World) -> date:
    """The newest day a run loads: the world's last day, never Seoul's today."""
    yesterday = clock.today("Asia/Seoul") - timedelta(days=1)
    return min(world.as_of - timedelta(days=1), yesterday)


def recent(options: dict[str, Any], world: World, days: int = 8) -> dict[str, Any]:
    """Options that load only the last ``days`` days (keeps the slower tests short)."""
    return {**options, "start_date": (world.as_of - timedelta(days=days)).isoformat()}


def without_start(options: dict[str, Any]) -> dict[str, Any]:
    """Options of a scheduled run: the state decides where to start."""
    return {k: v for k, v in options.items() if k != "start_date"}


def served(world: World, since: date | None = None) -> dict[DayKey, Totals]:
    """(customer, day) -> (impressions, clicks, cost, conversions, sales) the world served."""
    totals: dict[DayKey, list[Any]] = defaultdict(lambda: [0, 0, Decimal(0), 0, Decimal(0)])
    for account in world.accounts(PLATFORM):
        for s in world.daily_stats(
            PLATFORM, account.account_id, since or world.first_day, last_day(world)
        ):
            if s.impressions:
                row = totals[(account.account_id, s.date.isoformat())]
                row[0] += s.impressions
                row[1] += s.clicks
                row[2] += s.spend
                row[3] += sum(s.actions.values())
                row[4] += sum(s.action_values.values(), Decimal(0))
    return {k: (v[0], v[1], v[2], v[3], v[4]) for k, v in totals.items()}


def loaded(warehouse: Path) -> dict[DayKey, Totals]:
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


def assert_complete(world: World, warehouse: Path, since: date | None = None) -> None:
    """Every customer-day the world served is loaded with the world's totals, once."""
    expected, got = served(world, since), loaded(warehouse)
    assert expected, "the world served something"
    assert expected.keys() == got.keys(), (
        f"missing {sorted(expected.keys() - got.keys())[:3]}, "
        f"extra {sorted(got.keys() - expected.keys())[:3]}"
    )
    wrong = {k: (expected[k], got[k]) for k in expected if expected[k] != got[k]}
    assert not wrong, (
        f"{len(wrong)} customer-days differ (served, loaded): {list(wrong.items())[:2]}"
    )
    for table, grain in (
        ("ad_stats_daily", "ad_group_id, keyword_id, ad_id, media_code, device"),
        (
            "ad_conversion_stats_daily",
            "ad_group_id, keyword_id, ad_id, media_code, device, conversion_method, "
            "conversion_type",
        ),
    ):
        ((dupes,),) = query(
            warehouse,
            f"select count(*) - count(distinct (customer_id, stat_date, {grain})) "
            f"from raw_naver_searchad.{table}",
        )
        assert dupes == 0, table


def report_posts(naver: NaverSearchAdFake) -> int:
    return sum(
        1 for method, path, _ in naver.requests if (method, path) == ("POST", "/stat-reports")
    )


def test_loads_every_customer_completely_and_signs_every_request(
    world: World, naver: NaverSearchAdFake, naver_options: dict[str, Any], warehouse: Path
) -> None:
    result = run_source(PLATFORM, **naver_options)
    assert_complete(world, warehouse)
    customers = {a.account_id for a in world.accounts(PLATFORM)}
    assert len(customers) >= 2
    for table in ("campaigns", "ad_groups", "ads", "ad_stats_daily"):
        rows = query(warehouse, f"select distinct customer_id from raw_naver_searchad.{table}")
        assert {r[0] for r in rows} == customers, f"several customers, one run: {table}"
    keywords = {
        r[0] for r in query(warehouse, "select keyword_id from raw_naver_searchad.keywords")
    }
    assert keywords == {k.keyword_id for c in customers for k in world.keywords(PLATFORM, c)}
    ads = {
        r[0]: r[1:]
        for r in query(
            warehouse, "select ad_id, pc_final_url, mobile_final_url from raw_naver_searchad.ads"
        )
    }
    world_ads = {a.ad_id: a for c in customers for a in world.ads(PLATFORM, c)}
    assert ads.keys() == world_ads.keys()
    # each text ad's final URLs, the world's landing page or the advertiser's home page
    for ad_id, (pc, mobile) in ads.items():
        landing = world_ads[ad_id].landing_url
        assert (pc, mobile) == (
            landing or "https://shop.example.com/",
            landing or "https://m.shop.example.com/",
        ), ad_id
    assert any(world_ads[a].landing_url for a in ads)
    assert not all(world_ads[a].landing_url for a in ads)
    ((unsigned,),) = query(
        warehouse,
        "select count(*) from raw_naver_searchad.ad_stats_daily "
        "where _dlt_load_id is null or _loaded_at is null",
    )
    assert unsigned == 0, "every row traces to its load"
    assert result.rows["ad_stats_daily"] > 0 and result.rows["ad_conversion_stats_daily"] > 0
    assert naver.rejected_signatures == 0, "every request was signed as Naver computes it"
    assert naver.secret_key not in str(naver.requests), "no secret in the request log"
    # Days the world has not aggregated yet (its today up to Seoul's yesterday) answered
    # 20007 and were skipped; every finished job was deleted.
    assert report_posts(naver) >= len(customers) * 2 * len({d for _, d in served(world)})
    assert naver._jobs and all(job.deleted for job in naver._jobs.values()), "jobs deleted"


@pytest.mark.any_instant
def test_a_scheduled_run_pulls_only_the_lookback_and_merges_restated_days(
    world: World, naver: NaverSearchAdFake, naver_options: dict[str, Any], warehouse: Path
) -> None:
    run_source(PLATFORM, **naver_options)
    first = loaded(warehouse)
    newest = world.as_of - timedelta(days=1)
    world.advance(2)
    before = report_posts(naver)
    run_source(PLATFORM, **without_start(naver_options))
    assert_complete(world, warehouse)
    second = loaded(warehouse)
    # From 20 lookback days before the newest day loaded up to Seoul's yesterday, both
    # reports, every customer (and nothing older).
    yesterday = clock.today("Asia/Seoul") - timedelta(days=1)
    days = (yesterday - (newest - timedelta(days=19))).days + 1
    assert report_posts(naver) - before == len(world.accounts(PLATFORM)) * 2 * days
    restated = [k for k in first if first[k][3] != second[k][3]]
    assert restated, "conversions restated within the lookback changed in the raw table"
    old = min(first)
    assert first[old] == second[old], "days before the lookback are kept as loaded"


def test_jobs_that_run_long_or_fail_once_still_load_everything(
    world: World, naver: NaverSearchAdFake, naver_options: dict[str, Any], warehouse: Path
) -> None:
    naver.faults.async_polls = 4
    naver.faults.async_fail_next(2)
    run_source(PLATFORM, **recent(naver_options, world))
    assert_complete(world, warehouse, since=world.as_of - timedelta(days=8))
    assert naver.faults.fired.count("async_fail") == 2


def test_recovers_from_rate_limits_outages_and_truncated_downloads(
    world: World, naver: NaverSearchAdFake, naver_options: dict[str, Any], warehouse: Path
) -> None:
    naver.faults.rate_limit_next(2, only_path_contains="stat-reports")
    naver.faults.throttle_next(1, retry_after=0, only_path_contains="ncc")
    naver.faults.fail_next(3, status=503, only_path_contains="stat-reports")
    naver.faults.fail_next(1, status=500, only_path_contains="report-download")
    # A cut exactly at a line end would look like a whole file (Naver sends no row count),
    # so one download is cut (a cut mid-line is retried) and one JSON answer.
    naver.faults.truncate_next(1, only_path_contains="report-download")
    naver.faults.truncate_next(1, only_path_contains="stat-reports/")
    run_source(PLATFORM, **recent(naver_options, world))
    assert_complete(world, warehouse, since=world.as_of - timedelta(days=8))
    fired = naver.faults.fired
    assert fired.count("truncate") == 2 and fired.count("rate_limit") == 2
    assert fired.count("fail") == 4 and fired.count("throttle") == 1


def test_a_wrong_secret_fails_clearly_without_the_secret_and_loads_nothing(
    naver_options: dict[str, Any], warehouse: Path
) -> None:
    secret = "wrong-secret-value-123"
    with pytest.raises(IngestError) as error:
        run_source(PLATFORM, **{**naver_options, "secret_key": secret})
    message = str(error.value)
    assert "naver_searchad" in message and "invalid-signature" in message
    assert "SECRET_KEY" in message
    assert secret not in message and naver_options["api_key"] not in message
    assert not warehouse.exists() or not query(
        warehouse,
        "select table_name from information_schema.tables "
        "where table_schema = 'raw_naver_searchad'",
    )


def test_a_customer_the_license_cannot_act_for_is_named_with_what_to_do(
    world: World, naver: NaverSearchAdFake, naver_options: dict[str, Any], warehouse: Path
) -> None:
    stranger = "9999999"
    options = {**naver_options, "customer_ids": [*naver_options["customer_ids"], stranger]}
    with pytest.raises(IngestError) as error:
        run_source(PLATFORM, **recent(options, world, days=2))
    message = str(error.value)
    assert f"customer {stranger}" in message and "auth-failed" in message
    assert "CUSTOMER_IDS" in message


def test_a_malformed_report_line_stops_the_run_naming_customer_report_line_and_value(
    world: World,
    naver: NaverSearchAdFake,
    naver_options: dict[str, Any],
    warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = naver._rows

    def garbled(job: Any) -> list[list[str]]:
        built = rows(job)
        if job.report_type == "AD" and built:
            built[-1] = [*built[-1][:10], "12x", *built[-1][11:]]
        return built

    monkeypatch.setattr(naver, "_rows", garbled)
    with pytest.raises(IngestError) as error:
        run_source(PLATFORM, **recent(naver_options, world, days=2))
    message = str(error.value)
    assert "AD report for" in message and "customer " in message and "line " in message
    assert "'12x'" in message and "Click" in message
    assert not warehouse.exists() or not query(
        warehouse,
        "select table_name from information_schema.tables "
        "where table_schema = 'raw_naver_searchad' and table_name = 'ad_stats_daily'",
    )


def test_a_job_that_keeps_failing_stops_the_run_and_keeps_earlier_data(
    world: World, naver: NaverSearchAdFake, naver_options: dict[str, Any], warehouse: Path
) -> None:
    run_source(PLATFORM, **recent(naver_options, world))
    before = loaded(warehouse)
    world.advance(1)
    naver.faults.async_fail_next(1000)
    with pytest.raises(IngestError) as error:
        run_source(PLATFORM, **without_start(naver_options))
    assert "ERROR" in str(error.value) and "report for" in str(error.value)
    assert loaded(warehouse) == before, "nothing of the failed run was written"


def test_a_rotated_secret_keeps_the_earlier_load_and_the_next_run_catches_up(
    world: World, naver: NaverSearchAdFake, naver_options: dict[str, Any], warehouse: Path
) -> None:
    run_source(PLATFORM, **recent(naver_options, world))
    since = world.as_of - timedelta(days=20)  # the next run's lookback reaches back here
    world.advance(2)
    naver.faults.expire_token()
    with pytest.raises(IngestError) as error:
        run_source(PLATFORM, **without_start(naver_options))
    assert "Naver renews secret keys" in str(error.value)
    naver.faults.restore_token()
    run_source(PLATFORM, **without_start(naver_options))
    assert_complete(world, warehouse, since=since)


def test_day_restated_to_nothing_is_emptied(
    world: World, naver_options: dict[str, Any], warehouse: Path
) -> None:
    from ingestion.sources.naver_searchad import tables
    from tests.sources.restated import check_day_restated_to_nothing

    columns = {t.name: "stat_date" for t in tables.REPORTS.values()}
    options = recent(naver_options, world)
    check_day_restated_to_nothing("naver_searchad", world, options, warehouse, columns)


def test_conflicting_duplicate_stops_the_run(
    world: World, faults: Faults, naver_options: dict[str, Any], warehouse: Path
) -> None:
    faults.conflict_next(1)
    with pytest.raises(IngestError) as err:
        run_source("naver_searchad", **recent(naver_options, world, days=2))
    message = str(err.value)
    found = re.search(
        r"naver_searchad: \w+: two rows share the key and differ \(cost (\d+)\.?\d* vs (\d+)",
        message,
    )
    assert found and int(found.group(1)) == 10 * int(found.group(2)), message


def test_row_of_another_day_stops_the_run(
    world: World, faults: Faults, naver_options: dict[str, Any], warehouse: Path
) -> None:
    # Its own test: report jobs run in parallel, and a job of a failed run may still make
    # a request after the failure (consuming a fault queued for a next run).
    faults.redate_next(1, date(2028, 1, 3))
    # Naver's reports are one day each: a row of another day is refused before any bound.
    with pytest.raises(IngestError, match=r"ad_stats_daily: row of customer \d+ on 2028-01-03 in"):
        run_source("naver_searchad", **recent(naver_options, world, days=2))
