"""The dlt source for Meta Ads: accounts, campaigns, ad sets, ads and daily ad insights."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from ingestion import clock
from ingestion.sources import arrow
from ingestion.sources.config import ListSetting, at_least, list_setting, one_of
from ingestion.sources.dates import Lookback, NewestDays, date_chunks, days_of, sane_days
from ingestion.sources.errors import SourceError
from ingestion.sources.http import Retry
from ingestion.sources.meta_ads import tables
from ingestion.sources.meta_ads.client import AsyncReportFailed, MetaAdsClient
from ingestion.sources.parallel import Slots, each_account, map_accounts
from ingestion.sources.resources import into, merged, rows_into_tables, tombstones

log = logging.getLogger("argo.sources.meta_ads")

DEFAULT_BASE_URL = "https://graph.facebook.com/v21.0"
INSIGHTS_MODES = ("async", "sync")


@dataclass
class Run:
    """One run of the source: the client, the checked settings, the accounts (read once).

    Attributes:
        client: The Graph API client.
        account_ids: Ad accounts asked for (empty: every account the token reads).
        lookback: The days of each account's insights run.
        insights_mode: ``async`` (report runs) or ``sync``.
        chunk_days: Days per insights request or report run.
        max_parallel_accounts: Ad accounts read at the same time (listings and insights).
        loaded_at: The run's ``_loaded_at``.
    """

    client: MetaAdsClient
    account_ids: list[str]
    lookback: Lookback
    insights_mode: str = "async"
    chunk_days: int = 7
    max_parallel_accounts: int = 8
    loaded_at: datetime = field(default_factory=clock.now)
    slots: Slots = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.slots = Slots(self.max_parallel_accounts)

    @cached_property
    def accounts(self) -> list[dict[str, Any]]:
        """The ad accounts of this run (``GET /act_{id}``), read on first use."""
        ids = list(self.account_ids)
        if not ids:
            ids = self.client.my_account_ids()
            log.info("meta_ads: the token reads %d ad account(s)", len(ids))
        return map_accounts(
            ids,
            lambda i: self.client.account(i, tables.AD_ACCOUNT_FIELDS),
            slots=self.slots,
            name="meta-account",
        )


def ad_accounts(run: Run) -> Iterator[pa.Table]:
    """The ``ad_accounts`` table."""
    yield arrow.to_table(run.accounts, tables.AD_ACCOUNTS, loaded_at=run.loaded_at)


def listing(
    run: Run,
    table: arrow.Table,
    edge: str,
    fields: list[str],
    flatten: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> Iterator[pa.Table]:
    """One entity table, page by page (``GET /act_{id}/{edge}``), for every account."""
    # An empty typed table first: the table exists even when no account has rows.
    yield arrow.to_table([], table, loaded_at=run.loaded_at)

    def read(account: dict[str, Any]) -> Iterator[pa.Table]:
        account_id = str(account["account_id"])
        count = 0
        for page in run.client.paginate(
            f"act_{account_id}/{edge}",
            {"fields": ",".join(fields)},
            record=f"act_{account_id} {edge}",
        ):
            if flatten is not None:
                page = [flatten(row) for row in page]
            count += len(page)
            yield arrow.to_table(page, table, loaded_at=run.loaded_at)
        log.info("meta_ads: act_%s %s: %d rows", account_id, table.name, count)

    yield from each_account(run.accounts, read, slots=run.slots, name=f"meta-{edge}")


def ads_insights(run: Run) -> Iterator[Any]:
    """Daily ad-level insights of every account's window, and their actions."""
    newest = NewestDays()
    yield from _insight_tables([], run.loaded_at)  # both tables exist even with no delivery
    jobs: list[tuple[str, date, date, date]] = []
    for account in run.accounts:
        account_id = str(account["account_id"])
        today = clock.today(str(account["timezone_name"]))
        since, until = run.lookback.window(today, newest.get(account_id))
        if since > until:
            log.info("meta_ads: act_%s insights: nothing to load", account_id)
            continue
        jobs.append((account_id, today, since, until))

    def read(job: tuple[str, date, date, date]) -> Iterator[Any]:
        account_id, today, since, until = job
        log.info(
            "meta_ads: act_%s insights %s..%s (%s)", account_id, since, until, run.insights_mode
        )
        total = 0

        def pages(chunk_since: date, chunk_until: date) -> Iterator[list[dict[str, Any]]]:
            nonlocal total
            for page in _insight_pages(
                run.client, account_id, chunk_since, chunk_until, run.insights_mode
            ):
                total += len(page)
                # The newest day Meta returned anchors the next run's lookback: every day
                # still settling at this run is re-pulled, however long until the next run.
                # (Each account is one key, updated by its own thread only.)
                newest.update(account_id, max((str(r.get("date_start")) for r in page), default=""))
                yield page
            log.info(
                "meta_ads: act_%s insights %s..%s: %d rows so far",
                account_id,
                chunk_since,
                chunk_until,
                total,
            )

        # Pages of several chunks are made into tables together, then every day those
        # chunks asked for is replaced, even one Meta now answers empty for.
        yield from rows_into_tables(
            ((chunk, pages(*chunk)) for chunk in date_chunks(since, until, run.chunk_days)),
            lambda rows: _insight_tables(rows, run.loaded_at, today),
            lambda chunks: _asked(account_id, chunks[0][0], chunks[-1][1], run.loaded_at),
        )

    yield from each_account(jobs, read, slots=run.slots, name="meta-insights")


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
    max_parallel_accounts: int = 8,
    page_size: int = 500,
    max_attempts: int = 8,
    backoff_factor: float = 1.0,
    request_timeout: float = 120.0,
    async_poll_interval: float = 10.0,
    async_timeout: float = 3600.0,
    usage_threshold: float = 90.0,
    usage_pause_seconds: float = 60.0,
) -> list[DltResource]:
    """Meta Marketing API: ad accounts, campaigns, ad sets, ads and daily ad-level insights.

    Its arguments are the settings of README.md beside this file (tested against this
    signature); dlt reads each from ``SOURCES__META_ADS__<NAME>``
    or ``[sources.meta_ads]`` in ``.dlt/*.toml`` unless it is passed.

    Returns:
        The resources ``ad_accounts``, ``campaigns``, ``ad_sets``, ``ads``, ``ads_insights``
        (which also fills ``ads_insights_actions``).
    """
    mode = one_of(tables.SOURCE, "insights_mode", insights_mode, INSIGHTS_MODES, "async")
    lookback = Lookback.of(
        tables.SOURCE, lookback_days, initial_days, start_date, end_date, initial_counts_today=True
    )
    at_least(
        tables.SOURCE,
        1,
        insights_chunk_days=insights_chunk_days,
        max_parallel_accounts=max_parallel_accounts,
    )
    at_least(tables.SOURCE, 0, usage_pause_seconds=usage_pause_seconds)
    if not 0 < usage_threshold <= 100:
        raise SourceError(
            tables.SOURCE,
            f"usage_threshold must be a percentage above 0 and at most 100 ({usage_threshold})",
            hint="see ingestion/sources/meta_ads/README.md",
        )
    ids = list_setting(
        account_ids,
        source=tables.SOURCE,
        name="account_ids",
        what="ad account ids (digits, act_ optional)",
        example=["1234567890", "2345678901"],
        pattern=r"(act_)?\d+",
    )
    run = Run(
        MetaAdsClient(
            base_url,
            access_token,
            page_size=page_size,
            retry=Retry(max_attempts, backoff_factor, request_timeout),
            async_poll_interval=async_poll_interval,
            async_timeout=async_timeout,
            usage_threshold=usage_threshold,
            usage_pause=usage_pause_seconds,
        ),
        [a.removeprefix("act_") for a in ids],
        lookback,
        mode,
        insights_chunk_days,
        max_parallel_accounts,
    )
    return [
        merged(ad_accounts(run), tables.AD_ACCOUNTS),
        merged(
            listing(run, tables.CAMPAIGNS, "campaigns", tables.CAMPAIGN_FIELDS), tables.CAMPAIGNS
        ),
        merged(listing(run, tables.AD_SETS, "adsets", tables.AD_SET_FIELDS), tables.AD_SETS),
        merged(listing(run, tables.ADS, "ads", tables.AD_FIELDS, tables.flatten_ad), tables.ADS),
        merged(ads_insights(run), tables.INSIGHTS, merge_key=tables.DAY_KEY),
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


def _asked(account_id: str, since: date, until: date, loaded_at: datetime) -> Iterator[Any]:
    """Tombstones of the account-days of ``[since, until]`` in both insight tables."""
    asked = [{"account_id": account_id, "date_start": d} for d in days_of(since, until)]
    yield tombstones(tables.INSIGHTS, asked, loaded_at=loaded_at)
    actions = tombstones(tables.ACTIONS, asked, loaded_at=loaded_at)
    yield into(tables.ACTIONS, actions, merge_key=tables.DAY_KEY)


def _insight_tables(
    page: list[dict[str, Any]], loaded_at: datetime, today: date | None = None
) -> Iterator[Any]:
    struct = tables.insight_page(page)  # read at once when every value is text, as Graph sends
    if struct is None:
        insights = arrow.to_table(page, tables.INSIGHTS, loaded_at=loaded_at)
    else:  # a value the column-wise read does not take is named from the rows, as to_table
        insights = arrow.columns_to_table(
            {c.name: struct.field(c.key) for c in tables.INSIGHTS.columns},
            tables.INSIGHTS,
            loaded_at=loaded_at,
            records=lambda: page,
        )
    if today is not None:
        sane_days(insights, tables.INSIGHTS, "date_start", today)
    yield insights
    columns = tables.action_columns(page, struct)
    if columns is None:
        actions = arrow.to_table(tables.explode_actions(page), tables.ACTIONS, loaded_at=loaded_at)
    else:  # a value the column-wise read does not take is named from the rows, as above
        actions = arrow.columns_to_table(
            columns,
            tables.ACTIONS,
            loaded_at=loaded_at,
            records=lambda: tables.explode_actions(page),
        )
    yield into(tables.ACTIONS, actions, merge_key=tables.DAY_KEY)
