"""A BI tool holding data/argo.duckdb open breaks neither the linter nor the docs server.

DuckDB lets one process hold a database file read-write, and no other process open it
at all meanwhile. Here another process holds the project's own ``data/argo.duckdb`` (made
for the test if missing, and removed after only then) while ``make sqllint`` lints a
model through the Makefile's own command and `argo docs --serve` answers a GET of the
site, both with the user's default settings (no ``ARGO_DUCKDB_PATH``).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from argo.settings import DEFAULT_WAREHOUSE, PROJECT_DIR, WAREHOUSE_ENV, warehouse_path
from argo.transform import DOCS_MARK
from tests.network_guard import guarded_env, refused_in_subprocesses

#: Both tests hold the project's data/argo.duckdb, and `make sqllint` writes data/lint/ and
#: target/ in the project: they share one pytest-xdist worker with the other test that
#: compiles into the project's target/ (tests/test_sqllint.py).
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("project_dir")]

HOLD = """
import sys, time
import duckdb
try:
    connection = duckdb.connect(sys.argv[1])
    connection.execute("select 1")
    print("held", flush=True)
except duckdb.IOException as exc:  # someone (a BI tool?) holds it already: just as good
    print(f"busy {exc}", flush=True)
time.sleep(900)
"""
#: An incremental mart: the linter compiles it against a warehouse (is_incremental()).
MODEL = "models/marts/marketing/fct_ad_performance_daily.sql"


@pytest.fixture
def held_warehouse() -> Iterator[Path]:
    """The project's data/argo.duckdb, held read-write by another process."""
    path = PROJECT_DIR / DEFAULT_WAREHOUSE
    made = [p for p in (path, path.with_name(path.name + ".wal")) if not p.exists()]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().startswith(("held", "busy"))
        with pytest.raises(duckdb.IOException, match="lock"):
            duckdb.connect(str(path), read_only=True).close()  # no one else gets in
        yield path
    finally:
        holder.kill()
        holder.wait()
        for created in made:
            created.unlink(missing_ok=True)


def user_env(guard: Path) -> dict[str, str]:
    """The user's environment: the default warehouse, the network guard in every process."""
    env = guarded_env(guard)
    env.pop(WAREHOUSE_ENV, None)
    env.pop("ARGO_TARGET", None)
    return env


def test_tests_never_open_the_project_warehouse() -> None:
    assert os.environ.get(WAREHOUSE_ENV)
    assert warehouse_path() != PROJECT_DIR / DEFAULT_WAREHOUSE


def test_make_sqllint_lints_while_the_warehouse_is_held(
    held_warehouse: Path, tmp_path: Path
) -> None:
    guard = tmp_path / "guard"
    done = subprocess.run(
        # its own lint warehouse: make test runs the project's sqllint beside this test
        [
            "make",
            "--no-print-directory",
            "-o",
            "install",
            "sqllint",
            f"SQLLINT_PATHS={MODEL}",
            f"LINT_WAREHOUSE={tmp_path / 'lint' / 'argo.duckdb'}",
        ],
        cwd=PROJECT_DIR,
        env=user_env(guard),
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "All Finished" in output and "sqlfluff lint" in output
    assert refused_in_subprocesses(guard) == []


def test_argo_docs_serve_answers_while_the_warehouse_is_held(
    held_warehouse: Path, tmp_path: Path
) -> None:
    site = tmp_path / "target"
    site.mkdir()
    (site / "index.html").write_text(f"<!doctype html><title>ARGO docs</title>\n{DOCS_MARK}\n")
    guard = tmp_path / "guard"
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("argo")), "docs", "--serve", "--port", "0"],
        cwd=PROJECT_DIR,
        env=user_env(guard) | {"DBT_TARGET_PATH": str(site)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stderr is not None
        line = server.stdout.readline()
        found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        assert found, f"no address in {line!r}: {server.stderr.read() if not line else ''}"
        with urllib.request.urlopen(f"{found.group(1)}index.html", timeout=10) as answer:
            assert answer.status == 200 and DOCS_MARK in answer.read().decode()
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=10) == 0
        assert "Stopped serving" in server.stdout.read()
        assert "GET /index.html" in server.stderr.read()
    finally:
        server.kill()
        server.wait()
    assert refused_in_subprocesses(guard) == []
