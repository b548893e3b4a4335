"""End-to-end fixtures: the demo warehouse, built once per session and read by many tests.

Every module here is end to end and says so with ``pytestmark = pytest.mark.e2e``:
``make check`` leaves the e2e tests out by that marker, so a module here without it would
slip a whole pipeline into the fast loop; collection stops and names it.

:func:`demo` runs ``argo demo`` as a user does (a separate process: sandbox -> every
source -> ``dbt build`` with every data and unit test -> docs site) on a scratch warehouse,
once per session. Tests that only read what it built (marts, the docs site, ``target/``,
logs, dlt's folder) take it instead of building their own; under pytest-xdist they all run
in one worker (the ``demo`` group), so it is built once.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from argo.settings import PROJECT_DIR, WAREHOUSE_ENV
from argo.transform import published_marts_schema
from ingestion.clock import NOW_ENV
from tests.clock_fixtures import DEFAULT_NOW
from tests.marts_warehouse import copy_of, template
from tests.network_guard import guarded_env

HERE = Path(__file__).parent

#: The demo's world: half the default scale, 60 days (what ``make dbt-check`` built).
DEMO_WORLD = {"seed": 42, "scale": 0.5, "days": 60}
#: Secrets a user may have in the environment while the demo runs: none may reach the
#: docs site, the logs, dbt's artefacts or the warehouse.
ENV_SECRETS = {
    "SOURCES__META_ADS__ACCESS_TOKEN": "EAAGm0PX4ZCpsBAsecret-meta-token-9f8e7d",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYsecretKEY42",
    "DBT_ENV_SECRET_PROBE": "dbt-env-secret-probe-7c1d",
}


@dataclass(frozen=True)
class Demo:
    """What one ``argo -v demo`` run left: its files and everything it printed."""

    folder: Path
    returncode: int
    out: str
    err: str

    @property
    def warehouse(self) -> Path:
        return self.folder / "warehouse" / "argo.duckdb"

    @property
    def target(self) -> Path:
        """dbt's target folder: artefacts and the docs site."""
        return self.folder / "target"

    @property
    def logs(self) -> Path:
        return self.folder / "logs"

    @property
    def pipelines(self) -> Path:
        """dlt's working folder (state, load packages), beside the warehouse."""
        return self.warehouse.parent / ".dlt" / "pipelines"

    @property
    def guard(self) -> Path:
        """The network guard's folder of the demo process (``refused_in_subprocesses``)."""
        return self.folder / "guard"


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """``argo -v demo`` on a scratch warehouse, at the session's instant (once per session).

    ``-v`` logs every record at DEBUG to standard error, so what a test would read in its
    own log capture is in :attr:`Demo.err`.
    """
    folder = tmp_path_factory.mktemp("demo")
    env = guarded_env(folder / "guard")
    env |= ENV_SECRETS | {
        NOW_ENV: DEFAULT_NOW.isoformat(),
        "DBT_TARGET_PATH": str(folder / "target"),
        "DBT_LOG_PATH": str(folder / "logs"),
    }
    env.pop(WAREHOUSE_ENV, None)
    argo = Path(sys.executable).with_name("argo")
    command = [str(argo)] if argo.exists() else [sys.executable, "-m", "argo.cli"]
    world = [f"--{name}={value}" for name, value in DEMO_WORLD.items()]
    warehouse = folder / "warehouse" / "argo.duckdb"
    with (folder / "demo.out").open("w") as out, (folder / "demo.err").open("w") as err:
        done = subprocess.run(
            [*command, "-v", "demo", "--warehouse", str(warehouse), *world],
            cwd=PROJECT_DIR,
            env=env,
            stdout=out,
            stderr=err,
            timeout=1800,
            check=False,
        )
    result = Demo(
        folder,
        done.returncode,
        (folder / "demo.out").read_text(errors="replace"),
        (folder / "demo.err").read_text(errors="replace"),
    )
    if result.returncode != 0:
        pytest.fail(
            f"argo demo failed ({result.returncode}):\n{result.out[-3000:]}\n{result.err[-3000:]}",
            pytrace=False,
        )
    return result


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmarked = sorted(
        {
            os.path.relpath(item.path, HERE.parent.parent)
            for item in items
            if item.path.is_relative_to(HERE) and not item.get_closest_marker("e2e")
        }
    )
    if unmarked:
        raise pytest.UsageError(
            "tests/e2e/conftest.py: every end-to-end module sets "
            f"pytestmark = pytest.mark.e2e; missing in {', '.join(unmarked)}"
        )
    for item in items:
        if "demo" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("demo"))


@pytest.fixture
def built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """A copy of a warehouse whose marts were built into both schemas (green published)."""
    path = copy_of(template(tmp_path_factory), tmp_path / "warehouse")
    monkeypatch.setenv(WAREHOUSE_ENV, str(path))
    monkeypatch.setenv("DBT_TARGET_PATH", str(path.parent / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(path.parent / "logs"))
    assert published_marts_schema() == "marts__green"
    yield path
