"""The Eximbank and Frankfurter fakes speak their APIs and agree with each other."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import requests

from ingestion.sandbox import Faults, World, WorldConfig
from ingestion.sandbox.exchange_rates_api import FrankfurterFake, FxMarket, KoreaEximFake

#: A world whose history covers Chuseok 2026 (24-26 Sep), Hangul Day (9 Oct, a Friday)
#: and the TARGET holidays of Christmas (25-26 Dec) and 1 Jan.
AS_OF = date(2027, 1, 8)


@pytest.fixture
def world() -> World:
    return World(WorldConfig(seed=11, scale=0.3, history_days=120, as_of=AS_OF))


@pytest.fixture
def exim(world: World) -> Iterator[KoreaEximFake]:
    with KoreaEximFake(world, Faults()) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def frankfurter(world: World, exim: KoreaEximFake) -> Iterator[FrankfurterFake]:
    with FrankfurterFake(world, Faults(), market=exim.market) as fake:
        yield fake  # type: ignore[misc]


def day_rates(fake: KoreaEximFake, day: date, **params: Any) -> Any:
    query = {"authkey": fake.auth_key, "searchdate": f"{day:%Y%m%d}", "data": "AP01", **params}
    response = requests.get(fake.base_url + fake.PATH, params=query, timeout=10)
    assert response.status_code == 200
    return response.json()


def series(fake: FrankfurterFake, since: str, until: str, **params: str) -> requests.Response:
    return requests.get(f"{fake.base_url}/{since}..{until}", params=params, timeout=10)


def test_eximbank_answer_has_eximbanks_shape(exim: KoreaEximFake) -> None:
    rows = day_rates(exim, date(2026, 11, 19))
    units = [row["cur_unit"] for row in rows]
    assert units == sorted(units) and {"JPY(100)", "IDR(100)", "CNH", "KRW", "USD"} <= set(units)
    assert "CNY" not in units and "JPY" not in units
    assert list(rows[0]) == [
        "result", "cur_unit", "ttb", "tts", "deal_bas_r", "bkpr", "yy_efee_r",
        "ten_dd_efee_r", "kftc_bkpr", "kftc_deal_bas_r", "cur_nm",
    ]  # fmt: skip
    by_unit = {row["cur_unit"]: row for row in rows}
    assert all(row["result"] == 1 and isinstance(row["deal_bas_r"], str) for row in rows)
    assert "," in by_unit["USD"]["deal_bas_r"] and "," in by_unit["EUR"]["deal_bas_r"]
    assert by_unit["KRW"]["deal_bas_r"] == "1" and by_unit["KRW"]["ttb"] == "0"
    usd = Decimal(by_unit["USD"]["deal_bas_r"].replace(",", ""))
    yen_100 = Decimal(by_unit["JPY(100)"]["deal_bas_r"].replace(",", ""))
    assert 1300 < usd < 1500 and 850 < yen_100 < 1050  # ~1400 won/USD, ~933 won/100 yen
    assert by_unit["USD"]["bkpr"] == f"{int(usd):,}"


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 11, 21),  # Saturday
        date(2026, 9, 24),  # Chuseok
        date(2026, 10, 9),  # Hangul Day
        date(2027, 1, 9),  # after the world's today
    ],
)
def test_eximbank_answers_an_empty_list_on_non_business_days(
    exim: KoreaEximFake, day: date
) -> None:
    assert day_rates(exim, day) == []


def test_eximbank_publishes_today_only_once_published(exim: KoreaEximFake) -> None:
    assert day_rates(exim, AS_OF)
    exim.published_today = False
    assert day_rates(exim, AS_OF) == []


def test_eximbank_errors_come_as_result_codes_with_http_200(exim: KoreaEximFake) -> None:
    assert day_rates(exim, date(2026, 11, 19), authkey="wrong")[0]["result"] == 3
    assert day_rates(exim, date(2026, 11, 19), data="AP02")[0]["result"] == 2
    assert day_rates(exim, date(2026, 11, 19), searchdate="2026-11-19")[0]["result"] == 2
    exim.faults.expire_token()
    assert day_rates(exim, date(2026, 11, 19))[0]["result"] == 3
    exim.faults.restore_token()
    exim.faults.rate_limit_next(1)
    assert day_rates(exim, date(2026, 11, 19))[0]["result"] == 4
    exim.daily_limit = 0  # every authenticated request of the day counts
    assert day_rates(exim, date(2026, 11, 19))[0]["result"] == 4
    assert all("authkey" not in query for _, _, query in exim.requests)


def test_eximbank_faults(exim: KoreaEximFake) -> None:
    exim.faults.throttle_next(1, retry_after=3)
    url = exim.base_url + exim.PATH
    response = requests.get(url, params={"authkey": exim.auth_key, "data": "AP01"}, timeout=10)
    assert response.status_code == 429 and response.headers["Retry-After"] == "3"
    exim.faults.fail_next(1, status=503)
    assert requests.get(url, timeout=10).status_code == 503


def test_frankfurter_series_starts_at_the_last_business_day_on_or_before_start(
    frankfurter: FrankfurterFake,
) -> None:
    response = series(frankfurter, "2026-11-14", "2026-11-20", base="USD", symbols="KRW")
    body = response.json()
    assert response.status_code == 200
    assert body["amount"] == 1.0 and body["base"] == "USD"
    assert body["start_date"] == "2026-11-13" and body["end_date"] == "2026-11-20"
    assert list(body["rates"]) == [
        "2026-11-13", "2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20",
    ]  # fmt: skip
    assert all(set(quotes) == {"KRW"} for quotes in body["rates"].values())
    assert isinstance(body["rates"]["2026-11-16"]["KRW"], float)


def test_frankfurter_skips_target_holidays_but_not_korean_ones(
    frankfurter: FrankfurterFake,
) -> None:
    body = series(frankfurter, "2026-12-22", "2027-01-05", base="EUR", symbols="KRW").json()
    days = set(body["rates"])
    assert not days & {"2026-12-25", "2026-12-26", "2027-01-01"}
    assert {"2026-12-24", "2026-12-28", "2027-01-04"} <= days
    chuseok = series(frankfurter, "2026-09-24", "2026-09-25", base="EUR", symbols="KRW").json()
    assert list(chuseok["rates"]) == ["2026-09-24", "2026-09-25"]


def test_frankfurter_errors(frankfurter: FrankfurterFake) -> None:
    future = series(frankfurter, "2027-01-09", "2027-01-20", base="USD", symbols="KRW")
    assert future.status_code == 404 and future.json() == {"message": "not found"}
    pair = series(frankfurter, "2026-11-02", "2026-11-06", base="KRW", symbols="KRW")
    assert pair.status_code == 422 and pair.json() == {"message": "bad currency pair"}
    bad = series(frankfurter, "2026-11-02", "2026-13-06", base="USD", symbols="KRW")
    assert bad.status_code == 422
    frankfurter.faults.throttle_next(1, retry_after=2)
    throttled = series(frankfurter, "2026-11-02", "2026-11-06", base="USD", symbols="KRW")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2"


def test_the_fakes_agree_on_common_days(exim: KoreaEximFake, frankfurter: FrankfurterFake) -> None:
    body = series(frankfurter, "2026-11-02", "2026-11-27", base="JPY", symbols="KRW").json()
    compared = 0
    for key, quotes in body["rates"].items():
        day = date.fromisoformat(key)
        rows = {row["cur_unit"]: row for row in day_rates(exim, day)}
        if rows:
            per_100 = Decimal(rows["JPY(100)"]["deal_bas_r"].replace(",", ""))
            assert abs(per_100 / 100 / Decimal(repr(quotes["KRW"])) - 1) < Decimal("0.001")
            compared += 1
    assert compared >= 15


def test_the_market_is_deterministic_from_the_seed_and_restatable(world: World) -> None:
    day = date(2026, 11, 19)
    same = FxMarket(World(WorldConfig(seed=11, scale=0.3, history_days=120, as_of=AS_OF)))
    other = FxMarket(World(WorldConfig(seed=12, scale=0.3, history_days=120, as_of=AS_OF)))
    market = FxMarket(world)
    assert market.mid("USD", day) == same.mid("USD", day) != other.mid("USD", day)
    assert market.mid("KRW", day) == 1
    # the world's fixed rates: KRW 1400 and JPY 150 and EUR 0.92 per USD, within a few percent
    for code, anchor in {
        "USD": 1400,
        "JPY": Decimal(1400) / 150,
        "EUR": Decimal(1400) / Decimal("0.92"),
    }.items():
        assert abs(market.mid(code, day) / Decimal(anchor) - 1) < Decimal("0.1"), code
    corrected = market.restate("USD", day, Decimal("1.02"))
    assert market.mid("USD", day) == corrected != same.mid("USD", day)
