"""Naver entities (JSON) and stat reports (TSV) to Arrow tables with explicit schemas.

Every table starts with the ``customer_id`` it was read for. Entities are JSON objects
(``nccCampaignId``, ``ad.headline``); stat reports are TSV without a header row, so their
columns are declared in Naver's order. Values are parsed by
:func:`ingestion.sources.arrow.to_table`: a malformed one stops the run naming the record
(the customer and the object, or the report and its line) and the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pyarrow as pa

from ingestion.sources import arrow
from ingestion.sources.arrow import TIMESTAMP, Column

SOURCE = "naver_searchad"
MONEY = pa.decimal128(18, 4)
STRING = pa.string()
BOOL = pa.bool_()
_DATA_HINT = (
    "the API answered something ARGO does not expect; nothing of this run was loaded. "
    "Report it with the record above"
)
CUSTOMER_ID = Column("customer_id", STRING, required=True, filled=True)
_money = arrow.money(4)


def _c(
    name: str,
    key: str,
    type_: pa.DataType = STRING,
    parse: arrow.Parser = arrow.text,
    req: bool = False,
) -> Column:
    return Column(name, type_, parse, req, key=key)


def table(name: str, columns: tuple[Column, ...], primary_key: tuple[str, ...]) -> arrow.Table:
    """A table of this source: ``customer_id`` first."""
    return arrow.Table(
        SOURCE,
        name,
        (CUSTOMER_ID, *columns),
        primary_key,
        hint=_DATA_HINT,
        missing_hint=_DATA_HINT,
    )


_STATE = (
    _c("user_lock", "userLock", BOOL, arrow.boolean),
    _c("status", "status"),
)
_TIMES = (
    _c("deleted", "delFlag", BOOL, arrow.boolean),
    _c("registered_at", "regTm", TIMESTAMP, arrow.timestamp),
    _c("edited_at", "editTm", TIMESTAMP, arrow.timestamp),
)
_BUDGET = (
    _c("status_reason", "statusReason"),
    _c("use_daily_budget", "useDailyBudget", BOOL, arrow.boolean),
    _c("daily_budget", "dailyBudget", MONEY, _money),
)
CAMPAIGNS = table(
    "campaigns",
    (
        _c("campaign_id", "nccCampaignId", req=True),
        _c("name", "name"),
        _c("campaign_type", "campaignTp"),
        _c("delivery_method", "deliveryMethod"),
        *_STATE,
        *_BUDGET,
        *_TIMES,
    ),
    ("campaign_id",),
)
AD_GROUPS = table(
    "ad_groups",
    (
        _c("ad_group_id", "nccAdgroupId", req=True),
        _c("campaign_id", "nccCampaignId", req=True),
        _c("name", "name"),
        _c("ad_group_type", "adgroupType"),
        _c("bid_amount", "bidAmt", MONEY, _money),
        *_STATE,
        *_BUDGET,
        *_TIMES,
    ),
    ("ad_group_id",),
)
KEYWORDS = table(
    "keywords",
    (
        _c("keyword_id", "nccKeywordId", req=True),
        _c("ad_group_id", "nccAdgroupId", req=True),
        _c("campaign_id", "nccCampaignId"),
        _c("keyword", "keyword", req=True),
        _c("bid_amount", "bidAmt", MONEY, _money),
        _c("use_group_bid_amount", "useGroupBidAmt", BOOL, arrow.boolean),
        *_STATE,
        _c("inspect_status", "inspectStatus"),
        *_TIMES,
    ),
    ("keyword_id",),
)
ADS = table(
    "ads",
    (
        _c("ad_id", "nccAdId", req=True),
        _c("ad_group_id", "nccAdgroupId", req=True),
        _c("ad_type", "type"),
        _c("headline", "ad.headline"),
        _c("description", "ad.description"),
        _c("pc_final_url", "ad.pc.final"),
        _c("mobile_final_url", "ad.mobile.final"),
        *_STATE,
        _c("inspect_status", "inspectStatus"),
        *_TIMES,
    ),
    ("ad_id",),
)
ENTITY_TABLES = (CAMPAIGNS, AD_GROUPS, KEYWORDS, ADS)
#: ``GET /ad-accounts`` (AdAccounts: list): the customer id is the account's
#: ``masterCustomerId``, not the customer the request was signed for.
AD_ACCOUNTS = arrow.Table(
    SOURCE,
    "ad_accounts",
    (
        Column("customer_id", STRING, arrow.text, True, key="adAccount.masterCustomerId"),
        _c("ad_account_no", "adAccountNo", req=True),
        _c("ad_account_name", "adAccount.name"),
        _c("role_name", "roleName"),
        _c("currency", "adAccount.currency"),
        _c("timezone_id", "adAccount.timezoneId"),
        _c("disabled", "adAccount.disabled", BOOL, arrow.boolean),
        _c("deleted", "adAccount.deleted", BOOL, arrow.boolean),
        _c("created_at", "adAccount.createdAt", TIMESTAMP, arrow.timestamp),
        _c("updated_at", "adAccount.updatedAt", TIMESTAMP, arrow.timestamp),
    ),
    ("customer_id",),
    hint=_DATA_HINT,
    missing_hint=_DATA_HINT,
)

#: The first nine columns of both reports (Naver's TSV has no header row).
_HEAD = (
    _c("stat_date", "Date", pa.date32(), arrow.compact_day, True),
    _c("report_customer_id", "CUSTOMER ID", req=True),
    _c("campaign_id", "Campaign ID", req=True),
    _c("ad_group_id", "AD Group ID", req=True),
    _c("keyword_id", "AD keyword ID", req=True),
    _c("ad_id", "AD ID", req=True),
    _c("business_channel_id", "Business Channel ID"),
    _c("media_code", "Media code", req=True),
    _c("device", "PC Mobile Type", req=True),
)
_GRAIN = ("customer_id", "stat_date", "ad_group_id", "keyword_id", "ad_id", "media_code", "device")
AD_REPORT = table(
    "ad_stats_daily",
    (
        *_HEAD,
        _c("impressions", "Impression", pa.int64(), arrow.count, True),
        _c("clicks", "Click", pa.int64(), arrow.count, True),
        _c("cost", "Cost", MONEY, _money, True),
        _c("rank_sum", "Sum of AD rank", pa.int64(), arrow.count),
        _c("view_count", "View count", pa.int64(), arrow.count),
    ),
    _GRAIN,
)
AD_CONVERSION_REPORT = table(
    "ad_conversion_stats_daily",
    (
        *_HEAD,
        _c("conversion_method", "Conversion Method", pa.int64(), arrow.count, True),
        _c("conversion_type", "Conversion Type", req=True),
        _c("conversions", "Conversion count", pa.int64(), arrow.count, True),
        _c("sales_amount", "Sales by conversion", MONEY, _money),
    ),
    (*_GRAIN, "conversion_method", "conversion_type"),
)
REPORTS = {"AD": AD_REPORT, "AD_CONVERSION": AD_CONVERSION_REPORT}
#: A re-pulled customer-day replaces the whole customer-day.
DAILY_MERGE_KEY = ("customer_id", "stat_date")


def entities_to_table(
    rows: Sequence[dict[str, Any]], table: arrow.Table, customer_id: str, loaded_at: datetime
) -> pa.Table:
    """Naver's JSON objects to a table; a bad value names the object and the field."""
    first = table.columns[1].key

    def record(_: int, row: Any) -> str:
        return f"customer {customer_id} {table.name} {row.get(first)!r}"

    return arrow.to_table(
        rows, table, loaded_at=loaded_at, filled={"customer_id": customer_id}, record=record
    )


def ad_accounts_to_table(
    rows: Sequence[dict[str, Any]], page: int, loaded_at: datetime
) -> pa.Table:
    """One page of ``GET /ad-accounts``; a bad value names the page, the account and field."""

    def record(index: int, row: Any) -> str:
        number = row.get("adAccountNo") if isinstance(row, dict) else None
        return f"ad-accounts page {page} item {index} (adAccountNo {number!r})"

    return arrow.to_table(rows, AD_ACCOUNTS, loaded_at=loaded_at, record=record)


def report_to_table(
    text: str, report_type: str, customer_id: str, stat_date: date, loaded_at: datetime
) -> pa.Table:
    """A report's TSV (no header row) to a table.

    A line with the wrong number of fields, a value that does not parse, a row of another
    customer or day stops the run with the line number and the value named.
    """
    table = REPORTS[report_type]
    columns = table.columns[1:]
    where = f"customer {customer_id} {report_type} report for {stat_date:%Y%m%d}, line"
    numbers: list[int] = []
    rows: list[list[str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != len(columns):
            raise table.error(
                f"{len(fields)} fields where the {report_type} report has {len(columns)}",
                f"{where} {number}",
                "Naver may have changed the report layout; check the source README",
            )
        numbers.append(number)
        rows.append(fields)
    arrow_table = arrow.to_table(
        rows,
        table,
        loaded_at=loaded_at,
        filled={"customer_id": customer_id},
        positions={c.key: i for i, c in enumerate(columns)},
        record=lambda index, _: f"{where} {numbers[index]}",
    )
    days = arrow_table.column("stat_date").to_pylist()
    customers = arrow_table.column("report_customer_id").to_pylist()
    for index, (day, customer) in enumerate(zip(days, customers, strict=True)):
        if day != stat_date or customer != customer_id:
            raise table.error(
                f"row of customer {customer} on {day} in the report asked for "
                f"customer {customer_id} on {stat_date}",
                f"{where} {numbers[index]}",
            )
    return arrow_table


def empty(table: arrow.Table, loaded_at: datetime) -> pa.Table:
    """An empty table of ``table``'s schema (so the table exists after the first run)."""
    return arrow.to_table([], table, loaded_at=loaded_at, filled={"customer_id": ""})
