"""What the Meta fake's Insights API answers: parameters, date ranges, levels and rows.

Parses an insights request the way Graph reads it (``fields`` as a JSON array or a
comma-separated string; ``time_ranges`` over ``time_range`` over ``date_preset`` over the
default ``last_30d``, in the ad account's own days; ``time_increment`` ``all_days`` by
default, an integer 1-90 or ``monthly``, ignored with ``time_ranges``; ``level`` from
``ad`` up to ``account``) and aggregates the world's ad-days into Graph's rows. Parameters
Graph accepts but the sandbox does not model are refused with a code-100 error that says
so, never silently ignored. Also holds the Graph error helpers both Meta modules use.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ingestion.sandbox.world import MINOR_DIGITS, Ad, AdDay, World

#: Graph answers most errors, token errors and rate limits included, with HTTP 400.
ERROR_STATUS = 400

#: ``date_preset`` values of Graph v21, in the order its error message lists them.
DATE_PRESETS = (
    "today",
    "yesterday",
    "this_month",
    "last_month",
    "this_quarter",
    "maximum",
    "data_maximum",
    "last_3d",
    "last_7d",
    "last_14d",
    "last_28d",
    "last_30d",
    "last_90d",
    "last_week_mon_sun",
    "last_week_sun_sat",
    "last_quarter",
    "last_year",
    "this_week_mon_today",
    "this_week_sun_today",
    "this_year",
)
DEFAULT_DATE_PRESET = "last_30d"
#: Insights reach back at most 37 months (error 3018 beyond; ``maximum`` stops there).
MAX_MONTHS_BACK = 37
LEVELS = ("ad", "adset", "campaign", "account")
ACTION_REPORT_TIMES = ("impression", "conversion", "mixed", "lifetime")

#: The id and name fields each level's rows carry (a finer level carries the coarser ones).
LEVEL_FIELDS = {
    "account": ("account_id", "account_name", "account_currency"),
    "campaign": ("campaign_id", "campaign_name", "objective"),
    "adset": ("adset_id", "adset_name"),
    "ad": ("ad_id", "ad_name"),
}
METRIC_FIELDS = ("impressions", "clicks", "spend", "reach", "actions", "action_values")
#: Every insights field the fake serves; any other is refused (see README).
INSIGHT_FIELDS = frozenset(
    {f for names in LEVEL_FIELDS.values() for f in names}
    | set(METRIC_FIELDS)
    | {"date_start", "date_stop"}
)
#: What Graph answers without ``fields``: impressions and spend, the ids down to the level.
DEFAULT_METRICS = ("impressions", "spend")
DEFAULT_ID_FIELDS = {
    "account": ("account_id",),
    "campaign": ("account_id", "campaign_id"),
    "adset": ("account_id", "campaign_id", "adset_id"),
    "ad": ("account_id", "campaign_id", "adset_id", "ad_id"),
}
#: ``filtering`` the fake evaluates: the ids and effective status of campaigns, ad sets, ads.
FILTER_FIELDS = {
    f"{level}.{attr}"
    for level in ("campaign", "adset", "ad")
    for attr in ("id", "effective_status")
}
FILTER_OPERATORS = ("EQUAL", "NOT_EQUAL", "IN", "NOT_IN")

README = "ingestion/sandbox/README.md"


def graph_error(
    message: str, code: int, subcode: int | None = None, type_: str = "OAuthException"
) -> dict[str, Any]:
    """Graph's error body."""
    error: dict[str, Any] = {"message": message, "type": type_, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    error["fbtrace_id"] = "A" + secrets.token_urlsafe(15)
    return {"error": error}


class GraphRefusal(Exception):
    """A request Graph (or the sandbox) refuses: answered as Graph's error body."""

    def __init__(
        self,
        message: str,
        code: int = 100,
        subcode: int | None = None,
        type_: str = "OAuthException",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.subcode = subcode
        self.type_ = type_

    def body(self) -> dict[str, Any]:
        """The error body to answer with (HTTP :data:`ERROR_STATUS`)."""
        return graph_error(self.message, self.code, self.subcode, self.type_)


def not_modelled(what: str) -> GraphRefusal:
    """The sandbox's refusal of something Graph accepts but the fake does not model."""
    return GraphRefusal(
        f"(#100) {what} is not modelled by the ARGO sandbox's Graph API fake; "
        f"see {README} for what it serves"
    )


def enum_error(param: str, values: Sequence[str]) -> GraphRefusal:
    """Graph's refusal of a value outside an enum parameter's list."""
    return GraphRefusal(f"(#100) {param} must be one of the following values: {', '.join(values)}")


# -- parameters ---------------------------------------------------------------------------
def split_top_level(raw: str) -> list[str]:
    """Splits ``a,b{c,d},e.limit(2)`` on the commas outside braces and parentheses."""
    items: list[str] = []
    depth = 0
    current = ""
    for char in raw:
        if char in "{(":
            depth += 1
        elif char in "})":
            depth -= 1
        if char == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += char
    items.append(current)
    return [item.strip() for item in items if item.strip()]


def list_param(params: dict[str, str], name: str) -> list[str] | None:
    """A list parameter as Graph reads it: a JSON array or a comma-separated string.

    Returns:
        The items, or ``None`` when the parameter is absent or empty.

    Raises:
        GraphRefusal: A JSON array that is not a list of strings.
    """
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    if raw.startswith("["):
        try:
            loaded = json.loads(raw)
        except ValueError:
            loaded = None
        if not isinstance(loaded, list) or not all(isinstance(v, str) for v in loaded):
            raise GraphRefusal(f"(#100) Param {name} must be an array of strings")
        return [item.strip() for item in loaded if item.strip()]
    return split_top_level(raw)


def field_specs(params: dict[str, str]) -> list[tuple[str, list[str] | None]] | None:
    """``fields`` as (name, subfields) pairs: ``creative{id,name}`` -> ("creative", [...])."""
    names = list_param(params, "fields")
    if names is None:
        return None
    specs: list[tuple[str, list[str] | None]] = []
    for name in names:
        match = re.fullmatch(r"([A-Za-z0-9_]+)(.*)", name)
        if match is None:
            raise GraphRefusal(f"(#100) Tried accessing nonexisting field ({name})")
        key, rest = match.groups()
        sub = None
        if rest.startswith("{") and rest.endswith("}"):
            sub = split_top_level(rest[1:-1])
        elif rest:
            raise not_modelled(f"field modifier '{name}'")
        specs.append((key, sub))
    return specs


def _json_param(params: dict[str, str], name: str) -> Any:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise GraphRefusal(f"(#100) Param {name} must be JSON") from exc


def _flag(params: dict[str, str], name: str) -> bool:
    value = (params.get(name) or "").strip().lower()
    if value in ("", "false", "0"):
        return False
    if value in ("true", "1"):
        return True
    raise GraphRefusal(f"(#100) Param {name} must be a boolean")


# -- dates ----------------------------------------------------------------------------------
def months_back(day: date, months: int) -> date:
    """``day`` moved back by whole calendar months (the day clamped to the month's end)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_month - timedelta(days=1)).day))


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def preset_range(preset: str, today: date) -> tuple[date, date]:
    """The days a ``date_preset`` covers, given the ad account's today.

    ``last_Nd`` are the N days before today (today excluded); ``this_*`` run to today
    included; ``last_week_*``, ``last_month``, ``last_quarter`` and ``last_year`` are the
    whole previous calendar period; ``maximum`` and ``data_maximum`` reach back 37 months.
    """
    if preset not in DATE_PRESETS:
        raise enum_error("date_preset", DATE_PRESETS)
    yesterday = today - timedelta(days=1)
    if preset == "today":
        return today, today
    if preset == "yesterday":
        return yesterday, yesterday
    match = re.fullmatch(r"last_(\d+)d", preset)
    if match:
        return today - timedelta(days=int(match.group(1))), yesterday
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if preset == "this_quarter":
        return _quarter_start(today), today
    if preset == "last_quarter":
        end = _quarter_start(today) - timedelta(days=1)
        return _quarter_start(end), end
    if preset == "this_year":
        return date(today.year, 1, 1), today
    if preset == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    monday = today - timedelta(days=today.weekday())
    sunday = today - timedelta(days=(today.weekday() + 1) % 7)
    if preset == "this_week_mon_today":
        return monday, today
    if preset == "this_week_sun_today":
        return sunday, today
    if preset == "last_week_mon_sun":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if preset == "last_week_sun_sat":
        return sunday - timedelta(days=7), sunday - timedelta(days=1)
    return months_back(today, MAX_MONTHS_BACK), today  # maximum, data_maximum


def _time_range(value: Any, name: str, today: date) -> tuple[date, date]:
    try:
        since = date.fromisoformat(value["since"])
        until = date.fromisoformat(value["until"])
    except (ValueError, KeyError, TypeError) as exc:
        raise GraphRefusal(
            f"(#100) Param {name} must be a JSON object with since and until dates"
        ) from exc
    if since > until:
        raise GraphRefusal(f"(#100) {name} since must be before until")
    if since < months_back(today, MAX_MONTHS_BACK):
        raise GraphRefusal(
            "(#3018) The start date of the time range cannot be beyond 37 months from the "
            "current date",
            3018,
        )
    return since, until


def _increment(params: dict[str, str]) -> str | int:
    raw = (params.get("time_increment") or "all_days").strip()
    if raw in ("all_days", "monthly"):
        return raw
    if raw.isdigit() and 1 <= int(raw) <= 90:
        return int(raw)
    raise GraphRefusal(
        "(#100) Param time_increment must be all_days, monthly or a number of days from 1 to 90"
    )


def _buckets(since: date, until: date, increment: str | int) -> list[tuple[date, date]]:
    if increment == "all_days":
        return [(since, until)]
    buckets: list[tuple[date, date]] = []
    start = since
    while start <= until:
        if increment == "monthly":
            next_month = months_back(start.replace(day=1), -1)
            end = min(next_month - timedelta(days=1), until)
        else:
            assert isinstance(increment, int)
            end = min(start + timedelta(days=increment - 1), until)
        buckets.append((start, end))
        start = end + timedelta(days=1)
    return buckets


# -- the query --------------------------------------------------------------------------------
@dataclass(frozen=True)
class InsightsQuery:
    """One insights request, resolved: whose ads, at which level, over which day buckets.

    Attributes:
        account_id: The ad account (digits).
        level: ``ad``, ``adset``, ``campaign`` or ``account``.
        fields: The fields each row carries (``date_start``/``date_stop`` always).
        buckets: One row set per bucket of days (``time_ranges``, or the range cut by
            ``time_increment``).
        ad_ids: Only these ads (an object's insights, ``filtering``); ``None``: all.
        summary_fields: Fields of the ``summary`` row, or ``None`` for no summary.
    """

    account_id: str
    level: str
    fields: tuple[str, ...]
    buckets: tuple[tuple[date, date], ...]
    ad_ids: frozenset[str] | None = None
    summary_fields: tuple[str, ...] | None = None

    @property
    def since(self) -> date:
        """The first day asked for."""
        return min(b[0] for b in self.buckets)

    @property
    def until(self) -> date:
        """The last day asked for."""
        return max(b[1] for b in self.buckets)


def _checked_fields(names: Iterable[str], param: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(names))
    unknown = [n for n in names if n not in INSIGHT_FIELDS]
    if unknown:
        raise not_modelled(
            f"{param} {', '.join(unknown)} (served: {', '.join(sorted(INSIGHT_FIELDS))})"
        )
    return names


def _refuse_unmodelled(params: dict[str, str]) -> None:
    """Refuses the insights parameters that would change the answer but are not modelled."""
    for name in ("breakdowns", "sort", "export_format", "export_name", "export_columns"):
        if list_param(params, name):
            raise not_modelled(f"the insights parameter {name}")
    windows = list_param(params, "action_attribution_windows")
    if windows and windows != ["default"]:
        raise not_modelled(
            "action_attribution_windows other than default (the world has one attribution)"
        )
    for name in ("action_breakdowns", "summary_action_breakdowns"):
        value = list_param(params, name)
        if value and value != ["action_type"]:
            raise not_modelled(f"{name} other than action_type")
    report_time = params.get("action_report_time")
    if report_time and report_time not in ACTION_REPORT_TIMES:
        raise enum_error("action_report_time", ACTION_REPORT_TIMES)
    for name in ("use_account_attribution_setting", "use_unified_attribution_setting"):
        _flag(params, name)


def _filtered_ads(
    world: World, account_id: str, ad_ids: frozenset[str] | None, params: dict[str, str]
) -> frozenset[str] | None:
    filters = _json_param(params, "filtering")
    if not filters:
        return ad_ids
    if not isinstance(filters, list) or not all(isinstance(f, dict) for f in filters):
        raise GraphRefusal("(#100) Param filtering must be an array of filter objects")
    ads = [a for a in world.ads("meta_ads", account_id) if ad_ids is None or a.ad_id in ad_ids]
    for spec in filters:
        name, operator, value = spec.get("field"), spec.get("operator"), spec.get("value")
        if name not in FILTER_FIELDS or operator not in FILTER_OPERATORS:
            raise not_modelled(f"filtering on {name} {operator}")
        wanted = {str(v) for v in value} if isinstance(value, list) else {str(value)}
        level, attr = str(name).split(".")
        keep = operator in ("EQUAL", "IN")
        ads = [a for a in ads if (_ad_attr(world, a, level, attr) in wanted) == keep]
    return frozenset(a.ad_id for a in ads)


def _ad_attr(world: World, ad: Ad, level: str, attr: str) -> str:
    if attr == "id":
        return str({"campaign": ad.campaign_id, "adset": ad.ad_group_id, "ad": ad.ad_id}[level])
    if level == "campaign":
        campaigns = {c.campaign_id: c for c in world.campaigns("meta_ads", ad.account_id)}
        return campaigns[ad.campaign_id].status
    if level == "adset":
        groups = {g.ad_group_id: g for g in world.ad_groups("meta_ads", ad.account_id)}
        return groups[ad.ad_group_id].status
    return str(ad.status)


def parse_query(
    world: World,
    account_id: str,
    params: dict[str, str],
    *,
    object_level: str = "account",
    ad_ids: frozenset[str] | None = None,
) -> InsightsQuery:
    """Reads an insights request's parameters as Graph does.

    Args:
        world: The world (its ``as_of`` is every account's today).
        account_id: The ad account the object belongs to.
        params: Query and form parameters.
        object_level: The level of the object asked (the default ``level``).
        ad_ids: The ads under the object (``None``: the whole account).

    Raises:
        GraphRefusal: A parameter Graph refuses, or one the sandbox does not model.
    """
    today = world.as_of
    level = params.get("level") or object_level
    if level not in LEVELS:
        raise enum_error("level", LEVELS)
    _refuse_unmodelled(params)
    names = list_param(params, "fields")
    if names is None:
        fields = (*DEFAULT_ID_FIELDS[level], *DEFAULT_METRICS)
    else:
        fields = _checked_fields(names, "fields")
    ranges = _json_param(params, "time_ranges")
    if ranges:
        if not isinstance(ranges, list):
            raise GraphRefusal("(#100) Param time_ranges must be an array of time range objects")
        buckets = [_time_range(r, "time_ranges", today) for r in ranges]
    else:
        increment = _increment(params)
        single = _json_param(params, "time_range")
        if single:
            since, until = _time_range(single, "time_range", today)
        else:
            since, until = preset_range(params.get("date_preset") or DEFAULT_DATE_PRESET, today)
        buckets = _buckets(since, until, increment)
    summary: tuple[str, ...] | None = None
    summary_names = list_param(params, "summary")
    if summary_names:
        summary = _checked_fields(summary_names, "summary")
    elif _flag(params, "default_summary"):
        summary = fields
    return InsightsQuery(
        account_id,
        level,
        fields,
        tuple(buckets),
        _filtered_ads(world, account_id, ad_ids, params),
        summary,
    )


# -- rows -------------------------------------------------------------------------------------
@dataclass
class _Group:
    """The ad-days of one row being summed."""

    names: dict[str, str]
    impressions: int = 0
    clicks: int = 0
    spend: Decimal = Decimal(0)
    reaches: list[int] = field(default_factory=list)
    actions: dict[str, int] = field(default_factory=dict)
    values: dict[str, Decimal] = field(default_factory=dict)

    def add(self, stat: AdDay) -> None:
        self.impressions += stat.impressions
        self.clicks += stat.clicks
        self.spend += stat.spend
        self.reaches.append(stat.reach)
        for key, count in stat.actions.items():
            self.actions[key] = self.actions.get(key, 0) + count
        for key, amount in stat.action_values.items():
            self.values[key] = self.values.get(key, Decimal(0)) + amount

    @property
    def reach(self) -> int:
        """People reached: one ad-day's reach, or a deduplicated guess across ad-days.

        The world draws reach per ad-day only; across days or ads people overlap, so the
        fake counts the largest ad-day in full and a quarter of the others.
        """
        top = max(self.reaches)
        return top + (sum(self.reaches) - top) // 4


def _amount(value: Decimal, currency: str) -> str:
    return f"{value:.{MINOR_DIGITS.get(currency, 2)}f}"


class InsightsBook:
    """Builds insights rows for the fake from the world."""

    def __init__(self, world: World) -> None:
        self.world = world

    def _names(self, account_id: str) -> dict[str, dict[str, str]]:
        world = self.world
        account = world.account("meta_ads", account_id)
        names: dict[str, dict[str, str]] = {}
        campaigns = {c.campaign_id: c for c in world.campaigns("meta_ads", account_id)}
        groups = {g.ad_group_id: g for g in world.ad_groups("meta_ads", account_id)}
        for ad in world.ads("meta_ads", account_id):
            campaign = campaigns[ad.campaign_id]
            names[ad.ad_id] = {
                "account_id": account_id,
                "account_name": account.name,
                "account_currency": account.currency,
                "campaign_id": ad.campaign_id,
                "campaign_name": campaign.name,
                "objective": campaign.objective,
                "adset_id": ad.ad_group_id,
                "adset_name": groups[ad.ad_group_id].name,
                "ad_id": ad.ad_id,
                "ad_name": ad.name,
            }
        return names

    def rows(self, query: InsightsQuery) -> list[dict[str, Any]]:
        """The rows Graph answers: one per bucket and object of the level that delivered."""
        names = self._names(query.account_id)
        rows: list[dict[str, Any]] = []
        for since, until in query.buckets:
            rows.extend(self._rows(query, since, until, query.fields, names))
        return rows

    def summary(self, query: InsightsQuery) -> dict[str, Any] | None:
        """The ``summary`` row over the whole range, or ``None`` when none was asked."""
        if query.summary_fields is None:
            return None
        totals = self._rows(
            InsightsQuery(query.account_id, "account", (), query.buckets, query.ad_ids),
            query.since,
            query.until,
            query.summary_fields,
            self._names(query.account_id),
        )
        empty = {"date_start": query.since.isoformat(), "date_stop": query.until.isoformat()}
        return totals[0] if totals else empty

    def _rows(
        self,
        query: InsightsQuery,
        since: date,
        until: date,
        fields: Sequence[str],
        names: dict[str, dict[str, str]],
    ) -> list[dict[str, Any]]:
        account = self.world.account("meta_ads", query.account_id)
        key_field = LEVEL_FIELDS[query.level][0]
        carried = [f for lvl in LEVELS[LEVELS.index(query.level) :] for f in LEVEL_FIELDS[lvl]]
        wanted = set(fields) | {"date_start", "date_stop"}
        groups: dict[str, _Group] = {}
        for stat in self.world.daily_stats("meta_ads", query.account_id, since, until):
            if stat.impressions == 0 or (
                query.ad_ids is not None and stat.ad.ad_id not in query.ad_ids
            ):
                continue
            ad_names = names[stat.ad.ad_id]
            key = ad_names[key_field]
            if key not in groups:
                groups[key] = _Group({f: ad_names[f] for f in carried})
            groups[key].add(stat)
        rows = []
        for group in groups.values():
            full: dict[str, Any] = {
                **group.names,
                "impressions": str(group.impressions),
                "clicks": str(group.clicks),
                "spend": _amount(group.spend, account.currency),
                "reach": str(group.reach),
                "date_start": since.isoformat(),
                "date_stop": until.isoformat(),
            }
            if group.actions:
                full["actions"] = [
                    {"action_type": k, "value": str(v)} for k, v in sorted(group.actions.items())
                ]
            if group.values:
                full["action_values"] = [
                    {"action_type": k, "value": _amount(v, account.currency)}
                    for k, v in sorted(group.values.items())
                ]
            rows.append({k: v for k, v in full.items() if k in wanted})
        return rows
