"""Weather answers to Arrow tables: pure parsers and the ``daily_weather`` schema.

KMA ASOS (data.go.kr) sends one item per station and day with every value a string
(``"12.3"``; ``sumRn`` ``""`` on a day without rain); Open-Meteo sends columns of JSON
numbers with ``null`` for days it has not settled yet. Both become rows of one table,
declared once per provider (where each value is in its answer); every value is parsed and
checked by :func:`ingestion.sources.arrow.to_table`, so a malformed record stops the run
before anything is loaded, with an error that names the record and the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa

from ingestion.sources import arrow, datagokr
from ingestion.sources.arrow import Column
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

MEASURES = (
    "avg_temp_c",
    "min_temp_c",
    "max_temp_c",
    "precipitation_mm",
    "avg_wind_speed_ms",
    "avg_humidity_pct",
)
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
_MALFORMED = datagokr.MALFORMED


def _rain(value: Any) -> float:
    """KMA's ``sumRn``: ``""`` on a day without rain is 0 mm."""
    return arrow.number(value) or 0.0


def _daily_weather(fields: Mapping[str, str], day: str, name: str | None) -> arrow.Table:
    """The ``daily_weather`` table as read from one provider's answer."""
    measures = {column: field for field, column in fields.items()}
    return arrow.Table(
        SOURCE,
        "daily_weather",
        (
            Column("provider", pa.string(), required=True, filled=True),
            Column("station_id", pa.string(), required=True, filled=True),
            Column(
                "station_name",
                pa.string(),
                arrow.stripped,
                key=name or "station_name",
                filled=name is None,
            ),
            Column("weather_date", pa.date32(), arrow.day, True, key=day),
            *(
                Column(
                    c,
                    pa.float64(),
                    _rain if measures[c] == "sumRn" else arrow.number,
                    key=measures[c],
                )
                for c in MEASURES
            ),
        ),
        ("provider", "station_id", "weather_date"),
        hint=_MALFORMED,
        missing_hint=_MALFORMED,
    )


#: One row per provider, station and day, read from KMA's items or Open-Meteo's columns.
KMA_WEATHER = _daily_weather(KMA_FIELDS, "tm", "stnNm")
OPEN_METEO_WEATHER = _daily_weather(OPEN_METEO_FIELDS, "time", None)
#: The grain: one row per provider, station and day.
KEY = KMA_WEATHER.primary_key


def kma_table(
    items: Sequence[Mapping[str, Any]], station_id: str, where: str, loaded_at: datetime
) -> pa.Table:
    """KMA ASOS daily items (``getWthrDataList``) of one station as ``daily_weather`` rows.

    Raises:
        SourceDataError: An item is for another station, its ``tm`` is not a date, or a
            value is not a number.
    """
    for item in items:
        if str(item.get("stnId", "")).strip() != station_id:
            raise KMA_WEATHER.error(
                f"an item is for station {item.get('stnId')!r}, asked for {station_id}",
                f"{where}, tm={item.get('tm', '?')}",
            )
    return arrow.to_table(
        items,
        KMA_WEATHER,
        loaded_at=loaded_at,
        filled={"provider": KMA_ASOS, "station_id": station_id},
        record=lambda _, item: f"{where}, tm={item.get('tm', '?')}",
    )


def open_meteo_table(
    body: Mapping[str, Any],
    station_id: str,
    station_name: str | None,
    where: str,
    loaded_at: datetime,
) -> pa.Table:
    """One Open-Meteo archive answer as ``daily_weather`` rows; days without values left out.

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
    for field in OPEN_METEO_FIELDS:
        values = daily.get(field)
        if not isinstance(values, list) or len(values) != len(times):
            raise SourceDataError(
                SOURCE,
                f"'daily.{field}' is missing or not as long as 'daily.time'",
                record=where,
                hint=_MALFORMED,
            )
    fields = ("time", *OPEN_METEO_FIELDS)
    columns = zip(*(daily[f] for f in fields), strict=True)
    days = [dict(zip(fields, values, strict=True)) for values in columns]
    return arrow.to_table(
        [d for d in days if any(d[f] is not None for f in OPEN_METEO_FIELDS)],  # settled days
        OPEN_METEO_WEATHER,
        loaded_at=loaded_at,
        filled={"provider": OPEN_METEO, "station_id": station_id, "station_name": station_name},
        record=lambda _, day: f"{where}, date={day.get('time')}",
    )
