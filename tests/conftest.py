"""Shared fixtures: a small synthetic world, its Meta fake, and a scratch warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from argo.settings import WAREHOUSE_ENV
from ingestion import clock
from ingestion.registry import SOURCES
from ingestion.sandbox import Faults, MetaAdsFake, World, WorldConfig
from tests import chromium
from tests.fake_fixtures import serving

#: The frozen clock of every test (``frozen_clock``, ``any_instant``), moto in server mode
#: (``moto_endpoint``, ``aws``) for the AWS and Athena tests, the guard that fails any
#: test reaching beyond 127.0.0.1, and the markers that say what a test runs (``pipeline``,
#: ``dbt``, ``e2e``: ``make check`` leaves those out).
pytest_plugins = [
    "tests.clock_fixtures",
    "tests.moto_fixtures",
    "tests.network_guard",
    "tests.markers",
]

#: Source options that keep the real connector fast against the fake.
FAST = {"async_poll_interval": 0.01, "backoff_factor": 0.01}


def fast(source: str, fake: Any, **extra: Any) -> dict[str, Any]:
    """The options that point ``source`` at ``fake``, with those of FAST the source has.

    Only Meta and Naver poll report jobs; a source refuses a setting it does not have.
    """
    settings = set(SOURCES[source].settings())
    quick = {key: value for key, value in FAST.items() if key in settings}
    return {**fake.source_options(), **quick, **extra}


@pytest.fixture(autouse=True, scope="session")
def _scratch_warehouse_for_the_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """No test opens the project's ``data/argo.duckdb``: the session runs on a scratch one.

    A BI tool holding the user's warehouse open must not break ``make test``; tests that
    need their own warehouse still take the ``warehouse`` fixture.
    """
    path = tmp_path_factory.mktemp("session_warehouse") / "argo.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(WAREHOUSE_ENV, str(path))
        yield path


@pytest.fixture
def world() -> World:
    """A small world whose today is three days before the clock's UTC date.

    The source asks for data up to each account's today on the (frozen) clock, so a test
    may advance the world by up to three days and still be served all of it.
    """
    as_of = clock.today() - timedelta(days=3)
    return World(WorldConfig(seed=7, scale=0.3, history_days=45, as_of=as_of))


@pytest.fixture
def faults() -> Faults:
    return Faults()


meta = serving(MetaAdsFake)


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch DuckDB warehouse (and dlt state beside it) for one test."""
    path = tmp_path / "warehouse" / "argo.duckdb"
    monkeypatch.setenv(WAREHOUSE_ENV, str(path))
    return path


@pytest.fixture
def meta_options(world: World, meta: MetaAdsFake) -> dict[str, Any]:
    return {
        "base_url": meta.base_url,
        "access_token": meta.access_token,
        "account_ids": [a.account_id for a in world.accounts("meta_ads")],
        "start_date": world.first_day.isoformat(),
        **FAST,
    }


def query(path: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Runs ``sql`` on the warehouse file (same connection settings as dbt-duckdb in-process)."""
    with duckdb.connect(str(path)) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="session")
def browser() -> str:
    """Chromium for the tests that open a page in it, or a failure that says how to
    install it (never a skip)."""
    try:
        return chromium.chromium_binary()
    except chromium.ChromiumMissing as exc:
        pytest.fail(str(exc), pytrace=False)
