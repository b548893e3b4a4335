"""The Meta fake speaks Graph's protocol and serves exactly the world."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import requests

from ingestion.sandbox import Faults, MetaFake, World, WorldConfig


@pytest.fixture
def fake() -> Iterator[MetaFake]:
    world = World(WorldConfig(seed=5, scale=0.3, history_days=20, as_of=date(2026, 3, 1)))
    with MetaFake(world, Faults()) as meta:
        yield meta


def get(
    fake: MetaFake, path: str, token: str | None = "sandbox-meta-token", **params: Any
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{fake.base_url}/{path}", params=params, headers=headers, timeout=10)


def walk(fake: MetaFake, path: str, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    response = get(fake, path, **params)
    while True:
        body = response.json()
        rows.extend(body["data"])
        next_url = body.get("paging", {}).get("next")
        if not next_url:
            return rows
        response = requests.get(
            next_url, headers={"Authorization": "Bearer sandbox-meta-token"}, timeout=10
        )


def test_bad_and_expired_tokens_get_code_190(fake: MetaFake) -> None:
    account = fake.world.accounts("meta")[0].account_id
    for token in (None, "wrong"):
        response = get(fake, f"act_{account}", token=token)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == 190 and error["type"] == "OAuthException" and error["fbtrace_id"]
    fake.faults.expire_token()
    error = get(fake, f"act_{account}").json()["error"]
    assert (error["code"], error["error_subcode"]) == (190, 463)
    fake.faults.restore_token()
    assert get(fake, f"act_{account}").status_code == 200


def test_token_as_query_param_works_and_is_not_logged(fake: MetaFake) -> None:
    account = fake.world.accounts("meta")[0].account_id
    response = requests.get(
        f"{fake.base_url}/act_{account}",
        params={"access_token": "sandbox-meta-token", "fields": "currency"},
        timeout=10,
    )
    assert response.json()["currency"] == fake.world.account("meta", account).currency
    assert "sandbox-meta-token" not in json.dumps(fake.requests)


def test_paging_walks_every_ad_once(fake: MetaFake) -> None:
    for account in fake.world.accounts("meta"):
        rows = walk(fake, f"act_{account.account_id}/ads", fields="id,name,creative{id}", limit=4)
        ids = [r["id"] for r in rows]
        assert sorted(ids) == sorted(a.ad_id for a in fake.world.ads("meta", account.account_id))
        assert len(ids) == len(set(ids))
        assert set(rows[0]) == {"id", "name", "creative"}


def test_unknown_account_is_code_100(fake: MetaFake) -> None:
    error = get(fake, "act_1").json()["error"]
    assert (error["code"], error["error_subcode"]) == (100, 33)


def test_sync_insights_are_strings_and_sum_to_the_world(fake: MetaFake) -> None:
    world = fake.world
    account = world.accounts("meta")[0]
    time_range = json.dumps({"since": str(world.first_day), "until": str(world.as_of)})
    rows = walk(
        fake,
        f"act_{account.account_id}/insights",
        level="ad",
        time_increment=1,
        time_range=time_range,
        fields="ad_id,impressions,spend,actions",
        limit=50,
    )
    assert all(isinstance(r["impressions"], str) and isinstance(r["spend"], str) for r in rows)
    served = [
        s
        for s in world.daily_stats("meta", account.account_id, world.first_day, world.as_of)
        if s.impressions
    ]
    assert len(rows) == len(served)
    assert sum(Decimal(r["spend"]) for r in rows) == sum(s.spend for s in served)
    purchases = sum(
        int(a["value"])
        for r in rows
        for a in r.get("actions", [])
        if a["action_type"] == "purchase"
    )
    assert purchases == sum(s.actions.get("purchase", 0) for s in served)


def test_async_report_run_flow_and_failure(fake: MetaFake) -> None:
    world = fake.world
    account = world.accounts("meta")[0].account_id
    params = {
        "level": "ad",
        "time_increment": "1",
        "fields": "ad_id,spend",
        "time_range": json.dumps({"since": str(world.first_day), "until": str(world.as_of)}),
    }
    auth = {"Authorization": "Bearer sandbox-meta-token"}
    run_id = requests.post(
        f"{fake.base_url}/act_{account}/insights", data=params, headers=auth, timeout=10
    ).json()["report_run_id"]
    assert get(fake, f"{run_id}/insights").status_code == 400  # not ready yet
    states, percents = [], []
    while not states or states[-1] != "Job Completed":
        status = get(fake, run_id).json()
        states.append(status["async_status"])
        percents.append(status["async_percent_completion"])
        assert len(states) < 10
    assert states[0] == "Job Not Started" and percents == sorted(percents) and percents[-1] == 100
    assert len(walk(fake, f"{run_id}/insights", limit=25)) > 25
    fake.faults.async_fail_next(1)
    failed_id = requests.post(
        f"{fake.base_url}/act_{account}/insights", data=params, headers=auth, timeout=10
    ).json()["report_run_id"]
    states = [get(fake, failed_id).json()["async_status"] for _ in range(5)]
    assert "Job Failed" in states and "Job Completed" not in states


def test_rate_limits_and_faults(fake: MetaFake) -> None:
    account = fake.world.accounts("meta")[0].account_id
    fake.faults.rate_limit_next(1, code=17)
    fake.faults.rate_limit_next(1, code=80004)
    first, second = get(fake, f"act_{account}/campaigns"), get(fake, f"act_{account}/campaigns")
    assert first.json()["error"]["code"] == 17 and second.json()["error"]["code"] == 80004
    usage = json.loads(second.headers["X-Business-Use-Case-Usage"])
    assert next(iter(usage.values()))[0]["call_count"] == 100
    assert json.loads(second.headers["X-Ad-Account-Usage"])["acc_id_util_pct"] == 100
    fake.faults.throttle_next(1, retry_after=7)
    throttled = get(fake, f"act_{account}")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "7"
    fake.faults.fail_next(1, status=502)
    assert get(fake, f"act_{account}").status_code == 502
    fake.faults.truncate_next(1)
    truncated = get(fake, f"act_{account}", fields="name,currency")
    with pytest.raises(ValueError):
        truncated.json()
    assert get(fake, f"act_{account}").json()["id"] == f"act_{account}"
