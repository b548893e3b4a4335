"""A fake of the Naver Search Ad API (api.searchad.naver.com) on 127.0.0.1.

Follows the real protocol where ARGO's connector touches it: every request signed with
``X-Timestamp`` (epoch ms), ``X-API-KEY``, ``X-Customer`` and ``X-Signature`` =
base64(HMAC-SHA256(secret key, "{timestamp}.{METHOD}.{path}")), the path without its query
string, verified here (a wrong or stale signature is refused); the entity listings
``/ncc/campaigns``, ``/ncc/adgroups``, ``/ncc/keywords?nccAdgroupId=``,
``/ncc/ads?nccAdgroupId=`` as plain JSON arrays; the stat-report job flow (``POST
/stat-reports`` -> ``GET /stat-reports/{id}`` through REGIST, RUNNING, WAITING,
AGGREGATING to BUILT, NONE or ERROR -> ``GET /report-download?authtoken=...`` signed over
the path ``/report-download`` -> ``DELETE /stat-reports/{id}``); AD and AD_CONVERSION
reports as TSV without a header row, dates ``YYYYMMDD``; errors as
``{"code", "status", "title"}`` with Naver's codes (1018 no permission, 1016 too many
connections, 4601 invalid report id). See README.md beside this file for what is verified.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ingestion.sandbox.faults import Faults
from ingestion.sandbox.http import FakeApi, Reply, Request
from ingestion.sandbox.world import AdDay, KeywordDay, World

PLATFORM = "naver_searchad"
#: The world's conversion kinds as Naver's report names them (no app installs on Naver).
CONVERSION_TYPES = {
    "purchase": "purchase",
    "add_to_cart": "add_to_cart",
    "sign_up": "sign_up",
    "lead": "lead",
}
#: Share of conversions Naver attributes directly (the click itself) vs indirectly.
DIRECT_SHARE = 0.7
#: Media code of each device's search placement (illustrative numbers, fixed).
MEDIA_CODES = {"P": "27758", "M": "33421"}
#: Shares of delivery on PC and on mobile.
DEVICE_SHARES = (0.35, 0.65)
STATUS_CYCLE = ("RUNNING", "WAITING", "AGGREGATING")


def signature(secret_key: str, timestamp: str, method: str, path: str) -> str:
    """What Naver expects in ``X-Signature`` (the same computation as its SDK samples)."""
    message = f"{timestamp}.{method}.{path}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def naver_error(status: int, code: int, title: str) -> Reply:
    """Naver's error body."""
    return Reply(status, {"code": code, "status": status, "title": title})


def _split(total: int, weights: list[float]) -> list[int]:
    whole = sum(weights)
    if total == 0 or whole == 0:
        return [0] * len(weights)
    raw = [total * w / whole for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass(frozen=True)
class Piece:
    """One keyword's part of an ad-day (keyword ``-`` when the ad group has none)."""

    keyword_id: str
    impressions: int
    clicks: int
    cost: int
    rank_sum: int
    actions: dict[str, int]
    values: dict[str, int]


@dataclass
class ReportJob:
    """A stat-report job."""

    job_id: int
    customer_id: str
    report_type: str
    stat_date: date
    polls: int = 0
    failed: bool = False
    deleted: bool = False
    token: str = ""


class NaverSearchAdFake(FakeApi):
    """The Naver Search Ad API fake.

    Args:
        world: The synthetic world (its ``naver_searchad`` accounts are the customers).
        faults: Fault switches.
        api_key: The one valid access license (an agency's: it may act for every customer).
        secret_key: Its secret key.
        max_skew_ms: Largest accepted difference between ``X-Timestamp`` and the clock.
    """

    def __init__(
        self,
        world: World,
        faults: Faults | None = None,
        api_key: str = "sandbox-naver-access-license",
        secret_key: str = "sandbox-naver-secret-key",
        max_skew_ms: int = 300_000,
    ) -> None:
        super().__init__(faults, secret_params=("authtoken",))
        self.world = world
        self.api_key = api_key
        self.secret_key = secret_key
        self.max_skew_ms = max_skew_ms
        self._jobs: dict[int, ReportJob] = {}
        self._ids = itertools.count(int(time.time()) % 10**6 * 1000)
        self._lock = threading.Lock()
        self.rejected_signatures = 0

    def source_options(self) -> dict[str, Any]:
        """Keyword arguments that point ``naver_searchad_source`` at this fake."""
        return {
            "base_url": self.base_url,
            "api_key": self.api_key,
            "secret_key": self.secret_key,
            "customer_ids": [a.account_id for a in self.world.accounts(PLATFORM)],
            "start_date": self.world.first_day.isoformat(),
        }

    # -- errors in Naver's shape ------------------------------------------------------
    def platform_rate_limit(self, request: Request, code: int) -> Reply:
        """Too many connections: HTTP 429 with code 1016."""
        return naver_error(429, 1016, "Too many connections")

    def server_error(self, request: Request, status: int) -> Reply:
        """An internal error (503 is Naver's maintenance answer)."""
        if status == 503:
            return naver_error(503, 503, "Service is currently undergoing scheduled maintenance.")
        return naver_error(status, 500, "Internal server error")

    def throttled(self, request: Request, retry_after: int) -> Reply:
        """HTTP 429 "too many requests" with ``Retry-After``."""
        reply = naver_error(429, 429, "Cannot handle the request. Too many requests already exist.")
        reply.headers["Retry-After"] = str(retry_after)
        return reply

    # -- auth ---------------------------------------------------------------------------
    def _authenticate(self, request: Request) -> Reply | None:
        headers = request.headers
        timestamp = headers.get("x-timestamp", "")
        given = headers.get("x-signature", "")
        if not timestamp or not given or not headers.get("x-api-key"):
            return naver_error(403, 1006, "No permission. Please check permissions granted.")
        expected = signature(self.secret_key, timestamp, request.method, request.path)
        fresh = timestamp.isdigit() and abs(time.time() * 1000 - int(timestamp)) <= self.max_skew_ms
        valid = (
            headers.get("x-api-key") == self.api_key
            and hmac.compare_digest(given, expected)
            and fresh
            and not self.faults.token_expired
        )
        if not valid:
            self.rejected_signatures += 1
            return naver_error(403, 1006, "Invalid signature or API license.")
        customer = headers.get("x-customer", "")
        if customer not in {a.account_id for a in self.world.accounts(PLATFORM)}:
            return naver_error(403, 1018, "No permission to access the resource.")
        return None

    # -- routing ------------------------------------------------------------------------
    def handle(self, request: Request) -> Reply:
        """Answers one signed request."""
        refused = self._authenticate(request)
        if refused is not None:
            return refused
        customer = request.headers["x-customer"]
        path = request.path
        if request.method == "GET" and path == "/ncc/campaigns":
            return Reply(200, self._campaigns(customer))
        if request.method == "GET" and path == "/ncc/adgroups":
            return Reply(200, self._ad_groups(customer, request.query.get("nccCampaignId")))
        if request.method == "GET" and path in ("/ncc/keywords", "/ncc/ads"):
            group = request.query.get("nccAdgroupId")
            if not group:
                return naver_error(400, 1002, "Invalid request: nccAdgroupId is required")
            rows = (
                self._keywords(customer, group)
                if path == "/ncc/keywords"
                else self._ads(customer, group)
            )
            return Reply(200, rows)
        if path == "/stat-reports" and request.method == "POST":
            return self._create_job(customer, request)
        if path.startswith("/stat-reports/"):
            return self._job_call(customer, request, path.removeprefix("/stat-reports/"))
        if path == "/report-download" and request.method == "GET":
            return self._download(customer, request.query.get("authtoken", ""))
        return naver_error(404, 1001, "Cannot find the requested resource.")

    # -- entities -------------------------------------------------------------------------
    def _campaigns(self, customer: str) -> list[dict[str, Any]]:
        rows = []
        for c in self.world.campaigns(PLATFORM, customer):
            paused = c.status != "ACTIVE"
            rows.append(
                {
                    "nccCampaignId": c.campaign_id,
                    "customerId": int(customer),
                    "name": c.name,
                    "userLock": paused,
                    "campaignTp": c.objective,
                    "deliveryMethod": "STANDARD",
                    "trackingMode": "TRACKING_DISABLED",
                    "usePeriod": False,
                    "dailyBudget": c.daily_budget_minor or 0,
                    "useDailyBudget": c.daily_budget_minor is not None,
                    "status": "PAUSED" if paused else "ELIGIBLE",
                    "statusReason": "CAMPAIGN_PAUSED" if paused else "ELIGIBLE",
                    "delFlag": False,
                    "regTm": _time(c.created_time),
                    "editTm": _time(c.created_time),
                }
            )
        return rows

    def _ad_groups(self, customer: str, campaign_id: str | None) -> list[dict[str, Any]]:
        campaigns = {c.campaign_id: c for c in self.world.campaigns(PLATFORM, customer)}
        rows = []
        for g in self.world.ad_groups(PLATFORM, customer):
            if campaign_id and g.campaign_id != campaign_id:
                continue
            paused = g.status != "ACTIVE"
            rows.append(
                {
                    "nccAdgroupId": g.ad_group_id,
                    "nccCampaignId": g.campaign_id,
                    "customerId": int(customer),
                    "name": g.name,
                    "userLock": paused,
                    "adgroupType": campaigns[g.campaign_id].objective,
                    "bidAmt": 70 + int(hashlib.sha1(g.ad_group_id.encode()).hexdigest(), 16) % 900,
                    "useDailyBudget": g.daily_budget_minor is not None,
                    "dailyBudget": g.daily_budget_minor or 0,
                    "status": "PAUSED" if paused else "ELIGIBLE",
                    "statusReason": "GROUP_PAUSED" if paused else "ELIGIBLE",
                    "delFlag": False,
                    "regTm": _time(g.created_time),
                    "editTm": _time(g.created_time),
                }
            )
        return rows

    def _keywords(self, customer: str, group: str) -> list[dict[str, Any]]:
        return [
            {
                "nccKeywordId": k.keyword_id,
                "nccAdgroupId": k.ad_group_id,
                "nccCampaignId": k.campaign_id,
                "customerId": int(customer),
                "keyword": k.text,
                "bidAmt": k.bid_minor,
                "useGroupBidAmt": False,
                "userLock": k.status != "ACTIVE",
                "status": "ELIGIBLE" if k.status == "ACTIVE" else "PAUSED",
                "inspectStatus": "APPROVED",
                "delFlag": False,
                "regTm": _time(k.created_time),
                "editTm": _time(k.created_time),
            }
            for k in self.world.keywords(PLATFORM, customer)
            if k.ad_group_id == group
        ]

    def _ads(self, customer: str, group: str) -> list[dict[str, Any]]:
        return [
            {
                "nccAdId": a.ad_id,
                "nccAdgroupId": a.ad_group_id,
                "customerId": int(customer),
                "type": "TEXT_45",
                "ad": {
                    "headline": a.name[:15],
                    "description": a.name,
                    "pc": {"final": "https://shop.example.com/"},
                    "mobile": {"final": "https://m.shop.example.com/"},
                },
                "userLock": a.status != "ACTIVE",
                "status": "ELIGIBLE" if a.status == "ACTIVE" else "PAUSED",
                "inspectStatus": "APPROVED",
                "delFlag": False,
                "regTm": _time(a.created_time),
                "editTm": _time(a.created_time),
            }
            for a in self.world.ads(PLATFORM, customer)
            if a.ad_group_id == group
        ]

    # -- report jobs ----------------------------------------------------------------------
    def _create_job(self, customer: str, request: Request) -> Reply:
        report_type = request.form.get("reportTp", "")
        raw_day = request.form.get("statDt", "")
        if report_type not in ("AD", "AD_CONVERSION"):
            return naver_error(400, 1002, f"Invalid request: reportTp {report_type!r}")
        try:
            day = (
                date.fromisoformat(raw_day[:10])
                if "-" in raw_day
                else datetime.strptime(raw_day, "%Y%m%d").date()
            )
        except ValueError:
            return naver_error(400, 1002, f"Invalid request: statDt {raw_day!r}")
        with self._lock:
            job = ReportJob(next(self._ids), customer, report_type, day)
            job.failed = self.faults.take_async_failure()
            self._jobs[job.job_id] = job
        return Reply(200, self._job_body(job, "REGIST"))

    def _job_body(self, job: ReportJob, status: str) -> dict[str, Any]:
        now = _time(datetime.now(UTC))
        return {
            "reportJobId": job.job_id,
            "reportTp": job.report_type,
            "statDt": job.stat_date.strftime("%Y-%m-%dT00:00:00Z"),
            "status": status,
            "downloadUrl": (
                f"{self.root_url}/report-download?authtoken={job.token}&fileVersion=v2"
                if status == "BUILT"
                else ""
            ),
            "customerId": int(job.customer_id),
            "regTm": now,
            "updateTm": now,
        }

    def _job_call(self, customer: str, request: Request, raw_id: str) -> Reply:
        job = self._jobs.get(int(raw_id)) if raw_id.isdigit() else None
        if job is None or job.customer_id != customer or job.deleted:
            return naver_error(404, 4601, "Invalid report ID")
        if request.method == "DELETE":
            job.deleted = True
            return Reply(204, b"", content_type="text/plain")
        if request.method != "GET":
            return naver_error(400, 1002, "Invalid request")
        job.polls += 1
        if job.polls <= self.faults.async_polls:
            return Reply(200, self._job_body(job, STATUS_CYCLE[(job.polls - 1) % 3]))
        if job.failed:
            return Reply(200, self._job_body(job, "ERROR"))
        if not self._rows(job):
            return Reply(200, self._job_body(job, "NONE"))
        if not job.token:
            job.token = secrets.token_urlsafe(16)
        return Reply(200, self._job_body(job, "BUILT"))

    def _download(self, customer: str, token: str) -> Reply:
        job = next(
            (j for j in self._jobs.values() if token and j.token == token and not j.deleted), None
        )
        if job is None or job.customer_id != customer:
            return naver_error(404, 4601, "Invalid report ID")
        text = "".join("\t".join(row) + "\n" for row in self._rows(job))
        return Reply(200, text.encode(), content_type="application/octet-stream")

    # -- report rows ----------------------------------------------------------------------
    def _pieces(self, stat: AdDay) -> list[Piece]:
        """The keyword parts of an ad-day (one part with keyword ``-`` if it has none)."""
        parts: list[KeywordDay] = self.world.keyword_stats(stat)
        if parts:
            return [
                Piece(
                    p.keyword.keyword_id,
                    p.impressions,
                    p.clicks,
                    int(p.spend),
                    p.rank_sum,
                    dict(p.actions),
                    {k: int(v) for k, v in p.action_values.items()},
                )
                for p in parts
            ]
        return [
            Piece(
                "-",
                stat.impressions,
                stat.clicks,
                int(stat.spend),
                stat.impressions * 2,
                dict(stat.actions),
                {k: int(v) for k, v in stat.action_values.items()},
            )
        ]

    def _rows(self, job: ReportJob) -> list[list[str]]:
        """The report's TSV rows: each piece split by device, conversions also by method.

        Every split is by largest remainder, so the rows add up exactly to the world.
        """
        rows: list[list[str]] = []
        day = job.stat_date
        channel = f"bsn-a001-00-{job.customer_id.zfill(15)}"
        for stat in self.world.daily_stats(PLATFORM, job.customer_id, day, day):
            if not stat.impressions:
                continue
            for piece in self._pieces(stat):
                impressions = _split(piece.impressions, list(DEVICE_SHARES))
                device_weights = [float(i) for i in impressions]
                clicks = _split(piece.clicks, device_weights)
                cost = _split(piece.cost, device_weights)
                ranks = _split(piece.rank_sum, device_weights)
                for d, device in enumerate(("P", "M")):
                    head = [
                        day.strftime("%Y%m%d"),
                        job.customer_id,
                        stat.ad.campaign_id,
                        stat.ad.ad_group_id,
                        piece.keyword_id,
                        stat.ad.ad_id,
                        channel,
                        MEDIA_CODES[device],
                        device,
                    ]
                    if job.report_type == "AD":
                        if impressions[d]:
                            rows.append(
                                [
                                    *head,
                                    str(impressions[d]),
                                    str(clicks[d]),
                                    str(cost[d]),
                                    str(ranks[d]),
                                    "0",
                                ]
                            )
                        continue
                    for kind, count in sorted(piece.actions.items()):
                        by_device = _split(count, list(DEVICE_SHARES))
                        by_method = _split(by_device[d], [DIRECT_SHARE, 1 - DIRECT_SHARE])
                        value = piece.values.get(kind, 0)
                        value_by_device = _split(value, [float(c) for c in by_device])
                        value_by_method = _split(value_by_device[d], [float(m) for m in by_method])
                        for m, method in enumerate(("1", "2")):
                            if by_method[m]:
                                rows.append(
                                    [
                                        *head,
                                        method,
                                        CONVERSION_TYPES[kind],
                                        str(by_method[m]),
                                        str(value_by_method[m]),
                                    ]
                                )
        return rows
