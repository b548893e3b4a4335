"""How every source hands its Arrow tables to dlt: merge resources named by their table.

Every raw table is merged with dlt's ``delete-insert`` strategy: on its primary key, and for
daily tables on a merge key (the account and the day), so a re-read day replaces the whole
day and a re-run never doubles a row. A resource that fills a second table (an insights
page and its actions) marks those tables with :func:`into`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import dlt
import pyarrow as pa
from dlt.common.schema.typing import TWriteDispositionConfig
from dlt.sources import DltResource

from ingestion.sources.arrow import Table

MERGE: TWriteDispositionConfig = {"disposition": "merge", "strategy": "delete-insert"}


def _hints(table: Table, merge_key: Sequence[str]) -> dict[str, Any]:
    """The table's primary key and the merge key, where there are any."""
    keys = {"primary_key": list(table.primary_key), "merge_key": list(merge_key)}
    return {name: key for name, key in keys.items() if key}


def merged(
    data: Iterator[Any],
    table: Table,
    *,
    merge_key: Sequence[str] = (),
    columns: Mapping[str, Any] | None = None,
) -> DltResource:
    """A resource that merges ``data`` into ``table`` (delete-insert on its keys).

    Args:
        data: What the resource yields: Arrow tables of ``table`` (and of others, marked
            with :func:`into`).
        table: The table's declaration: its name and primary key.
        merge_key: The columns whose every row is replaced when a row with the same values
            arrives (``account_id``, ``date``): a re-read day replaces the whole day.
        columns: Column hints for dlt (e.g. naive timestamps).
    """
    hints = _hints(table, merge_key)
    if columns:
        hints["columns"] = dict(columns)
    resource: DltResource = dlt.resource(data, name=table.name, write_disposition=MERGE, **hints)
    return resource


def into(table: Table, data: pa.Table, *, merge_key: Sequence[str] = ()) -> Any:
    """``data`` marked for ``table`` when a resource fills a second table besides its own."""
    hints = dlt.mark.make_hints(
        table_name=table.name, write_disposition=MERGE, **_hints(table, merge_key)
    )
    return dlt.mark.with_hints(data, hints, create_table_variant=True)
