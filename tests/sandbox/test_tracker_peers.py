"""Peer connectors against the tracker fakes: the exact requests they send, parsed as they
parse the answers.

Requests are written out from the peers' source (read, not copied):

- singer-io/tap-appsflyer, master of 2025-11 (``tap_appsflyer/streams/*.py``,
  ``client.py``) and the release before it (``tap_appsflyer/__init__.py`` at 97eef3c, with
  the ``event_name`` filter of dc75fa9): raw-data reports, ``from``/``to`` as
  ``%Y-%m-%d %H:%M`` in UTC, no ``timezone``, ``Accept: application/json``, the CSV read by
  position with a fixed list of 81 field names after skipping the header row.
- airbytehq/airbyte ``source-appsflyer`` (``source_appsflyer/source.py``, ``fields/``):
  ``timezone`` (``UTC`` by default) and ``maximum_rows=1000000`` on every request, raw
  ``from``/``to`` as ``YYYY-MM-DD HH:MM:SS`` with ``currency=preferred`` and
  ``additional_fields``, retargeting aggregates with ``reattr=True``, the ``-retarget`` raw
  reports, and the connection check on ``partners_report``; CSV read by header name.
- airbytehq/airbyte ``source-adjust``: the Python release (``source_adjust/source.py``:
  check on ``filters_data`` without parameters, one ``report`` per day with ``day`` first)
  and the low-code manifests (0.83: ``dimensions`` + ``day``, dates; 5.15: datetimes in
  ``date_period``, which Adjust refuses: airbyte PR #45226).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests

from ingestion.sandbox import Faults, World, WorldConfig
from ingestion.sandbox.adjust_api import AdjustFake
from ingestion.sandbox.appsflyer_api import AppsFlyerFake
from ingestion.sandbox.trackers import Trackers

AS_OF = date(2026, 11, 20)
AF_TOKEN = "sandbox-appsflyer-v2"
ADJUST_TOKEN = "sandbox-adjust-token"

#: tap-appsflyer's positional field names (``abstracts.fieldnames``), in its order.
SINGER_FIELDS = [
    *("attributed_touch_type", "attributed_touch_time", "install_time", "event_time"),
    *("event_name", "event_value", "event_revenue", "event_revenue_currency"),
    *("event_revenue_usd", "event_source", "is_receipt_validated", "af_prt", "media_source"),
    *("af_channel", "af_keywords", "campaign", "af_c_id", "af_adset", "af_adset_id", "af_ad"),
    *("af_ad_id", "af_ad_type", "af_siteid", "af_sub_siteid", "af_sub1", "af_sub2"),
    *("af_sub3", "af_sub4", "af_sub5", "af_cost_model", "af_cost_value", "af_cost_currency"),
    *(
        f"contributor{n}_{what}"
        for n in (1, 2, 3)
        for what in ("af_prt", "media_source", "campaign", "touch_type", "touch_time")
    ),
    *("region", "country_code", "state", "city", "postal_code", "dma", "ip", "wifi"),
    *("operator", "carrier", "language", "appsflyer_id", "advertising_id", "idfa"),
    *("android_id", "customer_user_id", "imei", "idfv", "platform", "device_type"),
    *("os_version", "app_version", "sdk_version", "app_id", "app_name", "bundle_id"),
    *("is_retargeting", "retargeting_conversion_type", "af_attribution_lookback"),
    *("af_reengagement_window", "is_primary_attribution", "user_agent", "http_referrer"),
    "original_url",
]
#: airbyte ``fields/additional_fields.py``: what its raw streams ask for.
AIRBYTE_RAW_ADDITIONAL = [
    *("app_type", "custom_data", "network_account_id", "install_app_store"),
    *("contributor1_match_type", "contributor2_match_type", "contributor3_match_type"),
    *("campaign_type", "conversion_type", "match_type", "gp_referrer", "gp_click_time"),
    *("gp_install_begin", "gp_broadcast_referrer", "keyword_match_type", "keyword_id", "att"),
    *("amazon_aid", "device_category", "device_model", "device_download_time"),
    *("deeplink_url", "oaid", "is_lat", "store_reinstall", "placement", "mediation_network"),
    *("segment", "ad_unit", "monetization_network", "impressions", "blocked_reason"),
    *("blocked_reason_value", "blocked_reason_rule", "blocked_sub_reason", "rejected_reason"),
    "rejected_reason_value",
]
AIRBYTE_UNINSTALL_ADDITIONAL = [
    f for f in AIRBYTE_RAW_ADDITIONAL if f not in ("app_type", "campaign_type", "att")
]
#: airbyte ``fields/mapper.py``: the header names it knows -> its field names.
AIRBYTE_FIELD_MAP = {
    "Agency/PMD (af_prt)": "af_prt",
    "Media Source (pid)": "media_source",
    "Campaign (c)": "campaign",
    "Impressions": "impressions",
    "Clicks": "clicks",
    "CTR": "click_through_rate",
    "Installs": "installs",
    "Conversion Rate": "conversion_rate",
    "Sessions": "sessions",
    "Loyal Users": "loyal_users",
    "Loyal Users/Installs": "loyal_users_rate",
    "Total Revenue": "total_revenue",
    "Total Cost": "total_cost",
    "ROI": "return_on_investment",
    "ARPU": "average_revenue_per_user",
    "Average eCPI": "average_ecpi",
    "Country": "country",
    "Date": "date",
    "Conversions": "conversions",
    "Conversion Type": "conversion_type",
    **dict(
        zip(
            [
                *("Attributed Touch Type", "Attributed Touch Time", "Install Time"),
                *("Event Time", "Event Name", "Event Value", "Event Revenue"),
                *("Event Revenue Currency", "Event Revenue USD", "Event Source"),
                *("Is Receipt Validated", "Partner", "Media Source", "Channel", "Keywords"),
                *("Campaign", "Campaign ID", "Adset", "Adset ID", "Ad", "Ad ID", "Ad Type"),
                *("Site ID", "Sub Site ID", "Sub Param 1", "Sub Param 2", "Sub Param 3"),
                *("Sub Param 4", "Sub Param 5", "Cost Model", "Cost Value", "Cost Currency"),
                *(
                    f"Contributor {n} {what}"
                    for n in (1, 2, 3)
                    for what in ("Partner", "Media Source", "Campaign", "Touch Type", "Touch Time")
                ),
                *("Region", "Country Code", "State", "City", "Postal Code", "DMA", "IP"),
                *("WIFI", "Operator", "Carrier", "Language", "AppsFlyer ID", "Advertising ID"),
                *("IDFA", "Android ID", "Customer User ID", "IMEI", "IDFV", "Platform"),
                *("Device Type", "OS Version", "App Version", "SDK Version", "App ID"),
                *("App Name", "Bundle ID", "Is Retargeting", "Retargeting Conversion Type"),
                *("Attribution Lookback", "Reengagement Window", "Is Primary Attribution"),
                *("User Agent", "HTTP Referrer", "Original URL"),
            ],
            [
                *SINGER_FIELDS[:13],
                *("af_channel", "af_keywords"),
                *SINGER_FIELDS[15:],
            ],
            strict=True,
        )
    ),
    "App Type": "app_type",
    "Custom Data": "custom_data",
    "Network Account ID": "network_account_id",
    "Install App Store": "install_app_store",
    **{f"Contributor {n} Match Type": f"contributor{n}_match_type" for n in (1, 2, 3)},
    "Campaign Type": "campaign_type",
    "Match Type": "match_type",
    "Google Play Referrer": "gp_referrer",
    "Google Play Click Time": "gp_click_time",
    "Google Play Install Begin Time": "gp_install_begin",
    "Google Play Broadcast Referrer": "gp_broadcast_referrer",
    "Keyword Match Type": "keyword_match_type",
    "Keyword ID": "keyword_id",
    "ATT": "att",
    "Amazon Fire ID": "amazon_aid",
    "Device Category": "device_category",
    "Device Model": "device_model",
    "Device Download Time": "device_download_time",
    "Deeplink URL": "deeplink_url",
    "OAID": "oaid",
    "Is LAT": "is_lat",
    "Store Reinstall": "store_reinstall",
    "Placement": "placement",
    "Mediation Network": "mediation_network",
    "Segment": "segment",
    "Ad Unit": "ad_unit",
    "Monetization Network": "monetization_network",
    "Blocked Reason": "blocked_reason",
    "Blocked Reason Value": "blocked_reason_value",
    "Blocked Reason Rule": "blocked_reason_rule",
    "Blocked Sub Reason": "blocked_sub_reason",
    "Rejected Reason": "rejected_reason",
    "Rejected Reason Value": "rejected_reason_value",
}


@pytest.fixture
def world() -> World:
    return World(WorldConfig(seed=7, scale=0.6, history_days=30, as_of=AS_OF))


@pytest.fixture
def appsflyer(world: World) -> Iterator[AppsFlyerFake]:
    with AppsFlyerFake(world, Faults(), strict_row_limits=True) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
def adjust(world: World) -> Iterator[AdjustFake]:
    with AdjustFake(world, Faults()) as fake:
        yield fake  # type: ignore[misc]


# -- singer tap-appsflyer ----------------------------------------------------------------
def singer_records(
    response: requests.Response, key: str, bookmark: datetime
) -> list[dict[str, Any]]:
    """tap-appsflyer's reading: positional field names, header skipped, '' -> None,
    booleans for wifi/is_retargeting, records at or after the bookmark (UTC)."""
    assert response.status_code == 200, response.text
    reader = csv.DictReader(iter(response.text.splitlines()), SINGER_FIELDS)
    header = next(reader)
    # read by position: every column is where the tap expects it (names as airbyte maps them)
    assert [AIRBYTE_FIELD_MAP[header[name]] for name in SINGER_FIELDS] == SINGER_FIELDS
    records = []
    for row in reader:
        record = {k: (None if v == "" else v) for k, v in row.items()}
        for flag in ("wifi", "is_retargeting"):
            if record[flag] is not None:
                record[flag] = record[flag].strip().lower() == "true"
        stamp = datetime.strptime(record[key], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        if stamp >= bookmark:
            records.append(record)
    return records


@pytest.mark.parametrize(
    ("path", "key", "extra"),
    [
        ("installs_report", "attributed_touch_time", {}),  # master
        ("organic_installs_report", "event_time", {}),
        ("in_app_events_report", "event_time", {}),
        (
            "in_app_events_report",
            "event_time",
            {"event_name": "af_purchase"},
        ),  # dc75fa9
    ],
)
def test_singer_tap_appsflyer_reads_the_raw_reports(
    appsflyer: AppsFlyerFake, path: str, key: str, extra: dict[str, str]
) -> None:
    app = Trackers(appsflyer.world).apps("appsflyer")[0]
    bookmark = datetime.combine(AS_OF - timedelta(days=10), datetime.min.time(), UTC)
    stop = min(bookmark + timedelta(days=30), datetime.combine(AS_OF, datetime.min.time(), UTC))
    params = {"from": bookmark.strftime("%Y-%m-%d %H:%M"), "to": stop.strftime("%Y-%m-%d %H:%M")}
    headers = {"Accept": "application/json", "Authorization": f"Bearer {AF_TOKEN}"}
    url = f"{appsflyer.base_url}/api/raw-data/export/app/{app.app_id}/{path}/v5"
    response = requests.get(url, params={**params, **extra}, headers=headers, timeout=30)
    records = singer_records(response, key, bookmark)
    assert records, "the tap finds rows in the window"
    # the window is on install (or event) time, in UTC; the tap then drops installs
    # whose touch came before its bookmark, as it would against AppsFlyer
    for record in records:
        at = "install_time" if path.startswith(("installs", "organic_installs")) else "event_time"
        assert params["from"] <= record[at][:16] <= params["to"], record[at]
    assert all(r["appsflyer_id"] and r["event_name"] for r in records)  # its key properties
    assert all(r["is_retargeting"] is False for r in records)
    if extra:
        assert {r["event_name"] for r in records} == {"af_purchase"}
        every = requests.get(url, params=params, headers=headers, timeout=30)
        assert len(singer_records(every, key, bookmark)) > len(records)
    # no timezone: the times are UTC, 9 hours behind the app's Seoul clock
    install = next(
        i
        for d in Trackers(appsflyer.world).local_days(app, bookmark.date(), stop.date(), UTC)
        for i in Trackers(appsflyer.world).installs(app, d)
        if i.device_id == records[0]["appsflyer_id"]
    )
    seen = datetime.strptime(records[0]["install_time"], "%Y-%m-%d %H:%M:%S")
    assert seen + timedelta(hours=9) == install.install_time


# -- airbyte source-appsflyer -------------------------------------------------------------
def airbyte_value(value: str) -> str | None:
    return None if value in ("", "N/A", "NULL") else value


def airbyte_records(response: requests.Response) -> tuple[list[str], list[dict[str, Any]]]:
    """source-appsflyer's reading: by header name, known names only, then '', N/A -> None."""
    assert response.status_code == 200, response.text
    reader = csv.DictReader(iter(response.text.splitlines()))
    records = [
        {AIRBYTE_FIELD_MAP[k]: airbyte_value(v) for k, v in row.items() if k in AIRBYTE_FIELD_MAP}
        for row in reader
    ]
    return list(reader.fieldnames or []), records


def airbyte_events(response: requests.Response) -> list[dict[str, Any]]:
    """source-appsflyer's EventsMixin: one record per row and event of the header."""
    reader = csv.DictReader(iter(response.text.splitlines()))
    events = [
        h.replace(" (Unique users)", "").strip()
        for h in reader.fieldnames or []
        if " (Unique users)" in h
    ]
    keys = {"Date": "date", "Agency/PMD (af_prt)": "af_prt", "Media Source (pid)": "media_source"}
    keys |= {"Campaign (c)": "campaign", "Country": "country"}
    return [
        {
            **{keys[k]: v for k, v in row.items() if k in keys},
            "event_name": event,
            "event_unique_users": row.get(f"{event} (Unique users)"),
            "event_counter": row.get(f"{event} (Event counter)"),
            "event_sales": row.get(f"{event} (Sales in USD)"),
        }
        for row in reader
        for event in events
    ]


AIRBYTE_RAW_STREAMS = [
    ("in_app_events_report", "event_time", AIRBYTE_RAW_ADDITIONAL),
    ("organic_in_app_events_report", "event_time", AIRBYTE_RAW_ADDITIONAL),
    ("installs_report", "install_time", AIRBYTE_RAW_ADDITIONAL),
    ("organic_installs_report", "install_time", AIRBYTE_RAW_ADDITIONAL),
    ("uninstall_events_report", "event_time", AIRBYTE_UNINSTALL_ADDITIONAL),
    ("organic_uninstall_events_report", "event_time", AIRBYTE_UNINSTALL_ADDITIONAL),
    ("in-app-events-retarget", "event_time", AIRBYTE_RAW_ADDITIONAL),
    ("installs-retarget", "install_time", AIRBYTE_RAW_ADDITIONAL),
]


@pytest.mark.parametrize("timezone", ["UTC", "Asia/Seoul"])
def test_airbyte_source_appsflyer_reads_every_stream(
    appsflyer: AppsFlyerFake, timezone: str
) -> None:
    app = Trackers(appsflyer.world).apps("appsflyer")[0]
    auth = {"Authorization": f"Bearer {AF_TOKEN}"}
    base = f"{appsflyer.base_url}/api/"
    start = AS_OF - timedelta(days=10)
    # check_connection: a fixed URL on partners_report, today, UTC
    check = requests.get(
        f"{base}agg-data/export/app/{app.app_id}/partners_report/v5"
        f"?from={AS_OF}&to={AS_OF}&timezone=UTC",
        headers=auth,
        timeout=30,
    )
    assert check.status_code == 200 and check.text.startswith("Agency/PMD (af_prt),")
    common = {"timezone": timezone, "maximum_rows": 1_000_000}
    for path, cursor, additional in AIRBYTE_RAW_STREAMS:
        params = {
            **common,
            "additional_fields": ",".join(additional),
            "from": f"{start} 00:00:00",
            "to": f"{AS_OF} 00:00:00",
            "currency": "preferred",
        }
        url = f"{base}raw-data/export/app/{app.app_id}/{path}/v5"
        header, records = airbyte_records(
            requests.get(url, params=params, headers=auth, timeout=30)
        )
        assert header[-len(additional) :] == [
            next(h for h, f in AIRBYTE_FIELD_MAP.items() if f == name and h[0].isupper())
            for name in additional
        ], path
        if path.startswith(("in_app", "installs_report", "organic_in", "organic_installs")):
            assert records, path
            assert all(r[cursor] for r in records), f"{path}: the cursor {cursor} is always set"
            assert all(r["device_model"] and r["gp_referrer"] is None for r in records)
        else:  # the world has no uninstalls and no retargeting: header, no rows
            assert records == [], path
    for path in ("partners_by_date_report", "daily_report", "geo_by_date_report"):
        url = f"{base}agg-data/export/app/{app.app_id}/{path}/v5"
        params = {**common, "from": str(start), "to": str(AS_OF)}
        header, records = airbyte_records(
            requests.get(url, params=params, headers=auth, timeout=30)
        )
        assert records and all(r["date"] and r["media_source"] for r in records), path
        for record in records:
            assert int(record["installs"]) >= 0
            assert record["total_cost"] is None or Decimal(record["total_cost"]) >= 0
        if path != "daily_report":
            events = airbyte_events(requests.get(url, params=params, headers=auth, timeout=30))
            assert {e["event_name"] for e in events} == {"af_complete_registration", "af_purchase"}
            assert all(int(e["event_counter"]) >= int(e["event_unique_users"]) for e in events)
        # RetargetingMixin: the same request with reattr=True (requests writes True)
        retargeting = requests.get(url, params={**params, "reattr": True}, headers=auth, timeout=30)
        header, records = airbyte_records(retargeting)
        assert records == [] and {"Conversions", "Conversion Type"} <= set(header)
        assert all(h in AIRBYTE_FIELD_MAP or "(" in h for h in header), header


def test_airbyte_source_appsflyer_sees_the_refusals_it_handles(appsflyer: AppsFlyerFake) -> None:
    app = Trackers(appsflyer.world).apps("appsflyer")[0]
    url = f"{appsflyer.base_url}/api/agg-data/export/app/{app.app_id}/partners_by_date_report/v5"
    params = {"from": str(AS_OF), "to": str(AS_OF), "timezone": "UTC", "maximum_rows": 1_000_000}
    appsflyer.faults.throttle_next(1)
    limited = requests.get(
        url, params=params, headers={"Authorization": f"Bearer {AF_TOKEN}"}, timeout=30
    )
    # its is_aggregate_reports_reached_limit: 403 and "Limit reached for " in the text
    assert limited.status_code == 403 and "Limit reached for " in limited.text
    wrong_app = url.replace(app.app_id, "com.not.ours")
    check = requests.get(
        wrong_app, params=params, headers={"Authorization": f"Bearer {AF_TOKEN}"}, timeout=30
    )
    assert check.status_code == 404  # its check says "The supplied APP ID is invalid"


# -- airbyte source-adjust ----------------------------------------------------------------
#: source-adjust's model: which fields it converts to int or Decimal.
ADJUST_INTS = {"installs", "clicks", "impressions", "sessions", "events", "paid_installs"}
ADJUST_INTS |= {"organic_installs", "non_organic_installs", "reattributions", "revenue_events"}
ADJUST_DECIMALS = {"network_cost", "cost", "adjust_cost", "revenue", "all_revenue"}
ADJUST_METRICS = sorted(ADJUST_INTS | ADJUST_DECIMALS)
ADJUST_ADDITIONAL = ["purchase_events", "purchase_revenue", "registration_events"]
ADJUST_DIMENSIONS = [
    *("app", "app_token", "os_name", "device_type", "store_type", "currency_code"),
    *("network", "campaign", "campaign_network", "campaign_id_network", "adgroup_network"),
    *("adgroup_id_network", "source_network", "creative_network", "country", "country_code"),
    *("region", "partner_name", "partner_id"),
]


def adjust_records(response: requests.Response) -> list[dict[str, Any]]:
    """source-adjust's parse_response: rows, attr_dependency dropped, strings converted."""
    assert response.status_code == 200, response.text
    records = []
    for row in response.json()["rows"]:
        row.pop("attr_dependency", None)
        for key, value in list(row.items()):
            if key in ADJUST_INTS:
                row[key] = int(value)  # int("7.5") would fail the peer
            elif key in ADJUST_DECIMALS or key in ADJUST_ADDITIONAL:
                row[key] = Decimal(value)
        records.append(row)
    return records


def test_airbyte_source_adjust_python_release(adjust: AdjustFake) -> None:
    auth = {"Authorization": f"Bearer {ADJUST_TOKEN}"}
    base = f"{adjust.base_url}/control-center/reports-service/"
    check = requests.get(base + "filters_data", headers=auth, timeout=30)
    check.raise_for_status()  # 204: the empty object
    day = AS_OF - timedelta(days=3)
    params = {
        "date_period": f"{day}:{day}",
        "metrics": ",".join(ADJUST_METRICS + ADJUST_ADDITIONAL),
        "dimensions": ",".join(["day", *ADJUST_DIMENSIONS]),
    }
    records = adjust_records(requests.get(base + "report", params=params, headers=auth, timeout=30))
    assert records and {r["day"] for r in records} == {str(day)}
    assert all(r["installs"] == r["organic_installs"] + r["paid_installs"] for r in records)
    tracked = sum(
        t.installs
        for app in Trackers(adjust.world).apps("adjust")
        for t in Trackers(adjust.world).daily(app, day, day)
    )
    assert sum(r["installs"] for r in records) == tracked
    assert {r["partner_id"] for r in records if r["network"] == "Organic"} == {"-300"}


def test_airbyte_source_adjust_manifests(adjust: AdjustFake) -> None:
    auth = {"Authorization": f"Bearer {ADJUST_TOKEN}"}
    url = f"{adjust.base_url}/control-center/reports-service/report"
    day = AS_OF - timedelta(days=2)
    metrics = ",".join(["installs", "clicks", "network_cost", *ADJUST_ADDITIONAL[:1]])
    dimensions = ",".join([*ADJUST_DIMENSIONS[:3], "network", "day"])  # config + ["day"]
    dated = {"metrics": metrics, "dimensions": dimensions, "date_period": f"{day}:{day}"}
    answer = requests.get(url, params=dated, headers=auth, timeout=30)
    assert answer.status_code == 200
    rows = answer.json()["rows"]  # DpathExtractor ["rows"]
    assert rows and all(r["day"] == str(day) and int(r["installs"]) >= 0 for r in rows)
    # 5.15 formats the interval as datetimes; Adjust wants dates (airbyte PR #45226)
    stamp = f"{day}T00:00:00Z"
    timed = requests.get(
        url, params={**dated, "date_period": f"{stamp}:{stamp}"}, headers=auth, timeout=30
    )
    assert timed.status_code == 400 and "date_period" in timed.json()["detail"]
