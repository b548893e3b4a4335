"""Watching a fake for requests of different accounts in flight at the same time."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from ingestion.sandbox.http import FakeApi, Reply, Request


class InFlight:
    """Wraps a fake's ``handle``: which accounts have a request in flight, at most how many
    (:attr:`peak`), and at most how many requests of one account at once (:attr:`peak_per_account`).

    With ``rendezvous`` set, the first request of each account waits (up to ``timeout``
    real seconds) until ``rendezvous`` accounts have a request in flight: a connector
    reading accounts one after the other never gets there, one reading them in parallel
    always does, whatever the machine's speed.

    Args:
        fake: The started fake.
        account_of: The account a request is about (``None``: about none).
        monkeypatch: Restores ``handle`` after the test.
        rendezvous: Accounts to wait for (0: no waiting).
        timeout: Longest wait at the rendezvous, in real seconds.
    """

    def __init__(
        self,
        fake: FakeApi,
        account_of: Callable[[Request], str | None],
        monkeypatch: pytest.MonkeyPatch,
        *,
        rendezvous: int = 0,
        timeout: float = 20.0,
    ) -> None:
        self.peak = 0
        self.peak_per_account = 0
        self.met = False
        self._accounts: dict[str, int] = {}
        self._seen: set[str] = set()
        self._changed = threading.Condition()
        handle = fake.handle

        def watched(request: Request) -> Reply:
            account = account_of(request)
            if account is None:
                return handle(request)
            with self._changed:
                self._accounts[account] = self._accounts.get(account, 0) + 1
                self.peak = max(self.peak, len(self._accounts))
                self.peak_per_account = max(self.peak_per_account, self._accounts[account])
                first = account not in self._seen
                self._seen.add(account)
                self._changed.notify_all()
                if first and rendezvous:
                    self._changed.wait_for(lambda: len(self._accounts) >= rendezvous, timeout)
                    self.met = self.met or len(self._accounts) >= rendezvous
            try:
                return handle(request)
            finally:
                with self._changed:
                    self._accounts[account] -= 1
                    if not self._accounts[account]:
                        del self._accounts[account]

        monkeypatch.setattr(fake, "handle", watched)

    @property
    def accounts_seen(self) -> int:
        """Accounts that had at least one request."""
        return len(self._seen)


def header(name: str) -> Callable[[Request], str | None]:
    """The account a request names in header ``name`` (lower case)."""

    def account_of(request: Request) -> str | None:
        return request.headers.get(name) or None

    return account_of
