"""The automation benchmark's scorer: recall, days to detect, false alerts, holidays, pacing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from bench import automation
from ingestion.sandbox.incidents import Incident

AS_OF = date(2026, 7, 1)
HOLIDAY = date(2026, 6, 3)


def label(kind: str, **keys: Any) -> Incident:
    defaults: dict[str, Any] = {
        "platform": "meta_ads",
        "advertiser_id": "A",
        "account_id": "acc1",
        "campaign_id": "c1",
        "start": date(2026, 6, 10),
        "end": date(2026, 6, 20),
        "effect": "test",
    }
    return Incident(kind, **{**defaults, **keys})


def alert(day: date, detector: str = "score", metric: str | None = "spend", **keys: Any) -> dict:
    row: dict[str, Any] = {
        "date_day": day,
        "detector": detector,
        "metric": metric,
        "direction": "up",
        "scope": "campaign",
        "advertiser_id": "A",
        "platform": "meta_ads",
        "account_id": "acc1",
        "campaign_id": "c1",
    }
    return {**row, **keys}


def pacing_row(day: date, status: str, projected: float, spent: float, **keys: Any) -> dict:
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    row: dict[str, Any] = {
        "date_day": day,
        "budget_id": f"A/meta_ads///{start}",
        "advertiser_id": "A",
        "platform": "meta_ads",
        "account_id": None,
        "campaign_id": None,
        "period_start": start,
        "period_end": end,
        "projected_spend": projected,
        "spend_to_date": spent,
        "pacing_status": status,
    }
    return {**row, **keys}


def score(labels: list[Incident], alerts: list[dict], pacing: list[dict] | None = None) -> dict:
    return automation.score(
        labels,
        alerts,
        pacing or [],
        as_of=AS_OF,
        account_weeks=200.0,
        is_holiday=lambda d: d == HOLIDAY,
    )


def test_an_incident_is_found_by_its_detectors_on_a_related_entity_in_its_span() -> None:
    spike = label("spend_spike")
    result = score(
        [spike],
        [
            alert(date(2026, 6, 9)),  # before its start: not a detection
            alert(date(2026, 6, 11), metric="cpc"),  # another metric: not this kind's
            alert(date(2026, 6, 11), campaign_id="c2"),  # a sibling campaign: unrelated
            alert(date(2026, 6, 12), scope="platform", account_id=None, campaign_id=None),
            alert(date(2026, 6, 13)),
        ],
    )
    found = result["incidents"][0]
    assert (found["found_on"], found["days_to_detect"]) == (date(2026, 6, 12), 2)
    assert found["detector"] == "score spend up"
    assert result["kinds"]["spend_spike"] == {
        "incidents": 1,
        "found": 1,
        "found_within_1_day": 0,
        "recall": 1.0,
        "median_days_to_detect": 2.0,
        "max_days_to_detect": 2,
    }
    # the sibling campaign's alert is the only false one (the day before is in the window)
    assert result["false_alerts"] == 1
    assert result["false_alerts_per_100_account_weeks"] == 0.5
    assert result["targets"]["detection"] is False
    assert result["targets"]["false_alerts"] is True


@pytest.mark.parametrize(
    ("kind", "row", "detector"),
    [
        ("tracking_broken", {"detector": "tracking_broken", "metric": None}, "tracking_broken"),
        ("tracking_broken", {"metric": "tracker_installs", "direction": "down"}, "score"),
        ("cpc_surge", {"detector": "cost_per_result_jump", "metric": "cpa"}, "cost_per"),
        ("cpc_surge", {"metric": "cpc"}, "score cpc up"),
        ("delivery_stopped", {"detector": "data_missing", "metric": None}, "data_missing"),
        ("delivery_stopped", {"metric": "spend", "direction": "down"}, "score spend down"),
        ("under_delivery", {"metric": "spend", "direction": "down"}, "score spend down"),
    ],
)
def test_each_kind_counts_its_own_detectors(kind: str, row: dict, detector: str) -> None:
    result = score([label(kind)], [alert(date(2026, 6, 10), **row)])
    assert result["incidents"][0]["detector"].startswith(detector)
    assert result["incidents"][0]["days_to_detect"] == 0
    assert result["targets"]["detection"] is True
    # and not what finds another kind: spend up does not find broken tracking
    other = score([label(kind)], [alert(date(2026, 6, 10), metric="impressions")])
    assert other["incidents"][0]["found_on"] is None
    assert other["kinds"][kind]["recall"] == 0.0


def test_pacing_status_finds_budget_incidents_of_the_advertisers_platform() -> None:
    exhausted = label(
        "budget_exhausted",
        account_id=None,
        campaign_id=None,
        start=date(2026, 5, 1),
        end=date(2026, 5, 31),
    )
    result = score(
        [exhausted],
        [alert(date(2026, 5, 3), account_id="acc2", campaign_id="c9")],  # part of it: explained
        [
            pacing_row(date(2026, 5, 1), "on_pace", 100, 3),
            pacing_row(date(2026, 5, 2), "over", 180, 6),
            pacing_row(date(2026, 5, 2), "over", 180, 6, platform="google_ads"),
        ],
    )
    assert result["incidents"][0]["found_on"] == date(2026, 5, 2)
    assert result["incidents"][0]["detector"] == "pacing over"
    assert result["false_alerts"] == 0
    # an anomaly row alone does not find a budget running out
    assert score([exhausted], [alert(date(2026, 5, 3))])["kinds"]["budget_exhausted"]["found"] == 0


def test_false_alerts_are_rows_no_label_explains_and_holidays_are_counted() -> None:
    incident = label("cpc_surge")
    rows = [
        alert(date(2026, 6, 9), metric="cpc"),  # the day before its start: explained
        alert(date(2026, 7, 4), metric="cpc"),  # within 14 days after its end: explained
        alert(date(2026, 7, 6), metric="cpc"),  # later: false
        alert(HOLIDAY, advertiser_id="B", platform="naver_searchad"),  # false, on a holiday
        alert(
            date(2026, 6, 12), scope="advertiser", platform=None, account_id=None, campaign_id=None
        ),  # the advertiser's roll-up: explained
        alert(date(2026, 6, 12), advertiser_id="B"),  # another advertiser: false
    ]
    result = score([incident], rows)
    assert result["false_alerts"] == 3
    assert result["holiday_alerts"] == 1 and result["holiday_false_alerts"] == 1
    assert result["targets"]["holidays"] is False
    assert result["false_alerts_by_detector"] == {"score cpc": 1, "score spend": 2}
    explained_holiday = score([label("spend_spike", start=HOLIDAY)], [alert(HOLIDAY)])
    assert explained_holiday["holiday_alerts"] == 1
    assert explained_holiday["holiday_false_alerts"] == 0
    assert explained_holiday["targets"]["holidays"] is True


def test_an_open_incident_lasts_to_the_newest_day() -> None:
    stopped = label("delivery_stopped", start=date(2026, 6, 25), end=None)
    result = score([stopped], [alert(date(2026, 6, 30), detector="delivery_stopped", metric=None)])
    assert result["incidents"][0]["days_to_detect"] == 5
    assert result["false_alerts"] == 0


def test_pacing_projection_error_at_day_10_and_20_of_complete_periods() -> None:
    may = date(2026, 5, 1)
    rows = [
        pacing_row(may + timedelta(days=9), "on_pace", 110.0, 30.0),
        pacing_row(may + timedelta(days=19), "on_pace", 95.0, 60.0),
        pacing_row(date(2026, 5, 31), "on_pace", 100.0, 100.0),
        # another budget: the period is labelled; error 50 % at day 10
        pacing_row(may + timedelta(days=9), "over", 300.0, 60.0, budget_id="B", platform="kakao"),
        pacing_row(date(2026, 5, 31), "exhausted", 200.0, 200.0, budget_id="B", platform="kakao"),
        # June is not complete (the newest day is June 15): not scored
        pacing_row(date(2026, 6, 10), "on_pace", 50.0, 10.0),
        pacing_row(date(2026, 6, 15), "on_pace", 50.0, 20.0),
    ]
    exhausted = label(
        "budget_exhausted",
        platform="kakao",
        account_id=None,
        campaign_id=None,
        start=may,
        end=date(2026, 5, 31),
    )
    error = score([exhausted], [], rows)["pacing_error"]
    assert error["periods"] == 2
    assert error["day10_median_abs_pct"] == pytest.approx(30.0)  # median of 10 % and 50 %
    assert error["day20_median_abs_pct"] == pytest.approx(5.0)
    assert error["normal_day10_median_abs_pct"] == pytest.approx(10.0)
    assert error["normal_day10_count"] == 1


def test_report_prints_every_kind_and_the_figures() -> None:
    result = score([label("spend_spike")], [alert(date(2026, 6, 10))])
    text = "\n".join(automation.report({"history_days": 365, "score": result, "seconds": 12.0}))
    for kind in automation.DETECTORS:
        assert kind in text
    assert "per 100 account-weeks" in text and "day 10" in text


def test_make_bench_reports_the_automation_section_and_its_targets() -> None:
    from bench import run

    result = score([label("spend_spike")], [alert(date(2026, 6, 10))])
    results = {
        "started": "2026-11-30T06:00:00+00:00",
        "machine": {
            "cpu": "cpu",
            "cores": 2,
            "memory_gb": 8,
            "os": "Linux",
            "python": "3.12",
            "versions": {},
        },
        "config": {"seed": 42, "scale": 1.0},
        "automation": {"history_days": 365, "score": result, "seconds": 60.0},
    }
    results["summary"] = run.summarize(results)
    assert results["summary"]["targets"] == {
        "automation_detection": True,
        "automation_false_alerts": True,
        "automation_holidays": True,
    }
    text = run.report(results)
    assert "Automation against the world's labels (365 days" in text
    assert "met      every labelled incident found within one day" in text
    # a run whose marts were not built says so instead of scoring
    missing = {**results, "automation": {"history_days": 365, "error": "not built"}}
    missing["summary"] = run.summarize(missing)
    assert "not scored (not built)" in run.report(missing)
    assert "automation_detection" not in missing["summary"]["targets"]
