"""Where things live: the project root, the warehouse file, dlt's working folder.

The warehouse file is ``data/argo.duckdb`` under the project unless ``ARGO_DUCKDB_PATH``
names another; dbt (``profiles.yml``) and dlt read the same variable, so both always
open the same file.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
WAREHOUSE_ENV = "ARGO_DUCKDB_PATH"
TARGET_ENV = "ARGO_TARGET"
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
