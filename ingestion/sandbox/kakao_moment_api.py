"""A fake of the Kakao Moment Open API (and of Kakao's token endpoint) on 127.0.0.1.

Follows the real protocol where ARGO's connector touches it: ``Authorization: Bearer``
business tokens checked on every call (code ``-401``, HTTP 401), the ``adAccountId``
header, ``GET /openapi/v4/adAccounts/pages`` (paged), ``/adAccounts/{id}``,
``/campaigns`` and ``/campaigns/{id}``, ``/adGroups?campaignId=`` and ``/adGroups/{id}``,
``/creatives?adGroupId=``, and the synchronous report endpoints
``/openapi/v4/{adAccounts|campaigns|adGroups|creatives}/report`` with ``start``/``end``
(``yyyyMMdd``, at most 31 days, today excluded), ``timeUnit=DAY`` and ``metricsGroup``.
Kakao Moment errors come back as ``{"code": -813, "msg": "KakaoMomentException",
"extras": {"detailCode", "detailMsg"}}``; a second report call for the same ad account
within ``report_interval`` seconds is answered HTTP 429 with that body. ``POST
/oauth/token`` (``grant_type=refresh_token``) issues new access tokens like
``kauth.kakao.com``. See ``ingestion/sources/kakao_moment/README.md`` for which parts of
this protocol are verified against Kakao's documentation and which are assumed.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ingestion import clock
from ingestion.sandbox.faults import Faults
from ingestion.sandbox.http import FakeApi, Reply, Request
from ingestion.sandbox.world import GROUP_GOALS, AdDay, World

PLATFORM = "kakao_moment"
SEOUL = ZoneInfo("Asia/Seoul")
#: Longest ``start``..``end`` range of one report call, in days (both ends included).
MAX_REPORT_DAYS = 31
#: Most ids one report call takes (creativeId: 100, adGroupId: 40, campaignId/adAccount: 5).
MAX_REPORT_IDS = {"creatives": 100, "adGroups": 40, "campaigns": 5, "adAccounts": 5}
#: Report id parameter and the dimension key each report level answers with.
REPORT_LEVELS = {
    "adAccounts": ("adAccountId", "ad_account_id"),
    "campaigns": ("campaignId", "campaign_id"),
    "adGroups": ("adGroupId", "ad_group_id"),
    "creatives": ("creativeId", "creative_id"),
}
METRICS_GROUPS = frozenset(
    {
        "BASIC",
        "ADDITION",
        "MESSAGE",
        "MESSAGE_ADDITION",
        "MESSAGE_CLICK",
        "VIDEO",
        "PLUS_FRIEND",
        "PIXEL_SDK_CONVERSION",
        "BIZ_BOARD",
    }
)
#: The world's generic conversion kinds -> Kakao Pixel & SDK conversion metric stems.
#: ``conv_<stem>_7d`` carries the world's count (7-day attribution), ``conv_<stem>_1d`` the
#: part of it that converted within one day; purchases also have ``conv_purchase_p_*``
#: (amount, KRW).
CONVERSION_STEMS = {
    "purchase": "purchase",
    "add_to_cart": "add_to_cart",
    "sign_up": "cmpt_reg",  # completeRegistration (회원가입)
    "lead": "signup",  # signUp (서비스신청, an application/lead)
    "install": "app_install",
}
#: Share of a 7-day count the fake reports as converted within one day (a fixed ratio:
#: the world has one count per kind).
ONE_DAY_SHARE = Decimal("0.75")

# Kakao Moment detail codes. 21006 appears in Kakao's own error sample; the others are
# placeholders (the real catalogue of detail codes is not public).
DETAIL_NOT_FOUND = 21006
DETAIL_BAD_PERIOD = 31004
DETAIL_BAD_PARAM = 31001
DETAIL_TOO_MANY_CALLS = 30003
DETAIL_INTERNAL = 99999


def moment_error(detail_code: int, detail_msg: str, code: int = -813) -> dict[str, Any]:
    """Kakao Moment's error body (the shape of Kakao's documented sample)."""
    return {
        "code": code,
        "msg": "KakaoMomentException",
        "extras": {"detailCode": detail_code, "detailMsg": detail_msg},
    }


def _won(value: Decimal) -> int | float:
    """KRW amounts as JSON numbers: integers when whole (they always are in the world)."""
    return int(value) if value == value.to_integral_value() else float(value)


class KakaoMomentFake(FakeApi):
    """The Kakao Moment Open API fake.

    Args:
        world: The world it serves (``kakao_moment`` accounts).
        faults: Fault switches (see :class:`~ingestion.sandbox.faults.Faults`).
        access_token: The business access token valid at start.
        refresh_token: The refresh token ``POST /oauth/token`` accepts.
        client_id: The app's REST API key the token endpoint expects.
        client_secret: The app's client secret (empty: not checked, as when it is off).
        report_interval: Seconds that must pass between two report calls of one ad
            account (Kakao: 5); a sooner call gets HTTP 429.
        account_page_size_max: Largest ``size`` of ``/adAccounts/pages``.
    """

    def __init__(
        self,
        world: World,
        faults: Faults | None = None,
        access_token: str = "sandbox-kakao-business-token",
        refresh_token: str = "sandbox-kakao-refresh-token",
        client_id: str = "sandbox-kakao-rest-api-key",
        client_secret: str = "sandbox-kakao-client-secret",
        report_interval: float = 5.0,
        account_page_size_max: int = 100,
    ) -> None:
        super().__init__(faults, secret_params=("refresh_token", "client_secret", "access_token"))
        self.world = world
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.report_interval = report_interval
        self.account_page_size_max = account_page_size_max
        self._lock = threading.Lock()
        self._valid = {access_token}
        self._expired: set[str] = set()
        self._expiry_applied = False
        self._issued = itertools.count(1)
        self._last_report: dict[str, float] = {}
        #: (ad account, monotonic time) of every report call answered 200.
        self.report_calls: list[tuple[str, float]] = []
        #: Report calls answered 429 because they came too soon after the previous one.
        self.rate_limited = 0
        #: Access tokens issued through ``POST /oauth/token``.
        self.refreshes = 0

    # -- protocol -----------------------------------------------------------------------
    def source_options(self) -> dict[str, Any]:
        """Keyword arguments that point ``kakao_moment_source`` at this fake (start it first)."""
        return {
            "base_url": self.base_url,
            "auth_url": self.root_url,
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "account_ids": [a.account_id for a in self.world.accounts(PLATFORM)],
            "start_date": self.world.first_day.isoformat(),
            "report_interval_seconds": self.report_interval,
        }

    @staticmethod
    def today() -> date:
        """Kakao's today (Korean time); report ranges must end before it."""
        return clock.today(SEOUL)

    def platform_rate_limit(self, request: Request, code: int) -> Reply:
        """``-10`` (app quota, HTTP 400) or Kakao Moment's ``-813`` with HTTP 429."""
        if code == -10:
            return Reply(400, {"code": -10, "msg": "API limit has been exceeded."})
        return Reply(
            429,
            moment_error(DETAIL_TOO_MANY_CALLS, "요청 가능한 호출 수를 초과하였습니다."),
        )

    def server_error(self, request: Request, status: int) -> Reply:
        """Kakao's internal-error body with the given 5xx status."""
        return Reply(status, {"code": -1, "msg": "internal server error"})

    def throttled(self, request: Request, retry_after: int) -> Reply:
        """HTTP 429 with ``Retry-After`` and Kakao Moment's quota body."""
        return Reply(
            429,
            moment_error(DETAIL_TOO_MANY_CALLS, "요청 가능한 호출 수를 초과하였습니다."),
            {"Retry-After": str(retry_after)},
        )

    def handle(self, request: Request) -> Reply:
        """Routes one call: the token endpoint, or an authenticated Moment API call."""
        if request.path == "/oauth/token":
            return self._token_endpoint(request)
        auth = self._check_token(request)
        if auth is not None:
            return auth
        parts = request.path.strip("/").split("/")
        if parts[:2] != ["openapi", "v4"] or len(parts) < 3 or request.method != "GET":
            return Reply(404, moment_error(DETAIL_NOT_FOUND, "지원하지 않는 API입니다."))
        resource, rest = parts[2], parts[3:]
        if resource == "adAccounts" and rest == ["pages"]:
            return self._account_pages(request)
        account_id = request.headers.get("adaccountid", "")
        if not account_id:
            return Reply(
                400, moment_error(DETAIL_BAD_PARAM, "adAccountId 헤더가 필요합니다.", code=-2)
            )
        try:
            self.world.account(PLATFORM, account_id)
        except KeyError:
            return Reply(
                403, moment_error(DETAIL_NOT_FOUND, "존재하지 않거나 권한이 없는 광고계정입니다.")
            )
        if rest == ["report"] and resource in REPORT_LEVELS:
            return self._report(request, account_id, resource)
        if resource == "adAccounts" and rest == [account_id]:
            return Reply(200, self._account(account_id))
        if resource == "campaigns" and not rest:
            return self._campaigns(request, account_id)
        if resource == "adGroups" and not rest:
            return self._ad_groups(request, account_id)
        if resource == "creatives" and not rest:
            return self._creatives(request, account_id)
        if resource in ("campaigns", "adGroups") and len(rest) == 1:
            return self._detail(account_id, resource, rest[0])
        if resource == "creatives" and len(rest) == 1:
            return self._creative(account_id, rest[0])
        return Reply(404, moment_error(DETAIL_NOT_FOUND, "지원하지 않는 API입니다."))

    # -- auth ---------------------------------------------------------------------------
    def _check_token(self, request: Request) -> Reply | None:
        match = re.match(r"(?i)bearer\s+(\S+)", request.headers.get("authorization", ""))
        token = match.group(1) if match else ""
        with self._lock:
            if self.faults.token_expired and not self._expiry_applied:
                # Every token issued so far expires; tokens refreshed from now on are valid.
                self._expired |= self._valid
                self._valid = set()
                self._expiry_applied = True
            elif not self.faults.token_expired and self._expiry_applied:
                self._valid |= self._expired
                self._expired = set()
                self._expiry_applied = False
            if token in self._valid:
                return None
            expired = token in self._expired
        if expired:
            return Reply(401, {"code": -401, "msg": "this access token is already expired"})
        return Reply(401, {"code": -401, "msg": "this access token does not exist"})

    def _token_endpoint(self, request: Request) -> Reply:
        form = request.form
        if request.method != "POST" or form.get("grant_type") != "refresh_token":
            return Reply(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant_type must be refresh_token here",
                    "error_code": "KOE205",
                },
            )
        if form.get("client_id") != self.client_id or (
            self.client_secret and form.get("client_secret") != self.client_secret
        ):
            return Reply(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "Bad client credentials",
                    "error_code": "KOE010",
                },
            )
        if form.get("refresh_token") != self.refresh_token:
            return Reply(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "Invalid refresh token",
                    "error_code": "KOE322",
                },
            )
        with self._lock:
            token = f"{self.access_token}-r{next(self._issued)}"
            self._valid.add(token)
            self.refreshes += 1
        return Reply(
            200,
            {
                "token_type": "bearer",
                "access_token": token,
                "expires_in": 21599,
            },
        )

    # -- entities -----------------------------------------------------------------------
    def _account(self, account_id: str) -> dict[str, Any]:
        account = self.world.account(PLATFORM, account_id)
        return {
            "id": int(account_id),
            "name": account.name,
            "type": "BUSINESS",
            "config": "ON" if account.account_status == 1 else "OFF",
            "isAdminStop": False,
            "isOutOfBalance": False,
            "statusDescription": "운영중",
        }

    def _account_pages(self, request: Request) -> Reply:
        try:
            page = int(request.query.get("page", "0"))
            size = int(request.query.get("size", "10"))
        except ValueError:
            return Reply(400, moment_error(DETAIL_BAD_PARAM, "page, size는 숫자입니다.", code=-2))
        size = max(1, min(size, self.account_page_size_max))
        accounts = sorted(self.world.accounts(PLATFORM), key=lambda a: a.account_id)
        chunk = accounts[page * size : (page + 1) * size]
        total_pages = (len(accounts) + size - 1) // size
        return Reply(
            200,
            {
                "content": [
                    {
                        "id": int(a.account_id),
                        "name": a.name,
                        "memberType": "MASTER",
                        "config": "ON",
                    }
                    for a in chunk
                ],
                "totalElements": len(accounts),
                "totalPages": total_pages,
                "size": size,
                "number": page,
                "first": page == 0,
                "last": page >= total_pages - 1,
            },
        )

    @staticmethod
    def _configs(request: Request) -> set[str]:
        raw = request.query.get("config") or "ON,OFF"
        return {c.strip() for c in raw.split(",") if c.strip()}

    @staticmethod
    def _config(status: str) -> str:
        return "ON" if status == "ACTIVE" else "OFF"

    def _campaigns(self, request: Request, account_id: str) -> Reply:
        wanted = self._configs(request)
        content = [
            {
                "id": int(c.campaign_id),
                "name": c.name,
                "config": self._config(c.status),
                "userConfig": self._config(c.status),
                "systemConfig": "ON",
            }
            for c in self.world.campaigns(PLATFORM, account_id)
            if self._config(c.status) in wanted
        ]
        return Reply(200, {"content": content})

    def _ad_groups(self, request: Request, account_id: str) -> Reply:
        campaign_id = request.query.get("campaignId", "")
        campaigns = {c.campaign_id for c in self.world.campaigns(PLATFORM, account_id)}
        if campaign_id not in campaigns:
            return Reply(400, moment_error(DETAIL_NOT_FOUND, "존재하지 않는 캠페인입니다."))
        wanted = self._configs(request)
        content = [
            {
                "id": int(g.ad_group_id),
                "name": g.name,
                "config": self._config(g.status),
                "userConfig": self._config(g.status),
                "systemConfig": "ON",
            }
            for g in self.world.ad_groups(PLATFORM, account_id)
            if g.campaign_id == campaign_id and self._config(g.status) in wanted
        ]
        return Reply(200, {"content": content})

    def _creatives(self, request: Request, account_id: str) -> Reply:
        group_id = request.query.get("adGroupId", "")
        groups = {g.ad_group_id for g in self.world.ad_groups(PLATFORM, account_id)}
        if group_id not in groups:
            return Reply(400, moment_error(DETAIL_NOT_FOUND, "존재하지 않는 광고그룹입니다."))
        wanted = self._configs(request)
        content = [
            {
                "id": int(a.ad_id),
                "name": a.name,
                "config": self._config(a.status),
                "userConfig": self._config(a.status),
                "systemConfig": "ON",
                "format": "VIDEO_NATIVE" if a.has_video else "IMAGE_NATIVE",
                "creativeStatus": "OPERATING" if a.status == "ACTIVE" else "OFF",
            }
            for a in self.world.ads(PLATFORM, account_id)
            if a.ad_group_id == group_id and self._config(a.status) in wanted
        ]
        return Reply(200, {"content": content})

    def _creative(self, account_id: str, creative_id: str) -> Reply:
        """``GET /creatives/{id}``: the creative with its landing.

        A URL landing carries ``rspvLandingUrl`` (the representative URL) beside
        ``mobileLandingUrl`` and ``pcLandingUrl``; a creative that lands on an Ad View has
        ``landingInfo.adViewItem`` and null URLs.
        """
        for a in self.world.ads(PLATFORM, account_id):
            if a.ad_id == creative_id:
                url = a.landing_url
                return Reply(
                    200,
                    {
                        "id": int(a.ad_id),
                        "name": a.name,
                        "adGroupId": int(a.ad_group_id),
                        "format": "VIDEO_NATIVE" if a.has_video else "IMAGE_NATIVE",
                        "config": self._config(a.status),
                        "userConfig": self._config(a.status),
                        "systemConfig": "ON",
                        "creativeStatus": "OPERATING" if a.status == "ACTIVE" else "OFF",
                        "landingInfo": None if url else {"adViewItem": {"id": int(a.ad_id) % 9973}},
                        "rspvLandingUrl": url,
                        "mobileLandingUrl": url,
                        "pcLandingUrl": url,
                    },
                )
        return Reply(400, moment_error(DETAIL_NOT_FOUND, "존재하지 않는 소재입니다."))

    def _detail(self, account_id: str, resource: str, object_id: str) -> Reply:
        if resource == "campaigns":
            for c in self.world.campaigns(PLATFORM, account_id):
                if c.campaign_id == object_id:
                    return Reply(
                        200,
                        {
                            "id": int(c.campaign_id),
                            "name": c.name,
                            "adAccountId": int(account_id),
                            "campaignTypeGoal": {
                                "campaignType": c.objective,
                                "goal": GROUP_GOALS[PLATFORM].get(c.goal, "VISITING"),
                            },
                            "dailyBudgetAmount": c.daily_budget_minor,
                            "config": self._config(c.status),
                            "userConfig": self._config(c.status),
                            "systemConfig": "ON",
                            "createdDate": c.created_time.strftime("%Y-%m-%dT%H:%M:%S"),
                        },
                    )
            return Reply(400, moment_error(DETAIL_NOT_FOUND, "존재하지 않는 캠페인입니다."))
        for g in self.world.ad_groups(PLATFORM, account_id):
            if g.ad_group_id == object_id:
                return Reply(
                    200,
                    {
                        "id": int(g.ad_group_id),
                        "name": g.name,
                        "type": "DISPLAY",
                        "campaign": {"id": int(g.campaign_id)},
                        "dailyBudgetAmount": g.daily_budget_minor,
                        "bidStrategy": "AUTOBID"
                        if g.optimization_goal == "CONVERSION"
                        else "MANUAL",
                        "config": self._config(g.status),
                        "userConfig": self._config(g.status),
                        "systemConfig": "ON",
                        "createdDate": g.created_time.strftime("%Y-%m-%dT%H:%M:%S"),
                    },
                )
        return Reply(400, moment_error(DETAIL_NOT_FOUND, "존재하지 않는 광고그룹입니다."))

    # -- reports ------------------------------------------------------------------------
    def _report(self, request: Request, account_id: str, level: str) -> Reply:
        params = request.query
        id_param, _ = REPORT_LEVELS[level]
        try:
            start = datetime.strptime(params.get("start", ""), "%Y%m%d").date()
            end = datetime.strptime(params.get("end", ""), "%Y%m%d").date()
        except ValueError:
            return Reply(
                400,
                moment_error(DETAIL_BAD_PERIOD, "start, end는 yyyyMMdd 형식이어야 합니다.", -2),
            )
        if start > end:
            return Reply(400, moment_error(DETAIL_BAD_PERIOD, "시작일이 종료일보다 늦습니다."))
        if (end - start).days + 1 > MAX_REPORT_DAYS:
            return Reply(
                400, moment_error(DETAIL_BAD_PERIOD, "조회 기간은 최대 31일까지 가능합니다.")
            )
        if end >= self.today():
            return Reply(
                400,
                moment_error(DETAIL_BAD_PERIOD, "오늘 날짜는 start, end 조회에서 제외됩니다."),
            )
        if params.get("timeUnit", "DAY") != "DAY":
            return Reply(400, moment_error(DETAIL_BAD_PARAM, "timeUnit은 DAY만 가능합니다.", -2))
        groups = {g.strip() for g in params.get("metricsGroup", "BASIC").split(",") if g.strip()}
        if not groups <= METRICS_GROUPS:
            return Reply(
                400,
                moment_error(DETAIL_BAD_PARAM, f"알 수 없는 metricsGroup: {sorted(groups)}", -2),
            )
        ids = [i.strip() for i in params.get(id_param, "").split(",") if i.strip()]
        if level != "adAccounts" and not ids:
            return Reply(400, moment_error(DETAIL_BAD_PARAM, f"{id_param}가 필요합니다.", -2))
        if len(ids) > MAX_REPORT_IDS[level]:
            return Reply(
                400,
                moment_error(
                    DETAIL_BAD_PARAM, f"{id_param}는 최대 {MAX_REPORT_IDS[level]}개입니다.", -2
                ),
            )
        with self._lock:
            now = clock.monotonic()
            last = self._last_report.get(account_id)
            # Kakao's servers count in milliseconds: a call a microsecond early is on time.
            if last is not None and now - last < self.report_interval - 0.001:
                self.rate_limited += 1
                return Reply(
                    429,
                    moment_error(
                        DETAIL_TOO_MANY_CALLS,
                        "보고서는 광고계정당 5초에 한 번 조회할 수 있습니다.",
                    ),
                )
            self._last_report[account_id] = now
            self.report_calls.append((account_id, now))
        rows = self.report_rows(account_id, level, start, end, set(ids), groups)
        if "BASIC" in groups:
            rows = self.faults.daily_rows(
                request.path, rows, money=("metrics.cost",), dates=("start", "end")
            )
        return Reply(200, {"code": 200, "message": "Success", "data": rows})

    def report_rows(
        self,
        account_id: str,
        level: str,
        start: date,
        end: date,
        ids: set[str],
        groups: set[str],
    ) -> list[dict[str, Any]]:
        """The ``data`` rows of a daily report: one per object and day with impressions."""
        _, dimension = REPORT_LEVELS[level]
        totals: dict[tuple[date, str], list[AdDay]] = defaultdict(list)
        for stat in self.world.daily_stats(PLATFORM, account_id, start, end):
            if stat.impressions == 0:
                continue
            key = {
                "adAccounts": account_id,
                "campaigns": stat.ad.campaign_id,
                "adGroups": stat.ad.ad_group_id,
                "creatives": stat.ad.ad_id,
            }[level]
            if level != "adAccounts" and key not in ids:
                continue
            totals[(stat.date, key)].append(stat)
        rows = []
        for (day, key), stats in sorted(totals.items()):
            rows.append(
                {
                    "start": day.isoformat(),
                    "end": day.isoformat(),
                    "dimensions": {dimension: key},
                    "metrics": self._metrics(stats, groups),
                }
            )
        return rows

    @staticmethod
    def _metrics(stats: list[AdDay], groups: set[str]) -> dict[str, Any]:
        imp = sum(s.impressions for s in stats)
        click = sum(s.clicks for s in stats)
        cost = sum((s.spend for s in stats), Decimal(0))
        metrics: dict[str, Any] = {}
        if "BASIC" in groups:
            metrics.update(
                {
                    "imp": imp,
                    "click": click,
                    "ctr": round(100 * click / imp, 2) if imp else 0,
                    "cost": _won(cost),
                }
            )
        if "ADDITION" in groups:
            reach = sum(s.reach for s in stats)  # exact per creative; summed above that
            metrics.update(
                {
                    "reach": reach,
                    "cost_per_imp": round(float(cost) * 1000 / imp, 2) if imp else 0,
                    "cost_per_click": round(float(cost) / click, 2) if click else 0,
                    "cost_per_reach": round(float(cost) / reach, 2) if reach else 0,
                }
            )
        if "PIXEL_SDK_CONVERSION" in groups:
            for kind, stem in CONVERSION_STEMS.items():
                count = sum(s.actions.get(kind, 0) for s in stats)
                value = sum((s.action_values.get(kind, Decimal(0)) for s in stats), Decimal(0))
                one_day = int(Decimal(count) * ONE_DAY_SHARE)
                metrics[f"conv_{stem}_7d"] = count
                metrics[f"conv_{stem}_1d"] = one_day
                if stem == "purchase":
                    value_1d = (
                        (value * one_day / count).quantize(Decimal(1), ROUND_HALF_UP)
                        if count
                        else Decimal(0)
                    )
                    metrics["conv_purchase_p_7d"] = _won(value)
                    metrics["conv_purchase_p_1d"] = _won(value_1d)
        return metrics


def last_report_day() -> date:
    """Kakao's yesterday (Korean time): the last day a start/end report may include."""
    return KakaoMomentFake.today() - timedelta(days=1)
