"""The dlt source for daily exchange rates: won per unit of each wanted foreign currency."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import dlt
import pyarrow as pa
from dlt.common.schema.typing import TWriteDispositionConfig
from dlt.sources import DltResource

from ingestion import clock
from ingestion.sources.config import ListSetting, list_setting, origin
from ingestion.sources.dates import date_chunks, parse_date
from ingestion.sources.errors import SourceError
from ingestion.sources.exchange_rates import tables
from ingestion.sources.exchange_rates.client import FrankfurterClient, KoreaEximClient

log = logging.getLogger("argo.sources.exchange_rates")

DEFAULT_BASE_URLS = {
    tables.KOREAEXIM: "https://oapi.koreaexim.go.kr",
    tables.FRANKFURTER: "https://api.frankfurter.dev/v1",
}
DEFAULT_CURRENCIES = ("USD", "JPY", "EUR", "CNY")
MERGE: TWriteDispositionConfig = {"disposition": "merge", "strategy": "delete-insert"}
SEOUL = ZoneInfo("Asia/Seoul")
#: Eximbank days gathered into one Arrow table.
DAYS_PER_TABLE = 31


def rate_window(
    *,
    today: date,
    newest_day_loaded: date | None,
    lookback_days: int,
    start_date: date | None,
    end_date: date | None,
    initial_days: int,
) -> tuple[date, date]:
    """The days one run reads (Korean dates, both ends included).

    The range ends on ``end_date`` or today, whichever is earlier (today's rates appear
    during the day: Eximbank around 11:00 KST, the ECB around 16:00 CET). An explicit
    ``start_date`` wins; else a run after an earlier one starts ``lookback_days`` before
    (and including) the newest day loaded, so a day published late or restated is read
    again; a first run reads the ``initial_days`` before today.

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
    return since, until


def _currencies(values: Any) -> list[str]:
    codes = [
        c.upper()
        for c in list_setting(
            values,
            source=tables.SOURCE,
            name="currencies",
            what="ISO 4217 currency codes",
            example=["USD", "JPY"],
            pattern=r"[A-Za-z]{3}",
        )
    ] or list(DEFAULT_CURRENCIES)
    if tables.BASE_CURRENCY in codes:
        raise SourceError(
            tables.SOURCE,
            f"{origin('currencies', values).text}: currencies must be foreign currencies, "
            f"got {tables.BASE_CURRENCY}",
            hint='e.g. currencies = ["USD", "JPY", "EUR", "CNY"]; KRW is the base of '
            "every rate and is not asked for",
        )
    return list(dict.fromkeys(codes))


def _unpublished(
    provider: str, wanted: Sequence[str], seen: set[str], published: set[str]
) -> SourceError:
    missing = [c for c in wanted if c not in seen]
    listed = ", ".join(sorted(published)) or "none"
    return SourceError(
        tables.SOURCE,
        f"{provider} published no rate for {', '.join(missing)} on any day of this run "
        f"(it published: {listed})",
        hint="remove those codes from currencies (SOURCES__EXCHANGE_RATES__CURRENCIES) or use "
        "the other provider; nothing was loaded by this run",
    )


@dlt.source(name="exchange_rates", section="exchange_rates", max_table_nesting=0)
def exchange_rates_source(
    auth_key: dlt.TSecretStrValue | None = None,
    provider: str | None = None,
    currencies: ListSetting = None,
    base_url: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    lookback_days: int = 7,
    initial_days: int = 120,
    window_days: int = 366,
    max_attempts: int = 8,
    backoff_factor: float = 1.0,
    request_timeout: float = 60.0,
    async_poll_interval: float = 0.0,
) -> list[DltResource]:
    """Daily exchange rates as won (KRW) per unit of each wanted foreign currency.

    Every argument is read by dlt from config (``[sources.exchange_rates]`` in
    ``.dlt/config.toml`` / ``.dlt/secrets.toml`` or ``SOURCES__EXCHANGE_RATES__<NAME>``
    variables) unless passed.

    Args:
        auth_key: Korea Eximbank Open API key (a secret; needed by ``koreaexim`` only).
        provider: ``koreaexim`` (Korea Eximbank's deal-basis rates, one request per day) or
            ``frankfurter`` (ECB reference rates, no key); default ``koreaexim`` when
            ``auth_key`` is set, else ``frankfurter``.
        currencies: Foreign currencies wanted (ISO codes): a list, a JSON list or a
            comma-separated string; default USD, JPY, EUR, CNY.
        base_url: API root; default the provider's own; point it at the sandbox for tests.
        start_date: First day to load (YYYY-MM-DD, Korean date); overrides the state.
        end_date: Last day to load; default (and at most) today in Korea.
        lookback_days: Days up to and including the newest day loaded that every run
            reads again (late publications and restatements replace what was loaded).
        initial_days: Days loaded by the first run when ``start_date`` is not given.
        window_days: Days per Frankfurter time-series request.
        max_attempts: Attempts per request before failing (429, 5xx, timeouts).
        backoff_factor: Exponential backoff multiplier, seconds.
        request_timeout: Seconds to wait for one answer before retrying.
        async_poll_interval: Unused (no report jobs); accepted so that one sandbox
            setting fits every source.

    Returns:
        The resource ``exchange_rates``.
    """
    chosen = (provider or (tables.KOREAEXIM if auth_key else tables.FRANKFURTER)).lower()
    if chosen not in tables.PROVIDERS:
        raise SourceError(
            tables.SOURCE,
            f"unknown provider '{provider}'",
            hint=f"set provider to one of {', '.join(tables.PROVIDERS)}",
        )
    if lookback_days < 1 or initial_days < 1 or window_days < 1:
        raise SourceError(
            tables.SOURCE, "lookback_days, initial_days and window_days must be at least 1"
        )
    wanted = _currencies(currencies)
    start = parse_date(start_date, "start_date", tables.SOURCE)
    end = parse_date(end_date, "end_date", tables.SOURCE)
    url = base_url or DEFAULT_BASE_URLS[chosen]
    retry: dict[str, Any] = {
        "max_attempts": max_attempts,
        "backoff_factor": backoff_factor,
        "timeout": request_timeout,
    }
    exim = KoreaEximClient(url, auth_key or "", **retry) if chosen == tables.KOREAEXIM else None
    frankfurter = FrankfurterClient(url, **retry) if chosen == tables.FRANKFURTER else None
    loaded_at = clock.now()

    def from_koreaexim(since: date, until: date, seen: set[str]) -> Iterator[list[dict[str, Any]]]:
        assert exim is not None
        published: set[str] = set()
        batch: list[dict[str, Any]] = []
        for first, last in date_chunks(since, until, DAYS_PER_TABLE):
            day = first
            while day <= last:
                body = exim.rates(day)  # [] on weekends, holidays, today before ~11:00 KST
                if body:
                    rows = tables.koreaexim_rows(day, body, wanted)
                    published.update(str(item.get("cur_unit")) for item in body)
                    seen.update(r["currency_code"] for r in rows)
                    batch.extend(rows)
                day += timedelta(days=1)
            yield batch
            batch = []
        if published and set(wanted) - seen:
            raise _unpublished(tables.KOREAEXIM, wanted, seen, published)

    def from_frankfurter(
        since: date, until: date, seen: set[str]
    ) -> Iterator[list[dict[str, Any]]]:
        assert frankfurter is not None
        for currency in wanted:
            for first, last in date_chunks(since, until, window_days):
                body = frankfurter.series(currency, first, last, tables.BASE_CURRENCY)
                rows = tables.frankfurter_rows(currency, body, first, last)
                seen.update(r["currency_code"] for r in rows)
                yield rows
        if seen and set(wanted) - seen:
            raise _unpublished(tables.FRANKFURTER, wanted, seen, seen)

    @dlt.resource(name="exchange_rates", write_disposition=MERGE, primary_key=list(tables.KEY))
    def exchange_rates() -> Iterator[pa.Table]:
        state = dlt.current.resource_state().setdefault("newest_day_loaded", {})
        yield tables.to_table([], loaded_at)  # the table exists even when nothing is published
        last = state.get(chosen)
        since, until = rate_window(
            today=clock.today(SEOUL),
            newest_day_loaded=date.fromisoformat(last) if last else None,
            lookback_days=lookback_days,
            start_date=start,
            end_date=end,
            initial_days=initial_days,
        )
        if since > until:
            log.info("exchange_rates: %s: nothing to load", chosen)
            return
        seen: set[str] = set()
        newest = ""
        count = 0
        reader = from_koreaexim if chosen == tables.KOREAEXIM else from_frankfurter
        for rows in reader(since, until, seen):
            if rows:
                count += len(rows)
                newest = max(newest, *(r["rate_date"].isoformat() for r in rows))
                yield tables.to_table(rows, loaded_at)
        log.info("exchange_rates: %s %s..%s: %d rates of %s", chosen, since, until, count, wanted)
        if newest and newest > state.get(chosen, ""):
            # The newest day with a rate anchors the next run's lookback.
            state[chosen] = newest

    return [exchange_rates]
