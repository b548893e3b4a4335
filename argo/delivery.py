"""Posting a digest to a Slack incoming webhook, with retries on ARGO's clock.

Slack answers ``200 ok`` (text/plain) when it took the message; otherwise a status and a
short code in the body (``invalid_payload``, ``no_text``, ``invalid_token``,
``action_prohibited``, ``no_service``, ``channel_not_found``, ``channel_is_archived``,
``rollup_error``) or ``429`` with ``Retry-After``. A 5xx, a 429 or a connection that
fails is tried again after a growing wait (``Retry-After`` when Slack gives one), at most
:data:`ATTEMPTS` times in all; any other 4xx is final at once and explained in one line.

The webhook URL is a secret (whoever has it can post in the channel): it is never
printed or logged, and any message that could carry it says "the Slack webhook" instead.
urllib3 logs request lines (with the URL's path) at debug level: its loggers are quieted
while a post runs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ingestion import clock

#: Environment variable holding the webhook URL when ``--to`` does not give one.
WEBHOOK_ENV = "ARGO_SLACK_WEBHOOK_URL"
ATTEMPTS = 4
#: First wait after a failure; it doubles each time.
BACKOFF_SECONDS = 2.0
#: A Retry-After longer than this is not waited for (the post fails instead).
MAX_WAIT_SECONDS = 120.0
TIMEOUT_SECONDS = 30.0
#: Slack takes about one message per second per webhook.
PAUSE_BETWEEN_POSTS = 1.0
THE_WEBHOOK = "the Slack webhook"

#: Slack's error code -> what to do about it.
WHAT_TO_DO = {
    "invalid_payload": "the message was not valid for Slack; keep the digest file and report "
    "it as an ARGO bug",
    "invalid_blocks": "the message's blocks were not valid for Slack; keep the digest file and "
    "report it as an ARGO bug",
    "no_text": "the message had no text; keep the digest file and report it as an ARGO bug",
    "invalid_token": f"the webhook's token is no longer valid: create a new incoming webhook "
    f"in Slack and put its URL in {WEBHOOK_ENV}",
    "no_service": f"the webhook was removed or disabled in Slack: create a new incoming "
    f"webhook and put its URL in {WEBHOOK_ENV}",
    "no_team": f"the webhook's workspace no longer exists: check the URL in {WEBHOOK_ENV}",
    "team_disabled": "the Slack workspace is disabled: ask its owner",
    "action_prohibited": "the workspace restricts what this webhook may post: ask a Slack "
    "admin to allow it, or use another webhook",
    "posting_to_general_channel_denied": "only admins may post in that channel: point the "
    "webhook at another channel",
    "channel_not_found": f"the webhook's channel no longer exists: create a webhook for a live "
    f"channel and put its URL in {WEBHOOK_ENV}",
    "channel_is_archived": f"the webhook's channel is archived: unarchive it, or create a "
    f"webhook for a live channel and put its URL in {WEBHOOK_ENV}",
    "user_not_found": f"the webhook's user no longer exists: check {WEBHOOK_ENV}",
}


class DeliveryError(Exception):
    """A post did not go through; the message names the status and what to do."""


@dataclass
class Posted:
    """A post that went through."""

    attempts: int
    waited: float


def webhook_url(given: str | None) -> str:
    """The webhook URL: ``given`` (``--to``) or ``ARGO_SLACK_WEBHOOK_URL``.

    Raises:
        DeliveryError: Neither gives an http(s) URL.
    """
    url = (given or "").strip() or os.environ.get(WEBHOOK_ENV, "").strip()
    if not url:
        raise DeliveryError(
            f"no Slack webhook to post to: --to is empty and {WEBHOOK_ENV} is not set. What to "
            f"do: create an incoming webhook in Slack and set {WEBHOOK_ENV} to its URL (in "
            "production: the repository secret of that name), or leave out --format slack"
        )
    if not is_url(url):
        raise DeliveryError(
            f"{THE_WEBHOOK} is not an http(s) URL. What to do: give the URL Slack shows for the "
            "incoming webhook (https://hooks.slack.com/services/...)"
        )
    return url


def is_url(text: str | None) -> bool:
    """Whether ``text`` is an http(s) URL (a webhook), not a folder."""
    parts = urlsplit((text or "").strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@contextmanager
def _quiet_http_logs() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in ("urllib3", "urllib3.connectionpool")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _redacted(text: str, url: str) -> str:
    parts = urlsplit(url)
    for secret in (url, parts.path, parts.path.rsplit("/", 1)[-1]):
        if secret and len(secret) > 3:
            text = text.replace(secret, "…")
    return text


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def post(
    url: str,
    payload: dict[str, Any],
    *,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF_SECONDS,
    timeout: float = TIMEOUT_SECONDS,
    what: str = "the digest",
) -> Posted:
    """POSTs ``payload`` as JSON to the webhook; retries 5xx, 429 and connection errors.

    Args:
        url: The webhook URL (a secret: never in a message).
        payload: The Slack message (``text``, ``blocks``).
        attempts: Tries in all.
        backoff: The first wait; doubled after each failure (``Retry-After`` wins for 429).
        timeout: Seconds to wait for Slack's answer.
        what: What is posted, for messages (``the digest for Kim Minji``).

    Raises:
        DeliveryError: Slack refused it (4xx other than 429), or every attempt failed.
    """
    import requests

    waited = 0.0
    last = ""
    with _quiet_http_logs(), requests.Session() as session:
        for attempt in range(1, attempts + 1):
            try:
                answer = session.post(
                    url,
                    json=payload,
                    headers={"Content-Type": "application/json; charset=utf-8"},
                    timeout=timeout,
                )
            except requests.RequestException as exc:
                last = f"no answer ({type(exc).__name__})"
                wait = backoff * 2 ** (attempt - 1)
            else:
                body = _redacted(answer.text.strip()[:200], url)
                if answer.status_code == 200:
                    return Posted(attempt, waited)
                last = f"HTTP {answer.status_code} {body}".strip()
                if answer.status_code == 429:
                    wait = _retry_after(answer.headers) or backoff * 2 ** (attempt - 1)
                    if wait > MAX_WAIT_SECONDS:
                        raise DeliveryError(
                            f"{THE_WEBHOOK} refused {what}: HTTP 429, rate limited for "
                            f"{wait:.0f} s (Retry-After). What to do: post again later with "
                            "`argo digest --format slack`"
                        )
                elif answer.status_code < 500:
                    todo = WHAT_TO_DO.get(
                        body.split()[0] if body else "",
                        f"check the URL in {WEBHOOK_ENV} and the webhook's settings in Slack",
                    )
                    raise DeliveryError(
                        f"{THE_WEBHOOK} refused {what}: HTTP {answer.status_code} "
                        f"{body or '(no body)'} (not retried). What to do: {todo}"
                    )
                else:
                    wait = backoff * 2 ** (attempt - 1)
            if attempt < attempts:
                clock.sleep(wait)
                waited += wait
    raise DeliveryError(
        f"{THE_WEBHOOK} did not take {what} after {attempts} attempts (last: {last}). What to "
        "do: check Slack's status and the network, then post again with `argo digest --format "
        "slack`"
    )
