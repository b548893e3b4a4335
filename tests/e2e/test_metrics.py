"""MetricFlow's metrics on the demo warehouse equal the SQL an analyst would write.

`argo metrics` (argo/metrics.py) runs MetricFlow's CLI in this process, so the network
guard of the test process would refuse, and fail the test for, any request it made (the
plain `mf` asks pypi.org for updates on every start).
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from argo.cli import main
from argo.settings import WAREHOUSE_ENV
from tests.e2e.conftest import Demo

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def warehouse(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo's warehouse, with dbt's artefacts in a folder of this module's own."""
    scratch = tmp_path_factory.mktemp("metrics")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(WAREHOUSE_ENV, str(demo.warehouse))
        patch.setenv("DBT_TARGET_PATH", str(scratch / "target"))
        patch.setenv("DBT_LOG_PATH", str(scratch / "logs"))
        patch.setenv("DBT_PARTIAL_PARSE_FILE_PATH", str(demo.target / "partial_parse.msgpack"))
        yield demo.warehouse


Rows = dict[tuple[str, ...], float | None]


def metric_rows(tmp_path: Path, *arguments: str) -> list[dict[str, str]]:
    out = tmp_path / "query.csv"
    assert main(["metrics", "query", *arguments, "--csv", str(out)]) == 0
    with out.open(newline="", encoding="utf-8") as rows:
        return list(csv.DictReader(rows))


def sql_rows(path: Path, sql: str) -> Rows:
    with duckdb.connect(str(path)) as con:
        return {
            tuple(str(k) for k in row[:-1]): None if row[-1] is None else float(row[-1])
            for row in con.execute(sql).fetchall()
        }


def assert_equal(
    found: dict[tuple[str, ...], float | None], expected: dict[tuple[str, ...], float | None]
) -> None:
    assert found.keys() == expected.keys()
    for key, value in expected.items():
        if value is None:
            assert found[key] is None, key
        else:
            assert found[key] == pytest.approx(value, rel=1e-9), key


def day(text: str) -> str:
    return str(date.fromisoformat(text[:10]))


def number(text: str) -> float | None:
    return float(text) if text not in ("", "None") else None


def test_the_semantic_layer_validates_against_the_warehouse(warehouse: Path) -> None:
    assert main(["metrics", "validate-configs"]) == 0


def test_roas_by_week_is_a_ratio_of_sums(warehouse: Path, tmp_path: Path) -> None:
    rows = metric_rows(tmp_path, "--metrics", "roas", "--group-by", "metric_time__week")
    found = {(day(r["metric_time__week"]),): number(r["roas"]) for r in rows}
    expected = sql_rows(
        warehouse,
        "select date_trunc('week', date_day)::date, "
        "sum(conversions_value_in_reporting_currency) "
        "/ nullif(sum(spend_in_reporting_currency), 0) "
        "from marts.rpt_campaign_performance_daily group by 1",
    )
    assert len(expected) >= 8
    assert_equal(found, expected)


def test_roas_by_advertiser_by_week(warehouse: Path, tmp_path: Path) -> None:
    rows = metric_rows(
        tmp_path, "--metrics", "roas", "--group-by", "metric_time__week,advertiser__advertiser_name"
    )
    found = {
        (day(r["metric_time__week"]), r["advertiser__advertiser_name"]): number(r["roas"])
        for r in rows
    }
    expected = sql_rows(
        warehouse,
        "select date_trunc('week', report.date_day)::date, advertisers.advertiser_name, "
        "sum(conversions_value_in_reporting_currency) "
        "/ nullif(sum(spend_in_reporting_currency), 0) "
        "from marts.rpt_campaign_performance_daily as report "
        "inner join marts.dim_advertisers as advertisers using (advertiser_id) group by 1, 2",
    )
    assert {k[1] for k in expected} >= {"Advertiser 1", "Advertiser 2"}
    assert_equal(found, expected)


def test_spend_against_the_monthly_budget_month_to_date(warehouse: Path, tmp_path: Path) -> None:
    rows = metric_rows(
        tmp_path,
        "--metrics",
        "spend_month_to_date,monthly_budget",
        "--group-by",
        "metric_time__month,advertiser__advertiser_name",
    )
    with duckdb.connect(str(warehouse)) as con:
        ((month,),) = con.execute(
            "select date_trunc('month', max(date_day))::date "
            "from marts.rpt_campaign_performance_daily"
        ).fetchall()
    now = {
        r["advertiser__advertiser_name"]: (
            number(r["spend_month_to_date"]),
            number(r["monthly_budget"]),
        )
        for r in rows
        if day(r["metric_time__month"]) == str(month)
    }
    spent = sql_rows(
        warehouse,
        "select advertiser_name, sum(spend_in_reporting_currency) "
        "from marts.rpt_campaign_performance_daily "
        f"where date_day >= date '{month}' group by 1",
    )
    budget = sql_rows(
        warehouse,
        "select advertiser_name, sum(amount_in_reporting_currency) from marts.fct_budgets "
        f"where budget_type = 'monthly' and is_current_version and start_date = date '{month}' "
        "group by 1",
    )
    assert_equal({(k,): v[0] for k, v in now.items() if v[0] is not None}, spent)
    assert_equal({(k,): v[1] for k, v in now.items() if v[1] is not None}, budget)


def test_cpa_by_platform_by_month(warehouse: Path, tmp_path: Path) -> None:
    rows = metric_rows(
        tmp_path, "--metrics", "cpa", "--group-by", "metric_time__month,performance__platform"
    )
    found = {
        (day(r["metric_time__month"]), r["performance__platform"]): number(r["cpa"]) for r in rows
    }
    expected = sql_rows(
        warehouse,
        "select date_trunc('month', date_day)::date, platform, "
        "sum(spend_in_reporting_currency) / nullif(sum(conversions), 0) "
        "from marts.rpt_campaign_performance_daily group by 1, 2",
    )
    assert {k[1] for k in expected} == {"meta_ads", "google_ads", "naver_searchad", "kakao_moment"}
    assert_equal(found, expected)


def test_spend_month_to_date_and_the_previous_month(warehouse: Path, tmp_path: Path) -> None:
    rows = metric_rows(
        tmp_path,
        "--metrics",
        "spend_month_to_date,spend_previous_month",
        "--group-by",
        "metric_time__day",
    )
    to_date = {(day(r["metric_time__day"]),): number(r["spend_month_to_date"]) for r in rows}
    expected = sql_rows(
        warehouse,
        "with daily as (select date_day, sum(spend_in_reporting_currency) as spend "
        "from marts.rpt_campaign_performance_daily group by 1) "
        "select date_day, sum(spend) over (partition by date_trunc('month', date_day) "
        "order by date_day) from daily",
    )
    assert_equal({k: v for k, v in to_date.items() if k in expected}, expected)
    months = metric_rows(
        tmp_path, "--metrics", "spend,spend_previous_month", "--group-by", "metric_time__month"
    )
    by_month = {day(r["metric_time__month"]): r for r in months}
    ordered = sorted(by_month)
    for before, after in itertools.pairwise(ordered):
        if by_month[before]["spend"]:
            assert number(by_month[after]["spend_previous_month"]) == pytest.approx(
                number(by_month[before]["spend"]), rel=1e-9
            )


def test_athena_is_refused_with_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["metrics", "--target", "athena", "list", "metrics"]) == 2
    err = capsys.readouterr().err
    assert "MetricFlow 0.15 has no client for athena. What to do:" in err
