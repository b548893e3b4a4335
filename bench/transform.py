"""Transform benchmarks: ``dbt build`` at a scale factor, and incremental against full refresh.

Scale factors. SF1 is about one million ad-day fact rows across platforms
(``fct_ad_performance_daily``), SF10 ten times that. They start from a warehouse loaded
from the sandbox (every source, through dlt) and copy every advertiser of the ad
platforms and trackers under new ids (``<id>~<k>`` in every id column of every raw table
of those sources), so campaigns, ads, keywords, conversions and the tracker installs
that point at them stay joined, and dates, currencies, holidays and weather stay as the
world made them. The copies are written into the raw tables, as if dlt had loaded them.

``dbt build`` is measured in its own process: wall time, what dbt spent in the nodes
(``elapsed_time`` of run_results), and, apart, ``dbt parse`` with partial parsing off,
which is dbt's start-up and parse cost. Against it: ``bench/rpt_campaign_performance_daily.sql``,
one hand-written DuckDB query that computes the campaign report from the raw tables,
checked row for row against the dbt mart (``bench/check_handwritten.py``).

Incremental: a history of N days (the newest N days of the warehouse), its newest day
held back; a full build; the held-back day lands; then ``dbt run`` (incremental) and
``dbt run --full-refresh`` are timed on the same data.

Child: ``python -m bench.transform dbt <warehouse> <target_dir> <dbt args...>`` and
``python -m bench.transform handwritten <warehouse>``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import PROJECT_DIR, Child, answer, progress, run_child

#: Sources whose raw tables are copied per advertiser to grow the world.
CLONED_SCHEMAS = (
    "raw_meta_ads",
    "raw_google_ads",
    "raw_naver_searchad",
    "raw_kakao_moment",
    "raw_appsflyer",
    "raw_adjust",
)
#: Every column that identifies an advertiser's entity (or an install) in those tables.
ID_COLUMNS = frozenset(
    {
        "id",
        "account_id",
        "ad_account_id",
        "customer_id",
        "report_customer_id",
        "campaign_id",
        "ad_group_id",
        "adset_id",
        "ad_id",
        "creative_id",
        "keyword_id",
        "criterion_id",
        "campaign_id_network",
        "adgroup_id_network",
        "app_id",
        "app_token",
        "appsflyer_id",
        "_dlt_id",
    }
)
NO_ID = "'-', '', 'unknown'"
#: Raw fact table -> its day column (history length and the held-back day): the daily raw
#: tables, which dlt creates partitioned by month of that day on Athena (DECISIONLOG, 53;
#: tests/e2e/test_demo.py checks the two agree, bench/athena_daily.py prunes them).
FACT_DAYS = {
    "raw_meta_ads.ads_insights": "date_start",
    "raw_meta_ads.ads_insights_actions": "date_start",
    "raw_google_ads.ad_performance_daily": "segments_date",
    "raw_google_ads.ad_conversions_daily": "segments_date",
    "raw_google_ads.keyword_performance_daily": "segments_date",
    "raw_google_ads.keyword_conversions_daily": "segments_date",
    "raw_naver_searchad.ad_stats_daily": "stat_date",
    "raw_naver_searchad.ad_conversion_stats_daily": "stat_date",
    "raw_kakao_moment.creative_report": "report_date",
    "raw_kakao_moment.creative_report_conversions": "report_date",
    "raw_appsflyer.partners_daily": "date",
    "raw_appsflyer.partners_daily_events": "date",
    "raw_appsflyer.geo_daily": "date",
    "raw_appsflyer.geo_daily_events": "date",
    "raw_appsflyer.installs": "install_date",
    "raw_appsflyer.in_app_events": "event_date",
    "raw_adjust.report_daily": "day",
    "raw_adjust.report_daily_events": "day",
}
INCREMENTAL_MARTS = (
    "fct_ad_performance_daily",
    "fct_ad_conversions_daily",
    "rpt_campaign_performance_daily",
    "rpt_ad_group_performance_daily",
    "rpt_keyword_performance_daily",
)


def ad_day_rows(con: Any) -> int:
    """Ad-day rows the raw tables make (the grain of ``fct_ad_performance_daily``)."""
    (rows,) = con.execute(
        """
        select
            (select count(*) from raw_meta_ads.ads_insights)
            + (select count(*) from raw_google_ads.ad_performance_daily)
            + (select count(*) from raw_kakao_moment.creative_report)
            + (select count(*) from (
                select distinct stat_date, ad_id from raw_naver_searchad.ad_stats_daily))
        """
    ).fetchone()
    return int(rows)


def grow(path: Path, copies: int) -> None:
    """Adds ``copies - 1`` copies of every advertiser to the raw tables at ``path``."""
    import duckdb

    if copies <= 1:
        return
    with duckdb.connect(str(path)) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in ({', '.join('?' for _ in CLONED_SCHEMAS)}) "
            "and table_name not like '\\_dlt%' escape '\\' and table_type = 'BASE TABLE'",
            list(CLONED_SCHEMAS),
        ).fetchall()
        for schema, table in tables:
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ? and data_type = 'VARCHAR'",
                    [schema, table],
                ).fetchall()
                if name in ID_COLUMNS
            ]
            if not columns:
                continue
            # The APIs' own "no id" markers (Naver's '-', Adjust's 'unknown') stay as they are.
            replaced = ", ".join(
                f'case when "{c}" in ({NO_ID}) then "{c}" '
                f'else "{c}" || \'~\' || copy.k end as "{c}"'
                for c in columns
            )
            con.execute(
                f'insert into "{schema}"."{table}" '
                f'select * exclude (k) replace ({replaced}) from "{schema}"."{table}", '
                f"range(1, {copies}) as copy(k)"
            )


def keep_history(path: Path, days: int) -> str:
    """Keeps the newest ``days`` of every raw fact table; returns the newest day."""
    import duckdb

    with duckdb.connect(str(path)) as con:
        newest = max(
            con.execute(f"select max({column}) from {table}").fetchone()[0]  # type: ignore[index]
            for table, column in FACT_DAYS.items()
        )
        for table, column in FACT_DAYS.items():
            con.execute(
                f"delete from {table} where {column} <= ?::date - interval ({days}) day",
                [newest],
            )
    return str(newest)


def hold_back(path: Path, day: str) -> None:
    """Moves the raw rows of ``day`` aside (schema ``bench_held``)."""
    import duckdb

    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists bench_held")
        for table, column in FACT_DAYS.items():
            held = "bench_held." + table.replace(".", "__")
            con.execute(
                f"create or replace table {held} as select * from {table} where {column} = ?::date",
                [day],
            )
            con.execute(f"delete from {table} where {column} = ?::date", [day])


def land_held_back(path: Path) -> None:
    """Puts the held-back day's rows back, as a load of that day would.

    The rows come back as one new dlt load in each raw dataset: a new ``_dlt_load_id``
    recorded in its ``_dlt_loads`` now, and ``_loaded_at`` now, which is what
    ``dbt source freshness`` and the marts' window read.
    """
    import duckdb

    load_id = f"{time.time():.7f}"
    with duckdb.connect(str(path)) as con:
        for schema in sorted({table.split(".")[0] for table in FACT_DAYS}):
            (loads,) = con.execute(  # type: ignore[misc]
                "select count(*) from information_schema.tables "
                "where table_schema = ? and table_name = '_dlt_loads'",
                [schema],
            ).fetchone()
            if loads:
                con.execute(
                    f"insert into {schema}._dlt_loads "
                    "(load_id, schema_name, status, inserted_at) values (?, ?, 0, now())",
                    [load_id, schema.removeprefix("raw_")],
                )
        for table in FACT_DAYS:
            held = "bench_held." + table.replace(".", "__")
            schema, name = table.split(".")
            columns = {
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ?",
                    [schema, name],
                ).fetchall()
            }
            replaced = [f"'{load_id}' as _dlt_load_id"] if "_dlt_load_id" in columns else []
            if "_loaded_at" in columns:
                replaced.append("now() as _loaded_at")
            replace = f" replace ({', '.join(replaced)})" if replaced else ""
            con.execute(f"insert into {table} select *{replace} from {held}")
        con.execute("drop schema bench_held cascade")


# -- children --------------------------------------------------------------------------------


def child_dbt(warehouse: str, target_dir: str, *args: str) -> None:
    """One dbt command on ``warehouse``; answers dbt's own timings from run_results."""
    os.environ["ARGO_DUCKDB_PATH"] = warehouse
    os.environ["DBT_TARGET_PATH"] = target_dir
    os.environ["DBT_LOG_PATH"] = target_dir
    from argo.transform import TransformError, dbt, marts_schema_for

    pinned = os.environ.get("BENCH_MARTS_SCHEMA")
    schema = pinned or marts_schema_for(args[0])

    results_file = Path(target_dir) / "run_results.json"
    results_file.unlink(missing_ok=True)
    started = time.perf_counter()
    try:
        dbt(list(args), marts_schema=pinned)
    except TransformError:
        # A source past its freshness threshold fails `dbt source freshness`; what it
        # measured is in sources.json all the same, which is what the next build reads.
        if args[0] != "source":
            raise
    seconds = time.perf_counter() - started
    summary: dict[str, Any] = {"seconds": seconds, "schema": schema}
    if args[0] not in ("parse", "source") and results_file.exists():
        summary.update(results_figures(json.loads(results_file.read_text())))
    answer(summary)


def results_figures(results: dict[str, Any]) -> dict[str, Any]:
    """What a ``run_results.json`` says: nodes, models, node seconds per kind, slowest."""
    by_kind: dict[str, float] = {}
    marts = 0.0
    for result in results["results"]:
        kind = result["unique_id"].split(".")[0]
        by_kind[kind] = by_kind.get(kind, 0.0) + result["execution_time"]
        if result["unique_id"].split(".")[-1] in INCREMENTAL_MARTS:
            marts += result["execution_time"]
    return {
        "elapsed": results.get("elapsed_time"),
        "node_seconds": by_kind,
        "incremental_marts_seconds": marts,
        "nodes": len(results["results"]),
        "models": sum(1 for r in results["results"] if r["unique_id"].startswith("model.")),
        "slowest": [
            [r["unique_id"], round(r["execution_time"], 2)]
            for r in sorted(results["results"], key=lambda r: -r["execution_time"])[:15]
        ],
        "failures": sum(1 for r in results["results"] if r["status"] in ("error", "fail")),
    }


#: Where :func:`child_argo` keeps the run_results.json of the run's ``dbt build``
#: (the publish after it writes its own).
BUILD_RESULTS = "build_run_results.json"


def child_argo(warehouse: str, target_dir: str, *args: str) -> None:
    """``argo transform <args>`` on ``warehouse``, as a user runs it (argo.cli.main).

    Answers its wall seconds and the seconds of its steps, timed around argo.transform's
    own functions: ``parse`` (dbt's start-up and partial parse), ``freshness`` (``dbt source
    freshness``), ``build`` (the ``dbt build``), ``publish`` (the run-operation that
    publishes a daily build); the day's work's :class:`argo.transform.ChangedBuild`
    (reason, published schema, nodes selected); and the figures of the build's
    run_results.json (kept as :data:`BUILD_RESULTS` in ``target_dir``).
    """
    os.environ["ARGO_DUCKDB_PATH"] = warehouse
    os.environ["DBT_TARGET_PATH"] = target_dir
    os.environ["DBT_LOG_PATH"] = target_dir
    from argo import cli
    from argo import transform as argo_transform

    steps: dict[str, float] = {}
    changed: list[Any] = []
    kept = Path(target_dir) / BUILD_RESULTS
    kept.unlink(missing_ok=True)

    def timed(name: str, function: Any) -> Any:
        def wrapper(*a: Any, **k: Any) -> Any:
            step = name
            if name == "dbt":
                step = {"build": "build", "run-operation": "publish"}.get(a[0][0], a[0][0])
            started = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                steps[step] = steps.get(step, 0.0) + time.perf_counter() - started
                if step == "build":
                    results = Path(target_dir) / "run_results.json"
                    if results.exists():
                        shutil.copyfile(results, kept)

        return wrapper

    for name in ("parsed", "source_freshness", "dbt"):
        setattr(argo_transform, name, timed(name, getattr(argo_transform, name)))
    # argo.cli imported both by name: its references are replaced too.
    for name in ("dbt", "build_changed"):
        setattr(cli, name, getattr(argo_transform, name))
    build_changed = argo_transform.build_changed

    def recorded(*a: Any, **k: Any) -> Any:
        result = build_changed(*a, **k)
        changed.append(result)
        return result

    setattr(cli, "build_changed", recorded)  # noqa: B010
    started = time.perf_counter()
    code = cli.main(["transform", *args])
    seconds = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"argo transform {' '.join(args)} exited {code}")
    summary: dict[str, Any] = {
        "seconds": seconds,
        "steps": {
            {"parsed": "parse", "source_freshness": "freshness"}.get(k, k): v
            for k, v in steps.items()
        },
    }
    if changed:
        summary.update(
            schema=changed[0].schema,
            reason=changed[0].reason,
            published=changed[0].published,
            selected=len(changed[0].selected),
            full=changed[0].full,
        )
    if kept.exists():
        summary.update(results_figures(json.loads(kept.read_text())))
    answer(summary)


def child_handwritten(warehouse: str) -> None:
    """Runs the hand-written campaign report into a table; answers its time and rows."""
    import duckdb

    from bench.check_handwritten import RESULT_TABLE, count_rows, differences, materialize

    with duckdb.connect(warehouse) as con:
        # The timed run's result is the one checked: the query runs once.
        seconds = materialize(con, PROJECT_DIR / "seeds")
        rows = count_rows(con, RESULT_TABLE)
        found = differences(con)
    answer({"seconds": seconds, "rows": rows, "differences": len(found)})


def dbt_child(
    warehouse: Path, target_dir: Path, *args: str, marts_schema: str | None = None
) -> Child:
    """``dbt <args>`` in its own process on ``warehouse`` (marts in ``marts_schema``)."""
    target_dir.mkdir(parents=True, exist_ok=True)
    env = {"BENCH_MARTS_SCHEMA": marts_schema} if marts_schema else None
    return run_child("bench.transform", "dbt", str(warehouse), str(target_dir), *args, env=env)


# -- the benchmarks --------------------------------------------------------------------------


def grow_scale_factor(base: Path, sf: float, workdir: Path) -> tuple[Path, int, float]:
    """The raw tables of ``base`` grown to scale factor ``sf``: (warehouse, copies, seconds)."""
    import duckdb

    with duckdb.connect(str(base), read_only=True) as con:
        base_rows = ad_day_rows(con)
    copies = max(1, round(sf * 1_000_000 / base_rows))
    warehouse = workdir / f"sf{sf:g}" / "argo.duckdb"
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    warehouse.parent.mkdir(parents=True)
    shutil.copy(base, warehouse)
    progress(f"SF{sf:g}: {copies} copies of {base_rows:,} ad-day rows")
    started = time.perf_counter()
    grow(warehouse, copies)
    return warehouse, copies, time.perf_counter() - started


def scale_factor(base: Path, sf: float, workdir: Path) -> dict[str, Any]:
    """``dbt build`` and the hand-written query at scale factor ``sf``."""
    import duckdb

    warehouse, copies, grow_seconds = grow_scale_factor(base, sf, workdir)
    target = workdir / f"sf{sf:g}" / "target"
    progress(f"transform SF{sf:g}: dbt parse (no partial parse): dbt's start-up and parse")
    parse = dbt_child(warehouse, target, "parse", "--no-partial-parse")
    progress(f"transform SF{sf:g}: dbt build")
    build = dbt_child(warehouse, target, "build")
    # The like-for-like figure: only the report and what it is built from, no tests.
    progress(f"transform SF{sf:g}: dbt run of the report and its upstream only")
    path_only = dbt_child(
        warehouse, target, "run", "--full-refresh", "--select", "+rpt_campaign_performance_daily"
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (facts,) = con.execute("select count(*) from marts.fct_ad_performance_daily").fetchone()  # type: ignore[misc]
        (report,) = con.execute(  # type: ignore[misc]
            "select count(*) from marts.rpt_campaign_performance_daily"
        ).fetchone()
        raw_mb = warehouse.stat().st_size / 1e6
    progress(f"transform SF{sf:g}: the hand-written query (and its check against the mart)")
    hand = run_child("bench.transform", "handwritten", str(warehouse))
    return {
        "sf": sf,
        "copies": copies,
        "fct_ad_performance_daily_rows": facts,
        "rpt_campaign_performance_daily_rows": report,
        "warehouse_mb": round(raw_mb, 1),
        "grow_seconds": round(grow_seconds, 1),
        "dbt_parse_seconds": round(parse.seconds, 2),
        "dbt_build_seconds": round(build.seconds, 2),
        "dbt_build_nodes": build.answer.get("nodes"),
        "dbt_build_failures": build.answer.get("failures"),
        "dbt_build_node_seconds": {
            k: round(v, 2) for k, v in build.answer.get("node_seconds", {}).items()
        },
        "dbt_build_peak_rss_mb": round(build.peak_rss_mb, 1),
        "handwritten_seconds": round(hand.answer["seconds"], 2),
        "handwritten_rows": hand.answer["rows"],
        "handwritten_differences": hand.answer["differences"],
        "handwritten_peak_rss_mb": round(hand.peak_rss_mb, 1),
        "report_run_seconds": round(path_only.seconds, 2),
        "report_run_models": path_only.answer.get("nodes"),
        "report_run_vs_handwritten": round(path_only.seconds / hand.answer["seconds"], 1),
        "build_vs_handwritten": round(build.seconds / hand.answer["seconds"], 1),
        "build_minus_parse_vs_handwritten": round(
            (build.seconds - parse.seconds) / hand.answer["seconds"], 1
        ),
    }


def marts_tables(con: Any, schema: str) -> list[str]:
    """The tables dbt built in a marts build schema (not ARGO's own bookkeeping)."""
    return [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "and table_type = 'BASE TABLE' order by 1",
            [schema],
        ).fetchall()
    ]


#: Significant digits a double is compared at. DuckDB sums doubles in parallel, in no
#: fixed order, so two builds of the same data may differ in the last bits (a pacing day
#: weight of 0.6929819237516036 against ...035; money at risk of 38179213.907062 against
#: ...061, which 6 decimal places did not hide): not a difference a reader can see.
DOUBLE_DIGITS = 10


def compare_marts(path: Path, daily: str, full: str) -> dict[str, int]:
    """Rows of each mart in one schema and not the other (EXCEPT ALL both ways).

    Doubles are compared at :data:`DOUBLE_DIGITS` significant digits; every other type
    exactly. The comparison gets the memory dbt gets (``ARGO_DBT_MEMORY_LIMIT``) and
    spills beyond it: at SF10, with DuckDB's own 80 % of RAM, it grew past 20 GB and the
    kernel killed the bench.
    """
    import duckdb

    from argo.settings import dbt_memory_limit

    differences: dict[str, int] = {}
    with duckdb.connect(str(path), config={"memory_limit": dbt_memory_limit()}) as con:
        for table in marts_tables(con, daily):
            columns = ", ".join(
                f"printf('%.{DOUBLE_DIGITS}g', \"{c}\")"
                if kind in ("DOUBLE", "FLOAT")
                else f'"{c}"'
                for (c, kind) in con.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [daily, table],
                ).fetchall()
            )
            (rows,) = con.execute(  # type: ignore[misc]
                f"select (select count(*) from (select {columns} from {daily}.{table} "
                f"except all select {columns} from {full}.{table})) + "
                f"(select count(*) from (select {columns} from {full}.{table} "
                f"except all select {columns} from {daily}.{table}))"
            ).fetchone()
            differences[table] = int(rows)
    return differences


def lookback_days() -> int:
    """``argo__mart_lookback_days`` of dbt_project.yml."""
    import yaml  # type: ignore[import-untyped]

    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    return int(project["vars"]["argo__mart_lookback_days"])


def argo_child(warehouse: Path, target_dir: Path, *args: str) -> Child:
    """``argo transform <args>`` in its own process on ``warehouse`` (:func:`child_argo`)."""
    target_dir.mkdir(parents=True, exist_ok=True)
    return run_child("bench.transform", "argo", str(warehouse), str(target_dir), *args)


def daily(source: Path, sf: float, workdir: Path) -> dict[str, Any]:
    """The daily run against a full refresh, on a copy of the SF warehouse ``source``.

    Every build is ``argo transform`` in its own process, as a user runs it. The copy
    starts with nothing built. With its newest day held back, ``argo transform`` twice:
    each build schema has no state yet, so each builds everything, publishes, and keeps
    its state (as in production, where the two take turns). Then ``argo transform`` with
    no new data (the day's work: the freshness check finds nothing fresher and stops),
    the day landing (a new dlt load in every daily raw table), and ``argo transform``
    again: the one-day run, into the schema the first build wrote. Last, ``argo transform
    --all --full-refresh`` of the same data into the other schema: the full refresh timed
    against the one-day run, and the marts compared with the one-day run's, row for row.
    """
    import duckdb

    folder = workdir / f"daily_sf{sf:g}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    warehouse = folder / "argo.duckdb"
    shutil.copy(source, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        for (schema,) in con.execute(
            "select schema_name from information_schema.schemata "
            "where schema_name = 'marts' or schema_name like 'marts\\_\\_%' escape '\\' "
            "or schema_name = 'marts__state'"
        ).fetchall():
            con.execute(f'drop schema "{schema}" cascade')
        (first, newest) = con.execute(  # type: ignore[misc]
            "select min(date_start), max(date_start) from raw_meta_ads.ads_insights"
        ).fetchone()
    history_days = (newest - first).days + 1
    hold_back(warehouse, str(newest))
    target = folder / "target"

    firsts = []
    for n in (1, 2):
        progress(f"daily SF{sf:g}: argo transform {n} of 2 (no state: everything, day held back)")
        firsts.append(argo_child(warehouse, target))
    daily_schema, full_schema = firsts[0].answer["schema"], firsts[1].answer["schema"]
    shutil.copy(target / BUILD_RESULTS, folder / "full_run_results.json")
    progress(f"daily SF{sf:g}: argo transform, no new data")
    idle = argo_child(warehouse, target)
    land_held_back(warehouse)
    progress(f"daily SF{sf:g}: argo transform, the day {newest} landed")
    day = argo_child(warehouse, target)
    if day.answer.get("schema") != daily_schema:
        raise RuntimeError(f"the one-day run built {day.answer.get('schema')}, not {daily_schema}")
    shutil.copy(target / BUILD_RESULTS, folder / "day_run_results.json")
    progress(f"daily SF{sf:g}: the Athena scan model of both runs")
    scan = run_child(
        "bench.athena_daily",
        str(warehouse),
        str(target / "manifest.json"),
        str(folder / "full_run_results.json"),
        str(folder / "day_run_results.json"),
        str(lookback_days()),
        str(newest),
        str(history_days),
    ).answer
    progress(f"daily SF{sf:g}: argo transform --all --full-refresh of the same data")
    full = argo_child(warehouse, target, "--all", "--full-refresh")
    differences = compare_marts(warehouse, daily_schema, full_schema)
    steps = idle.answer["steps"]
    figures = {
        "sf": sf,
        "history_days": history_days,
        "day": str(newest),
        "full_build_seconds": round(full.seconds, 2),
        "full_build_dbt_seconds": round(full.answer["steps"].get("build", 0.0), 2),
        "full_build_nodes": full.answer.get("nodes"),
        "full_build_models": full.answer.get("models"),
        "full_build_failures": full.answer.get("failures"),
        "full_build_node_seconds": {
            k: round(v, 2) for k, v in full.answer.get("node_seconds", {}).items()
        },
        "full_build_peak_rss_mb": round(full.peak_rss_mb, 1),
        "full_build_slowest": full.answer.get("slowest"),
        "startup_seconds": round(steps.get("parse", 0.0), 2),
        "idle_reason": idle.answer.get("reason"),
        "idle_freshness_seconds": round(steps.get("freshness", 0.0), 2),
        "idle_build_seconds": round(steps.get("build", 0.0), 2),
        "idle_nodes": idle.answer.get("selected", 0),
        "idle_seconds": round(idle.answer["seconds"], 2),
        "idle_wall_seconds": round(idle.seconds, 2),
        "idle_beyond_startup_seconds": round(idle.answer["seconds"] - steps.get("parse", 0.0), 2),
        "one_day_reason": day.answer.get("reason"),
        "one_day_parse_seconds": round(day.answer["steps"].get("parse", 0.0), 2),
        "one_day_freshness_seconds": round(day.answer["steps"].get("freshness", 0.0), 2),
        "one_day_build_seconds": round(day.answer["steps"].get("build", 0.0), 2),
        "one_day_publish_seconds": round(day.answer["steps"].get("publish", 0.0), 2),
        "one_day_seconds": round(day.seconds, 2),
        "one_day_nodes": day.answer.get("nodes"),
        "one_day_models": day.answer.get("models"),
        "one_day_failures": day.answer.get("failures"),
        "one_day_node_seconds": {
            k: round(v, 2) for k, v in day.answer.get("node_seconds", {}).items()
        },
        "one_day_slowest": day.answer.get("slowest"),
        "one_day_peak_rss_mb": round(day.peak_rss_mb, 1),
        "one_day_vs_full": round(day.seconds / full.seconds, 3),
        "athena_scan": scan,
        "marts_compared": len(differences),
        "marts_differing": {k: v for k, v in differences.items() if v},
    }
    if not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(folder, ignore_errors=True)
    return figures


def main(argv: list[str]) -> int:
    """Child entry points (see the module docstring)."""
    if argv[:1] == ["dbt"]:
        child_dbt(argv[1], argv[2], *argv[3:])
    elif argv[:1] == ["argo"]:
        child_argo(argv[1], argv[2], *argv[3:])
    elif argv[:1] == ["schema"]:
        os.environ["ARGO_DUCKDB_PATH"] = argv[1]
        from argo.transform import marts_schema_for

        answer({"schema": marts_schema_for("build")})
    elif argv[:1] == ["handwritten"]:
        child_handwritten(argv[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
