"""The Google Ads fake speaks its REST protocol, serving the world."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests

from ingestion.sandbox import Faults, World, WorldConfig
from ingestion.sandbox.google_ads_api import GoogleAdsFake

#: The world's generic kinds as Google conversion-action categories (written out on purpose).
CATEGORY = {
    "purchase": "PURCHASE",
    "add_to_cart": "ADD_TO_CART",
    "sign_up": "SIGNUP",
    "lead": "SUBMIT_LEAD_FORM",
    "install": "DOWNLOAD",
}
COUNTED = {"purchase", "sign_up", "lead", "install"}
#: The fields of SearchGoogleAdsResponse (reference, v18-v26; metric_attributes since v23):
#: no request_id, which travels in the ``request-id`` header.
SEARCH_RESPONSE_FIELDS = {
    "results",
    "nextPageToken",
    "totalResultsCount",
    "fieldMask",
    "summaryRow",
    "queryResourceConsumption",
    "metricAttributes",
}
#: The fields of SearchGoogleAdsStreamResponse (one JSON object per batch).
STREAM_RESPONSE_FIELDS = {
    "results",
    "fieldMask",
    "summaryRow",
    "requestId",
    "queryResourceConsumption",
    "metricAttributes",
}
AD_QUERY = (
    "SELECT campaign.id, ad_group.id, ad_group_ad.ad.id, segments.date, metrics.impressions, "
    "metrics.clicks, metrics.cost_micros, metrics.conversions, metrics.conversions_value "
    "FROM ad_group_ad WHERE segments.date BETWEEN '{since}' AND '{until}'"
)


@pytest.fixture
def fake() -> Iterator[GoogleAdsFake]:
    world = World(WorldConfig(seed=5, scale=0.3, history_days=20, as_of=date(2026, 3, 1)))
    with GoogleAdsFake(world, Faults()) as google:
        assert isinstance(google, GoogleAdsFake)
        yield google


def token(fake: GoogleAdsFake, **overrides: str) -> requests.Response:
    form = {
        "grant_type": "refresh_token",
        "client_id": fake.client_id,
        "client_secret": fake.client_secret,
        "refresh_token": fake.refresh_token,
        **overrides,
    }
    return requests.post(fake.token_url, data=form, timeout=10)


def headers(fake: GoogleAdsFake, **overrides: str | None) -> dict[str, str]:
    values: dict[str, str | None] = {
        "Authorization": f"Bearer {token(fake).json()['access_token']}",
        "developer-token": fake.developer_token,
        "login-customer-id": fake.manager_id,
        **overrides,
    }
    return {k: v for k, v in values.items() if v is not None}


def call(
    fake: GoogleAdsFake,
    query: str,
    method: str = "searchStream",
    customer: str | None = None,
    head: dict[str, str] | None = None,
    **body: Any,
) -> requests.Response:
    customer = customer or fake.world.accounts("google_ads")[0].account_id
    return requests.post(
        f"{fake.base_url}/customers/{customer}/googleAds:{method}",
        json={"query": query, **body},
        headers=head if head is not None else headers(fake),
        timeout=10,
    )


def failure(response: requests.Response) -> tuple[int, str, dict[str, str]]:
    error = response.json()["error"]
    (detail,) = error["details"]
    assert detail["@type"].endswith("google.ads.googleads.v26.errors.GoogleAdsFailure")
    assert detail["requestId"]
    assert error["code"] == response.status_code
    return response.status_code, error["status"], detail["errors"][0]["errorCode"]


def rows(response: requests.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    batches = response.json()
    assert isinstance(batches, list) and batches
    for batch in batches:
        assert batch["requestId"] and "fieldMask" in batch
    return [row for batch in batches for row in batch.get("results", [])]


def test_refresh_token_exchange_and_oauth_errors(fake: GoogleAdsFake) -> None:
    ok = token(fake)
    body = ok.json()
    assert ok.status_code == 200 and body["token_type"] == "Bearer"
    assert body["access_token"].startswith("ya29.") and body["expires_in"] == 3599
    bad_grant = token(fake, refresh_token="1//revoked")
    assert (bad_grant.status_code, bad_grant.json()["error"]) == (400, "invalid_grant")
    bad_client = token(fake, client_secret="wrong")
    assert (bad_client.status_code, bad_client.json()["error"]) == (401, "invalid_client")
    bad_type = token(fake, grant_type="password")
    assert bad_type.json()["error"] == "unsupported_grant_type"
    logged = str(fake.requests)
    assert fake.client_secret not in logged and fake.refresh_token not in logged


def test_access_tokens_are_checked_and_expire(fake: GoogleAdsFake) -> None:
    query = "SELECT customer.id FROM customer"
    missing = call(fake, query, head=headers(fake, Authorization=None))
    assert failure(missing)[:2] == (401, "UNAUTHENTICATED")
    wrong = call(fake, query, head=headers(fake, Authorization="Bearer ya29.nope"))
    assert failure(wrong) == (
        401,
        "UNAUTHENTICATED",
        {"authenticationError": "OAUTH_TOKEN_INVALID"},
    )
    old = headers(fake)
    assert call(fake, query, head=old).status_code == 200
    fake.faults.expire_token()
    expired = call(fake, query, head=old)
    assert failure(expired)[2] == {"authenticationError": "OAUTH_TOKEN_EXPIRED"}
    assert call(fake, query, head=headers(fake)).status_code == 200, "a refreshed token works"
    fake.token_lifetime = 0
    assert failure(call(fake, query))[2] == {"authenticationError": "OAUTH_TOKEN_EXPIRED"}


def test_developer_token_is_required_unless_sunset(fake: GoogleAdsFake) -> None:
    query = "SELECT customer.id FROM customer"
    missing = call(fake, query, head=headers(fake, **{"developer-token": None}))
    assert failure(missing) == (
        400,
        "INVALID_ARGUMENT",
        {"requestError": "DEVELOPER_TOKEN_PARAMETER_MISSING"},
    )
    wrong = call(fake, query, head=headers(fake, **{"developer-token": "nope"}))
    assert failure(wrong)[2] == {"authenticationError": "DEVELOPER_TOKEN_INVALID"}
    fake.developer_token_approved = False
    assert failure(call(fake, query)) == (
        403,
        "PERMISSION_DENIED",
        {"authorizationError": "DEVELOPER_TOKEN_NOT_APPROVED"},
    )
    fake.developer_token = None  # Google since 2026-09-09: the header is ignored
    assert call(fake, query, head=headers(fake, **{"developer-token": None})).status_code == 200


def test_login_customer_id_and_customer_access(fake: GoogleAdsFake) -> None:
    query = "SELECT customer.id FROM customer"
    no_login = call(fake, query, head=headers(fake, **{"login-customer-id": None}))
    assert failure(no_login) == (
        403,
        "PERMISSION_DENIED",
        {"authorizationError": "USER_PERMISSION_DENIED"},
    )
    assert "login-customer-id" in no_login.json()["error"]["details"][0]["errors"][0]["message"]
    other = call(fake, query, head=headers(fake, **{"login-customer-id": "1111111111"}))
    assert failure(other)[2] == {
        "authorizationError": "INVALID_LOGIN_CUSTOMER_ID_SERVING_CUSTOMER_ID_COMBINATION"
    }
    assert failure(call(fake, query, customer="1234567890"))[1] == "PERMISSION_DENIED"
    fake.require_login_customer_id = False
    assert call(fake, query, head=headers(fake, **{"login-customer-id": None})).status_code == 200


def test_search_stream_answers_nested_camel_case_batches(fake: GoogleAdsFake) -> None:
    account = fake.world.accounts("google_ads")[0]
    fake.stream_batch_size = 7
    day = fake.world.as_of - timedelta(days=2)
    response = call(
        fake,
        "SELECT campaign.id, ad_group.id, ad_group_ad.ad.id, segments.date, metrics.impressions, "
        "metrics.cost_micros, metrics.conversions, metrics.conversions_value "
        f"FROM ad_group_ad WHERE segments.date BETWEEN '{day}' AND '{day}'",
    )
    batches = response.json()
    assert len(batches) > 1 and all(len(b["results"]) <= 7 for b in batches)
    assert batches[0]["fieldMask"] == (
        "campaign.id,adGroup.id,adGroupAd.ad.id,segments.date,metrics.impressions,"
        "metrics.costMicros,metrics.conversions,metrics.conversionsValue"
    )
    got = {r["adGroupAd"]["ad"]["id"]: r for r in rows(response)}
    served = {
        s.ad.ad_id: s
        for s in fake.world.daily_stats("google_ads", account.account_id, day, day)
        if s.impressions
    }
    assert got.keys() == served.keys()
    for ad_id, stat in served.items():
        row = got[ad_id]
        metrics = row["metrics"]
        assert row["adGroupAd"]["resourceName"].endswith(f"~{ad_id}")
        assert row["segments"]["date"] == day.isoformat()
        assert metrics["impressions"] == str(stat.impressions)  # int64 as string
        # A zero is left out (proto3 JSON): absent means 0.
        assert Decimal(metrics.get("costMicros", "0")) == stat.spend * 1_000_000
        counted = sum(v for k, v in stat.actions.items() if k in COUNTED)
        assert metrics.get("conversions", 0) == counted  # double as number
        assert ("conversions" in metrics) == (counted > 0)
        value = stat.action_values.get("purchase", Decimal(0))
        assert Decimal(repr(metrics.get("conversionsValue", 0))) == value


def test_empty_answer_is_one_batch_without_results(fake: GoogleAdsFake) -> None:
    before = fake.world.first_day - timedelta(days=30)
    response = call(
        fake,
        "SELECT ad_group_ad.ad.id, segments.date, metrics.clicks FROM ad_group_ad "
        f"WHERE segments.date BETWEEN '{before}' AND '{before}'",
    )
    assert response.status_code == 200
    (batch,) = response.json()
    assert (
        "results" not in batch
        and batch["fieldMask"] == "adGroupAd.ad.id,segments.date,metrics.clicks"
    )


def test_conversions_by_category_use_google_categories(fake: GoogleAdsFake) -> None:
    account = fake.world.accounts("google_ads")[0].account_id
    since, until = fake.world.first_day, fake.world.as_of - timedelta(days=1)
    got: dict[tuple[str, str, str], tuple[float, float]] = {}
    for row in rows(
        call(
            fake,
            "SELECT ad_group_ad.ad.id, segments.date, segments.conversion_action_category, "
            "metrics.conversions, metrics.all_conversions FROM ad_group_ad "
            f"WHERE segments.date BETWEEN '{since}' AND '{until}'",
        )
    ):
        key = (row["adGroupAd"]["ad"]["id"], row["segments"]["date"])
        category = row["segments"]["conversionActionCategory"]
        metrics = row["metrics"]
        got[(*key, category)] = (metrics.get("conversions", 0.0), metrics["allConversions"])
    served = {}
    for stat in fake.world.daily_stats("google_ads", account, since, until):
        for kind, count in stat.actions.items():
            key = (stat.ad.ad_id, stat.date.isoformat(), CATEGORY[kind])
            served[key] = (float(count) if kind in COUNTED else 0.0, float(count))
    assert got == served and served
    assert {k[2] for k in got} >= {"PURCHASE", "ADD_TO_CART"}
    assert any(v[0] == 0 for v in got.values()), "secondary actions: conversions left out"


def test_keyword_view_adds_up_the_ad_group_keyword_split(fake: GoogleAdsFake) -> None:
    world = fake.world
    account = next(
        a.account_id
        for a in world.accounts("google_ads")
        if world.keywords("google_ads", a.account_id)
    )
    day = world.as_of - timedelta(days=3)
    response = call(
        fake,
        "SELECT ad_group.id, ad_group_criterion.criterion_id, segments.date, metrics.impressions, "
        f"metrics.clicks, metrics.cost_micros FROM keyword_view WHERE segments.date = '{day}'",
        customer=account,
    )
    got = {
        (r["adGroup"]["id"], r["adGroupCriterion"]["criterionId"]): (
            int(r["metrics"].get("impressions", "0")),
            int(r["metrics"].get("clicks", "0")),
            Decimal(r["metrics"].get("costMicros", "0")),
        )
        for r in rows(response)
    }
    served: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0, 0, Decimal(0)])
    for stat in world.daily_stats("google_ads", account, day, day):
        for part in world.keyword_stats(stat):
            total = served[(part.ad.ad_group_id, part.keyword.keyword_id)]
            total[0] += part.impressions
            total[1] += part.clicks
            total[2] += part.spend * 1_000_000
    assert got == {k: tuple(v) for k, v in served.items() if any(v)}


def test_gaql_errors_are_google_query_errors(fake: GoogleAdsFake) -> None:
    unknown = call(fake, "SELECT campaign.id, campaign.start_date FROM campaign")
    assert failure(unknown) == (400, "INVALID_ARGUMENT", {"queryError": "UNRECOGNIZED_FIELD"})
    assert "campaign.start_date" in unknown.json()["error"]["details"][0]["errors"][0]["message"]
    no_range = call(
        fake, "SELECT ad_group_ad.ad.id, segments.date, metrics.clicks FROM ad_group_ad"
    )
    assert failure(no_range)[2] == {"queryError": "EXPECTED_FILTERS_ON_DATE_RANGE"}
    mixed = call(
        fake,
        "SELECT segments.conversion_action_category, metrics.impressions FROM ad_group_ad "
        "WHERE segments.date = '2026-02-20'",
    )
    assert failure(mixed)[2] == {
        "queryError": "PROHIBITED_SEGMENT_WITH_METRIC_IN_SELECT_OR_WHERE_CLAUSE"
    }
    assert failure(call(fake, "SELECT campaign.id FROM nowhere"))[2] == {
        "queryError": "BAD_RESOURCE_TYPE_IN_FROM_CLAUSE"
    }
    assert failure(call(fake, "SELECT ad_group.id FROM campaign"))[2] == {
        "queryError": "PROHIBITED_RESOURCE_TYPE_IN_SELECT_CLAUSE"
    }


def test_status_filters_are_applied(fake: GoogleAdsFake) -> None:
    world = fake.world
    for account in world.accounts("google_ads"):
        paused = {
            c.campaign_id
            for c in world.campaigns("google_ads", account.account_id)
            if c.status == "PAUSED"
        }
        got = rows(
            call(
                fake,
                "SELECT campaign.id, campaign.status FROM campaign "
                "WHERE campaign.status IN (PAUSED)",
                customer=account.account_id,
            )
        )
        assert {r["campaign"]["id"] for r in got} == paused
        assert all(r["campaign"]["status"] == "PAUSED" for r in got)


def test_search_pages_with_fixed_size_and_rejects_page_size(fake: GoogleAdsFake) -> None:
    fake.search_page_size = 4
    query = (
        "SELECT ad_group_criterion.criterion_id, ad_group_criterion.keyword.text "
        "FROM ad_group_criterion"
    )
    account = max(
        fake.world.accounts("google_ads"),
        key=lambda a: len(fake.world.keywords("google_ads", a.account_id)),
    ).account_id
    seen: list[str] = []
    body: dict[str, Any] = {}
    head = headers(fake)
    while True:
        page = call(fake, query, "search", customer=account, head=head, **body).json()
        assert len(page.get("results", [])) <= 4
        seen.extend(r["adGroupCriterion"]["criterionId"] for r in page.get("results", []))
        if "nextPageToken" not in page:
            break
        body = {"pageToken": page["nextPageToken"]}
    assert seen == [k.keyword_id for k in fake.world.keywords("google_ads", account)]
    assert len(seen) > 4
    other = call(fake, "SELECT campaign.id FROM campaign", "search", customer=account, **body)
    if body:
        assert failure(other)[2] == {"requestError": "INVALID_PAGE_TOKEN"}
    sized = call(fake, query, "search", customer=account, pageSize=2)
    assert failure(sized)[2] == {"requestError": "PAGE_SIZE_NOT_SUPPORTED"}


def test_manager_lists_its_clients(fake: GoogleAdsFake) -> None:
    got = rows(
        call(
            fake,
            "SELECT customer_client.id, customer_client.manager FROM customer_client "
            "WHERE customer_client.level <= 1",
            customer=fake.manager_id,
        )
    )
    assert {r["customerClient"]["id"] for r in got} == {
        a.account_id for a in fake.world.accounts("google_ads")
    }


def test_faults_come_back_in_google_shape(fake: GoogleAdsFake) -> None:
    query = "SELECT customer.id FROM customer"
    head = headers(fake)
    fake.faults.rate_limit_next(1)
    limited = call(fake, query, head=head)
    assert failure(limited) == (
        429,
        "RESOURCE_EXHAUSTED",
        {"quotaError": "RESOURCE_TEMPORARILY_EXHAUSTED"},
    )
    quota = limited.json()["error"]["details"][0]["errors"][0]["details"]["quotaErrorDetails"]
    assert quota["retryDelay"] == "1s" and quota["rateScope"]
    fake.faults.fail_next(1, status=500)
    assert failure(call(fake, query, head=head))[:2] == (500, "INTERNAL")
    fake.faults.fail_next(1, status=503)
    assert failure(call(fake, query, head=head))[:2] == (503, "UNAVAILABLE")
    fake.faults.throttle_next(1, retry_after=2)
    throttled = call(fake, query, head=head)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2"
    assert call(fake, query, head=head).status_code == 200


def zero_click_day(world: World) -> tuple[str, date, str]:
    """(customer, day, ad id) of a search ad-day with impressions and no click."""
    for account in world.accounts("google_ads"):
        search = {
            c.campaign_id
            for c in world.campaigns("google_ads", account.account_id)
            if c.objective == "SEARCH"
        }
        for stat in world.daily_stats(
            "google_ads", account.account_id, world.first_day, world.as_of
        ):
            if stat.ad.campaign_id in search and stat.impressions and not stat.clicks:
                return account.account_id, stat.date, stat.ad.ad_id
    raise AssertionError("the world has no zero-click search ad-day")


def zero_click_keyword(world: World) -> tuple[str, date, str]:
    """(customer, day, keyword id) of a keyword-day (all its ads) with impressions, no click."""
    for account in world.accounts("google_ads"):
        totals: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0])
        for stat in world.daily_stats(
            "google_ads", account.account_id, world.first_day, world.as_of
        ):
            for part in world.keyword_stats(stat):
                total = totals[(stat.date, part.keyword.keyword_id)]
                total[0] += part.impressions
                total[1] += part.clicks
        for (day, keyword_id), (impressions, clicks) in totals.items():
            if impressions and not clicks:
                return account.account_id, day, keyword_id
    raise AssertionError("the world has no zero-click keyword-day")


def test_zero_metrics_are_left_out_of_rows(fake: GoogleAdsFake) -> None:
    customer, day, ad_id = zero_click_day(fake.world)
    got = rows(call(fake, AD_QUERY.format(since=day, until=day), customer=customer))
    (row,) = [r for r in got if r["adGroupAd"]["ad"]["id"] == ad_id]
    # Impressions but no click: search is billed per click, so no cost, no conversion.
    assert row["metrics"] == {"impressions": row["metrics"]["impressions"]}
    assert int(row["metrics"]["impressions"]) > 0
    customer, day, keyword_id = zero_click_keyword(fake.world)
    keyword_rows = rows(
        call(
            fake,
            "SELECT ad_group_criterion.criterion_id, segments.date, metrics.impressions, "
            "metrics.clicks, metrics.cost_micros, metrics.all_conversions FROM keyword_view "
            f"WHERE segments.date = '{day}'",
            customer=customer,
        )
    )
    (keyword,) = [r for r in keyword_rows if r["adGroupCriterion"]["criterionId"] == keyword_id]
    assert "clicks" not in keyword["metrics"] and "costMicros" not in keyword["metrics"]
    assert "allConversions" not in keyword["metrics"]
    # Default attributes too: customer.manager and test_account are false, negative is false.
    (customer_row,) = rows(
        call(
            fake,
            "SELECT customer.id, customer.manager, customer.test_account, customer.status "
            "FROM customer",
            customer=customer,
        )
    )
    assert customer_row == {
        "customer": {
            "resourceName": f"customers/{customer}",
            "id": customer,
            "status": "ENABLED",
        }
    }
    criteria = rows(
        call(
            fake,
            "SELECT ad_group_criterion.criterion_id, ad_group_criterion.negative "
            "FROM ad_group_criterion",
            customer=customer,
        )
    )
    assert criteria and all("negative" not in r["adGroupCriterion"] for r in criteria)


def test_explicit_presence_writes_set_zeros(fake: GoogleAdsFake) -> None:
    customer, day, ad_id = zero_click_day(fake.world)
    fake.explicit_presence = True
    got = rows(call(fake, AD_QUERY.format(since=day, until=day), customer=customer))
    (row,) = [r for r in got if r["adGroupAd"]["ad"]["id"] == ad_id]
    metrics = row["metrics"]
    assert (metrics["clicks"], metrics["costMicros"]) == ("0", "0")  # int64: strings
    assert (metrics["conversions"], metrics["conversionsValue"]) == (0, 0)
    (customer_row,) = rows(
        call(fake, "SELECT customer.id, customer.manager FROM customer", customer=customer)
    )
    assert customer_row["customer"]["manager"] is False


def test_integral_doubles_have_no_fraction(fake: GoogleAdsFake) -> None:
    since, until = fake.world.first_day, fake.world.as_of - timedelta(days=1)
    got = [
        row
        for account in fake.world.accounts("google_ads")
        for row in rows(
            call(fake, AD_QUERY.format(since=since, until=until), customer=account.account_id)
        )
    ]
    conversions = [r["metrics"]["conversions"] for r in got if "conversions" in r["metrics"]]
    assert conversions and all(type(c) is int for c in conversions)  # 3, not 3.0
    values = [r["metrics"]["conversionsValue"] for r in got if "conversionsValue" in r["metrics"]]
    assert any(type(v) is float for v in values), "cents stay a fraction"


def test_world_has_a_realistic_share_of_zero_metric_rows(fake: GoogleAdsFake) -> None:
    since, until = fake.world.first_day, fake.world.as_of - timedelta(days=1)
    ad_rows: list[dict[str, Any]] = []
    keyword_rows: list[dict[str, Any]] = []
    for account in fake.world.accounts("google_ads"):
        ad_rows += rows(
            call(fake, AD_QUERY.format(since=since, until=until), customer=account.account_id)
        )
        keyword_rows += rows(
            call(
                fake,
                "SELECT ad_group_criterion.criterion_id, segments.date, metrics.impressions, "
                "metrics.clicks, metrics.cost_micros FROM keyword_view "
                f"WHERE segments.date BETWEEN '{since}' AND '{until}'",
                customer=account.account_id,
            )
        )

    def share(found: list[dict[str, Any]], key: str) -> float:
        return sum(key not in r["metrics"] for r in found) / len(found)

    assert 0.08 <= share(ad_rows, "clicks") <= 0.4, "ads with impressions and no click"
    assert 0.15 <= share(keyword_rows, "clicks") <= 0.5, "keywords with impressions, no click"
    assert share(ad_rows, "conversions") >= 0.3
    for row in keyword_rows:  # search is billed per click: no click, no cost
        assert ("clicks" in row["metrics"]) == ("costMicros" in row["metrics"])


def test_search_pages_have_only_search_google_ads_response_fields(fake: GoogleAdsFake) -> None:
    fake.search_page_size = 3
    head = headers(fake)
    query = "SELECT campaign.id, campaign.name FROM campaign"
    body: dict[str, Any] = {"returnTotalResultsCount": True}
    pages = []
    while True:
        response = call(fake, query, "search", head=head, **body)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) <= SEARCH_RESPONSE_FIELDS, set(page) - SEARCH_RESPONSE_FIELDS
        assert "requestId" not in page
        assert len(response.headers["request-id"]) == 22
        pages.append(page)
        if "nextPageToken" not in page:
            break
        body = {"pageToken": page["nextPageToken"], "returnTotalResultsCount": True}
    assert len(pages) > 1
    total = sum(len(p.get("results", [])) for p in pages)
    assert {p["totalResultsCount"] for p in pages} == {str(total)}  # int64: a string
    assert all(p["fieldMask"] == "campaign.id,campaign.name" for p in pages)
    assert all(int(p["queryResourceConsumption"]) > 0 for p in pages)


def test_stream_batches_keep_request_id_and_header(fake: GoogleAdsFake) -> None:
    fake.stream_batch_size = 5
    since, until = fake.world.first_day, fake.world.as_of - timedelta(days=1)
    response = call(fake, AD_QUERY.format(since=since, until=until))
    batches = response.json()
    assert len(batches) > 2
    for batch in batches:
        assert set(batch) <= STREAM_RESPONSE_FIELDS, set(batch) - STREAM_RESPONSE_FIELDS
        assert batch["requestId"] == response.headers["request-id"]
    consumption = ["queryResourceConsumption" in b for b in batches]
    assert consumption == [False] * (len(batches) - 1) + [True], "in the final batch only"
    refused = call(fake, "SELECT campaign.id FROM nowhere")
    detail = refused.json()["error"]["details"][0]
    assert detail["requestId"] == refused.headers["request-id"]


def test_final_urls_are_a_repeated_string_left_out_when_empty(fake: GoogleAdsFake) -> None:
    """``ad_group_ad.ad.final_urls``: a JSON array of the landing page; no key when empty."""
    found: dict[str, Any] = {}
    for account in fake.world.accounts("google_ads"):
        answer = call(
            fake,
            "SELECT ad_group_ad.ad.id, ad_group_ad.ad.final_urls FROM ad_group_ad",
            customer=account.account_id,
        )
        for row in rows(answer):
            ad = row["adGroupAd"]["ad"]
            found[ad["id"]] = ad.get("finalUrls", "absent")
    served = {
        a.ad_id: [a.landing_url] if a.landing_url else "absent"
        for account in fake.world.accounts("google_ads")
        for a in fake.world.ads("google_ads", account.account_id)
    }
    assert found == served
    assert "absent" in found.values(), "an ad without a landing page"
    assert any(isinstance(v, list) for v in found.values())
    unasked = rows(call(fake, "SELECT ad_group_ad.ad.id FROM ad_group_ad"))
    assert all("finalUrls" not in r["adGroupAd"]["ad"] for r in unasked), "only fields asked for"
