"""``argo run``: the daily job in one command; a failing source stops no other.

The sources are real (connectors against their sandbox fakes, loaded by dlt into a scratch
warehouse); the build is a stand-in that records its call, so these tests stay off dbt
(the build itself is the demo's and ``argo transform``'s to test).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from dlt.common.runtime import signals as dlt_signals

from argo import cli, interrupts, pipeline
from argo.cli import main
from argo.pipeline import IngestError, unfinished_loads
from ingestion import clock
from ingestion.sandbox.registry import connector_options, start_fakes, stop_fakes
from ingestion.sandbox.world import World, WorldConfig
from tests.conftest import query

#: Two quick sources: one is made to fail, the other must load regardless.
PAIR = ["kr_holidays", "weather"]
WORLD = ["--seed", "7", "--scale", "0.2", "--days", "10"]


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """The build stand-in: records (target, full_refresh) and returns an empty dbt result."""
    calls: list[tuple[str, bool]] = []

    def build(
        command: list[str], name: str, callbacks: list[Any] | None = None, *, changed: bool = False
    ) -> Any:
        full_refresh = "--full-refresh" in command
        assert changed is not full_refresh  # the day's work, unless told to rebuild
        calls.append((name, full_refresh))
        return SimpleNamespace(result=SimpleNamespace(results=[]))

    monkeypatch.setattr(cli, "_build", build)
    return calls


@pytest.fixture
def failing(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """The sandbox of ``argo run --sandbox``, whose weather fake answers 503 as often as set."""
    plan = {"weather": 0}

    @contextmanager
    def sandbox(
        *, seed: int, scale: float, days: int, **_: Any
    ) -> Iterator[dict[str, dict[str, Any]]]:
        world = World(WorldConfig(seed=seed, scale=scale, history_days=days, as_of=clock.today()))
        fakes = start_fakes(world, PAIR)
        fakes["weather"].faults.fail_next(plan["weather"], status=503)
        try:
            yield {source: connector_options(source, fake) for source, fake in fakes.items()}
        finally:
            stop_fakes(fakes)

    monkeypatch.setattr(cli, "sandbox", sandbox)
    return plan


@pytest.mark.pipeline
def test_a_failing_source_stops_no_other_names_its_step_and_the_next_run_resumes(
    warehouse: Path,
    builds: list[tuple[str, bool]],
    failing: dict[str, int],
    capsys: pytest.CaptureFixture[str],
) -> None:
    failing["weather"] = 1000  # every attempt of every request
    assert main(["run", "--sandbox", "--sources", *PAIR, *WORLD]) == 1
    out, err = capsys.readouterr()
    # the other source loaded, and its load is complete
    ((holidays,),) = query(warehouse, "select count(*) from raw_kr_holidays.holidays")
    assert holidays > 0 and unfinished_loads("kr_holidays") == []
    assert "  kr_holidays -> raw_kr_holidays: holidays " in out
    assert "  weather failed: weather" in out
    # the build ran with what loaded, and says so; the digest was left out
    assert builds == [("local", False)]
    assert "transform: " in out and "(without the new data of weather)" in out
    assert "digest: left out: a step before it failed" in out
    # one line on standard error: the step, the source, what to do
    (line,) = [text for text in err.splitlines() if text.strip()]
    assert line.startswith("argo run failed: ingest: weather")
    assert "What to do: fix the cause, then run `argo run` again" in line
    # the next run (the API is back) loads the failed source; the first's loads stay
    failing["weather"] = 0
    assert main(["run", "--sandbox", "--sources", *PAIR, *WORLD, "--no-digest"]) == 0
    ((weather,),) = query(warehouse, "select count(*) from raw_weather.daily_weather")
    ((loads,),) = query(warehouse, "select count(*) from raw_kr_holidays._dlt_loads")
    assert weather > 0 and loads == 2
    out = capsys.readouterr().out
    assert builds == [("local", False), ("local", False)]
    assert "FAILED" not in out and "weather" in out.splitlines()[-2] + out


def test_run_loads_argo_sources_unless_given_and_refuses_an_unknown_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(cli.SOURCES_ENV, "meta_ads, adjust")
    assert cli._configured_sources(None) == ["meta_ads", "adjust"]
    assert cli._configured_sources(["weather"]) == ["weather"]
    monkeypatch.delenv(cli.SOURCES_ENV)
    assert cli._configured_sources(None) == list(cli.SOURCES)
    with pytest.raises(cli.UsageError, match="--sources names metaads, which is not a source"):
        cli._configured_sources(["metaads"])


def test_run_takes_the_production_workflows_flags() -> None:
    args = cli.build_parser().parse_args(
        ["run", "--target", "athena", "--full-refresh", "--sources", "meta_ads", "adjust"]
    )
    assert (args.func, args.target, args.full_refresh, args.sources, args.no_digest) == (
        cli.cmd_run,
        "athena",
        True,
        ["meta_ads", "adjust"],
        False,
    )


def test_a_signal_stops_every_running_source_and_one_text_says_what_each_left(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C reaches the main thread; the sources' threads stop at dlt's next check."""
    both_running = threading.Barrier(3, timeout=30)

    def source_run(source: str, progress: Any = None, **options: Any) -> Any:
        both_running.wait()
        while not dlt_signals.was_signal_received():  # dlt's check between items
            dlt_signals.exit_event.wait(0.01)
        raise IngestError(
            f"{source}: stopped by Ctrl-C (SIGINT) during the extract step; nothing of this "
            "run was committed"
        )

    def press_ctrl_c() -> None:
        both_running.wait()
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    monkeypatch.setattr(pipeline, "run_source", source_run)
    threading.Thread(target=press_ctrl_c, daemon=True).start()
    try:
        with interrupts.handled(), pytest.raises(IngestError) as stopped:
            pipeline.run_sources({"kr_holidays": {}, "weather": {}})
    finally:
        dlt_signals.set_received_signal(0)
    assert str(stopped.value) == (
        "stopped by Ctrl-C (SIGINT): kr_holidays: stopped by Ctrl-C (SIGINT) during the "
        "extract step; nothing of this run was committed | weather: stopped by Ctrl-C "
        "(SIGINT) during the extract step; nothing of this run was committed"
    )
