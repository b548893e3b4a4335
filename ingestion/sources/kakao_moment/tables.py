"""Kakao Moment answers to Arrow tables with explicit schemas.

Each listing or report answer becomes one ``pyarrow.Table``. Every value is parsed and
checked here, so a malformed record stops the run before anything is loaded, with an
error that names the record and the field. Money is Korean won (``decimal(18,4)``, exact:
Kakao reports whole won but the type keeps any fraction it may send).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from ingestion.sources.errors import SourceDataError, describe_record

SOURCE = "kakao_moment"
MONEY = pa.decimal128(18, 4)
TIMESTAMP = pa.timestamp("us", tz="UTC")
#: Kakao Moment sells in won on Korean time only; the API has no currency field.
CURRENCY = "KRW"
TIMEZONE = "Asia/Seoul"

Parser = Callable[[Any], Any]


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():  # ids sent as JSON numbers
        value = int(value)
    return str(value)


def _number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    if number < 0:
        raise ValueError(f"negative value {value!r}")
    return number


def _count(value: Any) -> int | None:
    number = _number(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(f"not a whole count: {value!r}")
    return int(number)


def _money(value: Any) -> Decimal | None:
    number = _number(value)
    return None if number is None else number.quantize(Decimal("0.0001"))


def _day(value: Any) -> date | None:
    """Report days: ``2026-11-01`` (as observed) or ``20261101`` (the request format)."""
    if value is None or value == "":
        return None
    text = str(value)
    if re.fullmatch(r"\d{8}", text):
        return datetime.strptime(text, "%Y%m%d").date()
    return date.fromisoformat(text[:10])


# (column, arrow type, parser, required)
Column = tuple[str, pa.DataType, Parser, bool]

AD_ACCOUNT_COLUMNS: Sequence[Column] = (
    ("id", pa.string(), _text, True),
    ("ad_account_id", pa.string(), _text, True),
    ("name", pa.string(), _text, False),
    ("type", pa.string(), _text, False),
    ("config", pa.string(), _text, False),
    ("currency", pa.string(), _text, True),
    ("timezone_name", pa.string(), _text, True),
)
CAMPAIGN_COLUMNS: Sequence[Column] = (
    ("id", pa.string(), _text, True),
    ("ad_account_id", pa.string(), _text, True),
    ("name", pa.string(), _text, False),
    ("campaign_type", pa.string(), _text, False),
    ("goal", pa.string(), _text, False),
    ("config", pa.string(), _text, False),
    ("system_config", pa.string(), _text, False),
    ("daily_budget_amount", MONEY, _money, False),
)
AD_GROUP_COLUMNS: Sequence[Column] = (
    ("id", pa.string(), _text, True),
    ("ad_account_id", pa.string(), _text, True),
    ("campaign_id", pa.string(), _text, True),
    ("name", pa.string(), _text, False),
    ("type", pa.string(), _text, False),
    ("bid_strategy", pa.string(), _text, False),
    ("config", pa.string(), _text, False),
    ("system_config", pa.string(), _text, False),
    ("daily_budget_amount", MONEY, _money, False),
)
CREATIVE_COLUMNS: Sequence[Column] = (
    ("id", pa.string(), _text, True),
    ("ad_account_id", pa.string(), _text, True),
    ("campaign_id", pa.string(), _text, True),
    ("ad_group_id", pa.string(), _text, True),
    ("name", pa.string(), _text, False),
    ("format", pa.string(), _text, False),
    ("config", pa.string(), _text, False),
    ("system_config", pa.string(), _text, False),
)
REPORT_COLUMNS: Sequence[Column] = (
    ("ad_account_id", pa.string(), _text, True),
    ("creative_id", pa.string(), _text, True),
    ("report_date", pa.date32(), _day, True),
    ("ad_group_id", pa.string(), _text, False),
    ("campaign_id", pa.string(), _text, False),
    ("imp", pa.int64(), _count, True),
    ("click", pa.int64(), _count, False),
    ("cost", MONEY, _money, True),
    ("reach", pa.int64(), _count, False),
)
CONVERSION_COLUMNS: Sequence[Column] = (
    ("ad_account_id", pa.string(), _text, True),
    ("creative_id", pa.string(), _text, True),
    ("report_date", pa.date32(), _day, True),
    ("conversion_type", pa.string(), _text, True),
    ("conversions", pa.int64(), _count, False),
    ("conversion_value", MONEY, _money, False),
)

REPORT_KEYS = ("ad_account_id", "creative_id", "report_date")
#: Conversion metrics: ``conv_<event>_<window>`` (a count) and ``conv_<event>_p_<window>``
#: (the amount of the same event and window). ``_q_`` (quantity) and rates are not loaded.
_CONVERSION = re.compile(r"^conv_(?P<event>[a-z0-9_]+?)_(?P<p>p_)?(?P<window>\d+d)$")


def schema_of(columns: Sequence[Column]) -> pa.Schema:
    """The Arrow schema of a table, with ``_loaded_at`` appended."""
    fields = [pa.field(name, type_, nullable=not required) for name, type_, _, required in columns]
    return pa.schema([*fields, pa.field("_loaded_at", TIMESTAMP, nullable=False)])


def to_table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    *,
    entity: str,
    keys: tuple[str, ...],
    loaded_at: datetime,
) -> pa.Table:
    """Parses rows into an Arrow table of the given columns.

    Args:
        rows: Records, already flattened into the table's column names.
        columns: The table's columns, types, parsers and whether each is required.
        entity: Table name, for error messages.
        keys: The fields that identify a record, for error messages.
        loaded_at: Extraction time written to ``_loaded_at``.

    Raises:
        SourceDataError: A required field is missing or a value cannot be parsed.
    """
    values: list[list[Any]] = [[] for _ in columns]
    for row in rows:
        for slot, (name, _, parse, required) in zip(values, columns, strict=True):
            try:
                value = parse(row.get(name))
            except (ValueError, TypeError) as exc:
                raise SourceDataError(
                    SOURCE,
                    f"{entity}: field '{name}' has a bad value ({exc})",
                    record=describe_record(row, keys),
                    hint="the API answer is malformed; nothing was loaded by this run. "
                    "Report it with the record above if it persists",
                ) from None
            if value is None and required:
                raise SourceDataError(
                    SOURCE,
                    f"{entity}: required field '{name}' is missing",
                    record=describe_record(row, keys),
                    hint="the API answer is malformed; nothing was loaded by this run",
                )
            slot.append(value)
    arrays = [pa.array(v, type=c[1]) for v, c in zip(values, columns, strict=True)]
    arrays.append(pa.array([loaded_at] * len(rows), type=TIMESTAMP))
    return pa.Table.from_arrays(arrays, schema=schema_of(columns))


def _object(row: Any, entity: str) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise SourceDataError(SOURCE, f"{entity}: expected an object, got {row!r:.80}")
    return row


def flatten_account(row: Any) -> dict[str, Any]:
    """``GET /adAccounts/{id}`` -> an ``ad_accounts`` row (won and Korean time added)."""
    row = _object(row, "ad_accounts")
    return {
        "id": row.get("id"),
        "ad_account_id": row.get("id"),
        "name": row.get("name"),
        "type": row.get("type"),
        "config": row.get("config"),
        "currency": CURRENCY,
        "timezone_name": TIMEZONE,
    }


def flatten_campaign(account_id: str, listed: Any, detail: Any) -> dict[str, Any]:
    """A campaign from its list entry and ``GET /campaigns/{id}`` (type, goal, budget)."""
    listed = _object(listed, "campaigns")
    detail = _object(detail, "campaigns")
    type_goal = detail.get("campaignTypeGoal")
    type_goal = type_goal if isinstance(type_goal, dict) else {}
    return {
        "id": listed.get("id"),
        "ad_account_id": account_id,
        "name": detail.get("name", listed.get("name")),
        "campaign_type": type_goal.get("campaignType"),
        "goal": type_goal.get("goal"),
        "config": detail.get("config", listed.get("config")),
        "system_config": detail.get("systemConfig", listed.get("systemConfig")),
        "daily_budget_amount": detail.get("dailyBudgetAmount"),
    }


def flatten_ad_group(account_id: str, campaign_id: str, listed: Any, detail: Any) -> dict[str, Any]:
    """An ad group from its list entry and ``GET /adGroups/{id}``."""
    listed = _object(listed, "ad_groups")
    detail = _object(detail, "ad_groups")
    return {
        "id": listed.get("id"),
        "ad_account_id": account_id,
        "campaign_id": campaign_id,
        "name": detail.get("name", listed.get("name")),
        "type": detail.get("type"),
        "bid_strategy": detail.get("bidStrategy"),
        "config": detail.get("config", listed.get("config")),
        "system_config": detail.get("systemConfig", listed.get("systemConfig")),
        "daily_budget_amount": detail.get("dailyBudgetAmount"),
    }


def flatten_creative(
    account_id: str, campaign_id: str, ad_group_id: str, listed: Any
) -> dict[str, Any]:
    """A creative from ``GET /creatives?adGroupId=`` (the world's ads are creatives)."""
    listed = _object(listed, "creatives")
    return {
        "id": listed.get("id"),
        "ad_account_id": account_id,
        "campaign_id": campaign_id,
        "ad_group_id": ad_group_id,
        "name": listed.get("name"),
        "format": listed.get("format"),
        "config": listed.get("config"),
        "system_config": listed.get("systemConfig"),
    }


def flatten_report(
    account_id: str, data: Sequence[Any], parents: dict[str, tuple[str, str]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Report ``data`` rows -> ``creative_report`` rows and ``creative_report_conversions`` rows.

    Args:
        account_id: The ad account the report was asked for.
        data: The ``data`` array: ``{"start", "end", "dimensions": {"creative_id"},
            "metrics": {...}}`` per creative and day.
        parents: Creative id -> (ad group id, campaign id) from the listings.

    Returns:
        One report row per creative-day (``imp``, ``click``, ``cost``, ``reach``) and one
        conversion row per creative-day and conversion metric with a non-zero count or
        amount (``conv_purchase_7d`` with its ``conv_purchase_p_7d`` as the value).

    Raises:
        SourceDataError: A row is not an object or has no ``dimensions``/``metrics``.
    """
    reports: list[dict[str, Any]] = []
    conversions: list[dict[str, Any]] = []
    for item in data:
        item = _object(item, "creative_report")
        dimensions = item.get("dimensions")
        metrics = item.get("metrics")
        if not isinstance(dimensions, dict) or not isinstance(metrics, dict):
            raise SourceDataError(
                SOURCE,
                "creative_report: a row has no 'dimensions'/'metrics' objects",
                record=f"ad_account_id={account_id}, start={item.get('start', '?')}",
            )
        if item.get("start") != item.get("end"):
            raise SourceDataError(
                SOURCE,
                "creative_report: a row spans several days (timeUnit=DAY was not honoured)",
                record=f"ad_account_id={account_id}, start={item.get('start')}, "
                f"end={item.get('end')}",
            )
        creative_id = _text(dimensions.get("creative_id"))
        ad_group_id, campaign_id = parents.get(creative_id or "", (None, None))
        key = {
            "ad_account_id": account_id,
            "creative_id": creative_id,
            "report_date": item["start"],
        }
        reports.append(
            {
                **key,
                "ad_group_id": ad_group_id,
                "campaign_id": campaign_id,
                "imp": metrics.get("imp"),
                "click": metrics.get("click"),
                "cost": metrics.get("cost"),
                "reach": metrics.get("reach"),
            }
        )
        merged: dict[str, dict[str, Any]] = {}
        for name, value in metrics.items():
            match = _CONVERSION.match(name)
            if match is None or match["event"].endswith("_q") or value in (None, 0, "0"):
                continue
            conversion_type = f"conv_{match['event']}_{match['window']}"
            row = merged.setdefault(conversion_type, {**key, "conversion_type": conversion_type})
            row["conversion_value" if match["p"] else "conversions"] = value
        conversions.extend(merged[k] for k in sorted(merged))
    return reports, conversions
