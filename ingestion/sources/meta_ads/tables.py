"""Graph API rows to Arrow tables with explicit schemas (the fast path through dlt).

Each page of a listing or of insights becomes one ``pyarrow.Table``; dlt loads Arrow
tables about 40x faster than Python dicts (see the project's PERFORMANCE notes). The
tables are declared here (:class:`~ingestion.sources.arrow.Table`); every value is parsed
and checked by :func:`ingestion.sources.arrow.to_table`, so a malformed record stops the
run before anything is loaded, with an error that names the record and the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ingestion.sources import arrow
from ingestion.sources.arrow import TIMESTAMP, Column, Table
from ingestion.sources.errors import SourceDataError, describe_record

SOURCE = "meta_ads"
MONEY = pa.decimal128(18, 4)
STRING = pa.string()


def _id(name: str) -> Column:
    return Column(name, STRING, required=True)


def _time(name: str) -> Column:
    return Column(name, TIMESTAMP, arrow.timestamp)


#: Budgets arrive as strings of the currency's minor units ("5000" = USD 50.00).
def _budget(name: str) -> Column:
    return Column(name, pa.int64(), arrow.count)


AD_ACCOUNTS = Table(
    SOURCE,
    "ad_accounts",
    (
        _id("id"),
        _id("account_id"),
        Column("name", STRING),
        Column("currency", STRING, required=True),
        Column("timezone_name", STRING, required=True),
        Column("account_status", pa.int64(), arrow.count),
    ),
    ("id",),
)
CAMPAIGNS = Table(
    SOURCE,
    "campaigns",
    (
        _id("id"),
        _id("account_id"),
        Column("name", STRING),
        Column("objective", STRING),
        Column("status", STRING),
        Column("effective_status", STRING),
        Column("buying_type", STRING),
        _budget("daily_budget"),
        _budget("lifetime_budget"),
        _time("created_time"),
        _time("updated_time"),
        _time("start_time"),
        _time("stop_time"),
    ),
    ("id",),
)
AD_SETS = Table(
    SOURCE,
    "ad_sets",
    (
        _id("id"),
        _id("account_id"),
        _id("campaign_id"),
        Column("name", STRING),
        Column("status", STRING),
        Column("effective_status", STRING),
        Column("optimization_goal", STRING),
        Column("billing_event", STRING),
        _budget("daily_budget"),
        _budget("lifetime_budget"),
        _time("created_time"),
        _time("updated_time"),
    ),
    ("id",),
)
ADS = Table(
    SOURCE,
    "ads",
    (
        _id("id"),
        _id("account_id"),
        _id("campaign_id"),
        _id("adset_id"),
        Column("name", STRING),
        Column("status", STRING),
        Column("effective_status", STRING),
        Column("creative_id", STRING),
        Column("creative_link", STRING),
        _time("created_time"),
        _time("updated_time"),
    ),
    ("id",),
)
INSIGHTS = Table(
    SOURCE,
    "ads_insights",
    (
        _id("account_id"),
        _id("ad_id"),
        Column("date_start", pa.date32(), arrow.day, required=True),
        Column("date_stop", pa.date32(), arrow.day, required=True),
        Column("account_currency", STRING),
        _id("campaign_id"),
        Column("campaign_name", STRING),
        _id("adset_id"),
        Column("adset_name", STRING),
        Column("ad_name", STRING),
        Column("impressions", pa.int64(), arrow.count, required=True),
        Column("clicks", pa.int64(), arrow.count),
        Column("spend", MONEY, arrow.money(4), required=True),
        Column("reach", pa.int64(), arrow.count),
    ),
    ("account_id", "ad_id", "date_start"),
)
ACTIONS = Table(
    SOURCE,
    "ads_insights_actions",
    (
        _id("account_id"),
        _id("ad_id"),
        Column("date_start", pa.date32(), arrow.day, required=True),
        _id("action_type"),
        Column("action_count", pa.float64(), arrow.float_count),
        Column("action_value", MONEY, arrow.money(4)),
    ),
    (*INSIGHTS.primary_key, "action_type"),
)
#: A re-pulled account-day replaces the whole account-day of both insight tables.
DAY_KEY = ("account_id", "date_start")

#: Fields asked of each endpoint (the API returns only what is asked for).
AD_ACCOUNT_FIELDS = [c.name for c in AD_ACCOUNTS.columns]
CAMPAIGN_FIELDS = [c.name for c in CAMPAIGNS.columns]
AD_SET_FIELDS = [c.name for c in AD_SETS.columns]
#: An ad's landing page lives in its creative: ``object_story_spec.link_data.link`` (link
#: ads) or ``object_story_spec.video_data.call_to_action.value.link`` (video ads).
CREATIVE_FIELDS = (
    "creative{id,object_story_spec{link_data{link},video_data{call_to_action{value{link}}}}}"
)
AD_FIELDS = [c.name for c in ADS.columns if not c.name.startswith("creative_")] + [CREATIVE_FIELDS]
INSIGHT_FIELDS = [c.name for c in INSIGHTS.columns] + ["actions", "action_values"]


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def flatten_ad(row: dict[str, Any]) -> dict[str, Any]:
    """Lifts ``creative{id}`` into ``creative_id`` and the creative's link into ``creative_link``.

    The link is ``object_story_spec.link_data.link``, else the video's call-to-action link;
    an ad with neither (a lead form, a boosted post) has none.
    """
    creative = row.get("creative")
    spec = _dig(creative, "object_story_spec")
    link = _dig(spec, "link_data", "link") or _dig(
        spec, "video_data", "call_to_action", "value", "link"
    )
    return {
        **row,
        "creative_id": _dig(creative, "id"),
        "creative_link": link,
    }


def explode_actions(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (account, ad, day, action type), from ``actions`` and ``action_values``.

    Both arrays hold ``{"action_type", "value"}`` objects; a type may appear in either or
    both, so they are joined on the type: ``action_count`` from ``actions``,
    ``action_value`` from ``action_values``.

    Raises:
        SourceDataError: An array is not a list of objects with an ``action_type``.
    """
    exploded: list[dict[str, Any]] = []
    for row in rows:
        merged: dict[str, dict[str, Any]] = {}
        for array, column in (("actions", "action_count"), ("action_values", "action_value")):
            items = row.get(array) or []
            if not isinstance(items, list):
                raise SourceDataError(
                    SOURCE,
                    f"ads_insights: '{array}' is not a list",
                    record=describe_record(row, INSIGHTS.primary_key),
                )
            for item in items:
                if not isinstance(item, dict) or not item.get("action_type"):
                    raise SourceDataError(
                        SOURCE,
                        f"ads_insights: an item of '{array}' has no action_type: {item!r:.80}",
                        record=describe_record(row, INSIGHTS.primary_key),
                    )
                action = merged.setdefault(
                    item["action_type"],
                    {
                        "account_id": row.get("account_id"),
                        "ad_id": row.get("ad_id"),
                        "date_start": row.get("date_start"),
                        "action_type": item["action_type"],
                    },
                )
                action[column] = item.get("value")
        exploded.extend(merged.values())
    return exploded


#: The fields of ``ads_insights_actions`` taken from the insight row itself.
_ROW_FIELDS = ("account_id", "ad_id", "date_start")


#: An ``actions`` or ``action_values`` array as Meta sends it: objects of two texts.
_ITEMS = pa.list_(pa.struct([("action_type", pa.string()), ("value", pa.string())]))
#: An insight row as Graph sends it: every field asked for as text, and both action arrays.
_INSIGHT_PAGE = pa.struct(
    [(c.key, pa.string()) for c in INSIGHTS.columns]
    + [("actions", _ITEMS), ("action_values", _ITEMS)]
)


def _items(
    page: Sequence[dict[str, Any]], array: str, lists: pa.Array | None = None
) -> tuple[pa.Array, pa.Array, pa.Array] | None:
    """Each item of ``array`` of every row: (row index, ``action_type``, ``value``) columns.

    ``None`` when an item is not one :func:`explode_actions` takes without a question (not
    an object, no ``action_type``, a field of mixed types).
    """
    if lists is None:
        listed = [row.get(array) or None for row in page]
        try:  # the usual answer (Graph sends every value as text), typed at once: no inference
            lists = pa.array(listed, type=_ITEMS)
        except (pa.ArrowException, OverflowError, TypeError, ValueError):
            lists = pa.array(listed)  # values as JSON numbers, or else: as Arrow reads them
    if pa.types.is_null(lists.type):
        empty = pa.array([], pa.string())
        return pa.array([], pa.int64()), empty, empty
    if not pa.types.is_list(lists.type):
        return None
    items = pc.list_flatten(lists)
    rows = pc.list_parent_indices(lists)
    if pa.types.is_null(items.type) and len(items) == 0:
        empty = pa.array([], pa.string())
        return rows, empty, empty
    if not pa.types.is_struct(items.type) or items.null_count:
        return None
    kind = items.type
    if kind.get_field_index("action_type") < 0 or not pa.types.is_string(
        kind.field("action_type").type
    ):
        return None
    types = items.field("action_type")
    if types.null_count or not arrow.all_true(pc.not_equal(types, "")):
        return None
    values = items.field("value") if kind.get_field_index("value") >= 0 else pa.nulls(len(items))
    return rows, types, values


def _row_types(
    count_rows: pa.Array, count_types: pa.Array, value_rows: pa.Array, value_types: pa.Array
) -> tuple[pa.Array, pa.Array]:
    """Each item's row index and ``action_type`` as one whole number, the same in both arrays.

    The types of both arrays are numbered together (``dictionary_encode``); the key is the
    row index times their count plus the type's number, so two items share a key exactly
    when they share the row and the type.
    """
    kinds = pa.concat_arrays([count_types.cast(pa.string()), value_types.cast(pa.string())])
    encoded = kinds.dictionary_encode()
    codes = encoded.indices.cast(pa.int64())
    width = pa.scalar(max(len(encoded.dictionary), 1), pa.int64())

    def keys(rows: pa.Array, start: int, size: int) -> pa.Array:
        return pc.add(pc.multiply(rows.cast(pa.int64()), width), codes.slice(start, size))

    return (
        keys(count_rows, 0, len(count_types)),
        keys(value_rows, len(count_types), len(value_types)),
    )


def insight_page(page: Sequence[Any]) -> pa.StructArray | None:
    """A page of insight rows read into Arrow at once, typed as Graph sends them, or ``None``.

    Graph sends every field as text and ``actions``/``action_values`` as lists of objects
    of two texts (:data:`_INSIGHT_PAGE`): read with that type, the page needs no type
    inferred and one pass over its rows (fields not asked for are not read). ``None`` when
    a row or a value is not so (a number, an object, no row): the rows are then read field
    by field, as before.
    """
    if not page:
        return None
    try:
        found = pa.array(page, type=_INSIGHT_PAGE)
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return None
    return found if isinstance(found, pa.StructArray) and not found.null_count else None


def action_columns(
    page: Sequence[dict[str, Any]], struct: pa.StructArray | None = None
) -> dict[str, Any] | None:
    """The raw columns of :data:`ACTIONS` for a page, the rows :func:`explode_actions` makes.

    Read column by column: each array of the page is read into Arrow at once and an
    ``action_values`` item joined to the ``actions`` item of its row and type, with no
    object per action. ``None`` when the page is not one the column-wise read takes
    (see :func:`_items`): :func:`explode_actions` then reads it row by row and names any
    malformed record. ``struct``: the page read already (:func:`insight_page`).
    """
    try:
        if struct is None:
            raw = {name: pa.array([row.get(name) for row in page]) for name in _ROW_FIELDS}
            counted, valued = _items(page, "actions"), _items(page, "action_values")
        else:
            raw = {name: struct.field(name) for name in _ROW_FIELDS}
            counted = _items(page, "actions", struct.field("actions"))
            valued = _items(page, "action_values", struct.field("action_values"))
    except (pa.ArrowException, AttributeError, OverflowError, TypeError, ValueError):
        return None
    if counted is None or valued is None:
        return None
    count_rows, count_types, counts = counted
    value_rows, value_types, values = valued
    count_keys, value_keys = _row_types(*counted[:2], *valued[:2])
    if pc.count_distinct(count_keys).as_py() != len(count_keys):
        return None  # a type twice in a row's actions: merged row by row
    if pc.count_distinct(value_keys).as_py() != len(value_keys):
        return None
    # each action's value from action_values; the types only there come after a row's actions
    count_values = pc.take(values, pc.index_in(count_keys, value_set=value_keys))
    only = pc.is_null(pc.index_in(value_keys, value_set=count_keys))
    rows = pa.concat_arrays(
        [count_rows.cast(pa.int64()), pc.filter(value_rows, only).cast(pa.int64())]
    )
    group = pa.concat_arrays(
        [
            arrow.repeated(0, pa.int8(), len(count_rows)),
            arrow.repeated(1, pa.int8(), len(rows) - len(count_rows)),
        ]
    )
    # by row, then a row's actions before its types only in action_values, each in its order:
    # one whole number per item, (row * 2 + group) * items + position
    size = pa.scalar(max(len(rows), 1), pa.int64())
    rank = pc.add(pc.multiply(rows, pa.scalar(2, pa.int64())), group.cast(pa.int64()))
    order = pc.sort_indices(pc.add(pc.multiply(rank, size), arrow.counting(len(rows))))
    only_values = pc.filter(values, only)
    columns: dict[str, Any] = {
        name: pc.take(pc.take(array, rows), order) for name, array in raw.items()
    }
    columns["action_type"] = pc.take(
        pa.concat_arrays(
            [count_types.cast(pa.string()), pc.filter(value_types, only).cast(pa.string())]
        ),
        order,
    )
    columns["action_count"] = pc.take(
        pa.concat_arrays([counts, pa.nulls(len(only_values), counts.type)]), order
    )
    columns["action_value"] = pc.take(
        pa.concat_arrays([count_values, only_values.cast(count_values.type)]), order
    )
    return columns
