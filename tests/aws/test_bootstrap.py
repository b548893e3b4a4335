"""`argo aws bootstrap / check / policy` against moto: created, idempotent, drift repaired."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto.core.authorization import enable_iam_authentication

from argo.aws import DBT_SCHEMAS, Aws, AwsConfig, AwsError, policy
from argo.cli import main
from ingestion.registry import SOURCES
from tests.moto_fixtures import REGION

LAKE, RESULTS = "acme-argo-lake", "acme-argo-results"


def outcomes(steps: list[Any]) -> dict[str, str]:
    return {step.resource: step.outcome for step in steps}


def test_check_on_an_empty_account_lists_everything_missing(
    aws: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["aws", "check"]) == 1
    err = capsys.readouterr().err
    assert f"problem  s3://{LAKE}: missing" in err and f"problem  s3://{RESULTS}" in err
    for database in ("raw_meta_ads", "raw_weather", *DBT_SCHEMAS):
        assert f"problem  glue database {database}: missing" in err
    assert "problem  athena workgroup argo: missing" in err
    assert "run `argo aws bootstrap`" in err
    s3 = boto3.client("s3", region_name=REGION)
    assert s3.list_buckets()["Buckets"] == [], "check changes nothing"


def test_bootstrap_creates_protected_resources_and_is_idempotent(
    aws: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["aws", "bootstrap"]) == 0
    first = capsys.readouterr()
    assert "created" in first.err and "problem" not in first.err
    s3 = boto3.client("s3", region_name=REGION)
    for bucket in (LAKE, RESULTS):
        assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] == REGION
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        algorithm = rules["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
        assert algorithm == "AES256"
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        assert all(block.values()) and len(block) == 4
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=RESULTS)["Rules"]
    assert rule["Expiration"]["Days"] == 7 and rule["Status"] == "Enabled"
    with pytest.raises(ClientError):
        s3.get_bucket_lifecycle_configuration(Bucket=LAKE)  # the lake never expires
    glue = boto3.client("glue", region_name=REGION)
    databases = {d["Name"]: d.get("LocationUri") for d in glue.get_databases()["DatabaseList"]}
    assert databases["raw_meta_ads"] == f"s3://{LAKE}/raw/raw_meta_ads/"
    assert databases["marts"] == f"s3://{LAKE}/dbt/marts/"
    raw = [f"raw_{s}" for s in SOURCES]
    assert set(databases) == {*raw, *(f"{r}_staging" for r in raw), *DBT_SCHEMAS}
    athena = boto3.client("athena", region_name=REGION)
    workgroup = athena.get_work_group(WorkGroup="argo")["WorkGroup"]["Configuration"]
    assert workgroup["EnforceWorkGroupConfiguration"] is True
    assert workgroup["ResultConfiguration"]["OutputLocation"] == f"s3://{RESULTS}/athena/"
    assert workgroup["BytesScannedCutoffPerQuery"] == 10 * 1024**3
    # the second run finds everything in place and changes nothing
    assert main(["aws", "bootstrap"]) == 0
    second = capsys.readouterr()
    assert "created" not in second.err and "updated" not in second.err
    assert "(0 changed by this run)" in second.out
    assert main(["aws", "check"]) == 0


def test_drift_is_reported_by_check_and_repaired_by_bootstrap(
    aws: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wanted = AwsConfig.from_env(["raw_meta_ads"])
    Aws(wanted).run(fix=True)
    s3 = boto3.client("s3", region_name=REGION)
    s3.delete_public_access_block(Bucket=LAKE)
    s3.delete_bucket_lifecycle(Bucket=RESULTS)
    details = {s.resource: (s.outcome, s.detail) for s in Aws(wanted).run(fix=False)}
    assert details[f"s3://{LAKE}"] == ("problem", "public access not fully blocked")
    assert details[f"s3://{RESULTS}"] == ("problem", "no 7-day expiry of query results")
    repaired = outcomes(Aws(wanted).run(fix=True))
    assert repaired[f"s3://{LAKE}"] == repaired[f"s3://{RESULTS}"] == "updated"
    assert set(outcomes(Aws(wanted).run(fix=False)).values()) == {"ok"}
    # a workgroup whose cutoff differs from the configured one is reported...
    monkeypatch.setenv("ARGO_ATHENA_BYTES_SCANNED_CUTOFF", str(2 * 1024**3))
    stricter = AwsConfig.from_env(["raw_meta_ads"])
    (step,) = [s for s in Aws(stricter).run(fix=False) if s.resource == "athena workgroup argo"]
    assert step.outcome == "problem" and f"is {10 * 1024**3}, not {2 * 1024**3}" in step.detail


def test_bootstrap_repairs_a_drifted_workgroup() -> None:
    """Moto has no UpdateWorkGroup: the repair call is checked with botocore's Stubber."""
    wanted = AwsConfig(region=REGION, lake_bucket=LAKE, results_bucket=RESULTS)
    client = Aws(
        wanted,
        boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name=REGION),
    )
    drifted = {
        "ResultConfiguration": {"OutputLocation": "s3://elsewhere/"},
        "EnforceWorkGroupConfiguration": False,
    }
    with Stubber(client.athena) as stub:
        stub.add_response(
            "get_work_group",
            {"WorkGroup": {"Name": "argo", "Configuration": drifted}},
            {"WorkGroup": "argo"},
        )
        stub.add_response(
            "update_work_group",
            {},
            {
                "WorkGroup": "argo",
                "ConfigurationUpdates": {
                    "ResultConfigurationUpdates": {
                        "OutputLocation": f"s3://{RESULTS}/athena/",
                        "EncryptionConfiguration": {"EncryptionOption": "SSE_S3"},
                    },
                    "EnforceWorkGroupConfiguration": True,
                    "PublishCloudWatchMetricsEnabled": True,
                    "BytesScannedCutoffPerQuery": 10 * 1024**3,
                },
            },
        )
        step = client._workgroup(fix=True)
        stub.assert_no_pending_responses()
    assert step.outcome == "updated"


def test_a_bucket_in_another_region_is_a_clear_error(aws: str) -> None:
    boto3.client("s3", region_name="us-west-2").create_bucket(
        Bucket=LAKE, CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    with pytest.raises(AwsError, match=f"s3://{LAKE} is in us-west-2, not in {REGION}") as error:
        Aws(AwsConfig.from_env()).run(fix=True)
    assert "AWS_REGION=us-west-2" in str(error.value)


def test_missing_settings_are_named(aws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARGO_S3_LAKE_BUCKET")
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(AwsError, match="missing configuration: AWS_REGION, ARGO_S3_LAKE_BUCKET"):
        AwsConfig.from_env()
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("ARGO_S3_LAKE_BUCKET", LAKE)
    monkeypatch.setenv("ARGO_ATHENA_BYTES_SCANNED_CUTOFF", "1000")
    with pytest.raises(AwsError, match="at least 10000000"):
        AwsConfig.from_env()


def _user_with(policy_document: dict[str, Any]) -> boto3.session.Session:
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName="pipeline")
    iam.put_user_policy(
        UserName="pipeline", PolicyName="argo", PolicyDocument=json.dumps(policy_document)
    )
    key = iam.create_access_key(UserName="pipeline")["AccessKey"]
    return boto3.session.Session(
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        region_name=REGION,
    )


def test_missing_permission_names_the_step_and_the_fix(aws: str) -> None:
    wanted = AwsConfig.from_env(["raw_meta_ads"])
    session = _user_with(policy(wanted))  # the runtime policy may not create buckets
    with enable_iam_authentication(), pytest.raises(AwsError) as error:
        Aws(wanted, session).run(fix=True)
    text = str(error.value)
    assert f"creating s3://{LAKE}: permission denied" in text
    assert "argo aws policy" in text


def test_the_printed_policy_allows_the_lake_and_nothing_else(
    aws: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Aws(AwsConfig.from_env(["raw_meta_ads"])).run(fix=True)
    boto3.client("s3", region_name=REGION).create_bucket(
        Bucket="someone-elses-bucket", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    assert main(["aws", "policy", "--account", "123456789012"]) == 0
    document = json.loads(capsys.readouterr().out)
    actions = [a for s in document["Statement"] for a in s["Action"]]
    assert not [a for a in actions if a.endswith("*")], "no wildcard actions"
    resources = [r for s in document["Statement"] for r in s["Resource"]]
    assert all(LAKE in r or RESULTS in r or ":glue:" in r or ":athena:" in r for r in resources)
    assert "arn:aws:athena:ap-northeast-2:123456789012:workgroup/argo" in resources
    s3 = _user_with(document).client("s3")
    with enable_iam_authentication():
        s3.put_object(Bucket=LAKE, Key="raw/raw_meta_ads/t/1.parquet", Body=b"x")
        s3.put_object(Bucket=RESULTS, Key="athena/q.csv", Body=b"x")
        assert s3.get_object(Bucket=LAKE, Key="raw/raw_meta_ads/t/1.parquet")["Body"].read()
        for bucket in ("someone-elses-bucket",):
            with pytest.raises(ClientError, match="AccessDenied"):
                s3.put_object(Bucket=bucket, Key="x", Body=b"x")
        with pytest.raises(ClientError, match="AccessDenied"):
            s3.create_bucket(
                Bucket="new-bucket", CreateBucketConfiguration={"LocationConstraint": REGION}
            )
