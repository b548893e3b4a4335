"""dbt through its Python API (``dbtRunner``), on the project beside this package.

Write, audit, publish: readers read the views of the schema ``marts``; a command that
builds writes the mart tables into whichever of ``marts__blue`` and ``marts__green``
readers do not see (:func:`marts_schema_for`, through the environment variable
``ARGO_MARTS_SCHEMA`` that ``macros/generate_schema_name.sql`` reads), and the project's
on-run-end hook re-points the views once a ``dbt build`` of everything has succeeded
(``macros/marts_builds.sql``; DECISIONLOG.md, 36). Commands that only read (docs,
compile) see ``marts`` itself, so the docs site describes what readers read.

Also the docs site: ``docs generate`` always builds it self-contained (manifest and catalog
inlined, dbt's usage tracker taken out), so ``target/index.html`` opens from disk and asks
nothing of the network; :func:`serve_docs` serves the built files on 127.0.0.1 without dbt
or the warehouse.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import json
import os
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from argo.locks import AlreadyRunning, exclusive
from argo.settings import PROJECT_DIR, dbt_memory_limit, warehouse_path
from ingestion import clock

#: dbt commands that write the warehouse (and so take its lock on DuckDB).
WRITING_COMMANDS = frozenset({"build", "run", "seed", "snapshot", "retry"})

#: Flags that make a ``dbt build`` build less than everything (it then keeps no state).
SELECTING_FLAGS = frozenset(
    {"-s", "--select", "--models", "-m", "--exclude", "--selector", "--resource-type", "--state"}
)

#: The schema readers read: one view per mart, pointing at the published tables.
MARTS_SCHEMA = "marts"
#: The two schemas the mart tables are built into, in turn (the first by default).
MARTS_BUILD_SCHEMAS = ("marts__blue", "marts__green")
#: The environment variable that tells dbt where the marts go (generate_schema_name.sql).
MARTS_SCHEMA_ENV = "ARGO_MARTS_SCHEMA"
#: Where the hooks record what each run built and published (macros/marts_builds.sql).
MARTS_STATE_TABLE = ("marts__state", "mart_builds")


class TransformError(Exception):
    """A dbt command failed; the message says which nodes and what to do next."""


@dataclass
class TableSummary:
    """One built relation: its rows and, where it has ``date_day``, the dates it covers."""

    schema: str
    name: str
    rows: int
    first_day: Any = None
    last_day: Any = None


#: The AE's plan as the embedded default ships it (dbt seeds).
PLAN_SEEDS = PROJECT_DIR / "seeds" / "plan"


def plan_from_seeds() -> bool:
    """Whether dbt reads the AE's plan from ``seeds/plan/`` (``google_sheets__enabled`` off)."""
    text = (PROJECT_DIR / "dbt_project.yml").read_text()
    match = re.search(r"^\s+google_sheets__enabled:\s*(\S+)", text, re.MULTILINE)
    return match is None or match.group(1).strip("\"'").lower() not in ("true", "yes", "on")


def check_plan_seeds(folder: Path | None = None) -> None:
    """Checks the plan's CSV seeds as the ``google_sheets`` source checks the sheet.

    Args:
        folder: The seeds' folder (default ``seeds/plan/`` of the project).

    Raises:
        TransformError: A seed is missing or has a bad row: one line naming the file, the
            row and the column, and what to do.
    """
    import csv

    from ingestion.plan import COLUMNS, PlanError, validate

    folder = folder or PLAN_SEEDS
    tables: dict[str, list[dict[str, str]]] = {}
    where: dict[str, str] = {}
    for table in COLUMNS:
        path = folder / f"plan_{table}.csv"
        where[table] = str(
            path.relative_to(PROJECT_DIR) if path.is_relative_to(PROJECT_DIR) else path
        )
        try:
            with path.open(newline="", encoding="utf-8") as rows:
                reader = csv.DictReader(rows)
                tables[table] = list(reader)
                header = list(reader.fieldnames or [])
        except OSError as exc:
            raise TransformError(
                f"{where[table]}: cannot read the plan's seed ({exc.strerror}). What to do: "
                "restore it (git checkout seeds/plan/), or write the plan there"
            ) from None
        missing = [c for c in COLUMNS[table] if c not in header]
        if missing:
            raise TransformError(
                f"{where[table]} row 1, column {missing[0]}: the header has no column "
                f"{', '.join(missing)}. What to do: add it to the file's first line "
                f"({','.join(COLUMNS[table])}); nothing was built"
            )
    try:
        validate(tables, where)
    except PlanError as exc:
        raise TransformError(f"{exc}; nothing was built") from None


def dbt(
    args: list[str],
    *,
    target: str | None = None,
    marts_schema: str | None = None,
    callbacks: list[Callable[[Any], None]] | None = None,
    manifest: Any = None,
) -> Any:
    """Runs one dbt command in-process and returns dbt's result object.

    A command that builds writes the marts into the schema readers do not see
    (:func:`marts_schema_for`) and publishes them only when it is a ``dbt build`` of
    everything that succeeded; any other command sees the published marts.
    ``docs generate`` builds the self-contained docs site (:func:`make_docs_self_contained`).

    Args:
        args: The dbt command and its flags, e.g. ``["build", "--select", "marts"]``.
        target: A ``profiles.yml`` target; default from ``ARGO_TARGET`` or ``local``.
        marts_schema: Where the marts are, instead of the schema chosen for the command
            (``marts__blue``, ``marts__green`` or ``marts``), e.g. to compile the SQL a
            build would run.
        callbacks: dbt event callbacks (``dbtRunner(callbacks=...)``): argo's progress line.
        manifest: A manifest already parsed for ``marts_schema`` (:func:`parsed`): dbt
            then does not parse again.

    Raises:
        TransformError: dbt reported failure; the message lists the failed nodes and
            says which marts readers still see.
    """
    docs_site = args[:2] == ["docs", "generate"]
    if docs_site and "--static" not in args:
        args = [*args, "--static"]
    full = [*args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    if target:
        full += ["--target", target]
    writes = args[0] in WRITING_COMMANDS
    # A build of everything keeps the state the next day's build selects from.
    everything = args[0] == "build" and not SELECTING_FLAGS.intersection(args)
    # Not with --vars: its parse differs from the project's (a manifest parsed without
    # them would be built), and such a build is not the state a day's build starts from.
    everything = everything and docs_dir(args) == docs_dir() and "--vars" not in args
    held: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    if writes and (target or os.environ.get("ARGO_TARGET") or "local") == "local":
        # DuckDB admits one writing process: the same lock as the loads (argo.locks).
        held = exclusive(warehouse_path().with_suffix(".lock"), f"the warehouse {warehouse_path()}")
    try:
        with held:
            schema = marts_schema or marts_schema_for(args[0], target=target)
            if everything:
                manifest = manifest or parsed(schema, target=target, callbacks=callbacks)
                source_freshness(schema, target=target, manifest=manifest, callbacks=callbacks)
            result = _invoke(full, schema, docs_dir(args), manifest, callbacks)
            if everything and result.success:
                _keep_state_if_published(schema, target)
    except AlreadyRunning as exc:
        raise TransformError(f"dbt {args[0]}: {exc}") from None
    if result.success:
        if docs_site:
            make_docs_self_contained(docs_dir(args))
        return result
    failed: list[str] = []
    results = getattr(result.result, "results", None) or []
    for node in results:
        status = str(getattr(node, "status", ""))
        if status in ("error", "fail", "runtime error"):
            failed.append(f"{node.node.unique_id} ({status}): {(node.message or '').strip()}")
    detail = "; ".join(failed[:10]) if failed else str(result.exception or "see the log above")
    unchanged = ""
    if writes:
        seen = published_marts_schema(target=target)
        unchanged = (
            f" The marts readers see are unchanged ({MARTS_SCHEMA} -> {seen})."
            if seen
            else f" Nothing is published in {MARTS_SCHEMA} yet."
        )
    raise TransformError(f"dbt {args[0]} failed: {detail}.{unchanged} {_what_to_do(detail)}")


def _what_to_do(detail: str) -> str:
    """What to do after dbt failed with ``detail``.

    The way out when the embedded warehouse ran out of disk or memory (DuckDB's own words),
    else where to read the failing test or model.
    """
    memory, threads = "ARGO_DBT_MEMORY_LIMIT", "ARGO_DBT_THREADS"
    if "No space left on device" in detail:
        spill = warehouse_path().with_name(warehouse_path().name + ".tmp")
        return (
            f"What to do: free disk space on the disk of {spill}, where DuckDB writes what "
            f"does not fit in its memory ({memory}, now {dbt_memory_limit()}), and run again; "
            f"a larger {memory} spills less, and {threads}=1 builds one model at a time"
        )
    if "Out of Memory Error" in detail:
        return (
            f"What to do: raise {memory} (now {dbt_memory_limit()}; a size such as 8GB or a "
            f"share of RAM such as 80%) or set {threads}=1 to build one model at a time, "
            f"and run again"
        )
    return (
        "What to do: read the failing test or model above (target/run_results.json has every "
        "result); data tests name the rows they reject when run with `dbt test --select "
        "<test> --store-failures`"
    )


#: The size of one dbt.log file before dbt starts the next (it keeps five more). dbt's own
#: 10 MB held less than one build of this project at debug level (the file log's), so a
#: failing run's lines could be in ``dbt.log.1``: 50 MB holds a build and its docs.
DBT_LOG_FILE_BYTES = 50 * 1024 * 1024


def log_flags(args: list[str], quiet: bool) -> list[str]:
    """The flags ``argo`` adds to a dbt command ``args`` for its logs.

    Quiet (progress callbacks): nothing on the console, everything in the log file. Always:
    dbt.log holds :data:`DBT_LOG_FILE_BYTES` before it rolls over, unless the command or
    dbt's own ``DBT_LOG_FILE_MAX_BYTES`` says otherwise.
    """
    flags: list[str] = []
    if quiet and "--log-level" not in args:
        # dbt's file log takes the console's level unless it is given its own
        flags += ["--log-level", "none", "--log-level-file", "debug"]
    if "--log-file-max-bytes" not in args and not os.environ.get("DBT_LOG_FILE_MAX_BYTES"):
        flags += ["--log-file-max-bytes", str(DBT_LOG_FILE_BYTES)]
    return flags


def _invoke(
    full: list[str],
    marts_schema: str,
    target_dir: Path,
    manifest: Any = None,
    callbacks: list[Callable[[Any], None]] | None = None,
) -> Any:
    """``dbtRunner().invoke(full)`` with the marts in ``marts_schema``.

    dbt's partial parsing re-parses the whole project when ``ARGO_MARTS_SCHEMA`` changes,
    and it changes on every build; so the parse of each schema is kept beside dbt's own
    (``partial_parse.<schema>.msgpack`` in the target folder) and offered to the next
    command that uses the same schema. With ``manifest``, dbt does not parse at all.
    """
    from dbt.cli.main import dbtRunner

    dbt_memory_limit()  # profiles.yml reads it: a wrong value is refused here, in one line
    saved = target_dir / f"partial_parse.{marts_schema}.msgpack"
    environment = {MARTS_SCHEMA_ENV: marts_schema}
    if saved.exists() and not os.environ.get("DBT_PARTIAL_PARSE_FILE_PATH"):
        environment["DBT_PARTIAL_PARSE_FILE_PATH"] = str(saved)
    written = target_dir / "partial_parse.msgpack"
    stamp = written.stat().st_mtime_ns if written.exists() else None
    before = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    try:
        full = [*full, *log_flags(full, bool(callbacks))]
        result = dbtRunner(manifest=manifest, callbacks=callbacks).invoke(full)
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    if written.exists() and written.stat().st_mtime_ns != stamp:  # this command's parse
        with contextlib.suppress(OSError):
            shutil.copyfile(written, saved)
    return result


# --- The day's work -------------------------------------------------------------------------

#: What ``argo transform`` says when the day brought nothing to build.
NOTHING_TO_BUILD = "no source is fresher and nothing changed: nothing to build"
#: Where, in the lake bucket, the Athena target keeps each build schema's dbt state.
S3_STATE_PREFIX = "argo/dbt-state"
#: The files of a build schema's state: dbt's artefacts of its last successful build,
#: and ARGO's record of the builds tried from them since (:func:`build_changed`).
STATE_FILES = ("manifest.json", "sources.json")
TRIED_FILE = "tried.json"
PROJECT_FILE = "dbt_project.sha256"
FILES_FILE = "project_files.sha256"
#: What dbt parses, and the day's selector: a change to any file there may change what
#: the day's build selects.
PROJECT_PARTS = (
    "dbt_project.yml",
    "profiles.yml",
    "selectors.yml",
    "models",
    "macros",
    "seeds",
    "tests/dbt",
)
BUILD_FILE = "invocation_id"


@dataclass
class ChangedBuild:
    """What :func:`build_changed` did.

    Attributes:
        schema: The build schema it built into (``marts__blue`` or ``marts__green``).
        selected: The unique ids of the nodes dbt ran (models, seeds, tests, unit tests).
        models_built: Models (and seeds, snapshots) built.
        tests_run: Data and unit tests run.
        seconds: Wall time, from the freshness check to the saved state.
        published: The schema readers see now, if this build published it; else ``None``.
        reason: One line: why it built what it built (or nothing).
        full: True when it built everything (no state of the schema yet).
    """

    schema: str
    selected: list[str]
    models_built: int
    tests_run: int
    seconds: float
    published: str | None
    reason: str
    full: bool = False


def state_dir(schema: str) -> Path:
    """The folder of ``schema``'s dbt state: ``<target path>/state/<schema>/``."""
    return docs_dir() / "state" / schema


def build_changed(
    *, target: str | None = None, callbacks: list[Callable[[Any], None]] | None = None
) -> ChangedBuild:
    """The day's work: only what changed since the build schema's last successful build.

    Publishes it once every selected node passed (DECISIONLOG, 36).

    ``dbt source freshness`` (when dlt last finished a load of each dataset), then
    ``dbt build --select source_status:fresher+ state:modified+ --state <state>`` (the
    selector ``argo_days_work`` of selectors.yml: unit tests only where code changed) into
    the schema readers do not see, where ``<state>`` holds the manifest and source
    freshness of that schema's own last successful build: everything that changed since
    that schema was built (by the other schema's builds too) is rebuilt, so the schema is
    complete when it is published. No state yet, or the schema was written since by a
    command other than this one: everything is built. Nothing selected: nothing is built
    nor published. The state advances only after a build that succeeded, so the next run
    after a failed one rebuilds what the failed one should have.

    On Athena the state is also kept in ``s3://<lake>/argo/dbt-state/<schema>/``.

    Raises:
        TransformError: dbt failed (the marts readers see are unchanged), or the state
            cannot be read or written.
    """
    started = clock.monotonic()
    name = target or os.environ.get("ARGO_TARGET") or "local"
    held: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
    if name == "local":
        held = exclusive(warehouse_path().with_suffix(".lock"), f"the warehouse {warehouse_path()}")
    try:
        with held:
            return _build_changed(target, name, started, callbacks)
    except AlreadyRunning as exc:
        raise TransformError(f"dbt build: {exc}") from None


def _build_changed(
    target: str | None,
    name: str,
    started: float,
    callbacks: list[Callable[[Any], None]] | None = None,
) -> ChangedBuild:
    schema = marts_schema_for("build", target=target)
    target_dir = docs_dir()
    folder = state_dir(schema)
    if name == "athena":
        _state_from_s3(schema, folder)
    usable, why = _usable_state(folder, schema, target)
    if not usable:  # a build of everything, which keeps its own state (see dbt())
        result = dbt(["build"], target=target, marts_schema=schema, callbacks=callbacks)
        results = list(getattr(result.result, "results", None) or [])
        published = published_marts_schema(target=target)
        return ChangedBuild(
            schema,
            [str(r.node.unique_id) for r in results],
            _count(results, MODEL_TYPES),
            _count(results, TEST_TYPES),
            clock.monotonic() - started,
            published if published == schema else None,
            f"{why}: built everything",
            full=True,
        )
    manifest = parsed(schema, target=target, callbacks=callbacks)
    source_freshness(schema, target=target, manifest=manifest, callbacks=callbacks)
    if not fresher_sources(folder / "sources.json", target_dir / "sources.json") and (
        (folder / FILES_FILE).exists()
        and (folder / FILES_FILE).read_text().strip() == _files_digest()
    ):
        # Not a file of the project changed since the state: dbt would select nothing
        # (and take seconds to load the state and say so).
        return ChangedBuild(schema, [], 0, 0, clock.monotonic() - started, None, NOTHING_TO_BUILD)
    command = ["build", "--selector", DAYS_WORK]
    command += ["--state", str(folder)]
    try:
        result = dbt(
            command, target=target, marts_schema=schema, manifest=manifest, callbacks=callbacks
        )
    except TransformError:
        _tried_from(folder, _last_invocation(target_dir), name, schema)
        raise
    results = list(getattr(result.result, "results", None) or [])
    if not results:
        return ChangedBuild(schema, [], 0, 0, clock.monotonic() - started, None, NOTHING_TO_BUILD)
    _stage_state(schema)  # this build's artefacts, before the publish writes its own
    if published_marts_schema(target=target) != schema:  # the hook publishes only a full build
        try:
            dbt(
                ["run-operation", "publish_built_marts", "--args", json.dumps({"schema": schema})],
                target=target,
                marts_schema=schema,
                manifest=manifest,
                callbacks=callbacks,
            )
        except TransformError:
            _tried_from(folder, (_partial(schema) / BUILD_FILE).read_text(), name, schema)
            raise
    published = published_marts_schema(target=target)
    if published == schema:
        _commit_state(schema, target)
    built, tests = _count(results, MODEL_TYPES), _count(results, TEST_TYPES)
    return ChangedBuild(
        schema,
        [str(r.node.unique_id) for r in results],
        built,
        tests,
        clock.monotonic() - started,
        published if published == schema else None,
        f"built what changed since {schema}'s last build: {built} models, {tests} tests",
    )


#: The day's selection (selectors.yml): ``source_status:fresher+`` without unit tests,
#: and ``state:modified+``.
DAYS_WORK = "argo_days_work"

MODEL_TYPES = ("model", "seed", "snapshot")
TEST_TYPES = ("test", "unit_test")


def _count(results: list[Any], types: tuple[str, ...]) -> int:
    return sum(1 for r in results if str(r.node.resource_type) in types)


def parsed(
    schema: str,
    *,
    target: str | None = None,
    callbacks: list[Callable[[Any], None]] | None = None,
) -> Any:
    """The project's manifest with the marts in ``schema`` (``dbt parse``, partial).

    The commands of one build share it instead of each checking the saved parse again.

    Raises:
        TransformError: The project does not parse.
    """
    # The build writes the manifest when it ends; the parse's copy would be overwritten.
    command = ["parse", "--no-write-json", "--project-dir", str(PROJECT_DIR)]
    command += ["--profiles-dir", str(PROJECT_DIR)]
    command += ["--target", target] if target else []
    result = _invoke(command, schema, docs_dir(), callbacks=callbacks)
    if not result.success or result.result is None:
        raise TransformError(
            f"dbt parse failed: {result.exception or 'see the log above'}. What to do: fix "
            "the model or YAML file the log names, then run `argo transform` again"
        )
    return result.result


def source_freshness(
    schema: str,
    *,
    target: str | None = None,
    manifest: Any = None,
    callbacks: list[Callable[[Any], None]] | None = None,
) -> None:
    """``dbt source freshness`` into the target folder's ``sources.json``.

    Run with the marts in ``schema`` (it reads no mart), so that it and the build after it
    share one saved parse (:func:`_invoke`). A stale source is reported by dbt and is not
    an error here; a source whose dataset was never loaded has no time and is left out of
    ``source_status:fresher``.

    Raises:
        TransformError: dbt wrote no freshness at all.
    """
    target_dir = docs_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    fresh = target_dir / "sources.json"
    fresh.unlink(missing_ok=True)
    # dbt would write the manifest again too; sources.json is all that is needed.
    command = ["source", "freshness", "--no-write-json", "--project-dir", str(PROJECT_DIR)]
    command += ["--profiles-dir", str(PROJECT_DIR)] + (["--target", target] if target else [])
    checked = _invoke(command, schema, target_dir, manifest, callbacks)
    if checked.result is not None and hasattr(checked.result, "write"):
        checked.result.write(str(fresh))
    if not fresh.exists():
        raise TransformError(
            f"dbt source freshness wrote no {fresh}: {checked.exception or 'see the log above'}. "
            "What to do: check the connection (`dbt debug`) and run `argo transform` again"
        )


def keep_state(schema: str, *, target: str | None = None) -> None:
    """Makes the last build's manifest and source freshness ``schema``'s state.

    Called once that build of ``schema`` succeeded and was published; on Athena the
    state is copied to S3 too.
    """
    _stage_state(schema)
    _commit_state(schema, target)


def _stage_state(schema: str) -> None:
    """Copies the build's artefacts beside the state (``<schema>.partial``).

    With them: the build's invocation id and the digest of dbt_project.yml.
    """
    target_dir = docs_dir()
    partial = _partial(schema)
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for name in STATE_FILES:
        shutil.copyfile(target_dir / name, partial / name)
    (partial / PROJECT_FILE).write_text(_project_digest())
    (partial / FILES_FILE).write_text(_files_digest())
    (partial / BUILD_FILE).write_text(_last_invocation(target_dir) or "")


def _commit_state(schema: str, target: str | None) -> None:
    """The staged artefacts become ``schema``'s state, all or nothing (S3 on Athena)."""
    folder, partial = state_dir(schema), _partial(schema)
    old = folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.replace(old)
    partial.replace(folder)
    shutil.rmtree(old, ignore_errors=True)
    if (target or os.environ.get("ARGO_TARGET") or "local") == "athena":
        _state_to_s3(schema, folder)


def _partial(schema: str) -> Path:
    folder = state_dir(schema)
    return folder.with_name(folder.name + ".partial")


def _files_digest() -> str:
    """SHA-256 over the path and bytes of every file dbt parses (:data:`PROJECT_PARTS`)."""
    digest = hashlib.sha256()
    for part in PROJECT_PARTS:
        root = PROJECT_DIR / part
        paths = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in paths:
            if path.exists() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(PROJECT_DIR)).encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def fresher_sources(previous: Path, current: Path) -> list[str]:
    """The sources whose freshness in ``current`` is newer than in ``previous``.

    What dbt's ``source_status:fresher`` selects: a source with a time now that had none,
    or a later one; a source that errored in either is left out. Unreadable files: every
    source of ``current`` (a build selects from dbt's own comparison then).
    """

    def times(path: Path) -> tuple[dict[str, str], set[str]]:
        results = json.loads(path.read_text(encoding="utf-8")).get("results", [])
        found = {r["unique_id"]: r["max_loaded_at"] for r in results if r.get("max_loaded_at")}
        return found, {r["unique_id"] for r in results if not r.get("max_loaded_at")}

    try:
        before, _ = times(previous)
        now, failed = times(current)
    except (OSError, ValueError, KeyError, TypeError):
        return ["(unreadable freshness)"]
    fresher = [uid for uid, at in now.items() if uid not in before or at > before[uid]]
    return sorted(uid for uid in fresher if uid not in failed)


def _project_digest() -> str:
    """SHA-256 of dbt_project.yml.

    Its vars reach SQL that ``state:modified`` compares unrendered: dbt does not see them
    change.
    """
    return hashlib.sha256((PROJECT_DIR / "dbt_project.yml").read_bytes()).hexdigest()


def _keep_state_if_published(schema: str, target: str | None) -> None:
    if published_marts_schema(target=target) == schema:
        keep_state(schema, target=target)


def _usable_state(folder: Path, schema: str, target: str | None) -> tuple[bool, str]:
    """Whether a daily build may select from ``folder``, and if not why not.

    Usable when it holds the manifest and source freshness of ``schema``'s last
    successful build, and nothing but that build and the builds tried from it since
    has written into the schema (marts__state.mart_builds): another command (a
    ``--select`` build, ``dbt run``, a plain ``dbt build``) may have left tables there
    the state knows nothing of.
    """
    if not all((folder / name).exists() for name in STATE_FILES):
        return False, f"no state of {schema} yet ({folder})"
    try:
        project = (folder / PROJECT_FILE).read_text().strip()
        invocation = (folder / BUILD_FILE).read_text().strip()
    except OSError:
        return False, f"the state of {schema} ({folder}) is incomplete"
    if project != _project_digest():
        return False, f"dbt_project.yml changed since {schema}'s last build"
    last = last_build_into(schema, target=target)
    if last is not None and last not in {invocation, *_tried(folder)}:
        return False, f"{schema} was built since its state was saved by another command"
    return True, ""


def _tried_from(folder: Path, invocation: str | None, name: str, schema: str) -> None:
    """Records a daily build from ``folder``'s state that did not publish.

    The schema now holds some of its work, done from this state: the next run may still
    select from the same state (it selects at least as much again).
    """
    if not invocation:
        return
    (folder / TRIED_FILE).write_text(json.dumps(sorted({*_tried(folder), invocation})))
    if name == "athena":
        _state_to_s3(schema, folder)


def _tried(folder: Path) -> set[str]:
    try:
        return {str(i) for i in json.loads((folder / TRIED_FILE).read_text(encoding="utf-8"))}
    except (OSError, ValueError):
        return set()


def _last_invocation(target_dir: Path) -> str | None:
    """The invocation id of the last dbt command that wrote ``run_results.json``."""
    try:
        results = json.loads((target_dir / "run_results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return str(results.get("metadata", {}).get("invocation_id") or "") or None


def last_build_into(schema: str, *, target: str | None = None) -> str | None:
    """The invocation id of the last dbt run that built into ``schema``, if recorded."""
    if (target or os.environ.get("ARGO_TARGET") or "local") != "local":
        return _last_build_through_dbt(schema, target)
    state, table = MARTS_STATE_TABLE
    return _from_marts_state(
        warehouse_path(),
        f"select invocation_id from {state}.{table} "
        "where schema_name = ? and event in ('started', 'deployed', 'built') "
        "order by run_started_at desc limit 1",
        [schema],
    )


def _last_build_through_dbt(schema: str, target: str | None) -> str | None:
    said = _say_through_dbt(
        ["run-operation", "print_last_build_into", "--args", json.dumps({"schema": schema})],
        "last build into: ",
        target,
    )
    return None if said == "none" else said


def _s3_state(schema: str) -> tuple[Any, str, str]:
    """An S3 client, the lake bucket and the key prefix of ``schema``'s state."""
    from argo.aws import AwsConfig, s3_client

    bucket = AwsConfig.from_env().lake_bucket
    return s3_client(), bucket, f"{S3_STATE_PREFIX}/{schema}/"


def _state_from_s3(schema: str, folder: Path) -> None:
    """Replaces ``folder`` by ``s3://<lake>/argo/dbt-state/<schema>/`` (empty: no state).

    Raises:
        TransformError: S3 cannot be read.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client, bucket, prefix = _s3_state(schema)
        listed = client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for item in listed:
            name = str(item["Key"]).removeprefix(prefix)
            if name and "/" not in name:
                body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                (folder / name).write_bytes(body)
    except (BotoCoreError, ClientError) as exc:
        raise TransformError(
            f"cannot read the dbt state of {schema} from s3://{S3_STATE_PREFIX}/{schema}/ in "
            f"the lake bucket ({type(exc).__name__}: {exc}). What to do: check the network, "
            "AWS_REGION and the role's s3:GetObject and s3:ListBucket on the lake bucket, "
            "then run `argo transform` again (nothing was built)"
        ) from None


def _state_to_s3(schema: str, folder: Path) -> None:
    """Copies ``folder`` to ``s3://<lake>/argo/dbt-state/<schema>/``, the manifest last.

    Raises:
        TransformError: S3 cannot be written.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        client, bucket, prefix = _s3_state(schema)
        names = sorted(p.name for p in folder.iterdir() if p.is_file())
        for name in sorted(names, key=lambda n: n == "manifest.json"):
            client.put_object(Bucket=bucket, Key=prefix + name, Body=(folder / name).read_bytes())
        for item in client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []):
            if str(item["Key"]).removeprefix(prefix) not in names:
                client.delete_object(Bucket=bucket, Key=item["Key"])
    except (BotoCoreError, ClientError) as exc:
        raise TransformError(
            f"the build of {schema} succeeded, but its dbt state cannot be written to "
            f"s3://{S3_STATE_PREFIX}/{schema}/ in the lake bucket ({type(exc).__name__}: "
            f"{exc}). What to do: grant the role s3:PutObject there; the next `argo "
            "transform` builds more than the day's work until it can"
        ) from None


def marts_schema_for(command: str, *, target: str | None = None) -> str:
    """Where a dbt command finds the marts: the schema readers do not see if it builds.

    A command that writes builds the marts into whichever of ``marts__blue`` and
    ``marts__green`` is not published (``marts__blue`` before the first publish); any
    other command reads the published marts through the views of ``marts``.
    """
    if command not in WRITING_COMMANDS:
        return MARTS_SCHEMA
    published = published_marts_schema(target=target)
    blue, green = MARTS_BUILD_SCHEMAS
    return green if published == blue else blue


def published_marts_schema(*, target: str | None = None) -> str | None:
    """The schema the views of ``marts`` point at, or ``None`` before the first publish.

    On DuckDB it is read from the warehouse file; on Athena through dbt
    (``dbt run-operation print_published_marts_schema``).
    """
    if (target or os.environ.get("ARGO_TARGET") or "local") == "local":
        return _published_on_duckdb(warehouse_path())
    return _published_through_dbt(target)


def _published_on_duckdb(path: Path) -> str | None:
    schema, table = MARTS_STATE_TABLE
    return _from_marts_state(
        path,
        f"select schema_name from {schema}.{table} where event = 'published' "
        "order by run_started_at desc limit 1",
    )


def _from_marts_state(path: Path, query: str, parameters: list[Any] | None = None) -> str | None:
    """The first value ``query`` finds in ``marts__state.mart_builds`` of the DuckDB file.

    ``None`` when the file, the table or a row is not there (nothing was built yet).
    """
    if not path.exists():
        return None
    schema, table = MARTS_STATE_TABLE
    with duckdb.connect(str(path)) as con:
        (exists,) = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone() or (0,)
        if not exists:
            return None
        found = con.execute(query, parameters or []).fetchone()
    return str(found[0]) if found and found[0] is not None else None


def _published_through_dbt(target: str | None) -> str | None:
    said = _say_through_dbt(
        ["run-operation", "print_published_marts_schema"], "published marts schema: ", target
    )
    return None if said == "none" else said


def _say_through_dbt(command: list[str], prefix: str, target: str | None) -> str:
    """The last line a run-operation logged that starts with ``prefix``, without it."""
    from dbt.cli.main import dbtRunner

    said: list[str] = []

    def listen(event: Any) -> None:
        message = str(getattr(event.info, "msg", ""))
        if message.startswith(prefix):
            said.append(message.removeprefix(prefix).strip())

    args = [*command, "--project-dir", str(PROJECT_DIR)]
    args += ["--profiles-dir", str(PROJECT_DIR)] + (["--target", target] if target else [])
    before = os.environ.get(MARTS_SCHEMA_ENV)
    os.environ[MARTS_SCHEMA_ENV] = MARTS_SCHEMA
    try:
        result = dbtRunner(callbacks=[listen]).invoke(args)
    finally:
        if before is None:
            os.environ.pop(MARTS_SCHEMA_ENV, None)
        else:
            os.environ[MARTS_SCHEMA_ENV] = before
    if not result.success or not said:
        raise TransformError(
            f"could not read the marts' state ({command[1]}): "
            f"{result.exception or 'no answer'}. "
            "What to do: check the connection (`dbt debug`) and run again"
        )
    return said[-1]


def summarize(
    path: Path | None = None, schemas: tuple[str, ...] = ("marts",)
) -> list[TableSummary]:
    """Row counts and date ranges of every table in ``schemas`` of the warehouse file."""
    with duckdb.connect(str(path or warehouse_path())) as con:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in ({', '.join('?' for _ in schemas)}) order by 1, 2",
            list(schemas),
        ).fetchall()
        summary: list[TableSummary] = []
        for schema, name in relations:
            columns = {
                row[0]
                for row in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ?",
                    [schema, name],
                ).fetchall()
            }
            relation = f'"{schema}"."{name}"'
            if "date_day" in columns:
                rows, first, last = con.execute(
                    f"select count(*), min(date_day), max(date_day) from {relation}"
                ).fetchone() or (0, None, None)
            else:
                (rows,) = con.execute(f"select count(*) from {relation}").fetchone() or (0,)
                first = last = None
            summary.append(TableSummary(schema, name, int(rows), first, last))
    return summary


#: Athena's price per byte scanned ($5 per TB) and its minimum billed per query (10 MB).
ATHENA_DOLLARS_PER_BYTE = 5.0 / 1e12
ATHENA_MINIMUM_BYTES = 10 * 1024**2


def athena_scan_summary(run_results: Path) -> tuple[int, float, list[tuple[str, int]]] | None:
    """Bytes Athena scanned in a dbt run, from ``run_results.json``.

    dbt-athena records each query's ``data_scanned_in_bytes`` in its adapter response.

    Returns:
        ``(bytes, dollars, the five costliest nodes)``, or ``None`` when the run has no
        Athena figures (another target, or no run yet).
    """
    if not run_results.exists():
        return None
    results = json.loads(run_results.read_text()).get("results", [])
    scanned = [
        (str(r.get("unique_id")), int(r["adapter_response"]["data_scanned_in_bytes"]))
        for r in results
        if isinstance(r.get("adapter_response"), dict)
        and "data_scanned_in_bytes" in r["adapter_response"]
    ]
    if not scanned:
        return None
    total = sum(b for _, b in scanned)
    # DDL scans nothing and is free; a query that reads data is billed at least 10 MB.
    dollars = sum(max(b, ATHENA_MINIMUM_BYTES) for _, b in scanned if b) * ATHENA_DOLLARS_PER_BYTE
    return total, dollars, sorted(scanned, key=lambda x: -x[1])[:5]


# --- The docs site ------------------------------------------------------------------------

#: What dbt's docs page reports page views to when its manifest allows it (a Snowplow
#: tracker): the tracker script's CDN, the collector, and the address it reports instead
#: of the page's own. ARGO's site loads none of them.
DOCS_TRACKER_HOSTS = (
    "d1fc8wv8zag5ca.cloudfront.net",
    "fishtownanalytics.sinter-collect.com",
    "fuzzed.getdbt.com",
)
#: Addresses that dbt's page names without a browser fetching them: an XML namespace, and
#: links inside the error messages and licence comments of the libraries it bundles.
DOCS_NEVER_FETCHED = (
    "http://www.w3.org/2000/svg",
    "https://errors.angularjs.org/",
    "http://docs.angularjs.org/api/",
    "https://github.com/markedjs/marked.",
    "https://npms.io/search?q=ponyfill.",
    "http://jqueryui.com",
    "http://aviaryan.in",
)
#: Appended to the page once it is self-contained (:func:`docs_site_ready` looks for it).
DOCS_MARK = "<!-- argo: self-contained docs site; it fetches nothing from the network -->"

_URL = re.compile(
    r"(?:https?:)?//[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,}[^\s\"'`<>()\\]*", re.I
)
_TRACKER_STRING = re.compile(
    r"([\"'])(?:(?:https?:)?//)?(?:"
    + "|".join(re.escape(host) for host in DOCS_TRACKER_HOSTS)
    + r")(?:[/:?][^\"']*)?\1"
)
_TRACKER_SWITCH = "turn_on_tracking:function(){"
#: What makes a browser fetch an address written in a description: a markdown image, an
#: HTML element that loads its src/href, a CSS url() or @import (JSON-escaped quotes too).
_REMOTE_EMBED = re.compile(
    r"!\[[^\]]*\]\(\s*<?((?:https?:)?//[^\s)>]+)"
    r"|<(?:img|script|iframe|frame|link|video|audio|source|track|embed|object|input|image)\b"
    r"[^>]*?\b(?:src|href|data|poster|srcset)\s*=\s*(?:\\?[\"'])?\s*((?:https?:)?//[^\s\"'\\>]+)"
    r"|(?:url\(|@import)\s*(?:\\?[\"'])?\s*((?:https?:)?//[^\s\"'\\)]+)",
    re.I,
)


def docs_dir(args: list[str] | None = None) -> Path:
    """Where dbt writes the docs site: ``--target-path``, ``DBT_TARGET_PATH`` or ``target/``."""
    args = args or []
    configured = None
    if "--target-path" in args[:-1]:
        configured = args[args.index("--target-path") + 1]
    configured = configured or os.environ.get("DBT_TARGET_PATH") or "target"
    return PROJECT_DIR / configured  # an absolute path stays as it is


def make_docs_self_contained(directory: Path) -> Path:
    """Turns what ``dbt docs generate --static`` wrote into a site that needs only itself.

    dbt's ``index.html`` fetches ``manifest.json`` and ``catalog.json``, which a browser
    refuses to a page opened from disk ("unable to load the manifest file"), and it carries
    a usage tracker that loads a script from a CDN. ``static_index.html`` has both files
    inlined; it becomes ``index.html`` with the tracker switched off and its addresses
    blanked, and the data escaped so that no text in a description can end the script it
    sits in. ``manifest.json`` and ``catalog.json`` stay beside it for other tools.

    Args:
        directory: dbt's target folder after ``docs generate --static``.

    Returns:
        The path of the self-contained ``index.html``.

    Raises:
        TransformError: The page would still fetch something from the network (a newer
            dbt's page, or an image a description embeds by URL); the message names it.
    """
    static = directory / "static_index.html"
    if not static.exists():
        raise TransformError(
            f"dbt docs generate wrote no {static}. What to do: run `argo docs` again; "
            "dbt needs --static for a site that opens from disk"
        )
    page = static.read_text(encoding="utf-8")
    template = page
    for name in ("manifest.json", "catalog.json"):
        data = (directory / name).read_text(encoding="utf-8").strip()
        if data not in page:
            raise TransformError(
                f"dbt docs generate --static did not inline {name} into {static}, so the "
                "page would fetch it. What to do: check the dbt-core version against uv.lock"
            )
        embedded = sorted({next(u for u in m.groups() if u) for m in _REMOTE_EMBED.finditer(data)})
        if embedded:
            raise TransformError(
                f"the docs site would make every reader's browser fetch {', '.join(embedded)} "
                f"(embedded in a description or doc block, see {name}). What to do: link to "
                "it instead of embedding it, or ship the file in the project's asset-paths "
                "and refer to it by a relative path"
            )
        template = template.replace(data, "")
        page = page.replace(data, data.replace("<", "\\u003c"))
    remote = remote_references(template)
    if remote:
        raise TransformError(
            f"dbt's docs page would fetch {', '.join(remote)}; ARGO's docs site fetches "
            "nothing from the network. What to do: extend the clean-up in "
            "argo/transform.py (make_docs_self_contained) for this dbt version; "
            "tests/e2e/test_docs_in_browser.py checks the result in a browser"
        )
    index = directory / "index.html"
    partial = directory / ".index.html.partial"
    partial.write_text(f"{_without_tracker(page)}\n{DOCS_MARK}\n", encoding="utf-8")
    partial.replace(index)  # a server already serving the folder never sees half a page
    static.unlink()
    return index


def remote_references(page: str) -> list[str]:
    """What a browser would fetch from elsewhere for dbt's docs page (its data left out).

    The usage tracker is switched off first; addresses that are never fetched
    (:data:`DOCS_NEVER_FETCHED`) are not counted.
    """
    cleaned = _without_tracker(page)
    return sorted({u for u in _URL.findall(cleaned) if not u.startswith(DOCS_NEVER_FETCHED)})


def _without_tracker(page: str) -> str:
    """``page`` with dbt's usage tracker unable to start and its addresses blanked."""
    if _TRACKER_SWITCH in page:
        page = page.replace(_TRACKER_SWITCH, _TRACKER_SWITCH + "return;")
    elif any(host in page for host in DOCS_TRACKER_HOSTS):
        raise TransformError(
            "dbt's docs page carries its usage tracker in a form ARGO does not know how to "
            "switch off. What to do: update make_docs_self_contained in argo/transform.py "
            "for this dbt version"
        )
    return _TRACKER_STRING.sub('""', page)


def docs_site_ready(directory: Path) -> bool:
    """True when ``directory/index.html`` is a self-contained site built by ARGO."""
    index = directory / "index.html"
    if not index.exists():
        return False
    with index.open("rb") as page:
        page.seek(max(0, index.stat().st_size - 2 * len(DOCS_MARK)))
        return DOCS_MARK.encode() in page.read()


class _DocsHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files and nothing else; one short line per request on stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"docs: {format % args}\n")


def serve_docs(
    directory: Path, port: int = 8080, *, ready: Callable[[str], None] | None = None
) -> None:
    """Serves the built docs site on 127.0.0.1 until Ctrl-C; no dbt, no warehouse.

    Args:
        directory: The folder holding the site (``index.html``).
        port: The port on 127.0.0.1; 0 takes a free one.
        ready: Called with the site's address once it accepts requests.

    Raises:
        TransformError: The port cannot be had.
    """
    handler = functools.partial(_DocsHandler, directory=str(directory))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise TransformError(
            f"cannot serve the docs on 127.0.0.1:{port} ({exc.strerror}). What to do: pass "
            "another --port, or stop what holds it"
        ) from None
    with server:
        if ready:
            ready(f"http://127.0.0.1:{server.server_address[1]}/")
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: stop serving, exit 0
            server.serve_forever()


# --- Linting ------------------------------------------------------------------------------

#: What the linted warehouse's incremental marts hold: one day, so that they are not empty.
LINT_NEWEST_DAY = "2026-01-01"
_INCREMENTAL = re.compile(r"incremental_mart_config\(|materialized\s*=\s*[\"']incremental[\"']")


def lint_warehouse(path: Path | str) -> Path:
    """A scratch warehouse for sqlfluff's dbt templater, so linting never opens yours.

    The templater compiles every model on a live connection: ``is_incremental()`` asks it
    whether the model's table exists, and an incremental mart reads its newest day from it
    (``macros/incremental_marts.sql``). Here every incremental model has a table with one
    day in it, so the linter sees the SQL of a daily, incremental run (the full build's
    SQL differs from it only by ``1 = 1`` in place of the date window). Another process
    holding the user's ``data/argo.duckdb`` cannot stop the linter.

    Args:
        path: The scratch file (``data/lint/argo.duckdb`` in the Makefile). Its name must be
            ``argo.duckdb``, so that compiled SQL names the same database as the real one.

    Returns:
        The file's absolute path.

    Raises:
        ValueError: The file is not named ``argo.duckdb``.
    """
    path = Path(path) if Path(path).is_absolute() else PROJECT_DIR / path
    if path.name != "argo.duckdb":
        raise ValueError(f"the lint warehouse must be named argo.duckdb, not {path.name}")
    path.parent.mkdir(parents=True, exist_ok=True)
    models = PROJECT_DIR / "models"
    incremental = sorted(
        (_lint_schema(sql.relative_to(models).parts[0]), sql.stem)
        for sql in models.rglob("*.sql")
        if _INCREMENTAL.search(sql.read_text(encoding="utf-8"))
    )
    with duckdb.connect(str(path), config={"autoinstall_known_extensions": False}) as con:
        for schema, name in incremental:
            con.execute(f'create schema if not exists "{schema}"')
            con.execute(
                f'create or replace table "{schema}"."{name}" as '
                f"select date '{LINT_NEWEST_DAY}' as date_day"
            )
    return path


def _lint_schema(folder: str) -> str:
    """The schema dbt compiles a model of ``models/<folder>/`` into when nothing is set."""
    return MARTS_BUILD_SCHEMAS[0] if folder == MARTS_SCHEMA else folder
