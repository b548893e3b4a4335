"""The Adjust fake where ARGO's connector does not look: filters data, date presets, time
zones, report options, sorting and filtering, the CSV report and their refusals."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests

from ingestion.sandbox import Faults, World, WorldConfig
from ingestion.sandbox.adjust_api import NETWORKS, AdjustFake
from ingestion.sandbox.trackers import Trackers

TOKEN = "sandbox-adjust-token"
AS_OF = date(2026, 11, 20)  # a Friday
ROOT = "/control-center/reports-service"
DIMENSIONS = "day,app_token,network,campaign_id_network,country_code"
METRICS = "installs,clicks,network_cost,cost,revenue,purchase_events,purchase_revenue"


@pytest.fixture
def fake() -> Iterator[AdjustFake]:
    world = World(WorldConfig(seed=5, scale=0.6, history_days=40, as_of=AS_OF))
    with AdjustFake(world, Faults()) as adjust:
        yield adjust  # type: ignore[misc]


def call(fake: AdjustFake, endpoint: str, root: str = ROOT, **params: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    url = f"{fake.base_url}{root}/{endpoint}"
    return requests.get(url, params=params, headers=headers, timeout=30)


def report(fake: AdjustFake, period: str, **params: Any) -> requests.Response:
    query = {"date_period": period, "dimensions": DIMENSIONS, "metrics": METRICS, **params}
    return call(fake, "report", **query)


def rows(response: requests.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return list(response.json()["rows"])


def refused(response: requests.Response, text: str) -> None:
    assert response.status_code == 400, response.text
    assert text in response.json()["detail"]


def installs_by_day(found: list[dict[str, Any]]) -> dict[str, int]:
    days: Counter[str] = Counter()
    for row in found:
        days[row["day"]] += int(row["installs"])
    return dict(days)


def test_filters_data_lists_id_and_name_per_filter(fake: AdjustFake) -> None:
    apps = Trackers(fake.world).apps("adjust")
    answer = call(fake, "filters_data", required_filters="apps,networks,countries,currencies")
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"apps", "networks", "countries", "currencies"}
    assert [(a["id"], a["name"]) for a in body["apps"]] == [(a.app_id, a.name) for a in apps]
    keys = {"id", "name", "short_name", "section", "formatting"}
    assert all(set(item) == keys for items in body.values() for item in items)
    assert {n["id"] for n in body["networks"]} == {"Organic", *NETWORKS.values()}
    assert {c["id"] for c in body["countries"]} >= {"KR", "US"}
    assert {c["id"] for c in body["currencies"]} == {"USD", "KRW", "JPY", "EUR"}
    metrics = call(fake, "filters_data", required_filters="overview_metrics,event_metrics").json()
    assert {"installs", "network_cost"} <= {m["id"] for m in metrics["overview_metrics"]}
    assert {m["id"] for m in metrics["event_metrics"]} == {
        *("purchase_events", "purchase_revenue", "registration_events", "registration_revenue")
    }
    cost = call(fake, "filters_data", required_filters="overview_metrics", section="cost").json()
    assert {m["id"] for m in cost["overview_metrics"]} == {"network_cost", "cost", "adjust_cost"}
    search = call(
        fake, "filters_data", required_filters="networks", networks__contains="FACEBOOK"
    ).json()
    assert search == {"networks": [{**body["networks"][1]}]}
    assert body["networks"][1]["id"] == "Facebook Installs"
    # nothing the world lacks is invented: SKAdNetwork metrics are an empty list
    assert call(fake, "filters_data", required_filters="skad_metrics").json() == {
        "skad_metrics": []
    }
    empty = call(fake, "filters_data")
    assert empty.status_code == 204 and empty.content == b""
    refused(call(fake, "filters_data", required_filters="apps,planets"), "planets")
    refused(call(fake, "filters_data", required_filters="apps", section="moon"), "moon")
    refused(call(fake, "filters_data", required_filters="apps", colour="red"), "colour")


def test_date_period_takes_logical_and_relative_dates(fake: AdjustFake) -> None:
    yesterday = AS_OF - timedelta(days=1)
    explicit = rows(report(fake, f"{yesterday}:{yesterday}"))
    assert rows(report(fake, "yesterday")) == explicit
    assert rows(report(fake, "-1d:-1d")) == explicit
    week = rows(report(fake, f"{AS_OF - timedelta(days=7)}:{yesterday}"))
    assert rows(report(fake, "-7d:-1d")) == week
    assert rows(report(fake, f"-7d:{yesterday}")) == week
    # this week runs from Sunday (2026-11-15) to today; last week Sunday to Saturday
    assert set(installs_by_day(rows(report(fake, "this_week")))) == {
        str(date(2026, 11, d)) for d in range(15, 20)
    }
    assert set(installs_by_day(rows(report(fake, "last_week")))) == {
        str(date(2026, 11, d)) for d in range(8, 15)
    }
    month = installs_by_day(rows(report(fake, "this_month")))
    assert min(month) == "2026-11-01" and max(month) == str(yesterday)
    assert installs_by_day(rows(report(fake, "this_month_until_yesterday"))) == month
    last = installs_by_day(rows(report(fake, "last_month")))
    assert min(last) == str(fake.world.first_day) and max(last) == "2026-10-31"
    today = report(fake, "today")  # the world's today has no data yet
    assert today.status_code == 204
    for bad in (
        "2026-11-01T00:00:00Z:2026-11-02T00:00:00Z",
        "last_decade",
        "2026-11-31:2026-12-01",
    ):
        assert report(fake, bad).status_code == 400, bad
    refused(report(fake, "-1d:-7d"), "start is after the end")


def test_utc_offset_moves_the_day_boundaries(fake: AdjustFake) -> None:
    period = f"{AS_OF - timedelta(days=10)}:{AS_OF - timedelta(days=4)}"
    default = rows(report(fake, period))
    assert rows(report(fake, period, utc_offset="+09:00")) == default
    utc = rows(report(fake, period, utc_offset="+00:00"))
    assert installs_by_day(utc) != installs_by_day(default)
    trackers = Trackers(fake.world)
    want: Counter[str] = Counter()
    since, until = AS_OF - timedelta(days=10), AS_OF - timedelta(days=4)
    for app in trackers.apps("adjust"):
        for row in trackers.daily_in(app, since, until, UTC, events_by="event"):
            want[row.date.isoformat()] += row.installs
    assert installs_by_day(utc) == {k: v for k, v in want.items() if v}
    for bad in ("+15:00", "KST", "9", "+09:60"):
        refused(report(fake, period, utc_offset=bad), "utc_offset")


def test_report_options_as_adjust_documents_them(fake: AdjustFake) -> None:
    period = f"{AS_OF - timedelta(days=6)}:{AS_OF - timedelta(days=2)}"
    base = rows(report(fake, period))
    same = [
        {"attribution_type": "click"},
        {"attribution_type": "all"},
        {"attribution_source": "first"},
        {"attribution_source": "dynamic"},
        {"reattributed": "all"},
        {"reattributed": "false"},
        {"sandbox": "false"},
        {"ad_spend_mode": "network"},
        {"ad_spend_mode": "mixed"},
        {"cohort_maturity": "mature"},
        {"format_dates": "false"},
        {"ad_revenue_sources": "unknown"},
        {"index": "network,day"},
    ]
    for options in same:
        assert rows(report(fake, period, **options)) == base, options
    for options in (
        {"attribution_type": "impression"},
        {"reattributed": "true"},
        {"sandbox": "true"},
    ):
        assert report(fake, period, **options).status_code == 204, options
    adjust_cost = rows(report(fake, period, ad_spend_mode="adjust"))
    assert {r["cost"] for r in adjust_cost} == {"0.0000"}
    assert [r["network_cost"] for r in adjust_cost] == [r["network_cost"] for r in base]
    assert all(r["cost"] == r["network_cost"] for r in base)
    net = rows(report(fake, period, iap_revenue_mode="GROSS_70"))
    for gross, seventy in zip(base, net, strict=True):
        assert Decimal(seventy["revenue"]) == (Decimal(gross["revenue"]) * Decimal("0.7")).quantize(
            Decimal("0.0001")
        )
        assert seventy["installs"] == gross["installs"]
    os_name = Trackers(fake.world).apps("adjust")[0].os
    other = "ios" if os_name == "android" else "android"
    assert rows(report(fake, period, os_names=os_name)) == base
    assert report(fake, period, os_names=other).status_code == 204
    for options, text in [
        ({"attribution_type": "view"}, "attribution_type"),
        ({"ad_spend_mode": "cheap"}, "ad_spend_mode"),
        ({"iap_revenue_mode": "GROSS_50"}, "iap_revenue_mode"),
        ({"sandbox": "maybe"}, "sandbox"),
        ({"os_names": "beos"}, "os_names"),
        ({"readable_names": "true"}, "readable_names"),
        ({"colour": "red"}, "colour"),
        ({"index": "partner_name"}, "index"),
        ({"sort": "-spend"}, "sort"),
        ({"planet__in": "mars"}, "planet__in"),
        ({"installs__gt": "many"}, "installs__gt"),
    ]:
        refused(report(fake, period, **options), text)


def test_sort_and_filters(fake: AdjustFake) -> None:
    period = f"{AS_OF - timedelta(days=6)}:{AS_OF - timedelta(days=2)}"
    base = rows(report(fake, period))
    by_installs = rows(report(fake, period, sort="-installs,day"))
    assert [int(r["installs"]) for r in by_installs] == sorted(
        (int(r["installs"]) for r in base), reverse=True
    )
    assert sorted(map(str, by_installs)) == sorted(map(str, base))
    by_day = rows(report(fake, period, sort="day"))
    assert [r["day"] for r in by_day] == sorted(r["day"] for r in base)
    organic = rows(report(fake, period, network__in="Organic"))
    assert organic == [r for r in base if r["network"] == "Organic"] and organic
    paid = rows(report(fake, period, network__not_in="Organic"))
    assert paid == [r for r in base if r["network"] != "Organic"] and paid
    kakao = rows(report(fake, period, network__contains="KAKAO"))
    assert kakao == [r for r in base if "Kakao" in r["network"]] and kakao
    assert rows(report(fake, period, network__ends_with="moment")) == kakao
    starts = rows(report(fake, period, network__starts_with="org"))
    assert starts == organic
    many = rows(report(fake, period, installs__gt="5"))
    assert many == [r for r in base if int(r["installs"]) > 5] and 0 < len(many) < len(base)
    assert rows(report(fake, period, installs__lte="5")) == [
        r for r in base if int(r["installs"]) <= 5
    ]


def test_csv_report_with_slugs_or_readable_names(fake: AdjustFake) -> None:
    period = f"{AS_OF - timedelta(days=4)}:{AS_OF - timedelta(days=2)}"
    params = {
        "date_period": period,
        "dimensions": "day,network",
        "metrics": "installs,network_cost",
    }
    json_rows = rows(call(fake, "report", **params))
    plain = call(fake, "csv_report", **params)
    assert plain.status_code == 200 and plain.headers["Content-Type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(plain.text))
    assert reader.fieldnames == ["day", "network", "installs", "network_cost"]
    assert list(reader) == [
        {k: r[k] for k in ("day", "network", "installs", "network_cost")} for r in json_rows
    ]
    readable = call(fake, "csv_report", **params, readable_names="true")
    header = next(csv.reader(io.StringIO(readable.text)))
    assert header == ["Day", "Network", "Installs", "Ad Spend (Network)"]


def test_more_dimensions_and_the_automate_root(fake: AdjustFake) -> None:
    period = f"{AS_OF - timedelta(days=9)}:{AS_OF - timedelta(days=2)}"
    params = {
        "date_period": period,
        "dimensions": "week,month,partner_name,partner_id,country,region,store_type",
        "metrics": "installs,organic_installs,paid_installs",
    }
    found = rows(call(fake, "report", root="/reports-service", **params))
    assert {r["week"] for r in found} == {"2026-11-08 - 2026-11-14", "2026-11-15 - 2026-11-21"}
    assert {r["month"] for r in found} == {"2026-11"}
    assert ("Organic", "-300") in {(r["partner_name"], r["partner_id"]) for r in found}
    for row in found:
        assert int(row["installs"]) == int(row["organic_installs"]) + int(row["paid_installs"])
    assert {r["region"] for r in found} <= {"APAC", "NA", "EMEA"}
