"""The marts read through boto3's Athena client, against moto in server mode on 127.0.0.1.

Moto does not run SQL: each query takes the next result queued through moto's API, laid
out as Athena answers (the header as the first row, every cell as ``VarCharValue``, the
column types in ``ResultSetMetadata``). The reader's own work is what is tested: start
in the workgroup, poll on ARGO's clock, page, type the cells, and the digest built on it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import boto3
import pytest
import requests

from argo import digest
from argo.marts_reader import AthenaReader, reader_for
from ingestion import clock
from tests.moto_fixtures import REGION


def queue(endpoint: str, *results: list[tuple[str, str, list[Any]]]) -> None:
    """Queues query results: each a list of (column, Athena type, values)."""
    body = []
    for columns in results:
        names = [name for name, _, _ in columns]
        count = max((len(values) for _, _, values in columns), default=0)
        rows = [{"Data": [{"VarCharValue": n} for n in names]}]
        for index in range(count):
            rows.append(
                {
                    "Data": [
                        {} if values[index] is None else {"VarCharValue": str(values[index])}
                        for _, _, values in columns
                    ]
                }
            )
        info = [{"Name": name, "Type": kind} for name, kind, _ in columns]
        body.append({"rows": rows, "column_info": info})
    answer = requests.post(
        f"{endpoint}/moto-api/static/athena/query-results",
        json={"account_id": "123456789012", "region": REGION, "results": body},
        timeout=10,
    )
    assert answer.status_code == 201


@pytest.fixture
def athena(aws: str) -> str:
    boto3.client("athena", region_name=REGION).create_work_group(
        Name="argo",
        Configuration={"ResultConfiguration": {"OutputLocation": "s3://acme-argo-results/athena/"}},
    )
    return aws


def test_the_reader_types_what_athena_answers(athena: str, frozen_clock: clock.FrozenClock) -> None:
    queue(
        athena,
        [
            ("date_day", "date", ["2026-11-18", "2026-11-17"]),
            ("money", "double", ["12.5", None]),
            ("days_open", "integer", ["3", "1"]),
            ("amount", "decimal", ["30000000.00", "1.10"]),
            ("is_holiday", "boolean", ["false", "true"]),
            ("alert_id", "varchar", ["a", "it's"]),
        ],
    )
    reader = reader_for("athena")
    assert isinstance(reader, AthenaReader) and reader.workgroup == "argo"
    rows = reader.rows("select * from marts.fct_alert_events")
    assert rows[0] == {
        "date_day": date(2026, 11, 18),
        "money": 12.5,
        "days_open": 3,
        "amount": 30_000_000,
        "is_holiday": False,
        "alert_id": "a",
    }
    assert rows[1]["money"] is None and rows[1]["is_holiday"] is True
    assert all(wait == reader.poll_seconds for wait in frozen_clock.slept)


EVENT = {
    "date_day": ("date", "2026-11-18"),
    "alert_id": ("varchar", "pacing|b1"),
    "alert_kind": ("varchar", "suggestion"),
    "severity": ("varchar", "high"),
    "severity_rank": ("integer", "3"),
    "money_at_risk_in_reporting_currency": ("double", "2500000.0"),
    "reporting_currency_code": ("varchar", "KRW"),
    "advertiser_id": ("varchar", "a1"),
    "advertiser_name": ("varchar", "Advertiser 1"),
    "ae_name": ("varchar", "Kim Minji"),
    "ae_email": ("varchar", "minji.kim@agency.example"),
    "headline": ("varchar", "Raise the budget of Campaign 7"),
    "reason": ("varchar", "ROAS 4.1 over its target 3.0, limited by budget"),
    "evidence": ("varchar", "roas >= 3.0: 4.1"),
    "event": ("varchar", "new"),
    "first_seen": ("date", "2026-11-18"),
    "last_seen": ("date", "2026-11-18"),
    "days_open": ("integer", "1"),
}


def test_a_digest_built_from_athena(athena: str) -> None:
    queue(
        athena,
        # dim_advertisers
        [
            ("advertiser_id", "varchar", ["a1"]),
            ("advertiser_name", "varchar", ["Advertiser 1"]),
            ("ae_name", "varchar", ["Kim Minji"]),
            ("ae_email", "varchar", ["minji.kim@agency.example"]),
        ],
        # the newest day
        [("day", "date", ["2026-11-18"])],
        # fct_alert_events of the day
        [(name, kind, [value]) for name, (kind, value) in EVENT.items()],
        # rpt_advertisers_without_budget: none
        [("date_day", "date", []), ("advertiser_id", "varchar", [])],
    )
    (kim,) = digest.build(reader_for("athena"))
    assert kim.day == date(2026, 11, 18) and kim.owner.name == "Kim Minji"
    (item,) = kim.items
    assert item.alert_id == "pacing|b1" and item.money == 2_500_000
    queries = boto3.client("athena", region_name=REGION).list_query_executions(WorkGroup="argo")
    assert len(queries["QueryExecutionIds"]) == 4
