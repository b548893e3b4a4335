"""The AppsFlyer Pull API fake speaks AppsFlyer's protocol and serves exactly the world."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from ingestion import clock
from ingestion.sandbox import Faults, World, WorldConfig
from ingestion.sandbox.appsflyer_api import RAW_HEADER, AppsFlyerFake
from ingestion.sandbox.trackers import Trackers

TOKEN = "sandbox-appsflyer-v2"
SEOUL = "Asia/Seoul"


@pytest.fixture
def fake() -> Iterator[AppsFlyerFake]:
    as_of = clock.today() - timedelta(days=3)
    world = World(WorldConfig(seed=5, scale=0.3, history_days=20, as_of=as_of))
    with AppsFlyerFake(world, Faults()) as appsflyer:
        yield appsflyer  # type: ignore[misc]


def app_id(fake: AppsFlyerFake) -> str:
    return str(fake.source_options()["app_ids"][0])


def get(
    fake: AppsFlyerFake,
    kind: str,
    report: str,
    since: date,
    until: date,
    token: str | None = TOKEN,
    app: str | None = None,
    **params: Any,
) -> requests.Response:
    headers = {"Accept": "text/csv"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    path = f"/api/{kind}/export/app/{app or app_id(fake)}/{report}/v5"
    query = {"from": since.isoformat(), "to": until.isoformat(), "timezone": SEOUL, **params}
    return requests.get(fake.base_url + path, params=query, headers=headers, timeout=10)


def rows(response: requests.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_source_options_name_every_appsflyer_app(fake: AppsFlyerFake) -> None:
    options = fake.source_options()
    apps = Trackers(fake.world).apps("appsflyer")
    assert options["app_ids"] == [a.app_id for a in apps]
    assert options["start_date"] == fake.world.first_day.isoformat()
    assert options["base_url"] == fake.base_url and options["api_token"] == TOKEN


def test_auth_is_checked_first(fake: AppsFlyerFake) -> None:
    day = fake.world.first_day
    for token in (None, "wrong"):
        answer = get(fake, "agg-data", "partners_by_date_report", day, day, token=token)
        assert answer.status_code == 401
    fake.faults.expire_token()
    assert get(fake, "raw-data", "installs_report", day, day).status_code == 401


def test_partners_report_sums_equal_the_world(fake: AppsFlyerFake) -> None:
    world = fake.world
    got = rows(get(fake, "agg-data", "partners_by_date_report", world.first_day, world.as_of))
    app = Trackers(world).apps("appsflyer")[0]
    tracked = list(Trackers(world).daily(app, world.first_day, world.as_of))
    assert sum(int(r["Installs"]) for r in got) == sum(t.installs for t in tracked)
    revenue = sum(Decimal(r["af_purchase (Sales in USD)"]) for r in got)
    assert revenue == sum(t.events["purchase"].revenue for t in tracked if "purchase" in t.events)
    assert {r["Media Source (pid)"] for r in got} <= {
        "Facebook Ads",
        "googleadwords_int",
        "kakao_int",
        "naver_int",
        "Organic",
    }
    organic = [r for r in got if r["Media Source (pid)"] == "Organic"]
    assert organic and all(r["Impressions"] == "N/A" for r in organic)
    assert "af_complete_registration (Event counter)" in got[0]


def test_geo_report_has_country(fake: AppsFlyerFake) -> None:
    day = fake.world.first_day
    got = rows(get(fake, "agg-data", "geo_by_date_report", day, day))
    assert list(got[0])[:2] == ["Date", "Country"]
    assert {r["Country"] for r in got} >= {"KR"}


def test_raw_reports_follow_the_header_and_the_world(fake: AppsFlyerFake) -> None:
    world = fake.world
    day = world.as_of - timedelta(days=5)
    app = Trackers(world).apps("appsflyer")[0]
    installs = rows(get(fake, "raw-data", "installs_report", day, day))
    organic = rows(get(fake, "raw-data", "organic_installs_report", day, day))
    answer = get(fake, "raw-data", "installs_report", day, day)
    assert next(csv.reader(io.StringIO(answer.text))) == RAW_HEADER
    assert len(installs) + len(organic) == len(Trackers(world).installs(app, day))
    assert all(r["Campaign ID"] and r["Media Source"] != "organic" for r in installs)
    assert {(r["Media Source"], r["Campaign ID"]) for r in organic} == {("organic", "")}
    assert all(r["Install Time"].startswith(day.isoformat()) for r in installs + organic)
    events = [
        *rows(get(fake, "raw-data", "in_app_events_report", day, day)),
        *rows(get(fake, "raw-data", "organic_in_app_events_report", day, day)),
    ]
    revenue = sum(Decimal(r["Event Revenue USD"] or 0) for r in events)
    assert revenue == sum(e.revenue for e in Trackers(world).in_app_events(app, day))
    assert {r["Event Name"] for r in events} <= {"af_purchase", "af_complete_registration"}
    cut = rows(get(fake, "raw-data", "installs_report", day, day, maximum_rows=3))
    assert cut == installs[:3]


def test_limits_and_errors_as_appsflyer_answers(fake: AppsFlyerFake) -> None:
    as_of = fake.world.as_of
    old = get(fake, "agg-data", "partners_by_date_report", as_of - timedelta(days=91), as_of)
    assert old.status_code == 400 and "90 days" in old.text
    assert get(fake, "agg-data", "installs_report", as_of, as_of).status_code == 404
    assert get(fake, "raw-data", "installs_report", as_of, as_of, app="com.nope").status_code == 404
    fake.faults.throttle_next(1)
    fake.faults.rate_limit_next(1)
    for _ in range(2):
        limited = get(fake, "raw-data", "installs_report", as_of, as_of)
        assert limited.status_code == 403
        assert limited.text == "Limit reached for installs_report"
    fake.faults.fail_next(1, status=502)
    assert get(fake, "raw-data", "installs_report", as_of, as_of).status_code == 502


def test_settling_days_grow_when_the_world_advances(fake: AppsFlyerFake) -> None:
    day = fake.world.as_of - timedelta(days=1)

    def installs() -> int:
        got = rows(get(fake, "agg-data", "partners_by_date_report", day, day))
        return sum(int(r["Installs"]) for r in got)

    before = installs()
    fake.world.advance(2)
    assert installs() > before


def test_times_in_the_apps_own_zone_are_converted_as_any_other_zone(fake: AppsFlyerFake) -> None:
    trackers = fake.trackers
    app = trackers.apps("appsflyer")[0]
    home = ZoneInfo(app.timezone_name)
    same_offset = home.utcoffset(datetime(2026, 1, 1))
    assert same_offset is not None
    fixed = timezone(same_offset)  # Seoul has kept +09:00 since 1988: the same wall times
    for local in (datetime(2026, 3, 8, 2, 30), datetime(2026, 11, 1, 23, 59, 59)):
        assert trackers.to_zone(app, local, home) == local
        assert trackers.to_zone(app, local, home) == trackers.to_zone(app, local, fixed)
        assert trackers.to_zone(app, local, ZoneInfo("UTC")) == local - same_offset
