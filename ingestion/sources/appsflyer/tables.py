"""AppsFlyer Pull API CSV answers to Arrow tables: pure parsers and the six raw schemas.

Every report is CSV with a header row. Columns are picked by header name (AppsFlyer adds,
reorders and renames columns over time), so a report missing a column the source needs
stops the run with an error naming the app, the report and the column. Numbers in
aggregate reports may be ``N/A`` or empty: they load as null. Every value is parsed and
checked by :func:`ingestion.sources.arrow.to_table` from the columns declared here,
before anything is loaded.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from ingestion.sources import arrow
from ingestion.sources.arrow import Column
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
STRING = pa.string()
LOCAL_TIME = pa.timestamp("us")  # naive: the requested (app) time zone
_NULLS = frozenset({"", "N/A", "n/a", "None", "null"})
_TRIPLE = re.compile(r"(?P<event>.+) \((?P<kind>Unique users|Event counter|Sales in USD)\)")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?")
_HINT = (
    "the report is malformed; nothing was loaded by this run. Run again; if it persists, "
    "report it to AppsFlyer support with the record above"
)


def _local_time(value: str) -> datetime:
    """``YYYY-MM-DD HH:MM:SS`` in the requested time zone (naive)."""
    if not _TIME.fullmatch(value):
        raise ValueError(f"not a time YYYY-MM-DD HH:MM:SS: {value!r:.40}")
    return datetime.fromisoformat(value)


def _local_date(value: str) -> date:
    return _local_time(value).date()


def _json_text(value: str) -> str | None:
    """A JSON text cell, kept as sent."""
    return value if value.strip() else None


#: Cell parsers: ``N/A`` and empty cells are null; numbers may have thousands commas.
TEXT = arrow.nullable(arrow.text, _NULLS)
COUNTRY = arrow.nullable(arrow.upper, _NULLS)
COUNT = arrow.nullable(arrow.without_commas(arrow.count), _NULLS)
AMOUNT = arrow.nullable(arrow.without_commas(arrow.money(4, signed=True)), _NULLS)
TIME = arrow.nullable(_local_time, _NULLS)


def table(
    name: str,
    columns: tuple[Column, ...],
    day: str,
    primary_key: tuple[str, ...] = (),
    grain: tuple[str, ...] = (),
) -> arrow.Table:
    """A table of this source: ``app_id`` first."""
    app_id = Column("app_id", STRING, required=True, filled=True)
    return arrow.Table(
        SOURCE,
        name,
        (app_id, *columns),
        primary_key,
        hint=_HINT,
        missing_hint=_HINT,
        grain=("app_id", *grain) if grain else (),
    )


def _text(name: str, header: str) -> Column:
    return Column(name, STRING, TEXT, key=header)


_DATE = Column("date", pa.date32(), arrow.nullable(arrow.day, _NULLS), True, key="Date")
_COUNTRY = Column("country_code", STRING, COUNTRY, key="Country")
_AGG_KEYS = (
    _text("agency", "Agency/PMD (af_prt)"),
    _text("media_source", "Media Source (pid)"),
    _text("campaign", "Campaign (c)"),
)
_AGG_METRICS = (
    Column("impressions", pa.int64(), COUNT, key="Impressions"),
    Column("clicks", pa.int64(), COUNT, key="Clicks"),
    Column("installs", pa.int64(), COUNT, key="Installs"),
    Column("sessions", pa.int64(), COUNT, key="Sessions"),
    Column("loyal_users", pa.int64(), COUNT, key="Loyal Users"),
    Column("total_revenue", MONEY, AMOUNT, key="Total Revenue"),
    Column("total_cost", MONEY, AMOUNT, key="Total Cost"),
)
#: One row per report row and in-app event; its values are parsed from the event's three
#: columns (``<event> (Unique users)``, ``(Event counter)``, ``(Sales in USD)``).
_EVENT_METRICS = (
    Column("event_name", STRING, arrow.as_is, True),
    Column("unique_users", pa.int64(), arrow.as_is),
    Column("event_count", pa.int64(), arrow.as_is),
    Column("sales_usd", MONEY, arrow.as_is),
)


#: What names a row of an aggregate report: the day (if any), the country (if any), then
#: agency, media source and campaign (each may be empty, so not a dlt primary key).
_AGG_GRAIN = tuple(c.name for c in _AGG_KEYS)
PARTNERS_DAILY = table(
    "partners_daily", (_DATE, *_AGG_KEYS, *_AGG_METRICS), "date", grain=("date", *_AGG_GRAIN)
)
PARTNERS_DAILY_EVENTS = table(
    "partners_daily_events", (*arrow.parsed((_DATE, *_AGG_KEYS)), *_EVENT_METRICS), "date"
)
GEO_DAILY = table(
    "geo_daily",
    (_DATE, _COUNTRY, *_AGG_KEYS, *_AGG_METRICS),
    "date",
    grain=("date", "country_code", *_AGG_GRAIN),
)
GEO_DAILY_EVENTS = table(
    "geo_daily_events", (*arrow.parsed((_DATE, _COUNTRY, *_AGG_KEYS)), *_EVENT_METRICS), "date"
)
INSTALLS_TABLE = table(
    "installs",
    (
        Column("install_time", LOCAL_TIME, TIME, True, key="Install Time"),
        Column(
            "install_date",
            pa.date32(),
            arrow.nullable(_local_date, _NULLS),
            True,
            key="Install Time",
        ),
        _text("attributed_touch_type", "Attributed Touch Type"),
        Column("attributed_touch_time", LOCAL_TIME, TIME, key="Attributed Touch Time"),
        _text("media_source", "Media Source"),
        _text("channel", "Channel"),
        _text("campaign", "Campaign"),
        _text("campaign_id", "Campaign ID"),
        _text("adset", "Adset"),
        _text("adset_id", "Adset ID"),
        _text("ad", "Ad"),
        _text("ad_id", "Ad ID"),
        Column("country_code", STRING, COUNTRY, key="Country Code"),
        Column("appsflyer_id", STRING, TEXT, True, key="AppsFlyer ID"),
        _text("platform", "Platform"),
    ),
    "install_date",
)
IN_APP_EVENTS_TABLE = table(
    "in_app_events",
    (
        Column("event_time", LOCAL_TIME, TIME, True, key="Event Time"),
        Column(
            "event_date", pa.date32(), arrow.nullable(_local_date, _NULLS), True, key="Event Time"
        ),
        Column("event_name", STRING, TEXT, True, key="Event Name"),
        Column("event_value", STRING, _json_text, key="Event Value"),
        Column("event_revenue", MONEY, AMOUNT, key="Event Revenue"),
        _text("event_revenue_currency", "Event Revenue Currency"),
        Column("event_revenue_usd", MONEY, AMOUNT, key="Event Revenue USD"),
        Column("install_time", LOCAL_TIME, TIME, key="Install Time"),
        _text("media_source", "Media Source"),
        _text("campaign", "Campaign"),
        _text("campaign_id", "Campaign ID"),
        _text("adset_id", "Adset ID"),
        _text("ad_id", "Ad ID"),
        Column("country_code", STRING, COUNTRY, key="Country Code"),
        Column("appsflyer_id", STRING, TEXT, True, key="AppsFlyer ID"),
        _text("platform", "Platform"),
    ),
    "event_date",
)
#: Report -> (main table, events table or None).
REPORT_TABLES: dict[str, tuple[arrow.Table, arrow.Table | None]] = {
    PARTNERS: (PARTNERS_DAILY, PARTNERS_DAILY_EVENTS),
    GEO: (GEO_DAILY, GEO_DAILY_EVENTS),
    INSTALLS: (INSTALLS_TABLE, None),
    IN_APP_EVENTS: (IN_APP_EVENTS_TABLE, None),
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


def merge_key(table: arrow.Table) -> tuple[str, str]:
    """A re-read app-day replaces the whole app-day."""
    return ("app_id", DAY_COLUMN[table.name])


def local_time_columns(table: arrow.Table) -> list[str]:
    """The table's naive local-time columns (dlt would make them UTC timestamps otherwise)."""
    return [c.name for c in table.columns if c.type == LOCAL_TIME]


def _record(app_id: str, report: str, line: int | None = None, column: str | None = None) -> str:
    """Names a value for error messages: app, report, CSV line and column."""
    text = f"app_id={app_id}, report={report}"
    if line is not None:
        text += f", line={line}"
    if column is not None:
        text += f", column='{column}'"
    return text


def read_csv(text: str, app_id: str, report: str) -> tuple[list[str], list[list[str]]]:
    """Splits a CSV answer into its header and rows (a UTF-8 BOM is dropped).

    Raises:
        SourceDataError: The answer is empty or a row has more or fewer cells than the header.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise SourceDataError(
            SOURCE,
            "the report is empty (no header row)",
            record=_record(app_id, report),
            hint="check the app id and that the report is enabled for the token's account",
        ) from None
    rows = [row for row in reader if row]
    for n, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise SourceDataError(
                SOURCE,
                f"a row has {len(row)} cells and the header {len(header)}",
                record=_record(app_id, report, n),
                hint="the report is malformed or was cut; nothing was loaded by this run",
            )
    return header, rows


def column_indexes(
    header: Sequence[str], table: arrow.Table, app_id: str, report: str
) -> dict[str, int]:
    """CSV header -> its index, for every column of ``table`` read from the report.

    Raises:
        SourceDataError: A header is missing (AppsFlyer renamed or dropped it).
    """
    position = {name: i for i, name in enumerate(header)}
    wanted = dict.fromkeys(c.key for c in table.columns if not c.filled)
    missing = [name for name in wanted if name not in position]
    if missing:
        raise SourceDataError(
            SOURCE,
            f"the report has no column {', '.join(repr(m) for m in missing)} "
            f"(it has {len(header)} columns)",
            record=_record(app_id, report, column=missing[0]),
            hint="AppsFlyer changed the report's columns; update the column names in "
            "ingestion/sources/appsflyer/tables.py. Nothing was loaded by this run",
        )
    return {name: position[name] for name in wanted}


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


def _read(
    app_id: str, report: str, text: str, table: arrow.Table, loaded_at: datetime
) -> tuple[list[str], list[list[str]], pa.Table]:
    """The report's header, its rows, and its rows as ``table``."""
    header, rows = read_csv(text, app_id, report)
    parsed = arrow.to_table(
        rows,
        table,
        loaded_at=loaded_at,
        filled={"app_id": app_id},
        positions=column_indexes(header, table, app_id, report),
        record=lambda index, _: _record(app_id, report, index + 2),
    )
    return header, rows, parsed


def aggregate_tables(
    app_id: str, report: str, text: str, loaded_at: datetime
) -> tuple[pa.Table, pa.Table]:
    """An aggregate report (partners or geo by date) as its daily and daily-events tables.

    Each ``<event> (...)`` column triple becomes one row of the events table per report
    row, unless all three cells are zero, ``N/A`` or empty.

    Raises:
        SourceDataError: A needed column is missing or a value is malformed.
    """
    daily_table, events_table = REPORT_TABLES[report]
    assert events_table is not None
    header, rows, daily = _read(app_id, report, text, daily_table, loaded_at)
    triples = event_triples(header)
    for event, kinds in triples.items():
        if len(kinds) != 3:
            raise SourceDataError(
                SOURCE,
                f"event '{event}' lacks some of its three columns (has {sorted(kinds)})",
                record=_record(app_id, report, column=event),
                hint="AppsFlyer changed the report's columns; nothing was loaded by this run",
            )
    keys = [c.name for c in events_table.columns[: -len(_EVENT_METRICS)] if not c.filled]
    key_values = list(zip(*(daily.column(k).to_pylist() for k in keys), strict=True))
    events: list[dict[str, Any]] = []
    for line, (row, values) in enumerate(zip(rows, key_values, strict=True), start=2):
        for event, kinds in triples.items():
            metrics = {
                kind: arrow.parse(
                    AMOUNT if kind == "sales_usd" else COUNT,
                    row[i],
                    source=SOURCE,
                    field=header[i],
                    record=_record(app_id, report, line),
                    hint=_HINT,
                )
                for kind, i in kinds.items()
            }
            if any(metrics.values()):
                events.append(
                    {**dict(zip(keys, values, strict=True)), "event_name": event, **metrics}
                )
    filled = {"app_id": app_id}
    return daily, arrow.to_table(events, events_table, loaded_at=loaded_at, filled=filled)


def raw_table(app_id: str, report: str, text: str, loaded_at: datetime) -> pa.Table:
    """A raw-data report (installs or in-app events) as its table, one row per CSV row.

    ``organic_installs_report`` and ``organic_in_app_events_report`` fill the same tables.

    Raises:
        SourceDataError: A needed column is missing or a value is malformed.
    """
    table = REPORT_TABLES[report.removeprefix(ORGANIC_PREFIX)][0]
    return _read(app_id, report, text, table, loaded_at)[2]
