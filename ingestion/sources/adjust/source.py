"""The dlt source for the Adjust Report Service API: daily report rows and their events."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import dlt
import pyarrow as pa
from dlt.common.schema.typing import TWriteDispositionConfig
from dlt.sources import DltResource

from ingestion import clock
from ingestion.sources.adjust import tables
from ingestion.sources.adjust.client import DEFAULT_BASE_URL, AdjustClient
from ingestion.sources.config import ListSetting, list_setting, origin
from ingestion.sources.dates import date_chunks, parse_date
from ingestion.sources.errors import SourceError

log = logging.getLogger("argo.sources.adjust")

MERGE: TWriteDispositionConfig = {"disposition": "merge", "strategy": "delete-insert"}
MERGE_KEY = ["app_token", "day"]
DEFAULT_EVENT_SLUGS = ("purchase", "registration")
#: Without ``utc_offset``, "today" is taken at UTC+14, the latest day anywhere on Earth, so
#: no app's today is missed (a day not begun yet in the app's time zone returns nothing).
LATEST_OFFSET = timedelta(hours=14)
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


def report_window(
    *,
    today: date,
    newest_day_loaded: date | None,
    lookback_days: int,
    start_date: date | None,
    end_date: date | None,
    initial_days: int,
) -> tuple[date, date]:
    """The days one run reads for one app (both ends included).

    The range ends on ``end_date`` or today, whichever is earlier. An explicit
    ``start_date`` wins; else a run after an earlier one starts ``lookback_days`` before
    (and including) the newest day loaded, so days still settling (Adjust's numbers settle
    within about two days) are read again; a first run reads the ``initial_days`` before
    today.

    Returns:
        ``(since, until)``; ``since > until`` means nothing to read.
    """
    until = min(end_date, today) if end_date else today
    if start_date is not None:
        return start_date, until
    if newest_day_loaded is not None:
        return min(newest_day_loaded, until) - timedelta(days=lookback_days - 1), until
    return today - timedelta(days=initial_days), until


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
    async_poll_interval: float = 0.0,
) -> DltResource:
    """Adjust Report Service API: installs, clicks, impressions, cost, revenue and events.

    Every argument is read by dlt from config (``[sources.adjust]`` in
    ``.dlt/config.toml`` / ``.dlt/secrets.toml`` or ``SOURCES__ADJUST__<NAME>`` variables)
    unless passed.

    Args:
        app_tokens: Adjust app tokens; several apps load in one run (one request per
            date chunk, ``app_token__in``). A list, a JSON list or a comma-separated string.
        api_token: The Adjust API token (a secret).
        event_slugs: Event slugs whose ``<slug>_events`` and ``<slug>_revenue`` metrics
            fill ``report_daily_events`` (in any form ``app_tokens`` takes); default
            ``purchase`` and ``registration``.
        currency: The report currency (Adjust's ``currency``; money is converted into it).
        utc_offset: The report time zone (``+09:00``); default the Adjust account's own.
        base_url: API root; point it at the sandbox for tests.
        start_date: First day to load (YYYY-MM-DD); overrides the state.
        end_date: Last day to load; default (and at most) today.
        lookback_days: Days up to and including the newest day loaded that every run reads
            again (Adjust's numbers settle within about two days).
        initial_days: Days loaded by the first run when ``start_date`` is not given.
        days_per_request: Days per report request (the period is split into chunks).
        max_attempts: Attempts per request before failing (429, 5xx, timeouts, cut answers).
        backoff_factor: Exponential backoff multiplier, seconds.
        request_timeout: Seconds to wait for one answer before retrying.
        async_poll_interval: Unused (reports answer synchronously); accepted so that one
            sandbox setting fits every source.

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
    )
    if not apps:
        raise SourceError(
            tables.SOURCE,
            "no app_tokens are configured",
            hint="set app_tokens (SOURCES__ADJUST__APP_TOKENS) to the Adjust app tokens to load",
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
    if lookback_days < 1 or initial_days < 1 or days_per_request < 1:
        raise SourceError(
            tables.SOURCE, "lookback_days, initial_days and days_per_request must be at least 1"
        )
    currency = currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise SourceError(
            tables.SOURCE, f"currency '{currency}' is not a currency code", hint="use e.g. USD"
        )
    offset = offset_delta(utc_offset)
    start = parse_date(start_date, "start_date", tables.SOURCE)
    end = parse_date(end_date, "end_date", tables.SOURCE)
    client = AdjustClient(
        base_url,
        api_token,
        max_attempts=max_attempts,
        backoff_factor=backoff_factor,
        timeout=request_timeout,
    )
    loaded_at = clock.now()
    events_hints = dlt.mark.make_hints(
        table_name="report_daily_events", write_disposition=MERGE, merge_key=MERGE_KEY
    )

    def rows() -> Iterator[Any]:
        state = dlt.current.resource_state().setdefault("newest_day_loaded", {})
        # The tables exist even when a run finds nothing.
        yield tables.SCHEMAS["report_daily"].empty_table()
        yield dlt.mark.with_hints(
            tables.SCHEMAS["report_daily_events"].empty_table(),
            events_hints,
            create_table_variant=True,
        )
        today = (clock.now() + offset).date()
        windows = [
            report_window(
                today=today,
                newest_day_loaded=date.fromisoformat(state[app]) if state.get(app) else None,
                lookback_days=lookback_days,
                start_date=start,
                end_date=end,
                initial_days=initial_days,
            )
            for app in apps
        ]
        since = min(w[0] for w in windows)
        until = max(w[1] for w in windows)
        if since > until:
            log.info("adjust: nothing to load (%s > %s)", since, until)
            return
        newest: dict[str, str] = {}
        for first, last in date_chunks(since, until, days_per_request):
            body = client.report(
                apps, first, last, event_slugs=slugs, currency=currency, utc_offset=utc_offset
            )
            for warning in body.get("warnings") or [] if isinstance(body, dict) else []:
                log.warning("adjust: %s..%s: Adjust warns: %s", first, last, warning)
            request = f"app_token__in={','.join(apps)}, date_period={first}:{last}"
            daily, events = tables.report_tables(
                body, event_slugs=slugs, currency=currency, loaded_at=loaded_at, request=request
            )
            log.info("adjust: %s..%s: %d rows", first, last, daily.num_rows)
            if daily.num_rows:
                for app, day in _newest_days(daily).items():
                    newest[app] = max(newest.get(app, ""), day)
                yield daily
            if events.num_rows:
                yield dlt.mark.with_hints(events, events_hints, create_table_variant=True)
        for app in apps:
            if app not in newest:
                log.warning(
                    "adjust: no rows for app token %s in %s..%s; check that the token is right "
                    "and that the API token's user can see the app",
                    app,
                    since,
                    until,
                )
            elif newest[app] > state.get(app, ""):
                state[app] = newest[app]  # anchors the next run's lookback

    return dlt.resource(rows, name="report_daily", write_disposition=MERGE, merge_key=MERGE_KEY)
