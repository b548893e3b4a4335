"""Adjust's report answers to Arrow: event values parsed a page at a time, errors as one by one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ingestion.sources.adjust import tables
from ingestion.sources.errors import SourceDataError

AT = datetime(2026, 11, 20, tzinfo=UTC)
SLUGS = ["purchase", "registration"]


def row(index: int) -> dict[str, Any]:
    found: dict[str, Any] = {name: f"{name}-{index}" for name in tables.DIMENSIONS}
    found.update(day=f"2026-11-{index % 28 + 1:02d}", country_code="kr")
    found.update(installs=str(index), clicks="3", impressions="40", network_cost="1.5")
    found.update(revenue="0.0")
    found.update(purchase_events=str(index % 3), purchase_revenue=f"{(index % 3) * 2.5}")
    found.update(registration_events=str(index % 2), registration_revenue="0.0")
    if index % 7 == 0:
        found["purchase_revenue"] = "-1.25"  # a refund on a day without purchases
    return found


def report(rows: list[dict[str, Any]]) -> tuple[Any, Any]:
    return tables.report_tables(
        {"rows": rows}, event_slugs=SLUGS, currency="USD", loaded_at=AT, request="GET /report"
    )


def one_by_one(monkeypatch: pytest.MonkeyPatch, rows: list[dict[str, Any]]) -> Any:
    with monkeypatch.context() as patched:
        patched.setattr(tables, "_events", lambda *_, **__: None)
        return report(rows)


def test_event_rows_parsed_at_once_equal_those_parsed_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [row(i) for i in range(30)]
    assert tables._events(rows, report(rows)[0], SLUGS, "USD", AT) is not None, "no fast path"
    _, events = report(rows)
    assert events.num_rows > 0
    assert events.equals(one_by_one(monkeypatch, rows)[1])
    assert events.schema == tables.REPORT_DAILY_EVENTS.schema()


@pytest.mark.parametrize(
    ("field", "bad", "reason"),
    [
        ("purchase_events", "-1", "a negative count: '-1'"),
        ("registration_events", "2.5", "not a whole number: '2.5'"),
        ("purchase_revenue", "1.2.3", "not a number: '1.2.3'"),
    ],
)
def test_a_bad_event_value_in_the_middle_of_a_page_names_its_row(
    monkeypatch: pytest.MonkeyPatch, field: str, bad: str, reason: str
) -> None:
    rows = [row(i) for i in range(30)]
    rows[17] = {**rows[17], field: bad}
    rows[25] = {**rows[25], field: bad}
    with pytest.raises(SourceDataError) as error:
        report(rows)
    message = str(error.value)
    assert f"field '{field}' has a bad value ({reason})" in message
    assert "[record: GET /report, row 17: app_token=app_token-17, day=2026-11-18" in message
    with pytest.raises(SourceDataError) as alone:
        one_by_one(monkeypatch, rows)
    assert str(alone.value) == message
