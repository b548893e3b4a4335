"""Kakao report pages read column by column equal the rows flatten_report makes, errors too."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from ingestion.sources import arrow
from ingestion.sources.errors import SourceDataError
from ingestion.sources.kakao_moment import tables

LOADED = datetime(2026, 11, 1, tzinfo=UTC)
PARENTS = {"11": ("g1", "c1"), "12": ("g1", "c1"), "13": ("g2", "c1")}


def item(creative: str, day: str, **metrics: Any) -> dict[str, Any]:
    return {
        "start": day,
        "end": day,
        "dimensions": {"creative_id": creative},
        "metrics": {"imp": 100, "click": 3, "ctr": 3.0, "cost": 6353, "reach": 80, **metrics},
    }


def page() -> list[dict[str, Any]]:
    return [
        item("11", "2026-10-01", conv_purchase_7d=2, conv_purchase_p_7d=19900.5),
        item("12", "2026-10-01", conv_purchase_7d=0, conv_purchase_p_7d=0, conv_signup_1d=1),
        item("13", "2026-10-02", conv_purchase_p_7d=500, conv_purchase_q_7d=9, conv_add_1d=0),
        item("99", "2026-10-02", click=None, reach=1.0, cost=12.5),  # a creative not listed
        item("11", "2026-10-03", conv_app_install_1d=4, conv_app_install_7d=5),
    ]


def by_rows(data: list[Any]) -> tuple[Any, Any, str]:
    """What the source made before: rows, then Arrow tables of them."""
    reports, conversions = tables.flatten_report("7", data, PARENTS)
    conversion = arrow.to_table(conversions, tables.CONVERSIONS, loaded_at=LOADED)
    return (
        arrow.to_table(reports, tables.REPORT, loaded_at=LOADED),
        conversion,
        max((str(r["report_date"]) for r in reports), default=""),
    )


def odd_pages() -> list[list[Any]]:
    """Pages the column-wise read leaves to flatten_report (or reads otherwise)."""
    pages = []
    for change in (
        lambda p: p[1]["metrics"].update(conv_signup_1d="0"),  # a metric sent as text
        lambda p: p[2]["metrics"].update(imp=True, conv_add_1d=False),  # booleans
        lambda p: p[0]["metrics"].update(imp=7.0),  # a float among whole numbers
        lambda p: p[3].update(dimensions={"creative_id": 12}),  # an id as a number
        lambda p: p[4]["metrics"].pop("cost"),  # an absent field
        lambda p: p.clear(),  # no rows
    ):
        found = page()
        change(found)
        pages.append(found)
    return pages


@pytest.mark.parametrize("data", [page(), *odd_pages()])
def test_a_page_read_column_by_column_equals_its_rows(data: list[Any]) -> None:
    try:
        expected = by_rows(copy.deepcopy(data))
    except SourceDataError as error:
        with pytest.raises(SourceDataError) as found:
            tables.report_tables("7", data, PARENTS, LOADED)
        assert str(found.value) == str(error)
        return
    report, conversions, newest = tables.report_tables("7", data, PARENTS, LOADED)
    assert report.equals(expected[0])
    assert conversions.equals(expected[1])
    assert newest == expected[2]


def test_the_usual_page_is_read_column_by_column() -> None:
    found = tables._report_columns("7", page(), PARENTS)
    assert found is not None, "a page as Kakao sends it was read row by row"
    report, conversions, newest = tables.report_tables("7", page(), PARENTS, LOADED)
    assert conversions.column("conversion_type").to_pylist() == [
        "conv_purchase_7d",
        "conv_signup_1d",
        "conv_purchase_7d",
        "conv_app_install_1d",
        "conv_app_install_7d",
    ]
    assert conversions.column("conversions").to_pylist() == [2, 1, None, 4, 5]
    assert report.column("ad_group_id").to_pylist() == ["g1", "g1", "g2", None, "g1"]
    assert newest == "2026-10-03"


BAD = [
    ("imp", -5, "field 'imp' has a bad value (a negative count: -5)"),
    ("cost", 10**15, "field 'cost' has a bad value (more than decimal(18,4) holds"),
    ("click", 2.5, "field 'click' has a bad value (not a whole number: 2.5)"),
    ("conv_purchase_7d", -1, "field 'conversions' has a bad value (a negative count: -1)"),
    ("conv_purchase_p_7d", -3.5, "field 'conversion_value' has a bad value (a negative amount"),
    ("imp", None, "required field 'imp' is missing"),
]


def error_as_before(data: Any) -> str:
    """The error a page gives column by column, which must be the row-by-row error."""
    with pytest.raises(SourceDataError) as before:
        by_rows(copy.deepcopy(data))
    with pytest.raises(SourceDataError) as found:
        tables.report_tables("7", data, PARENTS, LOADED)
    assert str(found.value) == str(before.value)
    return str(found.value)


@pytest.mark.parametrize(("metric", "bad", "reason"), BAD)
def test_a_bad_value_names_the_same_record_as_the_rows_did(
    metric: str, bad: Any, reason: str
) -> None:
    data = page()
    for index in (2, 4):  # the first is named
        data[index]["metrics"][metric] = bad
    message = error_as_before(data)
    assert reason in message
    assert "creative_id=13, report_date=2026-10-02" in message


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda p: p[2].update(end="2026-10-03"), "a row spans several days"),
        (lambda p: p[2].pop("metrics"), "a row has no 'dimensions'/'metrics' objects"),
        (lambda p: p.__setitem__(2, "x"), "creative_report: expected an object"),
        (lambda p: p[2]["dimensions"].update(creative_id=""), "required field 'creative_id'"),
        (lambda p: p[2].update(start="2026-13-01", end="2026-13-01"), "field 'report_date'"),
    ],
)
def test_a_malformed_row_stops_the_page_as_before(change: Any, reason: str) -> None:
    data = page()
    change(data)
    assert reason in error_as_before(data)
