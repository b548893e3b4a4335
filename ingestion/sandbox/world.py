"""A deterministic synthetic ad world that every fake API serves.

Entities (advertisers, ad accounts, campaigns, ad groups, ads) are drawn once from the
seed; daily delivery is computed lazily per (ad, day) from a hash-seeded generator, so
any day of any ad costs microseconds and is the same whatever range is asked for. Later
fakes (Google Ads, Naver, Kakao, trackers) read the same world, so every source agrees.

Every advertiser buys every platform in :data:`PLATFORMS`. Meta accounts keep Meta's
action types in :attr:`AdDay.actions`; the other platforms report the generic conversion
kinds of :data:`CONVERSION_KINDS`, which each fake renames into its API's own vocabulary.
Search platforms (Google Ads search campaigns, Naver power-link campaigns) also have
keywords; :meth:`World.keyword_stats` splits an ad-day across its ad group's keywords so
that keyword totals add up exactly to ad totals.

Conversions settle over time: what the world reports for day ``d`` depends on how old
``d`` is at ``as_of`` (``maturity``), reaching the final value after 28 days. Calling
:meth:`World.advance` moves ``as_of``, adds new days and restates recent conversions.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ingestion.sandbox import incidents as _incidents

#: Platforms of the world, in the order their accounts are drawn.
PLATFORMS = ("meta_ads", "google_ads", "naver_searchad", "kakao_moment")

#: (currency, time zone, CPM range in the currency, money per USD) of successive accounts.
ACCOUNT_PROFILES: tuple[tuple[str, str, tuple[float, float], float], ...] = (
    ("USD", "America/Los_Angeles", (5.0, 15.0), 1.0),
    ("KRW", "Asia/Seoul", (3000.0, 12000.0), 1400.0),
    ("JPY", "Asia/Tokyo", (600.0, 1800.0), 150.0),
    ("EUR", "Europe/Berlin", (4.0, 12.0), 0.92),
)
#: Which of :data:`ACCOUNT_PROFILES` each platform's successive accounts take (Naver and
#: Kakao sell only in KRW on Korean time).
PLATFORM_PROFILES: dict[str, tuple[int, ...]] = {
    "meta_ads": (0, 1, 2, 3),
    "google_ads": (1, 0, 2, 3),
    "naver_searchad": (1,),
    "kakao_moment": (1,),
}
#: Digits after the decimal point in each currency's smallest unit.
MINOR_DIGITS = {"USD": 2, "EUR": 2, "KRW": 0, "JPY": 0}

OBJECTIVES = (
    "OUTCOME_SALES",
    "OUTCOME_SALES",
    "OUTCOME_LEADS",
    "OUTCOME_APP_PROMOTION",
    "OUTCOME_TRAFFIC",
    "OUTCOME_AWARENESS",
)
OPTIMIZATION_GOALS = {
    "OUTCOME_SALES": "OFFSITE_CONVERSIONS",
    "OUTCOME_LEADS": "LEAD_GENERATION",
    "OUTCOME_APP_PROMOTION": "APP_INSTALLS",
    "OUTCOME_TRAFFIC": "LINK_CLICKS",
    "OUTCOME_AWARENESS": "REACH",
}
#: Campaign types (the platform's own names) and the goal each one drives, per platform.
CAMPAIGN_TYPES: dict[str, tuple[tuple[str, str], ...]] = {
    "google_ads": (
        ("SEARCH", "sales"),
        ("SEARCH", "leads"),
        ("SEARCH", "sales"),
        ("DISPLAY", "traffic"),
        ("VIDEO", "awareness"),
        ("PERFORMANCE_MAX", "sales"),
        ("MULTI_CHANNEL", "app"),
    ),
    "naver_searchad": (
        ("WEB_SITE", "sales"),
        ("WEB_SITE", "leads"),
        ("WEB_SITE", "sales"),
        ("SHOPPING", "sales"),
        ("BRAND_SEARCH", "traffic"),
    ),
    "kakao_moment": (
        ("DISPLAY", "sales"),
        ("TALK_BIZ_BOARD", "leads"),
        ("TALK_BIZ_BOARD", "sales"),
        ("VIDEO", "awareness"),
        ("DISPLAY", "app"),
    ),
}
#: The goal behind each Meta objective.
META_GOALS = {
    "OUTCOME_SALES": "sales",
    "OUTCOME_LEADS": "leads",
    "OUTCOME_APP_PROMOTION": "app",
    "OUTCOME_TRAFFIC": "traffic",
    "OUTCOME_AWARENESS": "awareness",
}
#: Ad-group optimisation (bidding) goals per platform and campaign goal.
GROUP_GOALS: dict[str, dict[str, str]] = {
    "google_ads": {
        "sales": "MAXIMIZE_CONVERSION_VALUE",
        "leads": "MAXIMIZE_CONVERSIONS",
        "app": "TARGET_CPA",
        "traffic": "MANUAL_CPC",
        "awareness": "TARGET_CPM",
    },
    "naver_searchad": {
        "sales": "MANUAL_CPC",
        "leads": "MANUAL_CPC",
        "traffic": "MANUAL_CPC",
    },
    "kakao_moment": {
        "sales": "CONVERSION",
        "leads": "CONVERSION",
        "app": "CONVERSION",
        "awareness": "REACH",
    },
}
#: Generic conversion kinds of the non-Meta platforms (each fake names them its own way).
CONVERSION_KINDS = ("purchase", "add_to_cart", "sign_up", "lead", "install")
#: Search campaign types: their ad groups have keywords.
SEARCH_CAMPAIGN_TYPES = frozenset({("google_ads", "SEARCH"), ("naver_searchad", "WEB_SITE")})
#: Match types of search keywords per platform (Naver keywords have none).
MATCH_TYPES = {"google_ads": ("EXACT", "PHRASE", "BROAD"), "naver_searchad": ("",)}
KEYWORD_STEMS = (
    "운동화",
    "러닝화",
    "running shoes",
    "트레일 러닝",
    "등산화",
    "sneakers sale",
    "마라톤 준비물",
    "work boots",
    "쿠션 좋은 운동화",
    "hiking gear",
)
KEYWORD_MODIFIERS = ("", " 추천", " 할인", " best", " 후기", " 2026", " cheap", " 브랜드")
#: Share of Kakao delivery already reported for yesterday: Kakao settles a day by 08:00
#: the next morning, so the newest day is still short until the world moves on.
KAKAO_UNSETTLED_SHARE = 0.92
#: Share of Google Ads ad-group-days served only a handful of impressions (little search
#: volume, a budget spent early, a narrow audience). Most of their ads and keywords get no
#: click, so no cost where Google bills per click and no conversion: rows the API still
#: returns (they have impressions) with zero metrics, which its proto3 JSON leaves out.
GOOGLE_THIN_DAY_SHARE = 0.25
#: (platform, campaign type) billed per click: cost follows clicks (no click, no cost).
CPC_BILLED = frozenset({("google_ads", "SEARCH")})
#: Action types whose counts (and values) are restated as conversions settle.
SETTLING_ACTIONS = frozenset(
    {
        "add_to_cart",
        "purchase",
        "offsite_conversion.fb_pixel_purchase",
        "lead",
        "mobile_app_install",
        "app_custom_event.fb_mobile_purchase",
    }
)
SETTLEMENT_DAYS = 28


#: Days over which each platform restates a day's conversions (its attribution window as
#: the platform applies it by default): Meta 28, Google Ads' default conversion window 30
#: (the world settles by 28), Naver's conversion window 20, Kakao's 7-day window.
PLATFORM_SETTLEMENT_DAYS = {
    "meta_ads": SETTLEMENT_DAYS,
    "google_ads": SETTLEMENT_DAYS,
    "naver_searchad": 20,
    "kakao_moment": 7,
}


def maturity(age_days: int, settlement_days: int = SETTLEMENT_DAYS) -> float:
    """Share of a day's final conversions reported ``age_days`` after it (1.0 once settled)."""
    if age_days >= settlement_days:
        return 1.0
    return 0.6 + 0.4 * max(age_days - 1, 0) / (settlement_days - 1)


#: Names that seed a platform's accounts where they differ from the platform's: the world's
#: seeds predate the name ``meta_ads``, and keeping them keeps every world the same.
SEED_NAMES = {"meta_ads": "meta"}


def _seed(*parts: object) -> int:
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _rng(*parts: object) -> random.Random:
    return random.Random(_seed(*parts))


def _id(prefix: str, *parts: object) -> str:
    """A numeric id like Meta's (prefix + 12 digits), unique for practical purposes."""
    return prefix + str(_seed("id", *parts) % 10**12).zfill(12)


def _platform_id(platform: str, kind: str, *parts: object) -> str:
    """An id shaped like the platform's own (Naver: ``cmp-a001-01-000000001234567``)."""
    if platform == "naver_searchad":
        prefix = {"campaign": "cmp", "ad_group": "grp", "ad": "nad", "keyword": "nkw"}[kind]
        number = str(_seed("id", *parts) % 10**15).zfill(15)
        return f"{prefix}-a001-01-{number}"
    if platform == "google_ads":
        return str(10**10 + _seed("id", *parts) % (9 * 10**10))
    if platform == "kakao_moment":
        return str(10**6 + _seed("id", *parts) % (9 * 10**6))
    return _id("238", *parts)


def _account_id(platform: str, *parts: object) -> str:
    if platform == "google_ads":  # customer ids have ten digits
        return str(10**9 + _seed("id", *parts) % (9 * 10**9))
    if platform == "naver_searchad":  # customer ids are short numbers
        return str(10**6 + _seed("id", *parts) % (9 * 10**6))
    if platform == "kakao_moment":
        return str(10**5 + _seed("id", *parts) % (9 * 10**5))
    return _id("1", *parts)


def split_by_weights(total: int, weights: list[float]) -> list[int]:
    """Splits an integer by weights so that the parts add up exactly (largest remainder)."""
    if not weights:
        return []
    whole = sum(weights)
    if total == 0 or whole == 0:
        return [0] * len(weights)
    raw = [total * w / whole for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _money(amount: float, currency: str) -> Decimal:
    quantum = Decimal(1).scaleb(-MINOR_DIGITS.get(currency, 2))
    return Decimal(repr(amount)).quantize(quantum, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class WorldConfig:
    """The knobs of the world.

    Attributes:
        seed: Everything random is derived from it.
        scale: Multiplies the number of advertisers (and so accounts, campaigns, ads).
        history_days: Days of delivery before ``as_of``.
        as_of: The world's today; data exists up to the day before.
    """

    seed: int = 42
    scale: float = 1.0
    history_days: int = 90
    as_of: date = date(2026, 11, 20)


@dataclass(frozen=True)
class AdAccount:
    """An ad account on one platform."""

    platform: str
    account_id: str
    advertiser_id: str
    name: str
    currency: str
    timezone_name: str
    account_status: int


@dataclass(frozen=True)
class Campaign:
    """A campaign; it delivers from ``start_date`` until ``paused_on`` (if paused)."""

    platform: str
    account_id: str
    campaign_id: str
    name: str
    objective: str
    status: str
    daily_budget_minor: int | None
    created_time: datetime
    start_date: date
    paused_on: date | None = None
    goal: str = "sales"


@dataclass(frozen=True)
class AdGroup:
    """An ad group (Meta: ad set)."""

    platform: str
    account_id: str
    campaign_id: str
    ad_group_id: str
    name: str
    status: str
    optimization_goal: str
    daily_budget_minor: int | None
    created_time: datetime


@dataclass(frozen=True)
class Ad:
    """An ad, with the delivery traits drawn for it once."""

    platform: str
    account_id: str
    campaign_id: str
    ad_group_id: str
    ad_id: str
    name: str
    status: str
    created_time: datetime
    creative_id: str
    base_impressions: float = field(default=1000.0, compare=False, repr=False)
    ctr: float = field(default=0.01, compare=False, repr=False)
    has_video: bool = field(default=False, compare=False, repr=False)
    #: Where the ad sends people (``None``: an ad without a landing page, e.g. a lead form).
    landing_url: str | None = field(default=None, compare=False, repr=False)


def landing_url(platform: str, advertiser: int, ad_id: str) -> str | None:
    """An ad's landing page, drawn from its id alone (never from a shared generator).

    One ad in eight has none; the others send people to their advertiser's site with
    the platform as ``utm_source``.
    """
    if _seed("landing", platform, ad_id) % 8 == 0:
        return None
    return f"https://www.advertiser{advertiser}.example/landing/{ad_id}?utm_source={platform}"


@dataclass(frozen=True)
class Keyword:
    """A search keyword of an ad group (Google Ads search, Naver power link)."""

    platform: str
    account_id: str
    campaign_id: str
    ad_group_id: str
    keyword_id: str
    text: str
    match_type: str
    status: str
    bid_minor: int
    created_time: datetime
    weight: float = field(default=1.0, compare=False, repr=False)


@dataclass(frozen=True)
class KeywordDay:
    """The part of one ad-day that one keyword triggered (parts add up to the ad-day)."""

    date: date
    ad: Ad
    keyword: Keyword
    impressions: int
    clicks: int
    spend: Decimal
    actions: dict[str, int]
    action_values: dict[str, Decimal]
    rank_sum: int


@dataclass(frozen=True)
class AdDay:
    """One ad's delivery on one account-local day, as reported at the world's ``as_of``.

    ``actions`` holds Meta action types for Meta and :data:`CONVERSION_KINDS` otherwise;
    ``action_values`` the money value of those that have one (purchases).
    """

    date: date
    ad: Ad
    impressions: int
    clicks: int
    reach: int
    spend: Decimal
    actions: dict[str, int]
    action_values: dict[str, Decimal]


@dataclass
class _AccountBook:
    account: AdAccount
    campaigns: list[Campaign]
    ad_groups: list[AdGroup]
    ads: list[Ad]
    keywords: list[Keyword]
    cpm: tuple[float, float]
    per_usd: float


class World:
    """The synthetic ad world (see the module docstring).

    Args:
        config: Seed, scale, history and today.
    """

    def __init__(self, config: WorldConfig | None = None) -> None:
        self.config = config or WorldConfig()
        self.as_of = self.config.as_of
        self.first_day = self.config.as_of - timedelta(days=self.config.history_days)
        self._books: dict[tuple[str, str], _AccountBook] = {}
        self._advertiser_numbers: dict[str, int] = {}
        self._campaigns: dict[str, Campaign] = {}
        self._keywords_by_group: dict[str, list[Keyword]] = {}
        self._restated_to_nothing: set[tuple[str | None, date]] = set()
        self._issued: set[tuple[str, str]] = set()
        self._build()
        self._variation = _incidents.Variation(self)
        self._incidents = _incidents.draw_incidents(self)
        self._effects = _incidents.effects_by_campaign(self, self._incidents)

    # -- structure ----------------------------------------------------------------------
    def _new_id(self, platform: str, kind: str, *parts: object) -> str:
        """An id of the platform's shape, never one already issued on that platform.

        Kakao's ids are short numbers: an agency-size world (hundreds of accounts, tens of
        thousands of objects) draws some twice. A drawn id already issued is drawn again
        from the same parts and a counter, so ids of small worlds stay what they were.
        """
        found = _platform_id(platform, kind, *parts)
        again = 0
        while (platform, found) in self._issued:
            again += 1
            found = _platform_id(platform, kind, *parts, "again", again)
        self._issued.add((platform, found))
        return found

    def _build(self) -> None:
        seed = self.config.seed
        advertisers = max(2, round(3 * self.config.scale))
        index = dict.fromkeys(PLATFORMS, 0)
        for a in range(advertisers):
            advertiser_id = _id("9", seed, "advertiser", a)
            self._advertiser_numbers[advertiser_id] = a + 1
            for platform in PLATFORMS:
                for n in range(1 + a % 2):
                    profiles = PLATFORM_PROFILES[platform]
                    profile = profiles[index[platform] % len(profiles)]
                    self._add_account(platform, advertiser_id, a, n, profile)
                    index[platform] += 1

    def _add_account(self, platform: str, advertiser_id: str, a: int, n: int, profile: int) -> None:
        seed = self.config.seed
        currency, tz, cpm, per_usd = ACCOUNT_PROFILES[profile]
        account_id = _account_id(
            platform, seed, SEED_NAMES.get(platform, platform), "account", a, n
        )
        rng = _rng(seed, "account", account_id)
        account = AdAccount(
            platform=platform,
            account_id=account_id,
            advertiser_id=advertiser_id,
            name=f"Advertiser {a + 1} {currency} {n + 1}",
            currency=currency,
            timezone_name=tz,
            account_status=1,
        )
        if platform in ("naver_searchad", "google_ads"):  # search clicks cost more per view
            cpm = (cpm[0] * 3, cpm[1] * 3)
        book = _AccountBook(account, [], [], [], [], cpm, per_usd)
        for c in range(rng.randint(3, 6)):
            self._add_campaign(book, rng, c)
        self._books[(platform, account_id)] = book

    def _add_campaign(self, book: _AccountBook, rng: random.Random, c: int) -> None:
        account = book.account
        seed = self.config.seed
        platform = account.platform
        if platform == "meta_ads":
            objective = rng.choice(OBJECTIVES)
            goal = META_GOALS[objective]
        else:
            objective, goal = rng.choice(CAMPAIGN_TYPES[platform])
        late = rng.random() < 0.3
        start = self.first_day + timedelta(
            days=rng.randint(1, max(self.config.history_days // 2, 1))
            if late
            else -rng.randint(5, 200)
        )
        paused = rng.random() < 0.2
        paused_on = (
            start + timedelta(days=rng.randint(10, max(self.config.history_days, 11)))
            if paused
            else None
        )
        campaign_id = self._new_id(platform, "campaign", seed, account.account_id, "campaign", c)
        budget = round(rng.uniform(50, 500) * book.per_usd) * 10 ** MINOR_DIGITS[account.currency]
        created = datetime.combine(start - timedelta(days=rng.randint(0, 7)), time(9), UTC)
        label = objective.removeprefix("OUTCOME_").replace("_", " ").title()
        if platform != "meta_ads":
            label = f"{label} {goal.title()}"
        campaign = Campaign(
            platform=platform,
            account_id=account.account_id,
            campaign_id=campaign_id,
            name=f"{label} | {account.name} | C{c + 1}",
            objective=objective,
            status="PAUSED" if paused else "ACTIVE",
            daily_budget_minor=budget if rng.random() < 0.7 else None,
            created_time=created,
            start_date=start,
            paused_on=paused_on,
            goal=goal,
        )
        book.campaigns.append(campaign)
        self._campaigns[campaign_id] = campaign
        search = (platform, objective) in SEARCH_CAMPAIGN_TYPES
        for g in range(rng.randint(2, 3)):
            group_id = self._new_id(platform, "ad_group", seed, campaign_id, "adset", g)
            book.ad_groups.append(
                AdGroup(
                    platform=account.platform,
                    account_id=account.account_id,
                    campaign_id=campaign_id,
                    ad_group_id=group_id,
                    name=f"{campaign.name} | Set {g + 1}",
                    status=campaign.status,
                    optimization_goal=(
                        OPTIMIZATION_GOALS[objective]
                        if platform == "meta_ads"
                        else GROUP_GOALS[platform].get(goal, "MANUAL_CPC")
                    ),
                    daily_budget_minor=None if campaign.daily_budget_minor else budget // 3,
                    created_time=created,
                )
            )
            if search:
                self._add_keywords(book, rng, campaign, group_id)
            for n in range(rng.randint(2, 3)):
                ad_id = self._new_id(platform, "ad", seed, group_id, "ad", n)
                book.ads.append(
                    Ad(
                        platform=account.platform,
                        account_id=account.account_id,
                        campaign_id=campaign_id,
                        ad_group_id=group_id,
                        ad_id=ad_id,
                        name=f"{campaign.name} | Set {g + 1} | Ad {n + 1}",
                        status=campaign.status,
                        created_time=created,
                        creative_id=_id("238", seed, ad_id, "creative"),
                        base_impressions=rng.lognormvariate(7.5, 0.9),
                        ctr=rng.uniform(0.005, 0.03),
                        has_video=rng.random() < 0.4,
                        landing_url=landing_url(
                            platform, self._advertiser_numbers[account.advertiser_id], ad_id
                        ),
                    )
                )
        book.ads.sort(key=lambda ad: ad.ad_id)

    def _add_keywords(
        self, book: _AccountBook, rng: random.Random, campaign: Campaign, group_id: str
    ) -> None:
        platform = campaign.platform
        keywords: list[Keyword] = []
        for k in range(rng.randint(3, 5)):
            text = rng.choice(KEYWORD_STEMS) + rng.choice(KEYWORD_MODIFIERS)
            if any(kw.text == text for kw in keywords):
                continue
            keywords.append(
                Keyword(
                    platform=platform,
                    account_id=campaign.account_id,
                    campaign_id=campaign.campaign_id,
                    ad_group_id=group_id,
                    keyword_id=self._new_id(
                        platform, "keyword", self.config.seed, group_id, "keyword", k
                    ),
                    text=text,
                    match_type=rng.choice(MATCH_TYPES[platform]),
                    status=campaign.status,
                    bid_minor=round(rng.uniform(0.3, 2.5) * book.per_usd)
                    * 10 ** MINOR_DIGITS[book.account.currency],
                    created_time=campaign.created_time,
                    weight=rng.lognormvariate(0, 0.8),
                )
            )
        keywords.sort(key=lambda kw: kw.keyword_id)
        book.keywords.extend(keywords)
        self._keywords_by_group[group_id] = keywords

    # -- reading ------------------------------------------------------------------------
    def advance(self, days: int = 1) -> None:
        """Moves the world's today forward: new days appear and recent conversions grow."""
        self.as_of += timedelta(days=days)

    def restate_to_nothing(self, day: date, platform: str | None = None) -> None:
        """From now on ``day`` has no delivery (on ``platform``, or on every platform).

        What a platform does when it restates a day to zero (invalid traffic refunded, a
        day re-attributed): every fake that reads :meth:`daily_stats` answers nothing for it.
        """
        self._restated_to_nothing.add((platform, day))

    def restated_to_nothing(self, day: date, platform: str | None = None) -> bool:
        """Whether ``day`` has no delivery on ``platform`` (``None``: on every platform)."""
        return bool({(None, day), (platform, day)} & self._restated_to_nothing)

    def incidents(self) -> list[_incidents.Incident]:
        """The labelled incidents of this world (for the benchmark only; no fake serves them)."""
        return list(self._incidents)

    def holiday_factor(self, advertiser_id: str) -> float:
        """What the advertiser's delivery is multiplied by on a Korean public holiday."""
        return self._variation.holiday_factor[advertiser_id]

    def growth_factor(self, advertiser_id: str, day: date) -> float:
        """The advertiser's slow growth on ``day`` (1.0 at the configured today)."""
        return self._variation.growth_factor(advertiser_id, day)

    def tracking_broken(self, campaign_id: str, day: date) -> bool:
        """Whether a labelled incident zeroes the campaign's conversions on ``day``."""
        effects = self._effects.get(campaign_id)
        return effects is not None and _incidents.effect_on(effects, day).no_conversions

    def advertiser_ids(self) -> list[str]:
        """The advertisers, in the order they were drawn."""
        return list(self._advertiser_numbers)

    def platforms(self) -> tuple[str, ...]:
        """The platforms every advertiser buys."""
        return PLATFORMS

    def accounts_of(self, advertiser_id: str, platform: str) -> list[AdAccount]:
        """The accounts of one advertiser on one platform."""
        return [a for a in self.accounts(platform) if a.advertiser_id == advertiser_id]

    def campaign_volume(self, campaign_id: str) -> float:
        """A campaign's expected clicks on an ordinary day (its ads' traits)."""
        campaign = self._campaigns[campaign_id]
        book = self._books[(campaign.platform, campaign.account_id)]
        return sum(ad.base_impressions * ad.ctr for ad in book.ads if ad.campaign_id == campaign_id)

    def normal_spend(
        self, platform: str, account_id: str, since: date, until: date
    ) -> dict[date, Decimal]:
        """Spend of one account per day as it would be without the labelled incidents.

        What the plan's budgets are drawn from (an AE plans for the normal month).
        """
        book = self._books[(platform, account_id)]
        totals: dict[date, Decimal] = {}
        day = max(since, self.first_day)
        last = min(until, self.as_of - timedelta(days=1))
        while day <= last:
            total = Decimal(0)
            for ad in book.ads:
                stat = self._ad_day(book, ad, day, incidents=False)
                if stat is not None:
                    total += stat.spend
            totals[day] = total
            day += timedelta(days=1)
        return totals

    def accounts(self, platform: str) -> list[AdAccount]:
        """Every ad account of ``platform``."""
        return [b.account for (p, _), b in self._books.items() if p == platform]

    def account(self, platform: str, account_id: str) -> AdAccount:
        """One account; ``KeyError`` if the world has none by that id."""
        return self._books[(platform, account_id)].account

    def campaigns(self, platform: str, account_id: str) -> list[Campaign]:
        """The campaigns of one account."""
        return list(self._books[(platform, account_id)].campaigns)

    def ad_groups(self, platform: str, account_id: str) -> list[AdGroup]:
        """The ad groups of one account."""
        return list(self._books[(platform, account_id)].ad_groups)

    def ads(self, platform: str, account_id: str) -> list[Ad]:
        """The ads of one account, ordered by id."""
        return list(self._books[(platform, account_id)].ads)

    def keywords(self, platform: str, account_id: str) -> list[Keyword]:
        """The keywords of one account (only search campaigns have them), ordered by id."""
        return sorted(self._books[(platform, account_id)].keywords, key=lambda k: k.keyword_id)

    def keyword_stats(self, stat: AdDay) -> list[KeywordDay]:
        """Splits one ad-day across the keywords of its ad group; empty if it has none.

        Impressions, clicks, conversions and money (in the currency's smallest unit) are
        split by largest remainder, so the parts add up exactly to the ad-day; where the
        campaign is billed per click (:data:`CPC_BILLED`) a keyword's cost follows its
        clicks. The split is drawn per (ad, day), so it does not depend on the range asked.
        """
        keywords = self._keywords_by_group.get(stat.ad.ad_group_id, [])
        if not keywords:
            return []
        rng = _rng(self.config.seed, "keyword-split", stat.ad.ad_id, stat.date.toordinal())
        weights = [kw.weight * rng.uniform(0.7, 1.3) for kw in keywords]
        currency = self._books[(stat.ad.platform, stat.ad.account_id)].account.currency
        unit = Decimal(1).scaleb(-MINOR_DIGITS.get(currency, 2))

        def split_money(amount: Decimal, by: list[float]) -> list[Decimal]:
            return [unit * p for p in split_by_weights(int(amount / unit), by)]

        impressions = split_by_weights(stat.impressions, weights)
        clicks = split_by_weights(
            stat.clicks, [float(i) for i in impressions]
        )  # never above impressions
        campaign = self._campaigns[stat.ad.campaign_id]
        if (campaign.platform, campaign.objective) in CPC_BILLED:  # a keyword pays its clicks
            spend = split_money(stat.spend, [float(c) for c in clicks])
        else:
            spend = split_money(stat.spend, weights)
        actions = {k: split_by_weights(v, weights) for k, v in stat.actions.items()}
        # A value goes where its conversions went (a keyword with no purchase has no sales).
        values = {
            k: split_money(v, [float(c) for c in actions[k]] if k in actions else weights)
            for k, v in stat.action_values.items()
        }
        return [
            KeywordDay(
                date=stat.date,
                ad=stat.ad,
                keyword=kw,
                impressions=impressions[i],
                clicks=clicks[i],
                spend=spend[i],
                actions={k: v[i] for k, v in actions.items() if v[i]},
                action_values={k: v[i] for k, v in values.items() if v[i]},
                rank_sum=impressions[i] * rng.randint(1, 6),
            )
            for i, kw in enumerate(keywords)
        ]

    def daily_stats(
        self, platform: str, account_id: str, since: date, until: date
    ) -> Iterator[AdDay]:
        """Delivery of every ad of one account per day, ordered by (date, ad id).

        The range is inclusive and clipped to ``[first_day, as_of - 1]``. Ads of campaigns
        not yet started or already paused have no row; a delivering ad can still have a
        day with zero impressions (which APIs usually leave out).
        """
        book = self._books[(platform, account_id)]
        day = max(since, self.first_day)
        last = min(until, self.as_of - timedelta(days=1))
        while day <= last:
            if self.restated_to_nothing(day, platform):
                day += timedelta(days=1)
                continue
            for ad in book.ads:
                stat = self._ad_day(book, ad, day)
                if stat is not None:
                    yield stat
            day += timedelta(days=1)

    def _ad_day(
        self, book: _AccountBook, ad: Ad, day: date, incidents: bool = True
    ) -> AdDay | None:
        campaign = self._campaigns[ad.campaign_id]
        if day < campaign.start_date or (campaign.paused_on and day >= campaign.paused_on):
            return None
        effect = _incidents.NO_EFFECT
        if incidents and ad.campaign_id in self._effects:
            effect = _incidents.effect_on(self._effects[ad.campaign_id], day)
            if effect.no_delivery:
                return None
        currency = book.account.currency
        rng = _rng(self.config.seed, "delivery", ad.ad_id, day.toordinal())
        weekday = (1.0, 1.05, 1.05, 1.0, 0.95, 0.8, 0.75)[day.weekday()]
        # Normal variation (holidays, growth) and the incident's bend, from no generator.
        weekday *= self._variation.factor(book.account.advertiser_id, day)
        weekday *= effect.impressions_factor
        impressions = (
            0
            if rng.random() < 0.02
            else round(ad.base_impressions * weekday * rng.uniform(0.7, 1.3))
        )
        clicks = min(impressions, round(impressions * ad.ctr * rng.uniform(0.8, 1.2)))
        reach = min(impressions, round(impressions / rng.uniform(1.1, 1.6)))
        cpm = rng.uniform(*book.cpm)
        spend = _money(impressions / 1000 * cpm, currency)
        landing = round(clicks * rng.uniform(0.6, 0.9))
        engagement = clicks + round(impressions * rng.uniform(0.001, 0.004))
        video = round(impressions * rng.uniform(0.1, 0.3))
        if book.account.platform == "google_ads":
            impressions, clicks, spend = self._google_delivery(
                ad, campaign, day, impressions, clicks, cpm, currency
            )
        if effect.cost_factor != 1.0:
            spend = _money(float(spend) * effect.cost_factor, currency)
        if book.account.platform != "meta_ads":
            return self._generic_day(
                book, ad, campaign, day, rng, impressions, clicks, spend, effect.no_conversions
            )
        final: dict[str, int] = {}
        unit_value: dict[str, float] = {}
        objective = campaign.objective
        if objective == "OUTCOME_SALES":
            final["add_to_cart"] = round(clicks * rng.uniform(0.05, 0.12))
            final["purchase"] = round(clicks * rng.uniform(0.01, 0.04))
            final["offsite_conversion.fb_pixel_purchase"] = final["purchase"]
            unit_value["purchase"] = rng.uniform(30, 120) * book.per_usd
            unit_value["offsite_conversion.fb_pixel_purchase"] = unit_value["purchase"]
        elif objective == "OUTCOME_LEADS":
            final["lead"] = round(clicks * rng.uniform(0.03, 0.1))
        elif objective == "OUTCOME_APP_PROMOTION":
            final["mobile_app_install"] = round(clicks * rng.uniform(0.05, 0.2))
            final["app_custom_event.fb_mobile_purchase"] = round(
                final["mobile_app_install"] * rng.uniform(0.05, 0.15)
            )
            unit_value["app_custom_event.fb_mobile_purchase"] = rng.uniform(5, 40) * book.per_usd
        if effect.no_conversions:
            final = {}
        share = maturity((self.as_of - day).days)
        actions: dict[str, int] = {}
        values: dict[str, Decimal] = {}
        if impressions:
            actions = {"link_click": clicks, "landing_page_view": landing}
            actions["post_engagement"] = engagement
            if ad.has_video:
                actions["video_view"] = video
            for action_type, count in final.items():
                observed = round(count * share)
                if observed:
                    actions[action_type] = observed
                    if action_type in unit_value:
                        values[action_type] = _money(observed * unit_value[action_type], currency)
            actions = {k: v for k, v in actions.items() if v}
        return AdDay(day, ad, impressions, clicks, reach, spend, actions, values)

    def _google_delivery(
        self,
        ad: Ad,
        campaign: Campaign,
        day: date,
        impressions: int,
        clicks: int,
        cpm: float,
        currency: str,
    ) -> tuple[int, int, Decimal]:
        """Google Ads: a share of thin days, and search campaigns billed per click.

        Drawn from their own generator, so the other platforms' days do not change.
        """
        # Thin for the whole ad group (its keywords found little search volume that day).
        thin = _rng(self.config.seed, "thin-day", ad.ad_group_id, day.toordinal())
        rng = _rng(self.config.seed, "thin-day", ad.ad_id, day.toordinal())
        if impressions and thin.random() < GOOGLE_THIN_DAY_SHARE:
            impressions = rng.randint(1, 40)
            clicks = min(impressions, round(impressions * ad.ctr * rng.uniform(0.8, 1.2)))
        if (campaign.platform, campaign.objective) in CPC_BILLED:
            # A cost per click that keeps the cost per thousand impressions near the draw.
            return impressions, clicks, _money(clicks * cpm / 1000 / ad.ctr, currency)
        return impressions, clicks, _money(impressions / 1000 * cpm, currency)

    def _generic_day(
        self,
        book: _AccountBook,
        ad: Ad,
        campaign: Campaign,
        day: date,
        rng: random.Random,
        impressions: int,
        clicks: int,
        spend: Decimal,
        no_conversions: bool = False,
    ) -> AdDay:
        """A non-Meta ad-day: generic conversion kinds, Kakao's unsettled yesterday."""
        currency = book.account.currency
        reach = min(impressions, round(impressions / rng.uniform(1.2, 1.8)))
        final: dict[str, int] = {}
        unit_value: dict[str, float] = {}
        if campaign.goal == "sales":
            final["add_to_cart"] = round(clicks * rng.uniform(0.05, 0.12))
            final["purchase"] = round(clicks * rng.uniform(0.01, 0.05))
            unit_value["purchase"] = rng.uniform(30, 120) * book.per_usd
        elif campaign.goal == "leads":
            final["lead"] = round(clicks * rng.uniform(0.03, 0.1))
            final["sign_up"] = round(clicks * rng.uniform(0.01, 0.04))
        elif campaign.goal == "app":
            final["install"] = round(clicks * rng.uniform(0.05, 0.2))
            final["purchase"] = round(final["install"] * rng.uniform(0.05, 0.15))
            unit_value["purchase"] = rng.uniform(5, 40) * book.per_usd
        if no_conversions:
            final = {}
        age = (self.as_of - day).days
        if book.account.platform == "kakao_moment" and age <= 1:
            impressions = round(impressions * KAKAO_UNSETTLED_SHARE)
            clicks = min(impressions, round(clicks * KAKAO_UNSETTLED_SHARE))
            reach = min(impressions, round(reach * KAKAO_UNSETTLED_SHARE))
            spend = _money(float(spend) * KAKAO_UNSETTLED_SHARE, currency)
        share = maturity(age, PLATFORM_SETTLEMENT_DAYS[book.account.platform])
        actions: dict[str, int] = {}
        values: dict[str, Decimal] = {}
        if impressions:
            for kind, count in final.items():
                observed = round(count * share)
                if observed:
                    actions[kind] = observed
                    if kind in unit_value:
                        values[kind] = _money(observed * unit_value[kind], currency)
        return AdDay(day, ad, impressions, clicks, reach, spend, actions, values)
