"""dlt lands a real source on S3 (moto) in the layout the Glue tables point at.

Moto stores the S3 objects and records the Athena statements but executes no SQL, so the
test checks the two halves separately: the parquet dlt wrote holds exactly the rows the
DuckDB target loads from the same fake, and the statements dlt ran point Glue at those
files and merge them into an Iceberg table on the dataset's own location.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from argo.aws import Aws, AwsConfig
from argo.pipeline import IngestError, run_source
from argo.settings import WAREHOUSE_ENV
from ingestion.sandbox import Faults, World
from ingestion.sandbox.exchange_rates_api import KoreaEximFake
from tests.conftest import query
from tests.moto_fixtures import REGION

pytestmark = pytest.mark.pipeline

LAKE = "acme-argo-lake"
COLUMNS = ["provider", "rate_date", "currency_code", "quoted_units", "quoted_rate", "rate_per_unit"]


def s3_parquet(prefix: str) -> pa.Table:
    s3 = boto3.client("s3", region_name=REGION)
    keys = [
        o["Key"]
        for o in s3.list_objects_v2(Bucket=LAKE, Prefix=prefix).get("Contents", [])
        if o["Key"].endswith(".parquet")
    ]
    assert keys, f"no parquet under s3://{LAKE}/{prefix}"
    tables = [
        pq.read_table(io.BytesIO(s3.get_object(Bucket=LAKE, Key=k)["Body"].read())) for k in keys
    ]
    return pa.concat_tables(tables)


def statements() -> list[str]:
    athena = boto3.client("athena", region_name=REGION)
    ids = athena.list_query_executions(WorkGroup="argo")["QueryExecutionIds"]
    found = [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"]["Query"] for i in ids]
    return [re.sub(r"\s+", " ", q) for q in found]


def test_athena_target_lands_parquet_on_s3(
    aws: str, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Aws(AwsConfig.from_env(["raw_exchange_rates"])).run(fix=True)
    with KoreaEximFake(world, Faults()) as fake:
        options = {**fake.source_options(), "backoff_factor": 0.01}  # type: ignore[attr-defined]
        monkeypatch.setenv("ARGO_TARGET", "athena")
        monkeypatch.setenv(WAREHOUSE_ENV, str(tmp_path / "athena" / "argo.duckdb"))
        landed = run_source("exchange_rates", **options)
        monkeypatch.setenv("ARGO_TARGET", "local")
        local = tmp_path / "local" / "argo.duckdb"
        monkeypatch.setenv(WAREHOUSE_ENV, str(local))
        run_source("exchange_rates", **options)
    # the parquet on S3 holds exactly what the DuckDB target loaded from the same fake
    staged = s3_parquet("raw/raw_exchange_rates_staging/exchange_rates/")
    on_s3 = sorted(tuple(r[c] for c in COLUMNS) for r in staged.to_pylist())
    in_duckdb = sorted(
        query(local, f"select {', '.join(COLUMNS)} from raw_exchange_rates.exchange_rates")
    )
    assert on_s3 == in_duckdb and len(on_s3) == landed.rows["exchange_rates"] > 0
    assert staged.schema.field("rate_per_unit").type == pa.decimal128(24, 10)
    assert not (tmp_path / "athena" / "argo.duckdb").exists(), "no DuckDB file on athena"
    assert "_dlt_id" in staged.column_names, "Athena's merge needs dlt's row id"
    columns = [r[0] for r in query(local, "describe raw_exchange_rates.exchange_rates")]
    assert "_dlt_id" not in columns, "the DuckDB target keeps its leaner rows"
    # Glue points at those files; the merge lands them in an Iceberg table in the lake
    sql = statements()
    external = next(q for q in sql if "EXTERNAL TABLE" in q and "_staging`.`exchange_rates`" in q)
    assert f"LOCATION 's3://{LAKE}/raw/raw_exchange_rates_staging/exchange_rates/'" in external
    target = next(
        q
        for q in sql
        if q.startswith("CREATE TABLE `awsdatacatalog`.`raw_exchange_rates`.`exchange_rates`")
    )
    assert f"LOCATION 's3://{LAKE}/raw/raw_exchange_rates/exchange_rates'" in target
    assert "'table_type'='ICEBERG'" in target.replace(" ", "")
    assert "PARTITIONED BY" not in target, "a table without a day is not partitioned"
    delete = next(
        q
        for q in sql
        if q.startswith(
            'CREATE TABLE "awsdatacatalog"."raw_exchange_rates_staging"."exchange_rates_delete'
        )
    )
    for key in ("provider", "rate_date", "currency_code"):
        assert f'd."{key}" = s."{key}"' in delete, "delete-insert on the grain"
    assert any(
        q.startswith('INSERT INTO "awsdatacatalog"."raw_exchange_rates"."exchange_rates"')
        and '"raw_exchange_rates_staging"."exchange_rates"' in q
        for q in sql
    )
    assert all("testing" not in q for q in sql), "no credential in any statement"


def test_athena_target_without_settings_says_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARGO_TARGET", "athena")
    monkeypatch.setenv(WAREHOUSE_ENV, str(tmp_path / "argo.duckdb"))
    for name in (
        "ARGO_S3_LAKE_BUCKET",
        "ARGO_S3_RESULTS_BUCKET",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(IngestError, match="exchange_rates: missing configuration: AWS_REGION"):
        run_source("exchange_rates")
    monkeypatch.setenv("ARGO_TARGET", "snowflake")
    with pytest.raises(IngestError, match=r"'snowflake' is not a target\. What to do: set it"):
        run_source("exchange_rates")


def test_the_plan_sheet_lands_on_s3_replaced_whole(
    aws: str, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """google_sheets (write disposition replace) lands its four tabs as parquet on S3."""
    from ingestion.sandbox.google_sheets_api import GoogleSheetsFake

    Aws(AwsConfig.from_env(["raw_google_sheets"])).run(fix=True)
    with GoogleSheetsFake(world, Faults()) as fake:
        options = {**fake.source_options(), "backoff_factor": 0.01}
        monkeypatch.setenv("ARGO_TARGET", "athena")
        monkeypatch.setenv(WAREHOUSE_ENV, str(tmp_path / "athena" / "argo.duckdb"))
        landed = run_source("google_sheets", **options)
    sql = statements()
    for table in ("advertisers", "ad_accounts", "budgets", "targets"):
        staged = s3_parquet(f"raw/raw_google_sheets_staging/{table}/")
        assert staged.num_rows == landed.rows[table] > 0, table
        # the Iceberg table is filled from the staged files (replace: all of it, each run)
        assert any(
            q.startswith(f'INSERT INTO "awsdatacatalog"."raw_google_sheets"."{table}"')
            and f'"raw_google_sheets_staging"."{table}"' in q
            for q in sql
        ), table
    advertisers = s3_parquet("raw/raw_google_sheets_staging/advertisers/").to_pylist()
    assert {r["advertiser_id"] for r in advertisers} == {
        a.advertiser_id for a in world.accounts("meta_ads")
    }
    assert all("-----BEGIN" not in q and "private_key" not in q for q in sql)


def test_daily_tables_are_partitioned_by_month_of_their_day(
    aws: str, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each daily Iceberg table is created partitioned by month of its day (DECISIONLOG, 53)."""
    from ingestion.sandbox.registry import start_fake

    Aws(AwsConfig.from_env(["raw_adjust"])).run(fix=True)
    fake = start_fake("adjust", world)
    try:
        monkeypatch.setenv("ARGO_TARGET", "athena")
        monkeypatch.setenv(WAREHOUSE_ENV, str(tmp_path / "athena" / "argo.duckdb"))
        start = (world.as_of - timedelta(days=3)).isoformat()
        landed = run_source(
            "adjust", **{**fake.source_options(), "backoff_factor": 0.01, "start_date": start}
        )
    finally:
        fake.stop()
    created = {
        found.group(1): q
        for q in statements()
        if (found := re.match(r"CREATE TABLE `awsdatacatalog`\.`raw_adjust`\.`(\w+)`", q))
    }
    assert {"report_daily", "report_daily_events"} <= set(created), sorted(created)
    for table in ("report_daily", "report_daily_events"):
        assert landed.rows.get(table, 0) > 0, table
        assert "PARTITIONED BY (month(`day`))" in created[table], created[table]
