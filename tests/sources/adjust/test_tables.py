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


def by_rows(monkeypatch: pytest.MonkeyPatch, rows: list[dict[str, Any]]) -> Any:
    """The tables as read before the page was read as text: field by field from the rows."""
    with monkeypatch.context() as patched:
        patched.setattr(tables, "_text_page", lambda *_: None)
        return report(rows)


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"attr_dependency": {"partner": "kakao"}},  # a field not read
        {"installs": 3, "network_cost": 1.5},  # JSON numbers: read field by field
        {"country_code": " kr", "network": ""},
        {"purchase_events": None, "revenue": None},
    ],
    ids=["text", "other-field", "numbers", "blanks", "nulls"],
)
def test_a_page_read_as_text_equals_the_rows_read_field_by_field(
    monkeypatch: pytest.MonkeyPatch, change: dict[str, Any]
) -> None:
    rows = [row(i) for i in range(30)]
    rows[11] = {**rows[11], **change}
    numbers = any(isinstance(v, int | float) for v in change.values())
    assert (tables._text_page(rows, SLUGS) is None) == numbers, "text pages are read at once"
    daily, events = report(rows)
    before_daily, before_events = by_rows(monkeypatch, rows)
    assert daily.equals(before_daily) and daily.schema == tables.REPORT_DAILY.schema()
    assert events.equals(before_events) and events.schema == tables.REPORT_DAILY_EVENTS.schema()


@pytest.mark.parametrize(
    ("field", "bad", "reason"),
    [
        ("installs", "-1", "a negative count: '-1'"),
        ("network_cost", "abc", "not a number: 'abc'"),
        ("day", "2026-13-01", "month must be in 1..12"),
        ("installs", True, "not a number: True"),
    ],
)
def test_a_bad_daily_value_names_its_row_as_before(
    monkeypatch: pytest.MonkeyPatch, field: str, bad: Any, reason: str
) -> None:
    rows = [row(i) for i in range(30)]
    rows[17] = {**rows[17], field: bad}
    with pytest.raises(SourceDataError) as error:
        report(rows)
    message = str(error.value)
    assert f"field '{field}' has a bad value ({reason})" in message
    assert "[record: GET /report, row 17: app_token=app_token-17, day=" in message
    with pytest.raises(SourceDataError) as before:
        by_rows(monkeypatch, rows)
    assert str(before.value) == message
