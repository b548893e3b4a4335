"""Adjust Report Service JSON answers to Arrow tables: pure parsers and the two raw schemas.

Adjust sends every dimension and every metric value as a string (``"64"``, ``"0.0"``,
``"12.3456"``). Each is parsed exactly here, before anything is loaded: counts must be
whole and not negative, amounts become decimals with four places (``decimal(18,4)``); a
value that is not a number stops the run with an error naming the row and the metric.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from ingestion.sources.errors import SourceDataError

SOURCE = "adjust"

MONEY = pa.decimal128(18, 4)
TIMESTAMP = pa.timestamp("us", tz="UTC")
_FOUR_PLACES = Decimal("0.0001")
_LIMIT = Decimal(10) ** 14
_SLUG = re.compile(r"[a-z0-9_]+")

#: The dimensions every report asks for, in the order of the table's columns.
DIMENSIONS = (
    "day",
    "app",
    "app_token",
    "network",
    "campaign_network",
    "campaign_id_network",
    "adgroup_network",
    "adgroup_id_network",
    "country_code",
)
#: Metrics every report asks for (plus ``<slug>_events`` and ``<slug>_revenue`` per event).
COUNT_METRICS = ("installs", "clicks", "impressions")
MONEY_METRICS = ("network_cost", "revenue")
BASE_METRICS = (*COUNT_METRICS, *MONEY_METRICS)
#: The fields that name a report row in error messages.
ROW_KEYS = (
    "app_token",
    "day",
    "network",
    "campaign_id_network",
    "adgroup_id_network",
    "country_code",
)


def _field(name: str, kind: pa.DataType, nullable: bool = True) -> pa.Field:
    return pa.field(name, kind, nullable=nullable)


_LOADED = _field("_loaded_at", TIMESTAMP, False)
SCHEMAS: dict[str, pa.Schema] = {
    "report_daily": pa.schema(
        [
            _field("app_token", pa.string(), False),
            _field("app_name", pa.string()),
            _field("day", pa.date32(), False),
            _field("network", pa.string()),
            _field("campaign_network", pa.string()),
            _field("campaign_id_network", pa.string()),
            _field("adgroup_network", pa.string()),
            _field("adgroup_id_network", pa.string()),
            _field("country_code", pa.string()),
            _field("installs", pa.int64()),
            _field("clicks", pa.int64()),
            _field("impressions", pa.int64()),
            _field("network_cost", MONEY),
            _field("revenue", MONEY),
            _field("currency", pa.string(), False),
            _LOADED,
        ]
    ),
    "report_daily_events": pa.schema(
        [
            _field("app_token", pa.string(), False),
            _field("day", pa.date32(), False),
            _field("network", pa.string()),
            _field("campaign_id_network", pa.string()),
            _field("adgroup_id_network", pa.string()),
            _field("country_code", pa.string()),
            _field("event_slug", pa.string(), False),
            _field("events", pa.int64()),
            _field("event_revenue", MONEY),
            _field("currency", pa.string(), False),
            _LOADED,
        ]
    ),
}
#: Table column -> Adjust dimension, where they differ.
_RENAMED = {"app_name": "app"}


def metrics(event_slugs: Sequence[str]) -> list[str]:
    """The ``metrics`` parameter: the base metrics, then events and revenue per event slug."""
    names = list(BASE_METRICS)
    for slug in event_slugs:
        names += [f"{slug}_events", f"{slug}_revenue"]
    return names


def invalid_slugs(event_slugs: Sequence[str]) -> list[str]:
    """The slugs that cannot be part of an Adjust metric name (lowercase, digits, ``_``)."""
    return [slug for slug in event_slugs if not _SLUG.fullmatch(slug)]


class _Row:
    """Names one report row (and a field of it) in error messages."""

    def __init__(self, index: int, row: dict[str, Any], request: str) -> None:
        self.index = index
        self.row = row
        self.request = request

    def record(self, field: str | None = None) -> str:
        keys = ", ".join(f"{k}={self.row.get(k, '?')}" for k in ROW_KEYS)
        text = f"{self.request}, row {self.index}: {keys}"
        return f"{text}, field '{field}'" if field else text

    def bad(self, field: str, value: Any, what: str) -> SourceDataError:
        return SourceDataError(
            SOURCE,
            f"{what}: {value!r:.40}",
            record=self.record(field),
            hint="Adjust sent a malformed report; nothing was loaded by this run. Run again; "
            "if it persists, send the record above to Adjust support",
        )


def _number(value: Any, where: _Row, field: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise where.bad(field, value, "not a number")
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(repr(value))
    except InvalidOperation:
        raise where.bad(field, value, "not a number") from None
    if not number.is_finite() or abs(number) >= _LIMIT:
        raise where.bad(field, value, "not a finite number under 1e14")
    return number


def parse_count(value: Any, where: _Row, field: str) -> int | None:
    """A count metric: ``"64"`` (or ``"64.0"``) is 64; null stays null.

    Raises:
        SourceDataError: Not a number, not whole, or negative.
    """
    number = _number(value, where, field)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise where.bad(field, value, "not a whole number")
    if number < 0:
        raise where.bad(field, value, "a negative count")
    return int(number)


def parse_money(value: Any, where: _Row, field: str, *, negative_ok: bool = True) -> Decimal | None:
    """An amount, exactly, rounded half-up to four places; null stays null.

    Args:
        value: The metric as Adjust sent it (a string such as ``"12.3400"``).
        where: The row it belongs to, for error messages.
        field: The metric's name, for error messages.
        negative_ok: Whether a negative amount is valid (revenue can be: Adjust reports
            refunds as negative revenue; cost cannot).

    Raises:
        SourceDataError: Not a finite number under 1e14, or negative where it cannot be.
    """
    number = _number(value, where, field)
    if number is None:
        return None
    if number < 0 and not negative_ok:
        raise where.bad(field, value, "a negative cost")
    return number.quantize(_FOUR_PLACES, rounding=ROUND_HALF_UP)


def _dimension(row: dict[str, Any], where: _Row, name: str) -> str | None:
    if name not in row:
        raise SourceDataError(
            SOURCE,
            f"a report row has no dimension '{name}' (it has {sorted(row)})",
            record=where.record(name),
            hint="Adjust changed its answer; check the dimensions in "
            "ingestion/sources/adjust/tables.py. Nothing was loaded by this run",
        )
    value = row[name]
    if value is None or value == "":
        return None
    if not isinstance(value, str | int):
        raise where.bad(name, value, "not a text value")
    return str(value)


def _metric(row: dict[str, Any], where: _Row, name: str) -> Any:
    if name not in row:
        raise SourceDataError(
            SOURCE,
            f"a report row has no metric '{name}'",
            record=where.record(name),
            hint="check event_slugs: each must be an event slug of every app (Adjust's "
            "events endpoint lists them); nothing was loaded by this run",
        )
    return row[name]


def report_tables(
    body: Any,
    *,
    event_slugs: Sequence[str],
    currency: str,
    loaded_at: datetime,
    request: str,
) -> tuple[pa.Table, pa.Table]:
    """A JSON report answer as its ``report_daily`` and ``report_daily_events`` tables.

    Args:
        body: The parsed JSON answer (``{"rows": [...], "totals": ..., "warnings": ...}``).
        event_slugs: The event slugs whose ``<slug>_events``/``<slug>_revenue`` were asked.
        currency: The report currency (Adjust's ``currency`` parameter).
        loaded_at: The ``_loaded_at`` of every row.
        request: Names the request in error messages (app tokens and period).

    Returns:
        One ``report_daily`` row per report row and one ``report_daily_events`` row per
        report row and event slug with a non-zero count or revenue.

    Raises:
        SourceDataError: The answer has no ``rows`` list, a row is not an object, lacks a
            dimension or metric, or has a malformed value.
    """
    rows = body.get("rows") if isinstance(body, dict) else None
    if not isinstance(rows, list):
        raise SourceDataError(
            SOURCE,
            "the answer has no 'rows' list",
            record=request,
            hint="Adjust changed its answer; nothing was loaded by this run",
        )
    daily: dict[str, list[Any]] = {f.name: [] for f in SCHEMAS["report_daily"]}
    events: dict[str, list[Any]] = {f.name: [] for f in SCHEMAS["report_daily_events"]}
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise SourceDataError(
                SOURCE,
                f"a report row is not an object: {row!r:.40}",
                record=f"{request}, row {index}",
                hint="Adjust sent a malformed report; nothing was loaded by this run",
            )
        where = _Row(index, row, request)
        values: dict[str, Any] = {"currency": currency}
        for column in SCHEMAS["report_daily"].names:
            name = _RENAMED.get(column, column)
            if name in DIMENSIONS:
                values[column] = _dimension(row, where, name)
        if values["app_token"] is None:
            raise where.bad("app_token", row.get("app_token"), "no app token")
        try:
            values["day"] = date.fromisoformat(str(values["day"]))
        except ValueError:
            raise where.bad("day", row.get("day"), "not a date YYYY-MM-DD") from None
        if values["country_code"]:
            values["country_code"] = values["country_code"].upper()
        for metric in COUNT_METRICS:
            values[metric] = parse_count(_metric(row, where, metric), where, metric)
        for metric in MONEY_METRICS:
            values[metric] = parse_money(
                _metric(row, where, metric), where, metric, negative_ok=metric != "network_cost"
            )
        for column, items in daily.items():
            if column != "_loaded_at":
                items.append(values[column])
        for slug in event_slugs:
            count_name, revenue_name = f"{slug}_events", f"{slug}_revenue"
            count = parse_count(_metric(row, where, count_name), where, count_name)
            revenue = parse_money(_metric(row, where, revenue_name), where, revenue_name)
            if not (count or revenue):
                continue
            for column, items in events.items():
                if column in values:
                    items.append(values[column])
            events["event_slug"].append(slug)
            events["events"].append(count)
            events["event_revenue"].append(revenue)
    return _table("report_daily", daily, loaded_at), _table(
        "report_daily_events", events, loaded_at
    )


def _table(name: str, columns: dict[str, list[Any]], loaded_at: datetime) -> pa.Table:
    schema = SCHEMAS[name]
    size = len(columns[schema.names[0]])
    arrays = [
        pa.array([loaded_at] * size if f.name == "_loaded_at" else columns[f.name], type=f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)
