"""The dlt source for Google Ads: customers, campaigns, ad groups, ads, keywords, daily reports."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.common.typing import TSecretStrValue
from dlt.sources import DltResource

from ingestion import clock
from ingestion.sources.config import ListSetting, at_least, list_setting
from ingestion.sources.dates import Lookback, NewestDays, date_chunks, days_of, sane_days
from ingestion.sources.errors import SourceError
from ingestion.sources.google_ads import tables
from ingestion.sources.google_ads.client import GoogleAdsClient, normalize_customer_id
from ingestion.sources.http import Retry
from ingestion.sources.parallel import Slots, each_account, map_accounts
from ingestion.sources.resources import merged, rows_into_tables, tombstones

log = logging.getLogger("argo.sources.google_ads")

API_VERSION = "v26"
DEFAULT_BASE_URL = f"https://googleads.googleapis.com/{API_VERSION}"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"


@dataclass
class Run:
    """One run of the source: the client, the checked settings, the customers (read once).

    Attributes:
        client: The Google Ads client.
        account_ids: Customers asked for (empty: every client of ``login_customer_id``).
        lookback: The days of each customer's report run (yesterday at the latest).
        chunk_days: Days per searchStream request.
        max_parallel_accounts: Customers read at the same time.
        loaded_at: The run's ``_loaded_at``.
    """

    client: GoogleAdsClient
    account_ids: list[str]
    lookback: Lookback
    chunk_days: int = 30
    max_parallel_accounts: int = 8
    loaded_at: datetime = field(default_factory=clock.now)
    slots: Slots = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.slots = Slots(self.max_parallel_accounts)

    @cached_property
    def customers(self) -> list[dict[str, Any]]:
        """The customers of this run, each read once (``FROM customer``) and checked."""
        ids = list(self.account_ids)
        if not ids:
            manager = self.client.login_customer_id
            assert manager is not None
            ids = self.client.client_customer_ids(manager)
            log.info("google_ads: manager %s has %d client account(s)", manager, len(ids))
        return map_accounts(ids, self._customer, slots=self.slots, name="google-customer")

    def _customer(self, customer_id: str) -> dict[str, Any]:
        record = f"customer {customer_id}"
        query = tables.CUSTOMERS.query()
        rows = [
            row for page in self.client.search(customer_id, query, record=record) for row in page
        ]
        if len(rows) != 1:
            raise SourceError(
                tables.SOURCE,
                f"customer {customer_id} answered {len(rows)} customer rows",
                record=record,
                hint="check the customer id (a manager account has no campaigns; list "
                "its clients in account_ids)",
            )
        # Checked here (id, currency, time zone present) before any report uses it.
        tables.CUSTOMERS.to_arrow(rows, customer_id=customer_id, loaded_at=self.loaded_at)
        return dict(rows[0])


def customers(run: Run) -> Iterator[pa.Table]:
    """The ``customers`` table."""
    yield tables.CUSTOMERS.to_arrow([], customer_id="", loaded_at=run.loaded_at)
    for row in run.customers:
        customer_id = str((row.get("customer") or {}).get("id") or "")
        yield tables.CUSTOMERS.to_arrow([row], customer_id=customer_id, loaded_at=run.loaded_at)


def entities(run: Run, table: tables.Table) -> Iterator[pa.Table]:
    """One entity table (``SELECT ... FROM campaign``), page by page, for every customer."""
    # An empty typed table first: the table exists even when no customer has rows.
    yield table.to_arrow([], customer_id="", loaded_at=run.loaded_at)

    def read(customer: dict[str, Any]) -> Iterator[pa.Table]:
        customer_id = str(customer["customer"]["id"])
        count = 0
        record = f"customer {customer_id} {table.name}"
        for page in run.client.search(customer_id, table.query(), record=record):
            count += len(page)
            yield table.to_arrow(page, customer_id=customer_id, loaded_at=run.loaded_at)
        log.info("google_ads: customer %s %s: %d rows", customer_id, table.name, count)

    yield from each_account(run.customers, read, slots=run.slots, name=f"google-{table.name}")


def daily(run: Run, table: tables.Table) -> Iterator[pa.Table]:
    """One daily report table over every customer's window, searchStream chunk by chunk."""
    newest = NewestDays()
    yield table.to_arrow([], customer_id="", loaded_at=run.loaded_at)
    jobs: list[tuple[str, date, date, date]] = []
    for customer in run.customers:
        customer_id = str(customer["customer"]["id"])
        today = clock.today(ZoneInfo(str(customer["customer"]["timeZone"])))
        since, until = run.lookback.window(today, newest.get(customer_id))
        if since > until:
            log.info("google_ads: customer %s %s: nothing to load", customer_id, table.name)
            continue
        jobs.append((customer_id, today, since, until))

    def read(job: tuple[str, date, date, date]) -> Iterator[pa.Table]:
        customer_id, today, since, until = job
        total = 0

        def batches(chunk_since: date, chunk_until: date) -> Iterator[list[dict[str, Any]]]:
            record = f"customer {customer_id} {table.name} {chunk_since}..{chunk_until}"
            query = table.query(chunk_since, chunk_until)
            yield from run.client.search_stream(customer_id, query, record=record)

        def report(rows: list[dict[str, Any]]) -> Iterator[pa.Table]:
            nonlocal total
            page = table.to_arrow(rows, customer_id=customer_id, loaded_at=run.loaded_at)
            sane_days(page, table, "segments_date", today)
            total += page.num_rows
            if page.num_rows:
                # The newest day Google returned anchors the next run's lookback (each
                # customer is one key, updated by its own thread only).
                newest.update(customer_id, str(pc.max(page["segments_date"])))
            yield page

        def asked(chunks: list[tuple[date, date]]) -> Iterator[pa.Table]:
            # Every day asked for is replaced, even one Google now answers empty for.
            days = [
                {"customer_id": customer_id, "segments_date": day}
                for chunk in chunks
                for day in days_of(*chunk)
            ]
            yield tombstones(table, days, loaded_at=run.loaded_at)

        # Batches of several chunks are made into one table, then the chunks' tombstones.
        yield from rows_into_tables(
            ((chunk, batches(*chunk)) for chunk in date_chunks(since, until, run.chunk_days)),
            report,
            asked,
        )
        log.info(
            "google_ads: customer %s %s %s..%s: %d rows",
            customer_id,
            table.name,
            since,
            until,
            total,
        )

    yield from each_account(jobs, read, slots=run.slots, name=f"google-{table.name}")


@dlt.source(name="google_ads", section="google_ads", max_table_nesting=0)
def google_ads_source(
    client_id: TSecretStrValue = dlt.secrets.value,
    client_secret: TSecretStrValue = dlt.secrets.value,
    refresh_token: TSecretStrValue = dlt.secrets.value,
    developer_token: TSecretStrValue | None = None,
    login_customer_id: str | None = None,
    account_ids: ListSetting = None,
    base_url: str = DEFAULT_BASE_URL,
    token_url: str = DEFAULT_TOKEN_URL,
    start_date: str | None = None,
    end_date: str | None = None,
    lookback_days: int = 30,
    initial_days: int = 90,
    report_chunk_days: int = 30,
    max_parallel_accounts: int = 8,
    max_attempts: int = 8,
    backoff_factor: float = 1.0,
    request_timeout: float = 120.0,
) -> list[DltResource]:
    """Google Ads API (REST): customers, campaigns, ad groups, ads, keywords, daily reports.

    Its arguments are the settings of README.md beside this file (tested against this
    signature); dlt reads each from ``SOURCES__GOOGLE_ADS__<NAME>``
    or ``[sources.google_ads]`` in ``.dlt/*.toml`` unless it is passed.

    Returns:
        The resources ``customers``, ``campaigns``, ``ad_groups``, ``ads``, ``keywords``,
        ``ad_performance_daily``, ``ad_conversions_daily``, ``keyword_performance_daily``
        and ``keyword_conversions_daily``.
    """
    lookback = Lookback.of(
        tables.SOURCE, lookback_days, initial_days, start_date, end_date, days_behind=1
    )
    at_least(
        tables.SOURCE,
        1,
        report_chunk_days=report_chunk_days,
        max_parallel_accounts=max_parallel_accounts,
    )
    listed = list_setting(
        account_ids,
        source=tables.SOURCE,
        name="account_ids",
        what="Google Ads customer ids (ten digits, dashes allowed)",
        example=["1234567890", "2345678901"],
        pattern=r"\d{10}|\d{3}-\d{3}-\d{4}",
    )
    ids = [normalize_customer_id(a, "account id") for a in listed]
    client = GoogleAdsClient(
        base_url=base_url,
        token_url=token_url,
        client_id=client_id,
        client_secret=client_secret,
        refresh_token=refresh_token,
        developer_token=developer_token,
        login_customer_id=login_customer_id,
        retry=Retry(max_attempts, backoff_factor, request_timeout),
    )
    if not ids and not client.login_customer_id:
        raise SourceError(
            tables.SOURCE,
            "no account_ids and no login_customer_id configured",
            hint="set SOURCES__GOOGLE_ADS__ACCOUNT_IDS='[\"1234567890\"]', or "
            "SOURCES__GOOGLE_ADS__LOGIN_CUSTOMER_ID to a manager account to load all its clients",
        )
    run = Run(
        client,
        ids,
        lookback,
        report_chunk_days,
        max_parallel_accounts,
    )
    return [
        merged(customers(run), tables.CUSTOMERS),
        *(merged(entities(run, t), t) for t in tables.ENTITY_TABLES),
        *(merged(daily(run, t), t, merge_key=tables.DAILY_MERGE_KEY) for t in tables.DAILY_TABLES),
    ]
