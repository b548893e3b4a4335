"""The Naver Search Ad dlt source: entities and daily AD / AD_CONVERSION stat reports."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dlt
import pyarrow as pa
from dlt.common.schema.typing import TWriteDispositionConfig
from dlt.common.typing import TSecretStrValue
from dlt.sources import DltResource

from ingestion import clock
from ingestion.sources.config import ListSetting, list_setting
from ingestion.sources.errors import SourceError
from ingestion.sources.naver_searchad import tables
from ingestion.sources.naver_searchad.client import NaverClient

log = logging.getLogger("argo.sources.naver_searchad")

DEFAULT_BASE_URL = "https://api.searchad.naver.com"
#: Naver reports in Korean time: a customer's yesterday is Seoul's yesterday.
TIME_ZONE = ZoneInfo("Asia/Seoul")
#: Report rows gathered into one Arrow table before it is handed to dlt (fewer, larger
#: tables normalise much faster than one small table per customer-day).
BATCH_ROWS = 50_000
MERGE: TWriteDispositionConfig = {"disposition": "merge", "strategy": "delete-insert"}


def stat_days(
    *,
    yesterday: date,
    newest_day_loaded: date | None,
    lookback_days: int,
    start_date: date | None,
    end_date: date | None,
    initial_days: int,
) -> list[date]:
    """The days one run pulls for one customer (inclusive, oldest first).

    An explicit ``start_date`` wins; else a later run starts ``lookback_days`` before the
    newest day loaded (conversions settle over Naver's conversion window), and a first run
    covers ``initial_days`` ending yesterday (today is still being counted).
    """
    until = end_date or yesterday
    if start_date is not None:
        since = start_date
    elif newest_day_loaded is not None:
        since = min(newest_day_loaded, until) - timedelta(days=lookback_days - 1)
    else:
        since = yesterday - timedelta(days=initial_days - 1)
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SourceError(
            tables.SOURCE, f"{name} {value!r} is not a date", hint="use YYYY-MM-DD"
        ) from None


@dlt.source(name="naver_searchad", section="naver_searchad", max_table_nesting=0)
def naver_searchad_source(
    api_key: TSecretStrValue = dlt.secrets.value,
    secret_key: TSecretStrValue = dlt.secrets.value,
    customer_ids: ListSetting = dlt.config.value,
    base_url: str = DEFAULT_BASE_URL,
    start_date: str | None = None,
    end_date: str | None = None,
    lookback_days: int = 20,
    initial_days: int = 90,
    report_workers: int = 4,
    max_attempts: int = 8,
    backoff_factor: float = 1.0,
    request_timeout: float = 120.0,
    async_poll_interval: float = 2.0,
    async_timeout: float = 900.0,
) -> list[DltResource]:
    """Naver Search Ad: campaigns, ad groups, keywords, ads and daily stat reports.

    Every argument is read by dlt from config (``[sources.naver_searchad]`` in
    ``.dlt/config.toml`` / ``.dlt/secrets.toml`` or ``SOURCES__NAVER_SEARCHAD__<NAME>``
    variables) unless passed.

    Args:
        api_key: The access license (Search Ad Center > Tools > API Manager) (secret).
        secret_key: Its secret key; every request is signed with it (secret).
        customer_ids: Customer (advertiser account) ids to load in one run (a list, a
            JSON list or a comma-separated string); a manager account's license acts for
            every client customer linked to it.
        base_url: API root; point it at the sandbox for tests.
        start_date: First day to load (YYYY-MM-DD); given, it overrides the state.
        end_date: Last day to load; default yesterday in Korea.
        lookback_days: Days up to the newest day loaded that every run pulls again, so
            late conversions, Naver's 48-hour metric updates and recoveries are picked
            up (see the README).
        initial_days: Days a first run loads when ``start_date`` is not given.
        report_workers: Report jobs run at once, across every customer (Naver limits
            calls per customer).
        max_attempts: Attempts per request (429, 5xx, timeouts, truncated bodies).
        backoff_factor: Exponential backoff multiplier, seconds.
        request_timeout: Seconds to wait for one answer.
        async_poll_interval: Seconds between polls of a report job.
        async_timeout: Seconds a report job may take before the run fails.

    Returns:
        The resources ``campaigns``, ``ad_groups``, ``keywords``, ``ads``,
        ``ad_stats_daily`` and ``ad_conversion_stats_daily``.
    """
    customers = list_setting(
        customer_ids,
        source=tables.SOURCE,
        name="customer_ids",
        what="customer ids (digits)",
        example=["1234567", "2345678"],
        pattern=r"\d+",
    )
    if not customers:
        raise SourceError(
            tables.SOURCE,
            "no customer_ids configured",
            hint="set SOURCES__NAVER_SEARCHAD__CUSTOMER_IDS='[\"1234567\"]'",
        )
    if lookback_days < 1 or initial_days < 1 or report_workers < 1:
        raise SourceError(
            tables.SOURCE, "lookback_days, initial_days and report_workers must be at least 1"
        )
    client = NaverClient(
        base_url,
        str(api_key),
        str(secret_key),
        max_attempts=max_attempts,
        backoff_factor=backoff_factor,
        timeout=request_timeout,
    )
    start = _date(start_date, "start_date")
    end = _date(end_date, "end_date")
    loaded_at = clock.now()
    group_cache: dict[str, list[dict[str, Any]]] = {}

    def ad_groups_of(customer: str) -> list[dict[str, Any]]:
        if customer not in group_cache:
            rows = client.get(customer, "/ncc/adgroups", record=f"customer {customer} ad groups")
            group_cache[customer] = list(rows or [])
        return group_cache[customer]

    def entity_rows(table: tables.Table, customer: str) -> Iterator[list[dict[str, Any]]]:
        if table is tables.CAMPAIGNS:
            yield list(client.get(customer, "/ncc/campaigns", record=f"customer {customer}") or [])
        elif table is tables.AD_GROUPS:
            yield ad_groups_of(customer)
        else:
            path = "/ncc/keywords" if table is tables.KEYWORDS else "/ncc/ads"
            for group in ad_groups_of(customer):
                group_id = str(group.get("nccAdgroupId"))
                yield list(
                    client.get(
                        customer,
                        path,
                        {"nccAdgroupId": group_id},
                        record=f"customer {customer} ad group {group_id} {table.name}",
                    )
                    or []
                )

    def entity(table: tables.Table) -> DltResource:
        def rows() -> Iterator[pa.Table]:
            yield tables.empty(table, loaded_at)
            for customer in customers:
                count = 0
                for batch in entity_rows(table, customer):
                    count += len(batch)
                    if batch:
                        yield tables.entities_to_table(batch, table, customer, loaded_at)
                log.info("naver_searchad: customer %s %s: %d rows", customer, table.name, count)

        return dlt.resource(
            rows, name=table.name, write_disposition="merge", primary_key=list(table.primary_key)
        )

    def report(report_type: str) -> DltResource:
        table = tables.REPORTS[report_type]

        def rows() -> Iterator[pa.Table]:
            state = dlt.current.resource_state().setdefault("newest_day_loaded", {})
            yield tables.empty(table, loaded_at)
            yesterday = clock.today(TIME_ZONE) - timedelta(days=1)
            jobs: list[tuple[str, date]] = []
            for customer in customers:
                last = state.get(customer)
                days = stat_days(
                    yesterday=yesterday,
                    newest_day_loaded=date.fromisoformat(last) if last else None,
                    lookback_days=lookback_days,
                    start_date=start,
                    end_date=end,
                    initial_days=initial_days,
                )
                if days:
                    log.info(
                        "naver_searchad: customer %s %s: %d day(s) %s..%s",
                        customer,
                        report_type,
                        len(days),
                        days[0],
                        days[-1],
                    )
                jobs.extend((customer, day) for day in days)

            def pull(job: tuple[str, date]) -> pa.Table | None:
                customer, day = job
                text = client.run_report(
                    customer,
                    report_type,
                    day.strftime("%Y%m%d"),
                    poll_interval=async_poll_interval,
                    timeout=async_timeout,
                )
                if text is None:
                    return None  # Naver is still aggregating the day: a later run loads it
                return tables.report_to_table(text, report_type, customer, day, loaded_at)

            # One job per customer-day, report_workers at a time across every customer.
            # Results come back in submission order, so the output does not depend on
            # timing; a failure cancels the jobs not yet started and fails the run (dlt
            # then commits nothing of it, state included).
            newest = {c: state[c] for c in customers if state.get(c)}
            batch: list[pa.Table] = []
            with ThreadPoolExecutor(max_workers=report_workers) as pool:
                try:
                    for (customer, day), arrow in zip(jobs, pool.map(pull, jobs), strict=True):
                        if arrow is None or not arrow.num_rows:
                            continue
                        # The newest day Naver had data for anchors the next run's lookback
                        # (a day without delivery answers NONE and does not move it).
                        newest[customer] = max(newest.get(customer, ""), day.isoformat())
                        batch.append(arrow)
                        if sum(t.num_rows for t in batch) >= BATCH_ROWS:
                            yield pa.concat_tables(batch)
                            batch = []
                except BaseException:
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise
            if batch:
                yield pa.concat_tables(batch)
            state.update(newest)

        return dlt.resource(
            rows,
            name=table.name,
            write_disposition=MERGE,
            primary_key=list(table.primary_key),
            merge_key=list(tables.DAILY_MERGE_KEY),
        )

    return [*(entity(t) for t in tables.ENTITY_TABLES), report("AD"), report("AD_CONVERSION")]
