"""Adjust Report Service API client: JSON reports over HTTPS with an API token (Bearer)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from requests import Response

from ingestion.sources.adjust.tables import DIMENSIONS, SOURCE, metrics
from ingestion.sources.errors import SourceApiError, SourceAuthError
from ingestion.sources.http import TokenClient, payload

DEFAULT_BASE_URL = "https://dash.adjust.com"
REPORT_PATH = "/control-center/reports-service/report"


def is_truncated(response: Response) -> bool:
    """Whether a 200 answer is not complete JSON (cut short on the way).

    The body is parsed once per answer (:func:`~ingestion.sources.http.payload`), whether
    the retry condition or the caller asks first.
    """
    if response.status_code != 200:
        return False
    try:
        payload(response)
    except ValueError:
        return True
    return False


class AdjustClient(TokenClient):
    """Reads Adjust Report Service reports as JSON.

    Retries (exponential backoff, ``Retry-After`` honoured) on connection errors,
    timeouts, HTTP 429 (Adjust: more than 50 simultaneous requests), 5xx (503, and 504
    when a query takes too long) and 200 answers cut short. Takes the arguments of
    :class:`~ingestion.sources.http.TokenClient`: ``base_url`` (e.g.
    ``https://dash.adjust.com``), the Adjust API token, ``retry`` (large reports can take
    minutes).
    """

    source = SOURCE
    token_hint = (
        "copy your Adjust API token (Adjust Suite > your account > My profile > API token) "
        "into SOURCES__ADJUST__API_TOKEN or api_token under [sources.adjust] in "
        ".dlt/secrets.toml"
    )

    def should_retry(self, response: Response | None, exception: BaseException | None) -> bool:
        """A 200 answer cut short is asked again."""
        return response is not None and is_truncated(response)

    def report(
        self,
        app_tokens: Sequence[str],
        since: date,
        until: date,
        *,
        event_slugs: Sequence[str],
        currency: str,
        utc_offset: str | None = None,
    ) -> Any:
        """The report of ``app_tokens`` for the days ``[since, until]``, as parsed JSON.

        Asks for :data:`~ingestion.sources.adjust.tables.DIMENSIONS` and the base metrics
        plus ``<slug>_events`` and ``<slug>_revenue`` per event slug, ISO dates
        (``format_dates=false``) and money in ``currency``.

        Returns:
            The answer (``{"rows": [], ...}`` for Adjust's HTTP 204 "no content").

        Raises:
            SourceAuthError: HTTP 401 (token wrong, revoked or missing) or 403 (the token's
                user may not see these apps).
            SourceApiError: Any other error the retries did not clear (400 with Adjust's
                message, 429 after every attempt, 5xx).
        """
        params: dict[str, Any] = {
            "app_token__in": ",".join(app_tokens),
            "date_period": f"{since.isoformat()}:{until.isoformat()}",
            "dimensions": ",".join(DIMENSIONS),
            "metrics": ",".join(metrics(event_slugs)),
            "currency": currency,
            "format_dates": "false",
        }
        if utc_offset:
            params["utc_offset"] = utc_offset
        record = f"app_token__in={params['app_token__in']}, date_period={params['date_period']}"
        response = self.api.send("GET", self.base_url + REPORT_PATH, params=params, record=record)
        if response.status_code == 204:
            return {"rows": [], "totals": {}, "warnings": []}
        if response.status_code == 200 and not is_truncated(response):
            return payload(response)
        self._raise(response, record)
        raise AssertionError("unreachable")  # pragma: no cover

    def _detail(self, response: Response) -> str:
        try:
            body = json.loads(response.content)
        except ValueError:
            body = None
        if isinstance(body, dict):
            text = str(body.get("detail") or body.get("error") or body.get("message") or body)
        else:
            text = response.text.strip()
        return self.api.redact(text[:300]) or response.reason

    def _raise(self, response: Response, record: str) -> None:
        status = response.status_code
        detail = self._detail(response)
        if status in (401, 403):
            what = "refused the API token" if status == 401 else "forbade the report"
            raise SourceAuthError(
                SOURCE,
                f"Adjust {what} (HTTP {status}: {detail})",
                record=record,
                hint="check SOURCES__ADJUST__API_TOKEN (api_token in .dlt/secrets.toml): it must "
                "be the API token of an Adjust user who can see every app in app_tokens. "
                "Nothing was loaded by this run",
            )
        if status == 429:
            raise SourceApiError(
                SOURCE,
                f"still rate-limited after every retry (HTTP 429: {detail})",
                record=record,
                hint="Adjust allows 50 simultaneous requests per user; stop other jobs using "
                "the same token or run again later (the lookback re-reads missed days)",
            )
        if status == 200:
            raise SourceApiError(
                SOURCE,
                "the JSON answer stayed cut short after every retry",
                record=record,
                hint="run again later; nothing was loaded by this run",
            )
        hints = {
            400: "Adjust refused the parameters; check event_slugs (each must be an event slug "
            "Adjust's events endpoint lists), currency (an ISO 4217 code), utc_offset "
            "(+HH:MM) and start_date/end_date",
            504: "the report took too long; lower days_per_request",
        }
        raise SourceApiError(
            SOURCE,
            f"Adjust answered HTTP {status}: {detail}",
            record=record,
            hint=hints.get(status, "run again later; the lookback window re-reads missed days"),
        )
