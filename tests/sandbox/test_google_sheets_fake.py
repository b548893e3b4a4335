"""The Google Sheets fake read by a peer client: plain ``requests``, Google's documented URLs."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ingestion import clock
from ingestion.sandbox import World
from ingestion.sandbox.google_sheets_api import GoogleSheetsFake
from ingestion.sandbox.plan import plan_tables

SCOPE = "https://www.googleapis.com/auth/spreadsheets.readonly"


@pytest.fixture
def sheets(world: World) -> Iterator[GoogleSheetsFake]:
    with GoogleSheetsFake(world) as fake:
        yield fake


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def assertion(credentials: dict[str, str], key: Any = None, **claims: Any) -> str:
    """A service-account JWT as Google's guide builds it."""
    now = int(clock.now().timestamp())
    body = {
        "iss": credentials["client_email"],
        "scope": SCOPE,
        "aud": credentials["token_uri"],
        "iat": now,
        "exp": now + 3600,
        **claims,
    }
    signing = key or serialization.load_pem_private_key(
        credentials["private_key"].encode(), password=None
    )
    head = b64(b'{"alg":"RS256","typ":"JWT"}') + "." + b64(json.dumps(body).encode())
    return head + "." + b64(signing.sign(head.encode(), padding.PKCS1v15(), hashes.SHA256()))


def token(sheets: GoogleSheetsFake, jwt: str) -> requests.Response:
    return requests.post(
        sheets.token_url,
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": jwt},
        timeout=10,
    )


def batch_get(
    sheets: GoogleSheetsFake, bearer: str, *ranges: str, sheet: str = "", **params: str
) -> Any:
    return requests.get(
        f"{sheets.base_url}/spreadsheets/{sheet or sheets.spreadsheet_id}/values:batchGet",
        params=[("ranges", r) for r in ranges] + list(params.items()),
        headers={"Authorization": f"Bearer {bearer}"},
        timeout=10,
    )


def access(sheets: GoogleSheetsFake) -> str:
    answer = token(sheets, assertion(sheets.credentials()))
    assert answer.status_code == 200, answer.text
    assert answer.json()["token_type"] == "Bearer"
    return str(answer.json()["access_token"])


def test_a_peer_client_reads_the_plan_as_google_serves_it(
    sheets: GoogleSheetsFake, world: World
) -> None:
    bearer = access(sheets)
    answer = batch_get(sheets, bearer, "budgets!A1:J", "'targets'!A1:G", "advertisers")
    assert answer.status_code == 200
    body = answer.json()
    assert body["spreadsheetId"] == sheets.spreadsheet_id
    budgets, targets, advertisers = body["valueRanges"]
    plan = plan_tables(world)
    assert budgets["range"].startswith("budgets!A1:J") and budgets["majorDimension"] == "ROWS"
    assert budgets["values"][0] == list(plan["budgets"][0])
    # FORMATTED_VALUE: thousands separators; ragged rows: empty trailing cells dropped
    assert budgets["values"][1][7] == f"{int(plan['budgets'][1][7]):,}"
    roas = next(r for r in targets["values"] if r[3] == "roas")
    assert roas[4:] == ["3.5", "", plan["targets"][2][6]]
    assert advertisers["values"] == plan["advertisers"]
    unformatted = batch_get(sheets, bearer, "budgets!H2", valueRenderOption="UNFORMATTED_VALUE")
    assert unformatted.json()["valueRanges"][0]["values"] == [[int(plan["budgets"][1][7])]]


def test_trailing_cells_and_an_empty_range(sheets: GoogleSheetsFake) -> None:
    bearer = access(sheets)
    sheets.set_cell("budgets", 2, "amount", "₩1000000")  # a cell formatted as won
    assert batch_get(sheets, bearer, "budgets!H2").json()["valueRanges"][0]["values"] == [
        ["₩1,000,000"]
    ]
    sheets.set_cell("ad_accounts", 2, "advertiser_id", "")
    body = batch_get(sheets, bearer, "ad_accounts!A2:C2", "ad_accounts!K1:M5").json()
    first, empty = body["valueRanges"]
    assert len(first["values"][0]) == 2  # the empty last cell is left out
    assert "values" not in empty


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ("unknown tab", 400, "Unable to parse range: budget!A1:J"),
        ("not shared", 403, "PERMISSION_DENIED"),
        ("unknown id", 404, "NOT_FOUND"),
        ("throttled", 429, "RESOURCE_EXHAUSTED"),
        ("no token", 401, "UNAUTHENTICATED"),
    ],
)
def test_errors_have_googles_shape(
    sheets: GoogleSheetsFake, change: str, status: int, says: str
) -> None:
    bearer = access(sheets)
    sheet = ""
    ranges = ["budget!A1:J" if change == "unknown tab" else "budgets!A1:J"]
    if change == "not shared":
        sheets.shared = False
    if change == "unknown id":
        sheet = "1NoSuchSpreadsheet"
    if change == "throttled":
        sheets.faults.throttle_next(1)
    if change == "no token":
        bearer = "ya29.wrong"
    answer = batch_get(sheets, bearer, *ranges, sheet=sheet)
    error = answer.json()["error"]
    assert answer.status_code == status == error["code"]
    assert says in f"{error['status']} {error['message']}"


def test_the_token_endpoint_checks_the_signature_and_the_claims(
    sheets: GoogleSheetsFake,
) -> None:
    credentials = sheets.credentials()
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for jwt, says in (
        (assertion(credentials, key=other), "Invalid JWT Signature."),
        (assertion(credentials, aud="https://elsewhere/token"), "audience"),
        (assertion(credentials, exp=int(clock.now().timestamp()) + 7200), "short-lived"),
        (assertion(credentials, iss="someone@else.iam.gserviceaccount.com"), "not found"),
    ):
        answer = token(sheets, jwt)
        assert answer.status_code == 400
        assert answer.json()["error"] == "invalid_grant"
        assert says in answer.json()["error_description"]
    assert sheets.tokens_issued == 0
    assert all("assertion" not in logged for _, _, logged in sheets.requests)


def test_switches_edit_the_sheet(sheets: GoogleSheetsFake) -> None:
    bearer = access(sheets)
    row = sheets.append_row("targets", {"advertiser_id": "x", "kpi": "cpa"})
    sheets.delete_row("targets", 2)
    values = batch_get(sheets, bearer, "targets!A1:G").json()["valueRanges"][0]["values"]
    assert len(values) == row - 1 and values[-1] == ["x", "", "", "cpa"]
    sheets.rename_tab("targets", "KPI 2026")
    assert batch_get(sheets, bearer, "'KPI 2026'!A1:G").status_code == 200
