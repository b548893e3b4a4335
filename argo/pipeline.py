"""Runs dlt sources into the warehouse: one pipeline per source, dataset ``raw_<source>``."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

import dlt
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.common.pipeline import LoadInfo
from dlt.pipeline.exceptions import PipelineStepFailed

from argo.locks import AlreadyRunning, exclusive
from argo.settings import pipelines_dir, target, warehouse_path
from ingestion.registry import SOURCES
from ingestion.sources.config import config_error, settings_dir
from ingestion.sources.errors import SourceError
from ingestion.sources.http import redact_log_records
from ingestion.sources.resources import TOMBSTONES

log = logging.getLogger("argo.pipeline")
# Secrets that APIs take in the URL never reach a log (see redact_log_records).
redact_log_records()

# Arrow tables from our sources carry their own _loaded_at; dlt adds its load id too.
os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")

#: Nothing leaves the machine unless the user says so, whichever ``.dlt/`` folder dlt reads
#: (the project's ``.dlt/config.toml`` says the same; ``DLT_PROJECT_DIR`` may point
#: elsewhere): no usage events to dlthub, no DuckDB extension downloaded or loaded behind
#: the user's back. An environment variable of the user's own wins (e.g.
#: ``RUNTIME__DLTHUB_TELEMETRY=true`` to send dlt's usage events).
PRIVATE_DEFAULTS = {
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "DESTINATION__DUCKDB__CREDENTIALS__GLOBAL_CONFIG": (
        '{"autoinstall_known_extensions": false, "autoload_known_extensions": false}'
    ),
}
for _name, _value in PRIVATE_DEFAULTS.items():
    os.environ.setdefault(_name, _value)


class IngestError(Exception):
    """An ingestion run failed; the message names the source and what to do next."""


@dataclass
class IngestResult:
    """What one source run loaded."""

    source: str
    dataset: str
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)


def _source_error(exc: BaseException) -> SourceError | None:
    """The :class:`SourceError` behind ``exc`` (dlt wraps what a source raises), if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, SourceError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


_ROW_IDS_KEY = "normalize.parquet_normalizer.add_dlt_id"
_row_ids_added = False


def _athena_row_ids(on: bool) -> None:
    """Adds dlt's ``_dlt_id`` to Arrow rows while loading into Athena, and only then.

    Athena deletes through a temporary table of row keys: with Arrow tables and composite
    primary keys that needs dlt's own row id (DECISIONLOG, 24). The setting is
    process-wide in dlt, so it is undone for the next DuckDB pipeline of this process.
    """
    global _row_ids_added
    if on:
        dlt.config[_ROW_IDS_KEY] = True
        _row_ids_added = True
    elif _row_ids_added:
        dlt.config[_ROW_IDS_KEY] = False
        _row_ids_added = False


def make_pipeline(source: str, destination: Any = None) -> dlt.Pipeline:
    """The dlt pipeline of ``source``, dataset ``raw_<source>``.

    The destination follows ``ARGO_TARGET``: ``local`` (default) is the DuckDB warehouse
    file; ``athena`` is parquet on S3 with the tables in Glue (see :mod:`argo.aws`).

    Args:
        source: A name in :data:`SOURCES`.
        destination: A dlt destination to use instead.

    Raises:
        IngestError: ``ARGO_TARGET`` is not a target, or the AWS settings are incomplete.
    """
    staging = None
    if destination is None:
        if _target_or_error() == "athena":
            from argo.aws import AwsConfig, AwsError, dlt_destination

            try:
                destination, staging = dlt_destination(AwsConfig.from_env([f"raw_{source}"]))
            except AwsError as exc:
                raise IngestError(f"{source}: {exc}") from None
            _athena_row_ids(True)
        else:
            _athena_row_ids(False)
            path = warehouse_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            destination = dlt.destinations.duckdb(str(path))
    return dlt.pipeline(
        pipeline_name=f"argo_{source}",
        destination=destination,
        staging=staging,
        dataset_name=f"raw_{source}",
        pipelines_dir=str(pipelines_dir()),
        progress="log",
    )


def run_source(source: str, destination: Any = None, **options: Any) -> IngestResult:
    """Extracts, normalises and loads one source.

    Args:
        source: A name in :data:`SOURCES`.
        destination: Optional dlt destination (default: the DuckDB warehouse file).
        **options: Passed to the source function (e.g. ``start_date``, ``base_url``); what
            is not passed comes from dlt config and secrets.

    Raises:
        IngestError: The source failed. Nothing of the failed run is loaded: dlt commits a
            load package (data and incremental state together) only after every step.
    """
    if source not in SOURCES:
        raise IngestError(f"unknown source '{source}'; known: {', '.join(sorted(SOURCES))}")
    if destination is None and _target_or_error() == "athena":
        lock, what = pipelines_dir() / f"argo_{source}.lock", f"{source} into Athena"
    else:
        lock, what = warehouse_path().with_suffix(".lock"), f"the warehouse {warehouse_path()}"
    try:
        with exclusive(lock, what):
            return _run(source, destination, options)
    except AlreadyRunning as exc:
        raise IngestError(f"{source}: {exc}") from None


def _target_or_error() -> str:
    try:
        return target()
    except ValueError as exc:
        raise IngestError(str(exc)) from None


def _finish_pending(pipeline: dlt.Pipeline, source: str) -> None:
    """Loads what a previous run extracted but did not load (it died before its load step).

    Left to ``pipeline.run``, a package stranded by a first run that never reached the
    destination is dropped with the state it advanced (dlt reads the missing dataset as
    a wiped destination), and the days only that package held would be lost. Loaded here
    first, it lands; the new run then continues from its state and merges on top.
    """
    if not pipeline.has_pending_data:
        return
    log.warning(
        "%s: a previous run stopped before loading; loading its data first (%s)",
        source,
        ", ".join(
            [*pipeline.list_extracted_load_packages(), *pipeline.list_normalized_load_packages()]
        ),
    )
    if pipeline.list_extracted_load_packages():
        pipeline.normalize()
    if pipeline.list_normalized_load_packages():
        pipeline.load()


def _tombstones(pipeline: dlt.Pipeline) -> dict[str, int]:
    """Tombstones per table of the last run: rows that emptied a day and were not loaded."""
    found: dict[str, int] = {}
    extract = pipeline.last_trace.last_extract_info if pipeline.last_trace else None
    for step in extract.metrics.values() if extract is not None else ():
        for metrics in step:
            for resource in metrics["resource_metrics"].values():
                for table, count in resource.custom_metrics.get(TOMBSTONES, {}).items():
                    found[table] = found.get(table, 0) + count
    return found


def _run(source: str, destination: Any, options: dict[str, Any]) -> IngestResult:
    started = time.perf_counter()
    try:
        # dlt reads .dlt/*.toml when the pipeline is made: a broken file fails here
        pipeline = make_pipeline(source, destination)
        _finish_pending(pipeline, source)
        data = SOURCES[source].factory()(**{k: v for k, v in options.items() if v is not None})
        info: LoadInfo = pipeline.run(data)
    except ConfigFieldMissingException as exc:
        raise IngestError(
            f"{source}: missing configuration {', '.join(exc.fields)}. What to do: set them "
            f"as environment variables (e.g. SOURCES__{source.upper()}__{exc.fields[0].upper()}) "
            f"or under [sources.{source}] in {settings_dir()}/config.toml (secrets in "
            f"secrets.toml beside it); see ingestion/sources/{source}/README.md"
        ) from None
    except IngestError:
        raise
    except Exception as exc:
        cause = _source_error(exc)
        if cause is not None:
            raise IngestError(str(cause)) from None
        problem = config_error(source, exc)
        if problem is not None:
            raise IngestError(problem) from None
        step = exc.step if isinstance(exc, PipelineStepFailed) else "extract"
        root = exc.__cause__ or exc
        raise IngestError(
            f"{source}: the {step} step failed: {type(root).__name__}: {root}. What to do: "
            f"nothing of this run was committed (data and state load together); fix the "
            f"cause and run the same command again"
        ) from exc
    info.raise_on_failed_jobs()
    rows = dict(pipeline.last_trace.last_normalize_info.row_counts)  # type: ignore[union-attr]
    for table, count in _tombstones(pipeline).items():
        rows[table] = rows.get(table, 0) - count
    return IngestResult(
        source=source,
        dataset=pipeline.dataset_name,
        seconds=time.perf_counter() - started,
        rows={k: v for k, v in rows.items() if not k.startswith("_dlt")},
    )
