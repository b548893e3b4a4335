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
* Other time zones: :meth:`Trackers.daily_in` re-buckets an app's day into the days of
  another zone (AppsFlyer without ``timezone`` reports in UTC; Adjust takes any
  ``utc_offset``). Installs and in-app events move with their own timestamps (the raw
  rows), so they add up exactly to the raw reports in that zone; impressions, clicks and
  cost, which have no timestamps here, are split by the share of the local day that falls
  on each day of the other zone (largest remainder, so the parts add up exactly).
* Attribution: every install's touch is a click or an impression (raw ``Attributed Touch
  Type``); the apps measured by Adjust count click-through attributions only (Adjust's
  default ``attribution_type=click``), so their touches are always clicks. Nothing is
  re-attributed or re-engaged: the world has no retargeting campaigns.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from ingestion.sandbox.world import ACCOUNT_PROFILES, PLATFORMS, AdDay, World, split_by_weights

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
            if not world.restated_to_nothing(day):  # a day restated away has no installs
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
        if world.tracking_broken(ad.campaign_id, stat.date):  # a labelled incident
            installs = 0
        cost = float(stat.spend) * USD_PER_UNIT[account.currency]
        home = HOME_COUNTRY[account.currency]
        countries = (home, OTHER_COUNTRY[home])
        parts = {
            "installs": split_by_weights(installs, [0.8, 0.2]),
            "impressions": split_by_weights(stat.impressions, [0.8, 0.2]),
            "clicks": split_by_weights(stat.clicks, [0.8, 0.2]),
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
        return self._installs(app, day, list(self.daily(app, day, day)))

    def _installs(self, app: App, day: date, rows: list[TrackedDay]) -> list[Install]:
        result: list[Install] = []
        for row in rows:
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
                if touch_type is not None and app.tracker == "adjust":
                    touch_type = "click"  # Adjust counts click-through attributions only
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
        return self._in_app_events(day, self.installs(app, day))

    @staticmethod
    def _in_app_events(day: date, installs: list[Install]) -> list[InAppEvent]:
        by_row: dict[int, list[Install]] = {}
        rows: dict[int, TrackedDay] = {}
        for install in installs:
            by_row.setdefault(id(install.row), []).append(install)
            rows[id(install.row)] = install.row
        result: list[InAppEvent] = []
        for key, group in by_row.items():
            row = rows[key]
            ordered = sorted(group, key=lambda i: i.device_id)
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

    # -- other time zones --------------------------------------------------------------
    def local_days(self, app: App, since: date, until: date, zone: tzinfo) -> list[date]:
        """The app's local days that overlap the days ``[since, until]`` of ``zone``."""
        home = ZoneInfo(app.timezone_name)
        start = datetime.combine(since, time(), zone).astimezone(home).date()
        end = datetime.combine(until + timedelta(days=1), time(), zone).astimezone(home)
        last = (end - timedelta(microseconds=1)).date()
        return [start + timedelta(days=i) for i in range((last - start).days + 1)]

    def to_zone(self, app: App, local: datetime, zone: tzinfo) -> datetime:
        """A naive local time of the app as a naive time of ``zone``."""
        home = ZoneInfo(app.timezone_name)  # cached by zoneinfo: one object per name
        if zone is home:  # the app's own zone (AppsFlyer's timezone=<the app's>): as it is
            return local
        return local.replace(tzinfo=home).astimezone(zone).replace(tzinfo=None)

    def daily_in(
        self,
        app: App,
        since: date,
        until: date,
        zone: tzinfo,
        *,
        events_by: str = "install",
        touch_type: str | None = None,
    ) -> list[TrackedDay]:
        """Tracked rows of one app with days taken in ``zone`` (see the module notes).

        Args:
            app: The app.
            since: First day (of ``zone``).
            until: Last day (of ``zone``), inclusive.
            zone: The report's time zone (a ``ZoneInfo`` or a fixed ``timezone``).
            events_by: ``install`` puts an event on its install's day (AppsFlyer's
                aggregate reports are cohorted by install date); ``event`` on its own.
            touch_type: Count only installs attributed to this touch (``click`` or
                ``impression``) and their events; impressions, clicks and cost are then 0
                (they do not belong to one kind of touch).

        Returns:
            Rows like :meth:`daily`, ``date`` in ``zone``; a local row that straddles two
            days of ``zone`` comes back as two rows.
        """
        days = self.local_days(app, since, until, zone)
        home = ZoneInfo(app.timezone_name)
        aligned = all(self._segments(d, home, zone) == [(d, 1.0)] for d in days)
        if aligned and touch_type is None:
            return list(self.daily(app, since, until))
        result: list[TrackedDay] = []
        for day in days:
            rows = list(self.daily(app, day, day))
            if not rows:
                continue
            segments = self._segments(day, home, zone)
            installs = self._installs(app, day, rows)
            by_row: dict[int, list[Install]] = {}
            for install in installs:
                by_row.setdefault(id(install.row), []).append(install)
            events_of: dict[int, list[InAppEvent]] = {}
            for event in self._in_app_events(day, installs):
                events_of.setdefault(id(event.install.row), []).append(event)
            for row in rows:
                result.extend(
                    self._split_row(
                        app,
                        row,
                        segments,
                        by_row.get(id(row), []),
                        events_of.get(id(row), []),
                        zone,
                        events_by,
                        touch_type,
                    )
                )
        return [r for r in result if since <= r.date <= until]

    @staticmethod
    def _segments(day: date, home: tzinfo, zone: tzinfo) -> list[tuple[date, float]]:
        """The days of ``zone`` a local day covers, each with its share of the day."""
        start = datetime.combine(day, time(), home).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(), home).astimezone(UTC)
        length = (end - start).total_seconds()
        result: list[tuple[date, float]] = []
        cursor = start
        while cursor < end:
            there = cursor.astimezone(zone).date()
            midnight = datetime.combine(there + timedelta(days=1), time(), zone).astimezone(UTC)
            step = min(end, midnight)
            result.append((there, (step - cursor).total_seconds() / length))
            cursor = step
        return result

    def _split_row(
        self,
        app: App,
        row: TrackedDay,
        segments: list[tuple[date, float]],
        installs: list[Install],
        events: list[InAppEvent],
        zone: tzinfo,
        events_by: str,
        touch_type: str | None,
    ) -> Iterator[TrackedDay]:
        """One local row's parts on the days of ``zone`` (its own installs and events)."""

        def there(local: datetime) -> date:
            return self.to_zone(app, local, zone).date()

        mine = [i for i in installs if touch_type is None or i.touch_type == touch_type]
        kept = {id(i) for i in mine}
        own_events = [e for e in events if id(e.install) in kept]
        weights = [share for _, share in segments]
        whole = touch_type is None
        impressions = split_by_weights(row.impressions, weights) if whole else [0] * len(segments)
        clicks = split_by_weights(row.clicks, weights) if whole else [0] * len(segments)
        cents = split_by_weights(int(row.cost * 100), weights) if whole else [0] * len(segments)
        for k, (day, _) in enumerate(segments):
            count = sum(1 for i in mine if there(i.install_time) == day)
            counts: dict[str, EventCount] = {}
            for name in sorted({e.name for e in own_events}):
                hits = [
                    e
                    for e in own_events
                    if e.name == name
                    and there(e.install.install_time if events_by == "install" else e.event_time)
                    == day
                ]
                if hits:
                    users = len({id(e.install) for e in hits})
                    revenue = sum((e.revenue for e in hits), Decimal("0.00"))
                    counts[name] = EventCount(users, len(hits), revenue)
            cost = Decimal(cents[k]) / 100
            if not (count or impressions[k] or clicks[k] or cents[k] or counts):
                continue
            yield replace(
                row,
                date=day,
                impressions=impressions[k],
                clicks=clicks[k],
                installs=count,
                cost=cost.quantize(Decimal("0.01")),
                events=counts,
            )


def _split_money(total: Decimal, n: int) -> list[Decimal]:
    """``n`` amounts of whole cents adding up exactly to ``total``."""
    if n <= 0:
        return []
    cents = int(total * 100)
    return [Decimal(c) / 100 for c in split_by_weights(cents, [1.0] * n)]
