"""The Kakao Moment Open API client: business token (with refresh), report pacing, errors."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from requests import Response

from ingestion import clock
from ingestion.sources.errors import SourceApiError, SourceAuthError
from ingestion.sources.http import RETRY, JsonApi, Retry, redact_text, redact_url

SOURCE = "kakao_moment"
log = logging.getLogger("argo.sources.kakao_moment")

#: Kakao's "invalid or expired access token" code (HTTP 401).
TOKEN_CODE = -401
#: Kakao Moment's own error code; with HTTP 429 it means "too many calls".
MOMENT_CODE = -813
#: Kakao's app quota code (HTTP 400).
QUOTA_CODE = -10
#: Metric groups asked of every report: imp/click/ctr/cost, reach, Pixel & SDK conversions.
METRICS_GROUPS = ("BASIC", "ADDITION", "PIXEL_SDK_CONVERSION")


def is_throttled(response: Response, body: Any) -> bool:
    """Whether a Kakao answer says "too many calls" (retried with backoff).

    HTTP 429 is retried by status anyway; this also catches the app quota ``-10`` that
    Kakao sends with HTTP 400.
    """
    return isinstance(body, dict) and body.get("code") == QUOTA_CODE


@dataclass
class PacerStats:
    """What the pacer did for one ad account.

    Attributes:
        calls: Report calls made.
        slept: Seconds slept before them, in total.
        busy: Seconds spent inside the calls (from send to answer), in total.
        gaps: For each call after the first, seconds from the end of the previous call
            to the start of this one (sleep plus whatever the caller did in between).
        sleeps: For each call after the first, the seconds slept before it (0 if none).
    """

    calls: int = 0
    slept: float = 0.0
    busy: float = 0.0
    gaps: list[float] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)

    def required_sleep(self, interval: float) -> float:
        """The least sleep these calls needed: per gap, the interval not already idle."""
        return sum(
            max(0.0, interval - (gap - slept))
            for gap, slept in zip(self.gaps, self.sleeps, strict=True)
        )


class ReportPacer:
    """Keeps report calls of one ad account at least ``interval`` seconds apart.

    Kakao allows one report call per ad account every 5 s, counted from the previous
    call. Before a call the pacer sleeps only the part of the interval that has not
    already passed since that account's previous call ended (never a fixed sleep); ad
    accounts are independent, so threads for different accounts never wait for each
    other. The interval is measured from the end of the previous call, which is never
    earlier than the moment Kakao received it.

    Args:
        interval: Seconds between two report calls of one account.

    Times and waits come from :mod:`ingestion.clock` (tests freeze it).
    """

    #: The pacer most recently created (tests and logs read its counters).
    latest: ClassVar[ReportPacer | None] = None

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self.stats: dict[str, PacerStats] = {}
        ReportPacer.latest = self

    def _lock(self, account_id: str) -> threading.Lock:
        with self._guard:
            self.stats.setdefault(account_id, PacerStats())
            return self._locks.setdefault(account_id, threading.Lock())

    def call(self, account_id: str, request: Callable[[], Any]) -> Any:
        """Runs ``request`` for ``account_id`` once the interval since its last call passed."""
        with self._lock(account_id):
            stats = self.stats[account_id]
            last = self._last.get(account_id)
            wait = 0.0
            if last is not None:
                wait = max(0.0, self.interval - (clock.monotonic() - last))
                if wait > 0:
                    clock.sleep(wait)
                    stats.slept += wait
            started = clock.monotonic()
            if last is not None:
                stats.gaps.append(started - last)
                stats.sleeps.append(wait)
            try:
                return request()
            finally:
                ended = clock.monotonic()
                stats.calls += 1
                stats.busy += ended - started
                self._last[account_id] = ended

    def total(self) -> PacerStats:
        """The counters of every account added up."""
        total = PacerStats()
        for stats in self.stats.values():
            total.calls += stats.calls
            total.slept += stats.slept
            total.busy += stats.busy
        return total


class KakaoMomentClient:
    """A small client for the Kakao Moment Open API endpoints ARGO reads.

    Args:
        base_url: API root, e.g. ``https://apis.moment.kakao.com``.
        access_token: A business access token (``moment_management`` consent).
        refresh_token: Business refresh token; given with ``client_id``, an expired access
            token is refreshed once through ``{auth_url}/oauth/token`` and the call retried.
        client_id: The Kakao app's REST API key (for refreshing).
        client_secret: The app's client secret, if the app has it switched on.
        auth_url: Kakao's OAuth root, e.g. ``https://kauth.kakao.com``.
        report_interval: Seconds between two report calls of one ad account.
        retry: How a request is retried (429, 5xx, timeouts, truncated bodies).
    """

    def __init__(
        self,
        base_url: str,
        access_token: str,
        *,
        refresh_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        auth_url: str = "https://kauth.kakao.com",
        report_interval: float = 5.0,
        retry: Retry = RETRY,
    ) -> None:
        if not access_token and not (refresh_token and client_id):
            raise SourceAuthError(
                SOURCE,
                "no access token configured",
                hint="set SOURCES__KAKAO_MOMENT__ACCESS_TOKEN (or refresh_token and client_id "
                "to have one issued) or the same keys under [sources.kakao_moment] in "
                ".dlt/secrets.toml",
            )
        self.base_url = base_url.rstrip("/")
        self.auth_url = auth_url.rstrip("/")
        self._token = access_token
        self._refresh_token = refresh_token or ""
        self._client_id = client_id or ""
        self._client_secret = client_secret or ""
        self._retry = retry
        self._apis: dict[tuple[str, str], JsonApi] = {}
        self._apis_lock = threading.Lock()
        self._token_lock = threading.Lock()
        self.refreshes = 0
        self.pacer = ReportPacer(report_interval)

    @property
    def can_refresh(self) -> bool:
        """Whether a refresh token and the app's REST API key are configured."""
        return bool(self._refresh_token and self._client_id)

    def _secrets(self) -> list[str]:
        return [s for s in (self._token, self._refresh_token, self._client_secret) if s]

    def _json_api(self, headers: dict[str, str]) -> JsonApi:
        return JsonApi(
            SOURCE,
            headers=headers,
            is_throttled=is_throttled,
            retry=self._retry,
            secrets=self._secrets(),
        )

    def _api(self, account_id: str, token: str) -> JsonApi:
        """A retrying JSON client whose every request carries the token and account header."""
        with self._apis_lock:
            api = self._apis.get((account_id, token))
            if api is None:
                headers = {"Authorization": f"Bearer {token}"}
                if account_id:
                    headers["adAccountId"] = account_id
                api = self._json_api(headers)
                self._apis[(account_id, token)] = api
            return api

    # -- token --------------------------------------------------------------------------
    def refresh(self, failed_token: str) -> None:
        """Gets a new access token with the refresh token (once per expired token).

        Raises:
            SourceAuthError: Kakao refused the refresh token or the app credentials.
        """
        with self._token_lock:
            if self._token != failed_token:
                return  # another thread refreshed it already
            form = {
                "grant_type": "refresh_token",
                "client_id": self._client_id,
                "refresh_token": self._refresh_token,
            }
            if self._client_secret:
                form["client_secret"] = self._client_secret
            api = self._json_api({})
            url = f"{self.auth_url}/oauth/token"
            response, body = api.request("POST", url, data=form)
            token = body.get("access_token") if isinstance(body, dict) else None
            if response.status_code != 200 or not token:
                error = body if isinstance(body, dict) else {}
                detail = redact_text(
                    f"HTTP {response.status_code}, {error.get('error_code', '-')} "
                    f"{error.get('error', '')}: {error.get('error_description', response.reason)}",
                    self._secrets(),
                )
                raise SourceAuthError(
                    SOURCE,
                    f"the access token expired and refreshing it failed ({detail})",
                    record=f"POST {redact_url(url)}",
                    hint="renew the business refresh token through Kakao's business "
                    "authorization (kauth.kakao.com/oauth/business/authorize) and set "
                    "SOURCES__KAKAO_MOMENT__REFRESH_TOKEN; check client_id (REST API key) "
                    "and client_secret; nothing was loaded by this run",
                )
            self._token = str(token)
            if body.get("refresh_token"):  # Kakao rotates it when it nears expiry
                self._refresh_token = str(body["refresh_token"])
            self.refreshes += 1
            log.info("kakao_moment: access token refreshed")

    # -- calls --------------------------------------------------------------------------
    def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, account_id: str = ""
    ) -> Any:
        """Sends one GET and returns its JSON, refreshing an expired token once.

        Args:
            path: Path below the base URL, e.g. ``/openapi/v4/campaigns``.
            params: Query parameters.
            account_id: Sent as the ``adAccountId`` header (required by most endpoints).

        Raises:
            SourceAuthError: The token is invalid or expired (and could not be refreshed).
            SourceApiError: Any other error the retries did not clear.
        """
        url = f"{self.base_url}/{path.lstrip('/')}"
        record = f"adAccountId={account_id}" if account_id else ""
        for attempt in (1, 2):
            token = self._token
            response, body = self._api(account_id, token).request("GET", url, params=params)
            if response.status_code == 200:
                return body
            code = body.get("code") if isinstance(body, dict) else None
            if code == TOKEN_CODE and attempt == 1 and self.can_refresh:
                log.info("kakao_moment: access token rejected (%s); refreshing", body.get("msg"))
                self.refresh(token)
                continue
            self._raise(response, body, record)
        raise AssertionError("unreachable")

    def _raise(self, response: Response, body: Any, record: str) -> None:
        error = body if isinstance(body, dict) else {}
        code = error.get("code")
        raw_extras = error.get("extras")
        extras: dict[str, Any] = raw_extras if isinstance(raw_extras, dict) else {}
        message = redact_text(
            str(extras.get("detailMsg") or error.get("msg") or response.reason), self._secrets()
        )
        where = f"{response.request.method} {redact_url(response.url)}"
        detail = f"HTTP {response.status_code}, code {code}"
        if extras.get("detailCode") is not None:
            detail += f"/{extras['detailCode']}"
        detail += f": {message}"
        if code == TOKEN_CODE or response.status_code == 401:
            expired = "expired" in str(error.get("msg", ""))
            raise SourceAuthError(
                SOURCE,
                f"the access token was {'expired' if expired else 'rejected'} ({detail})",
                record=record or where,
                hint="business access tokens last hours: configure refresh_token and client_id "
                "(SOURCES__KAKAO_MOMENT__REFRESH_TOKEN, ..._CLIENT_ID) so the source renews "
                "it, or set a fresh SOURCES__KAKAO_MOMENT__ACCESS_TOKEN; nothing was loaded "
                "by this run, so run it again once the token is fixed",
            )
        if response.status_code == 429 or code == QUOTA_CODE:
            raise SourceApiError(
                SOURCE,
                f"still rate-limited after every retry ({detail})",
                record=record or where,
                hint="Kakao allows one report call per ad account every 5 s; raise "
                "report_interval_seconds if another tool reads the same accounts, then run "
                "again (the lookback window re-pulls what this run missed)",
            )
        if response.status_code == 403 or (code == MOMENT_CODE and "광고계정" in message):
            raise SourceApiError(
                SOURCE,
                f"no access to the ad account ({detail})",
                record=record or where,
                hint="check the ad account id and that the token's Kakao account is a member "
                "of it (Kakao Moment > 광고계정 > 멤버 관리)",
            )
        raise SourceApiError(
            SOURCE,
            f"{where} failed ({detail})",
            record=record or None,
            hint="run again; if it persists, check the request against the API documentation",
        )

    # -- endpoints ----------------------------------------------------------------------
    def account_ids(self, page_size: int) -> list[str]:
        """Every ad account the token can read (``GET /openapi/v4/adAccounts/pages``)."""
        ids: list[str] = []
        page = 0
        while True:
            body = self.get("/openapi/v4/adAccounts/pages", {"page": page, "size": page_size})
            content = body.get("content") if isinstance(body, dict) else None
            if not isinstance(content, list):
                raise SourceApiError(SOURCE, "adAccounts/pages answered no 'content' list")
            ids.extend(str(row["id"]) for row in content if isinstance(row, dict))
            if not content or body.get("last", True):
                return ids
            page += 1

    def account(self, account_id: str) -> dict[str, Any]:
        """One ad account (``GET /openapi/v4/adAccounts/{id}``)."""
        return self._object(f"/openapi/v4/adAccounts/{account_id}", account_id)

    def _object(
        self, path: str, account_id: str, params: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        body = self.get(path, params, account_id=account_id)
        if not isinstance(body, dict):
            raise SourceApiError(
                SOURCE, f"{path} answered a {type(body).__name__}, expected an object"
            )
        return body

    def _content(
        self, path: str, account_id: str, params: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        body = self._object(path, account_id, params)
        content = body.get("content")
        if not isinstance(content, list):
            raise SourceApiError(
                SOURCE, f"{path} answered no 'content' list", record=f"adAccountId={account_id}"
            )
        return content

    def campaigns(self, account_id: str) -> list[dict[str, Any]]:
        """Campaigns that are ON or OFF (``GET /openapi/v4/campaigns``)."""
        return self._content("/openapi/v4/campaigns", account_id, {"config": "ON,OFF,DEL"})

    def campaign(self, account_id: str, campaign_id: str) -> dict[str, Any]:
        """One campaign with its type, goal and budget (``GET /openapi/v4/campaigns/{id}``)."""
        return self._object(f"/openapi/v4/campaigns/{campaign_id}", account_id)

    def ad_groups(self, account_id: str, campaign_id: str) -> list[dict[str, Any]]:
        """Ad groups of one campaign (``GET /openapi/v4/adGroups?campaignId=``)."""
        return self._content(
            "/openapi/v4/adGroups", account_id, {"campaignId": campaign_id, "config": "ON,OFF,DEL"}
        )

    def ad_group(self, account_id: str, ad_group_id: str) -> dict[str, Any]:
        """One ad group (``GET /openapi/v4/adGroups/{id}``)."""
        return self._object(f"/openapi/v4/adGroups/{ad_group_id}", account_id)

    def creatives(self, account_id: str, ad_group_id: str) -> list[dict[str, Any]]:
        """Creatives of one ad group (``GET /openapi/v4/creatives?adGroupId=``)."""
        return self._content(
            "/openapi/v4/creatives", account_id, {"adGroupId": ad_group_id, "config": "ON,OFF,DEL"}
        )

    def creative(self, account_id: str, creative_id: str) -> dict[str, Any]:
        """One creative with its landing (``GET /openapi/v4/creatives/{id}``)."""
        return self._object(f"/openapi/v4/creatives/{creative_id}", account_id)

    def creative_report(
        self, account_id: str, creative_ids: Sequence[str], start: date, end: date
    ) -> list[dict[str, Any]]:
        """Daily creative report rows for one range (paced per ad account).

        ``GET /openapi/v4/creatives/report?creativeId=...&start=&end=&timeUnit=DAY&
        metricsGroup=BASIC,ADDITION,PIXEL_SDK_CONVERSION``; the range must be at most 31
        days and end before Kakao's today.
        """
        params = {
            "creativeId": ",".join(creative_ids),
            "start": start.strftime("%Y%m%d"),
            "end": end.strftime("%Y%m%d"),
            "timeUnit": "DAY",
            "metricsGroup": ",".join(METRICS_GROUPS),
        }
        body = self.pacer.call(
            account_id,
            lambda: self.get("/openapi/v4/creatives/report", params, account_id=account_id),
        )
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise SourceApiError(
                SOURCE,
                "creatives/report answered no 'data' list",
                record=f"adAccountId={account_id} {start}..{end}",
            )
        return data


def chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    """Consecutive pieces of ``items`` of at most ``size``."""
    for i in range(0, len(items), size):
        yield list(items[i : i + size])
