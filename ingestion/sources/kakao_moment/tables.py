"""Kakao Moment answers to Arrow tables with explicit schemas.

Each listing or report answer becomes one ``pyarrow.Table`` of a table declared here;
every value is parsed and checked by :func:`ingestion.sources.arrow.to_table`, so a
malformed record stops the run before anything is loaded, with an error that names the
record and the field. Money is Korean won (``decimal(18,4)``, exact:
Kakao reports whole won but the type keeps any fraction it may send).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from ingestion.sources import arrow
from ingestion.sources.arrow import Column, Table
from ingestion.sources.errors import SourceDataError

SOURCE = "kakao_moment"
MONEY = pa.decimal128(18, 4)
STRING = pa.string()
#: Kakao Moment sells in won on Korean time only; the API has no currency field.
CURRENCY = "KRW"
TIMEZONE = "Asia/Seoul"

_money = arrow.money(4)


def _id(name: str) -> Column:
    return Column(name, STRING, required=True)


def _texts(*names: str) -> tuple[Column, ...]:
    return tuple(Column(name, STRING) for name in names)


AD_ACCOUNTS = Table(
    SOURCE,
    "ad_accounts",
    (
        _id("id"),
        _id("ad_account_id"),
        *_texts("name", "type", "config"),
        _id("currency"),
        _id("timezone_name"),
    ),
    ("id",),
)
CAMPAIGNS = Table(
    SOURCE,
    "campaigns",
    (
        _id("id"),
        _id("ad_account_id"),
        *_texts("name", "campaign_type", "goal", "config", "system_config"),
        Column("daily_budget_amount", MONEY, _money),
    ),
    ("id",),
)
AD_GROUPS = Table(
    SOURCE,
    "ad_groups",
    (
        _id("id"),
        _id("ad_account_id"),
        _id("campaign_id"),
        *_texts("name", "type", "bid_strategy", "config", "system_config"),
        Column("daily_budget_amount", MONEY, _money),
    ),
    ("id",),
)
CREATIVES = Table(
    SOURCE,
    "creatives",
    (
        _id("id"),
        _id("ad_account_id"),
        _id("campaign_id"),
        _id("ad_group_id"),
        *_texts("name", "format", "config", "system_config", "landing_url"),
    ),
    ("id",),
)
_REPORT_KEY = (
    _id("ad_account_id"),
    _id("creative_id"),
    Column("report_date", pa.date32(), arrow.day, required=True),
)
REPORT = Table(
    SOURCE,
    "creative_report",
    (
        *_REPORT_KEY,
        *_texts("ad_group_id", "campaign_id"),
        Column("imp", pa.int64(), arrow.count, required=True),
        Column("click", pa.int64(), arrow.count),
        Column("cost", MONEY, _money, required=True),
        Column("reach", pa.int64(), arrow.count),
    ),
    ("ad_account_id", "creative_id", "report_date"),
)
CONVERSIONS = Table(
    SOURCE,
    "creative_report_conversions",
    (
        *_REPORT_KEY,
        _id("conversion_type"),
        Column("conversions", pa.int64(), arrow.count),
        Column("conversion_value", MONEY, _money),
    ),
    (*REPORT.primary_key, "conversion_type"),
)
#: A re-pulled account-day replaces the whole account-day of both report tables.
DAY_KEY = ("ad_account_id", "report_date")
#: Conversion metrics: ``conv_<event>_<window>`` (a count) and ``conv_<event>_p_<window>``
#: (the amount of the same event and window). ``_q_`` (quantity) and rates are not loaded.
_CONVERSION = re.compile(r"^conv_(?P<event>[a-z0-9_]+?)_(?P<p>p_)?(?P<window>\d+d)$")


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
    account_id: str, campaign_id: str, ad_group_id: str, listed: Any, detail: Any
) -> dict[str, Any]:
    """A creative from ``GET /creatives?adGroupId=`` and ``GET /creatives/{id}``.

    The world's ads are creatives. The landing URL is only in the detail:
    ``rspvLandingUrl`` (the representative URL), else ``mobileLandingUrl``, else
    ``pcLandingUrl``; a creative landing on a channel post, Ad View or form has none.
    """
    listed = _object(listed, "creatives")
    detail = _object(detail, "creatives")
    landing = next(
        (
            detail[key]
            for key in ("rspvLandingUrl", "mobileLandingUrl", "pcLandingUrl")
            if detail.get(key)
        ),
        None,
    )
    return {
        "landing_url": landing,
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
        creative_id = arrow.parse(
            arrow.text,
            dimensions.get("creative_id"),
            source=SOURCE,
            field="dimensions.creative_id",
            record=f"ad_account_id={account_id}, start={item.get('start', '?')}",
        )
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
