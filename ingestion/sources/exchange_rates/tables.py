"""Exchange-rate answers to Arrow tables: pure parsers and the ``exchange_rates`` schema.

Korea Eximbank sends every number as a string with thousands commas (``"1,348.6"``) and
quotes some currencies per 100 units (``"JPY(100)"``); Frankfurter sends JSON numbers per
1 unit. Both become rows of one table, always won (KRW) per unit of a foreign currency.
Every value is parsed and checked here (the rate's own parsers, errors through
:func:`ingestion.sources.arrow.parse`), so a malformed record stops the run before
anything is loaded, with an error that names the record and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from ingestion.sources import arrow
from ingestion.sources.arrow import Column
from ingestion.sources.errors import SourceDataError

SOURCE = "exchange_rates"
#: Every rate is won per unit of the foreign currency.
BASE_CURRENCY = "KRW"
KOREAEXIM = "koreaexim"
FRANKFURTER = "frankfurter"
PROVIDERS = (KOREAEXIM, FRANKFURTER)

QUOTED_RATE = pa.decimal128(18, 6)
RATE_PER_UNIT = pa.decimal128(24, 10)
#: One rate per provider, day and foreign currency (rows computed by :func:`rate_row`).
RATES = arrow.Table(
    SOURCE,
    "exchange_rates",
    (
        Column("provider", pa.string(), arrow.as_is, True),
        Column("rate_date", pa.date32(), arrow.as_is, True),
        Column("base_currency", pa.string(), arrow.as_is, True),
        Column("currency_code", pa.string(), arrow.as_is, True),
        Column("quoted_units", pa.int32(), arrow.as_is, True),
        Column("quoted_rate", QUOTED_RATE, arrow.as_is, True),
        Column("rate_per_unit", RATE_PER_UNIT, arrow.as_is, True),
    ),
    ("provider", "rate_date", "currency_code"),
)

#: Currencies Eximbank publishes under another code: the renminbi is quoted only as
#: ``CNH`` (offshore yuan, 위안화); asking for ``CNY`` reads that row.
KOREAEXIM_CODES = {"CNY": "CNH"}

_SIX_PLACES = Decimal("0.000001")
_TEN_PLACES = Decimal("0.0000000001")
_PRECISE = Context(prec=40)
#: ``1348.6``, ``1,348.6``, ``1,348``, ``0.0886``: digits, optional thousands groups, decimals;
#: and JSON numbers in exponent form (``8.5e-05``) as ``repr`` writes small floats.
_AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\d+(?:\.\d+)?[eE][-+]?\d+")
#: ``USD``, ``JPY(100)``, ``IDR (100)``.
_CUR_UNIT = re.compile(r"([A-Z]{3})\s*(?:\(\s*(\d+)\s*\))?")
_MALFORMED = "the API answer is malformed; nothing was loaded by this run"


def _rate(value: Any) -> Decimal:
    """A published rate: ``"1,348.6"`` (Eximbank strings) or ``1450.12`` (JSON numbers)."""
    if isinstance(value, bool) or value is None:
        text = None
    elif isinstance(value, int | float):
        text = repr(value)  # the shortest repr is the number as the JSON spelled it
    elif isinstance(value, str):
        text = value.strip()
    else:
        text = None
    if text is None or not _AMOUNT.fullmatch(text):
        raise ValueError(f"not a rate: {value!r:.40}")
    number = Decimal(text.replace(",", ""))
    if not number.is_finite() or number <= 0:
        raise ValueError(f"not a positive rate: {value!r:.40}")
    return number


def parse_amount(value: Any, *, field: str, record: str) -> Decimal:
    """A published rate as a positive ``Decimal``, thousands commas removed.

    Args:
        value: ``"1,348.6"`` (Eximbank strings) or ``1450.12`` (Frankfurter JSON numbers).
        field: The field it came from, for the error message.
        record: The record it belongs to, for the error message.

    Returns:
        The exact value (``Decimal("1348.6")``).

    Raises:
        SourceDataError: The value is missing, not a number, misplaces its commas, or is
            not positive.
    """
    rate: Decimal = arrow.parse(_rate, value, source=SOURCE, field=field, record=record)
    return rate


def _cur_unit(value: Any) -> tuple[str, int]:
    match = _CUR_UNIT.fullmatch(value.strip()) if isinstance(value, str) else None
    units = int(match.group(2)) if match and match.group(2) else 1
    if match is None or units <= 0:
        raise ValueError(f"not a currency code like 'USD' or 'JPY(100)': {value!r:.40}")
    return match.group(1), units


def parse_cur_unit(value: Any, *, record: str) -> tuple[str, int]:
    """Eximbank's ``cur_unit`` as (ISO code, units the rate is quoted for).

    ``"USD"`` -> ``("USD", 1)``; ``"JPY(100)"`` -> ``("JPY", 100)``.

    Raises:
        SourceDataError: Not three capital letters with an optional positive ``(units)``.
    """
    unit: tuple[str, int] = arrow.parse(
        _cur_unit, value, source=SOURCE, field="cur_unit", record=record, hint=_MALFORMED
    )
    return unit


def rate_row(
    provider: str,
    day: date,
    currency_code: str,
    quoted_units: int,
    quoted_rate: Decimal,
    *,
    record: str,
) -> dict[str, Any]:
    """One ``exchange_rates`` row; ``rate_per_unit`` = ``quoted_rate / quoted_units``.

    Raises:
        SourceDataError: The published rate has more than six decimals (it would not fit
            ``decimal(18,6)`` exactly).
    """
    if quoted_rate != quoted_rate.quantize(_SIX_PLACES):
        raise SourceDataError(
            SOURCE,
            f"rate {quoted_rate} has more than six decimals (quoted_rate is decimal(18,6))",
            record=record,
            hint="the API answer is unexpected; nothing was loaded by this run",
        )
    per_unit = _PRECISE.divide(quoted_rate, Decimal(quoted_units))
    return {
        "provider": provider,
        "rate_date": day,
        "base_currency": BASE_CURRENCY,
        "currency_code": currency_code,
        "quoted_units": quoted_units,
        "quoted_rate": quoted_rate.quantize(_SIX_PLACES),
        "rate_per_unit": per_unit.quantize(_TEN_PLACES, rounding=ROUND_HALF_UP),
    }


def koreaexim_rows(day: date, body: Sequence[Any], wanted: Iterable[str]) -> list[dict[str, Any]]:
    """Rows of one Eximbank day (``result`` 1 already checked by the client).

    Args:
        day: The ``searchdate`` asked for (the answer does not repeat it).
        body: The answer's list of currency objects.
        wanted: ISO codes wanted (``CNY`` is read from Eximbank's ``CNH`` row).

    Returns:
        One row per wanted currency the day lists, in the order of ``wanted``; the
        ``deal_bas_r`` (매매기준율) is the rate.

    Raises:
        SourceDataError: A row is not an object, or its ``cur_unit``/``deal_bas_r`` is
            malformed, or a currency is listed twice.
    """
    where = f"{KOREAEXIM} searchdate={day:%Y%m%d}"
    published: dict[str, tuple[int, Any, str]] = {}
    for item in body:
        if not isinstance(item, dict):
            raise SourceDataError(
                SOURCE, f"expected an object per currency, got {item!r:.60}", record=where
            )
        record = f"{where}, cur_unit={item.get('cur_unit', '?')}"
        code, units = parse_cur_unit(item.get("cur_unit"), record=record)
        if code in published:
            raise SourceDataError(SOURCE, f"currency {code} is listed twice", record=record)
        published[code] = (units, item.get("deal_bas_r"), record)
    rows = []
    for wanted_code in wanted:
        found = published.get(KOREAEXIM_CODES.get(wanted_code, wanted_code))
        if found is None:
            continue
        units, raw, record = found
        rate = parse_amount(raw, field="deal_bas_r", record=record)
        rows.append(rate_row(KOREAEXIM, day, wanted_code, units, rate, record=record))
    return rows


def frankfurter_rows(
    currency: str, body: Mapping[str, Any], since: date, until: date
) -> list[dict[str, Any]]:
    """Rows of one Frankfurter time series (``base=<currency>&symbols=KRW``).

    Frankfurter starts a series at the last business day on or before ``start_date``, so
    a range starting on a weekend also returns the Friday before; days outside
    ``[since, until]`` are dropped (an earlier run or the lookback loads them).

    Raises:
        SourceDataError: The answer is for another base or amount, a day is not a date,
            or a KRW rate is missing or malformed.
    """
    where = f"{FRANKFURTER} base={currency}"
    if body.get("base") != currency or _amount(body.get("amount")) != 1:
        raise SourceDataError(
            SOURCE,
            f"the answer is for base={body.get('base')!r}, amount={body.get('amount')!r}; "
            f"expected base={currency}, amount=1",
            record=where,
            hint="check base_url points at Frankfurter; nothing was loaded by this run",
        )
    rates = body.get("rates")
    if not isinstance(rates, dict):
        raise SourceDataError(SOURCE, "the answer has no 'rates' object", record=where)
    rows = []
    for key in sorted(rates):
        record = f"{where}, date={key}"
        try:
            day = date.fromisoformat(str(key))
        except ValueError:
            raise SourceDataError(SOURCE, "a 'rates' key is not a date", record=record) from None
        if not since <= day <= until:
            continue
        quotes = rates[key]
        value = quotes.get(BASE_CURRENCY) if isinstance(quotes, dict) else None
        rate = parse_amount(value, field=f"rates.{key}.{BASE_CURRENCY}", record=record)
        rows.append(rate_row(FRANKFURTER, day, currency, 1, rate, record=record))
    return rows


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
