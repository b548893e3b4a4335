"""Errors every ARGO source raises, each naming the source, the record and what to do next."""

from __future__ import annotations

from typing import Any


class SourceError(Exception):
    """A source failed in a way a user must act on.

    Args:
        source: The source name, e.g. ``meta_ads``.
        message: What went wrong.
        record: The record (account, request or row) involved, if any.
        hint: What the user should do next.
    """

    def __init__(
        self, source: str, message: str, *, record: str | None = None, hint: str | None = None
    ) -> None:
        self.source = source
        self.record = record
        self.hint = hint
        text = f"{source}: {message}"
        if record:
            text += f" [record: {record}]"
        if hint:
            text += f". What to do: {hint}"
        super().__init__(text)


class SourceAuthError(SourceError):
    """The API rejected the credentials (wrong, expired or missing token)."""


class SourceApiError(SourceError):
    """The API answered with an error that retries did not clear."""


class SourceDataError(SourceError):
    """The API answered, but a record in the answer is malformed or impossible."""


def describe_record(row: dict[str, Any], keys: tuple[str, ...]) -> str:
    """Names a row by its identifying keys, for error messages.

    Args:
        row: The record as received.
        keys: The keys that identify it (those missing are shown as ``?``).

    Returns:
        A short ``key=value`` description.
    """
    return ", ".join(f"{key}={row.get(key, '?')}" for key in keys)
