"""The Adjust source against its fake: reconciliation with the world, quirks, errors."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from argo.pipeline import IngestError, run_source
from ingestion import clock
from ingestion.sandbox import Faults, World, WorldConfig
from ingestion.sandbox.adjust_api import AdjustFake, Reply, Request
from ingestion.sandbox.trackers import App, Trackers
from ingestion.sandbox.world import ACCOUNT_PROFILES
from ingestion.sources import http
from ingestion.sources.adjust.tables import DIMENSIONS
from tests.conftest import query
from tests.sources.adjust.conftest import FAST

pytestmark = pytest.mark.pipeline

PER_USD = {currency: Decimal(repr(rate)) for currency, _, _, rate in ACCOUNT_PROFILES}
Key = tuple[Any, ...]


def expected(
    world: World, apps: list[App], currency: str = "USD"
) -> tuple[dict[Key, list[Any]], dict[Key, list[Any]]]:
    """What the world says, per (app, day, campaign id, country) and per event slug too.

    Daily: [installs, clicks, impressions, cost, revenue]; events: [count, revenue]. Organic
    rows have Adjust's ``unknown`` campaign id; money is in ``currency``.
    """
    rate = PER_USD[currency]
    daily: dict[Key, list[Any]] = defaultdict(lambda: [0, 0, 0, Decimal(0), Decimal(0)])
    events: dict[Key, list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    for app in apps:
        for row in Trackers(world).daily(app, world.first_day, world.as_of):
            key = (app.app_id, row.date, row.campaign_id or "unknown", row.country)
            sums = daily[key]
            sums[0] += row.installs
            sums[1] += row.clicks
            sums[2] += row.impressions
            sums[3] += row.cost * rate
            for name, counts in row.events.items():
                sums[4] += counts.revenue * rate
                event = events[(*key, name)]
                event[0] += counts.count
                event[1] += counts.revenue * rate
    return dict(daily), {k: v for k, v in events.items() if any(v)}


def loaded(path: Path) -> tuple[dict[Key, list[Any]], dict[Key, list[Any]]]:
    daily = query(
        path,
        "select app_token, day, campaign_id_network, country_code, sum(installs), sum(clicks), "
        "sum(impressions), sum(network_cost), sum(revenue) from raw_adjust.report_daily "
        "group by 1, 2, 3, 4",
    )
    events = query(
        path,
        "select app_token, day, campaign_id_network, country_code, event_slug, sum(events), "
        "sum(event_revenue) from raw_adjust.report_daily_events group by 1, 2, 3, 4, 5",
    )
    return {r[:4]: list(r[4:]) for r in daily}, {r[:5]: list(r[5:]) for r in events}


def grain_is_unique(path: Path) -> bool:
    total, distinct = query(
        path,
        "select count(*), count(distinct (app_token, day, network, campaign_id_network, "
        "adgroup_id_network, country_code)) from raw_adjust.report_daily",
    )[0]
    return bool(total == distinct and total > 0)


def table_count(path: Path, table: str) -> int:
    if not path.exists():
        return 0
    try:
        return int(query(path, f"select count(*) from raw_adjust.{table}")[0][0])
    except duckdb.CatalogException:
        return 0


def periods(fake: AdjustFake) -> list[str]:
    return [q["date_period"] for _, _, q in fake.requests]


def test_loads_exactly_what_the_world_serves(
    world: World, adjust: AdjustFake, options: dict[str, Any], warehouse: Path
) -> None:
    result = run_source("adjust", **options)
    apps = Trackers(world).apps("adjust")
    assert loaded(warehouse) == expected(world, apps)
    assert grain_is_unique(warehouse)
    assert result.rows["report_daily"] == table_count(warehouse, "report_daily")
    # network names, organic's "unknown" ids, currency and app names as Adjust sends them
    networks = {r[0] for r in query(warehouse, "select network from raw_adjust.report_daily")}
    assert "Organic" in networks and networks <= {
        "Organic",
        "Facebook Installs",
        "Google Ads ACI",
        "Kakao Moment",
        "Naver",
    }
    organic = query(
        warehouse,
        "select distinct campaign_id_network, adgroup_id_network, clicks, network_cost "
        "from raw_adjust.report_daily where network = 'Organic'",
    )
    assert {r[:2] for r in organic} == {("unknown", "unknown")}
    assert query(warehouse, "select distinct currency, app_name from raw_adjust.report_daily") == [
        ("USD", apps[0].name)
    ]
    # the period is split into chunks of 31 days; every request names the app and metrics
    assert len(adjust.requests) == 2
    first = adjust.requests[0][2]
    assert first["date_period"].startswith(world.first_day.isoformat())
    assert first["app_token__in"] == apps[0].app_id
    assert first["metrics"].endswith(
        "purchase_events,purchase_revenue,registration_events,registration_revenue"
    )
    assert first["format_dates"] == "false" and first["currency"] == "USD"


def test_several_apps_in_one_request_and_another_currency(warehouse: Path, faults: Faults) -> None:
    world = World(
        WorldConfig(seed=11, scale=2.0, history_days=6, as_of=clock.today() - timedelta(days=3))
    )
    apps = Trackers(world).apps("adjust")
    assert len(apps) >= 2
    with AdjustFake(world, faults) as fake:
        assert isinstance(fake, AdjustFake)
        run_source("adjust", **fake.source_options(), **FAST, currency="krw")
        (request,) = [q for _, _, q in fake.requests]
    assert request["app_token__in"] == ",".join(a.app_id for a in apps)
    assert request["currency"] == "KRW"
    assert loaded(warehouse) == expected(world, apps, "KRW")
    tokens = query(warehouse, "select distinct app_token from raw_adjust.report_daily_events")
    assert {t for (t,) in tokens} == {a.app_id for a in apps}
    assert query(warehouse, "select distinct currency from raw_adjust.report_daily") == [("KRW",)]


@pytest.mark.any_instant
def test_unsettled_days_are_replaced_after_the_world_advances(
    world: World, adjust: AdjustFake, options: dict[str, Any], warehouse: Path
) -> None:
    run_source("adjust", **options)
    apps = Trackers(world).apps("adjust")
    before, _ = loaded(warehouse)
    newest = world.as_of - timedelta(days=1)
    world.advance(2)
    adjust.requests.clear()
    incremental = {k: v for k, v in options.items() if k != "start_date"}
    run_source("adjust", **incremental)
    # the lookback (3 days up to the newest day loaded) re-reads the two settling days
    (period,) = periods(adjust)
    assert period.startswith(f"{newest - timedelta(days=2)}:")
    after, after_events = loaded(warehouse)
    assert (after, after_events) == expected(world, apps)
    grown = [k for k in after if k in before and after[k][0] > before[k][0]]
    assert grown and all(k[1] >= newest - timedelta(days=1) for k in grown)
    assert all(after[k] == before[k] for k in before if k[1] < newest - timedelta(days=2))
    assert grain_is_unique(warehouse)


def test_wrong_token_is_a_clear_error_and_loads_nothing(
    adjust: AdjustFake, options: dict[str, Any], warehouse: Path
) -> None:
    with pytest.raises(IngestError, match="refused the API token") as error:
        run_source("adjust", **{**options, "api_token": "not-the-token-123"})
    assert "not-the-token-123" not in str(error.value)
    assert "Invalid token" in str(error.value)
    assert "SOURCES__ADJUST__API_TOKEN" in str(error.value)
    assert len(adjust.requests) == 1, "a 401 is not retried"
    assert table_count(warehouse, "report_daily") == 0
    assert table_count(warehouse, "report_daily_events") == 0


def test_rate_limits_5xx_and_cut_answers_are_retried(
    world: World,
    adjust: AdjustFake,
    options: dict[str, Any],
    faults: Faults,
    warehouse: Path,
) -> None:
    faults.throttle_next(1, retry_after=0)
    faults.rate_limit_next(2)
    faults.fail_next(2, status=503)
    faults.fail_next(1, status=504)
    faults.truncate_next(1)
    run_source("adjust", **{**options, "max_attempts": 8})
    assert Counter(faults.fired) == {"throttle": 1, "rate_limit": 2, "fail": 3, "truncate": 1}
    assert loaded(warehouse) == expected(world, Trackers(world).apps("adjust"))


def test_each_report_answer_is_parsed_once(
    adjust: AdjustFake, options: dict[str, Any], warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The retry condition's check of a whole answer and the reader share one parse."""
    parsed: list[int] = []
    loads = http.loads

    def counting(text: bytes) -> Any:
        parsed.append(len(text))
        return loads(text)

    monkeypatch.setattr(http, "loads", counting)
    run_source("adjust", **options)
    assert adjust.requests, "the run asked for reports"
    assert len(parsed) == len(adjust.requests)


def test_rate_limit_that_persists_is_a_clear_error(
    adjust: AdjustFake, options: dict[str, Any], faults: Faults, warehouse: Path
) -> None:
    faults.rate_limit_next(50)
    with pytest.raises(IngestError, match="still rate-limited") as error:
        run_source("adjust", **{**options, "max_attempts": 3})
    assert "app_token__in=" in str(error.value) and "50 simultaneous" in str(error.value)
    assert len(adjust.requests) == 3
    assert table_count(warehouse, "report_daily") == 0


class _Tampered(AdjustFake):
    """Sends one malformed metric string in the third row of every report."""

    field = "network_cost"
    value = "12.34.5"

    def handle(self, request: Request) -> Reply:
        reply = super().handle(request)
        if reply.status == 200:
            reply.body["rows"][2][self.field] = self.value
        return reply


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("network_cost", "12.34.5", "not a number"),
        ("installs", "7.5", "not a whole number"),
        ("purchase_events", "-1", "a negative count"),
        ("network_cost", "-3.5000", "a negative amount"),
    ],
)
def test_malformed_metric_string_is_a_data_error_naming_the_row(
    world: World, faults: Faults, warehouse: Path, field: str, value: str, message: str
) -> None:
    fake = _Tampered(world, faults)
    fake.field, fake.value = field, value
    with fake:
        with pytest.raises(IngestError, match=message) as error:
            run_source("adjust", **fake.source_options(), **FAST)
        body = fake.report(
            Trackers(world).apps("adjust"),
            world.first_day,
            world.first_day + timedelta(days=30),
            list(DIMENSIONS),
            ["installs"],
        )
    row = body["rows"][2]
    text = str(error.value)
    assert f"row 2: app_token={row['app_token']}, day={row['day']}" in text
    assert f"campaign_id_network={row['campaign_id_network']}" in text
    assert f"field '{field}'" in text
    assert table_count(warehouse, "report_daily") == 0


def test_unknown_event_slug_is_adjusts_400(
    adjust: AdjustFake, options: dict[str, Any], warehouse: Path
) -> None:
    with pytest.raises(IngestError, match="Unsupported metrics: signup_events") as error:
        run_source("adjust", **options, event_slugs=["purchase", "signup"])
    assert "HTTP 400" in str(error.value) and "event_slugs" in str(error.value)
    assert len(adjust.requests) == 1, "a 400 is not retried"


def test_event_slugs_choose_the_event_rows(
    world: World, adjust: AdjustFake, options: dict[str, Any], warehouse: Path
) -> None:
    run_source("adjust", **options, event_slugs="purchase")
    _, events = expected(world, Trackers(world).apps("adjust"))
    purchases = {k: v for k, v in events.items() if k[4] == "purchase"}
    assert loaded(warehouse)[1] == purchases
    assert "registration" not in adjust.requests[0][2]["metrics"]


def test_no_content_creates_empty_tables(
    world: World, adjust: AdjustFake, options: dict[str, Any], warehouse: Path
) -> None:
    early = world.first_day - timedelta(days=20)
    run_source(
        "adjust",
        **{**options, "start_date": early.isoformat()},
        end_date=(early + timedelta(days=5)).isoformat(),
    )
    assert len(adjust.requests) == 1
    assert table_count(warehouse, "report_daily") == 0
    assert query(warehouse, "select count(*) from raw_adjust.report_daily_events") == [(0,)]


def test_unknown_app_token_loads_the_others(
    world: World, adjust: AdjustFake, options: dict[str, Any], warehouse: Path
) -> None:
    apps = Trackers(world).apps("adjust")
    run_source("adjust", **{**options, "app_tokens": [*options["app_tokens"], "nosuchapp123"]})
    assert loaded(warehouse) == expected(world, apps)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"app_tokens": []}, "no app_tokens"),
        ({"event_slugs": ["Purchase Event"]}, "not Adjust event slugs"),
        ({"currency": "dollars"}, "not a currency code"),
        ({"utc_offset": "KST"}, "not an offset"),
        ({"lookback_days": 0}, "at least 1"),
        ({"start_date": "01/02/2026"}, "not a date"),
        ({"api_token": ""}, "no API token"),
    ],
)
def test_options_are_checked(
    adjust: AdjustFake,
    options: dict[str, Any],
    warehouse: Path,
    change: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(IngestError, match=message):
        run_source("adjust", **{**options, **change})
    assert adjust.requests == []


def test_day_restated_to_nothing_is_emptied(
    world: World, options: dict[str, Any], warehouse: Path
) -> None:
    from ingestion.sources.adjust import tables
    from tests.sources.restated import check_day_restated_to_nothing

    columns = {tables.REPORT_DAILY.name: "day", tables.REPORT_DAILY_EVENTS.name: "day"}
    check_day_restated_to_nothing("adjust", world, options, warehouse, columns)


def test_conflicting_duplicate_and_future_date_stop_the_run(
    faults: Faults, options: dict[str, Any], warehouse: Path
) -> None:
    faults.conflict_next(1)
    with pytest.raises(IngestError) as err:
        run_source("adjust", **options)
    message = str(err.value)
    assert "adjust: report_daily: two rows share the key and differ (" in message, message
    assert table_count(warehouse, "report_daily") == 0, "nothing of the run is committed"
    faults.duplicate_next(3)
    run_source("adjust", **options)
    loaded_once = table_count(warehouse, "report_daily")
    assert loaded_once > 0 and grain_is_unique(warehouse)
    faults.redate_next(1, date(2028, 1, 3))
    with pytest.raises(IngestError, match=r"field 'day' is 2028-01-03, after tomorrow"):
        run_source("adjust", **options)
    assert table_count(warehouse, "report_daily") == loaded_once
