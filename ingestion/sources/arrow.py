"""Typed Arrow columns, value parsers and ``to_table``: how every source turns answers into Arrow.

Each raw table is declared once as a :class:`Table` of :class:`Column` s: the column's name,
its Arrow type, the parser of its values, where the value is in a record, whether it is
required and what an absent value means. :func:`to_table` turns one page of records (JSON
objects, or CSV/TSV rows) into a ``pyarrow.Table`` of exactly that schema, with
``_loaded_at`` appended; dlt loads Arrow tables much faster than Python dicts. Where a
value is in a record is worked out once per page, not once per row.

Most columns are parsed a page at a time (:func:`vectorised`): the page's raw values of a
column become one Arrow array and Arrow's compute kernels check and convert them at once
(whole numbers, counts not negative, exact decimals, ISO dates, finite numbers). Only
spellings the one-value parser takes the same way are taken so (a value Arrow would read
differently, ``0x10`` or `` 5``, is left to it). When a page has a value the fast path does
not take, the page is parsed again one value at a time, so a malformed value stops the run
with the same error, naming the same (first) record, as if every value had been parsed alone.

A parser takes one raw value and returns it typed (``None`` for an absent value), or raises
``ValueError`` saying what is wrong with it (``not a whole number: '7.5'``). :func:`to_table`
and :func:`parse` turn that into the project's :class:`~ingestion.sources.errors.SourceDataError`,
naming the source, the table and field, and the record, so a malformed value stops the run
before anything is loaded, on one line that says what to do.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cached_property
from operator import itemgetter
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ingestion.sources.errors import SourceDataError, describe_record

#: ``_loaded_at``: when the source read the rows (UTC).
TIMESTAMP = pa.timestamp("us", tz="UTC")
LOADED_AT = "_loaded_at"
#: What to do about a malformed value, unless a table says otherwise.
MALFORMED = (
    "the API answer is malformed; nothing was loaded by this run. Report it with the record "
    "above if it persists"
)
#: What to do about a required value that is absent, unless a table says otherwise.
INCOMPLETE = "the API answer is malformed; nothing was loaded by this run"

Parser = Callable[[Any], Any]
#: Names the record at ``index`` of a page, for error messages.
Describe = Callable[[int, Any], str]


# -- parsers ----------------------------------------------------------------------------------
def as_is(value: Any) -> Any:
    """A value the source has already parsed (computed rows)."""
    return value


def _blank(value: Any) -> bool:
    return value is None or value == ""


def text(value: Any) -> str | None:
    """Text as sent; ids sent as JSON numbers become their digits (``12.0`` -> ``"12"``)."""
    if _blank(value):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"not a text value: {value!r:.40}")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def stripped(value: Any) -> str | None:
    """Text without surrounding blanks; a blank value is null."""
    found = text(value)
    return (found.strip() or None) if found is not None else None


def upper(value: Any) -> str | None:
    """Text in capitals without surrounding blanks (country codes)."""
    found = stripped(value)
    return found.upper() if found is not None else None


def _decimal(value: Any) -> Decimal | None:
    if _blank(value):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError(f"not a number: {value!r:.40}")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r:.40}") from None
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r:.40}")
    return number


def integer(value: Any) -> int | None:
    """A whole number (a JSON number, or text such as ``"64"``; ``"3.0"`` is 3)."""
    number = _decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(f"not a whole number: {value!r:.40}")
    return int(number)


def count(value: Any) -> int | None:
    """A count: a whole number that is not negative."""
    number = integer(value)
    if number is not None and number < 0:
        raise ValueError(f"a negative count: {value!r:.40}")
    return number


def number(value: Any) -> float | None:
    """A finite real number (a measurement)."""
    if _blank(value) or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"not a number: {value!r:.40}")
    try:
        found = float(value)
    except ValueError:
        raise ValueError(f"not a number: {value!r:.40}") from None
    if not math.isfinite(found):
        raise ValueError(f"not a finite number: {value!r:.40}")
    return found


def float_count(value: Any) -> float | None:
    """A count that may have a fraction (attributed conversions): a real number, not negative."""
    found = number(value)
    if found is not None and found < 0:
        raise ValueError(f"a negative count: {value!r:.40}")
    return found


def money(scale: int, *, signed: bool = False, precision: int = 18) -> Parser:
    """A parser of amounts as exact decimals of ``decimal(precision, scale)``.

    The amount is rounded half-up to ``scale`` places (a JSON double is read from its
    shortest spelling, so ``1234.56`` stays ``1234.56``).

    Args:
        scale: Decimal places kept.
        signed: Whether an amount may be negative (refunds); costs and spend may not.
        precision: Digits of the column's decimal type; a larger amount is refused.
    """
    quantum = Decimal(1).scaleb(-scale)
    limit = Decimal(10) ** (precision - scale)

    def parse_money(value: Any) -> Decimal | None:
        amount = _decimal(value)
        if amount is None:
            return None
        if amount < 0 and not signed:
            raise ValueError(f"a negative amount: {value!r:.40}")
        if abs(amount) >= limit:
            raise ValueError(f"more than decimal({precision},{scale}) holds: {value!r:.40}")
        return amount.quantize(quantum, rounding=ROUND_HALF_UP)

    _VECTORISED[parse_money] = _money_vector(scale, signed, precision)
    return parse_money


def day(value: Any) -> date | None:
    """A date: ``2026-11-01`` (or ``20261101``), or the date of ``2026-11-01 09:00:00``."""
    if _blank(value):
        return None
    found = str(value).strip()
    if len(found) > 10:
        return datetime.fromisoformat(found).date()
    return date.fromisoformat(found)


def compact_day(value: Any) -> date | None:
    """A ``YYYYMMDD`` date (Naver's reports, data.go.kr), as text or as a number."""
    if _blank(value):
        return None
    found = str(value).strip()
    if len(found) != 8 or not found.isdigit():
        raise ValueError(f"not a YYYYMMDD date: {value!r:.40}")
    return date(int(found[:4]), int(found[4:6]), int(found[6:]))


def timestamp(value: Any) -> datetime | None:
    """An ISO 8601 time (``Z``, ``+00:00`` or ``+0000``; Graph's ``2026-08-01T09:00:00+0900``)."""
    if _blank(value):
        return None
    return datetime.fromisoformat(str(value))


def boolean(value: Any) -> bool | None:
    """A JSON boolean."""
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"not a boolean: {value!r:.40}")


def nullable(parse: Parser, nulls: Iterable[str]) -> Parser:
    """``parse`` for cells where any of ``nulls`` (``N/A``, blanks around) means no value."""
    absent = frozenset(nulls)

    def parse_cell(value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            if value in absent:
                return None
        return parse(value)

    return parse_cell


def without_commas(parse: Parser) -> Parser:
    """``parse`` for numbers written with thousands separators (``"1,234"``)."""

    def parse_plain(value: Any) -> Any:
        return parse(value.replace(",", "") if isinstance(value, str) else value)

    return parse_plain


# -- parsers of a page's values at once -------------------------------------------------------
#: Takes a column's raw values of one page (a list, or an Arrow array the page's JSON
#: objects were read into at once); returns their typed array, or ``None`` when a value is
#: not one the fast path takes (the column is then parsed one value at a time).
VectorParser = Callable[[Any], "pa.Array | None"]
_VECTORISED: dict[Parser, VectorParser] = {}
#: Spellings both Arrow's casts and the one-value parsers read the same way.
_WHOLE = r"^-?[0-9]+$"
_DECIMAL = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: Doubles below this are whole numbers exactly.
_EXACT = 2.0**53


def vectorised(parser: Parser) -> VectorParser | None:
    """The page-at-a-time form of ``parser``, if it has one."""
    return _VECTORISED.get(parser)


def vectorise(parser: Parser, vector: VectorParser) -> Parser:
    """Declares ``vector`` the page-at-a-time form of ``parser`` (a source's own parser).

    ``vector`` must take exactly the values ``parser`` takes the same way (or answer
    ``None``): a page it refuses is parsed one value at a time, so errors stay the same.
    """
    _VECTORISED[parser] = vector
    return parser


def _raw(values: Any) -> pa.Array | None:
    """The values as one Arrow array of the type Arrow infers; ``None`` if they mix types.

    An Arrow array (a field of a page read at once, :func:`_struct`) is already that:
    Arrow refused the page if a field mixed types (``true`` among numbers included).
    """
    if isinstance(values, pa.Array):
        return values
    try:
        found = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return None
    if not pa.types.is_boolean(found.type) and bool in set(map(type, values)):
        return None  # Arrow reads true as 1 among numbers; the parsers refuse it
    return found


def repeated(value: Any, kind: pa.DataType, size: int) -> pa.Array:
    """``size`` copies of ``value`` as an array of ``kind``, without a Python list.

    The same array as ``pa.array([value] * size, kind)`` (a run's ``_loaded_at`` on every
    row of a page, a filled column), made by Arrow at once.
    """
    return pa.repeat(pa.scalar(value, kind), size)


def counting(size: int, start: int = 0, step: int = 1) -> pa.Array:
    """``start``, ``start + step``, ... (``size`` values, int64), without a Python list.

    The same array as ``pa.array(range(start, start + size * step, step), pa.int64())``
    (the positions of a page's rows), made by Arrow at once.
    """
    steps = pc.cumulative_sum(repeated(step, pa.int64(), size))
    return pc.add(steps, pa.scalar(start - step, pa.int64()))


def all_true(mask: pa.Array) -> bool:
    """Whether every non-null entry of a boolean array is true."""
    return bool(pc.all(mask).as_py() is not False)


def _matching(found: pa.Array, pattern: str) -> pa.Array | None:
    """Text values with blanks made null, if every other one matches ``pattern``."""
    found = pc.if_else(pc.equal(found, ""), pa.scalar(None, pa.string()), found)
    return found if all_true(pc.match_substring_regex(found, pattern)) else None


def _cast(found: pa.Array, kind: pa.DataType) -> pa.Array | None:
    try:
        return pc.cast(found, kind)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _whole_numbers(values: list[Any]) -> pa.Array | None:
    found = _raw(values)
    if found is None:
        return None
    kind = found.type
    if pa.types.is_null(kind):
        return pa.nulls(len(found), pa.int64())
    if pa.types.is_int64(kind):
        return found
    if pa.types.is_float64(kind):
        whole = pc.and_(pc.less(pc.abs(found), _EXACT), pc.equal(pc.floor(found), found))
        return pc.cast(found, pa.int64()) if all_true(whole) else None
    if pa.types.is_string(kind):
        found = _matching(found, _WHOLE)
        return _cast(found, pa.int64()) if found is not None else None
    return None


def _not_negative(found: pa.Array | None) -> pa.Array | None:
    if found is None or not all_true(pc.greater_equal(found, 0)):
        return None
    return found


def _reals(values: list[Any]) -> pa.Array | None:
    found = _raw(values)
    if found is None:
        return None
    kind = found.type
    if pa.types.is_null(kind):
        return pa.nulls(len(found), pa.float64())
    if pa.types.is_int64(kind):
        if not all_true(pc.less(pc.abs(found), int(_EXACT))):
            return None
        return pc.cast(found, pa.float64())
    if pa.types.is_string(kind):
        matched = _matching(found, _DECIMAL)
        found = _cast(matched, pa.float64()) if matched is not None else None
        if found is None:
            return None
    if not pa.types.is_float64(found.type) or not all_true(pc.is_finite(found)):
        return None
    return found


def _days(values: list[Any]) -> pa.Array | None:
    found = _raw(values)
    if found is None:
        return None
    kind = found.type
    if pa.types.is_null(kind):
        return pa.nulls(len(found), pa.date32())
    if pa.types.is_date32(kind):
        return found
    if pa.types.is_string(kind):
        matched = _matching(found, _ISO_DATE)
        return _cast(matched, pa.date32()) if matched is not None else None
    return None


def _texts(values: Any) -> pa.Array | None:
    if isinstance(values, pa.Array):
        if pa.types.is_int64(values.type):  # ids sent as JSON numbers: their digits
            return pc.cast(values, pa.string())
        if not (pa.types.is_string(values.type) or pa.types.is_null(values.type)):
            return None
        found = values.cast(pa.string())
    else:
        try:
            found = pa.array(values, type=pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            # ids sent as JSON numbers: their digits (other numbers one value at a time)
            found = _raw(values)
            if found is None or not pa.types.is_int64(found.type):
                return None
            return pc.cast(found, pa.string())
    if not all_true(pc.not_equal(found, "")):
        found = pc.if_else(pc.equal(found, ""), pa.scalar(None, pa.string()), found)
    return found


#: Text whose first and last characters are visible ASCII: nothing for ``str.strip`` to take
#: (a value with a blank, or any other character, at an end is left to :func:`stripped`).
_UNPADDED = r"(?s)^[!-~](.*[!-~])?$"


def _stripped_texts(values: Any) -> pa.Array | None:
    found = _texts(values)
    if found is None or not all_true(pc.match_substring_regex(found, _UNPADDED)):
        return None
    return found


def _upper_texts(values: Any) -> pa.Array | None:
    # ASCII only: Python's str.upper() and Arrow's differ beyond it ("ß" -> "SS")
    found = _stripped_texts(values)
    if found is None or not all_true(pc.string_is_ascii(found)):
        return None
    return pc.ascii_upper(found)


def _booleans(values: list[Any]) -> pa.Array | None:
    found = _raw(values)
    if found is None:
        return None
    if pa.types.is_null(found.type):
        return pa.nulls(len(found), pa.bool_())
    return found if pa.types.is_boolean(found.type) else None


def _money_vector(scale: int, signed: bool, precision: int) -> VectorParser:
    kind = pa.decimal128(precision, scale)
    limit = 10 ** (precision - scale)

    def parse_amounts(values: list[Any]) -> pa.Array | None:
        found = _raw(values)
        if found is None:
            return None
        raw = found.type
        if pa.types.is_null(raw):
            return pa.nulls(len(found), kind)
        if pa.types.is_int64(raw):
            if not all_true(pc.less(pc.abs(found), limit)):
                return None
            # Arrow casts int64 only to a decimal of 19 digits or more, then narrows
            found = pc.cast(found, pa.decimal128(38, scale))
        elif pa.types.is_float64(raw):
            # a double as its shortest spelling, as Decimal(str(value)) reads it
            found = _matching(pc.cast(found, pa.string()), _DECIMAL)
        elif pa.types.is_string(raw):
            found = _matching(found, _DECIMAL)
        else:
            return None
        amounts = _cast(found, kind) if found is not None else None
        if amounts is None or not (signed or all_true(pc.greater_equal(amounts, 0))):
            return None  # more places than the scale (rounded one at a time), or negative
        return amounts

    return parse_amounts


_VECTORISED.update(
    {
        text: _texts,
        stripped: _stripped_texts,
        upper: _upper_texts,
        integer: _whole_numbers,
        count: lambda values: _not_negative(_whole_numbers(values)),
        number: _reals,
        float_count: lambda values: _not_negative(_reals(values)),
        day: _days,
        boolean: _booleans,
    }
)


# -- declarations -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """One column of a raw table.

    Attributes:
        name: The column's name in the table.
        type: Its Arrow type.
        parse: The parser of its values.
        required: Whether a record without the value is malformed (the column is then
            not nullable).
        key: Where the value is in a record, as error messages name it: a JSON key, a
            dotted path into nested objects (``ad.headline``), a CSV header. Default: ``name``.
        path: The keys walked in a JSON record, when they differ from ``key`` split at dots.
        default: The value of an absent field (proto3 JSON leaves zeros out); ``None``: null.
        filled: The source fills the column itself (the account asked of, the provider):
            its value comes from :func:`to_table`'s ``filled``, not from the record.
    """

    name: str
    type: pa.DataType
    parse: Parser = text
    required: bool = False
    key: str = ""
    path: tuple[str, ...] = ()
    default: Any = None
    filled: bool = False

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.name)
        if not self.path:
            object.__setattr__(self, "path", tuple(self.key.split(".")))

    @property
    def nullable(self) -> bool:
        """Whether the column can be null (neither required nor defaulted)."""
        return not self.required and self.default is None

    def field(self) -> pa.Field:
        """The column as an Arrow field."""
        return pa.field(self.name, self.type, nullable=self.nullable)


def parsed(columns: Iterable[Column]) -> tuple[Column, ...]:
    """The same columns for values already parsed (keyed by name, filled by no one)."""
    return tuple(Column(c.name, c.type, as_is, c.required, default=c.default) for c in columns)


@dataclass(frozen=True)
class Table:
    """A raw table of a source: its columns (``_loaded_at`` is added) and its primary key.

    Attributes:
        source: The source it belongs to, for error messages.
        name: The table's name (what dlt loads it as).
        columns: Its columns, in order.
        primary_key: The columns that identify a row (and name it in error messages).
        hint: What to do about a malformed value.
        missing_hint: What to do about an absent required value.
        grain: For a table without a primary key (its identifying columns may be null,
            which dlt's primary key does not allow): the columns that identify a row.
            Not declared to dlt; rows sharing them are checked for conflicts like a key.
    """

    source: str
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    hint: str = field(default=MALFORMED, compare=False)
    missing_hint: str = field(default=INCOMPLETE, compare=False)
    grain: tuple[str, ...] = ()

    @property
    def identity(self) -> tuple[str, ...]:
        """The columns that identify a row: the primary key, else the grain."""
        return self.primary_key or self.grain

    def schema(self) -> pa.Schema:
        """The Arrow schema: the columns, then ``_loaded_at``."""
        return self._schema

    @cached_property
    def _schema(self) -> pa.Schema:
        fields = [c.field() for c in self.columns]
        return pa.schema([*fields, pa.field(LOADED_AT, TIMESTAMP, nullable=False)])

    def parsed(self) -> Table:
        """The same table for rows whose values are already parsed (rows a source computes)."""
        return replace(self, columns=parsed(self.columns))

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        return next(c for c in self.columns if c.name == name)

    def error(self, problem: str, record: str, hint: str | None = None) -> SourceDataError:
        """The error for a malformed record of this table (``hint``: default :attr:`hint`)."""
        return SourceDataError(
            self.source, f"{self.name}: {problem}", record=record, hint=hint or self.hint
        )

    def bad_value(self, column: Column, error: Exception, record: str) -> SourceDataError:
        """The error for a value ``column.parse`` refused."""
        return self.error(f"field '{column.key}' has a bad value ({error})", record)

    def missing_value(self, column: Column, record: str) -> SourceDataError:
        """The error for a record without a required value."""
        return self.error(f"required field '{column.key}' is missing", record, self.missing_hint)


# -- tables -----------------------------------------------------------------------------------
def parse(
    parser: Parser, value: Any, *, source: str, field: str, record: str, hint: str = MALFORMED
) -> Any:
    """One value through ``parser``, outside a table (a value the source checks itself).

    Raises:
        SourceDataError: The value is malformed; the message names the field and the record.
    """
    try:
        return parser(value)
    except (ValueError, TypeError) as exc:
        raise SourceDataError(
            source, f"field '{field}' has a bad value ({exc})", record=record, hint=hint
        ) from None


def _getter(
    column: Column, filled: Mapping[str, Any], positions: Mapping[str, int] | None
) -> Callable[[Any], Any]:
    """How the value of ``column`` is read from a record (worked out once per page)."""
    if column.filled:
        value = filled.get(column.name)
        return lambda _: value
    if positions is not None:
        return itemgetter(positions[column.key])
    if len(column.path) == 1:
        key = column.path[0]
        return lambda row: row.get(key)
    path = column.path

    def walk(row: Any) -> Any:
        node = row
        for key in path:
            if not isinstance(node, dict):
                return None
            node = node.get(key)
        return node

    return walk


def _values(
    rows: Iterable[Any],
    table: Table,
    filled: Mapping[str, Any],
    positions: Mapping[str, int] | None,
    describe: Describe,
) -> list[list[Any]]:
    """The parsed values of every column of ``rows``, column by column."""
    plan = [(c, _getter(c, filled, positions)) for c in table.columns]
    values: list[list[Any]] = [[] for _ in plan]
    for index, row in enumerate(rows):
        if positions is None and not isinstance(row, dict):
            problem = f"a record is not a JSON object ({row!r:.80})"
            raise table.error(problem, describe(index, {}))
        for slot, (column, get) in zip(values, plan, strict=True):
            try:
                value = column.parse(get(row))
            except (ValueError, TypeError) as exc:
                raise table.bad_value(column, exc, describe(index, row)) from None
            if value is None:
                if column.default is not None:
                    value = column.default
                elif column.required:
                    raise table.missing_value(column, describe(index, row))
            slot.append(value)
    return values


def _struct(rows: Sequence[Any]) -> pa.StructArray | None:
    """A page of JSON objects read into one Arrow array at once, if Arrow takes it.

    Arrow refuses a page whose field mixes types (text and numbers, ``true`` among
    numbers, an object and a text): ``None``, and the page's values are read one record
    at a time.
    """
    if not rows:
        return None
    try:
        found = pa.array(rows)
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return None
    return found if pa.types.is_struct(found.type) else None


def _field(struct: pa.Array, path: tuple[str, ...]) -> pa.Array | None:
    """The values at ``path`` of every object of ``struct`` (null where a key is absent).

    ``None`` when a key on the way holds something else than objects.
    """
    node = struct
    for key in path:
        if not pa.types.is_struct(node.type):
            return None
        index = node.type.get_field_index(key)
        if index < 0:
            return pa.nulls(len(node))
        node = node.flatten()[index]  # null where the enclosing object is null
    return node


def _listed(rows: Sequence[Any], column: Column, positions: Mapping[str, int] | None) -> list[Any]:
    """The raw values of ``column`` in ``rows``, read record by record."""
    if positions is not None:
        position = positions[column.key]
        return [row[position] for row in rows]
    if len(column.path) == 1:
        key = column.path[0]
        return [row.get(key) for row in rows]
    return [*map(_getter(column, {}, None), rows)]


def _arrays(
    rows: Sequence[Any],
    table: Table,
    filled: Mapping[str, Any],
    positions: Mapping[str, int] | None,
    columns: Mapping[str, Any] | None = None,
) -> list[pa.Array] | None:
    """Every column of ``rows`` parsed a page at a time (:func:`vectorised`).

    A column without a page-at-a-time parser, or with a value its fast path does not
    take, is parsed one value at a time. ``None`` when a value is malformed or a required
    one is absent: :func:`_values` then finds the first such record and says what is wrong.

    Records with nested fields (``campaign.id``) are read into Arrow once per page
    (:func:`_struct`) and each such column taken from it, not walked record by record.
    ``columns`` (:func:`columns_to_table`): the page's raw values by column name instead.
    """
    struct = None
    if columns is not None:
        size = len(next(iter(columns.values()), ()))
    else:
        size = len(rows)
        if positions is None:
            if not all(isinstance(row, dict) for row in rows):
                return None
            if any(len(c.path) > 1 and not c.filled for c in table.columns):
                struct = _struct(rows)
    arrays: list[pa.Array] = []
    for column in table.columns:
        try:
            found = None
            fast = vectorised(column.parse)
            if column.filled:
                value = column.parse(filled.get(column.name))
                found = repeated(value, column.type, size)
            elif columns is not None:
                values = columns[column.name]
            else:
                if fast is not None and struct is not None and len(column.path) > 1:
                    at = _field(struct, column.path)
                    found = fast(at) if at is not None else None
                if found is None:  # the record-by-record values (as before the struct)
                    values = _listed(rows, column, positions)
            if found is None:
                found = fast(values) if fast is not None else None
            if found is None:
                if isinstance(values, pa.Array):
                    values = values.to_pylist()
                parse = column.parse
                found = pa.array(
                    values if parse is as_is else [parse(v) for v in values], type=column.type
                )
            if found.null_count:
                if column.default is not None:
                    found = pc.fill_null(found, pa.scalar(column.default, found.type))
                elif column.required:
                    return None
            arrays.append(found if found.type == column.type else found.cast(column.type))
        except (ValueError, TypeError, LookupError, pa.ArrowException):
            return None
    return arrays


def _by_primary_key(table: Table) -> Describe:
    keys = table.primary_key or (table.columns[0].key,)
    return lambda _, row: describe_record(row, keys)


def to_table(
    rows: Sequence[Any],
    table: Table,
    *,
    loaded_at: datetime,
    filled: Mapping[str, Any] | None = None,
    positions: Mapping[str, int] | None = None,
    record: Describe | None = None,
) -> pa.Table:
    """One page of records as an Arrow table of ``table``'s schema.

    Args:
        rows: JSON objects, or (with ``positions``) CSV/TSV rows as lists of cells.
        table: The table's declaration.
        loaded_at: Extraction time written to ``_loaded_at``.
        filled: The values of the columns the source fills (``customer_id``, ``app_id``).
        positions: For rows that are lists: column key -> index of its cell.
        record: Names the record at an index of ``rows`` in error messages; default its
            primary-key fields (``id=12, date=...``).

    Raises:
        SourceDataError: A record is not an object, a required value is absent, or a
            value does not parse; the message names the table, the field and the record.
    """
    arrays = _arrays(rows, table, filled or {}, positions)
    if arrays is None:  # a malformed value: found and named one record at a time
        describe = record or _by_primary_key(table)
        values = _values(rows, table, filled or {}, positions, describe)
        arrays = [pa.array(v, type=c.type) for v, c in zip(values, table.columns, strict=True)]
    arrays.append(repeated(loaded_at, TIMESTAMP, len(rows)))
    return pa.Table.from_arrays(arrays, schema=table.schema())


def columns_to_table(
    columns: Mapping[str, Any],
    table: Table,
    *,
    loaded_at: datetime,
    records: Callable[[], Sequence[Any]],
    filled: Mapping[str, Any] | None = None,
    record: Describe | None = None,
) -> pa.Table:
    """One page given column by column, as :func:`to_table` would make it of its records.

    For a source that reads a page's fields into columns itself (one pass over the
    answer, no object per record): ``columns`` holds each column's raw values (a list, or
    an Arrow array), by column name, except the ``filled`` ones. They are checked and
    converted a page at a time as :func:`to_table` does; when a value is not one the
    fast path takes, ``records()`` gives the page as records (objects keyed by column
    name) and :func:`to_table` parses them one at a time, so a malformed value names the
    same record, with the same words, as if the source had built the records.

    Raises:
        SourceDataError: As :func:`to_table`.
    """
    arrays = _arrays((), table, filled or {}, None, columns)
    if arrays is None:
        return to_table(records(), table, loaded_at=loaded_at, filled=filled, record=record)
    arrays.append(repeated(loaded_at, TIMESTAMP, len(arrays[0]) if arrays else 0))
    return pa.Table.from_arrays(arrays, schema=table.schema())


def parse_record(
    row: Any,
    table: Table,
    *,
    filled: Mapping[str, Any] | None = None,
    record: str,
) -> dict[str, Any]:
    """One record's values as a dict of ``table``'s columns (for rows checked one by one).

    Raises:
        SourceDataError: As :func:`to_table`.
    """
    values = _values([row], table, filled or {}, None, lambda _, __: record)
    return {c.name: v[0] for c, v in zip(table.columns, values, strict=True)}
