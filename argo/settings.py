"""Where things live: the project root, the warehouse file, dlt's working and settings folders.

The warehouse file is ``data/argo.duckdb`` under the project unless ``ARGO_DUCKDB_PATH``
names another; dbt (``profiles.yml``) and dlt read the same variable, so both always
open the same file. dlt's settings (``.dlt/config.toml``, ``.dlt/secrets.toml``) are the
project's wherever ``argo`` runs, unless ``DLT_PROJECT_DIR`` names another folder. The
memory the loader's DuckDB may use is ``ARGO_DUCKDB_MEMORY_LIMIT`` (512MB by default), and
dbt's ``ARGO_DBT_MEMORY_LIMIT`` (``profiles.yml``; DuckDB's own 80% of RAM by default).
"""

from __future__ import annotations

import errno
import os
import re
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
MEMORY_LIMIT_ENV = "ARGO_DUCKDB_MEMORY_LIMIT"
#: The loader's DuckDB memory: with the rest of the process (Python, dlt, Arrow: 0.2-0.4 GB)
#: a source's 730-day backfill stays under 1 GB (bench/README.md, "Memory over the date range").
DEFAULT_MEMORY_LIMIT = "512MB"
DBT_MEMORY_LIMIT_ENV = "ARGO_DBT_MEMORY_LIMIT"
#: dbt's DuckDB (``profiles.yml``): DuckDB's own default. A build of the marts needs more
#: than a load; on a machine shared with other work, a size keeps it clear of the kernel's
#: out-of-memory killer (DuckDB spills beyond it).
DEFAULT_DBT_MEMORY_LIMIT = "80%"
#: The least accepted: a slip (``512KB``) is refused in one line, not deep inside a load.
_MIN_MEMORY_BYTES = 64 * 1000**2
_MEMORY = re.compile(r"(\d+(?:\.\d+)?)\s*(?:([KMGT]i?B)|(%))", re.IGNORECASE)
_UNITS = {f"{p}B": 1000**i for i, p in enumerate("KMGT", 1)} | {
    f"{p}IB": 1024**i for i, p in enumerate("KMGT", 1)
}


def warehouse_path() -> Path:
    """The DuckDB warehouse file (absolute), from ``ARGO_DUCKDB_PATH`` or the default."""
    configured = os.environ.get(WAREHOUSE_ENV)
    path = Path(configured) if configured else PROJECT_DIR / DEFAULT_WAREHOUSE
    if not path.is_absolute():
        path = PROJECT_DIR / path
    return path


def duckdb_memory_limit() -> str:
    """The loader's DuckDB ``memory_limit``: ``ARGO_DUCKDB_MEMORY_LIMIT`` or ``512MB``.

    DuckDB's units (``512MB``, ``2GB``, ``1GiB``) or a share of the machine's RAM
    (``25%``). Beyond it DuckDB spills to ``<warehouse>.tmp`` beside the file.

    Raises:
        SettingError: The value is not an amount of memory, or is below 64MB.
    """
    return _memory_limit(MEMORY_LIMIT_ENV, DEFAULT_MEMORY_LIMIT)


def dbt_memory_limit() -> str:
    """The ``memory_limit`` of dbt's DuckDB (``profiles.yml``): ``ARGO_DBT_MEMORY_LIMIT``, ``80%``.

    The same forms as :func:`duckdb_memory_limit`; checked before ARGO runs dbt.

    Raises:
        SettingError: The value is not an amount of memory, or is below 64MB.
    """
    return _memory_limit(DBT_MEMORY_LIMIT_ENV, DEFAULT_DBT_MEMORY_LIMIT)


def _memory_limit(variable: str, default: str) -> str:
    given = os.environ.get(variable) or default
    found = _MEMORY.fullmatch(given.strip())
    amount = float(found[1]) if found else 0.0
    if found and found[3]:
        usable = 0 < amount <= 100
    else:
        usable = found is not None and amount * _UNITS[found[2].upper()] >= _MIN_MEMORY_BYTES
    if not found or not usable:
        raise SettingError(
            f"{variable}={given!r} is not an amount of memory DuckDB can load with. "
            f"What to do: set it to a size of at least 64MB such as 512MB or 2GB, or a share "
            f"of RAM such as 25% (or leave it unset for {default})"
        )
    return "".join(given.split())


def use_warehouse(path: Path | str) -> Path:
    """Points dlt and dbt at ``path`` for this process (sets ``ARGO_DUCKDB_PATH``)."""
    resolved = Path(path).resolve()
    os.environ[WAREHOUSE_ENV] = str(resolved)
    return resolved


def pipelines_dir() -> Path:
    """Dlt's working folder (state, load packages), kept beside the warehouse file."""
    return warehouse_path().parent / ".dlt" / "pipelines"


class SettingError(ValueError):
    """A setting of ARGO's own cannot be used; the message names it and what to do."""


class NotWritable(Exception):
    """A folder ARGO writes cannot be written; the message names it and what to do."""


def target() -> str:
    """The warehouse target of this process: ``ARGO_TARGET`` (``local`` or ``athena``).

    One switch for both tools: dlt lands into the DuckDB file or into S3 + Glue, and dbt
    uses the ``profiles.yml`` target of the same name.

    Raises:
        SettingError: ``ARGO_TARGET`` names another target.
    """
    given = os.environ.get(TARGET_ENV) or "local"
    value = given.strip().lower()
    if value not in TARGETS:
        raise SettingError(
            f"{TARGET_ENV}={given!r} is not a target. What to do: set it to one of "
            f"{', '.join(TARGETS)} (or leave it unset for local), or pass --target"
        )
    return value


def anchor_warehouse() -> Path:
    """Sets ``ARGO_DUCKDB_PATH`` to the warehouse's absolute path for this process.

    dbt reads the variable as it is (``profiles.yml``), relative to the directory it runs
    in; ARGO anchors a relative value at the project (:func:`warehouse_path`). Setting
    the absolute path makes both open the same file from any directory.
    """
    return use_warehouse(warehouse_path())


def ensure_writable(folder: Path, what: str) -> Path:
    """Creates ``folder`` if needed and checks that a file can be written in it.

    Args:
        folder: The folder.
        what: What ARGO keeps there, for the message (``the warehouse and dlt's state``).

    Raises:
        NotWritable: It cannot be created or written (read-only, full, not a folder).
    """
    try:
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".argo-write-check-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise NotWritable(
            f"cannot write in {folder} ({exc.strerror or exc}), where ARGO keeps {what}. "
            f"What to do: make it writable (or free space there), or point "
            f"{WAREHOUSE_ENV} (or --warehouse) at a folder you can write",
        ) from None
    return folder


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
