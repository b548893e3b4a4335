"""The google_sheets source against its fake: the plan as the sheet holds it, or nothing."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from argo.pipeline import IngestError, run_source
from ingestion.plan import COLUMNS, parse_date, parse_number
from ingestion.sandbox import Faults, World
from ingestion.sandbox.google_sheets_api import GoogleSheetsFake
from ingestion.sandbox.plan import plan_tables
from tests.conftest import query

pytestmark = pytest.mark.pipeline


def loaded(path: Path, table: str) -> list[tuple[Any, ...]]:
    columns = ", ".join(f"cast({c} as varchar)" for c in COLUMNS[table])
    return query(
        path, f"select {columns}, sheet_row from raw_google_sheets.{table} order by sheet_row"
    )


def expected(rows: list[list[str]], table: str) -> list[tuple[Any, ...]]:
    """The sheet's rows as they must land: text or null, ISO dates, exact numbers."""
    out = []
    for number, cells in enumerate(rows[1:], start=2):
        values: list[Any] = []
        for column, cell in zip(COLUMNS[table], cells, strict=True):
            if not cell:
                values.append(None)
            elif column in ("start_date", "end_date", "valid_from"):
                values.append(str(parse_date(cell)))
            elif column in ("amount", "target_value"):
                values.append(str(parse_number(cell).quantize(Decimal("0.000001"))))
            else:
                values.append(cell)
        out.append((*values, number))
    return out


def test_loads_exactly_what_the_sheet_holds(
    sheets: GoogleSheetsFake, sheets_options: dict[str, Any], world: World, warehouse: Path
) -> None:
    result = run_source("google_sheets", **sheets_options)
    plan = plan_tables(world)
    for table in COLUMNS:
        assert loaded(warehouse, table) == expected(plan[table], table), table
        assert result.rows[table] == len(plan[table]) - 1
    # one batchGet for the four tabs, after one token
    assert [path for _, path, _ in sheets.requests] == [
        "/token",
        f"/v4/spreadsheets/{sheets.spreadsheet_id}/values:batchGet",
    ]


def test_korean_dates_currency_signs_extra_and_reordered_columns(
    sheets: GoogleSheetsFake,
    sheets_options: dict[str, Any],
    warehouse: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sheets.locale = "ko_KR"
    sheets.set_cell("budgets", 2, "amount", "₩1,000,000")
    sheets.set_cell("budgets", 3, "amount", " 30000000 ")
    rows = sheets.tabs["advertisers"]
    sheets.tabs["advertisers"] = [[r[1], r[0], *r[2:], "memo"] for r in rows]  # order-free
    with caplog.at_level(logging.WARNING):
        run_source("google_sheets", **sheets_options)
    budgets = loaded(warehouse, "budgets")
    assert budgets[0][7] == "1000000.000000" and budgets[1][7] == "30000000.000000"
    assert budgets[0][5] == sheets.tabs["budgets"][1][5]  # served as "2026. 10. 1", read back
    assert [r[:2] for r in loaded(warehouse, "advertisers")] == [tuple(r[:2]) for r in rows[1:]]
    assert "columns memo are not read" in caplog.text


BAD_ROWS = [
    (
        "ad_accounts",
        {"platform": "meta_ads", "account_id": "999", "advertiser_id": "404"},
        "column advertiser_id: advertiser '404' is not in tab 'advertisers'",
    ),
    ("budgets", {"amount": "lots"}, "column amount: 'lots' is not a number"),
    ("budgets", {"amount": "-5"}, "column amount: '-5' is negative"),
    ("budgets", {"currency_code": "WON"}, "column currency_code: 'WON' is not an ISO 4217"),
    ("budgets", {"end_date": "2020-01-01"}, "column end_date: the budget ends (2020-01-01)"),
    ("budgets", {}, "column start_date: its period"),  # an exact copy of row 2: overlaps it
    ("budgets", {"budget_type": "weekly"}, "column budget_type: 'weekly' is not a known"),
    ("budgets", {"platform": "tiktok"}, "column platform: 'tiktok' is not a known platform"),
    ("targets", {"kpi": "cpx"}, "column kpi: 'cpx' is not a known kpi"),
    ("targets", {"advertiser_id": "404"}, "column advertiser_id: advertiser '404'"),
]


@pytest.mark.parametrize(("tab", "change", "says"), BAD_ROWS)
def test_a_bad_row_gives_one_line_and_loads_nothing(
    sheets: GoogleSheetsFake,
    sheets_options: dict[str, Any],
    warehouse: Path,
    tab: str,
    change: dict[str, str],
    says: str,
) -> None:
    run_source("google_sheets", **sheets_options)
    before = {table: loaded(warehouse, table) for table in COLUMNS}
    header, first = sheets.tabs[tab][0], sheets.tabs[tab][1]
    row = sheets.append_row(tab, {**dict(zip(header, first, strict=False)), **change})
    with pytest.raises(IngestError) as error:
        run_source("google_sheets", **sheets_options)
    message = str(error.value)
    assert f"google_sheets: tab '{tab}' row {row}, {says}" in message
    assert "What to do:" in message and "\n" not in message
    assert {table: loaded(warehouse, table) for table in COLUMNS} == before


def test_a_missing_column_names_the_tab_and_the_column(
    sheets: GoogleSheetsFake, sheets_options: dict[str, Any], warehouse: Path
) -> None:
    for cells in sheets.tabs["targets"]:
        del cells[COLUMNS["targets"].index("kpi")]
    with pytest.raises(IngestError, match=r"tab 'targets' row 1, column kpi: the header has no"):
        run_source("google_sheets", **sheets_options)


def test_a_row_removed_from_the_sheet_is_gone_after_the_next_run(
    sheets: GoogleSheetsFake, sheets_options: dict[str, Any], warehouse: Path
) -> None:
    run_source("google_sheets", **sheets_options)
    removed = sheets.delete_row("targets", 3)
    run_source("google_sheets", **sheets_options)
    rows = loaded(warehouse, "targets")
    assert len(rows) == len(sheets.tabs["targets"]) - 1
    assert (removed[0], removed[3]) not in {(r[0], r[3]) for r in rows if r[-1] == 3}
    assert query(warehouse, "select count(*) from raw_google_sheets.targets") == [(len(rows),)]


def test_renamed_tabs_are_read_through_the_tab_settings(
    sheets: GoogleSheetsFake, sheets_options: dict[str, Any], warehouse: Path
) -> None:
    sheets.rename_tab("budgets", "Budget 2026")
    with pytest.raises(
        IngestError, match=r"Unable to parse range: budgets!A1:Z.*no tab budgets .*_TAB"
    ):
        run_source("google_sheets", **sheets_options)
    run_source("google_sheets", **sheets_options, budgets_tab="Budget 2026")
    assert len(loaded(warehouse, "budgets")) == len(sheets.tabs["Budget 2026"]) - 1


def test_retries_429_and_5xx(
    sheets: GoogleSheetsFake, sheets_options: dict[str, Any], faults: Faults, warehouse: Path
) -> None:
    faults.throttle_next(1, only_path_contains="batchGet")
    faults.fail_next(1, status=503, only_path_contains="batchGet")
    faults.fail_next(1, status=500, only_path_contains="token")
    run_source("google_sheets", **sheets_options)
    assert faults.fired.count("fail") == 2 and "throttle" in faults.fired
    assert len(loaded(warehouse, "advertisers")) == len(sheets.tabs["advertisers"]) - 1
    assert sum(1 for _, path, _ in sheets.requests if "batchGet" in path) == 3


def test_an_expired_token_is_replaced(
    sheets: GoogleSheetsFake, sheets_options: dict[str, Any], faults: Faults, warehouse: Path
) -> None:
    faults.expire_token_after(1)  # the token request passes; the batchGet finds it expired
    run_source("google_sheets", **sheets_options)
    faults.restore_token()
    assert sheets.tokens_issued == 2
    assert len(loaded(warehouse, "targets")) == len(sheets.tabs["targets"]) - 1


def test_a_wrong_key_is_a_clear_auth_error_without_the_key(
    sheets: GoogleSheetsFake, sheets_options: dict[str, Any], warehouse: Path
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = other.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    credentials = {**json.loads(sheets_options["credentials"]), "private_key": pem}
    options = {**sheets_options, "credentials": json.dumps(credentials)}
    with pytest.raises(IngestError) as error:
        run_source("google_sheets", **options)
    message = str(error.value)
    assert "refused the service account argo-plan@" in message
    assert "Invalid JWT Signature" in message and "What to do:" in message
    assert "PRIVATE KEY" not in message and pem.splitlines()[1] not in message


@pytest.mark.parametrize(
    ("switch", "says"),
    [
        ("not shared", "PERMISSION_DENIED.*share the spreadsheet with argo-plan@"),
        ("unknown id", "NOT_FOUND.*check spreadsheet_id"),
    ],
)
def test_403_and_404_say_what_to_do(
    sheets: GoogleSheetsFake,
    sheets_options: dict[str, Any],
    warehouse: Path,
    switch: str,
    says: str,
) -> None:
    options = dict(sheets_options)
    if switch == "not shared":
        sheets.shared = False
    else:
        options["spreadsheet_id"] = "1NoSuchSheet"
    with pytest.raises(IngestError, match=says):
        run_source("google_sheets", **options)
