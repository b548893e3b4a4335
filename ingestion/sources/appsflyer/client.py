"""AppsFlyer Pull API client: CSV reports over HTTPS with a V2 API token (Bearer)."""

from __future__ import annotations

from datetime import date
from typing import Any

from requests import Response

from ingestion.sources.appsflyer.tables import AGGREGATE_REPORTS, SOURCE
from ingestion.sources.errors import SourceApiError, SourceAuthError
from ingestion.sources.http import TokenClient

#: The text AppsFlyer sends with HTTP 403 when a report's call quota is used up for now.
LIMIT_REACHED = "Limit reached"
DEFAULT_BASE_URL = "https://hq1.appsflyer.com"
AGG_PATH = "/api/agg-data/export/app/{app_id}/{report}/v5"
RAW_PATH = "/api/raw-data/export/app/{app_id}/{report}/v5"


def is_limit_reached(response: Response) -> bool:
    """Whether ``response`` is AppsFlyer's throttling answer (HTTP 403 ``Limit reached``)."""
    return response.status_code == 403 and LIMIT_REACHED.lower() in response.text.lower()


def is_truncated(response: Response) -> bool:
    """Whether a 200 CSV answer was cut short (every complete CSV answer ends in a newline)."""
    if response.status_code != 200:
        return False
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) != len(response.content):
        return True
    return bool(response.content) and not response.content.endswith(b"\n")


class AppsFlyerClient(TokenClient):
    """Reads AppsFlyer Pull API reports as CSV text.

    Retries (exponential backoff, ``Retry-After`` honoured) on connection errors,
    timeouts, HTTP 429 and 5xx, the throttling answer (403 ``Limit reached``) and a CSV
    answer cut short. Takes the arguments of :class:`~ingestion.sources.http.TokenClient`:
    ``base_url`` (e.g. ``https://hq1.appsflyer.com``), the V2 API token, ``retry`` (raw
    reports can take minutes).
    """

    source = SOURCE
    token_hint = (
        "copy the V2 API token from AppsFlyer (Security center > API tokens) into "
        "SOURCES__APPSFLYER__API_TOKEN or api_token under [sources.appsflyer] in "
        ".dlt/secrets.toml"
    )
    accept = "text/csv"

    def should_retry(self, response: Response | None, exception: BaseException | None) -> bool:
        """The throttling answer and a CSV answer cut short are asked again."""
        return response is not None and (is_limit_reached(response) or is_truncated(response))

    def report(
        self,
        app_id: str,
        report: str,
        since: date,
        until: date,
        *,
        timezone: str,
        maximum_rows: int | None = None,
    ) -> str:
        """One report of one app for the days ``[since, until]``, as CSV text.

        Raises:
            SourceAuthError: HTTP 401 (token wrong, revoked or missing).
            SourceApiError: Any other error the retries did not clear (403 ``Limit
                reached`` after every attempt, 400 with AppsFlyer's message, 404, 5xx).
        """
        aggregate = report in AGGREGATE_REPORTS
        path = (AGG_PATH if aggregate else RAW_PATH).format(app_id=app_id, report=report)
        params: dict[str, Any] = {
            "from": since.isoformat(),
            "to": until.isoformat(),
            "timezone": timezone,
        }
        if maximum_rows is not None and not aggregate:
            params["maximum_rows"] = maximum_rows
        record = f"app_id={app_id}, report={report}, from={since}, to={until}"
        response = self.api.send("GET", self.base_url + path, params=params, record=record)
        if response.status_code == 200 and not is_truncated(response):
            return response.content.decode("utf-8-sig")
        self._raise(response, record)
        raise AssertionError("unreachable")  # pragma: no cover

    def _raise(self, response: Response, record: str) -> None:
        status = response.status_code
        text = self.api.redact(response.text.strip()[:300]) or response.reason
        if status == 401:
            raise SourceAuthError(
                SOURCE,
                f"AppsFlyer refused the API token (HTTP 401: {text})",
                record=record,
                hint="check SOURCES__APPSFLYER__API_TOKEN (api_token in .dlt/secrets.toml): it "
                "must be a V2 token (Security center > API tokens) of a user who can see the "
                "app. Nothing was loaded by this run",
            )
        if is_limit_reached(response):
            raise SourceApiError(
                SOURCE,
                "AppsFlyer kept answering 'Limit reached' (HTTP 403) after every retry",
                record=record,
                hint="the Pull API quota of this app and report is used up for now; run again "
                "later (the lookback window re-reads missed days) or ask for fewer reports",
            )
        if status == 200:
            raise SourceApiError(
                SOURCE,
                "the CSV answer stayed cut short after every retry",
                record=record,
                hint="run again later; nothing was loaded by this run",
            )
        hints = {
            400: "AppsFlyer refused the parameters (dates within the last 90 days, a time "
            "zone the app uses); fix start_date/end_date/timezone",
            403: "the token's user may not read this app's reports; check its permissions",
            404: "check app_ids: each must be an app id AppsFlyer shows (com.example or "
            "id123456789)",
        }
        raise SourceApiError(
            SOURCE,
            f"AppsFlyer answered HTTP {status}: {text}",
            record=record,
            hint=hints.get(status, "run again later; the lookback window re-reads missed days"),
        )
