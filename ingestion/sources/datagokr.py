"""What every data.go.kr (공공데이터포털) service has in common: its key and its two answer shapes.

Used by the ``kr_holidays`` (SpcdeInfoService) and ``weather`` (KMA ASOS) sources.

data.go.kr answers in two shapes. The service itself answers JSON (``_type=json`` or
``dataType=JSON``):
``{"response": {"header": {"resultCode": "00", ...}, "body": {"items": ..., "totalCount"}}}``.
The portal's gateway, which checks the service key and the traffic quota before the
service sees the call, answers XML whatever was asked for, usually with HTTP 200::

    <OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg>
    <returnAuthMsg>SERVICE_KEY_IS_NOT_REGISTERED_ERROR</returnAuthMsg>
    <returnReasonCode>30</returnReasonCode></cmmMsgHeader></OpenAPI_ServiceResponse>

(and sometimes the same fields as JSON). So the status code says little: every answer is
classified by its body (:func:`classify`), and the codes decide between retrying, an
auth error and an API error. ``items`` comes as a list, as one object when there is
exactly one result, or as ``""`` when there is none (:func:`items_of`).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from requests import Response

from ingestion.sources.errors import SourceApiError, SourceAuthError, SourceDataError
from ingestion.sources.http import RETRY, HttpApi, Retry

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
TRANSIENT_CODES = frozenset({"01", "02", "04", "05", "23"})
#: The service's "no data" code: an empty answer, not an error.
NO_DATA_CODE = "03"
#: How often a 22 is asked again before the run stops (a daily quota rarely clears).
QUOTA_RETRIES = 2
MALFORMED = "the API answer is malformed; nothing was loaded by this run"

_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_CLASSIFIED = "_argo_datagokr"


def normalize_service_key(key: str, source: str, *, missing: str, hint: str) -> str:
    """The service key in its decoded form, whichever form was configured.

    data.go.kr shows every key twice: "Encoding" (``abc%2Bdef%3D%3D``) and "Decoding"
    (``abc+def==``). The key must reach the gateway URL-encoded exactly once: the encoded
    form sent through an HTTP library that encodes parameters arrives encoded twice and
    the gateway answers 30 (not registered). So an encoded key is decoded here, and the
    client encodes it once when building the URL.

    Args:
        key: The key as configured.
        source: The source name, for the error.
        missing: What to say when the key is empty.
        hint: How to configure the key.

    Raises:
        SourceAuthError: The key is empty, or has a ``%`` that is not a valid escape.
    """
    key = key.strip()
    if not key:
        raise SourceAuthError(source, missing, hint=hint)
    if "%" in key:
        if _PERCENT.sub("", key).count("%"):
            raise SourceAuthError(
                source,
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
    answer = classify_bytes(response.content)
    response.__dict__[_CLASSIFIED] = answer
    return answer


def classify_bytes(content: bytes) -> Answer:
    """Classifies a body: an XML gateway error, a JSON service answer, or garbled."""
    text = content.decode("utf-8", errors="replace").strip()
    if text.startswith("<"):
        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError:
            return Answer("garbled")
        gateway = root if root.tag == "cmmMsgHeader" else root.find(".//cmmMsgHeader")
        if gateway is not None:
            return _from_header({child.tag: child.text for child in gateway})
        code = (root.findtext(".//header/resultCode") or "").strip()
        if code:  # the service's XML answer (when the JSON parameter was lost on the way)
            message = (root.findtext(".//header/resultMsg") or "").strip()
            if code in ("00", NO_DATA_CODE):
                return Answer("error", code, "an XML answer although JSON was asked for")
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


def items_of(body: Any, record: str, source: str) -> list[dict[str, Any]]:
    """The items of one answer's ``body``, whatever shape data.go.kr chose.

    ``{"items": {"item": [..]}}`` for several results, ``{"items": {"item": {..}}}`` for
    exactly one, ``{"items": ""}`` for none.

    Raises:
        SourceDataError: ``items`` or ``item`` has any other shape.
    """
    items = body.get("items") if isinstance(body, dict) else None
    if items in ("", None):
        return []
    item = items.get("item") if isinstance(items, dict) else "?"
    if item in ("", None):
        return []
    if isinstance(item, dict):
        return [item]
    if isinstance(item, list) and all(isinstance(i, dict) for i in item):
        return item
    raise SourceDataError(
        source,
        f"'items' has an unexpected shape: {str(items)[:120]}",
        record=record,
        hint=MALFORMED,
    )


def total_of(body: Any, record: str, source: str) -> int:
    """``totalCount`` of an answer (a number or a numeric string).

    Raises:
        SourceDataError: ``totalCount`` is missing, not a whole number or negative.
    """
    value = body.get("totalCount") if isinstance(body, dict) else None
    try:
        total = int(str(value))
    except ValueError:
        total = -1
    if total < 0:
        raise SourceDataError(
            source, f"'totalCount' is not a whole number ({value!r})", record=record, hint=MALFORMED
        )
    return total


class ServiceClient:
    """The HTTP side of a data.go.kr service: the key in the URL, retries by answer body.

    Retries (exponential backoff, ``Retry-After`` honoured) connection errors, timeouts,
    HTTP 429 and 5xx, bodies cut short, :attr:`transient_codes`, and the daily quota
    (22) :data:`QUOTA_RETRIES` times. Subclasses name one operation and its hints.

    Args:
        base_url: The service root, e.g. ``https://apis.data.go.kr/B090041/openapi/service/SpcdeInfoService``.
        service_key: The data.go.kr key (Encoding or Decoding form; never logged).
        page_size: ``numOfRows`` per call (at most :attr:`max_page_size`).
        retry: How a call is retried.
    """

    #: The operation (the last path segment) the client calls.
    operation = ""
    #: Result codes retried with backoff.
    transient_codes: frozenset[str] = TRANSIENT_CODES
    #: The source its errors name.
    source = ""
    #: The service as the portal names it (whose use the key must be approved for).
    service_name = ""
    #: What to say when no key is configured.
    missing_key = "the service key is empty"
    #: How to configure the key, or do without one.
    key_hint = ""
    #: What to do when the key's daily quota is used up.
    quota_hint = ""
    #: What to do when the service refuses a request.
    failure_hint = "run again later; the run can be repeated safely"
    #: What to do when the pages never reach ``totalCount``.
    paging_hint = "raise page_size; the API's totalCount does not match its pages"
    #: Pages of one request before the paging is taken as broken.
    max_pages = 100
    #: The most ``numOfRows`` the service accepts.
    max_page_size = 1000

    def __init__(
        self, base_url: str, service_key: str, *, page_size: int = 100, retry: Retry = RETRY
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._key = self.decoded_key(service_key)
        self.page_size = max(1, min(page_size, self.max_page_size))
        self.calls = 0
        self._quota_hits = 0
        key_forms = [
            quote(quote(self._key, safe=""), safe=""),
            quote(self._key, safe=""),
            self._key,
        ]
        self._api = HttpApi(
            self.source,
            headers={"Accept": "application/json"},
            retry_condition=self._should_retry,
            retry=retry,
            secrets=key_forms,
        )

    @classmethod
    def decoded_key(cls, key: str) -> str:
        """The key in its decoded form (see :func:`normalize_service_key`).

        Raises:
            SourceAuthError: The key is empty, or has a ``%`` that is not a valid escape.
        """
        return normalize_service_key(key, cls.source, missing=cls.missing_key, hint=cls.key_hint)

    def _should_retry(self, response: Response | None, exception: BaseException | None) -> bool:
        if response is None or response.status_code != 200:
            return False  # dlt retries 429, 5xx and connection errors by itself
        answer = classify(response)
        if answer.kind == "garbled" or answer.code in self.transient_codes:
            return True
        if answer.code == QUOTA_CODE:
            self._quota_hits += 1
            return self._quota_hits <= QUOTA_RETRIES
        return False

    def _url(self, params: dict[str, Any]) -> str:
        # The key is encoded here, once; requests leaves existing %XX escapes alone.
        query = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items())
        return f"{self.base_url}/{self.operation}?serviceKey={quote(self._key, safe='')}&{query}"

    def body(self, params: dict[str, Any], record: str) -> dict[str, Any]:
        """One call's ``response.body``, or the error its answer means.

        Raises:
            SourceAuthError: The gateway refused the key (20, 21, 30-33).
            SourceApiError: Quota used up (22), a refused request, or any error the
                retries did not clear.
            SourceDataError: The answer has no ``response.body`` object.
        """
        self._quota_hits = 0
        self.calls += 1
        response = self._api.send("GET", self._url(params), record=record)
        answer = classify(response)
        if answer.kind == "ok" and response.status_code == 200:
            if not isinstance(answer.body, dict):
                raise SourceDataError(
                    self.source, "the answer has no 'response.body' object", record=record
                )
            return dict(answer.body)
        raise self._error(response, answer, record)

    def _error(self, response: Response, answer: Answer, record: str) -> Exception:
        """The error a failed answer means, named for this service."""
        detail = self._api.redact(
            f"HTTP {response.status_code}, code {answer.code or '-'}: "
            f"{answer.message or response.reason or answer.kind}"
        )
        if answer.code in AUTH_CODES:
            return SourceAuthError(
                self.source,
                f"data.go.kr refused the service key ({detail}; {AUTH_CODES[answer.code]})",
                record=record,
                hint="check the key on data.go.kr (마이페이지 > 활용신청 현황) and that the use "
                f"of {self.service_name} is approved (a new key takes up to an hour to "
                "work); " + self.key_hint + ". Nothing was loaded by this run",
            )
        if answer.code == QUOTA_CODE:
            return SourceApiError(
                self.source,
                f"the key's daily traffic quota is used up ({detail})",
                record=record,
                hint=self.quota_hint,
            )
        if answer.kind == "garbled":
            return SourceApiError(
                self.source,
                f"the answer stayed unreadable after every retry ({detail})",
                record=record,
                hint="the API sent a truncated or invalid body; run again later",
            )
        return SourceApiError(
            self.source,
            f"GET {self.operation} failed ({detail})",
            record=record,
            hint=self.failure_hint,
        )

    def all_items(
        self, page: Callable[[int], dict[str, Any]], record: Callable[[int | None], str], what: str
    ) -> list[dict[str, Any]]:
        """Every item of one request, page by page (``pageNo``, ``totalCount``).

        Args:
            page: The body of page ``n`` (1, 2, ...).
            record: How page ``n`` (or, with ``None``, the whole request) is named in errors.
            what: The request in the paging error ("one month").

        Raises:
            SourceDataError: ``items`` or ``totalCount`` has an impossible shape.
            SourceApiError: The pages never reach ``totalCount``.
        """
        collected: list[dict[str, Any]] = []
        for page_no in range(1, self.max_pages + 1):
            body = page(page_no)
            items = items_of(body, record(page_no), self.source)
            total = total_of(body, record(page_no), self.source)
            collected.extend(items)
            if not items or len(collected) >= total:
                return collected
        raise SourceApiError(
            self.source,
            f"more than {self.max_pages} pages for {what}",
            record=record(None),
            hint=self.paging_hint,
        )
