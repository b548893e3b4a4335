"""The data.go.kr SpcdeInfoService client: service key, paging, JSON and XML gateway errors.

The service answers JSON (``_type=json``); the portal's gateway answers XML errors with
HTTP 200. What every data.go.kr service shares (the key's two forms, classifying an
answer by its body, the ``items`` shapes) is in :mod:`ingestion.sources.datagokr`.
"""

from __future__ import annotations

import logging
from typing import Any

from requests import Response

from ingestion.sources import datagokr
from ingestion.sources.datagokr import (
    AUTH_CODES,
    NO_DATA_CODE,
    QUOTA_CODE,
    QUOTA_RETRIES,
    Answer,
    classify,
)
from ingestion.sources.errors import SourceApiError, SourceAuthError, SourceDataError
from ingestion.sources.kr_holidays.tables import items_of, total_of

SOURCE = "kr_holidays"
log = logging.getLogger("argo.sources.kr_holidays")

#: The operation ARGO reads: public rest days (공휴일) per month.
OPERATION = "getRestDeInfo"
#: Transient codes retried with backoff; SpcdeInfoService's 99 (unknown error) is one.
TRANSIENT_CODES = datagokr.TRANSIENT_CODES | {"99"}
#: Pages of one month before the client assumes the paging is broken.
MAX_PAGES = 100

__all__ = ["NO_DATA_CODE", "QUOTA_RETRIES", "Answer", "SpcdeInfoClient", "classify"]

_KEY_HINT = (
    "set SOURCES__KR_HOLIDAYS__SERVICE_KEY (or service_key under [sources.kr_holidays] in "
    ".dlt/secrets.toml) to your data.go.kr key for 한국천문연구원_특일 정보, or set "
    "provider = 'holidays' to compute the holidays offline"
)


def normalize_service_key(key: str) -> str:
    """The key in its decoded form (see :func:`ingestion.sources.datagokr.normalize_service_key`).

    Raises:
        SourceAuthError: The key is empty, or has a ``%`` that is not a valid escape.
    """
    return datagokr.normalize_service_key(
        key, SOURCE, missing="the service key is empty", hint=_KEY_HINT
    )


class SpcdeInfoClient(datagokr.ServiceClient):
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

    operation = OPERATION
    transient_codes = TRANSIENT_CODES

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
        super().__init__(
            base_url,
            normalize_service_key(service_key),
            max_attempts=max_attempts,
            backoff_factor=backoff_factor,
            max_retry_delay=max_retry_delay,
            timeout=timeout,
        )
        self.page_size = page_size

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
        try:
            response = self._get(params)
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
