"""Naver entities (JSON) and stat reports (TSV) to Arrow tables with explicit schemas."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from ingestion.sources.errors import SourceDataError

SOURCE = "naver_searchad"
MONEY = pa.decimal128(18, 4)
TIMESTAMP = pa.timestamp("us", tz="UTC")


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not an integer: {value!r}")
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    # Some Naver reports type counts as real numbers ("3.0"); a whole one is accepted.
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not an integer: {value!r}") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(f"not an integer: {value!r}")
    return int(number)


def _count(value: Any) -> int | None:
    number = _int(value)
    if number is not None and number < 0:
        raise ValueError(f"negative count {value!r}")
    return number


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"negative or not finite amount {value!r}")
    return amount.quantize(Decimal("0.0001"))


def _bool(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"not a boolean: {value!r}")


def _timestamp(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _yyyymmdd(value: Any) -> date | None:
    text = str(value).strip()
    if len(text) != 8 or not text.isdigit():
        raise ValueError(f"not a YYYYMMDD date: {value!r}")
    return datetime.strptime(text, "%Y%m%d").date()


@dataclass(frozen=True)
class Column:
    """A column: name in the table, key in the JSON object (or TSV position), type, parser."""

    name: str
    key: str
    type: pa.DataType
    parse: Callable[[Any], Any]
    required: bool = False


@dataclass(frozen=True)
class Table:
    """A raw table: its name, columns and primary key."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]

    def schema(self) -> pa.Schema:
        """The Arrow schema, ``customer_id`` first and ``_loaded_at`` last."""
        fields = [pa.field("customer_id", pa.string(), nullable=False)]
        fields += [pa.field(c.name, c.type, nullable=not c.required) for c in self.columns]
        return pa.schema([*fields, pa.field("_loaded_at", TIMESTAMP, nullable=False)])


def _c(
    name: str, key: str, type_: pa.DataType, parse: Callable[[Any], Any], req: bool = False
) -> Column:
    return Column(name, key, type_, parse, req)


CAMPAIGNS = Table(
    "campaigns",
    (
        _c("campaign_id", "nccCampaignId", pa.string(), _text, True),
        _c("name", "name", pa.string(), _text),
        _c("campaign_type", "campaignTp", pa.string(), _text),
        _c("delivery_method", "deliveryMethod", pa.string(), _text),
        _c("user_lock", "userLock", pa.bool_(), _bool),
        _c("status", "status", pa.string(), _text),
        _c("status_reason", "statusReason", pa.string(), _text),
        _c("use_daily_budget", "useDailyBudget", pa.bool_(), _bool),
        _c("daily_budget", "dailyBudget", MONEY, _money),
        _c("deleted", "delFlag", pa.bool_(), _bool),
        _c("registered_at", "regTm", TIMESTAMP, _timestamp),
        _c("edited_at", "editTm", TIMESTAMP, _timestamp),
    ),
    ("campaign_id",),
)
AD_GROUPS = Table(
    "ad_groups",
    (
        _c("ad_group_id", "nccAdgroupId", pa.string(), _text, True),
        _c("campaign_id", "nccCampaignId", pa.string(), _text, True),
        _c("name", "name", pa.string(), _text),
        _c("ad_group_type", "adgroupType", pa.string(), _text),
        _c("bid_amount", "bidAmt", MONEY, _money),
        _c("user_lock", "userLock", pa.bool_(), _bool),
        _c("status", "status", pa.string(), _text),
        _c("status_reason", "statusReason", pa.string(), _text),
        _c("use_daily_budget", "useDailyBudget", pa.bool_(), _bool),
        _c("daily_budget", "dailyBudget", MONEY, _money),
        _c("deleted", "delFlag", pa.bool_(), _bool),
        _c("registered_at", "regTm", TIMESTAMP, _timestamp),
        _c("edited_at", "editTm", TIMESTAMP, _timestamp),
    ),
    ("ad_group_id",),
)
KEYWORDS = Table(
    "keywords",
    (
        _c("keyword_id", "nccKeywordId", pa.string(), _text, True),
        _c("ad_group_id", "nccAdgroupId", pa.string(), _text, True),
        _c("campaign_id", "nccCampaignId", pa.string(), _text),
        _c("keyword", "keyword", pa.string(), _text, True),
        _c("bid_amount", "bidAmt", MONEY, _money),
        _c("use_group_bid_amount", "useGroupBidAmt", pa.bool_(), _bool),
        _c("user_lock", "userLock", pa.bool_(), _bool),
        _c("status", "status", pa.string(), _text),
        _c("inspect_status", "inspectStatus", pa.string(), _text),
        _c("deleted", "delFlag", pa.bool_(), _bool),
        _c("registered_at", "regTm", TIMESTAMP, _timestamp),
        _c("edited_at", "editTm", TIMESTAMP, _timestamp),
    ),
    ("keyword_id",),
)
ADS = Table(
    "ads",
    (
        _c("ad_id", "nccAdId", pa.string(), _text, True),
        _c("ad_group_id", "nccAdgroupId", pa.string(), _text, True),
        _c("ad_type", "type", pa.string(), _text),
        _c("headline", "ad.headline", pa.string(), _text),
        _c("description", "ad.description", pa.string(), _text),
        _c("user_lock", "userLock", pa.bool_(), _bool),
        _c("status", "status", pa.string(), _text),
        _c("inspect_status", "inspectStatus", pa.string(), _text),
        _c("deleted", "delFlag", pa.bool_(), _bool),
        _c("registered_at", "regTm", TIMESTAMP, _timestamp),
        _c("edited_at", "editTm", TIMESTAMP, _timestamp),
    ),
    ("ad_id",),
)
ENTITY_TABLES = (CAMPAIGNS, AD_GROUPS, KEYWORDS, ADS)

#: The first nine columns of both reports (Naver's TSV has no header row).
_HEAD = (
    _c("stat_date", "Date", pa.date32(), _yyyymmdd, True),
    _c("report_customer_id", "CUSTOMER ID", pa.string(), _text, True),
    _c("campaign_id", "Campaign ID", pa.string(), _text, True),
    _c("ad_group_id", "AD Group ID", pa.string(), _text, True),
    _c("keyword_id", "AD keyword ID", pa.string(), _text, True),
    _c("ad_id", "AD ID", pa.string(), _text, True),
    _c("business_channel_id", "Business Channel ID", pa.string(), _text),
    _c("media_code", "Media code", pa.string(), _text, True),
    _c("device", "PC Mobile Type", pa.string(), _text, True),
)
_GRAIN = ("customer_id", "stat_date", "ad_group_id", "keyword_id", "ad_id", "media_code", "device")
AD_REPORT = Table(
    "ad_stats_daily",
    (
        *_HEAD,
        _c("impressions", "Impression", pa.int64(), _count, True),
        _c("clicks", "Click", pa.int64(), _count, True),
        _c("cost", "Cost", MONEY, _money, True),
        _c("rank_sum", "Sum of AD rank", pa.int64(), _count),
        _c("view_count", "View count", pa.int64(), _count),
    ),
    _GRAIN,
)
AD_CONVERSION_REPORT = Table(
    "ad_conversion_stats_daily",
    (
        *_HEAD,
        _c("conversion_method", "Conversion Method", pa.int64(), _count, True),
        _c("conversion_type", "Conversion Type", pa.string(), _text, True),
        _c("conversions", "Conversion count", pa.int64(), _count, True),
        _c("sales_amount", "Sales by conversion", MONEY, _money),
    ),
    (*_GRAIN, "conversion_method", "conversion_type"),
)
REPORTS = {"AD": AD_REPORT, "AD_CONVERSION": AD_CONVERSION_REPORT}
#: A re-pulled customer-day replaces the whole customer-day.
DAILY_MERGE_KEY = ("customer_id", "stat_date")


def _lookup(row: dict[str, Any], key: str) -> Any:
    value: Any = row
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _build(
    table: Table, records: Sequence[Sequence[Any]], customer_id: str, loaded_at: datetime
) -> pa.Table:
    data: dict[str, list[Any]] = {"customer_id": [customer_id] * len(records)}
    for i, column in enumerate(table.columns):
        data[column.name] = [r[i] for r in records]
    data["_loaded_at"] = [loaded_at] * len(records)
    return pa.Table.from_pydict(data, schema=table.schema())


def entities_to_table(
    rows: Sequence[dict[str, Any]], table: Table, customer_id: str, loaded_at: datetime
) -> pa.Table:
    """Naver's JSON objects to a table; a bad value names the object and the field."""
    records = []
    for row in rows:
        record = []
        for column in table.columns:
            raw = _lookup(row, column.key)
            what = f"customer {customer_id} {table.name} {row.get(table.columns[0].key)!r}"
            try:
                value = column.parse(raw)
            except ValueError as exc:
                raise SourceDataError(
                    SOURCE, f"field {column.key}: {exc}", record=what, hint=_DATA_HINT
                ) from None
            if value is None and column.required:
                raise SourceDataError(
                    SOURCE, f"field {column.key} is missing", record=what, hint=_DATA_HINT
                )
            record.append(value)
        records.append(record)
    return _build(table, records, customer_id, loaded_at)


_DATA_HINT = (
    "the API answered something ARGO does not expect; nothing of this run was loaded. "
    "Report it with the record above"
)


def report_to_table(
    text: str, report_type: str, customer_id: str, stat_date: date, loaded_at: datetime
) -> pa.Table:
    """A report's TSV (no header row) to a table.

    A line with the wrong number of fields, a value that does not parse, a row of another
    customer or day stops the run with the line number and the value named.
    """
    table = REPORTS[report_type]
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        what = f"customer {customer_id} {report_type} report for {stat_date:%Y%m%d}, line {number}"
        if len(fields) != len(table.columns):
            raise SourceDataError(
                SOURCE,
                f"{len(fields)} fields where the {report_type} report has {len(table.columns)}",
                record=what,
                hint="Naver may have changed the report layout; check the source README",
            )
        record = []
        for column, raw in zip(table.columns, fields, strict=True):
            try:
                value = column.parse(raw)
            except ValueError as exc:
                raise SourceDataError(
                    SOURCE, f"column {column.key!r}: {exc}", record=what, hint=_DATA_HINT
                ) from None
            if value is None and column.required:
                raise SourceDataError(
                    SOURCE, f"column {column.key!r} is empty", record=what, hint=_DATA_HINT
                )
            record.append(value)
        if record[0] != stat_date or record[1] != customer_id:
            raise SourceDataError(
                SOURCE,
                f"row of customer {record[1]} on {record[0]} in the report asked for "
                f"customer {customer_id} on {stat_date}",
                record=what,
                hint=_DATA_HINT,
            )
        records.append(record)
    return _build(table, records, customer_id, loaded_at)


def empty(table: Table, loaded_at: datetime) -> pa.Table:
    """An empty table of ``table``'s schema (so the table exists after the first run)."""
    return _build(table, [], "", loaded_at)
