"""Labelled incidents and normal variation of the synthetic world (the bench's ground truth).

The world (:class:`~ingestion.sandbox.world.World`) reads this module to bend its delivery;
the benchmark (``bench/automation.py``) reads :meth:`World.incidents` to score ARGO's
pacing and anomaly marts against what really happened. No fake serves a label and no
model reads one: the warehouse only sees the delivery the incidents made.

**Incidents** (:data:`KINDS`), drawn once from the seed and spread over the days that
have eight weeks of history behind them (:data:`BASELINE_DAYS`), never two on the same
advertiser and platform at overlapping times:

* ``tracking_broken``: an app campaign's conversions (platform-reported) and its tracker
  installs fall to zero; impressions, clicks and spend hold.
* ``spend_spike``: a bid raised on a campaign: impressions (so clicks and spend) x2.5.
* ``cpc_surge``: a campaign's cost per click x2 with impressions and clicks flat.
* ``delivery_stopped``: an ACTIVE campaign with a daily budget of its own has no rows from
  a day on.
* ``budget_exhausted``: every campaign of one advertiser on one platform delivers x1.8
  for a whole month, so the month's budget in the plan (its normal spend, see
  :func:`ingestion.sandbox.plan.plan_tables`) runs out around the 17th.
* ``under_delivery``: one account delivers x0.45 for a whole month (spend well under plan).

**Normal variation** (must not alert): the weekday factors, Korean public holidays (each
advertiser's delivery drops or rises by its own factor on every holiday, Seollal and
Chuseok included, from the ``holidays`` package's KR calendar as the holidays fake uses),
slow growth (each advertiser a few % a month, the level at the configured today being the
old one), and the per-ad daily noise the world already draws.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import holidays

if TYPE_CHECKING:
    from ingestion.sandbox.world import Campaign, World

#: The incident kinds, in the order they are drawn.
KINDS = (
    "tracking_broken",
    "spend_spike",
    "cpc_surge",
    "delivery_stopped",
    "budget_exhausted",
    "under_delivery",
)
#: Days of history an incident needs before it (8 weeks of same-weekday baseline + 1 week).
BASELINE_DAYS = 63
#: One incident of each campaign kind per this many days of the window (at least one).
DAYS_PER_INCIDENT = 100
#: Days each campaign incident lasts (``None``: until today).
DURATION_DAYS = {
    "tracking_broken": 10,
    "spend_spike": 14,
    "cpc_surge": 14,
    "delivery_stopped": 21,
}
SPIKE_FACTOR = 2.5
CPC_FACTOR = 2.0
EXHAUSTED_FACTOR = 1.8
UNDER_FACTOR = 0.45
#: What each advertiser's delivery is multiplied by on a Korean public holiday.
HOLIDAY_FACTORS = (0.6, 0.7, 1.25, 1.35)
#: Range of each advertiser's monthly growth rate.
GROWTH_PER_MONTH = (0.01, 0.03)


@dataclass(frozen=True)
class Incident:
    """One labelled incident: what happened, where, from when to when, and its effect.

    ``account_id`` and ``campaign_id`` are ``None`` when the incident covers more (a
    budget exhausted is an advertiser's whole platform); ``end`` is the last day it lasts,
    ``None`` when it lasts up to the world's configured today.
    """

    kind: str
    platform: str
    advertiser_id: str
    account_id: str | None
    campaign_id: str | None
    start: date
    end: date | None
    effect: str
    #: Multiplies impressions (and so clicks, reach, spend and conversions).
    impressions_factor: float = 1.0
    #: Multiplies spend alone (the cost per click), impressions and clicks unchanged.
    cost_factor: float = 1.0
    #: Conversions and tracker installs are zero.
    no_conversions: bool = False
    #: No delivery at all (no rows).
    no_delivery: bool = False

    def covers(self, day: date) -> bool:
        """Whether the incident is under way on ``day``."""
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Effect:
    """The combined effect of the incidents on one campaign on one day."""

    impressions_factor: float = 1.0
    cost_factor: float = 1.0
    no_conversions: bool = False
    no_delivery: bool = False


NO_EFFECT = Effect()


@functools.lru_cache(maxsize=64)
def kr_holidays(year: int) -> frozenset[date]:
    """Korean public holidays of ``year`` (the ``holidays`` package's KR calendar)."""
    return frozenset(holidays.country_holidays("KR", years=year))


def is_kr_holiday(day: date) -> bool:
    """Whether ``day`` is a Korean public holiday (Seollal, Chuseok, substitutes included)."""
    return day in kr_holidays(day.year)


def _rng(seed: int, *parts: object) -> random.Random:
    from ingestion.sandbox.world import _rng as world_rng

    return world_rng(seed, "incidents", *parts)


class Variation:
    """Normal variation per advertiser: the holiday factor and the monthly growth."""

    def __init__(self, world: World) -> None:
        seed = world.config.seed
        self._anchor = world.config.as_of
        self.holiday_factor: dict[str, float] = {}
        self.growth: dict[str, float] = {}
        for advertiser in world.advertiser_ids():
            rng = _rng(seed, "variation", advertiser)
            self.holiday_factor[advertiser] = rng.choice(HOLIDAY_FACTORS)
            self.growth[advertiser] = rng.uniform(*GROWTH_PER_MONTH)

    def growth_factor(self, advertiser_id: str, day: date) -> float:
        """The advertiser's growth on ``day`` (1.0 at the configured today)."""
        rate: float = 1.0 + self.growth[advertiser_id]
        return float(rate ** ((day - self._anchor).days / 30.4))

    def factor(self, advertiser_id: str, day: date) -> float:
        """What the advertiser's delivery on ``day`` is multiplied by."""
        value = self.growth_factor(advertiser_id, day)
        if is_kr_holiday(day):
            value *= self.holiday_factor[advertiser_id]
        return value


def _months(first: date, last: date) -> list[date]:
    """First days of the months that start within ``[first, last]``."""
    month = first.replace(day=1)
    if month < first:
        month = (month + timedelta(days=32)).replace(day=1)
    result = []
    while month <= last:
        result.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return result


def _month_end(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _overlaps(a: tuple[date, date], b: tuple[date, date], margin: int = 7) -> bool:
    return a[0] <= b[1] + timedelta(days=margin) and b[0] <= a[1] + timedelta(days=margin)


def draw_incidents(world: World) -> list[Incident]:
    """The world's incidents, drawn from its seed (none when its history is too short)."""
    seed = world.config.seed
    as_of = world.config.as_of
    first = world.first_day + timedelta(days=BASELINE_DAYS)
    last = as_of - timedelta(days=3)
    if last < first:
        return []
    rng = _rng(seed, "draw", world.config.history_days, as_of.toordinal())
    taken: list[tuple[str, str, date, date]] = []  # advertiser, platform, first, last day
    incidents: list[Incident] = []

    def free(advertiser: str, platform: str, span: tuple[date, date]) -> bool:
        return not any(
            a == advertiser and p == platform and _overlaps(span, (f, t)) for a, p, f, t in taken
        )

    pairs = [
        (advertiser, platform)
        for advertiser in world.advertiser_ids()
        for platform in world.platforms()
    ]
    # Monthly incidents first: whole months with at least ten days before today.
    months = _months(first, as_of - timedelta(days=10))
    count = max(1, len(months) // 3) if months else 0
    for kind in ("budget_exhausted", "under_delivery"):
        for i in range(count):
            index = (i * len(months)) // count + (1 if kind == "under_delivery" else 0)
            month = months[min(index, len(months) - 1)]
            span = (month, _month_end(month))
            candidates = [p for p in pairs if free(*p, span)]
            if kind == "under_delivery":  # an account that is its advertiser's whole platform
                single = [p for p in candidates if len(world.accounts_of(*p)) == 1]
                candidates = single or candidates
            if not candidates:
                continue
            advertiser, platform = rng.choice(candidates)
            end = span[1] if span[1] < as_of else None
            taken.append((advertiser, platform, *span))
            if kind == "budget_exhausted":
                incidents.append(
                    Incident(
                        kind,
                        platform,
                        advertiser,
                        None,
                        None,
                        month,
                        end,
                        f"every campaign delivers x{EXHAUSTED_FACTOR} all month: the "
                        "month's budget runs out around the 17th",
                        impressions_factor=EXHAUSTED_FACTOR,
                    )
                )
            else:
                account = world.accounts_of(advertiser, platform)[0]
                incidents.append(
                    Incident(
                        kind,
                        platform,
                        advertiser,
                        account.account_id,
                        None,
                        month,
                        end,
                        f"the account delivers x{UNDER_FACTOR} all month: spend well under plan",
                        impressions_factor=UNDER_FACTOR,
                    )
                )
    # Campaign incidents, each kind spread over the window in equal slots.
    window = (last - first).days + 1
    per_kind = max(1, window // DAYS_PER_INCIDENT)
    used: set[str] = set()
    for k, kind in enumerate(("tracking_broken", "spend_spike", "cpc_surge", "delivery_stopped")):
        for i in range(per_kind):
            slot = window // per_kind
            offset = (i * slot + (k * slot) // 4 + rng.randrange(max(slot // 4, 1))) % window
            start = first + timedelta(days=offset)
            stop = start + timedelta(days=DURATION_DAYS[kind] - 1)
            campaign = _pick_campaign(world, rng, kind, start, stop, used, free)
            if campaign is None:
                continue
            used.add(campaign.campaign_id)
            advertiser = world.account(campaign.platform, campaign.account_id).advertiser_id
            taken.append((advertiser, campaign.platform, start, stop))
            end = stop if stop < as_of else None
            incidents.append(_campaign_incident(kind, advertiser, campaign, start, end))
    incidents.sort(key=lambda i: (i.start, i.kind, i.platform, i.campaign_id or ""))
    return incidents


def _pick_campaign(
    world: World,
    rng: random.Random,
    kind: str,
    start: date,
    stop: date,
    used: set[str],
    free: object,
) -> Campaign | None:
    """A delivering campaign with eight weeks behind it and volume among the top half.

    Broken tracking takes an app campaign (the trackers measure those); delivery stopped
    a campaign with a budget of its own (not only its ad groups').
    """
    candidates = []
    for platform in world.platforms():
        for account in world.accounts(platform):
            if not free(account.advertiser_id, platform, (start, stop)):  # type: ignore[operator]
                continue
            for campaign in world.campaigns(platform, account.account_id):
                if (
                    campaign.campaign_id in used
                    or campaign.status != "ACTIVE"
                    or campaign.start_date > start - timedelta(days=BASELINE_DAYS)
                    or (kind == "tracking_broken" and campaign.goal != "app")
                    or (kind == "delivery_stopped" and not campaign.daily_budget_minor)
                ):
                    continue
                candidates.append((world.campaign_volume(campaign.campaign_id), campaign))
    if not candidates:
        return None
    candidates.sort(key=lambda vc: (-vc[0], vc[1].campaign_id))
    return rng.choice(candidates[: max(1, (len(candidates) + 1) // 2)])[1]


def _campaign_incident(
    kind: str, advertiser: str, campaign: Campaign, start: date, end: date | None
) -> Incident:
    keys = (kind, campaign.platform, advertiser, campaign.account_id, campaign.campaign_id)
    if kind == "tracking_broken":
        return Incident(
            *keys,
            start,
            end,
            "conversions and tracker installs fall to zero; clicks hold",
            no_conversions=True,
        )
    if kind == "spend_spike":
        return Incident(
            *keys,
            start,
            end,
            f"a bid raise: impressions, clicks and spend x{SPIKE_FACTOR}",
            impressions_factor=SPIKE_FACTOR,
        )
    if kind == "cpc_surge":
        return Incident(
            *keys,
            start,
            end,
            f"cost per click x{CPC_FACTOR}, clicks flat",
            cost_factor=CPC_FACTOR,
        )
    return Incident(
        *keys,
        start,
        end,
        "no delivery while the campaign stays ACTIVE with its budget",
        no_delivery=True,
    )


def effects_by_campaign(world: World, incidents: list[Incident]) -> dict[str, list[Incident]]:
    """The incidents that bend each campaign (advertiser- and account-wide ones expanded)."""
    result: dict[str, list[Incident]] = {}
    for incident in incidents:
        for account in world.accounts_of(incident.advertiser_id, incident.platform):
            if incident.account_id not in (None, account.account_id):
                continue
            for campaign in world.campaigns(incident.platform, account.account_id):
                if incident.campaign_id in (None, campaign.campaign_id):
                    result.setdefault(campaign.campaign_id, []).append(incident)
    return result


def effect_on(incidents: list[Incident], day: date) -> Effect:
    """The combined effect of ``incidents`` on ``day``."""
    live = [i for i in incidents if i.covers(day)]
    if not live:
        return NO_EFFECT
    impressions = cost = 1.0
    for incident in live:
        impressions *= incident.impressions_factor
        cost *= incident.cost_factor
    return Effect(
        impressions,
        cost,
        any(i.no_conversions for i in live),
        any(i.no_delivery for i in live),
    )
