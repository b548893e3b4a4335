"""A fake of data.go.kr's SpcdeInfoService ``getRestDeInfo`` (Korean public holidays) on 127.0.0.1.

Follows the real protocol where ARGO's connector touches it:
``GET /B090041/openapi/service/SpcdeInfoService/getRestDeInfo?serviceKey=&solYear=&solMonth=
&_type=json&numOfRows=&pageNo=``. Holidays are computed with the ``holidays`` package and
named as data.go.kr names them (``1월1일``, ``설날`` for all three days, ``대체공휴일`` for
every substitute day, ...), ``dateKind`` ``01``, ``isHoliday`` ``Y``, ``locdate`` a number,
``seq`` numbering the names of one day. The API's quirks are reproduced: a page with exactly
one item carries it as an object, not a list; a page with none has ``"items": ""``;
``numOfRows`` defaults to 10; without ``_type=json`` the answer is XML. The portal's gateway
checks the service key (decoded once from the query: a key encoded twice does not match)
and answers XML ``OpenAPI_ServiceResponse/cmmMsgHeader`` errors with HTTP 200 (``30`` key
not registered, ``31`` key expired (fault ``expire_token``), ``22`` daily quota used up).

Years after ``world.as_of.year + published_years_ahead`` are not published yet (empty
months). Deliberate differences from the package, to exercise the source's cross-check,
are switched on like faults: :meth:`KrHolidaysFake.announce` adds a day off the package
does not know (a temporary holiday), :meth:`KrHolidaysFake.withhold` drops one it knows.
The world's seed plays no part: holidays are facts, not synthetic data.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from xml.sax.saxutils import escape

import holidays

from ingestion.sandbox.datagokr import XML_TYPE, DataGoKrFake, gateway_error
from ingestion.sandbox.faults import Faults
from ingestion.sandbox.http import Reply, Request
from ingestion.sandbox.world import World

PREFIX = "/B090041/openapi/service/SpcdeInfoService"
OPERATION = "getRestDeInfo"
#: ``numOfRows`` when the call does not say (data.go.kr's usual default).
DEFAULT_ROWS = 10


def api_name(package_name: str) -> str:
    """The name data.go.kr gives a holiday the ``holidays`` package names in Korean."""
    name = package_name.strip()
    if "대체" in name:
        return "대체공휴일"
    if name.startswith("신정"):
        return "1월1일"
    if name.startswith("설날"):
        return "설날"
    if name.startswith("추석"):
        return "추석"
    if name in ("석가탄신일", "부처님 오신 날"):
        return "부처님오신날"
    return name.replace(" ", "")


def served_holidays(year: int) -> dict[date, list[str]]:
    """The package's holidays of ``year`` as data.go.kr names them: day -> names in seq order."""
    days: dict[date, list[str]] = {}
    for day, joined in sorted(holidays.country_holidays("KR", years=year, language="ko").items()):
        if day.year != year:
            continue
        for part in str(joined).split(";"):
            if part.strip():
                name = api_name(part)
                if name not in days.setdefault(day, []):
                    days[day].append(name)
    return days


def _xml_body(items: list[dict[str, Any]], rows: int, page: int, total: int) -> bytes:
    entries = "".join(
        "<item>" + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in item.items()) + "</item>"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><response><header>'
        "<resultCode>00</resultCode><resultMsg>NORMAL SERVICE.</resultMsg></header><body>"
        f"<items>{entries}</items><numOfRows>{rows}</numOfRows><pageNo>{page}</pageNo>"
        f"<totalCount>{total}</totalCount></body></response>"
    ).encode()


class KrHolidaysFake(DataGoKrFake):
    """The SpcdeInfoService fake.

    Args:
        world: The world it serves (its ``as_of`` decides which years are published).
        faults: Fault switches (see :class:`~ingestion.sandbox.faults.Faults`).
        service_key: The valid key in decoded form; it has ``+``, ``/`` and ``=`` so a
            client that encodes it twice (or not at all) is refused like the real gateway.
        published_years_ahead: Years after the world's year already published.
        gateway_status: HTTP status of gateway errors (data.go.kr: usually 200).
        daily_quota: Calls answered before every further call gets code 22 (None: no limit).
    """

    prefix = PREFIX
    path = f"{PREFIX}/{OPERATION}"

    def __init__(
        self,
        world: World,
        faults: Faults | None = None,
        service_key: str = "c2FuZGJveC1rci1ob2xpZGF5cw+/sandbox/KASI+key==",
        published_years_ahead: int = 1,
        gateway_status: int = 200,
        daily_quota: int | None = None,
    ) -> None:
        super().__init__(faults, service_key, gateway_status)
        self.world = world
        self.published_years_ahead = published_years_ahead
        self.daily_quota = daily_quota
        #: Days off the API has and the package does not (a deliberate difference).
        self.extra_holidays: dict[date, str] = {}
        #: Package days the API leaves out (a deliberate difference).
        self.withheld_holidays: set[date] = set()
        self.calls = 0

    # -- switches -----------------------------------------------------------------------
    def announce(self, day: date, name: str = "임시공휴일") -> None:
        """From now on the API lists ``day`` as a day off (the package does not know it)."""
        self.extra_holidays[day] = name

    def withhold(self, day: date) -> None:
        """From now on the API leaves ``day`` out (the package still has it)."""
        self.withheld_holidays.add(day)

    def published(self, year: int) -> bool:
        """Whether the API already publishes ``year``."""
        return year <= self.world.as_of.year + self.published_years_ahead

    def served(self, year: int, month: int | None = None) -> list[dict[str, Any]]:
        """The items the API serves for a month (or a whole year), in the API's order."""
        if not self.published(year):
            return []
        days = {
            d: names
            for d, names in served_holidays(year).items()
            if d not in self.withheld_holidays
        }
        for day, name in self.extra_holidays.items():
            if day.year == year and day not in self.withheld_holidays:
                days.setdefault(day, [])
                if name not in days[day]:
                    days[day].append(name)
        return [
            {
                "dateKind": "01",
                "dateName": name,
                "isHoliday": "Y",
                "locdate": int(day.strftime("%Y%m%d")),
                "seq": seq,
            }
            for day in sorted(days)
            if month is None or day.month == month
            for seq, name in enumerate(days[day], start=1)
        ]

    # -- protocol -----------------------------------------------------------------------
    def source_options(self) -> dict[str, Any]:
        """Keyword arguments that point ``kr_holidays_source`` at this fake (start it first)."""
        return {
            "base_url": self.base_url,
            "service_key": self.service_key,
            "provider": "data_go_kr",
        }

    def handle(self, request: Request) -> Reply:
        """Answers ``getRestDeInfo`` (gateway checks first, then the service's JSON or XML)."""
        refused = self.refused(request)
        if refused is not None:
            return refused
        with self._lock:
            self.calls += 1
            if self.daily_quota is not None and self.calls > self.daily_quota:
                return gateway_error("22", self.gateway_status)
        try:
            year = int(request.query.get("solYear", ""))
            month_text = request.query.get("solMonth", "")
            month = int(month_text) if month_text else None
            rows = int(request.query.get("numOfRows") or DEFAULT_ROWS)
            page = int(request.query.get("pageNo") or 1)
            if not 1000 <= year <= 9999 or (month is not None and not 1 <= month <= 12):
                raise ValueError
            if rows < 1 or page < 1:
                raise ValueError
        except ValueError:
            return gateway_error("10", self.gateway_status)
        everything = self.served(year, month)
        items = self.page_of(everything, rows, page)
        if request.query.get("_type", "").lower() != "json":
            return Reply(200, _xml_body(items, rows, page, len(everything)), content_type=XML_TYPE)
        return self.answer(
            "NORMAL SERVICE.",
            items=items,
            numOfRows=rows,
            pageNo=page,
            totalCount=len(everything),
        )
