"""The Kakao Moment fake speaks Kakao's protocol and serves exactly the world."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests

from ingestion import clock
from ingestion.sandbox import Faults, World, WorldConfig
from ingestion.sandbox.kakao_moment_api import KakaoMomentFake

TOKEN = "sandbox-kakao-business-token"
INTERVAL = 0.3


@pytest.fixture
def fake() -> Iterator[KakaoMomentFake]:
    as_of = clock.today() - timedelta(days=3)
    world = World(WorldConfig(seed=5, scale=0.3, history_days=20, as_of=as_of))
    with KakaoMomentFake(world, Faults(), report_interval=INTERVAL) as kakao:
        yield kakao  # type: ignore[misc]


def account(fake: KakaoMomentFake, n: int = 0) -> str:
    return fake.world.accounts("kakao_moment")[n].account_id


def get(
    fake: KakaoMomentFake,
    path: str,
    account_id: str | None = None,
    token: str | None = TOKEN,
    **params: Any,
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if account_id:
        headers["adAccountId"] = account_id
    return requests.get(f"{fake.base_url}{path}", params=params, headers=headers, timeout=10)


def ymd(day: date) -> str:
    return day.strftime("%Y%m%d")


def report(fake: KakaoMomentFake, account_id: str, since: date, until: date) -> requests.Response:
    ids = ",".join(a.ad_id for a in fake.world.ads("kakao_moment", account_id))
    return get(
        fake,
        "/openapi/v4/creatives/report",
        account_id,
        creativeId=ids,
        start=ymd(since),
        end=ymd(until),
        timeUnit="DAY",
        metricsGroup="BASIC,ADDITION,PIXEL_SDK_CONVERSION",
    )


def test_tokens_are_checked_with_code_minus_401(fake: KakaoMomentFake) -> None:
    for token in (None, "wrong"):
        response = get(fake, "/openapi/v4/campaigns", account(fake), token=token)
        assert response.status_code == 401
        assert response.json() == {"code": -401, "msg": "this access token does not exist"}
    fake.faults.expire_token()
    response = get(fake, "/openapi/v4/campaigns", account(fake))
    assert (response.status_code, response.json()["code"]) == (401, -401)
    assert "expired" in response.json()["msg"]
    fake.faults.restore_token()
    assert get(fake, "/openapi/v4/campaigns", account(fake)).status_code == 200


def test_refresh_token_issues_a_token_valid_while_old_ones_are_expired(
    fake: KakaoMomentFake,
) -> None:
    fake.faults.expire_token()
    assert get(fake, "/openapi/v4/campaigns", account(fake)).status_code == 401
    form = {
        "grant_type": "refresh_token",
        "client_id": fake.client_id,
        "client_secret": fake.client_secret,
        "refresh_token": fake.refresh_token,
    }
    answer = requests.post(f"{fake.root_url}/oauth/token", data=form, timeout=10)
    assert answer.status_code == 200 and answer.json()["token_type"] == "bearer"
    new_token = answer.json()["access_token"]
    assert get(fake, "/openapi/v4/campaigns", account(fake), token=new_token).status_code == 200
    bad = requests.post(
        f"{fake.root_url}/oauth/token", data={**form, "refresh_token": "nope"}, timeout=10
    )
    assert bad.status_code == 400 and bad.json()["error_code"] == "KOE322"
    logged = json.dumps(fake.requests)
    assert fake.refresh_token not in logged and fake.client_secret not in logged


def test_account_header_is_required_and_checked(fake: KakaoMomentFake) -> None:
    missing = get(fake, "/openapi/v4/campaigns")
    assert missing.status_code == 400 and missing.json()["code"] == -2
    unknown = get(fake, "/openapi/v4/campaigns", "1")
    assert unknown.status_code == 403
    body = unknown.json()
    assert body["code"] == -813 and body["msg"] == "KakaoMomentException"
    assert body["extras"]["detailCode"] == 21006


def test_account_pages_walk_every_account_once(fake: KakaoMomentFake) -> None:
    ids: list[str] = []
    page = 0
    while True:
        body = get(fake, "/openapi/v4/adAccounts/pages", page=page, size=2).json()
        ids.extend(str(row["id"]) for row in body["content"])
        if body["last"]:
            break
        page += 1
    assert sorted(ids) == sorted(a.account_id for a in fake.world.accounts("kakao_moment"))
    assert page >= 1


def test_entities_follow_the_world(fake: KakaoMomentFake) -> None:
    account_id = account(fake)
    world = fake.world
    detail = get(fake, f"/openapi/v4/adAccounts/{account_id}", account_id).json()
    assert detail["name"] == world.account("kakao_moment", account_id).name
    campaigns = get(fake, "/openapi/v4/campaigns", account_id, config="ON,OFF").json()["content"]
    assert sorted(str(c["id"]) for c in campaigns) == sorted(
        c.campaign_id for c in world.campaigns("kakao_moment", account_id)
    )
    campaign = world.campaigns("kakao_moment", account_id)[0]
    one = get(fake, f"/openapi/v4/campaigns/{campaign.campaign_id}", account_id).json()
    assert one["campaignTypeGoal"]["campaignType"] == campaign.objective
    assert one["dailyBudgetAmount"] == campaign.daily_budget_minor
    groups = get(fake, "/openapi/v4/adGroups", account_id, campaignId=campaign.campaign_id)
    group_ids = {str(g["id"]) for g in groups.json()["content"]}
    assert group_ids == {
        g.ad_group_id
        for g in world.ad_groups("kakao_moment", account_id)
        if g.campaign_id == campaign.campaign_id
    }
    group_id = sorted(group_ids)[0]
    creatives = get(fake, "/openapi/v4/creatives", account_id, adGroupId=group_id).json()
    assert {str(c["id"]) for c in creatives["content"]} == {
        a.ad_id for a in world.ads("kakao_moment", account_id) if a.ad_group_id == group_id
    }
    assert get(fake, "/openapi/v4/adGroups", account_id).status_code == 400  # campaignId missing


def test_creative_detail_carries_the_landing(fake: KakaoMomentFake) -> None:
    """``GET /creatives/{id}``: URL landings in three fields, other landings in landingInfo."""
    world = fake.world
    creatives = [
        (acc.account_id, a)
        for acc in world.accounts("kakao_moment")
        for a in world.ads("kakao_moment", acc.account_id)
    ]
    account_id, with_url = next((i, a) for i, a in creatives if a.landing_url)
    one = get(fake, f"/openapi/v4/creatives/{with_url.ad_id}", account_id).json()
    assert one["id"] == int(with_url.ad_id) and one["name"] == with_url.name
    assert one["rspvLandingUrl"] == one["mobileLandingUrl"] == with_url.landing_url
    assert one["landingInfo"] is None
    account_id, without = next((i, a) for i, a in creatives if a.landing_url is None)
    other = get(fake, f"/openapi/v4/creatives/{without.ad_id}", account_id).json()
    assert other["rspvLandingUrl"] is None and other["landingInfo"]["adViewItem"]["id"]
    listed = get(fake, "/openapi/v4/creatives", account_id, adGroupId=without.ad_group_id).json()
    assert all("rspvLandingUrl" not in c for c in listed["content"]), "the list has no landing"
    assert get(fake, "/openapi/v4/creatives/1", account_id).status_code == 400


def test_report_serves_the_world_with_kakao_metric_names(fake: KakaoMomentFake) -> None:
    account_id = account(fake)
    world = fake.world
    since, until = world.first_day, world.as_of - timedelta(days=1)
    body = report(fake, account_id, since, until).json()
    assert (body["code"], body["message"]) == (200, "Success")
    served = {
        (s.ad.ad_id, s.date.isoformat()): s
        for s in world.daily_stats("kakao_moment", account_id, since, until)
        if s.impressions > 0
    }
    rows = {(r["dimensions"]["creative_id"], r["start"]): r for r in body["data"]}
    assert set(rows) == set(served)
    for key, row in rows.items():
        stat, metrics = served[key], row["metrics"]
        assert row["start"] == row["end"]
        assert (metrics["imp"], metrics["click"], metrics["reach"]) == (
            stat.impressions,
            stat.clicks,
            stat.reach,
        )
        assert Decimal(str(metrics["cost"])) == stat.spend
        assert metrics["conv_purchase_7d"] == stat.actions.get("purchase", 0)
        assert metrics["conv_add_to_cart_7d"] == stat.actions.get("add_to_cart", 0)
        assert metrics["conv_cmpt_reg_7d"] == stat.actions.get("sign_up", 0)
        assert metrics["conv_signup_7d"] == stat.actions.get("lead", 0)
        assert metrics["conv_app_install_7d"] == stat.actions.get("install", 0)
        assert Decimal(str(metrics["conv_purchase_p_7d"])) == stat.action_values.get(
            "purchase", Decimal(0)
        )
        assert metrics["conv_purchase_1d"] <= metrics["conv_purchase_7d"]


def test_report_without_delivery_answers_empty_data(fake: KakaoMomentFake) -> None:
    before = fake.world.first_day - timedelta(days=10)
    body = report(fake, account(fake), before, before + timedelta(days=3)).json()
    assert body == {"code": 200, "message": "Success", "data": []}


def test_report_range_over_31_days_or_with_today_is_rejected(fake: KakaoMomentFake) -> None:
    today = KakaoMomentFake.today()
    too_long = report(fake, account(fake), today - timedelta(days=40), today - timedelta(days=9))
    assert too_long.status_code == 400 and too_long.json()["code"] == -813
    clock.sleep(INTERVAL)
    with_today = report(fake, account(fake), today - timedelta(days=2), today)
    assert with_today.status_code == 400 and with_today.json()["code"] == -813
    clock.sleep(INTERVAL)
    ok = report(fake, account(fake), today - timedelta(days=31), today - timedelta(days=1))
    assert ok.status_code == 200


def test_second_report_call_within_the_interval_gets_429(fake: KakaoMomentFake) -> None:
    day = fake.world.as_of - timedelta(days=2)
    assert report(fake, account(fake), day, day).status_code == 200
    too_soon = report(fake, account(fake), day, day)
    assert too_soon.status_code == 429
    assert too_soon.json()["code"] == -813 and fake.rate_limited == 1
    assert report(fake, account(fake, 1), day, day).status_code == 200  # other account
    clock.sleep(INTERVAL)
    assert report(fake, account(fake), day, day).status_code == 200
    assert get(fake, "/openapi/v4/campaigns", account(fake)).status_code == 200  # not paced


def test_faults_come_back_in_kakao_shapes(fake: KakaoMomentFake) -> None:
    fake.faults.fail_next(1, status=503)
    failed = get(fake, "/openapi/v4/campaigns", account(fake))
    assert failed.status_code == 503 and failed.json()["code"] == -1
    fake.faults.throttle_next(1, retry_after=2)
    throttled = get(fake, "/openapi/v4/campaigns", account(fake))
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2"
    assert throttled.json()["code"] == -813
    fake.faults.rate_limit_next(1, code=-10)
    quota = get(fake, "/openapi/v4/campaigns", account(fake))
    assert quota.status_code == 400 and quota.json()["code"] == -10
