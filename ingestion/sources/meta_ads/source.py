"""The dlt source for Meta Ads: accounts, campaigns, ad sets, ads and daily ad insights."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import dlt
import pyarrow as pa
from dlt.common.schema.typing import TWriteDispositionConfig
from dlt.sources import DltResource

from ingestion import clock
from ingestion.sources.config import ListSetting, list_setting
from ingestion.sources.dates import date_chunks, parse_date
from ingestion.sources.errors import SourceError
from ingestion.sources.meta_ads import tables
from ingestion.sources.meta_ads.client import AsyncReportFailed, MetaAdsClient

log = logging.getLogger("argo.sources.meta_ads")

DEFAULT_BASE_URL = "https://graph.facebook.com/v21.0"
MERGE: TWriteDispositionConfig = {"disposition": "merge", "strategy": "delete-insert"}


def insight_window(
    *,
    today: date,
    newest_day_loaded: date | None,
    lookback_days: int,
    start_date: date | None,
    end_date: date | None,
    initial_days: int,
) -> tuple[date, date]:
    """The date range of one insights run for one account.

    An explicit ``start_date`` (a backfill or a re-pull asked for by the user) wins. Else a
    run after an earlier one starts ``lookback_days`` before the newest day loaded so far, so
    days whose conversions Meta restated are pulled again; a first run starts
    ``initial_days`` before ``today``. The range ends on ``end_date`` or ``today``.

    Returns:
        ``(since, until)``, both inclusive; ``since > until`` means nothing to load.
    """
    until = end_date or today
    if start_date is not None:
        since = start_date
    elif newest_day_loaded is not None:
        since = min(newest_day_loaded, until) - timedelta(days=lookback_days - 1)
    else:
        since = today - timedelta(days=initial_days - 1)
    return since, until


@dlt.source(name="meta_ads", section="meta_ads", max_table_nesting=0)
def meta_ads_source(
    access_token: str = dlt.secrets.value,
    account_ids: ListSetting = None,
    base_url: str = DEFAULT_BASE_URL,
    start_date: str | None = None,
    end_date: str | None = None,
    lookback_days: int = 28,
    initial_days: int = 90,
    insights_mode: str = "async",
    insights_chunk_days: int = 7,
    page_size: int = 500,
    max_attempts: int = 8,
    backoff_factor: float = 1.0,
    request_timeout: float = 120.0,
    async_poll_interval: float = 10.0,
    async_timeout: float = 3600.0,
) -> list[DltResource]:
    """Meta Marketing API: ad accounts, campaigns, ad sets, ads and daily ad-level insights.

    Every argument is read by dlt from config (``[sources.meta_ads]`` in
    ``.dlt/config.toml`` or ``SOURCES__META_ADS__<NAME>`` variables) unless passed.

    Args:
        access_token: Token with ``ads_read`` (a secret: env or ``.dlt/secrets.toml`` only).
        account_ids: Ad account ids (digits, ``act_`` optional): a list, a JSON list or a
            comma-separated string; all the token can read if empty.
        base_url: Graph API root with version; point it at the sandbox for tests.
        start_date: First day to load (YYYY-MM-DD). Given, it overrides the incremental
            state (a backfill or a deliberate re-pull).
        end_date: Last day to load; default the account's own "today".
        lookback_days: Days before the last loaded day pulled again on every run, so
            conversions Meta restates (up to 28 days) are picked up.
        initial_days: Days loaded by the first run when ``start_date`` is not given.
        insights_mode: ``async`` (report runs, Meta's advice for large ranges) or ``sync``.
        insights_chunk_days: Days per insights request or report run.
        page_size: ``limit`` per page.
        max_attempts: Attempts per request before failing (rate limits, 429, 5xx).
        backoff_factor: Exponential backoff multiplier, seconds.
        request_timeout: Seconds to wait for one answer before retrying.
        async_poll_interval: First wait between polls of a report run, seconds.
        async_timeout: Seconds before an unfinished report run is abandoned and split.

    Returns:
        The resources ``ad_accounts``, ``campaigns``, ``ad_sets``, ``ads``, ``ads_insights``
        (which also fills ``ads_insights_actions``).
    """
    if insights_mode not in ("async", "sync"):
        raise SourceError(
            tables.SOURCE, f"insights_mode '{insights_mode}' is unknown", hint="use async or sync"
        )
    if lookback_days < 1 or insights_chunk_days < 1:
        raise SourceError(tables.SOURCE, "lookback_days and insights_chunk_days must be at least 1")
    wanted = [
        a.removeprefix("act_")
        for a in list_setting(
            account_ids,
            source=tables.SOURCE,
            name="account_ids",
            what="ad account ids (digits, act_ optional)",
            example=["1234567890", "2345678901"],
            pattern=r"(act_)?\d+",
        )
    ]
    client = MetaAdsClient(
        base_url,
        access_token,
        page_size=page_size,
        max_attempts=max_attempts,
        backoff_factor=backoff_factor,
        timeout=request_timeout,
        async_poll_interval=async_poll_interval,
        async_timeout=async_timeout,
    )
    start = parse_date(start_date, "start_date", tables.SOURCE)
    end = parse_date(end_date, "end_date", tables.SOURCE)
    loaded_at = clock.now()
    accounts: list[dict[str, Any]] = []

    def account_list() -> list[dict[str, Any]]:
        if not accounts:
            ids = list(wanted)
            if not ids:
                ids = client.my_account_ids()
                log.info("meta_ads: the token reads %d ad account(s)", len(ids))
            for account_id in ids:
                accounts.append(client.account(account_id, tables.AD_ACCOUNT_FIELDS))
        return accounts

    @dlt.resource(name="ad_accounts", write_disposition=MERGE, primary_key="id")
    def ad_accounts() -> Iterator[pa.Table]:
        yield tables.to_table(
            account_list(),
            tables.AD_ACCOUNT_COLUMNS,
            entity="ad_accounts",
            keys=("id",),
            loaded_at=loaded_at,
        )

    def listing(
        name: str,
        edge: str,
        fields: list[str],
        columns: Sequence[tables.Column],
        flatten: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> DltResource:
        def rows() -> Iterator[pa.Table]:
            # An empty typed table first: the table exists even when no account has rows.
            yield tables.to_table([], columns, entity=name, keys=("id",), loaded_at=loaded_at)
            for account in account_list():
                account_id = str(account["account_id"])
                count = 0
                for page in client.paginate(
                    f"act_{account_id}/{edge}",
                    {"fields": ",".join(fields)},
                    record=f"act_{account_id} {edge}",
                ):
                    if flatten is not None:
                        page = [flatten(row) for row in page]
                    count += len(page)
                    yield tables.to_table(
                        page, columns, entity=name, keys=("id",), loaded_at=loaded_at
                    )
                log.info("meta_ads: act_%s %s: %d rows", account_id, name, count)

        return dlt.resource(rows, name=name, write_disposition=MERGE, primary_key="id")

    @dlt.resource(
        name="ads_insights",
        write_disposition=MERGE,
        primary_key=["account_id", "ad_id", "date_start"],
        merge_key=["account_id", "date_start"],
    )
    def ads_insights() -> Iterator[Any]:
        state = dlt.current.resource_state().setdefault("newest_day_loaded", {})
        yield from _insight_tables([], loaded_at)  # both tables exist even with no delivery
        for account in account_list():
            account_id = str(account["account_id"])
            today = clock.today(str(account["timezone_name"]))
            last = state.get(account_id)
            since, until = insight_window(
                today=today,
                newest_day_loaded=date.fromisoformat(last) if last else None,
                lookback_days=lookback_days,
                start_date=start,
                end_date=end,
                initial_days=initial_days,
            )
            if since > until:
                log.info("meta_ads: act_%s insights: nothing to load", account_id)
                continue
            log.info(
                "meta_ads: act_%s insights %s..%s (%s)", account_id, since, until, insights_mode
            )
            total = 0
            newest = last or ""
            for chunk_since, chunk_until in date_chunks(since, until, insights_chunk_days):
                for page in _insight_pages(
                    client, account_id, chunk_since, chunk_until, insights_mode
                ):
                    total += len(page)
                    newest = max([newest, *(str(row.get("date_start")) for row in page)])
                    yield from _insight_tables(page, loaded_at)
                log.info(
                    "meta_ads: act_%s insights %s..%s: %d rows so far",
                    account_id,
                    chunk_since,
                    chunk_until,
                    total,
                )
            if newest:
                # The newest day Meta returned anchors the next run's lookback: every day
                # still settling at this run is re-pulled, however long until the next run.
                state[account_id] = newest

    return [
        ad_accounts,
        listing("campaigns", "campaigns", tables.CAMPAIGN_FIELDS, tables.CAMPAIGN_COLUMNS),
        listing("ad_sets", "adsets", tables.AD_SET_FIELDS, tables.AD_SET_COLUMNS),
        listing("ads", "ads", tables.AD_FIELDS, tables.AD_COLUMNS, tables.flatten_ad),
        ads_insights,
    ]


def _insight_pages(
    client: MetaAdsClient, account_id: str, since: date, until: date, mode: str
) -> Iterator[list[dict[str, Any]]]:
    """Pages of insights for one range; a failed async report is split in halves and retried.

    A report run that ends failed, skipped or timed out is retried once for the same
    range, then split (peers do the same for Meta's large-range failures) down to single
    days; a one-day report that still fails stops the run with a clear error.
    """
    if mode == "sync":
        yield from client.insights_sync(account_id, since, until, tables.INSIGHT_FIELDS)
        return
    for attempt in (1, 2):
        pages: list[list[dict[str, Any]]] = []
        try:
            for page in client.insights_async(account_id, since, until, tables.INSIGHT_FIELDS):
                pages.append(page)
        except AsyncReportFailed as exc:
            log.warning("meta_ads: %s (attempt %d)", exc, attempt)
            continue
        yield from pages
        return
    if since == until:
        raise AsyncReportFailed(
            tables.SOURCE,
            f"the async report for act_{account_id} {since} failed twice",
            record=f"act_{account_id} {since}",
            hint='run again later, or set insights_mode = "sync" for this account',
        )
    middle = since + timedelta(days=(until - since).days // 2)
    yield from _insight_pages(client, account_id, since, middle, mode)
    yield from _insight_pages(client, account_id, middle + timedelta(days=1), until, mode)


def _insight_tables(page: list[dict[str, Any]], loaded_at: datetime) -> Iterator[Any]:
    insights = tables.to_table(
        page,
        tables.INSIGHT_COLUMNS,
        entity="ads_insights",
        keys=tables.INSIGHT_KEYS,
        loaded_at=loaded_at,
    )
    yield insights
    actions = tables.to_table(
        tables.explode_actions(page),
        tables.ACTION_COLUMNS,
        entity="ads_insights_actions",
        keys=(*tables.INSIGHT_KEYS, "action_type"),
        loaded_at=loaded_at,
    )
    yield dlt.mark.with_hints(
        actions,
        dlt.mark.make_hints(
            table_name="ads_insights_actions",
            write_disposition=MERGE,
            primary_key=["account_id", "ad_id", "date_start", "action_type"],
            merge_key=["account_id", "date_start"],
        ),
        create_table_variant=True,
    )
