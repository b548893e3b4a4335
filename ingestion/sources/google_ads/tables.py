"""GAQL rows to Arrow tables with explicit schemas.

Each table is declared once as columns ``(name, GAQL field, Arrow type, parser, required,
default)``: the GAQL ``SELECT`` list is derived from it, and every answer row (proto3 JSON:
nested camelCase objects, int64 as strings, doubles as numbers) is flattened, parsed and
checked here, so a malformed record stops the run before anything is loaded, with an error
naming the record and field.

Proto3 JSON leaves out a field that holds its default value, so an absent metric is 0 (a
row with impressions and no click has no ``clicks``, ``costMicros``, ``conversions``) and an
absent boolean is false: those columns carry a ``default``. The fields that identify a row
(ids, resource names, ``segments.date``, the conversion action) are ``required``: Google
always sends them for the queries ARGO asks, so their absence stops the run.

Money: Google reports cost in micros (int64). ``cost_micros`` is kept raw and ``cost`` is the
same amount in the account currency's major units as ``decimal(18,6)``, which holds any
micros value exactly. Conversion values arrive as doubles in major units and are kept as
``decimal(18,6)`` (from the double's shortest decimal representation).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from ingestion.sources.errors import SourceDataError, describe_record

SOURCE = "google_ads"
MONEY = pa.decimal128(18, 6)
TIMESTAMP = pa.timestamp("us", tz="UTC")
MICROS = Decimal(1_000_000)
SIX_PLACES = Decimal("0.000001")

Parser = Callable[[Any], Any]


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _count(value: Any) -> int | None:
    """An int64 (sent as a JSON string) that cannot be negative."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not an integer: {value!r}")
    number = int(str(value))
    if number < 0:
        raise ValueError(f"negative count {value!r}")
    return number


def _double(value: Any) -> float | None:
    """A double (JSON number) that cannot be negative or NaN (conversions)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    number = float(value)
    if number < 0 or number != number:
        raise ValueError(f"negative or NaN number {value!r}")
    return number


def _decimal(value: Any) -> Decimal | None:
    """A money double (major units) as an exact decimal of its shortest representation."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    try:
        amount = Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"negative or not finite amount {value!r}")
    return amount.quantize(SIX_PLACES)


def _micros_to_money(value: Any) -> Decimal | None:
    """``cost_micros`` -> the amount in major units, exactly (1,234,560,000 -> 1234.56)."""
    micros = _count(value)
    return None if micros is None else (Decimal(micros) / MICROS).quantize(SIX_PLACES)


def _bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    raise ValueError(f"not a boolean: {value!r}")


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    return date.fromisoformat(str(value))


def _day_of(value: Any) -> date | None:
    """The date of Google's ``yyyy-MM-dd HH:mm:ss`` (customer time zone)."""
    if value is None or value == "":
        return None
    return date.fromisoformat(str(value)[:10])


def _resource_id(value: Any) -> str | None:
    """The last id of a resource name: ``customers/1/conversionActions/42`` -> ``42``."""
    if value is None or value == "":
        return None
    text = str(value)
    last = text.rsplit("/", 1)[-1]
    if not last:
        raise ValueError(f"not a resource name: {value!r}")
    return last


@dataclass(frozen=True)
class Column:
    """One column: its name, GAQL field, type, parser, whether required, its default.

    ``field`` ``None`` means the column is filled by the source (the customer id asked for).
    ``default`` is the value of an absent field (proto3 JSON leaves default values out):
    0 for metrics, false for booleans; ``None`` keeps an absent field null.
    """

    name: str
    field: str | None
    type: pa.DataType
    parse: Parser
    required: bool = False
    default: Any = None

    @property
    def nullable(self) -> bool:
        """Whether the column can be null (neither required nor defaulted)."""
        return not self.required and self.default is None


@dataclass(frozen=True)
class Table:
    """A raw table: name, GAQL resource, columns, primary key and WHERE conditions."""

    name: str
    resource: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    where: tuple[str, ...] = ()
    daily: bool = False

    def select(self) -> list[str]:
        """The GAQL fields to select (each once, in column order)."""
        fields: list[str] = []
        for column in self.columns:
            if column.field and column.field not in fields:
                fields.append(column.field)
        return fields

    def query(self, since: date | None = None, until: date | None = None) -> str:
        """The GAQL query of this table (daily tables: for ``since``..``until``)."""
        conditions = list(self.where)
        if self.daily:
            if since is None or until is None:
                raise ValueError(f"{self.name} is daily: give since and until")
            conditions.insert(0, f"segments.date BETWEEN '{since}' AND '{until}'")
        text = f"SELECT {', '.join(self.select())} FROM {self.resource}"
        if conditions:
            text += " WHERE " + " AND ".join(conditions)
        return text

    def schema(self) -> pa.Schema:
        """The Arrow schema, with ``_loaded_at`` appended."""
        fields = [pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns]
        return pa.schema([*fields, pa.field("_loaded_at", TIMESTAMP, nullable=False)])


def _id(name: str, field: str, required: bool = True) -> Column:
    return Column(name, field, pa.string(), _text, required)


CUSTOMER_ID = Column("customer_id", None, pa.string(), _text, True)
ZERO_MONEY = Decimal(0).quantize(SIX_PLACES)
METRICS = (
    Column("impressions", "metrics.impressions", pa.int64(), _count, default=0),
    Column("clicks", "metrics.clicks", pa.int64(), _count, default=0),
    Column("cost_micros", "metrics.cost_micros", pa.int64(), _count, default=0),
    Column("cost", "metrics.cost_micros", MONEY, _micros_to_money, default=ZERO_MONEY),
)
CONVERSION_METRICS = (
    Column("conversions", "metrics.conversions", pa.float64(), _double, default=0.0),
    Column("conversions_value", "metrics.conversions_value", MONEY, _decimal, default=ZERO_MONEY),
    Column("all_conversions", "metrics.all_conversions", pa.float64(), _double, default=0.0),
    Column(
        "all_conversions_value",
        "metrics.all_conversions_value",
        MONEY,
        _decimal,
        default=ZERO_MONEY,
    ),
)
CONVERSION_SEGMENTS = (
    Column("conversion_action_id", "segments.conversion_action", pa.string(), _resource_id, True),
    Column(
        "conversion_action_category",
        "segments.conversion_action_category",
        pa.string(),
        _text,
        True,
    ),
    Column("conversion_action_name", "segments.conversion_action_name", pa.string(), _text),
)
DATE = Column("segments_date", "segments.date", pa.date32(), _day, True)

CUSTOMERS = Table(
    "customers",
    "customer",
    (
        Column("customer_id", "customer.id", pa.string(), _text, True),
        Column("descriptive_name", "customer.descriptive_name", pa.string(), _text),
        Column("currency_code", "customer.currency_code", pa.string(), _text, True),
        Column("time_zone", "customer.time_zone", pa.string(), _text, True),
        Column("manager", "customer.manager", pa.bool_(), _bool, default=False),
        Column("test_account", "customer.test_account", pa.bool_(), _bool, default=False),
        Column("status", "customer.status", pa.string(), _text),
    ),
    ("customer_id",),
)
CAMPAIGNS = Table(
    "campaigns",
    "campaign",
    (
        CUSTOMER_ID,
        _id("campaign_id", "campaign.id"),
        Column("name", "campaign.name", pa.string(), _text),
        Column("status", "campaign.status", pa.string(), _text),
        Column("advertising_channel_type", "campaign.advertising_channel_type", pa.string(), _text),
        Column("bidding_strategy_type", "campaign.bidding_strategy_type", pa.string(), _text),
        Column("start_date", "campaign.start_date_time", pa.date32(), _day_of),
        Column("end_date", "campaign.end_date_time", pa.date32(), _day_of),
        Column("budget_amount_micros", "campaign_budget.amount_micros", pa.int64(), _count),
    ),
    ("campaign_id",),
)
AD_GROUPS = Table(
    "ad_groups",
    "ad_group",
    (
        CUSTOMER_ID,
        _id("ad_group_id", "ad_group.id"),
        _id("campaign_id", "campaign.id"),
        Column("name", "ad_group.name", pa.string(), _text),
        Column("status", "ad_group.status", pa.string(), _text),
        Column("type", "ad_group.type", pa.string(), _text),
    ),
    ("ad_group_id",),
)
ADS = Table(
    "ads",
    "ad_group_ad",
    (
        CUSTOMER_ID,
        _id("ad_id", "ad_group_ad.ad.id"),
        _id("ad_group_id", "ad_group.id"),
        _id("campaign_id", "campaign.id"),
        Column("name", "ad_group_ad.ad.name", pa.string(), _text),
        Column("type", "ad_group_ad.ad.type", pa.string(), _text),
        Column("status", "ad_group_ad.status", pa.string(), _text),
    ),
    ("ad_group_id", "ad_id"),
)
KEYWORDS = Table(
    "keywords",
    "ad_group_criterion",
    (
        CUSTOMER_ID,
        _id("criterion_id", "ad_group_criterion.criterion_id"),
        _id("ad_group_id", "ad_group.id"),
        _id("campaign_id", "campaign.id"),
        Column("keyword_text", "ad_group_criterion.keyword.text", pa.string(), _text, True),
        Column("match_type", "ad_group_criterion.keyword.match_type", pa.string(), _text),
        Column("status", "ad_group_criterion.status", pa.string(), _text),
        Column("negative", "ad_group_criterion.negative", pa.bool_(), _bool, default=False),
        Column("cpc_bid_micros", "ad_group_criterion.cpc_bid_micros", pa.int64(), _count),
    ),
    ("ad_group_id", "criterion_id"),
    where=("ad_group_criterion.type = KEYWORD",),
)
_AD_KEYS = (
    CUSTOMER_ID,
    DATE,
    _id("campaign_id", "campaign.id"),
    _id("ad_group_id", "ad_group.id"),
    _id("ad_id", "ad_group_ad.ad.id"),
)
_KEYWORD_KEYS = (
    CUSTOMER_ID,
    DATE,
    _id("campaign_id", "campaign.id"),
    _id("ad_group_id", "ad_group.id"),
    _id("criterion_id", "ad_group_criterion.criterion_id"),
)
AD_PERFORMANCE = Table(
    "ad_performance_daily",
    "ad_group_ad",
    (*_AD_KEYS, *METRICS, *CONVERSION_METRICS),
    ("customer_id", "ad_group_id", "ad_id", "segments_date"),
    daily=True,
)
AD_CONVERSIONS = Table(
    "ad_conversions_daily",
    "ad_group_ad",
    (*_AD_KEYS, *CONVERSION_SEGMENTS, *CONVERSION_METRICS),
    ("customer_id", "ad_group_id", "ad_id", "segments_date", "conversion_action_id"),
    daily=True,
)
KEYWORD_PERFORMANCE = Table(
    "keyword_performance_daily",
    "keyword_view",
    (*_KEYWORD_KEYS, *METRICS, *CONVERSION_METRICS),
    ("customer_id", "ad_group_id", "criterion_id", "segments_date"),
    daily=True,
)
KEYWORD_CONVERSIONS = Table(
    "keyword_conversions_daily",
    "keyword_view",
    (*_KEYWORD_KEYS, *CONVERSION_SEGMENTS, *CONVERSION_METRICS),
    ("customer_id", "ad_group_id", "criterion_id", "segments_date", "conversion_action_id"),
    daily=True,
)
ENTITY_TABLES = (CAMPAIGNS, AD_GROUPS, ADS, KEYWORDS)
DAILY_TABLES = (AD_PERFORMANCE, AD_CONVERSIONS, KEYWORD_PERFORMANCE, KEYWORD_CONVERSIONS)
#: The merge key of every daily table: a re-pulled day replaces the whole customer-day.
DAILY_MERGE_KEY = ("customer_id", "segments_date")


@functools.cache
def json_path(gaql_field: str) -> tuple[str, ...]:
    """The JSON keys of a GAQL field: ``campaign.start_date_time`` -> campaign, startDateTime."""
    keys = []
    for part in gaql_field.split("."):
        head, *rest = part.split("_")
        keys.append(head + "".join(p[:1].upper() + p[1:] for p in rest))
    return tuple(keys)


def lookup(row: dict[str, Any], gaql_field: str) -> Any:
    """The value of ``campaign.start_date_time`` in ``{"campaign": {"startDateTime": ...}}``."""
    return _walk(row, json_path(gaql_field))


def _walk(row: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = row
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


#: A table's columns with the JSON path of each (``None``: filled by the source).
Plan = tuple[tuple[Column, tuple[str, ...] | None], ...]


@functools.cache
def plan(table: Table) -> Plan:
    """Each column with its JSON path, computed once per table (not per row)."""
    return tuple((c, json_path(c.field) if c.field else None) for c in table.columns)


def to_table(
    rows: Sequence[dict[str, Any]],
    table: Table,
    *,
    customer_id: str,
    loaded_at: datetime,
) -> pa.Table:
    """Parses GAQL result rows into an Arrow table of ``table``'s columns.

    An absent field takes its column's default (proto3 JSON leaves default values out: an
    absent metric is 0); an absent required field (what identifies the row) is an error.

    Args:
        rows: ``results`` of a search page or searchStream batch.
        table: The table's declaration.
        customer_id: The customer the rows were asked of (fills ``customer_id``).
        loaded_at: Extraction time written to ``_loaded_at``.

    Raises:
        SourceDataError: A required field is missing or a value cannot be parsed.
    """
    columns = plan(table)
    values: list[list[Any]] = [[] for _ in columns]
    for row in rows:
        if not isinstance(row, dict):
            raise SourceDataError(
                SOURCE,
                f"{table.name}: a result row is not a JSON object ({row!r:.80})",
                record=f"customer {customer_id}, {table.name} FROM {table.resource}",
                hint="the API answer is malformed; nothing was loaded by this run. Run again; "
                "report it to Google Ads API support if it persists",
            )
        for slot, (column, path) in zip(values, columns, strict=True):
            raw = customer_id if path is None else _walk(row, path)
            try:
                value = column.parse(raw)
            except (ValueError, TypeError) as exc:
                raise SourceDataError(
                    SOURCE,
                    f"{table.name}: field '{column.field}' has a bad value ({exc})",
                    record=_describe(row, table, customer_id),
                    hint="the API answer is malformed; nothing was loaded by this run. "
                    "Report it with the record above if it persists",
                ) from None
            if value is None:
                if column.default is not None:
                    value = column.default
                elif column.required:
                    raise SourceDataError(
                        SOURCE,
                        f"{table.name}: a row has no '{column.field}', which identifies it "
                        f"(JSON key {'.'.join(path or ())})",
                        record=_describe(row, table, customer_id),
                        hint="Google sends this field in every row of this query, so the "
                        "answer is malformed (a proxy in between, or an API change); nothing "
                        "was loaded by this run. Run again; if it persists, check base_url "
                        "names the API version this connector documents and report the "
                        "record to Google Ads API support",
                    )
            slot.append(value)
    arrays = [pa.array(v, type=c.type) for v, (c, _) in zip(values, columns, strict=True)]
    arrays.append(pa.array([loaded_at] * len(rows), type=TIMESTAMP))
    return pa.Table.from_arrays(arrays, schema=table.schema())


def _describe(row: dict[str, Any], table: Table, customer_id: str) -> str:
    """``customer 1, ad_performance_daily FROM ad_group_ad: segments_date=..., ad_id=?``."""
    known = {}
    keys = []
    for column, path in plan(table):
        if not column.required or path is None:
            continue
        keys.append(column.name)
        value = _walk(row, path)
        if value is not None and value != "":
            known[column.name] = value
    head = f"customer {customer_id}, {table.name} FROM {table.resource}"
    return f"{head}: {describe_record(known, tuple(keys))}" if keys else head
