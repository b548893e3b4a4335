"""The Google Sheets API v4 fake on 127.0.0.1: the AE's planning spreadsheet.

It serves the plan of a world (:func:`ingestion.sandbox.plan.plan_tables`) as one
spreadsheet with a tab per table, header row first, as Google does:

* ``POST /token`` (Google's ``https://oauth2.googleapis.com/token``) takes
  ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`` and ``assertion``: a JWT
  signed RS256 with the service account's private key. The fake makes the account's key
  pair; it checks the signature against the public key, ``iss`` (the client email),
  ``aud`` (this endpoint), ``scope`` (a Sheets or Drive scope) and ``iat``/``exp`` (at most
  an hour apart, ``exp`` not past). Refusals are ``400 {"error": "invalid_grant",
  "error_description": ...}``; success ``{"access_token", "expires_in", "token_type"}``.
* ``GET /v4/spreadsheets/{id}/values:batchGet?ranges=..&ranges=..`` answers
  ``{"spreadsheetId", "valueRanges": [{"range", "majorDimension", "values"}]}`` in the
  order asked. Ranges are A1 notation (``budgets!A1:J``, ``'Budget 2026'!A:J``, a bare tab
  name); a tab the spreadsheet lacks is ``400 INVALID_ARGUMENT "Unable to parse range:
  X"``. Trailing empty cells of a row and trailing empty rows are left out; a range with
  no data has no ``values`` key. ``valueRenderOption``: ``FORMATTED_VALUE`` (default; what
  the cell shows: amounts with thousands separators, ``30,000,000``; dates as the
  sheet's locale writes them, ISO or ``2026. 11. 16`` with ``locale="ko_KR"``),
  ``UNFORMATTED_VALUE`` and ``FORMULA`` (numbers as JSON numbers, dates as serial numbers
  unless ``dateTimeRenderOption=FORMATTED_STRING``). ``majorDimension=COLUMNS`` turns the
  answer.
* Errors are Google's ``{"error": {"code", "message", "status"}}``: 401
  ``UNAUTHENTICATED`` (no, unknown or expired token), 403 ``PERMISSION_DENIED`` (the
  spreadsheet is not shared with the account: ``shared = False``), 404 ``NOT_FOUND`` (an
  unknown spreadsheet id), 429 ``RESOURCE_EXHAUSTED`` (``faults.throttle_next`` /
  ``rate_limit_next``), 500/503 (``faults.fail_next``).

Switches for tests edit the sheet as an AE would: :meth:`GoogleSheetsFake.set_cell`,
:meth:`~GoogleSheetsFake.append_row`, :meth:`~GoogleSheetsFake.delete_row`,
:meth:`~GoogleSheetsFake.rename_tab`. See ``ingestion/sources/google_sheets/README.md``
for what is verified and what is assumed.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs, unquote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ingestion import clock
from ingestion.sandbox.faults import Faults
from ingestion.sandbox.http import FakeApi, Reply, Request
from ingestion.sandbox.plan import plan_tables
from ingestion.sandbox.world import World

TOKEN_PATH = "/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: Scopes that may read a spreadsheet.
READ_SCOPES = frozenset(
    {
        "https://www.googleapis.com/auth/spreadsheets.readonly",
        "https://www.googleapis.com/auth/spreadsheets",
        "https://www.googleapis.com/auth/drive.readonly",
        "https://www.googleapis.com/auth/drive",
    }
)
DATE_COLUMNS = frozenset({"start_date", "end_date", "valid_from"})
NUMBER_COLUMNS = frozenset({"amount", "target_value"})
#: Day 0 of Sheets' serial dates.
SERIAL_EPOCH = date(1899, 12, 30)
_RANGE = re.compile(r"^(?:'((?:[^']|'')+)'|([^!':]+))(?:!([A-Z]+)?(\d+)?(?::([A-Z]+)?(\d+)?)?)?$")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def column_letters(index: int) -> str:
    """``0`` -> ``A``, ``25`` -> ``Z``, ``26`` -> ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """``A`` -> ``0``, ``AA`` -> ``26``."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def quote_tab(tab: str) -> str:
    """A tab name as A1 notation writes it (quoted when not a plain word)."""
    return (
        tab if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", tab) else "'" + tab.replace("'", "''") + "'"
    )


class GoogleSheetsFake(FakeApi):
    """The Google Sheets API v4 fake, serving one spreadsheet: the world's plan.

    Args:
        world: The world whose plan the sheet holds.
        faults: Fault switches (see :class:`~ingestion.sandbox.faults.Faults`).
        spreadsheet_id: The spreadsheet's id.
        locale: ``en_US`` (dates shown ISO, ``2026-11-16``) or ``ko_KR`` (``2026. 11. 16``).
        token_lifetime: Seconds an access token stays valid (Google: 3599).
    """

    prefix = "/v4"

    def __init__(
        self,
        world: World,
        faults: Faults | None = None,
        *,
        spreadsheet_id: str = "1ArgoSandboxPlan-4Qm2Xw9Lk7Vb3Nc8Hd5Jf6Tg",
        locale: str = "en_US",
        token_lifetime: float = 3599.0,
    ) -> None:
        super().__init__(faults, secret_params=("assertion",))
        self.world = world
        self.spreadsheet_id = spreadsheet_id
        self.locale = locale
        self.token_lifetime = token_lifetime
        self.client_email = "argo-plan@argo-sandbox.iam.gserviceaccount.com"
        self.private_key_id = secrets.token_hex(20)
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        #: Whether the spreadsheet is shared with the service account (else 403).
        self.shared = True
        #: Tab -> rows of cells, header first (what the AE typed).
        self.tabs: dict[str, list[list[str]]] = {
            name: [list(row) for row in rows] for name, rows in plan_tables(world).items()
        }
        self.tokens_issued = 0
        self._tokens: dict[str, float] = {}
        self._expired: set[str] = set()
        self._expiry_applied = False
        self._lock = threading.Lock()

    # -- configuration ------------------------------------------------------------------
    @property
    def token_url(self) -> str:
        """The OAuth token endpoint (Google: ``https://oauth2.googleapis.com/token``)."""
        return self.root_url + TOKEN_PATH

    def private_key_pem(self) -> str:
        """The service account's private key, PKCS#8 PEM (as Google's key file holds it)."""
        return self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()

    def credentials(self) -> dict[str, str]:
        """The service account's key file, as the Cloud console downloads it."""
        return {
            "type": "service_account",
            "project_id": "argo-sandbox",
            "private_key_id": self.private_key_id,
            "private_key": self.private_key_pem(),
            "client_email": self.client_email,
            "client_id": "100000000000000000001",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_url,
        }

    def source_options(self) -> dict[str, Any]:
        """Keyword arguments that point ``google_sheets_source`` at this fake (start it first)."""
        return {
            "spreadsheet_id": self.spreadsheet_id,
            "credentials": json.dumps(self.credentials()),
            "base_url": self.base_url,
            "token_url": self.token_url,
        }

    # -- switches: an AE editing the sheet ----------------------------------------------
    def set_cell(self, tab: str, row: int, column: str, value: str) -> None:
        """Types ``value`` into ``column`` (a header name) of sheet row ``row`` (1 = header)."""
        rows = self.tabs[tab]
        index = rows[0].index(column)
        cells = rows[row - 1]
        cells.extend([""] * (index + 1 - len(cells)))
        cells[index] = value

    def append_row(self, tab: str, cells: dict[str, str]) -> int:
        """Adds a row below the last (cells by header name); returns its sheet row number."""
        header = self.tabs[tab][0]
        self.tabs[tab].append([cells.get(column, "") for column in header])
        return len(self.tabs[tab])

    def delete_row(self, tab: str, row: int) -> list[str]:
        """Deletes sheet row ``row`` (rows below move up); returns its cells."""
        return self.tabs[tab].pop(row - 1)

    def rename_tab(self, old: str, new: str) -> None:
        """Renames a tab (a batchGet naming the old one then fails to parse)."""
        self.tabs = {new if name == old else name: rows for name, rows in self.tabs.items()}

    # -- fault shapes -------------------------------------------------------------------
    @staticmethod
    def _error(code: int, status: str, message: str, **headers: str) -> Reply:
        return Reply(code, {"error": {"code": code, "message": message, "status": status}}, headers)

    def server_error(self, request: Request, status: int) -> Reply:
        """``INTERNAL`` (500) or ``UNAVAILABLE`` (503)."""
        if request.path == TOKEN_PATH:
            return Reply(
                status, {"error": "internal_failure", "error_description": "Backend Error"}
            )
        if status == 503:
            return self._error(503, "UNAVAILABLE", "The service is currently unavailable.")
        return self._error(status, "INTERNAL", "Internal error encountered.")

    def throttled(self, request: Request, retry_after: int) -> Reply:
        """429 ``RESOURCE_EXHAUSTED``: the per-minute read quota."""
        return self._error(
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per "
            "minute per user' of service 'sheets.googleapis.com' for consumer "
            "'project_number:100000000001'.",
            **{"Retry-After": str(retry_after)},
        )

    def platform_rate_limit(self, request: Request, code: int) -> Reply:
        """The same 429, without ``Retry-After`` (Google mostly sends none)."""
        reply = self.throttled(request, 1)
        reply.headers.clear()
        return reply

    # -- routing ------------------------------------------------------------------------
    def handle(self, request: Request) -> Reply:
        """Routes one call: the token endpoint or ``values:batchGet``."""
        if request.path == TOKEN_PATH:
            return self._token(request)
        match = re.fullmatch(r"/v4/spreadsheets/([^/]+)/values:batchGet", request.path)
        if match is None or request.method != "GET":
            return self._error(
                404, "NOT_FOUND", f"Method not found: {request.method} {request.path}"
            )
        denied = self._authenticate(request)
        if denied is not None:
            return denied
        if unquote(match.group(1)) != self.spreadsheet_id:
            return self._error(404, "NOT_FOUND", "Requested entity was not found.")
        if not self.shared:
            return self._error(403, "PERMISSION_DENIED", "The caller does not have permission")
        return self._batch_get(request)

    # -- OAuth --------------------------------------------------------------------------
    def _token(self, request: Request) -> Reply:
        def refuse(description: str, error: str = "invalid_grant") -> Reply:
            return Reply(400, {"error": error, "error_description": description})

        if request.method != "POST":
            return Reply(405, {"error": "invalid_request", "error_description": "POST only"})
        grant = request.form.get("grant_type", "")
        if grant != JWT_BEARER:
            return refuse(f"Invalid grant_type: {grant}", "unsupported_grant_type")
        parts = request.form.get("assertion", "").split(".")
        if len(parts) != 3:
            return refuse("Invalid JWT: Malformed.")
        try:
            header = json.loads(_unb64(parts[0]))
            claims = json.loads(_unb64(parts[1]))
            signature = _unb64(parts[2])
        except ValueError:
            return refuse("Invalid JWT: Malformed.")
        if not isinstance(header, dict) or header.get("alg") != "RS256":
            return refuse("Invalid JWT: the algorithm must be RS256.")
        if not isinstance(claims, dict) or claims.get("iss") != self.client_email:
            return refuse("Invalid grant: account not found")
        try:
            self._key.public_key().verify(
                signature,
                f"{parts[0]}.{parts[1]}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            return refuse("Invalid JWT Signature.")
        if claims.get("aud") != self.token_url:
            return refuse("Invalid JWT: Failed audience check.")
        now = clock.now().timestamp()
        iat, exp = claims.get("iat"), claims.get("exp")
        if (
            not isinstance(iat, int)
            or not isinstance(exp, int)
            or exp - iat > 3600
            or exp <= now
            or iat > now + 300
        ):
            return refuse(
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                "reasonable timeframe. Check your iat and exp values in the JWT claim."
            )
        if not set(str(claims.get("scope", "")).split()) & READ_SCOPES:
            return refuse("Invalid OAuth scope or ID token audience provided.", "invalid_scope")
        token = "ya29.sandbox-sheets-" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = clock.monotonic() + self.token_lifetime
            self.tokens_issued += 1
        return Reply(
            200,
            {"access_token": token, "expires_in": int(self.token_lifetime), "token_type": "Bearer"},
        )

    def _authenticate(self, request: Request) -> Reply | None:
        match = re.match(r"(?i)bearer\s+(\S+)", request.headers.get("authorization", ""))
        token = match.group(1) if match else None
        with self._lock:
            if self.faults.token_expired and not self._expiry_applied:
                self._expired.update(self._tokens)  # tokens issued so far die; new ones work
                self._tokens.clear()
                self._expiry_applied = True
            elif not self.faults.token_expired:
                self._expiry_applied = False
            expiry = self._tokens.get(token) if token else None
            valid = expiry is not None and expiry > clock.monotonic()
        if token is None:
            return self._error(
                401,
                "UNAUTHENTICATED",
                "Request is missing required authentication credential. Expected OAuth 2 "
                "access token, login cookie or other valid authentication credential.",
            )
        if not valid:
            return self._error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access "
                "token, login cookie or other valid authentication credential.",
            )
        return None

    # -- values -------------------------------------------------------------------------
    def _batch_get(self, request: Request) -> Reply:
        # the base class keeps one value per parameter; ranges repeat
        params = parse_qs(request.raw_query, keep_blank_values=True)
        ranges = params.get("ranges", [])
        render = (params.get("valueRenderOption") or ["FORMATTED_VALUE"])[0]
        dates = (params.get("dateTimeRenderOption") or ["SERIAL_NUMBER"])[0]
        major = (params.get("majorDimension") or ["ROWS"])[0]
        for name, value, allowed in (
            ("valueRenderOption", render, ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")),
            ("dateTimeRenderOption", dates, ("SERIAL_NUMBER", "FORMATTED_STRING")),
            ("majorDimension", major, ("ROWS", "COLUMNS", "DIMENSION_UNSPECIFIED")),
        ):
            if value not in allowed:
                return self._error(
                    400,
                    "INVALID_ARGUMENT",
                    f"Invalid value at '{name}' ({value}), expected one of {', '.join(allowed)}",
                )
        if not ranges:
            return self._error(400, "INVALID_ARGUMENT", "Must specify at least one range.")
        value_ranges = []
        for text in ranges:
            parsed = self._parse_range(text)
            if parsed is None:
                return self._error(400, "INVALID_ARGUMENT", f"Unable to parse range: {text}")
            value_ranges.append(self._values(*parsed, render, dates, major))
        return Reply(200, {"spreadsheetId": self.spreadsheet_id, "valueRanges": value_ranges})

    def _parse_range(self, text: str) -> tuple[str, int, int, int, int | None] | None:
        """``(tab, first column, last column, first row, last row or None)``, 0-based columns.

        A bare tab name is the whole tab; ``tab!A1:J`` columns A-J from row 1 down;
        ``tab!A:J`` every row; ``tab!A1`` one cell; ``tab!2:5`` whole rows.
        """
        match = _RANGE.match(text)
        if match is None:
            return None
        quoted, plain, col1, row1, col2, row2 = match.groups()
        tab = quoted.replace("''", "'") if quoted is not None else plain
        if tab not in self.tabs:
            return None
        width = max((len(r) for r in self.tabs[tab]), default=1)
        if "!" not in text:
            return tab, 0, width - 1, 1, None
        if col1 is None and row1 is None:
            return None
        span = ":" in text.rsplit("!", 1)[1]
        first_col = column_index(col1) if col1 else 0
        first_row = int(row1) if row1 else 1
        if not span:
            return (
                tab,
                first_col,
                first_col if col1 else width - 1,
                first_row,
                int(row1 or 0) or None,
            )
        last_col = column_index(col2) if col2 else width - 1
        last_row = int(row2) if row2 else None
        if last_col < first_col or (last_row is not None and last_row < first_row):
            return None
        return tab, first_col, last_col, first_row, last_row

    def _render(self, column: str, text: str, render: str, dates: str) -> Any:
        if text == "":
            return ""
        if column in NUMBER_COLUMNS:
            typed = text.strip()
            sign = "₩" if typed.startswith("₩") else ""  # a cell formatted as won
            try:
                number = Decimal(typed.removeprefix(sign).replace(",", ""))
            except InvalidOperation:
                return text  # text typed into a number column stays text
            if render == "FORMATTED_VALUE":
                whole, _, fraction = f"{number:f}".partition(".")
                return sign + f"{int(whole):,}" + (f".{fraction}" if fraction else "")
            return int(number) if number == number.to_integral_value() else float(number)
        if column in DATE_COLUMNS:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                return text
            if render == "FORMATTED_VALUE" or dates == "FORMATTED_STRING":
                return f"{day.year}. {day.month}. {day.day}" if self.locale == "ko_KR" else str(day)
            return (day - SERIAL_EPOCH).days
        return text

    def _values(
        self,
        tab: str,
        first_col: int,
        last_col: int,
        first_row: int,
        last_row: int | None,
        render: str,
        dates: str,
        major: str,
    ) -> dict[str, Any]:
        rows = self.tabs[tab]
        header = rows[0] if rows else []
        stop = len(rows) if last_row is None else min(last_row, len(rows))
        out: list[list[Any]] = []
        for number in range(first_row, stop + 1):
            cells = rows[number - 1]
            shown = [
                self._render(header[i] if i < len(header) else "", cells[i], render, dates)
                if i < len(cells)
                else ""
                for i in range(first_col, last_col + 1)
            ]
            while shown and shown[-1] == "":
                shown.pop()  # trailing empty cells are left out
            out.append(shown)
        while out and not out[-1]:
            out.pop()  # so are trailing empty rows
        end_row = first_row + len(out) - 1 if out else first_row
        if last_row is not None:
            end_row = last_row
        shown_range = (
            f"{quote_tab(tab)}!{column_letters(first_col)}{first_row}:"
            f"{column_letters(last_col)}{max(end_row, first_row)}"
        )
        answer: dict[str, Any] = {"range": shown_range, "majorDimension": "ROWS"}
        if major == "COLUMNS":
            answer["majorDimension"] = "COLUMNS"
            width = max((len(r) for r in out), default=0)
            out = [[r[i] if i < len(r) else "" for r in out] for i in range(width)]
            out = [self._trimmed(column) for column in out]
        if out:
            answer["values"] = out
        return answer

    @staticmethod
    def _trimmed(cells: list[Any]) -> list[Any]:
        while cells and cells[-1] == "":
            cells.pop()
        return cells
