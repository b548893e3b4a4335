"""The shared Arrow columns, value parsers and ``to_table`` every source's tables.py uses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from ingestion.sources import arrow
from ingestion.sources.arrow import Column, Table
from ingestion.sources.errors import SourceDataError

LOADED = datetime(2026, 11, 20, 1, 2, 3, tzinfo=UTC)
ROWS = Table(
    "demo",
    "rows",
    (
        Column("account_id", pa.string(), required=True, filled=True),
        Column("id", pa.string(), required=True),
        Column("day", pa.date32(), arrow.day, required=True, key="stats.day"),
        Column("clicks", pa.int64(), arrow.count, default=0),
        Column("spend", pa.decimal128(18, 4), arrow.money(4)),
    ),
    ("id", "stats.day"),
)


@pytest.mark.parametrize(
    ("parser", "value", "expected"),
    [
        (arrow.text, 12.0, "12"),
        (arrow.text, "", None),
        (arrow.stripped, "  설날 ", "설날"),
        (arrow.upper, " kr ", "KR"),
        (arrow.count, "64", 64),
        (arrow.count, "3.0", 3),
        (arrow.integer, "-2", -2),
        (arrow.float_count, "1.5", 1.5),
        (arrow.number, " 12.3 ", 12.3),
        (arrow.number, "", None),
        (arrow.money(4), "12.345650", Decimal("12.3457")),
        (arrow.money(4), 1234.56, Decimal("1234.5600")),
        (arrow.money(4, signed=True), "-3.5", Decimal("-3.5000")),
        (arrow.day, "2026-11-01", date(2026, 11, 1)),
        (arrow.day, "20261101", date(2026, 11, 1)),
        (arrow.day, "2026-11-01 09:00:00", date(2026, 11, 1)),
        (arrow.compact_day, 20261101, date(2026, 11, 1)),
        (arrow.boolean, False, False),
        (arrow.nullable(arrow.without_commas(arrow.count), {"N/A"}), " 1,234 ", 1234),
        (arrow.nullable(arrow.count, {"N/A"}), "N/A", None),
    ],
)
def test_parsers_read_what_the_apis_send(parser: arrow.Parser, value: Any, expected: Any) -> None:
    assert parser(value) == expected


def test_timestamps_keep_their_offset() -> None:
    parsed = arrow.timestamp("2026-08-01T09:00:00+0900")
    assert parsed == datetime(2026, 8, 1, 9, tzinfo=timezone(timedelta(hours=9)))
    assert arrow.timestamp("2026-08-01T00:00:00Z") == datetime(2026, 8, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("parser", "value", "reason"),
    [
        (arrow.count, "seven", "not a number: 'seven'"),
        (arrow.count, True, "not a number: True"),
        (arrow.count, "7.5", "not a whole number: '7.5'"),
        (arrow.count, "-1", "a negative count: '-1'"),
        (arrow.float_count, float("nan"), "not a finite number: nan"),
        (arrow.money(4), "-3.10", "a negative amount: '-3.10'"),
        (arrow.money(4), "12,000", "not a number: '12,000'"),
        (arrow.money(4), "100000000000000", "more than decimal(18,4) holds"),
        (arrow.compact_day, "2026-11-20", "not a YYYYMMDD date"),
        (arrow.text, {"id": 1}, "not a text value"),
        (arrow.boolean, "true", "not a boolean: 'true'"),
    ],
)
def test_parsers_say_what_is_wrong(parser: arrow.Parser, value: Any, reason: str) -> None:
    with pytest.raises(ValueError) as error:
        parser(value)
    assert reason in str(error.value)


def test_to_table_builds_the_declared_schema_once_per_page() -> None:
    rows = [
        {"id": "1", "stats": {"day": "2026-11-19"}, "clicks": "3", "spend": "1.5"},
        {"id": "2", "stats": {"day": "2026-11-19"}},
    ]
    table = arrow.to_table(rows, ROWS, loaded_at=LOADED, filled={"account_id": "9"})
    assert table.schema == ROWS.schema()
    assert table.schema.names[-1] == "_loaded_at"
    assert not table.schema.field("clicks").nullable, "a defaulted column is never null"
    assert table.to_pylist()[1] == {
        "account_id": "9",
        "id": "2",
        "day": date(2026, 11, 19),
        "clicks": 0,
        "spend": None,
        "_loaded_at": LOADED,
    }
    empty = arrow.to_table([], ROWS, loaded_at=LOADED)
    assert empty.num_rows == 0 and empty.schema == ROWS.schema()


def test_rows_as_lists_are_read_by_position() -> None:
    rows = [["7", "2", "20261119"], ["8", "0", "20261120"]]
    positions = {"id": 0, "clicks": 1, "stats.day": 2}
    table = Table("demo", "rows", ROWS.columns[1:4])
    parsed = arrow.to_table(rows, table, loaded_at=LOADED, positions=positions)
    assert parsed.column("day").to_pylist() == [date(2026, 11, 19), date(2026, 11, 20)]
    assert parsed.column("clicks").to_pylist() == [2, 0]


def test_a_bad_value_names_source_table_field_record_and_reason() -> None:
    rows = [{"id": "1", "stats": {"day": "2026-11-19"}, "clicks": "-4"}]
    with pytest.raises(SourceDataError) as error:
        arrow.to_table(rows, ROWS, loaded_at=LOADED, filled={"account_id": "9"})
    message = str(error.value)
    assert message.startswith("demo: rows: field 'clicks' has a bad value (a negative count")
    assert "[record: id=1, stats.day=?]" in message
    assert "What to do:" in message and "nothing was loaded" in message


def test_a_missing_required_value_or_a_non_object_is_an_error() -> None:
    with pytest.raises(SourceDataError, match=r"rows: required field 'stats\.day' is missing"):
        arrow.to_table([{"id": "1"}], ROWS, loaded_at=LOADED, filled={"account_id": "9"})
    with pytest.raises(SourceDataError, match="rows: a record is not a JSON object"):
        arrow.to_table(["1"], ROWS, loaded_at=LOADED, filled={"account_id": "9"})
    with pytest.raises(SourceDataError, match=r"\[record: line 2\]"):
        arrow.to_table([{"id": None}], ROWS, loaded_at=LOADED, record=lambda i, _: f"line {i + 2}")


def test_parse_record_and_parse_share_the_errors() -> None:
    row = arrow.parse_record(
        {"id": "1", "stats": {"day": "20261119"}}, ROWS, filled={"account_id": "9"}, record="r"
    )
    assert row["day"] == date(2026, 11, 19) and row["clicks"] == 0
    with pytest.raises(SourceDataError, match=r"field 'x' has a bad value \(not a number"):
        arrow.parse(arrow.count, "x", source="demo", field="x", record="r")


def test_a_parsed_table_takes_rows_as_they_are() -> None:
    parsed = ROWS.parsed()
    row = {"account_id": "9", "id": "1", "day": date(2026, 11, 19), "clicks": 3, "spend": None}
    assert arrow.to_table([row], parsed, loaded_at=LOADED).to_pylist()[0]["clicks"] == 3
    assert parsed.schema() == ROWS.schema()


# -- page-at-a-time parsing --------------------------------------------------------------------
PAGE = Table(
    "demo",
    "page",
    (
        Column("id", pa.string(), required=True),
        Column("day", pa.date32(), arrow.day, required=True),
        Column("clicks", pa.int64(), arrow.count, default=0),
        Column("delta", pa.int64(), arrow.integer),
        Column("share", pa.float64(), arrow.float_count),
        Column("rate", pa.float64(), arrow.number),
        Column("spend", pa.decimal128(18, 4), arrow.money(4), required=True),
        Column("refund", pa.decimal128(18, 4), arrow.money(4, signed=True)),
        Column("active", pa.bool_(), arrow.boolean),
    ),
    ("id", "day"),
)


def good(index: int, text: bool | None = None) -> dict[str, Any]:
    """A record as the APIs send them: numbers as JSON numbers, or as text (default: mixed)."""
    as_text = index % 2 == 1 if text is None else text

    def sent(value: Any) -> Any:
        return str(value) if as_text and value is not None else value

    return {
        "id": sent(index),
        "day": f"2026-11-{index % 28 + 1:02d}",
        "clicks": sent(index),
        "delta": sent(-index),
        "share": sent(index / 8),
        "rate": sent(index * 1.5 if index % 3 else index),
        "spend": sent(index * 1000 + 0.25),
        "refund": sent(-index * 1.5 if index % 4 else None),
        "active": index % 2 == 0 if index % 5 else None,
    }


def test_a_page_parsed_at_once_equals_each_record_parsed_alone() -> None:
    rows = [good(i) for i in range(40)]
    table = arrow.to_table(rows, PAGE, loaded_at=LOADED)
    alone = [arrow.parse_record(r, PAGE, record=str(i)) for i, r in enumerate(rows)]
    assert table.drop_columns([arrow.LOADED_AT]).to_pylist() == alone
    assert table.schema == PAGE.schema()


@pytest.mark.parametrize("text", [True, False])
@pytest.mark.parametrize("column", PAGE.columns, ids=lambda c: c.name)
def test_typical_pages_take_the_fast_path(column: Column, text: bool) -> None:
    fast = arrow.vectorised(column.parse)
    assert fast is not None, f"{column.name}: no page-at-a-time parser"
    values = [good(i, text)[column.key] for i in range(40)]
    found = fast(values)
    assert found is not None, f"{column.name}: the fast path refused {values[:4]}"
    assert found.cast(column.type).to_pylist() == [column.parse(v) for v in values], (
        f"{column.name}: the fast path reads values otherwise than the parser"
    )


@pytest.mark.parametrize(
    ("field", "bad", "reason"),
    [
        ("clicks", "-4", "a negative count: '-4'"),
        ("clicks", 7.5, "not a whole number: 7.5"),
        ("clicks", True, "not a number: True"),
        ("clicks", "0x10", "not a number: '0x10'"),
        ("delta", "3.5", "not a whole number: '3.5'"),
        ("share", -0.5, "a negative count: -0.5"),
        ("share", True, "not a number: True"),
        ("spend", False, "not a number: False"),
        ("rate", "inf", "not a finite number: 'inf'"),
        ("rate", "fast", "not a number: 'fast'"),
        ("spend", "-3.10", "a negative amount: '-3.10'"),
        ("spend", -2.0, "a negative amount: -2.0"),
        ("spend", "12,000", "not a number: '12,000'"),
        ("spend", 10**14, "more than decimal(18,4) holds"),
        ("refund", "1e", "not a number: '1e'"),
        ("day", "2026-02-30", "day is out of range for month"),
        ("day", "2026/11/01", "Invalid isoformat string"),
        ("active", "true", "not a boolean: 'true'"),
        ("id", {"id": 1}, "not a text value"),
    ],
)
def test_a_bad_value_in_the_middle_of_a_page_names_its_record(
    field: str, bad: Any, reason: str
) -> None:
    # the page spells its numbers as the bad value does, so the fast path reads the column
    rows = [good(i, text=isinstance(bad, str)) for i in range(40)]
    rows[23] = {**rows[23], field: bad}
    rows[31] = {**rows[31], field: bad}  # a later one is not the one named
    with pytest.raises(SourceDataError) as error:
        arrow.to_table(rows, PAGE, loaded_at=LOADED)
    message = str(error.value)
    assert message.startswith(f"demo: page: field '{field}' has a bad value (")
    assert reason in message
    record = f"id={rows[23]['id']}, day={rows[23]['day']}"
    assert f"[record: {record}]" in message
    assert "\n" not in message
    with pytest.raises(SourceDataError) as alone:
        arrow.parse_record(rows[23], PAGE, record=record)
    assert str(alone.value) == message, "the same error as the record parsed alone"


def test_an_absent_required_value_in_the_middle_of_a_page_names_its_record() -> None:
    rows = [good(i, text=True) for i in range(40)]
    rows[17] = {k: v for k, v in rows[17].items() if k != "spend"}
    with pytest.raises(SourceDataError) as error:
        arrow.to_table(rows, PAGE, loaded_at=LOADED)
    assert "page: required field 'spend' is missing" in str(error.value)
    assert "[record: id=17, day=2026-11-18]" in str(error.value)


def test_the_first_bad_record_of_a_page_is_named_whatever_its_column() -> None:
    rows = [good(i, text=True) for i in range(40)]
    rows[30] = {**rows[30], "clicks": "-1"}
    rows[12] = {**rows[12], "spend": "-1"}
    with pytest.raises(SourceDataError, match=r"'spend'.*\[record: id=12, day=2026-11-13\]"):
        arrow.to_table(rows, PAGE, loaded_at=LOADED)


def test_spellings_arrow_reads_otherwise_are_left_to_the_parser() -> None:
    rows = [{**good(i), "clicks": " 5", "spend": "1.23456", "id": 7.0} for i in range(3)]
    table = arrow.to_table(rows, PAGE, loaded_at=LOADED)
    assert table.column("clicks").to_pylist() == [5, 5, 5]
    assert table.column("spend").to_pylist() == [Decimal("1.2346")] * 3
    assert table.column("id").to_pylist() == ["7"] * 3


@pytest.mark.parametrize("parser", [arrow.stripped, arrow.upper])
def test_texts_stripped_or_in_capitals_are_read_a_page_at_a_time(parser: arrow.Parser) -> None:
    fast = arrow.vectorised(parser)
    assert fast is not None
    typical = ["kr", "US", "gb", None, "", "Jp", "x y"]
    found = fast(typical)
    assert found is not None, "the usual country codes take the fast path"
    assert found.to_pylist() == [parser(v) for v in typical]
    # what Python strips or capitalises otherwise than Arrow is left to the parser
    for odd in (" kr", "kr ", "\u3000kr", "kr\xa0", "stra\xdfe", "\t", "\x1fkr", 7, 7.0, True):
        page = ["kr", odd, "us"]
        found = fast(page)
        if found is not None:
            assert found.to_pylist() == [parser(v) for v in page], repr(odd)
    assert [arrow.upper(v) for v in (" kr ", "stra\xdfe")] == ["KR", "STRASSE"]
    rows = [{"id": str(i), "day": "2026-11-01", "spend": 1, "cc": c} for i, c in enumerate(typical)]
    table = Table(
        "demo", "cc", (*PAGE.columns[:2], PAGE.column("spend"), Column("cc", pa.string(), parser))
    )
    assert arrow.to_table(rows, table, loaded_at=LOADED).column("cc").to_pylist() == [
        parser(c) for c in typical
    ]


# -- pages of nested records, read into Arrow at once ------------------------------------------
NESTED = Table(
    "demo",
    "page",
    tuple(
        c
        if c.required
        else Column(c.name, c.type, c.parse, c.required, f"m.{c.key}", default=c.default)
        for c in PAGE.columns
    ),
    ("id", "day"),
)


def nested(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` with its optional fields under ``m`` (as Google's rows are)."""
    top = ("id", "day", "spend")
    return {**{k: record[k] for k in top}, "m": {k: v for k, v in record.items() if k not in top}}


@pytest.mark.parametrize("text", [True, False, None])
def test_a_nested_page_read_at_once_equals_each_record_parsed_alone(text: bool | None) -> None:
    rows = [nested(good(i, text)) for i in range(40)]
    rows[5]["m"] = None  # an object sent as null: its fields are null
    del rows[6]["m"]["clicks"]  # an absent field: its default
    table = arrow.to_table(rows, NESTED, loaded_at=LOADED)
    alone = [arrow.parse_record(r, NESTED, record=str(i)) for i, r in enumerate(rows[:5])]
    assert table.drop_columns([arrow.LOADED_AT]).to_pylist()[:5] == alone
    assert table.column("clicks")[5].as_py() == 0 and table.column("share")[5].as_py() is None
    assert table.column("clicks")[6].as_py() == 0
    assert table.column("delta")[6].as_py() == -6


def test_a_nested_page_arrow_cannot_read_at_once_is_read_record_by_record() -> None:
    rows = [nested(good(i, text=False)) for i in range(10)]
    rows[3]["m"] = "not an object"  # walked record by record: its fields are absent
    rows[4]["m"] = {**rows[4]["m"], "clicks": True, "delta": "7"}  # a boolean among numbers
    with pytest.raises(SourceDataError, match=r"'m.clicks' has a bad value \(not a number: True"):
        arrow.to_table(rows, NESTED, loaded_at=LOADED)
    rows[4]["m"] = {**rows[4]["m"], "clicks": 4}
    table = arrow.to_table(rows, NESTED, loaded_at=LOADED)
    assert table.column("delta").to_pylist()[3:5] == [None, 7]
    assert table.column("share")[3].as_py() is None


@pytest.mark.parametrize(
    ("field", "bad", "reason"),
    [
        ("clicks", "-4", "a negative count: '-4'"),
        ("clicks", 7.5, "not a whole number: 7.5"),
        ("clicks", True, "not a number: True"),
        ("share", -0.5, "a negative count: -0.5"),
        ("spend", -2.0, "a negative amount: -2.0"),
        ("spend", 10**14, "more than decimal(18,4) holds"),
        ("day", "2026-02-30", "day is out of range for month"),
        ("active", "true", "not a boolean: 'true'"),
        ("id", {"id": 1}, "not a text value"),
    ],
)
def test_a_bad_nested_value_names_the_same_record_as_before(
    field: str, bad: Any, reason: str
) -> None:
    rows = [good(i, text=isinstance(bad, str)) for i in range(40)]
    for index in (23, 31):
        rows[index] = {**rows[index], field: bad}
    pages = [nested(r) for r in rows]
    with pytest.raises(SourceDataError) as error:
        arrow.to_table(pages, NESTED, loaded_at=LOADED)
    message = str(error.value)
    key = field if field in ("id", "day", "spend") else f"m.{field}"
    assert message.startswith(f"demo: page: field '{key}' has a bad value (")
    assert reason in message
    record = f"id={rows[23]['id']}, day={rows[23]['day']}"
    assert f"[record: {record}]" in message
    with pytest.raises(SourceDataError) as alone:
        arrow.parse_record(pages[23], NESTED, record=record)
    assert str(alone.value) == message, "the same error as the record parsed alone"


def test_amounts_sent_as_json_whole_numbers_take_the_fast_path() -> None:
    fast = arrow.vectorised(arrow.money(4))
    assert fast is not None
    found = fast([6353, None, 0, 99_999_999_999_999])
    assert found is not None, "whole won amounts were parsed one value at a time"
    assert found.to_pylist() == [Decimal("6353"), None, Decimal(0), Decimal("99999999999999")]
    assert fast([10**14]) is None  # more than decimal(18,4) holds: said value by value


# -- pages given column by column ----------------------------------------------------------------
def test_columns_to_table_equals_to_table_of_the_records() -> None:
    rows = [good(i) for i in range(40)]
    columns: dict[str, Any] = {c.name: [r[c.key] for r in rows] for c in PAGE.columns}
    columns["clicks"] = pa.array([r["clicks"] for r in good_numbers(40)])
    expected = arrow.to_table(
        [{**r, "clicks": n["clicks"]} for r, n in zip(rows, good_numbers(40), strict=True)],
        PAGE,
        loaded_at=LOADED,
    )
    found = arrow.columns_to_table(
        columns, PAGE, loaded_at=LOADED, records=lambda: pytest.fail("records asked for")
    )
    assert found.equals(expected)


def good_numbers(count: int) -> list[dict[str, Any]]:
    return [good(i, text=False) for i in range(count)]


def test_columns_to_table_names_the_bad_record_from_the_records() -> None:
    rows = [good(i, text=False) for i in range(40)]
    rows[12] = {**rows[12], "clicks": -3}
    columns = {c.name: pa.array([r[c.key] for r in rows]) for c in PAGE.columns}
    with pytest.raises(SourceDataError) as error:
        arrow.columns_to_table(columns, PAGE, loaded_at=LOADED, records=lambda: rows)
    with pytest.raises(SourceDataError) as before:
        arrow.to_table(rows, PAGE, loaded_at=LOADED)
    assert str(error.value) == str(before.value)
    assert "[record: id=12, day=2026-11-13]" in str(error.value)
