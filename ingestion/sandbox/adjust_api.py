"""A fake of the Adjust Report Service API (JSON report endpoint) on 127.0.0.1.

It serves what :class:`~ingestion.sandbox.trackers.Trackers` says Adjust measured for
every Adjust app of the world (``app_token`` = the app's Adjust token):

- ``GET /control-center/reports-service/report?app_token__in=<t1>,<t2>
  &date_period=YYYY-MM-DD:YYYY-MM-DD&dimensions=day,app,app_token,network,...
  &metrics=installs,clicks,impressions,network_cost,revenue,<slug>_events,<slug>_revenue
  [&currency=USD][&utc_offset=+09:00][&format_dates=false]`` ->
  ``{"rows": [...], "totals": {...}, "warnings": [], "pagination": null}``. Rows are grouped
  by the requested dimensions (tracked rows of several ads of one ad group and country add
  up); every dimension and every metric value is a string (``"64"``, ``"12.3400"``), each
  row carries Adjust's ``attr_dependency`` object; ``totals`` hold numbers.
- Organic installs come as network ``Organic`` with ``unknown`` campaign, ad group and
  creative fields (as in Adjust's documented example).
- An answer without rows is HTTP 204 with an empty body (Adjust: "No content").
- ``app_token__in`` is a filter: tokens the user cannot see simply match nothing.

Errors, as Adjust answers them (bodies assumed DRF-style ``{"detail": ...}``): no or a
wrong ``Authorization: Bearer`` token -> 401; a missing or malformed ``date_period``,
``dimensions`` or ``metrics``, an unknown dimension or metric (including an event slug no
app has), an unsupported currency -> 400; ``faults.throttle_next`` -> 429 with
``Retry-After``; ``faults.rate_limit_next`` -> 429 without it (Adjust's "more than 50
simultaneous requests"); ``faults.fail_next`` -> the 5xx as a gateway's HTML page.

Money: the apps' revenue and the cost integration are in USD; ``currency`` converts at the
world's fixed rates (KRW, JPY, EUR), exactly, to four decimal places.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ingestion.sandbox.faults import Faults
from ingestion.sandbox.http import FakeApi, Reply, Request
from ingestion.sandbox.trackers import EVENTS, App, TrackedDay, Trackers
from ingestion.sandbox.world import ACCOUNT_PROFILES, World

REPORT_PATH = "/control-center/reports-service/report"
#: World platform -> Adjust network name (Naver's is assumed).
NETWORKS = {
    "meta": "Facebook Installs",
    "google_ads": "Google Ads ACI",
    "kakao_moment": "Kakao Moment",
    "naver_searchad": "Naver",
}
#: World platform -> Adjust partner slug in ``attr_dependency`` (assumed).
PARTNERS = {
    "meta": "facebook",
    "google_ads": "adwords",
    "kakao_moment": "kakao",
    "naver_searchad": "naver",
}
ORGANIC = "Organic"
UNKNOWN = "unknown"
#: World event -> Adjust event slug.
EVENT_SLUGS = {"purchase": "purchase", "registration": "registration"}
#: Report currency -> units per USD (the world's fixed rates).
PER_USD = {currency: Decimal(repr(rate)) for currency, _, _, rate in ACCOUNT_PROFILES}
#: Dimensions the fake can group by (Adjust has more; others answer 400).
DIMENSIONS = (
    "day",
    "app",
    "app_token",
    "os_name",
    "network",
    "campaign",
    "campaign_network",
    "campaign_id_network",
    "adgroup",
    "adgroup_network",
    "adgroup_id_network",
    "creative",
    "creative_network",
    "creative_id_network",
    "country_code",
)
BASE_METRICS = ("installs", "clicks", "impressions", "network_cost", "cost", "revenue")
_MONEY_METRICS = frozenset({"network_cost", "cost", "revenue"})
_PERIOD = re.compile(r"(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})")
_OFFSET = "+09:00"  # the apps' time zone (Asia/Seoul), the only one the fake serves
_FOUR = Decimal("0.0001")


def network_name(row: TrackedDay) -> str:
    """The Adjust network of a tracked row."""
    return ORGANIC if row.platform is None else NETWORKS[row.platform]


def dimension_value(app: App, row: TrackedDay, dimension: str) -> str:
    """A tracked row's value of one Adjust dimension, as a string."""
    organic = row.platform is None
    named = {
        "campaign": (row.campaign_name, row.campaign_id),
        "adgroup": (row.ad_group_name, row.ad_group_id),
        "creative": (row.ad_name, row.ad_id),
    }
    if dimension == "day":
        return row.date.isoformat()
    if dimension == "app":
        return app.name
    if dimension == "app_token":
        return app.app_id
    if dimension == "os_name":
        return app.os
    if dimension == "network":
        return network_name(row)
    if dimension == "country_code":
        return row.country
    level, _, kind = dimension.partition("_")
    name, object_id = named[level]
    if organic:
        return UNKNOWN
    if kind == "network":
        return str(name)
    if kind == "id_network":
        return str(object_id)
    return f"{name} ({object_id})"  # tracker sub-level: "Name (id)"


def metric_value(rows: Iterable[TrackedDay], metric: str, currency: str) -> int | Decimal:
    """One metric summed over tracked rows (money converted from USD into ``currency``)."""
    rows = list(rows)
    value: int | Decimal
    if metric in ("installs", "clicks", "impressions"):
        return sum(int(getattr(r, metric)) for r in rows)
    if metric in ("network_cost", "cost"):
        value = sum((r.cost for r in rows), Decimal(0))
    elif metric == "revenue":
        value = sum((c.revenue for r in rows for c in r.events.values()), Decimal(0))
    else:
        slug, _, kind = metric.rpartition("_")
        event = next(e for e, s in EVENT_SLUGS.items() if s == slug)
        counts = [r.events[event] for r in rows if event in r.events]
        if kind == "events":
            return sum(c.count for c in counts)
        value = sum((c.revenue for c in counts), Decimal(0))
    return convert(value, currency)


def convert(usd: Decimal, currency: str) -> Decimal:
    """A USD amount in ``currency`` at the world's rate, to four decimal places."""
    return (usd * PER_USD[currency]).quantize(_FOUR, rounding=ROUND_HALF_UP)


def _text(value: int | Decimal) -> str:
    return str(value)


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
    ) -> dict[str, Any]:
        """The JSON answer of a report (``rows`` empty when nothing matched)."""
        groups: dict[tuple[str, ...], list[TrackedDay]] = {}
        for app in apps:
            for tracked_row in self.trackers.daily(app, since, until):
                key = tuple(dimension_value(app, tracked_row, d) for d in dimensions)
                groups.setdefault(key, []).append(tracked_row)
        rows: list[dict[str, Any]] = []
        totals: dict[str, Decimal | int] = {m: 0 for m in metrics}
        for key, tracked in groups.items():
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
            for metric in metrics:
                value = metric_value(tracked, metric, currency)
                totals[metric] += value
                row[metric] = _text(value)
            rows.append(row)
        return {
            "rows": rows,
            "totals": {m: float(v) for m, v in totals.items()},
            "warnings": [],
            "pagination": None,
        }

    # -- protocol --------------------------------------------------------------------
    @staticmethod
    def _error(status: int, detail: str) -> Reply:
        return Reply(status, {"detail": detail})

    def handle(self, request: Request) -> Reply:
        """Answers the report path: token, then parameters, then the report."""
        if request.method != "GET" or request.path.rstrip("/") != REPORT_PATH:
            return self._error(404, "Not found.")
        auth = request.headers.get("authorization", "")
        if not auth:
            return self._error(401, "Authentication credentials were not provided.")
        if self.faults.token_expired or auth != f"Bearer {self.api_token}":
            return self._error(401, "Invalid token.")
        query = request.query
        match = _PERIOD.fullmatch(query.get("date_period", ""))
        if match is None:
            return self._error(
                400, "date_period is required, e.g. date_period=2021-05-01:2021-05-02"
            )
        try:
            since, until = (date.fromisoformat(match.group(i)) for i in (1, 2))
        except ValueError:
            return self._error(400, f"Invalid date_period: {query['date_period']}")
        if until < since:
            return self._error(400, "date_period: the start is after the end")
        dimensions = [d for d in query.get("dimensions", "").split(",") if d]
        metrics = [m for m in query.get("metrics", "").split(",") if m]
        if not dimensions:
            return self._error(400, "dimensions is required")
        if not metrics:
            return self._error(400, "At least 1 metric is required")
        unknown = [d for d in dimensions if d not in DIMENSIONS]
        if unknown:
            return self._error(400, f"Unsupported dimensions: {', '.join(unknown)}")
        unknown = [m for m in metrics if m not in self.metrics()]
        if unknown:
            return self._error(400, f"Unsupported metrics: {', '.join(unknown)}")
        currency = query.get("currency", "USD").upper()
        if currency not in PER_USD:
            return self._error(400, f"Unsupported currency: {query['currency']}")
        offset = query.get("utc_offset")
        if offset is not None and offset != _OFFSET:
            return self._error(
                400, f"utc_offset {offset} is not supported by the sandbox (apps: {_OFFSET})"
            )
        tokens = [t for t in query.get("app_token__in", "").split(",") if t]
        apps = [a for a in self.trackers.apps("adjust") if not tokens or a.app_id in tokens]
        last = min(until, self.world.as_of - timedelta(days=1))
        answer = self.report(apps, since, last, dimensions, metrics, currency)
        if not answer["rows"]:
            return Reply(204, b"")
        return Reply(200, answer)

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
