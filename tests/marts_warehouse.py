"""A small warehouse whose marts were built twice (both build schemas), for the marts tests.

Built once per session (the sandbox world, every source ingested, ``dbt build`` twice:
``marts__blue`` then ``marts__green`` published) and copied for each test, which may then
break it as it likes. The ad platforms and trackers hold the newest :data:`LOADED_DAYS`
days of the world's :data:`WORLD` history; exchange rates, holidays and weather all of
it, so a later backfill of an ad platform finds its rates.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from argo.pipeline import run_source
from argo.settings import PROJECT_DIR, WAREHOUSE_ENV
from argo.transform import PROJECT_PARTS, dbt
from ingestion import clock
from ingestion.sandbox import World, WorldConfig, registry
from tests.clock_fixtures import DEFAULT_NOW
from tests.conftest import fast

#: The world of the template: 75 days of history up to three days before the tests' today.
WORLD = WorldConfig(
    seed=7, scale=0.3, history_days=75, as_of=DEFAULT_NOW.date() - timedelta(days=3)
)
#: Days of history the ad platforms and trackers loaded (the rest is for backfills).
LOADED_DAYS = 40
#: Sources loaded with all of the world's history.
FULL_HISTORY = ("exchange_rates", "kr_holidays", "weather")

_built: dict[str, Path] = {}


#: The incremental marts (DECISIONLOG 25), in the order the marts are built.
INCREMENTAL_MARTS = (
    "fct_ad_performance_daily",
    "fct_ad_conversions_daily",
    "rpt_campaign_performance_daily",
    "rpt_ad_group_performance_daily",
    "rpt_keyword_performance_daily",
)


def source_options(fakes: dict[str, Any], world: World) -> dict[str, dict[str, Any]]:
    """Each source's options against its fake; ad platforms and trackers from LOADED_DAYS."""
    recent = (world.as_of - timedelta(days=LOADED_DAYS)).isoformat()
    options = {}
    for source, fake in fakes.items():
        options[source] = fast(source, fake)
        if source not in FULL_HISTORY:
            options[source]["start_date"] = recent
    return options


def template(factory: pytest.TempPathFactory) -> Path:
    """The folder of the session's template warehouse (``argo.duckdb``, dlt's state, target).

    Built once per session: under pytest-xdist the workers share it (the first builds it
    in the run's temporary folder while the others wait on a file lock), so the minutes
    it takes are spent once, not once per worker.
    """
    if "template" in _built:
        return _built["template"]
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        _built["template"] = _build(factory.mktemp("marts_template"))
        return _built["template"]
    shared = factory.getbasetemp().parent  # the run's folder, above each worker's own
    folder, done = shared / "marts_template", shared / "marts_template.done"
    with (shared / "marts_template.building").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a worker that failed half-way
            folder.mkdir()
            _build(folder)
            done.touch()
    _built["template"] = folder
    return folder


def _build(folder: Path) -> Path:
    """Ingests the template world into ``folder`` and builds both schemas of marts."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(WAREHOUSE_ENV, str(folder / "argo.duckdb"))
        patch.setenv("DBT_TARGET_PATH", str(folder / "target"))
        patch.setenv("DBT_LOG_PATH", str(folder / "logs"))
        patch.setenv(clock.NOW_ENV, DEFAULT_NOW.isoformat())
        world = World(WORLD)
        fakes = registry.start_fakes(world)
        try:
            for source, options in source_options(fakes, world).items():
                run_source(source, **options)
        finally:
            for fake in fakes.values():
                fake.stop()
        dbt(["build"])  # marts__blue, published
        dbt(["build"])  # marts__green, published
    return folder


def copy_of(template_folder: Path, folder: Path) -> Path:
    """A copy of the template in ``folder``; returns its warehouse file."""
    shutil.copytree(template_folder, folder, ignore=shutil.ignore_patterns("logs", "*.lock"))
    return folder / "argo.duckdb"


def read_marts(path: Path, schema: str = "marts") -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every relation of ``schema``, sorted: the marts as readers see them."""
    with duckdb.connect(str(path)) as con:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? order by 1",
                [schema],
            ).fetchall()
        ]
        return {
            name: sorted(con.execute(f'select * from {schema}."{name}"').fetchall(), key=repr)
            for name in names
        }


def state_rows(path: Path, event: str) -> list[dict[str, Any]]:
    """The rows of marts__state.mart_builds for ``event``, oldest first."""
    with duckdb.connect(str(path)) as con:
        cursor = con.execute(
            "select * from marts__state.mart_builds where event = ? order by run_started_at, step",
            [event],
        )
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def last_build_notes(path: Path) -> dict[str, str]:
    """The note of each incremental model's start in the newest dbt run, by model name.

    Every incremental model of the build (the INCREMENTAL_MARTS and the unpublished states
    kept by month) has one 'started' row per run; all of a run's rows share its start time.
    """
    rows = state_rows(path, "started")
    newest = rows[-1]["run_started_at"]
    return {
        row["node"].rsplit(".", 1)[-1]: row["note"]
        for row in rows
        if row["run_started_at"] == newest
    }


def project_copy(folder: Path) -> Path:
    """The dbt project (what dbt parses, and selectors.yml) copied to ``folder``."""
    for part in PROJECT_PARTS:
        source, copy = PROJECT_DIR / part, folder / part
        if source.is_dir():
            shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
    return folder
