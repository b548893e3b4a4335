"""A loopback HTTP server base for fake APIs: threads, JSON replies, faults, request log."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from ingestion.sandbox.faults import Faults


@dataclass
class Request:
    """What a fake sees of one request (secrets already removed from ``query``)."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]
    #: The query string as sent (a parameter may repeat: ``ranges=..&ranges=..``).
    raw_query: str = ""
    #: The body as sent (a fake that validates a payload byte for byte reads it).
    body: bytes = b""


@dataclass
class Exchange:
    """One request as sent (secrets included) and its answer, for replaying.

    Recorded only when :attr:`FakeApi.exchanges` is a list (the benchmarks set it); the
    no-framework baseline of ``bench/`` sends the same requests again.
    """

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    status: int
    response: bytes
    content_type: str


@dataclass
class Reply:
    """A fake's answer: status, JSON-able body (or raw bytes) and headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=UTF-8"


class _QuietServer(ThreadingHTTPServer):
    """Drops the traceback of a client that hung up (a timed-out client is expected)."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class FakeApi:
    """Base of every fake: serves :meth:`handle` on 127.0.0.1 in a daemon thread.

    Subclasses implement :meth:`handle` and :meth:`platform_rate_limit`. Faults are applied
    here, the same way for every fake.

    Args:
        faults: Fault switches; a fresh set if omitted.
        secret_params: Query/form parameters never written to the request log.
    """

    prefix = ""

    def __init__(self, faults: Faults | None = None, secret_params: tuple[str, ...] = ()) -> None:
        self.faults = faults or Faults()
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        #: Requests to replay (``None``: not recorded), and what was served: bytes, and
        #: seconds spent answering (both counted always, for the benchmarks).
        self.exchanges: list[Exchange] | None = None
        self.bytes_served = 0
        self.busy_seconds = 0.0
        self._counting = threading.Lock()
        self._secret_params = secret_params
        self._server: _QuietServer | None = None
        self._thread: threading.Thread | None = None
        self.root_url = ""

    @property
    def base_url(self) -> str:
        """The URL a client is configured with (root plus the API's prefix)."""
        return self.root_url + self.prefix

    def start(self) -> str:
        """Starts serving on a free port of 127.0.0.1 and returns :attr:`base_url`."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm
            # holds the body back ~40 ms on every keep-alive request.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # silence stderr
                return

            def do_GET(self) -> None:
                fake._serve(self, "GET")

            def do_POST(self) -> None:
                fake._serve(self, "POST")

            def do_PUT(self) -> None:
                fake._serve(self, "PUT")

            def do_DELETE(self) -> None:
                fake._serve(self, "DELETE")

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self.root_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # shutdown() waits for the loop's next poll: 0.5 s by default, on every stop.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stops the server."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def handle(self, request: Request) -> Reply:
        """Answers one request (faults already applied)."""
        raise NotImplementedError

    def platform_rate_limit(self, request: Request, code: int) -> Reply:
        """The platform's own "too many calls" answer."""
        return Reply(429, {"error": "rate limited", "code": code})

    def server_error(self, request: Request, status: int) -> Reply:
        """The platform's answer to an internal error (fault ``fail``); override per API."""
        return Reply(
            status,
            {
                "error": {
                    "message": "An unexpected error has occurred.",
                    "code": 2,
                    "type": "OAuthException",
                }
            },
        )

    def throttled(self, request: Request, retry_after: int) -> Reply:
        """A plain HTTP 429 with ``Retry-After`` (fault ``throttle``); override per API."""
        return Reply(
            429,
            {"error": {"message": "Too Many Requests", "code": 429}},
            {"Retry-After": str(retry_after)},
        )

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        started = time.perf_counter()
        parts = urlsplit(handler.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        form: dict[str, str] = {}
        if raw and "json" in (handler.headers.get("Content-Type") or ""):
            try:
                loaded = json.loads(raw)
                form = (
                    {"__json__": json.dumps(loaded)}
                    if not isinstance(loaded, dict)
                    else {k: v if isinstance(v, str) else json.dumps(v) for k, v in loaded.items()}
                )
            except ValueError:
                form = {}
        elif raw:
            form = dict(parse_qsl(raw.decode(), keep_blank_values=True))
        headers = {k.lower(): v for k, v in handler.headers.items()}
        request = Request(method, parts.path, query, form, headers, parts.query, raw)
        logged = {k: v for k, v in {**query, **form}.items() if k not in self._secret_params}
        self.requests.append((method, parts.path, logged))
        self.faults.count_request()

        reply: Reply | None = None
        truncate = False
        fault = self.faults.take(parts.path, ("slow",))
        if fault is not None:
            # wall clock: the client's socket timeout is real, so the answer is really late.
            time.sleep(float(fault.params["seconds"]))
        fault = self.faults.take(parts.path, ("fail", "throttle", "rate_limit"))
        if fault is not None and fault.kind == "fail":
            reply = self.server_error(request, int(fault.params["status"]))
        elif fault is not None and fault.kind == "throttle":
            reply = self.throttled(request, int(fault.params["retry_after"]))
        elif fault is not None:
            reply = self.platform_rate_limit(request, int(fault.params["code"]))
        if reply is None:
            reply = self.handle(request)
            if reply.status == 200 and self.faults.take(parts.path, ("truncate",)):
                truncate = True
        body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        if truncate:
            body = body[: max(len(body) // 2, 1)]
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        handler.send_header("Content-Length", str(len(body)))
        for key, value in reply.headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)
        with self._counting:
            self.bytes_served += len(body)
            self.busy_seconds += time.perf_counter() - started
            if self.exchanges is not None:
                self.exchanges.append(
                    Exchange(
                        method,
                        handler.path,
                        dict(handler.headers.items()),
                        raw,
                        reply.status,
                        body,
                        reply.content_type,
                    )
                )
