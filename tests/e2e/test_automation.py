"""The AE's morning on the demo warehouse: the automation marts agree with one another,
the digest `argo demo` wrote says what the day's events say, and `argo alerts` reads and
remembers them (issue #16)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from argo.settings import PROJECT_DIR
from tests.e2e.conftest import Demo

pytestmark = pytest.mark.e2e


def one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None, sql
    return row[0]


def test_the_digest_says_what_the_day_s_events_say(demo: Demo) -> None:
    found = re.search(r"Digest of (\d{4}-\d\d-\d\d): (\S+) \(", demo.out)
    assert found, demo.out[-2000:]
    day, folder = found.group(1), Path(found.group(2))
    with duckdb.connect(str(demo.warehouse)) as con:
        newest = one(con, "select max(date_day) from marts.rpt_campaign_performance_daily")
        assert str(newest) == day
        events = dict(
            con.execute(
                "select event, count(*) from marts.fct_alert_events "
                f"where date_day = date '{day}' and event <> 'ongoing' group by event"
            ).fetchall()
        )
        owners = {
            name
            for (name,) in con.execute(
                "select distinct ae_name from marts.dim_advertisers where ae_name is not null"
            ).fetchall()
        }
    pages = sorted(folder.glob("*.md"))
    assert len(pages) >= len(owners) >= 1, (pages, owners)
    totals = dict.fromkeys(("new", "worsened", "cleared"), 0)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert text.startswith(f"# ARGO digest {day} for "), text[:200]
        line = re.search(r"^(\d+) new, (\d+) worsened, (\d+) cleared", text, re.M)
        assert line, text[:500]
        for name, count in zip(totals, line.groups(), strict=True):
            totals[name] += int(count)
        html = page.with_suffix(".html").read_text(encoding="utf-8")
        assert f"ARGO digest {day} for " in html
        # Self-contained: nothing in the page is fetched from anywhere.
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?https?:""", html)
    assert totals == {e: events.get(e, 0) for e in totals}


def test_every_budget_in_force_is_paced_and_every_alert_is_in_the_alerts_mart(
    demo: Demo,
) -> None:
    with duckdb.connect(str(demo.warehouse)) as con:
        # Each budget version in force on the newest day, of a period that started inside
        # the history, has that day's pacing row: none is dropped silently.
        missing = con.execute(
            """
            with newest as (
                select max(date_day) as d, min(date_day) as first_day
                from marts.rpt_campaign_performance_daily
            )
            select b.advertiser_id, b.platform, b.start_date
            from marts.fct_budgets as b, newest
            where newest.d between b.valid_from and b.valid_to
              and b.start_date >= newest.first_day
              and not exists (
                select 1 from marts.fct_budget_pacing_daily as p
                where p.date_day = newest.d and p.advertiser_id = b.advertiser_id
                  and p.platform = b.platform and p.period_start = b.start_date
                  and p.version_valid_from = b.valid_from
              )
            """
        ).fetchall()
        assert missing == []
        paced = one(con, "select count(*) from marts.fct_budget_pacing_daily")
        assert isinstance(paced, int) and paced > 0
        # The alerts mart holds exactly the off-pace days, the anomalies and suggestions.
        for kind, source in (
            ("pacing", "marts.fct_budget_pacing_daily where pacing_status <> 'on_pace'"),
            ("anomaly", "marts.fct_anomalies_daily"),
            ("suggestion", "marts.fct_suggestions_daily"),
        ):
            alerts = one(
                con, f"select count(*) from marts.fct_alerts_daily where alert_kind = '{kind}'"
            )
            assert alerts == one(con, f"select count(*) from {source}"), kind


def argo(demo: Demo, *args: str, state: Path) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).with_name("argo")
    env = os.environ | {"ARGO_ALERT_STATE": str(state)}
    return subprocess.run(
        [str(command), *args, "--warehouse", str(demo.warehouse)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_an_acknowledged_alert_leaves_the_list_of_open_alerts(demo: Demo, tmp_path: Path) -> None:
    state = tmp_path / "alert_state.json"
    with duckdb.connect(str(demo.warehouse)) as con:
        day = one(con, "select max(date_day) from marts.fct_alert_events")
        open_ids = [
            alert_id
            for (alert_id,) in con.execute(
                "select alert_id from marts.fct_alert_events where date_day = ? "
                "and event <> 'cleared' order by money_at_risk_in_reporting_currency desc",
                [day],
            ).fetchall()
        ]
    assert open_ids, "the demo has open alerts on its newest day"
    listed = argo(demo, "alerts", "list", state=state)
    assert listed.returncode == 0, listed.stderr
    assert open_ids[0] in listed.stdout
    acked = argo(demo, "alerts", "ack", open_ids[0], "--note", "seen", state=state)
    assert acked.returncode == 0, acked.stderr
    assert state.exists()
    again = argo(demo, "alerts", "list", state=state)
    assert again.returncode == 0, again.stderr
    lines = again.stdout.splitlines()
    at = next(i for i, row in enumerate(lines) if row.strip() == open_ids[0])
    assert "acknowledged" in lines[at + 1] and lines[at + 1].endswith(": seen"), lines[at + 1]
