"""A fake of the AppsFlyer Pull API (aggregate and raw-data CSV reports) on 127.0.0.1.

It serves what :class:`~ingestion.sandbox.trackers.Trackers` says AppsFlyer measured
for every AppsFlyer app of the world, on AppsFlyer's paths:

- ``GET /api/agg-data/export/app/{app_id}/{report}/v5?from=YYYY-MM-DD&to=YYYY-MM-DD`` with
  ``report`` one of ``partners_report`` (grouped by agency, media source and campaign),
  ``partners_by_date_report`` (and by date), ``daily_report`` (by date, media source and
  campaign, without revenue and in-app events), ``geo_report`` (by country, ...) and
  ``geo_by_date_report`` -> CSV: AppsFlyer's columns (``Impressions``, ``CTR``,
  ``Installs``, ..., ``Average eCPI``) then three columns per event (``af_purchase
  (Unique users)``, ``(Event counter)``, ``(Sales in USD)``); ``N/A`` where AppsFlyer has no
  number (organic impressions, clicks and cost; ratios over zero). Cohorted by install day.
- ``GET /api/raw-data/export/app/{app_id}/{report}/v5?from&to[&maximum_rows]`` with the raw
  reports ``installs_report``, ``in_app_events_report``, their ``organic_`` twins,
  ``uninstall_events_report``, ``organic_uninstall_events_report``, ``reinstalls``,
  ``reinstalls_organic`` and the retargeting ``installs-retarget`` and
  ``in-app-events-retarget`` -> CSV with the raw-data header (81 columns, by name) plus
  the ``additional_fields`` asked for, one row per install or in-app event, times
  ``YYYY-MM-DD HH:MM:SS``; ``from``/``to`` may carry ``HH:MM`` or ``HH:MM:SS``.

Time zone: without ``timezone`` (or with ``timezone=UTC``) days, times and the ``from``/``to``
bounds are UTC, as AppsFlyer documents; ``timezone`` equal to the app's own zone
(``Asia/Seoul`` in the world) gives local days. Another zone answers HTTP 400 (AppsFlyer:
"the timezone value must be identical to the value in the app settings page").

Retargeting (``reattr=true`` on any report, and the two ``-retarget`` raw reports): the
world has no retargeting campaigns, so these answer their header and no rows. The world
has no uninstalls or reinstalls either (header only).

Filters: ``media_source`` (``facebook`` is Meta's ``Facebook Ads``) with ``category``
(``standard``, ``facebook``; ``organic`` on aggregate reports), ``attribution_touch_type=
impression`` (view-through installs only; impressions, clicks and cost ``N/A``), and on raw
reports ``geo`` (one country code), ``event_name`` (comma-separated), ``agency`` and
``from_install_time``/``to_install_time``. ``currency`` is ``preferred`` or ``USD`` (the
apps' currency is USD, so both give the same numbers). Parameters AppsFlyer does not
define are ignored.

Refusals: no or a wrong ``Authorization: Bearer`` token -> 401 ``{"message": "Supplied API
token is invalid"}``; an unknown report or app -> 404 (an HTML page); missing or malformed
dates, ``to`` before ``from``, a ``from`` more than 90 days before the world's today, a
``maximum_rows`` other than 200000 or 1000000 (``Invalid limit type``), an unknown
``category``, ``currency``, ``reattr`` or ``attribution_touch_type`` value, more than one
``geo`` -> 400 ``{"message": ...}``. Throttling (``faults.throttle_next``,
``faults.rate_limit_next``) answers HTTP 403 ``Limit reached for ...`` (no
``Retry-After``), a server error (``faults.fail_next``) a text 5xx.

Sandbox deviation: ``maximum_rows`` below 200000 is accepted as a test limit (so that a
connector's handling of a cut answer can be tested on a small world) unless the fake is
built with ``strict_row_limits=True``. Media sources: ``Facebook Ads``,
``googleadwords_int``, ``kakao_int``, ``naver_int``; organic is ``Organic`` in aggregate
and ``organic`` in raw reports.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingestion.sandbox.faults import Faults
from ingestion.sandbox.http import FakeApi, Reply, Request
from ingestion.sandbox.trackers import App, Install, TrackedDay, Trackers
from ingestion.sandbox.world import World

#: World platform -> AppsFlyer media source (pid).
MEDIA_SOURCES = {
    "meta_ads": "Facebook Ads",
    "google_ads": "googleadwords_int",
    "kakao_moment": "kakao_int",
    "naver_searchad": "naver_int",
}
#: World platform -> AppsFlyer channel (raw reports).
CHANNELS = {
    "meta_ads": "Facebook",
    "google_ads": "ACI_Search",
    "kakao_moment": "",
    "naver_searchad": "",
}
ORGANIC_AGGREGATE = "Organic"
ORGANIC_RAW = "organic"
#: World event -> AppsFlyer event name.
EVENT_NAMES = {"purchase": "af_purchase", "registration": "af_complete_registration"}
HISTORY_DAYS = 90
#: The ``maximum_rows`` values AppsFlyer accepts; without the parameter, 200K rows.
ROW_LIMITS = (200_000, 1_000_000)
DEFAULT_MAXIMUM_ROWS = ROW_LIMITS[0]
CSV_TYPE = "text/csv; charset=UTF-8"
TEXT_TYPE = "text/plain; charset=UTF-8"
HTML_TYPE = "text/html; charset=UTF-8"
JSON_TYPE = "application/json; charset=UTF-8"

AGG_HEAD = ["Date", "Agency/PMD (af_prt)", "Media Source (pid)", "Campaign (c)"]
AGG_METRICS = [
    *("Impressions", "Clicks", "CTR", "Installs", "Conversion Rate", "Sessions"),
    *("Loyal Users", "Loyal Users/Installs", "Total Revenue", "Total Cost", "ROI", "ARPU"),
    "Average eCPI",
]
#: ``daily_report``: no revenue and no in-app events.
DAILY_METRICS = [
    *("Impressions", "Clicks", "CTR", "Installs", "Conversion Rate", "Sessions"),
    *("Loyal Users", "Loyal Users/Installs", "Total Cost", "Average eCPI"),
]
#: Retargeting (``reattr=true``) reports count conversions (re-engagements) instead.
RETARGETING_METRICS = [
    *("Clicks", "Conversions", "Conversion Type", "Conversion Rate", "Sessions"),
    *("Loyal Users", "Loyal Users/Installs", "Total Revenue", "Total Cost", "ROI", "ARPU"),
    "Average eCPI",
]
RETARGETING_DAILY_METRICS = [
    *("Clicks", "Conversions", "Conversion Type", "Conversion Rate", "Sessions"),
    *("Loyal Users", "Loyal Users/Installs", "Total Cost", "Average eCPI"),
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
#: Raw-data ``additional_fields`` -> the column AppsFlyer appends (in the order asked).
ADDITIONAL_FIELDS = {
    "app_type": "App Type",
    "custom_data": "Custom Data",
    "network_account_id": "Network Account ID",
    "install_app_store": "Install App Store",
    **{f"contributor{n}_match_type": f"Contributor {n} Match Type" for n in (1, 2, 3)},
    **{f"contributor{n}_engagement_type": f"Contributor {n} Engagement Type" for n in (1, 2, 3)},
    "custom_dimension": "Custom Dimension",
    "campaign_type": "Campaign Type",
    "conversion_type": "Conversion Type",
    "match_type": "Match Type",
    "gp_referrer": "Google Play Referrer",
    "gp_click_time": "Google Play Click Time",
    "gp_install_begin": "Google Play Install Begin Time",
    "gp_broadcast_referrer": "Google Play Broadcast Referrer",
    "keyword_match_type": "Keyword Match Type",
    "keyword_id": "Keyword ID",
    "att": "ATT",
    "amazon_aid": "Amazon Fire ID",
    "device_category": "Device Category",
    "device_model": "Device Model",
    "device_download_time": "Device Download Time",
    "deeplink_url": "Deeplink URL",
    "oaid": "OAID",
    "is_lat": "Is LAT",
    "store_reinstall": "Store Reinstall",
    "store_product_page": "Store Product Page",
    "placement": "Placement",
    "mediation_network": "Mediation Network",
    "segment": "Segment",
    "ad_unit": "Ad Unit",
    "monetization_network": "Monetization Network",
    "impressions": "Impressions",
    "blocked_reason": "Blocked Reason",
    "blocked_reason_value": "Blocked Reason Value",
    "blocked_reason_rule": "Blocked Reason Rule",
    "blocked_sub_reason": "Blocked Sub Reason",
    "rejected_reason": "Rejected Reason",
    "rejected_reason_value": "Rejected Reason Value",
    "engagement_type": "Engagement Type",
    "gdpr_applies": "GDPR Applies",
    "ad_user_data_enabled": "Ad User Data Enabled",
    "ad_personalization_enabled": "Ad Personalization Enabled",
    "total_candidates": "Total Candidates",
    "engagement_destination": "Engagement Destination",
}


@dataclass(frozen=True)
class AggregateReport:
    """How one aggregate report groups and which columns it has."""

    dated: bool
    geo: bool
    full: bool  # revenue, ROI, ARPU and the event triples (all but ``daily_report``)


AGGREGATE_REPORTS = {
    "partners_report": AggregateReport(dated=False, geo=False, full=True),
    "partners_by_date_report": AggregateReport(dated=True, geo=False, full=True),
    "daily_report": AggregateReport(dated=True, geo=False, full=False),
    "geo_report": AggregateReport(dated=False, geo=True, full=True),
    "geo_by_date_report": AggregateReport(dated=True, geo=True, full=True),
}


@dataclass(frozen=True)
class RawReport:
    """What one raw-data report lists and of whom.

    ``rows``: ``installs``, ``events`` or ``none`` (the world has none of them);
    ``audience``: ``paid``, ``organic`` or ``retargeting`` users.
    """

    rows: str
    audience: str


RAW_REPORTS = {
    "installs_report": RawReport("installs", "paid"),
    "in_app_events_report": RawReport("events", "paid"),
    "organic_installs_report": RawReport("installs", "organic"),
    "organic_in_app_events_report": RawReport("events", "organic"),
    "uninstall_events_report": RawReport("none", "paid"),
    "organic_uninstall_events_report": RawReport("none", "organic"),
    "reinstalls": RawReport("none", "paid"),
    "reinstalls_organic": RawReport("none", "organic"),
    "installs-retarget": RawReport("installs", "retargeting"),
    "in-app-events-retarget": RawReport("events", "retargeting"),
}
_PATH = re.compile(
    r"/api/(?P<kind>agg-data|raw-data)/export/app/(?P<app>[^/]+)/(?P<report>[a-z_-]+)/v5"
)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"(\d{4}-\d{2}-\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?")
_CENT = Decimal("0.01")
_NOT_FOUND_PAGE = (
    b"<!DOCTYPE html><html><head><title>AppsFlyer - 404</title></head><body>"
    b"<h1>404</h1><p>The page you are looking for could not be found.</p></body></html>"
)


class BadRequest(Exception):
    """A parameter AppsFlyer refuses (HTTP 400 with its message)."""


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


def _moment(value: str | None, name: str, end: bool, with_time: bool) -> datetime:
    """A ``from``/``to`` value as the first (or, for ``to``, last) instant it names."""
    match = (_MOMENT if with_time else _DAY).fullmatch(value or "")
    if match is None:
        form = "yyyy-mm-dd[ hh:mm[:ss]]" if with_time else "yyyy-mm-dd"
        raise BadRequest(f"Parameters 'from' and 'to' are required ({form}); got {name}={value}")
    try:
        day = date.fromisoformat(match.group(1) if with_time else match.group(0))
        if not with_time or match.group(2) is None:
            return datetime.combine(day, time.max if end else time())
        hour, minute = int(match.group(2)), int(match.group(3))
        second = match.group(4)
        if second is not None:
            return datetime.combine(day, time(hour, minute, int(second)))
        return datetime.combine(day, time(hour, minute, 59 if end else 0, 999_999 if end else 0))
    except ValueError:
        raise BadRequest(f"Invalid date: {name}={value}") from None


@dataclass(frozen=True)
class Query:
    """A checked request: what to serve and how to filter it."""

    app: App
    report: str
    since: datetime
    until: datetime
    zone: tzinfo
    retargeting: bool
    media_sources: frozenset[str] | None
    touch_type: str | None
    limit: int
    geo: str | None
    event_names: frozenset[str] | None
    agencies: frozenset[str] | None
    install_since: datetime | None
    install_until: datetime | None
    additional: tuple[str, ...]


class AppsFlyerFake(FakeApi):
    """The AppsFlyer Pull API fake.

    Args:
        world: The world it serves (its today is ``world.as_of``).
        faults: Fault switches (see :class:`~ingestion.sandbox.faults.Faults`).
        api_token: The V2 API token it accepts.
        strict_row_limits: Refuse every ``maximum_rows`` but 200000 and 1000000, as
            AppsFlyer does; by default smaller values are accepted as a test limit.
    """

    def __init__(
        self,
        world: World,
        faults: Faults | None = None,
        api_token: str = "sandbox-appsflyer-v2",
        strict_row_limits: bool = False,
    ) -> None:
        super().__init__(faults)
        self.world = world
        self.trackers = Trackers(world)
        self.api_token = api_token
        self.strict_row_limits = strict_row_limits

    def source_options(self) -> dict[str, Any]:
        """Keyword arguments that point ``appsflyer_source`` at this fake (start it first)."""
        return {
            "base_url": self.base_url,
            "api_token": self.api_token,
            "app_ids": [app.app_id for app in self.trackers.apps("appsflyer")],
            "start_date": self.world.first_day.isoformat(),
        }

    # -- aggregate reports -------------------------------------------------------------
    def aggregate_rows(
        self,
        app: App,
        report: str,
        since: date,
        until: date,
        zone: tzinfo | None = None,
        touch_type: str | None = None,
    ) -> dict[tuple[str, ...], list[TrackedDay]]:
        """Tracked rows grouped as the report groups them ([day,] [country,] agency, pid, c).

        ``zone`` defaults to the app's own time zone.
        """
        shape = AGGREGATE_REPORTS[report]
        zone = zone or ZoneInfo(app.timezone_name)
        rows = self.trackers.daily_in(app, since, until, zone, touch_type=touch_type)
        groups: dict[tuple[str, ...], list[TrackedDay]] = {}
        for row in rows:
            if touch_type is not None and not row.installs:
                continue
            day = (row.date.isoformat(),) if shape.dated else ()
            country = (row.country,) if shape.geo else ()
            key = (*day, *country, "", media_source(row), row.campaign_name or "")
            groups.setdefault(key, []).append(row)
        if not shape.dated:
            groups = dict(sorted(groups.items()))
        return groups

    def aggregate_header(self, app: App, report: str, retargeting: bool = False) -> list[str]:
        """The CSV header of an aggregate report."""
        shape = AGGREGATE_REPORTS[report]
        head = [*AGG_HEAD[1:]]
        if shape.geo:
            head.insert(0, "Country")
        if shape.dated:
            head.insert(0, AGG_HEAD[0])
        if retargeting:
            metrics = RETARGETING_METRICS if shape.full else RETARGETING_DAILY_METRICS
        else:
            metrics = AGG_METRICS if shape.full else DAILY_METRICS
        header = [*head, *metrics]
        if shape.full:
            for name in sorted(EVENT_NAMES.values()):
                header += [f"{name} (Unique users)", f"{name} (Event counter)"]
                header += [f"{name} (Sales in USD)"]
        return header

    def aggregate_csv(
        self,
        app: App,
        report: str,
        since: date,
        until: date,
        zone: tzinfo | None = None,
        *,
        retargeting: bool = False,
        media_sources: frozenset[str] | None = None,
        touch_type: str | None = None,
    ) -> bytes:
        """The CSV of an aggregate report (header only for retargeting: the world has none)."""
        header = self.aggregate_header(app, report, retargeting)
        if retargeting:
            return _csv(header, [])
        lines = []
        groups = self.aggregate_rows(app, report, since, until, zone, touch_type)
        for key, rows in groups.items():
            if media_sources is not None and media_source(rows[0]) not in media_sources:
                continue
            values = self._kpis(rows, vta=touch_type is not None)
            lines.append([*key, *(values.get(column, "") for column in header[len(key) :])])
        if "Date" in header:
            money = [header.index(c) for c in ("Total Cost", "Installs") if c in header]
            lines = self.faults.daily_rows(
                f"/{report}", lines, money=money, dates=(header.index("Date"),)
            )
        return _csv(header, lines)

    @staticmethod
    def _kpis(rows: list[TrackedDay], vta: bool) -> dict[str, Any]:
        """The report's numbers of a group of tracked rows, by column name."""
        no_media = vta or rows[0].platform is None  # organic and view-through: N/A
        impressions = sum(r.impressions for r in rows)
        clicks = sum(r.clicks for r in rows)
        installs = sum(r.installs for r in rows)
        cost = sum((r.cost for r in rows), Decimal("0.00"))
        revenue = sum((c.revenue for r in rows for c in r.events.values()), Decimal("0.00"))
        registered = sum(r.events["registration"].users for r in rows if "registration" in r.events)
        sessions = installs * 2 + registered
        loyal = registered // 2
        values: dict[str, Any] = {
            "Impressions": "N/A" if no_media else impressions,
            "Clicks": "N/A" if no_media else clicks,
            "CTR": "N/A" if no_media else _ratio(clicks, impressions, 100),
            "Installs": installs,
            "Conversion Rate": "N/A" if no_media else _ratio(installs, clicks, 100),
            "Sessions": sessions,
            "Loyal Users": loyal,
            "Loyal Users/Installs": _ratio(loyal, installs),
            "Total Revenue": f"{revenue:.2f}",
            "Total Cost": "N/A" if no_media else f"{cost:.2f}",
            "ROI": "N/A" if no_media else _ratio(revenue - cost, cost, 100),
            "ARPU": _ratio(revenue, installs),
            "Average eCPI": "N/A" if no_media else _ratio(cost, installs),
        }
        for event, name in EVENT_NAMES.items():
            counts = [r.events[event] for r in rows if event in r.events]
            values[f"{name} (Unique users)"] = sum(c.users for c in counts)
            values[f"{name} (Event counter)"] = sum(c.count for c in counts)
            values[f"{name} (Sales in USD)"] = (
                f"{sum((c.revenue for c in counts), Decimal('0.00')):.2f}"
            )
        return values

    # -- raw-data reports --------------------------------------------------------------
    def raw_header(self, additional: tuple[str, ...] = ()) -> list[str]:
        """The raw-data header with the ``additional_fields`` columns asked for."""
        return [*RAW_HEADER, *(ADDITIONAL_FIELDS[name] for name in additional)]

    def _raw_line(self, app: App, install: Install, zone: tzinfo) -> dict[str, str]:
        row = install.row
        paid = row.platform is not None

        def local(value: datetime | None) -> str:
            return "" if value is None else _time(self.trackers.to_zone(app, value, zone))

        return {
            "Attributed Touch Type": install.touch_type or "",
            "Attributed Touch Time": local(install.touch_time),
            "Install Time": local(install.install_time),
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
            "Attribution Lookback": "7d" if paid else "",
            "Is Retargeting": "false",
            "Language": "ko-KR",
            # additional fields the world knows
            "Device Model": "iPhone15,2" if app.os == "ios" else "SM-S918N",
            "Device Category": "phone",
            "Is LAT": "false",
            "Store Reinstall": "false",
            "Conversion Type": "install",
            "Campaign Type": "ua",
            "Match Type": ("srn" if row.platform in ("meta_ads", "google_ads") else "id_matching")
            if paid
            else "",
        }

    def _raw_rows(self, query: Query, kind: str) -> Iterator[dict[str, str]]:
        """Raw rows of the query's report in time order (filters applied, no limit)."""
        app, zone = query.app, query.zone
        organic = query.report.startswith("organic_")
        days = self.trackers.local_days(app, query.since.date(), query.until.date(), zone)
        for day in days:
            installs = self.trackers.installs(app, day)
            items: list[tuple[datetime, Install, Any]] = []
            if kind == "installs":
                items = [(i.install_time, i, None) for i in installs]
            else:
                items = [
                    (e.event_time, e.install, e)
                    for e in self.trackers._in_app_events(day, installs)
                ]
            for at, install, event in items:
                row = install.row
                if (row.platform is None) != organic:
                    continue
                there = self.trackers.to_zone(app, at, zone)
                if not query.since <= there <= query.until:
                    continue
                if not self._raw_match(query, install, event):
                    continue
                values = self._raw_line(app, install, zone)
                values["Event Time"] = _time(there)
                values["Event Source"] = "SDK"
                if event is None:
                    values["Event Name"] = "install"
                else:
                    values.update(self._event_values(event.name, event.revenue))
                yield values

    def _raw_match(self, query: Query, install: Install, event: Any) -> bool:
        row = install.row
        if query.media_sources is not None and (
            media_source(row, raw=True) not in query.media_sources
        ):
            return False
        if query.geo is not None and row.country != query.geo:
            return False
        if query.agencies is not None:
            return False  # no install of the world came through an agency
        names = query.event_names
        if event is not None and names is not None and EVENT_NAMES[event.name] not in names:
            return False
        installed = self.trackers.to_zone(query.app, install.install_time, query.zone)
        if query.install_since is not None and installed < query.install_since:
            return False
        return query.install_until is None or installed <= query.install_until

    @staticmethod
    def _event_values(name: str, revenue: Decimal) -> dict[str, str]:
        if name == "purchase":
            amount = f"{revenue:.2f}"
            value = {"af_revenue": amount, "af_currency": "USD"}
            money = {
                "Event Revenue": amount,
                "Event Revenue Currency": "USD",
                "Event Revenue USD": amount,
            }
        else:
            value, money = {"af_registration_method": "email"}, {}
        return {
            "Event Name": EVENT_NAMES[name],
            "Event Value": json.dumps(value, separators=(",", ":")),
            **money,
        }

    def raw_csv(
        self,
        app: App,
        report: str,
        since: date,
        until: date,
        limit: int,
        zone: tzinfo | None = None,
    ) -> bytes:
        """The CSV of a raw-data report for whole days, at most ``limit`` rows."""
        query = Query(
            app=app,
            report=report,
            since=datetime.combine(since, time()),
            until=datetime.combine(until, time.max),
            zone=zone or ZoneInfo(app.timezone_name),
            retargeting=False,
            media_sources=None,
            touch_type=None,
            limit=limit,
            geo=None,
            event_names=None,
            agencies=None,
            install_since=None,
            install_until=None,
            additional=(),
        )
        return self._raw_body(query)

    def _raw_body(self, query: Query) -> bytes:
        shape = RAW_REPORTS[query.report]
        header = self.raw_header(query.additional)
        lines: list[list[str]] = []
        if shape.rows != "none" and shape.audience != "retargeting" and not query.retargeting:
            for values in self._raw_rows(query, shape.rows):
                if len(lines) >= query.limit:
                    break
                lines.append([values.get(h, "") for h in header])
        return _csv(header, lines)

    # -- protocol ----------------------------------------------------------------------
    @staticmethod
    def _text(status: int, message: str) -> Reply:
        return Reply(status, message.encode(), content_type=TEXT_TYPE)

    @staticmethod
    def _message(status: int, message: str) -> Reply:
        return Reply(status, {"message": message}, content_type=JSON_TYPE)

    @staticmethod
    def _not_found() -> Reply:
        return Reply(404, _NOT_FOUND_PAGE, content_type=HTML_TYPE)

    def handle(self, request: Request) -> Reply:
        """Answers the report paths: token, report, app, parameters, then the CSV."""
        match = _PATH.fullmatch(request.path)
        if request.method != "GET" or match is None:
            return self._not_found()
        auth = request.headers.get("authorization", "")
        if self.faults.token_expired or auth != f"Bearer {self.api_token}":
            return self._message(401, "Supplied API token is invalid")
        kind, app_id, report = match.group("kind"), match.group("app"), match.group("report")
        known = AGGREGATE_REPORTS if kind == "agg-data" else RAW_REPORTS
        if report not in known:
            return self._not_found()
        try:
            app = self.trackers.app("appsflyer", app_id)
        except KeyError:
            return self._not_found()
        try:
            query = self._query(app, report, kind == "raw-data", request.query)
        except BadRequest as error:
            return self._message(400, str(error))
        if kind == "agg-data":
            body = self.aggregate_csv(
                app,
                report,
                query.since.date(),
                query.until.date(),
                query.zone,
                retargeting=query.retargeting,
                media_sources=query.media_sources,
                touch_type=query.touch_type,
            )
        else:
            body = self._raw_body(query)
        return Reply(200, body, content_type=CSV_TYPE)

    def _query(self, app: App, report: str, raw: bool, params: dict[str, str]) -> Query:
        """The checked parameters of a report request (``BadRequest`` on a refusal)."""
        since = _moment(params.get("from"), "from", end=False, with_time=raw)
        until = _moment(params.get("to"), "to", end=True, with_time=raw)
        if until < since:
            raise BadRequest("'to' must not be earlier than 'from'")
        if since.date() < self.world.as_of - timedelta(days=HISTORY_DAYS):
            raise BadRequest(f"Raw reports historical lookback is limited to {HISTORY_DAYS} days")
        name = params.get("timezone") or "UTC"
        try:
            zone: tzinfo = UTC if name == "UTC" else ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise BadRequest(f"Invalid timezone: {name}") from None
        if name not in ("UTC", app.timezone_name):
            raise BadRequest(
                f"timezone {name} is not the app's time zone ({app.timezone_name}); "
                "use the app's time zone or leave timezone out for UTC"
            )
        reattr = params.get("reattr", "").lower()
        if reattr not in ("", "true", "false"):
            raise BadRequest(f"Invalid reattr value: {params['reattr']} (true or false)")
        currency = params.get("currency", "")
        if currency not in ("", "preferred", "USD"):
            raise BadRequest(f"Invalid currency: {currency} (preferred or USD)")
        categories = (
            ("standard", "facebook", "twitter") if raw else ("standard", "facebook", "organic")
        )
        category = params.get("category", "")
        if category and category not in categories:
            raise BadRequest(f"Invalid category: {category} ({', '.join(categories)})")
        touch = params.get("attribution_touch_type", "")
        if not raw and touch not in ("", "impression"):
            raise BadRequest(f"Invalid attribution_touch_type: {touch} (impression)")
        limit, geo, events, agencies = DEFAULT_MAXIMUM_ROWS, None, None, None
        install_since = install_until = None
        additional: tuple[str, ...] = ()
        if raw:
            limit = self._limit(params.get("maximum_rows"))
            geo = params.get("geo") or None
            if geo is not None and not re.fullmatch(r"[A-Z]{2}", geo):
                raise BadRequest(f"Invalid geo: {geo} (one country code per call)")
            events = _names(params.get("event_name"))
            agencies = _names(params.get("agency"))
            if params.get("from_install_time"):
                install_since = _moment(
                    params["from_install_time"], "from_install_time", False, True
                )
            if params.get("to_install_time"):
                install_until = _moment(params["to_install_time"], "to_install_time", True, True)
            asked = [f for f in (params.get("additional_fields") or "").split(",") if f]
            additional = tuple(dict.fromkeys(f for f in asked if f in ADDITIONAL_FIELDS))
        return Query(
            app=app,
            report=report,
            since=since,
            until=until,
            zone=zone,
            retargeting=reattr == "true",
            media_sources=_media_filter(params.get("media_source", ""), category, raw),
            touch_type=touch or None,
            limit=limit,
            geo=geo,
            event_names=events,
            agencies=agencies,
            install_since=install_since,
            install_until=install_until,
            additional=additional,
        )

    def _limit(self, value: str | None) -> int:
        if value is None or value == "":
            return DEFAULT_MAXIMUM_ROWS
        try:
            limit = int(value)
        except ValueError:
            raise BadRequest("Invalid limit type") from None
        if limit in ROW_LIMITS or (not self.strict_row_limits and 1 <= limit < ROW_LIMITS[0]):
            return limit
        raise BadRequest("Invalid limit type")

    def platform_rate_limit(self, request: Request, code: int) -> Reply:
        """AppsFlyer's throttling: HTTP 403 with the text ``Limit reached``."""
        return self._text(403, self._limit_text(request))

    def throttled(self, request: Request, retry_after: int) -> Reply:
        """AppsFlyer's throttling answer (no ``Retry-After``)."""
        return self._text(403, self._limit_text(request))

    @staticmethod
    def _limit_text(request: Request) -> str:
        match = _PATH.fullmatch(request.path)
        report = match.group("report") if match else "this report"
        return f"Limit reached for {report}"

    def server_error(self, request: Request, status: int) -> Reply:
        """A text 5xx."""
        return self._text(status, "Internal Server Error")


def _names(value: str | None) -> frozenset[str] | None:
    names = frozenset(v.strip() for v in (value or "").split(",") if v.strip())
    return names or None


def _media_filter(value: str, category: str, raw: bool) -> frozenset[str] | None:
    """The media sources a ``media_source``/``category`` pair keeps (``None``: all)."""
    organic = ORGANIC_RAW if raw else ORGANIC_AGGREGATE
    if category == "facebook":
        return frozenset({MEDIA_SOURCES["meta_ads"]})
    if category == "organic":
        return frozenset({organic})
    if category == "twitter":
        return frozenset()
    if not value or value == "all":
        return None
    wanted = {v.strip() for v in value.split(",") if v.strip()}
    known = {*MEDIA_SOURCES.values(), organic}
    aliases = {"facebook": MEDIA_SOURCES["meta_ads"], "organic": organic}
    return frozenset({aliases.get(v.lower(), v) for v in wanted} & known)
