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

__all__ = [
    "NO_DATA_CODE",
    "QUOTA_RETRIES",
    "Answer",
    "SpcdeInfoClient",
    "classify",
    "normalize_service_key",
]

_KEY_HINT = (
    "set SOURCES__KR_HOLIDAYS__SERVICE_KEY (or service_key under [sources.kr_holidays] in "
    ".dlt/secrets.toml) to your data.go.kr key for 한국천문연구원_특일 정보, or set "
    "provider = 'holidays' to compute the holidays offline"
)


class SpcdeInfoClient(datagokr.ServiceClient):
    """Reads ``getRestDeInfo`` month by month, page by page.

    Takes the arguments of :class:`~ingestion.sources.datagokr.ServiceClient`.
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


#: The key in its decoded form (see :func:`ingestion.sources.datagokr.normalize_service_key`).
normalize_service_key = SpcdeInfoClient.decoded_key
