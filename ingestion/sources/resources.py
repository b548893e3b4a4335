"""How every source hands its Arrow tables to dlt: merge resources named by their table.

Every raw table is merged with dlt's ``delete-insert`` strategy: on its primary key, and for
daily tables on a merge key (the account and the day), so a re-read day replaces the whole
day and a re-run never doubles a row. A resource that fills a second table (an insights
page and its actions) marks those tables with :func:`into`.

Two guarantees hold for every merge resource, whatever the source:

- **Conflicting duplicates stop the run.** Within one run of a resource, two rows of a
  table that share its primary key but differ in any value (the API sent the same ad-day
  twice with different spend) raise :class:`~ingestion.sources.errors.SourceDataError`
  naming the source, the table, the key and both differing values; dlt's delete-insert
  would otherwise keep one of them, silently. The extract fails, so nothing of the run is
  committed (the warehouse and the state stay as they were). Identical duplicates are
  dropped silently. Only a hash of each row is kept per hash of its key, not the rows
  (plus the previous page of each table, to show the earlier value): about 100 bytes per
  key. Two different keys with the same 64-bit hash would be taken for one key (odds of
  about 1 in 10^6 for ten million keys in one run); the run would then stop, not load wrong.
  A source whose every item holds whole days (each merge-key value in one item only, as
  Naver's report per customer-day) says so (``whole_days``): its keys are then checked
  within each item and nothing per row is kept between items, so a long backfill does
  not grow the run's memory; a day that comes in two items stops the run.
- **A day asked for is replaced, even when it came back empty.** A daily source yields
  :func:`tombstones` for every merge-key value it asked for (each account-day): rows
  flagged in :data:`DELETED`, a column with dlt's ``hard_delete`` hint. dlt's delete-insert
  deletes every destination row whose merge key matches any staged row, tombstones
  included, and inserts only the rows not flagged, so a day the API now returns empty is
  emptied. The column lands in raw as an always-null boolean.

Pages are handed to dlt in batches (:func:`batched`): dlt's extract costs about the
same per item whatever its size (its schema inference and Arrow normalisation run once per
item), so one table of a few thousand rows per page would cost more in dlt than in the
source. A batch holds at most :data:`BATCH_ROWS` rows, so memory does not grow with the run.
The batches are checked, not the pages (the check too costs about the same per table
whatever its size), except a ``whole_days`` source's pages, which are checked one by one.
For the same reason a source whose API answers in JSON records (Meta, Google Ads, Kakao)
holds an account's report rows across its chunks and makes them into Arrow tables up to
:data:`TABLE_ROWS` rows at a time (:func:`rows_into_tables`), then yields the tombstones of
the days those chunks asked for.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import chain, product
from typing import Any, TypeVar

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.common.schema.typing import TWriteDispositionConfig
from dlt.destinations.impl.athena.athena_adapter import PARTITION_HINT as ATHENA_PARTITION
from dlt.destinations.impl.athena.athena_adapter import athena_partition
from dlt.extract.exceptions import CurrentSourceNotAvailable
from dlt.extract.items import DataItemWithMeta
from dlt.sources import DltResource

from ingestion.sources.arrow import LOADED_AT, TIMESTAMP, Table, counting, repeated
from ingestion.sources.errors import SourceDataError

#: What a report was asked for in (a date range, a report call), and one row of its answer.
Chunk = TypeVar("Chunk")
Row = TypeVar("Row")

MERGE: TWriteDispositionConfig = {"disposition": "merge", "strategy": "delete-insert"}
#: The hard-delete flag of tombstones (dlt's ``hard_delete`` hint); null on every loaded row.
DELETED = "_deleted"
#: Its column hint, on every table with a merge key.
DELETED_HINT: dict[str, Any] = {"data_type": "bool", "nullable": True, "hard_delete": True}
#: The resource metric (``dlt.current.resource_metrics()``) counting tombstones per table.
TOMBSTONES = "tombstones"
#: Most rows of one table held before they are handed to dlt as one Arrow table.
BATCH_ROWS = 50_000
#: Report rows (JSON records) of one account held before they are made into Arrow tables
#: (:func:`rows_into_tables`). Making a table costs about the same per call whatever its
#: rows (the Arrow conversion and each column's checks run once per table), so an API's
#: pages of a few hundred rows are made into tables a few thousand at a time; 5,000 rows
#: keep what is held per account read at once small (a few chunks' answers).
TABLE_ROWS = 5_000
#: What to do about conflicting duplicates.
CONFLICT_HINT = (
    "the API sent conflicting rows for one key; nothing was loaded by this run. Run it again "
    "later; if it persists, report it to the API's support with the key and both values"
)


def day_column(table: Table, merge_key: Sequence[str]) -> str | None:
    """The day of a daily table: the merge key's column of type date (``None``: no day)."""
    names = {c.name: c for c in table.columns}
    days = [k for k in merge_key if k in names and pa.types.is_date(names[k].type)]
    return days[0] if days else None


def _hints(table: Table, merge_key: Sequence[str]) -> dict[str, Any]:
    """The table's primary key and the merge key, where there are any.

    A daily table (its merge key holds its day) is also partitioned by month of that day
    where a destination partitions tables: dlt's Athena hint (``athena_adapter``), which
    every other destination ignores. A day's build then reads only the months its window
    reaches (DECISIONLOG, 53).
    """
    keys = {"primary_key": list(table.primary_key), "merge_key": list(merge_key)}
    hints: dict[str, Any] = {name: key for name, key in keys.items() if key}
    if merge_key:
        hints["columns"] = {DELETED: DELETED_HINT}
    day = day_column(table, merge_key)
    if day:
        partition = athena_partition.month(day)
        hints["additional_table_hints"] = {
            ATHENA_PARTITION: {partition.column_name: partition.template}
        }
    return hints


class _Keys:
    """The rows of one table seen by one run of a resource: a hash per primary key."""

    def __init__(
        self,
        source: str,
        table: str,
        primary_key: Sequence[str],
        merge_key: Sequence[str],
        whole_days: bool = False,
    ) -> None:
        self.source = source
        #: each merge-key value comes in one item: keys are checked within the item
        self.whole_days = whole_days and bool(merge_key)
        self.table = table
        self.primary_key = tuple(primary_key)
        self.merge_key = tuple(merge_key)
        #: hash of the key -> hash of the row (two ints per key, whatever the row's width)
        self.hashes: dict[int, int] = {}
        self.previous: pa.Table | None = None
        self.days: set[tuple[Any, ...]] = set()

    def check(self, data: pa.Table) -> pa.Table:
        """``data`` without the rows already seen; raises on a conflicting duplicate.

        Tombstones of merge-key values (days) that rows have filled are dropped.
        """
        if DELETED in data.column_names:
            unfilled = self._unfilled(data)
            if unfilled.num_rows:
                self._count(unfilled.num_rows)
            return unfilled
        if self.merge_key and data.num_rows:
            days = _distinct(data, self.merge_key)
            if self.whole_days:
                self._once(days)
                self.hashes = {}
            self.days.update(days)
        if not self.primary_key or data.num_rows == 0:
            return data
        names = [n for n in data.column_names if n != LOADED_AT]
        keys, digests = _hashes(data, self.primary_key, names)
        hashes = self.hashes
        page = dict(zip(keys, digests, strict=True))
        if len(page) == len(keys) and hashes.keys().isdisjoint(page):
            hashes.update(page)  # no key twice in the page nor seen before: every row kept
            self.previous = data
            return data
        keep: list[int] = []
        for index, (hashed, digest) in enumerate(zip(keys, digests, strict=True)):
            seen = hashes.get(hashed)
            if seen is None:
                hashes[hashed] = digest
                keep.append(index)
            elif seen != digest:
                key = tuple(data.column(k)[index].as_py() for k in self.primary_key)
                raise self._conflict(key, data, index, names, keep)
        self.previous = data
        return data if len(keep) == data.num_rows else data.take(pa.array(keep, type=pa.int64()))

    def _once(self, days: set[tuple[Any, ...]]) -> None:
        """Raises if a day of this item came in an earlier one (``whole_days`` broken)."""
        again = days & self.days
        if again:
            day = min(again, key=repr)
            record = ", ".join(f"{k}={v}" for k, v in zip(self.merge_key, day, strict=True))
            raise SourceDataError(
                self.source,
                f"{self.table}: rows of one day came in two parts of this run",
                record=record,
                hint=CONFLICT_HINT,
            )

    def _count(self, tombstones: int) -> None:
        """Counts tombstones apart, so a run's row count is that of the rows it loaded."""
        try:
            metrics = dlt.current.resource_metrics()
        except CurrentSourceNotAvailable:
            return  # outside a dlt extract (a unit test of :func:`checked`)
        counts = metrics.setdefault(TOMBSTONES, {})
        counts[self.table] = counts.get(self.table, 0) + tombstones

    def _unfilled(self, data: pa.Table) -> pa.Table:
        """The tombstones of ``data`` whose day no row of this run has filled."""
        days = zip(*(data.column(k).to_pylist() for k in self.merge_key), strict=True)
        keep = [i for i, day in enumerate(days) if day not in self.days]
        return data if len(keep) == data.num_rows else data.take(pa.array(keep, type=pa.int64()))

    def _conflict(
        self, key: tuple[Any, ...], data: pa.Table, index: int, names: list[str], kept: list[int]
    ) -> SourceDataError:
        row = {n: data.column(n)[index].as_py() for n in names}
        earlier = self._earlier(key, data.take(pa.array(kept, type=pa.int64()))) or (
            self._earlier(key, self.previous) if self.previous is not None else None
        )
        record = ", ".join(f"{k}={v}" for k, v in zip(self.primary_key, key, strict=True))
        if earlier is None:
            values = ", ".join(f"{n}={row[n]}" for n in names if n not in self.primary_key)
            problem = f"this row ({values}) differs from one sent earlier in this run"
        else:
            differing = [n for n in names if row[n] != earlier[n]]
            problem = "; ".join(f"{n} {earlier[n]} vs {row[n]}" for n in differing)
        return SourceDataError(
            self.source,
            f"{self.table}: two rows share the key and differ ({problem})",
            record=record,
            hint=CONFLICT_HINT,
        )

    def _earlier(self, key: tuple[Any, ...], data: pa.Table) -> dict[str, Any] | None:
        """The row of ``data`` with ``key``, if there is one."""
        keys = [data.column(k).to_pylist() for k in self.primary_key]
        for index, found in enumerate(zip(*keys, strict=True)):
            if found == key:
                return {n: data.column(n)[index].as_py() for n in data.column_names}
        return None


def _distinct(data: pa.Table, names: Sequence[str]) -> set[tuple[Any, ...]]:
    """The distinct values of ``names`` in ``data`` (a page's account-days), as tuples.

    A page mostly holds one account (or one day): when at most one of ``names`` has
    several values, the distinct tuples are those values with the others' one value,
    without grouping the page.
    """
    uniques = [pc.unique(data.column(n)).to_pylist() for n in names]
    if sum(len(u) > 1 for u in uniques) <= 1:
        return set(product(*uniques))
    found = data.select(list(names)).group_by(list(names), use_threads=False).aggregate([])
    return set(zip(*(found.column(n).to_pylist() for n in names), strict=True))


_UINT64 = pa.uint64()
_MASK = (1 << 64) - 1
#: The hash of a null value (any value hashing to it is a 1-in-2^64 event).
_NULL_HASH = pa.scalar(0x5BD1E9955BD1E995, _UINT64)
_SEED = pa.scalar(0x9E3779B97F4A7C15, _UINT64)
_MIX_1 = pa.scalar(0xBF58476D1CE4E5B9, _UINT64)
_MIX_2 = pa.scalar(0x94D049BB133111EB, _UINT64)
_SHIFT = pa.scalar(29, _UINT64)


def _mix(words: pa.Array) -> pa.Array:
    """SplitMix64's finaliser of 64-bit words (Arrow's integer products wrap around)."""
    words = pc.bit_wise_xor(words, pc.shift_right(words, pa.scalar(30, _UINT64)))
    words = pc.multiply(words, _MIX_1)
    words = pc.bit_wise_xor(words, pc.shift_right(words, pa.scalar(27, _UINT64)))
    words = pc.multiply(words, _MIX_2)
    return pc.bit_wise_xor(words, pc.shift_right(words, pa.scalar(31, _UINT64)))


def _words(column: pa.Array) -> pa.Array:
    """One 64-bit word per value of ``column``, equal for equal values (nulls: any word).

    Numbers, days and times are their bits (-0.0 as 0.0, every NaN alike); a decimal its
    two halves mixed; a text (or any other value, spelled by Arrow) Python's hash of it,
    taken once per distinct value of the page.
    """
    kind = column.type
    if pa.types.is_uint64(kind):
        return column
    if pa.types.is_temporal(kind):  # days, times: their integer of the same width
        column = column.view(pa.int32() if kind.bit_width == 32 else pa.int64())
    if pa.types.is_integer(column.type) or pa.types.is_boolean(kind):
        return column.cast(pa.int64()).view(_UINT64)
    if pa.types.is_floating(kind):
        column = pc.add(column.cast(pa.float64()), pa.scalar(0.0))  # -0.0 + 0.0 is 0.0
        column = pc.if_else(pc.is_nan(column), pa.scalar(math.nan), column)
        return column.view(_UINT64)
    if pa.types.is_decimal(kind) and kind.byte_width == 16:
        size = len(column)
        halves = pa.Array.from_buffers(
            _UINT64, 2 * size, [None, column.buffers()[1]], offset=2 * column.offset
        )
        low = halves.take(counting(size, 0, 2))
        high = halves.take(counting(size, 1, 2))
        return pc.add(pc.multiply(_mix(low), _MIX_1), high)
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        column = pc.cast(column, pa.string())
    encoded = pc.dictionary_encode(column)
    hashed = [hash(value) & _MASK for value in encoded.dictionary.to_pylist()]
    return pa.array(hashed, _UINT64).take(encoded.indices)


def _hashes(data: pa.Table, *groups: Sequence[str]) -> list[list[int]]:
    """Per group of columns, a 64-bit hash of each row's values of them, equal for equal values.

    Computed by Arrow a page at a time (each column's words folded in, in order, then
    mixed), instead of a tuple of Python objects (decimals, dates) per row; a null differs
    from every value, an empty text included. A column in several groups is read once.
    """
    words: dict[str, pa.Array] = {}
    found = []
    for names in groups:
        hashes = repeated(_SEED.as_py(), _UINT64, data.num_rows)
        for name in names:
            if name not in words:
                column = data.column(name).combine_chunks()
                word = _words(column)
                if column.null_count:
                    word = pc.if_else(pc.is_valid(column), word, _NULL_HASH)
                words[name] = word
            hashes = pc.add(pc.multiply(hashes, _MIX_1), words[name])
            hashes = pc.bit_wise_xor(hashes, pc.shift_right(hashes, _SHIFT))
        found.append(_mix(hashes).to_pylist())
    return found


def checked(
    data: Iterator[Any], table: Table, merge_key: Sequence[str] = (), whole_days: bool = False
) -> Iterator[Any]:
    """``data`` with conflicting duplicates refused and identical ones dropped, per table.

    The tables of items marked with :func:`into` are checked on the primary key in their
    hints. Within one run of the resource (one iteration of ``data``); within each item
    of ``table`` when ``whole_days`` (each merge-key value comes in one item). Tombstones
    of a day that rows have already filled are dropped (a source yields them after the
    day's rows).

    Raises:
        SourceDataError: Two rows of a table share its primary key but differ in a value.
    """
    keys: dict[str, _Keys] = {}
    try:
        for item in data:
            if isinstance(item, pa.Table):
                if table.name not in keys:
                    keys[table.name] = _Keys(
                        table.source, table.name, table.identity, merge_key, whole_days
                    )
                yield keys[table.name].check(item)
            elif isinstance(item, DataItemWithMeta) and isinstance(item.data, pa.Table):
                hints = item.meta.hints
                name = str(hints.get("table_name", table.name))
                if name not in keys:
                    primary, merge = hints.get("primary_key") or (), hints.get("merge_key") or ()
                    keys[name] = _Keys(table.source, name, primary, merge)
                item.data = keys[name].check(item.data)
                yield item
            else:
                yield item
    except BaseException:
        # A refused row ends the run: close what feeds it now (a reader of accounts in
        # parallel stops its workers, ingestion/sources/parallel.py), not when collected.
        close = getattr(data, "close", None)
        if close is not None:
            close()
        raise


def batched(items: Iterator[Any], rows: int = BATCH_ROWS) -> Iterator[Any]:
    """``items`` with consecutive Arrow tables of one table and schema joined into one.

    Tables (plain, or marked with :func:`into`) are held per table, hints and schema until
    they reach ``rows`` rows, then yielded as one table; what is held is yielded when
    ``items`` ends, even a table of no rows (it creates the table). Anything else is
    yielded as it comes. Rows keep their order within a table.
    """
    held: dict[tuple[str, pa.Schema], tuple[Any, list[pa.Table], int]] = {}

    def joined(meta: Any, tables: list[pa.Table]) -> Any:
        data = tables[0] if len(tables) == 1 else pa.concat_tables(tables)
        if meta is None:
            return data
        meta.data = data
        return meta

    try:
        for item in items:
            if isinstance(item, pa.Table):
                meta, data, name = None, item, ""
            elif isinstance(item, DataItemWithMeta) and isinstance(item.data, pa.Table):
                meta, data, name = item, item.data, repr(item.meta.hints)
            else:
                yield item
                continue
            key = (name, data.schema)
            first, tables, count = held.get(key, (meta, [], 0))
            tables.append(data)
            count += data.num_rows
            if count >= rows:  # a first page of `rows` or more was never held
                held.pop(key, None)
                yield joined(first, tables)
            else:
                held[key] = (first, tables, count)
    except BaseException:
        # closed by :func:`checked` (a refused row): close what feeds it now, as it does
        close = getattr(items, "close", None)
        if close is not None:
            close()
        raise
    for first, tables, _ in held.values():
        yield joined(first, tables)


def rows_into_tables(
    chunks: Iterable[tuple[Chunk, Iterable[Sequence[Row]]]],
    make_tables: Callable[[list[Row]], Iterable[Any]],
    make_tombstones: Callable[[list[Chunk]], Iterable[Any]] | None = None,
    *,
    rows: int = TABLE_ROWS,
) -> Iterator[Any]:
    """One account's report rows made into tables several chunks at a time, then tombstones.

    The rows of each chunk's pages are held, in order, across chunks. After a chunk that
    brings them to ``rows`` or more, and once after the last chunk, ``make_tables`` makes
    what is held into the tables it yields, then ``make_tombstones`` yields the tombstones
    of those chunks (:func:`tombstones` of every day they asked for, after the days' rows
    as :func:`checked` expects; a chunk answered empty gets its tombstones all the same).
    A flush without rows yields only the tombstones; no chunks yield nothing. At most
    ``rows`` rows plus one chunk's are held; the held rows are handed over, not kept,
    while their tables are yielded.

    Args:
        chunks: What the account's report was asked for in (a date range, a report call),
            each with its pages of rows, read lazily in this order.
        make_tables: Held rows -> the tables to yield (their errors name the bad record).
        make_tombstones: Held chunks -> their tombstones (``None``: the caller yields them).
        rows: How many held rows make the tables (default :data:`TABLE_ROWS`).
    """
    held: list[Row] = []
    asked: list[Chunk] = []
    for chunk, pages in chunks:
        for page in pages:
            held.extend(page)
        asked.append(chunk)
        if len(held) >= rows:
            made = _made(held, asked, make_tables, make_tombstones)
            held, asked = [], []
            yield from made
    made = _made(held, asked, make_tables, make_tombstones)
    del held, asked
    yield from made


def _made(
    held: list[Row],
    asked: list[Chunk],
    make_tables: Callable[[list[Row]], Iterable[Any]],
    make_tombstones: Callable[[list[Chunk]], Iterable[Any]] | None,
) -> Iterator[Any]:
    """The tables of ``held`` (if any), then the tombstones of ``asked`` (if any)."""
    tables = make_tables(held) if held else ()
    dead = make_tombstones(asked) if asked and make_tombstones is not None else ()
    return chain(tables, dead)


def merged(
    data: Iterator[Any],
    table: Table,
    *,
    merge_key: Sequence[str] = (),
    columns: Mapping[str, Any] | None = None,
    whole_days: bool = False,
) -> DltResource:
    """A resource that merges ``data`` into ``table`` (delete-insert on its keys).

    Rows are checked on their primary key (:func:`checked`, a batch at a time): a
    conflicting duplicate stops the run, an identical one is dropped.

    Args:
        data: What the resource yields: Arrow tables of ``table`` (and of others, marked
            with :func:`into`), and :func:`tombstones` of the days asked for.
        table: The table's declaration: its name and primary key.
        merge_key: The columns whose every row is replaced when a row with the same values
            arrives (``account_id``, ``date``): a re-read day replaces the whole day.
        columns: Column hints for dlt (e.g. naive timestamps).
        whole_days: Every table ``data`` yields holds all rows of each of its merge-key
            values: keys are checked within each table, nothing per row kept between them.
    """
    hints = _hints(table, merge_key)
    if columns:
        hints["columns"] = {**hints.get("columns", {}), **columns}
    table_hints = hints.pop("additional_table_hints", None)
    if whole_days:  # each page holds whole days: checked on its own, then batched
        items = batched(checked(data, table, merge_key, whole_days))
    else:
        items = checked(batched(data), table, merge_key)
    resource: DltResource = dlt.resource(
        items,
        name=table.name,
        write_disposition=MERGE,
        **hints,
    )
    if table_hints:
        resource.apply_hints(additional_table_hints=table_hints)
    return resource


def into(table: Table, data: pa.Table, *, merge_key: Sequence[str] = ()) -> Any:
    """``data`` marked for ``table`` when a resource fills a second table besides its own."""
    hints = dlt.mark.make_hints(
        table_name=table.name, write_disposition=MERGE, **_hints(table, merge_key)
    )
    return dlt.mark.with_hints(data, hints, create_table_variant=True)


def _placeholder(kind: pa.DataType) -> Any:
    """A value of ``kind`` for a required column of a tombstone (never loaded)."""
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return ""
    if pa.types.is_boolean(kind):
        return False
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return 0
    if pa.types.is_decimal(kind):
        return Decimal(0)
    if pa.types.is_date(kind):
        return date(2000, 1, 1)
    if pa.types.is_timestamp(kind):
        return datetime(2000, 1, 1, tzinfo=UTC if kind.tz else None)
    raise TypeError(f"no tombstone placeholder for {kind}")


def tombstones(
    table: Table, asked: Iterable[Mapping[str, Any]], *, loaded_at: datetime
) -> pa.Table:
    """Rows that replace each merge-key value asked for with nothing, unless rows arrive.

    Yield them (through :func:`into` for a second table) for every account-day a run asked
    for, after that day's rows: :func:`checked` keeps only those of days no row filled, the
    merge deletes those days' old rows, and loads none of these (they are flagged in
    :data:`DELETED`). They are counted in the resource metric :data:`TOMBSTONES`, which the
    pipeline runner takes off the run's row counts.

    Args:
        table: The table's declaration.
        asked: The merge-key values of each day asked for (``{"account_id", "date"}``).
        loaded_at: The run's ``_loaded_at``.
    """
    rows = list(asked)
    arrays = []
    for column in table.columns:
        field = column.field()
        if rows and column.name in rows[0]:
            values = [r[column.name] for r in rows]
        elif field.nullable:
            values = [None] * len(rows)
        else:
            values = [_placeholder(field.type)] * len(rows)
        arrays.append(pa.array(values, type=field.type))
    arrays.append(repeated(loaded_at, TIMESTAMP, len(rows)))
    arrays.append(repeated(True, pa.bool_(), len(rows)))
    schema = table.schema().append(pa.field(DELETED, pa.bool_()))
    return pa.Table.from_arrays(arrays, schema=schema)
