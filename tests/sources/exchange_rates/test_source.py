"""The exchange-rate source against both fakes: reconciliation, quirks, errors, restatements."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import holidays
import pytest

from argo.pipeline import IngestError, run_source
from ingestion.sandbox import Faults, World
from ingestion.sandbox.exchange_rates_api import (
    FrankfurterFake,
    FxMarket,
    KoreaEximFake,
    frankfurter_round,
)
from tests.conftest import query

pytestmark = pytest.mark.pipeline

Rate = tuple[str, int, Decimal, Decimal]  # base currency, quoted units, quoted rate, per unit
Key = tuple[str, str, str]  # provider, day, currency
SEVERAL = ["USD", "JPY", "EUR", "CNY", "IDR", "GBP"]
PER_100 = {"JPY", "IDR"}


def days(since: date, until: date) -> list[date]:
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def korean_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays.country_holidays("KR", years=day.year)


def target_business_day(day: date) -> bool:
    closed = holidays.financial_holidays("ECB", years=day.year)
    return day.weekday() < 5 and day not in closed


def served_koreaexim(
    market: FxMarket, since: date, until: date, codes: list[str]
) -> dict[Key, Rate]:
    """What Eximbank publishes: deal-basis rate per 1 or 100 units, two decimals."""
    served = {}
    for day in days(since, until):
        if not korean_business_day(day):
            continue
        for code in codes:
            units = 100 if code in PER_100 else 1
            quoted = (market.mid(code, day) * units).quantize(Decimal("0.01"), ROUND_HALF_UP)
            served[("koreaexim", day.isoformat(), code)] = ("KRW", units, quoted, quoted / units)
    return served


def served_frankfurter(
    market: FxMarket, since: date, until: date, codes: list[str]
) -> dict[Key, Rate]:
    """What Frankfurter publishes: won per 1 unit on TARGET days, Frankfurter's rounding."""
    served = {}
    for day in days(since, until):
        if target_business_day(day):
            for code in codes:
                rate = frankfurter_round(market.mid(code, day))
                served[("frankfurter", day.isoformat(), code)] = ("KRW", 1, rate, rate)
    return served


def loaded(path: Path) -> dict[Key, Rate]:
    rows = query(
        path,
        "select provider, cast(rate_date as varchar), currency_code, base_currency, quoted_units, "
        "quoted_rate, rate_per_unit from raw_exchange_rates.exchange_rates",
    )
    found: dict[Key, Rate] = {}
    for provider, day, code, base, units, quoted, per_unit in rows:
        key = (provider, day, code)
        assert key not in found, f"duplicate grain row {key}"
        found[key] = (base, units, Decimal(quoted), Decimal(per_unit))
    return found


def table_rows(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        return int(query(path, "select count(*) from raw_exchange_rates.exchange_rates")[0][0])
    except duckdb.CatalogException:
        return 0


def incremental(options: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in options.items() if k != "start_date"}


def test_koreaexim_loads_exactly_what_is_published(
    world: World,
    exim: KoreaEximFake,
    exim_options: dict[str, Any],
    market: FxMarket,
    warehouse: Path,
) -> None:
    result = run_source("exchange_rates", **exim_options, currencies=SEVERAL)
    expected = served_koreaexim(market, world.first_day, world.as_of, SEVERAL)
    assert loaded(warehouse) == expected
    assert result.rows["exchange_rates"] == len(expected)
    # one request per day, weekends and holidays included; they answered [] and left no row
    asked = [q["searchdate"] for _, _, q in exim.requests]
    assert len(asked) == len(set(asked)) >= (world.as_of - world.first_day).days + 1
    loaded_days = {day for _, day, _ in expected}
    skipped = [d for d in days(world.first_day, world.as_of) if d.isoformat() not in loaded_days]
    assert skipped and all(not korean_business_day(d) for d in skipped)
    # JPY and IDR are quoted per 100 won; CNY comes from Eximbank's CNH row
    units = dict(
        query(
            warehouse,
            "select distinct currency_code, quoted_units from raw_exchange_rates.exchange_rates",
        )
    )
    assert units == {"USD": 1, "JPY": 100, "EUR": 1, "CNY": 1, "IDR": 100, "GBP": 1}
    assert all("authkey" not in q for _, _, q in exim.requests), "the key is not in the fake's log"


def test_frankfurter_loads_exactly_what_is_published(
    world: World,
    frankfurter: FrankfurterFake,
    frankfurter_options: dict[str, Any],
    market: FxMarket,
    warehouse: Path,
) -> None:
    run_source("exchange_rates", **frankfurter_options, currencies=SEVERAL)
    assert loaded(warehouse) == served_frankfurter(market, world.first_day, world.as_of, SEVERAL)
    # one series request per currency and 10-day window, each with base=<currency>&symbols=KRW
    bases = [q["base"] for _, _, q in frankfurter.requests]
    assert set(bases) == set(SEVERAL) and {q["symbols"] for _, _, q in frankfurter.requests} == {
        "KRW"
    }
    assert all(path.startswith("/v1/") and ".." in path for _, path, _ in frankfurter.requests)


def test_the_two_providers_agree_on_common_days(
    world: World,
    exim_options: dict[str, Any],
    frankfurter_options: dict[str, Any],
    warehouse: Path,
) -> None:
    run_source("exchange_rates", **exim_options)
    run_source("exchange_rates", **frankfurter_options)
    rates = loaded(warehouse)
    common = 0
    for (provider, day, code), (_, _, _, per_unit) in rates.items():
        other = rates.get(("frankfurter", day, code))
        if provider == "koreaexim" and other is not None:
            common += 1
            assert abs(per_unit / other[3] - 1) < Decimal("0.001"), (day, code)
    assert common > 20
    assert {code for _, _, code in rates} == {"USD", "JPY", "EUR", "CNY"}  # the defaults


@pytest.mark.any_instant
def test_todays_rates_before_publication_are_loaded_by_the_next_run(
    world: World,
    exim: KoreaEximFake,
    exim_options: dict[str, Any],
    market: FxMarket,
    warehouse: Path,
) -> None:
    while not korean_business_day(world.as_of):
        world.advance(-1)
    exim.published_today = False  # before ~11:00 KST Eximbank answers [] for today
    run_source("exchange_rates", **exim_options)
    assert not any(day == world.as_of.isoformat() for _, day, _ in loaded(warehouse))
    exim.published_today = True
    run_source("exchange_rates", **incremental(exim_options))
    codes = ["USD", "JPY", "EUR", "CNY"]
    assert loaded(warehouse) == served_koreaexim(market, world.first_day, world.as_of, codes)


@pytest.mark.parametrize("provider", ["koreaexim", "frankfurter"])
def test_a_restated_day_is_replaced_and_new_days_added(
    provider: str,
    world: World,
    exim_options: dict[str, Any],
    frankfurter_options: dict[str, Any],
    market: FxMarket,
    warehouse: Path,
) -> None:
    options = exim_options if provider == "koreaexim" else frankfurter_options
    served = served_koreaexim if provider == "koreaexim" else served_frankfurter
    codes = ["USD", "JPY", "EUR", "CNY"]
    run_source("exchange_rates", **options)
    before = loaded(warehouse)
    day = world.as_of - timedelta(days=2)
    while not (korean_business_day(day) and target_business_day(day)):
        day -= timedelta(days=1)
    market.restate("USD", day, Decimal("1.02"))
    world.advance(2)
    run_source("exchange_rates", **incremental(options), lookback_days=10)  # past holidays
    after = loaded(warehouse)
    assert after == served(market, world.first_day, world.as_of, codes)
    key = (provider, day.isoformat(), "USD")
    assert after[key] != before[key]
    assert len(after) >= len(before)


def test_wrong_key_stops_with_an_auth_error_and_loads_nothing(
    exim_options: dict[str, Any], warehouse: Path
) -> None:
    with pytest.raises(IngestError) as caught:
        run_source("exchange_rates", **{**exim_options, "auth_key": "not-the-key-9876"})
    message = str(caught.value)
    assert "result 3" in message and "SOURCES__EXCHANGE_RATES__AUTH_KEY" in message
    assert "not-the-key-9876" not in message
    assert table_rows(warehouse) == 0


def test_an_expired_key_after_a_good_run_leaves_the_earlier_load(
    exim_options: dict[str, Any], faults: Faults, warehouse: Path
) -> None:
    run_source("exchange_rates", **exim_options)
    before = loaded(warehouse)
    faults.expire_token()
    with pytest.raises(IngestError, match="result 3"):
        run_source("exchange_rates", **exim_options)
    assert loaded(warehouse) == before


def test_koreaexim_without_a_key_says_what_to_do(exim: KoreaEximFake, warehouse: Path) -> None:
    with pytest.raises(IngestError, match="frankfurter"):
        run_source("exchange_rates", provider="koreaexim", base_url=exim.base_url)


def test_without_a_key_the_default_provider_is_frankfurter(
    world: World, frankfurter: FrankfurterFake, market: FxMarket, warehouse: Path
) -> None:
    since = world.as_of - timedelta(days=9)
    run_source(
        "exchange_rates",
        base_url=frankfurter.base_url,
        start_date=since.isoformat(),
        backoff_factor=0.01,
    )
    codes = ["USD", "JPY", "EUR", "CNY"]
    assert loaded(warehouse) == served_frankfurter(market, since, world.as_of, codes)


@pytest.mark.parametrize("how", ["fault", "limit"])
def test_daily_limit_stops_with_what_to_do(
    how: str, exim: KoreaEximFake, exim_options: dict[str, Any], faults: Faults, warehouse: Path
) -> None:
    if how == "fault":
        faults.rate_limit_next(1)
    else:
        exim.daily_limit = 5
    with pytest.raises(IngestError) as caught:
        run_source("exchange_rates", **exim_options)
    message = str(caught.value)
    assert "daily request limit" in message and "midnight KST" in message
    assert "frankfurter" in message
    assert table_rows(warehouse) == 0


@pytest.mark.parametrize("provider", ["koreaexim", "frankfurter"])
def test_429_5xx_and_truncated_answers_are_retried(
    provider: str,
    world: World,
    exim_options: dict[str, Any],
    frankfurter_options: dict[str, Any],
    market: FxMarket,
    faults: Faults,
    warehouse: Path,
) -> None:
    options = exim_options if provider == "koreaexim" else frankfurter_options
    served = served_koreaexim if provider == "koreaexim" else served_frankfurter
    faults.throttle_next(2, retry_after=0)
    faults.fail_next(2, status=503)
    faults.truncate_next(1)
    run_source("exchange_rates", **{**options, "max_attempts": 8})
    assert loaded(warehouse) == served(
        market, world.first_day, world.as_of, ["USD", "JPY", "EUR", "CNY"]
    )
    assert {"throttle", "fail", "truncate"} <= set(faults.fired)


def test_persistent_5xx_fails_clearly_without_leaking_the_key(
    exim: KoreaEximFake, exim_options: dict[str, Any], faults: Faults, warehouse: Path
) -> None:
    faults.fail_next(50, status=502)
    with pytest.raises(IngestError) as caught:
        run_source("exchange_rates", **{**exim_options, "max_attempts": 2})
    assert "exchange_rates" in str(caught.value)
    assert exim.auth_key not in str(caught.value)
    assert table_rows(warehouse) == 0


def test_a_malformed_rate_names_the_record_and_loads_nothing(
    world: World,
    exim: KoreaEximFake,
    exim_options: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    warehouse: Path,
) -> None:
    original = exim.rows
    bad_day = world.as_of - timedelta(days=1)
    while not korean_business_day(bad_day):
        bad_day -= timedelta(days=1)

    def rows(day: date) -> list[dict[str, Any]]:
        answer = original(day)
        if day == bad_day:
            for row in answer:
                if row["cur_unit"] == "USD":
                    row["deal_bas_r"] = "1,34,8.6"
        return answer

    monkeypatch.setattr(exim, "rows", rows)
    with pytest.raises(IngestError) as caught:
        run_source("exchange_rates", **exim_options)
    message = str(caught.value)
    assert f"searchdate={bad_day:%Y%m%d}, cur_unit=USD" in message and "deal_bas_r" in message
    assert table_rows(warehouse) == 0


@pytest.mark.parametrize("provider", ["koreaexim", "frankfurter"])
def test_a_currency_the_provider_does_not_publish_is_a_clear_error(
    provider: str,
    exim_options: dict[str, Any],
    frankfurter_options: dict[str, Any],
    warehouse: Path,
) -> None:
    options = exim_options if provider == "koreaexim" else frankfurter_options
    with pytest.raises(IngestError, match="published no rate for BRL"):
        run_source("exchange_rates", **options, currencies=["USD", "BRL"])
    assert table_rows(warehouse) == 0


def test_bad_options_are_refused(exim_options: dict[str, Any], warehouse: Path) -> None:
    with pytest.raises(IngestError, match="unknown provider"):
        run_source("exchange_rates", **{**exim_options, "provider": "ecb"})
    with pytest.raises(IngestError, match="KRW is the base"):
        run_source("exchange_rates", **exim_options, currencies=["KRW"])
