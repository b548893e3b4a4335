"""The world's labelled incidents and normal variation: the benchmark's ground truth."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

import pytest
import requests

from ingestion.sandbox import Faults
from ingestion.sandbox.incidents import KINDS, Incident, is_kr_holiday
from ingestion.sandbox.kakao_moment_api import KakaoMomentFake
from ingestion.sandbox.plan import KRW_PER_UNIT, normal_budgets, plan_months
from ingestion.sandbox.trackers import Trackers
from ingestion.sandbox.world import AdDay, World, WorldConfig

YEAR = WorldConfig(seed=42, scale=1.0, history_days=365, as_of=date(2026, 11, 30))
DEMO = WorldConfig(seed=42, scale=1.0, history_days=90, as_of=date(2026, 11, 20))


@cache
def world(config: WorldConfig) -> World:
    return World(config)


def of_kind(w: World, kind: str) -> list[Incident]:
    return [i for i in w.incidents() if i.kind == kind]


def campaign_rows(w: World, incident: Incident, since: date, until: date) -> Iterator[AdDay]:
    assert incident.account_id is not None
    for stat in w.daily_stats(incident.platform, incident.account_id, since, until):
        if stat.ad.campaign_id == incident.campaign_id:
            yield stat


def span(incident: Incident, w: World) -> tuple[date, date]:
    return incident.start, incident.end or w.as_of - timedelta(days=1)


def totals(rows: Iterator[AdDay]) -> tuple[int, int, Decimal, int]:
    impressions = clicks = conversions = 0
    spend = Decimal(0)
    for row in rows:
        impressions += row.impressions
        clicks += row.clicks
        spend += row.spend
        conversions += sum(row.actions.get(k, 0) for k in ("purchase", "lead", "install"))
        conversions += row.actions.get("mobile_app_install", 0)
    return impressions, clicks, spend, conversions


def before(incident: Incident, w: World) -> tuple[int, int, Decimal, int]:
    """The campaign's totals over the 28 days before the incident, scaled to its length."""
    first, last = span(incident, w)
    days = (last - first).days + 1
    rows = list(campaign_rows(w, incident, first - timedelta(days=28), first - timedelta(days=1)))
    impressions, clicks, spend, conversions = totals(iter(rows))
    scale = days / 28
    return (
        round(impressions * scale),
        round(clicks * scale),
        spend * Decimal(scale),
        round(conversions * scale),
    )


def test_incidents_are_drawn_from_the_seed_and_spread_over_the_history() -> None:
    year = world(YEAR)
    assert [asdict(i) for i in year.incidents()] == [asdict(i) for i in World(YEAR).incidents()]
    other = World(WorldConfig(seed=7, history_days=365, as_of=YEAR.as_of))
    assert [asdict(i) for i in other.incidents()] != [asdict(i) for i in year.incidents()]
    kinds = [i.kind for i in year.incidents()]
    assert {k: kinds.count(k) for k in KINDS} == dict.fromkeys(KINDS, 3)
    starts = sorted(i.start for i in year.incidents())
    # none in the first eight weeks (no baseline yet); each quarter of the rest has some
    assert starts[0] >= year.first_day + timedelta(days=63)
    quarter = (YEAR.as_of - starts[0]) / 4
    for q in range(4):
        assert any(starts[0] + quarter * q <= s < starts[0] + quarter * (q + 1) for s in starts)
    # a short world has none: too little history to judge anything
    assert World(WorldConfig(history_days=40, as_of=YEAR.as_of)).incidents() == []


def test_the_demo_world_has_every_kind_in_its_last_weeks() -> None:
    demo = world(DEMO)
    assert {i.kind for i in demo.incidents()} == set(KINDS)
    assert all(i.start >= DEMO.as_of - timedelta(days=28) for i in demo.incidents())


def test_labels_name_real_delivering_entities_and_never_share_a_platform_at_once() -> None:
    year = world(YEAR)
    for incident in year.incidents():
        accounts = year.accounts_of(incident.advertiser_id, incident.platform)
        assert accounts, incident
        if incident.account_id is not None:
            assert incident.account_id in {a.account_id for a in accounts}
        if incident.campaign_id is not None:
            assert incident.account_id is not None
            campaigns = {
                c.campaign_id: c for c in year.campaigns(incident.platform, incident.account_id)
            }
            campaign = campaigns[incident.campaign_id]
            assert campaign.status == "ACTIVE" and campaign.paused_on is None
            assert campaign.start_date <= incident.start - timedelta(days=63)
        assert incident.end is None or incident.end >= incident.start
        assert incident.effect
    by_pair: dict[tuple[str, str], list[tuple[date, date]]] = {}
    for incident in year.incidents():
        by_pair.setdefault((incident.advertiser_id, incident.platform), []).append(
            span(incident, year)
        )
    for spans in by_pair.values():
        spans.sort()
        assert all(a[1] < b[0] for a, b in itertools.pairwise(spans))


def test_tracking_broken_zeroes_conversions_and_tracker_installs_while_clicks_hold() -> None:
    year = world(YEAR)
    trackers = Trackers(year)
    for incident in of_kind(year, "tracking_broken"):
        first, last = span(incident, year)
        _, clicks, _, conversions = totals(campaign_rows(year, incident, first, last))
        _, clicks_before, _, conversions_before = before(incident, year)
        assert conversions == 0 and conversions_before > 0, incident
        assert 0.7 < clicks / clicks_before < 1.4, incident
        app = next(
            a
            for t in ("appsflyer", "adjust")
            for a in trackers.apps(t)
            if a.advertiser_id == incident.advertiser_id
        )
        rows = [r for r in trackers.daily(app, first - timedelta(days=7), last)]
        during = [r for r in rows if r.campaign_id == incident.campaign_id and r.date >= first]
        earlier = [r for r in rows if r.campaign_id == incident.campaign_id and r.date < first]
        assert during and sum(r.installs for r in during) == 0, incident
        assert sum(r.clicks for r in during) > 0
        assert sum(r.installs for r in earlier) > 0, incident


def test_spend_spike_and_cpc_surge_bend_spend_as_labelled() -> None:
    year = world(YEAR)
    for incident in of_kind(year, "spend_spike"):
        first, last = span(incident, year)
        impressions, clicks, spend, _ = totals(campaign_rows(year, incident, first, last))
        impressions_before, clicks_before, spend_before, _ = before(incident, year)
        assert 1.8 < impressions / impressions_before < 3.3, incident
        assert 1.8 < float(spend / spend_before) < 3.3, incident
    for incident in of_kind(year, "cpc_surge"):
        first, last = span(incident, year)
        _, clicks, spend, _ = totals(campaign_rows(year, incident, first, last))
        _, clicks_before, spend_before, _ = before(incident, year)
        assert 0.7 < clicks / clicks_before < 1.4, incident
        cpc = float(spend) / clicks
        assert 1.6 < cpc / (float(spend_before) / clicks_before) < 2.5, incident
        # exactly twice what the same clicks would have cost: the normal spend is the rest
        assert incident.account_id is not None
        account = year.normal_spend(incident.platform, incident.account_id, first, last)
        actual = sum(
            (
                s.spend
                for s in year.daily_stats(incident.platform, incident.account_id, first, last)
            ),
            Decimal(0),
        )
        extra = actual - sum(account.values(), Decimal(0))
        assert float(spend / (spend - extra)) == pytest.approx(2.0, rel=0.01)


def test_delivery_stops_while_the_campaign_stays_active_with_its_budget() -> None:
    year = world(YEAR)
    for incident in of_kind(year, "delivery_stopped"):
        first, last = span(incident, year)
        assert list(campaign_rows(year, incident, first, last)) == []
        assert list(campaign_rows(year, incident, first - timedelta(days=3), first))
        assert incident.account_id is not None
        campaign = next(
            c
            for c in year.campaigns(incident.platform, incident.account_id)
            if c.campaign_id == incident.campaign_id
        )
        groups = [
            g
            for g in year.ad_groups(incident.platform, incident.account_id)
            if g.campaign_id == incident.campaign_id
        ]
        assert campaign.status == "ACTIVE" and campaign.daily_budget_minor
        assert groups
        if incident.end is not None:  # it delivers again afterwards
            after = incident.end + timedelta(days=1)
            assert list(campaign_rows(year, incident, after, after + timedelta(days=2)))


def month_spend_krw(w: World, advertiser: str, platform: str, month: date) -> list[float]:
    """The advertiser's spend on a platform per day of ``month``, in won."""
    end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    days = [0.0] * ((end - month).days + 1)
    for account in w.accounts_of(advertiser, platform):
        for stat in w.daily_stats(platform, account.account_id, month, end):
            days[(stat.date - month).days] += float(stat.spend) * KRW_PER_UNIT[account.currency]
    return days


def test_budgets_run_out_mid_month_or_go_unspent_only_where_labelled() -> None:
    year = world(YEAR)
    months = [
        m
        for m in plan_months(year)
        if m > year.first_day and (m + timedelta(days=32)).replace(day=1) <= year.as_of
    ]
    assert len(months) == 11
    budgets = normal_budgets(year, months)
    labelled = {
        (i.advertiser_id, i.platform, i.start): i.kind
        for i in year.incidents()
        if i.kind in ("budget_exhausted", "under_delivery")
    }
    for advertiser in year.advertiser_ids():
        for platform in year.platforms():
            for month in months:
                budget = budgets[(advertiser, platform, month)]
                days = month_spend_krw(year, advertiser, platform, month)
                kind = labelled.get((advertiser, platform, month))
                if kind == "budget_exhausted":
                    running = itertools.accumulate(days)
                    day = next(n for n, total in enumerate(running, 1) if total > budget)
                    assert day <= 22, (advertiser, platform, month, day)
                elif kind == "under_delivery":
                    assert sum(days) < 0.6 * budget
                elif not any(
                    i.advertiser_id == advertiser
                    and i.platform == platform
                    and i.start <= month + timedelta(days=31)
                    and (i.end or year.as_of) >= month
                    for i in year.incidents()
                ):  # a normal month is spent on plan
                    assert sum(days) == pytest.approx(budget, rel=0.01, abs=100_000)


def test_holidays_bend_each_advertiser_the_same_way_every_time() -> None:
    year = world(YEAR)
    # Seollal, Chuseok and a substitute day are holidays; the day after Seollal is not
    assert all(is_kr_holiday(d) for d in (date(2026, 2, 17), date(2026, 9, 25), date(2026, 3, 2)))
    assert not is_kr_holiday(date(2026, 2, 19))
    factors = {year.holiday_factor(a) for a in year.advertiser_ids()}
    assert any(f < 1 for f in factors) and any(f > 1 for f in factors)
    holidays = [
        year.first_day + timedelta(days=n)
        for n in range(7, YEAR.history_days - 7)
        if is_kr_holiday(year.first_day + timedelta(days=n))
    ]
    assert len(holidays) >= 15
    for advertiser in year.advertiser_ids():
        accounts = [(p, a) for p in year.platforms() for a in year.accounts_of(advertiser, p)]

        def spend(day: date, accounts: list = accounts) -> float:  # type: ignore[type-arg]
            return sum(
                float(v) * KRW_PER_UNIT[a.currency]
                for p, a in accounts
                for v in year.normal_spend(p, a.account_id, day, day).values()
            )

        ratios = []
        for day in holidays:
            weeks = [day + timedelta(days=k) for k in (-7, 7)]
            usual = [spend(d) for d in weeks if not is_kr_holiday(d)]
            if usual:
                ratios.append(spend(day) / (sum(usual) / len(usual)))
        factor = year.holiday_factor(advertiser)
        # the same way on (nearly) every holiday, by the advertiser's factor on average
        same_way = [r for r in ratios if (r < 1) == (factor < 1)]
        assert len(same_way) >= 0.85 * len(ratios), (advertiser, ratios)
        assert sum(ratios) / len(ratios) == pytest.approx(factor, rel=0.1), (advertiser, ratios)


def test_delivery_grows_slowly() -> None:
    year = world(YEAR)
    for advertiser in year.advertiser_ids():
        first = year.first_day + timedelta(days=7)
        last = year.as_of - timedelta(days=14)
        factors = [year.growth_factor(advertiser, first), year.growth_factor(advertiser, last)]
        monthly = (factors[1] / factors[0]) ** (30.4 / (last - first).days) - 1
        assert 0.005 < monthly < 0.035


def test_the_kakao_fake_serves_the_demo_worlds_incidents() -> None:
    """What a connector reads: broken tracking and a spend spike in Kakao's own report."""
    demo = world(DEMO)
    broken = next(i for i in demo.incidents() if i.kind == "tracking_broken")
    spike = next(i for i in demo.incidents() if i.kind == "spend_spike")
    assert broken.platform == spike.platform == "kakao_moment"

    def served(fake: KakaoMomentFake, incident: Incident, since: date, until: date) -> list:
        assert incident.account_id is not None
        ads = [
            a.ad_id
            for a in demo.ads("kakao_moment", incident.account_id)
            if a.campaign_id == incident.campaign_id
        ]
        answer = requests.get(
            f"{fake.base_url}/openapi/v4/creatives/report",
            params={
                "creativeId": ",".join(ads),
                "start": since.strftime("%Y%m%d"),
                "end": until.strftime("%Y%m%d"),
                "timeUnit": "DAY",
                "metricsGroup": "BASIC,PIXEL_SDK_CONVERSION",
            },
            headers={
                "Authorization": "Bearer sandbox-kakao-business-token",
                "adAccountId": incident.account_id,
            },
            timeout=10,
        )
        return [row["metrics"] for row in answer.json()["data"]]

    with KakaoMomentFake(demo, Faults(), report_interval=0.0) as fake:
        first, last = span(broken, demo)
        during = served(fake, broken, first, last)
        earlier = served(fake, broken, first - timedelta(days=14), first - timedelta(days=1))
        assert sum(m["click"] for m in during) > 0.7 * sum(m["click"] for m in earlier) / 14 * 10
        assert sum(m["conv_app_install_7d"] for m in during) == 0
        assert sum(m["conv_app_install_7d"] for m in earlier) > 0
        first = spike.start
        during = served(fake, spike, first, first + timedelta(days=6))
        earlier = served(fake, spike, first - timedelta(days=14), first - timedelta(days=8))
        ratio = sum(Decimal(str(m["cost"])) for m in during) / sum(
            Decimal(str(m["cost"])) for m in earlier
        )
        assert 1.8 < ratio < 3.3
