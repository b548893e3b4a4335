"""The dlt source for daily weather per ASOS station: KMA ASOS (data.go.kr) or Open-Meteo."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dlt
import pyarrow as pa
from dlt.common.schema.typing import TWriteDispositionConfig
from dlt.sources import DltResource

from ingestion import clock
from ingestion.sources.config import ListSetting, list_setting, origin
from ingestion.sources.dates import date_chunks, parse_date
from ingestion.sources.errors import SourceError
from ingestion.sources.weather import tables
from ingestion.sources.weather.client import MAX_ROWS, AsosClient, OpenMeteoClient

log = logging.getLogger("argo.sources.weather")

DEFAULT_BASE_URLS = {
    tables.KMA_ASOS: "https://apis.data.go.kr/1360000/AsosDalyInfoService",
    tables.OPEN_METEO: "https://archive-api.open-meteo.com/v1",
}
DEFAULT_STATIONS = ("108",)
MERGE: TWriteDispositionConfig = {"disposition": "merge", "strategy": "delete-insert"}
SEOUL = ZoneInfo("Asia/Seoul")


def weather_window(
    *,
    today: date,
    newest_day_loaded: date | None,
    lookback_days: int,
    start_date: date | None,
    end_date: date | None,
    initial_days: int,
) -> tuple[date, date]:
    """The days one run reads for one station (Korean dates, both ends included).

    The range ends on ``end_date`` or yesterday, whichever is earlier (ASOS refuses an
    ``endDt`` of today or later; a day is complete only once it is over). An explicit
    ``start_date`` wins; else a run after an earlier one starts ``lookback_days`` before
    (and including) the newest day loaded, so days a provider had not settled are read
    again; a first run reads the ``initial_days`` up to yesterday.

    Returns:
        ``(since, until)``; ``since > until`` means nothing to read.
    """
    yesterday = today - timedelta(days=1)
    until = min(end_date, yesterday) if end_date else yesterday
    if start_date is not None:
        since = start_date
    elif newest_day_loaded is not None:
        since = min(newest_day_loaded, until) - timedelta(days=lookback_days - 1)
    else:
        since = yesterday - timedelta(days=initial_days - 1)
    return since, until


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
    async_poll_interval: float = 0.0,
) -> list[DltResource]:
    """Daily weather (temperature, precipitation, wind, humidity) per ASOS station.

    Every argument is read by dlt from config (``[sources.weather]`` in
    ``.dlt/config.toml`` / ``.dlt/secrets.toml`` or ``SOURCES__WEATHER__<NAME>``
    variables) unless passed.

    Args:
        service_key: data.go.kr service key (a secret; needed by ``kma_asos`` only).
        provider: ``kma_asos`` (KMA's quality-controlled ASOS daily data) or
            ``open_meteo`` (reanalysis at the station's coordinates, no key); default
            ``kma_asos`` when ``service_key`` is set, else ``open_meteo``.
        stations: ASOS station ids: a list, a JSON list or a comma-separated string;
            default ``["108"]`` (Seoul).
        base_url: API root; default the provider's own; point it at the sandbox for tests.
        start_date: First day to load (YYYY-MM-DD, Korean date); overrides the state.
        end_date: Last day to load; default (and at most) yesterday in Korea.
        lookback_days: Days up to and including the newest day loaded that every run
            reads again (Open-Meteo settles the last ~5 days late; KMA corrects some).
        initial_days: Days loaded by the first run when ``start_date`` is not given.
        window_days: Days per request (each is paged by ASOS anyway).
        page_size: ASOS ``numOfRows`` per page (at most 999).
        max_attempts: Attempts per request before failing (429, 5xx, timeouts).
        backoff_factor: Exponential backoff multiplier, seconds.
        request_timeout: Seconds to wait for one answer before retrying.
        async_poll_interval: Unused (no report jobs); accepted so that one sandbox
            setting fits every source.

    Returns:
        The resource ``daily_weather``.
    """
    chosen = (provider or (tables.KMA_ASOS if service_key else tables.OPEN_METEO)).lower()
    if chosen not in tables.PROVIDERS:
        raise SourceError(
            tables.SOURCE,
            f"unknown provider '{provider}'",
            hint=f"set provider to one of {', '.join(tables.PROVIDERS)}",
        )
    if lookback_days < 1 or initial_days < 1 or window_days < 1 or page_size < 1:
        raise SourceError(
            tables.SOURCE,
            "lookback_days, initial_days, window_days and page_size must be at least 1",
        )
    wanted = _stations(stations, chosen)
    start = parse_date(start_date, "start_date", tables.SOURCE)
    end = parse_date(end_date, "end_date", tables.SOURCE)
    url = base_url or DEFAULT_BASE_URLS[chosen]
    retry: dict[str, Any] = {
        "max_attempts": max_attempts,
        "backoff_factor": backoff_factor,
        "timeout": request_timeout,
    }
    asos = (
        AsosClient(url, service_key or "", page_size=page_size, **retry)
        if chosen == tables.KMA_ASOS
        else None
    )
    meteo = OpenMeteoClient(url, **retry) if chosen == tables.OPEN_METEO else None
    loaded_at = clock.now()

    def read(station: str, since: date, until: date) -> list[dict[str, Any]]:
        if asos is not None:
            items = asos.days(station, since, until)
            return tables.kma_rows(items, station, AsosClient.record(station, since, until))
        assert meteo is not None
        name, latitude, longitude = tables.STATIONS[station]
        where = f"{tables.OPEN_METEO} station={station}, {since}..{until}"
        body = meteo.daily(latitude, longitude, since, until, where)
        return tables.open_meteo_rows(body, station, name, where)

    @dlt.resource(name="daily_weather", write_disposition=MERGE, primary_key=list(tables.KEY))
    def daily_weather() -> Iterator[pa.Table]:
        state = dlt.current.resource_state().setdefault("newest_day_loaded", {})
        newest_days: dict[str, str] = state.setdefault(chosen, {})
        yield tables.to_table([], loaded_at)  # the table exists even when nothing is served
        today = clock.today(SEOUL)
        updates: dict[str, str] = {}
        for station in wanted:
            last = newest_days.get(station)
            since, until = weather_window(
                today=today,
                newest_day_loaded=date.fromisoformat(last) if last else None,
                lookback_days=lookback_days,
                start_date=start,
                end_date=end,
                initial_days=initial_days,
            )
            if since > until:
                log.info("weather: %s station %s: nothing to load", chosen, station)
                continue
            count = 0
            for first, final in date_chunks(since, until, window_days):
                rows = [
                    r for r in read(station, first, final) if first <= r["weather_date"] <= final
                ]
                if rows:
                    count += len(rows)
                    newest = max(r["weather_date"] for r in rows).isoformat()
                    updates[station] = max(updates.get(station, ""), newest)
                    yield tables.to_table(rows, loaded_at)
            log.info("weather: %s station %s %s..%s: %d days", chosen, station, since, until, count)
        for station, newest in updates.items():
            # The newest day with data anchors the next run's lookback.
            if newest > newest_days.get(station, ""):
                newest_days[station] = newest

    return [daily_weather]
