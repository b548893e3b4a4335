"""`argo transform`, the day's work (build_changed): only what changed, published whole.

On the marts tests' warehouse (tests/marts_warehouse.py: both build schemas built, each
with its dbt state): a day without new data builds nothing; days that each bring one new
day of the sandbox world (its clock and ARGO_NOW moved a day at a time, the day's ingest)
leave marts equal row for row to a full refresh of the same data; a failed daily build
leaves the published marts as they were, and the next one rebuilds what it should have;
the marts' data tests check the days the run rebuilt, and no older day.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml  # type: ignore[import-untyped]

from argo.pipeline import run_source
from argo.settings import PROJECT_DIR, WAREHOUSE_ENV
from argo.transform import (
    NOTHING_TO_BUILD,
    TransformError,
    build_changed,
    dbt,
    published_marts_schema,
    state_dir,
)
from ingestion import clock
from ingestion.sandbox import World, registry
from tests.marts_warehouse import (
    INCREMENTAL_MARTS,
    WORLD,
    project_copy,
    read_marts,
    source_options,
)

pytestmark = pytest.mark.e2e

#: The sources a day's ingest loads here: the ad platforms and the day's exchange rates.
DAILY_SOURCES = ("meta_ads", "google_ads", "naver_searchad", "kakao_moment", "exchange_rates")
CLICKS_TEST = "fct_ad_performance_daily_clicks_at_most_impressions"
#: Incremental marts of the automation: a day's build recomputes their window only.
WINDOWED_AUTOMATION_MARTS = (
    "fct_metric_scores_daily",
    "fct_anomalies_daily",
    "fct_suggestions_daily",
)
NAMED_TEST = "not_null_fct_ad_performance_daily_advertiser_name"
NON_NEGATIVE_TEST = "fct_ad_performance_daily_metrics_are_non_negative"
#: Its expression, as models/marts/marketing/_marketing__models.yml writes it.
NON_NEGATIVE_EXPRESSION = """\
          arguments:
            expression: >
              spend >= 0 and impressions >= 0 and clicks >= 0
              and conversions >= 0 and conversions_value >= 0
"""
#: The days before a mart's newest day that a day's build recomputes (dbt_project.yml).
LOOKBACK = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"][
    "argo__mart_lookback_days"
]
#: A data test of a daily staging view (dbt_project.yml: `where: __argo_loaded_days__`).
STAGED_TEST = "not_null_stg_meta_ads__ads_insights_date_day"
#: A data test of a daily raw table (its source's `argo_day_column`, date_start).
SOURCE_TEST = "source_meta_ads_ads_insights_one_day_per_row"
#: What each suggestion entity is month by month: the state a build schema keeps for
#: fct_suggestions_daily's lifetimes (first and last day, name), not published.
ENTITY_MONTHS = "int_suggestions__entity_months"
#: What the performance rows tell of each campaign and ad group, month by month: the
#: state dim_campaigns and dim_ad_groups add their inferred members from, not published.
PERFORMANCE_ENTITY_MONTHS = "int_marketing__performance_entity_months"
#: The views that read a mart: the build schema (marts__blue or marts__green) is in their
#: SQL, so a day's build creates them again; it leaves every other view as it is.
VIEWS_READING_MARTS = (
    "int_anomalies__campaign_days",
    "int_anomalies__entity_days",
    "int_pacing__budget_versions",
    "int_pacing__day_weights",
    "int_pacing__scope_spend_daily",
    "int_suggestions__entity_days",
)


def execute(path: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path)) as con:
        return con.execute(sql, params or []).fetchall()


def state_invocation(schema: str) -> str:
    return (state_dir(schema) / "invocation_id").read_text()


def manifest_nodes(path: Path) -> dict[str, Any]:
    """The nodes of the manifest dbt last wrote for the warehouse ``path``."""
    manifest = json.loads((path.parent / "target" / "manifest.json").read_text(encoding="utf-8"))
    return dict(manifest["nodes"])


def views_of(path: Path) -> set[str]:
    """The unique ids of the models dbt last parsed as views for the warehouse ``path``."""
    return {
        uid
        for uid, node in manifest_nodes(path).items()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "view"
    }


def compiled_test(path: Path, name: str) -> str:
    """The SQL dbt last compiled for the data test ``name`` in the warehouse's target."""
    (found,) = (path.parent / "target" / "compiled" / "argo" / "models").glob(f"**/{name}.sql")
    return found.read_text(encoding="utf-8")


def full_refresh_of_a_copy(
    built: Path, tmp_path: Path, dbt_vars: dict[str, Any] | None = None
) -> Path:
    """`dbt build --full-refresh` of a copy of the warehouse ``built``; the copy's path."""
    copy = tmp_path / "full" / "argo.duckdb"
    shutil.copytree(built.parent, copy.parent, ignore=shutil.ignore_patterns("*.lock", "logs"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(WAREHOUSE_ENV, str(copy))
        patch.setenv("DBT_TARGET_PATH", str(copy.parent / "target"))
        dbt(["build", "--full-refresh", *(["--vars", json.dumps(dbt_vars)] if dbt_vars else [])])
    return copy


def report_rows(path: Path) -> int:
    """The published keyword, campaign and ad report rows (what the suggestions' chunks count)."""
    tables = ("rpt_keyword_performance_daily", "rpt_campaign_performance_daily")
    counts = [
        execute(path, f"select count(*) from marts.{table}")[0][0]
        for table in (*tables, "fct_ad_performance_daily")
    ]
    return sum(counts)


def a_load_of(path: Path, dataset: str) -> None:
    """What a finished dlt load of ``dataset`` leaves in its ``_dlt_loads``, and no rows."""
    execute(
        path,
        f"insert into {dataset}._dlt_loads "
        f"select '9' || load_id, schema_name, 0, now(), schema_version_hash "
        f"from {dataset}._dlt_loads order by inserted_at desc limit 1",
    )


def test_days_of_daily_builds_equal_a_full_refresh(
    built: Path, tmp_path: Path, frozen_clock: clock.FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No new data: nothing built. Two days, one at a time: the marts of a full refresh."""
    blue = state_invocation("marts__blue")
    quiet = build_changed()
    assert (quiet.reason, quiet.selected, quiet.published) == (NOTHING_TO_BUILD, [], None)
    assert published_marts_schema() == "marts__green"
    assert state_invocation("marts__blue") == blue, "a build of nothing keeps the state"
    world = World(WORLD)
    fakes = registry.start_fakes(world, list(DAILY_SOURCES))
    try:
        for day, schema in enumerate(("marts__blue", "marts__green"), start=1):
            world.advance(days=1)
            frozen_clock.advance(timedelta(days=1).total_seconds())
            monkeypatch.setenv(clock.NOW_ENV, frozen_clock.now().isoformat())
            for source, options in source_options(fakes, world).items():
                run_source(source, **{k: v for k, v in options.items() if k != "start_date"})
            changed = build_changed()
            assert not changed.full, changed.reason
            assert changed.published == schema == published_marts_schema(), changed.reason
            # Only what the day's loads reach: the holidays and the trackers were not loaded.
            staged = [n for n in changed.selected if n.startswith("test.argo.") and "stg_" in n]
            assert [n for n in staged if "_stg_meta_ads__ads_insights_" in n], staged
            assert not [n for n in staged if "kr_holidays" in n or "adjust" in n], staged
            # A view is a query: new rows need no new one. Only the views that read a mart
            # (the build schema is in their SQL) are created again (selectors.yml).
            views = sorted(set(changed.selected) & views_of(built))
            assert views == [f"model.argo.{v}" for v in VIEWS_READING_MARTS], views
            assert changed.models_built and changed.tests_run, changed
            # No code changed: unit tests (fixed inputs) are not run again for new data.
            units = [n for n in changed.selected if n.startswith("unit_test.")]
            assert not units, units
            # Nor the tests of a view that only a full build reads (selectors.yml).
            assert "model.argo.fct_suggestions_daily" in changed.selected
            full_only = [n for n in changed.selected if "int_suggestions__entity_days" in n]
            assert full_only == ["model.argo.int_suggestions__entity_days"], full_only
            windows = execute(
                built,
                "select node, inputs from marts__state.mart_builds "
                "where event = 'window' and schema_name = ? order by run_started_at desc limit 5",
                [schema],
            )
            starts = {node: json.loads(inputs)["start"] for node, inputs in windows}
            assert len(starts) == len(INCREMENTAL_MARTS) and all(starts.values()), (day, starts)
            # The automation facts by day are incremental too: the suggestions' window is
            # computed from the window's first day less 27 days (argo.suggestion_entity_days_sql).
            for mart in WINDOWED_AUTOMATION_MARTS:
                ((inputs,),) = execute(
                    built,
                    "select inputs from marts__state.mart_builds where event = 'window' "
                    "and schema_name = ? and node = ? order by run_started_at desc limit 1",
                    [schema, f"model.argo.{mart}"],
                )
                assert json.loads(inputs)["start"], (day, mart, inputs)
            # The tests of the daily views check the window too (no model changed).
            ((inputs,),) = execute(
                built,
                "select inputs from marts__state.mart_builds where event = 'tests_window' "
                "and schema_name = ? order by run_started_at desc limit 1",
                [schema],
            )
            start = date.fromisoformat(json.loads(inputs)["start"])
            ((meta_loaded,),) = execute(
                built,
                "select min(date_start) from raw_meta_ads.ads_insights where _dlt_load_id = "
                "(select max(load_id) from raw_meta_ads._dlt_loads)",
            )
            today = frozen_clock.now().date()
            assert start <= min(meta_loaded, today - timedelta(days=LOOKBACK)), (day, start)
            assert f"date_day >= cast('{start}' as date)" in compiled_test(built, STAGED_TEST)
            assert f"date_start >= cast('{start}' as date)" in compiled_test(built, SOURCE_TEST)
    finally:
        for fake in fakes.values():
            fake.stop()
    # The full refresh computes the suggestions' entity days in three chunks of entities
    # (suggestions__build_chunk_rows, as a user sets it): the same rows as in one go.
    chunk_rows = report_rows(built) // 3 + 1
    copy = full_refresh_of_a_copy(built, tmp_path, {"suggestions__build_chunk_rows": chunk_rows})
    (run_sql,) = (copy.parent / "target" / "run").glob("**/fct_suggestions_daily.sql")
    assert "fct_suggestions_daily__entity_days" in run_sql.read_text(encoding="utf-8")
    left_over = execute(
        copy,
        "select table_schema from information_schema.tables "
        "where table_name = 'fct_suggestions_daily__entity_days'",
    )
    assert not left_over, f"the staged entity days are dropped after the build: {left_over}"
    daily, full = read_marts(built), read_marts(copy)
    assert set(INCREMENTAL_MARTS) <= set(full) and full.keys() == daily.keys()
    differing = [name for name in full if daily[name] != full[name]]
    assert not differing, f"the daily builds' marts differ from a full refresh: {differing}"
    for state in (ENTITY_MONTHS, PERFORMANCE_ENTITY_MONTHS):
        assert state not in daily, f"the build schema's state {state} is not published"
        assert entity_months(built, "marts__green", state) == entity_months(
            copy, "marts__blue", state
        ), state


def test_a_wrong_chunk_setting_is_one_line_naming_it(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """suggestions__build_chunk_rows set to what is no count of rows: the setting, what to do."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    for wrong in (-5, 2.5, "many"):
        with pytest.raises(TransformError) as failed:
            dbt(
                [
                    "compile",
                    "--select",
                    "fct_suggestions_daily",
                    "--vars",
                    json.dumps({"suggestions__build_chunk_rows": wrong}),
                ]
            )
        assert f"var suggestions__build_chunk_rows is {wrong}: set it to a whole number" in str(
            failed.value
        ), failed.value


def entity_months(path: Path, schema: str, table: str = ENTITY_MONTHS) -> list[tuple[Any, ...]]:
    """Every row of a state kept by month (the suggestions' entity months) in ``schema``, sorted."""
    return sorted(execute(path, f"select * from {schema}.{table}"), key=repr)


def test_a_day_restated_in_the_window_keeps_each_entity_s_lifetime_exact(
    built: Path, tmp_path: Path
) -> None:
    """A daily build's entity months equal a full refresh's after days restated to nothing.

    A keyword that started before the window loses its last days (its last day moves
    back; its months before the window, and the days of the window's first month before
    the window, must stay); every other entity keeps its months. The daily build reads
    only the window's months of the reports, and the suggestions it computes are those
    of a full refresh.
    """
    raw = "raw_google_ads.keyword_performance_daily"
    newest = WORLD.as_of - timedelta(days=1)
    ((keyword, first_day),) = execute(
        built,
        f"select cast(criterion_id as varchar), min(segments_date) from {raw} "
        "group by 1 having max(segments_date) = ? order by 2, 1 limit 1",
        [newest],
    )
    execute(
        built,
        f"delete from {raw} where cast(criterion_id as varchar) = ? and segments_date >= ?",
        [keyword, newest - timedelta(days=3)],
    )
    a_load_of(built, "raw_google_ads")
    changed = build_changed()
    assert changed.published == "marts__blue" and not changed.full, changed.reason
    ((inputs,),) = execute(
        built,
        "select inputs from marts__state.mart_builds where event = 'window' "
        "and schema_name = 'marts__blue' and node = ? order by run_started_at desc limit 1",
        [f"model.argo.{ENTITY_MONTHS}"],
    )
    window = json.loads(inputs)["start"]
    assert window and str(first_day) < window, (first_day, window)
    lifetime = execute(
        built,
        f"select min(first_day), max(date_day) from marts__blue.{ENTITY_MONTHS} "
        "where scope = 'keyword' and keyword_id = ?",
        [keyword],
    )
    ((first, last),) = lifetime
    assert str(first) == str(first_day) and last < newest - timedelta(days=3), lifetime
    copy = full_refresh_of_a_copy(built, tmp_path)
    assert entity_months(built, "marts__blue") == entity_months(copy, "marts__green")
    mart = "fct_suggestions_daily"
    assert read_marts(built)[mart] == read_marts(copy)[mart]


def test_a_failed_daily_build_changes_nothing_readers_see_and_is_redone(built: Path) -> None:
    """A bad row inside the window fails the build; a bad row older than it is not retested.

    The failed build leaves the published marts and the schema's state as they were; the
    next daily build, with the bad row fixed and no load since, redoes its work (and
    rebuilds in full the incremental marts it had touched). A daily build's data tests
    check the rebuilt days only, so an older row broken in the schema by hand is
    published; `dbt test` (no build in the run) checks every day.
    """
    published = read_marts(built)
    blue = state_invocation("marts__blue")
    newest = WORLD.as_of - timedelta(days=1)
    # Inside the window: a platform's row with more clicks than impressions, loaded.
    raw = "raw_meta_ads.ads_insights"
    ((ad, clicks),) = execute(
        built,
        f"select ad_id, clicks from {raw} where date_start = ? and impressions > 0 limit 1",
        [newest],
    )
    row = "where ad_id = ? and date_start = ?"
    execute(built, f"update {raw} set clicks = impressions + 1 {row}", [ad, newest])
    a_load_of(built, "raw_meta_ads")
    with pytest.raises(TransformError, match=CLICKS_TEST) as failed:
        build_changed()
    assert "The marts readers see are unchanged (marts -> marts__green)" in str(failed.value)
    assert published_marts_schema() == "marts__green"
    assert read_marts(built) == published
    assert state_invocation("marts__blue") == blue, "a failed build must not advance the state"
    # Fixed upstream, no load since: the next daily build redoes the failed one's work.
    execute(built, f"update {raw} set clicks = ? {row}", [clicks, ad, newest])
    changed = build_changed()
    assert changed.published == "marts__blue" and not changed.full, changed.reason
    assert "model.argo.fct_ad_performance_daily" in changed.selected
    assert state_invocation("marts__blue") != blue
    assert read_marts(built) == published, "the same data, built again"
    # Older than any window: broken by hand in the schema the next build writes.
    ((old_day,),) = execute(
        built,
        "select min(date_day) from marts__green.fct_ad_performance_daily "
        "where platform = 'meta_ads'",
    )
    # (A column no singular test reads: tests/dbt reconciles the facts' totals on every day.)
    execute(
        built,
        "update marts__green.fct_ad_performance_daily set advertiser_name = null "
        "where date_day = ? and platform = 'meta_ads'",
        [old_day],
    )
    a_load_of(built, "raw_meta_ads")
    changed = build_changed()
    assert changed.published == "marts__green", changed.reason
    ((broken,),) = execute(
        built,
        "select count(*) from marts.fct_ad_performance_daily "
        "where advertiser_name is null and date_day = ?",
        [old_day],
    )
    assert broken > 0, "the row older than the window is not tested again"
    sql = compiled_test(built, NAMED_TEST)
    assert "date_day >= cast('" in sql, sql
    with pytest.raises(TransformError, match=NAMED_TEST):
        dbt(["test", "--select", NAMED_TEST])  # no build in this run: every day


def a_project_with(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """A copy of the dbt project with ``old`` replaced by ``new`` in ``file``."""
    copy = project_copy(tmp_path / "project")
    text = (copy / file).read_text(encoding="utf-8")
    assert text.count(old) == 1, (file, old)
    (copy / file).write_text(text.replace(old, new), encoding="utf-8")
    return copy


def unverified_tests(path: Path, schema: str) -> list[str]:
    """The ids the newest build into ``schema`` listed as not yet passed on every day."""
    found = execute(
        path,
        "select inputs from marts__state.mart_builds where schema_name = ? "
        "and invocation_id = (select invocation_id from marts__state.mart_builds "
        "where schema_name = ? and event = 'started' order by run_started_at desc limit 1) "
        "and event = 'tests_unverified'",
        [schema, schema],
    )
    return json.loads(found[0][0]) if found else []


def test_a_changed_data_test_checks_every_day_until_it_passes(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A data test changed since its last pass checks every day in a day's build, once.

    A day's build narrows the tests to its window because older days passed them when
    they were built; a test that changed never checked those days. Here the test of
    non-negative metrics now also covers `reach`, and an old row of the schema the next
    build writes has a negative reach: the day's build fails on it. Fixed, the build
    passes and publishes; the test then counts as passed in that schema (not in the
    other, where it has not run yet) and checks only the window there again. Only it,
    and tests that may warn (a warning is not a pass), check every day.
    """
    ((old_day,),) = execute(
        built,
        "select min(date_day) from marts__blue.fct_ad_performance_daily "
        "where platform = 'meta_ads'",
    )
    row = "where date_day = ? and platform = 'meta_ads' and impressions > 0"
    execute(built, f"update marts__blue.fct_ad_performance_daily set reach = -1 {row}", [old_day])
    project = a_project_with(
        tmp_path,
        "models/marts/marketing/_marketing__models.yml",
        f"name: {NON_NEGATIVE_TEST}\n" + NON_NEGATIVE_EXPRESSION,
        f"name: {NON_NEGATIVE_TEST}\n"
        + NON_NEGATIVE_EXPRESSION.replace("value >= 0", "value >= 0 and coalesce(reach, 0) >= 0"),
    )
    monkeypatch.setattr("argo.transform.PROJECT_DIR", project)
    a_load_of(built, "raw_meta_ads")
    with pytest.raises(TransformError, match=NON_NEGATIVE_TEST):
        build_changed()
    assert published_marts_schema() == "marts__green"
    changed = unverified_id(built, NON_NEGATIVE_TEST)
    listed = unverified_tests(built, "marts__blue")
    assert changed in listed and set(listed) - {changed} <= warned(built), listed
    # Fixed: the build passes, publishes, and the test has now passed on every day here.
    execute(built, f"update marts__blue.fct_ad_performance_daily set reach = null {row}", [old_day])
    build = build_changed()
    assert build.published == "marts__blue", build.reason
    # (After a failed build its marts are rebuilt in full: every test checks every day.)
    assert unverified_tests(built, "marts__blue") == []
    a_load_of(built, "raw_meta_ads")
    build = build_changed()
    assert build.published == "marts__green", build.reason
    assert changed in unverified_tests(built, "marts__green"), "it has not passed there yet"
    a_load_of(built, "raw_meta_ads")
    build = build_changed()
    assert build.published == "marts__blue", build.reason
    assert changed not in unverified_tests(built, "marts__blue"), "it passed there"
    assert "date_day >= cast('" in compiled_test(built, NON_NEGATIVE_TEST)


def warned(path: Path) -> set[str]:
    """The ids (argo.unverified_test_id) of the data tests whose severity is `warn`."""
    return {
        hash_of(uid)
        for uid, node in manifest_nodes(path).items()
        if node["resource_type"] == "test" and node["config"]["severity"].lower() == "warn"
    }


def unverified_id(path: Path, name: str) -> str:
    """How a `tests_unverified` row names the data test ``name`` (its unique id's hash)."""
    (unique_id,) = [
        uid
        for uid, node in manifest_nodes(path).items()
        if node["resource_type"] == "test" and node["name"] == name
    ]
    return hash_of(unique_id)


def hash_of(unique_id: str) -> str:
    """argo.unverified_test_id: the first 12 hex digits of the MD5 of the unique id."""
    return hashlib.md5(unique_id.encode()).hexdigest()[:12]


def test_a_changed_view_is_created_again_and_the_others_are_left(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day's build creates a view again when its SQL changed (`state:modified`), not for
    new rows alone: of Meta's staging views, only the changed one is in the build, and the
    warehouse holds its new SQL."""
    project = a_project_with(
        tmp_path,
        "models/staging/meta_ads/stg_meta_ads__ads.sql",
        "coalesce(effective_status = 'ACTIVE', false) as is_active",
        "coalesce(upper(effective_status) = 'ACTIVE', false) as is_active",
    )
    monkeypatch.setattr("argo.transform.PROJECT_DIR", project)
    a_load_of(built, "raw_meta_ads")
    build = build_changed()
    assert build.published == "marts__blue", build.reason
    meta_views = [n for n in build.selected if n.startswith("model.argo.stg_meta_ads__")]
    assert meta_views == ["model.argo.stg_meta_ads__ads"], meta_views
    ((sql,),) = execute(
        built,
        "select sql from duckdb_views() where schema_name = 'staging' "
        "and view_name = 'stg_meta_ads__ads'",
    )
    assert "upper(effective_status)" in sql.lower(), sql
