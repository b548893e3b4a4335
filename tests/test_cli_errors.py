"""Every argument or setting ``argo`` cannot use gets one line and the right exit status.

Each case runs the real ``argo`` (or plain ``dbt``) as its own process, from a scratch
directory that is not the project, with a scratch warehouse: 2 for an argument (as
argparse's own errors), 1 for a setting or a folder, and always exactly one line on
standard error (``what is wrong. What to do: ...``) and no traceback. The cases start all
at once (they share nothing) and are checked one by one.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from dbt.adapters.duckdb.plugins import BasePlugin

from argo.cli import EARLIEST_ZONE, UsageError, _check_range, main
from argo.locks import CannotLock, exclusive
from argo.settings import (
    DLT_PROJECT_ENV,
    PROJECT_DIR,
    WAREHOUSE_ENV,
    NotWritable,
    ensure_writable,
)
from ingestion import clock
from ingestion.clock import NOW_ENV
from tests.test_locks import hold

pytestmark = pytest.mark.e2e

ARGO = Path(sys.executable).with_name("argo")
DBT = Path(sys.executable).with_name("dbt")
AWS = ("AWS_REGION", "AWS_DEFAULT_REGION", "ARGO_S3_LAKE_BUCKET", "ARGO_S3_RESULTS_BUCKET")


@dataclass
class Case:
    """One command, the status it must end with, and what its one line must say."""

    command: list[str]
    status: int
    says: list[str]
    env: dict[str, str] = field(default_factory=dict)
    #: The line is dbt's (plain dbt), not ARGO's: it is looked for in all of the output.
    dbt: bool = False
    #: The command runs (and logs) as usual: the text is looked for in its output.
    runs: bool = False


def today_in(zone: str) -> date:
    return clock.today(zone)


def cases(scratch: Path) -> dict[str, Case]:
    seoul = today_in("Asia/Seoul")
    earliest = today_in(EARLIEST_ZONE)
    tomorrow_seoul = (seoul + timedelta(days=1)).isoformat()
    past_earliest = (earliest + timedelta(days=1)).isoformat()
    next_year_end = date(seoul.year + 1, 12, 31)
    blocked = scratch / "a-file"  # a file where the warehouse's folder should be
    return {
        "a range that ends before it starts": Case(
            ["ingest", "meta_ads", "--start", "2026-11-10", "--end", "2026-11-01"],
            2,
            [
                "argo ingest: error: --end 2026-11-01 is before --start 2026-11-10. What to "
                "do: give the first day as --start and the last as --end (both included)"
            ],
        ),
        "a range in 2031": Case(
            ["ingest", "naver_searchad", "--start", "2031-01-01", "--end", "2031-01-31"],
            2,
            [
                f"argo ingest: error: --start 2031-01-01 is in the future for naver_searchad: "
                f"today is {seoul} in Asia/Seoul, and no later day has data yet. What to do: "
                f"give dates up to {seoul}, or leave out --end to load up to today"
            ],
        ),
        "tomorrow in Seoul": Case(
            ["ingest", "kakao_moment", "--end", tomorrow_seoul],
            2,
            [f"argo ingest: error: --end {tomorrow_seoul} is in the future for kakao_moment"],
        ),
        "a day no account has reached": Case(
            ["ingest", "meta_ads", "--end", past_earliest],
            2,
            [
                f"argo ingest: error: --end {past_earliest} is in the future for meta_ads: "
                f"today is {earliest} in UTC+14, the first time zone to reach a day"
            ],
        ),
        "past the holidays' calendar": Case(
            ["ingest", "kr_holidays", "--end", (next_year_end + timedelta(days=1)).isoformat()],
            2,
            [
                f"past what kr_holidays publishes: its calendar reaches the end of next year, "
                f"{next_year_end}"
            ],
        ),
        "next year's holidays are not the future": Case(
            [
                "ingest",
                "kr_holidays",
                "--start",
                f"{seoul.year + 1}-01-01",
                "--end",
                next_year_end.isoformat(),
            ],
            0,  # the holidays package serves them without an API key
            ["kr_holidays -> raw_kr_holidays: holidays "],
            runs=True,
        ),
        "a date that is not one": Case(
            ["ingest", "meta_ads", "--start", "2026-13-01"],
            2,
            [
                "argo ingest: error: argument --start: '2026-13-01' is not a date "
                "(YYYY-MM-DD). What to do: see `argo ingest --help`"
            ],
        ),
        "an unknown target in ARGO_TARGET": Case(
            ["transform"],
            1,
            [
                "argo transform failed: ARGO_TARGET='atena' is not a target. What to do: set "
                "it to one of local, athena (or leave it unset for local), or pass --target"
            ],
            {"ARGO_TARGET": "atena"},
        ),
        "an unknown --target": Case(
            ["ingest", "meta_ads", "--target", "atena"],
            2,
            [
                "argo ingest: error: argument --target: invalid choice: 'atena' (choose from "
                "'local', 'athena'). What to do: see `argo ingest --help`"
            ],
        ),
        "a selection that matches nothing": Case(
            ["transform", "--select", "nosuchmodel", "marts"],
            2,
            [
                "argo transform: error: --select 'nosuchmodel' matches no model, seed, "
                "snapshot, test or source, so dbt would build nothing. What to do: check the "
                "name (`dbt ls` lists every node"
            ],
        ),
        "athena without its settings": Case(
            ["transform", "--target", "athena"],
            1,
            [
                "argo transform failed: missing configuration: AWS_REGION, "
                "ARGO_S3_LAKE_BUCKET, ARGO_S3_RESULTS_BUCKET. What to do: export them"
            ],
        ),
        "plain dbt on athena without its settings": Case(
            [
                str(DBT),
                "debug",
                "--target",
                "athena",
                "--project-dir",
                str(PROJECT_DIR),
                "--profiles-dir",
                str(PROJECT_DIR),
            ],
            2,
            ["Env var required but not provided: 'AWS_REGION'"],
            {"ARGO_TARGET": "athena"},
            dbt=True,
        ),
        "a warehouse folder that cannot be made": Case(
            ["ingest", "meta_ads", "--warehouse", str(blocked / "argo.duckdb")],
            1,
            [
                f"argo ingest failed: cannot write in {blocked} (Not a directory), where ARGO "
                "keeps the warehouse, its lock and dlt's working folder (.dlt/). What to do: "
                "make it writable (or free space there), or point ARGO_DUCKDB_PATH (or "
                "--warehouse) at a folder you can write"
            ],
        ),
    }


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli_errors")


@pytest.fixture(scope="module")
def started(scratch: Path) -> Iterator[dict[str, tuple[Case, subprocess.Popen[str]]]]:
    """Every case of :func:`cases` started at once, each in a folder of its own."""
    running = {}
    (scratch / "a-file").write_text("not a folder\n")
    for number, (name, case) in enumerate(cases(scratch).items()):
        folder = scratch / f"case{number}"
        folder.mkdir()
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("SOURCES__") and k not in (*AWS, "ARGO_TARGET", DLT_PROJECT_ENV)
        }
        env |= {
            WAREHOUSE_ENV: str(folder / "w" / "argo.duckdb"),
            DLT_PROJECT_ENV: str(folder),  # no .dlt/ there: no source settings
            "DBT_TARGET_PATH": str(folder / "target"),
            "DBT_LOG_PATH": str(folder / "logs"),
            NOW_ENV: clock.now().isoformat(),  # the test's instant (module fixtures run first)
            **case.env,
        }
        command = case.command if case.dbt else [str(ARGO), *case.command]
        running[name] = (
            case,
            subprocess.Popen(
                command,
                cwd=folder,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
    yield running
    for _, process in running.values():
        process.kill()
        process.wait()


@pytest.mark.parametrize("name", list(cases(Path("scratch"))))
def test_each_case_gets_one_line_and_its_exit_status(
    name: str, started: dict[str, tuple[Case, subprocess.Popen[str]]]
) -> None:
    case, process = started[name]
    out, err = process.communicate(timeout=300)
    assert process.returncode == case.status, err[-3000:] or out[-3000:]
    if case.runs:  # what it loaded is on standard output, with the summary
        assert all(text in out + err for text in case.says), err[-3000:] + out[-3000:]
        return
    if case.dbt:
        assert all(text in out + err for text in case.says), out[-3000:]
        assert "argo-lake" not in out + err and "argo-query-results" not in out + err
        return
    assert '  File "' not in err, f"a traceback: {err[-3000:]}"
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err[-3000:]
    for text in case.says:
        assert text in lines[0]


@pytest.mark.any_instant
def test_the_range_check_follows_each_sources_calendar() -> None:
    seoul, earliest = today_in("Asia/Seoul"), today_in(EARLIEST_ZONE)
    _check_range(["naver_searchad"], seoul.isoformat(), seoul.isoformat())
    with pytest.raises(UsageError, match="in the future for naver_searchad"):
        _check_range(["naver_searchad"], None, (seoul + timedelta(days=1)).isoformat())
    _check_range(["meta_ads"], None, earliest.isoformat())
    with pytest.raises(UsageError, match="in the future for meta_ads"):
        _check_range(["meta_ads"], (earliest + timedelta(days=1)).isoformat(), None)
    with pytest.raises(UsageError, match="in the future for weather"):  # one of several
        _check_range(["kr_holidays", "weather"], None, (seoul + timedelta(days=1)).isoformat())
    _check_range(["kr_holidays"], None, date(seoul.year + 1, 12, 31).isoformat())


def test_transform_from_another_directory_writes_the_project_warehouse_not_a_stray_one(
    tmp_path: Path,
) -> None:
    """A relative ARGO_DUCKDB_PATH (like the default data/argo.duckdb) is the project's."""
    relative = Path("data") / f"test-{uuid.uuid4().hex[:8]}" / "argo.duckdb"
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "data").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "ARGO_TARGET"} | {
        WAREHOUSE_ENV: str(relative),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    try:
        done = subprocess.run(
            [str(ARGO), "docs"],  # dbt opens the warehouse (for the catalog): DuckDB makes it
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
        assert (PROJECT_DIR / relative).exists()
        assert list(elsewhere.rglob("*")) == [elsewhere / "data"], "nothing written here"
    finally:
        shutil.rmtree(PROJECT_DIR / relative.parent, ignore_errors=True)


def test_plain_dbt_takes_argos_lock_and_leaves_no_stray_file(tmp_path: Path) -> None:
    warehouse = tmp_path / "w" / "argo.duckdb"
    warehouse.parent.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ARGO_TARGET"} | {
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    plain = [str(DBT), "seed", "--select", "currency_codes", "--project-dir", str(PROJECT_DIR),
             "--profiles-dir", str(PROJECT_DIR)]  # fmt: skip
    other = hold(warehouse.with_suffix(".lock"))  # an `argo ingest` loading, say
    try:
        done = subprocess.run(
            plain, cwd=tmp_path, env=env | {WAREHOUSE_ENV: str(warehouse)},
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    finally:
        other.kill()
        other.wait()
    assert done.returncode != 0
    assert (
        f"ARGO's lock (argo/locks.py): another run is using the warehouse {warehouse} "
        f"(pid {other.pid} since"
    ) in done.stdout
    assert not warehouse.exists(), "refused before DuckDB opened the file"
    # without ARGO_DUCKDB_PATH, from a folder with a data/ of its own: refused, not created
    (tmp_path / "data").mkdir()
    done = subprocess.run(
        plain, cwd=tmp_path, env={k: v for k, v in env.items() if k != WAREHOUSE_ENV},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode != 0
    assert (
        f"the warehouse path 'data/argo.duckdb' is relative and dbt runs in {tmp_path}, not in "
        f"the project {PROJECT_DIR}"
    ) in done.stdout
    assert list((tmp_path / "data").iterdir()) == []


def test_a_dbt_run_keeps_the_lock_while_it_holds_the_warehouse(tmp_path: Path) -> None:
    """The plugin's hold lasts as long as DuckDB's connection, and ends with it."""
    warehouse = tmp_path / "argo.duckdb"

    class Creds:
        path = str(warehouse)

    plugin = BasePlugin.create("argo.dbt_lock", config={})
    plugin.update_connection_config(Creds(), {})
    connection = duckdb.connect(str(warehouse))
    plugin.configure_connection(connection)
    lock = str(warehouse.with_suffix(".lock"))
    probe = [
        sys.executable,
        "-c",
        f"from pathlib import Path\nfrom argo.locks import exclusive\n"
        f"with exclusive(Path({lock!r}), 'w'): pass",
    ]
    refused = subprocess.run(probe, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "another run is using w" in refused.stderr
    connection.close()
    del connection
    taken = subprocess.run(probe, capture_output=True, text=True, timeout=60)
    assert taken.returncode == 0, taken.stderr


def test_a_folder_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    read_only = tmp_path / "ro"
    read_only.mkdir()
    read_only.chmod(0o555)
    try:
        if os.geteuid() != 0:  # root writes anyway: there, the lock's own error is checked
            with pytest.raises(NotWritable, match=f"cannot write in {read_only} \\(Permission"):
                ensure_writable(read_only, "the warehouse")
        with pytest.raises(NotWritable, match="Not a directory"):
            (tmp_path / "file").write_text("")
            ensure_writable(tmp_path / "file" / "data", "the warehouse")
    finally:
        read_only.chmod(0o755)


@pytest.mark.parametrize(
    ("command", "keeps"),
    [
        (["ingest", "meta_ads"], "the warehouse, its lock and dlt's working folder (.dlt/)"),
        (["transform"], "the warehouse and its lock"),
    ],
)
def test_a_read_only_warehouse_folder_gets_one_line(
    command: list[str],
    keeps: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Before anything runs: no source is asked, no dbt starts, nothing is created."""
    read_only = tmp_path / "ro"
    read_only.mkdir()
    read_only.chmod(0o555)
    if os.geteuid() == 0:  # root writes anyway: the folder refuses as a read-only mount does
        write = Path.write_bytes

        def refuse(self: Path, data: bytes) -> int:
            if self.parent == read_only:
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
            return write(self, data)

        monkeypatch.setattr(Path, "write_bytes", refuse)
    monkeypatch.delenv("ARGO_TARGET", raising=False)
    monkeypatch.setenv(WAREHOUSE_ENV, str(read_only / "argo.duckdb"))
    try:
        assert main(command) == 1
    finally:
        read_only.chmod(0o755)
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    reason = "Read-only file system" if os.geteuid() == 0 else "Permission denied"
    assert lines == [
        f"argo {command[0]} failed: cannot write in {read_only} ({reason}), where ARGO keeps "
        f"{keeps}. What to do: make it writable (or free space there), or point "
        "ARGO_DUCKDB_PATH (or --warehouse) at a folder you can write"
    ]
    assert list(read_only.iterdir()) == []


def test_a_lock_file_that_cannot_be_created_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    with (
        pytest.raises(
            CannotLock, match=f"cannot create the lock file {tmp_path}/w.lock \\(Perm"
        ) as error,
        exclusive(tmp_path / "w.lock", "the warehouse"),
    ):
        pass
    assert "What to do: make the folder writable" in str(error.value)
