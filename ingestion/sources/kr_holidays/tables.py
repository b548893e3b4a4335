"""Holiday items to an Arrow table with an explicit schema; the ``holidays`` package's view.

Both providers produce items in data.go.kr's shape (``locdate``, ``dateName``,
``isHoliday``, ``dateKind``, ``seq``): the API's own, or the ones :func:`package_items`
computes offline. One declaration (:data:`ITEM`) turns them into rows, so a malformed
item stops the run with an error naming the month and the item before anything is loaded.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

import holidays
import pyarrow as pa

from ingestion.sources import arrow
from ingestion.sources.arrow import Column

SOURCE = "kr_holidays"
PROVIDER_API = "data_go_kr"
PROVIDER_PACKAGE = "holidays"
#: dateKind of national and public holidays (국경일/공휴일) in SpcdeInfoService.
DATE_KIND_HOLIDAY = "01"
_SUBSTITUTE = re.compile(r"대체|alternative|substitute", re.IGNORECASE)


def year_month(year: int, month: int) -> str:
    """The ``year_month`` value of a month (``2026-02``): the table's delete-insert key."""
    return f"{year:04d}-{month:02d}"


def is_substitute(name: str) -> bool:
    """Whether a holiday name is a substitute holiday (대체공휴일, "Alternative holiday")."""
    return bool(_SUBSTITUTE.search(name))


def _yes_no(value: Any) -> bool:
    text = str(value).strip().upper()
    if text not in ("Y", "N"):
        raise ValueError(f"not 'Y' or 'N': {value!r}")
    return text == "Y"


def _substitute(value: Any) -> bool:
    return is_substitute(arrow.stripped(value) or "")


#: One data.go.kr item (the API's, or one :func:`package_items` computes) as a row.
ITEM = arrow.Table(
    SOURCE,
    "holidays",
    (
        Column("holiday_date", pa.date32(), arrow.compact_day, True, key="locdate"),
        Column("holiday_name", pa.string(), arrow.stripped, True, key="dateName"),
        Column("is_holiday", pa.bool_(), _yes_no, True, key="isHoliday"),
        Column("date_kind", pa.string(), arrow.stripped, key="dateKind"),
        Column("seq", pa.int64(), arrow.count, key="seq"),
        Column("is_substitute", pa.bool_(), _substitute, True, key="dateName"),
        Column("year_month", pa.string(), required=True, filled=True),
    ),
    hint=arrow.INCOMPLETE,
)
#: The raw table: the items' rows, their provider and the cross-check with the package.
HOLIDAYS = arrow.Table(
    SOURCE,
    "holidays",
    (
        *ITEM.parsed().columns,
        Column("provider", pa.string(), arrow.as_is, True),
        Column("matches_holidays_package", pa.bool_(), arrow.as_is),
    ),
    ("holiday_date", "holiday_name"),
)


def parse_item(item: dict[str, Any], year: int, month: int) -> dict[str, Any]:
    """One item -> one row (without ``provider``, the cross-check and ``_loaded_at``).

    Raises:
        SourceDataError: A field is missing or malformed, or the day is outside the month
            asked for (it would escape the month's delete-insert).
    """
    record = (
        f"solYear={year}, solMonth={month:02d}, locdate={item.get('locdate', '?')}, "
        f"dateName={item.get('dateName', '?')}"
    )
    filled = {"year_month": year_month(year, month)}
    row = arrow.parse_record(item, ITEM, filled=filled, record=record)
    day: date = row["holiday_date"]
    if (day.year, day.month) != (year, month):
        raise ITEM.error(
            f"a day outside the month asked for ({day.isoformat()})",
            record,
            "the API answer is inconsistent; nothing was loaded by this run",
        )
    return row


@lru_cache(maxsize=64)
def package_holidays(year: int) -> dict[date, tuple[str, ...]]:
    """The ``holidays`` package's Korean public holidays of ``year``: day -> names (Korean).

    The package joins two holidays on one day with ``"; "``; they are split here.
    """
    calendar = holidays.country_holidays("KR", years=year, language="ko")
    return {
        day: tuple(n.strip() for n in str(name).split(";") if n.strip())
        for day, name in sorted(calendar.items())
        if day.year == year
    }


def package_items(year: int, month: int) -> list[dict[str, Any]]:
    """The package's holidays of one month as data.go.kr-shaped items (names as the package's).

    ``seq`` numbers the names of one day (1, 2, ...); ``dateKind`` is ``01`` and
    ``isHoliday`` ``Y`` (the package lists only days off).
    """
    return [
        {
            "dateKind": DATE_KIND_HOLIDAY,
            "dateName": name,
            "isHoliday": "Y",
            "locdate": int(day.strftime("%Y%m%d")),
            "seq": seq,
        }
        for day, names in package_holidays(year).items()
        if day.month == month
        for seq, name in enumerate(names, start=1)
    ]
