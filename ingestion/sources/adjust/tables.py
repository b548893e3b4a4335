"""Adjust Report Service JSON answers to Arrow tables: pure parsers and the two raw schemas.

Adjust sends every dimension and every metric value as a string (``"64"``, ``"0.0"``,
``"12.3456"``). Each is parsed exactly, by the columns declared here and
:func:`ingestion.sources.arrow.to_table`, before anything is loaded: counts must be whole
and not negative, amounts become decimals with four places (``decimal(18,4)``); a value
that is not a number stops the run with an error naming the row and the metric.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ingestion.sources import arrow
from ingestion.sources.arrow import Column
from ingestion.sources.errors import SourceDataError

SOURCE = "adjust"

MONEY = pa.decimal128(18, 4)
STRING = pa.string()
_SLUG = re.compile(r"[a-z0-9_]+")
_HINT = (
    "Adjust sent a malformed report; nothing was loaded by this run. Run again; if it "
    "persists, send the record above to Adjust support"
)

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
_NEW_DIMENSION = (
    "Adjust changed its answer; check the dimensions in ingestion/sources/adjust/tables.py. "
    "Nothing was loaded by this run"
)
_UNKNOWN_EVENT = (
    "check event_slugs: each must be an event slug of every app (Adjust's events endpoint "
    "lists them); nothing was loaded by this run"
)
#: Event counts and revenue (revenue can be negative: Adjust reports refunds so; cost cannot).
EVENTS = arrow.count
REVENUE = arrow.money(4, signed=True)


#: The columns that name a row in both tables.
_ROW = (
    Column("app_token", STRING, required=True),
    Column("day", pa.date32(), arrow.day, required=True),
    Column("network", STRING),
    Column("campaign_id_network", STRING),
    Column("adgroup_id_network", STRING),
    Column("country_code", STRING, arrow.upper),
)
_KEYS = {c.name: c for c in _ROW}
_CURRENCY = Column("currency", STRING, required=True, filled=True)
REPORT_DAILY = arrow.Table(
    SOURCE,
    "report_daily",
    (
        _KEYS["app_token"],
        Column("app_name", STRING, key="app"),
        _KEYS["day"],
        _KEYS["network"],
        Column("campaign_network", STRING),
        _KEYS["campaign_id_network"],
        Column("adgroup_network", STRING),
        _KEYS["adgroup_id_network"],
        _KEYS["country_code"],
        *(Column(name, pa.int64(), arrow.count) for name in COUNT_METRICS),
        Column("network_cost", MONEY, arrow.money(4)),
        Column("revenue", MONEY, REVENUE),
        _CURRENCY,
    ),
    hint=_HINT,
    missing_hint=_HINT,
    grain=tuple(_KEYS),
)
REPORT_DAILY_EVENTS = arrow.Table(
    SOURCE,
    "report_daily_events",
    (
        *arrow.parsed(_ROW),
        Column("event_slug", STRING, arrow.as_is, required=True),
        Column("events", pa.int64(), arrow.as_is),
        Column("event_revenue", MONEY, arrow.as_is),
        _CURRENCY,
    ),
    hint=_HINT,
)
#: A re-read app-day replaces the whole app-day of both tables.
MERGE_KEY = ("app_token", "day")


def metrics(event_slugs: Sequence[str]) -> list[str]:
    """The ``metrics`` parameter: the base metrics, then events and revenue per event slug."""
    names = list(BASE_METRICS)
    for slug in event_slugs:
        names += [f"{slug}_events", f"{slug}_revenue"]
    return names


def invalid_slugs(event_slugs: Sequence[str]) -> list[str]:
    """The slugs that cannot be part of an Adjust metric name (lowercase, digits, ``_``)."""
    return [slug for slug in event_slugs if not _SLUG.fullmatch(slug)]


def _checked(rows: Any, request: str, event_slugs: Sequence[str]) -> list[dict[str, Any]]:
    """The answer's rows, each an object with every dimension and metric asked for.

    Raises:
        SourceDataError: No ``rows`` list, a row that is not an object, or lacks a field.
    """
    if not isinstance(rows, list):
        raise SourceDataError(
            SOURCE,
            "the answer has no 'rows' list",
            record=request,
            hint="Adjust changed its answer; nothing was loaded by this run",
        )
    every = {*DIMENSIONS, *metrics(event_slugs)}
    if all(isinstance(row, dict) and row.keys() >= every for row in rows):
        return rows  # the usual answer, checked in one pass; else the first fault is named
    asked = (
        ("dimension", DIMENSIONS, _NEW_DIMENSION),
        ("metric", metrics(event_slugs), _UNKNOWN_EVENT),
    )
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise SourceDataError(
                SOURCE,
                f"a report row is not an object: {row!r:.40}",
                record=f"{request}, row {index}",
                hint="Adjust sent a malformed report; nothing was loaded by this run",
            )
        for kind, names, hint in asked:
            absent = [name for name in names if name not in row]
            if absent:
                has = f" (it has {sorted(row)})" if kind == "dimension" else ""
                raise SourceDataError(
                    SOURCE,
                    f"a report row has no {kind} '{absent[0]}'{has}",
                    record=f"{_describe(request)(index, row)}, field '{absent[0]}'",
                    hint=hint,
                )
    return rows


def _describe(request: str) -> arrow.Describe:
    """Names report row ``index``: the request, the row's number and its identifying fields."""

    def record(index: int, row: Any) -> str:
        keys = ", ".join(f"{k}={row.get(k, '?')}" for k in ROW_KEYS)
        return f"{request}, row {index}: {keys}"

    return record


def _text_page(rows: list[dict[str, Any]], event_slugs: Sequence[str]) -> pa.StructArray | None:
    """Every dimension and metric of the page's rows read into Arrow at once, as text.

    Adjust sends every value as a string, so the page is read with that type (no type to
    infer, one pass over the rows; other fields, ``attr_dependency``, are not read).
    ``None`` when a value is not a string (or the page is empty): the rows are then read
    field by field as :func:`ingestion.sources.arrow.to_table` reads them, as before.
    """
    if not rows:
        return None
    names = dict.fromkeys((*DIMENSIONS, *metrics(event_slugs)))
    kind = pa.struct([(name, pa.string()) for name in names])
    try:
        page = pa.array(rows, type=kind)
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return None
    return page if isinstance(page, pa.StructArray) and not page.null_count else None


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
    rows = _checked(body.get("rows") if isinstance(body, dict) else None, request, event_slugs)
    describe = _describe(request)
    filled = {"currency": currency}
    page = _text_page(rows, event_slugs)
    if page is None:
        daily = arrow.to_table(
            rows, REPORT_DAILY, loaded_at=loaded_at, filled=filled, record=describe
        )
        events = _events(rows, daily, event_slugs, currency, loaded_at)
    else:
        daily = arrow.columns_to_table(
            {c.name: page.field(c.key) for c in REPORT_DAILY.columns if not c.filled},
            REPORT_DAILY,
            loaded_at=loaded_at,
            records=lambda: rows,
            filled=filled,
            record=describe,
        )
        events = _events(rows, daily, event_slugs, currency, loaded_at, page.field)
    if events is not None:
        return daily, events
    # a malformed event value: found and named one value at a time
    keys = [c.name for c in _ROW]
    key_values = zip(*(daily.column(k).to_pylist() for k in keys), strict=True)
    found_events: list[dict[str, Any]] = []
    for index, (row, values) in enumerate(zip(rows, key_values, strict=True)):
        for slug in event_slugs:
            found = {
                column: arrow.parse(
                    parse,
                    row[f"{slug}_{kind}"],
                    source=SOURCE,
                    field=f"{slug}_{kind}",
                    record=describe(index, row),
                    hint=_HINT,
                )
                for column, kind, parse in (
                    ("events", "events", EVENTS),
                    ("event_revenue", "revenue", REVENUE),
                )
            }
            if any(found.values()):
                found_events.append(
                    {**dict(zip(keys, values, strict=True)), "event_slug": slug, **found}
                )
    table = arrow.to_table(found_events, REPORT_DAILY_EVENTS, loaded_at=loaded_at, filled=filled)
    return daily, table


def _events(
    rows: list[dict[str, Any]],
    daily: pa.Table,
    event_slugs: Sequence[str],
    currency: str,
    loaded_at: datetime,
    field: Callable[[str], pa.Array] | None = None,
) -> pa.Table | None:
    """The ``report_daily_events`` rows of a page, each event's values parsed at once.

    Rows come in the order of the one-value path (report row, then event slug). ``None``
    when a value is not one the fast path takes (:func:`ingestion.sources.arrow.vectorised`):
    the caller then parses one value at a time and names the first malformed one.
    ``field``: the page's values of a metric, read into Arrow already (:func:`_text_page`).
    """
    counts_of, amounts_of = arrow.vectorised(EVENTS), arrow.vectorised(REVENUE)
    found_currency = arrow.text(currency)
    if counts_of is None or amounts_of is None or found_currency is None:
        return None
    keys = daily.select([c.name for c in _ROW])
    slugs = len(event_slugs)
    parts: list[pa.Table] = []
    for position, slug in enumerate(event_slugs):
        if field is None:
            counts = counts_of([row[f"{slug}_events"] for row in rows])
            amounts = amounts_of([row[f"{slug}_revenue"] for row in rows])
        else:
            counts, amounts = (
                counts_of(field(f"{slug}_events")),
                amounts_of(field(f"{slug}_revenue")),
            )
        if counts is None or amounts is None:
            return None
        nonzero = pc.or_(
            pc.fill_null(pc.not_equal(counts, 0), False),
            pc.fill_null(pc.not_equal(amounts, 0), False),
        )
        order = arrow.counting(len(rows), position, slugs)
        part = keys.append_column("event_slug", arrow.repeated(slug, pa.string(), len(rows)))
        part = part.append_column("events", counts).append_column("event_revenue", amounts)
        parts.append(part.append_column("order", order).filter(nonzero))
    if not parts:
        return arrow.to_table([], REPORT_DAILY_EVENTS, loaded_at=loaded_at)
    found = pa.concat_tables(parts)
    found = found.take(pc.sort_indices(found.column("order"))).drop_columns(["order"])
    extra = [
        arrow.repeated(found_currency, pa.string(), found.num_rows),
        arrow.repeated(loaded_at, arrow.TIMESTAMP, found.num_rows),
    ]
    return pa.Table.from_arrays([*found.columns, *extra], schema=REPORT_DAILY_EVENTS.schema())
