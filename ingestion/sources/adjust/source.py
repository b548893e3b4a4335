"""The dlt source for the Adjust Report Service API: daily report rows and their events."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from ingestion import clock
from ingestion.sources.adjust import tables
from ingestion.sources.adjust.client import DEFAULT_BASE_URL, AdjustClient
from ingestion.sources.config import ListSetting, at_least, list_setting, origin
from ingestion.sources.dates import Lookback, NewestDays, date_chunks, days_of, sane_days
from ingestion.sources.errors import SourceError
from ingestion.sources.http import Retry
from ingestion.sources.resources import into, merged, tombstones

log = logging.getLogger("argo.sources.adjust")

DEFAULT_EVENT_SLUGS = ("purchase", "registration")
#: Without ``utc_offset``, "today" is taken at UTC+14, the latest day anywhere on Earth, so
#: no app's today is missed (a day not begun yet in the app's time zone returns nothing).
LATEST_OFFSET = timedelta(hours=14)
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


def offset_delta(utc_offset: str | None) -> timedelta:
    """``"+09:00"`` -> 9 hours; ``None`` -> :data:`LATEST_OFFSET`.

    Raises:
        SourceError: The offset is not ``+HH:MM`` / ``-HH:MM``.
    """
    if not utc_offset:
        return LATEST_OFFSET
    match = _OFFSET.fullmatch(utc_offset)
    if match is None or int(match.group(2)) > 14 or int(match.group(3)) > 59:
        raise SourceError(
            tables.SOURCE, f"utc_offset '{utc_offset}' is not an offset", hint="use e.g. +09:00"
        )
    delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
    return -delta if match.group(1) == "-" else delta


def _newest_days(table: pa.Table) -> dict[str, str]:
    """App token -> the newest day it has in ``table`` (ISO)."""
    grouped = table.group_by("app_token").aggregate([("day", "max")])
    tokens = grouped.column("app_token").to_pylist()
    newest = grouped.column("day_max").to_pylist()
    return {str(t): d.isoformat() for t, d in zip(tokens, newest, strict=True)}


@dataclass
class Run:
    """One run of the source: the client and the checked settings.

    Attributes:
        client: The Report Service client.
        apps: The app tokens to load (one request per date chunk for all of them).
        event_slugs: The events whose counts and revenue fill ``report_daily_events``.
        currency: The report currency.
        utc_offset: The report time zone (``None``: the Adjust account's).
        lookback: The days of each app's run.
        days_per_request: Days per report request.
        loaded_at: The run's ``_loaded_at``.
    """

    client: AdjustClient
    apps: list[str]
    event_slugs: list[str]
    currency: str
    utc_offset: str | None
    lookback: Lookback
    days_per_request: int = 31
    loaded_at: datetime = field(default_factory=clock.now)


def report_daily(run: Run) -> Iterator[Any]:
    """``report_daily`` and ``report_daily_events`` over the union of every app's window."""
    events_table = tables.REPORT_DAILY_EVENTS
    newest = NewestDays()
    # The tables exist even when a run finds nothing.
    yield tables.REPORT_DAILY.schema().empty_table()
    yield into(events_table, events_table.schema().empty_table(), merge_key=tables.MERGE_KEY)
    today = (clock.now() + offset_delta(run.utc_offset)).date()
    windows = [run.lookback.window(today, newest.get(app)) for app in run.apps]
    since = min(w[0] for w in windows)
    until = max(w[1] for w in windows)
    if since > until:
        log.info("adjust: nothing to load (%s > %s)", since, until)
        return
    seen: set[str] = set()
    for first, last in date_chunks(since, until, run.days_per_request):
        body = run.client.report(
            run.apps,
            first,
            last,
            event_slugs=run.event_slugs,
            currency=run.currency,
            utc_offset=run.utc_offset,
        )
        for warning in body.get("warnings") or [] if isinstance(body, dict) else []:
            log.warning("adjust: %s..%s: Adjust warns: %s", first, last, warning)
        request = f"app_token__in={','.join(run.apps)}, date_period={first}:{last}"
        daily, events = tables.report_tables(
            body,
            event_slugs=run.event_slugs,
            currency=run.currency,
            loaded_at=run.loaded_at,
            request=request,
        )
        log.info("adjust: %s..%s: %d rows", first, last, daily.num_rows)
        if daily.num_rows:
            sane_days(daily, tables.REPORT_DAILY, "day", today)
            for app, day in _newest_days(daily).items():
                seen.add(app)
                newest.update(app, day)  # anchors the next run's lookback
            yield daily
        if events.num_rows:
            yield into(events_table, events, merge_key=tables.MERGE_KEY)
        # Every app-day asked for is replaced, even one Adjust now answers empty for.
        asked = [{"app_token": a, "day": d} for a in run.apps for d in days_of(first, last)]
        yield tombstones(tables.REPORT_DAILY, asked, loaded_at=run.loaded_at)
        emptied = tombstones(events_table, asked, loaded_at=run.loaded_at)
        yield into(events_table, emptied, merge_key=tables.MERGE_KEY)
    for app in run.apps:
        if app not in seen:
            log.warning(
                "adjust: no rows for app token %s in %s..%s; check that the token is right "
                "and that the API token's user can see the app",
                app,
                since,
                until,
            )


@dlt.source(name="adjust", section="adjust", max_table_nesting=0)
def adjust_source(
    app_tokens: ListSetting = dlt.config.value,
    api_token: dlt.TSecretStrValue = dlt.secrets.value,
    event_slugs: ListSetting = None,
    currency: str = "USD",
    utc_offset: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    start_date: str | None = None,
    end_date: str | None = None,
    lookback_days: int = 3,
    initial_days: int = 30,
    days_per_request: int = 31,
    max_attempts: int = 8,
    backoff_factor: float = 1.0,
    request_timeout: float = 300.0,
) -> DltResource:
    """Adjust Report Service API: installs, clicks, impressions, cost, revenue and events.

    Its arguments are the settings of README.md beside this file (tested against this
    signature); dlt reads each from ``SOURCES__ADJUST__<NAME>``
    or ``[sources.adjust]`` in ``.dlt/*.toml`` unless it is passed.

    Returns:
        The resource ``report_daily`` (it also fills ``report_daily_events``).
    """
    apps = list_setting(
        app_tokens,
        source=tables.SOURCE,
        name="app_tokens",
        what="Adjust app tokens (letters and digits)",
        example=["abc123def456", "ghi789jkl012"],
        pattern=r"[A-Za-z0-9]+",
        required="set app_tokens (SOURCES__ADJUST__APP_TOKENS) to the Adjust app tokens to load",
    )
    slugs = (
        list(DEFAULT_EVENT_SLUGS)
        if event_slugs is None
        else list_setting(
            event_slugs,
            source=tables.SOURCE,
            name="event_slugs",
            what="Adjust event slugs",
            example=list(DEFAULT_EVENT_SLUGS),
        )
    )
    bad = tables.invalid_slugs(slugs)
    if bad:
        raise SourceError(
            tables.SOURCE,
            f"{origin('event_slugs', event_slugs).text}: {bad} are not Adjust event slugs",
            hint="use the slugs Adjust's events endpoint lists (lowercase, digits, '_')",
        )
    lookback = Lookback.of(tables.SOURCE, lookback_days, initial_days, start_date, end_date)
    at_least(tables.SOURCE, 1, days_per_request=days_per_request)
    currency = currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise SourceError(
            tables.SOURCE, f"currency '{currency}' is not a currency code", hint="use e.g. USD"
        )
    offset_delta(utc_offset)  # checked now, used by the resource
    client = AdjustClient(
        base_url,
        api_token,
        retry=Retry(max_attempts, backoff_factor, request_timeout),
    )
    run = Run(client, apps, slugs, currency, utc_offset, lookback, days_per_request)
    return merged(report_daily(run), tables.REPORT_DAILY, merge_key=tables.MERGE_KEY)
