"""Agency scale: the daily job (one new day plus each source's lookback) from 16 to ~500 accounts.

For each size, a sandbox world with about that many ad accounts across the four media
(Meta, Google Ads, Naver Search Ad, Kakao Moment; ``3 x scale`` advertisers, each with one
or two accounts on every medium) is served by the fakes in this process. The world has a
short history (``--history`` days, 35 by default: the daily job reads only each source's
lookback, at most 30 days). The days before are unmeasured beyond their seconds: one
``argo run`` (the last days of the media and trackers, the public data's whole history,
a build of everything into one build schema, published), then one ``argo transform``
(everything into the other schema: builds alternate between the two, and each keeps the
dbt state of its own last build, as production's previous days leave them). Then the
world moves one day on and the daily job runs as production runs it: ``argo run``, one
process (the sources side by side, each one's accounts in parallel up to its
``max_parallel_accounts``; then ``argo transform``'s day's work, then the digest), every
source configured as production configures it (``SOURCES__<SOURCE>__<SETTING>``
variables pointing it at its fake; no ``start_date``: each source's state decides the
window, the new day plus its lookback).

Measured: the job's wall seconds and those of each step and source (argo run's own
summary), the process's peak memory (``VmHWM``), rows loaded, requests served, the fakes'
own seconds (the time their handlers spent answering, summed over their threads: the fakes
run in this process, on the same two cores, and that time is not the connector's), and the
slowest nodes of the day's build (each node's execution time, from dbt's events).

Each source runs with its documented defaults (``max_parallel_accounts`` 8, Naver's
``report_workers``), and against Kakao's real pacing (one report call per account every
5 s, which the fake enforces).

Usage: ``python -m bench.agency --accounts 16 64`` (``make bench``'s ``agency`` section
alone: ``python -m bench.run --skip`` of every other section); ``python -m bench.agency
cli <argo args>`` is the measured child, one ``argo`` command.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.common import PROJECT_DIR, ChildFailed, answer, progress, run_child, table

#: The four media of an agency, ingested side by side with the other sources.
MEDIA = ("meta_ads", "google_ads", "naver_searchad", "kakao_moment")
#: The other sources of the daily job (trackers, public data), which do not grow with the
#: number of ad accounts in the same way; the plan stays the embedded seeds.
OTHERS = ("appsflyer", "adjust", "exchange_rates", "kr_holidays", "weather")
SOURCES = (*MEDIA, *OTHERS)
#: The attribution trackers, whose fakes draw every install and event of the history.
TRACKERS = ("appsflyer", "adjust")
TARGET = "the daily job at ~500 accounts in 15 minutes or less"
TARGET_SECONDS = 15 * 60
#: The settings of the daily job, as a user sets them (environment); empty: the defaults.
SETTINGS: dict[str, str] = {}
#: Days of history of the world (more than the longest lookback, Google's 30).
HISTORY_DAYS = 35
#: Days of history loaded before the daily job (its window is anchored on the newest day).
HISTORY_LOADED = 3
#: Kakao's documented pacing, enforced by its fake and kept by the connector.
KAKAO_INTERVAL = 5.0
#: Nodes of the day's build listed in the figures, slowest first.
SLOWEST = 10


def advertisers_for(accounts: int) -> int:
    """The fewest advertisers whose world has at least ``accounts`` ad accounts (about)."""
    advertisers = 2
    while world_accounts(advertisers) < accounts:
        advertisers += 1
    # the closer of this and one fewer
    if advertisers > 2 and accounts - world_accounts(advertisers - 1) < (
        world_accounts(advertisers) - accounts
    ):
        advertisers -= 1
    return advertisers


def world_accounts(advertisers: int) -> int:
    """Ad accounts of a world of ``advertisers`` (advertiser ``a`` has ``1 + a % 2`` per medium)."""
    return len(MEDIA) * sum(1 + a % 2 for a in range(advertisers))


@dataclass
class Step:
    """One row of ``argo run``'s summary: a source or a step, with what the fakes served it."""

    step: str
    seconds: float
    #: What argo's summary says it did (a build: what it selected and why).
    what: str = ""
    rows: int = 0
    requests: int = 0
    fake_seconds: float = 0.0
    error: str | None = None


@dataclass
class Size:
    """The daily job at one size."""

    accounts: int
    scale: float
    advertisers: int
    history_days: int
    world_seconds: float
    history_seconds: float
    #: Wall seconds of the whole ``argo run`` process (start-up included).
    seconds: float = 0.0
    #: Wall seconds of its ingest step (the sources side by side).
    ingest_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    steps: list[Step] = field(default_factory=list)
    #: The day's build's slowest nodes: (unique id, seconds).
    slowest_nodes: list[tuple[str, float]] = field(default_factory=list)
    error: str | None = None

    def step(self, name: str) -> Step | None:
        """The step or source called ``name``, if it ran."""
        return next((s for s in self.steps if s.step == name), None)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able figures, totals included."""
        transform, digest = self.step("transform"), self.step("digest")
        return {
            **asdict(self),
            "transform_seconds": transform.seconds if transform else None,
            "digest_seconds": digest.seconds if digest else None,
            "requests": sum(s.requests for s in self.steps),
            "rows": sum(s.rows for s in self.steps),
            "fake_seconds": round(sum(s.fake_seconds for s in self.steps), 1),
        }


def _options(source: str, fake: Any, *, daily: bool) -> dict[str, Any]:
    from ingestion.sandbox.registry import connector_options

    options = connector_options(source, fake)
    if source == "kakao_moment":
        options["report_interval_seconds"] = KAKAO_INTERVAL
    if daily:
        options.pop("start_date", None)  # the state decides: the new day plus the lookback
    elif source in MEDIA or source in TRACKERS:
        # The history of the media and trackers: its last days are enough. Each source's
        # state then holds the newest day loaded, and the daily job re-reads its lookback
        # before it whatever was loaded (the world has the whole history to serve). The
        # public data (exchange rates above all: every media day needs its rate) loads the
        # whole history.
        options["start_date"] = (fake.world.as_of - timedelta(days=HISTORY_LOADED)).isoformat()
    return options


def setting(value: Any) -> str:
    """A setting's value as an environment variable holds it (a list: comma-separated)."""
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def environment(options: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """``SOURCES__<SOURCE>__<SETTING>`` variables of every source's options (as production's)."""
    from ingestion.registry import SOURCES

    return {
        SOURCES[source].env(name): setting(value)
        for source, settings in options.items()
        for name, value in settings.items()
    }


def _argo(
    fakes: Mapping[str, Any], workdir: Path, *args: str, daily: bool = True
) -> tuple[dict[str, Any], float, float, dict[str, tuple[int, float]], str | None]:
    """One ``argo <args>`` against ``fakes``: (its answer, seconds, peak MB, served, error).

    ``served``: source -> (requests, the fake's busy seconds) during the run.
    """
    options = {s: _options(s, fake, daily=daily) for s, fake in fakes.items()}
    env = {
        "ARGO_DUCKDB_PATH": str(workdir / "argo.duckdb"),
        "DBT_TARGET_PATH": str(workdir / "target"),
        "DBT_LOG_PATH": str(workdir / "target"),
        **environment(options),
        **SETTINGS,
    }
    before = {s: (len(f.requests), f.busy_seconds) for s, f in fakes.items()}
    started = time.perf_counter()
    result: dict[str, Any] = {}
    seconds, peak, error = 0.0, 0.0, None
    try:
        child = run_child("bench.agency", "cli", *args, env=env)
        result, seconds, peak = child.answer, child.seconds, child.peak_rss_mb
        if result.get("code"):
            failed = [f"{s['name']}: {s['failed']}" for s in result["steps"] if s["failed"]]
            error = f"argo {args[0]} exited {result['code']}: " + "; ".join(failed)
    except ChildFailed as failed:  # the figures of the steps that ran still count
        seconds, error = time.perf_counter() - started, str(failed)[-3000:]
    if error:
        progress(f"agency: argo {args[0]} failed: {error[-600:]}")
    served = {
        s: (len(f.requests) - before[s][0], f.busy_seconds - before[s][1]) for s, f in fakes.items()
    }
    return result, seconds, peak, served, error


class NodeTimes:
    """A dbt callback keeping every finished node's execution seconds (``NodeFinished``)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def __call__(self, event: Any) -> None:
        """Receives one dbt event (``EventMsg``)."""
        if event.info.name != "NodeFinished":
            return
        node = event.data.node_info.unique_id
        self.seconds[str(node)] = float(event.data.run_result.execution_time or 0.0)

    def slowest(self, count: int = SLOWEST) -> list[tuple[str, float]]:
        """The ``count`` slowest nodes, slowest first, seconds to a tenth."""
        timed = sorted(self.seconds.items(), key=lambda t: -t[1])[:count]
        return [(node, round(seconds, 1)) for node, seconds in timed]


def size(*, seed: int, accounts: int, history_days: int, as_of: date, workdir: Path) -> Size:
    """The daily job (one ``argo run``) on a world of about ``accounts`` ad accounts."""
    from ingestion.sandbox import World, WorldConfig
    from ingestion.sandbox.registry import start_fakes, stop_fakes

    workdir.mkdir(parents=True, exist_ok=True)
    advertisers = advertisers_for(accounts)
    scale = advertisers / 3
    started = time.perf_counter()
    # The history ends the day before: the daily job's new day is the world's yesterday.
    yesterday = as_of - timedelta(days=1)
    world = World(WorldConfig(seed=seed, scale=scale, history_days=history_days, as_of=yesterday))
    served = sum(len(world.accounts(m)) for m in MEDIA)
    world_seconds = time.perf_counter() - started
    fakes: dict[str, Any] = {}
    try:
        fakes = start_fakes(
            world, SOURCES, overrides={"kakao_moment": {"report_interval": KAKAO_INTERVAL}}
        )
        progress(f"agency {served} accounts: the days before (argo run, argo transform)")
        history = ["run", "--sources", *fakes, "--no-digest"]
        _, before, _, _, error = _argo(fakes, workdir, *history, daily=False)
        _, other, _, _, other_error = _argo(fakes, workdir, "transform")
        figures = Size(
            accounts=served,
            scale=round(scale, 2),
            advertisers=advertisers,
            history_days=history_days,
            world_seconds=round(world_seconds, 1),
            history_seconds=round(before + other, 1),
            error=(f"the days before: {error or other_error}" if error or other_error else None),
        )
        world.advance(1)
        progress(f"agency {served} accounts: the daily job (argo run)")
        daily = ["run", "--sources", *fakes]
        result, seconds, peak, per_source, error = _argo(fakes, workdir, *daily)
    finally:
        stop_fakes(fakes)
    figures.seconds = round(seconds, 1)
    figures.peak_rss_mb = round(peak, 1)
    figures.ingest_seconds = round(float(result.get("ingest_seconds", 0.0)), 1)
    figures.error = figures.error or error
    rows = result.get("rows", {})
    for step in result.get("steps", []):
        name = step["name"]
        requests, busy = per_source.get(name, (0, 0.0))
        figures.steps.append(
            Step(
                step=name,
                seconds=round(float(step["seconds"] or 0.0), 1),
                what=step["what"],
                rows=int(rows.get(name, 0)),
                requests=requests,
                fake_seconds=round(busy, 1),
                error=step["failed"],
            )
        )
    figures.slowest_nodes = [(str(n), float(s)) for n, s in result.get("slowest_nodes", [])]
    return figures


def run(
    *, seed: int, accounts: tuple[int, ...], history_days: int, as_of: date, workdir: Path
) -> list[dict[str, Any]]:
    """The daily job at every size of ``accounts`` (smallest first)."""
    results = []
    for wanted in sorted(accounts):
        figures = size(
            seed=seed,
            accounts=wanted,
            history_days=history_days,
            as_of=as_of,
            workdir=workdir / f"a{wanted}",
        )
        results.append(figures.as_dict())
        progress(f"agency {figures.accounts} accounts: daily job {figures.seconds:.0f} s")
    return results


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def report(results: list[dict[str, Any]]) -> list[str]:
    """The section's lines of the printed report."""
    if not results:
        return []
    out = [
        "",
        "Agency scale: the daily job (one new day + each source's lookback) as one `argo run`:",
        "the sources side by side, the day's build, the digest",
        table(
            [
                "accounts",
                "wall s",
                "ingest s",
                "transform s",
                "digest s",
                "requests",
                "rows",
                "peak MB",
                "fake s",
            ],
            [
                [
                    r["accounts"],
                    f"{r['seconds']:.0f}",
                    f"{r['ingest_seconds']:.0f}",
                    _seconds(r.get("transform_seconds")),
                    _seconds(r.get("digest_seconds")),
                    f"{r['requests']:,}",
                    f"{r['rows']:,}",
                    f"{r['peak_rss_mb']:.0f}",
                    f"{r['fake_seconds']:.0f}",
                ]
                for r in results
            ],
        ),
        "",
        "Per source and step (wall s), largest size:",
    ]
    largest = results[-1]
    out.append(
        table(
            ["step", "wall s", "rows", "requests", "fake s"],
            [
                [
                    s["step"] + (" FAILED" if s.get("error") else ""),
                    f"{s['seconds']:.0f}",
                    f"{s['rows']:,}",
                    f"{s['requests']:,}",
                    f"{s['fake_seconds']:.0f}",
                ]
                for s in largest["steps"]
            ],
        )
    )
    build = next((s for s in largest["steps"] if s["step"] == "transform"), None)
    if build:
        out.append(f"The day's build: {build.get('what', '')}")
    if largest.get("slowest_nodes"):
        out.append("The day's build, slowest nodes (s):")
        out += [f"  {seconds:>8.1f}  {uid}" for uid, seconds in largest["slowest_nodes"]]
    out.append(f"target: {TARGET}: {'met' if met(largest) else 'NOT met'} ({largest['accounts']}")
    out[-1] += f" accounts, {largest['seconds']:.0f} s)"
    return out


def met(largest: Mapping[str, Any]) -> bool:
    """Whether the largest size's whole daily job met the target (every step ran, no error)."""
    return (
        largest["accounts"] >= 450
        and largest["seconds"] <= TARGET_SECONDS
        and not largest.get("error")
        and largest.get("transform_seconds") is not None
    )


def child_cli(argv: list[str]) -> None:
    """Runs one ``argo`` command in this process and answers what its summary said.

    The answer holds its seconds, the rows of each source, the summary's rows (each source
    and step: seconds, failure) and the ingest step's wall seconds, read from argo's own
    functions as they return (the same objects its summary table prints).
    """
    import argo.cli as cli
    from argo.pipeline import IngestError

    seen: dict[str, Any] = {"rows": {}, "steps": [], "ingest_seconds": 0.0}
    ingest, ingested, summary, build = cli._ingest, cli._ingested, cli._summary, cli._build
    nodes = NodeTimes()

    def timed_build(command: list[str], name: str, callbacks: Any = None, **kw: Any) -> Any:
        return build(command, name, [*(callbacks or []), nodes], **kw)

    def timed_ingest(*args: Any) -> Any:
        began = time.perf_counter()
        try:
            return ingest(*args)
        finally:
            seen["ingest_seconds"] = time.perf_counter() - began

    def counted(outcomes: dict[str, Any]) -> Any:
        for source, outcome in outcomes.items():
            if not isinstance(outcome, IngestError):
                seen["rows"][source] = sum(outcome.rows.values())
        return ingested(outcomes)

    def kept(out: Any, steps: list[Any]) -> None:
        seen["steps"] = [asdict(step) for step in steps]
        summary(out, steps)

    setattr(cli, "_ingest", timed_ingest)  # noqa: B010 (the bench's listener, not a change)
    setattr(cli, "_ingested", counted)  # noqa: B010
    setattr(cli, "_summary", kept)  # noqa: B010
    setattr(cli, "_build", timed_build)  # noqa: B010
    started = time.perf_counter()
    code = cli.main(argv)
    # Answered whatever the exit status: a failed source or step leaves the others' figures.
    seconds = time.perf_counter() - started
    answer({**seen, "code": code, "seconds": seconds, "slowest_nodes": nodes.slowest()})


def main(argv: list[str]) -> int:
    """``cli <argo args>`` (a measured child), else ``make bench``'s agency section alone.

    ``--accounts N...`` stands for bench.run's ``--agency-accounts``; the other options
    are bench.run's (``--workdir``, ``--out``, ``--seed``).
    """
    if argv[:1] == ["cli"]:
        child_cli(argv[1:])
        return 0
    from bench import run

    others = [s for s in run.SECTIONS if s != "agency"]
    argv = ["--agency-accounts" if a == "--accounts" else a for a in argv]
    return run.main(["--skip", *others, *argv])


if __name__ == "__main__":
    os.chdir(PROJECT_DIR)
    sys.exit(main(sys.argv[1:]))
