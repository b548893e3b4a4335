"""Clients of the two weather providers: KMA ASOS daily (data.go.kr, a key) and Open-Meteo.

data.go.kr answers in two shapes. The service answers JSON (``dataType=JSON``):
``{"response": {"header": {"resultCode": "00", ...}, "body": {"items": ..., "totalCount"}}}``.
The portal's gateway, which checks the service key and the traffic quota before the
service sees the call, answers XML whatever was asked, usually with HTTP 200::

    <OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg>
    <returnAuthMsg>SERVICE_KEY_IS_NOT_REGISTERED_ERROR</returnAuthMsg>
    <returnReasonCode>30</returnReasonCode></cmmMsgHeader></OpenAPI_ServiceResponse>

So the status code says little: every answer is classified by its body (the approach of
``kr_holidays``, copied here), and the codes decide between retrying, an auth error and
an API error.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote, unquote

from dlt.sources.helpers.requests import Client
from requests import Response

from ingestion.sources.errors import SourceApiError, SourceAuthError, SourceDataError
from ingestion.sources.http import JsonApi, redact_url
from ingestion.sources.weather.tables import KMA_ASOS, SOURCE, items_of, total_of

#: The operation ARGO reads: daily ASOS observations.
OPERATION = "getWthrDataList"
#: ``numOfRows`` the service accepts at most.
MAX_ROWS = 999
#: Gateway codes that mean "the key is not usable" (register, renew or fix the key).
AUTH_CODES = {
    "20": "SERVICE_ACCESS_DENIED_ERROR: the key has no approved use (활용신청) of this API",
    "21": "TEMPORARILY_DISABLE_THE_SERVICEKEY_ERROR: the key is temporarily disabled",
    "30": "SERVICE_KEY_IS_NOT_REGISTERED_ERROR: the key is not registered",
    "31": "DEADLINE_HAS_EXPIRED_ERROR: the key's period of use has ended",
    "32": "UNREGISTERED_IP_ERROR: this machine's IP is not registered for the key",
    "33": "UNSIGNED_CALL_ERROR: the call is not signed",
}
#: Daily traffic quota used up (the gateway's 22); retried only a little.
QUOTA_CODE = "22"
#: Per-second traffic limit (23) and transient service errors: retried with backoff.
#: (``99`` is not among them: ASOS answers it for an ``endDt`` of today or later.)
TRANSIENT_CODES = frozenset({"01", "02", "04", "05", "23"})
#: The service's "no data" code: an empty answer, not an error.
NO_DATA_CODE = "03"
QUOTA_RETRIES = 2
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

_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_CLASSIFIED = "_argo_weather"
_KEY_HINT = (
    "set SOURCES__WEATHER__SERVICE_KEY (or service_key under [sources.weather] in "
    ".dlt/secrets.toml) to your data.go.kr key for 기상청_지상(종관, ASOS) 일자료 조회서비스, or "
    "set provider = 'open_meteo' (no key)"
)


def normalize_service_key(key: str) -> str:
    """The service key in its decoded form, whichever form (Encoding/Decoding) was configured.

    The key must reach the gateway URL-encoded exactly once (encoded twice, the gateway
    answers 30), so an encoded key is decoded here and encoded once in the URL.

    Raises:
        SourceAuthError: The key is empty, or has a ``%`` that is not a valid escape.
    """
    key = key.strip()
    if not key:
        raise SourceAuthError(
            SOURCE, "provider kma_asos needs a service key and none is configured", hint=_KEY_HINT
        )
    if "%" in key:
        if _PERCENT.sub("", key).count("%"):
            raise SourceAuthError(
                SOURCE,
                "the service key has a '%' that is not a URL escape (the key is not shown)",
                hint="copy the key again from data.go.kr (마이페이지 > 활용신청 현황); either "
                "the Encoding or the Decoding form works",
            )
        key = unquote(key)
    return key


@dataclass(frozen=True)
class Answer:
    """One classified data.go.kr answer.

    Attributes:
        kind: ``ok`` (resultCode 00 or 03), ``error`` (a gateway or service error code) or
            ``garbled`` (neither valid JSON nor XML: truncated).
        code: The resultCode / returnReasonCode.
        message: The error's names (``errMsg``, ``returnAuthMsg``, ``resultMsg``).
        body: The service answer's ``response.body`` (``ok`` only).
    """

    kind: str
    code: str = ""
    message: str = ""
    body: Any = None


def _from_header(header: dict[str, Any]) -> Answer:
    code = str(header.get("returnReasonCode") or "").strip()
    names = [
        str(header.get(k) or "").strip()
        for k in ("returnAuthMsg", "errMsg")
        if str(header.get(k) or "").strip()
    ]
    return Answer("error", code.zfill(2) if code else "?", " / ".join(dict.fromkeys(names)))


def classify(response: Response) -> Answer:
    """Reads an answer's body (once per response) into an :class:`Answer`."""
    cached = response.__dict__.get(_CLASSIFIED)
    if isinstance(cached, Answer):
        return cached
    answer = classify_bytes(response.content)
    response.__dict__[_CLASSIFIED] = answer
    return answer


def classify_bytes(content: bytes) -> Answer:
    """Classifies a data.go.kr body (XML gateway error, JSON service answer, or garbled)."""
    text = content.decode("utf-8", errors="replace").strip()
    if text.startswith("<"):
        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError:
            return Answer("garbled")
        gateway = root.find(".//cmmMsgHeader")
        if root.tag == "cmmMsgHeader":
            gateway = root
        if gateway is not None:
            return _from_header({child.tag: child.text for child in gateway})
        code = (root.findtext(".//header/resultCode") or "").strip()
        if code:
            message = (root.findtext(".//header/resultMsg") or "").strip()
            if code in ("00", NO_DATA_CODE):
                return Answer("error", code, "an XML answer although dataType=JSON was asked")
            return Answer("error", code, message)
        return Answer("garbled")
    try:
        data = json.loads(text)
    except ValueError:
        return Answer("garbled")
    if not isinstance(data, dict):
        return Answer("error", "?", f"an unexpected JSON {type(data).__name__}")
    gateway_json = data.get("OpenAPI_ServiceResponse")
    if isinstance(gateway_json, dict) and isinstance(gateway_json.get("cmmMsgHeader"), dict):
        return _from_header(gateway_json["cmmMsgHeader"])
    response = data.get("response")
    header = response.get("header") if isinstance(response, dict) else None
    if not isinstance(response, dict) or not isinstance(header, dict):
        return Answer("error", "?", "no 'response.header' in the answer")
    code = str(header.get("resultCode") or "").strip()
    message = str(header.get("resultMsg") or "").strip()
    if code in ("00", "0", "0000"):
        return Answer("ok", "00", message, response.get("body"))
    if code == NO_DATA_CODE:
        return Answer("ok", code, message, {"items": "", "totalCount": 0})
    return Answer("error", code or "?", message)


class AsosClient:
    """Reads KMA's ``getWthrDataList`` (ASOS daily) per station and date range, page by page.

    Args:
        base_url: The service root, e.g. ``https://apis.data.go.kr/1360000/AsosDalyInfoService``.
        service_key: The data.go.kr key (Encoding or Decoding form; never logged).
        page_size: ``numOfRows`` per call (at most 999).
        max_attempts: Attempts per call (429, 5xx, timeouts, truncated bodies, transient
            gateway codes).
        backoff_factor: Seconds multiplier of the exponential backoff.
        timeout: Seconds to wait for one answer.
    """

    def __init__(
        self,
        base_url: str,
        service_key: str,
        *,
        page_size: int = MAX_ROWS,
        max_attempts: int = 8,
        backoff_factor: float = 1.0,
        max_retry_delay: float = 300.0,
        timeout: float = 60.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._key = normalize_service_key(service_key)
        self.page_size = max(1, min(page_size, MAX_ROWS))
        self.calls = 0
        self._quota_hits = 0
        self._client = Client(
            request_timeout=timeout,
            raise_for_status=False,
            request_max_attempts=max_attempts,
            request_backoff_factor=backoff_factor,
            request_max_retry_delay=max_retry_delay,
            respect_retry_after_header=True,
            retry_condition=self._should_retry,
            session_attrs={"headers": {"Accept": "application/json"}},
        )

    def _redact(self, text: str) -> str:
        for secret in (quote(quote(self._key, safe=""), safe=""), quote(self._key, safe="")):
            text = text.replace(secret, "***")
        text = text.replace(self._key, "***")
        return re.sub(r"(serviceKey=)[^&\s\"']+", r"\1***", text, flags=re.IGNORECASE)

    def _should_retry(self, response: Response | None, exception: BaseException | None) -> bool:
        if response is None or response.status_code != 200:
            return False  # dlt retries 429, 5xx and connection errors by itself
        answer = classify(response)
        if answer.kind == "garbled" or answer.code in TRANSIENT_CODES:
            return True
        if answer.code == QUOTA_CODE:
            self._quota_hits += 1
            return self._quota_hits <= QUOTA_RETRIES
        return False

    def _url(self, params: dict[str, Any]) -> str:
        # The key is encoded here, once; requests leaves existing %XX escapes alone.
        query = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items())
        return f"{self.base_url}/{OPERATION}?serviceKey={quote(self._key, safe='')}&{query}"

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
        record = self.record(station, since, until, page_no)
        self._quota_hits = 0
        self.calls += 1
        try:
            response = self._client.session.get(self._url(params))
        except Exception as exc:  # connection refused, timeouts after the last retry
            raise SourceApiError(
                SOURCE,
                f"GET {OPERATION} failed after retries: "
                f"{self._redact(type(exc).__name__ + ': ' + str(exc))}",
                record=record,
                hint="check base_url and the network; the run can be repeated safely",
            ) from None
        answer = classify(response)
        if answer.kind == "ok" and response.status_code == 200:
            if not isinstance(answer.body, dict):
                raise SourceDataError(
                    SOURCE, "the answer has no 'response.body' object", record=record
                )
            return dict(answer.body)
        self._raise(response, answer, record)
        raise AssertionError("unreachable")

    @staticmethod
    def record(station: str, since: date, until: date, page_no: int | None = None) -> str:
        """How a request is named in errors."""
        text = f"{KMA_ASOS} stnIds={station}, startDt={since:%Y%m%d}, endDt={until:%Y%m%d}"
        return text + (f", pageNo={page_no}" if page_no is not None else "")

    def _raise(self, response: Response, answer: Answer, record: str) -> None:
        detail = self._redact(
            f"HTTP {response.status_code}, code {answer.code or '-'}: "
            f"{answer.message or response.reason or answer.kind}"
        )
        if answer.code in AUTH_CODES:
            raise SourceAuthError(
                SOURCE,
                f"data.go.kr refused the service key ({detail}; {AUTH_CODES[answer.code]})",
                record=record,
                hint="check the key on data.go.kr (마이페이지 > 활용신청 현황) and that the use "
                "of the ASOS daily service is approved (a new key takes up to an hour to "
                "work); " + _KEY_HINT + ". Nothing was loaded by this run",
            )
        if answer.code == QUOTA_CODE:
            raise SourceApiError(
                SOURCE,
                f"the key's daily traffic quota is used up ({detail})",
                record=record,
                hint="quotas reset at midnight KST: run again tomorrow, load fewer stations "
                "or days, or use provider = 'open_meteo'. Nothing was loaded by this run",
            )
        if answer.kind == "garbled":
            raise SourceApiError(
                SOURCE,
                f"the answer stayed unreadable after every retry ({detail})",
                record=record,
                hint="the API sent a truncated or invalid body; run again later",
            )
        raise SourceApiError(
            SOURCE,
            f"GET {OPERATION} failed ({detail})",
            record=record,
            hint="ASOS serves days up to yesterday (KST) only: check start_date/end_date and "
            "stations (ASOS station ids such as 108); the run can be repeated safely",
        )

    def days(self, station: str, since: date, until: date) -> list[dict[str, Any]]:
        """Every item of ``[since, until]`` for ``station``, across pages.

        Raises:
            SourceDataError: ``items`` or ``totalCount`` has an impossible shape.
            SourceApiError: The pages never reach ``totalCount``.
        """
        collected: list[dict[str, Any]] = []
        for page_no in range(1, MAX_PAGES + 1):
            body = self.page(station, since, until, page_no)
            record = self.record(station, since, until, page_no)
            items = items_of(body, record)
            total = total_of(body, record)
            collected.extend(items)
            if not items or len(collected) >= total:
                return collected
        raise SourceApiError(
            SOURCE,
            f"more than {MAX_PAGES} pages for one request",
            record=self.record(station, since, until),
            hint="raise page_size (at most 999); the API's totalCount does not match its pages",
        )


class OpenMeteoClient:
    """Open-Meteo's historical weather API (``GET /v1/archive``); no key.

    Args:
        base_url: API root, e.g. ``https://archive-api.open-meteo.com/v1``.
        max_attempts: Attempts per request (429, 5xx, timeouts, truncated bodies).
        backoff_factor: Seconds multiplier of the exponential backoff between attempts.
        timeout: Seconds to wait for one response.
    """

    def __init__(
        self,
        base_url: str,
        *,
        max_attempts: int = 8,
        backoff_factor: float = 1.0,
        timeout: float = 60.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api = JsonApi(
            SOURCE, max_attempts=max_attempts, backoff_factor=backoff_factor, timeout=timeout
        )

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
