"""The Meta Marketing (Graph) API client: auth, cursor paging, async insight reports, errors."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any, ClassVar

from requests import Response

from ingestion import clock
from ingestion.sources.errors import SourceApiError, SourceAuthError
from ingestion.sources.http import RETRY, JsonApi, Retry, bearer, redact_text, redact_url

SOURCE = "meta_ads"
log = logging.getLogger("argo.sources.meta_ads")

#: Graph API error codes that mean "too many calls": retried with backoff.
#: 4 app, 17 user, 32 page, 613 calls within time, 80000-80014 business use case.
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
#: 190: invalid or expired access token; 102: session key invalid; 10/200-299: permissions.
AUTH_CODES = frozenset({102, 190})
PERMISSION_CODES = frozenset({10, *range(200, 300)})

ASYNC_DONE = "Job Completed"
ASYNC_FAILED = frozenset({"Job Failed", "Job Skipped"})


def _error(body: Any) -> dict[str, Any]:
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def is_throttled(response: Response, body: Any) -> bool:
    """Whether a Graph API answer is a rate-limit error (retried with backoff)."""
    code = _error(body).get("code")
    return isinstance(code, int) and code in RATE_LIMIT_CODES


#: Usage headers Meta sends (percentages of a rolling hour's budget; ``X-App-Usage`` for
#: the app, ``X-Business-Use-Case-Usage`` per business, ``X-Ad-Account-Usage`` per account).
APP_USAGE = "X-App-Usage"
BUSINESS_USAGE = "X-Business-Use-Case-Usage"
ACCOUNT_USAGE = "X-Ad-Account-Usage"
#: The gate's key of calls that concern no ad account (``/me/adaccounts``).
NO_ACCOUNT = ""
_ACCOUNT = re.compile(r"act_(\d+)")


def _json_header(response: Response, name: str) -> Any:
    text = response.headers.get(name)
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def usage(response: Response) -> tuple[float, float, float]:
    """What Meta's usage headers say: (account %, app %, seconds until access is regained).

    The account's usage is the highest ``call_count``/``total_cputime``/``total_time`` of
    ``X-Business-Use-Case-Usage`` (every business and use case it lists) and
    ``acc_id_util_pct`` of ``X-Ad-Account-Usage``; the app's is the highest of
    ``X-App-Usage``. The wait is ``estimated_time_to_regain_access`` (minutes) or
    ``reset_time_duration`` (seconds), whichever is longer. A missing or unreadable
    header counts as 0.
    """
    account = wait = 0.0
    business = _json_header(response, BUSINESS_USAGE)
    if isinstance(business, dict):
        for entries in business.values():
            for entry in entries if isinstance(entries, list) else []:
                if not isinstance(entry, dict):
                    continue
                account = max(
                    account,
                    *(_number(entry.get(k)) for k in ("call_count", "total_cputime", "total_time")),
                )
                wait = max(wait, 60 * _number(entry.get("estimated_time_to_regain_access")))
    ad_account = _json_header(response, ACCOUNT_USAGE)
    if isinstance(ad_account, dict):
        account = max(account, _number(ad_account.get("acc_id_util_pct")))
        wait = max(wait, _number(ad_account.get("reset_time_duration")))
    app = _json_header(response, APP_USAGE)
    app_usage = 0.0
    if isinstance(app, dict):
        app_usage = max(_number(app.get(k)) for k in ("call_count", "total_cputime", "total_time"))
    return account, app_usage, wait


class UsageGate:
    """Holds calls back while Meta's usage headers say a budget is nearly spent.

    Meta counts calls per business and ad account (Business Use Case limits) and per app,
    over a rolling hour, and reports the usage as percentages on its answers; at 100 it
    refuses calls until the window drains. Accounts are read on several threads, so after
    an answer at ``threshold`` % or more the gate pauses that account's next call (or every
    call, for the app's usage): for the time Meta says access returns in, if it says so,
    else ``pause`` seconds. Other accounts go on. Waits go through :mod:`ingestion.clock`.

    Args:
        threshold: Usage (percent) at which calls are held back.
        pause: Seconds to hold back when Meta names no time.
    """

    #: The gate most recently created (tests and logs read its counters).
    latest: ClassVar[UsageGate | None] = None

    def __init__(self, threshold: float = 90.0, pause: float = 60.0) -> None:
        UsageGate.latest = self
        self.threshold = threshold
        self.pause = pause
        self._guard = threading.Lock()
        self._resume: dict[str, float] = {}
        #: Seconds waited, in total, and how many times (for logs and tests).
        self.waited = 0.0
        self.waits = 0

    def before(self, key: str) -> None:
        """Waits until calls of ``key`` (an ad account id) and of the app may go on."""
        with self._guard:
            resume = max(self._resume.get(key, 0.0), self._resume.get(NO_ACCOUNT, 0.0))
        wait = resume - clock.monotonic()
        if wait > 0:
            log.info("meta_ads: usage near Meta's limit; waiting %.0f s", wait)
            clock.sleep(wait)
            with self._guard:
                self.waited += wait
                self.waits += 1

    def after(self, key: str, response: Response) -> None:
        """Reads the usage headers of an answer about ``key`` and pauses what needs it."""
        account, app, regain = usage(response)
        now = clock.monotonic()
        with self._guard:
            for name, used in ((key, account), (NO_ACCOUNT, app)):
                if used >= self.threshold or (regain and name == key):
                    until = now + (regain or self.pause)
                    self._resume[name] = max(self._resume.get(name, 0.0), until)


class AsyncReportFailed(SourceApiError):
    """An async insights report run ended failed or skipped, or did not finish in time."""


class MetaAdsClient:
    """A small Graph API client for the Marketing API endpoints ARGO reads.

    Args:
        base_url: Graph API root including the version, e.g. ``https://graph.facebook.com/v21.0``.
        access_token: A system-user or user access token with ``ads_read``.
        page_size: ``limit`` asked for on every listing and insights page.
        retry: How a request is retried (rate limits, 429, 5xx, truncated bodies).
        async_poll_interval: First wait between polls of an async report, doubled each poll.
        async_poll_max_interval: Longest wait between two polls.
        async_timeout: Seconds after which an async report that has not finished is abandoned.
        usage_threshold: Usage percentage (Meta's usage headers) at which calls of that
            account, or of the app, are held back (:class:`UsageGate`).
        usage_pause: Seconds to hold back when Meta names no time to regain access.
    """

    def __init__(
        self,
        base_url: str,
        access_token: str,
        *,
        page_size: int = 500,
        retry: Retry = RETRY,
        async_poll_interval: float = 10.0,
        async_poll_max_interval: float = 300.0,
        async_timeout: float = 3600.0,
        usage_threshold: float = 90.0,
        usage_pause: float = 60.0,
    ) -> None:
        headers = bearer(
            SOURCE,
            access_token,
            "access token",
            "set SOURCES__META_ADS__ACCESS_TOKEN or access_token under [sources.meta_ads] in "
            ".dlt/secrets.toml",
        )
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        self.async_poll_interval = async_poll_interval
        self.async_poll_max_interval = async_poll_max_interval
        self.async_timeout = async_timeout
        self._token = access_token
        self.gate = UsageGate(usage_threshold, usage_pause)
        self.api = JsonApi(
            SOURCE,
            headers=headers,
            is_throttled=is_throttled,
            retry=retry,
            secrets=[access_token],
        )

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base_url}/{path.lstrip('/')}"

    def call(
        self, method: str, path: str, params: Mapping[str, Any] | None = None, *, record: str = ""
    ) -> dict[str, Any]:
        """Sends one Graph API call and returns its JSON object, raising clear errors.

        Args:
            method: ``GET`` or ``POST``.
            path: A path below the versioned base URL, or a full URL (``paging.next``).
            params: Query parameters (GET) or form fields (POST).
            record: What the call is about, for error messages (e.g. ``act_123``).

        Raises:
            SourceAuthError: The token is missing, invalid or expired (code 190).
            SourceApiError: Any other error the retries did not clear.
        """
        url = self._url(path)
        found = _ACCOUNT.search(f"{path} {record}")
        key = found.group(1) if found else NO_ACCOUNT
        self.gate.before(key)
        if method == "GET":
            response, body = self.api.request("GET", url, params=params)
        else:
            response, body = self.api.request(method, url, data=params)
        self.gate.after(key, response)
        error = _error(body)
        if response.status_code == 200 and not error:
            if not isinstance(body, dict):
                raise SourceApiError(
                    SOURCE,
                    f"{method} {redact_url(response.url)} answered a {type(body).__name__}, "
                    "expected a JSON object",
                    record=record or None,
                )
            return body
        self._raise(response, error, record)
        raise AssertionError("unreachable")

    def _raise(self, response: Response, error: dict[str, Any], record: str) -> None:
        code = error.get("code")
        subcode = error.get("error_subcode")
        message = redact_text(str(error.get("message") or response.reason), [self._token])
        where = f"{response.request.method} {redact_url(response.url)}"
        detail = f"HTTP {response.status_code}, code {code}"
        if subcode:
            detail += f"/{subcode}"
        detail += f", fbtrace_id {error.get('fbtrace_id', '-')}: {message}"
        if code in AUTH_CODES:
            expired = subcode == 463
            raise SourceAuthError(
                SOURCE,
                f"the access token was {'expired' if expired else 'rejected'} ({detail})",
                record=record or where,
                hint="create a new long-lived or system-user token with ads_read and set "
                "SOURCES__META_ADS__ACCESS_TOKEN (or .dlt/secrets.toml); nothing was loaded "
                "by this run, so run it again once the token is fixed",
            )
        if code in PERMISSION_CODES or (code == 100 and subcode == 33):
            raise SourceApiError(
                SOURCE,
                f"no access to the object ({detail})",
                record=record or where,
                hint="check the ad account id (digits, without act_) and that the token's user "
                "or system user has ads_read on it",
            )
        if code in RATE_LIMIT_CODES or response.status_code == 429:
            raise SourceApiError(
                SOURCE,
                f"still rate-limited after every retry ({detail})",
                record=record or where,
                hint="wait for the usage headers to reset (X-Business-Use-Case-Usage) and run "
                "again; the lookback window re-pulls what this run missed",
            )
        raise SourceApiError(
            SOURCE,
            f"{where} failed ({detail})",
            record=record or None,
            hint="run again; if it persists, check the request fields against the API version",
        )

    def paginate(
        self, path: str, params: Mapping[str, Any], *, record: str = ""
    ) -> Iterator[list[dict[str, Any]]]:
        """Yields the ``data`` list of each page, following ``paging.next`` to the end."""
        body = self.call("GET", path, {**params, "limit": self.page_size}, record=record)
        while True:
            data = body.get("data")
            if not isinstance(data, list):
                raise SourceApiError(
                    SOURCE, f"a page of {path} has no 'data' list", record=record or None
                )
            yield data
            next_url = (body.get("paging") or {}).get("next")
            if not next_url or not data:
                return
            body = self.call("GET", next_url, record=record)

    def account(self, account_id: str, fields: list[str]) -> dict[str, Any]:
        """Reads one ad account object (``GET /act_{id}``)."""
        return self.call(
            "GET", f"act_{account_id}", {"fields": ",".join(fields)}, record=f"act_{account_id}"
        )

    def my_account_ids(self) -> list[str]:
        """Lists the ids (digits) of every ad account the token can read."""
        ids: list[str] = []
        for page in self.paginate("me/adaccounts", {"fields": "account_id"}, record="me"):
            ids.extend(str(row["account_id"]) for row in page)
        return ids

    def insights_params(self, since: date, until: date, fields: list[str]) -> dict[str, str]:
        """The query of a daily, ad-level insights request for one date range."""
        return {
            "level": "ad",
            "time_increment": "1",
            "time_range": json.dumps(
                {"since": since.isoformat(), "until": until.isoformat()}, separators=(",", ":")
            ),
            "fields": ",".join(fields),
        }

    def insights_sync(
        self, account_id: str, since: date, until: date, fields: list[str]
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages synchronous insights (``GET /act_{id}/insights``)."""
        record = f"act_{account_id} {since}..{until}"
        yield from self.paginate(
            f"act_{account_id}/insights", self.insights_params(since, until, fields), record=record
        )

    def insights_async(
        self, account_id: str, since: date, until: date, fields: list[str]
    ) -> Iterator[list[dict[str, Any]]]:
        """Runs an async insights report and pages its result.

        ``POST /act_{id}/insights`` starts a report run, ``GET /{report_run_id}`` is polled
        (waits start at ``async_poll_interval`` and double up to ``async_poll_max_interval``)
        until ``async_status`` is ``Job Completed``; then ``GET /{report_run_id}/insights``
        is paged.

        Raises:
            AsyncReportFailed: The run ended ``Job Failed``/``Job Skipped`` or timed out.
        """
        record = f"act_{account_id} {since}..{until}"
        started = self.call(
            "POST",
            f"act_{account_id}/insights",
            self.insights_params(since, until, fields),
            record=record,
        )
        run_id = str(started.get("report_run_id") or "")
        if not run_id:
            raise SourceApiError(SOURCE, "async insights answered no report_run_id", record=record)
        deadline = clock.monotonic() + self.async_timeout
        wait = self.async_poll_interval
        while True:
            status = self.call("GET", run_id, record=f"{record} report_run_id={run_id}")
            state = status.get("async_status")
            log.debug(
                "%s report %s: %s %s%%",
                record,
                run_id,
                state,
                status.get("async_percent_completion"),
            )
            if state == ASYNC_DONE:
                break
            if state in ASYNC_FAILED:
                raise AsyncReportFailed(
                    SOURCE,
                    f"async report {run_id} ended '{state}'",
                    record=record,
                    hint="the range is retried in smaller pieces; if a one-day report fails, "
                    "run again later",
                )
            if clock.monotonic() + wait > deadline:
                raise AsyncReportFailed(
                    SOURCE,
                    f"async report {run_id} still '{state}' after {self.async_timeout:.0f} s",
                    record=record,
                    hint="raise async_timeout or lower insights_chunk_days",
                )
            clock.sleep(wait)
            wait = min(wait * 2, self.async_poll_max_interval)
        yield from self.paginate(
            f"{run_id}/insights", {}, record=f"{record} report_run_id={run_id}"
        )
