"""Clients of the two rate providers: Korea Eximbank (a key, one day per call) and Frankfurter."""

from __future__ import annotations

from datetime import date
from typing import Any

from requests import Response

from ingestion.sources.errors import SourceApiError, SourceAuthError
from ingestion.sources.exchange_rates.tables import FRANKFURTER, KOREAEXIM, SOURCE
from ingestion.sources.http import RETRY, JsonApi, Retry, redact_url

#: Eximbank's ``result`` codes (HTTP 200 either way).
RESULT_OK = 1
RESULT_DATA_CODE = 2
RESULT_AUTH = 3
RESULT_DAILY_LIMIT = 4
#: Eximbank's path and the dataset code of exchange rates (AP02/AP03 are interest rates).
KOREAEXIM_PATH = "/site/program/financial/exchangeJSON"
KOREAEXIM_DATA = "AP01"


class KoreaEximClient:
    """Korea Eximbank's exchange-rate Open API (``exchangeJSON``, ``data=AP01``).

    Args:
        base_url: API root, e.g. ``https://oapi.koreaexim.go.kr``.
        auth_key: The Open API key (``authkey``), a secret.
        retry: How a request is retried (429, 5xx, timeouts, truncated bodies).
    """

    def __init__(self, base_url: str, auth_key: str, *, retry: Retry = RETRY) -> None:
        if not auth_key:
            raise SourceAuthError(
                SOURCE,
                "provider koreaexim needs an Open API key and none is configured",
                hint="request a key at https://www.koreaexim.go.kr (Open API > 인증키 발급) and "
                "set SOURCES__EXCHANGE_RATES__AUTH_KEY or auth_key under "
                "[sources.exchange_rates] in .dlt/secrets.toml; or set provider = "
                "'frankfurter' (no key)",
            )
        self.base_url = base_url.rstrip("/")
        self._key = auth_key
        self._api = JsonApi(SOURCE, retry=retry, secrets=[auth_key])

    def rates(self, day: date) -> list[dict[str, Any]]:
        """The rates Eximbank published for ``day`` (``[]`` on non-business days).

        Raises:
            SourceAuthError: ``result`` 3: the key is wrong or not yet approved.
            SourceApiError: ``result`` 2 or 4, an HTTP error the retries did not clear, or
                an answer that is not a list.
        """
        params = {"authkey": self._key, "searchdate": f"{day:%Y%m%d}", "data": KOREAEXIM_DATA}
        record = f"{KOREAEXIM} searchdate={day:%Y%m%d}"
        response, body = self._api.request("GET", self.base_url + KOREAEXIM_PATH, params=params)
        if response.status_code != 200:
            raise SourceApiError(
                SOURCE,
                f"Eximbank answered HTTP {response.status_code} {response.reason} after retries",
                record=record,
                hint="run again later; the lookback window re-reads the days this run missed",
            )
        if not isinstance(body, list):
            raise SourceApiError(
                SOURCE,
                f"Eximbank answered a {type(body).__name__}, expected a list",
                record=record,
                hint="check base_url (https://oapi.koreaexim.go.kr); nothing was loaded",
            )
        results = {row.get("result") for row in body if isinstance(row, dict)}
        if results - {RESULT_OK}:
            self._raise(next(iter(sorted(results - {RESULT_OK}, key=str))), record)
        return body

    def _raise(self, result: Any, record: str) -> None:
        if result == RESULT_AUTH:
            raise SourceAuthError(
                SOURCE,
                "Eximbank refused the Open API key (result 3, 인증코드 오류)",
                record=record,
                hint="check SOURCES__EXCHANGE_RATES__AUTH_KEY (auth_key in .dlt/secrets.toml) "
                "against the key shown at koreaexim.go.kr (Open API > 인증키 발급); a new key "
                "needs the bank's approval first. Nothing was loaded by this run",
            )
        if result == RESULT_DAILY_LIMIT:
            raise SourceApiError(
                SOURCE,
                "Eximbank's daily request limit for this key is used up (result 4, "
                "일일제한횟수 마감)",
                record=record,
                hint="nothing was loaded by this run; run again after midnight KST, load fewer "
                "days at once (initial_days, start_date/end_date: one request per day), or "
                "use provider = 'frankfurter' meanwhile",
            )
        if result == RESULT_DATA_CODE:
            raise SourceApiError(
                SOURCE,
                f"Eximbank refused the request's data code (result 2, DATA코드 오류; sent "
                f"data={KOREAEXIM_DATA})",
                record=record,
                hint="check base_url points at Eximbank's exchangeJSON API; nothing was loaded",
            )
        raise SourceApiError(
            SOURCE,
            f"Eximbank answered an unknown result code {result!r}",
            record=record,
            hint="run again; if it persists, check the Open API's notices at koreaexim.go.kr",
        )


class FrankfurterClient:
    """Frankfurter (ECB reference rates), time series ``GET /{start}..{end}``; no key.

    Args:
        base_url: API root, e.g. ``https://api.frankfurter.dev/v1``.
        retry: How a request is retried (429, 5xx, timeouts, truncated bodies).
    """

    def __init__(self, base_url: str, *, retry: Retry = RETRY) -> None:
        self.base_url = base_url.rstrip("/")
        self._api = JsonApi(SOURCE, retry=retry)

    def series(self, currency: str, since: date, until: date, symbol: str) -> dict[str, Any]:
        """``symbol`` per 1 ``currency`` on each ECB business day of ``[since, until]``.

        Returns:
            The answer (``{"amount", "base", "start_date", "end_date", "rates"}``), or one
            with empty ``rates`` when Frankfurter answers 404 ``not found`` (no rates on or
            before the range yet: a range that starts after Frankfurter's today).

        Raises:
            SourceApiError: 422 (a refused parameter), or another error the retries did not
                clear, or an answer that is not an object.
        """
        url = f"{self.base_url}/{since.isoformat()}..{until.isoformat()}"
        params = {"base": currency, "symbols": symbol}
        record = f"{FRANKFURTER} base={currency} {since}..{until}"
        response, body = self._api.request("GET", url, params=params)
        if response.status_code == 404:
            return {"amount": 1.0, "base": currency, "rates": {}}
        if response.status_code != 200 or not isinstance(body, dict):
            self._raise(response, body, record)
        return dict(body)

    def _raise(self, response: Response, body: Any, record: str) -> None:
        message = body.get("message") if isinstance(body, dict) else None
        detail = f"HTTP {response.status_code}: {message or response.reason}"
        if response.status_code == 422:
            raise SourceApiError(
                SOURCE,
                f"Frankfurter refused the request ({detail})",
                record=record,
                hint="check currencies (ISO codes Frankfurter lists at /currencies, not KRW) "
                "and start_date/end_date",
            )
        raise SourceApiError(
            SOURCE,
            f"GET {redact_url(response.url)} failed ({detail})",
            record=record,
            hint="run again later; the lookback window re-reads the days this run missed",
        )
