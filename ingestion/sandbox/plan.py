"""The AE's plan for a synthetic world: advertisers, account mapping, budgets, KPI targets.

What an agency keeps in its planning spreadsheet (and ARGO reads from ``seeds/plan/`` or a
Google Sheet), drawn from a :class:`~ingestion.sandbox.world.World`: one row per advertiser
with the AE who owns it, every ad account and tracker app mapped to its advertiser, a
monthly budget per advertiser and platform for every month of :func:`plan_months` (what
the advertiser would spend there in a normal month, so that only the world's labelled
incidents pace off plan), with a mid-month change in one of them (the earlier version
keeps its validity), and CPA, ROAS, CPI and CTR targets. The Google Sheets fake serves
these rows; ``python -m ingestion.sandbox.plan seeds/plan`` writes them as the demo's
seeds (seed 42, scale 1, 90 days as of 2026-11-20).

Every table is a list of rows of text cells (what a spreadsheet holds), header first;
the column names are those of :data:`ingestion.plan.COLUMNS`.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from ingestion.plan import COLUMNS
from ingestion.sandbox.trackers import Trackers
from ingestion.sandbox.world import ACCOUNT_PROFILES, PLATFORMS, World, WorldConfig

#: The trackers whose apps are mapped like ad accounts (``platform`` is the tracker).
TRACKERS = ("appsflyer", "adjust")
#: The AEs of the synthetic agency, assigned to advertisers in turn.
AES = (("Kim Minji", "minji.kim@agency.example"), ("Lee Jun", "jun.lee@agency.example"))
#: Budgets are rounded to this many won.
BUDGET_ROUNDING_KRW = 100_000
#: Days at each end of the history whose average daily spend plans the months outside it.
EDGE_DAYS = 28
#: Won per unit of each account currency (the world's fixed rates, around which the
#: exchange-rate fakes walk).
KRW_PER_UNIT = {currency: 1400.0 / per_usd for currency, _, _, per_usd in ACCOUNT_PROFILES}


def plan_months(world: World) -> list[date]:
    """The first day of every month from the world's first day to the month after today.

    Today is the world's configured one: the plan does not move when the world advances.
    """
    month = world.first_day.replace(day=1)
    last = (world.config.as_of.replace(day=1) + timedelta(days=32)).replace(day=1)
    months = []
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _month_end(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def normal_budgets(world: World, months: list[date]) -> dict[tuple[str, str, date], int]:
    """Per (advertiser, platform, month), the won it would spend in a normal month.

    A month inside the history is planned at its normal spend (the world's delivery
    without the labelled incidents; a month partly inside at its average day times its
    days); a month outside at the average day of the nearest :data:`EDGE_DAYS` days of
    history. Rounded to :data:`BUDGET_ROUNDING_KRW`, at least that much.
    """
    # The plan is written once, on the world's configured today: a day passing
    # (World.advance) does not rewrite it. Its yesterday is left out, because Kakao's
    # yesterday is still settling then, and would read differently a day later.
    last_day = world.config.as_of - timedelta(days=2)
    daily: dict[tuple[str, str], dict[date, float]] = {}
    for platform in PLATFORMS:
        for account in world.accounts(platform):
            key = (account.advertiser_id, platform)
            days = daily.setdefault(key, defaultdict(float))
            rate = KRW_PER_UNIT[account.currency]
            spend = world.normal_spend(platform, account.account_id, world.first_day, last_day)
            for day, amount in spend.items():
                days[day] += float(amount) * rate
    budgets: dict[tuple[str, str, date], int] = {}
    for (advertiser, platform), days in daily.items():
        ordered = sorted(days)

        def average(chosen: list[date], spend: dict[date, float] = days) -> float:
            return sum(spend[d] for d in chosen) / len(chosen) if chosen else 0.0

        head, tail = average(ordered[:EDGE_DAYS]), average(ordered[-EDGE_DAYS:])
        for month in months:
            end = _month_end(month)
            inside = [d for d in ordered if month <= d <= end]
            length = (end - month).days + 1
            if inside:
                planned = average(inside) * length
            else:
                planned = (tail if month > last_day else head) * length
            rounded = round(Decimal(planned) / BUDGET_ROUNDING_KRW) * BUDGET_ROUNDING_KRW
            budgets[(advertiser, platform, month)] = max(int(rounded), BUDGET_ROUNDING_KRW)
    return budgets


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
    changed = world.config.as_of.replace(day=1)
    budgets = normal_budgets(world, months)
    for n, advertiser in enumerate(advertisers):
        for platform in PLATFORMS:
            for month in months:
                amount = budgets[(advertiser, platform, month)]
                end = _month_end(month)
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


#: The demo's world for the seeds: seed 42, scale 1, 90 days (``argo demo``'s defaults),
#: budgets for every month of 2026 and 2027.
DEMO_MONTHS = [date(2026 + m // 12, m % 12 + 1, 1) for m in range(24)]


def demo_tables() -> dict[str, list[list[str]]]:
    """The plan the demo's seeds ship (``seeds/plan/``)."""
    world = World(WorldConfig(seed=42, scale=1.0, history_days=90, as_of=date(2026, 11, 20)))
    return plan_tables(world, DEMO_MONTHS)


if __name__ == "__main__":  # python -m ingestion.sandbox.plan seeds/plan
    for path in write_csv(demo_tables(), Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(path)
