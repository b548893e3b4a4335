"""The AppsFlyer source against its fake: reconciliation with the world, quirks, errors."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from argo.pipeline import IngestError, run_source
from ingestion import clock
from ingestion.sandbox import Faults, World, WorldConfig
from ingestion.sandbox import appsflyer_api as fake_module
from ingestion.sandbox.appsflyer_api import EVENT_NAMES, AppsFlyerFake, media_source
from ingestion.sandbox.trackers import App, TrackedDay, Trackers
from tests.conftest import query
from tests.sources.appsflyer.conftest import FAST

pytestmark = pytest.mark.pipeline

AGG = ["partners_by_date_report", "geo_by_date_report"]
RAW = ["installs_report", "in_app_events_report"]


def days(since: date, until: date) -> Iterator[date]:
    day = since
    while day <= until:
        yield day
        day += timedelta(days=1)


def world_daily(world: World, app: App) -> list[TrackedDay]:
    return list(Trackers(world).daily(app, world.first_day, world.as_of))


def expected_partners(world: World, apps: list[App]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """(app, day, pid, campaign) -> (installs, cost or None) as the world says."""
    sums: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    for app in apps:
        for row in world_daily(world, app):
            key = (app.app_id, row.date, media_source(row), row.campaign_name)
            sums[key][0] += row.installs
            sums[key][1] += row.cost
    return {k: (v[0], None if k[2] == "Organic" else v[1]) for k, v in sums.items()}


def expected_events(world: World, app: App, geo: bool) -> dict[tuple[Any, ...], list[Any]]:
    sums: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0, 0, Decimal(0)])
    for row in world_daily(world, app):
        for event, counts in row.events.items():
            country = (row.country,) if geo else ()
            key = (row.date, *country, media_source(row), row.campaign_name, EVENT_NAMES[event])
            sums[key][0] += counts.users
            sums[key][1] += counts.count
            sums[key][2] += counts.revenue
    return {k: v for k, v in sums.items() if any(v)}


def loaded_partners(path: Path) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    rows = query(
        path,
        "select app_id, date, media_source, campaign, installs, total_cost "
        "from raw_appsflyer.partners_daily",
    )
    found: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for app_id, day, pid, campaign, installs, cost in rows:
        key = (app_id, day, pid, campaign)
        assert key not in found, f"duplicate grain row {key}"
        found[key] = (installs, cost)
    return found


def table_count(path: Path, table: str) -> int:
    if not path.exists():
        return 0
    try:
        return int(query(path, f"select count(*) from raw_appsflyer.{table}")[0][0])
    except duckdb.CatalogException:
        return 0


def test_aggregate_reports_equal_the_world(
    world: World, appsflyer: AppsFlyerFake, options: dict[str, Any], warehouse: Path
) -> None:
    run_source("appsflyer", **options, reports=AGG)
    app = Trackers(world).apps("appsflyer")[0]
    assert loaded_partners(warehouse) == expected_partners(world, [app])
    for table, geo in (("partners_daily_events", False), ("geo_daily_events", True)):
        country = "country_code, " if geo else ""
        rows = query(
            warehouse,
            f"select date, {country}media_source, campaign, event_name, unique_users, "
            f"event_count, sales_usd from raw_appsflyer.{table}",
        )
        found = {tuple(r[:-3]): list(r[-3:]) for r in rows}
        assert len(found) == len(rows)
        assert found == expected_events(world, app, geo), table
    # geo: installs per day and country add up; organic has no impressions (N/A -> null)
    geo_installs = Counter[tuple[Any, ...]]()
    for row in world_daily(world, app):
        geo_installs[(row.date, row.country)] += row.installs
    rows = query(
        warehouse,
        "select date, country_code, sum(installs) from raw_appsflyer.geo_daily group by 1, 2",
    )
    assert {(d, c): n for d, c, n in rows} == {k: v for k, v in geo_installs.items()}
    organic = query(
        warehouse,
        "select count(*), count(impressions), count(total_cost) from raw_appsflyer.partners_daily "
        "where media_source = 'Organic'",
    )[0]
    assert organic[0] > 0 and organic[1:] == (0, 0)
    requests = [(p, q) for _, p, q in appsflyer.requests]
    assert all(q["timezone"] == "Asia/Seoul" for _, q in requests)
    assert len(requests) == 2, "one request per app and aggregate report"


def test_raw_reports_equal_the_world(
    world: World, appsflyer: AppsFlyerFake, options: dict[str, Any], warehouse: Path
) -> None:
    result = run_source("appsflyer", **options, reports=RAW)
    trackers = Trackers(world)
    app = trackers.apps("appsflyer")[0]
    installs: Counter[tuple[Any, ...]] = Counter()
    times: set[tuple[Any, ...]] = set()
    revenue: defaultdict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    events: Counter[tuple[Any, ...]] = Counter()
    for day in days(world.first_day, world.as_of):
        for install in trackers.installs(app, day):
            installs[(install.row.campaign_id, day)] += 1
            times.add((install.device_id, install.install_time, install.touch_time))
        for event in trackers.in_app_events(app, day):
            revenue[(event.install.row.campaign_id, day)] += event.revenue
            events[(EVENT_NAMES[event.name], day)] += 1
    rows = query(
        warehouse,
        "select campaign_id, install_date, count(*) from raw_appsflyer.installs group by 1, 2",
    )
    assert {(c, d): n for c, d, n in rows} == dict(installs)
    rows = query(
        warehouse,
        "select appsflyer_id, install_time, attributed_touch_time from raw_appsflyer.installs",
    )
    assert set(rows) == times, "local times load unshifted"
    rows = query(
        warehouse,
        "select campaign_id, event_date, sum(coalesce(event_revenue_usd, 0)) "
        "from raw_appsflyer.in_app_events group by 1, 2",
    )
    assert {(c, d): v for c, d, v in rows if v} == {k: v for k, v in revenue.items() if v}
    rows = query(
        warehouse,
        "select event_name, event_date, count(*) from raw_appsflyer.in_app_events group by 1, 2",
    )
    assert {(n, d): c for n, d, c in rows} == dict(events)
    assert result.rows["installs"] == sum(installs.values())
    organic = query(
        warehouse,
        "select distinct media_source from raw_appsflyer.installs where campaign_id is null",
    )
    assert organic == [("organic",)]


def test_several_apps_in_one_run(warehouse: Path, faults: Faults) -> None:
    world = World(
        WorldConfig(seed=11, scale=1.0, history_days=12, as_of=clock.today() - timedelta(days=3))
    )
    apps = Trackers(world).apps("appsflyer")
    assert len(apps) >= 2
    with AppsFlyerFake(world, faults) as fake:
        assert isinstance(fake, AppsFlyerFake)
        run_source(
            "appsflyer", **fake.source_options(), **FAST, reports=["partners_by_date_report"]
        )
    assert loaded_partners(warehouse) == expected_partners(world, apps)


def test_limit_reached_5xx_and_cut_answers_are_retried(
    world: World,
    appsflyer: AppsFlyerFake,
    options: dict[str, Any],
    faults: Faults,
    warehouse: Path,
) -> None:
    faults.throttle_next(3, only_path_contains="partners_by_date")
    faults.rate_limit_next(2, only_path_contains="installs_report")
    faults.fail_next(2, status=503, only_path_contains="geo_by_date")
    faults.truncate_next(1, only_path_contains="in_app_events")
    result = run_source("appsflyer", **options)
    assert Counter(faults.fired) == {"throttle": 3, "rate_limit": 2, "fail": 2, "truncate": 1}
    app = Trackers(world).apps("appsflyer")[0]
    assert loaded_partners(warehouse) == expected_partners(world, [app])
    assert result.rows["in_app_events"] == sum(
        len(Trackers(world).in_app_events(app, d)) for d in days(world.first_day, world.as_of)
    )


def test_limit_reached_that_persists_is_a_clear_error(
    appsflyer: AppsFlyerFake, options: dict[str, Any], faults: Faults, warehouse: Path
) -> None:
    faults.throttle_next(50)
    with pytest.raises(IngestError, match="Limit reached") as error:
        run_source("appsflyer", **{**options, "max_attempts": 3})
    assert "app_id=" in str(error.value)
    assert all(table_count(warehouse, t) == 0 for t in ("partners_daily", "installs"))


def test_wrong_token_is_a_clear_error_and_loads_nothing(
    appsflyer: AppsFlyerFake, options: dict[str, Any], warehouse: Path
) -> None:
    with pytest.raises(IngestError, match="refused the API token") as error:
        run_source("appsflyer", **{**options, "api_token": "not-the-token-123"})
    assert "not-the-token-123" not in str(error.value)
    assert "SOURCES__APPSFLYER__API_TOKEN" in str(error.value)
    assert len(appsflyer.requests) == 1, "a 401 is not retried"
    for table in ("partners_daily", "geo_daily", "installs", "in_app_events"):
        assert table_count(warehouse, table) == 0


@pytest.mark.any_instant
def test_unsettled_days_are_replaced_after_the_world_advances(
    world: World, appsflyer: AppsFlyerFake, options: dict[str, Any], warehouse: Path
) -> None:
    run_source("appsflyer", **options)
    before = loaded_partners(warehouse)
    installs_before = table_count(warehouse, "installs")
    newest = world.as_of - timedelta(days=1)
    world.advance(2)
    appsflyer.requests.clear()
    incremental = {k: v for k, v in options.items() if k != "start_date"}
    run_source("appsflyer", **incremental)
    # the lookback (3 days up to the newest day loaded) re-reads the two settling days,
    # up to today in the app's time zone (raw reports in pieces of at most 7 days)
    app = Trackers(world).apps("appsflyer")[0]
    spans = sorted((q["from"], q["to"]) for _, _, q in appsflyer.requests)
    assert spans[0][0] == (newest - timedelta(days=2)).isoformat()
    assert max(to for _, to in spans) == clock.today(app.timezone_name).isoformat()
    aggregate = {(q["from"], q["to"]) for _, path, q in appsflyer.requests if "by_date" in path}
    assert aggregate == {(spans[0][0], clock.today(app.timezone_name).isoformat())}
    after = loaded_partners(warehouse)
    assert after == expected_partners(world, [app])
    grown = [k for k in after if k in before and after[k][0] > before[k][0]]
    assert grown and all(k[1] >= newest - timedelta(days=1) for k in grown)
    assert all(after[k] == before[k] for k in before if k[1] < newest - timedelta(days=2))
    installs = sum(
        len(Trackers(world).installs(app, d)) for d in days(world.first_day, world.as_of)
    )
    assert table_count(warehouse, "installs") == installs > installs_before


def test_missing_raw_column_is_a_data_error(
    appsflyer: AppsFlyerFake,
    options: dict[str, Any],
    warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    header = [h for h in fake_module.RAW_HEADER if h != "Campaign ID"]
    monkeypatch.setattr(fake_module, "RAW_HEADER", header)
    app_id = options["app_ids"][0]
    with pytest.raises(IngestError, match="no column 'Campaign ID'") as error:
        run_source("appsflyer", **options, reports=["installs_report"])
    assert f"app_id={app_id}, report=installs_report" in str(error.value)
    assert table_count(warehouse, "installs") == 0


def test_missing_aggregate_column_is_a_data_error(
    appsflyer: AppsFlyerFake,
    options: dict[str, Any],
    warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    metrics = [m if m != "Installs" else "Installs (total)" for m in fake_module.AGG_METRICS]
    monkeypatch.setattr(fake_module, "AGG_METRICS", metrics)
    with pytest.raises(IngestError, match=r"no column 'Installs'.*report=geo_by_date_report"):
        run_source("appsflyer", **options, reports=["geo_by_date_report"])


@pytest.mark.any_instant
def test_start_older_than_90_days_is_clamped(
    world: World, appsflyer: AppsFlyerFake, options: dict[str, Any], warehouse: Path
) -> None:
    app = Trackers(world).apps("appsflyer")[0]
    today = clock.today(app.timezone_name)  # the app's day (Asia/Seoul), not UTC's
    old = (today - timedelta(days=200)).isoformat()
    run_source("appsflyer", **{**options, "start_date": old}, reports=["partners_by_date_report"])
    (froms,) = {q["from"] for _, _, q in appsflyer.requests}
    assert date.fromisoformat(froms) == today - timedelta(days=90)
    assert loaded_partners(warehouse) == expected_partners(world, [app])


def test_full_raw_answers_are_split_and_an_overfull_day_fails(
    world: World, appsflyer: AppsFlyerFake, options: dict[str, Any], warehouse: Path
) -> None:
    app = Trackers(world).apps("appsflyer")[0]
    per_day = [len(Trackers(world).installs(app, d)) for d in days(world.first_day, world.as_of)]
    limit = max(per_day) + 1  # a week never fits, a day always does
    run_source("appsflyer", **options, reports=["installs_report"], maximum_rows=limit)
    assert table_count(warehouse, "installs") == sum(per_day)
    spans = {(q["from"], q["to"]) for _, _, q in appsflyer.requests}
    assert any(a == b for a, b in spans), "ranges were split down to single days"
    with pytest.raises(IngestError, match="maximum_rows"):
        run_source("appsflyer", **options, reports=["installs_report"], maximum_rows=5)


def test_organic_raw_reports_can_be_left_out_and_options_are_checked(
    world: World, appsflyer: AppsFlyerFake, options: dict[str, Any], warehouse: Path
) -> None:
    run_source("appsflyer", **options, reports="installs_report", include_organic=False)
    paths = {p.rsplit("/", 2)[1] for _, p, _ in appsflyer.requests}
    assert paths == {"installs_report"}
    app = Trackers(world).apps("appsflyer")[0]
    paid = sum(
        1
        for d in days(world.first_day, world.as_of)
        for i in Trackers(world).installs(app, d)
        if i.row.platform is not None
    )
    assert table_count(warehouse, "installs") == paid
    with pytest.raises(IngestError, match="unknown reports"):
        run_source("appsflyer", **options, reports=["daily_report"])


def test_day_restated_to_nothing_is_emptied(
    world: World, options: dict[str, Any], warehouse: Path
) -> None:
    from ingestion.sources.appsflyer import tables
    from tests.sources.restated import check_day_restated_to_nothing

    check_day_restated_to_nothing("appsflyer", world, options, warehouse, dict(tables.DAY_COLUMN))


def test_conflicting_duplicate_and_future_date_stop_the_run(
    faults: Faults, options: dict[str, Any], warehouse: Path
) -> None:
    faults.conflict_next(1, only_path_contains="partners_by_date_report")
    with pytest.raises(IngestError) as err:
        run_source("appsflyer", **options)
    message = str(err.value)
    assert "appsflyer: partners_daily: two rows share the key and differ (" in message, message
    faults.redate_next(1, date(2028, 1, 3), only_path_contains="partners_by_date_report")
    with pytest.raises(IngestError, match=r"is 2028-01-03, after tomorrow"):
        run_source("appsflyer", **options)
