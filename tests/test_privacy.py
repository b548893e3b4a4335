"""Nothing leaves the machine unless the user configured it: each switch, checked by use.

The project's own configuration turns off what its libraries would send or fetch on
their own: dbt's anonymous usage events (``dbt_project.yml`` flags), dlt's telemetry and
DuckDB's extension downloads in dlt's DuckDB destination (``.dlt/config.toml``), DuckDB's
extension downloads in dbt-duckdb (``profiles.yml``). Each test reads the switch and then
runs the library the way ARGO does, under the network guard (tests/network_guard.py),
so turning a switch back on fails it.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from argo.settings import PROJECT_DIR, WAREHOUSE_ENV
from argo.transform import dbt
from tests.network_guard import Attempt, guarded_env, refused_in_subprocesses

#: Variables that switch the same things from outside; the tests run without them, so
#: that what they check is the project's own configuration.
OUTSIDE_SWITCHES = ("DO_NOT_TRACK", "DBT_SEND_ANONYMOUS_USAGE_STATS", "RUNTIME__DLTHUB_TELEMETRY")


@pytest.fixture
def dbt_scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """dbt on a scratch warehouse and target folder, with no outside switch set."""
    (tmp_path / "warehouse").mkdir()
    monkeypatch.setenv(WAREHOUSE_ENV, str(tmp_path / "warehouse" / "argo.duckdb"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    for name in OUTSIDE_SWITCHES:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def without_outside_switches(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in OUTSIDE_SWITCHES}


def test_the_guard_refuses_and_records_what_leaves_loopback(
    network_attempts: Callable[[], list[Attempt]],
) -> None:
    with pytest.raises(ConnectionRefusedError, match="network guard"):
        socket.create_connection(("192.0.2.1", 443), timeout=1)  # TEST-NET-1
    with pytest.raises(socket.gaierror, match="network guard"):
        socket.getaddrinfo("telemetry.example.com", 443)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        with pytest.raises(ConnectionRefusedError):
            udp.sendto(b"x", ("198.51.100.7", 53))
        udp.sendto(b"x", ("127.0.0.1", 9))  # loopback stays allowed
    with socket.create_server(("127.0.0.1", 0)) as server:
        socket.create_connection(server.getsockname(), timeout=1).close()
    attempts = [(a.action, a.target) for a in network_attempts()]
    assert attempts == [
        ("connect", "192.0.2.1:443"),
        ("lookup", "telemetry.example.com"),
        ("sendto", "198.51.100.7:53"),
    ]


def test_dbt_project_switches_usage_events_off() -> None:
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    assert project["flags"]["send_anonymous_usage_stats"] is False


@pytest.mark.dbt
def test_dbt_runner_sends_no_usage_events(dbt_scratch: Path) -> None:
    """dbtRunner (the argo CLI's way): tracking never starts, so no event is sent."""
    from dbt import tracking

    dbt(["parse"])
    assert tracking.active_user is not None and tracking.active_user.do_not_track
    manifest = json.loads((dbt_scratch / "target" / "manifest.json").read_text())
    assert manifest["metadata"]["send_anonymous_usage_stats"] in (False, None)
    # The network guard fails this test if an event was sent anyway.


@pytest.mark.dbt
def test_dbt_command_line_sends_no_usage_events(tmp_path: Path) -> None:
    """`uv run dbt ... --profiles-dir .` in the project: no event, no user cookie."""
    guard = tmp_path / "guard"
    env = without_outside_switches(guarded_env(guard))
    env |= {
        WAREHOUSE_ENV: str(tmp_path / "argo.duckdb"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    cookie = PROJECT_DIR / ".user.yml"
    had_cookie = cookie.exists()
    command = [str(Path(sys.executable).with_name("dbt")), "parse", "--profiles-dir", "."]
    done = subprocess.run(
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert refused_in_subprocesses(guard) == []
    assert had_cookie or not cookie.exists(), "dbt wrote a tracking cookie (.user.yml)"


def test_profile_switches_duckdb_extension_downloads_off() -> None:
    profile = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())
    options = profile["argo"]["outputs"]["local"]["settings"]
    assert options == {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "memory_limit": "{{ env_var('ARGO_DBT_MEMORY_LIMIT', '80%') }}",
        "preserve_insertion_order": False,
    }


@pytest.mark.dbt
def test_dbt_duckdb_connection_downloads_no_extension(dbt_scratch: Path) -> None:
    """The connection dbt-duckdb opens (models, tests, docs) has both switches off."""
    query = (
        "select current_setting('autoinstall_known_extensions') as autoinstall, "
        "current_setting('autoload_known_extensions') as autoload"
    )
    result = dbt(["show", "--inline", query])
    (row,) = [tuple(r) for r in result.result.results[0].agate_table.rows]
    assert row == (False, False)


def test_dlt_config_switches_telemetry_and_extension_downloads_off() -> None:
    config = tomllib.loads((PROJECT_DIR / ".dlt" / "config.toml").read_text())
    assert config["runtime"]["dlthub_telemetry"] is False
    assert config["destination"]["duckdb"]["credentials"]["global_config"] == {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }


DLT_RUN = """
import json, sys
from pathlib import Path
from dlt.common.configuration.container import Container
from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext
from argo.pipeline import make_pipeline

pipeline = make_pipeline("meta_ads")
pipeline.run([{"id": 1}], table_name="probe")
runtime = Container()[PluggableRunContext].context.runtime_config
with pipeline.sql_client() as client:
    ((install, load),) = client.execute_sql(
        "select current_setting('autoinstall_known_extensions'), "
        "current_setting('autoload_known_extensions')"
    )
print(json.dumps({"telemetry": runtime.dlthub_telemetry, "install": install, "load": load}))
"""


#: What DLT_RUN prints when dlt sends no telemetry and DuckDB downloads no extension.
SWITCHES_OFF = {"telemetry": False, "install": False, "load": False}


def dlt_run_switches(env: dict[str, str], cwd: Path) -> dict[str, bool]:
    """Runs DLT_RUN in a subprocess from ``cwd``: the telemetry and extension switches it saw."""
    done = subprocess.run(
        [sys.executable, "-c", DLT_RUN],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen: dict[str, bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return seen


@pytest.mark.pipeline
def test_dlt_run_sends_no_telemetry_and_downloads_no_extension(tmp_path: Path) -> None:
    """A pipeline made as ARGO makes it, started in the project root: both switches hold."""
    guard = tmp_path / "guard"
    env = without_outside_switches(guarded_env(guard))
    env[WAREHOUSE_ENV] = str(tmp_path / "warehouse" / "argo.duckdb")
    assert dlt_run_switches(env, PROJECT_DIR) == SWITCHES_OFF
    assert refused_in_subprocesses(guard) == []


@pytest.mark.pipeline
def test_dlt_switches_hold_when_another_dlt_folder_is_read(tmp_path: Path) -> None:
    """Run from elsewhere, with DLT_PROJECT_DIR on a folder without ARGO's config.toml."""
    guard = tmp_path / "guard"
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / ".dlt").mkdir(parents=True)
    env = without_outside_switches(guarded_env(guard))
    env[WAREHOUSE_ENV] = str(tmp_path / "warehouse" / "argo.duckdb")
    env["DLT_PROJECT_DIR"] = str(elsewhere)
    assert dlt_run_switches(env, elsewhere) == SWITCHES_OFF
    assert refused_in_subprocesses(guard) == []
