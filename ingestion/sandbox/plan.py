"""The AE's plan for a synthetic world: advertisers, account mapping, budgets, KPI targets.

What an agency keeps in its planning spreadsheet (and ARGO reads from ``seeds/plan/`` or a
Google Sheet), drawn from a :class:`~ingestion.sandbox.world.World`: one row per advertiser
with the AE who owns it, every ad account and tracker app mapped to its advertiser, a
monthly budget per advertiser and platform for every month of :func:`plan_months`, with a
mid-month change in one of them (the earlier version keeps its validity), and CPA, ROAS,
CPI and CTR targets. The Google Sheets fake serves these rows; ``python -m
ingestion.sandbox.plan seeds/plan`` writes them as the demo's seeds (seed 42, scale 1).

Every table is a list of rows of text cells (what a spreadsheet holds), header first;
the column names are those of :data:`ingestion.plan.COLUMNS`.
"""

from __future__ import annotations

import csv
import sys
from datetime import date, timedelta
from pathlib import Path

from ingestion.plan import COLUMNS
from ingestion.sandbox.trackers import Trackers
from ingestion.sandbox.world import PLATFORMS, World, WorldConfig

#: The trackers whose apps are mapped like ad accounts (``platform`` is the tracker).
TRACKERS = ("appsflyer", "adjust")
#: The AEs of the synthetic agency, assigned to advertisers in turn.
AES = (("Kim Minji", "minji.kim@agency.example"), ("Lee Jun", "jun.lee@agency.example"))
#: Monthly budget per platform of the first advertiser, in won; the n-th has n times it.
MONTHLY_BUDGET_KRW = {
    "meta_ads": 30_000_000,
    "google_ads": 24_000_000,
    "naver_searchad": 18_000_000,
    "kakao_moment": 12_000_000,
}


def plan_months(world: World) -> list[date]:
    """The first day of every month from the world's first day to the month after today."""
    month = world.first_day.replace(day=1)
    last = (world.as_of.replace(day=1) + timedelta(days=32)).replace(day=1)
    months = []
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def plan_tables(world: World, months: list[date] | None = None) -> dict[str, list[list[str]]]:
    """The plan of ``world`` (every table of :data:`COLUMNS`, header row first).

    Args:
        world: The synthetic world.
        months: The months budgets are planned for (first days); default
            :func:`plan_months`. The month of the world's today holds the mid-month
            change: from its 16th, the first advertiser's Meta budget rises by half.
    """
    months = plan_months(world) if months is None else months
    # in the order the world drew them: "Advertiser 1" owns the accounts named so
    advertisers = list(dict.fromkeys(a.advertiser_id for p in PLATFORMS for a in world.accounts(p)))
    tables: dict[str, list[list[str]]] = {name: [list(c)] for name, c in COLUMNS.items()}
    for n, advertiser in enumerate(advertisers):
        ae_name, ae_email = AES[n % len(AES)]
        tables["advertisers"].append([advertiser, f"Advertiser {n + 1}", ae_name, ae_email])
    for platform in PLATFORMS:
        for account in world.accounts(platform):
            tables["ad_accounts"].append([platform, account.account_id, account.advertiser_id])
    trackers = Trackers(world)
    for tracker in TRACKERS:
        for app in trackers.apps(tracker):
            tables["ad_accounts"].append([tracker, app.app_id, app.advertiser_id])
    changed = world.as_of.replace(day=1)
    for n, advertiser in enumerate(advertisers):
        for platform, krw in MONTHLY_BUDGET_KRW.items():
            amount = krw * (n + 1)
            for month in months:
                end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
                row = [advertiser, platform, "", "", "monthly", str(month), str(end)]
                tables["budgets"].append([*row, str(amount), "KRW", str(month)])
                if month == changed and n == 0 and platform == "meta_ads":
                    raised = str(amount * 3 // 2)
                    tables["budgets"].append([*row, raised, "KRW", str(month.replace(day=16))])
    since = str(months[0]) if months else str(world.first_day)
    for n, advertiser in enumerate(advertisers):
        tables["targets"] += [
            [advertiser, "", "", "cpa", str(15_000 + 5_000 * n), "KRW", since],
            [advertiser, "", "", "roas", "3.5", "", since],
            [advertiser, "", "", "cpi", str(3_000 + 500 * n), "KRW", since],
            [advertiser, "meta_ads", "", "ctr", "0.012", "", since],
            [advertiser, "naver_searchad", "", "ctr", "0.025", "", since],
        ]
    return tables


def write_csv(tables: dict[str, list[list[str]]], folder: Path) -> list[Path]:
    """Writes each table as ``plan_<table>.csv`` in ``folder``; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in tables.items():
        path = folder / f"plan_{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            csv.writer(out, lineterminator="\n").writerows(rows)
        written.append(path)
    return written


#: The demo's world for the seeds: seed 42, scale 1 (``argo demo``'s defaults), budgets
#: for every month of 2026 and 2027.
DEMO_MONTHS = [date(2026 + m // 12, m % 12 + 1, 1) for m in range(24)]


def demo_tables() -> dict[str, list[list[str]]]:
    """The plan the demo's seeds ship (``seeds/plan/``)."""
    world = World(WorldConfig(seed=42, scale=1.0, history_days=60, as_of=date(2026, 11, 20)))
    return plan_tables(world, DEMO_MONTHS)


if __name__ == "__main__":  # python -m ingestion.sandbox.plan seeds/plan
    for path in write_csv(demo_tables(), Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(path)
