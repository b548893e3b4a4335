"""The GitHub workflows parse, call commands that exist, and take secrets only from the store."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from argo import alerts
from argo.cli import build_parser
from argo.settings import PROJECT_DIR

WORKFLOWS = PROJECT_DIR / ".github" / "workflows"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as True
    data["on"] = data.pop(True, data.get("on"))
    return data


def run_lines(workflow: dict[str, Any]) -> list[str]:
    lines = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            for line in str(step.get("run", "")).splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    lines.append(line)
    return lines


def make_targets() -> set[str]:
    makefile = (PROJECT_DIR / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.MULTILINE))


def argo_commands(lines: list[str]) -> list[list[str]]:
    found = []
    for line in lines:
        if "argo " in line:
            words = shlex.split(line.replace("\\", ""))
            found.append(words[words.index("argo") + 1 :])
    return found


@pytest.mark.parametrize("name", ["ci.yml", "production.yml"])
def test_workflows_parse_and_pin_their_actions(name: str) -> None:
    workflow = load(name)
    assert workflow["on"] and workflow["jobs"]
    for job in workflow["jobs"].values():
        assert job["runs-on"] and job["timeout-minutes"] > 0
        for step in job["steps"]:
            uses = step.get("uses")
            if uses:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", uses), f"unpinned action {uses}"


def test_pull_request_ci_runs_exactly_the_test_command() -> None:
    workflow = load("ci.yml")
    assert "pull_request" in workflow["on"]
    assert run_lines(workflow) == ["bash .ci/run"]
    ci_run = (PROJECT_DIR / ".ci" / "run").read_text()
    assert ci_run.strip().splitlines()[-1] == "exec make test"
    assert "test" in make_targets()
    assert workflow["permissions"] == {"contents": "read"}


def test_production_run_uses_existing_commands_and_oidc() -> None:
    workflow = load("production.yml")
    assert "schedule" in workflow["on"] and "workflow_dispatch" in workflow["on"]
    assert workflow["permissions"]["id-token"] == "write"
    assert workflow["env"]["ARGO_TARGET"] == "athena"
    (job,) = workflow["jobs"].values()
    aws_step = next(s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", ""))
    assert aws_step["with"]["role-to-assume"] == "${{ secrets.ARGO_AWS_ROLE_ARN }}"
    assert not {"aws-access-key-id", "aws-secret-access-key"} & set(aws_step["with"])
    lines = run_lines(workflow)
    for line in lines:
        if line.startswith("make "):
            assert set(line.split()[1:]) <= make_targets(), line
    commands = argo_commands(lines)
    assert [c[:1] for c in commands] == [["aws"], ["run"], ["run"], ["docs"]]
    assert [c for c in commands if c[0] == "run"] == [
        ["run", "--target", "athena", "--full-refresh"],  # Sundays, or when asked
        ["run", "--target", "athena"],
    ]
    parser = build_parser()
    for command in commands:
        args = [w if not w.startswith("$") else "meta_ads" for w in command]
        parsed = parser.parse_args(args)  # exits (fails the test) on an unknown flag
        assert getattr(parsed, "target", "athena") == "athena" or command[0] == "aws"


def test_production_secrets_come_from_the_store() -> None:
    text = (WORKFLOWS / "production.yml").read_text()
    workflow = load("production.yml")
    (job,) = workflow["jobs"].values()
    names = []
    for step in job["steps"]:
        for name, value in (step.get("env") or {}).items():
            assert re.fullmatch(r"\$\{\{ secrets\.[A-Z0-9_]+ \}\}", str(value)), name
            names.append(name)
    assert names
    for name, value in workflow["env"].items():
        assert "secrets." not in str(value), f"{name}: secrets only in the steps that need them"
    assert not re.search(r"(?i)(token|secret|key)\s*[:=]\s*['\"]?[A-Za-z0-9/+]{16,}", text)


def test_production_posts_the_digest_through_argo_run_with_the_webhook_from_the_store() -> None:
    """`argo run` posts the digest after the build (it posts when the webhook is set); the
    URL is in that step only, and the docs are published even when a step of it failed."""
    workflow = load("production.yml")
    (job,) = workflow["jobs"].values()
    (run,) = [s for s in job["steps"] if "argo run" in str(s.get("run", ""))]
    assert run["env"]["ARGO_SLACK_WEBHOOK_URL"] == "${{ secrets.ARGO_SLACK_WEBHOOK_URL }}"
    assert "--no-digest" not in run["run"]
    others = [s for s in job["steps"] if s is not run]
    assert not any("SLACK" in str(s.get("env", "")) for s in others)
    assert "SLACK" not in str(workflow["env"])
    names = [step.get("name", "") for step in job["steps"]]
    docs = next(s for s in job["steps"] if "argo docs" in str(s.get("run", "")))
    assert names.index(run["name"]) < names.index(docs["name"])
    assert "!cancelled()" in docs["if"]


def test_docs_are_published_without_secrets() -> None:
    text = (WORKFLOWS / "production.yml").read_text()
    published = re.findall(r"for file in ([\w. ]+); do", text)
    assert published == ["index.html manifest.json catalog.json"]
    assert Path(PROJECT_DIR / "profiles.yml").read_text().count("env_var(") >= 6


def test_production_keeps_the_alert_state_in_the_lake_bucket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The runner is gone after each run: the digest reads the AEs' acks from S3.

    The workflow names the same object `argo alerts ack --target athena` writes by default.
    """
    workflow = load("production.yml")
    configured = workflow["env"]["ARGO_ALERT_STATE"]
    assert configured == "s3://${{ vars.ARGO_S3_LAKE_BUCKET }}/argo/alert_state.json"
    monkeypatch.delenv(alerts.STATE_ENV, raising=False)
    monkeypatch.setenv("ARGO_TARGET", "athena")
    monkeypatch.setenv("ARGO_S3_LAKE_BUCKET", "acme-argo-lake")
    default = alerts.state_path()
    assert str(default) == configured.replace("${{ vars.ARGO_S3_LAKE_BUCKET }}", "acme-argo-lake")
    (job,) = workflow["jobs"].values()
    assert not any("ARGO_ALERT_STATE" in str(s.get("env", "")) for s in job["steps"])
