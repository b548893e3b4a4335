"""The ``argo`` command: demo, ingest, transform, docs, digest, alerts, aws, sandbox."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
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
from argo.pipeline import IngestError, IngestResult, run_source, unfinished_loads
from argo.settings import (
    PROJECT_DIR,
    TARGET_ENV,
    TARGETS,
    WAREHOUSE_ENV,
    NotWritable,
    SettingError,
    anchor_warehouse,
    ensure_writable,
    project_dlt_settings,
    target,
    use_target,
    use_warehouse,
    warehouse_path,
)
from argo.transform import (
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


def _step(number: int, total: int, text: str) -> None:
    print(f"[{number}/{total}] {text}", file=sys.stderr, flush=True)


def _print_ingest(result: IngestResult) -> None:
    rows = ", ".join(f"{table} {count:,}" for table, count in sorted(result.rows.items()))
    print(
        f"  {result.source} -> {result.dataset}: {rows} ({result.seconds:.1f} s)", file=sys.stderr
    )


def cmd_demo(args: argparse.Namespace) -> int:
    """Sandbox -> ingest every source -> dbt build -> docs -> summary -> the day's digest."""
    path = warehouse_path()
    _writable_for_dbt(target())
    total = 3 if args.no_docs else 4
    started = time.perf_counter()
    _step(
        1, total, f"starting the sandbox (seed {args.seed}, scale {args.scale}, {args.days} days)"
    )
    with sandbox(seed=args.seed, scale=args.scale, days=args.days) as options:
        for number, source in enumerate(options, start=1):
            _step(2, total, f"ingesting {source} ({number}/{len(options)}) into {path}")
            _print_ingest(run_source(source, **options[source]))
    _step(3, total, "dbt build (seeds, models, data tests, unit tests)")
    _build(["build"], target())
    if not args.no_docs:
        _step(4, total, "dbt docs generate")
        _dbt("docs", ["docs", "generate"], target())
    print(f"\nARGO demo built in {time.perf_counter() - started:.0f} s. Warehouse: {path}")
    print(f"{'table':<44} {'rows':>10}  dates")
    for table in summarize(path):
        dates = f"{table.first_day} .. {table.last_day}" if table.first_day else ""
        print(f"{table.schema + '.' + table.name:<44} {table.rows:>10,}  {dates}")
    if not args.no_docs:
        print(f"\nDocs site: {docs_dir() / 'index.html'} (serve with `argo docs --serve`)")
    print(
        f"Query it: uv run python -c \"import duckdb; print(duckdb.connect('{path}')"
        ".sql('select * from marts.rpt_campaign_performance_daily limit 10'))\""
    )
    if target() == "local":
        _close_warehouse()  # dbt-duckdb keeps the file open read-write in this process
    print(_demo_digest())
    return 0


def _demo_digest() -> str:
    """Writes the as-of day's digests (HTML and Markdown); one line saying where they are."""
    from argo.digest_render import FORMATS, render

    state, unreadable = _alert_state()
    try:
        digests = digest.build(reader_for(target()), state=state, unsuppressed=unreadable)
    except ReadError as exc:
        return f"Digest: not written: {exc}"
    if not digests:
        return "Digest: not written: no AE owns an advertiser in marts.dim_advertisers"
    folder = _digest_folder(digests[0].day, None)
    for one in digests:
        for fmt in ("html", "md"):
            (folder / f"{one.owner.slug}.{FORMATS[fmt]}").write_text(
                render(one, fmt), encoding="utf-8"
            )
    names = ", ".join(f"{one.owner.slug}.html" for one in digests)
    return f"Digest of {digests[0].day}: {folder} ({names}; Markdown beside each)"


def cmd_ingest(args: argparse.Namespace) -> int:
    """Loads one source (or every source) for an optional date range."""
    names = list(SOURCES) if args.source == "all" else [args.source]
    _check_range(names, args.start, args.end)
    ensure_writable(
        warehouse_path().parent, "the warehouse, its lock and dlt's working folder (.dlt/)"
    )
    range_options = {"start_date": args.start, "end_date": args.end}
    if args.sandbox:
        with sandbox(seed=args.seed, scale=args.scale, days=args.days) as options:
            for name in names:
                _print_ingest(run_source(name, **{**options[name], **_given(range_options)}))
    else:
        for name in names:
            _print_ingest(run_source(name, **range_options))
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
    changed = _build(command, name, changed=day)
    if day:
        published = f"; published {changed.published}" if changed.published else ""
        print(f"transform: {changed.reason} ({changed.seconds:.1f} s{published})")
    scanned = athena_scan_summary(docs_dir() / "run_results.json")
    if scanned is not None:
        total, dollars, costliest = scanned
        print(f"Athena scanned {total / 1e9:.2f} GB in this run (about ${dollars:.4f}); most:")
        for node, size in costliest:
            print(f"  {size / 1e6:>10.1f} MB  {node}")
    return 0


def _build(command: list[str], name: str, *, changed: bool = False) -> Any:
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
            return _dbt(command[0], command, name, changed=changed)
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


def _dbt(step: str, command: list[str], name: str, *, changed: bool = False) -> Any:
    """:func:`argo.transform.dbt`, with a stop by Ctrl-C or SIGTERM reported as such."""
    global _running_dbt
    _running_dbt = step
    try:
        result = build_changed(target=name) if changed else dbt(command, target=name)
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
        print(f"Docs site: {site / 'index.html'} (opens from disk; it fetches nothing)")
    if args.serve:
        _close_warehouse()

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
    from argo.delivery import PAUSE_BETWEEN_POSTS, WEBHOOK_ENV, is_url, post, webhook_url
    from argo.digest_render import FORMATS, render, slack_payload, summary

    name = target()
    _check_athena(name)
    to_url = args.to is not None and (is_url(args.to) or not args.to.strip())
    fmt = args.format or ("slack" if to_url else "md")
    if to_url and fmt != "slack":
        raise UsageError(
            f"--to names the Slack webhook, which takes --format slack, not {fmt}. What to do: "
            "give --format slack, or a folder as --to"
        )
    url = None
    if fmt == "slack" and (to_url or os.environ.get(WEBHOOK_ENV, "").strip()):
        url = webhook_url(args.to if to_url else None)
    state, unreadable = _alert_state()
    digests = digest.build(
        reader_for(name),
        day=date.fromisoformat(args.date) if args.date else None,
        advertiser=args.advertiser,
        owner=args.owner,
        top=args.top,
        state=state,
        unsuppressed=unreadable,
    )
    if not digests and args.advertiser and args.owner:
        raise UsageError(
            f"--advertiser {args.advertiser} belongs to no digest of --owner {args.owner}: the "
            "advertiser has another AE. What to do: leave out one of the two"
        )
    if not digests:
        raise DigestError(
            f"no account executive owns {args.advertiser or 'an advertiser'} in "
            "marts.dim_advertisers and it has nothing to report, so there is no one to write "
            "a digest for. What to do: give the advertiser an AE in the plan"
        )
    folder = _digest_folder(digests[0].day, None if to_url else args.to)
    for one in digests:
        path = folder / f"{one.owner.slug}.{FORMATS[fmt]}"
        path.write_text(render(one, fmt), encoding="utf-8")
        print(f"{one.owner.name}: {summary(one)} -> {path}")
    if url is not None:
        for number, one in enumerate(digests):
            if number:
                clock.sleep(PAUSE_BETWEEN_POSTS)
            try:
                posted = post(url, slack_payload(one), what=f"the digest for {one.owner.name}")
            except DeliveryError as exc:
                raise DeliveryError(
                    f"{exc}. The digests are on disk in {folder}"
                    + (f" ({number} of {len(digests)} posted)" if number else "")
                ) from None
            tries = f" after {posted.attempts} attempts" if posted.attempts > 1 else ""
            print(f"Posted the digest for {one.owner.name} to the Slack webhook{tries}")
    return FAILED if unreadable else 0


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
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
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

    demo = sub.add_parser(
        "demo", help="sandbox -> ingest -> dbt build -> docs -> summary -> the day's digest"
    )
    world_options(demo)
    warehouse_option(demo)
    demo.add_argument("--no-docs", action="store_true", help="skip the docs site")
    demo.set_defaults(func=cmd_demo)

    ingest = sub.add_parser("ingest", help="load one source (or all) into raw_<source>")
    ingest.add_argument("source", choices=[*SOURCES, "all"])
    ingest.add_argument("--start", type=_date, help="first day (YYYY-MM-DD); overrides state")
    ingest.add_argument("--end", type=_date, help="last day (YYYY-MM-DD); default today")
    ingest.add_argument(
        "--sandbox",
        action="store_true",
        help="run against the local fake API instead of the real one",
    )
    world_options(ingest)
    warehouse_option(ingest)
    target_option(ingest)
    ingest.set_defaults(func=cmd_ingest)

    transform = sub.add_parser("transform", help="dbt build (models, data tests, unit tests)")
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
        elif args.command in ("demo", "ingest", "transform", "docs", "metrics", "digest", "alerts"):
            target()
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
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    dlt_log = logging.getLogger("dlt")
    dlt_log.setLevel(logging.WARNING)
    if not args.verbose:
        dlt_log.addFilter(_one_line)
    try:
        return _run(args)
    except BrokenPipeError:
        # The reader of the output left (`argo alerts list | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        dlt_log.removeFilter(_one_line)


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
            f"run `argo {'demo' if args.command == 'demo' else 'transform'}` again"
        )
    return (
        f"{stop} between steps; every step before it finished, nothing was half-written. "
        "What to do: run the same command again"
    )


if __name__ == "__main__":
    sys.exit(main())
