"""The dlt source for Google Ads: customers, campaigns, ad groups, ads, keywords, daily reports."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.common.schema.typing import TWriteDispositionConfig
from dlt.common.typing import TSecretStrValue
from dlt.sources import DltResource

from ingestion import clock
from ingestion.sources.config import ListSetting, list_setting
from ingestion.sources.dates import date_chunks, parse_date
from ingestion.sources.errors import SourceError
from ingestion.sources.google_ads import tables
from ingestion.sources.google_ads.client import GoogleAdsClient, normalize_customer_id

log = logging.getLogger("argo.sources.google_ads")

API_VERSION = "v26"
DEFAULT_BASE_URL = f"https://googleads.googleapis.com/{API_VERSION}"
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com/token"
MERGE: TWriteDispositionConfig = {"disposition": "merge", "strategy": "delete-insert"}


def report_window(
    *,
    yesterday: date,
    newest_day_loaded: date | None,
    lookback_days: int,
    start_date: date | None,
    end_date: date | None,
    initial_days: int,
) -> tuple[date, date]:
    """The date range of one report run for one customer.

    An explicit ``start_date`` wins (a backfill or a deliberate re-pull). Else a run after an
    earlier one starts ``lookback_days`` before the newest day loaded so far, so days whose
    conversions Google restated are pulled again; a first run covers ``initial_days``
    ending yesterday. The range ends on ``end_date`` or on the customer's yesterday (today
    is still being counted).

    Returns:
        ``(since, until)``, both inclusive; ``since > until`` means nothing to load.
    """
    until = end_date or yesterday
    if start_date is not None:
        since = start_date
    elif newest_day_loaded is not None:
        since = min(newest_day_loaded, until) - timedelta(days=lookback_days - 1)
    else:
        since = yesterday - timedelta(days=initial_days - 1)
    return since, until


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
    max_attempts: int = 8,
    backoff_factor: float = 1.0,
    request_timeout: float = 120.0,
    async_poll_interval: float = 10.0,
) -> list[DltResource]:
    """Google Ads API (REST): customers, campaigns, ad groups, ads, keywords, daily reports.

    Every argument is read by dlt from config (``[sources.google_ads]`` in
    ``.dlt/config.toml`` / ``.dlt/secrets.toml`` or ``SOURCES__GOOGLE_ADS__<NAME>``
    variables) unless passed.

    Args:
        client_id: OAuth client id of the Google Cloud project (secret).
        client_secret: Its secret (secret).
        refresh_token: Refresh token of a user with access to the accounts, scope
            ``https://www.googleapis.com/auth/adwords`` (secret).
        developer_token: Sent as the ``developer-token`` header when set (secret). Google
            ignores it since developer tokens were sunset on 2026-09-09; older set-ups and
            the sandbox still check it.
        login_customer_id: Manager account id (ten digits; dashes removed) through which
            the user reaches the customers; sent as ``login-customer-id``.
        account_ids: Customer ids to load (several per run): a list, a JSON list or a
            comma-separated string. Empty: every enabled client account directly under
            ``login_customer_id``.
        base_url: API root with version; point it at the sandbox for tests.
        token_url: OAuth token endpoint.
        start_date: First day to load (YYYY-MM-DD); given, it overrides the incremental
            state (a backfill or a deliberate re-pull).
        end_date: Last day to load; default each customer's own yesterday.
        lookback_days: Days up to the newest day loaded that every run pulls again, so
            conversions Google restates over the conversion window (30 days by default)
            are picked up.
        initial_days: Days the first run loads when ``start_date`` is not given.
        report_chunk_days: Days per searchStream request.
        max_attempts: Attempts per request before failing (429, 5xx, timeouts, bad bodies).
        backoff_factor: Exponential backoff multiplier, seconds.
        request_timeout: Seconds to wait for one answer before retrying.
        async_poll_interval: Accepted for a uniform source interface; Google Ads reports
            are synchronous, so nothing is polled.

    Returns:
        The resources ``customers``, ``campaigns``, ``ad_groups``, ``ads``, ``keywords``,
        ``ad_performance_daily``, ``ad_conversions_daily``, ``keyword_performance_daily``
        and ``keyword_conversions_daily``.
    """
    del async_poll_interval  # no report jobs in the Google Ads API
    if lookback_days < 1 or report_chunk_days < 1 or initial_days < 1:
        raise SourceError(
            tables.SOURCE, "lookback_days, initial_days and report_chunk_days must be at least 1"
        )
    wanted = [
        normalize_customer_id(a, "account id")
        for a in list_setting(
            account_ids,
            source=tables.SOURCE,
            name="account_ids",
            what="Google Ads customer ids (ten digits, dashes allowed)",
            example=["1234567890", "2345678901"],
            pattern=r"\d{10}|\d{3}-\d{3}-\d{4}",
        )
    ]
    client = GoogleAdsClient(
        base_url=base_url,
        token_url=token_url,
        client_id=client_id,
        client_secret=client_secret,
        refresh_token=refresh_token,
        developer_token=developer_token,
        login_customer_id=login_customer_id,
        max_attempts=max_attempts,
        backoff_factor=backoff_factor,
        timeout=request_timeout,
    )
    if not wanted and not client.login_customer_id:
        raise SourceError(
            tables.SOURCE,
            "no account_ids and no login_customer_id configured",
            hint="set SOURCES__GOOGLE_ADS__ACCOUNT_IDS='[\"1234567890\"]', or "
            "SOURCES__GOOGLE_ADS__LOGIN_CUSTOMER_ID to a manager account to load all its clients",
        )
    start = parse_date(start_date, "start_date", tables.SOURCE)
    end = parse_date(end_date, "end_date", tables.SOURCE)
    loaded_at = clock.now()
    customers: list[dict[str, Any]] = []

    def customer_list() -> list[dict[str, Any]]:
        """The customers of this run, each read once (``FROM customer``)."""
        if not customers:
            ids = list(wanted)
            if not ids:
                assert client.login_customer_id is not None
                ids = client.client_customer_ids(client.login_customer_id)
                log.info(
                    "google_ads: manager %s has %d client account(s)",
                    client.login_customer_id,
                    len(ids),
                )
            for customer_id in ids:
                rows = [
                    row
                    for page in client.search(
                        customer_id, tables.CUSTOMERS.query(), record=f"customer {customer_id}"
                    )
                    for row in page
                ]
                if len(rows) != 1:
                    raise SourceError(
                        tables.SOURCE,
                        f"customer {customer_id} answered {len(rows)} customer rows",
                        record=f"customer {customer_id}",
                        hint="check the customer id (a manager account has no campaigns; list "
                        "its clients in account_ids)",
                    )
                # Checked here (id, currency, time zone present) before any report uses it.
                tables.to_table(
                    rows, tables.CUSTOMERS, customer_id=customer_id, loaded_at=loaded_at
                )
                customers.append(rows[0])
        return customers

    @dlt.resource(name="customers", write_disposition=MERGE, primary_key="customer_id")
    def customers_resource() -> Iterator[pa.Table]:
        yield tables.to_table([], tables.CUSTOMERS, customer_id="", loaded_at=loaded_at)
        for row in customer_list():
            customer_id = str((row.get("customer") or {}).get("id") or "")
            yield tables.to_table(
                [row], tables.CUSTOMERS, customer_id=customer_id, loaded_at=loaded_at
            )

    def entity(table: tables.Table) -> DltResource:
        def rows() -> Iterator[pa.Table]:
            # An empty typed table first: the table exists even when no customer has rows.
            yield tables.to_table([], table, customer_id="", loaded_at=loaded_at)
            for customer in customer_list():
                customer_id = str(customer["customer"]["id"])
                count = 0
                for page in client.search(
                    customer_id, table.query(), record=f"customer {customer_id} {table.name}"
                ):
                    count += len(page)
                    yield tables.to_table(page, table, customer_id=customer_id, loaded_at=loaded_at)
                log.info("google_ads: customer %s %s: %d rows", customer_id, table.name, count)

        return dlt.resource(
            rows, name=table.name, write_disposition=MERGE, primary_key=list(table.primary_key)
        )

    def daily(table: tables.Table) -> DltResource:
        def rows() -> Iterator[pa.Table]:
            state = dlt.current.resource_state().setdefault("newest_day_loaded", {})
            yield tables.to_table([], table, customer_id="", loaded_at=loaded_at)
            for customer in customer_list():
                customer_id = str(customer["customer"]["id"])
                time_zone = str(customer["customer"]["timeZone"])
                yesterday = clock.today(ZoneInfo(time_zone)) - timedelta(days=1)
                last = state.get(customer_id)
                since, until = report_window(
                    yesterday=yesterday,
                    newest_day_loaded=date.fromisoformat(last) if last else None,
                    lookback_days=lookback_days,
                    start_date=start,
                    end_date=end,
                    initial_days=initial_days,
                )
                if since > until:
                    log.info("google_ads: customer %s %s: nothing to load", customer_id, table.name)
                    continue
                total = 0
                newest = last or ""
                for chunk_since, chunk_until in date_chunks(since, until, report_chunk_days):
                    record = f"customer {customer_id} {table.name} {chunk_since}..{chunk_until}"
                    for batch in client.search_stream(
                        customer_id, table.query(chunk_since, chunk_until), record=record
                    ):
                        arrow = tables.to_table(
                            batch, table, customer_id=customer_id, loaded_at=loaded_at
                        )
                        total += arrow.num_rows
                        if arrow.num_rows:
                            newest = max(newest, str(pc.max(arrow["segments_date"])))
                        yield arrow
                log.info(
                    "google_ads: customer %s %s %s..%s: %d rows",
                    customer_id,
                    table.name,
                    since,
                    until,
                    total,
                )
                if newest:
                    # The newest day Google returned anchors the next run's lookback.
                    state[customer_id] = newest

        return dlt.resource(
            rows,
            name=table.name,
            write_disposition=MERGE,
            primary_key=list(table.primary_key),
            merge_key=list(tables.DAILY_MERGE_KEY),
        )

    return [
        customers_resource,
        *(entity(t) for t in tables.ENTITY_TABLES),
        *(daily(t) for t in tables.DAILY_TABLES),
    ]
