"""A fake of the Naver Search Ad API (api.searchad.naver.com) on 127.0.0.1.

Follows the real protocol where ARGO's connector touches it (see the source's README for
what is verified against Naver's own samples and answers, and what is assumed):

* Every request is signed: ``X-Timestamp`` (epoch ms), ``X-API-KEY`` (access license),
  ``X-Customer`` and ``X-Signature`` = base64(HMAC-SHA256(secret key,
  "{timestamp}.{METHOD}.{path}")), the path without its query string. The gateway answers
  HTTP 403 with a problem document (``type`` ``urn:naver:api:problem:...``): an unknown
  license is ``invalid-apikey``, a stale timestamp ``invalid-timestamp``, a wrong signature
  ``invalid-signature`` (also what a rotated secret key gets: ``faults.expire_token()``),
  a customer the license is not linked to ``auth-failed``.
* ``/ncc/campaigns``, ``/ncc/adgroups``, ``/ncc/keywords?nccAdgroupId=``,
  ``/ncc/ads?nccAdgroupId=`` answer plain JSON arrays; an id of another customer is
  ``{"code": 1018, "status": 404, "title": "No permission to access the resource."}``.
* Stat reports: ``POST /stat-reports {"reportTp", "statDt": "YYYYMMDD"}`` ->
  ``GET /stat-reports/{id}`` through REGIST, RUNNING, WAITING, AGGREGATING to BUILT, NONE
  or ERROR (CHANGED once the day's numbers moved after it was built) ->
  ``GET /report-download?authtoken=...`` signed over ``/report-download`` ->
  ``DELETE /stat-reports/{id}``. A day not aggregated yet is ``{"code": 20007, ...}``;
  a customer keeps at most 100 jobs (the oldest is dropped).
* ``GET /ad-accounts?page=&size=`` (AdAccounts: list, Naver's account API since the
  2025-09-01 account integration; ``/customer-links`` was switched off on 2025-09-15):
  the ad accounts the license's member belongs to, as a Spring page (``content``,
  ``last``, ``number`` from 0, ``totalElements``...), each with ``adAccountNo``,
  ``roleName``, ``naverId`` and ``adAccount`` {``no``, ``name``, ``masterCustomerId``
  (the customer id), ``currency``, ``timezone``...}. ``size`` is at most 1000.
* AD and AD_CONVERSION reports are TSV without a header row, dates ``YYYYMMDD``, built
  from the world so that every split adds up exactly to the world's numbers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import secrets
import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ingestion import clock
from ingestion.sandbox.faults import Faults
from ingestion.sandbox.http import FakeApi, Reply, Request
from ingestion.sandbox.world import (
    PLATFORM_SETTLEMENT_DAYS,
    AdAccount,
    AdDay,
    KeywordDay,
    World,
    split_by_weights,
)

PLATFORM = "naver_searchad"
#: The world's conversion kinds as Naver's conversion tracking names them (the ``type`` codes
#: of its wcs.trans script, which the AD_CONVERSION report repeats). Naver's web tracking has
#: no app-install event; the world never gives a Naver ad one, a user-defined type stands in.
CONVERSION_TYPES = {
    "purchase": "purchase",
    "add_to_cart": "add_to_cart",
    "sign_up": "sign_up",
    "lead": "lead",
    "install": "custom001",
}
#: Share of conversions Naver attributes directly (the click itself) vs indirectly.
DIRECT_SHARE = 0.7
#: Media code of each device's search placement (illustrative numbers, fixed).
MEDIA_CODES = {"P": "27758", "M": "33421"}
#: Shares of delivery on PC and on mobile.
DEVICE_SHARES = (0.35, 0.65)
STATUS_CYCLE = ("RUNNING", "WAITING", "AGGREGATING")
#: Stat-report jobs Naver keeps per customer; creating one more drops the oldest.
MAX_JOBS = 100
#: ``GET /ad-accounts`` page size when none is asked for (Spring's default) and the largest.
AD_ACCOUNTS_PAGE = 20
AD_ACCOUNTS_MAX_PAGE = 1000
#: Largest accepted difference between ``X-Timestamp`` and the server clock.
MAX_SKEW_MS = 300_000


def signature(secret_key: str, timestamp: str, method: str, path: str) -> str:
    """What Naver expects in ``X-Signature`` (the same computation as its SDK samples)."""
    message = f"{timestamp}.{method}.{path}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def naver_error(status: int, code: int, title: str) -> Reply:
    """The API's own error body, e.g. ``{"code": 1018, "status": 404, "title": ...}``."""
    return Reply(status, {"code": code, "status": status, "title": title})


def report_error(status: int, code: int, message: str) -> Reply:
    """The stat-report service's error body: ``{"code": 20007, "message": ...}``."""
    return Reply(status, {"code": code, "message": message})


def gateway_problem(problem: str, title: str, detail: str, **extra: str) -> Reply:
    """The gateway's HTTP 403 problem document (signature, timestamp, license, customer)."""
    body = {**extra, "status": 403, "type": f"urn:naver:api:problem:{problem}"}
    return Reply(403, {**body, "title": title, "detail": detail})


def no_permission() -> Reply:
    """An id the customer does not own (another customer's, or deleted): HTTP 404, 1018."""
    return naver_error(404, 1018, "No permission to access the resource.")


def _time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _iso(day: date) -> str:
    """A day's midnight in Korea, as the account API writes times (ISO 8601, offset)."""
    return f"{day.isoformat()}T00:00:00+09:00"


def parse_stat_date(raw: str) -> date | None:
    """``statDt`` as Naver's samples send it (``YYYYMMDD``) or as an ISO date-time."""
    try:
        if len(raw) == 8 and raw.isdigit():
            return datetime.strptime(raw, "%Y%m%d").date()
        if "T" in raw:
            return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
    except ValueError:
        return None
    return None


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
    stalled: bool = False
    deleted: bool = False
    token: str = ""
    built_on: date | None = None
    rows: list[list[str]] | None = None


class NaverSearchAdFake(FakeApi):
    """The Naver Search Ad API fake.

    Args:
        world: The synthetic world (its ``naver_searchad`` accounts are the customers).
        faults: Fault switches.
        api_key: The one valid access license: a manager's, linked to ``customer_ids``.
        secret_key: Its secret key.
        customer_ids: Customers the license may act for (default: every Naver customer
            of the world).
        member_of: Customers whose ad account the license's member belongs to, listed by
            ``GET /ad-accounts`` (default: every linked customer; ``[]``: none).
        max_skew_ms: Largest accepted difference between ``X-Timestamp`` and the clock.
    """

    def __init__(
        self,
        world: World,
        faults: Faults | None = None,
        api_key: str = "0100000000sandbox-naver-access-license",
        secret_key: str = "AQAAAAsandbox-naver-secret-key==",
        customer_ids: list[str] | None = None,
        max_skew_ms: int = MAX_SKEW_MS,
        member_of: list[str] | None = None,
    ) -> None:
        super().__init__(faults, secret_params=("authtoken",))
        self.world = world
        self.api_key = api_key
        self.secret_key = secret_key
        known = {a.account_id for a in world.accounts(PLATFORM)}
        self.linked_customers = known & set(customer_ids) if customer_ids else known
        self.max_skew_ms = max_skew_ms
        self.member_of = set(self.linked_customers if member_of is None else member_of)
        self._jobs: dict[int, ReportJob] = {}
        self._by_token: dict[str, ReportJob] = {}
        self._ids = itertools.count(int(clock.now().timestamp()) % 10**6 * 1000)
        self._lock = threading.Lock()
        self.rejected_signatures = 0

    def source_options(self) -> dict[str, Any]:
        """Keyword arguments that point ``naver_searchad_source`` at this fake."""
        return {
            "base_url": self.base_url,
            "api_key": self.api_key,
            "secret_key": self.secret_key,
            "customer_ids": [
                a.account_id
                for a in self.world.accounts(PLATFORM)
                if a.account_id in self.linked_customers
            ],
            "start_date": self.world.first_day.isoformat(),
        }

    # -- errors in Naver's shape ------------------------------------------------------
    def platform_rate_limit(self, request: Request, code: int) -> Reply:
        """Too many connections: code 1016 (HTTP 429 assumed)."""
        return naver_error(429, 1016, "Too many connections")

    def server_error(self, request: Request, status: int) -> Reply:
        """An internal error; 503 is Naver's scheduled-maintenance answer."""
        if status == 503:
            return naver_error(503, 503, "Service is currently undergoing scheduled maintenance.")
        return report_error(status, 500, "Internal Server Error")

    def throttled(self, request: Request, retry_after: int) -> Reply:
        """HTTP 429 "too many requests" with ``Retry-After``."""
        reply = naver_error(429, 429, "Cannot handle the request. Too many requests already exist.")
        reply.headers["Retry-After"] = str(retry_after)
        return reply

    # -- auth ---------------------------------------------------------------------------
    def _authenticate(self, request: Request) -> Reply | None:
        """The gateway's checks, in its order: license, timestamp, signature, customer."""
        headers = request.headers
        api_key = headers.get("x-api-key", "")
        timestamp = headers.get("x-timestamp", "")
        given = headers.get("x-signature", "")
        customer = headers.get("x-customer", "")
        if api_key != self.api_key:
            return gateway_problem(
                "invalid-apikey",
                "Invalid API-KEY",
                f"API-KEY '{api_key}' is invalid.",
                apikey=api_key,
            )
        fresh = (
            timestamp.isdigit()
            and abs(clock.now().timestamp() * 1000 - int(timestamp)) <= self.max_skew_ms
        )
        if not fresh:
            return gateway_problem(
                "invalid-timestamp",
                "Invalid Timestamp",
                "Request has expired.",
                timestamp=timestamp,
            )
        expected = signature(self.secret_key, timestamp, request.method, request.path)
        # A rotated secret key (Naver renews them) makes every signature invalid.
        if self.faults.token_expired or not hmac.compare_digest(given, expected):
            self.rejected_signatures += 1
            return gateway_problem(
                "invalid-signature",
                "Invalid Signature",
                f"Signature '{given}' is invalid.",
                signature=given,
            )
        if customer not in self.linked_customers:
            return gateway_problem(
                "auth-failed",
                "Auth Failed",
                f"Auth failed with api-key: {api_key}, customer-id: {customer}",
            )
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
            campaign = request.query.get("nccCampaignId")
            owned = {c.campaign_id for c in self.world.campaigns(PLATFORM, customer)}
            if campaign and campaign not in owned:
                return no_permission()
            return Reply(200, self._ad_groups(customer, campaign))
        if request.method == "GET" and path in ("/ncc/keywords", "/ncc/ads"):
            group = request.query.get("nccAdgroupId")
            if not group:
                return naver_error(400, 1002, "Invalid request")
            if group not in {g.ad_group_id for g in self.world.ad_groups(PLATFORM, customer)}:
                return no_permission()
            rows = (
                self._keywords(customer, group)
                if path == "/ncc/keywords"
                else self._ads(customer, group)
            )
            return Reply(200, rows)
        if request.method == "GET" and path == "/ad-accounts":
            return self._ad_accounts(request)
        if path == "/stat-reports" and request.method == "POST":
            return self._create_job(customer, request)
        if path.startswith("/stat-reports/"):
            return self._job_call(customer, request, path.removeprefix("/stat-reports/"))
        if path == "/report-download" and request.method == "GET":
            return self._download(customer, request.query.get("authtoken", ""))
        return naver_error(404, 1001, "Cannot find the requested resource.")

    # -- accounts -------------------------------------------------------------------------
    def _ad_accounts(self, request: Request) -> Reply:
        """``GET /ad-accounts``: the license member's ad accounts, one Spring page."""
        try:
            page = int(request.query.get("page", "0"))
            size = int(request.query.get("size", str(AD_ACCOUNTS_PAGE)))
        except ValueError:
            return naver_error(400, 1002, "Invalid request")
        if page < 0 or not 0 < size <= AD_ACCOUNTS_MAX_PAGE:
            return naver_error(400, 1002, "Invalid request")
        accounts = [a for a in self.world.accounts(PLATFORM) if a.account_id in self.member_of]
        rows = [self._ad_account(a) for a in accounts]
        content = rows[page * size : (page + 1) * size]
        pages = -(-len(rows) // size)
        unsorted = {"empty": True, "sorted": False, "unsorted": True}
        return Reply(
            200,
            {
                "content": content,
                "pageable": {
                    "sort": unsorted,
                    "offset": page * size,
                    "pageNumber": page,
                    "pageSize": size,
                    "paged": True,
                    "unpaged": False,
                },
                "last": page >= pages - 1,
                "totalPages": pages,
                "totalElements": len(rows),
                "size": size,
                "number": page,
                "sort": unsorted,
                "first": page == 0,
                "numberOfElements": len(content),
                "empty": not content,
            },
        )

    def _ad_account(self, account: AdAccount) -> dict[str, Any]:
        """One ``AdAccount`` of the list: the member's role and the account's detail."""
        number = 1_000_000 + int(account.account_id) % 9_000_000
        created = _iso(self.world.first_day)
        return {
            "adAccountNo": number,
            "naverId": "sandbox_manager",
            "roleName": "MASTER",
            "favorite": False,
            "createdAt": created,
            "lastAccessTime": _iso(self.world.as_of),
            "adAccount": {
                "no": number,
                "name": account.name,
                "masterCustomerId": int(account.account_id),
                "currency": account.currency,
                "country": "KR",
                "timezone": "+09:00",
                "timezoneId": account.timezone_name,
                "disabled": account.account_status != 1,
                "deleted": False,
                "deletedAt": None,
                "penalty": {"penalized": False},
                "createdAt": created,
                "updatedAt": created,
            },
        }

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
                    # A text ad's final URLs are required by Naver: an ad of the world
                    # without a landing page points at the advertiser's home page.
                    "pc": {"final": a.landing_url or "https://shop.example.com/"},
                    "mobile": {"final": a.landing_url or "https://m.shop.example.com/"},
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
        day = parse_stat_date(raw_day)
        if report_type not in ("AD", "AD_CONVERSION") or day is None:
            return report_error(400, 11001, "잘못된 파라미터 형식입니다.")
        if day >= self.world.as_of:  # the day is not over or not aggregated yet
            return report_error(400, 20007, "해당 일자 지표 준비중입니다.")
        with self._lock:
            job = ReportJob(next(self._ids), customer, report_type, day)
            job.failed = self.faults.take_async_failure()
            job.stalled = self.faults.take_async_stall()
            self._jobs[job.job_id] = job
            kept = [j for j in self._jobs.values() if j.customer_id == customer and not j.deleted]
            for old in kept[: max(len(kept) - MAX_JOBS, 0)]:
                old.deleted = True  # Naver drops the oldest job beyond its limit
        return Reply(200, self._job_body(job, "REGIST"))

    def _job_body(self, job: ReportJob, status: str) -> dict[str, Any]:
        now = _time(clock.now())
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
        if job.token and self._changed(job):
            return Reply(200, self._job_body(job, "CHANGED"))  # the day was restated since
        if job.polls <= self.faults.async_polls or job.stalled:
            return Reply(200, self._job_body(job, STATUS_CYCLE[(job.polls - 1) % 3]))
        if job.failed:
            return Reply(200, self._job_body(job, "ERROR"))
        if job.rows is None or job.built_on != self.world.as_of:
            rows = self._rows(job)
            if job.report_type == "AD":  # cost is cell 11, the date cell 0
                path = f"/stat-reports/{job.report_type}"
                rows = self.faults.daily_rows(
                    path, rows, money=(11,), dates=(0,), day_format="%Y%m%d"
                )
            job.rows, job.built_on = rows, self.world.as_of
        if not job.rows:
            return Reply(200, self._job_body(job, "NONE"))
        if not job.token:
            job.token = secrets.token_urlsafe(16)
            self._by_token[job.token] = job
        return Reply(200, self._job_body(job, "BUILT"))

    def _changed(self, job: ReportJob) -> bool:
        """Whether the day's numbers moved since the job was built (conversions settling)."""
        if job.built_on is None or job.built_on == self.world.as_of:
            return False
        return (job.built_on - job.stat_date).days < PLATFORM_SETTLEMENT_DAYS[PLATFORM]

    def _download(self, customer: str, token: str) -> Reply:
        job = self._by_token.get(token)
        if job is None or job.deleted or job.customer_id != customer or self._changed(job):
            return naver_error(404, 4601, "Invalid report ID")
        text = "".join("\t".join(row) + "\n" for row in job.rows or [])
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
                impressions = split_by_weights(piece.impressions, list(DEVICE_SHARES))
                device_weights = [float(i) for i in impressions]
                clicks = split_by_weights(piece.clicks, device_weights)
                cost = split_by_weights(piece.cost, device_weights)
                ranks = split_by_weights(piece.rank_sum, device_weights)
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
                        by_device = split_by_weights(count, list(DEVICE_SHARES))
                        by_method = split_by_weights(by_device[d], [DIRECT_SHARE, 1 - DIRECT_SHARE])
                        value = piece.values.get(kind, 0)
                        value_by_device = split_by_weights(value, [float(c) for c in by_device])
                        value_by_method = split_by_weights(
                            value_by_device[d], [float(m) for m in by_method]
                        )
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
