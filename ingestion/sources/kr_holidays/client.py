"""The data.go.kr SpcdeInfoService client: service key, paging, JSON and XML gateway errors.

data.go.kr answers in two shapes. The service itself answers JSON (``_type=json``):
``{"response": {"header": {"resultCode": "00", ...}, "body": {"items": ..., "totalCount"}}}``.
The portal's gateway, which checks the service key and the traffic quota before the
service sees the call, answers XML whatever ``_type`` asked for, usually with HTTP 200::

    <OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg>
    <returnAuthMsg>SERVICE_KEY_IS_NOT_REGISTERED_ERROR</returnAuthMsg>
    <returnReasonCode>30</returnReasonCode></cmmMsgHeader></OpenAPI_ServiceResponse>

(and sometimes the same fields as JSON). So the status code says little: every answer is
classified by its body, and gateway codes decide between retrying, an auth error and an
API error.
"""

from __future__ import annotations

import json
import logging
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from dlt.sources.helpers.requests import Client
from requests import Response

from ingestion.sources.errors import SourceApiError, SourceAuthError, SourceDataError
from ingestion.sources.kr_holidays.tables import items_of, total_of

SOURCE = "kr_holidays"
log = logging.getLogger("argo.sources.kr_holidays")

#: The operation ARGO reads: public rest days (공휴일) per month.
OPERATION = "getRestDeInfo"
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
TRANSIENT_CODES = frozenset({"01", "02", "04", "05", "23", "99"})
#: The service's "no data" code: an empty answer, not an error.
NO_DATA_CODE = "03"
#: How often a 22 is asked again before the run stops (a daily quota rarely clears).
QUOTA_RETRIES = 2
#: Pages of one month before the client assumes the paging is broken.
MAX_PAGES = 100

_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_CLASSIFIED = "_argo_kr_holidays"


def normalize_service_key(key: str) -> str:
    """The service key in its decoded form, whichever form was configured.

    data.go.kr showed every key twice: "Encoding" (``abc%2Bdef%3D%3D``) and "Decoding"
    (``abc+def==``). The key must reach the gateway URL-encoded exactly once: the encoded
    form sent through an HTTP library that encodes parameters arrives encoded twice and
    the gateway answers 30 (not registered). So an encoded key is decoded here, and the
    client encodes it once when building the URL.

    Raises:
        SourceAuthError: The key is empty, or has a ``%`` that is not a valid escape.
    """
    key = key.strip()
    if not key:
        raise SourceAuthError(SOURCE, "the service key is empty", hint=_KEY_HINT)
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


_KEY_HINT = (
    "set SOURCES__KR_HOLIDAYS__SERVICE_KEY (or service_key under [sources.kr_holidays] in "
    ".dlt/secrets.toml) to your data.go.kr key for 한국천문연구원_특일 정보, or set "
    "provider = 'holidays' to compute the holidays offline"
)


@dataclass(frozen=True)
class Answer:
    """One classified answer.

    Attributes:
        kind: ``ok`` (a service answer with resultCode 00 or 03), ``error`` (a gateway or
            service error code) or ``garbled`` (neither valid JSON nor XML: truncated).
        code: The resultCode / returnReasonCode.
        message: The error's names (``errMsg``, ``returnAuthMsg``, ``resultMsg``).
        body: The service answer's ``response.body`` (``ok`` only).
    """

    kind: str
    code: str = ""
    message: str = ""
    body: Any = None


def _from_header(header: dict[str, Any]) -> Answer:
    """A gateway ``cmmMsgHeader`` (XML or JSON) as an error answer."""
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
    answer = _classify(response.content)
    response.__dict__[_CLASSIFIED] = answer
    return answer


def _classify(content: bytes) -> Answer:
    text = content.decode("utf-8", errors="replace").strip()
    if text.startswith("<"):
        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError:
            return Answer("garbled")
        gateway = root.find(".//cmmMsgHeader")
        if gateway is not None:
            return _from_header({child.tag: child.text for child in gateway})
        code = (root.findtext(".//header/resultCode") or "").strip()
        if code:  # the service's XML answer (when _type=json was lost on the way)
            message = (root.findtext(".//header/resultMsg") or "").strip()
            if code in ("00", NO_DATA_CODE):
                return Answer("error", code, "an XML answer although _type=json was asked")
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


class SpcdeInfoClient:
    """Reads ``getRestDeInfo`` month by month, page by page.

    Args:
        base_url: The service root, e.g.
            ``https://apis.data.go.kr/B090041/openapi/service/SpcdeInfoService``.
        service_key: The data.go.kr key (Encoding or Decoding form; never logged).
        page_size: ``numOfRows`` per call.
        max_attempts: Attempts per call (429, 5xx, timeouts, truncated bodies, transient
            gateway codes).
        backoff_factor: Seconds multiplier of the exponential backoff.
        max_retry_delay: Longest wait between two attempts, in seconds.
        timeout: Seconds to wait for one answer.
    """

    def __init__(
        self,
        base_url: str,
        service_key: str,
        *,
        page_size: int = 100,
        max_attempts: int = 8,
        backoff_factor: float = 1.0,
        max_retry_delay: float = 300.0,
        timeout: float = 60.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._key = normalize_service_key(service_key)
        self.page_size = page_size
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

    def page(self, year: int, month: int, page_no: int) -> dict[str, Any]:
        """One page of ``getRestDeInfo`` for a month: the answer's ``response.body``.

        Raises:
            SourceAuthError: The gateway refused the key (20, 21, 30-33).
            SourceApiError: Quota used up (22), or any error retries did not clear.
        """
        params = {
            "solYear": f"{year:04d}",
            "solMonth": f"{month:02d}",
            "_type": "json",
            "numOfRows": self.page_size,
            "pageNo": page_no,
        }
        record = f"solYear={year}, solMonth={month:02d}, pageNo={page_no}"
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
            body = answer.body
            if not isinstance(body, dict):
                raise SourceDataError(
                    SOURCE, "the answer has no 'response.body' object", record=record
                )
            return body
        self._raise(response, answer, record)
        raise AssertionError("unreachable")

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
                "of 한국천문연구원_특일 정보 is approved (a new key takes up to an hour to "
                "work); " + _KEY_HINT + ". Nothing was loaded by this run",
            )
        if answer.code == QUOTA_CODE:
            raise SourceApiError(
                SOURCE,
                f"the key's daily traffic quota is used up ({detail})",
                record=record,
                hint="quotas reset at midnight KST: run again tomorrow (past months already "
                "loaded are not asked again), or ask data.go.kr for more traffic (운영계정); "
                "provider = 'holidays' needs no quota. Nothing was loaded by this run",
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
            hint="run again; if it persists, check the request against the API documentation "
            "(data.go.kr, 한국천문연구원_특일 정보)",
        )

    def month(self, year: int, month: int) -> list[Any]:
        """Every item of one month, across pages (``numOfRows``/``pageNo``/``totalCount``).

        Raises:
            SourceDataError: ``items`` or ``totalCount`` has an impossible shape.
        """
        collected: list[Any] = []
        for page_no in range(1, MAX_PAGES + 1):
            body = self.page(year, month, page_no)
            record = f"solYear={year}, solMonth={month:02d}, pageNo={page_no}"
            items = items_of(body, record)
            total = total_of(body, record)
            collected.extend(items)
            if not items or len(collected) >= total:
                return collected
        raise SourceApiError(
            SOURCE,
            f"more than {MAX_PAGES} pages for one month",
            record=f"solYear={year}, solMonth={month:02d}",
            hint="raise page_size; the API's totalCount does not match its pages",
        )
