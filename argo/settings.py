"""Where things live: the project root, the warehouse file, dlt's working and settings folders.

The warehouse file is ``data/argo.duckdb`` under the project unless ``ARGO_DUCKDB_PATH``
names another; dbt (``profiles.yml``) and dlt read the same variable, so both always
open the same file. dlt's settings (``.dlt/config.toml``, ``.dlt/secrets.toml``) are the
project's wherever ``argo`` runs, unless ``DLT_PROJECT_DIR`` names another folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
WAREHOUSE_ENV = "ARGO_DUCKDB_PATH"
TARGET_ENV = "ARGO_TARGET"
#: dlt's own variable: the folder whose ``.dlt/`` holds ``config.toml`` and ``secrets.toml``.
DLT_PROJECT_ENV = "DLT_PROJECT_DIR"
#: The targets ``profiles.yml`` defines: ``local`` (DuckDB) and ``athena`` (S3 + Glue).
TARGETS = ("local", "athena")
DEFAULT_WAREHOUSE = Path("data") / "argo.duckdb"


def warehouse_path() -> Path:
    """The DuckDB warehouse file (absolute), from ``ARGO_DUCKDB_PATH`` or the default."""
    configured = os.environ.get(WAREHOUSE_ENV)
    path = Path(configured) if configured else PROJECT_DIR / DEFAULT_WAREHOUSE
    if not path.is_absolute():
        path = PROJECT_DIR / path
    return path


def use_warehouse(path: Path | str) -> Path:
    """Points dlt and dbt at ``path`` for this process (sets ``ARGO_DUCKDB_PATH``)."""
    resolved = Path(path).resolve()
    os.environ[WAREHOUSE_ENV] = str(resolved)
    return resolved


def pipelines_dir() -> Path:
    """Dlt's working folder (state, load packages), kept beside the warehouse file."""
    return warehouse_path().parent / ".dlt" / "pipelines"


def target() -> str:
    """The warehouse target of this process: ``ARGO_TARGET`` (``local`` or ``athena``).

    One switch for both tools: dlt lands into the DuckDB file or into S3 + Glue, and dbt
    uses the ``profiles.yml`` target of the same name.

    Raises:
        ValueError: ``ARGO_TARGET`` names another target.
    """
    value = (os.environ.get(TARGET_ENV) or "local").strip().lower()
    if value not in TARGETS:
        raise ValueError(f"{TARGET_ENV}={value!r} is not a target; use one of {', '.join(TARGETS)}")
    return value


def use_target(name: str) -> str:
    """Points dlt and dbt at target ``name`` for this process (sets ``ARGO_TARGET``)."""
    os.environ[TARGET_ENV] = name
    return target()


@contextmanager
def project_dlt_settings() -> Iterator[Path]:
    """Points dlt at the project's ``.dlt/`` for the block, from whatever directory it runs.

    dlt looks for ``.dlt/`` in the working directory unless ``DLT_PROJECT_DIR`` names the
    folder that holds it (dlt 1.31, ``RunContext.settings_dir``). ``argo`` sets
    ``DLT_PROJECT_DIR`` to the project for its run (a value the user set wins), so
    ``argo ingest`` reads the same settings from any directory. Afterwards the variable is
    as it was.

    Yields:
        The folder whose ``.dlt/`` dlt reads.
    """
    given = os.environ.get(DLT_PROJECT_ENV)
    if given:
        yield Path(given).resolve()
        return
    os.environ[DLT_PROJECT_ENV] = str(PROJECT_DIR)
    _reload_dlt_settings()
    try:
        yield PROJECT_DIR
    finally:
        os.environ.pop(DLT_PROJECT_ENV, None)
        _reload_dlt_settings()


def _reload_dlt_settings() -> None:
    """Makes dlt's settings providers (built once per process) look in the folder now set."""
    from dlt.common.configuration.container import Container
    from dlt.common.configuration.specs.pluggable_run_context import PluggableRunContext

    container = Container()
    if PluggableRunContext in container:
        container[PluggableRunContext].reload_providers()
