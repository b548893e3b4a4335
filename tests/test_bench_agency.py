"""The agency bench's machinery: the daily job configured as production configures it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from bench import agency, run
from bench.agency import Size, Step


def test_sources_are_configured_through_their_environment_variables() -> None:
    env = agency.environment(
        {
            "meta_ads": {"account_ids": ["1", "22"], "backoff_factor": 0.05},
            "kakao_moment": {"report_interval_seconds": 5.0, "flag": True},
        }
    )
    assert env == {
        "SOURCES__META_ADS__ACCOUNT_IDS": "1,22",
        "SOURCES__META_ADS__BACKOFF_FACTOR": "0.05",
        "SOURCES__KAKAO_MOMENT__REPORT_INTERVAL_SECONDS": "5.0",
        "SOURCES__KAKAO_MOMENT__FLAG": "true",
    }


def test_a_list_setting_from_the_environment_reaches_the_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ingestion.sources.config import list_setting

    for name, value in agency.environment({"meta_ads": {"account_ids": ["1", "22"]}}).items():
        monkeypatch.setenv(name, value)
    import dlt

    @dlt.source(name="meta_ads", section="meta_ads")
    def probe(account_ids: Any = None) -> Any:
        items = list_setting(
            account_ids, source="meta_ads", name="account_ids", what="ids", example=["1"]
        )
        assert items == ["1", "22"]
        return dlt.resource([{"ok": 1}], name="probe")

    assert list(probe()) == [{"ok": 1}]


def test_the_daily_job_reads_no_start_date_and_the_day_before_reads_the_last_days() -> None:
    from datetime import date

    from ingestion.sandbox import World, WorldConfig
    from ingestion.sandbox.registry import start_fake

    world = World(WorldConfig(seed=1, scale=0.67, history_days=35, as_of=date(2026, 11, 29)))
    fake = start_fake("meta_ads", world)
    try:
        daily = agency._options("meta_ads", fake, daily=True)
        before = agency._options("meta_ads", fake, daily=False)
    finally:
        fake.stop()
    assert "start_date" not in daily
    assert before["start_date"] == "2026-11-26"
    assert daily["base_url"] == fake.base_url


def test_the_slowest_nodes_are_read_from_dbts_node_finished_events() -> None:
    def event(name: str, node: str = "", seconds: float | None = None) -> Any:
        return SimpleNamespace(
            info=SimpleNamespace(name=name),
            data=SimpleNamespace(
                node_info=SimpleNamespace(unique_id=node),
                run_result=SimpleNamespace(execution_time=seconds),
            ),
        )

    nodes = agency.NodeTimes()
    for each in (
        event("NodeStart", "model.x", 99.0),
        event("NodeFinished", "model.a", 1.04),
        event("NodeFinished", "model.b", 7.5),
        event("NodeFinished", "test.c", None),
    ):
        nodes(each)
    assert nodes.slowest(2) == [("model.b", 7.5), ("model.a", 1.0)]
    assert nodes.slowest()[-1] == ("test.c", 0.0)


def _size(accounts: int, seconds: float, *, transform: bool = True) -> dict[str, Any]:
    figures = Size(
        accounts=accounts,
        scale=1.0,
        advertisers=3,
        history_days=35,
        world_seconds=1.0,
        history_seconds=2.0,
        seconds=seconds,
        ingest_seconds=seconds / 2,
        peak_rss_mb=900.0,
        steps=[
            Step("meta_ads", 10.0, rows=100, requests=20, fake_seconds=1.5),
            Step("naver_searchad", 30.0, rows=300, requests=40, fake_seconds=2.5),
        ]
        + ([Step("transform", 50.0), Step("digest", 3.0)] if transform else []),
        slowest_nodes=[("model.a", 9.0)],
    )
    return figures.as_dict()


def test_the_target_is_the_whole_job_at_about_500_accounts() -> None:
    whole = _size(504, 800.0)
    assert whole["rows"] == 400 and whole["requests"] == 60 and whole["fake_seconds"] == 4.0
    assert whole["transform_seconds"] == 50.0 and whole["digest_seconds"] == 3.0
    assert agency.met(whole)
    assert not agency.met(_size(504, 901.0))
    assert not agency.met(_size(250, 100.0))
    assert not agency.met(_size(504, 100.0, transform=False))  # the build never ran
    assert not agency.met({**whole, "error": "argo run exited 1: adjust: failed"})
    summary = run.summarize({"agency": [_size(16, 60.0), whole]})
    assert summary["targets"]["agency"] is True
    assert "504 accounts: 800 s" in summary["target_figures"]["agency"]
    lines = agency.report([_size(16, 60.0), whole])
    assert any("naver_searchad" in line and "300" in line for line in lines)
    assert lines[-1].endswith("met (504 accounts, 800 s)")
