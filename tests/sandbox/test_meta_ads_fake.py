"""The Meta fake speaks Graph's protocol and serves exactly the world."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import requests

from ingestion.sandbox import Faults, MetaAdsFake, World, WorldConfig


@pytest.fixture
def fake() -> Iterator[MetaAdsFake]:
    world = World(WorldConfig(seed=5, scale=0.3, history_days=20, as_of=date(2026, 3, 1)))
    with MetaAdsFake(world, Faults()) as meta:
        yield meta


def get(
    fake: MetaAdsFake, path: str, token: str | None = "sandbox-meta-token", **params: Any
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{fake.base_url}/{path}", params=params, headers=headers, timeout=10)


def walk(fake: MetaAdsFake, path: str, **params: Any) -> list[dict[str, Any]]:
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


def test_bad_and_expired_tokens_get_code_190(fake: MetaAdsFake) -> None:
    account = fake.world.accounts("meta_ads")[0].account_id
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


def test_token_as_query_param_works_and_is_not_logged(fake: MetaAdsFake) -> None:
    account = fake.world.accounts("meta_ads")[0].account_id
    response = requests.get(
        f"{fake.base_url}/act_{account}",
        params={"access_token": "sandbox-meta-token", "fields": "currency"},
        timeout=10,
    )
    assert response.json()["currency"] == fake.world.account("meta_ads", account).currency
    assert "sandbox-meta-token" not in json.dumps(fake.requests)


def test_paging_walks_every_ad_once(fake: MetaAdsFake) -> None:
    for account in fake.world.accounts("meta_ads"):
        rows = walk(fake, f"act_{account.account_id}/ads", fields="id,name,creative{id}", limit=4)
        ids = [r["id"] for r in rows]
        assert sorted(ids) == sorted(
            a.ad_id for a in fake.world.ads("meta_ads", account.account_id)
        )
        assert len(ids) == len(set(ids))
        assert set(rows[0]) == {"id", "name", "creative"}


def test_unknown_account_is_code_100(fake: MetaAdsFake) -> None:
    error = get(fake, "act_1").json()["error"]
    assert (error["code"], error["error_subcode"]) == (100, 33)


def test_sync_insights_are_strings_and_sum_to_the_world(fake: MetaAdsFake) -> None:
    world = fake.world
    account = world.accounts("meta_ads")[0]
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
        for s in world.daily_stats("meta_ads", account.account_id, world.first_day, world.as_of)
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


def test_async_report_run_flow_and_failure(fake: MetaAdsFake) -> None:
    world = fake.world
    account = world.accounts("meta_ads")[0].account_id
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


def test_rate_limits_and_faults(fake: MetaAdsFake) -> None:
    account = fake.world.accounts("meta_ads")[0].account_id
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


# -- what Meta's SDK and peer connectors send (issue 12) ---------------------------------------
AUTH = {"Authorization": "Bearer sandbox-meta-token"}


def post(fake: MetaAdsFake, path: str, **data: Any) -> requests.Response:
    return requests.post(f"{fake.base_url}/{path}", data=data, headers=AUTH, timeout=10)


def report(
    fake: MetaAdsFake, path: str, **data: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Starts a report run, polls it to completion; its last status and its rows."""
    run_id = post(fake, path, **data).json()["report_run_id"]
    for _ in range(10):
        status = get(fake, run_id).json()
        if status["async_status"] == "Job Completed":
            return status, walk(fake, f"{run_id}/insights", limit=100)
    raise AssertionError(f"report {run_id} did not complete")


def refusal(response: requests.Response) -> str:
    """The message of a Graph code-100 refusal (asserting its shape)."""
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == 100 and error["type"] and error["fbtrace_id"], error
    return str(error["message"])


def world_totals(
    fake: MetaAdsFake, account_id: str, since: date, until: date, ad_ids: set[str] | None = None
) -> tuple[int, int, Decimal]:
    stats = [
        s
        for s in fake.world.daily_stats("meta_ads", account_id, since, until)
        if ad_ids is None or s.ad.ad_id in ad_ids
    ]
    return (
        sum(s.impressions for s in stats),
        sum(s.clicks for s in stats),
        sum((s.spend for s in stats), Decimal(0)),
    )


def row_totals(rows: list[dict[str, Any]]) -> tuple[int, int, Decimal]:
    return (
        sum(int(r["impressions"]) for r in rows),
        sum(int(r["clicks"]) for r in rows),
        sum((Decimal(r["spend"]) for r in rows), Decimal(0)),
    )


def days(since: str, until: str) -> str:
    return json.dumps({"since": since, "until": until})


def test_async_report_reads_fields_sent_as_a_json_array(fake: MetaAdsFake) -> None:
    account = fake.world.accounts("meta_ads")[0].account_id
    params = {"level": "ad", "time_increment": "1", "time_range": days("2026-02-10", "2026-02-20")}
    _, as_array = report(
        fake, f"act_{account}/insights", fields='["ad_id","impressions","clicks","spend"]', **params
    )
    _, as_string = report(
        fake, f"act_{account}/insights", fields="ad_id,impressions,clicks,spend", **params
    )
    assert as_array and as_array == as_string
    assert set(as_array[0]) == {
        "ad_id",
        "impressions",
        "clicks",
        "spend",
        "date_start",
        "date_stop",
    }
    world = world_totals(fake, account, date(2026, 2, 10), date(2026, 2, 20))
    assert row_totals(as_array) == world


def test_time_ranges_give_one_row_per_range_and_ignore_time_increment(fake: MetaAdsFake) -> None:
    account = fake.world.accounts("meta_ads")[0].account_id
    ranges = [
        {"since": "2026-02-10", "until": "2026-02-14"},
        {"since": "2026-02-12", "until": "2026-02-20"},  # ranges may overlap
    ]
    for method in ("sync", "async"):
        params = {
            "level": "account",
            "time_increment": "1",
            "time_ranges": json.dumps(ranges),
            "fields": "impressions,clicks,spend",
        }
        if method == "sync":
            rows = walk(fake, f"act_{account}/insights", **params)
        else:
            status, rows = report(fake, f"act_{account}/insights", **params)
            assert (status["date_start"], status["date_stop"]) == ("2026-02-10", "2026-02-20")
        assert [(r["date_start"], r["date_stop"]) for r in rows] == [
            (r["since"], r["until"]) for r in ranges
        ]
        for row, wanted in zip(rows, ranges, strict=True):
            since, until = date.fromisoformat(wanted["since"]), date.fromisoformat(wanted["until"])
            assert row_totals([row]) == world_totals(fake, account, since, until)


def test_time_increment_default_all_days_n_days_and_monthly(fake: MetaAdsFake) -> None:
    world = fake.world
    account = world.accounts("meta_ads")[0].account_id
    base = {"fields": "ad_id,impressions,clicks,spend", "level": "ad"}
    whole = walk(
        fake, f"act_{account}/insights", time_range=days("2026-02-10", "2026-02-20"), **base
    )
    assert {(r["date_start"], r["date_stop"]) for r in whole} == {("2026-02-10", "2026-02-20")}
    assert len({r["ad_id"] for r in whole}) == len(whole)  # one row per ad for the range
    assert row_totals(whole) == world_totals(fake, account, date(2026, 2, 10), date(2026, 2, 20))
    threes = walk(
        fake,
        f"act_{account}/insights",
        time_range=days("2026-02-10", "2026-02-20"),
        time_increment=3,
        **base,
    )
    assert sorted({(r["date_start"], r["date_stop"]) for r in threes}) == [
        ("2026-02-10", "2026-02-12"),
        ("2026-02-13", "2026-02-15"),
        ("2026-02-16", "2026-02-18"),
        ("2026-02-19", "2026-02-20"),
    ]
    assert row_totals(threes) == row_totals(whole)
    months = walk(
        fake,
        f"act_{account}/insights",
        time_range=days("2026-02-15", "2026-03-10"),
        time_increment="monthly",
        level="account",
        fields="impressions,clicks,spend",
    )
    # March has no delivery yet (the world's today is 2026-03-01): only February's row.
    assert [(r["date_start"], r["date_stop"]) for r in months] == [("2026-02-15", "2026-02-28")]
    for bad in ("0", "91", "weekly"):
        assert "time_increment" in refusal(get(fake, f"act_{account}/insights", time_increment=bad))


PRESETS = {  # the world's today, 2026-03-01, is a Sunday
    "today": ("2026-03-01", "2026-03-01"),
    "yesterday": ("2026-02-28", "2026-02-28"),
    "last_3d": ("2026-02-26", "2026-02-28"),
    "last_7d": ("2026-02-22", "2026-02-28"),
    "last_14d": ("2026-02-15", "2026-02-28"),
    "last_28d": ("2026-02-01", "2026-02-28"),
    "last_30d": ("2026-01-30", "2026-02-28"),
    "last_90d": ("2025-12-01", "2026-02-28"),
    "this_month": ("2026-03-01", "2026-03-01"),
    "last_month": ("2026-02-01", "2026-02-28"),
    "this_quarter": ("2026-01-01", "2026-03-01"),
    "last_quarter": ("2025-10-01", "2025-12-31"),
    "this_year": ("2026-01-01", "2026-03-01"),
    "last_year": ("2025-01-01", "2025-12-31"),
    "this_week_mon_today": ("2026-02-23", "2026-03-01"),
    "this_week_sun_today": ("2026-03-01", "2026-03-01"),
    "last_week_mon_sun": ("2026-02-16", "2026-02-22"),
    "last_week_sun_sat": ("2026-02-22", "2026-02-28"),
    "maximum": ("2023-02-01", "2026-03-01"),
    "data_maximum": ("2023-02-01", "2026-03-01"),
}


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_date_presets_cover_the_documented_days(fake: MetaAdsFake, preset: str) -> None:
    # A report run states the range it covers even when no day of it had delivery.
    account = fake.world.accounts("meta_ads")[1].account_id
    run_id = post(fake, f"act_{account}/insights", date_preset=preset).json()["report_run_id"]
    status = get(fake, run_id, fields="date_start,date_stop").json()
    assert (status["date_start"], status["date_stop"]) == PRESETS[preset]


def test_last_7d_rows_and_the_default_last_30d(fake: MetaAdsFake) -> None:
    account = fake.world.accounts("meta_ads")[0].account_id
    rows = walk(
        fake, f"act_{account}/insights", date_preset="last_7d", fields="impressions,clicks,spend"
    )
    assert [(r["date_start"], r["date_stop"]) for r in rows] == [("2026-02-22", "2026-02-28")]
    assert row_totals(rows) == world_totals(fake, account, date(2026, 2, 22), date(2026, 2, 28))
    # Neither time_range nor date_preset: last_30d, account level, impressions and spend.
    rows = walk(fake, f"act_{account}/insights")
    assert rows == [
        {
            "account_id": account,
            "impressions": rows[0]["impressions"],
            "spend": rows[0]["spend"],
            "date_start": "2026-01-30",
            "date_stop": "2026-02-28",
        }
    ]
    totals = world_totals(fake, account, date(2026, 1, 30), date(2026, 2, 28))
    assert (int(rows[0]["impressions"]), Decimal(rows[0]["spend"])) == (totals[0], totals[2])
    # time_range wins over date_preset.
    rows = walk(
        fake,
        f"act_{account}/insights",
        date_preset="last_7d",
        time_range=days("2026-02-10", "2026-02-11"),
    )
    assert [(r["date_start"], r["date_stop"]) for r in rows] == [("2026-02-10", "2026-02-11")]


def test_bad_ranges_and_enums_are_refused_as_graph_does(fake: MetaAdsFake) -> None:
    account = fake.world.accounts("meta_ads")[0].account_id
    message = refusal(get(fake, f"act_{account}/insights", date_preset="last_2d"))
    assert message.startswith(
        "(#100) date_preset must be one of the following values: today, yesterday, this_month,"
    )
    assert message.endswith("this_week_sun_today, this_year")
    assert refusal(get(fake, f"act_{account}/insights", level="country")).startswith(
        "(#100) level must be one of the following values: ad, adset, campaign, account"
    )
    too_old = get(fake, f"act_{account}/insights", time_range=days("2023-01-31", "2023-02-05"))
    error = too_old.json()["error"]
    assert too_old.status_code == 400 and error["code"] == 3018
    assert "37 months" in error["message"]
    assert get(fake, f"act_{account}/insights", time_range=days("2023-02-01", "2023-02-05")).ok
    assert "time_range" in refusal(
        get(fake, f"act_{account}/insights", time_range='{"since": "2026-02-01"}')
    )
    assert "time_ranges" in refusal(
        get(fake, f"act_{account}/insights", time_ranges='[{"since": "2026-02-01"}]')
    )


def test_levels_and_object_insights_sum_to_the_same(fake: MetaAdsFake) -> None:
    world = fake.world
    account = world.accounts("meta_ads")[0].account_id
    time_range = days("2026-02-10", "2026-02-20")
    fields = "account_id,campaign_id,adset_id,ad_id,impressions,clicks,spend"
    by_level = {
        level: walk(
            fake,
            f"act_{account}/insights",
            level=level,
            time_range=time_range,
            fields=fields,
            limit=100,
        )
        for level in ("ad", "adset", "campaign", "account")
    }
    totals = world_totals(fake, account, date(2026, 2, 10), date(2026, 2, 20))
    assert {level: row_totals(rows) for level, rows in by_level.items()} == dict.fromkeys(
        by_level, totals
    )
    assert set(by_level["campaign"][0]) == {
        "account_id",
        "campaign_id",
        "impressions",
        "clicks",
        "spend",
        "date_start",
        "date_stop",
    }
    campaign = next(c for c in world.campaigns("meta_ads", account) if c.status == "ACTIVE")
    ads = {a.ad_id for a in world.ads("meta_ads", account) if a.campaign_id == campaign.campaign_id}
    own = walk(fake, f"{campaign.campaign_id}/insights", time_range=time_range)
    assert [set(r) for r in own] == [
        {"account_id", "campaign_id", "impressions", "spend", "date_start", "date_stop"}
    ]
    assert own[0]["campaign_id"] == campaign.campaign_id
    expected = world_totals(fake, account, date(2026, 2, 10), date(2026, 2, 20), ads)
    assert (int(own[0]["impressions"]), Decimal(own[0]["spend"])) == (expected[0], expected[2])
    filtered = walk(
        fake,
        f"act_{account}/insights",
        level="ad",
        time_range=time_range,
        fields="impressions,clicks,spend",
        filtering=json.dumps(
            [{"field": "campaign.id", "operator": "IN", "value": [campaign.campaign_id]}]
        ),
    )
    assert row_totals(filtered) == expected


def test_summary_row(fake: MetaAdsFake) -> None:
    account = fake.world.accounts("meta_ads")[0].account_id
    response = get(
        fake,
        f"act_{account}/insights",
        level="ad",
        time_increment=1,
        time_range=days("2026-02-10", "2026-02-20"),
        fields="impressions,clicks,spend",
        default_summary="true",
        limit=5,
    ).json()
    totals = world_totals(fake, account, date(2026, 2, 10), date(2026, 2, 20))
    assert row_totals([response["summary"]]) == totals
    assert (response["summary"]["date_start"], response["summary"]["date_stop"]) == (
        "2026-02-10",
        "2026-02-20",
    )


def test_reads_objects_by_id_with_default_and_asked_fields(fake: MetaAdsFake) -> None:
    world = fake.world
    account = world.accounts("meta_ads")[0].account_id
    campaign = world.campaigns("meta_ads", account)[0]
    group = world.ad_groups("meta_ads", account)[0]
    ad = world.ads("meta_ads", account)[0]
    assert get(fake, campaign.campaign_id).json() == {"id": campaign.campaign_id}
    assert get(fake, campaign.campaign_id, fields="name,objective,status").json() == {
        "id": campaign.campaign_id,
        "name": campaign.name,
        "objective": campaign.objective,
        "status": campaign.status,
    }
    assert get(fake, group.ad_group_id, fields='["campaign_id","name"]').json() == {
        "id": group.ad_group_id,
        "campaign_id": group.campaign_id,
        "name": group.name,
    }
    assert get(fake, ad.ad_id, fields="adset_id,creative{id,name}").json() == {
        "id": ad.ad_id,
        "adset_id": ad.ad_group_id,
        "creative": {"id": ad.creative_id, "name": f"{ad.name} | Creative"},
    }
    creative = get(fake, ad.creative_id, fields="account_id,name").json()
    assert creative == {
        "id": ad.creative_id,
        "account_id": account,
        "name": f"{ad.name} | Creative",
    }
    run_id = post(fake, f"act_{account}/insights", date_preset="last_7d").json()["report_run_id"]
    assert get(fake, run_id, fields="async_status").json() == {
        "id": run_id,
        "async_status": "Job Not Started",
    }
    error = get(fake, "1234567", fields="name").json()["error"]
    assert (error["code"], error["error_subcode"]) == (100, 33)
    children = walk(fake, f"{campaign.campaign_id}/adsets", fields="campaign_id")
    assert {c["campaign_id"] for c in children} == {campaign.campaign_id}
    assert len(children) == sum(
        1 for g in world.ad_groups("meta_ads", account) if g.campaign_id == campaign.campaign_id
    )
    assert walk(fake, f"{ad.ad_id}/adcreatives") == [{"id": ad.creative_id}]
    assert "insights" in refusal(get(fake, campaign.campaign_id, fields="insights{spend}"))


def test_default_fields_of_ad_accounts(fake: MetaAdsFake) -> None:
    accounts = fake.world.accounts("meta_ads")
    listed = walk(fake, "me/adaccounts")
    assert listed == [{"id": f"act_{a.account_id}", "account_id": a.account_id} for a in accounts]
    assert get(fake, f"act_{accounts[0].account_id}").json() == listed[0]
    assert walk(fake, "me/adaccounts", fields="name") == [
        {"id": f"act_{a.account_id}", "name": a.name} for a in accounts
    ]


def test_listing_summary_status_filter_and_paging_back(fake: MetaAdsFake) -> None:
    world = fake.world
    account = world.accounts("meta_ads")[0].account_id
    campaigns = world.campaigns("meta_ads", account)
    first = get(fake, f"act_{account}/campaigns", summary="true", limit=2).json()
    assert first["summary"] == {"total_count": len(campaigns)}
    assert "previous" not in first["paging"]
    second = requests.get(first["paging"]["next"], headers=AUTH, timeout=10).json()
    back = requests.get(second["paging"]["previous"], headers=AUTH, timeout=10).json()
    assert back["data"] == first["data"]
    assert "summary" not in get(fake, f"act_{account}/campaigns").json()
    paused = walk(fake, f"act_{account}/campaigns", effective_status='["PAUSED"]', fields="status")
    assert {c["id"] for c in paused} == {c.campaign_id for c in campaigns if c.status == "PAUSED"}
    assert "effective_status" in refusal(
        get(fake, f"act_{account}/campaigns", effective_status='["SLEEPING"]')
    )


def test_appsecret_proof_is_checked(fake: MetaAdsFake) -> None:
    account = fake.world.accounts("meta_ads")[0].account_id
    good = get(fake, f"act_{account}", appsecret_proof=fake.appsecret_proof())
    assert good.status_code == 200
    bad = get(fake, f"act_{account}", appsecret_proof="0" * 64).json()["error"]
    assert bad == {
        "message": "Invalid appsecret_proof provided in the API argument",
        "type": "GraphMethodException",
        "code": 100,
        "fbtrace_id": bad["fbtrace_id"],
    }
    fake.require_appsecret_proof = True
    assert "require an appsecret_proof" in refusal(get(fake, f"act_{account}"))
    assert get(fake, f"act_{account}", appsecret_proof=fake.appsecret_proof()).ok
    assert fake.appsecret_proof() not in json.dumps(fake.requests)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("insights", {"breakdowns": "age"}),
        ("insights", {"action_attribution_windows": '["7d_click","1d_view"]'}),
        ("insights", {"action_breakdowns": '["action_device"]'}),
        ("insights", {"sort": '["spend_descending"]'}),
        ("insights", {"fields": "impressions,ctr"}),
        ("insights", {"filtering": '[{"field":"spend","operator":"GREATER_THAN","value":1}]'}),
        ("insights", {"export_format": "csv"}),
        ("campaigns", {"filtering": '[{"field":"name","operator":"CONTAIN","value":"x"}]'}),
        ("campaigns", {"summary": "insights"}),
        ("ads", {"updated_since": "1700000000"}),
    ],
)
def test_parameters_the_fake_does_not_model_are_refused(
    fake: MetaAdsFake, path: str, params: dict[str, str]
) -> None:
    account = fake.world.accounts("meta_ads")[0].account_id
    for method in ("GET", "POST") if path == "insights" else ("GET",):
        call = get if method == "GET" else post
        assert "not modelled by the ARGO sandbox" in refusal(
            call(fake, f"act_{account}/{path}", **params)
        )


def test_parameters_that_change_nothing_in_the_world_are_accepted(fake: MetaAdsFake) -> None:
    account = fake.world.accounts("meta_ads")[0].account_id
    base = {"level": "ad", "time_range": days("2026-02-10", "2026-02-12"), "time_increment": "1"}
    plain = walk(fake, f"act_{account}/insights", **base)
    same = walk(
        fake,
        f"act_{account}/insights",
        action_attribution_windows='["default"]',
        action_breakdowns='["action_type"]',
        action_report_time="mixed",
        use_account_attribution_setting="true",
        locale="ko_KR",
        **base,
    )
    assert plain and same == plain
    assert "action_report_time" in refusal(
        get(fake, f"act_{account}/insights", action_report_time="later")
    )


def test_creative_links_are_nested_and_only_as_asked(fake: MetaAdsFake) -> None:
    """``creative{object_story_spec{...}}``: link ads, video ads and ads without a link."""
    world = fake.world
    ads = [a for acc in world.accounts("meta_ads") for a in world.ads("meta_ads", acc.account_id)]
    spec = "object_story_spec{link_data{link},video_data{call_to_action{value{link}}}}"
    link_ad = next(a for a in ads if a.landing_url and not a.has_video)
    video_ad = next(a for a in ads if a.landing_url and a.has_video)
    no_link = next(a for a in ads if a.landing_url is None)
    assert get(fake, link_ad.ad_id, fields=f"creative{{id,{spec}}}").json() == {
        "id": link_ad.ad_id,
        "creative": {
            "id": link_ad.creative_id,
            "object_story_spec": {"link_data": {"link": link_ad.landing_url}},
        },
    }
    assert get(fake, video_ad.ad_id, fields=f"creative{{{spec}}}").json() == {
        "id": video_ad.ad_id,
        "creative": {
            "id": video_ad.creative_id,
            "object_story_spec": {
                "video_data": {"call_to_action": {"value": {"link": video_ad.landing_url}}}
            },
        },
    }
    # A lead-form ad: its link_data has no link (the shape of that answer is unverified).
    missing = get(fake, no_link.ad_id, fields=f"creative{{{spec}}}").json()
    assert missing == {
        "id": no_link.ad_id,
        "creative": {"id": no_link.creative_id, "object_story_spec": {"link_data": {}}},
    }
    whole = get(fake, link_ad.creative_id, fields="object_story_spec").json()["object_story_spec"]
    assert whole["link_data"]["link"] == link_ad.landing_url and whole["page_id"]
    assert "object_story_spec" not in get(fake, link_ad.creative_id, fields="name").json()


def test_each_account_has_a_rolling_hour_budget_and_is_refused_beyond_it(
    fake: MetaAdsFake, frozen_clock: Any
) -> None:
    first, second = (a.account_id for a in fake.world.accounts("meta_ads")[:2])
    fake.calls_per_hour = 3

    def usage(answer: requests.Response) -> tuple[int, int]:
        (entries,) = json.loads(answer.headers["X-Business-Use-Case-Usage"]).values()
        return entries[0]["call_count"], entries[0]["estimated_time_to_regain_access"]

    answers = [get(fake, f"act_{first}/campaigns") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [usage(a) for a in answers] == [(34, 0), (67, 0), (100, 60)]
    refused = get(fake, f"act_{first}/campaigns")
    assert refused.json()["error"]["code"] == 80004 and fake.refused_calls == 1
    insights = get(fake, f"act_{first}/insights")
    assert insights.json()["error"]["code"] == 80000
    assert usage(get(fake, f"act_{second}/campaigns")) == (34, 0), "accounts apart"
    frozen_clock.advance(30 * 60)
    assert get(fake, f"act_{first}").json()["error"]["code"] == 80004
    frozen_clock.advance(30 * 60)  # the three calls (one instant) left the hour
    again = get(fake, f"act_{first}/campaigns")
    assert again.status_code == 200 and usage(again) == (34, 0)
