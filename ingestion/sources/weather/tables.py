"""Weather answers to Arrow tables: pure parsers and the ``daily_weather`` schema.

KMA ASOS (data.go.kr) sends one item per station and day with every value a string
(``"12.3"``; ``sumRn`` ``""`` on a day without rain); Open-Meteo sends columns of JSON
numbers with ``null`` for days it has not settled yet. Both become rows of one table.
Every value is parsed and checked here, so a malformed record stops the run before
anything is loaded, with an error that names the record and the field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from ingestion.sources import datagokr
from ingestion.sources.errors import SourceDataError

SOURCE = "weather"
KMA_ASOS = "kma_asos"
OPEN_METEO = "open_meteo"
PROVIDERS = (KMA_ASOS, OPEN_METEO)

#: ASOS stations ARGO knows: id -> (KMA's ``stnNm``, latitude, longitude).
STATIONS: dict[str, tuple[str, float, float]] = {
    "108": ("서울", 37.5714, 126.9658),
    "159": ("부산", 35.1047, 129.0320),
    "133": ("대전", 36.3720, 127.3721),
    "143": ("대구", 35.8780, 128.6530),
    "156": ("광주", 35.1729, 126.8916),
    "112": ("인천", 37.4777, 126.6249),
}

TIMESTAMP = pa.timestamp("us", tz="UTC")
MEASURES = (
    "avg_temp_c",
    "min_temp_c",
    "max_temp_c",
    "precipitation_mm",
    "avg_wind_speed_ms",
    "avg_humidity_pct",
)
SCHEMA = pa.schema(
    [
        pa.field("provider", pa.string(), nullable=False),
        pa.field("station_id", pa.string(), nullable=False),
        pa.field("station_name", pa.string()),
        pa.field("weather_date", pa.date32(), nullable=False),
        *(pa.field(name, pa.float64()) for name in MEASURES),
        pa.field("_loaded_at", TIMESTAMP, nullable=False),
    ]
)
#: The grain: one row per provider, station and day.
KEY = ("provider", "station_id", "weather_date")

#: KMA item field -> column.
KMA_FIELDS = {
    "avgTa": "avg_temp_c",
    "minTa": "min_temp_c",
    "maxTa": "max_temp_c",
    "sumRn": "precipitation_mm",
    "avgWs": "avg_wind_speed_ms",
    "avgRhm": "avg_humidity_pct",
}
#: Open-Meteo ``daily`` variable -> column (the request asks for exactly these).
OPEN_METEO_FIELDS = {
    "temperature_2m_mean": "avg_temp_c",
    "temperature_2m_min": "min_temp_c",
    "temperature_2m_max": "max_temp_c",
    "precipitation_sum": "precipitation_mm",
    "wind_speed_10m_mean": "avg_wind_speed_ms",
    "relative_humidity_2m_mean": "avg_humidity_pct",
}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_MALFORMED = datagokr.MALFORMED


def parse_measure(
    value: Any, *, field: str, record: str, blank: float | None = None
) -> float | None:
    """One measurement as a float; ``""``/``None`` (not measured) as ``blank``.

    Args:
        value: ``"12.3"`` (KMA strings) or ``12.3`` (Open-Meteo numbers).
        field: The field it came from, for the error message.
        record: The record it belongs to, for the error message.
        blank: What an empty value means (``0.0`` for KMA's ``sumRn``: no rain).

    Raises:
        SourceDataError: The value is neither empty nor a finite number.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return blank
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = float(value.strip())
    else:
        number = math.nan
    if not math.isfinite(number):
        raise SourceDataError(
            SOURCE,
            f"field '{field}' is not a number: {value!r:.40}",
            record=record,
            hint=_MALFORMED,
        )
    return number


def kma_rows(
    items: Sequence[Mapping[str, Any]], station_id: str, where: str
) -> list[dict[str, Any]]:
    """Rows of KMA ASOS daily items (``getWthrDataList``) of one station.

    Raises:
        SourceDataError: An item is for another station, its ``tm`` is not a date, or a
            value is not a number.
    """
    rows = []
    for item in items:
        record = f"{where}, tm={item.get('tm', '?')}"
        if str(item.get("stnId", "")).strip() != station_id:
            raise SourceDataError(
                SOURCE,
                f"an item is for station {item.get('stnId')!r}, asked for {station_id}",
                record=record,
                hint=_MALFORMED,
            )
        try:
            day = date.fromisoformat(str(item.get("tm", "")).strip())
        except ValueError:
            raise SourceDataError(
                SOURCE,
                f"field 'tm' is not a YYYY-MM-DD date: {item.get('tm')!r:.40}",
                record=record,
                hint=_MALFORMED,
            ) from None
        row: dict[str, Any] = {
            "provider": KMA_ASOS,
            "station_id": station_id,
            "station_name": str(item.get("stnNm") or "").strip() or None,
            "weather_date": day,
        }
        for field, column in KMA_FIELDS.items():
            blank = 0.0 if field == "sumRn" else None
            row[column] = parse_measure(item.get(field), field=field, record=record, blank=blank)
        rows.append(row)
    return rows


def open_meteo_rows(
    body: Mapping[str, Any], station_id: str, station_name: str | None, where: str
) -> list[dict[str, Any]]:
    """Rows of one Open-Meteo archive answer; days whose values are all null are left out.

    Open-Meteo's archive lags a few days: the last days of a range come as ``null`` in
    every column. Such a day is not stored, so the next run (whose lookback starts at
    the newest day stored) asks for it again.

    Raises:
        SourceDataError: ``daily`` is missing, a column is not a list as long as ``time``,
            a day is not a date, or a value is not a number.
    """
    daily = body.get("daily")
    times = daily.get("time") if isinstance(daily, dict) else None
    if not isinstance(daily, dict) or not isinstance(times, list):
        raise SourceDataError(
            SOURCE, "the answer has no 'daily.time' list", record=where, hint=_MALFORMED
        )
    columns: dict[str, list[Any]] = {}
    for field in OPEN_METEO_FIELDS:
        values = daily.get(field)
        if not isinstance(values, list) or len(values) != len(times):
            raise SourceDataError(
                SOURCE,
                f"'daily.{field}' is missing or not as long as 'daily.time'",
                record=where,
                hint=_MALFORMED,
            )
        columns[field] = values
    rows = []
    for i, text in enumerate(times):
        record = f"{where}, date={text}"
        try:
            day = date.fromisoformat(str(text))
        except ValueError:
            raise SourceDataError(
                SOURCE,
                f"'daily.time' has a value that is not a date: {text!r:.40}",
                record=record,
                hint=_MALFORMED,
            ) from None
        values = {
            column: parse_measure(columns[field][i], field=f"daily.{field}", record=record)
            for field, column in OPEN_METEO_FIELDS.items()
        }
        if all(v is None for v in values.values()):
            continue  # not settled yet
        rows.append(
            {
                "provider": OPEN_METEO,
                "station_id": station_id,
                "station_name": station_name,
                "weather_date": day,
                **values,
            }
        )
    return rows


def to_table(rows: Sequence[dict[str, Any]], loaded_at: datetime) -> pa.Table:
    """Rows (from the row parsers above) as an Arrow table of :data:`SCHEMA`."""
    columns = [
        pa.array([row[field.name] for row in rows], type=field.type)
        for field in SCHEMA
        if field.name != "_loaded_at"
    ]
    columns.append(pa.array([loaded_at] * len(rows), type=TIMESTAMP))
    return pa.Table.from_arrays(columns, schema=SCHEMA)
