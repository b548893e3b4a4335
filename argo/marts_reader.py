"""Reading the marts: one small interface over the DuckDB file and over Athena.

The digest and ``argo alerts`` ask a few plain SQL questions of the marts (``select ...
from marts.<table> where ...`` with literals only, valid on DuckDB and on Athena) and get
rows as dicts. :class:`DuckDBReader` opens the local warehouse read-only;
:class:`AthenaReader` runs the query through boto3's Athena client (start, poll on ARGO's
clock, page through the results) and types the values from the result's column types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from ingestion import clock

#: The schema the published marts are read from (a view per mart on DuckDB).
MARTS = "marts"


class ReadError(Exception):
    """The marts cannot be read; the message names what and what to do."""


class MartReader(Protocol):
    """What the digest asks of a warehouse."""

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """The rows of ``sql`` as dicts (column name -> Python value)."""
        ...


def literal(value: Any) -> str:
    """``value`` as a SQL literal both engines read the same way (text, date, number)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date) and not isinstance(value, datetime):
        return f"date '{value.isoformat()}'"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def missing_mart(table: str, engine: str) -> ReadError:
    """The error for a mart the warehouse does not have (yet)."""
    return ReadError(
        f"the warehouse has no {MARTS}.{table} ({engine}). What to do: build the marts "
        f"(`argo transform`, or `argo demo` for the sandbox), then run this again"
    )


class DuckDBReader:
    """The local warehouse file, opened read-only for each question.

    Args:
        path: The DuckDB file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """The rows of ``sql``, from a read-only connection.

        Raises:
            ReadError: No warehouse file, a missing mart, or the file is held by a writer.
        """
        import duckdb

        if not self.path.exists():
            raise ReadError(
                f"there is no warehouse at {self.path}. What to do: run `argo demo` (the "
                "sandbox) or `argo ingest` and `argo transform`, or point ARGO_DUCKDB_PATH "
                "(--warehouse) at the warehouse"
            )
        try:
            with duckdb.connect(str(self.path), read_only=True) as con:
                cursor = con.execute(sql)
                names = [column[0] for column in cursor.description or []]
                return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        except duckdb.CatalogException as exc:
            table = _table_in(str(exc))
            raise missing_mart(table, f"DuckDB {self.path}") from None
        except duckdb.IOException as exc:
            raise ReadError(
                f"cannot open the warehouse {self.path} read-only ({str(exc).splitlines()[0]}). "
                "What to do: wait for the load or build that holds it to finish, then run "
                "this again"
            ) from None


def _table_in(message: str) -> str:
    """The table a DuckDB catalog error names (``Table with name x does not exist``)."""
    import re

    found = re.search(r"with name (\w+)", message)
    return found.group(1) if found else "table"


#: Athena's column types -> how a cell's text becomes a Python value.
_ATHENA_TYPES: dict[str, Callable[[str], Any]] = {
    "date": date.fromisoformat,
    "double": float,
    "float": float,
    "real": float,
    "decimal": Decimal,
    "integer": int,
    "int": int,
    "bigint": int,
    "smallint": int,
    "tinyint": int,
    "boolean": lambda text: text.lower() == "true",
}


class AthenaReader:
    """The marts in Athena, through boto3's Athena client.

    Args:
        client: A boto3 ``athena`` client.
        workgroup: The workgroup (it enforces the result location and the scan limit).
        catalog: The data catalog (``awsdatacatalog``).
        database: The database the questions run in (``marts``).
        poll_seconds: Wait between two status polls (on ARGO's clock).
        timeout_seconds: How long a question may run before it is given up.
    """

    def __init__(
        self,
        client: Any,
        workgroup: str,
        catalog: str = "awsdatacatalog",
        database: str = MARTS,
        *,
        poll_seconds: float = 1.0,
        timeout_seconds: float = 300.0,
    ) -> None:
        self.client = client
        self.workgroup = workgroup
        self.catalog = catalog
        self.database = database
        self.poll_seconds = poll_seconds
        self.timeout_seconds = timeout_seconds

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """The rows of ``sql``: started, polled on ARGO's clock, results paged and typed.

        Raises:
            ReadError: The query failed, timed out, or AWS refused it.
        """
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            query_id = self.client.start_query_execution(
                QueryString=sql,
                QueryExecutionContext={"Catalog": self.catalog, "Database": self.database},
                WorkGroup=self.workgroup,
            )["QueryExecutionId"]
            self._wait(query_id)
            return list(self._results(query_id))
        except (BotoCoreError, ClientError) as exc:
            raise ReadError(
                f"Athena could not read the marts (workgroup {self.workgroup}): {exc}. What to "
                "do: check the AWS settings with `argo aws check`"
            ) from None

    def _wait(self, query_id: str) -> None:
        deadline = clock.monotonic() + self.timeout_seconds
        while True:
            status = self.client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"][
                "Status"
            ]
            state = status["State"]
            if state == "SUCCEEDED":
                return
            if state in ("FAILED", "CANCELLED"):
                reason = status.get("StateChangeReason", state)
                if "TABLE_NOT_FOUND" in reason or "does not exist" in reason:
                    raise missing_mart(_athena_table(reason), f"Athena {self.database}")
                raise ReadError(
                    f"an Athena query on the marts ended {state}: {reason}. What to do: "
                    "check the workgroup and that `argo transform --target athena` passed"
                )
            if clock.monotonic() >= deadline:
                self.client.stop_query_execution(QueryExecutionId=query_id)
                raise ReadError(
                    f"an Athena query on the marts ran longer than {self.timeout_seconds:.0f} s "
                    "and was stopped. What to do: run this again; if it persists, check the "
                    "workgroup's queue"
                )
            clock.sleep(self.poll_seconds)

    def _results(self, query_id: str) -> Iterator[dict[str, Any]]:
        paginator = self.client.get_paginator("get_query_results")
        names: list[str] = []
        casts: list[Callable[[str], Any]] = []
        first = True
        for page in paginator.paginate(QueryExecutionId=query_id):
            result = page["ResultSet"]
            if not names:
                columns = result["ResultSetMetadata"]["ColumnInfo"]
                names = [c["Name"] for c in columns]
                casts = [_ATHENA_TYPES.get(c["Type"].lower(), str) for c in columns]
            rows = result.get("Rows", [])
            if first:
                rows = rows[1:]  # the first row of the first page is the header
                first = False
            for row in rows:
                cells = [d.get("VarCharValue") for d in row["Data"]]
                yield {
                    name: None if cell is None else cast(cell)
                    for name, cast, cell in zip(names, casts, cells, strict=True)
                }


def _athena_table(reason: str) -> str:
    import re

    found = re.search(r"(\w+)\.?\s*(?:does not exist|not found)", reason)
    found = found or re.search(r"Table \S*?(\w+) does not exist", reason)
    return found.group(1) if found else "table"


def reader_for(target: str) -> MartReader:
    """The reader of the marts of ``target`` (``local``: the DuckDB file; ``athena``).

    Raises:
        AwsError: On Athena, a required AWS setting is missing.
    """
    if target == "athena":
        import os

        import boto3

        from argo.aws import AwsConfig

        config = AwsConfig.from_env()
        client = boto3.session.Session().client("athena", region_name=config.region)
        return AthenaReader(
            client, config.workgroup, os.environ.get("ARGO_ATHENA_CATALOG") or "awsdatacatalog"
        )
    from argo.settings import warehouse_path

    return DuckDBReader(warehouse_path())
