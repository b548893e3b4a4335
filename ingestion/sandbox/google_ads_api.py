"""A fake of the Google Ads API (REST interface, v26) on 127.0.0.1, serving the synthetic world.

Follows the real protocol where ARGO's connector touches it:

* ``POST /token`` (Google's OAuth 2.0 endpoint, ``grant_type=refresh_token``) issues
  short-lived access tokens; OAuth errors in Google's shape (``invalid_grant`` 400,
  ``invalid_client`` 401, ``unsupported_grant_type`` 400).
* Every API call needs ``Authorization: Bearer``, ``developer-token`` and, because the
  OAuth user reaches the accounts through a manager account, ``login-customer-id`` (the
  manager's id, ten digits, no dashes).
* ``POST /v26/customers/{id}/googleAds:searchStream`` answers a JSON array of batches
  (``SearchGoogleAdsStreamResponse``: ``results``, ``fieldMask``, ``requestId``, and
  ``queryResourceConsumption`` in the last one); ``googleAds:search`` answers one page
  (``SearchGoogleAdsResponse``: ``results``, ``nextPageToken``, ``totalResultsCount`` when
  asked, ``fieldMask``, ``queryResourceConsumption``; no ``requestId``, which that message
  does not have). Every answer carries the request id in the ``request-id`` header. Fixed
  page size; ``pageSize`` is rejected as since v17.
* GAQL is parsed: ``SELECT`` fields, ``FROM`` resource, ``WHERE`` conditions joined by
  ``AND`` (``BETWEEN``, ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``IN``, ``NOT IN``),
  ``ORDER BY``/``LIMIT`` accepted; unknown fields answer ``queryError.UNRECOGNIZED_FIELD``.
* Rows are proto3 JSON (Google's REST mapping): nested lowerCamelCase objects, int64 as
  strings, doubles as numbers (integral ones without a fraction), enums by name, and every
  field holding its default value (0, "0", 0.0, "", false, an enum's ``UNSPECIFIED``) left
  out, in metrics, segments and attributes alike; an object with nothing left in it is
  absent. ``explicit_presence=True`` instead writes the fields Google's protos declare
  ``optional`` (ids, names, metrics, ``segments.date``, ...) whenever they are set, zero
  included, as responses captured from the live API show (see :data:`FIELD_TYPES`).
* Errors are ``google.rpc.Status`` JSON (``{"error": {"code", "message", "status",
  "details": [GoogleAdsFailure]}}``); quota errors are 429 ``RESOURCE_EXHAUSTED`` with
  ``quotaError`` and ``quotaErrorDetails.retryDelay``.

The world's generic conversion kinds become conversion-action categories (see
:data:`CATEGORIES`); ``metrics.conversions`` counts only the primary actions
(:data:`PRIMARY_KINDS`), ``metrics.all_conversions`` counts every action. See README.md
beside this file for what is and is not faithful.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ingestion import clock
from ingestion.sandbox.faults import Faults
from ingestion.sandbox.http import FakeApi, Reply, Request
from ingestion.sandbox.world import (
    MINOR_DIGITS,
    AdAccount,
    World,
    _account_id,
)

PLATFORM = "google_ads"
API_VERSION = "v26"
TOKEN_PATH = "/token"
SCOPE = "https://www.googleapis.com/auth/adwords"

#: The world's generic conversion kinds -> (ConversionActionCategory, conversion action name).
CATEGORIES: dict[str, tuple[str, str]] = {
    "purchase": ("PURCHASE", "Website purchase"),
    "add_to_cart": ("ADD_TO_CART", "Add to cart"),
    "sign_up": ("SIGNUP", "Sign-up"),
    "lead": ("SUBMIT_LEAD_FORM", "Lead form submission"),
    "install": ("DOWNLOAD", "App install"),
}
#: Kinds whose conversion actions are "primary" (included in ``metrics.conversions``);
#: the others (add to cart) count only in ``metrics.all_conversions``.
PRIMARY_KINDS = frozenset({"purchase", "sign_up", "lead", "install"})
#: World campaign status -> Google's.
STATUS = {"ACTIVE": "ENABLED", "PAUSED": "PAUSED"}
#: Advertising channel type -> (ad group type, ad type) the fake gives its ad groups and ads.
CHANNEL_TYPES: dict[str, tuple[str, str]] = {
    "SEARCH": ("SEARCH_STANDARD", "RESPONSIVE_SEARCH_AD"),
    "DISPLAY": ("DISPLAY_STANDARD", "RESPONSIVE_DISPLAY_AD"),
    "VIDEO": ("VIDEO_RESPONSIVE", "VIDEO_RESPONSIVE_AD"),
    "PERFORMANCE_MAX": ("UNKNOWN", "UNKNOWN"),
    "MULTI_CHANNEL": ("UNKNOWN", "APP_AD"),
}
#: Resources a query may name in FROM -> the resources whose fields it may select.
RESOURCES: dict[str, tuple[str, ...]] = {
    "customer": ("customer",),
    "customer_client": ("customer_client", "customer"),
    "campaign": ("campaign", "campaign_budget", "customer"),
    "ad_group": ("ad_group", "campaign", "customer"),
    "ad_group_ad": ("ad_group_ad", "ad_group", "campaign", "customer"),
    "ad_group_criterion": ("ad_group_criterion", "ad_group", "campaign", "customer"),
    "keyword_view": ("keyword_view", "ad_group_criterion", "ad_group", "campaign", "customer"),
}
#: Resources the fake serves metrics and segments for (the real API serves more).
METRIC_RESOURCES = frozenset({"ad_group_ad", "keyword_view"})
CONVERSION_SEGMENTS = frozenset(
    {"segments.conversion_action_category", "segments.conversion_action_name"}
)
#: Metrics that can be segmented by conversion action.
CONVERSION_METRICS = frozenset(
    {
        "metrics.conversions",
        "metrics.conversions_value",
        "metrics.all_conversions",
        "metrics.all_conversions_value",
    }
)


def camel(name: str) -> str:
    """``cost_micros`` -> ``costMicros`` (proto3 JSON field names)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def json_path(field_name: str) -> str:
    """``ad_group_ad.ad.id`` -> ``adGroupAd.ad.id``."""
    return ".".join(camel(part) for part in field_name.split("."))


def request_id() -> str:
    """A request id shaped like Google's (22 URL-safe characters)."""
    return secrets.token_urlsafe(16)[:22]


#: Header that carries the request id of every REST answer (``SearchGoogleAdsResponse``
#: has no ``request_id`` field; ``SearchGoogleAdsStreamResponse`` and
#: ``GoogleAdsFailure`` carry it in the body as well).
REQUEST_ID_HEADER = "request-id"


def failure_body(
    version: str,
    http_code: int,
    status: str,
    message: str,
    errors: list[tuple[str, str, str]],
    details_extra: dict[str, Any] | None = None,
    rid: str | None = None,
) -> dict[str, Any]:
    """Google's JSON error (``google.rpc.Status``) with a ``GoogleAdsFailure`` in details.

    Args:
        version: API version, e.g. ``v26`` (goes into the ``@type`` URL).
        http_code: HTTP status echoed in ``error.code``.
        status: Canonical status name, e.g. ``UNAUTHENTICATED``.
        message: Top-level message.
        errors: ``(error category, error code, message)`` per ``GoogleAdsError``, e.g.
            ``("authenticationError", "OAUTH_TOKEN_EXPIRED", "...")``.
        details_extra: Extra ``details`` of every error (e.g. ``quotaErrorDetails``).
        rid: The request id (a new one when not given).
    """
    failure: dict[str, Any] = {
        "@type": f"type.googleapis.com/google.ads.googleads.{version}.errors.GoogleAdsFailure",
        "errors": [
            {
                "errorCode": {category: code},
                "message": text,
                **({"details": details_extra} if details_extra else {}),
            }
            for category, code, text in errors
        ],
        "requestId": rid or request_id(),
    }
    return {
        "error": {"code": http_code, "message": message, "status": status, "details": [failure]}
    }


# -- GAQL -------------------------------------------------------------------------------
class GaqlError(ValueError):
    """A query the fake (like the API) rejects: ``(error code, message)``."""

    def __init__(self, code: str, message: str, category: str = "queryError") -> None:
        super().__init__(message)
        self.code = code
        self.category = category


@dataclass
class Condition:
    """One WHERE condition: ``field operator values``."""

    field: str
    operator: str
    values: list[str]


@dataclass
class Query:
    """A parsed GAQL query."""

    fields: list[str]
    resource: str
    conditions: list[Condition] = field(default_factory=list)
    limit: int | None = None


_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(?P<op>!=|>=|<=|=|<|>)"
    r"|(?P<punct>[(),])|(?P<word>[A-Za-z0-9_.\-]+))"
)
_KEYWORDS = frozenset(
    {
        "SELECT",
        "FROM",
        "WHERE",
        "AND",
        "BETWEEN",
        "IN",
        "NOT",
        "ORDER",
        "BY",
        "LIMIT",
        "PARAMETERS",
        "ASC",
        "DESC",
        "DURING",
        "LIKE",
        "CONTAINS",
        "IS",
        "NULL",
    }
)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise GaqlError(
                "BAD_SYMBOL",
                f"Error in query: unexpected input {text[position : position + 20]!r}.",
            )
        kind = match.lastgroup or "word"
        value = match.group(kind)
        if kind == "string":
            value = value[1:-1]
        elif kind == "word" and value.upper() in _KEYWORDS:
            kind, value = "keyword", value.upper()
        tokens.append((kind, value))
        position = match.end()
    return tokens


def parse_gaql(text: str) -> Query:
    """Parses the subset of GAQL the fake serves (see the module docstring).

    Raises:
        GaqlError: The query is malformed.
    """
    tokens = _tokens(text)
    position = 0

    def peek() -> tuple[str, str] | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal position
        if position >= len(tokens):
            raise GaqlError("UNEXPECTED_END_OF_QUERY", "Error in query: unexpected end of query.")
        token = tokens[position]
        position += 1
        return token

    def expect_keyword(word: str, code: str) -> None:
        kind, value = take()
        if kind != "keyword" or value != word:
            raise GaqlError(code, f"Error in query: expected {word}, found {value!r}.")

    expect_keyword("SELECT", "EXPECTED_SELECT")
    fields: list[str] = []
    while True:
        kind, value = take()
        if kind != "word":
            raise GaqlError(
                "BAD_FIELD_NAME", f"Error in SELECT clause: invalid field name {value!r}."
            )
        fields.append(value)
        nxt = peek()
        if nxt == ("punct", ","):
            take()
            continue
        break
    expect_keyword("FROM", "EXPECTED_FROM")
    kind, resource = take()
    if kind != "word":
        raise GaqlError(
            "BAD_RESOURCE_TYPE_IN_FROM_CLAUSE", f"Invalid resource {resource!r} in FROM clause."
        )
    query = Query(fields=fields, resource=resource)
    if peek() == ("keyword", "WHERE"):
        take()
        while True:
            query.conditions.append(_condition(take, peek))
            if peek() == ("keyword", "AND"):
                take()
                continue
            break
    if peek() == ("keyword", "ORDER"):
        take()
        expect_keyword("BY", "EXPECTED_BY")
        while True:
            take()
            if peek() in (("keyword", "ASC"), ("keyword", "DESC")):
                take()
            if peek() == ("punct", ","):
                take()
                continue
            break
    if peek() == ("keyword", "LIMIT"):
        take()
        _, value = take()
        if not value.isdigit():
            raise GaqlError("BAD_LIMIT_VALUE", f"Limit value {value!r} is invalid.")
        query.limit = int(value)
    if peek() == ("keyword", "PARAMETERS"):
        position = len(tokens)
    if peek() is not None:
        raise GaqlError("UNEXPECTED_INPUT", f"Error in query: unexpected input {peek()!r}.")
    return query


def _condition(
    take: Callable[[], tuple[str, str]], peek: Callable[[], tuple[str, str] | None]
) -> Condition:
    kind, name = take()
    if kind != "word":
        raise GaqlError("BAD_FIELD_NAME", f"Error in WHERE clause: invalid field name {name!r}.")
    kind, operator = take()
    if kind == "op":
        _, value = take()
        return Condition(name, operator, [value])
    if operator == "BETWEEN":
        _, low = take()
        kind, word = take()
        if (kind, word) != ("keyword", "AND"):
            raise GaqlError("EXPECTED_AND", "Expected AND between values with BETWEEN operator.")
        _, high = take()
        return Condition(name, "BETWEEN", [low, high])
    negate = False
    if operator == "NOT":
        negate = True
        kind, operator = take()
    if operator == "IN":
        if take() != ("punct", "("):
            raise GaqlError("EXPECTED_OPENING_PARENTHESIS", "Expected ( after IN.")
        values: list[str] = []
        while True:
            kind, value = take()
            if (kind, value) == ("punct", ")"):
                break
            if (kind, value) != ("punct", ","):
                values.append(value)
        return Condition(name, "NOT IN" if negate else "IN", values)
    raise GaqlError(
        "BAD_OPERATOR",
        f"Invalid operator {operator!r} (the sandbox serves "
        "=, !=, <, <=, >, >=, BETWEEN, IN and NOT IN).",
    )


# -- rows -------------------------------------------------------------------------------
@dataclass
class Context:
    """One base row before projection: the objects a GAQL row is about."""

    account: AdAccount
    campaign: Any = None
    ad_group: Any = None
    ad: Any = None
    keyword: Any = None
    day: date | None = None
    kind: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    client: AdAccount | None = None
    manager_id: str = ""


def _micros(amount: Decimal | int | None, currency: str, minor: bool = False) -> str | None:
    """Money -> micros string; ``minor`` when ``amount`` is in the currency's minor units."""
    if amount is None:
        return None
    if minor:
        return str(int(amount) * 10 ** (6 - MINOR_DIGITS.get(currency, 2)))
    return str(int(Decimal(amount) * 1_000_000))


Getter = Callable[[Context], Any]


def _campaign_channel(ctx: Context) -> str:
    return ctx.campaign.objective if ctx.campaign else ""


def _cid(ctx: Context) -> str:
    return str(ctx.account.account_id)


def _metric(name: str) -> Getter:
    return lambda ctx: ctx.metrics.get(name)


def _getters() -> dict[str, Getter]:
    g: dict[str, Getter] = {
        "customer.id": _cid,
        "customer.resource_name": lambda c: f"customers/{_cid(c)}",
        "customer.descriptive_name": lambda c: c.account.name,
        "customer.currency_code": lambda c: c.account.currency,
        "customer.time_zone": lambda c: c.account.timezone_name,
        "customer.manager": lambda c: False,
        "customer.test_account": lambda c: False,
        "customer.status": lambda c: "ENABLED",
        "customer_client.id": lambda c: c.client.account_id if c.client else None,
        "customer_client.resource_name": lambda c: (
            f"customers/{c.manager_id}/customerClients/{c.client.account_id}" if c.client else None
        ),
        "customer_client.client_customer": lambda c: (
            f"customers/{c.client.account_id}" if c.client else None
        ),
        "customer_client.descriptive_name": lambda c: c.client.name if c.client else None,
        "customer_client.currency_code": lambda c: c.client.currency if c.client else None,
        "customer_client.time_zone": lambda c: c.client.timezone_name if c.client else None,
        "customer_client.manager": lambda c: False,
        "customer_client.level": lambda c: "1",
        "customer_client.status": lambda c: "ENABLED",
        "campaign.id": lambda c: c.campaign.campaign_id,
        "campaign.resource_name": lambda c: (
            f"customers/{_cid(c)}/campaigns/{c.campaign.campaign_id}"
        ),
        "campaign.name": lambda c: c.campaign.name,
        "campaign.status": lambda c: STATUS.get(c.campaign.status, c.campaign.status),
        "campaign.advertising_channel_type": _campaign_channel,
        "campaign.bidding_strategy_type": lambda c: c.metrics.get("bidding_strategy_type"),
        "campaign.start_date_time": lambda c: f"{c.campaign.start_date.isoformat()} 00:00:00",
        "campaign.end_date_time": lambda c: (
            f"{(c.campaign.paused_on - timedelta(days=1)).isoformat()} 23:59:59"
            if c.campaign.paused_on
            else None
        ),
        "campaign.campaign_budget": lambda c: (
            f"customers/{_cid(c)}/campaignBudgets/{c.campaign.campaign_id}"
            if c.campaign.daily_budget_minor
            else None
        ),
        "campaign_budget.id": lambda c: (
            c.campaign.campaign_id if c.campaign.daily_budget_minor else None
        ),
        "campaign_budget.resource_name": lambda c: (
            f"customers/{_cid(c)}/campaignBudgets/{c.campaign.campaign_id}"
            if c.campaign.daily_budget_minor
            else None
        ),
        "campaign_budget.amount_micros": lambda c: _micros(
            c.campaign.daily_budget_minor, c.account.currency, minor=True
        ),
        "ad_group.id": lambda c: c.ad_group.ad_group_id,
        "ad_group.resource_name": lambda c: (
            f"customers/{_cid(c)}/adGroups/{c.ad_group.ad_group_id}"
        ),
        "ad_group.name": lambda c: c.ad_group.name,
        "ad_group.status": lambda c: STATUS.get(c.ad_group.status, c.ad_group.status),
        "ad_group.type": lambda c: CHANNEL_TYPES.get(_campaign_channel(c), ("UNKNOWN", ""))[0],
        "ad_group.campaign": lambda c: f"customers/{_cid(c)}/campaigns/{c.ad_group.campaign_id}",
        "ad_group_ad.resource_name": lambda c: (
            f"customers/{_cid(c)}/adGroupAds/{c.ad.ad_group_id}~{c.ad.ad_id}"
        ),
        "ad_group_ad.ad.id": lambda c: c.ad.ad_id,
        "ad_group_ad.ad.name": lambda c: c.ad.name,
        "ad_group_ad.ad.type": lambda c: CHANNEL_TYPES.get(_campaign_channel(c), ("", "UNKNOWN"))[
            1
        ],
        "ad_group_ad.ad.resource_name": lambda c: f"customers/{_cid(c)}/ads/{c.ad.ad_id}",
        "ad_group_ad.ad.final_urls": lambda c: [c.ad.landing_url] if c.ad.landing_url else [],
        "ad_group_ad.status": lambda c: STATUS.get(c.ad.status, c.ad.status),
        "ad_group_ad.ad_group": lambda c: f"customers/{_cid(c)}/adGroups/{c.ad.ad_group_id}",
        "ad_group_criterion.resource_name": lambda c: (
            f"customers/{_cid(c)}/adGroupCriteria/{c.keyword.ad_group_id}~{c.keyword.keyword_id}"
        ),
        "ad_group_criterion.criterion_id": lambda c: c.keyword.keyword_id,
        "ad_group_criterion.type": lambda c: "KEYWORD",
        "ad_group_criterion.status": lambda c: STATUS.get(c.keyword.status, c.keyword.status),
        "ad_group_criterion.negative": lambda c: False,
        "ad_group_criterion.keyword.text": lambda c: c.keyword.text,
        "ad_group_criterion.keyword.match_type": lambda c: c.keyword.match_type,
        "ad_group_criterion.cpc_bid_micros": lambda c: _micros(
            c.keyword.bid_minor, c.account.currency, minor=True
        ),
        "ad_group_criterion.ad_group": lambda c: (
            f"customers/{_cid(c)}/adGroups/{c.keyword.ad_group_id}"
        ),
        "keyword_view.resource_name": lambda c: (
            f"customers/{_cid(c)}/keywordViews/{c.keyword.ad_group_id}~{c.keyword.keyword_id}"
        ),
        "segments.date": lambda c: c.day.isoformat() if c.day else None,
        "segments.conversion_action_category": lambda c: CATEGORIES[c.kind][0] if c.kind else None,
        "segments.conversion_action_name": lambda c: CATEGORIES[c.kind][1] if c.kind else None,
        "segments.conversion_action": lambda c: (
            f"customers/{_cid(c)}/conversionActions/{1000 + list(CATEGORIES).index(c.kind)}"
            if c.kind
            else None
        ),
    }
    for name in (
        "impressions",
        "clicks",
        "cost_micros",
        "conversions",
        "conversions_value",
        "all_conversions",
        "all_conversions_value",
    ):
        g[f"metrics.{name}"] = _metric(name)
    return g


GETTERS = _getters()
#: Enum fields (no presence: left out at ``UNSPECIFIED``, which the fake never serves).
ENUM_FIELDS = frozenset(
    {
        "customer.status",
        "customer_client.status",
        "campaign.status",
        "campaign.advertising_channel_type",
        "campaign.bidding_strategy_type",
        "ad_group.status",
        "ad_group.type",
        "ad_group_ad.status",
        "ad_group_ad.ad.type",
        "ad_group_criterion.type",
        "ad_group_criterion.status",
        "ad_group_criterion.keyword.match_type",
        "segments.conversion_action_category",
    }
)
#: int64 fields (strings in JSON).
INT64_FIELDS = frozenset(
    {
        "customer.id",
        "customer_client.id",
        "customer_client.level",
        "campaign.id",
        "campaign_budget.id",
        "campaign_budget.amount_micros",
        "ad_group.id",
        "ad_group_ad.ad.id",
        "ad_group_criterion.criterion_id",
        "ad_group_criterion.cpc_bid_micros",
        "metrics.impressions",
        "metrics.clicks",
        "metrics.cost_micros",
    }
)
#: Repeated string fields (JSON arrays; an empty list is left out like any default).
REPEATED_FIELDS = frozenset({"ad_group_ad.ad.final_urls"})
BOOL_FIELDS = frozenset(
    {
        "customer.manager",
        "customer.test_account",
        "customer_client.manager",
        "ad_group_criterion.negative",
    }
)


def _field_type(name: str) -> tuple[str, bool]:
    """``(proto3 kind, has explicit presence)`` of a served field.

    Google's protos declare ids, names, money, booleans, metrics and scalar segments
    ``optional`` (explicit presence); resource names and enums have none.
    """
    if name in ENUM_FIELDS:
        return "enum", False
    if name in REPEATED_FIELDS:
        return "repeated", False
    if name.endswith("resource_name"):
        return "string", False
    if name in INT64_FIELDS:
        return "int64", True
    if name in BOOL_FIELDS:
        return "bool", True
    if name.startswith("metrics."):
        return "double", True
    return "string", True


#: GAQL field -> (proto3 kind, explicit presence), for every field the fake serves.
FIELD_TYPES: dict[str, tuple[str, bool]] = {name: _field_type(name) for name in GETTERS}


def _is_default(kind: str, value: Any) -> bool:
    """Whether ``value`` is the proto3 default of its kind (0, 0.0, "", false, UNSPECIFIED, [])."""
    if kind == "repeated":
        return not value
    if kind == "bool":
        return value is False
    if kind == "enum":
        return value in ("", "UNSPECIFIED")
    if kind == "string":
        return value in ("",)
    return value in (0, "0")


def _encode(kind: str, value: Any) -> Any:
    """A value as proto3 JSON writes it: int64 as a decimal string, doubles as numbers."""
    if kind == "int64":
        return str(int(value))
    if kind == "double":
        number = float(value)
        return int(number) if number.is_integer() else number
    if kind == "bool":
        return bool(value)
    if kind == "repeated":
        return [str(item) for item in value]
    return str(value)


#: One projected field: JSON keys, getter, proto3 kind, explicit presence.
Projection = list[tuple[tuple[str, ...], Getter, str, bool]]


def projection(fields: list[str]) -> Projection:
    """How to write each field of a row: computed once per query, not per row."""
    return [
        (tuple(camel(p) for p in name.split(".")), GETTERS[name], *FIELD_TYPES[name])
        for name in dict.fromkeys(fields)
    ]


def _resource_of(field_name: str) -> str:
    return field_name.split(".", 1)[0]


@dataclass
class _Page:
    query: str
    rows: list[dict[str, Any]]
    field_mask: str


class GoogleAdsFake(FakeApi):
    """The Google Ads API fake (REST).

    Args:
        world: The world it serves (``google_ads`` accounts).
        faults: Fault switches (see :class:`~ingestion.sandbox.faults.Faults`).
        explicit_presence: ``False`` (default) leaves every default-valued field out of
            the rows (a zero-click row has no ``clicks``); ``True`` writes the fields the
            protos declare ``optional`` whenever they are set, zeros included.
        client_id: The OAuth client id accepted at ``/token``.
        client_secret: Its secret.
        refresh_token: The refresh token accepted at ``/token``.
        developer_token: The valid ``developer-token`` header; ``None`` ignores the header
            (Google's behaviour since developer tokens were sunset on 2026-09-09).
        developer_token_approved: ``False`` answers every call with
            ``DEVELOPER_TOKEN_NOT_APPROVED`` (a test-access token against live accounts).
        require_login_customer_id: The OAuth user reaches the accounts only through the
            manager account, so calls without ``login-customer-id`` are denied.
        api_version: Path prefix, e.g. ``v26``.
        token_lifetime: Seconds an access token stays valid (Google: 3599).
        search_page_size: Rows per ``googleAds:search`` page (Google: fixed 10,000).
        stream_batch_size: Rows per ``searchStream`` batch (Google: up to 10,000).
        retry_delay_seconds: ``retryDelay`` the quota error asks for.
    """

    def __init__(
        self,
        world: World,
        faults: Faults | None = None,
        *,
        explicit_presence: bool = False,
        client_id: str = "sandbox-google-client.apps.googleusercontent.com",
        client_secret: str = "sandbox-google-client-secret",
        refresh_token: str = "1//sandbox-google-refresh-token",
        developer_token: str | None = "sandbox-google-developer-token",
        developer_token_approved: bool = True,
        require_login_customer_id: bool = True,
        api_version: str = API_VERSION,
        token_lifetime: float = 3599.0,
        search_page_size: int = 10_000,
        stream_batch_size: int = 10_000,
        retry_delay_seconds: int = 1,
    ) -> None:
        super().__init__(faults, secret_params=("client_secret", "refresh_token"))
        self.world = world
        self.explicit_presence = explicit_presence
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.developer_token = developer_token
        self.developer_token_approved = developer_token_approved
        self.require_login_customer_id = require_login_customer_id
        self.api_version = api_version
        self.prefix = f"/{api_version}"
        self.token_lifetime = token_lifetime
        self.search_page_size = search_page_size
        self.stream_batch_size = stream_batch_size
        self.retry_delay_seconds = retry_delay_seconds
        #: The manager (MCC) account every world account is linked under.
        self.manager_id = _account_id(PLATFORM, world.config.seed, "manager")
        self.tokens_issued = 0
        self._tokens: dict[str, float] = {}  # access token -> expiry (monotonic)
        self._expired: set[str] = set()
        self._expiry_applied = False
        self._lock = threading.Lock()
        self._counter = itertools.count(1)

    # -- configuration ------------------------------------------------------------------
    @property
    def token_url(self) -> str:
        """The OAuth token endpoint (Google: ``https://oauth2.googleapis.com/token``)."""
        return self.root_url + TOKEN_PATH

    def source_options(self) -> dict[str, Any]:
        """Keyword arguments that point ``google_ads_source`` at this fake (start it first)."""
        return {
            "base_url": self.base_url,
            "token_url": self.token_url,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "refresh_token": self.refresh_token,
            "developer_token": self.developer_token or "",
            "login_customer_id": self.manager_id,
            "account_ids": [a.account_id for a in self.world.accounts(PLATFORM)],
            "start_date": self.world.first_day.isoformat(),
        }

    # -- fault shapes -------------------------------------------------------------------
    def _failure(
        self,
        http_code: int,
        status: str,
        message: str,
        errors: list[tuple[str, str, str]],
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        rid = request_id()
        body = failure_body(self.api_version, http_code, status, message, errors, extra, rid)
        return Reply(http_code, body, {REQUEST_ID_HEADER: rid, **(headers or {})})

    def server_error(self, request: Request, status: int) -> Reply:
        """``INTERNAL`` (500), ``UNAVAILABLE`` (503) or ``DEADLINE_EXCEEDED`` (504)."""
        if request.path == TOKEN_PATH:
            return Reply(
                status, {"error": "internal_failure", "error_description": "Backend Error"}
            )
        name, message = {
            503: ("UNAVAILABLE", "The service is currently unavailable."),
            504: ("DEADLINE_EXCEEDED", "Deadline expired before operation could complete."),
        }.get(status, ("INTERNAL", "Internal error encountered."))
        return self._failure(
            status,
            name,
            message,
            [("internalError", "INTERNAL_ERROR", "An internal error has occurred.")],
        )

    def throttled(self, request: Request, retry_after: int) -> Reply:
        """A front-end HTTP 429 with ``Retry-After`` (and Google's error body)."""
        return Reply(
            429,
            {
                "error": {
                    "code": 429,
                    "message": "Resource has been exhausted (e.g. check quota).",
                    "status": "RESOURCE_EXHAUSTED",
                }
            },
            {"Retry-After": str(retry_after)},
        )

    def platform_rate_limit(self, request: Request, code: int) -> Reply:
        """429 ``RESOURCE_EXHAUSTED`` with ``quotaError`` and ``quotaErrorDetails.retryDelay``."""
        if request.path == TOKEN_PATH:
            return Reply(
                429, {"error": "rate_limit_exceeded", "error_description": "Rate limit exceeded"}
            )
        return self._failure(
            429,
            "RESOURCE_EXHAUSTED",
            f"Too many requests. Retry in {self.retry_delay_seconds} seconds.",
            [
                (
                    "quotaError",
                    "RESOURCE_TEMPORARILY_EXHAUSTED",
                    f"Too many requests. Retry in {self.retry_delay_seconds} seconds.",
                )
            ],
            {
                "quotaErrorDetails": {
                    "rateScope": "ACCOUNT",
                    "rateName": "Number of operations for basic access",
                    "retryDelay": f"{self.retry_delay_seconds}s",
                }
            },
        )

    # -- routing ------------------------------------------------------------------------
    def handle(self, request: Request) -> Reply:
        """Routes one call: the token endpoint or a GoogleAdsService method."""
        if request.path == TOKEN_PATH:
            return self._token(request)
        if not request.path.startswith(self.prefix + "/"):
            return self._not_found(request)
        denied = self._authenticate(request)
        if denied is not None:
            return denied
        rest = request.path[len(self.prefix) + 1 :]
        if rest == "customers:listAccessibleCustomers" and request.method == "GET":
            return Reply(200, {"resourceNames": [f"customers/{self.manager_id}"]})
        match = re.fullmatch(r"customers/([^/]+)/googleAds:(searchStream|search)", rest)
        if not match or request.method != "POST":
            return self._not_found(request)
        customer_id, method = match.groups()
        denied = self._authorize(request, customer_id)
        if denied is not None:
            return denied
        try:
            query = parse_gaql(request.form.get("query", ""))
            rows, field_mask = self.run_query(customer_id, query)
        except GaqlError as exc:
            return self._failure(
                400,
                "INVALID_ARGUMENT",
                "Request contains an invalid argument.",
                [(exc.category, exc.code, str(exc))],
            )
        if method == "searchStream":
            return self._stream(rows, field_mask)
        return self._search_page(request, rows, field_mask)

    def _not_found(self, request: Request) -> Reply:
        return Reply(
            404,
            {
                "error": {
                    "code": 404,
                    "message": f"Method not found: {request.method} {request.path}",
                    "status": "NOT_FOUND",
                }
            },
        )

    # -- OAuth --------------------------------------------------------------------------
    def _token(self, request: Request) -> Reply:
        form = request.form
        grant = form.get("grant_type", "")
        if request.method != "POST":
            return Reply(405, {"error": "invalid_request", "error_description": "POST only"})
        if grant != "refresh_token":
            return Reply(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": f"Invalid grant_type: {grant}",
                },
            )
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return Reply(401, {"error": "invalid_client", "error_description": "Unauthorized"})
        if form.get("refresh_token") != self.refresh_token:
            return Reply(400, {"error": "invalid_grant", "error_description": "Bad Request"})
        token = "ya29.sandbox-" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = clock.monotonic() + self.token_lifetime
            self.tokens_issued += 1
        return Reply(
            200,
            {
                "access_token": token,
                "expires_in": int(self.token_lifetime),
                "scope": SCOPE,
                "token_type": "Bearer",
            },
        )

    def _authenticate(self, request: Request) -> Reply | None:
        auth = request.headers.get("authorization", "")
        match = re.match(r"(?i)bearer\s+(\S+)", auth)
        with self._lock:
            if self.faults.token_expired and not self._expiry_applied:
                # Every token issued so far is now expired; new ones (after a refresh) work.
                self._expired.update(self._tokens)
                self._tokens.clear()
                self._expiry_applied = True
            elif not self.faults.token_expired:
                self._expiry_applied = False
            token = match.group(1) if match else None
            expiry = self._tokens.get(token) if token else None
            expired = token in self._expired or (expiry is not None and expiry <= clock.monotonic())
        invalid = (
            "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential."
        )
        for refused, message, code, detail in (
            (
                token is None,
                "Request is missing required authentication credential. Expected OAuth 2 "
                "access token, login cookie or other valid authentication credential. See "
                "https://developers.google.com/identity/sign-in/web/devconsole-project.",
                "OAUTH_TOKEN_HEADER_INVALID",
                "Oauth token HTTP header is malformed.",
            ),
            (expired, invalid, "OAUTH_TOKEN_EXPIRED", "Oauth token in the header has expired."),
            (
                expiry is None,
                invalid,
                "OAUTH_TOKEN_INVALID",
                "Oauth token in the header is not valid.",
            ),
        ):
            if refused:
                return self._failure(
                    401, "UNAUTHENTICATED", message, [("authenticationError", code, detail)]
                )
        if self.developer_token is not None:
            sent = request.headers.get("developer-token")
            if not sent:
                return self._failure(
                    400,
                    "INVALID_ARGUMENT",
                    "Request contains an invalid argument.",
                    [
                        (
                            "requestError",
                            "DEVELOPER_TOKEN_PARAMETER_MISSING",
                            "The developer-token parameter is required for all requests.",
                        )
                    ],
                )
            if sent != self.developer_token:
                return self._failure(
                    401,
                    "UNAUTHENTICATED",
                    "Request had invalid authentication credentials.",
                    [
                        (
                            "authenticationError",
                            "DEVELOPER_TOKEN_INVALID",
                            "The developer token is not valid.",
                        )
                    ],
                )
            if not self.developer_token_approved:
                return self._failure(
                    403,
                    "PERMISSION_DENIED",
                    "The caller does not have permission",
                    [
                        (
                            "authorizationError",
                            "DEVELOPER_TOKEN_NOT_APPROVED",
                            "The developer token is only approved for use with test accounts. "
                            "To access non-test accounts, apply for Basic or Standard access.",
                        )
                    ],
                )
        return None

    def _authorize(self, request: Request, customer_id: str) -> Reply | None:
        if not customer_id.isdigit():
            return self._failure(
                400,
                "INVALID_ARGUMENT",
                "Request contains an invalid argument.",
                [
                    (
                        "authenticationError",
                        "CLIENT_CUSTOMER_ID_INVALID",
                        "Client customer ID is not a number.",
                    )
                ],
            )
        login = request.headers.get("login-customer-id")
        denied = self._failure(
            403,
            "PERMISSION_DENIED",
            "The caller does not have permission",
            [
                (
                    "authorizationError",
                    "USER_PERMISSION_DENIED",
                    "User doesn't have permission to access customer. Note: If you're "
                    "accessing a client customer, the manager's customer ID must be set in the "
                    "'login-customer-id' header. See https://developers.google.com/google-ads/api/docs/concepts/call-structure#cid",
                )
            ],
        )
        if login is None:
            if self.require_login_customer_id and customer_id != self.manager_id:
                return denied
        elif login != self.manager_id:
            return self._failure(
                403,
                "PERMISSION_DENIED",
                "The caller does not have permission",
                [
                    (
                        "authorizationError",
                        "INVALID_LOGIN_CUSTOMER_ID_SERVING_CUSTOMER_ID_COMBINATION",
                        "The login customer specified does not have access to the account "
                        "specified, so the request is invalid.",
                    )
                ],
            )
        if customer_id != self.manager_id:
            try:
                self.world.account(PLATFORM, customer_id)
            except KeyError:
                return denied
        return None

    # -- queries ------------------------------------------------------------------------
    def run_query(self, customer_id: str, query: Query) -> tuple[list[dict[str, Any]], str]:
        """Rows (nested camelCase JSON) and field mask the API answers for one query.

        Raises:
            GaqlError: Unknown resource or field, or a combination the API refuses.
        """
        if query.resource not in RESOURCES:
            raise GaqlError(
                "BAD_RESOURCE_TYPE_IN_FROM_CLAUSE",
                f"Error in FROM clause: invalid resource name {query.resource!r}.",
            )
        allowed = RESOURCES[query.resource]
        metric_resource = query.resource in METRIC_RESOURCES
        for name in [*query.fields, *(c.field for c in query.conditions)]:
            if name not in GETTERS:
                raise GaqlError("UNRECOGNIZED_FIELD", f"Unrecognized field in the query: '{name}'.")
            owner = _resource_of(name)
            if owner in ("metrics", "segments"):
                if not metric_resource:
                    raise GaqlError(
                        "PROHIBITED_METRIC_IN_SELECT_OR_WHERE_CLAUSE"
                        if owner == "metrics"
                        else "PROHIBITED_SEGMENT_IN_SELECT_OR_WHERE_CLAUSE",
                        f"Cannot select or filter on '{name}' FROM {query.resource} "
                        "(the sandbox serves metrics FROM ad_group_ad and keyword_view).",
                    )
            elif owner not in allowed:
                raise GaqlError(
                    "PROHIBITED_RESOURCE_TYPE_IN_SELECT_CLAUSE",
                    f"Cannot select or filter on '{name}' FROM {query.resource}.",
                )
        selected = set(query.fields)
        where = {c.field for c in query.conditions}
        by_category = bool((selected | where) & CONVERSION_SEGMENTS)
        if by_category:
            bad = sorted(
                f
                for f in selected | where
                if f.startswith("metrics.") and f not in CONVERSION_METRICS
            )
            if bad:
                raise GaqlError(
                    "PROHIBITED_SEGMENT_WITH_METRIC_IN_SELECT_OR_WHERE_CLAUSE",
                    f"The following segments cannot be selected with metric {bad[0]}: "
                    "segments.conversion_action_category, segments.conversion_action_name.",
                )
        if "segments.date" in selected and "segments.date" not in where:
            raise GaqlError(
                "EXPECTED_FILTERS_ON_DATE_RANGE",
                "Filters on date range are required when segments.date is selected.",
            )
        uses_stats = any(f.startswith(("metrics.", "segments.")) for f in selected | where)
        contexts: list[Context] = []
        if (query.resource == "customer_client") != (customer_id == self.manager_id):
            pass  # only the manager has clients, and the manager itself has no campaigns
        elif uses_stats:
            since, until = self._date_range(query)
            contexts = list(
                self._stat_contexts(customer_id, query.resource, since, until, by_category)
            )
        else:
            contexts = list(self._contexts(customer_id, query.resource))
        filters = [self._predicate(c) for c in query.conditions]
        contexts = [c for c in contexts if all(f(c) for f in filters)]
        implicit = f"{query.resource}.resource_name"
        plan = projection([implicit, *query.fields])
        if uses_stats:
            rows = self._aggregate(contexts, query.fields, implicit, plan)
            if "segments.date" in selected and "metrics.cost_micros" in selected:
                rows = self.faults.daily_rows(
                    f"/customers/{customer_id}/{query.resource}",
                    rows,
                    money=("metrics.costMicros",),
                    dates=("segments.date",),
                )
        else:
            rows = [self._project(c, plan) for c in contexts]
        if query.limit is not None:
            rows = rows[: query.limit]
        return rows, ",".join(json_path(f) for f in query.fields)

    def _date_range(self, query: Query) -> tuple[date, date]:
        since, until = self.world.first_day, self.world.as_of - timedelta(days=1)
        for condition in query.conditions:
            if condition.field != "segments.date":
                continue
            try:
                values = [date.fromisoformat(v) for v in condition.values]
            except ValueError:
                raise GaqlError("BAD_VALUE", f"Invalid date in {condition.values!r}.") from None
            if condition.operator == "BETWEEN":
                if values[0] > values[1]:
                    raise GaqlError(
                        "DATE_RANGE_TOO_NARROW",
                        "Filters on date have a start date after end date.",
                    )
                since, until = max(since, values[0]), min(until, values[1])
            elif condition.operator in (">=", ">"):
                since = max(since, values[0] + timedelta(days=condition.operator == ">"))
            elif condition.operator in ("<=", "<"):
                until = min(until, values[0] - timedelta(days=condition.operator == "<"))
            elif condition.operator == "=":
                since, until = max(since, values[0]), min(until, values[0])
        return since, until

    @staticmethod
    def _predicate(condition: Condition) -> Callable[[Context], bool]:
        getter = GETTERS[condition.field]
        values = condition.values

        def text(value: Any) -> str:
            if isinstance(value, bool):
                return "TRUE" if value else "FALSE"
            return "" if value is None else str(value)

        def compare(left: str, right: str) -> int:
            try:
                a, b = float(left), float(right)
            except ValueError:
                return (left > right) - (left < right)
            return (a > b) - (a < b)

        def test(ctx: Context) -> bool:
            value = text(getter(ctx))
            op = condition.operator
            if op == "=":
                return value.upper() == values[0].upper() if value.isupper() else value == values[0]
            if op == "!=":
                return value != values[0]
            if op == "IN":
                return value in values
            if op == "NOT IN":
                return value not in values
            if op == "BETWEEN":
                return compare(value, values[0]) >= 0 and compare(value, values[1]) <= 0
            result = compare(value, values[0])
            return {">": result > 0, ">=": result >= 0, "<": result < 0, "<=": result <= 0}[op]

        return test

    def _contexts(self, customer_id: str, resource: str) -> Iterator[Context]:
        world = self.world
        if resource == "customer_client":
            for client in world.accounts(PLATFORM):
                yield Context(
                    account=world.account(PLATFORM, client.account_id),
                    client=client,
                    manager_id=self.manager_id,
                )
            return
        account = world.account(PLATFORM, customer_id)
        if resource == "customer":
            yield Context(account=account)
            return
        campaigns = {c.campaign_id: c for c in world.campaigns(PLATFORM, customer_id)}
        groups = {g.ad_group_id: g for g in world.ad_groups(PLATFORM, customer_id)}
        bidding = {g.campaign_id: g.optimization_goal for g in groups.values()}
        if resource == "campaign":
            for campaign in campaigns.values():
                yield Context(
                    account=account,
                    campaign=campaign,
                    metrics={"bidding_strategy_type": bidding.get(campaign.campaign_id)},
                )
            return
        if resource == "ad_group":
            for group in groups.values():
                yield Context(
                    account=account, campaign=campaigns[group.campaign_id], ad_group=group
                )
            return
        if resource == "ad_group_ad":
            for ad in world.ads(PLATFORM, customer_id):
                group = groups[ad.ad_group_id]
                yield Context(
                    account=account, campaign=campaigns[ad.campaign_id], ad_group=group, ad=ad
                )
            return
        if resource in ("ad_group_criterion", "keyword_view"):
            for keyword in world.keywords(PLATFORM, customer_id):
                yield Context(
                    account=account,
                    campaign=campaigns[keyword.campaign_id],
                    ad_group=groups[keyword.ad_group_id],
                    keyword=keyword,
                )

    def _stat_contexts(
        self, customer_id: str, resource: str, since: date, until: date, by_category: bool
    ) -> Iterator[Context]:
        world = self.world
        account = world.account(PLATFORM, customer_id)
        campaigns = {c.campaign_id: c for c in world.campaigns(PLATFORM, customer_id)}
        groups = {g.ad_group_id: g for g in world.ad_groups(PLATFORM, customer_id)}
        currency = account.currency
        for stat in world.daily_stats(PLATFORM, customer_id, since, until):
            if resource == "ad_group_ad":
                parts: list[tuple[Any, Any]] = [(None, stat)]
            else:
                parts = [(part.keyword, part) for part in world.keyword_stats(stat)]
            for keyword, part in parts:
                base = Context(
                    account=account,
                    campaign=campaigns[stat.ad.campaign_id],
                    ad_group=groups[stat.ad.ad_group_id],
                    ad=stat.ad,
                    keyword=keyword,
                    day=stat.date,
                )
                if by_category:
                    for kind, count in part.actions.items():
                        value = part.action_values.get(kind, Decimal(0))
                        primary = kind in PRIMARY_KINDS
                        yield _with(
                            base,
                            kind,
                            {
                                "conversions": Decimal(count) if primary else Decimal(0),
                                "conversions_value": value if primary else Decimal(0),
                                "all_conversions": Decimal(count),
                                "all_conversions_value": value,
                            },
                        )
                else:
                    yield _with(base, None, _metrics(part, currency))

    def _aggregate(
        self, contexts: list[Context], fields: list[str], implicit: str, plan: Projection
    ) -> list[dict[str, Any]]:
        """Sums metrics over everything the selected (non-metric) fields do not tell apart."""
        groups: dict[tuple[Any, ...], tuple[Context, dict[str, Decimal]]] = {}
        keys = [f for f in fields if not f.startswith("metrics.")]
        if implicit not in keys:
            keys.append(implicit)
        for ctx in contexts:
            key = tuple(GETTERS[k](ctx) for k in keys)
            if key not in groups:
                groups[key] = (ctx, {k: Decimal(0) for k in ctx.metrics})
            sums = groups[key][1]
            for k, v in ctx.metrics.items():
                sums[k] = sums.get(k, Decimal(0)) + v
        rows = []
        for ctx, sums in groups.values():
            if not any(sums.values()):
                continue  # the API leaves out rows whose metrics are all zero
            rows.append(self._project(_with(ctx, ctx.kind, sums), plan))
        return rows

    def _project(self, ctx: Context, plan: Projection) -> dict[str, Any]:
        """One row as proto3 JSON: unset fields absent, default values left out.

        With :attr:`explicit_presence`, a set field that has presence is written even when
        it holds its default. Objects are only created for a value, so a message with
        nothing in it is absent.
        """
        row: dict[str, Any] = {}
        keep_set = self.explicit_presence
        for keys, getter, kind, presence in plan:
            value = getter(ctx)
            if value is None or (_is_default(kind, value) and not (presence and keep_set)):
                continue
            node = row
            for key in keys[:-1]:
                node = node.setdefault(key, {})
            node[keys[-1]] = _encode(kind, value)
        return row

    # -- answers ------------------------------------------------------------------------
    def _stream(self, rows: list[dict[str, Any]], field_mask: str) -> Reply:
        """``SearchGoogleAdsStreamResponse`` batches; the last carries the consumption."""
        rid = request_id()
        size = max(1, self.stream_batch_size)
        batches: list[dict[str, Any]] = [
            {"results": rows[i : i + size], "fieldMask": field_mask, "requestId": rid}
            for i in range(0, len(rows), size)
        ] or [{"fieldMask": field_mask, "requestId": rid}]
        batches[-1]["queryResourceConsumption"] = _consumption(len(rows))
        return Reply(200, batches, {REQUEST_ID_HEADER: rid})

    def _search_page(self, request: Request, rows: list[dict[str, Any]], field_mask: str) -> Reply:
        if "pageSize" in request.form:
            return self._failure(
                400,
                "INVALID_ARGUMENT",
                "Request contains an invalid argument.",
                [
                    (
                        "requestError",
                        "PAGE_SIZE_NOT_SUPPORTED",
                        "Setting the page size is not supported. Search Responses will have "
                        f"fixed page size of '{self.search_page_size}' rows.",
                    )
                ],
            )
        query = request.form.get("query", "")
        offset = 0
        token = request.form.get("pageToken")
        if token:
            decoded = _decode_token(token)
            if decoded is None or decoded[1] != _query_hash(query):
                return self._failure(
                    400,
                    "INVALID_ARGUMENT",
                    "Request contains an invalid argument.",
                    [("requestError", "INVALID_PAGE_TOKEN", "Page token is invalid.")],
                )
            offset = decoded[0]
        end = offset + self.search_page_size
        # SearchGoogleAdsResponse has no request_id: the id travels in the header only.
        body: dict[str, Any] = {}
        if rows[offset:end]:
            body["results"] = rows[offset:end]
        if end < len(rows):
            body["nextPageToken"] = _encode_token(end, _query_hash(query))
        if request.form.get("returnTotalResultsCount") == "true":
            body["totalResultsCount"] = str(len(rows))
        body["fieldMask"] = field_mask
        body["queryResourceConsumption"] = _consumption(len(rows[offset:end]))
        return Reply(200, body, {REQUEST_ID_HEADER: request_id()})


def _with(base: Context, kind: str | None, metrics: dict[str, Any]) -> Context:
    return Context(
        account=base.account,
        campaign=base.campaign,
        ad_group=base.ad_group,
        ad=base.ad,
        keyword=base.keyword,
        day=base.day,
        kind=kind,
        metrics=metrics,
        client=base.client,
        manager_id=base.manager_id,
    )


def _metrics(part: Any, currency: str) -> dict[str, Decimal]:
    """Google's metrics of one ad-day (or keyword part): conversions = primary kinds only."""
    actions: dict[str, int] = part.actions
    values: dict[str, Decimal] = part.action_values
    return {
        "impressions": Decimal(part.impressions),
        "clicks": Decimal(part.clicks),
        "cost_micros": Decimal(part.spend) * 1_000_000,
        "conversions": Decimal(sum(v for k, v in actions.items() if k in PRIMARY_KINDS)),
        "conversions_value": sum((v for k, v in values.items() if k in PRIMARY_KINDS), Decimal(0)),
        "all_conversions": Decimal(sum(actions.values())),
        "all_conversions_value": sum(values.values(), Decimal(0)),
    }


def _consumption(rows: int) -> str:
    """``query_resource_consumption`` (int64): a plausible cost of serving ``rows`` rows."""
    return str(100 + 2 * rows)


def _query_hash(query: str) -> str:
    return hashlib.sha256(" ".join(query.split()).encode()).hexdigest()[:16]


def _encode_token(offset: int, digest: str) -> str:
    return base64.urlsafe_b64encode(f"{offset}:{digest}".encode()).decode().rstrip("=")


def _decode_token(token: str) -> tuple[int, str] | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        offset, digest = raw.split(":", 1)
        return int(offset), digest
    except (ValueError, UnicodeDecodeError):
        return None


__all__ = ["CATEGORIES", "PRIMARY_KINDS", "GoogleAdsFake", "parse_gaql"]
