"""``argo ingest <source>`` as a user runs it: a separate process configured only through
``SOURCES__<SOURCE>__<NAME>`` environment variables, or only through ``.dlt/config.toml`` and
``.dlt/secrets.toml``, against the source's sandbox fake started here.

Each must land what an in-process ``run_source`` with the same options as keywords lands:
the same tables with the same rows. A value of the wrong form must stop the process with
one line that names the setting as the user wrote it and the form it needs.

The process gets this test's instant through ``ARGO_NOW`` (``ingestion.clock``), and the
world's today is that instant's date, so both sides agree on "today". ``DLT_PROJECT_DIR``
points dlt at a scratch folder: the repository's own ``.dlt/`` is never read or written.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from argo.pipeline import run_source
from argo.settings import DLT_PROJECT_ENV, WAREHOUSE_ENV
from ingestion import clock
from ingestion.clock import NOW_ENV
from ingestion.registry import SOURCES
from ingestion.sandbox import World, WorldConfig
from ingestion.sandbox.registry import connector_options, start_fake
from tests.conftest import query
from tests.e2e.test_crash_recovery import raw_tables
from tests.settings_forms import env_variables, toml_files

ARGO = Path(sys.executable).with_name("argo")

#: The fakes here serve subprocesses: their clock must move as the subprocesses' does.
pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("flowing_clock")]


@pytest.fixture(scope="module")
def instant() -> datetime:
    """This module's "now", handed to every ``argo`` process it starts."""
    return clock.now()


@pytest.fixture(scope="module")
def world(instant: datetime) -> World:
    """A small world whose today is the test's today."""
    return World(WorldConfig(seed=12, scale=0.3, history_days=5, as_of=instant.date()))


@pytest.fixture
def fake(request: pytest.FixtureRequest, world: World) -> Iterator[Any]:
    """The sandbox fake of the test's ``source`` (as ``argo demo`` starts it)."""
    started = start_fake(request.node.callspec.params["source"], world)
    yield started
    started.stop()


def argo(
    source: str, folder: Path, instant: datetime, variables: dict[str, str], cwd: Path
) -> subprocess.Popen[str]:
    """Starts ``argo ingest <source>`` in a new process: its settings only ``variables`` and
    the ``.dlt/`` of ``folder``, its warehouse ``folder/argo.duckdb``."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SOURCES__") and k not in (DLT_PROJECT_ENV, WAREHOUSE_ENV, NOW_ENV)
    }
    environment |= {
        DLT_PROJECT_ENV: str(folder),
        WAREHOUSE_ENV: str(folder / "argo.duckdb"),
        NOW_ENV: instant.isoformat(),
        **variables,
    }
    command = [str(ARGO)] if ARGO.exists() else [sys.executable, "-m", "argo.cli"]
    return subprocess.Popen(
        [*command, "ingest", source],
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen[str]) -> tuple[int, str]:
    """The exit status and the standard error of a started ``argo``."""
    try:
        _, err = process.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return process.returncode, err


def landed(process: subprocess.Popen[str], folder: Path, source: str) -> Any:
    status, err = finished(process)
    assert status == 0, err
    return raw_tables(folder / "argo.duckdb", source)


@pytest.mark.parametrize("source", list(SOURCES))
def test_argo_ingest_configured_by_environment_or_by_toml_lands_what_run_source_does(
    source: str,
    fake: Any,
    instant: datetime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    options = connector_options(source, fake)
    by_env, by_toml = tmp_path / "env", tmp_path / "toml"
    by_env.mkdir()
    (by_toml / ".dlt").mkdir(parents=True)
    for name, text in toml_files(source, options).items():
        (by_toml / ".dlt" / name).write_text(text)
    # one after the other: a fake paces and counts its clients as the real API does
    process = argo(source, by_env, instant, env_variables(source, options), cwd=tmp_path)
    from_env = landed(process, by_env, source)
    process = argo(source, by_toml, instant, {}, cwd=tmp_path)
    from_toml = landed(process, by_toml, source)

    monkeypatch.setenv(WAREHOUSE_ENV, str(tmp_path / "keywords" / "argo.duckdb"))
    run_source(source, **options)
    expected = raw_tables(tmp_path / "keywords" / "argo.duckdb", source)
    assert sum(sum(rows.values()) for rows in expected.values()) > 0
    assert from_env == expected, "configured by environment variables"
    assert from_toml == expected, "configured by .dlt/*.toml"


@pytest.mark.parametrize("source", ["weather"])
def test_a_comma_separated_list_in_a_variable_is_a_list(
    source: str, fake: Any, instant: datetime, tmp_path: Path
) -> None:
    options = connector_options(source, fake)
    variables = env_variables(source, options)
    variables["SOURCES__WEATHER__STATIONS"] = "108, 159"
    status, err = finished(argo(source, tmp_path, instant, variables, cwd=tmp_path))
    assert status == 0, err
    stations = query(
        tmp_path / "argo.duckdb", "select distinct station_id from raw_weather.daily_weather"
    )
    assert sorted(stations) == [("108",), ("159",)]


#: (source, environment variables, files in .dlt/, what the one line must say)
WRONG_FORMS: dict[str, tuple[str, dict[str, str], dict[str, str], list[str]]] = {
    "a word for a list in a variable": (
        "kakao_moment",
        {
            "SOURCES__KAKAO_MOMENT__ACCESS_TOKEN": "t0ken",
            "SOURCES__KAKAO_MOMENT__ACCOUNT_IDS": "notalist",
        },
        {},
        [
            "kakao_moment: SOURCES__KAKAO_MOMENT__ACCOUNT_IDS='notalist' is not a list of ad "
            "account ids (digits)",
            """write a JSON list like '["123","456"]' or a comma-separated 123,456""",
        ],
    ),
    "a word for a number in a variable": (
        "meta_ads",
        {"SOURCES__META_ADS__ACCESS_TOKEN": "t0ken", "SOURCES__META_ADS__LOOKBACK_DAYS": "abc"},
        {},
        [
            "meta_ads: SOURCES__META_ADS__LOOKBACK_DAYS='abc' is not a whole number",
            "write a whole number, e.g. SOURCES__META_ADS__LOOKBACK_DAYS=28",
        ],
    ),
    "a word for a list in config.toml": (
        "kakao_moment",
        {"SOURCES__KAKAO_MOMENT__ACCESS_TOKEN": "t0ken"},
        {"config.toml": '[sources.kakao_moment]\naccount_ids = "notalist"\n'},
        [
            'kakao_moment: sources.kakao_moment.account_ids = "notalist" in {dlt}/config.toml '
            "is not a list of ad account ids (digits)",
            'write a TOML array like account_ids = ["123", "456"]',
        ],
    ),
    "quoted text for a number in config.toml": (
        "meta_ads",
        {"SOURCES__META_ADS__ACCESS_TOKEN": "t0ken"},
        {"config.toml": '[sources.meta_ads]\nlookback_days = "28 days"\n'},
        [
            'meta_ads: sources.meta_ads.lookback_days = "28 days" in {dlt}/config.toml is not '
            "a whole number",
            "e.g. lookback_days = 28 (no quotes)",
        ],
    ),
    "a config.toml that is not TOML": (
        "appsflyer",
        {},
        {"config.toml": '[sources.appsflyer]\napp_ids = ["com.example.app"\ntimezone = "UTC"\n'},
        [
            "appsflyer: {dlt}/config.toml is not valid TOML: Unclosed array (at line 3, "
            "column 1) (near `app_ids` on line 2)",
            'lists like ["a", "b"]',
        ],
    ),
    "a secret in config.toml": (
        "adjust",
        {"SOURCES__ADJUST__APP_TOKENS": "abc123def456"},
        {"config.toml": '[sources.adjust]\napi_token = "s3cret-adjust-token"\n'},
        [
            "adjust: sources.adjust.api_token in {dlt}/config.toml is a secret, and "
            "config.toml holds no secrets",
            "move it to {dlt}/secrets.toml (or to the environment variable "
            "SOURCES__ADJUST__API_TOKEN)",
        ],
    ),
}


@pytest.fixture(scope="module")
def wrong_forms(
    instant: datetime, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, subprocess.Popen[str]]]:
    """Every case of :data:`WRONG_FORMS` started at once (they share nothing)."""
    started = {}
    for case, (source, variables, files, _) in WRONG_FORMS.items():
        folder = tmp_path_factory.mktemp("wrong")
        (folder / ".dlt").mkdir()
        for name, text in files.items():
            (folder / ".dlt" / name).write_text(text)
        started[case] = folder, argo(source, folder, instant, variables, cwd=folder)
    return started


@pytest.mark.xdist_group("wrong_forms")  # one worker starts every case's process, once
@pytest.mark.parametrize("case", list(WRONG_FORMS))
def test_a_value_of_the_wrong_form_gets_one_line_naming_it(
    case: str, wrong_forms: dict[str, tuple[Path, subprocess.Popen[str]]]
) -> None:
    folder, process = wrong_forms[case]
    status, err = finished(process)
    assert status == 1
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("argo ingest failed: ")
    for text in WRONG_FORMS[case][3]:
        assert text.format(dlt=(folder / ".dlt").resolve()) in lines[0]
    assert "s3cret" not in err


def test_argo_reads_the_projects_settings_not_the_working_directorys(
    instant: datetime, tmp_path: Path
) -> None:
    # a broken .dlt/ where the command runs is not read: the process gets as far as the
    # variable's wrong form (the project's own .dlt/ has no lookback_days for Meta)
    (tmp_path / ".dlt").mkdir()
    (tmp_path / ".dlt" / "config.toml").write_text("[sources.meta_ads\n")
    variables = {
        "SOURCES__META_ADS__ACCESS_TOKEN": "t0ken",
        "SOURCES__META_ADS__LOOKBACK_DAYS": "x",
    }
    environment = {k: v for k, v in os.environ.items() if k != DLT_PROJECT_ENV} | variables
    environment |= {WAREHOUSE_ENV: str(tmp_path / "argo.duckdb"), NOW_ENV: instant.isoformat()}
    command = [str(ARGO)] if ARGO.exists() else [sys.executable, "-m", "argo.cli"]
    process = subprocess.run(
        [*command, "ingest", "meta_ads"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert process.returncode == 1
    assert "SOURCES__META_ADS__LOOKBACK_DAYS='x' is not a whole number" in process.stderr
    assert str(tmp_path) not in process.stderr
