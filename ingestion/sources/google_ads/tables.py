"""GAQL rows to Arrow tables with explicit schemas.

Each table is declared once as :class:`~ingestion.sources.arrow.Column` s read from GAQL
fields (:func:`column`: name, GAQL field, Arrow type, parser, required, default): the GAQL
``SELECT`` list is derived from it, and every answer row (proto3 JSON: nested camelCase
objects, int64 as strings, doubles as numbers) is flattened, parsed and checked by
:func:`ingestion.sources.arrow.to_table`, so a malformed record stops the run before
anything is loaded, with an error naming the record and field.

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
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ingestion.sources import arrow
from ingestion.sources.errors import SourceDataError, describe_record

SOURCE = "google_ads"
MONEY = pa.decimal128(18, 6)
MICROS = Decimal(1_000_000)
SIX_PLACES = Decimal("0.000001")
STRING = pa.string()


def _micros_to_money(value: Any) -> Decimal | None:
    """``cost_micros`` -> the amount in major units, exactly (1,234,560,000 -> 1234.56)."""
    micros = arrow.count(value)
    return None if micros is None else (Decimal(micros) / MICROS).quantize(SIX_PLACES)


_counts = arrow.vectorised(arrow.count)


def _micros_to_money_page(values: Any) -> pa.Array | None:
    """:func:`_micros_to_money` of a page: the micros are the six-place decimal's digits."""
    micros = _counts(values) if _counts is not None else None
    if micros is None:
        return None
    try:  # int64 -> decimal(38,0) -> decimal(18,0): refuses 10^18 micros or more
        digits = pc.cast(pc.cast(micros, pa.decimal128(38, 0)), pa.decimal128(18, 0))
    except pa.ArrowInvalid:
        return None
    return digits.view(MONEY)


arrow.vectorise(_micros_to_money, _micros_to_money_page)


def _resource_id(value: Any) -> str | None:
    """The last id of a resource name: ``customers/1/conversionActions/42`` -> ``42``."""
    if value is None or value == "":
        return None
    text = str(value)
    last = text.rsplit("/", 1)[-1]
    if not last:
        raise ValueError(f"not a resource name: {value!r}")
    return last


def _resource_ids(values: Any) -> pa.Array | None:
    """:func:`_resource_id` of a page of resource names sent as text (else ``None``)."""
    if isinstance(values, pa.Array):
        found = values
    else:
        try:
            found = pa.array(values, type=STRING)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None
    if pa.types.is_null(found.type):
        return pa.nulls(len(found), STRING)
    if not pa.types.is_string(found.type):
        return None
    found = pc.if_else(pc.equal(found, ""), pa.scalar(None, STRING), found)
    last = pc.replace_substring_regex(found, pattern="(?s)^.*/", replacement="")
    return last if arrow.all_true(pc.not_equal(last, "")) else None  # "a/": one at a time


arrow.vectorise(_resource_id, _resource_ids)


def _first(value: Any) -> str | None:
    """The first item of a repeated string (``final_urls``); absent or empty: null."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise ValueError(f"not a list of strings: {value!r:.60}")
    return arrow.text(value[0]) if value else None


@functools.cache
def json_path(gaql_field: str) -> tuple[str, ...]:
    """The JSON keys of a GAQL field: ``campaign.start_date_time`` -> campaign, startDateTime."""
    keys = []
    for part in gaql_field.split("."):
        head, *rest = part.split("_")
        keys.append(head + "".join(p[:1].upper() + p[1:] for p in rest))
    return tuple(keys)


def column(
    name: str,
    field: str,
    type_: pa.DataType = STRING,
    parse: arrow.Parser = arrow.text,
    *,
    required: bool = False,
    default: Any = None,
) -> arrow.Column:
    """A column read from a GAQL field (``key``; its JSON path in camelCase).

    ``default`` is the value of an absent field (proto3 JSON leaves default values out):
    0 for metrics, false for booleans; ``None`` keeps an absent field null.
    """
    return arrow.Column(
        name, type_, parse, required, key=field, path=json_path(field), default=default
    )


def _id(name: str, field: str) -> arrow.Column:
    return column(name, field, required=True)


@dataclass(frozen=True, kw_only=True)
class Table(arrow.Table):
    """A raw table read with one GAQL query: its resource, WHERE conditions, daily or not."""

    resource: str
    where: tuple[str, ...] = ()
    daily: bool = False

    def select(self) -> list[str]:
        """The GAQL fields to select (each once, in column order)."""
        return list(dict.fromkeys(c.key for c in self.columns if not c.filled))

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

    def missing_value(self, column: arrow.Column, record: str) -> SourceDataError:
        """A row without a field that identifies it: Google always sends those."""
        return self.error(
            f"a row has no '{column.key}', which identifies it (JSON key {'.'.join(column.path)})",
            record,
            "Google sends this field in every row of this query, so the answer is malformed (a "
            "proxy in between, or an API change); nothing was loaded by this run. Run again; "
            "if it persists, check base_url names the API version this connector documents "
            "and report the record to Google Ads API support",
        )

    def describe(self, customer_id: str) -> arrow.Describe:
        """Names a row: ``customer 1, ad_performance_daily FROM ad_group_ad: ad_id=...``."""
        head = f"customer {customer_id}, {self.name} FROM {self.resource}"
        keys = [c for c in self.columns if c.required and not c.filled]
        if not keys:
            return lambda _, __: head

        def record(_: int, row: Any) -> str:
            known = {}
            for key in keys:
                value: Any = row
                for step in key.path:
                    value = value.get(step) if isinstance(value, dict) else None
                if value is not None and value != "":
                    known[key.name] = value
            return f"{head}: {describe_record(known, tuple(k.name for k in keys))}"

        return record

    def to_arrow(self, rows: Any, *, customer_id: str, loaded_at: datetime) -> pa.Table:
        """GAQL result rows (a search page or searchStream batch) as an Arrow table.

        An absent field takes its column's default (proto3 JSON leaves default values
        out: an absent metric is 0); an absent required field (what identifies the row)
        is an error.

        Raises:
            SourceDataError: A required field is missing or a value cannot be parsed.
        """
        return arrow.to_table(
            rows,
            self,
            loaded_at=loaded_at,
            filled={"customer_id": customer_id},
            record=self.describe(customer_id),
        )


def table(name: str, resource: str, columns: tuple[arrow.Column, ...], **kw: Any) -> Table:
    """A GAQL table of this source."""
    return Table(source=SOURCE, name=name, columns=columns, resource=resource, **kw)


CUSTOMER_ID = arrow.Column("customer_id", STRING, required=True, filled=True)
ZERO_MONEY = Decimal(0).quantize(SIX_PLACES)
_money = arrow.money(6)
METRICS = (
    column("impressions", "metrics.impressions", pa.int64(), arrow.count, default=0),
    column("clicks", "metrics.clicks", pa.int64(), arrow.count, default=0),
    column("cost_micros", "metrics.cost_micros", pa.int64(), arrow.count, default=0),
    column("cost", "metrics.cost_micros", MONEY, _micros_to_money, default=ZERO_MONEY),
)
CONVERSION_METRICS = (
    column("conversions", "metrics.conversions", pa.float64(), arrow.float_count, default=0.0),
    column("conversions_value", "metrics.conversions_value", MONEY, _money, default=ZERO_MONEY),
    column(
        "all_conversions", "metrics.all_conversions", pa.float64(), arrow.float_count, default=0.0
    ),
    column(
        "all_conversions_value",
        "metrics.all_conversions_value",
        MONEY,
        _money,
        default=ZERO_MONEY,
    ),
)
CONVERSION_SEGMENTS = (
    column(
        "conversion_action_id",
        "segments.conversion_action",
        STRING,
        _resource_id,
        required=True,
    ),
    column("conversion_action_category", "segments.conversion_action_category", required=True),
    column("conversion_action_name", "segments.conversion_action_name"),
)
DATE = column("segments_date", "segments.date", pa.date32(), arrow.day, required=True)

CUSTOMERS = table(
    "customers",
    "customer",
    (
        _id("customer_id", "customer.id"),
        column("descriptive_name", "customer.descriptive_name"),
        column("currency_code", "customer.currency_code", required=True),
        column("time_zone", "customer.time_zone", required=True),
        column("manager", "customer.manager", pa.bool_(), arrow.boolean, default=False),
        column("test_account", "customer.test_account", pa.bool_(), arrow.boolean, default=False),
        column("status", "customer.status"),
    ),
    primary_key=("customer_id",),
)
CAMPAIGNS = table(
    "campaigns",
    "campaign",
    (
        CUSTOMER_ID,
        _id("campaign_id", "campaign.id"),
        column("name", "campaign.name"),
        column("status", "campaign.status"),
        column("advertising_channel_type", "campaign.advertising_channel_type"),
        column("bidding_strategy_type", "campaign.bidding_strategy_type"),
        column("start_date", "campaign.start_date_time", pa.date32(), arrow.day),
        column("end_date", "campaign.end_date_time", pa.date32(), arrow.day),
        column("budget_amount_micros", "campaign_budget.amount_micros", pa.int64(), arrow.count),
    ),
    primary_key=("campaign_id",),
)
AD_GROUPS = table(
    "ad_groups",
    "ad_group",
    (
        CUSTOMER_ID,
        _id("ad_group_id", "ad_group.id"),
        _id("campaign_id", "campaign.id"),
        column("name", "ad_group.name"),
        column("status", "ad_group.status"),
        column("type", "ad_group.type"),
    ),
    primary_key=("ad_group_id",),
)
ADS = table(
    "ads",
    "ad_group_ad",
    (
        CUSTOMER_ID,
        _id("ad_id", "ad_group_ad.ad.id"),
        _id("ad_group_id", "ad_group.id"),
        _id("campaign_id", "campaign.id"),
        column("name", "ad_group_ad.ad.name"),
        column("type", "ad_group_ad.ad.type"),
        column("status", "ad_group_ad.status"),
        #: The first of ``final_urls`` is the landing page (absent: the ad has none).
        column("final_url", "ad_group_ad.ad.final_urls", parse=_first),
    ),
    primary_key=("ad_group_id", "ad_id"),
)
KEYWORDS = table(
    "keywords",
    "ad_group_criterion",
    (
        CUSTOMER_ID,
        _id("criterion_id", "ad_group_criterion.criterion_id"),
        _id("ad_group_id", "ad_group.id"),
        _id("campaign_id", "campaign.id"),
        column("keyword_text", "ad_group_criterion.keyword.text", required=True),
        column("match_type", "ad_group_criterion.keyword.match_type"),
        column("status", "ad_group_criterion.status"),
        column("negative", "ad_group_criterion.negative", pa.bool_(), arrow.boolean, default=False),
        column("cpc_bid_micros", "ad_group_criterion.cpc_bid_micros", pa.int64(), arrow.count),
    ),
    primary_key=("ad_group_id", "criterion_id"),
    where=("ad_group_criterion.type = KEYWORD",),
)


def _daily(level: str, resource: str, row: arrow.Column) -> tuple[Table, Table]:
    """The daily performance and conversions tables of one level (ads or keywords).

    A row of either is one ``row`` (ad or keyword criterion) of an ad group on one day; a
    conversions row is also one conversion action.
    """
    keys = (
        CUSTOMER_ID,
        DATE,
        _id("campaign_id", "campaign.id"),
        _id("ad_group_id", "ad_group.id"),
        row,
    )
    grain = ("customer_id", "ad_group_id", row.name, "segments_date")
    return (
        table(
            f"{level}_performance_daily",
            resource,
            (*keys, *METRICS, *CONVERSION_METRICS),
            primary_key=grain,
            daily=True,
        ),
        table(
            f"{level}_conversions_daily",
            resource,
            (*keys, *CONVERSION_SEGMENTS, *CONVERSION_METRICS),
            primary_key=(*grain, "conversion_action_id"),
            daily=True,
        ),
    )


AD_PERFORMANCE, AD_CONVERSIONS = _daily("ad", "ad_group_ad", _id("ad_id", "ad_group_ad.ad.id"))
KEYWORD_PERFORMANCE, KEYWORD_CONVERSIONS = _daily(
    "keyword", "keyword_view", _id("criterion_id", "ad_group_criterion.criterion_id")
)
ENTITY_TABLES = (CAMPAIGNS, AD_GROUPS, ADS, KEYWORDS)
DAILY_TABLES = (AD_PERFORMANCE, AD_CONVERSIONS, KEYWORD_PERFORMANCE, KEYWORD_CONVERSIONS)
#: The merge key of every daily table: a re-pulled day replaces the whole customer-day.
DAILY_MERGE_KEY = ("customer_id", "segments_date")
