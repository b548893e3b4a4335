"""End to end: every sandbox fake -> dlt -> dbt build, twice, reconciling marts with the world."""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from argo.aws import Aws, AwsConfig
from argo.pipeline import run_source
from argo.settings import PROJECT_DIR, WAREHOUSE_ENV
from argo.transform import MARTS_BUILD_SCHEMAS, dbt, marts_schema_for, published_marts_schema
from ingestion.registry import SOURCES
from ingestion.sandbox import AdDay, World, registry
from ingestion.sandbox.trackers import TRACKERS, Trackers
from tests.athena_sql import (
    check_dialect,
    dialect_problems,
    is_mart,
    is_published,
    load_manifest,
    models,
    publish_statements,
    replay_on_duckdb,
)
from tests.conftest import fast, query
from tests.marts_warehouse import INCREMENTAL_MARTS

pytestmark = pytest.mark.e2e

#: dbt platform name -> the world's platform name.
WORLD_PLATFORM = {
    "meta_ads": "meta_ads",
    "google_ads": "google_ads",
    "naver_searchad": "naver_searchad",
    "kakao_moment": "kakao_moment",
}
#: The world's generic conversion kinds (non-Meta platforms) -> ARGO's common names.
DBT_PLATFORM = {world: dbt for dbt, world in WORLD_PLATFORM.items()}
COMMON_NAME = {
    "purchase": "purchase",
    "add_to_cart": "add_to_cart",
    "sign_up": "sign_up",
    "lead": "lead",
    "install": "app_install",
}
SEARCH_PLATFORMS = ("google_ads", "naver_searchad")
#: Naver's report cost includes 10 % VAT from this report day (dbt_project.yml vars); the
#: world's Naver spend is that cost, and ARGO's spend is before VAT.
NAVER_VAT_INCLUDED_FROM = date(2026, 3, 30)
NAVER_VAT = Decimal("1.1")

Key = tuple[str, str, str, str]
Totals = dict[Key, tuple[Decimal, int, Decimal, Decimal]]


def counted() -> dict[str, set[str]]:
    """Platform -> what the project's seed counts: Meta action types, else common names."""
    result: dict[str, set[str]] = defaultdict(set)
    with (PROJECT_DIR / "seeds" / "ad_conversion_types.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["is_counted"] == "true":
                meta = row["platform"] == "meta_ads"
                result[row["platform"]].add(
                    row["conversion_type"] if meta else row["conversion_name"]
                )
    assert result["meta_ads"], "the seed must count some Meta action types"
    return result


def conversions_of(platform: str, counts: dict[str, Any], types: set[str]) -> Decimal:
    """Sum of the counted entries of an AdDay's actions (or action values)."""
    if platform == "meta_ads":
        return sum((Decimal(v) for k, v in counts.items() if k in types), Decimal(0))
    return sum((Decimal(v) for k, v in counts.items() if COMMON_NAME[k] in types), Decimal(0))


def served_days(world: World, platform: str) -> Iterator[AdDay]:
    name = WORLD_PLATFORM[platform]
    for account in world.accounts(name):
        for day in world.daily_stats(name, account.account_id, world.first_day, world.as_of):
            if day.impressions:
                yield day


def spend_before_vat(platform: str, day: date, amount: Decimal) -> Decimal:
    """ARGO's spend for an amount the platform reported for one ad-day (or keyword-day)."""
    if platform == "naver_searchad" and day >= NAVER_VAT_INCLUDED_FROM:
        return (amount / NAVER_VAT).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return amount


def served_totals(world: World, platforms: list[str]) -> Totals:
    """(platform, day, account, campaign) -> (spend, clicks, conversions, value) served."""
    types = counted()
    totals: dict[Key, list[Any]] = defaultdict(lambda: [Decimal(0), 0, Decimal(0), Decimal(0)])
    for platform in platforms:
        for day in served_days(world, platform):
            key = (platform, day.date.isoformat(), day.ad.account_id, day.ad.campaign_id)
            row = totals[key]
            row[0] += spend_before_vat(platform, day.date, day.spend)
            row[1] += day.clicks
            row[2] += conversions_of(platform, day.actions, types[platform])
            row[3] += conversions_of(platform, day.action_values, types[platform])
    return {k: (v[0], v[1], v[2], v[3]) for k, v in totals.items()}


def mart_totals(warehouse: Path) -> Totals:
    rows = query(
        warehouse,
        "select platform, cast(date_day as varchar), account_id, campaign_id, spend, clicks, "
        "conversions, conversions_value from marts.rpt_campaign_performance_daily",
    )
    totals: Totals = {}
    for platform, day, account_id, campaign_id, spend, clicks, conversions, value in rows:
        key = (platform, day, account_id, campaign_id)
        assert key not in totals, f"duplicate grain row in rpt_campaign_performance_daily: {key}"
        totals[key] = (
            Decimal(str(spend)).quantize(Decimal("0.0001")),
            int(clicks),
            Decimal(str(conversions)).quantize(Decimal("0.000001")),
            Decimal(str(value or 0)).quantize(Decimal("0.0001")),
        )
    return totals


def compare(what: str, served: dict[Any, Any], marts: dict[Any, Any]) -> None:
    missing = served.keys() - marts.keys()
    extra = marts.keys() - served.keys()
    assert not missing, f"{len(missing)} served {what} missing from the mart, e.g. {min(missing)}"
    assert not extra, f"{len(extra)} {what} in the mart never served, e.g. {min(extra)}"
    wrong = {k: (served[k], marts[k]) for k in served if served[k] != marts[k]}
    assert not wrong, f"{len(wrong)} {what} differ (served, mart), e.g. {sorted(wrong.items())[:3]}"


def assert_reconciled(world: World, warehouse: Path, platforms: list[str]) -> None:
    served = {
        k: (v[0], v[1], v[2].quantize(Decimal("0.000001")), v[3])
        for k, v in served_totals(world, platforms).items()
    }
    compare("campaign-days", served, mart_totals(warehouse))
    for platform in platforms:
        ad_days = sum(1 for _ in served_days(world, platform))
        ((fct_rows,),) = query(
            warehouse,
            "select count(*) from marts.fct_ad_performance_daily where platform = ?",
            [platform],
        )
        assert fct_rows == ad_days, f"{platform}: one fct row per served ad-day"
    for platform in set(platforms) & set(SEARCH_PLATFORMS):
        keyword_served: dict[tuple[date, str], tuple[Decimal, int, int]] = {}
        for day in served_days(world, platform):
            for part in world.keyword_stats(day):
                key = (day.date, part.keyword.keyword_id)
                spend, clicks, impressions = keyword_served.get(key, (Decimal(0), 0, 0))
                keyword_served[key] = (
                    spend + part.spend,
                    clicks + part.clicks,
                    impressions + part.impressions,
                )
        rows = query(
            warehouse,
            "select cast(date_day as varchar), keyword_id, spend, clicks, impressions "
            "from marts.rpt_keyword_performance_daily where platform = ? and impressions > 0",
            [platform],
        )
        in_mart = {
            (d, k): (Decimal(str(s)).quantize(Decimal("0.0001")), int(c), int(i))
            for d, k, s, c, i in rows
        }
        served_kw = {
            (d.isoformat(), k): (
                spend_before_vat(platform, d, v[0]).quantize(Decimal("0.0001")),
                v[1],
                v[2],
            )
            for (d, k), v in keyword_served.items()
            if v[2]
        }
        compare(f"{platform} keyword-days", served_kw, in_mart)


def assert_trackers_reconciled(world: World, warehouse: Path, sources: list[str]) -> None:
    """Tracker installs, events and revenue in the marts equal what the tracker fakes served."""
    trackers = [t for t in TRACKERS if t in sources]
    if not trackers:
        return
    view = Trackers(world)
    served: dict[tuple[str, str, str, str | None], list[Any]] = defaultdict(
        lambda: [0, 0, 0, Decimal(0)]
    )
    by_campaign: dict[tuple[str, str, str], int] = defaultdict(int)
    for tracker in trackers:
        for app in view.apps(tracker):
            for row in view.daily(app, world.first_day, world.as_of):
                key = (tracker, app.app_id, row.date.isoformat(), row.campaign_id)
                numbers = served[key]
                numbers[0] += row.installs
                for name, event in row.events.items():
                    numbers[1 if name == "purchase" else 2] += event.count
                    if name == "purchase":
                        numbers[3] += event.revenue
                if row.platform is not None and row.installs:
                    platform = DBT_PLATFORM[row.platform]
                    by_campaign[(platform, row.date.isoformat(), row.campaign_id or "")] += (
                        row.installs
                    )
    rows = query(
        warehouse,
        "select tracker, app_id, cast(date_day as varchar), campaign_id, sum(installs), "
        "sum(purchases), sum(sign_ups), sum(revenue) from marts.fct_tracker_performance_daily "
        "group by all",
    )
    # A campaign-day with clicks and cost but no install or event is in the mart with zeros
    # (the tracker served it); like the served side, only days with conversions compare.
    in_mart = {
        (t, a, d, c): (int(i), int(p), int(u), Decimal(str(r)).quantize(Decimal("0.01")))
        for t, a, d, c, i, p, u, r in rows
        if i or p or u
    }
    expected = {
        k: (v[0], v[1], v[2], v[3].quantize(Decimal("0.01")))
        for k, v in served.items()
        if any(v[:3])
    }
    compare("tracker app-day-campaigns", expected, in_mart)
    rows = query(
        warehouse,
        "select platform, cast(date_day as varchar), campaign_id, tracker_installs "
        "from marts.rpt_campaign_performance_daily where tracker_installs > 0",
    )
    compare(
        "tracker installs per campaign-day",
        dict(by_campaign),
        {(p, d, c): int(i) for p, d, c, i in rows},
    )


def start_fakes(world: World) -> tuple[list[Any], dict[str, dict[str, Any]]]:
    fakes = registry.start_fakes(world)
    return list(fakes.values()), {s: fast(s, f) for s, f in fakes.items()}


def marts_of(path: Path, schema: str = "marts") -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every mart, sorted (a mart's rows as a comparable multiset).

    ``marts`` is what readers see; ``marts__blue`` and ``marts__green`` are the schemas
    the marts are built into.
    """
    names = [
        r[0]
        for r in query(
            path,
            "select table_name from information_schema.tables where table_schema = ? order by 1",
            [schema],
        )
    ]
    return {n: sorted(query(path, f"select * from {schema}.{n}"), key=repr) for n in names}


def assert_incremental_equals_full_refresh(
    warehouse: Path, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The marts built incrementally equal the marts of a full refresh of the same data,
    even after a run that died half-way and left holes in the window (what Hive's
    insert_overwrite leaves between its delete and its insert): the next run repairs it.

    The holes are made in the schema the next run builds into (the one readers do not
    see); `dbt run` builds there and publishes nothing, so the schemas are compared."""
    schema = marts_schema_for("run")
    assert schema in MARTS_BUILD_SCHEMAS and schema != published_marts_schema()
    con = duckdb.connect(str(warehouse))
    try:
        newest = con.execute(f"select max(date_day) from {schema}.fct_ad_performance_daily")
        newest_day = newest.fetchone()
        assert newest_day is not None
        for mart in ("fct_ad_performance_daily", "rpt_campaign_performance_daily"):
            con.execute(
                f"delete from {schema}.{mart} where date_day > ? - interval 3 day "
                "or date_day between ? - interval 12 day and ? - interval 10 day",
                [newest_day[0], newest_day[0], newest_day[0]],
            )
    finally:
        con.close()
    dbt(["run", "--select", "marts"])
    kinds = dict(
        query(
            warehouse,
            "select table_schema || '.' || table_name, table_type from information_schema.tables "
            "where table_schema in ('marts', ?)",
            [schema],
        )
    )
    assert all(kinds[f"{schema}.{m}"] == "BASE TABLE" for m in INCREMENTAL_MARTS)
    assert all(kinds[f"marts.{m}"] == "VIEW" for m in INCREMENTAL_MARTS)
    copy = scratch / "full_refresh" / "argo.duckdb"
    copy.parent.mkdir(parents=True)
    shutil.copyfile(warehouse, copy)
    if warehouse.with_name(warehouse.name + ".wal").exists():
        shutil.copyfile(
            warehouse.with_name(warehouse.name + ".wal"), copy.with_name(copy.name + ".wal")
        )
    monkeypatch.setenv(WAREHOUSE_ENV, str(copy))
    dbt(["run", "--full-refresh", "--select", "marts"])
    monkeypatch.setenv(WAREHOUSE_ENV, str(warehouse))
    incremental, full = marts_of(warehouse, schema), marts_of(copy, schema)
    assert set(INCREMENTAL_MARTS) <= set(full)
    differing = [n for n in full if incremental[n] != full[n]]
    assert not differing, f"incremental marts differ from a full refresh: {differing}"
    dbt(["run", "--select", "marts"])  # the same run again changes nothing
    again = marts_of(warehouse, schema)
    assert [n for n in again if again[n] != incremental[n]] == [], "a repeated run changed marts"


def assert_athena_sql_agrees(warehouse: Path, scratch: Path) -> None:
    """The models compiled for Athena (catalog on moto) are Athena SQL and, transpiled and
    run on this warehouse's data, build the same marts as the DuckDB target did."""
    Aws(AwsConfig.from_env([s.dataset for s in SOURCES.values()])).run(fix=True)
    # Compiled as a build compiles them: into a schema readers do not see, then published.
    schema = MARTS_BUILD_SCHEMAS[0]
    athena_target = scratch / "athena_target"
    dbt(["compile", "--target-path", str(athena_target)], target="athena", marts_schema=schema)
    manifest = load_manifest(athena_target)
    compiled = models(manifest)
    assert len(compiled) >= 90 and all(n.get("compiled_code") for n in compiled.values())
    assert {n["schema"] for n in compiled.values() if is_mart(n)} == {schema}
    assert check_dialect(manifest) == {}, "models use SQL Athena does not have"
    published = dbt(
        [
            "compile",
            "--target-path",
            str(scratch / "athena_publish"),
            "--inline",
            "{% for s in argo.publish_marts_statements("
            f"'{schema}', argo.published_mart_models('{schema}')) %}}{{{{ s }}}};\n{{% endfor %}}",
        ],
        target="athena",
        marts_schema=schema,
    )
    statements = publish_statements(published.result.results[0].node.compiled_code)
    assert len(statements) == len([n for n in compiled.values() if is_mart(n) and is_published(n)])
    assert all(s.startswith('create or replace view "awsdatacatalog"."marts".') for s in statements)
    assert [dialect_problems(s) for s in statements if dialect_problems(s)] == []
    # The hooks' own SQL on Athena: the state table, its rows, and what they read back.
    hooks = dbt(
        [
            "compile",
            "--target-path",
            str(scratch / "athena_hooks"),
            "--inline",
            "{{ argo.athena__create_marts_state_sql(argo.marts_state_relation()) }};\n"
            "{{ argo.marts_state_insert_sql([argo.marts_state_row(1, 'started', "
            f"'{schema}', {{'node': 'model.argo.x', 'note': \"it's rebuilt\"}})]) }}}};\n"
            "{{ argo.published_marts_sql() }};\n"
            f"{{{{ argo.previous_mart_builds_sql('{schema}') }}}};\n"
            "{{ argo.deployed_nodes_sql() }};\n"
            "{{ argo.loads_since_sql(argo.marts_state_relation(), "
            f"'{schema}', 'model.argo.fct_ad_performance_daily') }}}};\n"
            "{{ argo.delete_days_from_sql(argo.published_table_relation("
            f"'{schema}', 'fct_ad_performance_daily'), '2026-10-21') }}}};\n"
            "{{ argo.content_digest_sql(api.Relation.create(database=target.database, "
            "schema='intermediate', identifier='int_accounts_assigned'), "
            "['platform', 'advertiser_id']) }};\n"
            f"{{{{ argo.verified_tests_sql('{schema}') }}}};\n"
            "{{ argo.tests_window_sql() }} {{ argo.unverified_sql('test.argo.x') }}",
        ],
        target="athena",
        marts_schema=schema,
    )
    hook_sql = publish_statements(hooks.result.results[0].node.compiled_code)
    assert len(hook_sql) == 10, hook_sql
    assert hook_sql[9].count("union all") == 1 and "like '%\"" in hook_sql[9], hook_sql[9]
    assert hook_sql[7].startswith("select to_hex(md5(to_utf8(array_join(array_agg("), hook_sql[7]
    assert hook_sql[6] == (
        f'delete from "awsdatacatalog"."{schema}"."fct_ad_performance_daily" '
        "where date_day >= cast('2026-10-21' as date)"
    ), hook_sql[6]
    assert "tblproperties ('table_type' = 'ICEBERG')" in hook_sql[0]
    assert "'it''s rebuilt'" in hook_sql[1]
    assert {s: dialect_problems(s) for s in hook_sql if dialect_problems(s)} == {}
    comparisons = replay_on_duckdb(manifest, warehouse, scratch / "replay", statements)
    assert {c.name for c in comparisons} >= {"rpt_campaign_performance_daily", "dim_dates"}
    differing = [c for c in comparisons if not c.equal]
    assert not differing, f"the Athena SQL builds other marts than DuckDB: {differing}"
    empty = [c.name for c in comparisons if c.rows == 0]
    assert not empty, f"every mart has rows to compare: {empty}"


def test_two_runs_with_restatement_reconcile(
    world: World,
    warehouse: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    aws: str,
) -> None:
    """Two ingests around a restatement reconcile with the fakes; the Athena SQL agrees."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    # Kakao reports one day as nothing: fct_anomalies_daily says its accounts' data is
    # missing that day, so every mart, the automation marts too, has rows to compare.
    world.restate_to_nothing(world.as_of - timedelta(days=10), "kakao_moment")
    fakes, options = start_fakes(world)
    platforms = [source for source in options if source in WORLD_PLATFORM]
    try:
        for source, source_options in options.items():
            run_source(source, **source_options)
        dbt(["build"])
        assert_reconciled(world, warehouse, platforms)
        assert_trackers_reconciled(world, warehouse, list(options))
        before = mart_totals(warehouse)

        # Two days, not three: sources stop at each account's local yesterday, and for an
        # account west of UTC the real clock's yesterday may still be two UTC days back.
        world.advance(days=2)
        for source, source_options in options.items():
            run_source(source, **{k: v for k, v in source_options.items() if k != "start_date"})
        dbt(["build"])
        assert_reconciled(world, warehouse, platforms)
        assert_trackers_reconciled(world, warehouse, list(options))
        after = mart_totals(warehouse)
    finally:
        for fake in fakes:
            fake.stop()
    for platform in platforms:
        restated = [k for k in before if k[0] == platform and before[k][2] != after[k][2]]
        assert restated, f"{platform}: conversions restated by the world must change in the mart"
    assert all(after[k][2] >= before[k][2] for k in before), "restated conversions only grow"
    assert len(after) > len(before), "the new days appear"
    assert_incremental_equals_full_refresh(warehouse, tmp_path, monkeypatch)
    assert_athena_sql_agrees(warehouse, tmp_path)
