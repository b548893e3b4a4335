"""The benchmark's own machinery: what it measures must be what it claims to measure."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pytest
import requests

from argo.settings import SettingError
from bench import ingest, run, transform
from bench.common import machine
from ingestion.sandbox.http import Exchange


def _exchange(target: str, body: bytes, response: bytes, method: str = "GET") -> Exchange:
    return Exchange(method, target, {}, body, 200, response, "application/json")


def test_records_are_the_longest_list_of_objects() -> None:
    meta_page = {
        "data": [{"ad_id": "1", "actions": [{"a": 1}, {"a": 2}, {"a": 3}]}, {"ad_id": "2"}],
        "paging": {"cursors": {"after": "x"}},
    }
    assert [r["ad_id"] for r in ingest.records_of(meta_page)] == ["1", "2"]
    # Google Ads searchStream: a list of batches, each with its results.
    stream = [
        {"results": [{"campaign": {"id": "1"}}], "fieldMask": "campaign.id", "requestId": "r"},
        {"results": [{"campaign": {"id": "2"}}, {"campaign": {"id": "3"}}], "requestId": "s"},
    ]
    assert [r["campaign"]["id"] for r in ingest.records_of(stream)] == ["1", "2", "3"]
    # A plain list of records (Naver's campaigns, Eximbank's rates) is itself the records.
    plain = [{"id": "a", "rows": [{"x": 1}]}, {"id": "b", "rows": [{"x": 2}]}, {"id": "c"}]
    assert ingest.records_of(plain) == plain
    assert ingest.records_of({"status": "DONE"}) == []


def test_replay_answers_in_recorded_order_then_repeats_the_last() -> None:
    fake_root = "http://127.0.0.1:1"
    recorded = [
        _exchange("/job/1", b"", b'{"status": "RUNNING"}'),
        _exchange("/job/1", b"", b'{"status": "DONE", "next": "' + fake_root.encode() + b'/p"}'),
        _exchange("/search", b'{"q": 1}', b'{"rows": 1}', "POST"),
        _exchange("/search", b'{"q": 2}', b'{"rows": 2}', "POST"),
    ]
    server = ingest.ReplayServer(recorded, fake_root)
    root = server.start()
    try:
        polls = [requests.get(root + "/job/1", timeout=5).json()["status"] for _ in range(3)]
        assert polls == ["RUNNING", "DONE", "DONE"]
        # The fake's address inside an answer points at the replay server.
        assert requests.get(root + "/job/1", timeout=5).json()["next"] == root + "/p"
        # Same path, different body: a different request.
        second = requests.post(root + "/search", data=b'{"q": 2}', timeout=5)
        assert second.json() == {"rows": 2}
        missing = requests.get(root + "/job/2", timeout=5)
        assert missing.status_code == 599
        assert server.misses == ["GET /job/2"]
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("header", "path"),
    [
        # Naver's report jobs of one day have one body for every customer.
        ("X-Customer", "/stat-reports"),
        # Kakao's campaign listing has one URL for every ad account.
        ("adAccountId", "/openapi/v4/campaigns?config=ON%2COFF%2CDEL"),
    ],
)
def test_replay_tells_accounts_apart_by_their_header(header: str, path: str) -> None:
    body = b'{"reportTp": "AD", "statDt": "2026-01-01"}'
    recorded = [
        Exchange("POST", path, {header: "1"}, body, 200, b'{"id": 1}', "json"),
        Exchange("POST", path, {header.lower(): "2"}, body, 200, b'{"id": 2}', "json"),
    ]
    server = ingest.ReplayServer(recorded, "http://127.0.0.1:1")
    root = server.start()
    try:
        for account in ("2", "1", "2"):  # asked in another order than recorded
            answer = requests.post(root + path, data=body, headers={header: account}, timeout=5)
            assert answer.json() == {"id": int(account)}
    finally:
        server.stop()


def _raw(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw_naver_searchad")
        con.execute("create schema raw_appsflyer")
        con.execute("create schema raw_exchange_rates")
        con.execute(
            "create table raw_naver_searchad.ad_stats_daily as select * from (values "
            "('100', 'cmp-1', '-', 'ad-1', date '2026-01-01', 5), "
            "('100', 'cmp-1', 'kw-1', 'ad-2', date '2026-01-02', 7)) "
            "as t(customer_id, campaign_id, keyword_id, ad_id, stat_date, clicks)"
        )
        con.execute(
            "create table raw_naver_searchad.campaigns as select * from (values "
            "('100', 'cmp-1', 'Brand')) as t(customer_id, campaign_id, name)"
        )
        con.execute(
            "create table raw_appsflyer.installs as select * from (values "
            "('app', 'cmp-1', 'unknown', date '2026-01-01')) "
            "as t(app_id, campaign_id, adset_id, install_date)"
        )
        con.execute(
            "create table raw_exchange_rates.exchange_rates as select * from (values "
            "('USD', date '2026-01-01', 1400.0)) as t(currency_code, rate_date, rate)"
        )


def test_grow_copies_advertisers_under_new_ids_keeping_joins(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    _raw(path)
    transform.grow(path, 3)
    with duckdb.connect(str(path)) as con:
        stats = con.execute(
            "select customer_id, campaign_id, keyword_id, clicks "
            "from raw_naver_searchad.ad_stats_daily order by all"
        ).fetchall()
        assert len(stats) == 6
        assert {s[0] for s in stats} == {"100", "100~1", "100~2"}
        # Naver's "no keyword" marker and Adjust-style 'unknown' are not ids to copy.
        assert sorted({s[2] for s in stats}) == ["-", "kw-1", "kw-1~1", "kw-1~2"]
        assert sum(s[3] for s in stats) == 3 * 12
        # Every copied stat still finds its copied campaign, and the tracker row its campaign.
        (orphans,) = con.execute(
            "select count(*) from raw_naver_searchad.ad_stats_daily s "
            "left join raw_naver_searchad.campaigns c using (customer_id, campaign_id) "
            "where c.name is null"
        ).fetchone()  # type: ignore[misc]
        assert orphans == 0
        installs = con.execute(
            "select campaign_id, adset_id from raw_appsflyer.installs"
        ).fetchall()
        assert sorted(installs) == [
            ("cmp-1", "unknown"),
            ("cmp-1~1", "unknown"),
            ("cmp-1~2", "unknown"),
        ]
        # Public data is the same world for every advertiser: not copied.
        (rates,) = con.execute("select count(*) from raw_exchange_rates.exchange_rates").fetchone()  # type: ignore[misc]
        assert rates == 1


def test_history_and_held_back_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "w.duckdb"
    _raw(path)
    monkeypatch.setattr(
        transform,
        "FACT_DAYS",
        {
            "raw_naver_searchad.ad_stats_daily": "stat_date",
            "raw_appsflyer.installs": "install_date",
        },
    )
    newest = transform.keep_history(path, 1)
    assert newest == "2026-01-02"
    with duckdb.connect(str(path)) as con:
        assert con.execute("select count(*) from raw_naver_searchad.ad_stats_daily").fetchone() == (
            1,
        )
        assert con.execute("select count(*) from raw_appsflyer.installs").fetchone() == (0,)
    transform.hold_back(path, newest)
    with duckdb.connect(str(path)) as con:
        assert con.execute("select count(*) from raw_naver_searchad.ad_stats_daily").fetchone() == (
            0,
        )
    transform.land_held_back(path)
    with duckdb.connect(str(path)) as con:
        assert con.execute("select clicks from raw_naver_searchad.ad_stats_daily").fetchall() == [
            (7,)
        ]


def test_the_landed_day_is_a_new_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw_adjust")
        con.execute(
            "create table raw_adjust._dlt_loads (load_id varchar, schema_name varchar, "
            "status bigint, inserted_at timestamptz, schema_version_hash varchar)"
        )
        con.execute("insert into raw_adjust._dlt_loads values ('1.0', 'adjust', 0, now(), null)")
        con.execute(
            "create table raw_adjust.report_daily as select * from (values "
            "(date '2026-01-01', 'old', timestamptz '2026-01-01 00:00:00+00', 3), "
            "(date '2026-01-02', '1.0', timestamptz '2026-01-02 00:00:00+00', 4)) "
            "as t(day, _dlt_load_id, _loaded_at, installs)"
        )
    monkeypatch.setattr(transform, "FACT_DAYS", {"raw_adjust.report_daily": "day"})
    transform.hold_back(path, "2026-01-02")
    transform.land_held_back(path)
    with duckdb.connect(str(path)) as con:
        (load_id,) = con.execute(
            "select load_id from raw_adjust._dlt_loads where load_id <> '1.0'"
        ).fetchone()  # type: ignore[misc]
        landed = con.execute(
            "select _dlt_load_id, _loaded_at > timestamptz '2026-01-03 00:00:00+00', installs "
            "from raw_adjust.report_daily where day = date '2026-01-02'"
        ).fetchall()
    # What dbt source freshness (max _loaded_at) and the marts' window (load ids committed
    # after the last build) read: the day came in a load of its own, now.
    assert landed == [(load_id, True, 4)]


def test_compare_marts_counts_rows_on_either_side_only(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        for schema in ("marts__blue", "marts__green"):
            con.execute(f"create schema {schema}")
            con.execute(f"create table {schema}.same as select 1 as a")
        con.execute("create table marts__blue.fct as select * from (values (1), (2), (2)) t(a)")
        con.execute("create table marts__green.fct as select * from (values (1), (2), (3)) t(a)")
    # One 2 too many on one side, one 3 missing on it: EXCEPT ALL both ways.
    assert transform.compare_marts(path, "marts__blue", "marts__green") == {"fct": 2, "same": 0}


def test_compare_marts_gets_the_memory_dbt_gets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        for schema in ("marts__blue", "marts__green"):
            con.execute(f"create schema {schema}")
            con.execute(f"create table {schema}.fct as select 1 as a")
    monkeypatch.setenv("ARGO_DBT_MEMORY_LIMIT", "100MB")
    assert transform.compare_marts(path, "marts__blue", "marts__green") == {"fct": 0}
    monkeypatch.setenv("ARGO_DBT_MEMORY_LIMIT", "lots")
    with pytest.raises(SettingError, match="ARGO_DBT_MEMORY_LIMIT"):
        transform.compare_marts(path, "marts__blue", "marts__green")


def test_compare_marts_leaves_the_last_bit_of_a_double_to_the_engine(tmp_path: Path) -> None:
    """A parallel sum's last bits are not a difference; the sixth significant digit is."""
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        for schema, weight in (("marts__blue", 0.6929819237516036), ("marts__green", None)):
            con.execute(f"create schema {schema}")
            value = weight if weight is not None else 0.6929819237516035
            con.execute(f"create table {schema}.w as select {value}::double as x, 'a' as k")
            con.execute(f"create table {schema}.z as select {value + 1e-6}::double as x")
        con.execute("update marts__green.z set x = 0.6929819237516036")
        # Money of eight digits whose parallel sums differ in the sixth decimal place.
        for schema, money in (("marts__blue", 38179213.907062), ("marts__green", 38179213.907061)):
            con.execute(f"create table {schema}.m as select {money}::double as x")
    assert transform.compare_marts(path, "marts__blue", "marts__green") == {
        "m": 0,
        "w": 0,
        "z": 2,
    }


def _results(**overrides: Any) -> dict[str, Any]:
    results: dict[str, Any] = {
        "ingest": [
            {
                "source": "a",
                "rows": 50_000,
                "dlt_seconds": 3.0,
                "baseline_seconds": 2.0,
                "dlt_vs_baseline": 1.5,
            },
            {
                "source": "b",
                "rows": 20_000,
                "dlt_seconds": 1.0,
                "baseline_seconds": 1.0,
                "dlt_vs_baseline": 1.0,
            },
            # A tiny source measures dlt's fixed cost per run: not judged.
            {
                "source": "c",
                "rows": 60,
                "dlt_seconds": 1.2,
                "baseline_seconds": 0.1,
                "dlt_vs_baseline": 12.0,
            },
        ],
        "transform": [
            {"sf": 1.0, "build_vs_handwritten": 9.0, "build_minus_parse_vs_handwritten": 5.0},
            {"sf": 10.0, "build_vs_handwritten": 2.5, "build_minus_parse_vs_handwritten": 2.0},
        ],
        "incremental": [
            {
                "sf": 1.0,
                "one_day_vs_full": 0.05,
                "one_day_seconds": 5.0,
                "full_build_seconds": 100.0,
                "idle_beyond_startup_seconds": 2.0,
                "startup_seconds": 6.0,
                "idle_nodes": 0,
                "marts_differing": {},
            },
            {
                "sf": 10.0,
                "one_day_vs_full": 0.2,
                "one_day_seconds": 60.0,
                "full_build_seconds": 300.0,
                "idle_beyond_startup_seconds": 7.5,
                "startup_seconds": 6.0,
                "idle_nodes": 3,
                "marts_differing": {"fct_anomalies_daily": 4},
                "athena_scan": {
                    "target_share": 0.127,
                    "layouts": {
                        "raw by month": {"one_day_share": 0.4, "met": False},
                        "raw unpartitioned": {"one_day_share": 0.1, "met": True},
                        "raw and marts by day": {"one_day_share": 0.05, "met": True},
                    },
                },
            },
        ],
        "memory": [
            {"source": "a", "days": 90, "stream_peak_mb": 200.0, "load_peak_mb": 210.0},
            {"source": "a", "days": 730, "stream_peak_mb": 220.0, "load_peak_mb": 230.0},
            {"source": "b", "days": 90, "stream_peak_mb": 100.0, "load_peak_mb": 100.0},
            {"source": "b", "days": 730, "stream_peak_mb": 110.0, "load_peak_mb": 300.0},
        ],
    }
    results.update(overrides)
    return results


def test_targets_are_judged_on_the_figures() -> None:
    summary = run.summarize(_results())
    assert summary["ingest"]["ratio"] == pytest.approx(5.2 / 3.1)
    assert summary["targets"] == {
        "ingest": True,  # both sources of volume within 1.5x of the floor (a: 1.5x)
        "transform": True,  # judged at the largest SF only
        "incremental": False,  # 20% of a full refresh at the largest SF (5% at SF1)
        "no_new_data": False,  # 7.5 s beyond start-up at SF10
        "athena_scan": False,  # judged on the production layout (raw by month)
        "daily_equals_full": False,  # one mart differs
        "memory": True,  # the connectors stay flat (b's load step grew 3x: capped, not judged)
        "memory_backfill": True,  # at 730 days every process under 1 GB
    }
    assert "fct_anomalies_daily: 4 rows" in summary["target_figures"]["daily_equals_full"]
    assert "40.0% of the full" in summary["target_figures"]["athena_scan"]
    assert (
        "unpartitioned (a lake created before 2026-11-30) 10.0%"
        in (summary["target_figures"]["athena_scan"])
    )
    # shown beside it, never judged: production has no day partitions
    assert "partitioned by day 5.0%" in summary["target_figures"]["athena_scan"]
    assert "b 3.00x" in summary["target_figures"]["memory"]
    slower = _results(
        ingest=[
            {
                "source": "a",
                "rows": 50_000,
                "dlt_seconds": 5.0,
                "baseline_seconds": 2.0,
                "dlt_vs_baseline": 2.5,
            },
            {
                "source": "b",
                "rows": 900_000,
                "dlt_seconds": 50.0,
                "baseline_seconds": 49.0,
                "dlt_vs_baseline": 1.02,
            },
        ]
    )
    # In all 1.07x, but one source of volume is 2.5x: not met.
    assert run.summarize(slower)["targets"]["ingest"] is False
    # Issue #17's bound is 1.5x per source (issue #6 allowed 2x): 1.6x is not met.
    near = _results()
    near["ingest"][0].update(dlt_seconds=3.2, dlt_vs_baseline=1.6)
    assert run.summarize(near)["targets"]["ingest"] is False
    flat = _results(
        memory=[
            {"source": "a", "days": 90, "stream_peak_mb": 200.0, "load_peak_mb": 210.0},
            {"source": "a", "days": 730, "stream_peak_mb": 210.0, "load_peak_mb": 220.0},
        ]
    )
    assert run.summarize(flat)["targets"]["memory"] is True
    growing = _results(
        memory=[
            {"source": "a", "days": 90, "stream_peak_mb": 200.0, "load_peak_mb": 210.0},
            {"source": "a", "days": 730, "stream_peak_mb": 260.0, "load_peak_mb": 220.0},
        ]
    )
    assert run.summarize(growing)["targets"]["memory"] is False


def test_the_longest_backfill_is_judged_per_process_against_1_gb() -> None:
    heavy = _results(
        memory=[
            {"source": "a", "days": 90, "stream_peak_mb": 200.0, "load_peak_mb": 300.0},
            {"source": "a", "days": 730, "stream_peak_mb": 210.0, "load_peak_mb": 940.0},
            {"source": "b", "days": 90, "stream_peak_mb": 200.0, "load_peak_mb": 400.0},
            {
                "source": "b",
                "days": 730,
                "peak_rss_mb": 1010.0,  # the process's own peak counts, not only the steps'
                "stream_peak_mb": 210.0,
                "load_peak_mb": 990.0,
            },
        ]
    )
    summary = run.summarize(heavy)
    assert summary["targets"]["memory_backfill"] is False
    assert summary["memory_backfill"] == {"days": 730, "peak_mb": {"a": 940.0, "b": 1010.0}}
    assert summary["target_figures"]["memory_backfill"] == "730 days: highest b 1010 MB; over: b"


def test_baseline_sink_keeps_every_row_when_the_shape_changes(tmp_path: Path) -> None:
    import pyarrow as pa

    sink = ingest._Sink(str(tmp_path / "b.duckdb"))
    sink.write("stats", pa.table({"clicks": [1, 2]}))
    sink.write("stats", pa.table({"clicks": [3]}))
    sink.write("stats", pa.table({"name": ["x"]}))  # another shape: a table of its own
    sink.write("stats", pa.table({"clicks": [4]}))  # the first shape again: still stored
    sink.add_records("campaigns", [{"id": "1", "budget": None}, {"id": "2", "budget": None}])
    sink.close()
    with duckdb.connect(str(tmp_path / "b.duckdb")) as con:
        tables = [t for (t,) in con.execute("show tables").fetchall()]
        stored = sum(
            con.execute(f'select count(*) from "{t}"').fetchone()[0]  # type: ignore[index]
            for t in tables
        )
    assert stored == sink.rows == 7
    assert len([t for t in tables if t.startswith("stats")]) >= 2


def test_baseline_lands_nested_lists_of_objects_as_child_tables() -> None:
    import pyarrow as pa

    ids: dict[str, int] = {"insights": 7}  # numbering goes on from an earlier batch
    page = [
        {
            "ad_id": "1",
            "actions": [{"action_type": "purchase", "value": "2"}, {"action_type": "view"}],
            "action_values": [{"action_type": "purchase", "value": "9.5"}],
            "labels": ["a", "b"],  # a list of scalars stays a column
            "creative": {"id": "c", "links": [{"url": "u", "tags": [{"t": 1}, {"t": 2}]}]},
            "metrics": {"imp": 3},  # an object with no list in it stays a struct
        },
        {"ad_id": "2", "actions": [], "creative": {"id": "d"}, "metrics": {"imp": 4}},
        {"ad_id": "3", "actions": [{"action_type": "view", "value": "1"}], "metrics": None},
    ]
    tables = dict(ingest.child_tables("insights", ingest._arrow_of(page), ids))
    assert list(tables) == [
        "insights",
        "insights__actions",
        "insights__action_values",
        "insights__creative__links",
        "insights__creative__links__tags",
    ]
    parent = tables["insights"].to_pylist()
    assert [(r["ad_id"], r["_id"], r["creative__id"]) for r in parent] == [
        ("1", 7, "c"),
        ("2", 8, "d"),
        ("3", 9, None),
    ]
    assert parent[0]["labels"] == ["a", "b"]
    assert [r["metrics"] for r in parent] == [{"imp": 3}, {"imp": 4}, None]
    assert not {"actions", "action_values", "creative", "creative__links"} & set(parent[0])
    assert tables["insights__actions"].to_pylist() == [
        {"action_type": "purchase", "value": "2", "_parent_id": 7},
        {"action_type": "view", "value": None, "_parent_id": 7},
        {"action_type": "view", "value": "1", "_parent_id": 9},
    ]
    assert tables["insights__action_values"].to_pylist() == [
        {"action_type": "purchase", "value": "9.5", "_parent_id": 7}
    ]
    assert tables["insights__creative__links"].to_pylist() == [
        {"url": "u", "_parent_id": 7, "_id": 0}
    ]
    assert tables["insights__creative__links__tags"].to_pylist() == [
        {"t": 1, "_parent_id": 0},
        {"t": 2, "_parent_id": 0},
    ]
    assert ids == {"insights": 10, "insights__creative__links": 1}
    # A batch with no list of objects is stored as it is.
    flat = pa.table({"id": ["x"], "tags": [["a"]], "meta": [{"k": 1}]})
    assert ingest.child_tables("campaigns", flat, ids) == [("campaigns", flat)]


def test_baseline_sink_stores_child_rows_and_every_field(tmp_path: Path) -> None:
    sink = ingest._Sink(str(tmp_path / "b.duckdb"))
    sink.add_records(
        "insights",
        [
            {"ad_id": "1"},  # the first record leaves out fields later ones have
            {"ad_id": "2", "reach": 5, "actions": [{"action_type": "view", "value": "3"}]},
        ],
    )
    sink.close()
    with duckdb.connect(str(tmp_path / "b.duckdb")) as con:
        names = [t for (t,) in con.execute("show tables").fetchall()]
        parent = next(t for t in names if t.startswith("insights_"))
        child = next(t for t in names if t.startswith("insights__actions"))
        assert con.execute(f'select ad_id, reach, _id from "{parent}" order by 1').fetchall() == [
            ("1", None, 0),
            ("2", 5, 1),
        ]
        assert con.execute(
            f'select p.ad_id, c.action_type, c.value from "{child}" c '
            f'join "{parent}" p on p._id = c._parent_id'
        ).fetchall() == [("2", "view", "3")]
    assert sink.rows == 3


def test_report_shows_the_floors_rows_beside_the_connectors() -> None:
    figures = ingest.SourceFigures(
        source="meta_ads",
        days=365,
        scale=1.0,
        rows=182_803,
        http_mb=25.0,
        requests=1076,
        replay_misses=0,
        dlt_rows=182_803,
        live_seconds=8.0,
        live_peak_rss_mb=300.0,
        live_stream_peak_mb=250.0,
        live_load_peak_mb=300.0,
        fake_seconds=2.0,
        dlt_seconds=4.0,
        dlt_extract_seconds=3.0,
        dlt_normalize_seconds=0.2,
        dlt_load_seconds=0.5,
        dlt_peak_rss_mb=350.0,
        baseline_seconds=2.0,
        baseline_rows=198_682,
        baseline_peak_rss_mb=340.0,
    )
    results: dict[str, Any] = {
        "started": "2026-11-30T00:00:00+00:00",
        "machine": machine(),
        "config": {"seed": 42, "scale": 1.0},
        "ingest": [figures.as_dict()],
    }
    results["summary"] = run.summarize(results)
    lines = run.report(results).splitlines()
    header = next(line for line in lines if line.lstrip().startswith("source"))
    row = next(line for line in lines if line.lstrip().startswith("meta_ads"))
    assert "base rows" in header
    assert "182,803" in row
    assert "198,682" in row


def test_ingest_measures_each_source_at_its_scale_in_the_order_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    worlds: list[float] = []
    monkeypatch.setattr(ingest, "_world", lambda seed, scale, days, as_of: worlds.append(scale))
    monkeypatch.setattr(ingest, "SCALES", {"adjust": 4.0})

    def measure(world: Any, sources: tuple[str, ...], **kw: Any) -> list[Any]:
        return [SimpleNamespace(source=s, scale=kw["scale"]) for s in sources]

    monkeypatch.setattr(ingest, "_measure", measure)
    found = ingest.run(
        seed=1,
        scale=0.5,
        days=3,
        as_of=date(2026, 11, 1),
        workdir=tmp_path,
        sources=("adjust", "meta_ads", "weather"),
    )
    assert worlds == [0.5, 2.0]
    assert [(f.source, f.scale) for f in found] == [
        ("adjust", 2.0),
        ("meta_ads", 0.5),
        ("weather", 0.5),
    ]
