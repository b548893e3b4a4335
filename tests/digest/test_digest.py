"""The digest: what it picks, how it ranks and splits, and what each format says."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from argo import digest
from argo.cli import main
from argo.digest import DigestError
from argo.digest_render import markdown, page, slack_payload
from argo.marts_reader import AthenaReader, DuckDBReader, ReadError
from ingestion import clock
from ingestion.sandbox.slack_webhook_api import check_blocks
from tests.digest.conftest import DAY, build_warehouse, event


def by_owner(digests: list[digest.Digest]) -> dict[str, digest.Digest]:
    return {d.owner.name: d for d in digests}


def test_the_day_is_the_newest_of_the_marts_not_the_clock(marts: Path) -> None:
    assert clock.today() == date(2026, 11, 20)
    digests = digest.build(DuckDBReader(marts))
    assert {d.day for d in digests} == {DAY}
    assert by_owner(digests)["Kim Minji"].items  # the clock's day has no event at all


def test_one_digest_per_ae_ranked_by_money_with_the_four_events(marts: Path) -> None:
    found = by_owner(digest.build(DuckDBReader(marts)))
    assert list(found) == ["Kim Minji", "Lee Jun"]
    kim = found["Kim Minji"]
    assert [i.alert_id for i in kim.items] == ["pace-1", "cpc-1", "sug-1"]  # by money
    assert [i.event for i in kim.items] == ["new", "worsened", "new"]
    assert [i.alert_id for i in kim.cleared] == ["old-1"]
    assert kim.standing == 1  # ctr-1 is ongoing: counted, not re-sent
    assert kim.counts == {"new": 2, "worsened": 1, "cleared": 1}
    # platforms by name, whatever order the mart's rows come in
    assert kim.no_budget == [("Advertiser 3", ["kakao_moment", "naver_searchad"])]
    assert kim.money_at_risk == 6_100_000
    assert [i.alert_id for i in found["Lee Jun"].items] == ["spend-2"]
    assert found["Lee Jun"].no_budget == []


def test_top_n_then_plus_k_more(tmp_path: Path) -> None:
    events = [event(f"a-{n:02d}", "new", 1000.0 * n) for n in range(1, 16)]
    path = build_warehouse(tmp_path / "argo.duckdb", events)
    (kim,) = digest.build(DuckDBReader(path), owner="Kim Minji", top=4)
    assert [i.alert_id for i in kim.items] == ["a-15", "a-14", "a-13", "a-12"]
    assert kim.more == 11
    assert kim.money_beyond_top == 1000.0 * sum(range(1, 12))
    text = markdown(kim)
    assert "+11 more (KRW 66,000 at risk)" in text
    assert "a-11" not in text


def test_ties_in_money_rank_by_severity_then_id(tmp_path: Path) -> None:
    events = [
        event("b", "new", 100, severity="low"),
        event("a", "new", 100, severity="low"),
        event("c", "new", 100, severity="high"),
    ]
    path = build_warehouse(tmp_path / "argo.duckdb", events)
    (kim,) = digest.build(DuckDBReader(path), owner="minji.kim@agency.example")
    assert [i.alert_id for i in kim.items] == ["c", "a", "b"]


def test_filters_by_advertiser_and_owner(marts: Path) -> None:
    reader = DuckDBReader(marts)
    (only,) = digest.build(reader, advertiser="Advertiser 3")
    assert only.owner.name == "Kim Minji"
    assert [i.alert_id for i in only.items] == ["sug-1"] and only.standing == 0
    (lee,) = digest.build(reader, owner="lee jun")
    assert [i.alert_id for i in lee.items] == ["spend-2"]
    assert digest.build(reader, advertiser="a2", owner="Kim Minji") == []
    with pytest.raises(DigestError, match=r"no account executive 'Park' .* Kim Minji, Lee Jun"):
        digest.build(reader, owner="Park")
    with pytest.raises(DigestError, match="no advertiser 'Advertiser 9'"):
        digest.build(reader, advertiser="Advertiser 9")


def test_a_quiet_day_says_so(tmp_path: Path) -> None:
    path = build_warehouse(tmp_path / "argo.duckdb", [event("x", "ongoing", 5)])
    lee = by_owner(digest.build(DuckDBReader(path)))["Lee Jun"]
    assert lee.is_quiet
    assert "Nothing new today" in markdown(lee)
    assert "Nothing new today" in page(lee)


def test_each_item_carries_its_evidence_and_series(marts: Path) -> None:
    kim = by_owner(digest.build(DuckDBReader(marts)))["Kim Minji"]
    pacing, anomaly, suggestion = kim.items
    assert pacing.chart is not None and pacing.chart.kind == "pacing"
    assert len(pacing.chart.points) == 18 and pacing.chart.amount == 30_000_000
    assert ("budget", "KRW 30,000,000") in pacing.facts
    assert anomaly.chart is not None and len(anomaly.chart.points) == digest.SERIES_DAYS
    assert dict(anomaly.facts)["band"] == "250 to 370"
    assert dict(anomaly.facts)["score"] == "9.7"
    assert suggestion.chart is None and suggestion.facts == []


def test_markdown(marts: Path) -> None:
    kim = by_owner(digest.build(DuckDBReader(marts)))["Kim Minji"]
    text = markdown(kim)
    assert text.startswith("# ARGO digest 2026-11-18 for Kim Minji\n")
    assert "2 new, 1 worsened, 1 cleared; KRW 6,100,000 at risk" in text
    assert text.index("## 1. [NEW · high] headline of pace-1") < text.index("## 2. [WORSENED")
    assert "- Why: reason of cpc-1" in text and "- Evidence: evidence of cpc-1" in text
    assert "## Cleared" in text and "## No budget in the plan" in text
    assert "Advertiser 3: no budget in the plan" in text
    assert "1 standing alert unchanged" in text
    assert "UNSUPPRESSED" not in text


def test_html_escapes_and_names_no_url(marts: Path) -> None:
    lee = by_owner(digest.build(DuckDBReader(marts)))["Lee Jun"]
    html = page(lee)
    assert "<script>" not in html and "<b>tripled" not in html
    assert "Spend &lt;b&gt;tripled&lt;/b&gt; &amp; more" in html
    assert not re.search(r"(?i)https?:|//[a-z]|url\(|@import|<img|<link|<script", html)
    assert html.count("<svg") == 1 and 'class="band"' in html


def test_slack_blocks_escape_and_fit_slacks_limits(tmp_path: Path) -> None:
    long = "x" * 5000 + " <&>"
    events = [
        event(f"a-{n:02d}", "new", 1000.0 * n, reason=long, headline="<@U123> & co")
        for n in range(1, 80)
    ]
    path = build_warehouse(tmp_path / "argo.duckdb", events)
    (kim,) = digest.build(DuckDBReader(path), owner="Kim Minji", top=70)
    payload = slack_payload(kim)
    blocks = payload["blocks"]
    check_blocks(blocks)  # the fake's check, as strict as Slack's
    assert len(blocks) == 50
    assert blocks[0]["type"] == "header" and len(blocks[0]["text"]["text"]) <= 150
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert "&lt;@U123&gt; &amp; co" in sections[0] and "<@U123>" not in json.dumps(payload)
    more = [b for b in blocks if b["type"] == "context"][-1]["elements"][0]["text"]
    # header, context, divider, "+k more", the no-budget section: 45 items fit
    assert more.startswith(f"+{79 - 45} more")
    assert payload["text"].startswith("ARGO digest 2026-11-18 for Kim Minji")


def test_slack_blocks_of_the_standard_day(marts: Path) -> None:
    kim = by_owner(digest.build(DuckDBReader(marts)))["Kim Minji"]
    blocks = slack_payload(kim)["blocks"]
    check_blocks(blocks)
    assert [b["type"] for b in blocks] == [
        "header", "context", "divider", "section", "section", "section",
        "section", "section", "context",
    ]  # fmt: skip
    assert blocks[3]["text"]["text"].startswith("*1. NEW · high · KRW 5,000,000 at risk*")
    assert blocks[-1]["elements"][0]["text"].startswith("1 standing alert unchanged")


def test_a_missing_mart_is_one_clear_line(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "argo.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.dim_advertisers (advertiser_id varchar, "
            "advertiser_name varchar, ae_name varchar, ae_email varchar)"
        )
    with pytest.raises(ReadError, match=r"no marts\.\w+ .*What to do: build the marts"):
        digest.build(DuckDBReader(path))
    with pytest.raises(ReadError, match="no warehouse at"):
        digest.build(DuckDBReader(tmp_path / "nothing.duckdb"))


def test_argo_digest_writes_one_file_per_ae(
    marts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for fmt, ext in (("md", "md"), ("html", "html"), ("slack", "json")):
        assert main(["digest", "--format", fmt]) == 0
        folder = marts.parent / "digests" / "2026-11-18"
        assert sorted(p.name for p in folder.glob(f"*.{ext}")) == [
            f"kim-minji.{ext}",
            f"lee-jun.{ext}",
        ]
    out = capsys.readouterr().out
    assert (
        f"Kim Minji: 2 new, 1 worsened, 1 cleared; KRW 6,100,000 at risk -> {folder}/kim-minji.md"
        in out
    )
    payload = json.loads((folder / "kim-minji.json").read_text())
    check_blocks(payload["blocks"])


def test_argo_digest_options(
    marts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    assert (
        main(
            [
                "digest",
                "--date",
                "2026-11-17",
                "--owner",
                "Kim Minji",
                "--to",
                str(out_dir),
                "--top",
                "1",
            ]
        )
        == 0
    )
    text = (out_dir / "kim-minji.md").read_text()
    assert "# ARGO digest 2026-11-17 for Kim Minji" in text and "headline of cpc-1" in text
    assert not (out_dir / "lee-jun.md").exists()
    assert main(["digest", "--date", "2026-11-19"]) == 1
    assert "--date 2026-11-19 is after the newest day of the marts, 2026-11-18" in (
        capsys.readouterr().err
    )
    assert main(["digest", "--advertiser", "a2", "--owner", "Kim Minji"]) == 2
    assert "the advertiser has another AE" in capsys.readouterr().err
    assert main(["digest", "--owner", "Nobody"]) == 1
    assert "no account executive 'Nobody'" in capsys.readouterr().err
    assert main(["digest", "--format", "md", "--to", "https://hooks.slack.com/services/T/B/x"]) == 2
    err = capsys.readouterr().err
    assert "takes --format slack" in err and "hooks.slack.com" not in err


class StubAthena:
    """Boto3's Athena client as far as the reader uses it: two pages, three polls."""

    def __init__(self) -> None:
        self.polls = 0
        self.started: list[dict[str, Any]] = []

    def start_query_execution(self, **kwargs: Any) -> dict[str, Any]:
        self.started.append(kwargs)
        return {"QueryExecutionId": "q-1"}

    def get_query_execution(self, QueryExecutionId: str) -> dict[str, Any]:
        self.polls += 1
        state = "SUCCEEDED" if self.polls >= 3 else "RUNNING"
        return {"QueryExecution": {"Status": {"State": state}}}

    def get_paginator(self, name: str) -> Any:
        assert name == "get_query_results"
        columns = [
            {"Name": "date_day", "Type": "date"},
            {"Name": "alert_id", "Type": "varchar"},
            {"Name": "money", "Type": "double"},
            {"Name": "days_open", "Type": "integer"},
        ]

        def row(*cells: str | None) -> dict[str, Any]:
            return {"Data": [{} if c is None else {"VarCharValue": c} for c in cells]}

        pages = [
            {"ResultSet": {"ResultSetMetadata": {"ColumnInfo": columns},
                           "Rows": [row("date_day", "alert_id", "money", "days_open"),
                                    row("2026-11-18", "a", "12.5", "3")]}},
            {"ResultSet": {"ResultSetMetadata": {"ColumnInfo": columns},
                           "Rows": [row("2026-11-17", "b", None, "1")]}},
        ]  # fmt: skip

        class Paginator:
            def paginate(self, **kwargs: Any) -> list[dict[str, Any]]:
                return pages

        return Paginator()


def test_athena_reader_polls_on_the_clock_and_types_paged_rows(
    frozen_clock: clock.FrozenClock,
) -> None:
    stub = StubAthena()
    reader = AthenaReader(stub, "argo", poll_seconds=2.0)
    rows = reader.rows("select 1")
    assert rows == [
        {"date_day": date(2026, 11, 18), "alert_id": "a", "money": 12.5, "days_open": 3},
        {"date_day": date(2026, 11, 17), "alert_id": "b", "money": None, "days_open": 1},
    ]
    assert frozen_clock.slept == [2.0, 2.0]
    assert stub.started[0]["WorkGroup"] == "argo"
    assert stub.started[0]["QueryExecutionContext"] == {
        "Catalog": "awsdatacatalog",
        "Database": "marts",
    }


def test_literals_are_quoted_for_both_engines() -> None:
    from argo.marts_reader import literal

    assert literal("it's") == "'it''s'"
    assert literal(DAY) == "date '2026-11-18'"
    assert literal(DAY - timedelta(days=1)) == "date '2026-11-17'"
    assert literal(None) == "null" and literal(3) == "3"


def test_the_demo_ends_by_writing_the_days_digest(marts: Path) -> None:
    """The demo's digest step writes through the one writer of ``argo digest``."""
    from argo.cli import _write_digests

    line = _write_digests("local", formats=("html", "md")).describe()
    folder = marts.parent / "digests" / "2026-11-18"
    assert line == (
        f"Digest of 2026-11-18: {folder} (kim-minji.html, lee-jun.html; Markdown beside each)"
    )
    assert sorted(p.name for p in folder.iterdir()) == [
        "kim-minji.html",
        "kim-minji.md",
        "lee-jun.html",
        "lee-jun.md",
    ]


def test_numbers_read_at_a_glance() -> None:
    from argo.digest import _number

    assert _number(0.01234, 2) == "0.0123"  # a CTR keeps its digits
    assert _number(12.345, 2) == "12.35"
    assert _number(1234.5, 2) == "1,234"
    assert _number(6.5, 1) == "6.5"
    assert _number(None) == "n/a"


def test_a_headline_that_says_where_is_not_repeated(tmp_path: Path) -> None:
    said = "Advertiser 1 · meta · Campaign x: cost per result jump"
    events = [
        event("x", "new", 5, headline=said, entity_name="Campaign x"),
        event("y", "cleared", 0, headline="Advertiser 1 · meta · Campaign y: delivery stopped",
              entity_name="Campaign y"),
    ]  # fmt: skip
    path = build_warehouse(tmp_path / "argo.duckdb", events)
    (kim,) = digest.build(DuckDBReader(path), owner="Kim Minji")
    for text in (markdown(kim), page(kim), json.dumps(slack_payload(kim), ensure_ascii=False)):
        assert text.count("Advertiser 1 · meta · Campaign x") == 1, text
        assert text.count("Advertiser 1 · meta · Campaign y") == 1, text
