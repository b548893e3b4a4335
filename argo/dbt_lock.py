"""A dbt-duckdb plugin: every dbt run on the warehouse takes ARGO's lock, plain ``dbt`` too.

``profiles.yml`` loads it on the ``local`` target (``plugins: [{module: argo.dbt_lock}]``).
dbt-duckdb calls :meth:`Plugin.update_connection_config` before it opens the DuckDB file;
the plugin then takes the warehouse's lock (:mod:`argo.locks`, the file ``argo.lock``
beside ``argo.duckdb``) or refuses the connection with the lock's message, so a
``dbt build`` started while ``argo ingest`` loads stops at once instead of building from
half a load, and an ``argo ingest`` started while dbt builds is refused.

The hold lasts while dbt-duckdb keeps the file open, as DuckDB's own lock on the file
does: it is given back when that DuckDB connection is closed (dbt-duckdb's ``keep_open``,
its default, keeps it until the process ends or opens another warehouse) or when the
process ends. Within ``argo`` (which runs dbt in-process and already holds the lock) the
hold is re-entrant and changes nothing.

Plain ``dbt`` reads the warehouse path of ``profiles.yml`` as it is: without
``ARGO_DUCKDB_PATH``, ``data/argo.duckdb`` under the directory dbt runs in. The plugin
refuses a relative path anywhere but in the project folder (the file would be a stray
one), and leaves a warehouse whose folder does not exist to DuckDB (which refuses to open
it): it creates nothing itself.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from argo.locks import LockError, acquire, release
from argo.settings import PROJECT_DIR, WAREHOUSE_ENV


class Plugin(BasePlugin):
    """Takes the warehouse lock for each DuckDB connection dbt-duckdb opens."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        """Nothing to configure: the lock file is the warehouse file's, ``.lock``."""
        self._pending: Path | None = None

    def update_connection_config(self, creds: Any, config: dict[str, Any]) -> None:
        """Called just before ``duckdb.connect``: takes the lock or refuses the connection.

        Raises:
            RuntimeError: Another process holds the lock (dbt reports it as a failed
                connection, with the lock's message).
        """
        if self._pending is not None:  # the last connect failed after taking the lock
            release(self._pending)
            self._pending = None
        path = str(getattr(creds, "path", "") or "")
        if not path or path == ":memory:" or ":" in path.split("/")[0]:
            return  # in memory, MotherDuck or a URL: not a warehouse file
        if not Path(path).is_absolute() and Path.cwd().resolve() != PROJECT_DIR:
            raise RuntimeError(
                f"the warehouse path {path!r} is relative and dbt runs in {Path.cwd()}, not "
                f"in the project {PROJECT_DIR}, so it would open (or create) "
                f"{Path(path).absolute()}. What to do: run dbt from the project folder, set "
                f"{WAREHOUSE_ENV} to an absolute path, or use `argo transform`"
            )
        warehouse = Path(path).absolute()
        if not warehouse.parent.is_dir():
            return  # DuckDB refuses it; nothing is created here
        lock = warehouse.with_suffix(".lock")
        try:
            acquire(lock, f"the warehouse {warehouse}", create_folder=False)
        except LockError as exc:
            raise RuntimeError(f"ARGO's lock (argo/locks.py): {exc}") from None
        self._pending = lock

    def configure_connection(self, conn: Any) -> None:
        """Gives the lock back when this DuckDB connection goes away."""
        lock, self._pending = self._pending, None
        if lock is not None:
            weakref.finalize(conn, release, lock)
