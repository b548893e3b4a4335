"""Headless Chromium for tests: open a page, record every request it makes, dump or shoot it.

Uses Debian's ``chromium`` package (``/usr/bin/chromium``; ``ARGO_CHROMIUM`` names another
binary) and nothing but the standard library. Each call starts a fresh browser with its own
throw-away profile and Chromium's net log (``--log-net-log``), which records every URL
request, host lookup, TCP connection and UDP datagram of every process of the browser.

What the browser itself would fetch on its own (sign-in's account list, the component
updater, network time, field trials) is switched off or pointed at a closed loopback port,
and no host name but ``localhost`` resolves, so nothing leaves the machine and whatever the
log shows beyond loopback was asked for by the page. :func:`load` dumps the DOM after the
page's scripts ran; :func:`screenshot` writes a PNG.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

#: Environment variable naming the Chromium binary to use instead of ``chromium``.
CHROMIUM_ENV = "ARGO_CHROMIUM"
INSTALL_HINT = (
    "headless Chromium is needed for this test and was not found. What to do: install "
    "Debian's package with `sudo apt-get install chromium` (or run `.ci/run`, which installs "
    f"it), or name the binary in {CHROMIUM_ENV}"
)
#: Where a page may fetch from: its own files and the loopback interface.
LOCAL_SCHEMES = frozenset({"file", "data", "blob", "about", "chrome", "devtools"})
LOOPBACK_NAMES = frozenset({"localhost"})
#: A closed port on loopback for the browser's own services that no switch turns off.
NOWHERE = "http://127.0.0.1:9/"

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--disable-field-trial-config",
    "--disable-component-extensions-with-background-pages",
    "--no-pings",
    "--metrics-recording-only",
    "--password-store=basic",
    "--use-mock-keychain",
    "--hide-scrollbars",
    # AimEnabled: Chromium 150's omnibox asks www.google.com/async/folae whether AI mode
    # is allowed at every start; PreconnectToSearch: a preconnect to the search engine.
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater,AimEnabled,"
    "AimServerRequestOnStartupEnabled,PreconnectToSearch",
    # Sign-in lists the profile's Google accounts, the component updater asks for the
    # on-device model manifest, and Chromium 150 checks its push-messaging (GCM) device in
    # at android.clients.google.com a few seconds after a page with scripts opened,
    # whatever the switches above say: all go to a closed port.
    f"--gaia-url={NOWHERE}",
    f"--component-updater=url-source={NOWHERE}",
    f"--gcm-checkin-url={NOWHERE}",
    f"--gcm-registration-url={NOWHERE}",
    # No name resolves but localhost: an attempt is still logged, and nothing leaves.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
)


class ChromiumMissing(RuntimeError):
    """No Chromium binary on this machine; the message says how to install one."""


@dataclass(frozen=True)
class NetRequest:
    """One thing the browser asked of the network, as its net log recorded it.

    ``kind`` is ``url`` (a URL request, any scheme the network stack serves), ``dns`` (a
    host name looked up), ``tcp`` (a connection attempt) or ``udp`` (a datagram sent).
    """

    kind: str
    target: str

    @property
    def is_local(self) -> bool:
        """True when it stays on this machine: a file/data URL or the loopback interface."""
        if self.kind == "url":
            parts = urlsplit(self.target)
            return parts.scheme in LOCAL_SCHEMES or _is_loopback(parts.hostname or "")
        if self.kind == "dns":
            return _is_loopback(urlsplit(self.target).hostname or self.target)
        return _is_loopback(_host_of_address(self.target))


@dataclass
class PageLoad:
    """What one visit of a page gave: its DOM (or screenshot) and every request recorded."""

    url: str
    seconds: float
    dom: str = ""
    requests: list[NetRequest] = field(default_factory=list)
    log: str = ""

    @property
    def beyond_loopback(self) -> list[NetRequest]:
        """The requests that would have left the machine, in the order they were made."""
        return [r for r in self.requests if not r.is_local]


def chromium_binary() -> str:
    """The Chromium to run: ``ARGO_CHROMIUM``, else ``chromium`` on the PATH.

    Raises:
        ChromiumMissing: Neither exists.
    """
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        if shutil.which(configured):
            return configured
        raise ChromiumMissing(f"{CHROMIUM_ENV}={configured!r} is not a program; {INSTALL_HINT}")
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumMissing(INSTALL_HINT)


def load(url: str, *, budget_ms: int = 5000, timeout: float = 60) -> PageLoad:
    """Opens ``url``, lets its scripts run for ``budget_ms`` of virtual time, dumps the DOM.

    Raises:
        ChromiumMissing: No Chromium on this machine.
        TimeoutError: The page did not settle within ``timeout`` seconds (a modal
            ``alert()`` does that); the message lists what the net log had recorded.
    """
    return _run(url, [f"--virtual-time-budget={budget_ms}", "--dump-dom"], timeout)


def screenshot(
    url: str,
    path: Path,
    *,
    width: int = 1280,
    height: int = 900,
    budget_ms: int = 5000,
    timeout: float = 120,
) -> PageLoad:
    """Writes a PNG of ``url`` (``width`` x ``height``) to ``path``; returns its requests too.

    Raises:
        ChromiumMissing: No Chromium on this machine.
        TimeoutError: The page did not settle within ``timeout`` seconds.
        RuntimeError: Chromium finished without writing the picture.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    flags = [
        f"--virtual-time-budget={budget_ms}",
        f"--window-size={width},{height}",
        f"--screenshot={path.resolve()}",
    ]
    run = _run(url, flags, timeout)
    if not path.exists() or path.stat().st_size == 0:
        raise RuntimeError(f"Chromium wrote no screenshot of {url}: {run.log[-2000:]}")
    return run


def _run(url: str, extra: list[str], timeout: float) -> PageLoad:
    binary = chromium_binary()
    with tempfile.TemporaryDirectory(prefix="argo-chromium-") as scratch:
        netlog = Path(scratch) / "netlog.json"
        command = [
            binary,
            *FLAGS,
            f"--user-data-dir={Path(scratch) / 'profile'}",
            f"--log-net-log={netlog}",
            *extra,
            url,
        ]
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            start_new_session=True,  # its renderers and zygotes end with it
            cwd=scratch,
        )
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            out, err = process.communicate()
            recorded = parse_netlog(netlog)
            raise TimeoutError(
                f"Chromium did not finish {url} within {timeout:.0f} s (a page waiting on a "
                f"modal alert() never does); its net log recorded: "
                f"{[f'{r.kind} {r.target}' for r in recorded]}"
            ) from None
        finally:
            _kill_group(process)
        if process.returncode != 0:
            raise RuntimeError(f"Chromium exited with {process.returncode} on {url}: {err[-2000:]}")
        return PageLoad(
            url=url,
            seconds=time.monotonic() - started,
            dom=out,
            requests=parse_netlog(netlog),
            log=err,
        )


def _kill_group(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def parse_netlog(path: Path) -> list[NetRequest]:
    """Every request in a Chromium net log: URLs, host lookups, connections, datagrams.

    A browser that was killed leaves the log unterminated; what it wrote is still read.
    """
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        log = json.loads(text)
    except ValueError:
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    found: list[NetRequest] = []
    udp_peer: dict[int, str] = {}
    udp_sent: set[int] = set()
    for event in log.get("events", []):
        name = names.get(event.get("type"), "")
        params = event.get("params") or {}
        source = int(event.get("source", {}).get("id", -1))
        if name == "URL_REQUEST_START_JOB" and "url" in params:
            found.append(NetRequest("url", params["url"]))
        elif name == "HOST_RESOLVER_MANAGER_REQUEST" and "host" in params:
            found.append(NetRequest("dns", params["host"]))
        elif name == "TCP_CONNECT_ATTEMPT" and "address" in params:
            found.append(NetRequest("tcp", params["address"]))
        elif name == "UDP_CONNECT" and "address" in params:
            # connect() on a UDP socket sends nothing (Chromium probes IPv6 routes that
            # way); only a datagram actually sent counts.
            udp_peer[source] = params["address"]
        elif name == "UDP_BYTES_SENT" and source not in udp_sent:
            udp_sent.add(source)
            found.append(NetRequest("udp", params.get("address") or udp_peer.get(source, "?")))
    return found


def _host_of_address(address: str) -> str:
    """``1.2.3.4:80`` or ``[::1]:443`` -> the host part."""
    if address.startswith("["):
        return address[1 : address.find("]")]
    return address.rsplit(":", 1)[0]


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
