"""HTTP for sources: dlt's retrying client, JSON bodies checked, secrets kept out of messages.

Every source talks HTTP through :class:`HttpApi` (CSV, TSV and XML answers) or
:class:`JsonApi`, which wrap ``dlt.sources.helpers.requests.Client``: retries with
exponential backoff on connection errors, timeouts, 429 (honouring ``Retry-After``) and
5xx (as :class:`Retry` says), plus conditions of the source's (a JSON body that is not
valid, a truncated file, a platform-specific throttling answer such as Meta's error codes
4/17/32/613/80000-80014 that arrive as HTTP 400). A request that cannot be sent even after
the retries is one :class:`~ingestion.sources.errors.SourceApiError` without the secrets.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from dlt.sources.helpers.requests import Client
from dlt.sources.helpers.requests.session import Session
from requests import Response

from ingestion import clock
from ingestion.sources.errors import SourceApiError, SourceAuthError

_orjson_loads: Callable[[bytes], Any] | None
try:  # dlt's dependency on CPython; PyPy installs go without it
    from orjson import loads as _orjson_loads
except ImportError:  # pragma: no cover
    _orjson_loads = None

#: Query parameters whose values never appear in a message or a log line.
SECRET_PARAMS = frozenset(
    {"access_token", "client_secret", "refresh_token", "api_key", "token", "authkey", "serviceKey"}
)

_PAYLOAD_ATTR = "_argo_payload"
_INVALID = object()

#: Called with (source, bytes of the body) after every answer a source receives: how
#: ``argo``'s progress line counts pages and megabytes without each source counting.
AnswerObserver = Callable[[str, int], None]
_observers: list[AnswerObserver] = []


def observe_answers(observer: AnswerObserver) -> Callable[[], None]:
    """Calls ``observer(source, body_bytes)`` after every answer; returns what stops it.

    Every source's requests go through :meth:`HttpApi.send`, so one observer sees the pages
    of every source, in whichever thread the source runs. An observer must be quick and
    must not raise.
    """
    _observers.append(observer)

    def stop() -> None:
        if observer in _observers:
            _observers.remove(observer)

    return stop


def _body_bytes(response: Response) -> int:
    """The body's size as read (a streamed body not read yet: its Content-Length)."""
    content = response.__dict__.get("_content")
    if isinstance(content, bytes):
        return len(content)
    try:
        return int(response.headers.get("Content-Length") or 0)
    except ValueError:
        return 0


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


def redact_text(text: str, secrets: Sequence[str]) -> str:
    """``text`` without any of ``secrets`` nor the values of secret query parameters."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _SECRET_QUERY.sub(r"\1***", text)


#: Every digit as ``0``: a body's longest run of digits is then found by ``bytes.find``.
_DIGITS_AS_ZERO = bytes(48 if 48 <= i <= 57 else i for i in range(256))
#: 19 digits: the shortest integer literal that may not fit 64 bits (2**63 has 19).
_LONG_NUMBER = b"0" * 19


def loads(content: bytes) -> Any:
    """A JSON body parsed as ``json.loads`` parses it, by orjson where that is the same.

    orjson (a dependency of dlt's) builds the same objects two to three times faster, but
    reads an integer beyond 64 bits as a float and refuses what ``json`` takes beyond
    RFC 8259 (``NaN``, ``Infinity``, a byte-order mark, a lone surrogate, UTF-16): a body
    with a run of 19 digits or more, or one orjson refuses, is parsed by ``json.loads``,
    so the objects and the errors are those of ``json.loads`` always.

    Raises:
        ValueError: The body is not valid JSON (``json.loads``'s error).
    """
    fast = _orjson_loads
    if (
        fast is not None
        and isinstance(content, bytes)
        and content.translate(_DIGITS_AS_ZERO).find(_LONG_NUMBER) < 0
    ):
        try:
            return fast(content)
        except ValueError:
            pass
    return json.loads(content)


def payload(response: Response) -> Any:
    """The parsed JSON body of ``response``, parsed once; raises ``ValueError`` if invalid."""
    cached = response.__dict__.get(_PAYLOAD_ATTR)
    if cached is None:
        try:
            cached = loads(response.content)
        except ValueError:
            cached = _INVALID
        response.__dict__[_PAYLOAD_ATTR] = cached
    if cached is _INVALID:
        raise ValueError(f"body is not valid JSON ({len(response.content)} bytes)")
    return cached


def bearer(source: str, token: str, what: str, hint: str, **headers: str) -> dict[str, str]:
    """The headers of an API that takes a token as ``Authorization: Bearer`` (and ``headers``).

    Args:
        source: The source, for the error.
        token: The token (a secret).
        what: What the token is called, for the error (``API token``).
        hint: How to configure it.
        **headers: Further headers (``Accept``).

    Raises:
        SourceAuthError: No token is configured.
    """
    if not token:
        raise SourceAuthError(source, f"no {what} is configured", hint=hint)
    return {"Authorization": f"Bearer {token}", **headers}


ThrottlePredicate = Callable[[Response, Any], bool]
RetryPredicate = Callable[[Response | None, BaseException | None], bool]


@dataclass(frozen=True)
class Retry:
    """How a client retries a request.

    Attributes:
        max_attempts: Attempts per request before giving up.
        backoff_factor: Multiplier of the exponential backoff, in seconds.
        timeout: Seconds to wait for a response.
        max_retry_delay: Longest single wait between attempts, in seconds.
    """

    max_attempts: int = 8
    backoff_factor: float = 1.0
    timeout: float = 120.0
    max_retry_delay: float = 300.0


#: The retries of a client that is not told otherwise.
RETRY = Retry()


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
    retry: Retry = RETRY,
) -> Client:
    """Dlt's retrying HTTP client as every source uses it.

    Retries connection errors, timeouts, 429 (honouring ``Retry-After``) and 5xx with
    exponential backoff, plus whatever ``retry_condition`` says; never raises for a status
    (the caller reads the answer); waits on ARGO's clock, so a frozen clock makes them free.

    Args:
        headers: Sent with every request (auth goes here; never logged).
        retry_condition: Given the response (or ``None``) and the exception, whether to
            ask again beyond dlt's own conditions.
        retry: Attempts, backoff and timeout.
    """
    return _ClockedClient(
        request_timeout=retry.timeout,
        raise_for_status=False,
        request_max_attempts=retry.max_attempts,
        request_backoff_factor=retry.backoff_factor,
        request_max_retry_delay=retry.max_retry_delay,
        respect_retry_after_header=True,
        retry_condition=retry_condition,
        session_attrs={"headers": dict(headers or {})},
    )


class HttpApi:
    """An HTTP API reached through dlt's retrying client (:func:`retrying_client`).

    Args:
        source: Source name used in error messages.
        headers: Headers sent with every request (auth goes here; never logged).
        retry_condition: Whether to ask again, beyond dlt's own conditions.
        retry: Attempts, backoff and timeout.
        secrets: Values to scrub from any error text.
    """

    def __init__(
        self,
        source: str,
        *,
        headers: Mapping[str, str] | None = None,
        retry_condition: RetryPredicate | None = None,
        retry: Retry = RETRY,
        secrets: Sequence[str] = (),
    ) -> None:
        self.source = source
        self.secrets = [s for s in secrets if s]
        self._client = retrying_client(
            headers=headers, retry_condition=retry_condition, retry=retry
        )

    def redact(self, text: str) -> str:
        """``text`` without this API's secrets."""
        return redact_text(text, self.secrets)

    def send(self, method: str, url: str, *, record: str | None = None, **kwargs: Any) -> Response:
        """Sends one request (retrying as configured) and returns the answer, whatever its status.

        Args:
            method: The HTTP method.
            url: The URL (secret query parameters are redacted from messages).
            record: What the request is about, for the error message.
            **kwargs: ``params``, ``data``, ``json``, ``auth`` as ``requests`` takes them.

        Raises:
            SourceApiError: The server could not be reached even after the retries.
        """
        try:
            response = self._client.session.request(method, url, **kwargs)
        except Exception as exc:  # connection refused, timeouts after the last retry
            raise SourceApiError(
                self.source,
                f"{method} {redact_url(url)} failed after retries: "
                f"{self.redact(type(exc).__name__ + ': ' + str(exc))}",
                record=record,
                hint="check base_url and the network; the run can be repeated safely",
            ) from None
        for observer in list(_observers):
            observer(self.source, _body_bytes(response))
        return response


class TokenClient:
    """A client of an API that takes a token as ``Authorization: Bearer`` (the trackers').

    Subclasses name the source, how to configure the token, the answers they accept and
    which answers are asked again (:meth:`should_retry`).

    Args:
        base_url: API root.
        token: The API token (a secret; sent only in the header, redacted from errors).
        retry: How a request is retried.

    Raises:
        SourceAuthError: No token is configured.
    """

    #: The source its errors name.
    source = ""
    #: How to configure the token.
    token_hint = ""
    #: The ``Accept`` header.
    accept = "application/json"

    def __init__(self, base_url: str, token: str, *, retry: Retry = RETRY) -> None:
        self.base_url = base_url.rstrip("/")
        headers = bearer(self.source, token, "API token", self.token_hint, Accept=self.accept)
        self.api = HttpApi(
            self.source,
            headers=headers,
            retry_condition=self.should_retry,
            retry=retry,
            secrets=[token],
        )

    def should_retry(self, response: Response | None, exception: BaseException | None) -> bool:
        """Whether to ask again, beyond dlt's own conditions (connection errors, 429, 5xx)."""
        return False


class JsonApi(HttpApi):
    """A JSON HTTP API: a body that is not valid JSON is asked again, then an error.

    Args:
        source: Source name used in error messages.
        is_throttled: Given a response and its parsed body, whether the platform says
            "slow down" in a way the status code does not show.
        **options: ``headers``, ``retry`` and ``secrets``, as :class:`HttpApi` takes them.
    """

    def __init__(
        self, source: str, *, is_throttled: ThrottlePredicate | None = None, **options: Any
    ) -> None:
        self._is_throttled = is_throttled
        super().__init__(source, retry_condition=self._should_retry, **options)

    def _should_retry(self, response: Response | None, exception: BaseException | None) -> bool:
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
        response = self.send(method, url, params=params, data=data, json=json_body)
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
