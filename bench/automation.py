"""Automation benchmark: ARGO's pacing and anomaly marts scored against the world's labels.

On a world of 365 days (``WorldConfig(history_days=365)``), the sandbox serves every source
(the AE's plan included, from the Google Sheets fake: its budgets are the world's normal
monthly spend), dlt lands them (bench/ingest.py's live runs), ``dbt build`` builds the
marts (bench/transform.py's dbt child), and :func:`score` compares
``fct_anomalies_daily`` and ``fct_budget_pacing_daily`` with :meth:`World.incidents`:

* per incident kind, recall (an alert on an entity related to the incident, by one of
  the detectors of :data:`DETECTORS`, between its start and its end) and days to detect;
* false alerts per 100 account-weeks: every ``fct_anomalies_daily`` row that no label
  explains (same advertiser, related entity: the incident's own, a roll-up of it or a
  part of it, from :data:`BEFORE_DAYS` before its start to :data:`AFTER_DAYS` after its end);
* alerts on Korean public holidays (all, and those no label explains: caused by the
  holiday);
* pacing projection error: |projected - actual period-end spend| / actual at day 10 and
  day 20 of every complete monthly period (median, all periods and unlabelled ones);
* budget exhausted and under-delivery found by ``pacing_status``.

:func:`score` is a pure function over (labels, alert rows, pacing rows); the labels are
read here and nowhere in the models. Child: none; :func:`run` is called by bench/run.py.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ingestion.sandbox.incidents import Incident

#: Which alerts count as finding each incident kind: (source, detector, metric, direction);
#: ``None`` matches anything. Source ``anomaly``: a fct_anomalies_daily row; ``pacing``: a
#: fct_budget_pacing_daily row whose pacing_status is the "detector".
DETECTORS: dict[str, tuple[tuple[str, str, str | None, str | None], ...]] = {
    "tracking_broken": (
        ("anomaly", "tracking_broken", None, None),
        ("anomaly", "score", "conversions", "down"),
        ("anomaly", "score", "tracker_installs", "down"),
        ("anomaly", "score", "install_gap", "down"),
    ),
    "spend_spike": (("anomaly", "score", "spend", "up"),),
    "cpc_surge": (
        ("anomaly", "score", "cpc", "up"),
        ("anomaly", "cost_per_result_jump", None, None),
    ),
    "delivery_stopped": (
        ("anomaly", "delivery_stopped", None, None),
        ("anomaly", "data_missing", None, None),
        ("anomaly", "score", "spend", "down"),
    ),
    "budget_exhausted": (("pacing", "exhausted", None, None), ("pacing", "over", None, None)),
    "under_delivery": (("pacing", "under", None, None), ("anomaly", "score", "spend", "down")),
}
#: An alert this many days before an incident's start, or after its end, is still its own.
BEFORE_DAYS = 1
AFTER_DAYS = 14
#: The targets of issue #16 item 6.
TARGETS = {
    "detection": "every labelled incident found within one day of its start",
    "false_alerts": "at most 1 false alert per 100 account-weeks",
    "holidays": "no alert caused by a holiday",
}


def related(label: Incident, row: Mapping[str, Any]) -> bool:
    """Whether a mart row's entity is the label's, a roll-up of it or a part of it."""
    if row.get("advertiser_id") != label.advertiser_id:
        return False
    for key, value in (
        ("platform", label.platform),
        ("account_id", label.account_id),
        ("campaign_id", label.campaign_id),
    ):
        if row.get(key) is not None and value is not None and row[key] != value:
            return False
    return True


def _last_day(label: Incident, as_of: date) -> date:
    return label.end if label.end is not None else as_of - timedelta(days=1)


def _matches(kind: str, source: str, row: Mapping[str, Any]) -> str | None:
    """The detector name if ``row`` (from ``source``) counts as finding ``kind``."""
    for want_source, detector, metric, direction in DETECTORS[kind]:
        if want_source != source:
            continue
        if source == "pacing":
            if row.get("pacing_status") == detector:
                return f"pacing {detector}"
            continue
        if row.get("detector") != detector:
            continue
        if metric is not None and row.get("metric") != metric:
            continue
        if direction is not None and row.get("direction") != direction:
            continue
        return detector if metric is None else f"{detector} {metric} {direction}"
    return None


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def score(
    labels: Sequence[Incident],
    alerts: Iterable[Mapping[str, Any]],
    pacing: Iterable[Mapping[str, Any]],
    *,
    as_of: date,
    account_weeks: float,
    is_holiday: Callable[[date], bool],
) -> dict[str, Any]:
    """Scores the anomaly and pacing rows against the labels.

    Args:
        labels: The world's incidents.
        alerts: Rows of fct_anomalies_daily (date_day, detector, metric, direction,
            advertiser_id, platform, account_id, campaign_id).
        pacing: Rows of fct_budget_pacing_daily (date_day, budget_id, advertiser_id,
            platform, account_id, campaign_id, period_start, period_end, projected_spend,
            spend_to_date, pacing_status).
        as_of: The world's today (the newest day is the day before).
        account_weeks: Ad accounts times the weeks they were judged.
        is_holiday: Whether a day is a Korean public holiday.
    """
    alerts = list(alerts)
    pacing = list(pacing)
    found: list[dict[str, Any]] = []
    for label in labels:
        last = _last_day(label, as_of)
        hits: list[tuple[date, str]] = []
        for source, rows in (("anomaly", alerts), ("pacing", pacing)):
            for row in rows:
                day = row["date_day"]
                if not (label.start <= day <= last) or not related(label, row):
                    continue
                detector = _matches(label.kind, source, row)
                if detector is not None:
                    hits.append((day, detector))
        first = min(hits) if hits else None
        found.append(
            {
                "kind": label.kind,
                "platform": label.platform,
                "advertiser_id": label.advertiser_id,
                "account_id": label.account_id,
                "campaign_id": label.campaign_id,
                "start": label.start,
                "end": label.end,
                "found_on": first[0] if first else None,
                "days_to_detect": (first[0] - label.start).days if first else None,
                "detector": first[1] if first else None,
            }
        )
    kinds: dict[str, dict[str, Any]] = {}
    for kind in DETECTORS:
        mine = [f for f in found if f["kind"] == kind]
        days = [f["days_to_detect"] for f in mine if f["days_to_detect"] is not None]
        kinds[kind] = {
            "incidents": len(mine),
            "found": len(days),
            "found_within_1_day": sum(1 for d in days if d <= 1),
            "recall": len(days) / len(mine) if mine else None,
            "median_days_to_detect": _median([float(d) for d in days]),
            "max_days_to_detect": max(days) if days else None,
        }

    def explained(row: Mapping[str, Any]) -> bool:
        day = row["date_day"]
        return any(
            label.start - timedelta(days=BEFORE_DAYS)
            <= day
            <= _last_day(label, as_of) + timedelta(days=AFTER_DAYS)
            and related(label, row)
            for label in labels
        )

    unexplained = [row for row in alerts if not explained(row)]
    on_holidays = [row for row in alerts if is_holiday(row["date_day"])]
    false_on_holidays = [row for row in unexplained if is_holiday(row["date_day"])]
    by_detector: dict[str, int] = {}
    for row in unexplained:
        name = f"{row.get('detector')} {row.get('metric') or ''}".strip()
        by_detector[name] = by_detector.get(name, 0) + 1
    rate = 100 * len(unexplained) / account_weeks if account_weeks else None
    pacing_error = _projection_error(labels, pacing)
    total = len(found)
    within = sum(1 for f in found if f["days_to_detect"] is not None and f["days_to_detect"] <= 1)
    return {
        "incidents": found,
        "kinds": kinds,
        "alerts": len(alerts),
        "false_alerts": len(unexplained),
        "false_alerts_by_detector": dict(sorted(by_detector.items(), key=lambda kv: -kv[1])),
        "account_weeks": round(account_weeks, 1),
        "false_alerts_per_100_account_weeks": round(rate, 2) if rate is not None else None,
        "holiday_alerts": len(on_holidays),
        "holiday_false_alerts": len(false_on_holidays),
        "pacing_error": pacing_error,
        "targets": {
            "detection": total > 0 and within == total,
            "false_alerts": rate is not None and rate <= 1.0,
            "holidays": not false_on_holidays,
        },
        "target_figures": {
            "detection": f"{within} of {total} found within one day",
            "false_alerts": f"{rate:.2f} per 100 account-weeks" if rate is not None else "n/a",
            "holidays": f"{len(false_on_holidays)} unexplained alerts on holidays "
            f"({len(on_holidays)} alerts on holidays in all)",
        },
    }


def _projection_error(
    labels: Sequence[Incident], pacing: list[Mapping[str, Any]]
) -> dict[str, Any]:
    """Median |projected - actual| / actual at day 10 and 20 of complete monthly periods."""
    if not pacing:
        return {"periods": 0}
    newest = max(row["date_day"] for row in pacing)
    by_budget: dict[Any, dict[date, Mapping[str, Any]]] = {}
    for row in pacing:
        by_budget.setdefault(row["budget_id"], {})[row["date_day"]] = row
    errors: dict[str, list[float]] = {
        "day10": [],
        "day20": [],
        "normal_day10": [],
        "normal_day20": [],
    }
    periods = 0
    for rows in by_budget.values():
        any_row = next(iter(rows.values()))
        start, end = any_row["period_start"], any_row["period_end"]
        if end > newest or end not in rows or (end - start).days < 27:
            continue
        actual = float(rows[end]["spend_to_date"])
        if actual <= 0:
            continue
        periods += 1
        normal = not any(
            related(label, any_row)
            and label.start <= end
            and (label.end is None or label.end >= start)
            for label in labels
        )
        for n in (10, 20):
            row = rows.get(start + timedelta(days=n - 1))
            if row is None or row.get("projected_spend") is None:
                continue
            error = abs(float(row["projected_spend"]) - actual) / actual
            errors[f"day{n}"].append(error)
            if normal:
                errors[f"normal_day{n}"].append(error)
    result: dict[str, Any] = {"periods": periods}
    for key, values in errors.items():
        median = _median(values)
        result[f"{key}_median_abs_pct"] = round(100 * median, 2) if median is not None else None
        result[f"{key}_count"] = len(values)
    return result


def report(figures: dict[str, Any]) -> list[str]:
    """The automation section of the printed report."""
    if "score" not in figures:
        return ["", f"Automation against the world's labels: not scored ({figures.get('error')})"]
    scored = figures["score"]
    out = [
        "",
        f"Automation against the world's labels ({figures['history_days']} days, "
        f"{len(scored['incidents'])} incidents, {scored['alerts']:,} anomaly rows)",
    ]
    header = ["kind", "incidents", "found", "within 1 day", "recall", "median days", "max days"]
    rows = [
        [
            kind,
            k["incidents"],
            k["found"],
            k["found_within_1_day"],
            "n/a" if k["recall"] is None else f"{k['recall']:.0%}",
            "-" if k["median_days_to_detect"] is None else f"{k['median_days_to_detect']:g}",
            "-" if k["max_days_to_detect"] is None else k["max_days_to_detect"],
        ]
        for kind, k in scored["kinds"].items()
    ]
    cells = [[str(c) for c in r] for r in [header, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    out += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    rate = scored["false_alerts_per_100_account_weeks"]
    out.append(
        f"false alerts: {scored['false_alerts']:,} over {scored['account_weeks']:g} "
        f"account-weeks = {rate} per 100 account-weeks"
    )
    if scored["false_alerts_by_detector"]:
        top = list(scored["false_alerts_by_detector"].items())[:6]
        out.append("  by detector: " + ", ".join(f"{k} {v}" for k, v in top))
    out.append(
        f"alerts on holidays: {scored['holiday_alerts']} "
        f"({scored['holiday_false_alerts']} no label explains)"
    )
    error = scored["pacing_error"]
    out.append(
        f"pacing projection error (median |projected - actual| at period end, "
        f"{error.get('periods', 0)} complete monthly periods): day 10 "
        f"{error.get('day10_median_abs_pct')} %, day 20 {error.get('day20_median_abs_pct')} %; "
        f"unlabelled periods: day 10 {error.get('normal_day10_median_abs_pct')} %, "
        f"day 20 {error.get('normal_day20_median_abs_pct')} %"
    )
    out.append(f"({figures.get('seconds', 0):.0f} s: sandbox, ingestion, dbt build, scoring)")
    return out


# -- the end-to-end run --------------------------------------------------------------------

#: Every source the marts read, the plan sheet included (its budgets follow the world).
AUTOMATION_SOURCES = (
    "meta_ads",
    "google_ads",
    "naver_searchad",
    "kakao_moment",
    "exchange_rates",
    "kr_holidays",
    "appsflyer",
    "adjust",
    "weather",
    "google_sheets",
)


class MartsMissing(RuntimeError):
    """The marts the scorer reads were not built (the models are missing or failed)."""


@dataclass
class Marts:
    """What the scorer reads from a built warehouse."""

    alerts: list[dict[str, Any]]
    pacing: list[dict[str, Any]]


#: Where a fresh warehouse's first build puts the marts (published or not: a build with a
#: failed test still leaves them there to score).
FIRST_BUILD_SCHEMA = "marts__blue"


def read_marts(warehouse: Path, schema: str = FIRST_BUILD_SCHEMA) -> Marts:
    """fct_anomalies_daily and fct_budget_pacing_daily of ``warehouse`` as dicts."""
    import duckdb

    def rows(con: Any, table: str, columns: str) -> list[dict[str, Any]]:
        cursor = con.execute(f"select {columns} from {schema}.{table}")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    with duckdb.connect(str(warehouse), read_only=True) as con:
        built = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [schema],
            ).fetchall()
        }
        missing = {"fct_anomalies_daily", "fct_budget_pacing_daily"} - built
        if missing:
            raise MartsMissing(
                f"automation: {', '.join(sorted(missing))} not built in {warehouse} "
                f"({schema}): the pacing and anomaly models must exist to be scored"
            )
        alerts = rows(
            con,
            "fct_anomalies_daily",
            "date_day, detector, metric, scope, direction, advertiser_id, platform, "
            "account_id, campaign_id",
        )
        pacing = rows(
            con,
            "fct_budget_pacing_daily",
            "date_day, budget_id, advertiser_id, platform, account_id, campaign_id, "
            "period_start, period_end, projected_spend, spend_to_date, pacing_status",
        )
    return Marts(alerts, pacing)


def run(*, seed: int, scale: float, days: int, as_of: date, workdir: Path) -> dict[str, Any]:
    """Sandbox + ingestion of every source + ``dbt build`` on a ``days`` world, then scoring."""
    from bench.common import ChildFailed, progress
    from bench.ingest import FAKE_OVERRIDES, TUNING, _live, _world
    from bench.transform import dbt_child
    from ingestion.sandbox.incidents import is_kr_holiday
    from ingestion.sandbox.registry import start_fakes, stop_fakes
    from ingestion.sandbox.world import PLATFORMS

    started = time.monotonic()
    workdir.mkdir(parents=True, exist_ok=True)
    warehouse = workdir / "argo.duckdb"
    warehouse.unlink(missing_ok=True)
    world = _world(seed, scale, days, as_of)
    fakes: dict[str, Any] = {}
    ingest_seconds: dict[str, float] = {}
    try:
        fakes = start_fakes(world, overrides=FAKE_OVERRIDES)
        for source in AUTOMATION_SOURCES:
            progress(f"automation: ingest {source} ({days} days, scale {scale})")
            child, _, _, _ = _live(source, fakes[source], warehouse, workdir, TUNING[source])
            ingest_seconds[source] = round(child.seconds, 1)
    finally:
        stop_fakes(fakes)
    progress("automation: dbt build (the plan read from the sheet)")
    build_started = time.monotonic()
    failure = None
    try:
        build = dbt_child(
            warehouse, workdir / "target", "build", "--vars", "{google_sheets__enabled: true}"
        )
        failures = build.answer.get("failures")
    except ChildFailed as error:  # a failed test: the marts are built all the same
        failure = str(error).splitlines()[-1]
        failures = None
        progress(f"automation: dbt build failed ({failure}); scoring what it built")
    build_seconds = time.monotonic() - build_started
    progress("automation: scoring the marts against the labels")
    figures: dict[str, Any] = {
        "history_days": days,
        "as_of": world.as_of,
        "incidents": len(world.incidents()),
        "ingest_seconds": ingest_seconds,
        "dbt_build_seconds": round(build_seconds, 1),
        "dbt_build_failures": failures,
        "dbt_build_error": failure,
    }
    try:
        marts = read_marts(warehouse)
    except MartsMissing as error:
        progress(str(error))
        return {**figures, "error": str(error), "seconds": round(time.monotonic() - started, 1)}
    accounts = sum(len(world.accounts(p)) for p in PLATFORMS)
    judged_days = max(days - 56, 0)  # the first eight weeks are every detector's baseline
    scored = score(
        world.incidents(),
        marts.alerts,
        marts.pacing,
        as_of=world.as_of,
        account_weeks=accounts * judged_days / 7,
        is_holiday=is_kr_holiday,
    )
    return {**figures, "score": scored, "seconds": round(time.monotonic() - started, 1)}
