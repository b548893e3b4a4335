"""A fake of the Adjust Report Service API (JSON and CSV reports, filters data) on 127.0.0.1.

It serves what :class:`~ingestion.sandbox.trackers.Trackers` says Adjust measured for
every Adjust app of the world (``app_token`` = the app's Adjust token), under both of
Adjust's roots (``/control-center/reports-service/`` on dash.adjust.com and
``/reports-service/`` on automate.adjust.com):

- ``GET .../report?dimensions=day,app_token,network,...&metrics=installs,network_cost,...
  &date_period=...`` -> ``{"rows": [...], "totals": {...}, "warnings": [], "pagination":
  null}``. Rows are grouped by the requested dimensions (tracked rows of several ads of
  one ad group and country add up); every dimension and metric value is a string
  (``"64"``, ``"12.3400"``), each row carries Adjust's ``attr_dependency`` object;
  ``totals`` hold numbers. ``date_period`` takes absolute (``2026-11-01:2026-11-07``),
  relative (``-7d:-1d``) and logical dates (``today``, ``yesterday``, ``this_week``,
  ``last_week`` with weeks from Sunday, ``this_month``, ``last_month``,
  ``this_month_until_yesterday``); "today" is the world's ``as_of``.
- ``GET .../csv_report`` -> the same rows as CSV, slugs as column names or, with
  ``readable_names=true``, Adjust's readable names.
- ``GET .../filters_data?required_filters=apps,networks,...`` -> ``{"apps": [{"id", "name",
  "short_name", "section", "formatting"}], ...}``, with ``section`` and
  ``<filter>__contains`` narrowing the lists; no ``required_filters``: 204.

Report parameters, as Adjust documents them: ``utc_offset`` (any ``+HH:MM`` from -12:00 to
+14:00; the day boundaries move and installs, events and revenue follow their
timestamps; absent: the account's zone, +09:00 in the world), ``currency`` (USD, KRW, JPY,
EUR at the world's fixed rates), ``attribution_type`` (``click``, the default, and ``all``
give the same numbers: the world's Adjust apps attribute by click only; ``impression``
has no installs), ``attribution_source`` (``first`` = ``dynamic``: nothing is
re-attributed), ``reattributed`` (``all``/``false``; ``true`` matches nothing),
``ad_spend_mode`` (``network``/``mixed``: ``cost`` is the network's; ``adjust``: 0, the
world has no Adjust-measured cost), ``sandbox`` (``true``: no sandbox traffic),
``iap_revenue_mode`` (``GROSS_100`` default, ``GROSS_85``/``70``/``60`` scale revenue),
``os_names``, ``cohort_maturity``, ``ad_revenue_sources`` (no effect: no cohort metrics, no
ad revenue), ``sort`` (``-`` for descending), ``index``, ``format_dates`` and the filters
``<dimension>__in|__not_in|__contains|__starts_with|__not_starts_with|__ends_with|
__not_ends_with`` (``app_token__in`` among them) and ``<metric>__lt|__lte|__gt|__gte|__eq|
__ne``. Organic installs come as network ``Organic`` with ``unknown`` campaign, ad group
and creative fields (as in Adjust's documented example).

Errors, as Adjust answers them (bodies assumed DRF-style ``{"detail": ...}``): no or a
wrong ``Authorization: Bearer`` token -> 401; a missing or malformed ``date_period``
(datetimes included), ``dimensions`` or ``metrics``, an unknown dimension, metric (an
event slug no app has), filter, currency or option value, or a parameter Adjust does not
define -> 400; no rows -> HTTP 204 with an empty body; ``faults.throttle_next`` -> 429
with ``Retry-After``; ``faults.rate_limit_next`` -> 429 without it (Adjust's "more than 50
simultaneous requests"); ``faults.fail_next`` -> the 5xx as a gateway's HTML page.

Money: the apps' revenue and the cost integration are in USD; ``currency`` converts at the
world's fixed rates (KRW, JPY, EUR), exactly, to four decimal places.
"""

from __future__ import annotations

import csv
import io
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ingestion.sandbox.faults import Faults
from ingestion.sandbox.http import FakeApi, Reply, Request
from ingestion.sandbox.trackers import EVENTS, App, TrackedDay, Trackers
from ingestion.sandbox.world import ACCOUNT_PROFILES, World

REPORT_PATH = "/control-center/reports-service/report"
#: Adjust's two roots of the Report Service API (dash.adjust.com, automate.adjust.com).
ROOTS = ("/control-center/reports-service", "/reports-service")
#: World platform -> Adjust network name (Naver's is assumed).
NETWORKS = {
    "meta_ads": "Facebook Installs",
    "google_ads": "Google Ads ACI",
    "kakao_moment": "Kakao Moment",
    "naver_searchad": "Naver",
}
#: World platform -> Adjust partner slug in ``attr_dependency`` (assumed).
PARTNERS = {
    "meta_ads": "facebook",
    "google_ads": "adwords",
    "kakao_moment": "kakao",
    "naver_searchad": "naver",
}
#: World platform -> Adjust partner name and id (assumed; Organic's id -300 is Adjust's).
PARTNER_NAMES = {
    "meta_ads": ("Facebook", "34"),
    "google_ads": ("Google Ads", "254"),
    "kakao_moment": ("Kakao", "1601"),
    "naver_searchad": ("Naver", "1602"),
}
ORGANIC = "Organic"
ORGANIC_PARTNER_ID = "-300"
UNKNOWN = "unknown"
#: World event -> Adjust event slug.
EVENT_SLUGS = {"purchase": "purchase", "registration": "registration"}
#: Report currency -> units per USD (the world's fixed rates).
PER_USD = {currency: Decimal(repr(rate)) for currency, _, _, rate in ACCOUNT_PROFILES}
CURRENCY_NAMES = {"USD": "US Dollar", "KRW": "South Korean Won", "JPY": "Yen", "EUR": "Euro"}
COUNTRY_NAMES = {
    "KR": "Korea, Republic of",
    "US": "United States of America",
    "JP": "Japan",
    "DE": "Germany",
}
REGIONS = {"KR": "APAC", "JP": "APAC", "US": "NA", "DE": "EMEA"}
STORE_TYPES = {"android": "google_play", "ios": "itunes"}
#: Dimensions the fake can group by (Adjust has more; others answer 400), readable names.
DIMENSION_NAMES = {
    "day": "Day",
    "week": "Week",
    "month": "Month",
    "quarter": "Quarter",
    "year": "Year",
    "app": "App",
    "app_token": "App Token",
    "os_name": "OS Name",
    "platform": "Platform",
    "device_type": "Device Type",
    "store_id": "Store ID",
    "store_type": "Store Type",
    "app_network": "App (Network)",
    "currency": "Currency",
    "currency_code": "Currency Code",
    "network": "Network",
    "partner": "Partner",
    "partner_name": "Partner Name",
    "partner_id": "Partner ID",
    "campaign": "Campaign",
    "campaign_network": "Campaign (Network)",
    "campaign_id_network": "Campaign ID (Network)",
    "adgroup": "Adgroup",
    "adgroup_network": "Adgroup (Network)",
    "adgroup_id_network": "Adgroup ID (Network)",
    "source_network": "Source (Network)",
    "source_id_network": "Source ID (Network)",
    "creative": "Creative",
    "creative_network": "Creative (Network)",
    "creative_id_network": "Creative ID (Network)",
    "country": "Country",
    "country_code": "Country Code",
    "region": "Region",
}
DIMENSIONS = tuple(DIMENSION_NAMES)


@dataclass(frozen=True)
class Metric:
    """A metric the fake computes: readable name, filters-data section and formatting."""

    name: str
    section: str
    formatting: str


BASE_METRICS = {
    "installs": Metric("Installs", "Installs", "integer"),
    "paid_installs": Metric("Installs (paid)", "Installs", "integer"),
    "organic_installs": Metric("Organic Installs", "Installs", "integer"),
    "non_organic_installs": Metric("Non-Organic Installs", "Installs", "integer"),
    "reattributions": Metric("Reattributions", "Installs", "integer"),
    "clicks": Metric("Clicks", "Conversion", "integer"),
    "impressions": Metric("Impressions", "Conversion", "integer"),
    "sessions": Metric("Sessions", "Conversion", "integer"),
    "events": Metric("Total Events", "Events", "integer"),
    "revenue_events": Metric("Revenue Events", "Revenue", "integer"),
    "revenue": Metric("Revenue", "Revenue", "money"),
    "all_revenue": Metric("All Revenue", "Revenue", "money"),
    "network_cost": Metric("Ad Spend (Network)", "Cost", "decimal"),
    "cost": Metric("Ad Spend", "Cost", "money"),
    "adjust_cost": Metric("Ad Spend (Attribution)", "Cost", "money"),
}
_COUNTS = frozenset(
    {
        *("installs", "paid_installs", "organic_installs", "non_organic_installs"),
        *("reattributions", "clicks", "impressions", "sessions", "events", "revenue_events"),
    }
)
_MONEY_METRICS = frozenset({"network_cost", "cost", "adjust_cost", "revenue", "all_revenue"})
_PERIOD_SIDE = r"(\d{4}-\d{2}-\d{2}|-?\d+d)"
_PERIOD = re.compile(f"{_PERIOD_SIDE}:{_PERIOD_SIDE}")
_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")
#: The apps' time zone (Asia/Seoul), the Adjust account's report zone by default.
ACCOUNT_OFFSET = "+09:00"
_FOUR = Decimal("0.0001")
#: Report options and the values Adjust accepts.
CHOICES = {
    "attribution_type": ("click", "impression", "all"),
    "attribution_source": ("first", "dynamic"),
    "reattributed": ("all", "false", "true"),
    "ad_spend_mode": ("adjust", "network", "mixed"),
    "iap_revenue_mode": ("GROSS_100", "GROSS_85", "GROSS_70", "GROSS_60"),
    "cohort_maturity": ("immature", "mature"),
    "sandbox": ("true", "false"),
    "format_dates": ("true", "false"),
    "readable_names": ("true", "false"),
}
OS_NAMES = (
    *("android", "bada", "blackberry", "ios", "linux", "macos", "server", "symbian"),
    *("unknown", "webos", "windows", "windows-phone"),
)
_FREE = ("dimensions", "metrics", "date_period", "utc_offset", "currency", "os_names")
_FREE_MORE = ("ad_revenue_sources", "sort", "index")
_DIMENSION_FILTERS: dict[str, Callable[[str, list[str]], bool]] = {
    "in": lambda v, xs: v in xs,
    "not_in": lambda v, xs: v not in xs,
    "contains": lambda v, xs: xs[0].lower() in v.lower(),
    "starts_with": lambda v, xs: v.lower().startswith(xs[0].lower()),
    "not_starts_with": lambda v, xs: not v.lower().startswith(xs[0].lower()),
    "ends_with": lambda v, xs: v.lower().endswith(xs[0].lower()),
    "not_ends_with": lambda v, xs: not v.lower().endswith(xs[0].lower()),
}
_METRIC_FILTERS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "lt": lambda v, x: v < x,
    "lte": lambda v, x: v <= x,
    "gt": lambda v, x: v > x,
    "gte": lambda v, x: v >= x,
    "eq": lambda v, x: v == x,
    "ne": lambda v, x: v != x,
}
#: The filters ``filters_data`` knows; the ones the world has nothing for list nothing.
FILTERS = (
    *("apps", "apps_network", "overview_metrics", "skad_metrics", "cohort_maturity"),
    *("cohort_metrics", "event_metrics", "cost_metrics", "etl_metrics", "dimensions"),
    *("countries", "currencies", "os_names", "networks", "partners", "ad_revenue_sources"),
    *("iap_revenue_mode", "attribution_type", "attribution_source", "attribution_status"),
    *("ad_spend_mode", "utc_offset", "attributes", "index", "period_over_period"),
    *("cohort_metric_names", "full_cohort_periods", "store_type", "skad_time_adjustment"),
)
SECTIONS = (
    *("conversion", "fraud", "cost", "revenue", "retention", "events"),
    *("conversion_events", "installs", "conversion_values"),
)


class BadRequest(Exception):
    """A request Adjust refuses (HTTP 400 with its ``detail``)."""


def network_name(row: TrackedDay) -> str:
    """The Adjust network of a tracked row."""
    return ORGANIC if row.platform is None else NETWORKS[row.platform]


def _week(day: date) -> str:
    start = day - timedelta(days=(day.weekday() + 1) % 7)  # weeks run Sunday to Saturday
    return f"{start.isoformat()} - {(start + timedelta(days=6)).isoformat()}"


def dimension_value(app: App, row: TrackedDay, dimension: str, currency: str = "USD") -> str:
    """A tracked row's value of one Adjust dimension, as a string."""
    organic = row.platform is None
    day = row.date
    store_id = app.app_id if app.os == "android" else f"id{zlib.crc32(app.app_id.encode())}"
    simple: dict[str, Callable[[], str]] = {
        "day": day.isoformat,
        "week": lambda: _week(day),
        "month": lambda: day.strftime("%Y-%m"),
        "quarter": lambda: f"Q{(day.month - 1) // 3 + 1} {day.year}",
        "year": lambda: str(day.year),
        "app": lambda: app.name,
        "app_token": lambda: app.app_id,
        "os_name": lambda: app.os,
        "platform": lambda: app.os,
        "device_type": lambda: "phone",
        "store_id": lambda: store_id,
        "store_type": lambda: STORE_TYPES[app.os],
        "app_network": lambda: f"{STORE_TYPES[app.os]}:{store_id}",
        "currency": lambda: CURRENCY_NAMES[currency],
        "currency_code": lambda: currency,
        "network": lambda: network_name(row),
        "partner": lambda: ORGANIC if organic else PARTNERS[str(row.platform)],
        "partner_name": lambda: ORGANIC if organic else PARTNER_NAMES[str(row.platform)][0],
        "partner_id": lambda: (
            ORGANIC_PARTNER_ID if organic else PARTNER_NAMES[str(row.platform)][1]
        ),
        "country": lambda: COUNTRY_NAMES[row.country],
        "country_code": lambda: row.country,
        "region": lambda: REGIONS[row.country],
    }
    if dimension in simple:
        return simple[dimension]()
    named = {
        "campaign": (row.campaign_name, row.campaign_id),
        "adgroup": (row.ad_group_name, row.ad_group_id),
        "source": (row.ad_group_name, row.ad_group_id),
        "creative": (row.ad_name, row.ad_id),
    }
    level, _, kind = dimension.partition("_")
    name, object_id = named[level]
    if organic:
        return UNKNOWN
    if kind == "network":
        return str(name)
    if kind == "id_network":
        return str(object_id)
    return f"{name} ({object_id})"  # link sub-level: "Name (id)"


def metric_value(
    rows: Iterable[TrackedDay],
    metric: str,
    currency: str,
    ad_spend_mode: str = "mixed",
    revenue_share: Decimal = Decimal(1),
) -> int | Decimal:
    """One metric summed over tracked rows (money converted from USD into ``currency``)."""
    rows = list(rows)
    paid = [r for r in rows if r.platform is not None]
    value: Decimal
    counts: dict[str, Callable[[], int]] = {
        "installs": lambda: sum(r.installs for r in rows),
        "paid_installs": lambda: sum(r.installs for r in paid),
        "non_organic_installs": lambda: sum(r.installs for r in paid),
        "organic_installs": lambda: sum(r.installs for r in rows if r.platform is None),
        "reattributions": lambda: 0,
        "clicks": lambda: sum(r.clicks for r in rows),
        "impressions": lambda: sum(r.impressions for r in rows),
        "sessions": lambda: sum(
            r.installs * 2 + (r.events["registration"].users if "registration" in r.events else 0)
            for r in rows
        ),
        "events": lambda: sum(c.count for r in rows for c in r.events.values()),
        "revenue_events": lambda: sum(
            r.events["purchase"].count for r in rows if "purchase" in r.events
        ),
    }
    if metric in counts:
        return counts[metric]()
    if metric == "network_cost" or (metric == "cost" and ad_spend_mode != "adjust"):
        value = sum((r.cost for r in rows), Decimal(0))
    elif metric in ("cost", "adjust_cost"):
        value = Decimal(0)  # the world's cost comes from the networks, not Adjust's links
    elif metric in ("revenue", "all_revenue"):
        value = sum((c.revenue for r in rows for c in r.events.values()), Decimal(0))
        value *= revenue_share
    else:
        slug, _, kind = metric.rpartition("_")
        event = next(e for e, s in EVENT_SLUGS.items() if s == slug)
        found = [r.events[event] for r in rows if event in r.events]
        if kind == "events":
            return sum(c.count for c in found)
        value = sum((c.revenue for c in found), Decimal(0)) * revenue_share
    return convert(value, currency)


def convert(usd: Decimal, currency: str) -> Decimal:
    """A USD amount in ``currency`` at the world's rate, to four decimal places."""
    return (usd * PER_USD[currency]).quantize(_FOUR, rounding=ROUND_HALF_UP)


def _text(value: int | Decimal) -> str:
    return str(value)


@dataclass
class ReportQuery:
    """A checked report request."""

    since: date
    until: date
    dimensions: list[str]
    metrics: list[str]
    currency: str = "USD"
    zone: tzinfo = timezone(timedelta(hours=9))
    options: dict[str, str] = field(default_factory=dict)
    dimension_filters: list[tuple[str, str, list[str]]] = field(default_factory=list)
    metric_filters: list[tuple[str, str, Decimal]] = field(default_factory=list)
    sort: list[tuple[str, bool]] = field(default_factory=list)
    os_names: list[str] | None = None


class AdjustFake(FakeApi):
    """The Adjust Report Service API fake.

    Args:
        world: The world it serves (its today is ``world.as_of``).
        faults: Fault switches (see :class:`~ingestion.sandbox.faults.Faults`).
        api_token: The Adjust API token it accepts.
    """

    def __init__(
        self, world: World, faults: Faults | None = None, api_token: str = "sandbox-adjust-token"
    ) -> None:
        super().__init__(faults)
        self.world = world
        self.trackers = Trackers(world)
        self.api_token = api_token

    def source_options(self) -> dict[str, Any]:
        """Keyword arguments that point ``adjust_source`` at this fake (start it first)."""
        return {
            "base_url": self.base_url,
            "api_token": self.api_token,
            "app_tokens": [app.app_id for app in self.trackers.apps("adjust")],
            "start_date": self.world.first_day.isoformat(),
        }

    # -- report ----------------------------------------------------------------------
    def metrics(self) -> set[str]:
        """Every metric name the fake knows (event metrics per slug of the world's events)."""
        events = {f"{EVENT_SLUGS[e]}_{k}" for e in EVENTS for k in ("events", "revenue")}
        return {*BASE_METRICS, *events}

    def report(
        self,
        apps: list[App],
        since: date,
        until: date,
        dimensions: list[str],
        metrics: list[str],
        currency: str = "USD",
        query: ReportQuery | None = None,
    ) -> dict[str, Any]:
        """The JSON answer of a report (``rows`` empty when nothing matched).

        Without ``query`` the days are the account's (+09:00) and no option applies.
        """
        query = query or ReportQuery(since, until, dimensions, metrics, currency)
        options = query.options
        touch = "impression" if options.get("attribution_type") == "impression" else None
        nothing = options.get("reattributed") == "true" or options.get("sandbox") == "true"
        share = Decimal(options.get("iap_revenue_mode", "GROSS_100").removeprefix("GROSS_")) / 100
        spend = options.get("ad_spend_mode", "mixed")
        groups: dict[tuple[str, ...], list[TrackedDay]] = {}
        for app in apps:
            if nothing or (query.os_names is not None and app.os not in query.os_names):
                continue
            tracked = self.trackers.daily_in(
                app, since, until, query.zone, events_by="event", touch_type=touch
            )
            for tracked_row in tracked:
                if touch is not None and not tracked_row.installs:
                    continue
                if not self._kept(app, tracked_row, query):
                    continue
                key = tuple(dimension_value(app, tracked_row, d, currency) for d in dimensions)
                groups.setdefault(key, []).append(tracked_row)
        rows: list[dict[str, Any]] = []
        numbers: list[dict[str, int | Decimal]] = []
        for key, tracked in groups.items():
            values = {m: metric_value(tracked, m, currency, spend, share) for m in metrics}
            if not all(
                _METRIC_FILTERS[op](Decimal(values[m]), x) for m, op, x in query.metric_filters
            ):
                continue
            first = tracked[0]
            dependency: dict[str, str] = {}
            if "network" in dimensions:
                dependency["partner"] = (
                    ORGANIC if first.platform is None else PARTNERS[first.platform]
                )
            if "campaign_id_network" in dimensions and first.platform is None:
                dependency["campaign_id_network"] = UNKNOWN
            row: dict[str, Any] = {"attr_dependency": dependency}
            row.update(zip(dimensions, key, strict=True))
            row.update({m: _text(v) for m, v in values.items()})
            rows.append(row)
            numbers.append(values)
        order = list(range(len(rows)))
        for name, descending in reversed(query.sort):  # stable sorts, last key first

            def sort_key(i: int, name: str = name) -> Any:
                return numbers[i][name] if name in numbers[i] else rows[i][name]

            order.sort(key=sort_key, reverse=descending)
        totals = {m: float(sum((n[m] for n in numbers), Decimal(0))) for m in metrics}
        return {
            "rows": [rows[i] for i in order],
            "totals": totals,
            "warnings": [],
            "pagination": None,
        }

    @staticmethod
    def _kept(app: App, row: TrackedDay, query: ReportQuery) -> bool:
        for dimension, op, values in query.dimension_filters:
            if not _DIMENSION_FILTERS[op](
                dimension_value(app, row, dimension, query.currency), values
            ):
                return False
        return True

    def report_csv(self, answer: dict[str, Any], query: ReportQuery, readable: bool) -> bytes:
        """A report answer as Adjust's CSV (slugs or readable names as column names)."""
        columns = [*query.dimensions, *query.metrics]
        names = {**DIMENSION_NAMES, **{m: self._metric(m).name for m in query.metrics}}
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([names[c] if readable else c for c in columns])
        writer.writerows([row[c] for c in columns] for row in answer["rows"])
        return out.getvalue().encode()

    @staticmethod
    def _metric(metric: str) -> Metric:
        if metric in BASE_METRICS:
            return BASE_METRICS[metric]
        slug, _, kind = metric.rpartition("_")
        title = slug.replace("_", " ").title()
        if kind == "events":
            return Metric(f"{title} (Events)", "Events", "integer")
        return Metric(f"{title} (Revenue)", "Events", "money")

    # -- filters data ----------------------------------------------------------------
    def filters_data(self, params: dict[str, str]) -> dict[str, list[dict[str, str]]]:
        """The ``filters_data`` answer (``BadRequest`` for an unknown filter or section)."""
        wanted = [f for f in params.get("required_filters", "").split(",") if f]
        unknown = [f for f in wanted if f not in FILTERS]
        if unknown:
            raise BadRequest(f"Unsupported filters: {', '.join(unknown)}")
        section = params.get("section")
        if section is not None and section not in SECTIONS:
            raise BadRequest(f"Unsupported section: {section}")
        allowed = {"required_filters", "section", *(f"{f}__contains" for f in wanted)}
        extra = sorted(set(params) - allowed)
        if extra:
            raise BadRequest(f"Unsupported parameters: {', '.join(extra)}")
        answer: dict[str, list[dict[str, str]]] = {}
        for name in wanted:
            items = self._filter_items(name)
            if section is not None:
                items = [i for i in items if i["section"].lower() == section]
            term = params.get(f"{name}__contains", "").lower()
            if term:
                items = [i for i in items if term in i["id"].lower() or term in i["name"].lower()]
            answer[name] = items
        return answer

    def _filter_items(self, name: str) -> list[dict[str, str]]:
        def item(
            id_: str, label: str, section: str = "", formatting: str = "string"
        ) -> dict[str, str]:
            return {
                "id": id_,
                "name": label,
                "short_name": "",
                "section": section,
                "formatting": formatting,
            }

        apps = self.trackers.apps("adjust")
        if name == "apps":
            return [item(a.app_id, a.name) for a in apps]
        if name == "apps_network":
            return [item(dimension_value(a, self._any_row(a), "app_network"), a.name) for a in apps]
        if name in ("overview_metrics", "cost_metrics"):
            metrics = {
                k: v
                for k, v in BASE_METRICS.items()
                if name == "overview_metrics" or v.section == "Cost"
            }
            return [item(k, m.name, m.section, m.formatting) for k, m in metrics.items()]
        if name == "event_metrics":
            slugs = sorted(self.metrics() - set(BASE_METRICS))
            return [item(s, (m := self._metric(s)).name, m.section, m.formatting) for s in slugs]
        if name == "dimensions":
            return [item(k, v) for k, v in DIMENSION_NAMES.items()]
        if name == "countries":
            return [item(k, v) for k, v in sorted(COUNTRY_NAMES.items())]
        if name == "currencies":
            return [item(k, CURRENCY_NAMES[k]) for k in sorted(PER_USD)]
        if name == "os_names":
            return [item(o, o) for o in sorted({a.os for a in apps})]
        if name == "networks":
            return [item(n, n) for n in [ORGANIC, *NETWORKS.values()]]
        if name == "partners":
            return [
                item(ORGANIC_PARTNER_ID, ORGANIC),
                *(item(pid, label) for label, pid in PARTNER_NAMES.values()),
            ]
        if name == "store_type":
            return [item(s, s) for s in sorted(set(STORE_TYPES.values()))]
        if name == "utc_offset":
            return [
                item(f"{'-' if h < 0 else '+'}{abs(h):02d}:00", f"UTC{h:+d}")
                for h in range(-12, 15)
            ]
        if name in CHOICES:
            return [item(v, v) for v in CHOICES[name]]
        return []  # the world has nothing of this kind (SKAdNetwork, cohorts, ad revenue...)

    def _any_row(self, app: App) -> TrackedDay:
        return next(iter(self.trackers.daily(app, self.world.first_day, self.world.as_of)))

    # -- protocol --------------------------------------------------------------------
    @staticmethod
    def _error(status: int, detail: str) -> Reply:
        return Reply(status, {"detail": detail})

    def handle(self, request: Request) -> Reply:
        """Answers the report, CSV report and filters data paths: token, parameters, data."""
        path = request.path.rstrip("/")
        endpoint = next(
            (path.removeprefix(root + "/") for root in ROOTS if path.startswith(root + "/")), ""
        )
        if request.method != "GET" or endpoint not in ("report", "csv_report", "filters_data"):
            return self._error(404, "Not found.")
        auth = request.headers.get("authorization", "")
        if not auth:
            return self._error(401, "Authentication credentials were not provided.")
        if self.faults.token_expired or auth != f"Bearer {self.api_token}":
            return self._error(401, "Invalid token.")
        try:
            if endpoint == "filters_data":
                answer = self.filters_data(request.query)
                return Reply(200, answer) if answer else Reply(204, b"")
            query = self._query(request.query, csv_report=endpoint == "csv_report")
        except BadRequest as error:
            return self._error(400, str(error))
        tokens = next(
            (v for d, op, v in query.dimension_filters if (d, op) == ("app_token", "in")), None
        )
        apps = [a for a in self.trackers.apps("adjust") if tokens is None or a.app_id in tokens]
        last = min(query.until, self.world.as_of - timedelta(days=1))
        answer = self.report(
            apps, query.since, last, query.dimensions, query.metrics, query.currency, query
        )
        if "day" in query.dimensions:
            money = [m for m in ("network_cost", "installs") if m in query.metrics]
            answer["rows"] = self.faults.daily_rows(
                request.path, answer["rows"], money=money, dates=("day",)
            )
        if not answer["rows"]:
            return Reply(204, b"")
        if endpoint == "csv_report":
            readable = query.options.get("readable_names") == "true"
            body = self.report_csv(answer, query, readable)
            return Reply(200, body, content_type="text/csv; charset=UTF-8")
        return Reply(200, answer)

    def _query(self, params: dict[str, str], csv_report: bool) -> ReportQuery:
        """The checked parameters of a report request (``BadRequest`` on a refusal)."""
        since, until = self._period(params.get("date_period", ""))
        dimensions = [d for d in params.get("dimensions", "").split(",") if d]
        metrics = [m for m in params.get("metrics", "").split(",") if m]
        if not dimensions:
            raise BadRequest("dimensions is required")
        if not metrics:
            raise BadRequest("At least 1 metric is required")
        unknown = [d for d in dimensions if d not in DIMENSIONS]
        if unknown:
            raise BadRequest(f"Unsupported dimensions: {', '.join(unknown)}")
        unknown = [m for m in metrics if m not in self.metrics()]
        if unknown:
            raise BadRequest(f"Unsupported metrics: {', '.join(unknown)}")
        currency = params.get("currency", "USD").upper()
        if currency not in PER_USD:
            raise BadRequest(f"Unsupported currency: {params['currency']}")
        query = ReportQuery(since, until, dimensions, metrics, currency)
        offset = params.get("utc_offset", ACCOUNT_OFFSET)
        query.zone = self._zone(offset)
        for name, allowed in CHOICES.items():
            if name not in params:
                continue
            if name == "readable_names" and not csv_report:
                raise BadRequest("Unsupported parameters: readable_names (CSV reports only)")
            value = params[name] if name == "iap_revenue_mode" else params[name].lower()
            if value not in allowed:
                raise BadRequest(f"Invalid {name}: {params[name]} ({', '.join(allowed)})")
            query.options[name] = value
        if "os_names" in params:
            query.os_names = [o for o in params["os_names"].split(",") if o]
            wrong = [o for o in query.os_names if o not in OS_NAMES]
            if wrong:
                raise BadRequest(f"Unsupported os_names: {', '.join(wrong)}")
        if "period_over_period" in params:
            raise BadRequest("period_over_period is not supported by the sandbox")
        for key in ("sort", "index"):
            names = [n for n in params.get(key, "").split(",") if n]
            allowed_names = dimensions if key == "index" else [*dimensions, *metrics]
            wrong = [n for n in names if n.removeprefix("-") not in allowed_names]
            if wrong:
                raise BadRequest(f"Invalid {key}: {', '.join(wrong)} (not in the report)")
            if key == "sort":
                query.sort = [(n.removeprefix("-"), n.startswith("-")) for n in names]
        for key, value in params.items():
            if key in CHOICES or key in _FREE or key in _FREE_MORE:
                continue
            subject, _, op = key.rpartition("__")
            if subject in DIMENSIONS and op in _DIMENSION_FILTERS:
                values = value.split(",") if op in ("in", "not_in") else [value]
                query.dimension_filters.append((subject, op, values))
            elif subject in self.metrics() and op in _METRIC_FILTERS:
                try:
                    query.metric_filters.append((subject, op, Decimal(value)))
                except ArithmeticError:
                    raise BadRequest(f"Invalid {key}: {value} (a number)") from None
            else:
                raise BadRequest(f"Unsupported parameters: {key}")
        return query

    def _period(self, value: str) -> tuple[date, date]:
        """The first and last day of a ``date_period`` (absolute, relative or logical)."""
        today = self.world.as_of
        sunday = today - timedelta(days=(today.weekday() + 1) % 7)
        first = today.replace(day=1)
        previous = (first - timedelta(days=1)).replace(day=1)
        logical = {
            "today": (today, today),
            "yesterday": (today - timedelta(days=1), today - timedelta(days=1)),
            "this_week": (sunday, today),
            "last_week": (sunday - timedelta(days=7), sunday - timedelta(days=1)),
            "this_month": (first, today),
            "last_month": (previous, first - timedelta(days=1)),
            "this_month_until_yesterday": (first, today - timedelta(days=1)),
        }
        if value in logical:
            return logical[value]
        match = _PERIOD.fullmatch(value)
        if match is None:
            raise BadRequest(
                "date_period is required: start:end as dates (2021-05-01:2021-05-02), "
                "relative days (-10d:-3d) or a logical period (yesterday, this_month, ...)"
            )
        days: list[date] = []
        for side in match.groups():
            if side.endswith("d"):
                days.append(today + timedelta(days=int(side[:-1])))
                continue
            try:
                days.append(date.fromisoformat(side))
            except ValueError:
                raise BadRequest(f"Invalid date_period: {value}") from None
        if days[1] < days[0]:
            raise BadRequest("date_period: the start is after the end")
        return days[0], days[1]

    @staticmethod
    def _zone(offset: str) -> tzinfo:
        match = _OFFSET.fullmatch(offset)
        if match is None:
            raise BadRequest(f"Invalid utc_offset: {offset} (e.g. +09:00)")
        sign = -1 if match.group(1) == "-" else 1
        delta = sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
        if not timedelta(hours=-12) <= delta <= timedelta(hours=14) or int(match.group(3)) >= 60:
            raise BadRequest(f"Invalid utc_offset: {offset} (-12:00 to +14:00)")
        return timezone(delta)

    def platform_rate_limit(self, request: Request, code: int) -> Reply:
        """Adjust's 429 for too many simultaneous requests (no ``Retry-After``)."""
        return self._error(429, "Request was throttled.")

    def throttled(self, request: Request, retry_after: int) -> Reply:
        """HTTP 429 with ``Retry-After``."""
        return Reply(
            429,
            {"detail": f"Request was throttled. Expected available in {retry_after} seconds."},
            {"Retry-After": str(retry_after)},
        )

    def server_error(self, request: Request, status: int) -> Reply:
        """A gateway's HTML error page (503 unavailable, 504 query too slow)."""
        page = f"<html><body><h1>{status} Service Unavailable</h1></body></html>"
        return Reply(status, page.encode(), content_type="text/html; charset=UTF-8")
