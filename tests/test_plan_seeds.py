"""``argo transform`` checks the plan's CSV seeds before dbt runs: one line, exit 1."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import argo.cli
import argo.transform
from argo.cli import main
from argo.settings import PROJECT_DIR
from ingestion.plan import COLUMNS, parse_date, parse_number, validate
from ingestion.sandbox.plan import demo_tables

SEEDS = PROJECT_DIR / "seeds" / "plan"


def test_the_shipped_seeds_pass() -> None:
    tables = {}
    for table in COLUMNS:
        with (SEEDS / f"plan_{table}.csv").open(newline="") as rows:
            tables[table] = list(csv.DictReader(rows))
    typed = validate(tables, {t: t for t in COLUMNS})
    demo = demo_tables()
    assert {t: len(r) for t, r in typed.items()} == {t: len(r) - 1 for t, r in demo.items()}


def test_cells_read_as_a_sheet_shows_them() -> None:
    for text in ("1000000", "1,000,000", "₩1,000,000", " 1000000 ", "₩ 1,000,000"):
        assert parse_number(text) == 1_000_000, text
    assert parse_number("0.012") == Decimal("0.012")
    for wrong in ("1,00,000", "1O00", "", "1.000.000", "$-"):
        with pytest.raises(ValueError):
            parse_number(wrong)
    for text in ("2026-11-16", "2026. 11. 16", "2026.11.16."):
        assert parse_date(text) == date(2026, 11, 16), text
    for wrong in ("16/11/2026", "2026-13-01", "Nov 16"):
        with pytest.raises(ValueError):
            parse_date(wrong)


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "says"),
    [
        ("plan_budgets.csv", 5, "amount", "1O00", "row 5, column amount: '1O00' is not a number"),
        ("plan_targets.csv", 3, "kpi", "cpx", "row 3, column kpi: 'cpx' is not a known kpi"),
        ("plan_ad_accounts.csv", 2, "advertiser_id", "1", "row 2, column advertiser_id"),
        ("plan_targets.csv", 1, "kpi", "metric", "row 1, column kpi: the header has no column"),
    ],
)
def test_a_bad_seed_row_stops_transform_before_dbt(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    file: str,
    row: int,
    column: str,
    value: str,
    says: str,
) -> None:
    seeds = tmp_path / "plan"
    shutil.copytree(SEEDS, seeds)
    with (seeds / file).open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows[row - 1][rows[0].index(column)] = value
    with (seeds / file).open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    monkeypatch.setattr(argo.transform, "PLAN_SEEDS", seeds)

    def no_dbt(*args: object, **kwargs: object) -> None:
        raise AssertionError("dbt ran on a bad plan")

    monkeypatch.setattr(argo.cli, "dbt", no_dbt)
    monkeypatch.setenv("ARGO_DUCKDB_PATH", str(tmp_path / "argo.duckdb"))
    assert main(["transform"]) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1
    assert f"argo transform failed: {seeds / file} {says}" in lines[0]
    assert "What to do:" in lines[0]
