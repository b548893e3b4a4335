"""The Naver Search Ad fake speaks Naver's protocol: signatures, entities, report jobs, TSV."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests

from ingestion.sandbox import Faults, World, WorldConfig
from ingestion.sandbox.naver_searchad_api import NaverSearchAdFake, signature

PLATFORM = "naver_searchad"


@pytest.fixture
def world() -> World:
    as_of = datetime.now(UTC).date()
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
    **kwargs: Any,
) -> requests.Response:
    stamp = timestamp or str(int(time.time() * 1000))
    url = path if path.startswith("http") else fake.base_url + path
    headers = {
        "X-Timestamp": stamp,
        "X-API-KEY": fake.api_key,
        "X-Customer": customer,
        "X-Signature": signature(
            secret or fake.secret_key, stamp, method, signed_path or path.split("?")[0]
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
    ("change", "expected_code"),
    [
        ({"secret": "not-the-secret"}, 1006),
        ({"timestamp": str(int(time.time() * 1000) - 3_600_000)}, 1006),
        ({"signed_path": "/ncc/adgroups"}, 1006),
    ],
)
def test_a_wrong_signature_is_refused_in_naver_shape(
    fake: NaverSearchAdFake, world: World, change: dict[str, str], expected_code: int
) -> None:
    answer = call(fake, "GET", "/ncc/campaigns", customer(world), **change)
    assert answer.status_code == 403
    body = answer.json()
    assert body["code"] == expected_code and body["status"] == 403 and body["title"]


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


def test_a_customer_the_license_cannot_act_for_gets_1018(fake: NaverSearchAdFake) -> None:
    answer = call(fake, "GET", "/ncc/campaigns", "999")
    assert answer.status_code == 403 and answer.json()["code"] == 1018


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
    while statuses[-1] not in ("BUILT", "NONE", "ERROR"):
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
    fake.faults.fail_next(1, status=503)
    down = call(fake, "GET", "/ncc/campaigns", customer(world))
    assert down.status_code == 503 and down.json()["code"] == 503
