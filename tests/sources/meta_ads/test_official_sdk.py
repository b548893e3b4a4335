"""Meta's official SDK (facebook-business), its Graph URL pointed at the sandbox and nothing
else changed, reads from the Meta fake exactly what ARGO's meta_ads source loads.

The SDK is the reference client of the Graph API: it sends ``fields`` as a JSON array in
async report bodies, ``summary=true`` on listings, ``appsecret_proof`` and the token in
the query, and reads objects with ``GET /{id}``. If the fake answers it as Graph would,
its totals and ARGO's warehouse agree. The SDK must never reach the internet: every
connection to anything but loopback is refused and fails the test.
"""

from __future__ import annotations

import socket
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adaccountuser import AdAccountUser
from facebook_business.adobjects.adreportrun import AdReportRun
from facebook_business.adobjects.adsinsights import AdsInsights
from facebook_business.adobjects.campaign import Campaign
from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError
from facebook_business.session import FacebookSession

from argo.pipeline import run_source
from ingestion.sandbox import MetaAdsFake, World
from tests.conftest import query

pytestmark = pytest.mark.pipeline

LOOPBACK = ("127.0.0.1", "::1", "localhost")
METRICS = [AdsInsights.Field.impressions, AdsInsights.Field.clicks, AdsInsights.Field.spend]
Totals = tuple[int, int, Decimal]


@contextmanager
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Refuses every DNS lookup and connection that is not loopback, and fails if any was tried."""
    tried: list[str] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def remote(address: Any) -> bool:
        return isinstance(address, tuple) and str(address[0]) not in LOOPBACK

    def connect(self: socket.socket, address: Any) -> None:
        if remote(address):
            tried.append(f"connect {address}")
            raise OSError(f"the test is offline: no connection to {address}")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if remote(address):
            tried.append(f"connect_ex {address}")
            raise OSError(f"the test is offline: no connection to {address}")
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and str(host) not in LOOPBACK:
            tried.append(f"getaddrinfo {host}")
            raise socket.gaierror(f"the test is offline: no lookup of {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(socket.socket, "connect", connect)
        patch.setattr(socket.socket, "connect_ex", connect_ex)
        patch.setattr(socket, "getaddrinfo", getaddrinfo)
        yield tried
    assert not tried, f"the SDK tried to reach the internet: {tried}"


def sdk_api(meta: MetaAdsFake) -> FacebookAdsApi:
    """The SDK as a user sets it up, with only Graph's base URL moved to the fake."""
    session = FacebookSession(access_token=meta.access_token, app_secret=meta.app_secret)
    session.GRAPH = meta.root_url  # the one change: https://graph.facebook.com -> the fake
    return FacebookAdsApi(session, api_version=meta.api_version)


def run_report(account: AdAccount, params: dict[str, Any]) -> list[AdsInsights]:
    """An async report through the SDK's own AdReportRun, polled until it completes."""
    job = account.get_insights(fields=METRICS, params=params, is_async=True)
    assert isinstance(job, AdReportRun)
    for _ in range(20):
        job.api_get()
        if job[AdReportRun.Field.async_status] == "Job Completed":
            return list(job.get_result(params={"limit": 50}))
    raise AssertionError(f"report {job['id']} did not complete: {job.export_all_data()}")


def totals(rows: list[Any]) -> Totals:
    return (
        sum(int(r["impressions"]) for r in rows),
        sum(int(r["clicks"]) for r in rows),
        sum((Decimal(r["spend"]) for r in rows), Decimal(0)),
    )


def loaded_days(warehouse: Path) -> dict[tuple[str, str], Totals]:
    """(account, day) -> what ARGO loaded into raw_meta_ads.ads_insights."""
    rows = query(
        warehouse,
        "select account_id, cast(date_start as varchar), sum(impressions), sum(clicks), "
        "sum(spend) from raw_meta_ads.ads_insights group by all",
    )
    return {(a, d): (int(i), int(c), Decimal(s)) for a, d, i, c, s in rows}


def loaded_range(
    days: dict[tuple[str, str], Totals], account_id: str, since: date, until: date
) -> Totals:
    picked = [
        t
        for (account, day), t in days.items()
        if account == account_id and since <= date.fromisoformat(day) <= until
    ]
    return (
        sum(t[0] for t in picked),
        sum(t[1] for t in picked),
        sum((t[2] for t in picked), Decimal(0)),
    )


def test_the_guard_keeps_the_sdk_off_the_internet(
    meta: MetaAdsFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the base URL change the SDK goes to graph.facebook.com: the guard must stop it.
    assert FacebookSession.GRAPH == "https://graph.facebook.com"
    api = FacebookAdsApi(FacebookSession(access_token=meta.access_token), api_version="v21.0")
    account = meta.world.accounts("meta_ads")[0].account_id
    with (
        pytest.raises(AssertionError, match=r"getaddrinfo graph\.facebook\.com"),
        offline(monkeypatch),
        pytest.raises(OSError),
    ):
        AdAccount(f"act_{account}", api=api).api_get(fields=["name"])
    assert not meta.requests


def test_the_sdk_reads_what_argo_loads(
    world: World,
    meta: MetaAdsFake,
    meta_options: dict[str, Any],
    warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    run_source("meta_ads", **meta_options)
    days = loaded_days(warehouse)
    campaigns = {
        row[0]: row
        for row in query(
            warehouse,
            "select id, account_id, name, objective, status, daily_budget "
            "from raw_meta_ads.campaigns",
        )
    }
    first, last = world.first_day, world.as_of - timedelta(days=1)
    api = sdk_api(meta)
    argo_requests = len(meta.requests)
    with offline(monkeypatch):
        # Accounts: /me/adaccounts with the SDK's default fields (id and account_id).
        accounts = list(AdAccountUser(fbid="me", api=api).get_ad_accounts())
        assert sorted(a["account_id"] for a in accounts) == sorted(
            r[0] for r in query(warehouse, "select account_id from raw_meta_ads.ad_accounts")
        )
        paged = reported = 0
        for account in accounts:
            account_id = account["account_id"]
            assert account["id"] == f"act_{account_id}"
            # Campaigns, two a page: the SDK's cursor walks every page, summary counts them.
            cursor = account.get_campaigns(
                fields=[Campaign.Field.name, Campaign.Field.objective, Campaign.Field.status],
                params={"limit": 2},
            )
            listed = {c["id"]: (c["name"], c["objective"], c["status"]) for c in cursor}
            assert cursor.total() == len(listed)
            paged += len(listed) > 2
            assert listed == {
                cid: (row[2], row[3], row[4])
                for cid, row in campaigns.items()
                if row[1] == account_id
            }
            # Daily account totals, synchronous, over everything ARGO loaded.
            sync = account.get_insights(
                fields=METRICS,
                params={
                    "level": AdsInsights.Level.account,
                    "time_increment": 1,
                    "time_range": {"since": first.isoformat(), "until": last.isoformat()},
                },
            )
            by_day = {r["date_start"]: totals([r]) for r in sync}
            assert by_day
            assert by_day == {d: t for (a, d), t in days.items() if a == account_id}
            # An async report with fields as a list and two (overlapping) time ranges.
            ranges = [(first, first + timedelta(days=9)), (last - timedelta(days=13), last)]
            rows = run_report(
                account,
                {
                    "level": AdsInsights.Level.ad,
                    "time_ranges": [
                        {"since": s.isoformat(), "until": u.isoformat()} for s, u in ranges
                    ],
                },
            )
            per_range: dict[tuple[str, str], list[AdsInsights]] = defaultdict(list)
            for row in rows:
                per_range[(row["date_start"], row["date_stop"])].append(row)
            expected = {
                (s.isoformat(), u.isoformat()): loaded_range(days, account_id, s, u)
                for s, u in ranges
            }
            # Graph has no row for a range without delivery (a campaign that started later).
            assert {k: totals(v) for k, v in per_range.items()} == {
                k: v for k, v in expected.items() if v[0]
            }
            reported += len(per_range)
        assert paged, "no account had more campaigns than one page"
        assert reported > len(accounts), "the reports had too few ranges with delivery"
        # One campaign read by id, as the SDK does it.
        campaign_id, row = next(iter(campaigns.items()))
        campaign = Campaign(campaign_id, api=api).api_get(
            fields=[Campaign.Field.name, Campaign.Field.objective, Campaign.Field.daily_budget]
        )
        assert (campaign["name"], campaign["objective"]) == (row[2], row[3])
        assert campaign.get("daily_budget") == (None if row[5] is None else str(row[5]))
        # A misspelt date preset is refused by the fake as Graph refuses it.
        with (
            pytest.raises(FacebookRequestError) as refused,
            pytest.warns(UserWarning, match="date_preset"),  # the SDK's own check warns
        ):
            account.get_insights(params={"date_preset": "last_2d"})
        assert refused.value.api_error_code() == 100
    # What the SDK sent: fields as a JSON array in report bodies, cursors on listings.
    sent = meta.requests[argo_requests:]
    posted = [p for m, path, p in sent if m == "POST" and path.endswith("/insights")]
    assert len(posted) == len(accounts)
    assert all(p["fields"] == '["impressions","clicks","spend"]' for p in posted)
    assert any("after" in p for _, path, p in sent if path.endswith("/campaigns"))
