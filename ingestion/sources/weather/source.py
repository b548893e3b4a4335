"""The dlt source for daily weather per ASOS station: KMA ASOS (data.go.kr) or Open-Meteo."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.sources import DltResource

from ingestion import clock
from ingestion.sources import arrow
from ingestion.sources.config import ListSetting, at_least, list_setting, one_of, origin
from ingestion.sources.dates import Lookback, NewestDays, date_chunks
from ingestion.sources.errors import SourceError
from ingestion.sources.http import Retry
from ingestion.sources.resources import merged
from ingestion.sources.weather import tables
from ingestion.sources.weather.client import MAX_ROWS, AsosClient, OpenMeteoClient

log = logging.getLogger("argo.sources.weather")

DEFAULT_BASE_URLS = {
    tables.KMA_ASOS: "https://apis.data.go.kr/1360000/AsosDalyInfoService",
    tables.OPEN_METEO: "https://archive-api.open-meteo.com/v1",
}
DEFAULT_STATIONS = ("108",)
SEOUL = ZoneInfo("Asia/Seoul")


def _stations(values: Any, provider: str) -> list[str]:
    ids = list_setting(
        values,
        source=tables.SOURCE,
        name="stations",
        what="ASOS station ids (digits)",
        example=["108", "159"],
        pattern=r"\d{2,4}",
    ) or list(DEFAULT_STATIONS)
    bad = [s for s in ids if s not in tables.STATIONS] if provider == tables.OPEN_METEO else []
    if bad:
        known = ", ".join(f"{k} {v[0]}" for k, v in tables.STATIONS.items())
        raise SourceError(
            tables.SOURCE,
            f"{origin('stations', values).text}: open_meteo does not know stations {bad}",
            hint=f'e.g. stations = ["108", "159"]; open_meteo knows {known} (their '
            "coordinates are asked for); kma_asos takes any ASOS station id",
        )
    return list(dict.fromkeys(ids))


@dataclass
class Run:
    """One run of the source: the provider's client and the checked settings.

    Attributes:
        provider: ``kma_asos`` or ``open_meteo``.
        client: That provider's client.
        stations: The ASOS stations wanted.
        lookback: The days of each station's run (yesterday at the latest).
        window_days: Days per request.
        loaded_at: The run's ``_loaded_at``.
    """

    provider: str
    client: AsosClient | OpenMeteoClient
    stations: list[str]
    lookback: Lookback
    window_days: int = 366
    loaded_at: datetime = field(default_factory=clock.now)

    def read(self, station: str, since: date, until: date) -> pa.Table:
        """One station's days of ``[since, until]`` (no day outside it)."""
        if isinstance(self.client, AsosClient):
            items = self.client.days(station, since, until)
            where = AsosClient.record(station, since, until)
            table = tables.kma_table(items, station, where, self.loaded_at)
        else:
            name, latitude, longitude = tables.STATIONS[station]
            where = f"{tables.OPEN_METEO} station={station}, {since}..{until}"
            body = self.client.daily(latitude, longitude, since, until, where)
            table = tables.open_meteo_table(body, station, name, where, self.loaded_at)
        days = table["weather_date"]
        inside = pc.and_(pc.greater_equal(days, since), pc.less_equal(days, until))
        return table.filter(inside)


def daily_weather(run: Run) -> Iterator[pa.Table]:
    """The ``daily_weather`` table, station by station over each station's window."""
    newest = NewestDays(run.provider)
    # The table exists even when nothing is served.
    yield arrow.to_table([], tables.KMA_WEATHER, loaded_at=run.loaded_at)
    today = clock.today(SEOUL)
    for station in run.stations:
        since, until = run.lookback.window(today, newest.get(station))
        if since > until:
            log.info("weather: %s station %s: nothing to load", run.provider, station)
            continue
        count = 0
        for first, final in date_chunks(since, until, run.window_days):
            table = run.read(station, first, final)
            if table.num_rows:
                count += table.num_rows
                # The newest day with data anchors the next run's lookback.
                newest.update(station, pc.max(table["weather_date"]).as_py())
                yield table
        log.info(
            "weather: %s station %s %s..%s: %d days", run.provider, station, since, until, count
        )


@dlt.source(name="weather", section="weather", max_table_nesting=0)
def weather_source(
    service_key: dlt.TSecretStrValue | None = None,
    provider: str | None = None,
    stations: ListSetting = None,
    base_url: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    lookback_days: int = 7,
    initial_days: int = 90,
    window_days: int = 366,
    page_size: int = MAX_ROWS,
    max_attempts: int = 8,
    backoff_factor: float = 1.0,
    request_timeout: float = 60.0,
) -> list[DltResource]:
    """Daily weather (temperature, precipitation, wind, humidity) per ASOS station.

    Its arguments are the settings of README.md beside this file (tested against this
    signature); dlt reads each from ``SOURCES__WEATHER__<NAME>``
    or ``[sources.weather]`` in ``.dlt/*.toml`` unless it is passed.

    Returns:
        The resource ``daily_weather``.
    """
    keyed = tables.KMA_ASOS if service_key else tables.OPEN_METEO
    chosen = one_of(tables.SOURCE, "provider", provider, tables.PROVIDERS, keyed)
    lookback = Lookback.of(
        tables.SOURCE, lookback_days, initial_days, start_date, end_date, days_behind=1
    )
    at_least(tables.SOURCE, 1, window_days=window_days, page_size=page_size)
    wanted = _stations(stations, chosen)
    url = base_url or DEFAULT_BASE_URLS[chosen]
    retry = Retry(max_attempts, backoff_factor, request_timeout)
    client = (
        AsosClient(url, service_key or "", page_size=page_size, retry=retry)
        if chosen == tables.KMA_ASOS
        else OpenMeteoClient(url, retry=retry)
    )
    run = Run(chosen, client, wanted, lookback, window_days)
    return [merged(daily_weather(run), tables.KMA_WEATHER)]
