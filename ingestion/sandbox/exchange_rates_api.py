"""Fakes of Korea Eximbank's exchange-rate API and of Frankfurter (ECB rates) on 127.0.0.1.

Both serve one deterministic market (:class:`FxMarket`): per currency, a seeded
mean-reverting walk around the world's fixed rates (KRW 1400, JPY 150, EUR 0.92 per USD,
and the other currencies either provider lists), so the two agree on every day both
publish, up to each provider's rounding.

- :class:`KoreaEximFake`: ``GET /site/program/financial/exchangeJSON?authkey=&searchdate=
  YYYYMMDD&data=AP01`` -> a list of currency objects whose numbers are strings with
  thousands commas (``"1,348.6"``), ``JPY(100)`` and ``IDR(100)`` quoted per 100 units,
  the renminbi as ``CNH`` and a ``KRW`` row at 1; ``[]`` on weekends and Korean public
  holidays (the ``holidays`` package), for days after the world's today, and for today
  until :attr:`KoreaEximFake.published_today`. Errors come with HTTP 200 as
  ``[{"result": 2|3|4, ...}]``: 2 a data code other than AP01, 3 a wrong key (or
  ``faults.expire_token()``), 4 the daily limit (``daily_limit`` requests, or
  ``faults.rate_limit_next``).
- :class:`FrankfurterFake`: ``GET /v1/{start}..{end}?base=&symbols=`` ->
  ``{"amount": 1.0, "base", "start_date", "end_date", "rates": {day: {code: number}}}``
  on TARGET business days (weekdays but 1 Jan, Good Friday, Easter Monday, 1 May, 25-26
  Dec), starting at the last business day on or before ``start`` as Frankfurter does,
  with Frankfurter's rounding; 404 ``{"message": "not found"}`` when nothing is
  published in the range or it starts after today, 422 ``{"message": ...}`` for a bad
  date or currency pair.

See ``ingestion/sources/exchange_rates/README.md`` for what is verified and assumed.
"""

from __future__ import annotations

import math
import random
import re
import threading
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

import holidays

from ingestion.sandbox.faults import Faults
from ingestion.sandbox.http import FakeApi, Reply, Request
from ingestion.sandbox.world import ACCOUNT_PROFILES, World

#: Units of each currency per USD the walks revolve around (the world's profiles first).
PER_USD: dict[str, float] = {
    **{currency: per_usd for currency, _, _, per_usd in ACCOUNT_PROFILES},
    "AED": 3.6725,
    "AUD": 1.52,
    "BHD": 0.376,
    "BND": 1.34,
    "CAD": 1.37,
    "CHF": 0.88,
    "CNY": 7.2,
    "DKK": 6.86,
    "GBP": 0.79,
    "HKD": 7.8,
    "IDR": 15800.0,
    "KWD": 0.307,
    "MYR": 4.45,
    "NOK": 10.6,
    "NZD": 1.66,
    "SAR": 3.75,
    "SEK": 10.4,
    "SGD": 1.34,
    "THB": 35.5,
}
#: Eximbank's list: ISO code -> (``cur_unit`` as published, ``cur_nm``); the renminbi is
#: published as CNH (offshore), fed by the CNY walk.
KOREAEXIM_LIST: dict[str, tuple[str, str]] = {
    "AED": ("AED", "아랍에미리트 디르함"),
    "AUD": ("AUD", "호주 달러"),
    "BHD": ("BHD", "바레인 디나르"),
    "BND": ("BND", "브루나이 달러"),
    "CAD": ("CAD", "캐나다 달러"),
    "CHF": ("CHF", "스위스 프랑"),
    "CNY": ("CNH", "위안화"),
    "DKK": ("DKK", "덴마아크 크로네"),
    "EUR": ("EUR", "유로"),
    "GBP": ("GBP", "영국 파운드"),
    "HKD": ("HKD", "홍콩 달러"),
    "IDR": ("IDR(100)", "인도네시아 루피아"),
    "JPY": ("JPY(100)", "일본 옌"),
    "KRW": ("KRW", "한국 원"),
    "KWD": ("KWD", "쿠웨이트 디나르"),
    "MYR": ("MYR", "말레이지아 링기트"),
    "NOK": ("NOK", "노르웨이 크로네"),
    "NZD": ("NZD", "뉴질랜드 달러"),
    "SAR": ("SAR", "사우디 리얄"),
    "SEK": ("SEK", "스웨덴 크로나"),
    "SGD": ("SGD", "싱가포르 달러"),
    "THB": ("THB", "태국 바트"),
    "USD": ("USD", "미국 달러"),
}
#: Currencies the ECB publishes (and so Frankfurter) among those the market walks.
FRANKFURTER_LIST = (
    *("AUD", "CAD", "CHF", "CNY", "DKK", "EUR", "GBP", "HKD", "IDR"),
    *("JPY", "KRW", "MYR", "NOK", "NZD", "SEK", "SGD", "THB", "USD"),
)
#: The walk starts here (so a day's rate never depends on the range asked for).
EPOCH = date(2020, 1, 1)
#: Mean reversion per day and daily volatility of the log rate (about +-2 % around the anchor).
REVERSION = 0.02
VOLATILITY = 0.004
#: Eximbank's spread of the telegraphic transfer rates around the deal-basis rate.
TT_SPREAD = Decimal("0.01")


def first_needed_day(world: World) -> date:
    """The first day a sandbox run loads: ten days before the world's history.

    The history's first days (a weekend, a long holiday) then have a rate to carry forward.
    """
    return world.first_day - timedelta(days=10)


class FxMarket:
    """Won per unit of each currency, per day, deterministic from the world's seed.

    Args:
        world: The world whose ``config.seed`` drives the walks.
    """

    def __init__(self, world: World) -> None:
        self.seed = world.config.seed
        self._walks: dict[str, list[float]] = {}
        self._rngs: dict[str, random.Random] = {}
        self._restated: dict[tuple[str, date], Decimal] = {}
        self._lock = threading.Lock()

    def _walk(self, currency: str, day: date) -> float:
        """The log deviation of ``currency`` from its anchor on ``day`` (0 at the epoch)."""
        with self._lock:
            walk = self._walks.setdefault(currency, [0.0])
            rng = self._rngs.setdefault(currency, random.Random(f"{self.seed}:fx:{currency}"))
            while len(walk) <= (day - EPOCH).days:  # always drawn in order from the epoch
                walk.append(walk[-1] * (1 - REVERSION) + rng.gauss(0.0, VOLATILITY))
            return walk[(day - EPOCH).days]

    def mid(self, currency: str, day: date) -> Decimal:
        """Won per 1 unit on ``day`` (six decimals), restatements applied.

        Raises:
            KeyError: The market has no such currency.
        """
        if currency == "KRW":
            return Decimal(1)
        restated = self._restated.get((currency, day))
        if restated is not None:
            return restated
        # KRW and every other currency walk against USD; a day's cross rates stay consistent.
        anchor = PER_USD["KRW"] / PER_USD[currency]
        against_usd = 0.0 if currency == "USD" else self._walk(currency, day)
        value = anchor * math.exp(self._walk("KRW", day) - against_usd)
        return Decimal(repr(value)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)

    def restate(self, currency: str, day: date, factor: Decimal = Decimal("1.01")) -> Decimal:
        """Corrects a published rate (both providers serve the correction); returns it."""
        corrected = (self.mid(currency, day) * factor).quantize(Decimal("0.000001"))
        self._restated[(currency, day)] = corrected
        return corrected


@cache
def _korean_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("KR", years=year))


@cache
def _target_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.financial_holidays("ECB", years=year))


def korean_business_day(day: date) -> bool:
    """Whether Korea Eximbank publishes rates on ``day`` (weekday, not a KR holiday)."""
    return day.weekday() < 5 and day not in _korean_holidays(day.year)


def target_business_day(day: date) -> bool:
    """Whether the ECB publishes reference rates on ``day`` (TARGET calendar)."""
    return day.weekday() < 5 and day not in _target_holidays(day.year)


def eximbank_number(value: Decimal) -> str:
    """Eximbank's spelling: thousands commas, trailing zeros dropped (``"1,317.5"``)."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text


def frankfurter_round(value: Decimal) -> Decimal:
    """Frankfurter's rounding of a rate (its ``Roundable``: fewer decimals for bigger rates)."""
    places = 0 if value > 5000 else 2 if value > 80 else 3 if value > 20 else 4 if value > 1 else 5
    if value <= Decimal("0.0001"):
        places = 6
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


class KoreaEximFake(FakeApi):
    """The Korea Eximbank exchange-rate API fake.

    Args:
        world: The world it serves (its today is ``world.as_of``).
        faults: Fault switches (see :class:`~ingestion.sandbox.faults.Faults`).
        auth_key: The Open API key it accepts.
        market: The rates (shared with a :class:`FrankfurterFake` to restate both).
        daily_limit: Requests one key may make per world day before ``result`` 4.
    """

    PATH = "/site/program/financial/exchangeJSON"

    def __init__(
        self,
        world: World,
        faults: Faults | None = None,
        auth_key: str = "sandbox-koreaexim-authkey",
        market: FxMarket | None = None,
        daily_limit: int = 1000,
    ) -> None:
        super().__init__(faults, secret_params=("authkey",))
        self.world = world
        self.auth_key = auth_key
        self.market = market or FxMarket(world)
        self.daily_limit = daily_limit
        #: Whether today's rates are out (Eximbank publishes around 11:00 KST).
        self.published_today = True
        self._counts: dict[date, int] = {}
        self._lock = threading.Lock()

    def source_options(self) -> dict[str, Any]:
        """Keyword arguments that point ``exchange_rates_source`` at this fake (start it first)."""
        return {
            "provider": "koreaexim",
            "base_url": self.base_url,
            "auth_key": self.auth_key,
            "start_date": first_needed_day(self.world).isoformat(),
        }

    def publishes(self, day: date) -> bool:
        """Whether a request for ``day`` gets rates (else ``[]``)."""
        if day > self.world.as_of or (day == self.world.as_of and not self.published_today):
            return False
        return korean_business_day(day) and day >= EPOCH

    def rows(self, day: date) -> list[dict[str, Any]]:
        """The answer for ``day``: every listed currency, as Eximbank spells it."""
        if not self.publishes(day):
            return []
        rows = []
        for code in sorted(KOREAEXIM_LIST, key=lambda c: KOREAEXIM_LIST[c][0]):
            cur_unit, name = KOREAEXIM_LIST[code]
            units = 100 if cur_unit.endswith("(100)") else 1
            deal = (self.market.mid(code, day) * units).quantize(Decimal("0.01"), ROUND_HALF_UP)
            zero = code == "KRW"
            ttb = Decimal(0) if zero else deal * (1 - TT_SPREAD)
            tts = Decimal(0) if zero else deal * (1 + TT_SPREAD)
            book = eximbank_number(deal.quantize(Decimal(1), rounding=ROUND_FLOOR))
            rows.append(
                {
                    "result": 1,
                    "cur_unit": cur_unit,
                    "ttb": eximbank_number(ttb),
                    "tts": eximbank_number(tts),
                    "deal_bas_r": eximbank_number(deal),
                    "bkpr": book,
                    "yy_efee_r": "0",
                    "ten_dd_efee_r": "0",
                    "kftc_bkpr": book,
                    "kftc_deal_bas_r": eximbank_number(deal),
                    "cur_nm": name,
                }
            )
        return rows

    @staticmethod
    def error(result: int) -> list[dict[str, Any]]:
        """Eximbank's error answer (HTTP 200): one object with the result code."""
        fields = ("cur_unit", "ttb", "tts", "deal_bas_r", "bkpr", "yy_efee_r", "ten_dd_efee_r")
        return [{"result": result, **dict.fromkeys(fields), "cur_nm": None}]

    def handle(self, request: Request) -> Reply:
        """Answers ``exchangeJSON``: key, daily limit, data code, then the day's rates."""
        if request.method != "GET" or request.path != self.PATH:
            return Reply(404, b"<html><body>404 Not Found</body></html>", content_type="text/html")
        query = request.query
        if self.faults.token_expired or query.get("authkey") != self.auth_key:
            return Reply(200, self.error(3))
        with self._lock:
            used = self._counts.get(self.world.as_of, 0) + 1
            self._counts[self.world.as_of] = used
        if used > self.daily_limit:
            return Reply(200, self.error(4))
        if query.get("data") != "AP01":
            return Reply(200, self.error(2))
        text = query.get("searchdate") or f"{self.world.as_of:%Y%m%d}"
        if not re.fullmatch(r"\d{8}", text):
            return Reply(200, self.error(2))
        try:
            day = date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return Reply(200, self.error(2))
        return Reply(200, self.rows(day))

    def platform_rate_limit(self, request: Request, code: int) -> Reply:
        """The daily limit: ``result`` 4 with HTTP 200."""
        return Reply(200, self.error(4))

    def throttled(self, request: Request, retry_after: int) -> Reply:
        """A gateway 429 with ``Retry-After`` (an HTML page, as the bank's web server)."""
        body = b"<html><body>429 Too Many Requests</body></html>"
        return Reply(429, body, {"Retry-After": str(retry_after)}, content_type="text/html")

    def server_error(self, request: Request, status: int) -> Reply:
        """The bank's web server error page."""
        body = f"<html><body>{status} Server Error</body></html>".encode()
        return Reply(status, body, content_type="text/html")


class FrankfurterFake(FakeApi):
    """The Frankfurter (v1) fake: ECB reference rates as time series.

    Args:
        world: The world it serves (its today is ``world.as_of``).
        faults: Fault switches (see :class:`~ingestion.sandbox.faults.Faults`).
        market: The rates (shared with a :class:`KoreaEximFake` to restate both).
    """

    prefix = "/v1"
    _RANGE = re.compile(r"/v1/(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})?")

    def __init__(
        self, world: World, faults: Faults | None = None, market: FxMarket | None = None
    ) -> None:
        super().__init__(faults)
        self.world = world
        self.market = market or FxMarket(world)
        #: Whether today's rates are out (the ECB publishes around 16:00 CET).
        self.published_today = True

    def source_options(self) -> dict[str, Any]:
        """Keyword arguments that point ``exchange_rates_source`` at this fake (start it first)."""
        return {
            "provider": "frankfurter",
            "base_url": self.base_url,
            "start_date": first_needed_day(self.world).isoformat(),
        }

    def publishes(self, day: date) -> bool:
        """Whether the ECB has published reference rates for ``day``."""
        if day > self.world.as_of or (day == self.world.as_of and not self.published_today):
            return False
        return target_business_day(day) and day >= EPOCH

    def rate(self, base: str, symbol: str, day: date) -> Decimal:
        """``symbol`` per 1 ``base`` on ``day``, rounded as Frankfurter rounds."""
        return frankfurter_round(self.market.mid(base, day) / self.market.mid(symbol, day))

    def series(self, base: str, symbols: list[str], since: date, until: date) -> dict[str, Any]:
        """The time-series answer (``rates`` empty when nothing is published)."""
        start = since
        while start >= EPOCH and not self.publishes(start):
            start -= timedelta(days=1)  # Frankfurter starts at the nearest earlier day
        rates: dict[str, dict[str, float]] = {}
        day = max(start, EPOCH)
        while day <= until:
            if self.publishes(day):
                rates[day.isoformat()] = {s: float(self.rate(base, s, day)) for s in symbols}
            day += timedelta(days=1)
        days = list(rates)
        return {
            "amount": 1.0,
            "base": base,
            "start_date": days[0] if days else None,
            "end_date": days[-1] if days else None,
            "rates": rates,
        }

    def handle(self, request: Request) -> Reply:
        """Answers ``/v1/{start}..{end}``; other paths are 404 ``not found``."""
        match = self._RANGE.fullmatch(request.path)
        if request.method != "GET" or match is None:
            return Reply(404, {"message": "not found"})
        try:
            since = date.fromisoformat(match.group(1))
            until = date.fromisoformat(match.group(2)) if match.group(2) else self.world.as_of
        except ValueError:
            return Reply(422, {"message": "invalid date"})
        base = request.query.get("base", "EUR").upper()
        symbols = [s for s in request.query.get("symbols", "").upper().split(",") if s] or [
            c for c in FRANKFURTER_LIST if c != base
        ]
        if symbols == [base]:
            return Reply(422, {"message": "bad currency pair"})
        known = set(FRANKFURTER_LIST)
        if since > self.world.as_of or base not in known:
            return Reply(404, {"message": "not found"})
        body = self.series(base, [s for s in symbols if s in known and s != base], since, until)
        if not body["rates"]:
            return Reply(404, {"message": "not found"})
        return Reply(200, body)

    def platform_rate_limit(self, request: Request, code: int) -> Reply:
        """Frankfurter documents no rate limit; its proxy answers a plain 429."""
        return Reply(429, {"message": "Too Many Requests"}, {"Retry-After": "1"})

    def throttled(self, request: Request, retry_after: int) -> Reply:
        """HTTP 429 with ``Retry-After``."""
        return Reply(429, {"message": "Too Many Requests"}, {"Retry-After": str(retry_after)})

    def server_error(self, request: Request, status: int) -> Reply:
        """An internal error."""
        return Reply(status, {"message": "Internal Server Error"})
