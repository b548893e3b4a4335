"""The ``argo`` command: demo, ingest, transform, docs, digest, alerts, aws, sandbox."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from argo import digest, interrupts
from argo.alerts import StateError
from argo.aws import AwsError
from argo.delivery import DeliveryError
from argo.digest import DigestError
from argo.locks import LockError, exclusive
from argo.marts_reader import ReadError, reader_for
from argo.pipeline import IngestError, IngestResult, Outcome, run_sources, unfinished_loads
from argo.progress import DbtListener, Once, Progress, RowCollector, table
from argo.settings import (
    PROJECT_DIR,
    TARGET_ENV,
    TARGETS,
    WAREHOUSE_ENV,
    NotWritable,
    SettingError,
    anchor_warehouse,
    dbt_memory_limit,
    ensure_writable,
    project_dlt_settings,
    target,
    use_target,
    use_warehouse,
    warehouse_path,
)
from argo.transform import (
    ChangedBuild,
    TransformError,
    athena_scan_summary,
    build_changed,
    check_plan_seeds,
    dbt,
    docs_dir,
    plan_from_seeds,
    summarize,
)
from ingestion import clock
from ingestion.registry import SOURCES
from ingestion.sandbox.registry import sandbox

log = logging.getLogger("argo")

#: Exit statuses: a step failed or a setting is wrong (1); an argument is wrong (2, as
#: argparse's own); stopped by Ctrl-C (130) or SIGTERM (143).
FAILED, USAGE = 1, 2
#: The zone where a day begins first (UTC+14): no account anywhere is past its today.
EARLIEST_ZONE = "Etc/GMT-14"


class UsageError(Exception):
    """An argument cannot be used; the message names it and what to do (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse, with an error on one line (no usage block) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        print(
            f"{self.prog}: error: {message}. What to do: see `{self.prog} --help`",
            file=sys.stderr,
        )
        sys.exit(USAGE)


#: How a log record reads (standard error, and ``argo -v``'s log file).
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: ``argo -v``: dlt's and dbt's own lines too, kept in :func:`_argo_log` as well.
_verbose = False
#: The variable that lists the sources ``argo run`` loads (the production workflow's).
SOURCES_ENV = "ARGO_SOURCES"


def _out() -> Progress:
    """The run's progress on standard output (a live line on a terminal)."""
    return Progress(sys.stdout)


@dataclass
class StepDone:
    """One row of the summary table: a source or a step, what it did, how long it took."""

    name: str
    what: str
    seconds: float | None
    failed: str | None = None


def _summary(out: Progress, steps: list[StepDone]) -> None:
    """The summary table, then where ``-v`` kept the logs."""
    rows = [
        (
            step.name,
            "" if step.seconds is None else f"{step.seconds:.1f}",
            f"FAILED: {step.failed}" if step.failed else step.what,
        )
        for step in steps
    ]
    # Seconds before the text: a long line is cut at its end, never in the numbers.
    for line in table(("step", "seconds", "what it did"), rows, right=(1,)):
        out.say(line if len(line) <= 160 else line[:157] + "...")
    if _verbose:
        out.say(f"Log (dlt's and dbt's own lines): {_argo_log()}")


def _rows(result: IngestResult) -> str:
    return ", ".join(f"{table} {count:,}" for table, count in sorted(result.rows.items()))


def _ingest_line(source: str, outcome: Outcome) -> str:
    if isinstance(outcome, IngestError):
        return f"  {source} failed: {outcome}"
    return f"  {source} -> {outcome.dataset}: {_rows(outcome)} ({outcome.seconds:.1f} s)"


def _ingest(out: Progress, runs: dict[str, dict[str, Any]]) -> dict[str, Outcome]:
    """Loads the sources side by side, one line each as it ends (a live line meanwhile)."""
    with out.counting_answers(), out.ticking():
        return run_sources(
            runs,
            progress=lambda source: RowCollector(out, source, verbose=_verbose),
            started=out.begin,
            ended=lambda source, outcome: out.end(source, _ingest_line(source, outcome)),
        )


def _ingested(outcomes: dict[str, Outcome]) -> tuple[list[StepDone], list[str]]:
    """The summary's rows of the sources, and one text per failed source."""
    steps, failed = [], []
    for source, outcome in outcomes.items():
        if isinstance(outcome, IngestError):
            steps.append(StepDone(source, "", None, failed="see above"))
            failed.append(str(outcome))
        else:
            total = sum(outcome.rows.values())
            steps.append(
                StepDone(source, f"{total:,} rows into {outcome.dataset}", outcome.seconds)
            )
    return steps, failed


def _ingest_failed(failed: list[str]) -> IngestError:
    """One error naming every failed source (their other sources' loads stay)."""
    if len(failed) == 1:
        return IngestError(failed[0])
    return IngestError(f"{len(failed)} sources failed: " + " | ".join(failed))


def cmd_demo(args: argparse.Namespace) -> int:
    """Sandbox -> the daily job (every source, build, digest) -> docs -> the marts' summary."""
    path = warehouse_path()
    _writable_for_dbt(target())
    out = _out()
    started = clock.monotonic()
    with sandbox(seed=args.seed, scale=args.scale, days=args.days) as options:
        code = _daily(
            out,
            {name: dict(options[name]) for name in options},
            full_refresh=False,
            digest_formats=("html", "md"),
            docs=not args.no_docs,
            command="argo demo",
            world=f"the sandbox (seed {args.seed}, scale {args.scale}, {args.days} days)",
        )
    if code:
        return code
    out.say(f"ARGO demo built in {clock.monotonic() - started:.0f} s. Warehouse: {path}")
    rows, dimensions = [], []
    for mart in summarize(path):
        if mart.name.startswith("dim_"):
            dimensions.append(f"{mart.name} {mart.rows:,}")
            continue
        dates = f"{mart.first_day} .. {mart.last_day}" if mart.first_day else ""
        rows.append((f"{mart.schema}.{mart.name}", f"{mart.rows:,}", dates))
    for line in table(("table", "rows", "dates"), rows, right=(1,)):
        out.say(line)
    if dimensions:
        out.say(f"Dimensions (rows): {', '.join(dimensions)}")
    out.say(
        f"Query it: uv run python -c \"import duckdb; print(duckdb.connect('{path}')"
        ".sql('select * from marts.rpt_campaign_performance_daily limit 10'))\""
    )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """The daily job: ingest the configured sources, build the day's work, the digest."""
    names = _configured_sources(args.sources)
    name = target()
    _check_athena(name)
    _writable_for_dbt(name)
    ensure_writable(
        warehouse_path().parent, "the warehouse, its lock and dlt's working folder (.dlt/)"
    )
    out = _out()
    if args.sandbox:
        with sandbox(seed=args.seed, scale=args.scale, days=args.days) as options:
            return _daily(
                out,
                {source: dict(options[source]) for source in names},
                full_refresh=args.full_refresh,
                digest_formats=None if args.no_digest else (),
                docs=False,
                command="argo run",
                world=f"the sandbox (seed {args.seed}, scale {args.scale}, {args.days} days)",
            )
    return _daily(
        out,
        {source: {} for source in names},
        full_refresh=args.full_refresh,
        digest_formats=None if args.no_digest else (),
        docs=False,
        command="argo run",
    )


def _configured_sources(given: list[str] | None) -> list[str]:
    """``--sources``, else ``ARGO_SOURCES`` (space- or comma-separated), else every source.

    Raises:
        UsageError: A name is not a source.
    """
    names = given or os.environ.get(SOURCES_ENV, "").replace(",", " ").split() or list(SOURCES)
    unknown = [n for n in names if n not in SOURCES]
    if unknown:
        where = "--sources" if given else SOURCES_ENV
        raise UsageError(
            f"{where} names {', '.join(unknown)}, which {'is' if len(unknown) == 1 else 'are'} "
            f"not a source. What to do: use names of {', '.join(SOURCES)}"
        )
    return list(dict.fromkeys(names))


def _daily(
    out: Progress,
    runs: dict[str, dict[str, Any]],
    *,
    full_refresh: bool,
    digest_formats: tuple[str, ...] | None,
    docs: bool,
    command: str,
    world: str | None = None,
) -> int:
    """Ingest -> transform -> (docs) -> digest, one line each, then the summary table.

    A failed source stops no other source; the build then runs with what loaded (each
    source's marts as of its last complete load) and says so; the digest is left out
    after any failure (it would report a day some source is missing from as if whole).

    Args:
        out: Where the lines go.
        runs: Source -> its options (the sandbox's, or none).
        full_refresh: Rebuild the incremental marts from scratch.
        digest_formats: ``None``: no digest; ``()``: as ``argo digest`` is configured
            (Slack when ``ARGO_SLACK_WEBHOOK_URL`` is set, else Markdown files); else
            these formats as files.
        docs: Also build the docs site.
        command: The command, for the failure line.
        world: Where the sources are served from, if not their APIs (the sandbox).

    Returns:
        0, or 1 after a failed step (one line on standard error names it and what to do).
    """
    name = target()
    total = 2 + (digest_formats is not None) + docs
    out.say(
        f"[1/{total}] ingest: {len(runs)} sources side by side"
        + (f" from {world}" if world else "")
        + (f" into {warehouse_path()}" if name == "local" else "")
    )
    outcomes = _ingest(out, runs)
    steps, failed = _ingested(outcomes)
    problems: list[str] = []
    if failed:
        problems.append(f"ingest: {_ingest_failed(failed)}")
    out.say(
        f"[2/{total}] transform: "
        + (
            "dbt build --full-refresh"
            if full_refresh
            else "the day's work (dbt build of what changed)"
        )
        + (f" (without the new data of {', '.join(_failed_sources(outcomes))})" if failed else "")
    )
    try:
        full = ["build", "--full-refresh"] if full_refresh else None
        built = _transform(out, name, full, changed=not full_refresh)
        steps.append(built)
    except TransformError as exc:
        steps.append(StepDone("transform", "", None, failed="see below"))
        problems.append(f"transform: {exc}")
    number = 3
    if docs:
        out.say(f"[{number}/{total}] docs: dbt docs generate (serve with `argo docs --serve`)")
        number += 1
        try:
            steps.append(_docs_step(out, name))
        except TransformError as exc:
            steps.append(StepDone("docs", "", None, failed="see below"))
            problems.append(f"docs: {exc}")
    if digest_formats is not None:
        if problems:
            out.say(f"[{number}/{total}] digest: left out: a step before it failed")
            steps.append(StepDone("digest", "left out: a step before it failed", None))
        else:
            if name == "local":
                _close_warehouse()  # dbt-duckdb keeps the file open read-write in this process
            steps.append(_digest_step(out, name, digest_formats, f"{number}/{total}"))
    _summary(out, steps)
    if not problems:
        return 0
    again = (
        f"What to do: fix the cause, then run `{command}` again (the sources that loaded "
        "are kept; a source's unfinished load is finished first; the build redoes only "
        "what failed)"
    )
    print(f"\n{command} failed: {' || '.join(problems)}. {again}", file=sys.stderr)
    return FAILED


def _failed_sources(outcomes: dict[str, Outcome]) -> list[str]:
    return [s for s, o in outcomes.items() if isinstance(o, IngestError)]


def _transform(
    out: Progress, name: str, command: list[str] | None = None, *, changed: bool = True
) -> StepDone:
    """Runs a build with a progress line (nodes done / total); its summary row.

    ``changed``: the day's work (:func:`argo.transform.build_changed`: only what changed
    since the build schema's last successful build, then published); else ``command``
    (``dbt build`` of everything by default).
    """
    command = command or ["build"]
    listener = DbtListener(out, "transform", verbose=_verbose)
    out.begin("transform")
    with out.ticking():
        result = _build(command, name, [listener], changed=changed)
    if isinstance(result, ChangedBuild):
        published = f"; published {result.published}" if result.published else ""
        line = f"{result.reason}; {_statuses(listener)}{published}"
    else:
        counts = _dbt_counts(result)
        line = (
            f"dbt {command[0]}: {counts.get('model', 0)} models, "
            f"{counts.get('test', 0) + counts.get('unit_test', 0)} tests, "
            f"{counts.get('seed', 0)} seeds; {_statuses(listener)}"
        )
    seconds = out.tasks["transform"].seconds(clock.monotonic())
    out.end("transform", f"  transform: {line} ({seconds:.1f} s)")
    return StepDone("transform", line, seconds)


def _dbt_counts(result: Any) -> dict[str, int]:
    """Nodes of a dbt result by resource type (``model``, ``test``, ``unit_test``, ``seed``)."""
    counts: dict[str, int] = {}
    for node in getattr(getattr(result, "result", None), "results", None) or []:
        kind = str(getattr(getattr(node, "node", None), "resource_type", "") or "")
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _statuses(listener: DbtListener) -> str:
    """``PASS=412 WARN=3 ERROR=0 SKIP=0`` from the nodes' statuses, as dbt's own summary."""
    seen = listener.statuses
    passed = sum(seen.get(s, 0) for s in ("success", "pass"))
    errors = sum(seen.get(s, 0) for s in ("error", "fail", "runtime error"))
    return (
        f"PASS={passed} WARN={seen.get('warn', 0)} ERROR={errors} "
        f"SKIP={seen.get('skipped', 0)} NO-OP={seen.get('no-op', 0)}"
    )


def _docs_step(out: Progress, name: str) -> StepDone:
    listener = DbtListener(out, "docs", verbose=_verbose)
    out.begin("docs")
    _dbt("docs", ["docs", "generate"], name, [listener])
    seconds = out.tasks["docs"].seconds(clock.monotonic())
    out.end("docs", f"  docs: {docs_dir() / 'index.html'} ({seconds:.1f} s)")
    return StepDone("docs", str(docs_dir() / "index.html"), seconds)


def _digest_step(out: Progress, name: str, formats: tuple[str, ...], number: str) -> StepDone:
    """The digest of the daily job: files (``formats``), or as ``argo digest`` is configured."""
    from argo.delivery import WEBHOOK_ENV

    out.begin("digest")
    post = not formats and bool(os.environ.get(WEBHOOK_ENV, "").strip())
    chosen = formats or (("slack",) if post else ("md",))
    try:
        written = _write_digests(name, formats=chosen, post=post)
        what = written.describe()
    except (DigestError, ReadError, DeliveryError, NotWritable) as exc:
        what = f"not written: {exc}"
        seconds = out.tasks["digest"].seconds(clock.monotonic())
        out.end("digest", f"[{number}] digest: {what}")
        return StepDone("digest", "", seconds, failed=str(exc))
    seconds = out.tasks["digest"].seconds(clock.monotonic())
    out.end("digest", f"[{number}] digest: {what}")
    return StepDone("digest", written.brief(), seconds)


def cmd_ingest(args: argparse.Namespace) -> int:
    """Loads one source (or every source, side by side) for an optional date range."""
    names = list(SOURCES) if args.source == "all" else [args.source]
    _check_range(names, args.start, args.end)
    ensure_writable(
        warehouse_path().parent, "the warehouse, its lock and dlt's working folder (.dlt/)"
    )
    range_options = _given({"start_date": args.start, "end_date": args.end})
    out = _out()
    if args.sandbox:
        with sandbox(seed=args.seed, scale=args.scale, days=args.days) as options:
            outcomes = _ingest(out, {n: {**options[n], **range_options} for n in names})
    else:
        outcomes = _ingest(out, {n: dict(range_options) for n in names})
    steps, failed = _ingested(outcomes)
    if len(names) > 1:
        _summary(out, steps)
    if failed:
        raise _ingest_failed(failed)
    return 0


def _given(options: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in options.items() if v is not None}


def _check_range(names: list[str], start: str | None, end: str | None) -> None:
    """Refuses a range that ends before it starts or lies past the sources' today.

    A source's today is in the zone its days follow (:attr:`Source.time_zone`); a source
    whose accounts each report in their own zone is past no account's today before
    today in UTC+14. A calendar published ahead (holidays) reaches the end of next year.

    Raises:
        UsageError: The range is one no source can load.
    """
    if start and end and end < start:
        raise UsageError(
            f"--end {end} is before --start {start}. What to do: give the first day as "
            "--start and the last as --end (both included)"
        )
    for name in names:
        spec = SOURCES[name]
        today = clock.today(spec.time_zone or EARLIEST_ZONE)
        where = spec.time_zone or "UTC+14, the first time zone to reach a day"
        latest = date(today.year + 1, 12, 31) if spec.publishes_next_year else today
        for flag, value in (("--start", start), ("--end", end)):
            if not value or date.fromisoformat(value) <= latest:
                continue
            if spec.publishes_next_year:
                raise UsageError(
                    f"{flag} {value} is past what {name} publishes: its calendar reaches the "
                    f"end of next year, {latest} (today is {today} in {where}). What to do: "
                    f"give dates up to {latest}"
                )
            raise UsageError(
                f"{flag} {value} is in the future for {name}: today is {today} in {where}, "
                f"and no later day has data yet. What to do: give dates up to {today}, or "
                "leave out --end to load up to today"
            )


def cmd_transform(args: argparse.Namespace) -> int:
    """``dbt build`` (or ``dbt run`` with --no-tests), with selection and full refresh."""
    name = target()
    _check_athena(name)
    _writable_for_dbt(name)
    command = ["run" if args.no_tests else "build"]
    if args.select:
        _check_selection(args.select, name)
        command += ["--select", *args.select]
    if args.full_refresh:
        command.append("--full-refresh")
    day = not (args.all or args.select or args.full_refresh or args.no_tests)
    _transform(_out(), name, command, changed=day)
    scanned = athena_scan_summary(docs_dir() / "run_results.json")
    if scanned is not None:
        total, dollars, costliest = scanned
        print(f"Athena scanned {total / 1e9:.2f} GB in this run (about ${dollars:.4f}); most:")
        for node, size in costliest:
            print(f"  {size / 1e6:>10.1f} MB  {node}")
    return 0


def _build(
    command: list[str], name: str, callbacks: list[Any] | None = None, *, changed: bool = False
) -> Any:
    """Runs the dbt command that builds, once no source has an unfinished load.

    On DuckDB the warehouse's lock is held from the check to the end of the build, so no
    load can start in between (the dbt run takes the same lock again, re-entrantly).

    Raises:
        TransformError: A source has an unfinished load, or dbt failed.
    """
    lock = warehouse_path().with_suffix(".lock")
    held = (
        exclusive(lock, f"the warehouse {warehouse_path()}") if name == "local" else nullcontext()
    )
    if plan_from_seeds():
        check_plan_seeds()
    try:
        with held:
            _refuse_unfinished_loads()
            return _dbt(command[0], command, name, callbacks, changed=changed)
    except LockError as exc:
        raise TransformError(f"dbt {command[0]}: {exc}") from None


def _refuse_unfinished_loads() -> None:
    """Raises if a source has a load dlt has not finished: its raw tables may mix two loads.

    Raises:
        TransformError: Names each such source, what of its load is in the warehouse, and
            the command that finishes it.
    """
    try:
        found = [load for source in SOURCES for load in unfinished_loads(source)]
    except IngestError as exc:
        raise TransformError(f"cannot check the sources' loads: {exc}") from None
    if not found:
        return
    sources = list(dict.fromkeys(load.source for load in found))
    finish = " and ".join(f"`argo ingest {source}`" for source in sources)
    raise TransformError(
        f"refusing to build: {', '.join(sources)} "
        f"{'has an unfinished load' if len(found) == 1 else 'have unfinished loads'} "
        f"({'; '.join(f'{load.source}: {load.describe()}' for load in found)}). "
        f"What to do: run {finish}, which finishes "
        f"{'it' if len(found) == 1 else 'them'} first, then build again"
    )


#: The dbt command running in this process, if any (what a stop interrupted).
_running_dbt: str | None = None


def _dbt(
    step: str,
    command: list[str],
    name: str,
    callbacks: list[Any] | None = None,
    *,
    changed: bool = False,
) -> Any:
    """:func:`argo.transform.dbt`, with a stop by Ctrl-C or SIGTERM reported as such.

    With ``changed``, the day's work (:func:`argo.transform.build_changed`) instead of
    ``command``. With ``callbacks`` (argo's progress) dbt writes nothing to the console
    itself (``--log-level none``): the callbacks show its progress and its errors, whole;
    its log file (logs/dbt.log) keeps everything as always.
    """
    global _running_dbt
    _running_dbt = step
    try:
        if changed:
            result = build_changed(target=name, callbacks=callbacks)
        else:
            result = dbt(command, target=name, callbacks=callbacks)
    except TransformError:
        signum = interrupts.received()
        if signum is None:
            raise
        raise interrupts.Interrupted(signum) from None
    _running_dbt = None
    return result


def _check_athena(name: str) -> None:
    """On Athena, names every missing AWS setting before dbt starts (dbt would stop at one).

    Raises:
        AwsError: A required variable is missing or malformed.
    """
    if name == "athena":
        from argo.aws import AwsConfig

        AwsConfig.from_env()


def _writable_for_dbt(name: str) -> None:
    """Checks the folders a dbt run writes: the warehouse's (DuckDB), ``target/``, ``logs/``.

    Raises:
        NotWritable: One cannot be written.
    """
    if name == "local":
        ensure_writable(warehouse_path().parent, "the warehouse and its lock")
    ensure_writable(docs_dir(), "dbt's artefacts (target/; DBT_TARGET_PATH to move them)")
    ensure_writable(_dbt_log().parent, "dbt's log (logs/; DBT_LOG_PATH to move it)")


def _dbt_log() -> Path:
    """The dbt log file: ``dbt.log`` in ``DBT_LOG_PATH`` or the project's ``logs/``."""
    return PROJECT_DIR / (os.environ.get("DBT_LOG_PATH") or "logs") / "dbt.log"


def _check_selection(select: list[str], name: str) -> None:
    """Refuses a ``--select`` criterion that matches no node (dbt would build nothing).

    Asks ``dbt ls`` (which opens no warehouse) and listens for its "does not match any
    enabled nodes" warning, one per criterion.

    Raises:
        UsageError: Names the criteria that match nothing.
        TransformError: dbt could not list the project.
    """
    from dbt.cli.main import dbtRunner

    unmatched: list[str] = []

    def listen(event: Any) -> None:
        if event.info.name == "NoNodesForSelectionCriteria":
            unmatched.append(str(event.data.spec_raw))

    result = dbtRunner(callbacks=[listen]).invoke(
        [
            "ls",
            "--select",
            *select,
            "--output",
            "name",
            "--log-level",
            "none",
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target",
            name,
        ]
    )
    if not result.success:
        signum = interrupts.received()
        if signum is not None:
            raise interrupts.Interrupted(signum)
        raise TransformError(f"dbt ls --select {' '.join(select)} failed: {result.exception}")
    if unmatched:
        criteria = ", ".join(f"'{c}'" for c in dict.fromkeys(unmatched))
        raise UsageError(
            f"--select {criteria} matches no model, seed, snapshot, test or source, so dbt "
            "would build nothing. What to do: check the name (`dbt ls` lists every node; "
            "`marts`, `staging.meta_ads` or `+fct_ad_performance_daily` select folders and "
            "lineage)"
        )


def cmd_docs(args: argparse.Namespace) -> int:
    """Builds the self-contained docs site under target/; ``--serve`` serves the built files.

    The site is one ``index.html`` that opens from disk and fetches nothing. Serving takes
    neither dbt nor the warehouse (a BI tool may hold it meanwhile): it builds the site
    first only when there is none yet or a ``--warehouse`` or ``--target`` asks for one.
    """
    from argo.transform import docs_site_ready, serve_docs

    site = docs_dir()
    if not args.serve or args.warehouse or args.target or not docs_site_ready(site):
        name = target()
        _check_athena(name)
        _writable_for_dbt(name)
        _dbt("docs", ["docs", "generate"], name)
        if name == "local":
            # dbt-duckdb keeps the file open read-write for the life of this process: close
            # it, so that another process (argo alerts, a BI tool) can open it meanwhile.
            _close_warehouse()
        print(f"Docs site: {site / 'index.html'} (opens from disk; it fetches nothing)")
    if args.serve:

        def ready(url: str) -> None:
            print(f"Serving {site} at {url} (Ctrl-C stops)", flush=True)

        serve_docs(site, args.port, ready=ready)
        interrupts.forget()  # Ctrl-C (or SIGTERM) is how serving ends
        print("Stopped serving the docs.", flush=True)
    return 0


def _close_warehouse() -> None:
    """Closes the DuckDB file dbt-duckdb keeps open after a run (and so ARGO's lock).

    dbt-duckdb keeps its connection for the life of the process (``keep_open``); a
    process that goes on serving must not keep the warehouse from the next load.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    DuckDBConnectionManager.close_all_connections()  # type: ignore[no-untyped-call]
    if environment is not None:
        environment.close()


def cmd_metrics(args: argparse.Namespace) -> int:
    """MetricFlow (``mf``) on the marts: ``argo metrics query --metrics roas ...``.

    Brings dbt's semantic manifest up to date (``dbt parse``), then runs MetricFlow's CLI
    in this process without its update check (argo/metrics.py).
    """
    from argo.metrics import run_mf

    name = target()
    if name != "local":
        raise UsageError(
            f"metrics are queried on the embedded warehouse only: MetricFlow 0.15 has no "
            f"client for {name}. What to do: query the marts on Athena with SQL (the "
            "metrics' definitions are in models/marts/marketing/_marketing__semantic_models.yml)"
        )
    arguments = [a for a in args.mf_args if a != "--"] or ["--help"]
    _writable_for_dbt(name)
    _dbt("parse", ["parse"], name)
    return run_mf(arguments)


def cmd_sandbox(args: argparse.Namespace) -> int:
    """Serves the fake APIs until interrupted, printing how to reach them."""
    with sandbox(seed=args.seed, scale=args.scale, days=args.days) as options:
        print("# The sandbox's own (fake) credentials; `argo ingest <source>` reads these:")
        for name, opts in options.items():
            for key, value in opts.items():
                if key in SOURCES[name].sandbox_options:
                    continue
                text = json.dumps(value) if isinstance(value, list | dict) else str(value)
                print(f"export SOURCES__{name.upper()}__{key.upper()}='{text}'")
        print("# Serving on 127.0.0.1; Ctrl-C stops.", flush=True)
        try:
            while True:
                clock.sleep(3600)
        except KeyboardInterrupt:
            interrupts.forget()  # Ctrl-C (or SIGTERM) is how serving ends
            print("# Stopped serving.", flush=True)
            return 0


def _alert_state() -> tuple[Any, str | None]:
    """The alert state, or ``None`` and why (one line already printed) when it is unreadable."""
    from argo.alerts import load, state_path, where

    location = state_path()
    try:
        return load(location), None
    except StateError as exc:
        print(f"argo: error: {exc}", file=sys.stderr)
        return None, f"{where(location)} cannot be read"


def _digest_folder(day: date | None, to: str | None) -> Path:
    """Where digest files go: ``--to PATH``, else ``digests/<day>/`` beside the warehouse."""
    folder = Path(to) if to else warehouse_path().parent / "digests" / str(day)
    return ensure_writable(folder.resolve(), "the digest files")


def cmd_digest(args: argparse.Namespace) -> int:
    """Writes the day's digest per AE (md, html or Slack JSON); posts Slack to a webhook."""
    from argo.delivery import WEBHOOK_ENV, is_url
    from argo.digest_render import summary

    name = target()
    _check_athena(name)
    to_url = args.to is not None and (is_url(args.to) or not args.to.strip())
    fmt = args.format or ("slack" if to_url else "md")
    if to_url and fmt != "slack":
        raise UsageError(
            f"--to names the Slack webhook, which takes --format slack, not {fmt}. What to do: "
            "give --format slack, or a folder as --to"
        )
    post = fmt == "slack" and (to_url or bool(os.environ.get(WEBHOOK_ENV, "").strip()))
    written = _write_digests(
        name,
        formats=(fmt,),
        post=post,
        url=args.to if to_url else None,
        to=None if to_url else args.to,
        day=date.fromisoformat(args.date) if args.date else None,
        advertiser=args.advertiser,
        owner=args.owner,
        top=args.top,
        wrote=lambda one, path: print(f"{one.owner.name}: {summary(one)} -> {path}"),
        posted=lambda one, tries: print(
            f"Posted the digest for {one.owner.name} to the Slack webhook"
            + (f" after {tries} attempts" if tries > 1 else "")
        ),
    )
    return FAILED if written.unreadable else 0


@dataclass
class Digests:
    """What :func:`_write_digests` wrote: the day, the folder, the files, the posts."""

    day: date
    folder: Path
    files: list[Path]
    posted: int
    unreadable: str | None

    def brief(self) -> str:
        """``2 AEs' digests in data/digests/2026-11-19`` (and how many were posted)."""
        owners = len({p.stem for p in self.files})
        posts = f", {self.posted} posted to Slack" if self.posted else ""
        return f"{owners} AEs' digests of {self.day} in {self.folder}{posts}"

    def describe(self) -> str:
        """``Digest of 2026-11-19: data/digests/2026-11-19 (kim.html, lee.html; ...)``."""
        names = sorted({p.stem for p in self.files})
        kinds = list(dict.fromkeys(p.suffix for p in self.files))
        shown = ", ".join(f"{n}{kinds[0]}" for n in names)
        named = {".md": "Markdown", ".html": "HTML", ".json": "Slack JSON"}
        more = "; ".join(f"{named.get(k, k)} beside each" for k in kinds[1:])
        more = f"; {more}" if more else ""
        posts = f"; {self.posted} posted to Slack" if self.posted else ""
        return f"Digest of {self.day}: {self.folder} ({shown}{more}{posts})"


def _write_digests(
    name: str,
    *,
    formats: tuple[str, ...],
    post: bool = False,
    url: str | None = None,
    to: str | None = None,
    day: date | None = None,
    advertiser: str | None = None,
    owner: str | None = None,
    top: int = 10,
    wrote: Any = None,
    posted: Any = None,
) -> Digests:
    """Writes the day's digest of every AE in ``formats``; posts them to Slack if ``post``.

    The one writer of digests: ``argo digest``, and the digest step of ``argo run`` and
    ``argo demo``.

    Args:
        name: The target.
        formats: File formats (``md``, ``html``, ``slack``), each file beside the others.
        post: Post each digest to the Slack webhook (``url``, else ``ARGO_SLACK_WEBHOOK_URL``).
        url: The webhook URL given on the command line.
        to: The folder (default ``digests/<day>/`` beside the warehouse).
        day: The day (default: the newest of the marts).
        advertiser: Only this advertiser.
        owner: Only this AE.
        top: Items per digest.
        wrote: Called with (digest, path) after each file of the first format.
        posted: Called with (digest, attempts) after each post.

    Raises:
        UsageError: ``advertiser`` has another AE than ``owner``.
        DigestError: No AE owns an advertiser (nobody to write a digest for).
        DeliveryError: A post failed (the files are on disk; the message says where).
        ReadError: The marts cannot be read.
    """
    from argo.delivery import PAUSE_BETWEEN_POSTS, webhook_url
    from argo.delivery import post as send
    from argo.digest_render import FORMATS, render, slack_payload

    webhook = webhook_url(url) if post else None
    state, unreadable = _alert_state()
    digests = digest.build(
        reader_for(name),
        day=day,
        advertiser=advertiser,
        owner=owner,
        top=top,
        state=state,
        unsuppressed=unreadable,
    )
    if not digests and advertiser and owner:
        raise UsageError(
            f"--advertiser {advertiser} belongs to no digest of --owner {owner}: the "
            "advertiser has another AE. What to do: leave out one of the two"
        )
    if not digests:
        raise DigestError(
            f"no account executive owns {advertiser or 'an advertiser'} in "
            "marts.dim_advertisers and it has nothing to report, so there is no one to write "
            "a digest for. What to do: give the advertiser an AE in the plan"
        )
    folder = _digest_folder(digests[0].day, to)
    files = []
    for one in digests:
        for number, fmt in enumerate(formats):
            path = folder / f"{one.owner.slug}.{FORMATS[fmt]}"
            path.write_text(render(one, fmt), encoding="utf-8")
            files.append(path)
            if number == 0 and wrote is not None:
                wrote(one, path)
    sent = 0
    if webhook is not None:
        for number, one in enumerate(digests):
            if number:
                clock.sleep(PAUSE_BETWEEN_POSTS)
            try:
                answer = send(webhook, slack_payload(one), what=f"the digest for {one.owner.name}")
            except DeliveryError as exc:
                raise DeliveryError(
                    f"{exc}. The digests are on disk in {folder}"
                    + (f" ({number} of {len(digests)} posted)" if number else "")
                ) from None
            sent += 1
            if posted is not None:
                posted(one, answer.attempts)
    return Digests(digests[0].day, folder, files, sent, unreadable)


def cmd_alerts(args: argparse.Namespace) -> int:
    """``argo alerts list|ack|snooze``: the alerts of the marts and what the AE decided."""
    from argo import alerts

    reader = reader_for(target())
    if args.action == "list":
        state, _ = _alert_state()
        day, rows = digest.alerts_table(
            reader,
            day=date.fromisoformat(args.date) if args.date else None,
            advertiser=args.advertiser,
            owner=args.owner,
            every=args.all,
        )
        print(f"Alerts {'up to' if args.all else 'open on'} {day} ({len(rows)}):")
        for row in rows:
            status = (
                "cleared"
                if row["event"] == "cleared"
                else state.describe(row["alert_id"], day)
                if state is not None
                else "state unreadable"
            )
            money = float(row.get("money_at_risk_in_reporting_currency") or 0)
            print(
                f"  {row['alert_id']}\n    {row.get('alert_kind')}, {row.get('severity')}, "
                f"{row.get('reporting_currency_code') or ''} {money:,.0f} at risk, first seen "
                f"{row.get('first_seen')}, last seen {row.get('last_seen')}, "
                f"{row['event']} on {row['date_day']}; {status}\n"
                f"    {row.get('headline') or row.get('reason')}"
            )
        return 0
    day = digest.newest_day(reader)
    row = digest.find_alert(reader, args.alert_id, day)
    if args.action == "ack":
        alerts.change(
            args.alert_id,
            "ack",
            {
                "first_seen": str(row.get("first_seen") or row["date_day"]),
                "on": day.isoformat(),
                "note": args.note,
            },
        )
        print(
            f"Acknowledged {args.alert_id} (episode from {row.get('first_seen')}): it stays out "
            f"of the digest until it worsens or clears ({alerts.state_path()})"
        )
        return 0
    until = date.fromisoformat(args.until)
    if until <= day:
        raise UsageError(
            f"--until {until} is not after the marts' newest day, {day}. What to do: give the "
            "first day the alert should be shown again"
        )
    alerts.change(args.alert_id, "snooze", {"until": until.isoformat()})
    print(f"Snoozed {args.alert_id} until {until} ({alerts.state_path()})")
    return 0


def cmd_aws(args: argparse.Namespace) -> int:
    """``argo aws bootstrap|check|policy``: ARGO's S3 buckets, Glue databases, workgroup."""
    from argo.aws import Aws, AwsConfig, Step, policy_json

    config = AwsConfig.from_env(raw_datasets=[spec.dataset for spec in SOURCES.values()])
    if args.action == "policy":
        print(policy_json(config, args.account))
        return 0
    fix = args.action == "bootstrap"
    print(
        f"{'Bootstrapping' if fix else 'Checking'} ARGO on AWS in {config.region} "
        f"(lake s3://{config.lake_bucket}, results s3://{config.results_bucket}, "
        f"workgroup {config.workgroup})",
        file=sys.stderr,
    )

    def show(step: Step) -> None:
        print(f"  {step}", file=sys.stderr, flush=True)

    steps = Aws(config).run(fix=fix, progress=show)
    problems = [s for s in steps if s.outcome == "problem"]
    if problems:
        print(
            f"\n{len(problems)} problem(s). What to do: run `argo aws bootstrap` (with a role "
            "allowed to create them), then `argo aws check` again",
            file=sys.stderr,
        )
        return 1
    changed = sum(s.outcome in ("created", "updated") for s in steps)
    print(f"\nAll {len(steps)} resources in place ({changed} changed by this run).")
    return 0


def _date(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``argo`` command."""
    parser = _Parser(prog="argo", description="ARGO: an ELT warehouse for digital advertising.")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="debug logging: dlt's and dbt's own lines too, also kept in logs/argo.log",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def world_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--seed", type=int, default=42, help="synthetic world seed (default 42)")
        p.add_argument("--scale", type=float, default=1.0, help="world scale factor (default 1)")
        p.add_argument("--days", type=int, default=90, help="days of history (default 90)")

    def target_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--target",
            choices=TARGETS,
            help="where to load and build: local (DuckDB, default) or athena (S3 + Glue + "
            "Athena, settings from the environment); same as ARGO_TARGET",
        )

    def warehouse_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--warehouse",
            type=Path,
            help="DuckDB file (default $ARGO_DUCKDB_PATH or data/argo.duckdb under the project)",
        )

    def loading_options(p: argparse.ArgumentParser) -> None:
        """What a command that loads sources takes: --sandbox, the world, where to load."""
        p.add_argument(
            "--sandbox",
            action="store_true",
            help="run against the sandbox (local fake APIs) instead of the real APIs",
        )
        world_options(p)
        warehouse_option(p)
        target_option(p)

    demo = sub.add_parser(
        "demo", help="sandbox -> ingest -> dbt build -> docs -> summary -> the day's digest"
    )
    world_options(demo)
    warehouse_option(demo)
    demo.add_argument("--no-docs", action="store_true", help="skip the docs site")
    demo.set_defaults(func=cmd_demo)

    run = sub.add_parser(
        "run",
        help="the daily job: ingest the configured sources side by side -> the day's build "
        "-> the digest, then a summary of what each step did",
    )
    run.add_argument(
        "--sources",
        nargs="+",
        metavar="SOURCE",
        help=f"only these sources (default ${SOURCES_ENV}, space-separated, else every source)",
    )
    run.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental marts from scratch (as `argo transform --full-refresh`)",
    )
    run.add_argument(
        "--no-digest",
        action="store_true",
        help="leave out the digest (default: as `argo digest` is configured: Slack when "
        "ARGO_SLACK_WEBHOOK_URL is set, else Markdown files in data/digests/<day>/)",
    )
    loading_options(run)
    run.set_defaults(func=cmd_run)

    ingest = sub.add_parser("ingest", help="load one source (or all) into raw_<source>")
    ingest.add_argument("source", choices=[*SOURCES, "all"])
    ingest.add_argument("--start", type=_date, help="first day (YYYY-MM-DD); overrides state")
    ingest.add_argument("--end", type=_date, help="last day (YYYY-MM-DD); default today")
    loading_options(ingest)
    ingest.set_defaults(func=cmd_ingest)

    transform = sub.add_parser(
        "transform",
        help="the day's work: dbt build of what the loads or the code changed since the last "
        "build, then publish (--all: everything)",
    )
    transform.add_argument(
        "--all", action="store_true", help="build and test everything, not only what changed"
    )
    transform.add_argument("--select", nargs="+", help="dbt node selection")
    transform.add_argument("--full-refresh", action="store_true")
    transform.add_argument(
        "--no-tests",
        action="store_true",
        help="dbt run instead of build: builds the marts but does not publish them "
        "(readers keep the last tested marts)",
    )
    target_option(transform)
    warehouse_option(transform)
    transform.set_defaults(func=cmd_transform)

    docs = sub.add_parser("docs", help="build the dbt docs site (the data catalog)")
    docs.add_argument("--serve", action="store_true", help="serve it on 127.0.0.1")
    docs.add_argument("--port", type=int, default=8080)
    target_option(docs)
    warehouse_option(docs)
    docs.set_defaults(func=cmd_docs)

    dig = sub.add_parser(
        "digest",
        help="the day's digest per AE (alerts new, worsened, cleared; ranked by money at "
        "risk) as md, html or Slack Block Kit, to files or a Slack webhook",
    )
    dig.add_argument("--date", type=_date, help="the day (default: the newest day of the marts)")
    dig.add_argument("--advertiser", help="only this advertiser (id or name)")
    dig.add_argument("--owner", help="only this account executive (name or email)")
    dig.add_argument(
        "--format",
        choices=["md", "html", "slack"],
        help="md (default), html (self-contained, with charts) or slack (Block Kit JSON)",
    )
    dig.add_argument(
        "--to",
        help="a folder for the files (default data/digests/<date>/), or the Slack webhook "
        "URL (default $ARGO_SLACK_WEBHOOK_URL with --format slack)",
    )
    dig.add_argument(
        "--top", type=int, default=10, help="items shown per digest, then '+k more' (10)"
    )
    target_option(dig)
    warehouse_option(dig)
    dig.set_defaults(func=cmd_digest)

    alerts = sub.add_parser(
        "alerts", help="list the alerts; acknowledge or snooze one (kept outside the marts)"
    )
    alert_actions = alerts.add_subparsers(dest="action", required=True, parser_class=_Parser)
    listing = alert_actions.add_parser("list", help="alerts open on a day (--all: every alert)")
    listing.add_argument("--date", type=_date, help="the day (default: the newest of the marts)")
    listing.add_argument("--advertiser", help="only this advertiser (id or name)")
    listing.add_argument("--owner", help="only this account executive (name or email)")
    listing.add_argument(
        "--all", action="store_true", help="every alert up to the day, cleared ones too"
    )
    ack = alert_actions.add_parser(
        "ack", help="keep an alert out of the digest until it worsens or its episode ends"
    )
    ack.add_argument("alert_id")
    ack.add_argument("--note", help="why (kept in the state file)")
    snooze = alert_actions.add_parser("snooze", help="keep an alert out of the digest until a day")
    snooze.add_argument("alert_id")
    snooze.add_argument(
        "--until", type=_date, required=True, help="the first day it is shown again (YYYY-MM-DD)"
    )
    for each in (listing, ack, snooze):
        target_option(each)
        warehouse_option(each)
    alerts.set_defaults(func=cmd_alerts)

    aws = sub.add_parser(
        "aws", help="production on AWS: create, check, or print the IAM policy (boto3)"
    )
    aws.add_argument(
        "action",
        choices=["bootstrap", "check", "policy"],
        help="bootstrap: create or repair the buckets, Glue databases and Athena workgroup; "
        "check: report without changing anything; policy: print the pipeline role's "
        "least-privilege IAM policy",
    )
    aws.add_argument("--account", default="*", help="AWS account id for the policy's ARNs")
    aws.set_defaults(func=cmd_aws)

    metrics = sub.add_parser(
        "metrics",
        help="MetricFlow on the marts: `argo metrics query --metrics roas --group-by "
        "metric_time__week` (any `mf` command: list metrics, validate-configs, query)",
    )
    metrics.add_argument("mf_args", nargs=argparse.REMAINDER, help="the arguments of `mf`")
    target_option(metrics)
    warehouse_option(metrics)
    metrics.set_defaults(func=cmd_metrics)

    box = sub.add_parser("sandbox", help="serve the fake APIs until Ctrl-C")
    world_options(box)
    box.set_defaults(func=cmd_sandbox)
    return parser


@contextmanager
def _settings(args: argparse.Namespace) -> Iterator[None]:
    """The run's warehouse and target, anchored at the project; as they were afterwards.

    ``--warehouse`` and ``--target`` win over ``ARGO_DUCKDB_PATH`` and ``ARGO_TARGET``;
    the warehouse path is made absolute, so dbt (which reads the variable as it is) opens
    the file ARGO means from any directory. The target is checked at once.

    Raises:
        SettingError: ``ARGO_TARGET`` names no target.
    """
    saved = {name: os.environ.get(name) for name in (WAREHOUSE_ENV, TARGET_ENV)}
    try:
        if getattr(args, "warehouse", None):
            use_warehouse(args.warehouse)
        else:
            anchor_warehouse()
        if getattr(args, "target", None):
            use_target(args.target)
        elif args.command in (
            "demo",
            "run",
            "ingest",
            "transform",
            "docs",
            "metrics",
            "digest",
            "alerts",
        ):
            target()
        if args.command in ("demo", "run", "transform", "docs", "metrics"):
            dbt_memory_limit()  # dbt's DuckDB (profiles.yml): refused before any step runs
        with project_dlt_settings():
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``argo`` console script.

    Returns:
        0 on success; 1 when a step failed or a setting is wrong; 2 when an argument is
        wrong; 130 after Ctrl-C and 143 after SIGTERM (the run stops cleanly: what it left
        behind is reported).
    """
    global _verbose
    args = build_parser().parse_args(argv)
    _verbose = bool(args.verbose)
    logging.basicConfig(
        level=logging.DEBUG if _verbose else logging.WARNING,
        format=LOG_FORMAT,
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    handlers = _log_file(_verbose)
    once = Once()
    if not _verbose:
        for handler in logging.getLogger().handlers:
            handler.addFilter(once)
    dlt_log = logging.getLogger("dlt")
    dlt_log.setLevel(logging.INFO if _verbose else logging.WARNING)
    if not _verbose:
        dlt_log.addFilter(_one_line)
    try:
        return _run(args)
    except BrokenPipeError:
        # The reader of the output left (`argo alerts list | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        dlt_log.removeFilter(_one_line)
        for handler in logging.getLogger().handlers:
            handler.removeFilter(once)
        for handler in handlers:
            logging.getLogger().removeHandler(handler)
            handler.close()


def _argo_log() -> Path:
    """``argo -v``'s log file: ``argo.log`` beside dbt's log (``DBT_LOG_PATH`` or logs/)."""
    return _dbt_log().with_name("argo.log")


def _log_file(verbose: bool) -> list[logging.Handler]:
    """With ``-v``, every record also goes to :func:`_argo_log` (appended to)."""
    if not verbose:
        return []
    path = _argo_log()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError as exc:
        print(f"argo: warning: cannot keep the log in {path} ({exc})", file=sys.stderr)
        return []
    handler.setFormatter(logging.Formatter(LOG_FORMAT, datefmt="%H:%M:%S"))
    handler.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    return [handler]


def _run(args: argparse.Namespace) -> int:
    """Runs the command; reports what stopped it in one line; returns the exit status."""
    global _running_dbt
    _running_dbt = None
    command = f"argo {args.command}"
    with interrupts.handled():
        try:
            with _settings(args):
                code: int = args.func(args)
            interrupts.raise_if_received()
            return code
        except UsageError as exc:
            print(f"{command}: error: {exc}", file=sys.stderr)
            return USAGE
        except (
            IngestError,
            TransformError,
            AwsError,
            LockError,
            SettingError,
            NotWritable,
            DigestError,
            ReadError,
            StateError,
            DeliveryError,
        ) as exc:
            signum = interrupts.received()
            if signum is not None:
                print(f"\n{command} interrupted: {exc}", file=sys.stderr)
                return interrupts.exit_code(signum)
            print(f"\n{command} failed: {exc}", file=sys.stderr)
            return FAILED
        except KeyboardInterrupt as exc:
            signum = interrupts.received() or getattr(exc, "signum", None) or 2
            print(f"\n{command} interrupted: {_stopped(args, signum)}", file=sys.stderr)
            return interrupts.exit_code(signum)


def _one_line(record: logging.LogRecord) -> bool:
    """Keeps dlt's warnings to their first line; ARGO's own line says what failed.

    ``argo -v`` shows dlt's messages whole, tracebacks included.
    """
    record.exc_info, record.exc_text, record.stack_info = None, None, None
    record.msg, record.args = (record.getMessage().splitlines() or [""])[0], None
    return True


def _stopped(args: argparse.Namespace, signum: int) -> str:
    """What a stop outside a load left behind (a stopped load reports itself)."""
    stop = f"stopped by {interrupts.name(signum)}"
    if _running_dbt == "docs":
        return f"dbt docs generate {stop}. What to do: run `argo docs` again"
    if _running_dbt is not None:
        return (
            f"dbt {_running_dbt} {stop}: the raw tables are as they were; the models dbt "
            "had finished are built, the one it was building was rolled back and the rest "
            "are as they were; readers of `marts` still see the marts of the last build that "
            f"passed every test (dbt's log: {_dbt_log()}). What to do: "
            f"run `argo {args.command if args.command in ('demo', 'run') else 'transform'}` again"
        )
    return (
        f"{stop} between steps; every step before it finished, nothing was half-written. "
        "What to do: run the same command again"
    )


if __name__ == "__main__":
    sys.exit(main())
