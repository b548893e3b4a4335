"""The dlt source for Kakao Moment: ad accounts, campaigns, ad groups, creatives, daily reports."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dlt
import pyarrow as pa
from dlt.common.schema.typing import TWriteDispositionConfig
from dlt.sources import DltResource

from ingestion import clock
from ingestion.sources.config import ListSetting, list_setting
from ingestion.sources.dates import date_chunks, parse_date
from ingestion.sources.errors import SourceError
from ingestion.sources.kakao_moment import tables
from ingestion.sources.kakao_moment.client import KakaoMomentClient, chunks

log = logging.getLogger("argo.sources.kakao_moment")

DEFAULT_BASE_URL = "https://apis.moment.kakao.com"
DEFAULT_AUTH_URL = "https://kauth.kakao.com"
MERGE: TWriteDispositionConfig = {"disposition": "merge", "strategy": "delete-insert"}
SEOUL = ZoneInfo(tables.TIMEZONE)
#: Kakao's longest report range per call (days, both ends included).
MAX_REPORT_DAYS = 31
#: Kakao's most creative ids per report call.
MAX_CREATIVES_PER_REPORT = 100
REPORT_KEY = ["ad_account_id", "creative_id", "report_date"]
DAY_KEY = ["ad_account_id", "report_date"]


def report_window(
    *,
    today: date,
    newest_day_loaded: date | None,
    lookback_days: int,
    start_date: date | None,
    end_date: date | None,
    initial_days: int,
) -> tuple[date, date]:
    """The date range of one report run for one ad account (Korean dates).

    Kakao excludes today from ``start``/``end`` reports, so the range ends on ``end_date``
    or yesterday, whichever is earlier. An explicit ``start_date`` wins; else a run after
    an earlier one starts ``lookback_days`` before (and including) the newest day loaded,
    so yesterday's unsettled numbers and conversions still being attributed are pulled
    again; a first run loads the ``initial_days`` before today.

    Returns:
        ``(since, until)``, both inclusive; ``since > until`` means nothing to load.
    """
    yesterday = today - timedelta(days=1)
    until = min(end_date, yesterday) if end_date else yesterday
    if start_date is not None:
        since = start_date
    elif newest_day_loaded is not None:
        since = min(newest_day_loaded, until) - timedelta(days=lookback_days - 1)
    else:
        since = today - timedelta(days=initial_days)
    return since, until


@dataclass
class _Structure:
    """One ad account's campaigns, ad groups and creatives, read once per run."""

    campaigns: list[dict[str, Any]] = field(default_factory=list)
    ad_groups: list[dict[str, Any]] = field(default_factory=list)
    creatives: list[dict[str, Any]] = field(default_factory=list)

    def parents(self) -> dict[str, tuple[str, str]]:
        """Creative id -> (ad group id, campaign id)."""
        return {
            str(c["id"]): (str(c["ad_group_id"]), str(c["campaign_id"])) for c in self.creatives
        }


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
    async_poll_interval: float = 0.0,
) -> list[DltResource]:
    """Kakao Moment Open API: ad accounts, campaigns, ad groups, creatives, daily creative reports.

    Every argument is read by dlt from config (``[sources.kakao_moment]`` in
    ``.dlt/config.toml`` / ``.dlt/secrets.toml`` or ``SOURCES__KAKAO_MOMENT__<NAME>``
    variables) unless passed.

    Args:
        access_token: Business access token (a secret; it expires after hours).
        refresh_token: Business refresh token; with ``client_id`` an expired access token
            is renewed once per run through ``{auth_url}/oauth/token`` (a secret).
        client_id: The Kakao app's REST API key (needed to refresh).
        client_secret: The app's client secret, if switched on (a secret).
        account_ids: Ad account ids (digits): a list, a JSON list or a comma-separated
            string; every account the token can read if empty.
        base_url: API root; point it at the sandbox for tests.
        auth_url: Kakao OAuth root (``https://kauth.kakao.com``).
        start_date: First day to load (YYYY-MM-DD, Korean date); overrides the state.
        end_date: Last day to load; default (and at most) yesterday in Korea.
        lookback_days: Days up to and including the newest day loaded that every run
            pulls again: yesterday settles at 08:00 KST and 7-day-attributed conversions
            keep arriving for 7 days.
        initial_days: Days loaded by the first run when ``start_date`` is not given.
        report_window_days: Days per report call (Kakao allows at most 31).
        creatives_per_report: Creative ids per report call (Kakao allows at most 100).
        report_interval_seconds: Least seconds between two report calls of one ad
            account (Kakao: one every 5 s).
        max_parallel_accounts: Ad accounts whose reports are read at the same time.
        page_size: ``size`` of the ad-account listing pages.
        max_attempts: Attempts per request before failing (429, 5xx, timeouts).
        backoff_factor: Exponential backoff multiplier, seconds.
        request_timeout: Seconds to wait for one answer before retrying.
        async_poll_interval: Unused: Kakao reports are synchronous (accepted so that one
            sandbox setting fits every source).

    Returns:
        The resources ``ad_accounts``, ``campaigns``, ``ad_groups``, ``creatives`` and
        ``creative_report`` (which also fills ``creative_report_conversions``).
    """
    wanted = list_setting(
        account_ids,
        source=tables.SOURCE,
        name="account_ids",
        what="ad account ids (digits)",
        example=["123", "456"],
        pattern=r"\d+",
    )
    if lookback_days < 1 or initial_days < 1:
        raise SourceError(tables.SOURCE, "lookback_days and initial_days must be at least 1")
    if not 1 <= report_window_days <= MAX_REPORT_DAYS:
        raise SourceError(
            tables.SOURCE, f"report_window_days must be 1..{MAX_REPORT_DAYS} (Kakao's limit)"
        )
    if not 1 <= creatives_per_report <= MAX_CREATIVES_PER_REPORT:
        raise SourceError(
            tables.SOURCE,
            f"creatives_per_report must be 1..{MAX_CREATIVES_PER_REPORT} (Kakao's limit)",
        )
    if report_interval_seconds < 0 or max_parallel_accounts < 1:
        raise SourceError(
            tables.SOURCE,
            "report_interval_seconds must be >= 0 and max_parallel_accounts >= 1",
        )
    client = KakaoMomentClient(
        base_url,
        access_token,
        refresh_token=refresh_token,
        client_id=client_id,
        client_secret=client_secret,
        auth_url=auth_url,
        report_interval=report_interval_seconds,
        max_attempts=max_attempts,
        backoff_factor=backoff_factor,
        timeout=request_timeout,
    )
    start = parse_date(start_date, "start_date", tables.SOURCE)
    end = parse_date(end_date, "end_date", tables.SOURCE)
    loaded_at = clock.now()
    accounts: list[dict[str, Any]] = []
    structures: dict[str, _Structure] = {}
    locks: dict[str, threading.Lock] = {}
    guard = threading.Lock()

    def account_list() -> list[dict[str, Any]]:
        if not accounts:
            ids = list(wanted)
            if not ids:
                ids = client.account_ids(page_size)
                log.info("kakao_moment: the token reads %d ad account(s)", len(ids))
            accounts.extend(tables.flatten_account(client.account(i)) for i in ids)
        return accounts

    def structure(account_id: str) -> _Structure:
        with guard:
            lock = locks.setdefault(account_id, threading.Lock())
        with lock:
            if account_id not in structures:
                found = _Structure()
                for listed in client.campaigns(account_id):
                    campaign_id = str(listed.get("id"))
                    detail = client.campaign(account_id, campaign_id)
                    found.campaigns.append(tables.flatten_campaign(account_id, listed, detail))
                    for group in client.ad_groups(account_id, campaign_id):
                        group_id = str(group.get("id"))
                        found.ad_groups.append(
                            tables.flatten_ad_group(
                                account_id,
                                campaign_id,
                                group,
                                client.ad_group(account_id, group_id),
                            )
                        )
                        found.creatives.extend(
                            tables.flatten_creative(account_id, campaign_id, group_id, creative)
                            for creative in client.creatives(account_id, group_id)
                        )
                log.info(
                    "kakao_moment: %s: %d campaigns, %d ad groups, %d creatives",
                    account_id,
                    len(found.campaigns),
                    len(found.ad_groups),
                    len(found.creatives),
                )
                structures[account_id] = found
            return structures[account_id]

    @dlt.resource(name="ad_accounts", write_disposition=MERGE, primary_key="id")
    def ad_accounts() -> Iterator[pa.Table]:
        yield tables.to_table(
            account_list(),
            tables.AD_ACCOUNT_COLUMNS,
            entity="ad_accounts",
            keys=("id",),
            loaded_at=loaded_at,
        )

    def listing(name: str, columns: Sequence[tables.Column]) -> DltResource:
        def rows() -> Iterator[pa.Table]:
            # An empty typed table first: the table exists even when no account has rows.
            yield tables.to_table([], columns, entity=name, keys=("id",), loaded_at=loaded_at)
            for account in account_list():
                found = structure(str(account["ad_account_id"]))
                yield tables.to_table(
                    getattr(found, name), columns, entity=name, keys=("id",), loaded_at=loaded_at
                )

        return dlt.resource(rows, name=name, write_disposition=MERGE, primary_key="id")

    def account_reports(
        account_id: str, since: date, until: date, out: queue.Queue[Any], stop: threading.Event
    ) -> None:
        """Reads one account's reports window by window (a worker thread)."""
        try:
            found = structure(account_id)
            ids = [str(c["id"]) for c in found.creatives]
            parents = found.parents()
            newest = ""
            rows = 0
            for window_since, window_until in date_chunks(since, until, report_window_days):
                for id_chunk in chunks(ids, creatives_per_report):
                    if stop.is_set():
                        return
                    data = client.creative_report(account_id, id_chunk, window_since, window_until)
                    reports, conversions = tables.flatten_report(account_id, data, parents)
                    rows += len(reports)
                    newest = max([newest, *(str(r["report_date"]) for r in reports)])
                    out.put(("tables", _report_tables(reports, conversions, loaded_at)))
            log.info(
                "kakao_moment: %s report %s..%s: %d creative-days", account_id, since, until, rows
            )
            out.put(("done", (account_id, newest)))
        except BaseException as exc:
            out.put(("error", exc))

    @dlt.resource(
        name="creative_report",
        write_disposition=MERGE,
        primary_key=REPORT_KEY,
        merge_key=DAY_KEY,
    )
    def creative_report() -> Iterator[Any]:
        state = dlt.current.resource_state().setdefault("newest_day_loaded", {})
        yield from _report_tables([], [], loaded_at)  # both tables exist even with no delivery
        today = clock.today(SEOUL)
        jobs: list[tuple[str, date, date]] = []
        for account in account_list():
            account_id = str(account["ad_account_id"])
            last = state.get(account_id)
            since, until = report_window(
                today=today,
                newest_day_loaded=date.fromisoformat(last) if last else None,
                lookback_days=lookback_days,
                start_date=start,
                end_date=end,
                initial_days=initial_days,
            )
            if since > until:
                log.info("kakao_moment: %s report: nothing to load", account_id)
                continue
            jobs.append((account_id, since, until))
        if not jobs:
            return
        out: queue.Queue[Any] = queue.Queue()
        stop = threading.Event()
        pending = len(jobs)
        with ThreadPoolExecutor(
            max_workers=min(max_parallel_accounts, len(jobs)),
            thread_name_prefix="kakao-report",
        ) as pool:
            for job in jobs:
                pool.submit(account_reports, *job, out, stop)
            try:
                while pending:
                    kind, payload = out.get()
                    if kind == "tables":
                        yield from payload
                    elif kind == "done":
                        pending -= 1
                        account_id, newest = payload
                        if newest and newest > state.get(account_id, ""):
                            # The newest day Kakao returned anchors the next run's lookback.
                            state[account_id] = newest
                    else:
                        raise payload
            finally:
                stop.set()
        total = client.pacer.total()
        log.info(
            "kakao_moment: %d report calls, %.1f s slept between them, %d token refresh(es)",
            total.calls,
            total.slept,
            client.refreshes,
        )

    return [
        ad_accounts,
        listing("campaigns", tables.CAMPAIGN_COLUMNS),
        listing("ad_groups", tables.AD_GROUP_COLUMNS),
        listing("creatives", tables.CREATIVE_COLUMNS),
        creative_report,
    ]


def _report_tables(
    reports: list[dict[str, Any]], conversions: list[dict[str, Any]], loaded_at: datetime
) -> list[Any]:
    report = tables.to_table(
        reports,
        tables.REPORT_COLUMNS,
        entity="creative_report",
        keys=tables.REPORT_KEYS,
        loaded_at=loaded_at,
    )
    conversion = tables.to_table(
        conversions,
        tables.CONVERSION_COLUMNS,
        entity="creative_report_conversions",
        keys=(*tables.REPORT_KEYS, "conversion_type"),
        loaded_at=loaded_at,
    )
    return [
        report,
        dlt.mark.with_hints(
            conversion,
            dlt.mark.make_hints(
                table_name="creative_report_conversions",
                write_disposition=MERGE,
                primary_key=[*REPORT_KEY, "conversion_type"],
                merge_key=DAY_KEY,
            ),
            create_table_variant=True,
        ),
    ]
