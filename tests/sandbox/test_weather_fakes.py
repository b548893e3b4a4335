"""The KMA ASOS and Open-Meteo fakes speak their protocols and serve one plausible climate."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest
import requests

from ingestion import clock
from ingestion.sandbox import Faults, World, WorldConfig
from ingestion.sandbox.weather_api import STATIONS, Climate, KmaAsosFake, OpenMeteoFake


@pytest.fixture
def world() -> World:
    as_of = clock.today() - timedelta(days=3)
    return World(WorldConfig(seed=5, scale=0.3, history_days=400, as_of=as_of))


@pytest.fixture
def kma(world: World) -> Iterator[KmaAsosFake]:
    with KmaAsosFake(world, Faults()) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def meteo(world: World) -> Iterator[OpenMeteoFake]:
    with OpenMeteoFake(world, Faults()) as fake:
        yield fake  # type: ignore[misc]


def asos(fake: KmaAsosFake, key: str | None = None, **params: Any) -> requests.Response:
    encoded = key if key is not None else quote(fake.service_key, safe="")
    query = {"dataType": "JSON", "dataCd": "ASOS", "dateCd": "DAY", "stnIds": "108", **params}
    text = "&".join(f"{k}={v}" for k, v in query.items())
    url = f"{fake.base_url}/getWthrDataList?serviceKey={encoded}&{text}"
    return requests.get(url, timeout=10)


def gateway_code(response: requests.Response) -> str:
    header = ElementTree.fromstring(response.text).find("cmmMsgHeader")
    assert header is not None
    return header.findtext("returnReasonCode") or ""


def test_the_climate_is_deterministic_and_plausible(world: World) -> None:
    climate = Climate(world)
    days = [world.first_day + timedelta(days=n) for n in range(365)]
    seoul = [climate.station_day("108", d) for d in days]
    assert seoul == [Climate(world).station_day("108", d) for d in days]
    for values in seoul:
        assert values["min"] <= values["avg"] <= values["max"]
        assert values["rain"] >= 0 and 0 < values["humidity"] <= 100 and values["wind"] > 0
    by_month: dict[int, list[float]] = {}
    for day, values in zip(days, seoul, strict=True):
        by_month.setdefault(day.month, []).append(values["avg"])
    mean = {m: sum(v) / len(v) for m, v in by_month.items()}
    assert mean[8] - mean[1] > 15, "summer is warmer than winter"
    wet = sum(1 for v in seoul if v["rain"] > 0)
    assert 0.15 * len(days) < wet < 0.6 * len(days)
    other = World(WorldConfig(seed=6, scale=0.3, history_days=10, as_of=world.as_of))
    assert [Climate(other).station_day("108", d) for d in days[:30]] != seoul[:30]


def test_asos_items_are_strings_and_a_dry_day_has_an_empty_sum_rn(kma: KmaAsosFake) -> None:
    world = kma.world
    since, until = world.as_of - timedelta(days=60), world.as_of - timedelta(days=1)
    body = asos(kma, startDt=f"{since:%Y%m%d}", endDt=f"{until:%Y%m%d}", numOfRows=999).json()
    response = body["response"]
    assert response["header"] == {"resultCode": "00", "resultMsg": "NORMAL_SERVICE"}
    items = response["body"]["items"]["item"]
    assert len(items) == response["body"]["totalCount"] == 60
    assert all(isinstance(v, str) for item in items for v in item.values())
    climate = Climate(world)
    for item in items:
        values = climate.station_day("108", date.fromisoformat(item["tm"]))
        assert item["stnNm"] == STATIONS["108"][0] and item["avgTa"] == f"{values['avg']:.1f}"
        assert item["sumRn"] == ("" if values["rain"] == 0 else f"{values['rain']:.1f}")
    assert {i["sumRn"] == "" for i in items} == {True, False}


def test_asos_pages_and_item_shapes(kma: KmaAsosFake) -> None:
    day = kma.world.as_of - timedelta(days=30)
    week = {"startDt": f"{day:%Y%m%d}", "endDt": f"{day + timedelta(days=6):%Y%m%d}"}
    first = asos(kma, **week, numOfRows=5, pageNo=1).json()["response"]["body"]
    second = asos(kma, **week, numOfRows=5, pageNo=2).json()["response"]["body"]
    assert first["totalCount"] == second["totalCount"] == 7
    assert len(first["items"]["item"]) == 5 and len(second["items"]["item"]) == 2
    one = asos(kma, startDt=f"{day:%Y%m%d}", endDt=f"{day:%Y%m%d}").json()["response"]["body"]
    assert isinstance(one["items"]["item"], dict)
    beyond = asos(kma, **week, numOfRows=5, pageNo=3).json()["response"]["body"]
    assert beyond["items"] == ""
    too_many = asos(kma, **week, numOfRows=1000).json()["response"]["header"]
    assert too_many["resultCode"] == "10"


def test_asos_refuses_today_and_later(kma: KmaAsosFake) -> None:
    today = kma.today
    answer = asos(kma, startDt=f"{today - timedelta(days=3):%Y%m%d}", endDt=f"{today:%Y%m%d}")
    assert answer.status_code == 200
    assert answer.json()["response"]["header"]["resultCode"] == "99"


def test_the_gateway_checks_the_key_and_answers_xml(kma: KmaAsosFake) -> None:
    day = f"{kma.world.first_day:%Y%m%d}"
    wrong = asos(kma, key="nope", startDt=day, endDt=day)
    assert wrong.status_code == 200 and wrong.headers["Content-Type"].startswith("text/xml")
    assert gateway_code(wrong) == "30"
    # encoded twice, the key does not match, as at data.go.kr
    twice = quote(quote(kma.service_key, safe=""), safe="")
    assert gateway_code(asos(kma, key=twice, startDt=day, endDt=day)) == "30"
    kma.faults.rate_limit_next(1)
    assert gateway_code(asos(kma, startDt=day, endDt=day)) == "22"
    kma.faults.expire_token()
    assert gateway_code(asos(kma, startDt=day, endDt=day)) == "31"


def test_open_meteo_serves_the_same_values_with_a_settling_lag(
    kma: KmaAsosFake, meteo: OpenMeteoFake
) -> None:
    world = meteo.world
    lat, lon = STATIONS["159"][1:]
    since, until = world.as_of - timedelta(days=20), world.as_of - timedelta(days=1)
    params = {
        "latitude": lat,
        "longitude": lon,
        "start_date": since.isoformat(),
        "end_date": until.isoformat(),
        "daily": "temperature_2m_mean,precipitation_sum",
        "timezone": "Asia/Seoul",
    }
    body = requests.get(f"{meteo.base_url}/archive", params=params, timeout=10).json()
    assert body["daily_units"] == {
        "time": "iso8601",
        "temperature_2m_mean": "°C",
        "precipitation_sum": "mm",
    }
    daily = body["daily"]
    assert len(daily["time"]) == 20
    climate = Climate(world)
    for text, temp, rain in zip(
        daily["time"], daily["temperature_2m_mean"], daily["precipitation_sum"], strict=True
    ):
        day = date.fromisoformat(text)
        if meteo.settled(day):
            values = climate.station_day("159", day)
            assert (temp, rain) == (values["avg"], values["rain"])
        else:
            assert (temp, rain) == (None, None)
    assert daily["temperature_2m_mean"][-meteo.settle_days :] == [None] * meteo.settle_days


def test_open_meteo_errors_are_its_own(meteo: OpenMeteoFake) -> None:
    base = {"latitude": 37.57, "longitude": 126.97, "start_date": "2026-01-01"}
    cases = [
        ({**base, "end_date": "2025-12-01"}, 400, "End-date must be larger"),
        ({**base, "end_date": "2026-01-02", "daily": "snow_color"}, 400, "invalid String"),
        ({**base, "latitude": 123, "end_date": "2026-01-02"}, 400, "Latitude must be"),
    ]
    for params, status, reason in cases:
        answer = requests.get(f"{meteo.base_url}/archive", params=params, timeout=10)
        assert answer.status_code == status and answer.json()["error"] is True
        assert reason in answer.json()["reason"]
    meteo.faults.rate_limit_next(1)
    limited = requests.get(
        f"{meteo.base_url}/archive", params={**base, "end_date": "2026-01-02"}, timeout=10
    )
    assert limited.status_code == 429 and "limit exceeded" in limited.json()["reason"]
