"""The Google Ads source against the sandbox fake: completeness, paging, retries, auth, merges."""

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
from ingestion.sandbox import AdAccount, Faults, World
from ingestion.sandbox.google_ads_api import GoogleAdsFake, Query
from ingestion.sandbox.http import Reply, Request
from tests.conftest import query

pytestmark = pytest.mark.pipeline

CATEGORY = {
    "purchase": "PURCHASE",
    "add_to_cart": "ADD_TO_CART",
    "sign_up": "SIGNUP",
    "lead": "SUBMIT_LEAD_FORM",
    "install": "DOWNLOAD",
}
COUNTED = {"purchase", "sign_up", "lead", "install"}
DAILY = (
    "ad_performance_daily",
    "ad_conversions_daily",
    "keyword_performance_daily",
    "keyword_conversions_daily",
)
AdKey = tuple[str, str, str, str]


def days(world: World, account: AdAccount, since: date | None = None) -> tuple[date, date]:
    """The days a run loads: up to the world's last day, and never the customer's today."""
    yesterday = clock.today(account.timezone_name) - timedelta(days=1)
    return since or world.first_day, min(world.as_of - timedelta(days=1), yesterday)


def served_ads(world: World, since: date | None = None) -> dict[AdKey, tuple[Any, ...]]:
    """(customer, ad group, ad, day) -> (impressions, clicks, cost, conversions, value)."""
    served = {}
    for account in world.accounts("google_ads"):
        first, last = days(world, account, since)
        for s in world.daily_stats("google_ads", account.account_id, first, last):
            if s.impressions:
                counted = sum(v for k, v in s.actions.items() if k in COUNTED)
                value = sum((v for k, v in s.action_values.items() if k in COUNTED), Decimal(0))
                key = (account.account_id, s.ad.ad_group_id, s.ad.ad_id, s.date.isoformat())
                served[key] = (s.impressions, s.clicks, s.spend, float(counted), value)
    return served


def served_conversions(world: World, since: date | None = None) -> dict[tuple[str, ...], float]:
    served = {}
    for account in world.accounts("google_ads"):
        first, last = days(world, account, since)
        for s in world.daily_stats("google_ads", account.account_id, first, last):
            for kind, count in s.actions.items():
                key = (account.account_id, s.ad.ad_id, s.date.isoformat(), CATEGORY[kind])
                served[key] = float(count)
    return served


def served_keywords(
    world: World, since: date | None = None
) -> dict[tuple[str, ...], tuple[Any, ...]]:
    totals: dict[tuple[str, ...], list[Any]] = defaultdict(lambda: [0, 0, Decimal(0), 0])
    for account in world.accounts("google_ads"):
        first, last = days(world, account, since)
        for s in world.daily_stats("google_ads", account.account_id, first, last):
            for part in world.keyword_stats(s):
                key = (account.account_id, part.keyword.keyword_id, s.date.isoformat())
                total = totals[key]
                total[0] += part.impressions
                total[1] += part.clicks
                total[2] += part.spend
                total[3] += sum(v for k, v in part.actions.items() if k in COUNTED)
    return {k: (v[0], v[1], v[2], float(v[3])) for k, v in totals.items() if any(v)}


def loaded_ads(path: Path) -> dict[AdKey, tuple[Any, ...]]:
    rows = query(
        path,
        "select customer_id, ad_group_id, ad_id, cast(segments_date as varchar), impressions, "
        "clicks, cost, cost_micros, conversions, conversions_value "
        "from raw_google_ads.ad_performance_daily",
    )
    loaded: dict[AdKey, tuple[Any, ...]] = {}
    for customer, group, ad, day, impressions, clicks, cost, micros, conv, value in rows:
        key = (customer, group, ad, day)
        assert key not in loaded, f"duplicate grain row {key}"
        assert Decimal(micros) == cost * 1_000_000, "cost is cost_micros in major units, exactly"
        loaded[key] = (impressions, clicks, cost.normalize(), conv, value.normalize())
    return loaded


def normalized(served: dict[AdKey, tuple[Any, ...]]) -> dict[AdKey, tuple[Any, ...]]:
    return {k: (i, c, s.normalize(), n, v.normalize()) for k, (i, c, s, n, v) in served.items()}


def loaded_conversions(path: Path) -> dict[tuple[str, ...], float]:
    rows = query(
        path,
        "select customer_id, ad_id, cast(segments_date as varchar), conversion_action_category, "
        "all_conversions from raw_google_ads.ad_conversions_daily",
    )
    loaded: dict[tuple[str, ...], float] = {}
    for customer, ad, day, category, count in rows:
        key = (customer, ad, day, category)
        assert key not in loaded, f"duplicate grain row {key}"
        loaded[key] = count
    return loaded


def loaded_keywords(path: Path) -> dict[tuple[str, ...], tuple[Any, ...]]:
    rows = query(
        path,
        "select customer_id, criterion_id, cast(segments_date as varchar), impressions, clicks, "
        "cost, conversions from raw_google_ads.keyword_performance_daily",
    )
    loaded: dict[tuple[str, ...], tuple[Any, ...]] = {}
    for customer, criterion, day, impressions, clicks, cost, conversions in rows:
        key = (customer, criterion, day)
        assert key not in loaded, f"duplicate grain row {key}"
        loaded[key] = (impressions, clicks, cost.normalize(), conversions)
    return loaded


def norm_keywords(
    served: dict[tuple[str, ...], tuple[Any, ...]],
) -> dict[tuple[str, ...], tuple[Any, ...]]:
    return {k: (i, c, s.normalize(), n) for k, (i, c, s, n) in served.items()}


@pytest.mark.any_instant
def test_loads_exactly_what_the_world_serves(
    world: World, google_options: dict[str, Any], warehouse: Path
) -> None:
    accounts = world.accounts("google_ads")
    assert len(accounts) > 1, "several customers in one run"
    result = run_source("google_ads", **google_options)
    assert loaded_ads(warehouse) == normalized(served_ads(world))
    assert loaded_conversions(warehouse) == served_conversions(world)
    assert loaded_keywords(warehouse) == norm_keywords(served_keywords(world))
    ((keyword_conv_rows,),) = query(
        warehouse,
        "select count(*) from raw_google_ads.keyword_conversions_daily "
        "where conversion_action_category = 'SUBMIT_LEAD_FORM' or conversions > 0",
    )
    assert keyword_conv_rows > 0
    expected: dict[str, int] = defaultdict(int)
    for account in accounts:
        expected["customers"] += 1
        expected["campaigns"] += len(world.campaigns("google_ads", account.account_id))
        expected["ad_groups"] += len(world.ad_groups("google_ads", account.account_id))
        expected["ads"] += len(world.ads("google_ads", account.account_id))
        expected["keywords"] += len(world.keywords("google_ads", account.account_id))
    for table, count in expected.items():
        assert query(warehouse, f"select count(*) from raw_google_ads.{table}")[0][0] == count
        assert result.rows[table] == count
    customers = query(
        warehouse, "select customer_id, currency_code, time_zone from raw_google_ads.customers"
    )
    assert set(customers) == {(a.account_id, a.currency, a.timezone_name) for a in accounts}
    final_urls = dict(query(warehouse, "select ad_id, final_url from raw_google_ads.ads"))
    assert final_urls == {
        a.ad_id: a.landing_url
        for account in accounts
        for a in world.ads("google_ads", account.account_id)
    }
    assert None in final_urls.values(), "an ad without a landing page lands a null final_url"
    keywords = query(
        warehouse, "select criterion_id, keyword_text, match_type from raw_google_ads.keywords"
    )
    assert set(keywords) == {
        (k.keyword_id, k.text, k.match_type)
        for a in accounts
        for k in world.keywords("google_ads", a.account_id)
    }
    for table in DAILY:
        ((missing,),) = query(
            warehouse, f"select count(*) from raw_google_ads.{table} where customer_id is null"
        )
        assert missing == 0


def test_follows_search_paging(
    world: World, google: GoogleAdsFake, google_options: dict[str, Any], warehouse: Path
) -> None:
    google.search_page_size = 3
    google.stream_batch_size = 50
    since = world.as_of - timedelta(days=3)
    run_source("google_ads", **{**google_options, "start_date": since.isoformat()})
    ads = sum(len(world.ads("google_ads", a.account_id)) for a in world.accounts("google_ads"))
    assert query(warehouse, "select count(distinct ad_id) from raw_google_ads.ads")[0][0] == ads
    assert loaded_ads(warehouse) == normalized(served_ads(world, since))
    paged = [r for r in google.requests if r[1].endswith(":search") and "pageToken" in r[2]]
    assert len(paged) >= ads // 3 - len(world.accounts("google_ads"))


@pytest.mark.parametrize(
    "inject",
    [
        lambda f: f.rate_limit_next(2),
        lambda f: f.throttle_next(2, retry_after=0),
        lambda f: f.fail_next(3, status=503),
        lambda f: f.fail_next(1, status=500),
        lambda f: f.truncate_next(2, only_path_contains="searchStream"),
        lambda f: f.fail_next(1, status=500, only_path_contains="token"),
    ],
    ids=["quota429", "429", "503x3", "500", "truncated", "token500"],
)
def test_recovers_from_transient_faults(
    inject: Any, world: World, faults: Faults, google_options: dict[str, Any], warehouse: Path
) -> None:
    since = world.as_of - timedelta(days=4)
    inject(faults)
    run_source("google_ads", **{**google_options, "start_date": since.isoformat()})
    assert faults.fired, "the fault fired"
    assert loaded_ads(warehouse) == normalized(served_ads(world, since))


def test_persistent_quota_error_fails_clearly(
    faults: Faults, google_options: dict[str, Any], warehouse: Path
) -> None:
    faults.rate_limit_next(50, only_path_contains="googleAds")
    with pytest.raises(
        IngestError,
        match=r"google_ads: still over quota.*RESOURCE_EXHAUSTED.*"
        r"wait 1s.*What to do",
    ):
        run_source("google_ads", **{**google_options, "max_attempts": 3})


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("refresh_token", "1//not-the-token", "invalid_grant"),
        ("client_secret", "not-the-secret", "invalid_client"),
        ("developer_token", "not-the-dev-token", "DEVELOPER_TOKEN_INVALID"),
    ],
)
def test_wrong_credentials_fail_clearly_and_load_nothing(
    option: str, value: str, expected: str, google_options: dict[str, Any], warehouse: Path
) -> None:
    with pytest.raises(IngestError) as err:
        run_source("google_ads", **{**google_options, option: value})
    message = str(err.value)
    assert "google_ads" in message and expected in message and "What to do" in message
    assert value not in message
    assert not warehouse.exists() or not query(
        warehouse,
        "select * from information_schema.tables where table_schema = 'raw_google_ads'",
    )


def test_missing_manager_id_names_login_customer_id(
    google_options: dict[str, Any], warehouse: Path
) -> None:
    options = {k: v for k, v in google_options.items() if k != "login_customer_id"}
    with pytest.raises(IngestError, match=r"USER_PERMISSION_DENIED.*login_customer_id"):
        run_source("google_ads", **options)


def test_unknown_customer_is_named(google_options: dict[str, Any], warehouse: Path) -> None:
    with pytest.raises(
        IngestError, match=r"no access to the customer.*record: customer 1234567890"
    ):
        run_source("google_ads", **{**google_options, "account_ids": ["123-456-7890"]})


class ExpiringFake(GoogleAdsFake):
    """Expires every token once, at the third searchStream call (mid-run)."""

    streams = 0

    def handle(self, request: Request) -> Reply:
        if request.path.endswith(":searchStream"):
            self.streams += 1
            if self.streams == 3:
                self.faults.expire_token()
        return super().handle(request)


def test_token_expiring_mid_run_is_refreshed(world: World, faults: Faults, warehouse: Path) -> None:
    with ExpiringFake(world, faults) as fake:
        since = world.as_of - timedelta(days=4)
        options = {**fake.source_options(), "start_date": since.isoformat(), "backoff_factor": 0.01}
        run_source("google_ads", **options)
    assert fake.tokens_issued == 2, "one refresh at start, one after the 401"
    assert loaded_ads(warehouse) == normalized(served_ads(world, since))


class RejectingFake(GoogleAdsFake):
    """Issues tokens that the API never accepts."""

    def handle(self, request: Request) -> Reply:
        if request.path.endswith(":search") or request.path.endswith(":searchStream"):
            self.faults.expire_token()
            self.faults.restore_token()
            self._expired.update(self._tokens)
        return super().handle(request)


def test_token_rejected_after_refresh_fails_clearly(
    world: World, faults: Faults, warehouse: Path
) -> None:
    with (
        RejectingFake(world, faults) as fake,
        pytest.raises(IngestError, match=r"rejected even after a refresh.*OAUTH_TOKEN_EXPIRED"),
    ):
        run_source("google_ads", **{**fake.source_options(), "backoff_factor": 0.01})
    assert fake.tokens_issued == 2, "exactly one refresh after the first 401"


@pytest.mark.any_instant
def test_rerun_after_restatement_replaces_restated_days(
    world: World, google_options: dict[str, Any], warehouse: Path
) -> None:
    run_source("google_ads", **google_options)
    first = loaded_conversions(warehouse)
    first_ads = loaded_ads(warehouse)
    world.advance(days=3)
    incremental = {k: v for k, v in google_options.items() if k != "start_date"}
    run_source("google_ads", **incremental)
    second = loaded_conversions(warehouse)
    assert second == served_conversions(world)
    assert loaded_ads(warehouse) == normalized(served_ads(world))
    assert loaded_keywords(warehouse) == norm_keywords(served_keywords(world))
    restated = [k for k in first if k in second and first[k] != second[k]]
    assert restated, "the world restated conversions; the re-run should have picked them up"
    assert len(loaded_ads(warehouse)) > len(first_ads), "the new days were added"
    run_source("google_ads", **incremental)
    assert loaded_conversions(warehouse) == second, "a re-run with nothing new changes nothing"


def test_no_data_in_range_still_creates_every_table(
    world: World, google_options: dict[str, Any], warehouse: Path
) -> None:
    before = world.first_day - timedelta(days=20)
    run_source(
        "google_ads",
        **{
            **google_options,
            "start_date": before.isoformat(),
            "end_date": (before + timedelta(days=2)).isoformat(),
        },
    )
    for table in DAILY:
        assert query(warehouse, f"select count(*) from raw_google_ads.{table}")[0][0] == 0


def test_discovers_clients_of_the_manager(
    world: World, google_options: dict[str, Any], warehouse: Path
) -> None:
    since = world.as_of - timedelta(days=2)
    run_source(
        "google_ads", **{**google_options, "account_ids": None, "start_date": since.isoformat()}
    )
    loaded = {r[0] for r in query(warehouse, "select customer_id from raw_google_ads.customers")}
    assert loaded == {a.account_id for a in world.accounts("google_ads")}
    assert loaded_ads(warehouse) == normalized(served_ads(world, since))


def world_totals(world: World) -> dict[str, tuple[Any, ...]]:
    """Per customer: impressions, clicks, cost, counted conversions, all conversions."""
    totals: dict[str, tuple[Any, ...]] = {}
    for account in world.accounts("google_ads"):
        first, last = days(world, account)
        stats = list(world.daily_stats("google_ads", account.account_id, first, last))
        totals[account.account_id] = (
            sum(s.impressions for s in stats),
            sum(s.clicks for s in stats),
            sum((s.spend for s in stats), Decimal(0)),
            float(sum(v for s in stats for k, v in s.actions.items() if k in COUNTED)),
            float(sum(v for s in stats for v in s.actions.values())),
        )
    return totals


@pytest.mark.parametrize("explicit_presence", [False, True], ids=["zeros-left-out", "zeros-sent"])
def test_omitted_metrics_load_as_zeros_and_add_up_to_the_world(
    explicit_presence: bool,
    google: GoogleAdsFake,
    google_options: dict[str, Any],
    world: World,
    warehouse: Path,
) -> None:
    google.explicit_presence = explicit_presence
    run_source("google_ads", **google_options)
    for table in ("ad_performance_daily", "keyword_performance_daily"):
        ((zero_click, nulls),) = query(
            warehouse,
            "select count(*) filter (where impressions > 0 and clicks = 0 and cost_micros = 0 "
            "and cost = 0 and conversions = 0 and conversions_value = 0), "
            "count(*) filter (where clicks is null or cost is null or conversions is null "
            f"or all_conversions_value is null) from raw_google_ads.{table}",
        )
        assert zero_click > 10 and nulls == 0, table
    ((secondary,),) = query(
        warehouse,
        "select count(*) from raw_google_ads.ad_conversions_daily "
        "where conversion_action_category = 'ADD_TO_CART' and conversions = 0 "
        "and conversions_value = 0 and all_conversions > 0",
    )
    assert secondary > 0, "secondary actions: conversions left out, loaded as 0"
    loaded = query(
        warehouse,
        "select customer_id, sum(impressions), sum(clicks), sum(cost), sum(conversions), "
        "sum(all_conversions) from raw_google_ads.ad_performance_daily group by 1",
    )
    assert {c: (i, k, s.normalize(), n, a) for c, i, k, s, n, a in loaded} == {
        c: (i, k, s.normalize(), n, a) for c, (i, k, s, n, a) in world_totals(world).items()
    }
    ((keyword_clicks, keyword_cost),) = query(
        warehouse,
        "select sum(clicks), sum(cost) from raw_google_ads.keyword_performance_daily",
    )
    served = served_keywords(world)
    assert keyword_clicks == sum(v[1] for v in served.values())
    assert keyword_cost == sum(v[2] for v in served.values())
    ((negative, managers),) = query(
        warehouse,
        "select (select count(*) from raw_google_ads.keywords where negative), "
        "(select count(*) from raw_google_ads.customers where manager or manager is null)",
    )
    assert (negative, managers) == (0, 0), "false left out, loaded as false"


class DatelessFake(GoogleAdsFake):
    """Leaves ``segments.date`` out of one keyword row (what a malformed answer would do)."""

    def run_query(self, customer_id: str, query: Query) -> tuple[list[dict[str, Any]], str]:
        rows, field_mask = super().run_query(customer_id, query)
        if query.resource == "keyword_view" and rows and "segments.date" in query.fields:
            segments = rows[len(rows) // 2]["segments"]
            del segments["date"]
        return rows, field_mask


def test_a_row_without_its_date_fails_naming_the_record_and_loads_nothing(
    world: World, faults: Faults, warehouse: Path
) -> None:
    with DatelessFake(world, faults) as fake, pytest.raises(IngestError) as err:
        run_source("google_ads", **{**fake.source_options(), "backoff_factor": 0.01})
    message = str(err.value)
    assert "\n" not in message
    assert "google_ads: keyword_performance_daily: a row has no 'segments.date'" in message
    customers = {a.account_id for a in world.accounts("google_ads")}
    assert any(
        f"record: customer {c}, keyword_performance_daily FROM keyword_view: " in message
        for c in customers
    )
    assert "segments_date=?" in message and "criterion_id=" in message
    assert "What to do:" in message and "nothing was loaded" in message
    assert not warehouse.exists() or not query(
        warehouse,
        "select * from information_schema.tables where table_schema = 'raw_google_ads'",
    )


def test_day_restated_to_nothing_is_emptied(
    world: World, google_options: dict[str, Any], warehouse: Path
) -> None:
    from ingestion.sources.google_ads import tables
    from tests.sources.restated import check_day_restated_to_nothing

    columns = {t.name: "segments_date" for t in tables.DAILY_TABLES}
    check_day_restated_to_nothing("google_ads", world, google_options, warehouse, columns)


def test_conflicting_duplicate_and_future_date_stop_the_run(
    faults: Faults, google_options: dict[str, Any], warehouse: Path
) -> None:
    faults.conflict_next(1)
    with pytest.raises(IngestError) as err:
        run_source("google_ads", **google_options)
    message = str(err.value)
    found = re.search(
        r"google_ads: \w+: two rows share the key and differ \(cost_micros (\d+) vs (\d+);", message
    )
    assert found and int(found.group(1)) == 10 * int(found.group(2)), message
    faults.redate_next(1, date(2028, 1, 3))
    with pytest.raises(IngestError, match=r"field 'segments_date' is 2028-01-03, after tomorrow"):
        run_source("google_ads", **google_options)
