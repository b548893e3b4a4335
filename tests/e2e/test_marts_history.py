"""Incremental marts whose history is never silently wrong (DECISIONLOG.md, 37 and 38).

A change to what their history is computed from (a var, a seed) rebuilds them in full,
with plain `dbt build` too; one row dated in the future cannot stop the window from
recomputing the days still restated; a backfill older than the window reaches them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from argo.pipeline import run_source
from argo.settings import WAREHOUSE_ENV
from argo.transform import MARTS_SCHEMA_ENV, dbt, marts_schema_for, published_marts_schema
from ingestion import clock
from ingestion.sandbox import World, registry
from tests.marts_warehouse import (
    INCREMENTAL_MARTS,
    LOADED_DAYS,
    WORLD,
    last_build_notes,
    project_copy,
    read_marts,
    source_options,
)
from tests.network_guard import guarded_env, refused_in_subprocesses

pytestmark = pytest.mark.e2e


def query(path: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(path)) as con:
        return con.execute(sql, params or []).fetchall()


def test_a_new_reporting_currency_rebuilds_every_mart(built: Path) -> None:
    """Every mart in one currency, in both schemas, after `reporting_currency` changes."""
    usd = ["--vars", json.dumps({"reporting_currency": "USD"})]
    for schema in ("marts__blue", "marts__green"):
        dbt(["build", *usd])
        assert published_marts_schema() == schema
        notes = last_build_notes(built)
        for mart in INCREMENTAL_MARTS:
            assert notes[mart] == 'built in full: var reporting_currency changed ("KRW" -> "USD")'
        # what the reports tell of each campaign by month has no currency: it goes on
        assert notes["int_marketing__performance_entity_months"].startswith("continued"), notes
        for mart in INCREMENTAL_MARTS:
            codes = query(built, f"select distinct reporting_currency_code from marts.{mart}")
            assert codes == [("USD",)], f"{mart}: {codes}"
        # No day keeps the won's rate of 1: every row of a won account converts to dollars.
        for mart in ("fct_ad_performance_daily", "rpt_campaign_performance_daily"):
            ((won_days, at_one),) = query(
                built,
                f"select count(*), count(*) filter (where exchange_rate >= 0.01) "
                f"from marts.{mart} where currency_code = 'KRW'",
            )
            assert won_days > 0 and at_one == 0, f"{mart}: {at_one} won rows still at 1"
        # the spend and its conversion agree on every row
        ((wrong,),) = query(
            built,
            "select count(*) from marts.fct_ad_performance_daily "
            "where abs(spend_in_reporting_currency - spend * exchange_rate) > 0.01",
        )
        assert wrong == 0


def conversions(path: Path, mart: str, keys: str) -> dict[tuple[Any, ...], Decimal]:
    rows = query(path, f"select {keys}, sum(conversions) from marts.{mart} group by all")
    return {tuple(row[:-1]): Decimal(str(row[-1])).quantize(Decimal("0.000001")) for row in rows}


def test_a_flipped_is_counted_reaches_the_reports_through_plain_dbt(
    built: Path, tmp_path: Path
) -> None:
    """Google's add-to-cart counted from now on: facts and reports agree on every day."""
    keys = "cast(date_day as varchar), platform, account_id, campaign_id"
    before = conversions(built, "fct_ad_performance_daily", keys)
    project = project_copy(tmp_path / "project")
    seed = project / "seeds" / "ad_conversion_types.csv"
    text = seed.read_text(encoding="utf-8")
    row = "google_ads,ADD_TO_CART,add_to_cart,false,"
    assert row in text
    seed.write_text(text.replace(row, row.replace("false", "true")), encoding="utf-8")
    guard = tmp_path / "guard"
    schema = marts_schema_for("build")
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "build",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
        ],
        env=guarded_env(guard) | {MARTS_SCHEMA_ENV: schema, clock.NOW_ENV: clock.now().isoformat()},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    assert refused_in_subprocesses(guard) == []
    for mart in INCREMENTAL_MARTS:
        line = f"argo: rebuilding {schema}.{mart} in full: seed ad_conversion_types changed"
        assert line in done.stdout
    assert f"argo: published {schema}" in done.stdout
    assert published_marts_schema() == schema
    facts = conversions(built, "fct_ad_performance_daily", keys)
    report = conversions(built, "rpt_campaign_performance_daily", keys)
    assert report == facts, "the campaign report disagrees with the facts"
    # Old days changed too, not only the window's.
    newest = max(date.fromisoformat(k[0]) for k in facts)
    old = [k for k in facts if date.fromisoformat(k[0]) < newest - timedelta(days=31)]
    changed = [k for k in old if k[1] == "google_ads" and facts[k] != before.get(k)]
    assert changed and all(facts[k] > before[k] for k in changed)
    ((counted,),) = query(
        built,
        "select count(*) from marts.fct_ad_conversions_daily "
        "where platform = 'google_ads' and conversion_type = 'ADD_TO_CART' and not is_counted",
    )
    assert counted == 0


def test_one_future_dated_row_does_not_move_the_window(built: Path) -> None:
    """A Naver row dated 2027-06-03 reaches both schemas; a restated real day still lands."""
    con = duckdb.connect(str(built))
    try:
        con.execute(
            "insert into raw_naver_searchad.ad_stats_daily "
            "select * replace (date '2027-06-03' as stat_date) "
            "from raw_naver_searchad.ad_stats_daily "
            "where stat_date = (select max(stat_date) from raw_naver_searchad.ad_stats_daily) "
            "limit 1"
        )
    finally:
        con.close()
    dbt(["build"])  # marts__blue
    dbt(["build"])  # marts__green: both now hold the row, newest day 2027-06-03
    for schema in ("marts__blue", "marts__green"):
        ((newest,),) = query(built, f"select max(date_day) from {schema}.fct_ad_performance_daily")
        assert newest == date(2027, 6, 3)
    # The platform restates a real day inside the window (the cost of every row doubles).
    restated = WORLD.as_of - timedelta(days=5)
    con = duckdb.connect(str(built))
    try:
        con.execute(
            "update raw_naver_searchad.ad_stats_daily set cost = cost * 2 where stat_date = ?",
            [restated],
        )
    finally:
        con.close()
    spend_sql = (
        "select sum(spend) from marts.fct_ad_performance_daily "
        "where platform = 'naver_searchad' and date_day = ?"
    )
    ((spend_before,),) = query(built, spend_sql, [restated])
    dbt(["build"])  # marts__blue again: its newest day is in 2027, its window ends today
    assert published_marts_schema() == "marts__blue"
    ((spend_after,),) = query(built, spend_sql, [restated])
    assert spend_before and float(spend_after) == pytest.approx(2 * float(spend_before), rel=1e-6)


def test_a_backfill_older_than_the_window_reaches_the_marts(built: Path, tmp_path: Path) -> None:
    """Google Ads loaded 60 days back on a warehouse that held 40: the next build has them."""
    start = WORLD.as_of - timedelta(days=60)

    def google_days(path: Path) -> list[date]:
        return [
            d
            for (d,) in query(
                path,
                "select distinct date_day from marts.rpt_campaign_performance_daily "
                "where platform = 'google_ads' order by 1",
            )
        ]

    assert min(google_days(built)) > WORLD.as_of - timedelta(days=LOADED_DAYS + 2)
    world = World(WORLD)
    fakes = registry.start_fakes(world, ["google_ads"])
    try:
        options = source_options(fakes, world)["google_ads"]
        run_source("google_ads", **{**options, "start_date": start.isoformat()})
    finally:
        for fake in fakes.values():
            fake.stop()
    dbt(["build"])
    # An incremental run whose window reaches back to the first day loaded, not a rebuild.
    notes = last_build_notes(built)
    assert len(notes) > len(INCREMENTAL_MARTS), notes  # the states kept by month too
    assert all(note.startswith("continued") for note in notes.values()), notes
    compiled = built.parent / "target" / "compiled" / "argo" / "models" / "marts" / "marketing"
    sql = (compiled / "fct_ad_performance_daily.sql").read_text(encoding="utf-8")
    found = re.findall(r"date_day >= cast\('(\d{4}-\d{2}-\d{2})' as date\)", sql)
    assert found and date.fromisoformat(found[0]) <= start, found
    days = google_days(built)
    assert min(days) <= start + timedelta(days=1), min(days)  # time zones: a day either side
    # The same marts as a full rebuild of the same data.
    copy = tmp_path / "full" / "argo.duckdb"
    shutil.copytree(built.parent, copy.parent, ignore=shutil.ignore_patterns("*.lock"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(WAREHOUSE_ENV, str(copy))
        dbt(["build", "--full-refresh"])
    incremental, full = read_marts(built), read_marts(copy)
    differing = [name for name in full if incremental[name] != full[name]]
    assert not differing, f"differ from a full rebuild after the backfill: {differing}"
    # Both schemas catch up: the next build (the other schema) has the old days too.
    dbt(["build"])
    assert google_days(built) == days


def test_a_day_restated_to_nothing_leaves_every_mart(built: Path) -> None:
    """Meta restates a day inside the window to no delivery: no mart keeps a row of it."""
    day = WORLD.as_of - timedelta(days=4)
    marts_by_day = (
        "select date_day, count(*) from marts.{mart} "
        "where platform = 'meta_ads' group by 1 order by 1"
    )

    def rows(mart: str) -> dict[date, int]:
        return dict(query(built, marts_by_day.format(mart=mart)))

    before = {
        mart: rows(mart) for mart in INCREMENTAL_MARTS if mart != "rpt_keyword_performance_daily"
    }
    for mart, by_day in before.items():
        assert by_day.get(day), f"{mart} has no Meta row on {day} to begin with"
    world = World(WORLD)
    world.restate_to_nothing(day, "meta_ads")
    fakes = registry.start_fakes(world, ["meta_ads"])
    try:
        options = source_options(fakes, world)["meta_ads"]
        run_source("meta_ads", **{**options, "start_date": str(day), "end_date": str(day)})
    finally:
        for fake in fakes.values():
            fake.stop()
    for schema in ("marts__blue", "marts__green"):
        dbt(["build"])
        assert published_marts_schema() == schema
        for mart, by_day in before.items():
            after = rows(mart)
            assert day not in after, f"{schema}.{mart}: {after.get(day)} rows of {day}"
            assert after == {d: n for d, n in by_day.items() if d != day}, f"{schema}.{mart}"


def test_an_account_remapped_in_the_plan_sheet_is_relabelled_on_every_day(built: Path) -> None:
    """The plan read from the Google Sheet maps an account to another advertiser: every
    day of it moves, not only the window's (the mapping's data is a history input)."""
    sheets = ["--vars", json.dumps({"google_sheets__enabled": True})]
    dbt(["build", *sheets])  # marts__blue, in full: the var changed
    dbt(["build", *sheets])  # marts__green, the same
    ((account, before),) = query(
        built,
        "select account_id, advertiser_id from raw_google_sheets.ad_accounts "
        "where platform = 'meta_ads' order by account_id limit 1",
    )
    ((after,),) = query(
        built,
        "select min(advertiser_id) from raw_google_sheets.advertisers where advertiser_id <> ?",
        [before],
    )
    days_sql = (
        "select count(distinct date_day), count(*) filter (where advertiser_id <> ?) "
        "from marts.fct_ad_performance_daily where platform = 'meta_ads' and account_id = ?"
    )
    ((days, elsewhere),) = query(built, days_sql, [before, account])
    assert days > 35 and elsewhere == 0, (days, elsewhere)  # older days than the window
    con = duckdb.connect(str(built))
    try:
        con.execute(
            "update raw_google_sheets.ad_accounts set advertiser_id = ? "
            "where platform = 'meta_ads' and account_id = ?",
            [after, account],
        )
    finally:
        con.close()
    for schema in ("marts__blue", "marts__green"):
        dbt(["build", *sheets])
        assert published_marts_schema() == schema
        notes = last_build_notes(built)
        assert all(
            "stg_google_sheets__ad_accounts (its data)" in notes[mart] for mart in INCREMENTAL_MARTS
        ), notes
        for mart in ("fct_ad_performance_daily", "rpt_campaign_performance_daily"):
            ((moved, stayed),) = query(
                built,
                f"select count(*) filter (where advertiser_id = ?), "
                f"count(*) filter (where advertiser_id <> ?) from marts.{mart} "
                f"where platform = 'meta_ads' and account_id = ?",
                [after, after, account],
            )
            assert moved > 0 and stayed == 0, f"{schema}.{mart}: {stayed} rows keep the old one"


def test_a_platform_switched_off_leaves_none_of_its_rows_in_the_marts(built: Path) -> None:
    """Kakao switched off on a built warehouse (its raw tables stay): the state kept by
    month is rebuilt in full without it, so no Kakao campaign comes back as a member
    inferred from old report rows, and no mart keeps a Kakao row."""
    kakao = "kakao_moment"
    ((listed,),) = query(
        built, "select count(*) from marts.dim_campaigns where platform = ?", [kakao]
    )
    assert listed > 0
    dbt(["build", "--vars", json.dumps({f"{kakao}__enabled": False})])
    assert published_marts_schema() == "marts__blue"
    notes = last_build_notes(built)
    for model in (*INCREMENTAL_MARTS, "int_marketing__performance_entity_months"):
        assert notes[model].startswith("built in full"), (model, notes[model])
    for mart in ("dim_campaigns", "dim_ad_groups", "dim_ad_accounts", *INCREMENTAL_MARTS):
        ((left,),) = query(built, f"select count(*) from marts.{mart} where platform = ?", [kakao])
        assert left == 0, f"{mart}: {left} Kakao rows"
    ((state,),) = query(
        built,
        "select count(*) from marts__blue.int_marketing__performance_entity_months "
        "where platform = ?",
        [kakao],
    )
    assert state == 0


def test_the_suggestions_run_after_the_scores_without_reading_them(built: Path) -> None:
    """On DuckDB fct_suggestions_daily starts once fct_metric_scores_daily is built
    (argo.runs_after, DECISIONLOG 66), but the scores are not an input of its history: a
    var of the scores rebuilds them in full and continues the suggestions."""
    dbt(["build", "--vars", json.dumps({"anomalies__min_score": 4})])
    notes = last_build_notes(built)
    assert (
        notes["fct_metric_scores_daily"]
        == "built in full: var anomalies__min_score changed (5 -> 4)"
    )
    assert notes["fct_suggestions_daily"].startswith("continued"), notes["fct_suggestions_daily"]
    results = json.loads((built.parent / "target" / "run_results.json").read_text(encoding="utf-8"))
    execute = {
        result["unique_id"].rsplit(".", 1)[-1]: next(
            step for step in result["timing"] if step["name"] == "execute"
        )
        for result in results["results"]
        if result["unique_id"].startswith("model.")
    }
    scores, suggestions = execute["fct_metric_scores_daily"], execute["fct_suggestions_daily"]
    assert suggestions["started_at"] >= scores["completed_at"], (scores, suggestions)
