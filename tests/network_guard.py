"""A pytest plugin: no test reaches beyond this machine, and one that tries fails loudly.

Every socket of the test process may connect to, send to and look up loopback only
(127.0.0.0/8, ::1, ``localhost``, this machine's own name) and Unix sockets. Anything else is
refused at once (``ConnectionRefusedError``, or ``socket.gaierror`` for a name lookup) and
recorded with the test that was running; the test then fails in its teardown with the list,
even when the attempt came from a background thread that swallowed the error (telemetry
senders do). A test that starts Python subprocesses (``make``, ``argo``) gives them
:func:`guarded_env`: each process then installs the same guard at start-up and appends
what it refused to a file the test reads (:func:`refused_in_subprocesses`).

A test that means to provoke an attempt takes the ``network_attempts`` fixture: calling
it returns the attempts recorded so far in the test and takes them off the failure list.

Under pytest-xdist every worker installs the guard in its own process; what a worker
refused outside any test (collection, a background thread between tests) goes back to
the controller, which fails the session with it.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest

#: Names that are this machine.
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


@dataclass(frozen=True)
class Attempt:
    """One refused attempt to reach beyond loopback."""

    test: str
    action: str
    target: str
    thread: str

    def __str__(self) -> str:
        return f"{self.action} {self.target} (thread {self.thread}, during {self.test})"


class Guard:
    """Patches the socket module; records what it refuses (and appends it to ``report``)."""

    def __init__(self, report: Path | None = None) -> None:
        self.attempts: list[Attempt] = []
        self.current = "collection"
        self.report = report
        self._lock = threading.Lock()
        self._originals: dict[str, Any] = {}
        self._own_names = {socket.gethostname().lower()}

    def local_host(self, host: Any) -> bool:
        if host is None or host in ("", b""):
            return True
        if isinstance(host, bytes):
            host = host.decode(errors="replace")
        host = str(host).strip("[]").lower().split("%")[0]
        if host in LOCAL_NAMES or host in self._own_names:
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def record(self, action: str, target: str) -> None:
        test = self.current or f"pid {os.getpid()}: {' '.join(sys.argv)[:200]}"
        attempt = Attempt(test, action, target, threading.current_thread().name)
        with self._lock:
            self.attempts.append(attempt)
            if self.report is not None:
                with self.report.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(asdict(attempt)) + "\n")

    def take(self, test: str) -> list[Attempt]:
        """The attempts recorded while ``test`` ran, removed from the list."""
        with self._lock:
            mine = [a for a in self.attempts if a.test == test]
            self.attempts = [a for a in self.attempts if a.test != test]
            return mine

    def install(self) -> None:
        guard = self
        original_connect = socket.socket.connect
        original_connect_ex = socket.socket.connect_ex
        original_sendto = socket.socket.sendto
        original_getaddrinfo = socket.getaddrinfo
        original_gethostbyname = socket.gethostbyname
        original_gethostbyname_ex = socket.gethostbyname_ex
        self._originals = {
            "connect": original_connect,
            "connect_ex": original_connect_ex,
            "sendto": original_sendto,
            "getaddrinfo": original_getaddrinfo,
            "gethostbyname": original_gethostbyname,
            "gethostbyname_ex": original_gethostbyname_ex,
        }

        def allowed(sock: socket.socket, address: Any) -> bool:
            if sock.family not in (socket.AF_INET, socket.AF_INET6):
                return True  # Unix sockets, netlink: this machine
            host = address[0] if isinstance(address, tuple) else address
            return guard.local_host(host)

        def refuse(action: str, address: Any) -> ConnectionRefusedError:
            target = (
                ":".join(str(part) for part in address[:2])
                if isinstance(address, tuple)
                else str(address)
            )
            guard.record(action, target)
            return ConnectionRefusedError(
                f"network guard (tests/network_guard.py): {action} {target} refused; "
                "tests reach only 127.0.0.1"
            )

        def connect(sock: socket.socket, address: Any) -> None:
            if not allowed(sock, address):
                raise refuse("connect", address)
            original_connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            if not allowed(sock, address):
                raise refuse("connect", address)
            return int(original_connect_ex(sock, address))

        def sendto(sock: socket.socket, data: Any, *args: Any) -> int:
            address = args[-1]
            if not allowed(sock, address):
                raise refuse("sendto", address)
            return int(original_sendto(sock, data, *args))

        def lookup_refused(name: Any) -> socket.gaierror:
            guard.record("lookup", str(name))
            return socket.gaierror(
                socket.EAI_NONAME,
                f"network guard (tests/network_guard.py): lookup of {name} refused; "
                "tests reach only 127.0.0.1",
            )

        def numeric(host: Any) -> bool:
            try:
                ipaddress.ip_address(str(host).strip("[]").split("%")[0])
            except ValueError:
                return False
            return True  # an address is not looked up; connecting to it is checked

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            if not (guard.local_host(host) or numeric(host)):
                raise lookup_refused(host)
            return original_getaddrinfo(host, *args, **kwargs)

        def gethostbyname(host: str) -> str:
            if not guard.local_host(host):
                raise lookup_refused(host)
            return str(original_gethostbyname(host))

        def gethostbyname_ex(host: str) -> Any:
            if not guard.local_host(host):
                raise lookup_refused(host)
            return original_gethostbyname_ex(host)

        socket.socket.connect = connect  # type: ignore[method-assign]
        socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
        socket.socket.sendto = sendto  # type: ignore[method-assign,assignment]
        socket.getaddrinfo = getaddrinfo
        socket.gethostbyname = gethostbyname
        socket.gethostbyname_ex = gethostbyname_ex

    def uninstall(self) -> None:
        if not self._originals:
            return
        socket.socket.connect = self._originals["connect"]  # type: ignore[method-assign]
        socket.socket.connect_ex = self._originals["connect_ex"]  # type: ignore[method-assign]
        socket.socket.sendto = self._originals["sendto"]  # type: ignore[method-assign]
        socket.getaddrinfo = self._originals["getaddrinfo"]
        socket.gethostbyname = self._originals["gethostbyname"]
        socket.gethostbyname_ex = self._originals["gethostbyname_ex"]
        self._originals = {}


GUARD = Guard()

_SITECUSTOMIZE = """\
# Written by tests/network_guard.py: this Python process reaches nothing beyond loopback.
from tests.network_guard import install_in_subprocess

install_in_subprocess()
"""
REPORT_ENV = "ARGO_NETWORK_GUARD_REPORT"


def guarded_env(folder: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """An environment whose Python processes install the guard as they start.

    Every ``python`` started with it (through ``make``, ``uv run`` or a console script)
    imports the ``sitecustomize`` written into ``folder`` first; what those processes
    refuse is appended to ``folder/refused.jsonl``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(_SITECUSTOMIZE, encoding="utf-8")
    result = dict(os.environ if env is None else env)
    project = str(Path(__file__).resolve().parent.parent)
    paths = [str(folder), project, result.get("PYTHONPATH", "")]
    result["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    result[REPORT_ENV] = str(folder / "refused.jsonl")
    return result


def refused_in_subprocesses(folder: Path) -> list[Attempt]:
    """What the processes started with ``guarded_env(folder)`` tried and were refused."""
    report = folder / "refused.jsonl"
    if not report.exists():
        return []
    return [Attempt(**json.loads(line)) for line in report.read_text().splitlines() if line]


def install_in_subprocess() -> None:
    """Installs the guard in this process (called by the written ``sitecustomize``)."""
    guard = Guard(Path(os.environ[REPORT_ENV]))
    guard.current = ""  # named by the process's command line when it records
    guard.install()


def pytest_configure(config: pytest.Config) -> None:
    GUARD.install()


def pytest_unconfigure(config: pytest.Config) -> None:
    GUARD.uninstall()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    GUARD.current = item.nodeid
    try:
        return (yield)
    finally:
        GUARD.current = "between tests"


@pytest.fixture(autouse=True)
def _no_network_beyond_loopback(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the test (in teardown) that tried to reach beyond loopback."""
    yield
    attempts = GUARD.take(request.node.nodeid)
    if attempts:
        pytest.fail(
            "this test tried to reach beyond 127.0.0.1 (refused by tests/network_guard.py):\n  "
            + "\n  ".join(str(a) for a in attempts),
            pytrace=False,
        )


@pytest.fixture
def network_attempts(request: pytest.FixtureRequest) -> Callable[[], list[Attempt]]:
    """Returns the attempts this test made so far (on purpose), so they fail nothing."""
    return lambda: GUARD.take(request.node.nodeid)


#: What pytest-xdist workers refused outside any test (their controller reports it).
_FROM_WORKERS: list[Attempt] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object | None) -> None:
    """A pytest-xdist worker finished: keep what it refused outside any test."""
    output = getattr(node, "workeroutput", None) or {}
    _FROM_WORKERS.extend(Attempt(**a) for a in output.get("network_guard", []))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    left = GUARD.take("between tests") + GUARD.take("collection")
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: its controller fails the session
        workeroutput["network_guard"] = [asdict(a) for a in left]
        return
    left += _FROM_WORKERS
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        text = "network guard: attempts beyond 127.0.0.1 outside any test:\n  " + "\n  ".join(
            str(a) for a in left
        )
        if reporter is not None:
            reporter.write_line(text, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
