"""AppsFlyer Pull API CSV answers to Arrow tables: pure parsers and the six raw schemas.

Every report is CSV with a header row. Columns are picked by header name (AppsFlyer adds,
reorders and renames columns over time), so a report missing a column the source needs
stops the run with an error naming the app, the report and the column. Numbers in
aggregate reports may be ``N/A`` or empty: they load as null. Every value is parsed and
checked here, before anything is loaded.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from ingestion.sources.errors import SourceDataError

SOURCE = "appsflyer"

PARTNERS = "partners_by_date_report"
GEO = "geo_by_date_report"
INSTALLS = "installs_report"
IN_APP_EVENTS = "in_app_events_report"
AGGREGATE_REPORTS = (PARTNERS, GEO)
RAW_REPORTS = (INSTALLS, IN_APP_EVENTS)
#: Organic installs and their events come in raw reports of their own (same columns).
ORGANIC_PREFIX = "organic_"
REPORTS = (*AGGREGATE_REPORTS, *RAW_REPORTS)

MONEY = pa.decimal128(18, 4)
TIMESTAMP = pa.timestamp("us", tz="UTC")
LOCAL_TIME = pa.timestamp("us")  # naive: the requested (app) time zone
_FOUR_PLACES = Decimal("0.0001")
_NULLS = frozenset({"", "N/A", "n/a", "None", "null"})
_TRIPLE = re.compile(r"(?P<event>.+) \((?P<kind>Unique users|Event counter|Sales in USD)\)")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?")


def _field(name: str, kind: pa.DataType, nullable: bool = True) -> pa.Field:
    return pa.field(name, kind, nullable=nullable)


_AGG_KEYS = [
    _field("agency", pa.string()),
    _field("media_source", pa.string()),
    _field("campaign", pa.string()),
]
_AGG_METRICS = [
    _field("impressions", pa.int64()),
    _field("clicks", pa.int64()),
    _field("installs", pa.int64()),
    _field("sessions", pa.int64()),
    _field("loyal_users", pa.int64()),
    _field("total_revenue", MONEY),
    _field("total_cost", MONEY),
]
_EVENT_METRICS = [
    _field("event_name", pa.string(), False),
    _field("unique_users", pa.int64()),
    _field("event_count", pa.int64()),
    _field("sales_usd", MONEY),
]
_APP = _field("app_id", pa.string(), False)
_DATE = _field("date", pa.date32(), False)
_COUNTRY = _field("country_code", pa.string())
_LOADED = _field("_loaded_at", TIMESTAMP, False)

SCHEMAS: dict[str, pa.Schema] = {
    "partners_daily": pa.schema([_APP, _DATE, *_AGG_KEYS, *_AGG_METRICS, _LOADED]),
    "partners_daily_events": pa.schema([_APP, _DATE, *_AGG_KEYS, *_EVENT_METRICS, _LOADED]),
    "geo_daily": pa.schema([_APP, _DATE, _COUNTRY, *_AGG_KEYS, *_AGG_METRICS, _LOADED]),
    "geo_daily_events": pa.schema([_APP, _DATE, _COUNTRY, *_AGG_KEYS, *_EVENT_METRICS, _LOADED]),
    "installs": pa.schema(
        [
            _APP,
            _field("install_time", LOCAL_TIME, False),
            _field("install_date", pa.date32(), False),
            _field("attributed_touch_type", pa.string()),
            _field("attributed_touch_time", LOCAL_TIME),
            _field("media_source", pa.string()),
            _field("channel", pa.string()),
            _field("campaign", pa.string()),
            _field("campaign_id", pa.string()),
            _field("adset", pa.string()),
            _field("adset_id", pa.string()),
            _field("ad", pa.string()),
            _field("ad_id", pa.string()),
            _field("country_code", pa.string()),
            _field("appsflyer_id", pa.string(), False),
            _field("platform", pa.string()),
            _LOADED,
        ]
    ),
    "in_app_events": pa.schema(
        [
            _APP,
            _field("event_time", LOCAL_TIME, False),
            _field("event_date", pa.date32(), False),
            _field("event_name", pa.string(), False),
            _field("event_value", pa.string()),
            _field("event_revenue", MONEY),
            _field("event_revenue_currency", pa.string()),
            _field("event_revenue_usd", MONEY),
            _field("install_time", LOCAL_TIME),
            _field("media_source", pa.string()),
            _field("campaign", pa.string()),
            _field("campaign_id", pa.string()),
            _field("adset_id", pa.string()),
            _field("ad_id", pa.string()),
            _field("country_code", pa.string()),
            _field("appsflyer_id", pa.string(), False),
            _field("platform", pa.string()),
            _LOADED,
        ]
    ),
}
#: Report -> (main table, events table or None).
REPORT_TABLES: dict[str, tuple[str, str | None]] = {
    PARTNERS: ("partners_daily", "partners_daily_events"),
    GEO: ("geo_daily", "geo_daily_events"),
    INSTALLS: ("installs", None),
    IN_APP_EVENTS: ("in_app_events", None),
}
#: Table -> the day column it is replaced by (with ``app_id``).
DAY_COLUMN = {
    "partners_daily": "date",
    "partners_daily_events": "date",
    "geo_daily": "date",
    "geo_daily_events": "date",
    "installs": "install_date",
    "in_app_events": "event_date",
}

#: Table -> its naive local-time columns (dlt would make them UTC timestamps otherwise).
LOCAL_TIME_COLUMNS = {
    "installs": ("install_time", "attributed_touch_time"),
    "in_app_events": ("event_time", "install_time"),
}

#: Aggregate CSV header -> column (the country only in the geo report).
AGG_COLUMNS = {
    "Date": "date",
    "Agency/PMD (af_prt)": "agency",
    "Media Source (pid)": "media_source",
    "Campaign (c)": "campaign",
    "Impressions": "impressions",
    "Clicks": "clicks",
    "Installs": "installs",
    "Sessions": "sessions",
    "Loyal Users": "loyal_users",
    "Total Revenue": "total_revenue",
    "Total Cost": "total_cost",
}
GEO_COLUMNS = {"Country": "country_code"}
INSTALL_COLUMNS = {
    "Install Time": "install_time",
    "Attributed Touch Type": "attributed_touch_type",
    "Attributed Touch Time": "attributed_touch_time",
    "Media Source": "media_source",
    "Channel": "channel",
    "Campaign": "campaign",
    "Campaign ID": "campaign_id",
    "Adset": "adset",
    "Adset ID": "adset_id",
    "Ad": "ad",
    "Ad ID": "ad_id",
    "Country Code": "country_code",
    "AppsFlyer ID": "appsflyer_id",
    "Platform": "platform",
}
EVENT_COLUMNS = {
    "Event Time": "event_time",
    "Event Name": "event_name",
    "Event Value": "event_value",
    "Event Revenue": "event_revenue",
    "Event Revenue Currency": "event_revenue_currency",
    "Event Revenue USD": "event_revenue_usd",
    "Install Time": "install_time",
    "Media Source": "media_source",
    "Campaign": "campaign",
    "Campaign ID": "campaign_id",
    "Adset ID": "adset_id",
    "Ad ID": "ad_id",
    "Country Code": "country_code",
    "AppsFlyer ID": "appsflyer_id",
    "Platform": "platform",
}
_INTS = {"impressions", "clicks", "installs", "sessions", "loyal_users"}
_MONEY = {"total_revenue", "total_cost", "event_revenue", "event_revenue_usd"}
_TIMES = {"install_time", "attributed_touch_time", "event_time"}


class _Where:
    """Names a value for error messages: app, report, CSV line and column."""

    def __init__(self, app_id: str, report: str) -> None:
        self.app_id = app_id
        self.report = report

    def record(self, line: int | None = None, column: str | None = None) -> str:
        text = f"app_id={self.app_id}, report={self.report}"
        if line is not None:
            text += f", line={line}"
        if column is not None:
            text += f", column='{column}'"
        return text

    def bad(self, line: int, column: str, value: str, what: str) -> SourceDataError:
        return SourceDataError(
            SOURCE,
            f"{what}: {value!r:.40}",
            record=self.record(line, column),
            hint="the report is malformed; nothing was loaded by this run. Run again; if it "
            "persists, report it to AppsFlyer support with the record above",
        )


def read_csv(text: str, app_id: str, report: str) -> tuple[list[str], list[list[str]]]:
    """Splits a CSV answer into its header and rows (a UTF-8 BOM is dropped).

    Raises:
        SourceDataError: The answer is empty or a row has more or fewer cells than the header.
    """
    where = _Where(app_id, report)
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise SourceDataError(
            SOURCE,
            "the report is empty (no header row)",
            record=where.record(),
            hint="check the app id and that the report is enabled for the token's account",
        ) from None
    rows = [row for row in reader if row]
    for n, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise SourceDataError(
                SOURCE,
                f"a row has {len(row)} cells and the header {len(header)}",
                record=where.record(n),
                hint="the report is malformed or was cut; nothing was loaded by this run",
            )
    return header, rows


def column_indexes(
    header: Sequence[str], wanted: dict[str, str], app_id: str, report: str
) -> dict[str, int]:
    """Column name -> index in the CSV, for every header ``wanted`` names.

    Raises:
        SourceDataError: A wanted header is missing (AppsFlyer renamed or dropped it).
    """
    position = {name: i for i, name in enumerate(header)}
    missing = [name for name in wanted if name not in position]
    if missing:
        raise SourceDataError(
            SOURCE,
            f"the report has no column {', '.join(repr(m) for m in missing)} "
            f"(it has {len(header)} columns)",
            record=_Where(app_id, report).record(column=missing[0]),
            hint="AppsFlyer changed the report's columns; update the column names in "
            "ingestion/sources/appsflyer/tables.py. Nothing was loaded by this run",
        )
    return {column: position[name] for name, column in wanted.items()}


def event_triples(header: Sequence[str]) -> dict[str, dict[str, int]]:
    """Event name -> {"unique_users"|"event_count"|"sales_usd": column index}.

    AppsFlyer writes three columns per in-app event: ``<event> (Unique users)``,
    ``<event> (Event counter)`` and ``<event> (Sales in USD)``.
    """
    kinds = {"Unique users": "unique_users", "Event counter": "event_count"}
    triples: dict[str, dict[str, int]] = {}
    for i, name in enumerate(header):
        match = _TRIPLE.fullmatch(name)
        if match:
            kind = kinds.get(match.group("kind"), "sales_usd")
            triples.setdefault(match.group("event"), {})[kind] = i
    return triples


def parse_int(value: str, where: _Where, line: int, column: str) -> int | None:
    """A count; ``N/A`` and empty are null. ``"12.0"`` is 12; ``"1,234"`` is 1234."""
    text = value.strip().replace(",", "")
    if text in _NULLS:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise where.bad(line, column, value, "not a number") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise where.bad(line, column, value, "not a whole number")
    return int(number)


def parse_money(value: str, where: _Where, line: int, column: str) -> Decimal | None:
    """An amount as an exact decimal with four places; ``N/A`` and empty are null."""
    text = value.strip().replace(",", "")
    if text in _NULLS:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise where.bad(line, column, value, "not an amount") from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 14:
        raise where.bad(line, column, value, "not a finite amount under 1e14")
    return number.quantize(_FOUR_PLACES, rounding=ROUND_HALF_UP)


def parse_time(value: str, where: _Where, line: int, column: str) -> datetime | None:
    """``YYYY-MM-DD HH:MM:SS`` in the requested time zone (naive); empty is null."""
    text = value.strip()
    if text in _NULLS:
        return None
    if not _TIME.fullmatch(text):
        raise where.bad(line, column, value, "not a time YYYY-MM-DD HH:MM:SS")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise where.bad(line, column, value, "not a valid time") from None


def parse_date(value: str, where: _Where, line: int, column: str) -> date:
    """``YYYY-MM-DD``."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise where.bad(line, column, value, "not a date YYYY-MM-DD") from None


def _text(value: str) -> str | None:
    text = value.strip()
    return None if text in _NULLS else text


def _table(name: str, columns: dict[str, list[Any]], size: int, loaded_at: datetime) -> pa.Table:
    schema = SCHEMAS[name]
    arrays = []
    for f in schema:
        values = [loaded_at] * size if f.name == "_loaded_at" else columns[f.name]
        arrays.append(pa.array(values, type=f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def aggregate_tables(
    app_id: str, report: str, text: str, loaded_at: datetime
) -> tuple[pa.Table, pa.Table]:
    """An aggregate report (partners or geo by date) as its daily and daily-events tables.

    Each ``<event> (...)`` column triple becomes one row of the events table per report
    row, unless all three cells are zero, ``N/A`` or empty.

    Raises:
        SourceDataError: A needed column is missing or a value is malformed.
    """
    where = _Where(app_id, report)
    daily_name, events_name = REPORT_TABLES[report]
    assert events_name is not None
    header, rows = read_csv(text, app_id, report)
    wanted = {**AGG_COLUMNS, **(GEO_COLUMNS if report == GEO else {})}
    index = column_indexes(header, wanted, app_id, report)
    triples = event_triples(header)
    for event, kinds in triples.items():
        if len(kinds) != 3:
            raise SourceDataError(
                SOURCE,
                f"event '{event}' lacks some of its three columns (has {sorted(kinds)})",
                record=where.record(column=event),
                hint="AppsFlyer changed the report's columns; nothing was loaded by this run",
            )
    keys = ["date", *(["country_code"] if report == GEO else []), "agency", "media_source"]
    keys.append("campaign")
    daily: dict[str, list[Any]] = {f.name: [] for f in SCHEMAS[daily_name]}
    events: dict[str, list[Any]] = {f.name: [] for f in SCHEMAS[events_name]}
    event_rows = 0
    for line, row in enumerate(rows, start=2):
        values: dict[str, Any] = {"app_id": app_id}
        for column, i in index.items():
            cell = row[i]
            if column == "date":
                values[column] = parse_date(cell, where, line, column)
            elif column in _INTS:
                values[column] = parse_int(cell, where, line, header[i])
            elif column in _MONEY:
                values[column] = parse_money(cell, where, line, header[i])
            elif column == "country_code":
                values[column] = (_text(cell) or "").upper() or None
            else:
                values[column] = _text(cell)
        for column, items in daily.items():
            if column != "_loaded_at":
                items.append(values[column])
        for event, kinds in triples.items():
            u, c, s = kinds["unique_users"], kinds["event_count"], kinds["sales_usd"]
            users = parse_int(row[u], where, line, header[u])
            count = parse_int(row[c], where, line, header[c])
            sales = parse_money(row[s], where, line, header[s])
            if not (users or count or sales):
                continue
            for key in ["app_id", *keys]:
                events[key].append(values[key])
            events["event_name"].append(event)
            events["unique_users"].append(users)
            events["event_count"].append(count)
            events["sales_usd"].append(sales)
            event_rows += 1
    return (
        _table(daily_name, daily, len(rows), loaded_at),
        _table(events_name, events, event_rows, loaded_at),
    )


def raw_table(app_id: str, report: str, text: str, loaded_at: datetime) -> pa.Table:
    """A raw-data report (installs or in-app events) as its table, one row per CSV row.

    ``organic_installs_report`` and ``organic_in_app_events_report`` fill the same tables.

    Raises:
        SourceDataError: A needed column is missing or a value is malformed.
    """
    where = _Where(app_id, report)
    base = report.removeprefix(ORGANIC_PREFIX)
    name = REPORT_TABLES[base][0]
    header, rows = read_csv(text, app_id, report)
    index = column_indexes(
        header, INSTALL_COLUMNS if base == INSTALLS else EVENT_COLUMNS, app_id, report
    )
    day_column, time_column = (
        ("install_date", "install_time") if base == INSTALLS else ("event_date", "event_time")
    )
    columns: dict[str, list[Any]] = {f.name: [] for f in SCHEMAS[name]}
    for line, row in enumerate(rows, start=2):
        columns["app_id"].append(app_id)
        for column, i in index.items():
            cell = row[i]
            value: Any
            if column in _TIMES:
                value = parse_time(cell, where, line, header[i])
            elif column in _MONEY:
                value = parse_money(cell, where, line, header[i])
            elif column == "event_value":
                value = cell if cell.strip() else None  # JSON text, kept as sent
            elif column == "country_code":
                value = (_text(cell) or "").upper() or None
            else:
                value = _text(cell)
            if value is None and column in (time_column, "appsflyer_id", "event_name"):
                raise where.bad(line, header[i], cell, "a required value is empty")
            columns[column].append(value)
        columns[day_column].append(columns[time_column][-1].date())
    return _table(name, columns, len(rows), loaded_at)
