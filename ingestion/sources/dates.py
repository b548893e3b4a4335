"""Date helpers every source shares: configured dates and request windows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from ingestion.sources.errors import SourceError


def date_chunks(since: date, until: date, days: int) -> Iterator[tuple[date, date]]:
    """Splits ``[since, until]`` into consecutive inclusive pieces of at most ``days`` days."""
    start = since
    while start <= until:
        end = min(start + timedelta(days=days - 1), until)
        yield start, end
        start = end + timedelta(days=1)


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
