"""The Adjust Report Service fake speaks Adjust's protocol and serves exactly the world."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests

from ingestion import clock
from ingestion.sandbox import Faults, World, WorldConfig
from ingestion.sandbox.adjust_api import NETWORKS, PARTNERS, PER_USD, REPORT_PATH, AdjustFake
from ingestion.sandbox.trackers import Trackers

TOKEN = "sandbox-adjust-token"
DIMENSIONS = "day,app_token,network,campaign_id_network,adgroup_id_network,country_code"
METRICS = "installs,clicks,impressions,network_cost,revenue,purchase_events,purchase_revenue"


@pytest.fixture
def fake() -> Iterator[AdjustFake]:
    as_of = clock.today() - timedelta(days=3)
    world = World(WorldConfig(seed=5, scale=0.6, history_days=20, as_of=as_of))
    with AdjustFake(world, Faults()) as adjust:
        yield adjust  # type: ignore[misc]


def get(
    fake: AdjustFake,
    since: date,
    until: date,
    token: str | None = TOKEN,
    **params: Any,
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    query = {
        "app_token__in": ",".join(fake.source_options()["app_tokens"]),
        "date_period": f"{since}:{until}",
        "dimensions": DIMENSIONS,
        "metrics": METRICS,
        **params,
    }
    return requests.get(fake.base_url + REPORT_PATH, params=query, headers=headers, timeout=10)


def test_source_options_name_every_adjust_app(fake: AdjustFake) -> None:
    options = fake.source_options()
    apps = Trackers(fake.world).apps("adjust")
    assert apps and options["app_tokens"] == [a.app_id for a in apps]
    assert all(a.tracker == "adjust" for a in apps)
    assert options["api_token"] == TOKEN and options["base_url"] == fake.base_url


def test_auth_is_checked_before_anything_else(fake: AdjustFake) -> None:
    day = fake.world.first_day
    missing = get(fake, day, day, token=None, dimensions="")
    assert missing.status_code == 401
    assert missing.json() == {"detail": "Authentication credentials were not provided."}
    assert get(fake, day, day, token="wrong").json() == {"detail": "Invalid token."}
    fake.faults.expire_token()
    assert get(fake, day, day).status_code == 401


def test_rows_are_strings_and_add_up_to_the_world(fake: AdjustFake) -> None:
    world = fake.world
    answer = get(fake, world.first_day, world.as_of)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"rows", "totals", "warnings", "pagination"}
    rows = body["rows"]
    for row in rows:
        values = {k: v for k, v in row.items() if k != "attr_dependency"}
        assert all(isinstance(v, str) for v in values.values()), row
    # one row per requested dimension combination
    keys = [tuple(r[d] for d in DIMENSIONS.split(",")) for r in rows]
    assert len(keys) == len(set(keys))
    # installs and cost per campaign equal what the world's trackers measured
    got: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        got[(row["day"], row["campaign_id_network"])][0] += Decimal(row["installs"])
        got[(row["day"], row["campaign_id_network"])][1] += Decimal(row["network_cost"])
    want: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for app in Trackers(world).apps("adjust"):
        for tracked in Trackers(world).daily(app, world.first_day, world.as_of):
            key = (tracked.date.isoformat(), tracked.campaign_id or "unknown")
            want[key][0] += tracked.installs
            want[key][1] += tracked.cost
    assert {k: [v[0], v[1].quantize(Decimal("0.0001"))] for k, v in want.items()} == dict(got)
    # totals are numbers and equal the sum of the rows
    assert body["totals"]["installs"] == sum(int(r["installs"]) for r in rows)
    # the last day served is the world's yesterday
    assert max(r["day"] for r in rows) == (world.as_of - timedelta(days=1)).isoformat()


def test_networks_and_organic_rows(fake: AdjustFake) -> None:
    rows = get(fake, fake.world.first_day, fake.world.as_of).json()["rows"]
    networks = {r["network"] for r in rows}
    assert "Organic" in networks and networks <= {"Organic", *NETWORKS.values()}
    organic = [r for r in rows if r["network"] == "Organic"]
    assert {(r["campaign_id_network"], r["adgroup_id_network"]) for r in organic} == {
        ("unknown", "unknown")
    }
    assert all(Decimal(r["network_cost"]) == 0 for r in organic)
    partner_of = {NETWORKS[p]: PARTNERS[p] for p in NETWORKS}
    paid = [r for r in rows if r["network"] != "Organic"]
    assert paid, "the apps' campaigns bought installs"
    assert all(r["attr_dependency"]["partner"] == partner_of[r["network"]] for r in paid)


def test_currency_converts_money_at_the_worlds_rate(fake: AdjustFake) -> None:
    world = fake.world
    day = world.as_of - timedelta(days=5)
    usd = get(fake, day, day).json()["rows"]
    krw = get(fake, day, day, currency="KRW").json()["rows"]
    assert len(usd) == len(krw)
    for a, b in zip(usd, krw, strict=True):
        assert a["installs"] == b["installs"]
        assert abs(Decimal(a["network_cost"]) * PER_USD["KRW"] - Decimal(b["network_cost"])) < 1


def test_bad_parameters_are_400_with_adjusts_detail(fake: AdjustFake) -> None:
    day = fake.world.first_day
    cases = [
        ({"date_period": "last_decade"}, "date_period is required"),
        ({"dimensions": ""}, "dimensions is required"),
        ({"metrics": "installs,signup_events"}, "Unsupported metrics: signup_events"),
        ({"dimensions": "day,partner_color"}, "Unsupported dimensions: partner_color"),
        ({"currency": "XYZ"}, "Unsupported currency"),
    ]
    for params, detail in cases:
        answer = get(fake, day, day, **params)
        assert answer.status_code == 400, params
        assert detail in answer.json()["detail"]


def test_no_rows_is_204_without_a_body(fake: AdjustFake) -> None:
    early = fake.world.first_day - timedelta(days=30)
    answer = get(fake, early, early + timedelta(days=3))
    assert answer.status_code == 204 and answer.content == b""
    assert (
        get(fake, fake.world.first_day, fake.world.first_day, app_token__in="nope").status_code
        == 204
    )


def test_unsettled_days_grow_when_the_world_advances(fake: AdjustFake) -> None:
    world = fake.world
    newest = world.as_of - timedelta(days=1)

    def installs() -> int:
        rows = get(fake, newest, newest).json()["rows"]
        return sum(int(r["installs"]) for r in rows)

    before = installs()
    world.advance(2)
    assert installs() > before


def test_faults_answer_as_adjust_does(fake: AdjustFake) -> None:
    day = fake.world.first_day
    fake.faults.throttle_next(1, retry_after=7)
    throttled = get(fake, day, day)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "7"
    fake.faults.rate_limit_next(1)
    limited = get(fake, day, day)
    assert limited.status_code == 429 and "Retry-After" not in limited.headers
    fake.faults.fail_next(1, status=504)
    failed = get(fake, day, day)
    assert failed.status_code == 504 and failed.headers["Content-Type"].startswith("text/html")
