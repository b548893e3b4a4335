"""The one clock: frozen, shifted by ARGO_NOW, and the only clock the code reads."""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from argo.settings import PROJECT_DIR
from ingestion import clock

#: Calls that read or wait on the machine's clock; only ingestion/clock.py makes them.
WALL_CLOCK_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "monotonic"),
    ("time", "sleep"),
}


def test_frozen_clock_moves_only_when_told(frozen_clock: clock.FrozenClock) -> None:
    start = clock.now()
    mono = clock.monotonic()
    assert clock.now() == start and clock.monotonic() == mono
    clock.sleep(2.5)
    assert frozen_clock.slept == [2.5]
    assert (clock.now() - start).total_seconds() == 2.5
    assert clock.monotonic() - mono == 2.5
    frozen_clock.set(datetime(2026, 11, 20, 15, 1, tzinfo=UTC))
    assert clock.today() == date(2026, 11, 20)
    assert clock.today("Asia/Seoul") == date(2026, 11, 21)  # already tomorrow in Seoul
    assert clock.today("America/Los_Angeles") == date(2026, 11, 20)


def test_frozen_block_restores_the_previous_clock() -> None:
    before = clock.current()
    with clock.frozen(datetime(2030, 1, 1, tzinfo=UTC)):
        assert clock.today() == date(2030, 1, 1)
    assert clock.current() is before


def test_instants_need_a_zone() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        clock.FrozenClock(datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="ARGO_NOW='2026-11-29 15:01' has no time zone"):
        clock.parse_instant("2026-11-29 15:01")
    with pytest.raises(ValueError, match="is not an ISO 8601 instant"):
        clock.parse_instant("yesterday")
    assert clock.parse_instant("2026-11-30T00:01:00+09:00") == datetime(
        2026, 11, 29, 15, 1, tzinfo=UTC
    )


def test_argo_now_starts_a_process_at_that_instant_and_time_passes() -> None:
    code = (
        "from ingestion import clock; import time; a = clock.now(); time.sleep(0.05); "
        "b = clock.now(); print(a.isoformat(), clock.today('Asia/Seoul'), b > a)"
    )
    env = {"ARGO_NOW": "2026-12-31T23:59:00Z", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=PROJECT_DIR, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    started, seoul, moving = out.stdout.split()
    assert started.startswith("2026-12-31T23:59:00")
    assert (seoul, moving) == ("2027-01-01", "True")


def test_a_wrong_argo_now_is_one_clear_line() -> None:
    env = {"ARGO_NOW": "tomorrow", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", "import ingestion.clock"],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0
    assert "ARGO_NOW='tomorrow' is not an ISO 8601 instant" in out.stderr


def _wall_clock_calls(path: Path) -> list[str]:
    """``module.function`` calls of the machine's clock in ``path``, unless marked."""
    source = path.read_text()
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and (node.func.value.id, node.func.attr) in WALL_CLOCK_CALLS
        ):
            marked = node.lineno >= 2 and "# wall clock:" in lines[node.lineno - 2]
            if not marked:
                found.append(f"{path.relative_to(PROJECT_DIR)}:{node.lineno}")
    return found


def test_nothing_but_the_clock_reads_the_machines_clock() -> None:
    """Every "today", timestamp and wait of ARGO goes through ingestion/clock.py.

    A call that must be real time (a fake answering late, so that a real socket times out)
    says why on the line above, starting ``# wall clock:``.
    """
    offenders = [
        call
        for path in sorted((PROJECT_DIR / "ingestion").rglob("*.py"))
        if path.name != "clock.py"
        for call in _wall_clock_calls(path)
    ]
    assert offenders == []
