"""A small warehouse with the automation marts' columns (issue #16's contract), no dbt.

Day 2026-11-18 is the newest day of the marts: two days before the tests' frozen clock
(2026-11-20), so a digest that took "today" from the wall clock would show nothing.
Kim Minji owns Advertiser 1 and Advertiser 3, Lee Jun owns Advertiser 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from argo.alerts import STATE_ENV
from argo.settings import WAREHOUSE_ENV

DAY = date(2026, 11, 18)
EVENT_COLUMNS = {
    "date_day": "date",
    "alert_id": "varchar",
    "alert_kind": "varchar",
    "detector": "varchar",
    "metric": "varchar",
    "scope": "varchar",
    "entity_key": "varchar",
    "budget_id": "varchar",
    "severity": "varchar",
    "severity_rank": "integer",
    "money_at_risk_in_reporting_currency": "double",
    "reporting_currency_code": "varchar",
    "advertiser_id": "varchar",
    "advertiser_name": "varchar",
    "ae_name": "varchar",
    "ae_email": "varchar",
    "platform": "varchar",
    "account_id": "varchar",
    "campaign_id": "varchar",
    "entity_name": "varchar",
    "headline": "varchar",
    "reason": "varchar",
    "evidence": "varchar",
    "event": "varchar",
    "first_seen": "date",
    "last_seen": "date",
    "days_open": "integer",
}
ADVERTISERS = {
    "a1": ("Advertiser 1", "Kim Minji", "minji.kim@agency.example"),
    "a2": ("Advertiser 2", "Lee Jun", "jun.lee@agency.example"),
    "a3": ("Advertiser 3", "Kim Minji", "minji.kim@agency.example"),
}
KEY = "campaign|a1|meta|act1|c1"


def event(
    alert_id: str,
    event: str,
    money: float,
    *,
    advertiser: str = "a1",
    kind: str = "anomaly",
    day: date = DAY,
    first_seen: date | None = None,
    severity: str = "medium",
    **columns: Any,
) -> dict[str, Any]:
    """One row of fct_alert_events with the contract's columns."""
    name, ae, email = ADVERTISERS[advertiser]
    first = first_seen or day - timedelta(days=2)
    row: dict[str, Any] = {
        "date_day": day,
        "alert_id": alert_id,
        "alert_kind": kind,
        "detector": "score" if kind == "anomaly" else kind,
        "metric": "cpc" if kind == "anomaly" else None,
        "scope": "campaign",
        "entity_key": KEY if kind == "anomaly" else None,
        "budget_id": "a1|meta|||2026-11-01" if kind == "pacing" else None,
        "severity": severity,
        "severity_rank": {"high": 3, "medium": 2, "low": 1}[severity],
        "money_at_risk_in_reporting_currency": money,
        "reporting_currency_code": "KRW",
        "advertiser_id": advertiser,
        "advertiser_name": name,
        "ae_name": ae,
        "ae_email": email,
        "platform": "meta",
        "account_id": "act1",
        "campaign_id": "c1",
        "entity_name": f"Campaign {alert_id}",
        "headline": f"headline of {alert_id}",
        "reason": f"reason of {alert_id}",
        "evidence": f"evidence of {alert_id}",
        "event": event,
        "first_seen": first,
        "last_seen": day,
        "days_open": (day - first).days + 1,
    }
    row.update(columns)
    return row


def standard_events() -> list[dict[str, Any]]:
    """The day's events: every kind of event, both AEs, a pacing and an anomaly item."""
    return [
        event("pace-1", "new", 5_000_000, kind="pacing", severity="high", first_seen=DAY),
        event("cpc-1", "worsened", 800_000),
        event("ctr-1", "ongoing", 2_000_000),
        event("sug-1", "new", 300_000, advertiser="a3", kind="suggestion", severity="low"),
        event("old-1", "cleared", 0),
        event(
            "spend-2",
            "new",
            1_200_000,
            advertiser="a2",
            headline="Spend <b>tripled</b> & more",
            reason='CPC 3.1x "usual" <script>alert(1)</script>',
        ),
        event("cpc-1", "new", 700_000, day=DAY - timedelta(days=1)),
    ]


def _create(
    con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]], types: dict[str, str]
) -> None:
    columns = ", ".join(f"{name} {kind}" for name, kind in types.items())
    con.execute(f"create table marts.{table} ({columns})")
    for row in rows:
        names = list(types)
        con.execute(
            f"insert into marts.{table} values ({', '.join('?' for _ in names)})",
            [row.get(name) for name in names],
        )


def build_warehouse(path: Path, events: list[dict[str, Any]], day: date = DAY) -> Path:
    """Writes the marts the digest reads into a new DuckDB file at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        _create(
            con,
            "rpt_campaign_performance_daily",
            [{"date_day": day - timedelta(days=n)} for n in range(3)],
            {"date_day": "date"},
        )
        _create(
            con,
            "dim_advertisers",
            [
                {"advertiser_id": k, "advertiser_name": v[0], "ae_name": v[1], "ae_email": v[2]}
                for k, v in ADVERTISERS.items()
            ]
            + [{"advertiser_id": "unassigned", "advertiser_name": "Unassigned"}],
            {
                "advertiser_id": "varchar",
                "advertiser_name": "varchar",
                "ae_name": "varchar",
                "ae_email": "varchar",
            },
        )
        _create(con, "fct_alert_events", events, EVENT_COLUMNS)
        _create(
            con,
            "rpt_advertisers_without_budget",
            [
                {
                    "date_day": day,
                    "advertiser_id": "a3",
                    "advertiser_name": "Advertiser 3",
                    "ae_name": "Kim Minji",
                    "ae_email": "minji.kim@agency.example",
                    "platform": p,
                }
                for p in ("naver_searchad", "kakao_moment")
            ],
            {
                "date_day": "date",
                "advertiser_id": "varchar",
                "advertiser_name": "varchar",
                "ae_name": "varchar",
                "ae_email": "varchar",
                "platform": "varchar",
            },
        )
        start = date(2026, 11, 1)
        _create(
            con,
            "fct_budget_pacing_daily",
            [
                {
                    "date_day": start + timedelta(days=n),
                    "budget_id": "a1|meta|||2026-11-01",
                    "period_start": start,
                    "period_end": date(2026, 11, 30),
                    "amount": 30_000_000.0,
                    "currency_code": "KRW",
                    "spend_to_date": 1_600_000.0 * (n + 1),
                    "expected_spend_to_date": 1_000_000.0 * (n + 1),
                    "projected_spend": 48_000_000.0,
                    "days_ahead": 6.5,
                    "pacing_status": "over",
                    "curve_kind": "learned",
                    "curve_note": None,
                }
                for n in range((day - start).days + 1)
            ],
            {
                "date_day": "date",
                "budget_id": "varchar",
                "period_start": "date",
                "period_end": "date",
                "amount": "decimal(18,2)",
                "currency_code": "varchar",
                "spend_to_date": "decimal(18,2)",
                "expected_spend_to_date": "decimal(18,2)",
                "projected_spend": "decimal(18,2)",
                "days_ahead": "double",
                "pacing_status": "varchar",
                "curve_kind": "varchar",
                "curve_note": "varchar",
            },
        )
        _create(
            con,
            "fct_metric_scores_daily",
            [
                {
                    "date_day": day - timedelta(days=n),
                    "entity_key": KEY,
                    "metric": "cpc",
                    "value": 900.0 if n == 0 else 300.0 + 10 * (n % 5),
                    "expected_value": 310.0,
                    "band_low": 250.0,
                    "band_high": 370.0,
                    "score": 9.7 if n == 0 else 0.3,
                    "change_rel": 1.9 if n == 0 else 0.0,
                    "baseline_days": 8,
                    "baseline_kind": "same_weekday",
                    "not_scored_reason": None,
                }
                for n in range(40)
            ],
            {
                "date_day": "date",
                "entity_key": "varchar",
                "metric": "varchar",
                "value": "double",
                "expected_value": "double",
                "band_low": "double",
                "band_high": "double",
                "score": "double",
                "change_rel": "double",
                "baseline_days": "integer",
                "baseline_kind": "varchar",
                "not_scored_reason": "varchar",
            },
        )
    return path


@pytest.fixture
def marts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The standard warehouse, with ARGO pointed at it and a state file beside it."""
    path = build_warehouse(tmp_path / "wh" / "argo.duckdb", standard_events())
    monkeypatch.setenv(WAREHOUSE_ENV, str(path))
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "wh" / "alert_state.json"))
    monkeypatch.delenv("ARGO_SLACK_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("ARGO_TARGET", raising=False)
    yield path
