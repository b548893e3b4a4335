"""Date helpers every source shares: configured dates, the lookback window, request chunks.

Every daily row is checked by :func:`sane_days`: a row dated after tomorrow in its
account's time zone, or before 2000-01-01, stops the run before anything is loaded.

A source with daily data reads, on each run, a window of days (:class:`Lookback`): the
first run the ``initial_days`` before today, every later run the ``lookback_days`` up to
and including the newest day loaded so far (:class:`NewestDays`, kept in dlt's resource
state and committed with the data), so days the API restates after the fact are read
again; an explicit ``start_date``/``end_date`` wins over both.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.sources.arrow import Table
from ingestion.sources.config import at_least
from ingestion.sources.errors import SourceError, describe_record

log = logging.getLogger("argo.sources")


def date_chunks(since: date, until: date, days: int) -> Iterator[tuple[date, date]]:
    """Splits ``[since, until]`` into consecutive inclusive pieces of at most ``days`` days."""
    start = since
    while start <= until:
        end = min(start + timedelta(days=days - 1), until)
        yield start, end
        start = end + timedelta(days=1)


def days_of(since: date, until: date) -> list[date]:
    """Every day of ``[since, until]``, oldest first (none when ``since > until``)."""
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def parse_date(value: str | date | None, name: str, source: str) -> date | None:
    """A configured date (``YYYY-MM-DD``, or a date); empty means not set.

    Args:
        value: The setting's value.
        name: The setting's name (``start_date``), for the error.
        source: The source it configures, for the error.

    Raises:
        SourceError: The value is not a date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SourceError(
            source, f"{name} '{value}' is not a date", hint="use YYYY-MM-DD"
        ) from None


@dataclass(frozen=True)
class Lookback:
    """Which days a run reads, for one account (or app, station, provider).

    Attributes:
        lookback_days: Days up to and including the newest day loaded that every later
            run reads again (what the API restates after the fact).
        initial_days: Days before today that a first run reads.
        start_date: An explicit first day: wins over the state (a backfill or a re-pull).
        end_date: An explicit last day; never later than the source's last day.
        days_behind: Days before today of the source's last day: 0 when today's
            (partial) numbers are read, 1 when today is never asked for (the API refuses
            it, or a day counts only once it is over).
        initial_counts_today: The first run reads ``initial_days`` days up to and
            including today, not ``initial_days`` before today and today.
        history_days: Days before today the API keeps: an older start is moved up to
            it (with a warning), since the API would refuse it.
        source: The source, for the warning.
    """

    lookback_days: int
    initial_days: int
    start_date: date | None = None
    end_date: date | None = None
    days_behind: int = 0
    initial_counts_today: bool = False
    history_days: int | None = None
    source: str = ""

    @classmethod
    def of(
        cls,
        source: str,
        lookback_days: int,
        initial_days: int,
        start_date: str | date | None,
        end_date: str | date | None,
        **limits: Any,
    ) -> Lookback:
        """The lookback of a source's settings, checked (dates as users write them).

        Args:
            source: The source, for errors and the warning.
            lookback_days: The ``lookback_days`` setting.
            initial_days: The ``initial_days`` setting.
            start_date: The ``start_date`` setting (``YYYY-MM-DD``; empty: not set).
            end_date: The ``end_date`` setting.
            **limits: ``days_behind``, ``initial_counts_today``, ``history_days``.

        Raises:
            SourceError: A day count is below 1 or a date is not a date.
        """
        at_least(source, 1, lookback_days=lookback_days, initial_days=initial_days)
        return cls(
            lookback_days,
            initial_days,
            parse_date(start_date, "start_date", source),
            parse_date(end_date, "end_date", source),
            source=source,
            **limits,
        )

    def window(self, today: date, newest_day_loaded: date | None) -> tuple[date, date]:
        """The days of one run, both ends included; ``since > until`` means none.

        Args:
            today: Today in the time zone the API reports in.
            newest_day_loaded: The newest day earlier runs loaded (``None``: a first run).
        """
        last = today - timedelta(days=self.days_behind)
        until = min(self.end_date, last) if self.end_date else last
        if self.start_date is not None:
            since = self.start_date
        elif newest_day_loaded is not None:
            since = min(newest_day_loaded, until) - timedelta(days=self.lookback_days - 1)
        else:
            since = today - timedelta(days=self.initial_days - int(self.initial_counts_today))
        if self.history_days is not None:
            earliest = today - timedelta(days=self.history_days)
            if since < earliest:
                log.warning(
                    "%s: start %s is older than the %d days the API keeps; reading from %s",
                    self.source,
                    since,
                    self.history_days,
                    earliest,
                )
                since = earliest
        return since, until


class NewestDays:
    """The newest day loaded per account (or app, station), in the resource's dlt state.

    It anchors the next run's lookback. dlt commits the state with the data only when the
    load succeeds, so a failed run leaves it as it was. Call it inside a resource.

    Args:
        scope: A key under which the days are kept apart (the provider of a source with
            two; ``None``: none).
    """

    def __init__(self, scope: str | None = None) -> None:
        days: dict[str, Any] = dlt.current.resource_state().setdefault("newest_day_loaded", {})
        self._days: dict[str, str] = days if scope is None else days.setdefault(scope, {})

    def get(self, key: str) -> date | None:
        """The newest day loaded for ``key``, if any."""
        found = self._days.get(key)
        return date.fromisoformat(found) if found else None

    def update(self, key: str, day: date | str | None) -> None:
        """Records that ``day`` was loaded for ``key`` (the state only moves forward)."""
        text = day.isoformat() if isinstance(day, date) else day
        if text and text > self._days.get(key, ""):
            self._days[key] = text


#: The oldest day a report row may carry: an older one is a malformed answer.
EARLIEST_DAY = date(2000, 1, 1)
#: What to do about a row dated in the future or before :data:`EARLIEST_DAY`.
BAD_DAY_HINT = (
    "the API sent a row dated outside any report it can hold; nothing was loaded by this run. "
    "Run it again later; if it persists, report it to the API's support with the record"
)


def sane_days(data: pa.Table, table: Table, column: str, today: date) -> pa.Table:
    """``data``, checked that no row is dated after tomorrow or before 2000-01-01.

    A single future-dated row would move every later window (computed from the newest day
    loaded) past every real day, so it is refused before anything is loaded.

    Args:
        data: A page of a daily table (Arrow).
        table: Its declaration (source, name and primary key for the message).
        column: Its date column.
        today: Today in the time zone the account reports in (:func:`ingestion.clock.today`).

    Raises:
        SourceDataError: A row is dated after tomorrow or before 2000-01-01; the message
            names the source, the table, the record and the date.
    """
    if data.num_rows == 0:
        return data
    latest = today + timedelta(days=1)
    bounds = pc.min_max(data[column])
    oldest, newest = bounds["min"].as_py(), bounds["max"].as_py()
    if oldest is None or (oldest >= EARLIEST_DAY and newest <= latest):
        return data
    days = data[column].to_pylist()
    index = next(i for i, d in enumerate(days) if d is not None and not EARLIEST_DAY <= d <= latest)
    found = days[index]
    row = {k: data[k][index].as_py() for k in table.primary_key or (column,)}
    when = f"after tomorrow ({latest})" if found > latest else f"before {EARLIEST_DAY}"
    raise table.error(
        f"field '{column}' is {found}, {when}", describe_record(row, tuple(row)), BAD_DAY_HINT
    )
