"""The synthetic world: deterministic, believable, restating conversions like Meta does."""

from __future__ import annotations

from datetime import date, timedelta

from ingestion.sandbox.world import (
    CONVERSION_KINDS,
    PLATFORMS,
    SETTLEMENT_DAYS,
    SETTLING_ACTIONS,
    World,
    WorldConfig,
    maturity,
)

CONFIG = WorldConfig(seed=3, scale=0.3, history_days=40, as_of=date(2026, 6, 1))


def stats(world: World) -> list[tuple[object, ...]]:
    return [
        (s.date, s.ad.ad_id, s.impressions, s.clicks, s.spend, tuple(sorted(s.actions.items())))
        for a in world.accounts("meta_ads")
        for s in world.daily_stats("meta_ads", a.account_id, world.first_day, world.as_of)
    ]


def test_same_config_same_world_and_other_seed_differs() -> None:
    assert stats(World(CONFIG)) == stats(World(CONFIG))
    other = World(WorldConfig(seed=4, scale=0.3, history_days=40, as_of=date(2026, 6, 1)))
    assert stats(other) != stats(World(CONFIG))


def test_a_day_does_not_depend_on_the_range_asked() -> None:
    world = World(CONFIG)
    account = world.accounts("meta_ads")[0].account_id
    day = world.first_day + timedelta(days=20)
    whole = [
        s
        for s in world.daily_stats("meta_ads", account, world.first_day, world.as_of)
        if s.date == day
    ]
    alone = list(world.daily_stats("meta_ads", account, day, day))
    assert whole == alone and alone


def test_range_is_clipped_to_history() -> None:
    world = World(CONFIG)
    account = world.accounts("meta_ads")[0].account_id
    days = {
        s.date for s in world.daily_stats("meta_ads", account, date(2000, 1, 1), date(2100, 1, 1))
    }
    assert min(days) >= world.first_day and max(days) == world.as_of - timedelta(days=1)


def test_funnel_is_believable() -> None:
    world = World(CONFIG)
    rows = [
        s
        for a in world.accounts("meta_ads")
        for s in world.daily_stats("meta_ads", a.account_id, world.first_day, world.as_of)
    ]
    delivering = [s for s in rows if s.impressions]
    assert len(delivering) > 0.9 * len(rows)
    for s in delivering:
        assert 0 <= s.clicks <= s.impressions and 0 < s.reach <= s.impressions
        assert s.spend >= 0
        assert s.actions.get("purchase", 0) == s.actions.get(
            "offsite_conversion.fb_pixel_purchase", 0
        )
    ctr = sum(s.clicks for s in delivering) / sum(s.impressions for s in delivering)
    assert 0.004 < ctr < 0.035


def test_currencies_time_zones_and_scale() -> None:
    small = World(CONFIG)
    accounts = small.accounts("meta_ads")
    assert len(accounts) >= 2 and len({a.currency for a in accounts}) >= 2
    big = World(WorldConfig(seed=3, scale=1.0))
    assert len(big.accounts("meta_ads")) >= 4
    assert len({a.timezone_name for a in big.accounts("meta_ads")}) >= 4
    bigger = World(WorldConfig(seed=3, scale=3.0))
    assert len(bigger.accounts("meta_ads")) > len(big.accounts("meta_ads"))
    ids = [
        a.ad_id
        for w in (big,)
        for acc in w.accounts("meta_ads")
        for a in w.ads("meta_ads", acc.account_id)
    ]
    assert len(ids) == len(set(ids))


def test_advance_restates_recent_conversions_only() -> None:
    world = World(CONFIG)
    account = world.accounts("meta_ads")
    before = {
        (s.date, s.ad.ad_id): s
        for a in account
        for s in world.daily_stats("meta_ads", a.account_id, world.first_day, world.as_of)
    }
    world.advance(3)
    after = {
        (s.date, s.ad.ad_id): s
        for a in account
        for s in world.daily_stats("meta_ads", a.account_id, world.first_day, world.as_of)
    }
    assert len(after) > len(before)
    grew = 0
    for key, old in before.items():
        new = after[key]
        assert (new.impressions, new.clicks, new.spend, new.reach) == (
            old.impressions,
            old.clicks,
            old.spend,
            old.reach,
        )
        age = (date(2026, 6, 1) - key[0]).days
        for action_type, count in old.actions.items():
            assert new.actions[action_type] >= count
            if action_type not in SETTLING_ACTIONS or age >= SETTLEMENT_DAYS:
                assert new.actions[action_type] == count
        grew += sum(new.actions[t] > c for t, c in old.actions.items())
    assert grew > 0


def test_maturity_is_monotonic_and_settles() -> None:
    values = [maturity(age) for age in range(0, 40)]
    assert values == sorted(values)
    assert values[SETTLEMENT_DAYS] == 1.0 and values[1] < 1.0


def test_every_platform_has_accounts_and_korean_media_sell_in_krw() -> None:
    world = World(CONFIG)
    for platform in PLATFORMS:
        accounts = world.accounts(platform)
        assert accounts, platform
        advertisers = {a.advertiser_id for a in accounts}
        assert advertisers == {a.advertiser_id for a in world.accounts("meta_ads")}
    for platform in ("naver_searchad", "kakao_moment"):
        assert {(a.currency, a.timezone_name) for a in world.accounts(platform)} == {
            ("KRW", "Asia/Seoul")
        }


def test_other_platforms_report_generic_conversion_kinds() -> None:
    world = World(CONFIG)
    for platform in ("google_ads", "naver_searchad", "kakao_moment"):
        kinds = {
            kind
            for a in world.accounts(platform)
            for s in world.daily_stats(platform, a.account_id, world.first_day, world.as_of)
            for kind in s.actions
        }
        assert kinds and kinds <= set(CONVERSION_KINDS), platform
        assert "purchase" in kinds


def test_keyword_parts_add_up_exactly_to_the_ad_day() -> None:
    world = World(CONFIG)
    split = 0
    for platform in ("google_ads", "naver_searchad"):
        for account in world.accounts(platform):
            keywords = world.keywords(platform, account.account_id)
            for s in world.daily_stats(platform, account.account_id, world.first_day, world.as_of):
                parts = world.keyword_stats(s)
                if not parts:
                    continue
                split += 1
                assert {p.keyword.ad_group_id for p in parts} == {s.ad.ad_group_id}
                assert all(p.keyword in keywords for p in parts)
                assert sum(p.impressions for p in parts) == s.impressions
                assert sum(p.clicks for p in parts) == s.clicks
                assert sum(p.spend for p in parts) == s.spend
                assert all(0 <= p.clicks <= p.impressions for p in parts)
                for kind, count in s.actions.items():
                    assert sum(p.actions.get(kind, 0) for p in parts) == count
                for kind, value in s.action_values.items():
                    assert sum(p.action_values.get(kind, 0) for p in parts) == value
                assert world.keyword_stats(s) == parts, "the split is deterministic"
    assert split > 100


def test_kakao_yesterday_is_short_until_it_settles() -> None:
    world = World(CONFIG)
    account = world.accounts("kakao_moment")[0].account_id
    yesterday = world.as_of - timedelta(days=1)
    before = {
        s.ad.ad_id: s for s in world.daily_stats("kakao_moment", account, yesterday, yesterday)
    }
    world.advance(1)
    after = {
        s.ad.ad_id: s for s in world.daily_stats("kakao_moment", account, yesterday, yesterday)
    }
    assert before.keys() == after.keys() and before
    assert sum(s.spend for s in before.values()) < sum(s.spend for s in after.values())
    assert all(before[k].impressions <= after[k].impressions for k in before)


def test_ids_stay_unique_at_agency_size() -> None:
    """Kakao's short ids: a world of ~500 accounts draws some twice; each is drawn again."""
    world = World(WorldConfig(seed=42, scale=28, history_days=2, as_of=date(2026, 11, 20)))
    for platform in ("kakao_moment", "naver_searchad", "google_ads", "meta_ads"):
        accounts = world.accounts(platform)
        assert len(accounts) == 126
        ads = [a.ad_id for account in accounts for a in world.ads(platform, account.account_id)]
        assert len(ads) == len(set(ads)), platform
