"""``argo metrics``: MetricFlow's ``mf`` on ARGO's project, warehouse and target folder.

The metrics and semantic models are dbt's (``models/marts/*/_*__semantic_models.yml``);
MetricFlow (dbt-metricflow) compiles a metric query into SQL on the marts and runs it.
``argo metrics <mf arguments>`` runs the same CLI in this process with three differences:

- it never asks pypi.org for a newer MetricFlow (``mf`` does on every start, through
  ``update_checker``): nothing leaves the machine unless the user configured it;
- it reads the semantic manifest from dbt's target folder wherever ``DBT_TARGET_PATH``
  puts it (``mf`` reads ``target/`` under the current directory only), after a ``dbt
  parse`` that brings it up to date;
- it runs from the project folder, with the warehouse ``argo`` would use.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from argo.settings import PROJECT_DIR
from argo.transform import TransformError, docs_dir


class _NoUpdateCheck:
    """Stands in for ``update_checker.UpdateChecker``: never a request, never an update."""

    def check(self, package_name: str, package_version: str) -> None:
        return None


def semantic_manifest_path() -> Path:
    """The ``semantic_manifest.json`` dbt writes: in ``DBT_TARGET_PATH`` or target/."""
    return docs_dir() / "semantic_manifest.json"


def _load_semantic_manifest(project_root: Path) -> Any:
    """The semantic manifest dbt wrote into the target folder (not ``project_root``'s)."""
    from metricflow_semantics.model.dbt_manifest_parser import (
        parse_manifest_from_dbt_generated_manifest,
    )

    path = semantic_manifest_path()
    if not path.exists():
        raise TransformError(
            f"no semantic manifest at {path}. What to do: run `argo transform` (or `dbt parse`)"
        )
    return parse_manifest_from_dbt_generated_manifest(
        manifest_json_string=path.read_text(encoding="utf-8")
    )


@contextlib.contextmanager
def _in(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def run_mf(arguments: Sequence[str]) -> int:
    """Runs MetricFlow's CLI (``mf <arguments>``) on ARGO's project; returns its exit status.

    Raises:
        TransformError: There is no semantic manifest to read.
    """
    from dbt_metricflow.cli import main as mf
    from dbt_metricflow.cli.dbt_connectors.dbt_config_accessor import dbtArtifacts

    patches = {
        (mf, "UpdateChecker"): _NoUpdateCheck,
        (dbtArtifacts, "build_semantic_manifest_from_dbt_project_root"): staticmethod(
            _load_semantic_manifest
        ),
    }
    saved = {key: getattr(*key) for key in patches}
    try:
        for (owner, name), value in patches.items():
            setattr(owner, name, value)
        with _in(PROJECT_DIR):
            try:
                mf.cli.main(args=list(arguments), prog_name="argo metrics", standalone_mode=False)
            except SystemExit as stop:
                return int(stop.code or 0)
            except Exception as exc:  # click's errors and MetricFlow's: one line
                raise TransformError(f"MetricFlow: {exc}") from None
        return 0
    finally:
        for (owner, name), value in saved.items():
            setattr(owner, name, value)
