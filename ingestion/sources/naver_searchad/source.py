"""The Naver Search Ad dlt source: entities and daily AD / AD_CONVERSION stat reports."""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import dlt
import pyarrow as pa
from dlt.common.typing import TSecretStrValue
from dlt.sources import DltResource

from ingestion import clock
from ingestion.sources import arrow
from ingestion.sources.config import ListSetting, at_least, list_setting
from ingestion.sources.dates import Lookback, NewestDays, days_of, sane_days
from ingestion.sources.http import Retry
from ingestion.sources.naver_searchad import tables
from ingestion.sources.naver_searchad.client import NaverClient
from ingestion.sources.parallel import Slots, each_account
from ingestion.sources.resources import merged, tombstones

log = logging.getLogger("argo.sources.naver_searchad")

DEFAULT_BASE_URL = "https://api.searchad.naver.com"
#: Naver reports in Korean time: a customer's yesterday is Seoul's yesterday.
TIME_ZONE = ZoneInfo("Asia/Seoul")
#: Report rows gathered into one Arrow table before it is handed to dlt (fewer, larger
#: tables normalise much faster than one small table per customer-day).
BATCH_ROWS = 50_000
_Job = TypeVar("_Job")
_Result = TypeVar("_Result")
#: Report jobs a worker may finish ahead of the one being read: the pool never holds more
#: than ``report_workers * JOBS_AHEAD`` reports, however many days the run asks for.
JOBS_AHEAD = 2
#: ``GET /ad-accounts`` page size (Naver's largest).
AD_ACCOUNTS_PAGE = 1000
#: Pages read at most (a page that never says ``last`` must not loop forever).
AD_ACCOUNTS_MAX_PAGES = 1000


@dataclass
class Run:
    """One run of the source: the client, the checked settings, the ad groups (read once).

    Attributes:
        client: The Naver Search Ad client.
        customers: The customers to load.
        lookback: The days of each customer's report run (yesterday at the latest).
        report_workers: Report jobs run at once, across every customer.
        max_parallel_accounts: Customers whose entities are listed at the same time (each
            customer's calls one after the other: Naver limits calls per customer).
        poll_interval: Seconds between polls of a report job.
        job_timeout: Seconds a report job may take.
        loaded_at: The run's ``_loaded_at``.
    """

    client: NaverClient
    customers: list[str]
    lookback: Lookback
    report_workers: int = 4
    poll_interval: float = 2.0
    job_timeout: float = 900.0
    max_parallel_accounts: int = 8
    loaded_at: datetime = field(default_factory=clock.now)
    _ad_groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict, init=False)
    slots: Slots = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.slots = Slots(self.max_parallel_accounts)

    def ad_groups(self, customer: str) -> list[dict[str, Any]]:
        """The customer's ad groups (``GET /ncc/adgroups``), read once."""
        if customer not in self._ad_groups:
            rows = self.client.get(
                customer, "/ncc/adgroups", record=f"customer {customer} ad groups"
            )
            self._ad_groups[customer] = list(rows or [])
        return self._ad_groups[customer]

    def entity_pages(self, table: arrow.Table, customer: str) -> Iterator[list[dict[str, Any]]]:
        """The customer's objects of ``table``, page by page (keywords and ads per ad group)."""
        if table is tables.CAMPAIGNS:
            yield list(
                self.client.get(customer, "/ncc/campaigns", record=f"customer {customer}") or []
            )
        elif table is tables.AD_GROUPS:
            yield self.ad_groups(customer)
        else:
            path = "/ncc/keywords" if table is tables.KEYWORDS else "/ncc/ads"
            for group in self.ad_groups(customer):
                group_id = str(group.get("nccAdgroupId"))
                record = f"customer {customer} ad group {group_id} {table.name}"
                yield list(
                    self.client.get(customer, path, {"nccAdgroupId": group_id}, record=record) or []
                )

    def report(self, report_type: str, customer: str, day: date) -> pa.Table | None:
        """One customer-day report (``None``: Naver is still aggregating the day)."""
        text = self.client.run_report(
            customer,
            report_type,
            day.strftime("%Y%m%d"),
            poll_interval=self.poll_interval,
            timeout=self.job_timeout,
        )
        if text is None:
            return None  # a later run loads it
        return tables.report_to_table(text, report_type, customer, day, self.loaded_at)


def in_order(
    pool: Executor, work: Callable[[_Job], _Result], jobs: Iterable[_Job], *, ahead: int
) -> Iterator[tuple[_Job, _Result]]:
    """Each job with ``work(job)``, in the jobs' order, run in ``pool``.

    Unlike ``pool.map``, which submits every job at once and keeps each result until it
    is read, at most ``ahead`` jobs are submitted and not yet read: a job is submitted
    when an earlier one is read, so memory does not grow with the number of jobs when
    the reader is slower than the workers. Jobs not yet submitted when the reader stops
    (or a job fails) never run.
    """
    waiting = iter(jobs)
    running: deque[tuple[_Job, Future[_Result]]] = deque()
    for job in waiting:
        running.append((job, pool.submit(work, job)))
        if len(running) >= ahead:
            break
    while running:
        job, future = running.popleft()
        result = future.result()
        for following in waiting:
            running.append((following, pool.submit(work, following)))
            break
        yield job, result


def ad_accounts(run: Run) -> Iterator[pa.Table]:
    """The configured customers' ad accounts (``GET /ad-accounts``, page by page).

    Signed for the first configured customer; the answer lists every ad account the
    license's member belongs to, and only the configured customers' rows are kept. A
    customer missing from the answer keeps what an earlier run loaded (or no row).
    """
    yield tables.empty(tables.AD_ACCOUNTS, run.loaded_at)
    wanted = set(run.customers)
    signer = run.customers[0]
    kept = 0
    for page in range(AD_ACCOUNTS_MAX_PAGES):
        record = f"ad-accounts page {page}"
        answer = run.client.get(
            signer, "/ad-accounts", {"page": page, "size": AD_ACCOUNTS_PAGE}, record=record
        )
        if not isinstance(answer, dict) or not isinstance(answer.get("content", []), list):
            raise tables.AD_ACCOUNTS.error(
                f"not a page of ad accounts: {str(answer)[:80]!r}",
                record,
                "Naver may have changed the account API; check the source README",
            )
        rows = answer.get("content") or []
        if rows:
            table = tables.ad_accounts_to_table(rows, page, run.loaded_at)
            ids = table.column("customer_id").to_pylist()
            table = table.filter(pa.array([i in wanted for i in ids]))
            kept += table.num_rows
            if table.num_rows:
                yield table
        if not rows or answer.get("last", True):
            break
    missing = len(wanted) - kept
    log.info("naver_searchad: ad_accounts: %d rows, %d customer(s) not listed", kept, missing)


def entities(run: Run, table: arrow.Table) -> Iterator[pa.Table]:
    """One entity table for every customer, ``max_parallel_accounts`` customers at a time.

    A customer's calls go one after the other (Naver's limits are per customer: about
    20-30 calls a second for these, README.md), so customers read side by side stay
    within each one's limit however many there are.
    """
    yield tables.empty(table, run.loaded_at)

    def read(customer: str) -> Iterator[pa.Table]:
        count = 0
        for page in run.entity_pages(table, customer):
            count += len(page)
            if page:
                yield tables.entities_to_table(page, table, customer, run.loaded_at)
        log.info("naver_searchad: customer %s %s: %d rows", customer, table.name, count)

    yield from each_account(run.customers, read, slots=run.slots, name=f"naver-{table.name}")


def stats(run: Run, report_type: str) -> Iterator[pa.Table]:
    """One stat report over every customer's window: a job per customer-day."""
    newest = NewestDays()
    yield tables.empty(tables.REPORTS[report_type], run.loaded_at)
    today = clock.today(TIME_ZONE)
    by_customer: list[list[tuple[str, date]]] = []
    for customer in run.customers:
        days = days_of(*run.lookback.window(today, newest.get(customer)))
        if days:
            log.info(
                "naver_searchad: customer %s %s: %d day(s) %s..%s",
                customer,
                report_type,
                len(days),
                days[0],
                days[-1],
            )
        by_customer.append([(customer, day) for day in days])
    # Customers taken in turn (each one's first day, then each one's second...): Naver
    # limits calls per customer, so the jobs running at once belong to different customers
    # whenever there are as many customers as report_workers.
    jobs = [job for turn in itertools.zip_longest(*by_customer) for job in turn if job]
    # One job per customer-day, report_workers at a time across every customer. Results
    # come back in submission order, so the output does not depend on timing; a failure
    # cancels the jobs not yet started and fails the run (dlt then commits nothing of it,
    # state included).
    batch: list[pa.Table] = []
    answered: list[dict[str, Any]] = []
    table = tables.REPORTS[report_type]
    with ThreadPoolExecutor(max_workers=run.report_workers) as pool:
        try:
            pulled = in_order(
                pool,
                lambda job: run.report(report_type, *job),
                jobs,
                ahead=run.report_workers * JOBS_AHEAD,
            )
            for (customer, day), page in pulled:
                if page is None:
                    continue  # Naver is still aggregating the day: its old rows stay
                answered.append({"customer_id": customer, "stat_date": day})
                if not page.num_rows:
                    continue
                sane_days(page, table, "stat_date", today)
                # The newest day Naver had data for anchors the next run's lookback (a day
                # without delivery answers NONE and does not move it).
                newest.update(customer, day)
                batch.append(page)
                if sum(t.num_rows for t in batch) >= BATCH_ROWS:
                    yield pa.concat_tables(batch)
                    batch = []
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    if batch:
        yield pa.concat_tables(batch)
    # Every customer-day Naver answered is replaced, even one it now answers empty (NONE).
    yield tombstones(table, answered, loaded_at=run.loaded_at)


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
    max_parallel_accounts: int = 8,
) -> list[DltResource]:
    """Naver Search Ad: campaigns, ad groups, keywords, ads and daily stat reports.

    Its arguments are the settings of README.md beside this file (tested against this
    signature); dlt reads each from ``SOURCES__NAVER_SEARCHAD__<NAME>``
    or ``[sources.naver_searchad]`` in ``.dlt/*.toml`` unless it is passed.

    Returns:
        The resources ``ad_accounts``, ``campaigns``, ``ad_groups``, ``keywords``, ``ads``,
        ``ad_stats_daily`` and ``ad_conversion_stats_daily``.
    """
    customers = list_setting(
        customer_ids,
        source=tables.SOURCE,
        name="customer_ids",
        what="customer ids (digits)",
        example=["1234567", "2345678"],
        pattern=r"\d+",
        required="set SOURCES__NAVER_SEARCHAD__CUSTOMER_IDS='[\"1234567\"]'",
    )
    lookback = Lookback.of(
        tables.SOURCE, lookback_days, initial_days, start_date, end_date, days_behind=1
    )
    at_least(
        tables.SOURCE, 1, report_workers=report_workers, max_parallel_accounts=max_parallel_accounts
    )
    client = NaverClient(
        base_url,
        str(api_key),
        str(secret_key),
        retry=Retry(max_attempts, backoff_factor, request_timeout),
    )
    run = Run(
        client,
        customers,
        lookback,
        report_workers,
        async_poll_interval,
        async_timeout,
        max_parallel_accounts,
    )
    return [
        merged(ad_accounts(run), tables.AD_ACCOUNTS),
        *(merged(entities(run, t), t) for t in tables.ENTITY_TABLES),
        *(
            # a batch holds whole customer-days (one job each): keys checked per batch
            merged(stats(run, kind), table, merge_key=tables.DAILY_MERGE_KEY, whole_days=True)
            for kind, table in tables.REPORTS.items()
        ),
    ]
