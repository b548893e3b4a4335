"""The digest posted to Slack: the local receiver, retries on ARGO's clock, clear failures."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from argo.cli import main
from argo.delivery import ATTEMPTS, DeliveryError, post
from ingestion import clock
from ingestion.sandbox.slack_webhook_api import STATES, SlackWebhookFake

MESSAGE = {
    "text": "hello",
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
}


@pytest.fixture
def slack() -> Iterator[SlackWebhookFake]:
    with SlackWebhookFake() as fake:
        yield fake


def raw(url: str, body: Any, content_type: str = "application/json") -> requests.Response:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return requests.post(url, data=data, headers={"Content-Type": content_type}, timeout=5)


# --- the receiver, as Slack answers -------------------------------------------------------


def test_the_receiver_answers_ok_as_text_and_keeps_the_message(slack: SlackWebhookFake) -> None:
    url = slack.hook()
    answer = raw(url, MESSAGE)
    assert (answer.status_code, answer.text) == (200, "ok")
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert slack.messages(url) == [MESSAGE]
    form = raw(url, "payload=" + requests.utils.quote(json.dumps({"text": "as a form"})),
               "application/x-www-form-urlencoded")  # fmt: skip
    assert form.text == "ok" and slack.messages()[-1] == {"text": "as a form"}


@pytest.mark.parametrize(
    ("body", "content_type", "answer"),
    [
        ("{nope", "application/json", "invalid_payload"),
        ('["a list"]', "application/json", "invalid_payload"),
        ("text=hi", "text/plain", "invalid_payload"),
        ({"text": "  "}, "application/json", "no_text"),
        ({"username": "argo"}, "application/json", "no_text"),
        ({"text": "t", "blocks": [{"type": "divider"}] * 51}, "application/json", "invalid_blocks"),
        (
            {
                "text": "t",
                "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            },
            "application/json",
            "invalid_blocks",
        ),
        (
            {"text": "t", "blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}]},
            "application/json",
            "invalid_blocks",
        ),
        (
            {
                "text": "t",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "s" * 3001}}],
            },
            "application/json",
            "invalid_blocks",
        ),
        (
            {"text": "t", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": ""}}]},
            "application/json",
            "invalid_blocks",
        ),
        ({"text": "t", "blocks": [{"type": "section"}]}, "application/json", "invalid_blocks"),
        (
            {
                "text": "t",
                "blocks": [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
            },
            "application/json",
            "invalid_blocks",
        ),
        (
            {"text": "t", "blocks": [{"type": "divider", "text": "no"}]},
            "application/json",
            "invalid_blocks",
        ),
        (
            {
                "text": "t",
                "blocks": [
                    {"type": "divider", "block_id": "a"},
                    {"type": "divider", "block_id": "a"},
                ],
            },
            "application/json",
            "invalid_blocks",
        ),
        ({"text": "t", "blocks": [{"type": "table"}]}, "application/json", "invalid_blocks"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)
def test_the_receiver_refuses_what_slack_refuses(
    slack: SlackWebhookFake, body: Any, content_type: str, answer: str
) -> None:
    response = raw(slack.hook(), body, content_type)
    assert (response.status_code, response.text) == (400, answer)
    assert slack.received == []


@pytest.mark.parametrize("state", sorted(set(STATES) - {"ok"}))
def test_the_receiver_answers_a_broken_webhook_as_slack_does(
    slack: SlackWebhookFake, state: str
) -> None:
    url = slack.hook()
    slack.set_state(url, state)
    response = raw(url, MESSAGE)
    assert (response.status_code, response.text) == STATES[state]
    unknown = raw(slack.root_url + "/services/T0/B0/unknown", MESSAGE)
    assert (unknown.status_code, unknown.text) == (404, "no_service")


def test_the_receiver_throttles_and_fails_on_demand(slack: SlackWebhookFake) -> None:
    url = slack.hook()
    slack.faults.throttle_next(1, retry_after=7)
    slack.faults.fail_next(1, status=503)
    throttled = raw(url, MESSAGE)
    assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "7")
    failed = raw(url, MESSAGE)
    assert (failed.status_code, failed.text) == (503, "rollup_error")


def test_the_receiver_takes_about_one_message_per_second(frozen_clock: clock.FrozenClock) -> None:
    with SlackWebhookFake(min_interval=1.0) as slack:
        url = slack.hook()
        assert raw(url, MESSAGE).status_code == 200
        assert raw(url, MESSAGE).status_code == 429
        frozen_clock.advance(1.0)
        assert raw(url, MESSAGE).status_code == 200


# --- posting with retries -----------------------------------------------------------------


def test_a_post_goes_through(slack: SlackWebhookFake, frozen_clock: clock.FrozenClock) -> None:
    url = slack.hook()
    posted = post(url, MESSAGE)
    assert posted.attempts == 1 and frozen_clock.slept == []
    assert slack.messages(url) == [MESSAGE]


def test_5xx_and_429_are_retried_with_backoff_and_retry_after(
    slack: SlackWebhookFake, frozen_clock: clock.FrozenClock
) -> None:
    url = slack.hook()
    slack.faults.fail_next(1, status=500)
    slack.faults.throttle_next(1, retry_after=5)
    posted = post(url, MESSAGE)
    assert posted.attempts == 3
    assert frozen_clock.slept == [2.0, 5.0]  # backoff 2 s, then Slack's Retry-After
    assert [p.status for p in slack.posts] == [500, 429, 200]
    assert len(slack.messages(url)) == 1


def test_a_connection_error_is_retried_then_reported_without_the_url(
    frozen_clock: clock.FrozenClock,
) -> None:
    with SlackWebhookFake() as gone:
        url = gone.hook()
    with pytest.raises(DeliveryError) as failure:
        post(url, MESSAGE)
    assert frozen_clock.slept == [2.0, 4.0, 8.0]
    message = str(failure.value)
    assert f"after {ATTEMPTS} attempts (last: no answer (ConnectionError))" in message
    assert "/services/" not in message and "127.0.0.1" not in message


@pytest.mark.parametrize(
    "state", ["revoked", "removed", "channel_deleted", "archived", "prohibited"]
)
def test_a_4xx_is_not_retried_and_says_what_to_do(
    slack: SlackWebhookFake, frozen_clock: clock.FrozenClock, state: str
) -> None:
    url = slack.hook()
    slack.set_state(url, state)
    status, code = STATES[state]
    with pytest.raises(DeliveryError) as failure:
        post(url, MESSAGE)
    assert len(slack.posts) == 1 and frozen_clock.slept == []
    message = str(failure.value)
    assert (
        f"the Slack webhook refused the digest: HTTP {status} {code} (not retried). What to do:"
        in message
    )
    assert "/services/" not in message


def test_an_invalid_payload_is_not_retried(slack: SlackWebhookFake) -> None:
    with pytest.raises(DeliveryError, match=r"HTTP 400 no_text .*report it as an ARGO bug"):
        post(slack.hook(), {"text": ""})
    assert len(slack.posts) == 1


# --- argo digest --format slack -------------------------------------------------------------


def test_argo_digest_posts_each_ae_and_keeps_the_files(
    marts: Path,
    slack: SlackWebhookFake,
    frozen_clock: clock.FrozenClock,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = slack.hook()
    slack.min_interval = 1.0  # Slack's pace: ARGO waits a second between two digests
    with caplog.at_level(logging.DEBUG):
        assert main(["-v", "digest", "--format", "slack", "--to", url]) == 0
    (kim, lee) = slack.messages(url)
    assert kim["blocks"][0]["text"]["text"] == "ARGO digest 2026-11-18 for Kim Minji"
    assert lee["blocks"][0]["text"]["text"] == "ARGO digest 2026-11-18 for Lee Jun"
    assert frozen_clock.slept == [1.0]
    folder = marts.parent / "digests" / "2026-11-18"
    assert json.loads((folder / "kim-minji.json").read_text()) == kim
    out, err = capsys.readouterr()
    assert "Posted the digest for Kim Minji to the Slack webhook" in out
    secret = url.rsplit("/", 1)[1]
    assert secret not in out + err + caplog.text
    assert "/services/" not in out + err + caplog.text


def test_the_webhook_comes_from_the_environment(
    marts: Path, slack: SlackWebhookFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = slack.hook()
    monkeypatch.setenv("ARGO_SLACK_WEBHOOK_URL", url)
    assert main(["digest", "--format", "slack", "--owner", "Lee Jun"]) == 0
    assert len(slack.messages(url)) == 1
    monkeypatch.delenv("ARGO_SLACK_WEBHOOK_URL")
    assert main(["digest", "--format", "slack", "--to", ""]) == 1  # an unset secret


def test_a_failed_post_leaves_the_digest_on_disk_and_exits_non_zero(
    marts: Path,
    slack: SlackWebhookFake,
    frozen_clock: clock.FrozenClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = slack.hook()
    slack.faults.fail_next(ATTEMPTS, status=503)
    assert main(["digest", "--format", "slack", "--to", url]) == 1
    err = capsys.readouterr().err
    assert "the Slack webhook did not take the digest for Kim Minji after 4 attempts" in err
    assert "(last: HTTP 503 rollup_error)" in err
    folder = marts.parent / "digests" / "2026-11-18"
    assert f"The digests are on disk in {folder}" in err
    assert (folder / "kim-minji.json").exists() and (folder / "lee-jun.json").exists()
    assert url.rsplit("/", 1)[1] not in err
    assert slack.received == []


def test_a_revoked_webhook_stops_at_once_with_one_line(
    marts: Path, slack: SlackWebhookFake, capsys: pytest.CaptureFixture[str]
) -> None:
    url = slack.hook()
    slack.set_state(url, "removed")
    assert main(["digest", "--format", "slack", "--to", url]) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "HTTP 404 no_service (not retried). What to do: the webhook was removed" in lines[0]
    assert len(slack.posts) == 1
