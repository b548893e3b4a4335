"""The dlt source for Kakao Moment: ad accounts, campaigns, ad groups, creatives, daily reports."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from ingestion import clock
from ingestion.sources import arrow
from ingestion.sources.config import ListSetting, at_least, list_setting
from ingestion.sources.dates import Lookback, NewestDays, date_chunks, days_of, sane_days
from ingestion.sources.errors import SourceError
from ingestion.sources.http import Retry
from ingestion.sources.kakao_moment import tables
from ingestion.sources.kakao_moment.client import KakaoMomentClient, chunks
from ingestion.sources.parallel import Slots, each_account, map_accounts
from ingestion.sources.resources import into, merged, rows_into_tables, tombstones

log = logging.getLogger("argo.sources.kakao_moment")

DEFAULT_BASE_URL = "https://apis.moment.kakao.com"
DEFAULT_AUTH_URL = "https://kauth.kakao.com"
SEOUL = ZoneInfo(tables.TIMEZONE)
#: Kakao's longest report range per call (days, both ends included).
MAX_REPORT_DAYS = 31
#: Kakao's most creative ids per report call.
MAX_CREATIVES_PER_REPORT = 100


@dataclass
class Structure:
    """One ad account's campaigns, ad groups and creatives, read once per run."""

    campaigns: list[dict[str, Any]] = field(default_factory=list)
    ad_groups: list[dict[str, Any]] = field(default_factory=list)
    creatives: list[dict[str, Any]] = field(default_factory=list)

    def parents(self) -> dict[str, tuple[str, str]]:
        """Creative id -> (ad group id, campaign id)."""
        return {
            str(c["id"]): (str(c["ad_group_id"]), str(c["campaign_id"])) for c in self.creatives
        }


@dataclass
class Run:
    """One run of the source: the client, the checked settings, what is read once.

    Attributes:
        client: The Kakao Moment client (it paces report calls per account).
        account_ids: Ad accounts asked for (empty: every account the token reads).
        lookback: The days of each account's report run (yesterday at the latest).
        window_days: Days per report call.
        creatives_per_report: Creative ids per report call.
        max_parallel_accounts: Ad accounts read at the same time (structure and reports).
        page_size: ``size`` of the ad-account listing pages.
        loaded_at: The run's ``_loaded_at``.
    """

    client: KakaoMomentClient
    account_ids: list[str]
    lookback: Lookback
    window_days: int = MAX_REPORT_DAYS
    creatives_per_report: int = MAX_CREATIVES_PER_REPORT
    max_parallel_accounts: int = 8
    page_size: int = 100
    loaded_at: datetime = field(default_factory=clock.now)
    _structures: dict[str, Structure] = field(default_factory=dict, init=False, repr=False)
    _locks: dict[str, threading.Lock] = field(default_factory=dict, init=False, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    slots: Slots = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.slots = Slots(self.max_parallel_accounts)

    @cached_property
    def accounts(self) -> list[dict[str, Any]]:
        """The ad accounts of this run (``GET /adAccounts/{id}``), read on first use."""
        ids = list(self.account_ids)
        if not ids:
            ids = self.client.account_ids(self.page_size)
            log.info("kakao_moment: the token reads %d ad account(s)", len(ids))
        return map_accounts(
            ids,
            lambda i: tables.flatten_account(self.client.account(i)),
            slots=self.slots,
            name="kakao-account",
        )

    def structure(self, account_id: str) -> Structure:
        """The account's campaigns, ad groups and creatives (read once; thread-safe)."""
        with self._guard:
            lock = self._locks.setdefault(account_id, threading.Lock())
        with lock:
            if account_id not in self._structures:
                self._structures[account_id] = self._read_structure(account_id)
            return self._structures[account_id]

    def _read_structure(self, account_id: str) -> Structure:
        client = self.client
        found = Structure()
        for listed in client.campaigns(account_id):
            campaign_id = str(listed.get("id"))
            detail = client.campaign(account_id, campaign_id)
            found.campaigns.append(tables.flatten_campaign(account_id, listed, detail))
            for group in client.ad_groups(account_id, campaign_id):
                group_id = str(group.get("id"))
                detail = client.ad_group(account_id, group_id)
                found.ad_groups.append(
                    tables.flatten_ad_group(account_id, campaign_id, group, detail)
                )
                found.creatives.extend(
                    tables.flatten_creative(
                        account_id,
                        campaign_id,
                        group_id,
                        creative,
                        client.creative(account_id, str(creative.get("id"))),
                    )
                    for creative in client.creatives(account_id, group_id)
                )
        log.info(
            "kakao_moment: %s: %d campaigns, %d ad groups, %d creatives",
            account_id,
            len(found.campaigns),
            len(found.ad_groups),
            len(found.creatives),
        )
        return found


def ad_accounts(run: Run) -> Iterator[pa.Table]:
    """The ``ad_accounts`` table."""
    yield arrow.to_table(run.accounts, tables.AD_ACCOUNTS, loaded_at=run.loaded_at)


def listing(run: Run, table: arrow.Table) -> Iterator[pa.Table]:
    """``campaigns``, ``ad_groups`` or ``creatives`` of every account."""
    # An empty typed table first: the table exists even when no account has rows.
    yield arrow.to_table([], table, loaded_at=run.loaded_at)

    def read(account: dict[str, Any]) -> Iterator[pa.Table]:
        # The first listing reads every account's structure (once, cached for the others).
        found = run.structure(str(account["ad_account_id"]))
        yield arrow.to_table(getattr(found, table.name), table, loaded_at=run.loaded_at)

    yield from each_account(run.accounts, read, slots=run.slots, name=f"kakao-{table.name}")


def creative_report(run: Run) -> Iterator[Any]:
    """Daily creative reports of every account's window, accounts read in parallel."""
    newest = NewestDays()
    yield from _report_tables([], [], run.loaded_at)  # both tables exist even with no delivery
    today = clock.today(SEOUL)
    jobs: list[tuple[str, date, date]] = []
    for account in run.accounts:
        account_id = str(account["ad_account_id"])
        since, until = run.lookback.window(today, newest.get(account_id))
        if since > until:
            log.info("kakao_moment: %s report: nothing to load", account_id)
            continue
        jobs.append((account_id, since, until))
    if not jobs:
        return
    yield from each_account(
        jobs,
        lambda job: _account_reports(run, *job, newest),
        slots=run.slots,
        name="kakao-report",
    )
    # Every account-day asked for is replaced, even one Kakao now answers empty for.
    asked = [
        {"ad_account_id": account_id, "report_date": day}
        for account_id, since, until in jobs
        for day in days_of(since, until)
    ]
    yield tombstones(tables.REPORT, asked, loaded_at=run.loaded_at)
    conversions = tombstones(tables.CONVERSIONS, asked, loaded_at=run.loaded_at)
    yield into(tables.CONVERSIONS, conversions, merge_key=tables.DAY_KEY)
    total = run.client.pacer.total()
    log.info(
        "kakao_moment: %d report calls, %.1f s slept between them, %d token refresh(es)",
        total.calls,
        total.slept,
        run.client.refreshes,
    )


def _account_reports(
    run: Run, account_id: str, since: date, until: date, newest: NewestDays
) -> Iterator[Any]:
    """One account's reports, window by window (a worker thread; paced per account).

    The rows of several calls are made into tables together (:func:`rows_into_tables`).
    """
    found = run.structure(account_id)
    ids = [str(c["id"]) for c in found.creatives]
    parents = found.parents()
    rows = 0

    def calls() -> Iterator[tuple[tuple[date, list[str]], list[list[dict[str, Any]]]]]:
        nonlocal rows
        for window_since, window_until in date_chunks(since, until, run.window_days):
            for id_chunk in chunks(ids, run.creatives_per_report):
                data = run.client.creative_report(account_id, id_chunk, window_since, window_until)
                rows += len(data)
                yield (window_since, id_chunk), [data]

    def as_tables(held: list[dict[str, Any]]) -> list[Any]:
        report, conversions, newest_day = tables.report_tables(
            account_id, held, parents, run.loaded_at
        )
        # The newest day Kakao returned anchors the next run's lookback (each account
        # is one key, updated by its own thread only).
        newest.update(account_id, newest_day)
        return _checked(report, conversions)

    # The days asked for are tombstoned once every account is read (creative_report).
    yield from rows_into_tables(calls(), as_tables)
    log.info("kakao_moment: %s report %s..%s: %d creative-days", account_id, since, until, rows)


def _report_tables(
    reports: list[dict[str, Any]], conversions: list[dict[str, Any]], loaded_at: datetime
) -> list[Any]:
    conversion = arrow.to_table(conversions, tables.CONVERSIONS, loaded_at=loaded_at)
    report = arrow.to_table(reports, tables.REPORT, loaded_at=loaded_at)
    return _checked(report, conversion)


def _checked(report: pa.Table, conversion: pa.Table) -> list[Any]:
    """A page's two tables, their days checked, as the report resource yields them."""
    sane_days(report, tables.REPORT, "report_date", clock.today(SEOUL))
    sane_days(conversion, tables.CONVERSIONS, "report_date", clock.today(SEOUL))
    return [
        report,
        into(tables.CONVERSIONS, conversion, merge_key=tables.DAY_KEY),
    ]


@dlt.source(name="kakao_moment", section="kakao_moment", max_table_nesting=0)
def kakao_moment_source(
    access_token: dlt.TSecretStrValue = dlt.secrets.value,
    refresh_token: dlt.TSecretStrValue | None = None,
    client_id: str | None = None,
    client_secret: dlt.TSecretStrValue | None = None,
    account_ids: ListSetting = None,
    base_url: str = DEFAULT_BASE_URL,
    auth_url: str = DEFAULT_AUTH_URL,
    start_date: str | None = None,
    end_date: str | None = None,
    lookback_days: int = 7,
    initial_days: int = 90,
    report_window_days: int = MAX_REPORT_DAYS,
    creatives_per_report: int = MAX_CREATIVES_PER_REPORT,
    report_interval_seconds: float = 5.0,
    max_parallel_accounts: int = 8,
    page_size: int = 100,
    max_attempts: int = 8,
    backoff_factor: float = 1.0,
    request_timeout: float = 120.0,
) -> list[DltResource]:
    """Kakao Moment Open API: ad accounts, campaigns, ad groups, creatives, daily creative reports.

    Its arguments are the settings of README.md beside this file (tested against this
    signature); dlt reads each from ``SOURCES__KAKAO_MOMENT__<NAME>``
    or ``[sources.kakao_moment]`` in ``.dlt/*.toml`` unless it is passed.

    Returns:
        The resources ``ad_accounts``, ``campaigns``, ``ad_groups``, ``creatives`` and
        ``creative_report`` (which also fills ``creative_report_conversions``).
    """
    ids = list_setting(
        account_ids,
        source=tables.SOURCE,
        name="account_ids",
        what="ad account ids (digits)",
        example=["123", "456"],
        pattern=r"\d+",
    )
    lookback = Lookback.of(
        tables.SOURCE, lookback_days, initial_days, start_date, end_date, days_behind=1
    )
    for name, value, limit in (
        ("report_window_days", report_window_days, MAX_REPORT_DAYS),
        ("creatives_per_report", creatives_per_report, MAX_CREATIVES_PER_REPORT),
    ):
        if not 1 <= value <= limit:
            raise SourceError(tables.SOURCE, f"{name} must be 1..{limit} (Kakao's limit)")
    at_least(tables.SOURCE, 0, report_interval_seconds=report_interval_seconds)
    at_least(tables.SOURCE, 1, max_parallel_accounts=max_parallel_accounts)
    client = KakaoMomentClient(
        base_url,
        access_token,
        refresh_token=refresh_token,
        client_id=client_id,
        client_secret=client_secret,
        auth_url=auth_url,
        report_interval=report_interval_seconds,
        retry=Retry(max_attempts, backoff_factor, request_timeout),
    )
    run = Run(
        client,
        ids,
        lookback,
        window_days=report_window_days,
        creatives_per_report=creatives_per_report,
        max_parallel_accounts=max_parallel_accounts,
        page_size=page_size,
    )
    return [
        merged(ad_accounts(run), tables.AD_ACCOUNTS),
        *(
            merged(listing(run, t), t)
            for t in (tables.CAMPAIGNS, tables.AD_GROUPS, tables.CREATIVES)
        ),
        merged(creative_report(run), tables.REPORT, merge_key=tables.DAY_KEY),
    ]
