"""A fake of the AppsFlyer Pull API (aggregate and raw-data CSV reports) on 127.0.0.1.

It serves what :class:`~ingestion.sandbox.trackers.Trackers` says AppsFlyer measured
for every AppsFlyer app of the world:

- ``GET /api/agg-data/export/app/{app_id}/{partners_by_date_report|geo_by_date_report}/v5
  ?from=YYYY-MM-DD&to=YYYY-MM-DD&timezone=`` -> CSV, one row per day, [country,] agency,
  media source and campaign name, AppsFlyer's columns (``Impressions``, ``CTR``,
  ``Installs``, ..., ``Average eCPI``) then three columns per event (``af_purchase
  (Unique users)``, ``(Event counter)``, ``(Sales in USD)``); ``N/A`` where AppsFlyer has
  no number (organic impressions, clicks and cost; ratios over zero).
- ``GET /api/raw-data/export/app/{app_id}/{installs_report|in_app_events_report}/v5
  ?from&to&timezone&maximum_rows`` -> CSV with the raw-data header (90 columns, by
  name), one row per install or in-app event, times ``YYYY-MM-DD HH:MM:SS`` in the app's
  time zone; at most ``maximum_rows`` rows (the rest is silently cut). Organic installs
  and their events are served by ``organic_installs_report`` and
  ``organic_in_app_events_report`` (media source ``organic``), as AppsFlyer does.

Auth: ``Authorization: Bearer <token>``, else HTTP 401. A ``from`` more than 90 days
before the world's today answers HTTP 400 with a text message; a ``timezone`` other than
the app's answers 400 too (the fake cannot shift days). Throttling (``faults.throttle_next``,
``faults.rate_limit_next``) answers HTTP 403 ``Limit reached`` (no ``Retry-After``), a
server error (``faults.fail_next``) a text 5xx. Media sources: ``Facebook Ads``,
``googleadwords_int``, ``kakao_int``, ``naver_int``; organic is ``Organic`` in aggregate
and ``organic`` in raw reports.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ingestion.sandbox.faults import Faults
from ingestion.sandbox.http import FakeApi, Reply, Request
from ingestion.sandbox.trackers import App, Install, TrackedDay, Trackers
from ingestion.sandbox.world import World

#: World platform -> AppsFlyer media source (pid).
MEDIA_SOURCES = {
    "meta": "Facebook Ads",
    "google_ads": "googleadwords_int",
    "kakao_moment": "kakao_int",
    "naver_searchad": "naver_int",
}
#: World platform -> AppsFlyer channel (raw reports).
CHANNELS = {
    "meta": "Facebook",
    "google_ads": "ACI_Search",
    "kakao_moment": "",
    "naver_searchad": "",
}
ORGANIC_AGGREGATE = "Organic"
ORGANIC_RAW = "organic"
#: World event -> AppsFlyer event name.
EVENT_NAMES = {"purchase": "af_purchase", "registration": "af_complete_registration"}
HISTORY_DAYS = 90
DEFAULT_MAXIMUM_ROWS = 200_000
CSV_TYPE = "text/csv; charset=UTF-8"
TEXT_TYPE = "text/plain; charset=UTF-8"

AGG_HEAD = ["Date", "Agency/PMD (af_prt)", "Media Source (pid)", "Campaign (c)"]
AGG_METRICS = [
    *("Impressions", "Clicks", "CTR", "Installs", "Conversion Rate", "Sessions"),
    *("Loyal Users", "Loyal Users/Installs", "Total Revenue", "Total Cost", "ROI", "ARPU"),
    "Average eCPI",
]
RAW_HEADER = [
    *("Attributed Touch Type", "Attributed Touch Time", "Install Time", "Event Time"),
    *("Event Name", "Event Value", "Event Revenue", "Event Revenue Currency"),
    *("Event Revenue USD", "Event Source", "Is Receipt Validated", "Partner", "Media Source"),
    *("Channel", "Keywords", "Campaign", "Campaign ID", "Adset", "Adset ID", "Ad", "Ad ID"),
    *("Ad Type", "Site ID", "Sub Site ID", "Sub Param 1", "Sub Param 2", "Sub Param 3"),
    *("Sub Param 4", "Sub Param 5", "Cost Model", "Cost Value", "Cost Currency"),
    *(
        f"Contributor {n} {what}"
        for n in (1, 2, 3)
        for what in ("Partner", "Media Source", "Campaign", "Touch Type", "Touch Time")
    ),
    *("Region", "Country Code", "State", "City", "Postal Code", "DMA", "IP", "WIFI"),
    *("Operator", "Carrier", "Language", "AppsFlyer ID", "Advertising ID", "IDFA"),
    *("Android ID", "Customer User ID", "IMEI", "IDFV", "Platform", "Device Type"),
    *("OS Version", "App Version", "SDK Version", "App ID", "App Name", "Bundle ID"),
    *("Is Retargeting", "Retargeting Conversion Type", "Attribution Lookback"),
    *("Reengagement Window", "Is Primary Attribution", "User Agent", "HTTP Referrer"),
    "Original URL",
]
_PATH = re.compile(
    r"/api/(?P<kind>agg-data|raw-data)/export/app/(?P<app>[^/]+)/(?P<report>[a-z_]+)/v5"
)
_REPORTS = {
    "agg-data": ("partners_by_date_report", "geo_by_date_report"),
    "raw-data": (
        "installs_report",
        "in_app_events_report",
        "organic_installs_report",
        "organic_in_app_events_report",
    ),
}
_CENT = Decimal("0.01")


def _csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _ratio(numerator: Decimal | int, denominator: Decimal | int, scale: int = 1) -> str:
    if not denominator:
        return "N/A"
    value = Decimal(numerator) * scale / Decimal(denominator)
    return str(value.quantize(_CENT, rounding=ROUND_HALF_UP))


def _time(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def media_source(row: TrackedDay, raw: bool = False) -> str:
    """The AppsFlyer media source (pid) of a tracked row."""
    if row.platform is None:
        return ORGANIC_RAW if raw else ORGANIC_AGGREGATE
    return MEDIA_SOURCES[row.platform]


class AppsFlyerFake(FakeApi):
    """The AppsFlyer Pull API fake.

    Args:
        world: The world it serves (its today is ``world.as_of``).
        faults: Fault switches (see :class:`~ingestion.sandbox.faults.Faults`).
        api_token: The V2 API token it accepts.
    """

    def __init__(
        self, world: World, faults: Faults | None = None, api_token: str = "sandbox-appsflyer-v2"
    ) -> None:
        super().__init__(faults)
        self.world = world
        self.trackers = Trackers(world)
        self.api_token = api_token

    def source_options(self) -> dict[str, Any]:
        """Keyword arguments that point ``appsflyer_source`` at this fake (start it first)."""
        return {
            "base_url": self.base_url,
            "api_token": self.api_token,
            "app_ids": [app.app_id for app in self.trackers.apps("appsflyer")],
            "start_date": self.world.first_day.isoformat(),
        }

    # -- reports ---------------------------------------------------------------------
    def aggregate_rows(
        self, app: App, report: str, since: date, until: date
    ) -> dict[tuple[str, ...], list[TrackedDay]]:
        """Tracked rows grouped as the report groups them (day, [country,] agency, pid, c)."""
        groups: dict[tuple[str, ...], list[TrackedDay]] = {}
        for row in self.trackers.daily(app, since, until):
            country = (row.country,) if report == "geo_by_date_report" else ()
            key = (row.date.isoformat(), *country, "", media_source(row), row.campaign_name or "")
            groups.setdefault(key, []).append(row)
        return groups

    def aggregate_csv(self, app: App, report: str, since: date, until: date) -> bytes:
        """The CSV of an aggregate report."""
        geo = report == "geo_by_date_report"
        events = sorted(EVENT_NAMES.items(), key=lambda item: item[1])
        header = [*AGG_HEAD[:1], *(["Country"] if geo else []), *AGG_HEAD[1:], *AGG_METRICS]
        for _, name in events:
            header += [
                f"{name} (Unique users)",
                f"{name} (Event counter)",
                f"{name} (Sales in USD)",
            ]
        lines = []
        for key, rows in self.aggregate_rows(app, report, since, until).items():
            organic = rows[0].platform is None
            impressions = sum(r.impressions for r in rows)
            clicks = sum(r.clicks for r in rows)
            installs = sum(r.installs for r in rows)
            cost = sum((r.cost for r in rows), Decimal("0.00"))
            revenue = sum((c.revenue for r in rows for c in r.events.values()), Decimal("0.00"))
            registered = sum(
                r.events["registration"].users for r in rows if "registration" in r.events
            )
            sessions = installs * 2 + registered
            loyal = registered // 2
            line: list[Any] = list(key)
            line += [
                "N/A" if organic else impressions,
                "N/A" if organic else clicks,
                "N/A" if organic else _ratio(clicks, impressions, 100),
                installs,
                "N/A" if organic else _ratio(installs, clicks, 100),
                sessions,
                loyal,
                _ratio(loyal, installs),
                f"{revenue:.2f}",
                "N/A" if organic else f"{cost:.2f}",
                "N/A" if organic else _ratio(revenue - cost, cost, 100),
                _ratio(revenue, installs),
                "N/A" if organic else _ratio(cost, installs),
            ]
            for event, _ in events:
                counts = [r.events[event] for r in rows if event in r.events]
                line += [
                    sum(c.users for c in counts),
                    sum(c.count for c in counts),
                    f"{sum((c.revenue for c in counts), Decimal('0.00')):.2f}",
                ]
            lines.append(line)
        return _csv(header, lines)

    def _raw_line(self, app: App, install: Install) -> dict[str, str]:
        row = install.row
        return {
            "Attributed Touch Type": install.touch_type or "",
            "Attributed Touch Time": _time(install.touch_time),
            "Install Time": _time(install.install_time),
            "Media Source": media_source(row, raw=True),
            "Channel": CHANNELS.get(row.platform or "", ""),
            "Campaign": row.campaign_name or "",
            "Campaign ID": row.campaign_id or "",
            "Adset": row.ad_group_name or "",
            "Adset ID": row.ad_group_id or "",
            "Ad": row.ad_name or "",
            "Ad ID": row.ad_id or "",
            "Country Code": row.country,
            "AppsFlyer ID": install.device_id,
            "Platform": app.os,
            "Device Type": "iPhone" if app.os == "ios" else "SM-S918N",
            "App ID": app.app_id,
            "App Name": app.name,
            "Bundle ID": app.app_id,
            "Is Primary Attribution": "true",
            "Attribution Lookback": "" if row.platform is None else "7d",
            "Is Retargeting": "false",
            "Language": "ko-KR",
        }

    def raw_csv(self, app: App, report: str, since: date, until: date, limit: int) -> bytes:
        """The CSV of a raw-data report, at most ``limit`` rows."""
        lines: list[list[str]] = []
        organic = report.startswith("organic_")
        day = since
        while day <= until and len(lines) < limit:
            if report.endswith("installs_report"):
                for install in self.trackers.installs(app, day):
                    if (install.row.platform is None) != organic:
                        continue
                    values = self._raw_line(app, install)
                    values.update(
                        {
                            "Event Time": _time(install.install_time),
                            "Event Name": "install",
                            "Event Source": "SDK",
                        }
                    )
                    lines.append([values.get(h, "") for h in RAW_HEADER])
            else:
                for event in self.trackers.in_app_events(app, day):
                    if (event.install.row.platform is None) != organic:
                        continue
                    values = self._raw_line(app, event.install)
                    name = EVENT_NAMES[event.name]
                    if event.name == "purchase":
                        revenue = f"{event.revenue:.2f}"
                        value = {"af_revenue": revenue, "af_currency": "USD"}
                        money = {
                            "Event Revenue": revenue,
                            "Event Revenue Currency": "USD",
                            "Event Revenue USD": revenue,
                        }
                    else:
                        value, money = {"af_registration_method": "email"}, {}
                    values.update(
                        {
                            "Event Time": _time(event.event_time),
                            "Event Name": name,
                            "Event Value": json.dumps(value, separators=(",", ":")),
                            "Event Source": "SDK",
                            **money,
                        }
                    )
                    lines.append([values.get(h, "") for h in RAW_HEADER])
            day += timedelta(days=1)
        return _csv(RAW_HEADER, lines[:limit])

    # -- protocol --------------------------------------------------------------------
    @staticmethod
    def _text(status: int, message: str) -> Reply:
        return Reply(status, message.encode(), content_type=TEXT_TYPE)

    def handle(self, request: Request) -> Reply:
        """Answers the four report paths: token, app, dates, time zone, then the CSV."""
        match = _PATH.fullmatch(request.path)
        if request.method != "GET" or match is None:
            return self._text(404, "Not Found")
        auth = request.headers.get("authorization", "")
        if self.faults.token_expired or auth != f"Bearer {self.api_token}":
            return self._text(401, "Unauthorized: the supplied API token is invalid")
        kind, app_id, report = match.group("kind"), match.group("app"), match.group("report")
        if report not in _REPORTS[kind]:
            return self._text(404, f"Report type {report} is not supported")
        try:
            app = self.trackers.app("appsflyer", app_id)
        except KeyError:
            return self._text(404, f"App {app_id} was not found for this account")
        query = request.query
        try:
            since = date.fromisoformat(query["from"][:10])
            until = date.fromisoformat(query["to"][:10])
        except (KeyError, ValueError):
            return self._text(400, "Parameters 'from' and 'to' are required (yyyy-mm-dd)")
        if until < since:
            return self._text(400, "'to' must not be earlier than 'from'")
        if since < self.world.as_of - timedelta(days=HISTORY_DAYS):
            return self._text(
                400, f"Your request 'from' date is out of range: data is kept {HISTORY_DAYS} days"
            )
        timezone = query.get("timezone", "UTC")
        if timezone != app.timezone_name:
            return self._text(
                400,
                f"timezone {timezone} is not supported by the sandbox (app: {app.timezone_name})",
            )
        if kind == "agg-data":
            return Reply(200, self.aggregate_csv(app, report, since, until), content_type=CSV_TYPE)
        try:
            limit = int(query.get("maximum_rows", DEFAULT_MAXIMUM_ROWS))
        except ValueError:
            return self._text(400, "maximum_rows must be a number")
        if not 1 <= limit <= 1_000_000:
            return self._text(400, "maximum_rows must be between 1 and 1000000")
        body = self.raw_csv(app, report, since, until, limit)
        return Reply(200, body, content_type=CSV_TYPE)

    def platform_rate_limit(self, request: Request, code: int) -> Reply:
        """AppsFlyer's throttling: HTTP 403 with the text ``Limit reached``."""
        return self._text(403, "Limit reached")

    def throttled(self, request: Request, retry_after: int) -> Reply:
        """AppsFlyer's throttling answer (no ``Retry-After``)."""
        return self._text(403, "Limit reached")

    def server_error(self, request: Request, status: int) -> Reply:
        """A text 5xx."""
        return self._text(status, "Internal Server Error")
