"""Holiday items to an Arrow table with an explicit schema; the ``holidays`` package's view.

Both providers produce items in data.go.kr's shape (``locdate``, ``dateName``,
``isHoliday``, ``dateKind``, ``seq``): the API's own, or the ones :func:`package_items`
computes offline. One parser turns them into rows, so a malformed item stops the run
with an error naming the month and the item before anything is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import holidays
import pyarrow as pa

from ingestion.sources.errors import SourceDataError

SOURCE = "kr_holidays"
TIMESTAMP = pa.timestamp("us", tz="UTC")
PROVIDER_API = "data_go_kr"
PROVIDER_PACKAGE = "holidays"
#: dateKind of national and public holidays (국경일/공휴일) in SpcdeInfoService.
DATE_KIND_HOLIDAY = "01"

SCHEMA = pa.schema(
    [
        pa.field("holiday_date", pa.date32(), nullable=False),
        pa.field("holiday_name", pa.string(), nullable=False),
        pa.field("is_holiday", pa.bool_(), nullable=False),
        pa.field("date_kind", pa.string()),
        pa.field("seq", pa.int64()),
        pa.field("is_substitute", pa.bool_(), nullable=False),
        pa.field("year_month", pa.string(), nullable=False),
        pa.field("provider", pa.string(), nullable=False),
        pa.field("matches_holidays_package", pa.bool_()),
        pa.field("_loaded_at", TIMESTAMP, nullable=False),
    ]
)
_SUBSTITUTE = re.compile(r"대체|alternative|substitute", re.IGNORECASE)


def year_month(year: int, month: int) -> str:
    """The ``year_month`` value of a month (``2026-02``): the table's delete-insert key."""
    return f"{year:04d}-{month:02d}"


def is_substitute(name: str) -> bool:
    """Whether a holiday name is a substitute holiday (대체공휴일, "Alternative holiday")."""
    return bool(_SUBSTITUTE.search(name))


def _locdate(value: Any) -> date:
    text = str(value).strip()
    if not re.fullmatch(r"\d{8}", text):
        raise ValueError(f"not a YYYYMMDD date: {value!r}")
    return datetime.strptime(text, "%Y%m%d").date()


def _flag(value: Any) -> bool:
    text = str(value).strip().upper()
    if text not in ("Y", "N"):
        raise ValueError(f"not 'Y' or 'N': {value!r}")
    return text == "Y"


def _seq(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a whole number: {value!r}")
    number = int(str(value).strip())
    if number < 0:
        raise ValueError(f"negative: {value!r}")
    return number


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
    row: dict[str, Any] = {}
    for field, source_field, parse, required in (
        ("holiday_date", "locdate", _locdate, True),
        ("holiday_name", "dateName", lambda v: str(v).strip(), True),
        ("is_holiday", "isHoliday", _flag, True),
        ("date_kind", "dateKind", lambda v: str(v).strip() or None, False),
        ("seq", "seq", _seq, False),
    ):
        value = item.get(source_field)
        if value is None or value == "":
            if required:
                raise SourceDataError(
                    SOURCE,
                    f"holidays: required field '{source_field}' is missing",
                    record=record,
                    hint="the API answer is malformed; nothing was loaded by this run",
                )
            row[field] = None
            continue
        try:
            row[field] = parse(value)
        except (ValueError, TypeError) as exc:
            raise SourceDataError(
                SOURCE,
                f"holidays: field '{source_field}' has a bad value ({exc})",
                record=record,
                hint="the API answer is malformed; nothing was loaded by this run",
            ) from None
    day: date = row["holiday_date"]
    if (day.year, day.month) != (year, month):
        raise SourceDataError(
            SOURCE,
            f"holidays: a day outside the month asked for ({day.isoformat()})",
            record=record,
            hint="the API answer is inconsistent; nothing was loaded by this run",
        )
    row["is_substitute"] = is_substitute(row["holiday_name"])
    row["year_month"] = year_month(year, month)
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


def to_table(rows: Sequence[dict[str, Any]], loaded_at: datetime) -> pa.Table:
    """Rows (from :func:`parse_item` plus ``provider`` and the cross-check) -> an Arrow table."""
    columns: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
    for row in rows:
        for name in SCHEMA.names[:-1]:
            columns[name].append(row.get(name))
    columns["_loaded_at"] = [loaded_at] * len(rows)
    return pa.Table.from_pydict(columns, schema=SCHEMA)
