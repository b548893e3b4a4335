"""The merge resources every source shares: conflicting duplicates, tombstones, hard deletes."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pyarrow as pa
import pytest
import sqlglot
from dlt.common.schema.utils import new_table
from dlt.destinations import athena
from dlt.destinations.impl.athena.athena import AthenaMergeJob, AthenaSQLClient
from dlt.destinations.impl.athena.configuration import AthenaClientConfiguration

from ingestion.sources import arrow
from ingestion.sources.arrow import Column, Table
from ingestion.sources.errors import SourceDataError
from ingestion.sources.resources import (
    DELETED,
    DELETED_HINT,
    batched,
    checked,
    into,
    merged,
    rows_into_tables,
    tombstones,
)

AT = datetime(2026, 11, 1, tzinfo=UTC)
DAILY = Table(
    "demo",
    "daily",
    (
        Column("account_id", pa.string(), required=True),
        Column("ad_id", pa.string(), required=True),
        Column("day", pa.date32(), arrow.day, required=True),
        Column("spend", pa.decimal128(18, 4), arrow.money(4), required=True),
        Column("clicks", pa.int64(), arrow.count),
    ),
    ("account_id", "ad_id", "day"),
)
SECOND = Table(
    "demo",
    "second",
    (
        Column("account_id", pa.string(), required=True),
        Column("day", pa.date32(), arrow.day, required=True),
        Column("kind", pa.string(), required=True),
        Column("value", pa.int64(), arrow.count),
    ),
    ("account_id", "day", "kind"),
)
KEY = ("account_id", "day")


def page(*rows: tuple[str, str, str, str, int | None]) -> pa.Table:
    records = [
        {"account_id": a, "ad_id": ad, "day": d, "spend": s, "clicks": c} for a, ad, d, s, c in rows
    ]
    return arrow.to_table(records, DAILY, loaded_at=AT)


def rows_of(items: list[Any]) -> list[dict[str, Any]]:
    return [r for t in items for r in t.drop_columns([arrow.LOADED_AT]).to_pylist()]


def test_identical_duplicates_are_dropped_within_and_across_pages() -> None:
    first = page(("1", "a", "2026-10-01", "1.5", 3), ("1", "a", "2026-10-01", "1.50", 3))
    second = page(("1", "a", "2026-10-01", "1.5", 3), ("1", "b", "2026-10-01", "2", None))
    out = list(checked(iter([first, second]), DAILY, KEY))
    assert [t.num_rows for t in out] == [1, 1]
    assert [r["ad_id"] for r in rows_of(out)] == ["a", "b"]


def test_conflict_within_a_page_names_source_table_key_and_both_values() -> None:
    data = page(("1", "a", "2026-10-01", "188.7", 3), ("1", "a", "2026-10-01", "18.87", 3))
    with pytest.raises(SourceDataError) as err:
        list(checked(iter([data]), DAILY, KEY))
    message = str(err.value)
    assert message.startswith("demo: daily: two rows share the key and differ")
    assert "(spend 188.7000 vs 18.8700)" in message
    assert "[record: account_id=1, ad_id=a, date_start" not in message
    assert "[record: account_id=1, ad_id=a, day=2026-10-01]" in message
    assert "conflicting rows" in message and "What to do" in message
    assert "\n" not in message


def test_conflict_across_pages_names_the_earlier_value() -> None:
    first = page(("1", "a", "2026-10-01", "5", 3))
    second = page(("1", "b", "2026-10-01", "5", 3), ("1", "a", "2026-10-01", "5", None))
    with pytest.raises(SourceDataError, match=r"\(clicks 3 vs None\)"):
        list(checked(iter([first, second]), DAILY, KEY))


def test_conflict_older_than_the_previous_page_still_stops_the_run() -> None:
    pages = [
        page(("1", "a", "2026-10-01", "5", 3)),
        page(("1", "b", "2026-10-01", "5", 3)),
        page(("1", "a", "2026-10-01", "6", 3)),
    ]
    with pytest.raises(SourceDataError, match="differs from one sent earlier in this run"):
        list(checked(iter(pages), DAILY, KEY))


TEXTS = Table(
    "demo",
    "texts",
    (
        Column("id", pa.string(), required=True),
        Column("first", pa.string()),
        Column("second", pa.string()),
        Column("rate", pa.float64(), arrow.number),
    ),
    ("id",),
)


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        (("a\x1fb", "c"), ("a", "b\x1fc")),  # the separator inside a text
        (("", None), (None, "")),  # empty text is null, in either column
        (("1:a", "b"), ("1", "a:b")),  # a text spelled like a length
        (("N", None), (None, "N")),  # the spelling of null as a text
    ],
)
def test_texts_that_would_join_alike_are_still_told_apart(
    earlier: tuple[str | None, str | None], later: tuple[str | None, str | None]
) -> None:
    rows = [{"id": "1", "first": f, "second": s, "rate": 1.0} for f, s in (earlier, later)]
    data = pa.Table.from_pylist(
        [{**r, arrow.LOADED_AT: AT} for r in rows], schema=TEXTS.schema()
    )  # as built: "" stays text here
    with pytest.raises(SourceDataError, match="two rows share the key and differ"):
        list(checked(iter([data.slice(0, 1), data.slice(1, 1)]), TEXTS))
    with pytest.raises(SourceDataError, match="two rows share the key and differ"):
        list(checked(iter([data]), TEXTS))


def test_equal_numbers_are_one_row_however_spelled() -> None:
    rows = [{"id": "1", "first": "a", "second": None, "rate": r} for r in (0.0, -0.0, 0)]
    out = list(checked(iter([arrow.to_table([r], TEXTS, loaded_at=AT) for r in rows]), TEXTS))
    assert [t.num_rows for t in out] == [1, 0, 0]


TYPED = (
    ("day", pa.date32(), date(2026, 10, 1), date(2026, 10, 2)),
    ("at", pa.timestamp("us", tz="UTC"), AT, AT + timedelta(microseconds=1)),
    ("amount", pa.decimal128(18, 4), Decimal("1.0000"), Decimal("1.0001")),
    ("big", pa.decimal128(38, 2), Decimal("1" + "0" * 30), Decimal("1" + "0" * 29 + "1")),
    ("flag", pa.bool_(), True, False),
    ("count", pa.int64(), 0, -1),
    ("small", pa.int32(), 7, None),
    ("rate", pa.float64(), float("nan"), 0.0),
    ("name", pa.string(), "", None),
)


@pytest.mark.parametrize(("name", "kind", "value", "other"), TYPED, ids=[t[0] for t in TYPED])
def test_rows_are_told_apart_by_every_type_of_value(
    name: str, kind: pa.DataType, value: Any, other: Any
) -> None:
    columns = (Column("id", pa.string(), required=True), Column(name, kind))
    table = Table("demo", "typed", columns, ("id",))

    def rows(*values: Any) -> pa.Table:
        found = [{"id": "1", name: v, arrow.LOADED_AT: AT} for v in values]
        return pa.Table.from_pylist(found, schema=table.schema())

    out = list(checked(iter([rows(value, value), rows(value)]), table))
    assert [t.num_rows for t in out] == [1, 0], "equal values are one row"
    for pages in ([rows(value, other)], [rows(value), rows(other)], [rows(other), rows(value)]):
        with pytest.raises(SourceDataError, match="two rows share the key and differ"):
            list(checked(iter(pages), table))


def test_merged_checks_batches_and_names_the_earlier_page_s_value() -> None:
    pages = [
        page(("1", "a", "2026-10-01", "5", 3)),
        page(("1", "b", "2026-10-01", "5", 3)),
        page(("1", "a", "2026-10-01", "6", 3)),
    ]
    with pytest.raises(Exception, match=r"two rows share the key and differ \(spend 5.0000 vs 6"):
        list(merged(iter(pages), DAILY, merge_key=KEY))
    closed = []

    def feed() -> Any:
        try:
            yield from [*pages, *pages]
        finally:
            closed.append(True)

    pages_fed = feed()  # held here: only closing it runs its end
    with pytest.raises(SourceDataError):
        list(checked(batched(pages_fed, rows=3), DAILY, KEY))
    assert closed == [True], "a refused row closes the pages' feeder at once"


def test_a_page_of_new_keys_is_kept_whole_and_a_repeat_is_dropped() -> None:
    first = page(*(("1", f"ad{i}", "2026-10-01", "5", i) for i in range(50)))
    again = page(("1", "ad7", "2026-10-01", "5", 7), ("1", "new", "2026-10-01", "5", 1))
    out = list(checked(iter([first, again]), DAILY, KEY))
    assert out[0] is first, "a page of keys not seen before is handed on as it is"
    assert [r["ad_id"] for r in rows_of(out[1:])] == ["new"]


def test_second_tables_are_checked_on_their_own_key() -> None:
    def second(value: int) -> Any:
        records = [{"account_id": "1", "day": "2026-10-01", "kind": "buy", "value": value}]
        return into(SECOND, arrow.to_table(records, SECOND, loaded_at=AT), merge_key=KEY)

    kept = list(checked(iter([second(1), second(1)]), DAILY, KEY))
    assert [i.data.num_rows for i in kept] == [1, 0]
    with pytest.raises(SourceDataError, match=r"demo: second: .*\(value 1 vs 2\)"):
        list(checked(iter([second(1), second(2)]), DAILY, KEY))


def test_tombstones_of_filled_days_are_dropped() -> None:
    asked = [{"account_id": "1", "day": date(2026, 10, d)} for d in (1, 2)]
    data = page(("1", "a", "2026-10-01", "5", 3))
    out = list(checked(iter([data, tombstones(DAILY, asked, loaded_at=AT)]), DAILY, KEY))
    left = out[1].to_pylist()
    assert [(r["day"], r[DELETED]) for r in left] == [(date(2026, 10, 2), True)]
    assert left[0]["ad_id"] == "" and left[0]["spend"] == Decimal(0)  # placeholders


def test_whole_days_are_checked_within_each_page_and_a_split_day_stops_the_run() -> None:
    first = page(("1", "a", "2026-10-01", "5", 3), ("1", "a", "2026-10-01", "5", 3))
    second = page(("1", "a", "2026-10-02", "5", 3), ("2", "a", "2026-10-01", "5", 3))
    out = list(checked(iter([first, second]), DAILY, KEY, whole_days=True))
    assert [t.num_rows for t in out] == [1, 2]
    conflict = page(("1", "a", "2026-10-02", "5", 3), ("1", "a", "2026-10-02", "6", 3))
    with pytest.raises(SourceDataError, match=r"\(spend 5.0000 vs 6.0000\)"):
        list(checked(iter([first, conflict]), DAILY, KEY, whole_days=True))
    split = page(("1", "b", "2026-10-01", "5", 3))
    with pytest.raises(SourceDataError) as err:
        list(checked(iter([first, second, split]), DAILY, KEY, whole_days=True))
    assert str(err.value).startswith(
        "demo: daily: rows of one day came in two parts of this run "
        "[record: account_id=1, day=2026-10-01]"
    )


def test_whole_days_keep_nothing_per_row_between_pages() -> None:
    """A backfill of many days holds one page's keys, not every row's (issue #17)."""
    days = [(date(2020, 1, 1) + timedelta(days=n)).isoformat() for n in range(60)]
    pages = [page(*(("1", str(ad), day, "1", 1) for ad in range(500))) for day in days]

    def growth(whole_days: bool) -> int:
        """Memory the check holds after the 59th page, over what it held after the 5th."""
        tracemalloc.start()
        try:
            items = checked(iter(pages), DAILY, KEY, whole_days=whole_days)
            for _ in range(5):
                next(items)
            early, _ = tracemalloc.get_traced_memory()
            for _ in range(54):
                next(items)
            late, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return late - early

    assert growth(whole_days=False) > 1_500_000  # 27,000 keys: what the check keeps per row
    assert growth(whole_days=True) < 300_000


def load(path: Path, items: list[Any]) -> dlt.Pipeline:
    pipeline = dlt.pipeline(
        pipeline_name="resources_test",
        destination=dlt.destinations.duckdb(str(path)),
        dataset_name="raw_demo",
        pipelines_dir=str(path.parent / "pipelines"),
    )
    pipeline.run(merged(iter(items), DAILY, merge_key=KEY))
    return pipeline


@pytest.mark.pipeline
def test_a_day_asked_for_and_answered_empty_is_emptied_on_duckdb(tmp_path: Path) -> None:
    """dlt 1.31's delete-insert deletes on the merge key of every staged row, tombstones
    included, and inserts only rows whose ``hard_delete`` column is null or false."""
    path = tmp_path / "w.duckdb"
    asked = [{"account_id": "1", "day": date(2026, 10, d)} for d in (1, 2)]
    first = page(("1", "a", "2026-10-01", "5", 3), ("1", "a", "2026-10-02", "7", 1))
    load(path, [first, tombstones(DAILY, asked, loaded_at=AT)])
    again = page(("1", "b", "2026-10-01", "9", 2))  # 10-02 now answers nothing
    pipeline = load(path, [again, tombstones(DAILY, asked, loaded_at=AT)])
    with duckdb.connect(str(path)) as con:
        rows = con.execute(
            f"select ad_id, day, spend, {DELETED} from raw_demo.daily order by 1, 2"
        ).fetchall()
    assert rows == [("b", date(2026, 10, 1), Decimal("9.0000"), None)]
    column = pipeline.default_schema.get_table("daily")["columns"][DELETED]
    assert column.get("hard_delete") is True and column["data_type"] == "bool"


def test_athena_merge_deletes_tombstoned_days_and_loads_no_tombstone() -> None:
    """The statements dlt's Athena destination runs for a daily table (Iceberg, row ids):
    the same delete on the merge key of every staged row, the same insert filter."""
    config = AthenaClientConfiguration()._bind_dataset_name(dataset_name="raw_demo")
    client = AthenaSQLClient("raw_demo", "raw_demo_staging", config, athena().capabilities())
    columns: list[Any] = [
        {"name": "account_id", "data_type": "text", "primary_key": True, "merge_key": True},
        {"name": "ad_id", "data_type": "text", "primary_key": True},
        {"name": "day", "data_type": "date", "primary_key": True, "merge_key": True},
        {"name": "spend", "data_type": "decimal"},
        {"name": "_dlt_id", "data_type": "text", "row_key": True, "unique": True},
        {"name": DELETED, **DELETED_HINT},
    ]
    table: Any = new_table("daily", write_disposition="merge", columns=columns)
    table["x-merge-strategy"] = "delete-insert"
    table["table_format"] = "iceberg"
    statements = AthenaMergeJob.gen_merge_sql([table], client)
    delete_keys = next(s for s in statements if s.startswith("CREATE TABLE"))
    insert = next(s for s in statements if s.startswith("INSERT INTO"))
    assert 'OR d."account_id" = s."account_id" AND d."day" = s."day"' in delete_keys
    assert f'("{DELETED}" IS NULL OR "{DELETED}" = False)' in insert
    for statement in statements:
        sqlglot.parse_one(statement.replace("`", '"'), read="athena")


def test_batched_joins_pages_of_one_table_up_to_the_batch_size() -> None:
    pages = [page(("1", str(i), "2026-10-01", "5", i)) for i in range(5)]
    second = into(
        SECOND,
        arrow.to_table(
            [{"account_id": "1", "day": "2026-10-01", "kind": "buy", "value": 1}],
            SECOND,
            loaded_at=AT,
        ),
        merge_key=KEY,
    )
    out = list(batched(iter([*pages[:3], second, "other", *pages[3:]]), rows=2))
    tables = [o for o in out if isinstance(o, pa.Table)]
    assert [t.num_rows for t in tables] == [2, 2, 1]
    assert [r["ad_id"] for r in rows_of(tables)] == ["0", "1", "2", "3", "4"]
    assert "other" in out
    marked = [o for o in out if not isinstance(o, pa.Table | str)]
    assert [m.data.num_rows for m in marked] == [1]
    assert marked[0].meta.hints["table_name"] == "second"


def test_batched_passes_a_page_of_the_batch_size_or_more_on_its_own() -> None:
    """A first page that fills a batch alone is yielded as it is (Naver's whole days)."""
    big = page(*(("1", str(i), "2026-10-01", "5", i) for i in range(3)))
    small = page(("1", "9", "2026-10-02", "5", 9))
    out = list(batched(iter([big, small, big]), rows=2))
    assert [t.num_rows for t in out] == [3, 4]
    assert [r["ad_id"] for r in rows_of(out)] == ["0", "1", "2", "9", "0", "1", "2"]


def test_batched_yields_a_table_of_no_rows_so_the_table_exists() -> None:
    empty = arrow.to_table([], DAILY, loaded_at=AT)
    out = list(batched(iter([empty])))
    assert [t.num_rows for t in out] == [0]
    assert out[0].schema == DAILY.schema()


def record(ad: str, day: str) -> dict[str, Any]:
    return {"account_id": "1", "ad_id": ad, "day": day, "spend": "5", "clicks": 1}


class Account:
    """One account's report read through :func:`rows_into_tables`, what happened in order."""

    def __init__(self, chunks: list[tuple[str, list[list[dict[str, Any]]]]]) -> None:
        self.chunks = chunks
        self.events: list[str] = []
        self.handed: list[list[dict[str, Any]]] = []

    def read(self) -> Iterator[tuple[str, Iterator[list[dict[str, Any]]]]]:
        for day, pages in self.chunks:
            self.events.append(f"asked {day}")
            yield day, iter(pages)

    def tables(self, rows: list[dict[str, Any]]) -> list[pa.Table]:
        self.handed.append(rows)
        self.events.append(f"tables of {len(rows)}")
        return [arrow.to_table(rows, DAILY, loaded_at=AT)]

    def tombstones(self, days: list[str]) -> Iterator[pa.Table]:
        self.events.append(f"tombstones {','.join(days)}")
        asked = [{"account_id": "1", "day": date.fromisoformat(d)} for d in days]
        yield tombstones(DAILY, asked, loaded_at=AT)


def test_rows_into_tables_holds_rows_across_chunks_up_to_the_size_then_the_chunks_days() -> None:
    account = Account(
        [
            ("2026-10-01", [[record("a", "2026-10-01"), record("b", "2026-10-01")]]),
            ("2026-10-02", [[record("c", "2026-10-02")], [record("d", "2026-10-02")]]),
            ("2026-10-03", []),  # answered empty: tombstoned all the same
            ("2026-10-04", [[record("e", "2026-10-04")]]),
        ]
    )
    out = list(rows_into_tables(account.read(), account.tables, account.tombstones, rows=3))
    # The first tables are made before the third chunk is asked for (what is held is bounded).
    assert account.events == [
        "asked 2026-10-01",
        "asked 2026-10-02",
        "tables of 4",
        "tombstones 2026-10-01,2026-10-02",
        "asked 2026-10-03",
        "asked 2026-10-04",
        "tables of 1",
        "tombstones 2026-10-03,2026-10-04",
    ]
    assert [DELETED in t.column_names for t in out] == [False, True, False, True]
    assert [r["ad_id"] for r in rows_of([out[0]])] == ["a", "b", "c", "d"]
    assert [r["ad_id"] for r in rows_of([out[2]])] == ["e"]
    days = [[str(d) for d in t.column("day").to_pylist()] for t in (out[1], out[3])]
    assert days == [["2026-10-01", "2026-10-02"], ["2026-10-03", "2026-10-04"]]
    # the rows handed over are not reused for the next ones
    assert [len(rows) for rows in account.handed] == [4, 1]


def test_rows_into_tables_without_rows_yields_only_tombstones_and_without_chunks_nothing() -> None:
    account = Account([("2026-10-01", []), ("2026-10-02", [[]])])
    out = list(rows_into_tables(account.read(), account.tables, account.tombstones, rows=3))
    assert account.events[-1] == "tombstones 2026-10-01,2026-10-02"
    assert account.handed == [] and len(out) == 1 and DELETED in out[0].column_names
    nothing = Account([])
    assert list(rows_into_tables(nothing.read(), nothing.tables, nothing.tombstones)) == []
    assert nothing.events == []


def test_rows_into_tables_without_tombstones_flushes_at_the_size_and_at_the_end() -> None:
    rows = [record(str(i), "2026-10-01") for i in range(5)]
    account = Account([("2026-10-01", [rows[:2]]), ("2026-10-01", [rows[2:4]]), ("x", [rows[4:]])])
    out = list(rows_into_tables(account.read(), account.tables, rows=4))
    assert [t.num_rows for t in out] == [4, 1]
    assert [r["ad_id"] for r in rows_of(out)] == ["0", "1", "2", "3", "4"]
