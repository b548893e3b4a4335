"""Kakao Moment answers to Arrow tables with explicit schemas.

Each listing or report answer becomes one ``pyarrow.Table`` of a table declared here;
every value is parsed and checked by :func:`ingestion.sources.arrow.to_table`, so a
malformed record stops the run before anything is loaded, with an error that names the
record and the field. Money is Korean won (``decimal(18,4)``, exact:
Kakao reports whole won but the type keeps any fraction it may send).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import chain
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

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
#: The metrics of ``creative_report`` itself.
_BASE_METRICS = ("imp", "click", "cost", "reach")
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
            found = _conversion_metric(name)
            if found is None or value in (None, 0, "0"):
                continue
            conversion_type, is_amount = found
            row = merged.setdefault(conversion_type, {**key, "conversion_type": conversion_type})
            row["conversion_value" if is_amount else "conversions"] = value
        conversions.extend(merged[k] for k in sorted(merged))
    return reports, conversions


def report_tables(
    account_id: str, data: Sequence[Any], parents: dict[str, tuple[str, str]], loaded_at: datetime
) -> tuple[pa.Table, pa.Table, str]:
    """Report ``data`` rows -> the ``creative_report`` and ``creative_report_conversions`` tables.

    The rows and the checks of :func:`flatten_report`, read column by column: the page is
    read into Arrow at once and each column (and each conversion metric) taken from it,
    with no object per row. A page the column-wise read does not take (a row that is not
    an object or spans days, a field of mixed types, a conversion metric sent as text) is
    read row by row by :func:`flatten_report`, and a malformed value is named from those
    rows, so the error is the same either way.

    Returns:
        The report table, the conversions table, and the newest ``start`` of the page
        (``""`` for no rows).

    Raises:
        SourceDataError: As :func:`flatten_report` and :func:`arrow.to_table`.
    """
    read = _report_columns(account_id, data, parents)
    if read is None:
        reports, conversions = flatten_report(account_id, data, parents)
        # the conversions first: a value bad in both is named in the conversions
        conversion = arrow.to_table(conversions, CONVERSIONS, loaded_at=loaded_at)
        return (
            arrow.to_table(reports, REPORT, loaded_at=loaded_at),
            conversion,
            max((str(r["report_date"]) for r in reports), default=""),
        )
    report_columns, conversion_columns, newest = read
    rows = functools.cache(lambda: flatten_report(account_id, data, parents))
    # the conversions first, as above
    conversions = arrow.columns_to_table(
        conversion_columns, CONVERSIONS, loaded_at=loaded_at, records=lambda: rows()[1]
    )
    report = arrow.columns_to_table(
        report_columns, REPORT, loaded_at=loaded_at, records=lambda: rows()[0]
    )
    return report, conversions, newest


@functools.cache
def _conversion_metric(name: str) -> tuple[str, bool] | None:
    """``conv_purchase_p_7d`` -> (``conv_purchase_7d``, True: the amount); others None."""
    match = _CONVERSION.match(name)
    if match is None or match["event"].endswith("_q"):
        return None
    return f"conv_{match['event']}_{match['window']}", bool(match["p"])


def _report_columns(
    account_id: str, data: Sequence[Any], parents: dict[str, tuple[str, str]]
) -> tuple[dict[str, Any], dict[str, Any], str] | None:
    """The raw columns of both tables from a page read field by field, or ``None``.

    Each field the tables take (``start``, ``end``, ``dimensions.creative_id``, the base
    metrics and the conversion metrics) is read from every row into one list and made
    into one Arrow array, typed as Arrow reads JSON values (the fields the tables do not
    take, ``ctr`` or ``cost_per_imp``, are not read). ``None`` when the page is not one
    :func:`flatten_report` would take without a question (see :func:`report_tables`): it
    then reads it row by row.
    """
    if not data or not all(isinstance(item, dict) for item in data):
        return None
    try:
        starts = [item["start"] for item in data]
        ends = [item["end"] for item in data]
        dimensions = [item["dimensions"] for item in data]
        metrics = [item["metrics"] for item in data]
    except KeyError:
        return None
    if not all(isinstance(d, dict) for d in dimensions):
        return None
    if not all(isinstance(m, dict) for m in metrics):
        return None
    try:  # a value that is not text refuses the page (ArrowTypeError)
        start = pa.array(starts, pa.string())
        end = pa.array(ends, pa.string())
        creative_id = pa.array([d.get("creative_id") for d in dimensions], pa.string())
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if start.null_count or not start.equals(end):  # a row spanning days: said row by row
        return None
    if creative_id.null_count or not arrow.all_true(pc.not_equal(creative_id, "")):
        return None
    size = len(data)
    first = metrics[0].keys()
    if all(m.keys() == first for m in metrics):
        names: Iterable[str] = first
    else:  # a metric some rows leave out: null there
        names = dict.fromkeys(chain.from_iterable(metrics))
    taken = [n for n in names if n in _BASE_METRICS or _conversion_metric(n) is not None]
    try:
        named = {name: pa.array([m.get(name) for m in metrics]) for name in taken}
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return None  # a metric of mixed types
    if not all(_number_or_null(column) for column in named.values()):
        return None  # a metric sent as text or a boolean: its zeros are told row by row

    def metric(name: str) -> pa.Array:
        return named.get(name, pa.nulls(size))

    known = pa.array(list(parents), type=pa.string())
    at = pc.index_in(creative_id, value_set=known)
    accounts = arrow.repeated(account_id, pa.string(), size)
    report = {
        "ad_account_id": accounts,
        "creative_id": creative_id,
        "report_date": start,
        "ad_group_id": pc.take(pa.array([p[0] for p in parents.values()], pa.string()), at),
        "campaign_id": pc.take(pa.array([p[1] for p in parents.values()], pa.string()), at),
        **{name: metric(name) for name in _BASE_METRICS},
    }
    # Conversion types: each with its count and amount metrics, in the order rows are made.
    types: dict[str, dict[bool, pa.Array]] = {}
    for name, column in named.items():
        found = _conversion_metric(name)
        if found is not None:
            types.setdefault(found[0], {})[found[1]] = column
    rows = arrow.counting(size)
    parts = []
    for rank, conversion_type in enumerate(sorted(types)):
        count, amount = types[conversion_type].get(False), types[conversion_type].get(True)
        told = [_not_zero(c) for c in (count, amount) if c is not None]
        mask = told[0] if len(told) == 1 else pc.or_(*told)
        chosen = pc.indices_nonzero(mask)
        if not len(chosen):
            continue
        parts.append(
            pa.table(
                {
                    "row": pc.take(rows, chosen),
                    "rank": arrow.repeated(rank, pa.int64(), len(chosen)),
                    "conversion_type": arrow.repeated(conversion_type, pa.string(), len(chosen)),
                    "conversions": _told(count, chosen, size),
                    "conversion_value": _told(amount, chosen, size),
                }
            )
        )
    if parts:
        found = pa.concat_tables(parts, promote_options="permissive")
        found = found.take(pc.sort_indices(found, [("row", "ascending"), ("rank", "ascending")]))
        chosen = found.column("row").combine_chunks()
    else:
        found, chosen = None, pa.array([], type=pa.int64())
    conversions = {
        "ad_account_id": pc.take(accounts, chosen),
        "creative_id": pc.take(creative_id, chosen),
        "report_date": pc.take(start, chosen),
        **{
            name: found.column(name).combine_chunks() if found is not None else pa.nulls(0)
            for name in ("conversion_type", "conversions", "conversion_value")
        },
    }
    return report, conversions, pc.max(start).as_py() or ""


def _number_or_null(column: pa.Array) -> bool:
    kind = column.type
    return bool(pa.types.is_int64(kind) or pa.types.is_float64(kind) or pa.types.is_null(kind))


def _not_zero(column: pa.Array) -> pa.Array:
    """Whether each value counts (:func:`flatten_report` skips ``None`` and ``0``)."""
    if pa.types.is_null(column.type):
        return arrow.repeated(False, pa.bool_(), len(column))
    return pc.fill_null(pc.not_equal(column, 0), False)


def _told(column: pa.Array | None, chosen: pa.Array, size: int) -> pa.Array:
    """The values of ``column`` at ``chosen``, null where it is zero (a row leaves it out)."""
    if column is None:
        return pa.nulls(len(chosen))
    picked = pc.take(column, chosen)
    if pa.types.is_null(picked.type):
        return picked
    return pc.if_else(pc.equal(picked, 0), pa.scalar(None, picked.type), picked)
