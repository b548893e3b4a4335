"""Fakes of KMA's ASOS daily service (data.go.kr) and of Open-Meteo's archive on 127.0.0.1.

Both serve one synthetic climate (:class:`Climate`), deterministic from
``(world.config.seed, station, day)``: a seasonal temperature by day of year and latitude,
rain on some days (more in summer), wind and humidity. Values are rounded to one decimal
as KMA publishes them, and Open-Meteo serves the same numbers, so both providers agree on
every day both have.

- :class:`KmaAsosFake`: ``GET /1360000/AsosDalyInfoService/getWthrDataList?serviceKey=
  &dataType=JSON&dataCd=ASOS&dateCd=DAY&startDt=&endDt=&stnIds=&pageNo=&numOfRows=`` ->
  the data.go.kr envelope with items whose values are all strings (``sumRn`` ``""`` on a
  dry day); one item comes as an object, none as ``"items": ""``; ``numOfRows`` at most
  999. Days up to the day before the world's today are served; an ``endDt`` of the real
  today (KST, :attr:`KmaAsosFake.today`) or later is refused with resultCode ``99``. The
  portal's gateway checks the service key and answers XML ``cmmMsgHeader`` errors with
  HTTP 200 (``30`` not registered, ``31`` expired with ``faults.expire_token()``, ``22``
  quota with ``faults.rate_limit_next``).
- :class:`OpenMeteoFake`: ``GET /v1/archive?latitude=&longitude=&start_date=&end_date=
  &daily=...&timezone=Asia/Seoul`` -> ``{"latitude", "longitude", "timezone",
  "daily_units", "daily": {"time": [...], <variable>: [...]}}``; the last
  :attr:`OpenMeteoFake.settle_days` days before the world's today (and any later day)
  are ``null``; errors are ``{"error": true, "reason"}`` with HTTP 400, 429 when limited.

See ``ingestion/sources/weather/README.md`` for what is verified and assumed.
"""

from __future__ import annotations

import hashlib
import math
import random
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ingestion import clock
from ingestion.sandbox.datagokr import DataGoKrFake, gateway_error
from ingestion.sandbox.faults import Faults
from ingestion.sandbox.http import FakeApi, Reply, Request
from ingestion.sandbox.world import World

SEOUL = ZoneInfo("Asia/Seoul")
#: ASOS stations: id -> (``stnNm``, latitude, longitude).
STATIONS: dict[str, tuple[str, float, float]] = {
    "108": ("서울", 37.5714, 126.9658),
    "159": ("부산", 35.1047, 129.0320),
    "133": ("대전", 36.3720, 127.3721),
    "143": ("대구", 35.8780, 128.6530),
    "156": ("광주", 35.1729, 126.8916),
    "112": ("인천", 37.4777, 126.6249),
}
KMA_PREFIX = "/1360000/AsosDalyInfoService"
KMA_OPERATION = "getWthrDataList"
KMA_MAX_ROWS = 999
KMA_DEFAULT_ROWS = 10
#: Open-Meteo daily variables the fake knows and their units.
OPEN_METEO_UNITS = {
    "temperature_2m_mean": "°C",
    "temperature_2m_min": "°C",
    "temperature_2m_max": "°C",
    "precipitation_sum": "mm",
    "wind_speed_10m_mean": "m/s",
    "relative_humidity_2m_mean": "%",
}
#: The climate's fields (one decimal each) and their names in each API.
KMA_NAMES = {
    "avg": "avgTa",
    "min": "minTa",
    "max": "maxTa",
    "rain": "sumRn",
    "wind": "avgWs",
    "humidity": "avgRhm",
}
OPEN_METEO_NAMES = {
    "avg": "temperature_2m_mean",
    "min": "temperature_2m_min",
    "max": "temperature_2m_max",
    "rain": "precipitation_sum",
    "wind": "wind_speed_10m_mean",
    "humidity": "relative_humidity_2m_mean",
}


def kst_today() -> date:
    """The real date in Korea (the API servers' clock)."""
    return clock.today(SEOUL)


class Climate:
    """One day's weather at a point, deterministic from the seed, the place and the day.

    Args:
        world: The world whose ``config.seed`` drives the weather.
    """

    def __init__(self, world: World) -> None:
        self.seed = world.config.seed

    def day(self, place: str, latitude: float, day: date) -> dict[str, float]:
        """``avg``/``min``/``max`` (°C), ``rain`` (mm), ``wind`` (m/s), ``humidity`` (%)."""
        digest = hashlib.blake2b(f"{self.seed}:weather:{place}:{day}".encode(), digest_size=8)
        rng = random.Random(int.from_bytes(digest.digest(), "big"))
        season = -math.cos(2 * math.pi * (day.timetuple().tm_yday - 20) / 365.25)  # -1 Jan, +1 Jul
        mean = 12.5 - 1.1 * (latitude - 37.5) + 13.5 * season + rng.gauss(0.0, 2.0)
        low = mean - rng.uniform(2.5, 6.5)
        high = mean + rng.uniform(2.5, 7.5)
        wet = rng.random() < 0.22 + 0.18 * max(season, 0.0)
        rain = (
            max(0.1, round(rng.expovariate(1 / (6.0 + 14.0 * max(season, 0.0))), 1)) if wet else 0.0
        )
        humidity = min(
            98.0, 55.0 + 15.0 * max(season, 0.0) + (20.0 if wet else 0.0) + rng.gauss(0, 6)
        )
        return {
            "avg": round(mean, 1),
            "min": round(low, 1),
            "max": round(high, 1),
            "rain": round(rain, 1),
            "wind": round(rng.uniform(0.8, 4.5), 1),
            "humidity": round(max(15.0, humidity), 1),
        }

    def station_day(self, station: str, day: date) -> dict[str, float]:
        """The weather of an ASOS station on ``day`` (both fakes serve these numbers)."""
        return self.day(station, STATIONS[station][1], day)


def service_error(code: str, message: str) -> Reply:
    """The service's own JSON error (HTTP 200)."""
    return Reply(
        200,
        {"response": {"header": {"resultCode": code, "resultMsg": message}}},
    )


def kma_value(value: float) -> str:
    """KMA's spelling of a measurement: one decimal as a string."""
    return f"{value:.1f}"


def _days(since: date, until: date) -> list[date]:
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


class KmaAsosFake(DataGoKrFake):
    """The KMA ASOS daily (``getWthrDataList``) fake.

    Args:
        world: The world it serves (data exists for days before ``world.as_of``).
        faults: Fault switches (see :class:`~ingestion.sandbox.faults.Faults`).
        service_key: The valid key in decoded form (with ``+``, ``/``, ``=`` so a key
            encoded twice does not match, as at the real gateway).
        climate: The weather (shared with an :class:`OpenMeteoFake` to compare both).
        gateway_status: HTTP status of gateway errors (data.go.kr: usually 200).
    """

    prefix = KMA_PREFIX
    path = f"{KMA_PREFIX}/{KMA_OPERATION}"

    def __init__(
        self,
        world: World,
        faults: Faults | None = None,
        service_key: str = "c2FuZGJveC13ZWF0aGVy+/sandbox/KMA+asos==",
        climate: Climate | None = None,
        gateway_status: int = 200,
    ) -> None:
        super().__init__(faults, service_key, gateway_status)
        self.world = world
        self.climate = climate or Climate(world)
        #: The API servers' date; ``None``: the real date in Korea.
        self.clock: date | None = None

    @property
    def today(self) -> date:
        """The API's today: ``endDt`` must be before it."""
        return self.clock or kst_today()

    def source_options(self) -> dict[str, Any]:
        """Keyword arguments that point ``weather_source`` at this fake (start it first)."""
        return {
            "provider": "kma_asos",
            "base_url": self.base_url,
            "service_key": self.service_key,
            "stations": ["108", "159"],
            "start_date": self.world.first_day.isoformat(),
        }

    def served(self, station: str, since: date, until: date) -> list[dict[str, Any]]:
        """The items of ``[since, until]`` for ``station`` (days before the world's today)."""
        name = STATIONS[station][0]
        items = []
        for day in _days(since, min(until, self.world.as_of - timedelta(days=1))):
            values = self.climate.station_day(station, day)
            item: dict[str, Any] = {"stnId": station, "stnNm": name, "tm": day.isoformat()}
            for field, api in KMA_NAMES.items():
                item[api] = kma_value(values[field])
            item["sumRn"] = kma_value(values["rain"]) if values["rain"] > 0 else ""
            item["minTaHrmt"] = "0547"
            item["maxTaHrmt"] = "1432"
            item["sumSsHr"] = kma_value(max(0.0, 9.0 - values["rain"] / 3))
            items.append(item)
        return items

    def handle(self, request: Request) -> Reply:
        """Answers ``getWthrDataList`` (gateway checks first, then the service's JSON)."""
        refused = self.refused(request)
        if refused is not None:
            return refused
        query = request.query
        try:
            since = datetime.strptime(query.get("startDt", ""), "%Y%m%d").date()
            until = datetime.strptime(query.get("endDt", ""), "%Y%m%d").date()
            rows = int(query.get("numOfRows") or KMA_DEFAULT_ROWS)
            page = int(query.get("pageNo") or 1)
        except ValueError:
            return gateway_error("10", self.gateway_status)
        station = query.get("stnIds", "")
        if query.get("dataCd") != "ASOS" or query.get("dateCd") != "DAY" or rows < 1 or page < 1:
            return gateway_error("10", self.gateway_status)
        if rows > KMA_MAX_ROWS:
            return service_error("10", "INVALID_REQUEST_PARAMETER_ERROR.")
        if until >= self.today:
            return service_error("99", "전날 자료까지 제공됩니다.")
        if since > until or station not in STATIONS:
            return service_error("03", "NO_DATA")
        everything = self.served(station, since, until)
        return self.answer(
            "NORMAL_SERVICE",
            dataType="JSON",
            items=self.page_of(everything, rows, page),
            pageNo=page,
            numOfRows=rows,
            totalCount=len(everything),
        )


class OpenMeteoFake(FakeApi):
    """The Open-Meteo historical weather (``/v1/archive``) fake.

    Args:
        world: The world it serves.
        faults: Fault switches (see :class:`~ingestion.sandbox.faults.Faults`).
        climate: The weather (shared with a :class:`KmaAsosFake` to compare both).
        settle_days: Days before the world's today still ``null`` (the archive's lag).
    """

    prefix = "/v1"

    def __init__(
        self,
        world: World,
        faults: Faults | None = None,
        climate: Climate | None = None,
        settle_days: int = 5,
    ) -> None:
        super().__init__(faults)
        self.world = world
        self.climate = climate or Climate(world)
        self.settle_days = settle_days
        #: The API servers' date; ``None``: the real date in Korea.
        self.clock: date | None = None
        #: ``(day index, variable, value)`` served instead of the climate (a malformed answer).
        self.bad_value: tuple[int, str, Any] | None = None

    @property
    def today(self) -> date:
        """The API's today: ``end_date`` may not be later."""
        return self.clock or kst_today()

    def source_options(self) -> dict[str, Any]:
        """Keyword arguments that point ``weather_source`` at this fake (start it first)."""
        return {
            "provider": "open_meteo",
            "base_url": self.base_url,
            "stations": ["108", "159"],
            "start_date": self.world.first_day.isoformat(),
        }

    def settled(self, day: date) -> bool:
        """Whether the archive has values for ``day``."""
        return day < self.world.as_of - timedelta(days=self.settle_days)

    @staticmethod
    def place(latitude: float, longitude: float) -> tuple[str, float]:
        """The climate's key of a point: the ASOS station there, else the rounded point."""
        for station, (_, lat, lon) in STATIONS.items():
            if abs(lat - latitude) < 0.01 and abs(lon - longitude) < 0.01:
                return station, lat
        return f"{latitude:.2f},{longitude:.2f}", latitude

    @staticmethod
    def error(reason: str, status: int = 400) -> Reply:
        """Open-Meteo's error answer."""
        return Reply(status, {"error": True, "reason": reason})

    def handle(self, request: Request) -> Reply:
        """Answers ``/v1/archive``."""
        if request.method != "GET" or request.path != "/v1/archive":
            return Reply(404, {"error": True, "reason": "Not Found"})
        query = request.query
        try:
            latitude = float(query["latitude"])
            longitude = float(query["longitude"])
        except (KeyError, ValueError):
            return self.error("Parameter 'latitude' and 'longitude' must be set and numeric")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return self.error("Latitude must be in range of -90 to 90°. Given: " + str(latitude))
        try:
            since = date.fromisoformat(query.get("start_date", ""))
            until = date.fromisoformat(query.get("end_date", ""))
        except ValueError:
            return self.error("Parameter 'start_date' and 'end_date' must be set as yyyy-mm-dd")
        if since < date(1940, 1, 1) or until > self.today:
            return self.error(
                f"Parameter 'start_date' is out of allowed range from 1940-01-01 to {self.today}"
            )
        if until < since:
            return self.error("End-date must be larger or equals than start-date")
        variables = [v for v in query.get("daily", "").split(",") if v]
        unknown = [v for v in variables if v not in OPEN_METEO_UNITS]
        if unknown:
            return self.error(
                f"Cannot initialize WeatherVariable from invalid String value {unknown[0]} "
                "for key daily"
            )
        place, lat = self.place(latitude, longitude)
        days = _days(since, until)
        daily: dict[str, list[Any]] = {"time": [d.isoformat() for d in days]}
        by_api = {api: field for field, api in OPEN_METEO_NAMES.items()}
        for variable in variables:
            daily[variable] = []
        for day in days:
            values = self.climate.day(place, lat, day) if self.settled(day) else None
            for variable in variables:
                daily[variable].append(values[by_api[variable]] if values else None)
        if self.bad_value is not None:
            index, variable, value = self.bad_value
            if variable in daily and index < len(days):
                daily[variable][index] = value
        return Reply(
            200,
            {
                "latitude": round(latitude * 20) / 20,
                "longitude": round(longitude * 20) / 20,
                "generationtime_ms": 0.5,
                "utc_offset_seconds": 32400,
                "timezone": query.get("timezone", "GMT"),
                "timezone_abbreviation": "KST",
                "elevation": 38.0,
                "daily_units": {"time": "iso8601", **{v: OPEN_METEO_UNITS[v] for v in variables}},
                "daily": daily,
            },
        )

    def platform_rate_limit(self, request: Request, code: int) -> Reply:
        """Open-Meteo's limit: HTTP 429 with ``{"error": true, "reason"}``."""
        return self.error(
            "Minutely API request limit exceeded. Please try again in one minute.", 429
        )

    def throttled(self, request: Request, retry_after: int) -> Reply:
        """HTTP 429 with ``Retry-After``."""
        reply = self.error("Too many concurrent requests", 429)
        reply.headers["Retry-After"] = str(retry_after)
        return reply

    def server_error(self, request: Request, status: int) -> Reply:
        """An internal error."""
        return self.error("Internal Server Error", status)
