"""What the attribution trackers (AppsFlyer, Adjust) see of the synthetic world.

Every advertiser of the :class:`~ingestion.sandbox.world.World` has one mobile app,
measured by one tracker (advertisers alternate: AppsFlyer, Adjust, AppsFlyer, ...). The
tracker attributes installs and in-app events to the media campaigns that promote the app
(Meta ``OUTCOME_APP_PROMOTION``, and the campaigns with goal ``app`` on the other
platforms) and to organic traffic, so that what a tracker fake serves traces back to
campaigns the media fakes served: each tracked row carries the medium's own campaign, ad
group and ad ids.

Simplifications, deliberate and documented:

* A tracker day is the calendar day of the media ad-day it comes from (the app's time
  zone is taken to be the ad account's); in-app events happen on the install day, so an
  install-date cohort and the event day coincide.
* Trackers settle in about 48 hours: the two newest days are reported at
  :data:`UNSETTLED_SHARE` until the world advances past them.
* Tracker installs are not the medium's own install count: they are drawn from the
  ad-day's clicks, as an independent measurement of the same traffic would be.
* Money: the app's revenue currency is USD; ``cost`` is the ad-day's spend converted to
  USD at the world's fixed rate of the account's currency (what a tracker's cost
  integration shows).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ingestion.sandbox.world import ACCOUNT_PROFILES, PLATFORMS, AdDay, World, _split

TRACKERS = ("appsflyer", "adjust")
#: Events the apps send (each tracker names them its own way; see its fake).
EVENTS = ("purchase", "registration")
#: Share of a day's final numbers a tracker reports while the day is settling.
UNSETTLED_SHARE = 0.85
#: Days a tracker day takes to settle (AppsFlyer: about 48 hours after the UTC day).
SETTLEMENT_DAYS = 2
#: The home country of an ad account, by currency; 20 % of installs come from OTHER.
HOME_COUNTRY = {"KRW": "KR", "USD": "US", "JPY": "JP", "EUR": "DE"}
OTHER_COUNTRY = {"KR": "US", "US": "KR", "JP": "KR", "DE": "US"}
USD_PER_UNIT = {currency: 1 / per_usd for currency, _, _, per_usd in ACCOUNT_PROFILES}


@dataclass(frozen=True)
class App:
    """A mobile app measured by one tracker."""

    tracker: str
    app_id: str
    name: str
    advertiser_id: str
    os: str
    timezone_name: str = "Asia/Seoul"
    revenue_currency: str = "USD"


@dataclass(frozen=True)
class EventCount:
    """One event's numbers in a tracked row."""

    users: int
    count: int
    revenue: Decimal


@dataclass(frozen=True)
class TrackedDay:
    """Installs and events a tracker attributes to one ad (or to organic) in one country.

    ``platform`` is the world's platform name, or ``None`` for organic installs (then the
    campaign, ad group and ad fields are ``None``).
    """

    date: date
    app: App
    platform: str | None
    account_id: str | None
    campaign_id: str | None
    campaign_name: str | None
    ad_group_id: str | None
    ad_group_name: str | None
    ad_id: str | None
    ad_name: str | None
    country: str
    impressions: int
    clicks: int
    installs: int
    cost: Decimal
    events: dict[str, EventCount] = field(default_factory=dict)


@dataclass(frozen=True)
class Install:
    """One attributed install (a raw-data row)."""

    install_time: datetime
    touch_time: datetime | None
    touch_type: str | None
    device_id: str
    row: TrackedDay


@dataclass(frozen=True)
class InAppEvent:
    """One in-app event of an installed user (a raw-data row)."""

    event_time: datetime
    name: str
    revenue: Decimal
    install: Install


def _rng(*parts: object) -> random.Random:
    return random.Random("|".join(str(p) for p in parts))


def _usd(amount: float) -> Decimal:
    return Decimal(repr(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class Trackers:
    """The trackers' view of a world (it follows ``world.as_of`` as the world advances).

    Args:
        world: The synthetic ad world.
    """

    def __init__(self, world: World) -> None:
        self.world = world
        self._apps: list[App] = []
        advertisers: list[str] = []
        for platform in PLATFORMS:
            for account in world.accounts(platform):
                if account.advertiser_id not in advertisers:
                    advertisers.append(account.advertiser_id)
        seed = world.config.seed
        for a, advertiser_id in enumerate(advertisers):
            tracker = TRACKERS[a % len(TRACKERS)]
            os_name = ("android", "ios")[a // 2 % 2]
            if tracker == "appsflyer":
                app_id = (
                    f"com.argo.advertiser{a + 1}"
                    if os_name == "android"
                    else f"id{_rng(seed, 'app', a).randrange(10**9, 10**10)}"
                )
            else:  # Adjust app tokens: 12 lowercase letters and digits
                rng = _rng(seed, "adjust-app", a)
                app_id = "".join(rng.choice("abcdefghijkmnpqrstuvwxyz23456789") for _ in range(12))
            self._apps.append(
                App(tracker, app_id, f"Advertiser {a + 1} App", advertiser_id, os_name)
            )

    def apps(self, tracker: str) -> list[App]:
        """The apps one tracker measures."""
        return [app for app in self._apps if app.tracker == tracker]

    def app(self, tracker: str, app_id: str) -> App:
        """One app by its tracker id (``KeyError`` if the tracker has no such app)."""
        for app in self.apps(tracker):
            if app.app_id == app_id:
                return app
        raise KeyError(app_id)

    # -- aggregate -------------------------------------------------------------------
    def daily(self, app: App, since: date, until: date) -> Iterator[TrackedDay]:
        """Tracked rows of one app per day, ordered by (date, platform, ad id, country).

        The range is inclusive and clipped to the world's history; the newest
        :data:`SETTLEMENT_DAYS` days are reported short until the world advances.
        """
        world = self.world
        first = max(since, world.first_day)
        last = min(until, world.as_of - timedelta(days=1))
        media: dict[date, list[AdDay]] = {}
        for platform in PLATFORMS:
            for account in world.accounts(platform):
                if account.advertiser_id != app.advertiser_id:
                    continue
                app_campaigns = {
                    c.campaign_id
                    for c in world.campaigns(platform, account.account_id)
                    if c.goal == "app"
                }
                if not app_campaigns:
                    continue
                for stat in world.daily_stats(platform, account.account_id, first, last):
                    if stat.ad.campaign_id in app_campaigns and stat.clicks:
                        media.setdefault(stat.date, []).append(stat)
        day = first
        while day <= last:
            share = 1.0 if (world.as_of - day).days > SETTLEMENT_DAYS else UNSETTLED_SHARE
            stats = sorted(media.get(day, []), key=lambda s: (s.ad.platform, s.ad.ad_id))
            for stat in stats:
                yield from self._media_rows(app, stat, share)
            yield from self._organic_rows(app, day, share)
            day += timedelta(days=1)

    def _media_rows(self, app: App, stat: AdDay, share: float) -> Iterator[TrackedDay]:
        world = self.world
        ad = stat.ad
        account = world.account(ad.platform, ad.account_id)
        campaign = next(
            c
            for c in world.campaigns(ad.platform, ad.account_id)
            if c.campaign_id == ad.campaign_id
        )
        group = next(
            g
            for g in world.ad_groups(ad.platform, ad.account_id)
            if g.ad_group_id == ad.ad_group_id
        )
        rng = _rng(world.config.seed, "tracker", ad.ad_id, stat.date.toordinal())
        installs = round(stat.clicks * rng.uniform(0.04, 0.12) * share)
        cost = float(stat.spend) * USD_PER_UNIT[account.currency]
        home = HOME_COUNTRY[account.currency]
        countries = (home, OTHER_COUNTRY[home])
        parts = {
            "installs": _split(installs, [0.8, 0.2]),
            "impressions": _split(stat.impressions, [0.8, 0.2]),
            "clicks": _split(stat.clicks, [0.8, 0.2]),
        }
        costs = [_usd(cost * 0.8), _usd(cost) - _usd(cost * 0.8)]
        for i, country in enumerate(countries):
            yield TrackedDay(
                date=stat.date,
                app=app,
                platform=ad.platform,
                account_id=ad.account_id,
                campaign_id=ad.campaign_id,
                campaign_name=campaign.name,
                ad_group_id=ad.ad_group_id,
                ad_group_name=group.name,
                ad_id=ad.ad_id,
                ad_name=ad.name,
                country=country,
                impressions=parts["impressions"][i],
                clicks=parts["clicks"][i],
                installs=parts["installs"][i],
                cost=costs[i],
                events=self._events(rng, parts["installs"][i]),
            )

    def _organic_rows(self, app: App, day: date, share: float) -> Iterator[TrackedDay]:
        rng = _rng(self.world.config.seed, "organic", app.app_id, day.toordinal())
        weekday = (1.0, 1.0, 1.0, 1.0, 1.05, 1.2, 1.25)[day.weekday()]
        installs = round(rng.uniform(40, 160) * max(self.world.config.scale, 0.3) * weekday * share)
        yield TrackedDay(
            date=day,
            app=app,
            platform=None,
            account_id=None,
            campaign_id=None,
            campaign_name=None,
            ad_group_id=None,
            ad_group_name=None,
            ad_id=None,
            ad_name=None,
            country="KR",
            impressions=0,
            clicks=0,
            installs=installs,
            cost=Decimal("0.00"),
            events=self._events(rng, installs),
        )

    @staticmethod
    def _events(rng: random.Random, installs: int) -> dict[str, EventCount]:
        events: dict[str, EventCount] = {}
        if not installs:
            return events
        registered = round(installs * rng.uniform(0.3, 0.6))
        if registered:
            events["registration"] = EventCount(registered, registered, Decimal("0.00"))
        buyers = round(installs * rng.uniform(0.03, 0.12))
        if buyers:
            count = buyers + round(buyers * rng.uniform(0.0, 0.5))
            revenue = sum((_usd(rng.uniform(5, 40)) for _ in range(count)), Decimal("0.00"))
            events["purchase"] = EventCount(buyers, count, revenue)
        return events

    # -- raw -------------------------------------------------------------------------
    def installs(self, app: App, day: date) -> list[Install]:
        """Every install of one day (local time of the app), in install-time order.

        Their number per tracked row is the row's ``installs``.
        """
        result: list[Install] = []
        for row in self.daily(app, day, day):
            rng = _rng(self.world.config.seed, "raw", app.app_id, row.ad_id, row.country, day)
            for n in range(row.installs):
                at = datetime.combine(day, time()) + timedelta(seconds=rng.randrange(86_400))
                touch = (
                    None
                    if row.platform is None
                    else at - timedelta(seconds=rng.randrange(60, 7_200))
                )
                touch_type = (
                    None if row.platform is None else rng.choice(("click", "click", "impression"))
                )
                device = f"{rng.getrandbits(44):011x}-{n:04d}"
                result.append(Install(at, touch, touch_type, device, row))
        result.sort(key=lambda i: (i.install_time, i.device_id))
        return result

    def in_app_events(self, app: App, day: date) -> list[InAppEvent]:
        """Every in-app event of one day, in event-time order.

        Per tracked row, events go to its installs in order: the row's ``users`` of an
        event each get one, the rest of its ``count`` go to the first users again; the
        revenues add up exactly to the row's revenue.
        """
        by_row: dict[int, list[Install]] = {}
        rows: dict[int, TrackedDay] = {}
        for install in self.installs(app, day):
            by_row.setdefault(id(install.row), []).append(install)
            rows[id(install.row)] = install.row
        result: list[InAppEvent] = []
        for key, installs in by_row.items():
            row = rows[key]
            ordered = sorted(installs, key=lambda i: i.device_id)
            for name, numbers in sorted(row.events.items()):
                revenues = _split_money(numbers.revenue, numbers.count)
                for k in range(numbers.count):
                    install = ordered[k % numbers.users]
                    at = min(
                        install.install_time + timedelta(minutes=5 + 3 * k),
                        datetime.combine(day, time(23, 59, 59)),
                    )
                    result.append(InAppEvent(at, name, revenues[k], install))
        result.sort(key=lambda e: (e.event_time, e.install.device_id, e.name))
        return result


def _split_money(total: Decimal, n: int) -> list[Decimal]:
    """``n`` amounts of whole cents adding up exactly to ``total``."""
    if n <= 0:
        return []
    cents = int(total * 100)
    return [Decimal(c) / 100 for c in _split(cents, [1.0] * n)]
