"""Pure parsers of the exchange-rate source: commas, per-100 units, malformed values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from ingestion.sources import arrow
from ingestion.sources.dates import Lookback
from ingestion.sources.errors import SourceDataError
from ingestion.sources.exchange_rates import tables

DAY = date(2026, 11, 19)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,348.6", Decimal("1348.6")),
        ("1,348", Decimal("1348")),
        ("12,345,678.125", Decimal("12345678.125")),
        ("946.31", Decimal("946.31")),
        (" 8.84 ", Decimal("8.84")),
        ("1", Decimal("1")),
        (1450.12, Decimal("1450.12")),
        (9.4209, Decimal("9.4209")),
        (0.08861, Decimal("0.08861")),
        (8.5e-05, Decimal("0.000085")),
        (1450, Decimal("1450")),
    ],
)
def test_amounts_lose_their_commas_and_keep_every_digit(value: Any, expected: Decimal) -> None:
    assert tables.parse_amount(value, field="deal_bas_r", record="r") == expected


@pytest.mark.parametrize(
    "value",
    ["1,34,8.6", "1348,6", ",348", "1.348,6", "", "abc", "-5", "0", "0.00", None, True, [1]],
)
def test_malformed_amounts_name_the_record_and_field(value: Any) -> None:
    with pytest.raises(SourceDataError) as caught:
        tables.parse_amount(value, field="deal_bas_r", record="koreaexim searchdate=20261119")
    assert "deal_bas_r" in str(caught.value) and "searchdate=20261119" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("USD", ("USD", 1)),
        ("JPY(100)", ("JPY", 100)),
        ("IDR (100)", ("IDR", 100)),
        ("CNH", ("CNH", 1)),
    ],
)
def test_cur_units(value: str, expected: tuple[str, int]) -> None:
    assert tables.parse_cur_unit(value, record="r") == expected


@pytest.mark.parametrize("value", ["usd", "US", "JPY(0)", "JPY(abc)", "JPY100", "", None, 100])
def test_malformed_cur_units(value: Any) -> None:
    with pytest.raises(SourceDataError, match="cur_unit"):
        tables.parse_cur_unit(value, record="koreaexim searchdate=20261119, cur_unit=?")


def exim(cur_unit: str, deal: str) -> dict[str, Any]:
    return {"result": 1, "cur_unit": cur_unit, "deal_bas_r": deal, "ttb": "0", "cur_nm": "x"}


def test_koreaexim_rows_per_unit_and_aliases() -> None:
    body = [
        exim("CNH", "197.56"),
        exim("JPY(100)", "946.31"),
        exim("KRW", "1"),
        exim("USD", "1,348.6"),
        exim("IDR(100)", "8.84"),
        exim("AUD", "not read"),  # not wanted: not parsed
    ]
    rows = tables.koreaexim_rows(DAY, body, ["USD", "JPY", "CNY", "IDR", "EUR"])
    got = {
        r["currency_code"]: (r["quoted_units"], r["quoted_rate"], r["rate_per_unit"]) for r in rows
    }
    assert got == {
        "USD": (1, Decimal("1348.6"), Decimal("1348.6")),
        "JPY": (100, Decimal("946.31"), Decimal("9.4631")),
        "CNY": (1, Decimal("197.56"), Decimal("197.56")),
        "IDR": (100, Decimal("8.84"), Decimal("0.0884")),
    }
    assert {r["base_currency"] for r in rows} == {"KRW"} and {r["rate_date"] for r in rows} == {DAY}
    assert tables.koreaexim_rows(DAY, [], ["USD"]) == []


def test_koreaexim_rows_refuse_duplicates_and_non_objects() -> None:
    with pytest.raises(SourceDataError, match="listed twice"):
        tables.koreaexim_rows(DAY, [exim("USD", "1"), exim("USD", "2")], ["USD"])
    with pytest.raises(SourceDataError, match="expected an object"):
        tables.koreaexim_rows(DAY, ["USD"], ["USD"])


def test_frankfurter_rows_keep_the_asked_range_only() -> None:
    body = {
        "amount": 1.0,
        "base": "JPY",
        "start_date": "2026-11-13",
        "rates": {"2026-11-13": {"KRW": 9.4209}, "2026-11-16": {"KRW": 9.4763}},
    }
    rows = tables.frankfurter_rows("JPY", body, date(2026, 11, 14), date(2026, 11, 20))
    assert [(r["rate_date"], r["quoted_rate"], r["quoted_units"]) for r in rows] == [
        (date(2026, 11, 16), Decimal("9.4763"), 1)
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"amount": 1.0, "base": "USD", "rates": {}}, "base='USD'"),
        ({"amount": 100, "base": "JPY", "rates": {}}, "amount=100"),
        (
            {"amount": 1.0, "base": "JPY", "rates": {"2026-11-16": {"USD": 1}}},
            "rates.2026-11-16.KRW",
        ),
        ({"amount": 1.0, "base": "JPY", "rates": {"16/11/2026": {"KRW": 1}}}, "not a date"),
        ({"amount": 1.0, "base": "JPY", "rates": []}, "no 'rates'"),
    ],
)
def test_malformed_frankfurter_answers(body: dict[str, Any], message: str) -> None:
    with pytest.raises(SourceDataError, match=message):
        tables.frankfurter_rows("JPY", body, date(2026, 11, 1), date(2026, 11, 30))


def test_more_than_six_decimals_is_refused() -> None:
    with pytest.raises(SourceDataError, match="six decimals"):
        tables.rate_row("frankfurter", DAY, "IDR", 1, Decimal("0.0000851"), record="r")


def test_table_schema() -> None:
    row = tables.rate_row("koreaexim", DAY, "JPY", 100, Decimal("946.31"), record="r")
    table = arrow.to_table([row], tables.RATES, loaded_at=datetime(2026, 11, 19, tzinfo=UTC))
    assert table.schema == tables.RATES.schema() and table.schema.names[-1] == "_loaded_at"
    assert table.column("rate_per_unit").to_pylist() == [Decimal("9.4631000000")]


def test_rate_window() -> None:
    today = date(2026, 11, 20)
    assert Lookback(7, 120).window(today, newest_day_loaded=None) == (date(2026, 7, 23), today)
    assert Lookback(7, 120).window(today, newest_day_loaded=date(2026, 11, 18)) == (
        date(2026, 11, 12),
        today,
    )
    explicit = Lookback(7, 1, start_date=date(2026, 1, 1), end_date=date(2027, 1, 1))
    assert explicit.window(today, newest_day_loaded=None) == (date(2026, 1, 1), today)
