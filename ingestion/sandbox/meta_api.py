"""A fake of the Meta Marketing (Graph) API on 127.0.0.1, serving the synthetic world.

Follows the real protocol where ARGO's connector touches it: token check (code 190 with
Graph's error body), ``GET /act_{id}``, ``/me/adaccounts``, the ``campaigns``, ``adsets``,
``ads`` edges with cursor paging (``paging.cursors.after``, ``paging.next``), insights
both synchronous and through async report runs (``report_run_id``, ``async_status``,
``async_percent_completion``), numbers as strings, ``actions``/``action_values`` arrays,
rate-limit errors 17 / 80004 with the usage headers, and code 100 for bad parameters or
unknown objects. See README.md beside this file for what is and is not faithful.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from ingestion.sandbox.faults import Faults
from ingestion.sandbox.http import FakeApi, Reply, Request
from ingestion.sandbox.world import MINOR_DIGITS, AdDay, World

#: Graph answers most errors, token errors and rate limits included, with HTTP 400.
ERROR_STATUS = 400


def graph_error(
    message: str, code: int, subcode: int | None = None, type_: str = "OAuthException"
) -> dict[str, Any]:
    """Graph's error body."""
    error: dict[str, Any] = {"message": message, "type": type_, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = "A" + secrets.token_urlsafe(15)
    return {"error": error}


def _time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _amount(value: Any, currency: str) -> str:
    digits = MINOR_DIGITS.get(currency, 2)
    return f"{value:.{digits}f}"


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str) -> int:
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        return int(base64.urlsafe_b64decode(padded).decode().split(":", 1)[1])
    except (ValueError, IndexError):
        return -1


@dataclass
class ReportRun:
    """An async insights job."""

    run_id: str
    account_id: str
    since: date
    until: date
    fields: list[str]
    polls: int = 0
    fail: bool = False
    stall: bool = False
    rows: list[dict[str, Any]] = field(default_factory=list)


class MetaFake(FakeApi):
    """The Meta Graph API fake.

    Args:
        world: The world it serves (``meta`` accounts).
        faults: Fault switches (see :class:`~ingestion.sandbox.faults.Faults`).
        access_token: The one valid token.
        api_version: Path prefix, e.g. ``v21.0``.
        page_size_default: ``limit`` when none is asked.
        page_size_max: Largest ``limit`` honoured.
    """

    def __init__(
        self,
        world: World,
        faults: Faults | None = None,
        access_token: str = "sandbox-meta-token",
        api_version: str = "v21.0",
        page_size_default: int = 25,
        page_size_max: int = 500,
    ) -> None:
        super().__init__(faults, secret_params=("access_token",))
        self.world = world
        self.access_token = access_token
        self.api_version = api_version
        self.prefix = f"/{api_version}"
        self.page_size_default = page_size_default
        self.page_size_max = page_size_max
        self._runs: dict[str, ReportRun] = {}
        self._run_ids = itertools.count(6_000_000_000_001)
        self._lock = threading.Lock()
        self._calls = 0

    # -- protocol -----------------------------------------------------------------------
    def source_options(self) -> dict[str, Any]:
        """Keyword arguments that point ``meta_ads_source`` at this fake (start it first)."""
        return {
            "base_url": self.base_url,
            "access_token": self.access_token,
            "account_ids": [a.account_id for a in self.world.accounts("meta")],
            "start_date": self.world.first_day.isoformat(),
        }

    def _token(self, request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        match = re.match(r"(?i)(bearer|oauth)\s+(\S+)", auth)
        if match:
            return match.group(2)
        return request.query.get("access_token") or request.form.get("access_token")

    def _usage_headers(self, account_id: str | None, insights: bool, util: int) -> dict[str, str]:
        headers: dict[str, str] = {}
        if account_id:
            business = "1" + account_id[-9:]
            kind = "ads_insights" if insights else "ads_management"
            headers["X-Business-Use-Case-Usage"] = json.dumps(
                {
                    business: [
                        {
                            "type": kind,
                            "call_count": util,
                            "total_cputime": max(util - 5, 1),
                            "total_time": max(util - 3, 1),
                            "estimated_time_to_regain_access": 0,
                        }
                    ]
                }
            )
            headers["X-Ad-Account-Usage"] = json.dumps(
                {
                    "acc_id_util_pct": util,
                    "reset_time_duration": 0 if util < 100 else 60,
                    "ads_api_access_tier": "standard_access",
                }
            )
        if insights:
            headers["X-FB-Ads-Insights-Throttle"] = json.dumps(
                {
                    "app_id_util_pct": util,
                    "acc_id_util_pct": util,
                    "ads_api_access_tier": "standard_access",
                }
            )
        return headers

    def platform_rate_limit(self, request: Request, code: int) -> Reply:
        """Code 17 (user request limit) or 80004 (too many calls to this ad account)."""
        if code == 80004:
            body = graph_error(
                "There have been too many calls to this ad-account. Wait a bit "
                "and try again. For more info, please refer to "
                "https://developers.facebook.com/docs/graph-api/overview/"
                "rate-limiting#ads-management.",
                80004,
                2446079,
            )
        else:
            body = graph_error("User request limit reached", code, 2446079)
        account = re.search(r"act_(\d+)", request.path)
        headers = self._usage_headers(
            account.group(1) if account else "0", "insights" in request.path, 100
        )
        return Reply(ERROR_STATUS, body, headers)

    def handle(self, request: Request) -> Reply:
        """Routes one Graph API call."""
        token = self._token(request)
        if not token or token != self.access_token:
            return Reply(
                ERROR_STATUS,
                graph_error("Invalid OAuth access token - Cannot parse access token", 190),
            )
        if self.faults.token_expired:
            return Reply(
                ERROR_STATUS,
                graph_error(
                    "Error validating access token: Session has expired on Tuesday, 24-Nov-26 "
                    "00:00:00 PST. The current time is Tuesday, 24-Nov-26 01:00:00 PST.",
                    190,
                    463,
                ),
            )
        with self._lock:
            self._calls += 1
            util = min(95, 5 + self._calls % 40)
        path = request.path
        if not path.startswith(self.prefix + "/"):
            return self._unknown(path)
        parts = path[len(self.prefix) + 1 :].strip("/").split("/")
        params = {**request.query, **request.form}
        if parts == ["me", "adaccounts"] and request.method == "GET":
            rows = [
                self._account(a.account_id, self._fields(params, ["id"]))
                for a in self.world.accounts("meta")
            ]
            return self._page(request, rows, params)
        if parts[0].startswith("act_"):
            account_id = parts[0].removeprefix("act_")
            try:
                self.world.account("meta", account_id)
            except KeyError:
                return self._unknown(parts[0])
            headers = self._usage_headers(account_id, parts[-1] == "insights", util)
            reply = self._account_call(request, account_id, parts[1:], params)
            reply.headers.update(headers)
            return reply
        if parts[0].isdigit() and parts[0] in self._runs:
            return self._report_call(request, self._runs[parts[0]], parts[1:], params)
        return self._unknown(path)

    def _unknown(self, what: str) -> Reply:
        return Reply(
            ERROR_STATUS,
            graph_error(
                f"Unsupported get request. Object with ID '{what.strip('/')}' does not exist, "
                "cannot be loaded due to missing permissions, or does not support this operation. "
                "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
                100,
                33,
                "GraphMethodException",
            ),
        )

    @staticmethod
    def _fields(params: dict[str, str], default: list[str]) -> list[str]:
        raw = params.get("fields")
        return [f.strip() for f in raw.split(",") if f.strip()] if raw else default

    def _page(self, request: Request, rows: list[dict[str, Any]], params: dict[str, str]) -> Reply:
        try:
            limit = int(params.get("limit") or self.page_size_default)
        except ValueError:
            return Reply(ERROR_STATUS, graph_error("(#100) Param limit must be a number", 100))
        limit = max(1, min(limit, self.page_size_max))
        offset = _offset(params["after"]) if params.get("after") else 0
        if offset < 0:
            return Reply(ERROR_STATUS, graph_error("(#100) Invalid cursor", 100))
        data = rows[offset : offset + limit]
        body: dict[str, Any] = {"data": data}
        if data:
            body["paging"] = {
                "cursors": {"before": _cursor(offset), "after": _cursor(offset + len(data))}
            }
            if offset + len(data) < len(rows):
                keep = {k: v for k, v in request.query.items() if k not in ("after", "before")}
                keep["limit"] = str(limit)
                keep["after"] = _cursor(offset + len(data))
                body["paging"]["next"] = f"{self.root_url}{request.path}?{urlencode(keep)}"
        return Reply(200, body)

    # -- objects ------------------------------------------------------------------------
    def _account(self, account_id: str, fields: list[str]) -> dict[str, Any]:
        account = self.world.account("meta", account_id)
        full = {
            "id": f"act_{account_id}",
            "account_id": account_id,
            "name": account.name,
            "currency": account.currency,
            "timezone_name": account.timezone_name,
            "account_status": account.account_status,
        }
        return {k: v for k, v in full.items() if k in fields or k == "id"}

    def _account_call(
        self, request: Request, account_id: str, edge: list[str], params: dict[str, str]
    ) -> Reply:
        if not edge and request.method == "GET":
            return Reply(200, self._account(account_id, self._fields(params, ["id"])))
        if len(edge) != 1:
            return self._unknown(request.path)
        name = edge[0]
        if name == "insights":
            return self._insights(request, account_id, params)
        if request.method != "GET" or name not in ("campaigns", "adsets", "ads"):
            return self._unknown(request.path)
        fields = self._fields(params, ["id"])
        rows = [self._select(row, fields) for row in self._entities(account_id, name)]
        return self._page(request, rows, params)

    @staticmethod
    def _select(row: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        picked: dict[str, Any] = {"id": row["id"]}
        for f in fields:
            key = f.split("{", 1)[0]
            if row.get(key) is not None:
                picked[key] = row[key]
        return picked

    def _entities(self, account_id: str, edge: str) -> list[dict[str, Any]]:
        world = self.world
        if edge == "campaigns":
            return [
                {
                    "id": c.campaign_id,
                    "account_id": account_id,
                    "name": c.name,
                    "objective": c.objective,
                    "status": c.status,
                    "effective_status": c.status,
                    "buying_type": "AUCTION",
                    "daily_budget": str(c.daily_budget_minor) if c.daily_budget_minor else None,
                    "lifetime_budget": None if c.daily_budget_minor else "0",
                    "created_time": _time(c.created_time),
                    "updated_time": _time(c.created_time),
                    "start_time": _time(c.created_time),
                    "stop_time": None,
                }
                for c in world.campaigns("meta", account_id)
            ]
        if edge == "adsets":
            return [
                {
                    "id": g.ad_group_id,
                    "account_id": account_id,
                    "campaign_id": g.campaign_id,
                    "name": g.name,
                    "status": g.status,
                    "effective_status": g.status,
                    "optimization_goal": g.optimization_goal,
                    "billing_event": "IMPRESSIONS",
                    "daily_budget": str(g.daily_budget_minor) if g.daily_budget_minor else None,
                    "lifetime_budget": None,
                    "created_time": _time(g.created_time),
                    "updated_time": _time(g.created_time),
                }
                for g in world.ad_groups("meta", account_id)
            ]
        return [
            {
                "id": a.ad_id,
                "account_id": account_id,
                "campaign_id": a.campaign_id,
                "adset_id": a.ad_group_id,
                "name": a.name,
                "status": a.status,
                "effective_status": a.status,
                "creative": {"id": a.creative_id},
                "created_time": _time(a.created_time),
                "updated_time": _time(a.created_time),
            }
            for a in world.ads("meta", account_id)
        ]

    # -- insights -----------------------------------------------------------------------
    def _range(self, params: dict[str, str]) -> tuple[date, date] | Reply:
        try:
            time_range = json.loads(params.get("time_range") or "")
            since = date.fromisoformat(time_range["since"])
            until = date.fromisoformat(time_range["until"])
        except (ValueError, KeyError, TypeError):
            return Reply(
                ERROR_STATUS,
                graph_error(
                    "(#100) Param time_range must be a JSON object with since and until dates",
                    100,
                    type_="OAuthException",
                ),
            )
        if since > until:
            return Reply(
                ERROR_STATUS, graph_error("(#100) time_range since must be before until", 100)
            )
        if params.get("level", "ad") != "ad" or params.get("time_increment", "1") != "1":
            return Reply(
                ERROR_STATUS,
                graph_error("(#100) the sandbox serves level=ad and time_increment=1 only", 100),
            )
        return since, until

    def insight_rows(
        self, account_id: str, since: date, until: date, fields: list[str]
    ) -> list[dict[str, Any]]:
        """The insights rows Graph would answer for one account and range."""
        account = self.world.account("meta", account_id)
        campaigns = {c.campaign_id: c.name for c in self.world.campaigns("meta", account_id)}
        groups = {g.ad_group_id: g.name for g in self.world.ad_groups("meta", account_id)}
        wanted = set(fields) | {"date_start", "date_stop"}
        rows = []
        for stat in self.world.daily_stats("meta", account_id, since, until):
            if stat.impressions == 0:
                continue
            row = self._row(stat, account.currency, campaigns, groups)
            rows.append({k: v for k, v in row.items() if k in wanted})
        return rows

    @staticmethod
    def _row(
        stat: AdDay, currency: str, campaigns: dict[str, str], groups: dict[str, str]
    ) -> dict[str, Any]:
        ad = stat.ad
        day = stat.date.isoformat()
        row: dict[str, Any] = {
            "account_id": ad.account_id,
            "account_currency": currency,
            "campaign_id": ad.campaign_id,
            "campaign_name": campaigns[ad.campaign_id],
            "adset_id": ad.ad_group_id,
            "adset_name": groups[ad.ad_group_id],
            "ad_id": ad.ad_id,
            "ad_name": ad.name,
            "impressions": str(stat.impressions),
            "clicks": str(stat.clicks),
            "spend": _amount(stat.spend, currency),
            "reach": str(stat.reach),
            "date_start": day,
            "date_stop": day,
        }
        if stat.actions:
            row["actions"] = [
                {"action_type": k, "value": str(v)} for k, v in sorted(stat.actions.items())
            ]
        if stat.action_values:
            row["action_values"] = [
                {"action_type": k, "value": _amount(v, currency)}
                for k, v in sorted(stat.action_values.items())
            ]
        return row

    def _insights(self, request: Request, account_id: str, params: dict[str, str]) -> Reply:
        window = self._range(params)
        if isinstance(window, Reply):
            return window
        since, until = window
        fields = self._fields(params, ["impressions", "spend"])
        if request.method == "POST":
            run = ReportRun(
                str(next(self._run_ids)),
                account_id,
                since,
                until,
                fields,
                fail=self.faults.take_async_failure(),
                stall=self.faults.take_async_stall(),
            )
            with self._lock:
                self._runs[run.run_id] = run
            return Reply(200, {"report_run_id": run.run_id})
        return self._page(request, self.insight_rows(account_id, since, until, fields), params)

    def _report_call(
        self, request: Request, run: ReportRun, edge: list[str], params: dict[str, str]
    ) -> Reply:
        if edge == ["insights"]:
            if run.polls <= self.faults.async_polls or run.fail or run.stall:
                return Reply(
                    ERROR_STATUS, graph_error("(#100) The report is not ready yet", 100, 1487750)
                )
            if not run.rows:
                run.rows = self.insight_rows(run.account_id, run.since, run.until, run.fields)
            return self._page(request, run.rows, params)
        if edge:
            return self._unknown(request.path)
        run.polls += 1
        target = self.faults.async_polls
        if run.polls == 1:
            status, percent = "Job Not Started", 0
        elif run.polls <= target or run.stall:
            status, percent = "Job Running", min(99, round(100 * (run.polls - 1) / max(target, 1)))
        elif run.fail:
            status, percent = "Job Failed", 50
        else:
            status, percent = "Job Completed", 100
        if run.polls == 2 and target >= 2 and status == "Job Running":
            status = "Job Started"
        return Reply(
            200,
            {
                "id": run.run_id,
                "account_id": run.account_id,
                "async_status": status,
                "async_percent_completion": percent,
                "date_start": run.since.isoformat(),
                "date_stop": run.until.isoformat(),
                "time_ref": 1700000000,
                "time_completed": 1700000060 if status == "Job Completed" else None,
            },
        )
