"""The weather source against both fakes: reconciliation, quirks, errors, late days."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from argo.pipeline import IngestError, run_source
from ingestion import clock
from ingestion.sandbox import Faults, World
from ingestion.sandbox.weather_api import STATIONS, Climate, KmaAsosFake, OpenMeteoFake
from tests.conftest import query

pytestmark = pytest.mark.pipeline

Key = tuple[str, str, str]  # provider, station, day
Values = tuple[Any, ...]  # station name and the six measures
ALL_STATIONS = list(STATIONS)


def yesterday_kst() -> date:
    return clock.today("Asia/Seoul") - timedelta(days=1)


def days(since: date, until: date) -> list[date]:
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def served(
    climate: Climate, provider: str, stations: list[str], since: date, until: date
) -> dict[Key, Values]:
    """What a provider serves, from the climate itself (not from the fake's answers)."""
    found = {}
    for station in stations:
        for day in days(since, until):
            v = climate.station_day(station, day)
            found[(provider, station, day.isoformat())] = (
                STATIONS[station][0],
                v["avg"],
                v["min"],
                v["max"],
                v["rain"],
                v["wind"],
                v["humidity"],
            )
    return found


def loaded(path: Path) -> dict[Key, Values]:
    rows = query(
        path,
        "select provider, station_id, cast(weather_date as varchar), station_name, avg_temp_c, "
        "min_temp_c, max_temp_c, precipitation_mm, avg_wind_speed_ms, avg_humidity_pct "
        "from raw_weather.daily_weather",
    )
    found: dict[Key, Values] = {}
    for provider, station, day, *values in rows:
        key = (provider, station, day)
        assert key not in found, f"duplicate grain row {key}"
        found[key] = tuple(values)
    return found


def table_rows(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        return int(query(path, "select count(*) from raw_weather.daily_weather")[0][0])
    except duckdb.CatalogException:
        return 0


def incremental(options: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in options.items() if k != "start_date"}


@pytest.mark.any_instant
def test_kma_loads_exactly_what_is_served(
    world: World, kma: KmaAsosFake, kma_options: dict[str, Any], climate: Climate, warehouse: Path
) -> None:
    result = run_source("weather", **kma_options)
    last = world.as_of - timedelta(days=1)
    expected = served(climate, "kma_asos", ["108", "159"], world.first_day, last)
    assert loaded(warehouse) == expected
    assert result.rows["daily_weather"] == len(expected)
    # every request ends yesterday (KST): ASOS refuses today or later with resultCode 99
    assert {q["endDt"] for _, _, q in kma.requests} == {f"{yesterday_kst():%Y%m%d}"}
    assert all("serviceKey" not in q for _, _, q in kma.requests), "the key is not logged"
    columns = [r[0] for r in query(warehouse, "describe raw_weather.daily_weather")]
    assert columns[:11] == [
        "provider",
        "station_id",
        "station_name",
        "weather_date",
        "avg_temp_c",
        "min_temp_c",
        "max_temp_c",
        "precipitation_mm",
        "avg_wind_speed_ms",
        "avg_humidity_pct",
        "_loaded_at",
    ]


def test_kma_dry_days_are_zero_precipitation(
    world: World, kma: KmaAsosFake, kma_options: dict[str, Any], warehouse: Path
) -> None:
    run_source("weather", **kma_options)
    served_items = kma.served("108", world.first_day, world.as_of)
    dry = {i["tm"] for i in served_items if i["sumRn"] == ""}
    wet = {i["tm"]: float(i["sumRn"]) for i in served_items if i["sumRn"] != ""}
    assert dry and wet
    rows = dict(
        query(
            warehouse,
            "select cast(weather_date as varchar), precipitation_mm from "
            "raw_weather.daily_weather where station_id = '108'",
        )
    )
    assert {d: rows[d] for d in dry} == dict.fromkeys(dry, 0.0)
    assert {d: rows[d] for d in wet} == wet


def test_both_providers_agree_on_settled_days(
    world: World,
    kma_options: dict[str, Any],
    meteo_options: dict[str, Any],
    warehouse: Path,
) -> None:
    run_source("weather", **kma_options)
    run_source("weather", **meteo_options)
    rows = loaded(warehouse)
    kma_rows = {(s, d): v for (p, s, d), v in rows.items() if p == "kma_asos"}
    meteo_rows = {(s, d): v for (p, s, d), v in rows.items() if p == "open_meteo"}
    assert meteo_rows and set(meteo_rows) < set(kma_rows)
    assert all(kma_rows[k] == v for k, v in meteo_rows.items())


def test_one_item_comes_as_an_object(
    world: World, kma: KmaAsosFake, kma_options: dict[str, Any], climate: Climate, warehouse: Path
) -> None:
    day = world.as_of - timedelta(days=10)
    options = {**kma_options, "stations": ["133"], "start_date": day.isoformat()}
    run_source("weather", **options, end_date=day.isoformat())
    assert kma.shapes == {"list": 0, "object": 1, "empty": 0}
    assert loaded(warehouse) == served(climate, "kma_asos", ["133"], day, day)


def test_empty_items_load_nothing_and_no_state(
    world: World, kma: KmaAsosFake, kma_options: dict[str, Any], climate: Climate, warehouse: Path
) -> None:
    # the days from the world's today to yesterday (KST) have no observations yet: "items": ""
    run_source("weather", **{**kma_options, "start_date": world.as_of.isoformat()})
    assert kma.shapes["empty"] >= 1 and kma.shapes["list"] == kma.shapes["object"] == 0
    assert table_rows(warehouse) == 0
    # those days appear once observed, and the next run reads them
    world.advance(2)
    run_source("weather", **{**kma_options, "start_date": world.as_of.isoformat()})
    run_source("weather", **{**kma_options, "start_date": (world.as_of - timedelta(2)).isoformat()})
    expected = served(
        climate, "kma_asos", ["108", "159"], world.as_of - timedelta(2), world.as_of - timedelta(1)
    )
    assert loaded(warehouse) == expected


def test_unregistered_key_is_an_auth_error_and_loads_nothing(
    kma: KmaAsosFake, kma_options: dict[str, Any], warehouse: Path
) -> None:
    with pytest.raises(IngestError) as caught:
        run_source("weather", **{**kma_options, "service_key": "not-a-registered-key"})
    text = str(caught.value)
    assert "SourceAuthError" in text or "refused the service key" in text
    assert "30" in text and "SERVICE_KEY_IS_NOT_REGISTERED_ERROR" in text
    assert "not-a-registered-key" not in text
    assert table_rows(warehouse) == 0


def test_encoded_key_is_sent_encoded_once(
    world: World, kma: KmaAsosFake, kma_options: dict[str, Any], warehouse: Path
) -> None:
    from urllib.parse import quote

    encoded = quote(kma.service_key, safe="")
    run_source("weather", **{**kma_options, "service_key": encoded, "stations": ["108"]})
    assert table_rows(warehouse) == (world.as_of - world.first_day).days


def test_expired_key_mid_run_leaves_earlier_data_untouched(
    world: World, kma: KmaAsosFake, kma_options: dict[str, Any], faults: Faults, warehouse: Path
) -> None:
    run_source("weather", **kma_options)
    before = loaded(warehouse)
    faults.expire_token()
    world.advance(1)
    with pytest.raises(IngestError, match="DEADLINE_HAS_EXPIRED"):
        run_source("weather", **incremental(kma_options))
    assert loaded(warehouse) == before


def test_paging_reads_every_page(
    world: World, kma: KmaAsosFake, kma_options: dict[str, Any], climate: Climate, warehouse: Path
) -> None:
    run_source("weather", **{**kma_options, "stations": ["108"], "page_size": 7})
    total = (world.as_of - world.first_day).days
    pages = [q["pageNo"] for _, _, q in kma.requests]
    assert pages == [str(n) for n in range(1, -(-total // 7) + 1)]
    assert {q["numOfRows"] for _, _, q in kma.requests} == {"7"}
    last = world.as_of - timedelta(days=1)
    assert loaded(warehouse) == served(climate, "kma_asos", ["108"], world.first_day, last)


def test_more_than_999_rows_are_paged(
    world: World, kma: KmaAsosFake, kma_options: dict[str, Any], warehouse: Path
) -> None:
    start = world.as_of - timedelta(days=1200)
    options = {**kma_options, "stations": ["108"], "window_days": 5000}
    run_source("weather", **{**options, "start_date": start.isoformat()})
    assert [q["pageNo"] for _, _, q in kma.requests] == ["1", "2"]
    assert {q["numOfRows"] for _, _, q in kma.requests} == {"999"}
    assert table_rows(warehouse) == 1200


@pytest.mark.any_instant
def test_open_meteo_loads_settled_days_and_fills_the_rest_later(
    world: World,
    meteo: OpenMeteoFake,
    meteo_options: dict[str, Any],
    climate: Climate,
    warehouse: Path,
) -> None:
    run_source("weather", **meteo_options)
    settled_until = world.as_of - timedelta(days=meteo.settle_days + 1)
    expected = served(climate, "open_meteo", ["108", "159"], world.first_day, settled_until)
    assert loaded(warehouse) == expected  # the trailing null days were not stored
    assert all(
        q["end_date"] == yesterday_kst().isoformat() and q["timezone"] == "Asia/Seoul"
        for _, _, q in meteo.requests
    )
    # three days later, the lookback reads the days that were null and stores them
    world.advance(3)
    meteo.requests.clear()
    run_source("weather", **incremental(meteo_options))
    settled_until = world.as_of - timedelta(days=meteo.settle_days + 1)
    expected = served(climate, "open_meteo", ["108", "159"], world.first_day, settled_until)
    assert loaded(warehouse) == expected
    starts = {q["start_date"] for _, _, q in meteo.requests}
    assert starts == {(settled_until - timedelta(days=3 + 6)).isoformat()}


def test_several_stations_in_one_run(
    world: World, meteo_options: dict[str, Any], meteo: OpenMeteoFake, warehouse: Path
) -> None:
    run_source("weather", **{**meteo_options, "stations": ALL_STATIONS})
    names = dict(
        query(warehouse, "select distinct station_id, station_name from raw_weather.daily_weather")
    )
    assert names == {s: v[0] for s, v in STATIONS.items()}
    per_station = {
        r[0]
        for r in query(
            warehouse, "select count(*) from raw_weather.daily_weather group by station_id"
        )
    }
    assert len(per_station) == 1  # every station has the same days
    # each station asked with its own coordinates
    asked = {(q["latitude"], q["longitude"]) for _, _, q in meteo.requests}
    assert asked == {(str(v[1]), str(v[2])) for v in STATIONS.values()}


def test_kma_recovers_from_429_5xx_and_truncation(
    world: World,
    kma: KmaAsosFake,
    kma_options: dict[str, Any],
    climate: Climate,
    faults: Faults,
    warehouse: Path,
) -> None:
    faults.throttle_next(1, retry_after=0)
    faults.fail_next(1, status=503)
    faults.truncate_next(1)
    faults.rate_limit_next(1, code=23)
    run_source("weather", **{**kma_options, "max_attempts": 6})
    last = world.as_of - timedelta(days=1)
    assert loaded(warehouse) == served(climate, "kma_asos", ["108", "159"], world.first_day, last)
    assert len(kma.requests) == 2 + 4


def test_open_meteo_recovers_from_429_and_5xx(
    world: World,
    meteo: OpenMeteoFake,
    meteo_options: dict[str, Any],
    faults: Faults,
    warehouse: Path,
) -> None:
    faults.rate_limit_next(1)
    faults.fail_next(1, status=502)
    faults.truncate_next(1)
    run_source("weather", **meteo_options)
    assert table_rows(warehouse) == 2 * ((world.as_of - world.first_day).days - meteo.settle_days)
    assert len(meteo.requests) == 2 + 3


def test_open_meteo_limit_that_persists_fails_clearly(
    meteo: OpenMeteoFake, meteo_options: dict[str, Any], faults: Faults, warehouse: Path
) -> None:
    faults.rate_limit_next(10)
    with pytest.raises(IngestError, match="request limit"):
        run_source("weather", **meteo_options)
    assert table_rows(warehouse) == 0


def test_kma_malformed_value_names_the_record(
    world: World, kma: KmaAsosFake, kma_options: dict[str, Any], warehouse: Path
) -> None:
    kma.bad_item = {"avgTa": "12..3"}
    with pytest.raises(IngestError) as caught:
        run_source("weather", **kma_options)
    text = str(caught.value)
    assert "SourceDataError" in text or "not a number" in text
    assert "avgTa" in text and "stnIds=108" in text and f"tm={world.first_day}" in text
    assert table_rows(warehouse) == 0


def test_open_meteo_malformed_value_names_the_record(
    world: World, meteo: OpenMeteoFake, meteo_options: dict[str, Any], warehouse: Path
) -> None:
    meteo.bad_value = (2, "temperature_2m_max", "hot")
    with pytest.raises(IngestError) as caught:
        run_source("weather", **meteo_options)
    text = str(caught.value)
    assert "temperature_2m_max" in text and "station=108" in text
    assert f"date={world.first_day + timedelta(days=2)}" in text
    assert table_rows(warehouse) == 0


def test_restated_day_is_replaced_not_duplicated(
    world: World, kma: KmaAsosFake, kma_options: dict[str, Any], warehouse: Path
) -> None:
    run_source("weather", **kma_options)
    first = loaded(warehouse)
    day = (world.as_of - timedelta(days=3)).isoformat()
    kma.bad_item = None
    original = kma.served

    def corrected(station: str, since: date, until: date) -> list[dict[str, Any]]:
        items = original(station, since, until)
        for item in items:
            if item["tm"] == day:
                item["avgTa"] = "99.9"
        return items

    kma.served = corrected  # type: ignore[method-assign]
    world.advance(1)
    run_source("weather", **incremental(kma_options))
    after = loaded(warehouse)
    assert after[("kma_asos", "108", day)][1] == 99.9
    assert len(after) == len(first) + 2
    assert {k: v for k, v in after.items() if k[2] != day} == {
        k: v for k, v in {**first, **after}.items() if k[2] != day
    }


def test_default_provider_follows_the_key(
    meteo: OpenMeteoFake, meteo_options: dict[str, Any], warehouse: Path
) -> None:
    options = {k: v for k, v in meteo_options.items() if k != "provider"}
    run_source("weather", **options)
    assert {
        r[0] for r in query(warehouse, "select distinct provider from raw_weather.daily_weather")
    } == {"open_meteo"}
