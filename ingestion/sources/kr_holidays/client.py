"""The data.go.kr SpcdeInfoService client: service key, paging, JSON and XML gateway errors.

The service answers JSON (``_type=json``); the portal's gateway answers XML errors with
HTTP 200. What every data.go.kr service shares (the key's two forms, classifying an
answer by its body, the ``items`` shapes) is in :mod:`ingestion.sources.datagokr`.
"""

from __future__ import annotations

import logging
from typing import Any

from ingestion.sources import datagokr
from ingestion.sources.datagokr import (
    NO_DATA_CODE,
    QUOTA_RETRIES,
    Answer,
    classify,
)

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
    source = SOURCE
    service_name = "한국천문연구원_특일 정보"
    key_hint = _KEY_HINT
    quota_hint = (
        "quotas reset at midnight KST: run again tomorrow (past months already loaded are "
        "not asked again), or ask data.go.kr for more traffic (운영계정); provider = "
        "'holidays' needs no quota. Nothing was loaded by this run"
    )
    failure_hint = (
        "run again; if it persists, check the request against the API documentation "
        "(data.go.kr, 한국천문연구원_특일 정보)"
    )
    max_pages = MAX_PAGES

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
        return self.body(params, f"solYear={year}, solMonth={month:02d}, pageNo={page_no}")

    def month(self, year: int, month: int) -> list[Any]:
        """Every item of one month, across pages (``numOfRows``/``pageNo``/``totalCount``).

        Raises:
            SourceDataError: ``items`` or ``totalCount`` has an impossible shape.
        """
        where = f"solYear={year}, solMonth={month:02d}"
        return self.all_items(
            lambda page_no: self.page(year, month, page_no),
            lambda page_no: where if page_no is None else f"{where}, pageNo={page_no}",
            "one month",
        )
