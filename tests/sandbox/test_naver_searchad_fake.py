"""The Naver Search Ad fake speaks Naver's protocol: signatures, entities, report jobs, TSV."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests

from ingestion import clock
from ingestion.sandbox import Faults, World, WorldConfig
from ingestion.sandbox.naver_searchad_api import NaverSearchAdFake, signature

PLATFORM = "naver_searchad"


@pytest.fixture
def world() -> World:
    as_of = clock.today()
    return World(WorldConfig(seed=11, scale=0.3, history_days=12, as_of=as_of))


@pytest.fixture
def fake(world: World) -> Iterator[NaverSearchAdFake]:
    with NaverSearchAdFake(world, Faults()) as running:
        assert isinstance(running, NaverSearchAdFake)
        yield running


def call(
    fake: NaverSearchAdFake,
    method: str,
    path: str,
    customer: str,
    *,
    secret: str | None = None,
    signed_path: str | None = None,
    timestamp: str | None = None,
    api_key: str | None = None,
    method_signed: str | None = None,
    **kwargs: Any,
) -> requests.Response:
    stamp = timestamp or str(int(clock.now().timestamp() * 1000))
    url = path if path.startswith("http") else fake.base_url + path
    headers = {
        "X-Timestamp": stamp,
        "X-API-KEY": api_key or fake.api_key,
        "X-Customer": customer,
        "X-Signature": signature(
            secret or fake.secret_key,
            stamp,
            method_signed or method,
            signed_path or path.split("?")[0],
        ),
    }
    return requests.request(method, url, headers=headers, timeout=10, **kwargs)


def customer(world: World) -> str:
    return world.accounts(PLATFORM)[0].account_id


def test_signed_as_naver_samples_sign_is_accepted(fake: NaverSearchAdFake, world: World) -> None:
    answer = call(fake, "GET", "/ncc/campaigns", customer(world))
    assert answer.status_code == 200
    ids = {c["nccCampaignId"] for c in answer.json()}
    assert ids == {c.campaign_id for c in world.campaigns(PLATFORM, customer(world))}
    assert all(i.startswith("cmp-") for i in ids)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"secret": "not-the-secret"}, "invalid-signature"),
        ({"signed_path": "/ncc/adgroups"}, "invalid-signature"),
        ({"method_signed": "POST"}, "invalid-signature"),
        ({"timestamp": str(int(clock.now().timestamp() * 1000) - 3_600_000)}, "invalid-timestamp"),
        ({"api_key": "0100000000someone-else"}, "invalid-apikey"),
    ],
)
def test_a_wrong_signature_is_refused_with_the_gateways_problem_document(
    fake: NaverSearchAdFake, world: World, change: dict[str, str], problem: str
) -> None:
    answer = call(fake, "GET", "/ncc/campaigns", customer(world), **change)
    assert answer.status_code == 403
    body = answer.json()
    assert body["type"] == f"urn:naver:api:problem:{problem}"
    assert body["status"] == 403 and body["title"] and body["detail"]
    assert fake.secret_key not in answer.text


def test_a_rotated_secret_key_invalidates_every_signature(
    fake: NaverSearchAdFake, world: World
) -> None:
    fake.faults.expire_token()
    refused = call(fake, "GET", "/ncc/campaigns", customer(world))
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:naver:api:problem:invalid-signature"
    fake.faults.restore_token()
    assert call(fake, "GET", "/ncc/campaigns", customer(world)).status_code == 200


def test_the_query_string_is_not_signed(fake: NaverSearchAdFake, world: World) -> None:
    group = world.ad_groups(PLATFORM, customer(world))[0].ad_group_id
    answer = call(fake, "GET", f"/ncc/ads?nccAdgroupId={group}", customer(world))
    assert answer.status_code == 200 and answer.json()
    wrong = call(
        fake,
        "GET",
        f"/ncc/ads?nccAdgroupId={group}",
        customer(world),
        signed_path=f"/ncc/ads?nccAdgroupId={group}",
    )
    assert wrong.status_code == 403


def test_a_customer_the_license_is_not_linked_to_fails_auth(world: World) -> None:
    first, *others = [a.account_id for a in world.accounts(PLATFORM)]
    with NaverSearchAdFake(world, Faults(), customer_ids=others) as fake:
        assert isinstance(fake, NaverSearchAdFake)
        assert fake.source_options()["customer_ids"] == others
        answer = call(fake, "GET", "/ncc/campaigns", first)
        assert answer.status_code == 403
        assert answer.json()["type"] == "urn:naver:api:problem:auth-failed"
        assert first in answer.json()["detail"]


def test_ad_accounts_list_every_linked_customer_with_its_world_name(
    fake: NaverSearchAdFake, world: World
) -> None:
    answer = call(fake, "GET", "/ad-accounts", customer(world))
    assert answer.status_code == 200
    page = answer.json()
    accounts = world.accounts(PLATFORM)
    assert page["totalElements"] == len(accounts) and page["last"] and page["first"]
    assert page["number"] == 0 and page["size"] == 20 and page["numberOfElements"] == len(accounts)
    assert not page["empty"] and page["pageable"]["pageNumber"] == 0
    named = {
        str(i["adAccount"]["masterCustomerId"]): i["adAccount"]["name"] for i in page["content"]
    }
    assert named == {a.account_id: a.name for a in accounts}
    item = page["content"][0]
    # Fields a real account sends that ARGO does not read are served too.
    assert {"adAccountNo", "naverId", "roleName", "favorite", "createdAt", "lastAccessTime"} <= set(
        item
    )
    detail = item["adAccount"]
    assert detail["no"] == item["adAccountNo"] and isinstance(detail["masterCustomerId"], int)
    assert {
        "currency",
        "country",
        "timezone",
        "timezoneId",
        "disabled",
        "deleted",
        "deletedAt",
    } <= set(detail)
    assert detail["penalty"] == {"penalized": False} and detail["deletedAt"] is None


def test_ad_accounts_pages_from_zero_and_caps_the_size(
    fake: NaverSearchAdFake, world: World
) -> None:
    accounts = world.accounts(PLATFORM)
    seen = []
    for number in range(len(accounts)):
        page = call(fake, "GET", f"/ad-accounts?page={number}&size=1", customer(world)).json()
        assert page["number"] == number and page["totalPages"] == len(accounts)
        assert page["last"] == (number == len(accounts) - 1)
        seen += [i["adAccount"]["masterCustomerId"] for i in page["content"]]
    assert sorted(seen) == sorted(int(a.account_id) for a in accounts)
    beyond = call(fake, "GET", f"/ad-accounts?page={len(accounts)}&size=1", customer(world))
    assert beyond.json()["content"] == [] and beyond.json()["empty"]
    for query in ("size=1001", "size=0", "page=-1", "size=x"):
        refused = call(fake, "GET", f"/ad-accounts?{query}", customer(world))
        assert refused.status_code == 400 and refused.json()["code"] == 1002


def test_ad_accounts_is_signed_as_every_call_and_empty_for_a_member_of_none(
    world: World,
) -> None:
    with NaverSearchAdFake(world, Faults(), member_of=[]) as fake:
        assert isinstance(fake, NaverSearchAdFake)
        wrong = call(fake, "GET", "/ad-accounts", customer(world), secret="not-the-secret")
        assert wrong.status_code == 403
        assert wrong.json()["type"] == "urn:naver:api:problem:invalid-signature"
        stranger = call(fake, "GET", "/ad-accounts", "9999999")
        assert stranger.json()["type"] == "urn:naver:api:problem:auth-failed"
        page = call(fake, "GET", "/ad-accounts", customer(world)).json()
        assert page["content"] == [] and page["empty"] and page["totalElements"] == 0
        assert page["last"] and page["totalPages"] == 0


def test_another_customers_id_is_1018_no_permission(fake: NaverSearchAdFake, world: World) -> None:
    mine, theirs = (a.account_id for a in world.accounts(PLATFORM)[:2])
    group = world.ad_groups(PLATFORM, theirs)[0]
    for path in (
        f"/ncc/keywords?nccAdgroupId={group.ad_group_id}",
        f"/ncc/ads?nccAdgroupId={group.ad_group_id}",
        f"/ncc/adgroups?nccCampaignId={group.campaign_id}",
    ):
        answer = call(fake, "GET", path, mine)
        assert answer.status_code == 404, path
        assert answer.json() == {
            "code": 1018,
            "status": 404,
            "title": "No permission to access the resource.",
        }


def test_keywords_exist_only_for_power_link_groups(fake: NaverSearchAdFake, world: World) -> None:
    for account in world.accounts(PLATFORM):
        groups = call(fake, "GET", "/ncc/adgroups", account.account_id).json()
        for group in groups:
            keywords = call(
                fake,
                "GET",
                f"/ncc/keywords?nccAdgroupId={group['nccAdgroupId']}",
                account.account_id,
            ).json()
            if group["adgroupType"] != "WEB_SITE":
                assert keywords == []
            expected = {
                k.keyword_id
                for k in world.keywords(PLATFORM, account.account_id)
                if k.ad_group_id == group["nccAdgroupId"]
            }
            assert {k["nccKeywordId"] for k in keywords} == expected


def run_job(fake: NaverSearchAdFake, who: str, report: str, day: str) -> tuple[list[str], str]:
    job = call(fake, "POST", "/stat-reports", who, json={"reportTp": report, "statDt": day}).json()
    statuses = [job["status"]]
    while statuses[-1] not in ("BUILT", "NONE", "ERROR", "CHANGED"):
        job = call(fake, "GET", f"/stat-reports/{job['reportJobId']}", who).json()
        statuses.append(job["status"])
    text = ""
    if statuses[-1] == "BUILT":
        answer = call(fake, "GET", job["downloadUrl"], who, signed_path="/report-download")
        assert answer.status_code == 200
        text = answer.text
    gone = call(fake, "DELETE", f"/stat-reports/{job['reportJobId']}", who)
    assert gone.status_code == 204
    again = call(fake, "GET", f"/stat-reports/{job['reportJobId']}", who)
    assert again.status_code == 404 and again.json()["code"] == 4601
    return statuses, text


def test_report_job_goes_through_naver_statuses_and_the_tsv_adds_up(
    fake: NaverSearchAdFake, world: World
) -> None:
    fake.faults.async_polls = 3
    who = customer(world)
    day = world.as_of - timedelta(days=2)
    statuses, text = run_job(fake, who, "AD", day.strftime("%Y%m%d"))
    assert statuses[0] == "REGIST" and statuses[-1] == "BUILT"
    assert set(statuses[1:-1]) <= {"RUNNING", "WAITING", "AGGREGATING"} and len(statuses) == 5
    lines = text.splitlines()
    assert lines and all(len(line.split("\t")) == 14 for line in lines), "14 columns, no header"
    assert not lines[0].split("\t")[-5].isalpha(), "the first line is data, not a header"
    served = [s for s in world.daily_stats(PLATFORM, who, day, day) if s.impressions]
    cost = sum(Decimal(line.split("\t")[11]) for line in lines)
    impressions = sum(int(line.split("\t")[9]) for line in lines)
    assert cost == sum(s.spend for s in served)
    assert impressions == sum(s.impressions for s in served)
    assert {line.split("\t")[8] for line in lines} == {"P", "M"}

    _, conversions = run_job(fake, who, "AD_CONVERSION", day.strftime("%Y%m%d"))
    by_kind: dict[str, int] = defaultdict(int)
    for line in conversions.splitlines():
        fields = line.split("\t")
        assert len(fields) == 13 and fields[9] in ("1", "2")
        by_kind[fields[10]] += int(fields[11])
    expected: dict[str, int] = defaultdict(int)
    for s in served:
        for kind, count in s.actions.items():
            expected[kind] += count
    assert dict(by_kind) == dict(expected)
    sales = sum(int(line.split("\t")[12]) for line in conversions.splitlines())
    assert sales == sum(sum(s.action_values.values(), Decimal(0)) for s in served)


def test_keyword_rows_are_the_worlds_keyword_split_and_other_rows_have_none(
    fake: NaverSearchAdFake, world: World
) -> None:
    day = world.as_of - timedelta(days=3)
    keywords_seen: set[str] = set()
    for account in world.accounts(PLATFORM):
        who = account.account_id
        _, text = run_job(fake, who, "AD", day.strftime("%Y%m%d"))
        by_keyword: dict[tuple[str, str], int] = defaultdict(int)
        for line in text.splitlines():
            fields = line.split("\t")
            by_keyword[(fields[5], fields[4])] += int(fields[9])
        expected: dict[tuple[str, str], int] = {}
        for stat in world.daily_stats(PLATFORM, who, day, day):
            if not stat.impressions:
                continue
            parts = world.keyword_stats(stat)
            for part in parts:
                if part.impressions:
                    expected[(stat.ad.ad_id, part.keyword.keyword_id)] = part.impressions
            if not parts:
                expected[(stat.ad.ad_id, "-")] = stat.impressions
        assert dict(by_keyword) == expected, who
        keywords_seen |= {k for _, k in expected}
    assert "-" in keywords_seen and len(keywords_seen) > 1, "both kinds of rows were checked"


@pytest.mark.parametrize("stat_dt", ["2026-11-01", "yesterday", "20261301"])
def test_a_stat_date_naver_cannot_read_is_11001(
    fake: NaverSearchAdFake, world: World, stat_dt: str
) -> None:
    body = {"reportTp": "AD", "statDt": stat_dt}
    answer = call(fake, "POST", "/stat-reports", customer(world), json=body)
    assert answer.status_code == 400 and answer.json()["code"] == 11001


def test_the_iso_form_of_the_stat_date_is_accepted_too(
    fake: NaverSearchAdFake, world: World
) -> None:
    day = world.as_of - timedelta(days=2)
    body = {"reportTp": "AD", "statDt": f"{day.isoformat()}T00:00:00Z"}
    answer = call(fake, "POST", "/stat-reports", customer(world), json=body)
    assert answer.status_code == 200 and answer.json()["status"] == "REGIST"
    assert answer.json()["statDt"].startswith(day.isoformat())


def test_a_day_not_aggregated_yet_is_20007(fake: NaverSearchAdFake, world: World) -> None:
    body = {"reportTp": "AD_CONVERSION", "statDt": world.as_of.strftime("%Y%m%d")}
    answer = call(fake, "POST", "/stat-reports", customer(world), json=body)
    assert answer.status_code == 400
    assert answer.json() == {"code": 20007, "message": "해당 일자 지표 준비중입니다."}


def test_a_built_job_of_a_restated_day_turns_changed(fake: NaverSearchAdFake, world: World) -> None:
    fake.faults.async_polls = 0
    who = customer(world)
    day = (world.as_of - timedelta(days=2)).strftime("%Y%m%d")
    job = call(fake, "POST", "/stat-reports", who, json={"reportTp": "AD", "statDt": day}).json()
    built = call(fake, "GET", f"/stat-reports/{job['reportJobId']}", who).json()
    assert built["status"] == "BUILT" and built["downloadUrl"]
    world.advance(1)
    changed = call(fake, "GET", f"/stat-reports/{job['reportJobId']}", who).json()
    assert changed["status"] == "CHANGED"
    stale = call(fake, "GET", built["downloadUrl"], who, signed_path="/report-download")
    assert stale.status_code == 404 and stale.json()["code"] == 4601


def test_a_customer_keeps_at_most_100_jobs(fake: NaverSearchAdFake, world: World) -> None:
    who = customer(world)
    day = (world.as_of - timedelta(days=2)).strftime("%Y%m%d")
    ids = [
        call(fake, "POST", "/stat-reports", who, json={"reportTp": "AD", "statDt": day}).json()[
            "reportJobId"
        ]
        for _ in range(101)
    ]
    oldest = call(fake, "GET", f"/stat-reports/{ids[0]}", who)
    assert oldest.status_code == 404 and oldest.json()["code"] == 4601
    assert call(fake, "GET", f"/stat-reports/{ids[1]}", who).status_code == 200


def test_a_day_without_delivery_is_none_and_a_failed_job_is_error(
    fake: NaverSearchAdFake, world: World
) -> None:
    who = customer(world)
    before = (world.first_day - timedelta(days=30)).strftime("%Y%m%d")
    assert run_job(fake, who, "AD", before)[0][-1] == "NONE"
    fake.faults.async_fail_next(1)
    day = (world.as_of - timedelta(days=2)).strftime("%Y%m%d")
    assert run_job(fake, who, "AD", day)[0][-1] == "ERROR"


def test_rate_limit_and_maintenance_answers_are_naver_shaped(
    fake: NaverSearchAdFake, world: World
) -> None:
    fake.faults.rate_limit_next(1)
    limited = call(fake, "GET", "/ncc/campaigns", customer(world))
    assert limited.status_code == 429 and limited.json()["code"] == 1016
    fake.faults.throttle_next(1, retry_after=2)
    throttled = call(fake, "GET", "/ncc/campaigns", customer(world))
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2"
    assert throttled.json() == {
        "code": 429,
        "status": 429,
        "title": "Cannot handle the request. Too many requests already exist.",
    }
    fake.faults.fail_next(1, status=503)
    down = call(fake, "GET", "/ncc/campaigns", customer(world))
    assert down.status_code == 503 and down.json()["code"] == 503
