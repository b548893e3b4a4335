"""The Google Ads API (REST) client: OAuth refresh, GAQL search/searchStream, errors."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from requests import Response

from ingestion import clock
from ingestion.sources.errors import (
    SourceApiError,
    SourceAuthError,
    SourceDataError,
    SourceError,
)
from ingestion.sources.http import RETRY, JsonApi, Retry, redact_text

SOURCE = "google_ads"
log = logging.getLogger("argo.sources.google_ads")

#: Refresh the access token this many seconds before Google says it expires.
EXPIRY_MARGIN = 60.0
#: Error codes that mean the developer token (not the OAuth credentials) is the problem.
DEVELOPER_TOKEN_CODES = frozenset(
    {
        "DEVELOPER_TOKEN_PARAMETER_MISSING",
        "DEVELOPER_TOKEN_INVALID",
        "DEVELOPER_TOKEN_NOT_APPROVED",
        "DEVELOPER_TOKEN_PROHIBITED",
        "DEVELOPER_TOKEN_NOT_ON_ALLOWLIST",
    }
)
SECRETS_HINT = (
    "set SOURCES__GOOGLE_ADS__CLIENT_ID, SOURCES__GOOGLE_ADS__CLIENT_SECRET and "
    "SOURCES__GOOGLE_ADS__REFRESH_TOKEN (or client_id, client_secret, refresh_token under "
    "[sources.google_ads] in .dlt/secrets.toml); see ingestion/sources/google_ads/README.md"
)


@dataclass(frozen=True)
class GoogleAdsError:
    """What a Google Ads error body says, flattened for messages and decisions."""

    http_status: int
    status: str
    message: str
    codes: tuple[tuple[str, str, str], ...]  # (category, code, message)
    request_id: str
    retry_delay: str

    @property
    def code_names(self) -> set[str]:
        """Every ``errorCode`` value, e.g. ``{"OAUTH_TOKEN_EXPIRED"}``."""
        return {code for _, code, _ in self.codes}

    def describe(self) -> str:
        """``HTTP 403 PERMISSION_DENIED, authorizationError.USER_PERMISSION_DENIED: ...``."""
        text = f"HTTP {self.http_status}"
        if self.status:
            text += f" {self.status}"
        if self.codes:
            category, code, message = self.codes[0]
            text += f", {category}.{code}: {message or self.message}"
        elif self.message:
            text += f": {self.message}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text


def parse_error(response: Response, body: Any) -> GoogleAdsError:
    """Reads ``{"error": {"code", "message", "status", "details": [GoogleAdsFailure]}}``."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    codes: list[tuple[str, str, str]] = []
    request_id = ""
    retry_delay = ""
    for detail in error.get("details") or []:
        if not isinstance(detail, dict):
            continue
        request_id = str(detail.get("requestId") or request_id)
        for item in detail.get("errors") or []:
            if not isinstance(item, dict):
                continue
            for category, code in (item.get("errorCode") or {}).items():
                codes.append((str(category), str(code), str(item.get("message") or "")))
            quota = (item.get("details") or {}).get("quotaErrorDetails") or {}
            retry_delay = str(quota.get("retryDelay") or retry_delay)
    return GoogleAdsError(
        http_status=response.status_code,
        status=str(error.get("status") or ""),
        message=str(error.get("message") or response.reason or ""),
        codes=tuple(codes),
        request_id=request_id,
        retry_delay=retry_delay,
    )


def normalize_customer_id(value: str | int, name: str) -> str:
    """``123-456-7890`` -> ``1234567890``; raises if it is not ten digits."""
    digits = re.sub(r"[\s-]", "", str(value))
    if not re.fullmatch(r"\d{10}", digits):
        raise SourceError(
            SOURCE,
            f"{name} '{value}' is not a Google Ads customer id",
            hint="use the ten digits shown in the Google Ads UI (dashes are removed)",
        )
    return digits


class GoogleAdsClient:
    """A small Google Ads REST client for GoogleAdsService search and searchStream.

    Args:
        base_url: API root with version, e.g. ``https://googleads.googleapis.com/v26``.
        token_url: Google's OAuth token endpoint.
        client_id: OAuth client id of the Google Cloud project.
        client_secret: Its secret.
        refresh_token: A refresh token of a user with access to the accounts (scope
            ``https://www.googleapis.com/auth/adwords``).
        developer_token: Sent as ``developer-token`` when given.
        login_customer_id: Manager account id, sent as ``login-customer-id`` when given.
        retry: How a request is retried (429, 5xx, timeouts, truncated bodies).
    """

    def __init__(
        self,
        *,
        base_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        developer_token: str | None = None,
        login_customer_id: str | None = None,
        retry: Retry = RETRY,
    ) -> None:
        missing = [
            name
            for name, value in (
                ("client_id", client_id),
                ("client_secret", client_secret),
                ("refresh_token", refresh_token),
            )
            if not value
        ]
        if missing:
            raise SourceAuthError(SOURCE, f"no {', '.join(missing)} configured", hint=SECRETS_HINT)
        self.base_url = base_url.rstrip("/")
        self.token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._developer_token = developer_token or None
        self.login_customer_id = (
            normalize_customer_id(login_customer_id, "login_customer_id")
            if login_customer_id
            else None
        )
        self._retry = retry
        self._secrets = [s for s in (client_secret, refresh_token, developer_token) if s]
        self._oauth = self._json_api({}, self._secrets)
        self._api: JsonApi | None = None
        self._access_token = ""
        self._expires_at = 0.0
        #: One refresh at a time: customers are read on several threads.
        self._token_lock = threading.Lock()
        self._after_rejection = False
        self._proven = False
        #: Access tokens obtained so far (for logs and tests).
        self.refreshes = 0

    def _json_api(self, headers: dict[str, str], secrets: list[str]) -> JsonApi:
        return JsonApi(SOURCE, headers=headers, retry=self._retry, secrets=secrets)

    # -- OAuth --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Exchanges the refresh token for a new access token.

        Raises:
            SourceAuthError: Google refused the client or the refresh token.
        """
        response, body = self._oauth.request(
            "POST",
            self.token_url,
            data={
                "grant_type": "refresh_token",
                "client_id": self._client_id,
                "client_secret": self._client_secret,
                "refresh_token": self._refresh_token,
            },
        )
        token = body.get("access_token") if isinstance(body, dict) else None
        if response.status_code != 200 or not token:
            error = body.get("error") if isinstance(body, dict) else None
            description = body.get("error_description") if isinstance(body, dict) else None
            detail = f"HTTP {response.status_code}, {error or 'no access_token'}"
            if description:
                detail += f": {description}"
            hint = (
                "the OAuth client id or secret is wrong: copy them from the Google Cloud "
                "console (APIs & Services > Credentials); " + SECRETS_HINT
                if error == "invalid_client"
                else "the refresh token is wrong, expired or revoked: create a new one for a "
                "user with access to the accounts (scope https://www.googleapis.com/auth/adwords); "
                "nothing was loaded by this run"
            )
            raise SourceAuthError(
                SOURCE,
                "the OAuth token endpoint refused to issue an access token "
                f"({redact_text(detail, self._secrets)})",
                record=self.token_url,
                hint=hint,
            )
        expires_in = float(body.get("expires_in") or 3599)
        self._access_token = str(token)
        self._expires_at = clock.monotonic() + max(expires_in - EXPIRY_MARGIN, 0.0)
        headers = {"Authorization": f"Bearer {token}"}
        if self._developer_token:
            headers["developer-token"] = self._developer_token
        if self.login_customer_id:
            headers["login-customer-id"] = self.login_customer_id
        self._api = self._json_api(headers, [*self._secrets, self._access_token])
        self.refreshes += 1
        log.debug("google_ads: new access token (valid %.0f s)", expires_in)

    # -- calls --------------------------------------------------------------------------
    def call(
        self, path: str, body: dict[str, Any] | None, *, record: str, method: str = "POST"
    ) -> Any:
        """Sends one API call; refreshes the access token once on ``UNAUTHENTICATED``.

        Args:
            path: Below the versioned base URL, e.g. ``customers/1/googleAds:search``.
            body: JSON body (POST).
            record: What the call is about, for error messages.
            method: ``POST`` or ``GET``.

        Raises:
            SourceAuthError: Credentials or developer token refused.
            SourceApiError: Any other error the retries did not clear.
        """
        url = f"{self.base_url}/{path.lstrip('/')}"
        api = self._current_api(None)
        for attempt in (1, 2):
            response, payload = api.request(method, url, json_body=body)
            if response.status_code == 401 and attempt == 1:
                log.info(
                    "google_ads: %s answered UNAUTHENTICATED; refreshing the access token",
                    record,
                )
                api = self._current_api(api)
                continue
            if api is self._api:
                self._proven = True
            break
        if response.status_code == 200:
            return payload
        self._raise(response, payload, record)
        raise AssertionError("unreachable")

    def _current_api(self, rejected: JsonApi | None) -> JsonApi:
        """The client of a valid access token, refreshed first if it expired or was rejected.

        Thread-safe: of several threads that saw the same token rejected, one refreshes; a
        token obtained because one was rejected is not replaced on its own rejection until
        it has worked once (so a refresh that does not help fails the run, not loops).
        """
        with self._token_lock:
            api = self._api
            expired = api is None or clock.monotonic() >= self._expires_at
            retry = api is rejected and (self._proven or not self._after_rejection)
            if expired or (rejected is not None and retry):
                self.refresh()
                self._after_rejection = rejected is not None and not expired
                self._proven = False
                api = self._api
            assert api is not None
            return api

    def _raise(self, response: Response, body: Any, record: str) -> None:
        error = parse_error(response, body)
        detail = redact_text(error.describe(), self._secrets)
        codes = error.code_names
        if codes & DEVELOPER_TOKEN_CODES:
            raise SourceAuthError(
                SOURCE,
                f"Google refused the developer token ({detail})",
                record=record,
                hint="set SOURCES__GOOGLE_ADS__DEVELOPER_TOKEN to the token of the API Center of "
                "your manager account; a token with test access reads test accounts only "
                "(apply for Basic/Explorer access)",
            )
        if response.status_code == 401:
            raise SourceAuthError(
                SOURCE,
                f"the access token was rejected even after a refresh ({detail})",
                record=record,
                hint="check that the refresh token belongs to a user with access to this "
                "customer and the OAuth client of the same Cloud project; " + SECRETS_HINT,
            )
        if response.status_code == 403:
            raise SourceApiError(
                SOURCE,
                f"no access to the customer ({detail})",
                record=record,
                hint="check the customer id, and set login_customer_id "
                "(SOURCES__GOOGLE_ADS__LOGIN_CUSTOMER_ID, ten digits, no dashes) to the manager "
                "account through which the OAuth user reaches it",
            )
        if response.status_code == 429:
            wait = f"; Google asked to wait {error.retry_delay}" if error.retry_delay else ""
            raise SourceApiError(
                SOURCE,
                f"still over quota after every retry ({detail}{wait})",
                record=record,
                hint="run again later (the lookback window re-pulls what this run missed), or "
                "raise max_attempts/backoff_factor; check the API quota of the Cloud project",
            )
        if "queryError" in {c for c, _, _ in error.codes}:
            raise SourceApiError(
                SOURCE,
                f"Google rejected the GAQL query ({detail})",
                record=record,
                hint="the API version in base_url may not know a field ARGO asks for; use the "
                "version this connector documents",
            )
        raise SourceApiError(
            SOURCE,
            f"the call failed ({detail})",
            record=record,
            hint="run again; if it persists, look the request id up in Google Ads API support",
        )

    def search(
        self, customer_id: str, query: str, *, record: str
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages ``googleAds:search`` (fixed page size) following ``nextPageToken``."""
        path = f"customers/{customer_id}/googleAds:search"
        body: dict[str, Any] = {"query": query}
        while True:
            page = self.call(path, body, record=record)
            if not isinstance(page, dict):
                raise SourceApiError(SOURCE, "a search page is not a JSON object", record=record)
            results = page.get("results") or []
            if not isinstance(results, list):
                raise SourceApiError(SOURCE, "a search page has no 'results' list", record=record)
            yield results
            token = page.get("nextPageToken")
            if not token:
                return
            body = {"query": query, "pageToken": token}

    def search_stream(
        self, customer_id: str, query: str, *, record: str
    ) -> Iterator[list[dict[str, Any]]]:
        """Yields the ``results`` of each batch of ``googleAds:searchStream``."""
        path = f"customers/{customer_id}/googleAds:searchStream"
        batches = self.call(path, {"query": query}, record=record)
        if not isinstance(batches, list):
            raise SourceApiError(
                SOURCE, "searchStream did not answer a JSON array of batches", record=record
            )
        for batch in batches:
            results = batch.get("results") if isinstance(batch, dict) else None
            if results is None:
                continue  # a batch without rows (an empty answer has one)
            if not isinstance(results, list):
                raise SourceApiError(
                    SOURCE, "a searchStream batch has no 'results' list", record=record
                )
            yield results

    def client_customer_ids(self, manager_id: str) -> list[str]:
        """The enabled, non-manager client accounts directly under a manager account."""
        query = (
            "SELECT customer_client.id, customer_client.manager, customer_client.status, "
            "customer_client.level FROM customer_client WHERE customer_client.level <= 1"
        )
        ids: list[str] = []
        record = f"customer {manager_id} clients"
        for page in self.search(manager_id, query, record=record):
            for row in page:
                client = row.get("customerClient") if isinstance(row, dict) else None
                client = client if isinstance(client, dict) else {}
                # proto3 JSON leaves false out: an absent ``manager`` is a client account.
                if client.get("manager") or client.get("status", "ENABLED") != "ENABLED":
                    continue
                if not client.get("id"):
                    raise SourceDataError(
                        SOURCE,
                        "a customer_client row has no 'customer_client.id'",
                        record=f"{record}: {row!r:.120}",
                        hint="the API answer is malformed; nothing was loaded by this run. "
                        "Run again, or list the customers in account_ids",
                    )
                ids.append(str(client["id"]))
        return ids
