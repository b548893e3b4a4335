"""The dlt source for the AppsFlyer Pull API: aggregate and raw-data reports per app."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from ingestion import clock
from ingestion.sources import arrow
from ingestion.sources.appsflyer import tables
from ingestion.sources.appsflyer.client import DEFAULT_BASE_URL, AppsFlyerClient
from ingestion.sources.config import ListSetting, at_least, list_setting, origin
from ingestion.sources.dates import Lookback, NewestDays, date_chunks, days_of, sane_days
from ingestion.sources.errors import SourceDataError, SourceError
from ingestion.sources.http import Retry
from ingestion.sources.resources import into, merged, tombstones

log = logging.getLogger("argo.sources.appsflyer")

#: AppsFlyer serves the last 90 days; an older ``from`` is refused with HTTP 400.
HISTORY_DAYS = 90
#: Days per raw-data request (halved while an answer reaches ``maximum_rows``).
RAW_DAYS_PER_REQUEST = 7
#: AppsFlyer's largest ``maximum_rows`` for raw-data reports.
MAX_ROWS = 1_000_000


@dataclass
class Run:
    """One run of the source: the client and the checked settings.

    Attributes:
        client: The Pull API client.
        apps: The app ids to load.
        lookback: The days of each app's run (within the 90 days AppsFlyer keeps).
        timezone: The apps' time zone (AppsFlyer's ``timezone``).
        include_organic: Also read the organic raw reports.
        maximum_rows: ``maximum_rows`` of raw-data requests.
        loaded_at: The run's ``_loaded_at``.
    """

    client: AppsFlyerClient
    apps: list[str]
    lookback: Lookback
    timezone: str = "Asia/Seoul"
    include_organic: bool = True
    maximum_rows: int = MAX_ROWS
    loaded_at: datetime = field(default_factory=clock.now)

    def read(self, app_id: str, report: str, since: date, until: date) -> Iterator[pa.Table]:
        """The tables of one report of one app over ``[since, until]``."""
        if report in tables.AGGREGATE_REPORTS:
            text = self.client.report(app_id, report, since, until, timezone=self.timezone)
            yield from tables.aggregate_tables(app_id, report, text, self.loaded_at)
            return
        variants = [report, tables.ORGANIC_PREFIX + report] if self.include_organic else [report]
        for first, last in date_chunks(since, until, RAW_DAYS_PER_REQUEST):
            for variant in variants:
                yield from self.raw(app_id, variant, first, last)

    def raw(self, app_id: str, report: str, since: date, until: date) -> Iterator[pa.Table]:
        """Raw rows of ``[since, until]``; a range whose answer is full is split in two."""
        text = self.client.report(
            app_id, report, since, until, timezone=self.timezone, maximum_rows=self.maximum_rows
        )
        table = tables.raw_table(app_id, report, text, self.loaded_at)
        if table.num_rows < self.maximum_rows:
            yield table
            return
        if since == until:
            raise SourceDataError(
                tables.SOURCE,
                f"one day has at least maximum_rows={self.maximum_rows} rows; the rest is cut",
                record=f"app_id={app_id}, report={report}, day={since}",
                hint="raise maximum_rows (AppsFlyer allows up to 1,000,000); nothing was "
                "loaded by this run",
            )
        middle = since + timedelta(days=(until - since).days // 2)
        yield from self.raw(app_id, report, since, middle)
        yield from self.raw(app_id, report, middle + timedelta(days=1), until)


def report_tables(run: Run, report: str) -> Iterator[Any]:
    """One report of every app over its window: its table (and its events table)."""
    main, events = tables.REPORT_TABLES[report]
    newest = NewestDays()
    # The tables exist even when a run finds nothing.
    yield main.schema().empty_table()
    if events:
        yield into(events, events.schema().empty_table(), merge_key=tables.merge_key(events))
    today = clock.today(ZoneInfo(run.timezone))
    day_column = tables.DAY_COLUMN[main.name]
    for app_id in run.apps:
        since, until = run.lookback.window(today, newest.get(app_id))
        if since > until:
            log.info("appsflyer: %s %s: nothing to load", app_id, report)
            continue
        count = 0
        for table in run.read(app_id, report, since, until):
            if table.num_rows == 0:
                continue
            if table.schema.equals(main.schema()):
                sane_days(table, main, day_column, today)
                count += table.num_rows
                newest.update(app_id, max(table.column(day_column).to_pylist()))
                yield table
            else:
                assert events is not None
                yield into(events, table, merge_key=tables.merge_key(events))
        # Every app-day asked for is replaced, even one AppsFlyer now answers empty for.
        yield tombstones(main, _asked(app_id, main, since, until), loaded_at=run.loaded_at)
        if events is not None:
            asked = tombstones(
                events, _asked(app_id, events, since, until), loaded_at=run.loaded_at
            )
            yield into(events, asked, merge_key=tables.merge_key(events))
        log.info("appsflyer: %s %s %s..%s: %d rows", app_id, report, since, until, count)


def _asked(app_id: str, table: arrow.Table, since: date, until: date) -> list[dict[str, Any]]:
    """The merge-key values of the app-days of ``[since, until]`` in ``table``."""
    app, day = tables.merge_key(table)
    return [{app: app_id, day: d} for d in days_of(since, until)]


def resource(run: Run, report: str) -> DltResource:
    """The resource of one report: its table, merged per app and day."""
    main = tables.REPORT_TABLES[report][0]
    return merged(
        report_tables(run, report),
        main,
        merge_key=tables.merge_key(main),
        # naive timestamps: local times of the app's time zone
        columns={
            c: {"data_type": "timestamp", "timezone": False}
            for c in tables.local_time_columns(main)
        },
    )


@dlt.source(name="appsflyer", section="appsflyer", max_table_nesting=0)
def appsflyer_source(
    app_ids: ListSetting = dlt.config.value,
    api_token: dlt.TSecretStrValue = dlt.secrets.value,
    reports: ListSetting = None,
    timezone: str = "Asia/Seoul",
    base_url: str = DEFAULT_BASE_URL,
    start_date: str | None = None,
    end_date: str | None = None,
    lookback_days: int = 3,
    initial_days: int = 30,
    include_organic: bool = True,
    maximum_rows: int = MAX_ROWS,
    max_attempts: int = 8,
    backoff_factor: float = 1.0,
    request_timeout: float = 300.0,
) -> list[DltResource]:
    """AppsFlyer Pull API: partners and geo by date (aggregate), installs and in-app events (raw).

    Its arguments are the settings of README.md beside this file (tested against this
    signature); dlt reads each from ``SOURCES__APPSFLYER__<NAME>``
    or ``[sources.appsflyer]`` in ``.dlt/*.toml`` unless it is passed.

    Returns:
        The resources ``partners_daily``, ``geo_daily``, ``installs`` and ``in_app_events``
        (the aggregate ones also fill ``partners_daily_events`` / ``geo_daily_events``).
    """
    apps = list_setting(
        app_ids,
        source=tables.SOURCE,
        name="app_ids",
        what="AppsFlyer app ids",
        example=["com.example.app", "id123456789"],
        pattern=r"[\w.-]+",
        required="set app_ids (SOURCES__APPSFLYER__APP_IDS) to the AppsFlyer app ids to load",
    )
    wanted = list_setting(
        reports,
        source=tables.SOURCE,
        name="reports",
        what="report names",
        example=list(tables.REPORTS[:2]),
    ) or list(tables.REPORTS)
    unknown = [r for r in wanted if r not in tables.REPORTS]
    if unknown:
        raise SourceError(
            tables.SOURCE,
            f"{origin('reports', reports).text}: unknown reports {unknown}",
            hint=f"choose among {', '.join(tables.REPORTS)}",
        )
    lookback = Lookback.of(
        tables.SOURCE, lookback_days, initial_days, start_date, end_date, history_days=HISTORY_DAYS
    )
    at_least(tables.SOURCE, 1, maximum_rows=maximum_rows)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SourceError(
            tables.SOURCE, f"unknown timezone '{timezone}'", hint="use e.g. Asia/Seoul"
        ) from None
    client = AppsFlyerClient(
        base_url,
        api_token,
        retry=Retry(max_attempts, backoff_factor, request_timeout),
    )
    run = Run(client, apps, lookback, timezone, include_organic, maximum_rows)
    return [resource(run, report) for report in tables.REPORTS if report in wanted]
