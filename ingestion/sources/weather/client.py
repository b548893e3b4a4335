"""Clients of the two weather providers: KMA ASOS daily (data.go.kr, a key) and Open-Meteo.

KMA's service answers JSON (``dataType=JSON``); the data.go.kr gateway answers XML errors
with HTTP 200. What every data.go.kr service shares (the key's two forms, classifying an
answer by its body, the ``items`` shapes) is in :mod:`ingestion.sources.datagokr`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ingestion.sources import datagokr
from ingestion.sources.errors import SourceApiError
from ingestion.sources.http import RETRY, JsonApi, Retry, redact_url
from ingestion.sources.weather.tables import KMA_ASOS, SOURCE

#: The operation ARGO reads: daily ASOS observations.
OPERATION = "getWthrDataList"
#: ``numOfRows`` the service accepts at most.
MAX_ROWS = 999
#: Pages of one request before the client assumes the paging is broken.
MAX_PAGES = 1000
#: Open-Meteo ``daily`` variables ARGO asks for.
DAILY_VARIABLES = (
    "temperature_2m_mean",
    "temperature_2m_min",
    "temperature_2m_max",
    "precipitation_sum",
    "wind_speed_10m_mean",
    "relative_humidity_2m_mean",
)
TIMEZONE = "Asia/Seoul"
# (ASOS answers resultCode 99 for an ``endDt`` of today or later: not transient, so
# datagokr.TRANSIENT_CODES, without 99, is used as it is.)

_KEY_HINT = (
    "set SOURCES__WEATHER__SERVICE_KEY (or service_key under [sources.weather] in "
    ".dlt/secrets.toml) to your data.go.kr key for 기상청_지상(종관, ASOS) 일자료 조회서비스, or "
    "set provider = 'open_meteo' (no key)"
)


class AsosClient(datagokr.ServiceClient):
    """Reads KMA's ``getWthrDataList`` (ASOS daily) per station and date range, page by page.

    Takes the arguments of :class:`~ingestion.sources.datagokr.ServiceClient`
    (``numOfRows`` at most 999).
    """

    operation = OPERATION
    source = SOURCE
    service_name = "the ASOS daily service"
    key_hint = _KEY_HINT
    quota_hint = (
        "quotas reset at midnight KST: run again tomorrow, load fewer stations or days, or "
        "use provider = 'open_meteo'. Nothing was loaded by this run"
    )
    failure_hint = (
        "ASOS serves days up to yesterday (KST) only: check start_date/end_date and "
        "stations (ASOS station ids such as 108); the run can be repeated safely"
    )
    paging_hint = "raise page_size (at most 999); the API's totalCount does not match its pages"
    max_pages = MAX_PAGES
    max_page_size = MAX_ROWS
    missing_key = "provider kma_asos needs a service key and none is configured"

    def page(self, station: str, since: date, until: date, page_no: int) -> dict[str, Any]:
        """One page of daily observations: the answer's ``response.body``.

        Raises:
            SourceAuthError: The gateway refused the key (20, 21, 30-33).
            SourceApiError: Quota used up (22), a refused request (e.g. 99 for an ``endDt``
                of today or later), or any error retries did not clear.
            SourceDataError: The answer has no ``response.body`` object.
        """
        params = {
            "dataType": "JSON",
            "dataCd": "ASOS",
            "dateCd": "DAY",
            "startDt": f"{since:%Y%m%d}",
            "endDt": f"{until:%Y%m%d}",
            "stnIds": station,
            "pageNo": page_no,
            "numOfRows": self.page_size,
        }
        return self.body(params, self.record(station, since, until, page_no))

    @staticmethod
    def record(station: str, since: date, until: date, page_no: int | None = None) -> str:
        """How a request is named in errors."""
        text = f"{KMA_ASOS} stnIds={station}, startDt={since:%Y%m%d}, endDt={until:%Y%m%d}"
        return text + (f", pageNo={page_no}" if page_no is not None else "")

    def days(self, station: str, since: date, until: date) -> list[dict[str, Any]]:
        """Every item of ``[since, until]`` for ``station``, across pages.

        Raises:
            SourceDataError: ``items`` or ``totalCount`` has an impossible shape.
            SourceApiError: The pages never reach ``totalCount``.
        """
        return self.all_items(
            lambda page_no: self.page(station, since, until, page_no),
            lambda page_no: self.record(station, since, until, page_no),
            "one request",
        )


class OpenMeteoClient:
    """Open-Meteo's historical weather API (``GET /v1/archive``); no key.

    Args:
        base_url: API root, e.g. ``https://archive-api.open-meteo.com/v1``.
        retry: How a request is retried (429, 5xx, timeouts, truncated bodies).
    """

    def __init__(self, base_url: str, *, retry: Retry = RETRY) -> None:
        self.base_url = base_url.rstrip("/")
        self._api = JsonApi(SOURCE, retry=retry)

    def daily(
        self, latitude: float, longitude: float, since: date, until: date, record: str
    ) -> dict[str, Any]:
        """The daily aggregates of ``[since, until]`` (Korean days) at one point.

        Raises:
            SourceApiError: A 400 ``{"error": true, "reason"}``, a 429 or 5xx the retries
                did not clear, or an answer that is not an object.
        """
        params = {
            "latitude": latitude,
            "longitude": longitude,
            "start_date": since.isoformat(),
            "end_date": until.isoformat(),
            "daily": ",".join(DAILY_VARIABLES),
            "timezone": TIMEZONE,
        }
        response, body = self._api.request("GET", f"{self.base_url}/archive", params=params)
        if response.status_code == 200 and isinstance(body, dict) and not body.get("error"):
            return dict(body)
        reason = body.get("reason") if isinstance(body, dict) else None
        detail = f"HTTP {response.status_code}: {reason or response.reason}"
        if response.status_code == 400:
            raise SourceApiError(
                SOURCE,
                f"Open-Meteo refused the request ({detail})",
                record=record,
                hint="check start_date/end_date (the archive starts in 1940 and ends a few "
                "days before today) and base_url (https://archive-api.open-meteo.com/v1)",
            )
        if response.status_code == 429:
            raise SourceApiError(
                SOURCE,
                f"Open-Meteo's request limit is used up ({detail})",
                record=record,
                hint="the free API allows about 600 calls a minute and 10,000 a day: run "
                "again later; the lookback window re-reads the days this run missed",
            )
        raise SourceApiError(
            SOURCE,
            f"GET {redact_url(response.url)} failed ({detail})",
            record=record,
            hint="run again later; the lookback window re-reads the days this run missed",
        )
