"""The dlt source for daily exchange rates: won per unit of each wanted foreign currency."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from ingestion import clock
from ingestion.sources import arrow
from ingestion.sources.config import ListSetting, at_least, list_setting, one_of, origin
from ingestion.sources.dates import Lookback, NewestDays, date_chunks, days_of
from ingestion.sources.errors import SourceError
from ingestion.sources.exchange_rates import tables
from ingestion.sources.exchange_rates.client import FrankfurterClient, KoreaEximClient
from ingestion.sources.http import Retry
from ingestion.sources.resources import merged

log = logging.getLogger("argo.sources.exchange_rates")

DEFAULT_BASE_URLS = {
    tables.KOREAEXIM: "https://oapi.koreaexim.go.kr",
    tables.FRANKFURTER: "https://api.frankfurter.dev/v1",
}
DEFAULT_CURRENCIES = ("USD", "JPY", "EUR", "CNY")
SEOUL = ZoneInfo("Asia/Seoul")
#: Eximbank days gathered into one Arrow table.
DAYS_PER_TABLE = 31


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


@dataclass
class Run:
    """One run of the source: the provider's client and the checked settings.

    Attributes:
        provider: ``koreaexim`` or ``frankfurter``.
        client: That provider's client.
        currencies: The foreign currencies wanted.
        lookback: The days of the run (today at the latest: rates appear during the day).
        window_days: Days per Frankfurter time-series request.
        loaded_at: The run's ``_loaded_at``.
    """

    provider: str
    client: KoreaEximClient | FrankfurterClient
    currencies: list[str]
    lookback: Lookback
    window_days: int = 366
    loaded_at: datetime = field(default_factory=clock.now)

    def rows(self, since: date, until: date, seen: set[str]) -> Iterator[list[dict[str, Any]]]:
        """Batches of rate rows of ``[since, until]``; ``seen`` collects their currencies.

        Raises:
            SourceError: A wanted currency was published on no day of the range.
        """
        if isinstance(self.client, KoreaEximClient):
            yield from self._koreaexim(self.client, since, until, seen)
            return
        for currency in self.currencies:
            for first, last in date_chunks(since, until, self.window_days):
                body = self.client.series(currency, first, last, tables.BASE_CURRENCY)
                rows = tables.frankfurter_rows(currency, body, first, last)
                seen.update(r["currency_code"] for r in rows)
                yield rows
        if seen and set(self.currencies) - seen:
            raise _unpublished(tables.FRANKFURTER, self.currencies, seen, seen)

    def _koreaexim(
        self, client: KoreaEximClient, since: date, until: date, seen: set[str]
    ) -> Iterator[list[dict[str, Any]]]:
        published: set[str] = set()
        for first, last in date_chunks(since, until, DAYS_PER_TABLE):
            batch: list[dict[str, Any]] = []
            for day in days_of(first, last):
                body = client.rates(day)  # [] on weekends, holidays, today before ~11:00 KST
                if body:
                    rows = tables.koreaexim_rows(day, body, self.currencies)
                    published.update(str(item.get("cur_unit")) for item in body)
                    seen.update(r["currency_code"] for r in rows)
                    batch.extend(rows)
            yield batch
        if published and set(self.currencies) - seen:
            raise _unpublished(tables.KOREAEXIM, self.currencies, seen, published)


def exchange_rates(run: Run) -> Iterator[pa.Table]:
    """The ``exchange_rates`` table over the run's window."""
    newest = NewestDays()
    # The table exists even when nothing is published.
    yield arrow.to_table([], tables.RATES, loaded_at=run.loaded_at)
    since, until = run.lookback.window(clock.today(SEOUL), newest.get(run.provider))
    if since > until:
        log.info("exchange_rates: %s: nothing to load", run.provider)
        return
    seen: set[str] = set()
    count = 0
    for rows in run.rows(since, until, seen):
        if rows:
            count += len(rows)
            # The newest day with a rate anchors the next run's lookback.
            newest.update(run.provider, max(r["rate_date"] for r in rows))
            yield arrow.to_table(rows, tables.RATES, loaded_at=run.loaded_at)
    log.info(
        "exchange_rates: %s %s..%s: %d rates of %s",
        run.provider,
        since,
        until,
        count,
        run.currencies,
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
) -> list[DltResource]:
    """Daily exchange rates as won (KRW) per unit of each wanted foreign currency.

    Its arguments are the settings of README.md beside this file (tested against this
    signature); dlt reads each from ``SOURCES__EXCHANGE_RATES__<NAME>``
    or ``[sources.exchange_rates]`` in ``.dlt/*.toml`` unless it is passed.

    Returns:
        The resource ``exchange_rates``.
    """
    keyed = tables.KOREAEXIM if auth_key else tables.FRANKFURTER
    chosen = one_of(tables.SOURCE, "provider", provider, tables.PROVIDERS, keyed)
    lookback = Lookback.of(tables.SOURCE, lookback_days, initial_days, start_date, end_date)
    at_least(tables.SOURCE, 1, window_days=window_days)
    wanted = _currencies(currencies)
    url = base_url or DEFAULT_BASE_URLS[chosen]
    retry = Retry(max_attempts, backoff_factor, request_timeout)
    client = (
        KoreaEximClient(url, auth_key or "", retry=retry)
        if chosen == tables.KOREAEXIM
        else FrankfurterClient(url, retry=retry)
    )
    run = Run(chosen, client, wanted, lookback, window_days)
    return [merged(exchange_rates(run), tables.RATES)]
