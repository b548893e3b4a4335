"""The AE's plan (advertisers, ad accounts, budgets, targets): its columns, types and checks.

The plan comes from a Google Sheet (the ``google_sheets`` source) or from the CSV seeds
under ``seeds/plan/`` (``argo transform`` checks them before dbt runs); both read it with
:func:`validate`, which needs no dlt. Every cell arrives as text, as a spreadsheet holds
it; :func:`validate` types it (ids and codes as text, an empty cell as ``None``, dates as
:class:`~datetime.date`, amounts as :class:`~decimal.Decimal`) and refuses a bad row with
one line naming where it is (the file or the tab), the row, the column and what to do.
A bad plan is refused whole, so a caller loads nothing and the previous plan stays.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

#: The plan's tables and their columns, in order (the seeds' and the sheet's headers).
COLUMNS: dict[str, tuple[str, ...]] = {
    "advertisers": ("advertiser_id", "advertiser_name", "ae_name", "ae_email"),
    "ad_accounts": ("platform", "account_id", "advertiser_id"),
    "budgets": (
        "advertiser_id",
        "platform",
        "account_id",
        "campaign_id",
        "budget_type",
        "start_date",
        "end_date",
        "amount",
        "currency_code",
        "valid_from",
    ),
    "targets": (
        "advertiser_id",
        "platform",
        "campaign_id",
        "kpi",
        "target_value",
        "currency_code",
        "valid_from",
    ),
}
#: Columns holding dates and numbers; every other column is text.
DATE_COLUMNS = frozenset({"start_date", "end_date", "valid_from"})
NUMBER_COLUMNS = frozenset({"amount", "target_value"})
#: Ad platforms a budget or target may name (empty: every platform).
AD_PLATFORMS = ("meta_ads", "google_ads", "naver_searchad", "kakao_moment")
#: Platforms an ad account or app may be mapped on: the ad platforms and the trackers.
ACCOUNT_PLATFORMS = (*AD_PLATFORMS, "appsflyer", "adjust")
BUDGET_TYPES = ("monthly", "flight")
KPIS = ("cpa", "roas", "cpi", "ctr")
#: KPIs that are money per something: their targets name a currency.
MONEY_KPIS = frozenset({"cpa", "cpi"})
#: ISO 4217 codes the plan accepts (ingestion does not read dbt's seeds: a constant).
CURRENCY_CODES = frozenset(
    [
        "AED",
        "ARS",
        "AUD",
        "BDT",
        "BGN",
        "BHD",
        "BRL",
        "CAD",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CZK",
        "DKK",
        "EGP",
        "EUR",
        "GBP",
        "HKD",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "ISK",
        "JOD",
        "JPY",
        "KES",
        "KRW",
        "KWD",
        "KZT",
        "LKR",
        "MAD",
        "MNT",
        "MOP",
        "MXN",
        "MYR",
        "NGN",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PEN",
        "PHP",
        "PKR",
        "PLN",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "SAR",
        "SEK",
        "SGD",
        "THB",
        "TND",
        "TRY",
        "TWD",
        "UAH",
        "USD",
        "UYU",
        "UZS",
        "VND",
        "XAF",
        "XOF",
        "ZAR",
        "BND",
        "CNH",
        "KHR",
        "LAK",
        "MMR",
    ]
)
#: Text columns that must not be empty.
REQUIRED: dict[str, tuple[str, ...]] = {
    "advertisers": ("advertiser_id",),
    "ad_accounts": ("platform", "account_id", "advertiser_id"),
    "budgets": (
        "advertiser_id",
        "budget_type",
        "start_date",
        "end_date",
        "amount",
        "currency_code",
        "valid_from",
    ),
    "targets": ("advertiser_id", "kpi", "target_value", "valid_from"),
}
#: A budget's scope: two budgets of one scope and one ``valid_from`` must not overlap.
BUDGET_SCOPE = ("advertiser_id", "platform", "account_id", "campaign_id", "budget_type")

_KOREAN_DATE = re.compile(r"(\d{4})\s*[.\-/]\s*(\d{1,2})\s*[.\-/]\s*(\d{1,2})\s*\.?")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_CURRENCY_SIGNS = "₩$€¥£"


class PlanError(ValueError):
    """A bad row of the plan: where, which row and column, what is wrong, what to do.

    Attributes:
        location: ``<where> row <n>, column <name>``.
        problem: What is wrong with the cell.
        hint: What to do.
    """

    def __init__(self, location: str, problem: str, hint: str) -> None:
        self.location = location
        self.problem = problem
        self.hint = hint
        super().__init__(f"{location}: {problem}. What to do: {hint}")


def parse_date(text: str) -> date:
    """A date as a sheet shows it: ISO ``2026-11-16`` or Korean ``2026. 11. 16``.

    Raises:
        ValueError: Not such a date.
    """
    match = _KOREAN_DATE.fullmatch(text.strip())
    if match is None:
        raise ValueError(text)
    year, month, day = (int(part) for part in match.groups())
    return date(year, month, day)


def parse_number(text: str) -> Decimal:
    """A number as a sheet shows it: ``1000000``, ``1,000,000``, ``₩1,000,000``, `` 3.5 ``.

    Raises:
        ValueError: Not a number.
    """
    cleaned = text.strip().lstrip(_CURRENCY_SIGNS).strip()
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", cleaned):
        cleaned = cleaned.replace(",", "")
    if not _NUMBER.fullmatch(cleaned):
        raise ValueError(text)
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise ValueError(text) from None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def row_number(row: Mapping[str, Any], index: int) -> int:
    """The row's number in its sheet or file: ``sheet_row`` if it has one, else header + 1."""
    given = row.get("sheet_row")
    return int(given) if given is not None else index + 2


def validate(
    tables: Mapping[str, Sequence[Mapping[str, Any]]], where: Mapping[str, str]
) -> dict[str, list[dict[str, Any]]]:
    """Checks the plan and returns its rows typed.

    Args:
        tables: Each table of :data:`COLUMNS` as rows of cells (text or ``None``) keyed by
            column; a row may carry its ``sheet_row`` (kept in the result), else it is
            numbered from 2 (the header is row 1).
        where: Table -> how to name it in an error (``google_sheets: tab 'budgets'``,
            ``seeds/plan/plan_budgets.csv``).

    Returns:
        Table -> rows with every column of :data:`COLUMNS` typed (and ``sheet_row``).

    Raises:
        PlanError: The first bad row, in the order advertisers, ad accounts, budgets,
            targets.
    """
    typed: dict[str, list[dict[str, Any]]] = {}
    for table, columns in COLUMNS.items():
        rows = []
        for index, raw in enumerate(tables.get(table, ())):
            number = row_number(raw, index)
            row: dict[str, Any] = {}
            for column in columns:
                row[column] = _typed(raw.get(column), table, column, f"{where[table]} row {number}")
            row["sheet_row"] = number
            rows.append(row)
        typed[table] = rows
    _check(typed, where)
    return typed


def _typed(value: Any, table: str, column: str, row: str) -> Any:
    text = _text(value)
    location = f"{row}, column {column}"
    if text is None:
        if column in REQUIRED[table]:
            raise PlanError(location, "the cell is empty", f"fill in {column} or delete the row")
        return None
    if column in DATE_COLUMNS:
        try:
            return parse_date(text)
        except ValueError:
            raise PlanError(
                location,
                f"{text!r} is not a date",
                "write the date as 2026-11-16 (or 2026. 11. 16)",
            ) from None
    if column in NUMBER_COLUMNS:
        try:
            number = parse_number(text)
        except ValueError:
            raise PlanError(
                location,
                f"{text!r} is not a number",
                "write a number such as 1000000, 1,000,000 or ₩1,000,000",
            ) from None
        if number < 0:
            raise PlanError(location, f"{text!r} is negative", f"write {column} as 0 or more")
        return number
    return text


def _check(plan: Mapping[str, list[dict[str, Any]]], where: Mapping[str, str]) -> None:
    def fail(table: str, row: Mapping[str, Any], column: str, problem: str, hint: str) -> None:
        raise PlanError(f"{where[table]} row {row['sheet_row']}, column {column}", problem, hint)

    advertisers: dict[str, int] = {}
    for row in plan["advertisers"]:
        first = advertisers.setdefault(row["advertiser_id"], row["sheet_row"])
        if first != row["sheet_row"]:
            fail(
                "advertisers",
                row,
                "advertiser_id",
                f"advertiser {row['advertiser_id']!r} is listed again (first in row {first})",
                "keep one row per advertiser",
            )

    def known_advertiser(table: str, row: Mapping[str, Any]) -> None:
        if row["advertiser_id"] not in advertisers:
            fail(
                table,
                row,
                "advertiser_id",
                f"advertiser {row['advertiser_id']!r} is not in {where['advertisers']}",
                "add the advertiser there or correct the id",
            )

    def one_of(table: str, row: Mapping[str, Any], column: str, allowed: Sequence[str]) -> None:
        value = row[column]
        if value is not None and value not in allowed:
            fail(
                table,
                row,
                column,
                f"{value!r} is not a known {column}",
                f"write one of {', '.join(allowed)}",
            )

    def currency(table: str, row: Mapping[str, Any]) -> None:
        code = row["currency_code"]
        if code is not None and code not in CURRENCY_CODES:
            fail(
                table,
                row,
                "currency_code",
                f"{code!r} is not an ISO 4217 currency code",
                "write the three capital letters of the currency, e.g. KRW or USD",
            )

    accounts: dict[tuple[str, str], Mapping[str, Any]] = {}
    for row in plan["ad_accounts"]:
        one_of("ad_accounts", row, "platform", ACCOUNT_PLATFORMS)
        known_advertiser("ad_accounts", row)
        key = (row["platform"], row["account_id"])
        mapped = accounts.setdefault(key, row)
        if mapped is not row and mapped["advertiser_id"] != row["advertiser_id"]:
            fail(
                "ad_accounts",
                row,
                "advertiser_id",
                f"{key[0]} account {key[1]!r} is mapped to advertiser "
                f"{mapped['advertiser_id']!r} in row {mapped['sheet_row']} already",
                "map each account to one advertiser",
            )

    scopes: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
    for row in plan["budgets"]:
        known_advertiser("budgets", row)
        one_of("budgets", row, "platform", AD_PLATFORMS)
        one_of("budgets", row, "budget_type", BUDGET_TYPES)
        currency("budgets", row)
        if row["end_date"] < row["start_date"]:
            fail(
                "budgets",
                row,
                "end_date",
                f"the budget ends ({row['end_date']}) before it starts ({row['start_date']})",
                "correct start_date or end_date",
            )
        scope = (*(row[c] for c in BUDGET_SCOPE), row["valid_from"])
        for other in scopes.setdefault(scope, []):
            if other["start_date"] <= row["end_date"] and row["start_date"] <= other["end_date"]:
                fail(
                    "budgets",
                    row,
                    "start_date",
                    f"its period {row['start_date']}..{row['end_date']} overlaps row "
                    f"{other['sheet_row']} ({other['start_date']}..{other['end_date']}) of the "
                    f"same advertiser, platform, account, campaign and budget_type, valid from "
                    f"the same day {row['valid_from']}",
                    "delete one of them, or give the change its own valid_from (the day it "
                    "takes effect)",
                )
        scopes[scope].append(row)

    for row in plan["targets"]:
        known_advertiser("targets", row)
        one_of("targets", row, "platform", AD_PLATFORMS)
        one_of("targets", row, "kpi", KPIS)
        currency("targets", row)
        if row["kpi"] in MONEY_KPIS and row["currency_code"] is None:
            fail(
                "targets",
                row,
                "currency_code",
                f"a {row['kpi']} target is money and names no currency",
                "write its currency, e.g. KRW",
            )
