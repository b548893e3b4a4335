"""The dlt source for the AE's plan in a Google Sheet: four tabs, one batchGet, replaced whole."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from ingestion import clock
from ingestion.plan import COLUMNS, DATE_COLUMNS, NUMBER_COLUMNS, PlanError, validate
from ingestion.sources import arrow
from ingestion.sources.arrow import Column
from ingestion.sources.config import at_least
from ingestion.sources.errors import SourceDataError, SourceError
from ingestion.sources.google_sheets.client import (
    SOURCE,
    ServiceAccount,
    SheetsClient,
    quote_tab,
)
from ingestion.sources.http import Retry

log = logging.getLogger("argo.sources.google_sheets")

DEFAULT_BASE_URL = "https://sheets.googleapis.com/v4"
#: The columns read of each tab (header names decide which is which; A-Z is read).
LAST_COLUMN = "Z"
#: Amounts and targets: exact decimals.
AMOUNT = pa.decimal128(24, 6)
#: What to do after a bad row (the source loads nothing, so the previous plan stays).
KEPT = "nothing was loaded, the previous plan stays"


def _type(column: str) -> pa.DataType:
    if column in DATE_COLUMNS:
        return pa.date32()
    if column in NUMBER_COLUMNS:
        return AMOUNT
    return pa.string()


#: The raw tables: the plan's columns, then the row's number in the sheet.
TABLES = {
    name: arrow.Table(
        SOURCE,
        name,
        (
            *(Column(c, _type(c), arrow.as_is) for c in columns),
            Column("sheet_row", pa.int32(), arrow.as_is, True),
        ),
    )
    for name, columns in COLUMNS.items()
}


class Plan:
    """The plan read from the sheet once, checked, for the four resources to share.

    Args:
        client: The Sheets client.
        spreadsheet_id: The spreadsheet.
        tabs: Table -> the tab holding it.
    """

    def __init__(self, client: SheetsClient, spreadsheet_id: str, tabs: dict[str, str]) -> None:
        self.client = client
        self.spreadsheet_id = spreadsheet_id
        self.tabs = tabs
        self.loaded_at: datetime = clock.now()
        self._rows: dict[str, list[dict[str, Any]]] | None = None

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        """Table -> typed rows; the first call reads and checks the whole sheet.

        Raises:
            SourceError: The sheet cannot be read, a tab lacks a column, or a row is bad
                (one line naming the tab, the row and the column).
        """
        if self._rows is None:
            self._rows = self._read()
        return self._rows

    def _read(self) -> dict[str, list[dict[str, Any]]]:
        ranges = [f"{quote_tab(tab)}!A1:{LAST_COLUMN}" for tab in self.tabs.values()]
        answers = self.client.batch_get(self.spreadsheet_id, ranges)
        cells = {
            table: _records(table, tab, answer.get("values") if isinstance(answer, dict) else None)
            for (table, tab), answer in zip(self.tabs.items(), answers, strict=True)
        }
        where = {table: f"tab '{tab}'" for table, tab in self.tabs.items()}
        try:
            typed = validate(cells, where)
        except PlanError as exc:
            raise SourceDataError(
                SOURCE, f"{exc.location}: {exc.problem}", hint=f"{exc.hint}; {KEPT}"
            ) from None
        log.info(
            "google_sheets: %s",
            ", ".join(f"{table} {len(rows)} rows" for table, rows in typed.items()),
        )
        return typed


def _records(table: str, tab: str, values: Any) -> list[dict[str, Any]]:
    """A tab's rows as cells keyed by header name, each with its ``sheet_row``.

    Raises:
        SourceDataError: The tab has no header row, or its header lacks a column.
    """
    if not values or not isinstance(values, list) or not values[0]:
        raise SourceDataError(
            SOURCE,
            f"tab '{tab}' row 1: the tab is empty; it needs its header row "
            f"({', '.join(COLUMNS[table])})",
            hint=f"write the header in row 1 of '{tab}'; {KEPT}",
        )
    header = [str(cell).strip() for cell in values[0]]
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in positions and name in COLUMNS[table]:
            raise SourceDataError(
                SOURCE,
                f"tab '{tab}' row 1, column {name}: the header names {name} twice",
                hint=f"keep one column {name}; {KEPT}",
            )
        positions.setdefault(name, index)
    missing = [c for c in COLUMNS[table] if c not in positions]
    if missing:
        raise SourceDataError(
            SOURCE,
            f"tab '{tab}' row 1, column {missing[0]}: the header has no column "
            f"{', '.join(missing)}",
            hint=f"add the column{'s' if len(missing) > 1 else ''} to row 1 of '{tab}' "
            f"(names as in the README, any order); {KEPT}",
        )
    extra = [name for name in header if name and name not in COLUMNS[table]]
    if extra:
        log.warning("google_sheets: tab '%s': columns %s are not read", tab, ", ".join(extra))
    records = []
    for number, row in enumerate(values[1:], start=2):
        row = row if isinstance(row, list) else []
        if not any(str(cell).strip() for cell in row):
            continue  # a blank row between rows
        record: dict[str, Any] = {
            column: (str(row[i]) if i < len(row) else None)
            for column, i in ((c, positions[c]) for c in COLUMNS[table])
        }
        record["sheet_row"] = number
        records.append(record)
    return records


def plan_table(plan: Plan, table: str) -> Iterator[pa.Table]:
    """One table of the plan (an empty tab still replaces the table with no rows)."""
    yield arrow.to_table(plan.rows()[table], TABLES[table], loaded_at=plan.loaded_at)


def _tab(name: str, value: str | None, default: str) -> str:
    tab = (value or "").strip() or default
    if "!" in tab:
        raise SourceError(
            SOURCE,
            f"{name}={value!r} is not a tab name",
            hint=f"write only the tab's name as it shows on its tab, e.g. {name} = '{default}'",
        )
    return tab


@dlt.source(name="google_sheets", section="google_sheets", max_table_nesting=0)
def google_sheets_source(
    spreadsheet_id: str | None = None,
    credentials: dlt.TSecretStrValue | None = None,
    advertisers_tab: str | None = None,
    ad_accounts_tab: str | None = None,
    budgets_tab: str | None = None,
    targets_tab: str | None = None,
    base_url: str | None = None,
    token_url: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    max_attempts: int = 8,
    backoff_factor: float = 1.0,
    request_timeout: float = 60.0,
) -> Sequence[DltResource]:
    """The AE's plan (advertisers, ad accounts, budgets, targets) from one Google Sheet.

    Its arguments are the settings of README.md beside this file (tested against this
    signature); dlt reads each from ``SOURCES__GOOGLE_SHEETS__<NAME>`` or
    ``[sources.google_sheets]`` in ``.dlt/*.toml`` unless it is passed.

    Returns:
        The resources ``advertisers``, ``ad_accounts``, ``budgets``, ``targets``, each
        replaced whole by every run.
    """
    if not spreadsheet_id:
        raise SourceError(
            SOURCE,
            "no spreadsheet_id is configured",
            hint="set SOURCES__GOOGLE_SHEETS__SPREADSHEET_ID to the id in the sheet's URL "
            "(between /d/ and /edit)",
        )
    at_least(SOURCE, 1, max_attempts=max_attempts)
    if start_date or end_date:
        # `argo ingest all --start ..` passes its range to every source; a plan has none
        log.info("google_sheets: the plan is read whole; start_date/end_date do not apply")
    tabs = {
        "advertisers": _tab("advertisers_tab", advertisers_tab, "advertisers"),
        "ad_accounts": _tab("ad_accounts_tab", ad_accounts_tab, "ad_accounts"),
        "budgets": _tab("budgets_tab", budgets_tab, "budgets"),
        "targets": _tab("targets_tab", targets_tab, "targets"),
    }
    account = ServiceAccount.from_json(credentials)
    client = SheetsClient(
        base_url or DEFAULT_BASE_URL,
        account,
        token_url=token_url,
        retry=Retry(max_attempts, backoff_factor, request_timeout),
    )
    plan = Plan(client, spreadsheet_id, tabs)
    return [
        dlt.resource(plan_table(plan, table), name=table, write_disposition="replace")
        for table in COLUMNS
    ]
