"""The sandbox's plan: the demo's seeds are what it draws, and it covers every account."""

from __future__ import annotations

import csv
from datetime import date

from argo.settings import PROJECT_DIR
from ingestion.plan import COLUMNS
from ingestion.sandbox.plan import TRACKERS, demo_tables, plan_tables
from ingestion.sandbox.trackers import Trackers
from ingestion.sandbox.world import PLATFORMS, World, WorldConfig


def test_the_demo_seeds_are_the_sandbox_plan() -> None:
    """seeds/plan/ equals what `python -m ingestion.sandbox.plan seeds/plan` writes."""
    for name, rows in demo_tables().items():
        path = PROJECT_DIR / "seeds" / "plan" / f"plan_{name}.csv"
        with path.open(encoding="utf-8", newline="") as seed:
            assert list(csv.reader(seed)) == rows, (
                f"{path}: run python -m ingestion.sandbox.plan seeds/plan"
            )


def test_every_account_and_app_is_mapped_and_one_month_changes_mid_month() -> None:
    world = World(WorldConfig(seed=7, scale=0.5, history_days=40, as_of=date(2026, 3, 10)))
    tables = plan_tables(world)
    assert {name: rows[0] for name, rows in tables.items()} == {
        name: list(columns) for name, columns in COLUMNS.items()
    }
    mapped = {(r[0], r[1]): r[2] for r in tables["ad_accounts"][1:]}
    apps = [(t, a) for t in TRACKERS for a in Trackers(world).apps(t)]
    accounts = [(p, a) for p in PLATFORMS for a in world.accounts(p)]
    assert len(mapped) == len(accounts) + len(apps)
    for platform, account in accounts:
        assert mapped[(platform, account.account_id)] == account.advertiser_id
    advertisers = {r[0] for r in tables["advertisers"][1:]}
    assert set(mapped.values()) == advertisers
    # months from the world's first (January) to the one after today (April)
    months = sorted({r[5] for r in tables["budgets"][1:]})
    assert months == ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    versions = [r for r in tables["budgets"][1:] if r[5] == "2026-03-01" and r[1] == "meta_ads"]
    changed = [r for r in versions if r[9] == "2026-03-16"]
    assert len(changed) == 1 and int(changed[0][7]) == int(versions[0][7]) * 3 // 2


def test_the_plan_does_not_move_when_the_world_advances() -> None:
    """A planning sheet is written once: the days that pass (and Kakao's yesterday
    settling) do not rewrite it, so a reload serves the same budgets."""
    world = World(WorldConfig(seed=7, scale=0.3, history_days=75, as_of=date(2026, 11, 17)))
    before = plan_tables(world)
    world.advance(1)
    assert plan_tables(world) == before
    world.advance(20)  # into the next month: still the plan written on the 17th
    assert plan_tables(world) == before
