"""Agency scale: the daily job (one new day plus each source's lookback) from 16 to ~500 accounts.

For each size, a sandbox world with about that many ad accounts across the four media
(Meta, Google Ads, Naver Search Ad, Kakao Moment; ``3 x scale`` advertisers, each with one
or two accounts on every medium) is served by the fakes in this process. The world has a
short history (``--history`` days, 35 by default: the daily job reads only each source's
lookback, at most 30 days); its last days are loaded first, unmeasured (the daily job's
window is anchored on the newest day loaded, and re-reads the lookback before it). Then
the world moves one day on and the daily job runs as production runs it, each step its
own process: every medium
incrementally (its state decides the window: the new day plus the lookback), then
``argo transform`` and ``argo digest``. Measured per step: wall seconds, peak memory of
the process (``VmHWM``), rows loaded, requests served, and the fakes' own seconds
(the time their handlers spent answering, summed over their threads: the fakes run in
this process, on the same two cores, and that time is not the connector's).

Each medium runs with its documented defaults (``max_parallel_accounts`` 8, Naver's
``report_workers``), set as a user sets them (environment variables), and against
Kakao's real pacing (one report call per account every 5 s, which the fake enforces).
Until ``argo run`` lands, the media run one after the other: ``argo ingest`` holds the
warehouse lock for its whole run, so two cannot load into one DuckDB file at once.

Usage: ``python -m bench.agency --accounts 16 64`` (or ``make bench`` with the ``agency``
section); ``python -m bench.agency cli <argo args>`` is the measured child of one step.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.common import PROJECT_DIR, Child, ChildFailed, answer, progress, run_child

#: The four media of an agency, in the order the daily job ingests them.
MEDIA = ("meta_ads", "google_ads", "naver_searchad", "kakao_moment")
#: The other sources of the daily job (trackers, public data), which do not grow with the
#: number of ad accounts in the same way; the plan stays the embedded seeds.
OTHERS = ("appsflyer", "adjust", "exchange_rates", "kr_holidays", "weather")
#: Accounts per advertiser: one or two on each of the four media (see ingestion/sandbox/world.py).
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
    """One measured step of the daily job."""

    step: str
    seconds: float
    peak_rss_mb: float
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
    steps: list[Step] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        """Wall seconds of the whole daily job (the steps one after the other)."""
        return sum(s.seconds for s in self.steps)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able figures, totals included."""
        ingest = [s for s in self.steps if s.step in MEDIA]
        others = [s for s in self.steps if s.step in OTHERS]
        return {
            **asdict(self),
            "seconds": round(self.seconds, 1),
            "ingest_seconds": round(sum(s.seconds for s in ingest), 1),
            "others_seconds": round(sum(s.seconds for s in others), 1),
            "requests": sum(s.requests for s in self.steps),
            "rows": sum(s.rows for s in self.steps),
            "peak_rss_mb": max((s.peak_rss_mb for s in self.steps), default=0.0),
            "fake_seconds": round(sum(s.fake_seconds for s in self.steps), 1),
        }


def _options(source: str, fake: Any, *, daily: bool) -> dict[str, Any]:
    from ingestion.sandbox.registry import connector_options

    options = connector_options(source, fake)
    if source == "kakao_moment":
        options["report_interval_seconds"] = KAKAO_INTERVAL
    if daily:
        options.pop("start_date", None)  # the state decides: the new day plus the lookback
    elif source in MEDIA:
        # The media's history: its last days are enough. Each source's state then holds the
        # newest day loaded, and the daily job re-reads its lookback before it whatever was
        # loaded (the world has the whole history to serve). The other sources (exchange
        # rates above all: every media day needs its rate) load the whole history.
        options["start_date"] = (fake.world.as_of - timedelta(days=HISTORY_LOADED)).isoformat()
    return options


def _ingest(source: str, fake: Any, warehouse: Path, workdir: Path, *, daily: bool) -> Step:
    options_file = workdir / f"{source}.options.json"
    options_file.write_text(json.dumps(_options(source, fake, daily=daily)))
    busy, count = fake.busy_seconds, len(fake.requests)
    started = time.perf_counter()
    try:
        child = run_child(
            "bench.ingest", "dlt", source, str(warehouse), str(options_file), env=SETTINGS
        )
    except ChildFailed as failed:  # the figures of the other steps still count
        progress(f"agency: {source} failed: {str(failed)[-600:]}")
        return Step(
            step=source,
            seconds=round(time.perf_counter() - started, 1),
            peak_rss_mb=0.0,
            requests=len(fake.requests) - count,
            fake_seconds=round(fake.busy_seconds - busy, 1),
            error=str(failed)[-2000:],
        )
    return Step(
        step=source,
        seconds=round(child.seconds, 1),
        peak_rss_mb=round(child.peak_rss_mb, 1),
        rows=int(child.answer.get("rows", 0)),
        requests=len(fake.requests) - count,
        fake_seconds=round(fake.busy_seconds - busy, 1),
    )


def _cli(name: str, warehouse: Path, *args: str) -> Step:
    started = time.perf_counter()
    try:
        child: Child = run_child(
            "bench.agency", "cli", *args, env={"ARGO_DUCKDB_PATH": str(warehouse), **SETTINGS}
        )
    except ChildFailed as failed:  # the figures of the other steps still count
        progress(f"agency: argo {name} failed: {str(failed).splitlines()[-1][:300]}")
        seconds = time.perf_counter() - started
        return Step(
            step=name, seconds=round(seconds, 1), peak_rss_mb=0.0, error=str(failed)[-2000:]
        )
    return Step(step=name, seconds=round(child.seconds, 1), peak_rss_mb=round(child.peak_rss_mb, 1))


def size(
    *,
    seed: int,
    accounts: int,
    history_days: int,
    as_of: date,
    workdir: Path,
    media_only: bool = False,
) -> Size:
    """The daily job on a world of about ``accounts`` ad accounts (``media_only``: its media)."""
    sources = MEDIA if media_only else (*MEDIA, *OTHERS)
    from ingestion.sandbox import World, WorldConfig
    from ingestion.sandbox.registry import start_fakes, stop_fakes

    workdir.mkdir(parents=True, exist_ok=True)
    warehouse = workdir / "argo.duckdb"
    warehouse.unlink(missing_ok=True)
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
            world,
            sources,
            overrides={"kakao_moment": {"report_interval": KAKAO_INTERVAL}},
        )
        progress(f"agency {served} accounts: loading the last days of the history")
        started = time.perf_counter()
        for source in sources:
            _ingest(source, fakes[source], warehouse, workdir, daily=False)
        history_seconds = time.perf_counter() - started
        world.advance(1)
        figures = Size(
            accounts=served,
            scale=round(scale, 2),
            advertisers=advertisers,
            history_days=history_days,
            world_seconds=round(world_seconds, 1),
            history_seconds=round(history_seconds, 1),
        )
        for source in sources:
            progress(f"agency {served} accounts: daily ingest {source}")
            figures.steps.append(_ingest(source, fakes[source], warehouse, workdir, daily=True))
    finally:
        stop_fakes(fakes)
    if media_only:
        return figures
    progress(f"agency {served} accounts: argo transform")
    figures.steps.append(_cli("transform", warehouse, "transform"))
    progress(f"agency {served} accounts: argo digest")
    figures.steps.append(_cli("digest", warehouse, "digest", "--to", str(workdir / "digests")))
    return figures


def run(
    *,
    seed: int,
    accounts: tuple[int, ...],
    history_days: int,
    as_of: date,
    workdir: Path,
    media_only: bool = False,
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
            media_only=media_only,
        )
        results.append(figures.as_dict())
        progress(f"agency {figures.accounts} accounts: daily job {figures.seconds:.0f} s")
    return results


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


def report(results: list[dict[str, Any]]) -> list[str]:
    """The section's lines of the printed report."""
    if not results:
        return []
    out = [
        "",
        "Agency scale: the daily job (one new day + each source's lookback): four media, "
        "the other sources, argo transform, argo digest; one after the other (warehouse lock)",
        _table(
            ["accounts", "wall s", "media s", "others s", "requests", "rows", "peak MB", "fake s"],
            [
                [
                    r["accounts"],
                    f"{r['seconds']:.0f}",
                    f"{r['ingest_seconds']:.0f}",
                    f"{r['others_seconds']:.0f}",
                    f"{r['requests']:,}",
                    f"{r['rows']:,}",
                    f"{r['peak_rss_mb']:.0f}",
                    f"{r['fake_seconds']:.0f}",
                ]
                for r in results
            ],
        ),
        "",
        "Per step (wall s / peak MB), largest size:",
    ]
    largest = results[-1]
    out.append(
        _table(
            ["step", "wall s", "peak MB", "rows", "requests", "fake s"],
            [
                [
                    s["step"],
                    f"{s['seconds']:.0f}",
                    f"{s['peak_rss_mb']:.0f}",
                    f"{s['rows']:,}",
                    f"{s['requests']:,}",
                    f"{s['fake_seconds']:.0f}",
                ]
                for s in largest["steps"]
            ],
        )
    )
    whole = any(s["step"] == "transform" for s in largest["steps"])
    met = largest["accounts"] >= 450 and largest["seconds"] <= TARGET_SECONDS
    verdict = ("met" if met else "NOT met") if whole else "not judged (media only)"
    out.append(
        f"target: {TARGET}: {verdict} ({largest['accounts']} accounts, {largest['seconds']:.0f} s)"
    )
    return out


def child_cli(argv: list[str]) -> None:
    """Runs one ``argo`` command in this process and answers its seconds and peak memory."""
    from argo.cli import main

    started = time.perf_counter()
    code = main(argv)
    if code:
        raise SystemExit(code)
    answer({"seconds": time.perf_counter() - started})


def main(argv: list[str]) -> int:
    """``cli <argo args>`` (a measured child) or a run of the section on its own."""
    if argv[:1] == ["cli"]:
        child_cli(argv[1:])
        return 0
    from ingestion import clock

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--accounts", type=int, nargs="+", default=[16, 64, 250, 500])
    parser.add_argument("--history", type=int, default=HISTORY_DAYS)
    parser.add_argument("--workdir", default="data/bench/agency")
    parser.add_argument("--out", default="data/bench/agency.json")
    parser.add_argument(
        "--media-only", action="store_true", help="only the four media's daily ingest"
    )
    args = parser.parse_args(argv)
    results = run(
        seed=args.seed,
        accounts=tuple(args.accounts),
        history_days=args.history,
        as_of=clock.today(),
        workdir=(PROJECT_DIR / args.workdir).resolve(),
        media_only=args.media_only,
    )
    out = PROJECT_DIR / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print("\n".join(report(results)))
    return 0


if __name__ == "__main__":
    os.chdir(PROJECT_DIR)
    sys.exit(main(sys.argv[1:]))
