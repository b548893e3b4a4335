"""A small Google Sheets API v4 client: a service account's JWT, one ``values:batchGet``.

Auth is Google's two-legged OAuth for service accounts: a JWT (RS256, signed with the
account's private key from its JSON key file) is exchanged at the token endpoint for an
access token (``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``), sent as
``Authorization: Bearer``. The private key, the assertion and the access token are never
logged and are redacted from every error.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from requests import Response

from ingestion import clock
from ingestion.sources.errors import SourceApiError, SourceAuthError
from ingestion.sources.http import RETRY, JsonApi, Retry, redact_text

log = logging.getLogger("argo.sources.google_sheets")

SOURCE = "google_sheets"
SCOPE = "https://www.googleapis.com/auth/spreadsheets.readonly"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: Google accepts assertions valid for at most an hour.
ASSERTION_SECONDS = 3600
#: Refresh the access token this many seconds before Google says it expires.
EXPIRY_MARGIN = 60.0
CREDENTIALS_HINT = (
    "set SOURCES__GOOGLE_SHEETS__CREDENTIALS (or credentials under [sources.google_sheets] "
    "in .dlt/secrets.toml) to the whole JSON key file of the service account (Google Cloud "
    "console > IAM & Admin > Service Accounts > Keys > Add key > JSON)"
)


@dataclass(frozen=True)
class ServiceAccount:
    """What ARGO needs of a service account's JSON key file.

    Attributes:
        client_email: The account's email: the JWT's issuer, and whom to share the sheet with.
        private_key: The PEM private key (a secret).
        token_uri: Where assertions are exchanged for access tokens.
    """

    client_email: str
    private_key: str
    token_uri: str

    @classmethod
    def from_json(cls, text: str | None) -> ServiceAccount:
        """Reads the key file's JSON; never quotes it in an error.

        Raises:
            SourceAuthError: No credentials, not JSON, or a required field missing.
        """
        if not text or not str(text).strip():
            raise SourceAuthError(
                SOURCE, "no service account credentials are configured", hint=CREDENTIALS_HINT
            )
        try:
            data = json.loads(text)
        except ValueError:
            raise SourceAuthError(
                SOURCE, "credentials is not JSON (its value is not shown)", hint=CREDENTIALS_HINT
            ) from None
        if not isinstance(data, dict):
            raise SourceAuthError(SOURCE, "credentials is not a JSON object", hint=CREDENTIALS_HINT)
        missing = [k for k in ("client_email", "private_key") if not data.get(k)]
        if missing:
            raise SourceAuthError(
                SOURCE,
                f"credentials has no {' and no '.join(missing)}",
                hint=CREDENTIALS_HINT,
            )
        return cls(
            str(data["client_email"]),
            str(data["private_key"]),
            str(data.get("token_uri") or GOOGLE_TOKEN_URL),
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed_assertion(account: ServiceAccount, audience: str, now: int) -> str:
    """The JWT asking for read access to spreadsheets, signed RS256 with the account's key.

    Raises:
        SourceAuthError: The private key is not an RSA key in PEM.
    """
    try:
        key = serialization.load_pem_private_key(account.private_key.encode(), password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SourceAuthError(
            SOURCE,
            "credentials' private_key is not an RSA private key in PEM (its value is not shown)",
            hint="copy the key file as Google issued it, with its -----BEGIN PRIVATE KEY----- "
            "line and \\n line breaks; " + CREDENTIALS_HINT,
        )
    header = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {
        "iss": account.client_email,
        "scope": SCOPE,
        "aud": audience,
        "iat": now,
        "exp": now + ASSERTION_SECONDS,
    }
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = key.sign(f"{header}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{body}.{_b64(signature)}"


def quote_tab(tab: str) -> str:
    """A tab name in A1 notation: quoted (``'Budget 2026'``) unless a plain word."""
    if tab.replace("_", "a").isalnum() and tab.isascii() and not tab[0].isdigit():
        return tab
    return "'" + tab.replace("'", "''") + "'"


class SheetsClient:
    """Reads ranges of one spreadsheet with ``values:batchGet``.

    Args:
        base_url: API root with version, ``https://sheets.googleapis.com/v4``.
        token_url: The token endpoint (default: the key file's ``token_uri``).
        account: The service account.
        retry: How a request is retried (429, 5xx, timeouts, truncated bodies).
    """

    def __init__(
        self,
        base_url: str,
        account: ServiceAccount,
        *,
        token_url: str | None = None,
        retry: Retry = RETRY,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.account = account
        self.token_url = token_url or account.token_uri
        self._retry = retry
        self._secrets = [account.private_key]
        self._oauth = JsonApi(SOURCE, retry=retry, secrets=self._secrets)
        self._api: JsonApi | None = None
        self._expires_at = 0.0
        #: Access tokens obtained so far (for tests).
        self.refreshes = 0

    def refresh(self) -> None:
        """Exchanges a fresh signed assertion for an access token.

        Raises:
            SourceAuthError: Google refused the assertion (wrong key, unknown account).
        """
        assertion = signed_assertion(self.account, self.token_url, int(clock.now().timestamp()))
        response, body = self._oauth.request(
            "POST", self.token_url, data={"grant_type": JWT_BEARER, "assertion": assertion}
        )
        token = body.get("access_token") if isinstance(body, dict) else None
        if response.status_code != 200 or not token:
            error = body.get("error") if isinstance(body, dict) else None
            description = body.get("error_description") if isinstance(body, dict) else None
            detail = redact_text(
                f"HTTP {response.status_code}, {error or 'no access_token'}"
                + (f": {description}" if description else ""),
                [*self._secrets, assertion],
            )
            raise SourceAuthError(
                SOURCE,
                f"the token endpoint refused the service account {self.account.client_email} "
                f"({detail})",
                record=self.token_url,
                hint="the key may be deleted or belong to another account: create a new JSON "
                "key for the service account and " + CREDENTIALS_HINT + "; nothing was loaded",
            )
        expires_in = float(body.get("expires_in") or 3599)
        self._expires_at = clock.monotonic() + max(expires_in - EXPIRY_MARGIN, 0.0)
        self._api = JsonApi(
            SOURCE,
            headers={"Authorization": f"Bearer {token}"},
            retry=self._retry,
            secrets=[*self._secrets, str(token)],
        )
        self.refreshes += 1
        log.debug("google_sheets: new access token (valid %.0f s)", expires_in)

    def batch_get(self, spreadsheet_id: str, ranges: list[str]) -> list[dict[str, Any]]:
        """The ``valueRanges`` of ``ranges`` (FORMATTED_VALUE, rows), in the order asked.

        Refreshes the access token once on HTTP 401.

        Raises:
            SourceAuthError: The token was refused even after a refresh.
            SourceApiError: 400 (a range Google cannot parse: a tab renamed), 403 (the sheet
                is not shared with the account), 404 (the spreadsheet id), or an error the
                retries did not clear.
        """
        url = f"{self.base_url}/spreadsheets/{quote(spreadsheet_id, safe='')}/values:batchGet"
        params: Any = [("ranges", r) for r in ranges] + [
            ("valueRenderOption", "FORMATTED_VALUE"),
            ("majorDimension", "ROWS"),
        ]
        if self._api is None or clock.monotonic() >= self._expires_at:
            self.refresh()
        for attempt in (1, 2):
            assert self._api is not None
            response, body = self._api.request("GET", url, params=params)
            if response.status_code == 401 and attempt == 1:
                log.info("google_sheets: access token refused; getting a new one")
                self.refresh()
                continue
            break
        if response.status_code == 200 and isinstance(body, dict):
            value_ranges = body.get("valueRanges") or []
            if len(value_ranges) != len(ranges):
                raise SourceApiError(
                    SOURCE,
                    f"batchGet answered {len(value_ranges)} ranges for {len(ranges)} asked",
                    record=f"spreadsheet {spreadsheet_id}",
                    hint="run again; if it persists, check base_url",
                )
            return list(value_ranges)
        self._raise(response, body, spreadsheet_id)
        raise AssertionError("unreachable")

    def _raise(self, response: Response, body: Any, spreadsheet_id: str) -> None:
        error = body.get("error") if isinstance(body, dict) else None
        error = error if isinstance(error, dict) else {}
        message = str(error.get("message") or response.reason)
        status = str(error.get("status") or "")
        detail = redact_text(f"HTTP {response.status_code} {status}: {message}", self._secrets)
        record = f"spreadsheet {spreadsheet_id}"
        code = response.status_code
        if code == 401:
            raise SourceAuthError(
                SOURCE,
                f"the access token was refused even after a new one ({detail})",
                record=record,
                hint=CREDENTIALS_HINT,
            )
        unparsed = message.removeprefix("Unable to parse range: ").split("!")[0]
        hint = {
            400: f"the sheet has no tab {unparsed} (renamed or deleted?): rename it back, or "
            "set its *_tab setting (e.g. SOURCES__GOOGLE_SHEETS__BUDGETS_TAB) to its new name",
            403: f"share the spreadsheet with {self.account.client_email} (Share > Viewer), and "
            "enable the Google Sheets API in the service account's Cloud project",
            404: "check spreadsheet_id (SOURCES__GOOGLE_SHEETS__SPREADSHEET_ID): the long id in "
            "the sheet's URL between /d/ and /edit",
            429: "the read quota (60 requests per minute per user) stayed exhausted through "
            "every retry; run again in a minute, or raise max_attempts/backoff_factor",
        }.get(code, "run again later; the plan of the previous run stays loaded")
        raise SourceApiError(SOURCE, f"values:batchGet failed ({detail})", record=record, hint=hint)
