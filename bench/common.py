"""What every benchmark shares: the machine's description and measured child processes."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent


def machine() -> dict[str, Any]:
    """The machine and software the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    versions = {}
    for package in ("duckdb", "dlt", "dbt-core", "dbt-duckdb", "pyarrow"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory / 1024**3, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": versions,
    }


def describe(info: dict[str, Any]) -> str:
    """One line for the top of the printed report."""
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB, {info['os']}, "
        f"Python {info['python']}; {versions}"
    )


class ChildFailed(RuntimeError):
    """A measured child process exited non-zero; the message carries its stderr's tail."""


@dataclass
class Child:
    """A finished child process: wall seconds, peak resident memory, its JSON answer."""

    seconds: float
    peak_rss_bytes: int
    answer: dict[str, Any]

    @property
    def peak_rss_mb(self) -> float:
        """Peak resident memory in MB."""
        return self.peak_rss_bytes / 1e6


def run_child(module: str, *args: str, env: dict[str, str] | None = None) -> Child:
    """Runs ``python -m <module> <args>`` and measures it.

    The child prints one JSON object as its last stdout line (:func:`answer`), with its
    peak resident memory read from ``/proc/self/status`` (``VmHWM``). That is the
    program's own peak: ``ru_maxrss`` would also count the parent's pages copied by the
    fork before ``exec`` (the fake APIs and the world live in the parent).

    Raises:
        ChildFailed: The child exited non-zero.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=PROJECT_DIR,
            stdout=out,
            stderr=err,
            env={**os.environ, **(env or {})},
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    if proc.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-15:])
        raise ChildFailed(f"{module} {' '.join(args)} exited {proc.returncode}:\n{tail}")
    lines = [line for line in stdout.strip().splitlines() if line.startswith("{")]
    answer = json.loads(lines[-1]) if lines else {}
    peak = int(answer.pop("peak_rss_bytes", 0)) or int(usage.ru_maxrss) * 1024
    return Child(seconds, peak, answer)


def peak_rss_bytes() -> int:
    """This process's peak resident memory since ``exec`` (``VmHWM``), in bytes."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def answer(result: dict[str, Any]) -> None:
    """A child's last line: its JSON answer to :func:`run_child`, with its peak memory."""
    print(json.dumps({**result, "peak_rss_bytes": peak_rss_bytes()}, default=str), flush=True)


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A plain text table, every column right-aligned to its widest cell."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


def progress(text: str) -> None:
    """One progress line on stderr."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)
