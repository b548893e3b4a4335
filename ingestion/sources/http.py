"""HTTP for sources: dlt's retrying client, JSON bodies checked, secrets kept out of messages.

Every source talks HTTP through :class:`JsonApi`, which wraps
``dlt.sources.helpers.requests.Client``: retries with exponential backoff on connection
errors, timeouts, 429 (honouring ``Retry-After``) and 5xx, plus two conditions of ours:
a body that is not valid JSON (a truncated answer) and a platform-specific throttling
answer (Meta's error codes 4/17/32/613/80000-80014 arrive as HTTP 400).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from dlt.sources.helpers.requests import Client
from dlt.sources.helpers.requests.session import Session
from requests import Response

from ingestion import clock
from ingestion.sources.errors import SourceApiError

#: Query parameters whose values never appear in a message or a log line.
SECRET_PARAMS = frozenset(
    {"access_token", "client_secret", "refresh_token", "api_key", "token", "authkey", "serviceKey"}
)

_PAYLOAD_ATTR = "_argo_payload"
_INVALID = object()


def redact_url(url: str) -> str:
    """Returns ``url`` with the values of secret query parameters replaced by ``***``."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, "***" if k in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe='{}:,"[]')))


_SECRET_QUERY = re.compile(
    r"(\b(?:" + "|".join(sorted(SECRET_PARAMS)) + r")=)[^&\s\"']+", re.IGNORECASE
)
_redacting = False


def redact_log_records() -> None:
    """Redacts secret query parameters from every log record of this process.

    HTTP libraries log request URLs at debug level (urllib3: ``GET /path?authkey=...``);
    some APIs take their key in the URL (Korea Eximbank, data.go.kr). A log record factory
    sees every record of every logger before any handler, so ``argo -v`` and a debug
    capture alike get ``authkey=***``. Idempotent.
    """
    global _redacting
    if _redacting:
        return
    _redacting = True
    make_record = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if record.args or "=" in str(record.msg):
            try:
                message = record.getMessage()
            except (TypeError, ValueError):
                return record
            redacted = _SECRET_QUERY.sub(r"\1***", message)
            if redacted != message:
                record.msg, record.args = redacted, None
        return record

    logging.setLogRecordFactory(factory)


def redact_text(text: str, secrets: list[str]) -> str:
    """Removes every secret value from ``text`` (for error bodies that echo a request)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return re.sub(r"(access_token=)[^&\s\"']+", r"\1***", text)


def payload(response: Response) -> Any:
    """The parsed JSON body of ``response``, parsed once; raises ``ValueError`` if invalid."""
    cached = response.__dict__.get(_PAYLOAD_ATTR)
    if cached is None:
        try:
            cached = json.loads(response.content)
        except ValueError:
            cached = _INVALID
        response.__dict__[_PAYLOAD_ATTR] = cached
    if cached is _INVALID:
        raise ValueError(f"body is not valid JSON ({len(response.content)} bytes)")
    return cached


ThrottlePredicate = Callable[[Response, Any], bool]
RetryPredicate = Callable[[Response | None, BaseException | None], bool]


class _ClockedClient(Client):
    """dlt's retrying client whose waits between attempts go through :mod:`ingestion.clock`."""

    def _make_session(self) -> Session:
        session = super()._make_session()
        session.send.retry.sleep = clock.sleep  # type: ignore[attr-defined]
        return session


def retrying_client(
    *,
    headers: Mapping[str, str] | None = None,
    retry_condition: RetryPredicate | None = None,
    max_attempts: int = 8,
    backoff_factor: float = 1.0,
    max_retry_delay: float = 300.0,
    timeout: float = 120.0,
) -> Client:
    """Dlt's retrying HTTP client as every source uses it.

    Retries connection errors, timeouts, 429 (honouring ``Retry-After``) and 5xx with
    exponential backoff, plus whatever ``retry_condition`` says; never raises for a status
    (the caller reads the answer); waits on ARGO's clock, so a frozen clock makes them free.

    Args:
        headers: Sent with every request (auth goes here; never logged).
        retry_condition: Given the response (or ``None``) and the exception, whether to
            ask again beyond dlt's own conditions.
        max_attempts: Attempts per request before giving up.
        backoff_factor: Multiplier of the exponential backoff, in seconds.
        max_retry_delay: Longest single wait between attempts, in seconds.
        timeout: Seconds to wait for a response.
    """
    return _ClockedClient(
        request_timeout=timeout,
        raise_for_status=False,
        request_max_attempts=max_attempts,
        request_backoff_factor=backoff_factor,
        request_max_retry_delay=max_retry_delay,
        respect_retry_after_header=True,
        retry_condition=retry_condition,
        session_attrs={"headers": dict(headers or {})},
    )


class JsonApi:
    """A JSON HTTP API reached through dlt's retrying client.

    Args:
        source: Source name used in error messages.
        headers: Headers sent with every request (auth goes here; never logged).
        is_throttled: Given a response and its parsed body, whether the platform says
            "slow down" in a way the status code does not show.
        max_attempts: Attempts per request before giving up.
        backoff_factor: Multiplier of the exponential backoff, in seconds.
        max_retry_delay: Longest single wait between attempts, in seconds.
        timeout: Seconds to wait for a response.
        secrets: Values to scrub from any error text.
    """

    def __init__(
        self,
        source: str,
        *,
        headers: Mapping[str, str] | None = None,
        is_throttled: ThrottlePredicate | None = None,
        max_attempts: int = 8,
        backoff_factor: float = 1.0,
        max_retry_delay: float = 300.0,
        timeout: float = 120.0,
        secrets: list[str] | None = None,
    ) -> None:
        self.source = source
        self._secrets = list(secrets or [])
        self._is_throttled = is_throttled
        self.attempts = 0
        self._client = retrying_client(
            headers=headers,
            retry_condition=self._should_retry,
            max_attempts=max_attempts,
            backoff_factor=backoff_factor,
            max_retry_delay=max_retry_delay,
            timeout=timeout,
        )

    def _should_retry(self, response: Response | None, exception: BaseException | None) -> bool:
        self.attempts += 1
        if response is None:
            return False
        if response.status_code == 200:
            try:
                payload(response)
            except ValueError:
                return True  # truncated or garbled body: ask again
            return False
        if self._is_throttled is None:
            return False
        try:
            body = payload(response)
        except ValueError:
            return False
        return self._is_throttled(response, body)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        json_body: Any = None,
    ) -> tuple[Response, Any]:
        """Sends one request (retrying as configured) and returns the response and its JSON.

        Raises:
            SourceApiError: The server could not be reached, or answered with a body that
                stayed invalid JSON after every retry.
        """
        try:
            response = self._client.session.request(
                method, url, params=params, data=data, json=json_body
            )
        except Exception as exc:  # connection refused, timeouts after the last retry
            raise SourceApiError(
                self.source,
                f"{method} {redact_url(url)} failed after retries: "
                f"{redact_text(type(exc).__name__ + ': ' + str(exc), self._secrets)}",
                hint="check the base URL and the network; the run can be repeated safely",
            ) from None
        try:
            body = payload(response)
        except ValueError as exc:
            raise SourceApiError(
                self.source,
                f"{method} {redact_url(response.url)} answered HTTP {response.status_code} "
                f"with a malformed body: {exc}",
                hint="the API sent an invalid answer even after retries; run again later",
            ) from None
        return response, body
