"""Runs dlt sources into the warehouse: one pipeline per source, dataset ``raw_<source>``."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Literal

import dlt
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.common.exceptions import SignalReceivedException
from dlt.common.pipeline import ExtractInfo, LoadInfo
from dlt.common.runtime import signals as dlt_signals
from dlt.common.runtime.collector_base import Collector
from dlt.common.schema.utils import get_write_disposition
from dlt.common.storages.load_package import ParsedLoadJobFileName
from dlt.destinations.exceptions import DatabaseUndefinedRelation
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials
from dlt.pipeline.exceptions import PipelineStepFailed

from argo import interrupts
from argo.locks import LockError, exclusive
from argo.settings import duckdb_memory_limit, pipelines_dir, target, warehouse_path
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


#: dlt's own progress displays, by name (``log``: its progress blocks on standard output).
DltProgress = Literal["tqdm", "enlighten", "log", "alive_progress"]


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


def make_pipeline(
    source: str, destination: Any = None, progress: Collector | DltProgress = "log"
) -> dlt.Pipeline:
    """The dlt pipeline of ``source``, dataset ``raw_<source>``.

    The destination follows ``ARGO_TARGET``: ``local`` (default) is the DuckDB warehouse
    file, with DuckDB's ``memory_limit`` from ``ARGO_DUCKDB_MEMORY_LIMIT``; ``athena`` is
    parquet on S3 with the tables in Glue (see :mod:`argo.aws`).

    Args:
        source: A name in :data:`SOURCES`.
        destination: A dlt destination to use instead.
        progress: dlt's progress collector (``log``: dlt's progress blocks on standard output).

    Raises:
        IngestError: ``ARGO_TARGET`` is not a target, ``ARGO_DUCKDB_MEMORY_LIMIT`` not an
            amount of memory, or the AWS settings are incomplete.
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
            try:
                memory = f"set global memory_limit = '{duckdb_memory_limit()}'"
            except ValueError as exc:
                raise IngestError(str(exc)) from None
            # run on each connection dlt opens; global_config stays dlt's to read (.dlt/)
            credentials = DuckDbCredentials(str(path), statements=[memory])
            destination = dlt.destinations.duckdb(credentials)
    return dlt.pipeline(
        pipeline_name=f"argo_{source}",
        destination=destination,
        staging=staging,
        dataset_name=f"raw_{source}",
        pipelines_dir=str(pipelines_dir()),
        progress=progress,
    )


def run_source(
    source: str,
    destination: Any = None,
    *,
    progress: Collector | DltProgress = "log",
    **options: Any,
) -> IngestResult:
    """Extracts, normalises and loads one source.

    A load that was cut short before (an interrupted or failed load step, a killed
    process) is finished first (:func:`_finish_pending`).

    Args:
        source: A name in :data:`SOURCES`.
        destination: Optional dlt destination (default: the DuckDB warehouse file).
        progress: dlt's progress collector (default: dlt's progress blocks).
        **options: Passed to the source function (e.g. ``start_date``, ``base_url``); what
            is not passed comes from dlt config and secrets.

    Raises:
        IngestError: The source failed, or the run was interrupted (Ctrl-C, SIGTERM). The
            message says what of the run is in the warehouse: nothing (a failure before
            the load step: dlt commits a package's data and incremental state together),
            or which tables of the cut-short load hold its rows and which do not, and
            what to do.
    """
    if source not in SOURCES:
        raise IngestError(f"unknown source '{source}'; known: {', '.join(sorted(SOURCES))}")
    try:
        with _held(source, destination):
            return _run(source, destination, options, progress)
    except LockError as exc:
        raise IngestError(f"{source}: {exc}") from None


@contextmanager
def _held(source: str, destination: Any) -> Iterator[None]:
    """The lock a run of ``source`` holds: the warehouse's (DuckDB) or the source's (Athena)."""
    if destination is None and _target_or_error() == "athena":
        lock, what = pipelines_dir() / f"argo_{source}.lock", f"{source} into Athena"
    else:
        lock, what = warehouse_path().with_suffix(".lock"), f"the warehouse {warehouse_path()}"
    with exclusive(lock, what):
        yield


#: Loads into the DuckDB warehouse, one at a time within this process. DuckDB admits one
#: writer per file: sources extract and normalise side by side (:func:`run_sources`) and
#: take turns only for what writes the warehouse (finishing a pending load, reading the
#: state back, the load step). Across processes the warehouse's file lock keeps a second
#: run out for the whole run (:func:`run_source`).
_loading = threading.Lock()


def _load_turn(pipeline: dlt.Pipeline) -> AbstractContextManager[Any]:
    """Holds :data:`_loading` when ``pipeline`` writes a DuckDB file (Athena: no turn)."""
    destination = pipeline.destination
    if destination is not None and destination.destination_type.endswith("duckdb"):
        return _loading
    return nullcontext()


#: What one source's run ended with: its result, or the error that stopped it.
Outcome = IngestResult | IngestError


def run_sources(
    runs: Mapping[str, Mapping[str, Any]],
    *,
    workers: int | None = None,
    progress: Callable[[str], Collector | DltProgress] | None = None,
    started: Callable[[str], object] | None = None,
    ended: Callable[[str, Outcome], None] | None = None,
) -> dict[str, Outcome]:
    """Runs several sources side by side (threads); one failing source stops no other.

    Each source has its own dlt pipeline and working folder; they extract and normalise at
    once and take turns for the load step (:data:`_loading`). The run holds the warehouse's
    lock (DuckDB) from the first source to the last, so no other process loads or builds
    in between. One source runs in this thread, as :func:`run_source` does.

    On Ctrl-C or SIGTERM the sources still running are told to stop (dlt stops at its next
    item or job) and each reports what it left, as a single source does.

    Args:
        runs: Source -> its options (as :func:`run_source` takes them).
        workers: Sources at once (default: all of them, at most 4).
        progress: Source -> its dlt progress collector.
        started: Called (in the source's thread) when a source starts.
        ended: Called (in the source's thread) with what a source ended with.

    Returns:
        Source -> its :class:`IngestResult` or the :class:`IngestError` that stopped it.

    Raises:
        IngestError: The warehouse's lock is held by another process (nothing ran).
        KeyboardInterrupt: A signal stopped the run, once every source has stopped.
    """
    for source in runs:
        if source not in SOURCES:
            raise IngestError(f"unknown source '{source}'; known: {', '.join(sorted(SOURCES))}")

    def one(source: str) -> Outcome:
        if started is not None:
            started(source)
        try:
            outcome: Outcome = run_source(
                source,
                progress=progress(source) if progress is not None else "log",
                **runs[source],
            )
        except IngestError as exc:
            outcome = exc
        if ended is not None:
            ended(source, outcome)
        return outcome

    names = list(runs)
    lock: AbstractContextManager[Any] = nullcontext()
    if names and _target_or_error() == "local":
        lock = exclusive(warehouse_path().with_suffix(".lock"), f"the warehouse {warehouse_path()}")
    try:
        with lock:
            if len(names) <= 1:
                return {name: one(name) for name in names}
            return _side_by_side(names, one, workers or min(len(names), 4))
    except LockError as exc:
        raise IngestError(f"{', '.join(names)}: {exc}") from None


def _side_by_side(
    names: list[str], one: Callable[[str], Outcome], workers: int
) -> dict[str, Outcome]:
    """Runs ``one`` for each name in a thread pool; a signal stops the rest cooperatively."""
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argo-source")
    futures: dict[Future[Outcome], str] = {}
    stops = {signal.SIGINT, signal.SIGTERM}
    try:
        # A signal waits until every source is submitted (its handler then sees them all).
        signal.pthread_sigmask(signal.SIG_BLOCK, stops)
        try:
            for name in names:
                futures[pool.submit(one, name)] = name
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)
        pending = set(futures)
        while pending:  # with a timeout, so that a signal's handler runs in this thread
            _, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
    except KeyboardInterrupt as exc:
        # the signal came to this (the main) thread: the sources' threads stop at dlt's
        # next check (an extracted item, a load job); each reports what it left
        signum = interrupts.received() or getattr(exc, "signum", None) or signal.SIGINT
        dlt_signals.set_received_signal(signum)
        dlt_signals.wake_all()
        pool.shutdown(wait=True, cancel_futures=True)
        raise IngestError(_stopped_sources(futures, signum)) from exc
    finally:
        pool.shutdown(wait=True)
    return {futures[f]: f.result() for f in futures}


def _stopped_sources(futures: dict[Future[Outcome], str], signum: int) -> str:
    """What each source left when a signal stopped them: one text, source by source."""
    parts = []
    for future, source in futures.items():
        if future.cancelled():
            parts.append(f"{source}: not started (nothing of it changed)")
            continue
        problem = future.exception()
        if problem is not None:
            parts.append(f"{source}: {type(problem).__name__}: {problem}")
            continue
        outcome = future.result()
        parts.append(str(outcome) if isinstance(outcome, IngestError) else f"{source}: loaded")
    return f"stopped by {interrupts.name(signum)}: " + " | ".join(parts)


def _target_or_error() -> str:
    try:
        return target()
    except ValueError as exc:
        raise IngestError(str(exc)) from None


def _finish_pending(pipeline: dlt.Pipeline, source: str) -> bool:
    """Loads what a previous run extracted but did not load, or loaded only in part.

    Left to ``pipeline.run``, a package stranded by a first run that never reached the
    destination is dropped with the state it advanced (dlt reads the missing dataset as
    a wiped destination), and the days only that package held would be lost. Loaded here
    first, it lands; the new run then continues from its state and merges on top. A
    package whose load step was cut short (some tables merged, others not) is resumed:
    dlt runs the jobs that had not completed, then records the load as complete.

    Returns:
        Whether there was such a load (it is complete now).
    """
    if not pipeline.has_pending_data:
        return False
    log.warning(
        "%s: a previous run stopped before its load was complete; finishing it first (%s)",
        source,
        ", ".join(
            [*pipeline.list_extracted_load_packages(), *pipeline.list_normalized_load_packages()]
        ),
    )
    if pipeline.list_extracted_load_packages():
        pipeline.normalize()
    if pipeline.list_normalized_load_packages():
        pipeline.load()
    interrupts.raise_if_received()
    return True


def _tombstones(extract: ExtractInfo) -> dict[str, int]:
    """Tombstones per table of a run: rows that emptied a day and were not loaded."""
    found: dict[str, int] = {}
    for step in extract.metrics.values():
        for metrics in step:
            for resource in metrics["resource_metrics"].values():
                for table, count in resource.custom_metrics.get(TOMBSTONES, {}).items():
                    found[table] = found.get(table, 0) + count
    return found


def _run(
    source: str, destination: Any, options: dict[str, Any], progress: Collector | DltProgress
) -> IngestResult:
    """``pipeline.run``'s steps, with only those that write the warehouse taking turns.

    As ``pipeline.run`` does: an earlier run's pending load is finished, the state is
    read back from the destination (a fresh machine has no working folder), then the
    source is extracted, normalised and loaded; the first and last of those write the
    warehouse and wait for :func:`_load_turn`.
    """
    started = time.perf_counter()
    pipeline: dlt.Pipeline | None = None
    loaded: LoadInfo | None = None
    finished = False
    try:
        # dlt reads .dlt/*.toml when the pipeline is made: a broken file fails here
        pipeline = make_pipeline(source, destination, progress)
        with _load_turn(pipeline):
            finished = _finish_pending(pipeline, source)
            if pipeline.config.restore_from_destination:
                pipeline.sync_destination()
        data = SOURCES[source].factory()(**{k: v for k, v in options.items() if v is not None})
        extracted = pipeline.extract(data)
        normalized = pipeline.normalize()
        interrupts.raise_if_received()
        with _load_turn(pipeline):
            loaded = pipeline.load()
        # a signal that came while dlt finished its load: the load is whole, the run stops
        interrupts.raise_if_received()
    except ConfigFieldMissingException as exc:
        raise IngestError(
            f"{source}: missing configuration {', '.join(exc.fields)}. What to do: set them "
            f"as environment variables (e.g. SOURCES__{source.upper()}__{exc.fields[0].upper()}) "
            f"or under [sources.{source}] in {settings_dir()}/config.toml (secrets in "
            f"secrets.toml beside it); see ingestion/sources/{source}/README.md"
        ) from None
    except IngestError:
        raise
    except (Exception, KeyboardInterrupt) as exc:
        raise IngestError(_what_happened(source, pipeline, exc, loaded, finished)) from exc
    loaded.raise_on_failed_jobs()
    rows = dict(normalized.row_counts)
    for table, count in _tombstones(extracted).items():
        rows[table] = rows.get(table, 0) - count
    return IngestResult(
        source=source,
        dataset=pipeline.dataset_name,
        seconds=time.perf_counter() - started,
        rows={k: v for k, v in rows.items() if not k.startswith("_dlt")},
    )


def _signal_of(exc: BaseException) -> int | None:
    """The signal that stopped the run: noted by :mod:`argo.interrupts`, or in ``exc``."""
    noted = interrupts.received()
    if noted is not None:
        return noted
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, interrupts.Interrupted):
            return current.signum
        if isinstance(current, SignalReceivedException):
            return current.signal_code
        if isinstance(current, KeyboardInterrupt):
            return signal.SIGINT
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _what_happened(
    source: str,
    pipeline: dlt.Pipeline | None,
    exc: BaseException,
    loaded: LoadInfo | None,
    finished: bool,
) -> str:
    """One line: what stopped the run, what of it is in the warehouse, and what to do.

    Args:
        source: The source.
        pipeline: Its pipeline, if it was made.
        exc: What stopped the run.
        loaded: What ``pipeline.run`` returned, if it returned.
        finished: Whether the run first finished an earlier run's load.
    """
    signum = _signal_of(exc)
    step = exc.step if isinstance(exc, PipelineStepFailed) else None
    if signum is None:
        cause = _source_error(exc)
        if cause is not None:
            return str(cause)
        problem = config_error(source, exc)
        if problem is not None:
            return problem
        root = exc.__cause__ or exc
        if step == "load":  # dlt wraps a job's error in its own, traceback included
            while root.__cause__ is not None:
                root = root.__cause__
        detail = (str(root).strip().splitlines() or [""])[0]
        stopped = f"{source}: the {step or 'extract'} step failed: {type(root).__name__}: {detail}"
        again = "fix the cause and run the same command again"
    else:
        during = f" during the {step} step" if step else ""
        stopped = f"{source}: stopped by {interrupts.name(signum)}{during}"
        again = "run the same command again"
    try:
        unfinished = unfinished_loads(source, pipeline) if pipeline is not None else []
    except Exception as problem:
        return (
            f"{stopped}; what of it reached raw_{source} cannot be read ({type(problem).__name__}: "
            f"{problem}). What to do: run `argo ingest {source}`: it finishes an unfinished load "
            f"first; `argo transform` refuses to build while one is unfinished"
        )
    if unfinished:
        return (
            f"{stopped}; {'; '.join(u.describe() for u in unfinished)}. What to do: "
            f"{'fix the cause, then ' if signum is None else ''}run `argo ingest {source}`: "
            f"it finishes this load first (from the data it already has), then loads anew; "
            f"until then `argo transform` refuses to build"
        )
    if loaded is not None:
        return (
            f"{stopped} after its load was complete: every table of it is in "
            f"raw_{source} and recorded in raw_{source}._dlt_loads. Nothing to redo"
        )
    if finished:
        return (
            f"{stopped}; nothing of this run was committed (the unfinished load of an earlier "
            f"run, which it finished first, is complete in raw_{source}). What to do: {again}"
        )
    return (
        f"{stopped}; nothing of this run was committed: the raw tables and the incremental "
        f"state are as before. What to do: {again}"
    )


@dataclass(frozen=True)
class UnfinishedLoad:
    """A load package of a source that dlt has not finished.

    Attributes:
        source: The source.
        load_id: dlt's load id (the ``_dlt_load_id`` its rows carry).
        stage: ``extracted`` (not normalised yet: nothing of it is in the warehouse) or
            ``normalized`` (its load step has not completed: some tables may hold its rows).
        holding: Tables of ``raw_<source>`` that hold its rows.
        waiting: Tables of the package that do not hold them yet.
    """

    source: str
    load_id: str
    stage: str
    holding: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()

    def describe(self) -> str:
        """What of it is in the warehouse, e.g. ``2 of 6 tables hold its rows (...)``."""
        dataset = f"raw_{self.source}"
        if not self.holding:
            return (
                f"load {self.load_id} has not reached {dataset} (nothing of it is in the "
                "warehouse; its data waits in dlt's working folder)"
            )
        total = len(self.holding) + len(self.waiting)
        if not self.waiting:
            return (
                f"load {self.load_id} is in all {total} of its tables of {dataset} "
                f"({', '.join(self.holding)}) but not recorded as complete in "
                f"{dataset}._dlt_loads"
            )
        return (
            f"load {self.load_id} is in {dataset} only in part: {len(self.holding)} of "
            f"{total} tables hold its rows ({', '.join(self.holding)}), "
            f"{len(self.waiting)} do not ({', '.join(self.waiting)}), so {dataset} mixes "
            "two loads"
        )


def unfinished_loads(source: str, pipeline: dlt.Pipeline | None = None) -> list[UnfinishedLoad]:
    """The load packages of ``source`` that dlt has not finished, oldest first.

    A package is unfinished from its extraction until its load is recorded complete
    (``_dlt_loads``): extracted but not normalised, normalised but not loaded, or loaded
    in part (each table's merge commits on its own). Which tables hold a package's rows
    is read from the warehouse on DuckDB, and from dlt's record of the package's jobs on
    Athena.

    Args:
        source: A name in :data:`SOURCES`.
        pipeline: The source's pipeline, if made already (else it is made, if the source
            has ever run).
    """
    if pipeline is None:
        if not (pipelines_dir() / f"argo_{source}").is_dir():
            return []
        pipeline = make_pipeline(source)
    found = [
        UnfinishedLoad(source, load_id, "extracted")
        for load_id in pipeline.list_extracted_load_packages()
    ]
    for load_id in pipeline.list_normalized_load_packages():
        tables = _package_tables(pipeline, load_id)
        holding = _holding(pipeline, load_id, tables)
        found.append(
            UnfinishedLoad(
                source,
                load_id,
                "normalized",
                tuple(t for t in tables if t in holding),
                tuple(t for t in tables if t not in holding),
            )
        )
    return sorted(found, key=lambda u: u.load_id)


def _package_tables(pipeline: dlt.Pipeline, load_id: str) -> list[str]:
    """The data tables a load package writes (dlt's own ``_dlt_*`` tables left out)."""
    info = pipeline.get_load_package_info(load_id)
    return sorted(
        {
            job.job_file_info.table_name
            for jobs in info.jobs.values()
            for job in jobs
            if not job.job_file_info.table_name.startswith("_dlt")
        }
    )


def _holding(pipeline: dlt.Pipeline, load_id: str, tables: list[str]) -> set[str]:
    """The tables of ``tables`` that hold rows of load ``load_id``."""
    if pipeline.destination is not None and pipeline.destination.destination_type.endswith(
        "duckdb"
    ):
        try:
            return _holding_in_warehouse(pipeline, load_id, tables)
        except Exception as exc:  # the file held by another process: dlt's record then
            log.warning("cannot read the warehouse (%s); going by dlt's record of the jobs", exc)
    return _holding_by_jobs(pipeline, load_id)


def _holding_in_warehouse(pipeline: dlt.Pipeline, load_id: str, tables: list[str]) -> set[str]:
    """Asks the warehouse which tables hold rows with ``_dlt_load_id = load_id``."""
    holding = set()
    with pipeline.sql_client() as client:
        for table in tables:
            name = client.make_qualified_table_name(table)
            try:
                rows = client.execute_sql(
                    f"select 1 from {name} where _dlt_load_id = %s limit 1", load_id
                )
            except DatabaseUndefinedRelation:
                continue
            if rows:
                holding.add(table)
    return holding


def _holding_by_jobs(pipeline: dlt.Pipeline, load_id: str) -> set[str]:
    """The tables whose final job of load ``load_id`` committed, by dlt's record of its jobs.

    A merged table is committed by its merge (an ``sql`` job), another one by the job
    that writes it into the dataset (a ``reference`` job when the files are staged on S3).
    A job the destination committed just before the process died is still "started", with
    a pending transition to "completed" beside it.
    """
    info = pipeline.get_load_package_info(load_id)
    schema = pipeline.default_schema
    staged = pipeline.staging is not None
    done: list[ParsedLoadJobFileName] = [
        job.job_file_info for job in info.jobs.get("completed_jobs", [])
    ]
    try:
        storage = pipeline._get_load_storage().normalized_packages
        for job in info.jobs.get("started_jobs", []):
            pending = storage.load_pending_transition(load_id, job.job_file_info.file_name())
            if pending is not None and pending[0] == "completed":
                done.append(job.job_file_info)
    except (AttributeError, OSError):  # another dlt: no record of pending transitions
        pass
    holding = set()
    for parsed in done:
        table = parsed.table_name
        if table.startswith("_dlt") or table not in schema.tables:
            continue
        merged = get_write_disposition(schema.tables, table) == "merge"
        if (merged and parsed.file_format == "sql") or (
            not merged and (parsed.file_format == "reference" or not staged)
        ):
            holding.add(table)
    return holding
