"""The AppsFlyer fake where ARGO's connector does not look: time zones, retargeting, the
other aggregate reports, raw-data parameters and their refusals."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from ingestion.sandbox import Faults, World, WorldConfig
from ingestion.sandbox.appsflyer_api import (
    ADDITIONAL_FIELDS,
    AGG_METRICS,
    DAILY_METRICS,
    RAW_HEADER,
    RETARGETING_DAILY_METRICS,
    RETARGETING_METRICS,
    AppsFlyerFake,
)
from ingestion.sandbox.trackers import App, Trackers

TOKEN = "sandbox-appsflyer-v2"
SEOUL = ZoneInfo("Asia/Seoul")
AS_OF = date(2026, 11, 20)
EVENT_COLUMNS = [
    f"{name} ({what})"
    for name in ("af_complete_registration", "af_purchase")
    for what in ("Unique users", "Event counter", "Sales in USD")
]


@pytest.fixture
def fake() -> Iterator[AppsFlyerFake]:
    world = World(WorldConfig(seed=5, scale=0.3, history_days=20, as_of=AS_OF))
    with AppsFlyerFake(world, Faults()) as appsflyer:
        yield appsflyer  # type: ignore[misc]


def app_of(fake: AppsFlyerFake) -> App:
    return Trackers(fake.world).apps("appsflyer")[0]


def call(fake: AppsFlyerFake, kind: str, report: str, **params: Any) -> requests.Response:
    """One GET as AppsFlyer's clients send it (no ``timezone`` unless given)."""
    path = f"/api/{kind}/export/app/{app_of(fake).app_id}/{report}/v5"
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "text/csv"}
    return requests.get(fake.base_url + path, params=params, headers=headers, timeout=30)


def table(response: requests.Response) -> tuple[list[str], list[dict[str, str]]]:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(response.text))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def refused(response: requests.Response, status: int, text: str) -> None:
    assert response.status_code == status, response.text
    assert text in response.text


def utc_installs(fake: AppsFlyerFake, since: date, until: date) -> list[datetime]:
    """UTC install times of every install whose UTC day is in ``[since, until]``."""
    app, trackers = app_of(fake), Trackers(fake.world)
    times = []
    for day in trackers.local_days(app, since, until, UTC):
        for install in trackers.installs(app, day):
            there = trackers.to_zone(app, install.install_time, UTC)
            if since <= there.date() <= until:
                times.append(there)
    return sorted(times)


def test_without_timezone_raw_days_and_times_are_utc(fake: AppsFlyerFake) -> None:
    day = AS_OF - timedelta(days=6)
    params = {"from": day.isoformat(), "to": day.isoformat()}
    _, paid = table(call(fake, "raw-data", "installs_report", **params))
    _, organic = table(call(fake, "raw-data", "organic_installs_report", **params))
    got = sorted(datetime.fromisoformat(r["Install Time"]) for r in paid + organic)
    assert got == [t.replace(microsecond=0) for t in utc_installs(fake, day, day)]
    assert all(t.date() == day for t in got)
    # UTC day D starts at 09:00 in Seoul: the local day's first hours belong to D - 1
    local = {i.device_id: i for i in Trackers(fake.world).installs(app_of(fake), day)}
    for row in paid:
        install = local.get(row["AppsFlyer ID"])
        if install is not None:
            seoul = datetime.fromisoformat(row["Install Time"]) + timedelta(hours=9)
            assert seoul == install.install_time
    explicit = table(call(fake, "raw-data", "installs_report", **params, timezone="UTC"))[1]
    assert explicit == paid


def test_without_timezone_aggregate_days_are_utc_and_add_up(fake: AppsFlyerFake) -> None:
    world = fake.world
    since, until = world.first_day + timedelta(days=2), AS_OF - timedelta(days=3)
    params = {"from": since.isoformat(), "to": until.isoformat()}
    _, utc = table(call(fake, "agg-data", "partners_by_date_report", **params))
    per_day = Counter[str]()
    for row in utc:
        per_day[row["Date"]] += int(row["Installs"])
    raw = Counter(t.date().isoformat() for t in utc_installs(fake, since, until))
    assert per_day == raw
    _, local = table(
        call(fake, "agg-data", "partners_by_date_report", **params, timezone="Asia/Seoul")
    )
    # the local report is the world's own days; UTC moves installs across midnight
    tracked = Trackers(world).daily(app_of(fake), since, until)
    assert sum(int(r["Installs"]) for r in local) == sum(t.installs for t in tracked)
    local_days = Counter[str]()
    for row in local:
        local_days[row["Date"]] += int(row["Installs"])
    assert local_days != per_day
    assert [r["Date"] for r in utc] == sorted(r["Date"] for r in utc)
    # clicks are split by the hours of the local day, exactly: whole local days inside
    # the UTC range (since + 1 .. until) plus 15/24 of the first and 9/24 of the one after
    clicks = sum(int(r["Clicks"]) for r in utc if r["Clicks"] != "N/A")
    inner = Trackers(world).daily_in(app_of(fake), since, until, UTC)
    assert clicks == sum(r.clicks for r in inner if r.platform is not None)


def test_timezone_must_be_the_apps_or_utc(fake: AppsFlyerFake) -> None:
    day = AS_OF - timedelta(days=4)
    params = {"from": day.isoformat(), "to": day.isoformat()}
    refused(
        call(fake, "agg-data", "partners_by_date_report", **params, timezone="Europe/Paris"),
        400,
        "Asia/Seoul",
    )
    refused(
        call(fake, "raw-data", "installs_report", **params, timezone="Mars/Olympus"),
        400,
        "Invalid timezone",
    )


def test_raw_from_and_to_take_times(fake: AppsFlyerFake) -> None:
    day = AS_OF - timedelta(days=5)
    whole = table(call(fake, "raw-data", "installs_report", **{"from": str(day), "to": str(day)}))[
        1
    ]
    times = [r["Install Time"] for r in whole]
    low, high = f"{day} 06:00", f"{day} 12:30"
    cut = table(call(fake, "raw-data", "installs_report", **{"from": low, "to": high}))[1]
    want = [t for t in times if f"{low}:00" <= t <= f"{high}:59"]
    assert [r["Install Time"] for r in cut] == want and 0 < len(want) < len(times)
    exact = table(
        call(fake, "raw-data", "installs_report", **{"from": f"{low}:00", "to": f"{high}:00"})
    )[1]
    assert [r["Install Time"] for r in exact] == [t for t in want if t <= f"{high}:00"]
    refused(
        call(fake, "raw-data", "installs_report", **{"from": f"{day}T06:00", "to": str(day)}),
        400,
        "from",
    )
    refused(call(fake, "agg-data", "daily_report", **{"from": low, "to": high}), 400, "yyyy-mm-dd")
    refused(call(fake, "raw-data", "installs_report", **{"from": str(day)}), 400, "required")
    refused(
        call(
            fake,
            "raw-data",
            "installs_report",
            **{"from": str(day), "to": str(day - timedelta(days=1))},
        ),
        400,
        "earlier",
    )


def test_retargeting_reports_answer_their_header_and_no_rows(fake: AppsFlyerFake) -> None:
    day = AS_OF - timedelta(days=4)
    params = {"from": day.isoformat(), "to": day.isoformat()}
    head = ["Date", "Agency/PMD (af_prt)", "Media Source (pid)", "Campaign (c)"]
    for reattr in ("true", "True"):
        header, rows = table(
            call(fake, "agg-data", "partners_by_date_report", **params, reattr=reattr)
        )
        assert header == [*head, *RETARGETING_METRICS, *EVENT_COLUMNS] and rows == []
    header, rows = table(call(fake, "agg-data", "daily_report", **params, reattr="true"))
    assert header == [*head, *RETARGETING_DAILY_METRICS] and rows == []
    header, rows = table(call(fake, "agg-data", "geo_report", **params, reattr="true"))
    assert header[:2] == ["Country", "Agency/PMD (af_prt)"] and rows == []
    for report in ("installs-retarget", "in-app-events-retarget", "installs_report"):
        header, rows = table(call(fake, "raw-data", report, **params, reattr="true"))
        assert header == RAW_HEADER and rows == []
    # without reattr (or reattr=false) the same report is user acquisition
    ua = table(call(fake, "agg-data", "partners_by_date_report", **params, reattr="false"))
    assert ua[0] == [*head, *AGG_METRICS, *EVENT_COLUMNS] and ua[1]
    refused(
        call(fake, "agg-data", "partners_by_date_report", **params, reattr="yes"), 400, "reattr"
    )


def test_partners_daily_and_geo_reports_group_as_documented(fake: AppsFlyerFake) -> None:
    since, until = AS_OF - timedelta(days=8), AS_OF - timedelta(days=3)
    params = {"from": str(since), "to": str(until), "timezone": "Asia/Seoul"}
    _, by_date = table(call(fake, "agg-data", "partners_by_date_report", **params))
    header, partners = table(call(fake, "agg-data", "partners_report", **params))
    assert header == [
        "Agency/PMD (af_prt)",
        "Media Source (pid)",
        "Campaign (c)",
        *AGG_METRICS,
        *EVENT_COLUMNS,
    ]
    sums: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in by_date:
        key = (row["Media Source (pid)"], row["Campaign (c)"])
        sums[key][0] += int(row["Installs"])
        sums[key][1] += Decimal(row["af_purchase (Sales in USD)"])
    assert {
        (r["Media Source (pid)"], r["Campaign (c)"]): [
            Decimal(r["Installs"]),
            Decimal(r["af_purchase (Sales in USD)"]),
        ]
        for r in partners
    } == dict(sums)
    header, daily = table(call(fake, "agg-data", "daily_report", **params))
    assert header == [
        "Date",
        "Agency/PMD (af_prt)",
        "Media Source (pid)",
        "Campaign (c)",
        *DAILY_METRICS,
    ]
    assert not any("Revenue" in h or "(Unique users)" in h for h in header)
    assert [(r["Date"], r["Media Source (pid)"], r["Installs"]) for r in daily] == [
        (r["Date"], r["Media Source (pid)"], r["Installs"]) for r in by_date
    ]
    header, geo = table(call(fake, "agg-data", "geo_report", **params))
    assert header[:4] == ["Country", "Agency/PMD (af_prt)", "Media Source (pid)", "Campaign (c)"]
    _, geo_by_date = table(call(fake, "agg-data", "geo_by_date_report", **params))
    per_country = Counter[str]()
    for row in geo_by_date:
        per_country[row["Country"]] += int(row["Installs"])
    got = Counter[str]()
    for row in geo:
        got[row["Country"]] += int(row["Installs"])
    assert got == per_country and set(got) == {"KR", "US"}


def test_maximum_rows_takes_only_appsflyers_two_values(fake: AppsFlyerFake) -> None:
    day = AS_OF - timedelta(days=5)
    params = {"from": str(day), "to": str(day)}
    every = table(call(fake, "raw-data", "installs_report", **params))[1]
    for limit in ("200000", "1000000"):
        assert (
            table(call(fake, "raw-data", "installs_report", **params, maximum_rows=limit))[1]
            == every
        )
    # the sandbox's test limit: fewer rows, cut as AppsFlyer cuts
    assert (
        table(call(fake, "raw-data", "installs_report", **params, maximum_rows="3"))[1] == every[:3]
    )
    for limit in ("300000", "0", "many"):
        refused(
            call(fake, "raw-data", "installs_report", **params, maximum_rows=limit),
            400,
            "Invalid limit type",
        )
    fake.strict_row_limits = True
    refused(
        call(fake, "raw-data", "installs_report", **params, maximum_rows="3"),
        400,
        "Invalid limit type",
    )
    assert (
        table(call(fake, "raw-data", "installs_report", **params, maximum_rows="200000"))[1]
        == every
    )
    # aggregate reports have no maximum_rows: AppsFlyer ignores it there
    assert table(call(fake, "agg-data", "daily_report", **params, maximum_rows="3"))[1]


def test_additional_fields_are_appended_in_the_order_asked(fake: AppsFlyerFake) -> None:
    day = AS_OF - timedelta(days=5)
    asked = "device_model,keyword_id,not_a_field,conversion_type,device_model"
    header, rows = table(
        call(
            fake,
            "raw-data",
            "installs_report",
            **{"from": str(day), "to": str(day)},
            additional_fields=asked,
        )
    )
    assert header == [*RAW_HEADER, "Device Model", "Keyword ID", "Conversion Type"]
    assert {r["Conversion Type"] for r in rows} == {"install"}
    assert {r["Device Model"] for r in rows} == {
        "SM-S918N" if app_of(fake).os == "android" else "iPhone15,2"
    }
    assert set(ADDITIONAL_FIELDS) >= {"gp_referrer", "blocked_reason_rule", "custom_dimension"}


def test_filters_narrow_the_rows(fake: AppsFlyerFake) -> None:
    day = AS_OF - timedelta(days=5)
    params = {"from": str(AS_OF - timedelta(days=11)), "to": str(day), "timezone": "Asia/Seoul"}
    _, agg = table(call(fake, "agg-data", "partners_by_date_report", **params))
    sources = {r["Media Source (pid)"] for r in agg}
    assert {"Facebook Ads", "Organic"} <= sources
    facebook = table(
        call(
            fake,
            "agg-data",
            "partners_by_date_report",
            **params,
            media_source="facebook",
            category="facebook",
        )
    )[1]
    assert facebook == [r for r in agg if r["Media Source (pid)"] == "Facebook Ads"]
    by_category = call(fake, "agg-data", "partners_by_date_report", **params, category="facebook")
    assert table(by_category)[1] == facebook and len(facebook) < len(agg)
    organic = table(call(fake, "agg-data", "geo_report", **params, category="organic"))[1]
    assert {r["Media Source (pid)"] for r in organic} == {"Organic"}
    google = table(
        call(fake, "agg-data", "daily_report", **params, media_source="googleadwords_int")
    )[1]
    assert {r["Media Source (pid)"] for r in google} <= {"googleadwords_int"}
    _, raw = table(call(fake, "raw-data", "installs_report", **params))
    korea = table(call(fake, "raw-data", "installs_report", **params, geo="KR"))[1]
    assert korea == [r for r in raw if r["Country Code"] == "KR"]
    assert 0 < len(korea) < len(raw)
    events = table(call(fake, "raw-data", "in_app_events_report", **params))[1]
    buys = table(
        call(fake, "raw-data", "in_app_events_report", **params, event_name="af_purchase")
    )[1]
    assert buys == [r for r in events if r["Event Name"] == "af_purchase"] and len(buys) < len(
        events
    )
    assert table(call(fake, "raw-data", "installs_report", **params, agency="someagency"))[1] == []
    late = f"{day} 12:00"
    since_noon = table(
        call(fake, "raw-data", "in_app_events_report", **params, from_install_time=late)
    )[1]
    assert since_noon == [r for r in events if r["Install Time"] >= f"{late}:00"]
    preferred = table(call(fake, "raw-data", "installs_report", **params, currency="preferred"))[1]
    assert (
        preferred
        == raw
        == table(call(fake, "raw-data", "installs_report", **params, currency="USD"))[1]
    )
    refused(call(fake, "raw-data", "installs_report", **params, geo="US,KR"), 400, "geo")
    refused(
        call(fake, "raw-data", "installs_report", **params, category="organic"), 400, "category"
    )
    refused(call(fake, "agg-data", "daily_report", **params, category="twitter"), 400, "category")
    refused(call(fake, "agg-data", "daily_report", **params, currency="EUR"), 400, "currency")


def test_view_through_installs_only_with_attribution_touch_type(fake: AppsFlyerFake) -> None:
    day = AS_OF - timedelta(days=5)
    params = {"from": str(day), "to": str(day), "timezone": "Asia/Seoul"}
    _, vta = table(
        call(
            fake,
            "agg-data",
            "partners_by_date_report",
            **params,
            attribution_touch_type="impression",
        )
    )
    raw = table(call(fake, "raw-data", "installs_report", **params))[1]
    assert (
        sum(int(r["Installs"]) for r in vta)
        == sum(1 for r in raw if r["Attributed Touch Type"] == "impression")
        > 0
    )
    assert {(r["Impressions"], r["Clicks"], r["Total Cost"]) for r in vta} == {
        ("N/A", "N/A", "N/A")
    }
    assert "Organic" not in {r["Media Source (pid)"] for r in vta}
    refused(
        call(fake, "agg-data", "daily_report", **params, attribution_touch_type="click"),
        400,
        "attribution_touch_type",
    )


def test_reports_the_world_has_nothing_for_answer_the_header(fake: AppsFlyerFake) -> None:
    params = {"from": str(AS_OF - timedelta(days=3)), "to": str(AS_OF)}
    for report in (
        "uninstall_events_report",
        "organic_uninstall_events_report",
        "reinstalls",
        "reinstalls_organic",
    ):
        assert table(call(fake, "raw-data", report, **params)) == (RAW_HEADER, [])


def test_refusals_carry_appsflyers_bodies(fake: AppsFlyerFake) -> None:
    day = str(AS_OF - timedelta(days=3))
    path = f"/api/agg-data/export/app/{app_of(fake).app_id}/daily_report/v5"
    wrong = requests.get(
        fake.base_url + path,
        params={"from": day, "to": day},
        headers={"Authorization": "Bearer nope"},
        timeout=10,
    )
    assert (wrong.status_code, wrong.json()) == (401, {"message": "Supplied API token is invalid"})
    for report in ("ad_revenue_raw", "no_such_report"):
        missing = call(fake, "raw-data", report, **{"from": day, "to": day})
        assert missing.status_code == 404 and missing.headers["Content-Type"].startswith(
            "text/html"
        )
    old = call(
        fake, "raw-data", "installs_report", **{"from": str(AS_OF - timedelta(days=91)), "to": day}
    )
    assert old.status_code == 400
    assert old.json() == {"message": "Raw reports historical lookback is limited to 90 days"}


def test_daily_in_keeps_the_worlds_totals_in_any_zone(fake: AppsFlyerFake) -> None:
    trackers, app, world = Trackers(fake.world), app_of(fake), fake.world
    since, until = world.first_day + timedelta(days=3), AS_OF - timedelta(days=4)
    assert trackers.daily_in(app, since, until, SEOUL) == list(trackers.daily(app, since, until))
    # a Seoul day is 9 hours of the UTC day before and 15 of its own UTC day
    assert trackers._segments(since, SEOUL, UTC) == [
        (since - timedelta(days=1), 0.375),
        (since, 0.625),
    ]
    # every part of every local day lands somewhere: totals are kept exactly
    everything = trackers.daily_in(app, world.first_day - timedelta(days=2), AS_OF, UTC)
    world_rows = list(trackers.daily(app, world.first_day, AS_OF))
    for name in ("impressions", "clicks", "installs", "cost"):
        assert sum(getattr(r, name) for r in everything) == sum(
            getattr(r, name) for r in world_rows
        )
    revenue = sum(c.revenue for r in everything for c in r.events.values())
    assert revenue == sum(c.revenue for r in world_rows for c in r.events.values())
    assert {r.date for r in everything} >= {
        world.first_day - timedelta(days=1),
        AS_OF - timedelta(days=1),
    }
