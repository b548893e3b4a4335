"""A fake of the Meta Marketing (Graph) API on 127.0.0.1, serving the synthetic world.

Follows the real protocol as ARGO's connector, Meta's own ``facebook-business`` SDK and
peer connectors use it: the token check (code 190 with Graph's error body) and
``appsecret_proof``; ``/me/adaccounts``; ``GET /{id}`` of ad accounts (``act_{id}``),
campaigns, ad sets, ads, ad creatives and report runs with ``fields`` (a JSON array or a
comma-separated string, ``creative{id,name}`` nesting) and each node's default fields;
the ``campaigns``, ``adsets``, ``ads``, ``adcreatives`` edges with cursor paging
(``after``/``before``, ``paging.next``), ``summary`` total counts and ``effective_status``;
insights of accounts, campaigns, ad sets and ads, synchronous or through async report
runs (``report_run_id``, ``async_status``, ``async_percent_completion``), with the
parameters :mod:`ingestion.sandbox.meta_ads_insights` reads; numbers as strings;
rate-limit errors 17 / 80004 with the usage headers; code 100 for bad parameters and
unknown objects. See README.md beside this file for what is and is not faithful.
"""

from __future__ import annotations

import base64
import collections
import hashlib
import hmac
import itertools
import json
import math
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from ingestion import clock
from ingestion.sandbox.faults import Faults
from ingestion.sandbox.http import FakeApi, Reply, Request
from ingestion.sandbox.meta_ads_insights import (
    ERROR_STATUS,
    GraphRefusal,
    InsightsBook,
    InsightsQuery,
    enum_error,
    field_specs,
    graph_error,
    list_param,
    not_modelled,
    parse_query,
)
from ingestion.sandbox.world import Ad, AdAccount, World

__all__ = ["ERROR_STATUS", "MetaAdsFake", "ReportRun", "graph_error"]

#: ``effective_status`` values the listing edges accept as a filter.
EFFECTIVE_STATUSES = (
    "ACTIVE",
    "PAUSED",
    "DELETED",
    "PENDING_REVIEW",
    "DISAPPROVED",
    "PREAPPROVED",
    "PENDING_BILLING_INFO",
    "CAMPAIGN_PAUSED",
    "ARCHIVED",
    "ADSET_PAUSED",
    "IN_PROCESS",
    "WITH_ISSUES",
)
#: Fields a node answers when the request names none ("default" in Graph's reference).
DEFAULT_FIELDS = {"account": ("id", "account_id"), "object": ("id",)}
#: Listing edges of each node type, and the insights level of each.
EDGES = {
    "account": ("campaigns", "adsets", "ads", "adcreatives", "insights"),
    "campaign": ("adsets", "ads", "insights"),
    "adset": ("ads", "insights"),
    "ad": ("adcreatives", "insights"),
    "adcreative": (),
}
EDGE_KIND = {"campaigns": "campaign", "adsets": "adset", "ads": "ad", "adcreatives": "adcreative"}


def _time(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _story_spec(ad: Ad) -> dict[str, Any]:
    """A creative's ``object_story_spec``: where its link lives, as Graph nests it.

    Link ads carry the landing page in ``link_data.link``, video ads in
    ``video_data.call_to_action.value.link``; an ad without one (a lead form) has a
    call to action with a form id and no link.
    """
    page_id = f"10{ad.account_id[-8:]}"
    if ad.landing_url is None:
        cta = {"type": "SIGN_UP", "value": {"lead_gen_form_id": f"77{ad.ad_id[-10:]}"}}
        return {"page_id": page_id, "link_data": {"message": ad.name, "call_to_action": cta}}
    if ad.has_video:
        cta = {"type": "LEARN_MORE", "value": {"link": ad.landing_url}}
        video = {"video_id": f"99{ad.ad_id[-10:]}", "message": ad.name, "call_to_action": cta}
        return {"page_id": page_id, "video_data": video}
    return {"page_id": page_id, "link_data": {"link": ad.landing_url, "message": ad.name}}


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
    query: InsightsQuery
    polls: int = 0
    fail: bool = False
    stall: bool = False
    rows: list[dict[str, Any]] | None = None
    summary: dict[str, Any] | None = field(default=None)

    @property
    def account_id(self) -> str:
        """The ad account the report reads."""
        return self.query.account_id


@dataclass(frozen=True)
class _Node:
    """What an id in a path names: its type, its ad account and its full row."""

    kind: str
    account_id: str
    row: dict[str, Any]


class MetaAdsFake(FakeApi):
    """The Meta Graph API fake.

    Args:
        world: The world it serves (``meta`` accounts).
        faults: Fault switches (see :class:`~ingestion.sandbox.faults.Faults`).
        access_token: The one valid token.
        app_secret: The secret of the app the token belongs to; an ``appsecret_proof``
            sent with a call must be HMAC-SHA256(app_secret, access_token) in hex.
        require_appsecret_proof: Refuse calls without ``appsecret_proof``, as Graph does
            for apps with "Require App Secret" on.
        api_version: Path prefix, e.g. ``v21.0``.
        page_size_default: ``limit`` when none is asked.
        page_size_max: Largest ``limit`` honoured.
        calls_per_hour: Calls one ad account may take in any rolling hour (Business Use
            Case rate limiting). Every answer about an account carries its usage in the
            headers (``call_count`` = calls of the last hour as a percentage of this);
            at 100 the account's next call is refused with code 80004 (80000 for
            insights) and ``estimated_time_to_regain_access`` (minutes) says when a call
            is accepted again. Meta's real budgets depend on the access tier and the
            account's active ads (tens of thousands of calls an hour at standard
            access); the default stands for them, tests lower it.
    """

    def __init__(
        self,
        world: World,
        faults: Faults | None = None,
        access_token: str = "sandbox-meta-token",
        app_secret: str = "sandbox-meta-app-secret",
        require_appsecret_proof: bool = False,
        api_version: str = "v21.0",
        page_size_default: int = 25,
        page_size_max: int = 500,
        calls_per_hour: int = 10_000,
    ) -> None:
        super().__init__(faults, secret_params=("access_token", "appsecret_proof"))
        self.world = world
        self.access_token = access_token
        self.app_secret = app_secret
        self.require_appsecret_proof = require_appsecret_proof
        self.api_version = api_version
        self.prefix = f"/{api_version}"
        self.page_size_default = page_size_default
        self.page_size_max = page_size_max
        self.insights = InsightsBook(world)
        self._runs: dict[str, ReportRun] = {}
        self._run_ids = itertools.count(6_000_000_000_001)
        self._lock = threading.Lock()
        self.calls_per_hour = calls_per_hour
        #: Ad account -> monotonic times of its calls within the last hour.
        self._calls: dict[str, collections.deque[float]] = {}
        #: Calls refused for an account over its budget (the benchmarks report it).
        self.refused_calls = 0
        self._nodes: dict[str, _Node] | None = None

    # -- protocol -----------------------------------------------------------------------
    def source_options(self) -> dict[str, Any]:
        """Keyword arguments that point ``meta_ads_source`` at this fake (start it first)."""
        return {
            "base_url": self.base_url,
            "access_token": self.access_token,
            "account_ids": [a.account_id for a in self.world.accounts("meta_ads")],
            "start_date": self.world.first_day.isoformat(),
        }

    def appsecret_proof(self) -> str:
        """The ``appsecret_proof`` a client computes for this fake's token and app secret."""
        return hmac.new(
            self.app_secret.encode(), self.access_token.encode(), hashlib.sha256
        ).hexdigest()

    def _token(self, request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        match = re.match(r"(?i)(bearer|oauth)\s+(\S+)", auth)
        if match:
            return match.group(2)
        return request.query.get("access_token") or request.form.get("access_token")

    def _auth_error(self, request: Request) -> Reply | None:
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
        proof = request.query.get("appsecret_proof") or request.form.get("appsecret_proof")
        if proof is None and self.require_appsecret_proof:
            return Reply(
                ERROR_STATUS,
                graph_error(
                    "API calls from the server require an appsecret_proof argument",
                    100,
                    type_="GraphMethodException",
                ),
            )
        if proof is not None and not hmac.compare_digest(proof, self.appsecret_proof()):
            return Reply(
                ERROR_STATUS,
                graph_error(
                    "Invalid appsecret_proof provided in the API argument",
                    100,
                    type_="GraphMethodException",
                ),
            )
        return None

    def _usage_headers(
        self, account_id: str | None, insights: bool, util: int, regain: int = 0
    ) -> dict[str, str]:
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
                            "estimated_time_to_regain_access": regain,
                        }
                    ]
                }
            )
            headers["X-Ad-Account-Usage"] = json.dumps(
                {
                    "acc_id_util_pct": util,
                    "reset_time_duration": regain * 60 if util >= 100 else 0,
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
        """Code 17 (user request limit) or 80004/80000 (too many calls to this ad account)."""
        if code in (80000, 80004):
            body = graph_error(
                "There have been too many calls to this ad-account. Wait a bit "
                "and try again. For more info, please refer to "
                "https://developers.facebook.com/docs/graph-api/overview/"
                "rate-limiting#ads-management.",
                code,
                2446079,
            )
        else:
            body = graph_error("User request limit reached", code, 2446079)
        account = re.search(r"act_(\d+)", request.path)
        headers = self._usage_headers(
            account.group(1) if account else "0", "insights" in request.path, 100, 1
        )
        return Reply(ERROR_STATUS, body, headers)

    def handle(self, request: Request) -> Reply:
        """Routes one Graph API call."""
        refused = self._auth_error(request)
        if refused is not None:
            return refused
        path = request.path
        if not path.startswith(self.prefix + "/"):
            return self._unsupported(request, path)
        parts = path[len(self.prefix) + 1 :].strip("/").split("/")
        params = {**request.query, **request.form}
        node = self._node(parts[0])
        account_id = node.account_id if node is not None else None
        if parts[0] in self._runs:
            account_id = self._runs[parts[0]].account_id
        insights = parts[-1] == "insights"
        if account_id is None:
            return self._route_refused(request, parts, params, node)
        util, regain = self._take_call(account_id)
        if util is None:  # over the account's budget: refused, not counted
            code = 80000 if insights else 80004
            refused = self.platform_rate_limit(request, code)
            refused.headers.update(self._usage_headers(account_id, insights, 100, regain))
            return refused
        reply = self._route_refused(request, parts, params, node)
        reply.headers.update(self._usage_headers(account_id, insights, util, regain))
        return reply

    def _take_call(self, account_id: str) -> tuple[int | None, int]:
        """Counts one call of the account: (usage % after it or None if refused, regain min)."""
        now = clock.monotonic()
        with self._lock:
            calls = self._calls.setdefault(account_id, collections.deque())
            while calls and calls[0] <= now - 3600:
                calls.popleft()
            refused = len(calls) >= self.calls_per_hour
            if refused:
                self.refused_calls += 1
            else:
                calls.append(now)
            util = min(100, math.ceil(100 * len(calls) / self.calls_per_hour))
            regain = 0
            if len(calls) >= self.calls_per_hour:
                # the oldest call leaves the window: then one more call is accepted
                regain = max(1, math.ceil((calls[0] + 3600 - now) / 60))
        return (None if refused else util), regain

    def _route_refused(
        self, request: Request, parts: list[str], params: dict[str, str], node: _Node | None
    ) -> Reply:
        try:
            return self._route(request, parts, params, node)
        except GraphRefusal as refusal:
            return Reply(ERROR_STATUS, refusal.body())

    def _route(
        self, request: Request, parts: list[str], params: dict[str, str], node: _Node | None
    ) -> Reply:
        if parts == ["me", "adaccounts"] and request.method == "GET":
            specs = field_specs(params) or [(f, None) for f in DEFAULT_FIELDS["account"]]
            rows = [self._select(self._account(a.account_id), specs) for a in self._accounts()]
            return self._page(request, rows, params, self._edge_summary(params, len(rows)))
        if parts[0] in self._runs:
            return self._report_call(request, self._runs[parts[0]], parts[1:], params)
        if node is None or len(parts) > 2:
            return self._unsupported(request, "/".join(parts))
        if len(parts) == 1:
            if request.method != "GET":
                return self._unsupported(request, parts[0])
            default = DEFAULT_FIELDS["account" if node.kind == "account" else "object"]
            specs = field_specs(params) or [(f, None) for f in default]
            return Reply(200, self._select(node.row, specs))
        edge = parts[1]
        if edge not in EDGES[node.kind]:
            return self._unsupported(request, "/".join(parts))
        if edge == "insights":
            return self._insights(request, node, params)
        if request.method != "GET":
            return self._unsupported(request, "/".join(parts))
        return self._listing(request, self._children(node, edge), params)

    def _unsupported(self, request: Request, what: str) -> Reply:
        return Reply(
            ERROR_STATUS,
            graph_error(
                f"Unsupported {request.method.lower()} request. Object with ID "
                f"'{what.strip('/')}' does not exist, cannot be loaded due to missing "
                "permissions, or does not support this operation. Please read the Graph API "
                "documentation at https://developers.facebook.com/docs/graph-api",
                100,
                33,
                "GraphMethodException",
            ),
        )

    def _page(
        self,
        request: Request,
        rows: list[dict[str, Any]],
        params: dict[str, str],
        summary: dict[str, Any] | None = None,
    ) -> Reply:
        try:
            limit = int(params.get("limit") or self.page_size_default)
        except ValueError:
            return Reply(ERROR_STATUS, graph_error("(#100) Param limit must be a number", 100))
        limit = max(1, min(limit, self.page_size_max))
        if params.get("before"):
            end = _offset(params["before"])
            offset = max(0, end - limit)
        else:
            offset = _offset(params["after"]) if params.get("after") else 0
            end = offset + limit
        if offset < 0 or end < 0:
            return Reply(ERROR_STATUS, graph_error("(#100) Invalid cursor", 100))
        data = rows[offset:end]
        body: dict[str, Any] = {"data": data}
        if data:
            body["paging"] = {
                "cursors": {"before": _cursor(offset), "after": _cursor(offset + len(data))}
            }
            keep = {k: v for k, v in request.query.items() if k not in ("after", "before")}
            keep["limit"] = str(limit)
            if offset + len(data) < len(rows):
                after = {**keep, "after": _cursor(offset + len(data))}
                body["paging"]["next"] = f"{self.root_url}{request.path}?{urlencode(after)}"
            if offset > 0:
                before = {**keep, "before": _cursor(offset)}
                body["paging"]["previous"] = f"{self.root_url}{request.path}?{urlencode(before)}"
        if summary is not None:
            body["summary"] = summary
        return Reply(200, body)

    # -- objects ------------------------------------------------------------------------
    def _accounts(self) -> list[AdAccount]:
        return self.world.accounts("meta_ads")

    def _node(self, name: str) -> _Node | None:
        if name.startswith("act_"):
            account_id = name.removeprefix("act_")
            try:
                self.world.account("meta_ads", account_id)
            except KeyError:
                return None
            return _Node("account", account_id, self._account(account_id))
        if self._nodes is None:
            nodes: dict[str, _Node] = {}
            for account in self._accounts():
                for edge, kind in EDGE_KIND.items():
                    for row in self._entities(account.account_id, edge):
                        nodes[row["id"]] = _Node(kind, account.account_id, row)
            self._nodes = nodes
        return self._nodes.get(name)

    def _account(self, account_id: str) -> dict[str, Any]:
        account = self.world.account("meta_ads", account_id)
        return {
            "id": f"act_{account_id}",
            "account_id": account_id,
            "name": account.name,
            "currency": account.currency,
            "timezone_name": account.timezone_name,
            "account_status": account.account_status,
        }

    def _select(
        self, row: dict[str, Any], specs: list[tuple[str, list[str] | None]]
    ) -> dict[str, Any]:
        """The fields asked of a node, ``id`` always; unset (``None``) fields left out.

        A struct that is no node (a creative's ``object_story_spec``) has no ``id`` and
        gives only the subfields asked for, at any depth.
        """
        picked: dict[str, Any] = {"id": row["id"]} if "id" in row else {}
        for name, sub in specs:
            if name == "insights":
                raise not_modelled("insights as a field of an object (read /{id}/insights)")
            value = row.get(name)
            if value is None:
                continue
            if sub is not None and isinstance(value, dict):
                nested = self._node(str(value["id"])) if "id" in value else None
                value = self._select(
                    nested.row if nested is not None else value,
                    field_specs({"fields": ",".join(sub)}) or [],
                )
            picked[name] = value
        return picked

    def _children(self, node: _Node, edge: str) -> list[dict[str, Any]]:
        rows = self._entities(node.account_id, edge)
        if node.kind == "account":
            return rows
        if edge == "adcreatives":
            return [r for r in rows if r["id"] == node.row["creative"]["id"]]
        parent = {"campaign": "campaign_id", "adset": "adset_id"}[node.kind]
        return [r for r in rows if r[parent] == node.row["id"]]

    def _listing(
        self, request: Request, rows: list[dict[str, Any]], params: dict[str, str]
    ) -> Reply:
        for name in ("filtering", "updated_since", "is_completed"):
            if params.get(name):
                raise not_modelled(f"the listing parameter {name}")
        statuses = list_param(params, "effective_status")
        if statuses:
            if any(s not in EFFECTIVE_STATUSES for s in statuses):
                raise enum_error("effective_status", EFFECTIVE_STATUSES)
            rows = [r for r in rows if r.get("effective_status") in statuses]
        specs = field_specs(params) or [(f, None) for f in DEFAULT_FIELDS["object"]]
        picked = [self._select(row, specs) for row in rows]
        return self._page(request, picked, params, self._edge_summary(params, len(picked)))

    @staticmethod
    def _edge_summary(params: dict[str, str], count: int) -> dict[str, Any] | None:
        names = list_param(params, "summary")
        if not names or names in (["false"], ["0"]):
            return None
        if set(names) <= {"true", "1", "total_count"}:
            return {"total_count": count}
        raise not_modelled(f"summary {','.join(names)} (the fake counts: summary=total_count)")

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
                for c in world.campaigns("meta_ads", account_id)
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
                for g in world.ad_groups("meta_ads", account_id)
            ]
        if edge == "adcreatives":
            return [
                {
                    "id": a.creative_id,
                    "account_id": account_id,
                    "name": f"{a.name} | Creative",
                    "status": "ACTIVE",
                    "object_story_spec": _story_spec(a),
                }
                for a in world.ads("meta_ads", account_id)
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
            for a in world.ads("meta_ads", account_id)
        ]

    # -- insights -----------------------------------------------------------------------
    def _insights(self, request: Request, node: _Node, params: dict[str, str]) -> Reply:
        ad_ids = None
        if node.kind != "account":
            key = {"campaign": "campaign_id", "adset": "adset_id", "ad": "id"}[node.kind]
            ads = self._entities(node.account_id, "ads")
            ad_ids = frozenset(a["id"] for a in ads if a[key] == node.row["id"])
        query = parse_query(
            self.world, node.account_id, params, object_level=node.kind, ad_ids=ad_ids
        )
        if request.method == "POST":
            run = ReportRun(
                str(next(self._run_ids)),
                query,
                fail=self.faults.take_async_failure(),
                stall=self.faults.take_async_stall(),
            )
            with self._lock:
                self._runs[run.run_id] = run
            return Reply(200, {"report_run_id": run.run_id})
        if request.method != "GET":
            return self._unsupported(request, request.path)
        rows = self._daily_rows(request, self.insights.rows(query))
        return self._page(request, rows, params, self.insights.summary(query))

    def _daily_rows(self, request: Request, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``rows`` as the queued data faults alter them (conflicts, duplicates, dates)."""
        return self.faults.daily_rows(
            request.path, rows, money=("spend",), dates=("date_start", "date_stop")
        )

    def _report_call(
        self, request: Request, run: ReportRun, edge: list[str], params: dict[str, str]
    ) -> Reply:
        if edge == ["insights"]:
            if run.polls <= self.faults.async_polls or run.fail or run.stall:
                return Reply(
                    ERROR_STATUS, graph_error("(#100) The report is not ready yet", 100, 1487750)
                )
            if run.rows is None:
                run.rows = self._daily_rows(request, self.insights.rows(run.query))
                run.summary = self.insights.summary(run.query)
            return self._page(request, run.rows, params, run.summary)
        if edge or request.method != "GET":
            return self._unsupported(request, request.path)
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
        full: dict[str, Any] = {
            "id": run.run_id,
            "account_id": run.account_id,
            "async_status": status,
            "async_percent_completion": percent,
            "date_start": run.query.since.isoformat(),
            "date_stop": run.query.until.isoformat(),
            "time_ref": 1700000000,
            "time_completed": 1700000060 if status == "Job Completed" else None,
        }
        specs = field_specs(params)
        if specs is None:
            return Reply(200, {k: v for k, v in full.items() if v is not None})
        return Reply(200, self._select(full, specs))
