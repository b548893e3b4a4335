"""The dlt source for the AppsFlyer Pull API: aggregate and raw-data reports per app."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dlt
import pyarrow as pa
from dlt.common.schema.typing import TWriteDispositionConfig
from dlt.sources import DltResource

from ingestion import clock
from ingestion.sources.appsflyer import tables
from ingestion.sources.appsflyer.client import DEFAULT_BASE_URL, AppsFlyerClient
from ingestion.sources.config import ListSetting, list_setting, origin
from ingestion.sources.dates import date_chunks, parse_date
from ingestion.sources.errors import SourceDataError, SourceError

log = logging.getLogger("argo.sources.appsflyer")

MERGE: TWriteDispositionConfig = {"disposition": "merge", "strategy": "delete-insert"}
#: AppsFlyer serves the last 90 days; an older ``from`` is refused with HTTP 400.
HISTORY_DAYS = 90
#: Days per raw-data request (halved while an answer reaches ``maximum_rows``).
RAW_DAYS_PER_REQUEST = 7
#: AppsFlyer's largest ``maximum_rows`` for raw-data reports.
MAX_ROWS = 1_000_000


def report_window(
    *,
    today: date,
    newest_day_loaded: date | None,
    lookback_days: int,
    start_date: date | None,
    end_date: date | None,
    initial_days: int,
) -> tuple[date, date]:
    """The days one run reads for one app and report (app's time zone, both ends included).

    The range ends on ``end_date`` or today, whichever is earlier. An explicit
    ``start_date`` wins; else a run after an earlier one starts ``lookback_days`` before
    (and including) the newest day loaded, so days that were still settling (AppsFlyer:
    about 48 hours) are read again; a first run reads the ``initial_days`` before today.
    The start is then clamped to the 90 days AppsFlyer keeps.

    Returns:
        ``(since, until)``; ``since > until`` means nothing to read.
    """
    until = min(end_date, today) if end_date else today
    if start_date is not None:
        since = start_date
    elif newest_day_loaded is not None:
        since = min(newest_day_loaded, until) - timedelta(days=lookback_days - 1)
    else:
        since = today - timedelta(days=initial_days)
    earliest = today - timedelta(days=HISTORY_DAYS)
    if since < earliest:
        log.warning(
            "appsflyer: start %s is older than the %d days AppsFlyer keeps; reading from %s",
            since,
            HISTORY_DAYS,
            earliest,
        )
        since = earliest
    return since, until


def _hints(table: str) -> Any:
    return dlt.mark.make_hints(
        table_name=table,
        write_disposition=MERGE,
        merge_key=["app_id", tables.DAY_COLUMN[table]],
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
    async_poll_interval: float = 0.0,
) -> list[DltResource]:
    """AppsFlyer Pull API: partners and geo by date (aggregate), installs and in-app events (raw).

    Every argument is read by dlt from config (``[sources.appsflyer]`` in
    ``.dlt/config.toml`` / ``.dlt/secrets.toml`` or ``SOURCES__APPSFLYER__<NAME>``
    variables) unless passed.

    Args:
        app_ids: AppsFlyer app ids (``com.example.app``, ``id123456789``); several apps
            load in one run. A list, a JSON list or a comma-separated string.
        api_token: The V2 API token (a secret).
        reports: Any of ``partners_by_date_report``, ``geo_by_date_report``,
            ``installs_report``, ``in_app_events_report`` (in any form ``app_ids`` takes);
            default all four.
        timezone: The apps' time zone (AppsFlyer's ``timezone``); days and times are local.
        base_url: API root; point it at the sandbox for tests.
        start_date: First day to load (YYYY-MM-DD); overrides the state; at most 90 days ago.
        end_date: Last day to load; default (and at most) today in ``timezone``.
        lookback_days: Days up to and including the newest day loaded that every run reads
            again (AppsFlyer settles about 48 hours after the day).
        initial_days: Days loaded by the first run when ``start_date`` is not given.
        include_organic: Also read ``organic_installs_report`` and
            ``organic_in_app_events_report`` into ``installs`` / ``in_app_events``
            (AppsFlyer's raw reports without the prefix hold non-organic rows only).
        maximum_rows: ``maximum_rows`` of raw-data requests (AppsFlyer allows 1,000,000);
            a request that reaches it is split into smaller date ranges.
        max_attempts: Attempts per request before failing (403 ``Limit reached``, 429,
            5xx, timeouts, cut answers).
        backoff_factor: Exponential backoff multiplier, seconds.
        request_timeout: Seconds to wait for one answer before retrying.
        async_poll_interval: Unused (the Pull API answers synchronously); accepted so that
            one sandbox setting fits every source.

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
    )
    if not apps:
        raise SourceError(
            tables.SOURCE,
            "no app_ids are configured",
            hint="set app_ids (SOURCES__APPSFLYER__APP_IDS) to the AppsFlyer app ids to load",
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
    if lookback_days < 1 or initial_days < 1 or maximum_rows < 1:
        raise SourceError(
            tables.SOURCE, "lookback_days, initial_days and maximum_rows must be at least 1"
        )
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SourceError(
            tables.SOURCE, f"unknown timezone '{timezone}'", hint="use e.g. Asia/Seoul"
        ) from None
    start = parse_date(start_date, "start_date", tables.SOURCE)
    end = parse_date(end_date, "end_date", tables.SOURCE)
    client = AppsFlyerClient(
        base_url,
        api_token,
        max_attempts=max_attempts,
        backoff_factor=backoff_factor,
        timeout=request_timeout,
    )
    loaded_at = clock.now()

    def raw_tables(app_id: str, report: str, since: date, until: date) -> Iterator[pa.Table]:
        """Raw rows of ``[since, until]``; a range whose answer is full is split in two."""
        text = client.report(
            app_id, report, since, until, timezone=timezone, maximum_rows=maximum_rows
        )
        table = tables.raw_table(app_id, report, text, loaded_at)
        if table.num_rows < maximum_rows:
            yield table
            return
        if since == until:
            raise SourceDataError(
                tables.SOURCE,
                f"one day has at least maximum_rows={maximum_rows} rows; the rest is cut",
                record=f"app_id={app_id}, report={report}, day={since}",
                hint="raise maximum_rows (AppsFlyer allows up to 1,000,000); nothing was "
                "loaded by this run",
            )
        middle = since + timedelta(days=(until - since).days // 2)
        yield from raw_tables(app_id, report, since, middle)
        yield from raw_tables(app_id, report, middle + timedelta(days=1), until)

    def read(app_id: str, report: str, since: date, until: date) -> Iterator[pa.Table]:
        if report in tables.AGGREGATE_REPORTS:
            text = client.report(app_id, report, since, until, timezone=timezone)
            yield from tables.aggregate_tables(app_id, report, text, loaded_at)
            return
        variants = [report, tables.ORGANIC_PREFIX + report] if include_organic else [report]
        for first, last in date_chunks(since, until, RAW_DAYS_PER_REQUEST):
            for variant in variants:
                yield from raw_tables(app_id, variant, first, last)

    def make(report: str) -> DltResource:
        main, events = tables.REPORT_TABLES[report]

        def rows() -> Iterator[Any]:
            state = dlt.current.resource_state().setdefault("newest_day_loaded", {})
            # The tables exist even when a run finds nothing.
            yield tables.SCHEMAS[main].empty_table()
            if events:
                yield dlt.mark.with_hints(
                    tables.SCHEMAS[events].empty_table(), _hints(events), create_table_variant=True
                )
            today = clock.today(zone)
            for app_id in apps:
                last = state.get(app_id)
                since, until = report_window(
                    today=today,
                    newest_day_loaded=date.fromisoformat(last) if last else None,
                    lookback_days=lookback_days,
                    start_date=start,
                    end_date=end,
                    initial_days=initial_days,
                )
                if since > until:
                    log.info("appsflyer: %s %s: nothing to load", app_id, report)
                    continue
                count = 0
                newest = ""
                for table in read(app_id, report, since, until):
                    if table.num_rows == 0:
                        continue
                    if table.schema.equals(tables.SCHEMAS[main]):
                        count += table.num_rows
                        days = table.column(tables.DAY_COLUMN[main]).to_pylist()
                        newest = max(newest, max(days).isoformat())
                        yield table
                    else:
                        assert events is not None
                        yield dlt.mark.with_hints(table, _hints(events), create_table_variant=True)
                log.info("appsflyer: %s %s %s..%s: %d rows", app_id, report, since, until, count)
                if newest and newest > state.get(app_id, ""):
                    state[app_id] = newest  # anchors the next run's lookback

        return dlt.resource(
            rows,
            name=main,
            write_disposition=MERGE,
            merge_key=["app_id", tables.DAY_COLUMN[main]],
            columns={
                name: {"data_type": "timestamp", "timezone": False}
                for name in tables.LOCAL_TIME_COLUMNS.get(main, ())
            },
        )

    return [make(report) for report in tables.REPORTS if report in wanted]
