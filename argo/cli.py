"""The ``argo`` command: demo, ingest, transform, docs, aws, sandbox."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from argo.aws import AwsError
from argo.pipeline import IngestError, IngestResult, run_source
from argo.settings import (
    PROJECT_DIR,
    TARGETS,
    project_dlt_settings,
    target,
    use_target,
    use_warehouse,
    warehouse_path,
)
from argo.transform import TransformError, athena_scan_summary, dbt, summarize
from ingestion import clock
from ingestion.registry import SOURCES
from ingestion.sandbox.registry import sandbox

log = logging.getLogger("argo")


def _step(number: int, total: int, text: str) -> None:
    print(f"[{number}/{total}] {text}", file=sys.stderr, flush=True)


def _print_ingest(result: IngestResult) -> None:
    rows = ", ".join(f"{table} {count:,}" for table, count in sorted(result.rows.items()))
    print(
        f"  {result.source} -> {result.dataset}: {rows} ({result.seconds:.1f} s)", file=sys.stderr
    )


def cmd_demo(args: argparse.Namespace) -> int:
    """Sandbox -> ingest every source -> dbt build -> docs -> summary."""
    path = use_warehouse(args.warehouse) if args.warehouse else warehouse_path()
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
    dbt(["build"])
    if not args.no_docs:
        _step(4, total, "dbt docs generate")
        dbt(["docs", "generate"])
    print(f"\nARGO demo built in {time.perf_counter() - started:.0f} s. Warehouse: {path}")
    print(f"{'table':<44} {'rows':>10}  dates")
    for table in summarize(path):
        dates = f"{table.first_day} .. {table.last_day}" if table.first_day else ""
        print(f"{table.schema + '.' + table.name:<44} {table.rows:>10,}  {dates}")
    if not args.no_docs:
        print(
            f"\nDocs site: {PROJECT_DIR / 'target' / 'index.html'} (serve with `argo docs --serve`)"
        )
    print(
        f"Query it: uv run python -c \"import duckdb; print(duckdb.connect('{path}')"
        ".sql('select * from marts.rpt_campaign_performance_daily limit 10'))\""
    )
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Loads one source (or every source) for an optional date range."""
    if args.warehouse:
        use_warehouse(args.warehouse)
    if args.target:
        use_target(args.target)
    names = list(SOURCES) if args.source == "all" else [args.source]
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


def cmd_transform(args: argparse.Namespace) -> int:
    """``dbt build`` (or ``dbt run`` with --no-tests), with selection and full refresh."""
    if args.warehouse:
        use_warehouse(args.warehouse)
    command = ["run" if args.no_tests else "build"]
    if args.select:
        command += ["--select", *args.select]
    if args.full_refresh:
        command.append("--full-refresh")
    if args.target:
        use_target(args.target)
    dbt(command, target=target())
    target_dir = Path(os.environ.get("DBT_TARGET_PATH") or PROJECT_DIR / "target")
    scanned = athena_scan_summary(target_dir / "run_results.json")
    if scanned is not None:
        total, dollars, costliest = scanned
        print(f"Athena scanned {total / 1e9:.2f} GB in this run (about ${dollars:.4f}); most:")
        for node, size in costliest:
            print(f"  {size / 1e6:>10.1f} MB  {node}")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    """Builds the self-contained docs site under target/; ``--serve`` serves the built files.

    The site is one ``index.html`` that opens from disk and fetches nothing. Serving takes
    neither dbt nor the warehouse (a BI tool may hold it meanwhile): it builds the site
    first only when there is none yet or a ``--warehouse`` or ``--target`` asks for one.
    """
    from argo.transform import docs_dir, docs_site_ready, serve_docs

    if args.warehouse:
        use_warehouse(args.warehouse)
    if args.target:
        use_target(args.target)
    site = docs_dir()
    if not args.serve or args.warehouse or args.target or not docs_site_ready(site):
        dbt(["docs", "generate"], target=target())
        print(f"Docs site: {site / 'index.html'} (opens from disk; it fetches nothing)")
    if args.serve:

        def ready(url: str) -> None:
            print(f"Serving {site} at {url} (Ctrl-C stops)", flush=True)

        serve_docs(site, args.port, ready=ready)
        print("Stopped serving the docs.", flush=True)
    return 0


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
    parser = argparse.ArgumentParser(
        prog="argo", description="ARGO: an ELT warehouse for digital advertising."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

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
            help="DuckDB file (default $ARGO_DUCKDB_PATH or data/argo.duckdb)",
        )

    demo = sub.add_parser("demo", help="sandbox -> ingest -> dbt build -> docs -> summary")
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

    box = sub.add_parser("sandbox", help="serve the fake APIs on 127.0.0.1 until Ctrl-C")
    world_options(box)
    box.set_defaults(func=cmd_sandbox)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``argo`` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    logging.getLogger("dlt").setLevel(logging.WARNING)
    try:
        with project_dlt_settings():
            code: int = args.func(args)
        return code
    except (IngestError, TransformError, AwsError) as exc:
        print(f"\nargo {args.command} failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; nothing half-written: rerun the same command", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
