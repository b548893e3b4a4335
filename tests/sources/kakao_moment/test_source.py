"""The Kakao Moment source against the sandbox fake: completeness, pacing, settlement, errors."""

from __future__ import annotations

import itertools
import re
import threading
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from argo.pipeline import IngestError, run_source
from ingestion.sandbox import Faults, World
from ingestion.sandbox.kakao_moment_api import CONVERSION_STEMS, KakaoMomentFake
from ingestion.sources.kakao_moment import tables
from ingestion.sources.kakao_moment.client import ReportPacer
from tests.conftest import query
from tests.sources.concurrency import InFlight, header
from tests.sources.kakao_moment.conftest import INTERVAL

pytestmark = pytest.mark.pipeline

Report = tuple[int, int, Decimal, int]


def served_reports(world: World, since: date | None = None) -> dict[tuple[str, str, str], Report]:
    """(account, creative, day) -> (imp, click, cost, reach) as the world serves them now."""
    served = {}
    for account in world.accounts("kakao_moment"):
        for s in world.daily_stats(
            "kakao_moment", account.account_id, since or world.first_day, world.as_of
        ):
            if s.impressions > 0:
                key = (account.account_id, s.ad.ad_id, s.date.isoformat())
                served[key] = (s.impressions, s.clicks, s.spend, s.reach)
    return served


def served_conversions(
    world: World, since: date | None = None
) -> dict[tuple[str, str, str, str], tuple[int, Decimal | None]]:
    """7-day conversion rows, named as Kakao names them, as the world serves them now."""
    served = {}
    for account in world.accounts("kakao_moment"):
        for s in world.daily_stats(
            "kakao_moment", account.account_id, since or world.first_day, world.as_of
        ):
            if s.impressions == 0:
                continue
            for kind, count in s.actions.items():
                key = (account.account_id, s.ad.ad_id, s.date.isoformat())
                name = f"conv_{CONVERSION_STEMS[kind]}_7d"
                served[(*key, name)] = (count, s.action_values.get(kind))
    return served


def loaded_reports(path: Path, since: date | None = None) -> dict[tuple[str, str, str], Report]:
    rows = query(
        path,
        "select ad_account_id, creative_id, cast(report_date as varchar), imp, click, cost, "
        "reach from raw_kakao_moment.creative_report where report_date >= ?",
        [since or date(2000, 1, 1)],
    )
    loaded: dict[tuple[str, str, str], Report] = {}
    for account_id, creative_id, day, imp, click, cost, reach in rows:
        key = (account_id, creative_id, day)
        assert key not in loaded, f"duplicate grain row {key}"
        loaded[key] = (imp, click, Decimal(cost), reach)
    return loaded


def loaded_conversions(
    path: Path, window: str = "7d", since: date | None = None
) -> dict[tuple[str, str, str, str], tuple[int, Decimal | None]]:
    rows = query(
        path,
        "select ad_account_id, creative_id, cast(report_date as varchar), conversion_type, "
        "conversions, conversion_value from raw_kakao_moment.creative_report_conversions "
        "where ends_with(conversion_type, ?) and report_date >= ?",
        [f"_{window}", since or date(2000, 1, 1)],
    )
    loaded: dict[tuple[str, str, str, str], tuple[int, Decimal | None]] = {}
    for account_id, creative_id, day, kind, count, value in rows:
        key = (account_id, creative_id, day, kind)
        assert key not in loaded, f"duplicate grain row {key}"
        loaded[key] = (count, None if value is None else Decimal(value))
    return loaded


def incremental(options: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in options.items() if k != "start_date"}


def test_loads_exactly_what_the_world_serves(
    world: World, kakao_options: dict[str, Any], warehouse: Path
) -> None:
    result = run_source("kakao_moment", **kakao_options)
    assert loaded_reports(warehouse) == served_reports(world)
    assert loaded_conversions(warehouse) == served_conversions(world)
    one_day = loaded_conversions(warehouse, "1d")
    seven_day = loaded_conversions(warehouse)
    assert one_day and all(
        count <= seven_day[(*key[:3], key[3].replace("_1d", "_7d"))][0]
        for key, (count, _) in one_day.items()
    )
    expected: dict[str, int] = defaultdict(int)
    for account in world.accounts("kakao_moment"):
        expected["ad_accounts"] += 1
        expected["campaigns"] += len(world.campaigns("kakao_moment", account.account_id))
        expected["ad_groups"] += len(world.ad_groups("kakao_moment", account.account_id))
        expected["creatives"] += len(world.ads("kakao_moment", account.account_id))
    for table, count in expected.items():
        total, distinct = query(
            warehouse, f"select count(*), count(distinct id) from raw_kakao_moment.{table}"
        )[0]
        assert total == distinct == count, table
    assert len(world.accounts("kakao_moment")) > 1, "several ad accounts in one run"
    landings = dict(query(warehouse, "select id, landing_url from raw_kakao_moment.creatives"))
    assert landings == {
        a.ad_id: a.landing_url
        for account in world.accounts("kakao_moment")
        for a in world.ads("kakao_moment", account.account_id)
    }
    assert None in landings.values(), "a creative without a URL landing lands a null"
    assert result.rows["creative_report"] == len(served_reports(world))
    accounts = query(warehouse, "select currency, timezone_name from raw_kakao_moment.ad_accounts")
    assert set(accounts) == {("KRW", "Asia/Seoul")}
    orphans = query(
        warehouse,
        "select count(*) from raw_kakao_moment.creative_report r left join "
        "raw_kakao_moment.creatives c on c.id = r.creative_id and c.ad_group_id = r.ad_group_id "
        "and c.campaign_id = r.campaign_id where c.id is null",
    )
    assert orphans == [(0,)]
    campaign = world.campaigns("kakao_moment", world.accounts("kakao_moment")[0].account_id)[0]
    loaded = query(
        warehouse,
        "select campaign_type, config, daily_budget_amount from raw_kakao_moment.campaigns "
        "where id = ?",
        [campaign.campaign_id],
    )
    budget = campaign.daily_budget_minor
    assert loaded == [
        (
            campaign.objective,
            "ON" if campaign.status == "ACTIVE" else "OFF",
            None if budget is None else Decimal(budget),
        )
    ]


def test_multi_window_run_is_paced_per_account_without_429(
    world: World,
    kakao: KakaoMomentFake,
    kakao_options: dict[str, Any],
    warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On the frozen clock: the fake counts the interval on the clock the pacer sleeps on.

    How much the pacer sleeps (only the rest of the interval, never a fixed sleep) is
    asserted exactly in test_window.py; here, the whole run against the fake.
    """
    interval = 0.2
    kakao.report_interval = interval
    accounts = {a.account_id for a in world.accounts("kakao_moment")}
    # Accounts are read in parallel: each account's first report call waits at this
    # barrier until every account has made one (a serial run would break it).
    barrier = threading.Barrier(len(accounts), timeout=60)
    first_calls: set[str] = set()
    guard = threading.Lock()
    report_rows = kakao.report_rows

    def gated(account_id: str, *args: Any) -> Any:
        with guard:
            first = account_id not in first_calls
            first_calls.add(account_id)
        if first:
            barrier.wait()
        return report_rows(account_id, *args)

    monkeypatch.setattr(kakao, "report_rows", gated)
    made: list[int] = []
    report_tables = tables.report_tables

    def counted(account_id: str, data: Any, *args: Any) -> Any:
        made.append(len(data))
        return report_tables(account_id, data, *args)

    monkeypatch.setattr(tables, "report_tables", counted)
    run_source(
        "kakao_moment",
        **{**kakao_options, "report_interval_seconds": interval, "report_window_days": 7},
    )
    assert not barrier.broken, "every account had a report call in flight at the same time"
    assert loaded_reports(warehouse) == served_reports(world)
    assert kakao.rate_limited == 0, "the pacer must never let a report call come too soon"
    pacer = ReportPacer.latest
    assert pacer is not None and set(pacer.stats) == accounts
    for account_id, stats in pacer.stats.items():
        assert stats.calls >= 6, "several windows per account"
        assert len(stats.gaps) == stats.calls - 1
        assert min(stats.gaps) >= interval - 1e-6, account_id
        assert stats.slept <= (stats.calls - 1) * interval + 1e-6, account_id
        served = [t for a, t in kakao.report_calls if a == account_id]
        assert all(b - a >= interval - 1e-6 for a, b in itertools.pairwise(served)), account_id
    # The accounts share one frozen clock, which only a sleep moves: an account may find its
    # interval already spent by the others' sleeps and not sleep at all, so not every
    # account's pacer sleeps; the gaps above were made by the pacers' sleeps all the same.
    assert sum(stats.slept for stats in pacer.stats.values()) > 0
    # several calls' rows are made into tables at once (one call per account at the end)
    calls = sum(stats.calls for stats in pacer.stats.values())
    assert len(accounts) <= len(made) < calls / 2


@pytest.mark.any_instant
def test_settled_yesterday_replaces_the_unsettled_numbers(
    world: World, kakao_options: dict[str, Any], warehouse: Path
) -> None:
    run_source("kakao_moment", **kakao_options)
    yesterday = world.as_of - timedelta(days=1)
    before = loaded_reports(warehouse, yesterday)
    assert before and before == served_reports(world, yesterday)
    world.advance(1)  # yesterday settles; a new day appears
    run_source("kakao_moment", **incremental(kakao_options))  # default lookback
    after = loaded_reports(warehouse, yesterday)
    settled = {k: v for k, v in after.items() if k[2] == yesterday.isoformat()}
    assert set(settled) == set(before)
    assert all(settled[k][0] > before[k][0] for k in before), "settled impressions are higher"
    assert all(settled[k][2] > before[k][2] for k in before), "settled cost is higher"
    assert loaded_reports(warehouse) == served_reports(world)  # everything, no duplicates
    lookback_start = world.as_of - timedelta(days=7)
    assert loaded_conversions(warehouse, since=lookback_start) == served_conversions(
        world, lookback_start
    )


def test_rerun_after_restatement_replaces_restated_days(
    world: World, kakao_options: dict[str, Any], warehouse: Path
) -> None:
    run_source("kakao_moment", **kakao_options)
    first = loaded_conversions(warehouse)
    world.advance(days=3)
    options = {**incremental(kakao_options), "lookback_days": 60}
    run_source("kakao_moment", **options)
    second = loaded_conversions(warehouse)
    assert second == served_conversions(world)
    assert loaded_reports(warehouse) == served_reports(world)
    assert [k for k in first if k in second and first[k] != second[k]], "nothing restated"
    run_source("kakao_moment", **options)
    assert loaded_conversions(warehouse) == second, "a re-run with nothing new changes nothing"


class ExpiringFake(KakaoMomentFake):
    """Expires every token right after the first report call it answers."""

    expired_once = False

    def report_rows(self, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        rows = super().report_rows(*args, **kwargs)
        if not self.expired_once:
            self.expired_once = True
            self.faults.expire_token()
        return rows


@pytest.fixture
def expiring(world: World, faults: Faults) -> Any:
    with ExpiringFake(world, faults, report_interval=INTERVAL) as fake:
        yield fake


def test_token_expiring_mid_run_is_refreshed_once(
    world: World, expiring: ExpiringFake, warehouse: Path
) -> None:
    options = {**expiring.source_options(), "backoff_factor": 0.01, "report_window_days": 7}
    run_source("kakao_moment", **options)
    assert expiring.faults.token_expired and expiring.refreshes == 1
    assert loaded_reports(warehouse) == served_reports(world)


def test_token_expiring_mid_run_without_refresh_fails_clearly(
    expiring: ExpiringFake, warehouse: Path
) -> None:
    options = {**expiring.source_options(), "backoff_factor": 0.01, "report_window_days": 7}
    with pytest.raises(IngestError) as err:
        run_source("kakao_moment", **{**options, "refresh_token": ""})
    message = str(err.value)
    assert "kakao_moment" in message and "expired" in message and "code -401" in message
    assert "refresh_token" in message and "What to do" in message
    assert expiring.access_token not in message
    assert not query(
        warehouse,
        "select * from information_schema.tables where table_schema = 'raw_kakao_moment' "
        "and table_name = 'creative_report'",
    )


def test_failed_refresh_fails_clearly_without_secrets(
    kakao: KakaoMomentFake, faults: Faults, kakao_options: dict[str, Any], warehouse: Path
) -> None:
    faults.expire_token()
    with pytest.raises(IngestError) as err:
        run_source("kakao_moment", **{**kakao_options, "refresh_token": "stale-refresh-token"})
    message = str(err.value)
    assert "refreshing it failed" in message and "KOE322" in message
    assert "stale-refresh-token" not in message and kakao.client_secret not in message


def test_wrong_token_fails_clearly_and_loads_nothing(
    kakao_options: dict[str, Any], warehouse: Path
) -> None:
    with pytest.raises(IngestError) as err:
        run_source(
            "kakao_moment",
            **{**kakao_options, "access_token": "not-a-token", "refresh_token": ""},
        )
    message = str(err.value)
    assert "kakao_moment" in message and "code -401" in message and "What to do" in message
    assert "not-a-token" not in message
    assert not warehouse.exists() or not query(
        warehouse,
        "select * from information_schema.tables where table_schema = 'raw_kakao_moment'",
    )


@pytest.mark.parametrize(
    "inject",
    [
        lambda f: f.throttle_next(2, retry_after=0, only_path_contains="report"),
        lambda f: f.rate_limit_next(2, code=-10),
        lambda f: f.rate_limit_next(2, code=-813, only_path_contains="report"),
        lambda f: f.fail_next(3, status=503),
        lambda f: f.fail_next(1, status=500, only_path_contains="report"),
        lambda f: f.truncate_next(2, only_path_contains="report"),
    ],
    ids=["429-retry-after", "quota-10", "429-813", "503x3", "500", "truncated"],
)
def test_recovers_from_transient_faults(
    inject: Any, world: World, faults: Faults, kakao_options: dict[str, Any], warehouse: Path
) -> None:
    inject(faults)
    run_source("kakao_moment", **kakao_options)
    assert faults.fired
    assert loaded_reports(warehouse) == served_reports(world)


def test_persistent_rate_limit_fails_with_a_clear_error(
    faults: Faults, kakao_options: dict[str, Any], warehouse: Path
) -> None:
    faults.rate_limit_next(50, code=-813, only_path_contains="report")
    with pytest.raises(IngestError, match=r"kakao_moment: still rate-limited.*What to do"):
        run_source("kakao_moment", **{**kakao_options, "max_attempts": 3})


def test_discovers_accounts_through_paged_listing(
    world: World, kakao: KakaoMomentFake, kakao_options: dict[str, Any], warehouse: Path
) -> None:
    run_source("kakao_moment", **{**kakao_options, "account_ids": None, "page_size": 2})
    loaded = {r[0] for r in query(warehouse, "select id from raw_kakao_moment.ad_accounts")}
    assert loaded == {a.account_id for a in world.accounts("kakao_moment")}
    pages = [r for r in kakao.requests if r[1].endswith("/adAccounts/pages")]
    assert len(pages) >= 2


def test_unknown_account_is_named(kakao_options: dict[str, Any], warehouse: Path) -> None:
    with pytest.raises(IngestError, match=r"adAccountId=1\b.*ad account id"):
        run_source("kakao_moment", **{**kakao_options, "account_ids": ["1"]})


def test_range_without_delivery_creates_empty_tables(
    world: World, kakao_options: dict[str, Any], warehouse: Path
) -> None:
    before = world.first_day - timedelta(days=40)
    run_source(
        "kakao_moment",
        **{
            **kakao_options,
            "start_date": before.isoformat(),
            "end_date": (world.first_day - timedelta(days=1)).isoformat(),
        },
    )
    for table in ("creative_report", "creative_report_conversions"):
        assert query(warehouse, f"select count(*) from raw_kakao_moment.{table}") == [(0,)]


def test_day_restated_to_nothing_is_emptied(
    world: World, kakao_options: dict[str, Any], warehouse: Path
) -> None:
    from ingestion.sources.kakao_moment import tables
    from tests.sources.restated import check_day_restated_to_nothing

    columns = {t.name: "report_date" for t in (tables.REPORT, tables.CONVERSIONS)}
    check_day_restated_to_nothing("kakao_moment", world, kakao_options, warehouse, columns)


def test_conflicting_duplicate_stops_the_run(
    faults: Faults, kakao_options: dict[str, Any], warehouse: Path
) -> None:
    faults.conflict_next(1)
    with pytest.raises(IngestError) as err:
        run_source("kakao_moment", **kakao_options)
    found = re.search(
        r"kakao_moment: creative_report: two rows share the key and differ \((.*)\)",
        str(err.value),
    )
    assert found and re.fullmatch(r"cost (\d+)\.\d+ vs (\d+)\.\d+", found.group(1)), str(err.value)
    assert not warehouse.exists() or not query(
        warehouse, "select * from information_schema.tables where table_schema = 'raw_kakao_moment'"
    )


def test_future_dated_row_stops_the_run(
    faults: Faults, kakao_options: dict[str, Any], warehouse: Path
) -> None:
    # A test of its own: accounts are read in parallel, and a worker of a failed run may
    # still make one request after the failure (consuming a fault queued for a next run).
    faults.redate_next(1, date(2028, 1, 3))
    with pytest.raises(IngestError, match=r"field 'report_date' is 2028-01-03, after tomorrow"):
        run_source("kakao_moment", **kakao_options)


@pytest.mark.parametrize("setting", [1, 2])
def test_max_parallel_accounts_as_a_user_sets_it(
    setting: int,
    world: World,
    kakao: KakaoMomentFake,
    kakao_options: dict[str, Any],
    warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Structure and reports alike: never more accounts at once than the setting."""
    accounts = len(world.accounts("kakao_moment"))
    assert accounts > setting
    monkeypatch.setenv("SOURCES__KAKAO_MOMENT__MAX_PARALLEL_ACCOUNTS", str(setting))
    watch = InFlight(kakao, header("adaccountid"), monkeypatch, rendezvous=setting)
    run_source("kakao_moment", **kakao_options)
    assert watch.met and watch.peak == setting
    assert loaded_reports(warehouse) == served_reports(world)
