"""The alert state as an S3 object (moto): what production's digest reads the AEs' acks from.

Same JSON, same checks and one-line errors as the file; a change is one conditional
PutObject, so two `argo alerts` writing at once never lose one another's change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.core.authorization import enable_iam_authentication

from argo import alerts
from argo.alerts import S3Object, StateError
from argo.aws import AwsConfig, policy
from argo.cli import main
from argo.settings import SettingError
from tests.digest.test_alert_state import kim_items
from tests.moto_fixtures import REGION

LAKE = "acme-argo-lake"
KEY = "argo/alert_state.json"
URI = f"s3://{LAKE}/{KEY}"


@pytest.fixture
def s3_state(aws: str, marts: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The lake bucket on moto, ``ARGO_ALERT_STATE`` pointing into it; the S3 client."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=LAKE, CreateBucketConfiguration={"LocationConstraint": REGION})
    monkeypatch.setenv(alerts.STATE_ENV, URI)
    return s3


def stored(s3: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(s3.get_object(Bucket=LAKE, Key=KEY)["Body"].read())
    return data


def test_ack_snooze_and_list_round_trip_through_s3(
    s3_state: Any, marts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert alerts.state_path() == S3Object(LAKE, KEY)
    assert main(["alerts", "ack", "cpc-1", "--note", "bid change, expected"]) == 0
    assert main(["alerts", "snooze", "sug-1", "--until", "2026-11-25"]) == 0
    out = capsys.readouterr().out
    assert "Acknowledged cpc-1 (episode from 2026-11-16): it stays out" in out
    assert f"({URI})" in out and "Snoozed sug-1 until 2026-11-25" in out
    document = stored(s3_state)
    assert document["version"] == 1
    assert document["alerts"]["cpc-1"]["ack"] == {
        "first_seen": "2026-11-16",
        "on": "2026-11-18",
        "at": "2026-11-20T01:30:00+00:00",
        "note": "bid change, expected",
    }
    assert document["alerts"]["sug-1"]["snooze"]["until"] == "2026-11-25"
    # the very text the file would hold
    body = s3_state.get_object(Bucket=LAKE, Key=KEY)["Body"].read().decode()
    assert body == json.dumps(document, indent=2, sort_keys=True) + "\n"
    assert main(["alerts", "list"]) == 0
    listing = capsys.readouterr().out
    assert "acknowledged 2026-11-18 (episode from 2026-11-16): bid change, expected" in listing
    assert "snoozed until 2026-11-25" in listing


def test_the_digest_reads_its_suppression_from_s3(
    s3_state: Any, marts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An ack made elsewhere (another machine wrote the object) keeps the alert out."""
    assert main(["alerts", "ack", "cpc-1"]) == 0
    assert main(["alerts", "snooze", "sug-1", "--until", "2026-11-25"]) == 0
    (marts.parent / "alert_state.json").unlink(missing_ok=True)  # nothing local to lean on
    assert kim_items(marts, alerts.load()) == ["pace-1", "old-1"]
    capsys.readouterr()
    assert main(["digest", "--owner", "Kim Minji"]) == 0
    text = (marts.parent / "digests" / "2026-11-18" / "kim-minji.md").read_text()
    assert "headline of pace-1" in text
    assert "headline of cpc-1" not in text and "headline of sug-1" not in text
    assert "UNSUPPRESSED" not in text


def test_a_missing_object_is_an_empty_state(s3_state: Any, marts: Path) -> None:
    assert alerts.load().alerts == {}
    assert kim_items(marts, alerts.load()) == ["pace-1", "cpc-1", "sug-1", "old-1"]
    assert s3_state.list_objects_v2(Bucket=LAKE).get("KeyCount") == 0, "reading writes nothing"


@pytest.mark.parametrize(
    "content",
    [b"{not json", b'{"version": 1, "alerts": {"x": {"ack": {"on": "2026-11-18"}}}}', b"\xff"],
    ids=["not-json", "bad-entry", "not-utf8"],
)
def test_a_corrupt_object_is_one_clear_error_and_is_never_overwritten(
    s3_state: Any, marts: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    s3_state.put_object(Bucket=LAKE, Key=KEY, Body=content)
    with pytest.raises(StateError, match=f"the alert state object {URI} cannot be read"):
        alerts.load()
    assert main(["digest"]) == 1
    err = capsys.readouterr().err
    assert len([line for line in err.splitlines() if line.strip()]) == 1
    assert f"the alert state object {URI} cannot be read" in err
    assert "What to do: fix it or delete it" in err
    text = (marts.parent / "digests" / "2026-11-18" / "kim-minji.md").read_text()
    assert text.splitlines()[2].startswith("> **UNSUPPRESSED: every alert is shown")
    assert "headline of cpc-1" in text
    assert main(["alerts", "ack", "pace-1"]) == 1
    assert "cannot be read" in capsys.readouterr().err
    assert s3_state.get_object(Bucket=LAKE, Key=KEY)["Body"].read() == content


@pytest.mark.parametrize("existing", [True, False], ids=["object-changed", "object-created"])
def test_a_concurrent_change_is_detected_and_neither_is_lost(
    s3_state: Any, marts: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    """Another AE writes between our read and our write: S3 refuses ours, we apply it again."""
    if existing:
        assert main(["alerts", "ack", "ctr-1"]) == 0
    read = alerts._s3_read
    calls = []

    def read_then_someone_else_writes(location: S3Object) -> Any:
        answer = read(location)
        calls.append(location)
        if len(calls) == 1:  # the other AE's whole change lands in between
            other, _ = read(location)
            other.alerts["spend-2"] = {"snooze": {"until": "2026-11-30", "at": "elsewhere"}}
            s3_state.put_object(Bucket=LAKE, Key=KEY, Body=json.dumps(other.to_json()))
        return answer

    monkeypatch.setattr(alerts, "_s3_read", read_then_someone_else_writes)
    assert main(["alerts", "ack", "cpc-1"]) == 0
    assert len(calls) == 2, "the first write was refused and the change applied again"
    kept = stored(s3_state)["alerts"]
    assert kept["spend-2"]["snooze"]["until"] == "2026-11-30"  # theirs
    assert kept["cpc-1"]["ack"]["first_seen"] == "2026-11-16"  # ours
    assert ("ctr-1" in kept) is existing


def test_an_object_that_keeps_changing_is_one_clear_error(
    s3_state: Any, marts: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    read = alerts._s3_read
    writes = []

    def always_stale(location: S3Object) -> Any:
        answer = read(location)
        writes.append(1)  # another content each time: an ETag is the content's digest
        spaces = " " * len(writes)
        s3_state.put_object(Bucket=LAKE, Key=KEY, Body=json.dumps(answer[0].to_json()) + spaces)
        return answer

    monkeypatch.setattr(alerts, "_s3_read", always_stale)
    assert main(["alerts", "ack", "cpc-1"]) == 1
    err = capsys.readouterr().err
    assert f"the alert state object {URI} changed under this `argo alerts ack` 3 times" in err
    assert "run the command again" in err
    assert "cpc-1" not in stored(s3_state)["alerts"]


def _as_user_with(policy_document: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """ARGO's AWS credentials become those of a user with ``policy_document`` only."""
    iam = boto3.client("iam", region_name=REGION)
    iam.create_user(UserName="pipeline")
    iam.put_user_policy(
        UserName="pipeline", PolicyName="argo", PolicyDocument=json.dumps(policy_document)
    )
    key = iam.create_access_key(UserName="pipeline")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])


def test_the_pipelines_policy_allows_the_state_object(
    s3_state: Any, marts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`argo aws policy` already covers s3://<lake>/argo/ (conditional writes included)."""
    _as_user_with(policy(AwsConfig.from_env()), monkeypatch)
    with enable_iam_authentication():
        assert main(["alerts", "ack", "cpc-1"]) == 0
        assert main(["alerts", "ack", "pace-1"]) == 0
        assert set(alerts.load().alerts) == {"cpc-1", "pace-1"}


def test_access_denied_is_one_line_without_credentials(
    s3_state: Any, marts: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::x/*"]}
        ],
    }
    _as_user_with(elsewhere, monkeypatch)
    with enable_iam_authentication():
        assert main(["digest"]) == 1
        assert main(["alerts", "ack", "cpc-1"]) == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 2, lines
    denied = f"the alert state object {URI} cannot be read: permission denied (AccessDenied)"
    for line in lines:
        assert denied in line
        assert "s3:GetObject and s3:PutObject" in line
    secret = os.environ["AWS_SECRET_ACCESS_KEY"]
    assert secret not in err and os.environ["AWS_ACCESS_KEY_ID"] not in err
    text = (marts.parent / "digests" / "2026-11-18" / "kim-minji.md").read_text()
    assert "UNSUPPRESSED" in text


def test_the_athena_target_keeps_the_state_in_the_lake_bucket_by_default(
    aws: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(alerts.STATE_ENV, raising=False)
    monkeypatch.setenv("ARGO_TARGET", "athena")
    assert alerts.state_path() == S3Object(LAKE, KEY)
    assert str(alerts.state_path()) == URI
    monkeypatch.delenv("ARGO_S3_LAKE_BUCKET")
    with pytest.raises(SettingError, match="ARGO_S3_LAKE_BUCKET is not set"):
        alerts.state_path()
    monkeypatch.setenv("ARGO_TARGET", "local")
    assert isinstance(alerts.state_path(), Path)


@pytest.mark.parametrize("uri", ["s3://", "s3://bucket", "s3://bucket/", "s3://bucket/folder/"])
def test_an_s3_uri_without_an_object_is_refused(
    uri: str, marts: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(alerts.STATE_ENV, uri)
    assert main(["alerts", "list"]) == 1
    assert f"ARGO_ALERT_STATE={uri!r} names no S3 object" in capsys.readouterr().err
