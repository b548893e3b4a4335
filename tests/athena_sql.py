"""Checks that the dbt models are Athena SQL, without AWS.

Two checks, both on the SQL ``dbt compile --target athena`` writes (Glue and S3 served by
moto in the tests and CI; dbt-athena needs a catalog to compile, not a query engine):

* :func:`dialect_problems`: every compiled model parses as Athena (Trino) SQL with
  sqlglot, and uses nothing sqlglot does not know as an Athena construct: a function
  Trino does not have (``list_agg``, ``struct_pack``, ...), a ``::`` cast, ``SELECT *
  EXCLUDE``, ``GROUP BY ALL`` (a DuckDB shorthand that means something else in Trino),
  ``QUALIFY`` (a parse error);
* :func:`replay_on_duckdb`: every compiled model, transpiled from Athena to DuckDB by
  sqlglot, is executed in dependency order on a copy of a DuckDB warehouse that the
  ``local`` target built, then the statements that publish them (the views of
  ``marts``), and every published mart is compared, through ``marts``, row for row with
  the one dbt built there (a model configured ``meta: {published: false}``, a build
  schema's own state, has no view there: its Athena SQL runs, and the marts computed from
  it are compared). Equal marts mean the Athena SQL computes the same thing as the
  DuckDB SQL.

A DuckDB-only construct that slips into a model fails the first check; a dispatched
macro whose Athena branch computes something else fails the second.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.tokenizer_core import TokenType

#: What compiled SQL reads as its catalog on Athena (``database`` in profiles.yml).
CATALOG = "awsdatacatalog"
#: Functions sqlglot does not model but Athena has (none needed so far).
KNOWN_ATHENA_FUNCTIONS: frozenset[str] = frozenset()


def load_manifest(target_path: Path) -> dict[str, Any]:
    """The ``manifest.json`` of a compile."""
    data: dict[str, Any] = json.loads((target_path / "manifest.json").read_text())
    return data


def models(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The enabled models of a manifest, by unique id."""
    return {
        uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"
    }


def dialect_problems(sql: str) -> list[str]:
    """What in ``sql`` is not Athena SQL (empty: nothing found)."""
    dialect = sqlglot.Dialect.get_or_raise("athena")
    try:
        tokens = dialect.tokenize(sql)
        trees = [t for t in sqlglot.parse(sql, read="athena") if t is not None]
    except SqlglotError as exc:
        return [f"does not parse as Athena SQL: {str(exc).splitlines()[0]}"]
    problems = []
    if any(t.token_type == TokenType.DCOLON for t in tokens):
        problems.append("a '::' cast (use cast(x as type))")
    for tree in trees:
        for function in tree.find_all(exp.Anonymous):
            if function.name.lower() not in KNOWN_ATHENA_FUNCTIONS:
                problems.append(f"function {function.name}() is not an Athena function")
        for star in tree.find_all(exp.Star):
            if star.args.get("except_") or star.args.get("except") or star.args.get("replace"):
                problems.append("SELECT * EXCLUDE/REPLACE is DuckDB-only")
        for group in tree.find_all(exp.Group):
            if group.args.get("all"):
                problems.append("GROUP BY ALL means another thing in Trino; name the columns")
    return sorted(set(problems))


def check_dialect(manifest: dict[str, Any]) -> dict[str, list[str]]:
    """Model unique id -> its problems, for every model with any."""
    found = {}
    for uid, node in models(manifest).items():
        problems = dialect_problems(node.get("compiled_code") or "")
        if problems:
            found[uid] = problems
    return found


def _order(nodes: dict[str, dict[str, Any]]) -> list[str]:
    ordered: list[str] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen:
            return
        seen.add(uid)
        for parent in nodes[uid]["depends_on"]["nodes"]:
            if parent in nodes:
                visit(parent)
        ordered.append(uid)

    for uid in sorted(nodes):
        visit(uid)
    return ordered


@dataclass(frozen=True)
class MartComparison:
    """One mart built from the Athena SQL against the same mart built by dbt on DuckDB."""

    name: str
    rows: int
    only_in_athena_sql: int
    only_in_duckdb: int
    columns_differ: bool = False

    @property
    def equal(self) -> bool:
        """Whether both have the same columns and the same multiset of rows."""
        return not (self.columns_differ or self.only_in_athena_sql or self.only_in_duckdb)


class ReplayError(Exception):
    """A compiled model did not run on DuckDB after transpiling; names the model."""


def _snapshot(source: Path, target: Path) -> None:
    """A copy of a DuckDB file with its write-ahead log (changes not yet checkpointed)."""
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + ".wal")
    target_wal = target.with_name(target.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, target_wal)
    else:
        target_wal.unlink(missing_ok=True)


def _relation_kind(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> str | None:
    found = con.execute(
        "select table_type from information_schema.tables "
        "where table_catalog = ? and table_schema = ? and table_name = ?",
        [CATALOG, schema, name],
    ).fetchall()
    return None if not found else ("view" if found[0][0] == "VIEW" else "table")


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, name: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_catalog = ? "
            "and table_schema = 'marts' and table_name = ? order by ordinal_position",
            [catalog, name],
        ).fetchall()
    ]


def is_mart(node: dict[str, Any]) -> bool:
    """Whether a compiled node is a mart: in ``marts``, or in a schema it is built into."""
    return bool(node["schema"] == "marts" or str(node["schema"]).startswith("marts__"))


def is_published(node: dict[str, Any]) -> bool:
    """Whether a mart gets a view in ``marts`` (macros/publish_marts.sql)."""
    return bool((node["config"].get("meta") or {}).get("published", True))


def publish_statements(compiled: str) -> list[str]:
    """The statements of compiled publish SQL (``;``-separated, one per view)."""
    return [s.strip() for s in compiled.split(";") if s.strip()]


def replay_on_duckdb(
    manifest: dict[str, Any],
    warehouse: Path,
    scratch: Path,
    publish: list[str] | None = None,
) -> list[MartComparison]:
    """Runs the Athena SQL of every model on a copy of ``warehouse`` and compares the marts.

    Args:
        manifest: The manifest of ``dbt compile --target athena``.
        warehouse: A DuckDB warehouse built by ``dbt build`` on the ``local`` target (raw
            tables, seeds and marts, published as the views of ``marts``).
        scratch: A folder for the copy (the warehouse itself is only read).
        publish: Athena statements run after the models (the views of ``marts`` pointed
            at the schema the marts were compiled into), transpiled like them.

    Raises:
        ReplayError: A model or a publish statement failed to run on DuckDB after
            transpiling.
    """
    scratch.mkdir(parents=True, exist_ok=True)
    copy, built = scratch / "athena_sql.duckdb", scratch / "built.duckdb"
    for snapshot in (copy, built):  # copies: dbt may still hold the file in this process
        _snapshot(warehouse, snapshot)
    con = duckdb.connect()
    con.execute(f"attach '{copy}' as {CATALOG}")
    con.execute(f"attach '{built}' as built (read_only)")
    nodes = models(manifest)
    for uid in _order(nodes):
        node = nodes[uid]
        schema, name = node["schema"], node["alias"]
        relation = f'{CATALOG}."{schema}"."{name}"'
        try:
            sql = sqlglot.transpile(node["compiled_code"], read="athena", write="duckdb")[0]
            existing = _relation_kind(con, schema, name)
            if existing:
                con.execute(f"drop {existing} {relation}")
            kind = "view" if node["config"]["materialized"] == "view" else "table"
            con.execute(f'create schema if not exists {CATALOG}."{schema}"')
            con.execute(f"create {kind} {relation} as {sql}")
        except (SqlglotError, duckdb.Error) as exc:
            raise ReplayError(
                f"{uid}: its Athena SQL does not run on DuckDB after transpiling: "
                f"{str(exc).splitlines()[0]}"
            ) from None
    for statement in publish or []:
        try:
            con.execute(sqlglot.transpile(statement, read="athena", write="duckdb")[0])
        except (SqlglotError, duckdb.Error) as exc:
            raise ReplayError(
                f"publish statement {statement[:80]!r}: does not run on DuckDB after "
                f"transpiling: {str(exc).splitlines()[0]}"
            ) from None
    results = []
    for uid in _order(nodes):
        node = nodes[uid]
        if not is_mart(node) or not is_published(node):
            continue
        name = node["alias"]
        ours, theirs = f'{CATALOG}.marts."{name}"', f'built.marts."{name}"'
        rows = int(con.execute(f"select count(*) from {theirs}").fetchone()[0])  # type: ignore[index]
        if _columns(con, CATALOG, name) != _columns(con, "built", name):
            results.append(MartComparison(name, rows, 0, 0, columns_differ=True))
            continue
        only_ours = con.execute(
            f"select count(*) from (select * from {ours} except all select * from {theirs})"
        ).fetchone()
        only_theirs = con.execute(
            f"select count(*) from (select * from {theirs} except all select * from {ours})"
        ).fetchone()
        results.append(
            MartComparison(
                name,
                rows,
                int(only_ours[0]) if only_ours else 0,
                int(only_theirs[0]) if only_theirs else 0,
            )
        )
    con.close()
    return results
