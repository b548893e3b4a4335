"""The day's work: the dbt state each build schema keeps, locally and on S3, and the CLI.

The builds themselves run in tests/e2e/test_daily_builds.py; here, without dbt, what
decides whether a daily build may select from a schema's state, how a state is written
(all or nothing) and mirrored to ``s3://<lake>/argo/dbt-state/<schema>/`` (moto), and which
``argo transform`` flags mean the day's work.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

import argo.cli as cli
import argo.transform as transform
from argo.cli import main
from argo.settings import WAREHOUSE_ENV
from argo.transform import ChangedBuild, TransformError


@pytest.fixture
def target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """dbt's target folder, holding what a successful build leaves there."""
    folder = tmp_path / "target"
    folder.mkdir()
    monkeypatch.setenv("DBT_TARGET_PATH", str(folder))
    write_artefacts(folder, "build-1")
    return folder


def write_artefacts(folder: Path, invocation: str) -> None:
    for name in ("manifest.json", "sources.json", "run_results.json"):
        (folder / name).write_text(json.dumps({"metadata": {"invocation_id": invocation}}))


def last_build(monkeypatch: pytest.MonkeyPatch, invocation: str | None) -> None:
    """What marts__state.mart_builds says built into the schema last."""
    monkeypatch.setattr(transform, "last_build_into", lambda schema, target=None: invocation)


def test_a_kept_state_is_usable_until_another_command_builds_into_the_schema(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = transform.state_dir("marts__blue")
    assert folder == target / "state" / "marts__blue"
    usable, why = transform._usable_state(folder, "marts__blue", None)
    assert not usable and why.startswith("no state of marts__blue yet")
    transform.keep_state("marts__blue")
    assert sorted(p.name for p in folder.iterdir()) == [
        "dbt_project.sha256",
        "invocation_id",
        "manifest.json",
        "project_files.sha256",
        "sources.json",
    ]
    assert (folder / "invocation_id").read_text() == "build-1"
    assert not folder.with_name("marts__blue.partial").exists()
    last_build(monkeypatch, "build-1")
    assert transform._usable_state(folder, "marts__blue", None) == (True, "")
    # A `--select` build, `dbt run` or a plain `dbt build` wrote into it since.
    last_build(monkeypatch, "someone-else")
    usable, why = transform._usable_state(folder, "marts__blue", None)
    assert not usable
    assert why == "marts__blue was built since its state was saved by another command"
    # ... unless it was a daily build from this very state that failed (it is retried).
    (folder / transform.TRIED_FILE).write_text(json.dumps(["someone-else"]))
    assert transform._usable_state(folder, "marts__blue", None) == (True, "")


def test_a_changed_dbt_project_yml_makes_the_state_unusable(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its vars reach SQL that dbt's state:modified compares unrendered."""
    transform.keep_state("marts__green")
    last_build(monkeypatch, "build-1")
    folder = transform.state_dir("marts__green")
    assert transform._usable_state(folder, "marts__green", None)[0]
    monkeypatch.setattr(transform, "_project_digest", lambda: "another")
    usable, why = transform._usable_state(folder, "marts__green", None)
    assert not usable and why == "dbt_project.yml changed since marts__green's last build"
    (folder / "invocation_id").unlink()
    assert transform._usable_state(folder, "marts__green", None)[1].endswith("is incomplete")


def test_a_new_state_replaces_the_old_one_whole(target: Path) -> None:
    transform.keep_state("marts__blue")
    write_artefacts(target, "build-2")
    (target / "sources.json").write_text('{"results": []}')
    transform.keep_state("marts__blue")
    folder = transform.state_dir("marts__blue")
    assert (folder / "invocation_id").read_text() == "build-2"
    assert (folder / "sources.json").read_text() == '{"results": []}'
    assert sorted(p.name for p in folder.parent.iterdir()) == ["marts__blue"]


def test_the_athena_state_round_trips_through_the_lake_bucket(
    aws: str, target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(
        Bucket="acme-argo-lake", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"}
    )
    stale = "argo/dbt-state/marts__blue/tried.json"
    s3.put_object(Bucket="acme-argo-lake", Key=stale, Body=b'["old"]')
    transform.keep_state("marts__blue", target="athena")
    listed = s3.list_objects_v2(Bucket="acme-argo-lake", Prefix="argo/dbt-state/")
    assert sorted(o["Key"] for o in listed["Contents"]) == [
        "argo/dbt-state/marts__blue/dbt_project.sha256",
        "argo/dbt-state/marts__blue/invocation_id",
        "argo/dbt-state/marts__blue/manifest.json",
        "argo/dbt-state/marts__blue/project_files.sha256",
        "argo/dbt-state/marts__blue/sources.json",
    ]
    # Another machine (a fresh CI runner): no local state, the one on S3 comes down.
    folder = transform.state_dir("marts__blue")
    for path in folder.iterdir():
        path.unlink()
    (folder / "leftover.json").write_text("{}")
    transform._state_from_s3("marts__blue", folder)
    assert sorted(p.name for p in folder.iterdir()) == [
        "dbt_project.sha256",
        "invocation_id",
        "manifest.json",
        "project_files.sha256",
        "sources.json",
    ]
    assert (folder / "invocation_id").read_text() == "build-1"
    # No state on S3 for the other schema: none locally either (it is built in full).
    green = transform.state_dir("marts__green")
    green.mkdir(parents=True)
    (green / "manifest.json").write_text("{}")
    transform._state_from_s3("marts__green", green)
    assert list(green.iterdir()) == []


def test_an_unreachable_lake_bucket_says_what_to_do(
    aws: str, target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = transform.state_dir("marts__blue")
    with pytest.raises(TransformError, match=r"cannot read the dbt state of marts__blue .*"):
        transform._state_from_s3("marts__blue", folder)  # the bucket does not exist
    transform._stage_state("marts__blue")
    with pytest.raises(TransformError, match="the build of marts__blue succeeded, but"):
        transform._commit_state("marts__blue", "athena")


@pytest.mark.parametrize(
    ("flags", "day"),
    [
        ([], True),
        (["--all"], False),
        (["--full-refresh"], False),
        (["--select", "marts"], False),
        (["--no-tests"], False),
    ],
)
def test_argo_transform_is_the_days_work_unless_told_otherwise(
    flags: list[str],
    day: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(WAREHOUSE_ENV, str(tmp_path / "argo.duckdb"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    called: list[Any] = []
    changed = ChangedBuild("marts__green", [], 0, 0, 1.5, None, transform.NOTHING_TO_BUILD)
    monkeypatch.setattr(
        cli, "build_changed", lambda target=None, callbacks=None: called.append("day") or changed
    )
    monkeypatch.setattr(
        cli, "dbt", lambda command, target=None, callbacks=None: called.append(command)
    )
    monkeypatch.setattr(cli, "_refuse_unfinished_loads", lambda: None)
    monkeypatch.setattr(cli, "_check_selection", lambda select, name: None)
    assert main(["transform", *flags]) == 0
    said = capsys.readouterr()
    out = said.out + said.err
    if day:
        assert called == ["day"]
        assert f"transform: {transform.NOTHING_TO_BUILD};" in out
    else:
        assert called and called[0] != "day" and called[0][0] in ("build", "run")
        assert transform.NOTHING_TO_BUILD not in out


def freshness(path: Path, times: dict[str, str | None]) -> Path:
    results = [
        {"unique_id": uid, "max_loaded_at": at} if at else {"unique_id": uid, "error": "no table"}
        for uid, at in times.items()
    ]
    path.write_text(json.dumps({"results": results}))
    return path


def test_fresher_sources_are_what_dbts_source_status_fresher_selects(tmp_path: Path) -> None:
    before = freshness(
        tmp_path / "before.json",
        {
            "source.argo.meta_ads.ads_insights": "2026-11-19T02:00:00.123456+00:00",
            "source.argo.google_ads.campaigns": "2026-11-19T02:00:00+00:00",
            "source.argo.weather.daily_weather": None,
        },
    )
    now = freshness(
        tmp_path / "now.json",
        {
            "source.argo.meta_ads.ads_insights": "2026-11-20T02:00:00+00:00",  # loaded again
            "source.argo.google_ads.campaigns": "2026-11-19T02:00:00+00:00",  # not since
            "source.argo.weather.daily_weather": "2026-11-20T03:00:00+00:00",  # first load
            "source.argo.adjust.report_daily": None,  # never loaded
        },
    )
    assert transform.fresher_sources(before, now) == [
        "source.argo.meta_ads.ads_insights",
        "source.argo.weather.daily_weather",
    ]
    assert transform.fresher_sources(now, now) == []
    assert transform.fresher_sources(tmp_path / "none.json", now) == ["(unreadable freshness)"]


def test_the_project_files_digest_sees_any_file_dbt_parses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: argo\n")
    (project / "models" / "a.sql").write_text("select 1")
    monkeypatch.setattr(transform, "PROJECT_DIR", project)
    first = transform._files_digest()
    assert transform._files_digest() == first
    (project / "models" / "a.sql").write_text("select 2")
    second = transform._files_digest()
    assert second != first
    (project / "models" / "a.sql").rename(project / "models" / "b.sql")
    third = transform._files_digest()
    assert third not in (first, second)
    # The day's selector is dbt's to read too: a changed selector is a changed project.
    (project / "selectors.yml").write_text("selectors: []\n")
    assert transform._files_digest() != third


@pytest.mark.parametrize(
    ("dbt_says", "advice"),
    [
        (
            'IO Error: Could not write file "x.tmp/duckdb_temp_1.tmp": No space left on device',
            r"What to do: free disk space on the disk of .*w\.duckdb\.tmp, where DuckDB writes "
            r"what does not fit in its memory \(ARGO_DBT_MEMORY_LIMIT, now 3GB\), and run again",
        ),
        (
            "Out of Memory Error: could not allocate block of size 256.0 KiB (2.7/2.7 GiB used)",
            r"What to do: raise ARGO_DBT_MEMORY_LIMIT \(now 3GB; .*\) or set ARGO_DBT_THREADS=1",
        ),
        ("Binder Error: column x not found", r"What to do: read the failing test or model above"),
    ],
)
def test_a_build_out_of_disk_or_memory_says_which_setting_helps(
    dbt_says: str, advice: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB's own words for a full disk or too little memory get their own way out."""
    monkeypatch.setenv(WAREHOUSE_ENV, str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("ARGO_DBT_MEMORY_LIMIT", "3GB")
    node = type("Node", (), {"unique_id": "model.argo.fct_suggestions_daily"})()
    failed = type("Result", (), {"status": "error", "node": node, "message": dbt_says})()
    outcome = type(
        "Outcome", (), {"success": False, "exception": None, "result": type("R", (), {})()}
    )()
    outcome.result.results = [failed]
    monkeypatch.setattr(transform, "_invoke", lambda *args: outcome)
    monkeypatch.setattr(transform, "published_marts_schema", lambda target=None: "marts__blue")
    with pytest.raises(TransformError, match=advice) as raised:
        transform.dbt(["build", "--select", "fct_suggestions_daily"], marts_schema="marts__green")
    assert "model.argo.fct_suggestions_daily (error)" in str(raised.value)
    assert "The marts readers see are unchanged (marts -> marts__blue)." in str(raised.value)


@pytest.mark.parametrize(
    ("args", "quiet", "user_bytes", "expected"),
    [
        (["build"], True, None, ["--log-level", "none", "--log-level-file", "debug"]),
        (["build"], False, None, []),
        (["build", "--log-level", "info"], True, None, []),
        (["build"], False, "1048576", []),
        (["build", "--log-file-max-bytes", "0"], False, None, []),
    ],
)
def test_dbt_keeps_a_whole_build_in_one_log_file_unless_told_otherwise(
    args: list[str],
    quiet: bool,
    user_bytes: str | None,
    expected: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """dbt.log holds 50 MB before it rolls over; dbt's own setting and flag still win."""
    monkeypatch.delenv("DBT_LOG_FILE_MAX_BYTES", raising=False)
    if user_bytes is not None:
        monkeypatch.setenv("DBT_LOG_FILE_MAX_BYTES", user_bytes)
    sized = user_bytes is None and "--log-file-max-bytes" not in args
    cap = ["--log-file-max-bytes", str(50 * 1024 * 1024)] if sized else []
    assert transform.log_flags(args, quiet) == expected + cap
