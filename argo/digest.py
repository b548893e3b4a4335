"""The AE's morning digest: what started, worsened or cleared, per AE, ranked by money.

Nothing here decides what is wrong: the marts do (``fct_alert_events`` says, per alert and
day, whether it is ``new``, ``worsened``, ``ongoing`` or ``cleared``;
``rpt_advertisers_without_budget`` who spends with no budget in the plan). This module
reads them for one day, splits them by account executive (the advertiser's ``ae_name`` /
``ae_email``), leaves out what the AE acknowledged or snoozed (:mod:`argo.alerts`),
ranks the rest by money at risk, keeps the top N (then "+k more"), and fetches each shown
item's evidence and series (``fct_budget_pacing_daily`` for pacing,
``fct_metric_scores_daily`` for anomalies). :mod:`argo.digest_render` writes it as
Markdown, HTML or Slack Block Kit.

The day is never the wall clock: by default the newest ``date_day`` of the marts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from argo.alerts import AlertState
from argo.marts_reader import MARTS, MartReader, literal

#: Events the digest reports; ``ongoing`` alerts are only counted.
REPORTED = ("new", "worsened", "cleared")
#: Days of an anomaly's series drawn (the day judged and the 27 before it).
SERIES_DAYS = 28
DEFAULT_TOP = 10
UNASSIGNED = "unassigned"


class DigestError(Exception):
    """The digest cannot be made; the message says why and what to do."""


@dataclass(frozen=True)
class Owner:
    """An account executive (or ``unassigned``), who gets one digest."""

    name: str
    email: str | None

    @property
    def slug(self) -> str:
        """The digest's file name: the name in lowercase ASCII words joined by ``-``."""
        text = unicodedata.normalize("NFKD", self.name).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
        if not slug and self.email:
            slug = re.sub(r"[^a-z0-9]+", "-", self.email.split("@")[0].lower()).strip("-")
        return slug or UNASSIGNED

    def matches(self, text: str) -> bool:
        """Whether ``text`` (``--owner``) names this AE: name, email or slug, any case."""
        wanted = text.strip().casefold()
        return wanted in (self.name.casefold(), (self.email or "").casefold(), self.slug)


def owner_of(row: dict[str, Any]) -> Owner:
    """The AE of a mart row (``ae_name``, ``ae_email``), or ``unassigned``."""
    name, email = row.get("ae_name"), row.get("ae_email")
    if not name and not email:
        return Owner(UNASSIGNED, None)
    return Owner(str(name or email), str(email) if email else None)


@dataclass
class Point:
    """One day of a chart's series."""

    day: date
    value: float | None
    low: float | None = None
    high: float | None = None
    expected: float | None = None


@dataclass
class Chart:
    """A small chart: a pacing curve against its budget, or a series against its band."""

    kind: str  # "pacing" | "anomaly"
    title: str
    points: list[Point]
    #: Pacing: the budget's amount (a horizontal line) and the period's last day.
    amount: float | None = None
    period_end: date | None = None
    unit: str = ""


@dataclass
class Item:
    """One alert event of the digest, with its evidence."""

    row: dict[str, Any]
    facts: list[tuple[str, str]] = field(default_factory=list)
    chart: Chart | None = None

    def get(self, key: str) -> Any:
        """A column of the event row (``None`` when the mart has no such column)."""
        return self.row.get(key)

    @property
    def alert_id(self) -> str:
        """The alert's stable id."""
        return str(self.row["alert_id"])

    @property
    def event(self) -> str:
        """``new``, ``worsened`` or ``cleared``."""
        return str(self.row["event"])

    @property
    def money(self) -> float:
        """Money at risk in the reporting currency (0 when the mart gives none)."""
        return float(self.row.get("money_at_risk_in_reporting_currency") or 0)

    @property
    def where(self) -> str:
        """Advertiser, platform and entity, as far as they are known."""
        parts = [self.get("advertiser_name") or self.get("advertiser_id"), self.get("platform")]
        entity = self.get("entity_name")
        if entity and entity not in parts:
            parts.append(entity)
        return " · ".join(str(p) for p in parts if p)


@dataclass
class Digest:
    """One AE's digest for one day."""

    day: date
    owner: Owner
    currency: str
    items: list[Item]
    more: int
    cleared: list[Item]
    more_cleared: int
    standing: int
    suppressed: int
    no_budget: list[tuple[str, list[str]]]
    #: Why nothing was suppressed (the state file could not be read), or ``None``.
    unsuppressed: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    #: Money at risk of the new and worsened alerts beyond the top N.
    money_beyond_top: float = 0.0

    @property
    def money_at_risk(self) -> float:
        """Money at risk of every new and worsened alert of the digest."""
        return sum(i.money for i in self.items) + self.money_beyond_top

    @property
    def is_quiet(self) -> bool:
        """Nothing to report: no item, nothing cleared, no advertiser without budget."""
        return not (self.items or self.cleared or self.no_budget or self.more)


def rank_key(row: dict[str, Any]) -> tuple[Any, ...]:
    """Money at risk first, then severity, then the alert id (a stable order)."""
    return (
        -float(row.get("money_at_risk_in_reporting_currency") or 0),
        -int(row.get("severity_rank") or 0),
        str(row.get("alert_id")),
    )


def newest_day(reader: MartReader) -> date:
    """The warehouse's as-of day: the newest ``date_day`` of the performance mart.

    Raises:
        DigestError: The mart is empty.
    """
    rows = reader.rows(f"select max(date_day) as day from {MARTS}.rpt_campaign_performance_daily")
    day = rows[0]["day"] if rows else None
    if day is None:
        raise DigestError(
            f"{MARTS}.rpt_campaign_performance_daily has no day yet. What to do: load and "
            "build the marts (`argo demo`, or `argo ingest` and `argo transform`)"
        )
    return day if isinstance(day, date) else date.fromisoformat(str(day)[:10])


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def events_of(reader: MartReader, day: date) -> list[dict[str, Any]]:
    """Every row of ``fct_alert_events`` on ``day``."""
    return reader.rows(
        f"select * from {MARTS}.fct_alert_events where date_day = {literal(day)} order by alert_id"
    )


def advertisers(reader: MartReader) -> list[dict[str, Any]]:
    """Every advertiser of the plan and its AE (``dim_advertisers``)."""
    return reader.rows(
        f"select advertiser_id, advertiser_name, ae_name, ae_email from {MARTS}.dim_advertisers"
    )


def _filter(
    rows: Iterable[dict[str, Any]], advertiser: str | None, owner: str | None
) -> list[dict[str, Any]]:
    kept = []
    for row in rows:
        if advertiser and advertiser.strip().casefold() not in (
            str(row.get("advertiser_id") or "").casefold(),
            str(row.get("advertiser_name") or "").casefold(),
        ):
            continue
        if owner and not owner_of(row).matches(owner):
            continue
        kept.append(row)
    return kept


def check_filters(known: list[dict[str, Any]], advertiser: str | None, owner: str | None) -> None:
    """Refuses an advertiser or an owner the plan does not know (a typo would be silent).

    Raises:
        DigestError: Names the unknown value and the known ones.
    """
    if advertiser and not _filter(known, advertiser, None):
        names = ", ".join(sorted({str(r.get("advertiser_name")) for r in known}))
        raise DigestError(
            f"no advertiser {advertiser!r} in {MARTS}.dim_advertisers. What to do: give an "
            f"advertiser id or name: {names}"
        )
    if owner and not _filter(known, None, owner):
        names = ", ".join(sorted({owner_of(r).name for r in known}))
        raise DigestError(
            f"no account executive {owner!r} in {MARTS}.dim_advertisers. What to do: give an "
            f"AE's name or email: {names}"
        )


def build(
    reader: MartReader,
    *,
    day: date | None = None,
    advertiser: str | None = None,
    owner: str | None = None,
    top: int = DEFAULT_TOP,
    state: AlertState | None = None,
    unsuppressed: str | None = None,
) -> list[Digest]:
    """The digests of ``day`` (default: the newest day of the marts), one per AE.

    Every AE who owns an advertiser (after the filters) gets a digest, a quiet one too
    ("nothing new"), so a digest is never silently missing.

    Args:
        reader: The marts.
        day: The day; default the warehouse's as-of day.
        advertiser: Only this advertiser (id or name).
        owner: Only this AE (name or email).
        top: Items shown in full per digest; the rest are counted ("+k more").
        state: Acknowledgements and snoozes (``None``: nothing is suppressed).
        unsuppressed: Why ``state`` is ``None`` although it should not be (the file could
            not be read): the digests say so at the top.

    Raises:
        DigestError: A filter names nothing known, or the marts have no day.
        ReadError: A mart cannot be read.
    """
    if top < 1:
        raise DigestError(f"--top {top}: show at least one item. What to do: give --top 1 or more")
    known = advertisers(reader)
    check_filters(known, advertiser, owner)
    newest = newest_day(reader)
    if day is not None and day > newest:
        raise DigestError(
            f"--date {day} is after the newest day of the marts, {newest}: there is nothing "
            f"to report yet. What to do: leave out --date (it means {newest}), or load and "
            "build the later days first"
        )
    day = day or newest
    events = _filter(events_of(reader, day), advertiser, owner)
    no_budget = _filter(
        reader.rows(
            f"select * from {MARTS}.rpt_advertisers_without_budget where date_day = {literal(day)}"
        ),
        advertiser,
        owner,
    )
    owners = {owner_of(r) for r in _filter(known, advertiser, owner) if r.get("ae_name")}
    owners |= {owner_of(r) for r in [*events, *no_budget]}
    digests = []
    for person in sorted(owners, key=lambda o: (o.name == UNASSIGNED, o.name.casefold())):
        mine = [e for e in events if owner_of(e) == person]
        digests.append(
            _one(
                day,
                person,
                mine,
                [r for r in no_budget if owner_of(r) == person],
                top,
                state,
                unsuppressed,
            )
        )
    _add_evidence(reader, day, [i for d in digests for i in [*d.items, *d.cleared]])
    return digests


def _one(
    day: date,
    person: Owner,
    events: list[dict[str, Any]],
    no_budget: list[dict[str, Any]],
    top: int,
    state: AlertState | None,
    unsuppressed: str | None,
) -> Digest:
    shown: list[dict[str, Any]] = []
    suppressed = standing = 0
    for row in events:
        if row["event"] not in REPORTED:
            standing += 1
            continue
        why = (
            state.suppression(row["alert_id"], row["event"], _as_date(row.get("first_seen")), day)
            if state is not None
            else None
        )
        if why:
            suppressed += 1
        else:
            shown.append(row)
    active = sorted((r for r in shown if r["event"] != "cleared"), key=rank_key)
    cleared = sorted((r for r in shown if r["event"] == "cleared"), key=rank_key)
    currency = next(
        (str(r["reporting_currency_code"]) for r in events if r.get("reporting_currency_code")),
        "KRW",
    )
    budgetless: dict[str, list[str]] = {}
    # A table's rows come in no set order (DECISIONLOG 64): sorted here, platforms too.
    for row in sorted(
        no_budget, key=lambda r: (str(r.get("advertiser_name")), str(r.get("platform")))
    ):
        name = str(row.get("advertiser_name") or row.get("advertiser_id"))
        platforms = budgetless.setdefault(name, [])
        if row.get("platform") and row["platform"] not in platforms:
            platforms.append(str(row["platform"]))
    counts = {event: sum(r["event"] == event for r in shown) for event in REPORTED}
    return Digest(
        day=day,
        owner=person,
        currency=currency,
        items=[Item(r) for r in active[:top]],
        more=max(len(active) - top, 0),
        cleared=[Item(r) for r in cleared[:top]],
        more_cleared=max(len(cleared) - top, 0),
        standing=standing,
        suppressed=suppressed,
        no_budget=list(budgetless.items()),
        unsuppressed=unsuppressed,
        counts=counts,
        money_beyond_top=sum(
            float(r.get("money_at_risk_in_reporting_currency") or 0) for r in active[top:]
        ),
    )


def _number(value: Any, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    number = float(value)
    if abs(number) >= 100 or (digits == 0 and number == int(number)):
        return f"{number:,.0f}"
    if abs(number) < 1:
        return f"{number:.3g}"  # a CTR of 0.0123, not 0.01
    return f"{number:,.{max(digits, 2)}f}".rstrip("0").rstrip(".")


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _add_evidence(reader: MartReader, day: date, items: Sequence[Item]) -> None:
    """Fills each item's facts and chart from the series marts (two questions in all)."""
    budgets = sorted({str(i.get("budget_id")) for i in items if i.get("budget_id")})
    series = sorted(
        {(str(i.get("entity_key")), str(i.get("metric"))) for i in items if _is_anomaly(i)}
    )
    pacing: dict[str, list[dict[str, Any]]] = {}
    if budgets:
        for row in reader.rows(
            f"select * from {MARTS}.fct_budget_pacing_daily where budget_id in "
            f"({', '.join(literal(b) for b in budgets)}) and date_day <= {literal(day)} "
            "order by budget_id, date_day"
        ):
            pacing.setdefault(str(row["budget_id"]), []).append(row)
    scores: dict[tuple[str, str], list[dict[str, Any]]] = {}
    if series:
        keys = ", ".join(literal(k) for k in sorted({k for k, _ in series}))
        metrics = ", ".join(literal(m) for m in sorted({m for _, m in series}))
        start = day - timedelta(days=SERIES_DAYS - 1)
        for row in reader.rows(
            f"select * from {MARTS}.fct_metric_scores_daily where entity_key in ({keys}) "
            f"and metric in ({metrics}) and date_day between {literal(start)} and "
            f"{literal(day)} order by entity_key, metric, date_day"
        ):
            scores.setdefault((str(row["entity_key"]), str(row["metric"])), []).append(row)
    for item in items:
        rows = pacing.get(str(item.get("budget_id")), [])
        if item.get("budget_id") and rows:
            _pacing_evidence(item, rows)
        elif _is_anomaly(item):
            found = scores.get((str(item.get("entity_key")), str(item.get("metric"))), [])
            if found:
                _anomaly_evidence(item, found)


def _is_anomaly(item: Item) -> bool:
    return bool(item.get("entity_key") and item.get("metric") and not item.get("budget_id"))


def _pacing_evidence(item: Item, rows: list[dict[str, Any]]) -> None:
    current = rows[-1]
    # The period of the version in force on the day; older rows of another period drop out.
    start = _as_date(current.get("period_start"))
    rows = [r for r in rows if start is None or _as_date(r["date_day"]) >= start]  # type: ignore[operator]
    unit = str(current.get("currency_code") or "")
    facts = [
        ("spend to date", f"{unit} {_number(current.get('spend_to_date'))}"),
        ("expected by now", f"{unit} {_number(current.get('expected_spend_to_date'))}"),
        ("budget", f"{unit} {_number(current.get('amount'))}"),
    ]
    if current.get("projected_spend") is not None:
        facts.append(("projected at period end", f"{unit} {_number(current['projected_spend'])}"))
    if current.get("days_ahead") is not None:
        facts.append(("days ahead (+) / behind (-)", _number(current["days_ahead"], 1)))
    if current.get("pacing_status"):
        facts.append(("status", str(current["pacing_status"])))
    if current.get("curve_kind"):
        note = f" ({current['curve_note']})" if current.get("curve_note") else ""
        facts.append(("expected curve", f"{current['curve_kind']}{note}"))
    item.facts = facts
    item.chart = Chart(
        kind="pacing",
        title="spend to date (solid), expected (dashed), budget (red)",
        points=[
            Point(
                day=_as_date(r["date_day"]),  # type: ignore[arg-type]
                value=_float(r.get("spend_to_date")),
                expected=_float(r.get("expected_spend_to_date")),
            )
            for r in rows
        ],
        amount=_float(current.get("amount")),
        period_end=_as_date(current.get("period_end")),
        unit=unit,
    )


def _anomaly_evidence(item: Item, rows: list[dict[str, Any]]) -> None:
    current = rows[-1]
    facts = [("value", _number(current.get("value"), 2))]
    if current.get("expected_value") is not None:
        facts.append(("expected", _number(current["expected_value"], 2)))
    if current.get("band_low") is not None and current.get("band_high") is not None:
        facts.append(
            ("band", f"{_number(current['band_low'], 2)} to {_number(current['band_high'], 2)}")
        )
    if current.get("score") is not None:
        facts.append(("score", f"{float(current['score']):.1f}"))
    if current.get("change_rel") is not None:
        facts.append(("change", f"{float(current['change_rel']) * 100:+.0f}%"))
    if current.get("baseline_days") is not None:
        kind = f" ({current['baseline_kind']})" if current.get("baseline_kind") else ""
        facts.append(("baseline days", f"{int(current['baseline_days'])}{kind}"))
    if current.get("not_scored_reason"):
        facts.append(("not scored", str(current["not_scored_reason"])))
    item.facts = facts
    item.chart = Chart(
        kind="anomaly",
        title=f"{item.get('metric')}, last {len(rows)} days; shaded: the expected band",
        points=[
            Point(
                day=_as_date(r["date_day"]),  # type: ignore[arg-type]
                value=_float(r.get("value")),
                low=_float(r.get("band_low")),
                high=_float(r.get("band_high")),
                expected=_float(r.get("expected_value")),
            )
            for r in rows
        ],
    )


def alerts_table(
    reader: MartReader,
    *,
    day: date | None = None,
    advertiser: str | None = None,
    owner: str | None = None,
    every: bool = False,
) -> tuple[date, list[dict[str, Any]]]:
    """The alerts for ``argo alerts list``: open on ``day``, or with ``every`` all of them.

    Returns:
        The day and, per alert, its newest event row up to that day (ranked by money).
    """
    check_filters(advertisers(reader), advertiser, owner)
    day = day or newest_day(reader)
    if every:
        rows = reader.rows(
            f"select * from {MARTS}.fct_alert_events where date_day <= {literal(day)} "
            "order by alert_id, date_day"
        )
        newest: dict[str, dict[str, Any]] = {}
        for row in rows:
            newest[str(row["alert_id"])] = row
        found = list(newest.values())
    else:
        found = [r for r in events_of(reader, day) if r["event"] != "cleared"]
    return day, sorted(_filter(found, advertiser, owner), key=rank_key)


def find_alert(reader: MartReader, alert_id: str, day: date | None = None) -> dict[str, Any]:
    """The newest event row of one alert (up to ``day``).

    Raises:
        DigestError: No such alert.
    """
    day = day or newest_day(reader)
    rows = reader.rows(
        f"select * from {MARTS}.fct_alert_events where alert_id = {literal(alert_id)} "
        f"and date_day <= {literal(day)} order by date_day desc limit 1"
    )
    if not rows:
        raise DigestError(
            f"no alert {alert_id!r} in {MARTS}.fct_alert_events up to {day}. What to do: copy "
            "an alert_id from `argo alerts list --all`"
        )
    return rows[0]
