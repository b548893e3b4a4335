"""The Meta Ads source against the sandbox fake: completeness, paging, retries, errors, merges."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from argo.pipeline import IngestError, run_source
from ingestion.sandbox import Faults, MetaAdsFake, World
from tests.conftest import query

pytestmark = pytest.mark.pipeline


def served_insights(world: World) -> dict[tuple[str, str, str], tuple[int, int, Decimal]]:
    """(account, ad, day) -> (impressions, clicks, spend) as the world serves them now."""
    served = {}
    for account in world.accounts("meta_ads"):
        for day in world.daily_stats("meta_ads", account.account_id, world.first_day, world.as_of):
            if day.impressions > 0:
                served[(account.account_id, day.ad.ad_id, day.date.isoformat())] = (
                    day.impressions,
                    day.clicks,
                    day.spend,
                )
    return served


def served_actions(world: World) -> dict[tuple[str, str, str, str], float]:
    served = {}
    for account in world.accounts("meta_ads"):
        for day in world.daily_stats("meta_ads", account.account_id, world.first_day, world.as_of):
            if day.impressions > 0:
                for action_type, count in day.actions.items():
                    key = (account.account_id, day.ad.ad_id, day.date.isoformat(), action_type)
                    served[key] = float(count)
    return served


def loaded_insights(path: Path) -> dict[tuple[str, str, str], tuple[int, int, Decimal]]:
    rows = query(
        path,
        "select account_id, ad_id, cast(date_start as varchar), impressions, clicks, spend "
        "from raw_meta_ads.ads_insights",
    )
    loaded: dict[tuple[str, str, str], tuple[int, int, Decimal]] = {}
    for account_id, ad_id, day, impressions, clicks, spend in rows:
        key = (account_id, ad_id, day)
        assert key not in loaded, f"duplicate grain row {key}"
        loaded[key] = (impressions, clicks, Decimal(spend))
    return loaded


def loaded_actions(path: Path) -> dict[tuple[str, str, str, str], float]:
    rows = query(
        path,
        "select account_id, ad_id, cast(date_start as varchar), action_type, action_count "
        "from raw_meta_ads.ads_insights_actions",
    )
    loaded: dict[tuple[str, str, str, str], float] = {}
    for account_id, ad_id, day, action_type, count in rows:
        key = (account_id, ad_id, day, action_type)
        assert key not in loaded, f"duplicate grain row {key}"
        loaded[key] = count
    return loaded


@pytest.mark.parametrize("mode", ["async", "sync"])
@pytest.mark.any_instant
def test_loads_exactly_what_the_fake_serves(
    mode: str, world: World, meta_options: dict[str, Any], warehouse: Path
) -> None:
    result = run_source("meta_ads", insights_mode=mode, **meta_options)
    assert loaded_insights(warehouse) == served_insights(world)
    assert loaded_actions(warehouse) == served_actions(world)
    entity_counts = {
        table: query(warehouse, f"select count(*), count(distinct id) from raw_meta_ads.{table}")[0]
        for table in ("ad_accounts", "campaigns", "ad_sets", "ads")
    }
    expected = defaultdict(int)
    for account in world.accounts("meta_ads"):
        expected["ad_accounts"] += 1
        expected["campaigns"] += len(world.campaigns("meta_ads", account.account_id))
        expected["ad_sets"] += len(world.ad_groups("meta_ads", account.account_id))
        expected["ads"] += len(world.ads("meta_ads", account.account_id))
    assert {t: c[0] for t, c in entity_counts.items()} == dict(expected)
    assert all(total == distinct for total, distinct in entity_counts.values())
    assert result.rows["ads_insights"] == len(served_insights(world))
    currencies = {r[0] for r in query(warehouse, "select currency from raw_meta_ads.ad_accounts")}
    assert currencies == {a.currency for a in world.accounts("meta_ads")}
    links = dict(query(warehouse, "select id, creative_link from raw_meta_ads.ads"))
    ads = [a for acc in world.accounts("meta_ads") for a in world.ads("meta_ads", acc.account_id)]
    assert links == {a.ad_id: a.landing_url for a in ads}
    assert None in links.values(), "an ad without a landing page lands a null creative_link"
    assert {a.has_video for a in ads if a.landing_url}, "link and video creatives both land"


def test_follows_cursor_paging(
    world: World, meta: MetaAdsFake, meta_options: dict[str, Any], warehouse: Path
) -> None:
    run_source("meta_ads", page_size=7, insights_mode="sync", **meta_options)
    assert loaded_insights(warehouse) == served_insights(world)
    campaign_pages = [r for r in meta.requests if r[1].endswith("/campaigns")]
    total_campaigns = sum(
        len(world.campaigns("meta_ads", a.account_id)) for a in world.accounts("meta_ads")
    )
    assert len(campaign_pages) >= total_campaigns // 7
    assert any("after" in r[2] for r in meta.requests)


@pytest.mark.parametrize(
    "inject",
    [
        lambda f: f.rate_limit_next(2, code=17),
        lambda f: f.rate_limit_next(2, code=80004),
        lambda f: f.throttle_next(2, retry_after=0),
        lambda f: f.fail_next(3, status=503),
        lambda f: f.fail_next(1, status=500),
        lambda f: f.truncate_next(2),
    ],
    ids=["code17", "code80004", "429", "503x3", "500", "truncated"],
)
def test_recovers_from_transient_faults(
    inject: Any, world: World, faults: Faults, meta_options: dict[str, Any], warehouse: Path
) -> None:
    inject(faults)
    run_source("meta_ads", **meta_options)
    assert loaded_insights(warehouse) == served_insights(world)


def test_slow_answer_times_out_and_is_retried(
    world: World, faults: Faults, meta_options: dict[str, Any], warehouse: Path
) -> None:
    faults.slow_next(1, seconds=1.5, only_path_contains="insights")
    run_source("meta_ads", request_timeout=0.5, **meta_options)
    assert "slow" in faults.fired
    assert loaded_insights(warehouse) == served_insights(world)


def test_failed_async_report_is_retried_and_split(
    world: World, faults: Faults, meta_options: dict[str, Any], warehouse: Path
) -> None:
    faults.async_fail_next(3)
    run_source("meta_ads", insights_mode="async", **meta_options)
    assert loaded_insights(warehouse) == served_insights(world)


def test_persistent_rate_limit_fails_with_a_clear_error(
    faults: Faults, meta_options: dict[str, Any], warehouse: Path
) -> None:
    faults.rate_limit_next(50, code=17)
    with pytest.raises(IngestError, match=r"meta_ads: still rate-limited.*What to do"):
        run_source("meta_ads", max_attempts=3, **meta_options)


def test_wrong_token_fails_clearly_and_loads_nothing(
    meta_options: dict[str, Any], warehouse: Path
) -> None:
    with pytest.raises(IngestError) as err:
        run_source("meta_ads", **{**meta_options, "access_token": "not-a-token"})
    message = str(err.value)
    assert "meta_ads" in message and "code 190" in message and "What to do" in message
    assert "not-a-token" not in message
    assert not warehouse.exists() or not query(
        warehouse,
        "select * from information_schema.tables where table_schema = 'raw_meta_ads' "
        "and table_name = 'ads_insights'",
    )


def test_failed_run_leaves_earlier_load_and_state_untouched(
    world: World, faults: Faults, meta_options: dict[str, Any], warehouse: Path
) -> None:
    run_source("meta_ads", **meta_options)
    before = loaded_insights(warehouse)
    world.advance(days=2)
    faults.expire_token()
    with pytest.raises(IngestError, match="expired"):
        run_source("meta_ads", **{k: v for k, v in meta_options.items() if k != "start_date"})
    assert loaded_insights(warehouse) == before
    faults.restore_token()
    run_source("meta_ads", **{k: v for k, v in meta_options.items() if k != "start_date"})
    assert loaded_insights(warehouse) == served_insights(world)


def test_unknown_account_is_named(meta_options: dict[str, Any], warehouse: Path) -> None:
    with pytest.raises(IngestError, match=r"act_999999999.*ad account id"):
        run_source("meta_ads", **{**meta_options, "account_ids": ["999999999"]})


@pytest.mark.any_instant
def test_rerun_after_restatement_replaces_restated_days(
    world: World, meta_options: dict[str, Any], warehouse: Path
) -> None:
    run_source("meta_ads", **meta_options)
    first = loaded_actions(warehouse)
    world.advance(days=3)
    incremental = {k: v for k, v in meta_options.items() if k != "start_date"}
    run_source("meta_ads", **incremental)
    second = loaded_actions(warehouse)
    assert second == served_actions(world)
    assert loaded_insights(warehouse) == served_insights(world)
    restated = [k for k in first if k in second and first[k] != second[k]]
    assert restated, "the world restated conversions; the re-run should have picked them up"
    run_source("meta_ads", **incremental)
    assert loaded_actions(warehouse) == second, "a re-run with nothing new changes nothing"


def test_discovers_accounts_when_none_configured(
    world: World, meta_options: dict[str, Any], warehouse: Path
) -> None:
    run_source("meta_ads", **{**meta_options, "account_ids": None})
    loaded = {r[0] for r in query(warehouse, "select account_id from raw_meta_ads.ad_accounts")}
    assert loaded == {a.account_id for a in world.accounts("meta_ads")}
